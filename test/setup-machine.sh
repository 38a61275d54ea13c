#!/usr/bin/env bash
# Installs, as root on Debian, what the test suite needs besides npm packages: the
# MariaDB server and mariadb-backup, and the other commands of the mariadb image that the
# end-to-end containers get (socat for the clone channel, zstd), Debian's build of the
# Prometheus mysqld_exporter (the metrics sidecar's image model), shellcheck (script
# lint), iproute2 and util-linux (network, UTS, mount and pid namespaces). ncat is
# installed on purpose although no image ships it: test/e2e/harness.test.ts proves that a
# command the host has stays out of the containers. Package scripts are kept from
# starting a server: tests start their own.
set -euo pipefail

packages=(mariadb-server mariadb-backup socat zstd ncat shellcheck iproute2 util-linux procps prometheus-mysqld-exporter)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  if ((EUID != 0)); then
    echo "setup-machine: installing ${missing[*]} needs root" >&2
    exit 1
  fi
  policy=/usr/sbin/policy-rc.d
  created_policy=no
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    created_policy=yes
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if [[ $created_policy == yes ]]; then
    rm -f "$policy"
  fi
fi

echo "setup-machine: ${packages[*]} present"
