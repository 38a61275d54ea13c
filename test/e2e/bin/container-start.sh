#!/usr/bin/env bash
# E2E harness: turns the current process into a container, then execs its command.
# Runs as root, already inside the pod's network and UTS namespaces and in a private
# copy of the pod's mount namespace. It lays the image's filesystem over the host's
# (fresh /tmp, /run, /var/lib, /opt and /usr/local/bin, the image's /etc/mysql and
# entrypoint), mounts the pod's /etc/hosts and /etc/resolv.conf and the container's
# volumes at their mountPaths, then drops to the container's user.
# Usage: container-start.sh IMAGE_ROOT POD_DIR IMAGE_UID UID GID GROUPS NO_NEW_PRIVS DROP_CAPS \
#          MOUNT_COUNT [SRC DST RO]... ENV_COUNT [NAME=VALUE]... COMMAND [ARG]...
set -euo pipefail
image_root=$1 pod_dir=$2 image_uid=$3 run_uid=$4 run_gid=$5 run_groups=$6 no_new_privs=$7 drop_caps=$8
shift 8

for dir in /tmp /run /var/lib /opt /usr/local/bin; do
  mount -t tmpfs -o mode=0755 tmpfs "$dir"
done
chmod 1777 /tmp
# As the image's Dockerfile leaves them.
mkdir -p /run/mysqld /var/lib/mysql
chown "$image_uid:$image_uid" /run/mysqld /var/lib/mysql
chmod 0777 /run/mysqld
mount --bind "$image_root/etc-mysql" /etc/mysql
mount -o remount,bind,ro /etc/mysql
touch /usr/local/bin/docker-entrypoint.sh
mount --bind "$image_root/docker-entrypoint.sh" /usr/local/bin/docker-entrypoint.sh
mount --bind "$pod_dir/hosts" /etc/hosts
mount --bind "$pod_dir/resolv.conf" /etc/resolv.conf

count=$1
shift
for ((i = 0; i < count; i++)); do
  src=$1 dst=$2 ro=$3
  shift 3
  mkdir -p "$dst"
  mount --bind "$src" "$dst"
  if [[ $ro == ro ]]; then
    mount -o remount,bind,ro "$dst"
  fi
done

count=$1
shift
env_vars=("${@:1:count}")
shift "$count"

setpriv_args=(--reuid="$run_uid" --regid="$run_gid")
if [[ -n $run_groups ]]; then
  setpriv_args+=(--groups="$run_groups")
else
  setpriv_args+=(--clear-groups)
fi
if [[ $no_new_privs == yes ]]; then
  setpriv_args+=(--no-new-privs)
fi
if [[ $drop_caps == yes ]]; then
  setpriv_args+=(--inh-caps=-all --bounding-set=-all)
fi
cd /
exec setpriv "${setpriv_args[@]}" -- env -i "${env_vars[@]}" "$@"
