#!/usr/bin/env bash
# E2E harness: PID 1 of a container, until it becomes the container's command. Runs as
# root in the container's own mount and pid namespaces (see container-start.sh) and in
# the pod's network and UTS namespaces. It builds the container's root filesystem (see
# support/rootfs.ts): a fresh tmpfs at ROOT, a copy of the image's SKELETON (directories,
# symlinks, /etc files, empty mount points), every mount FSTAB lists (/proc of this pid
# namespace, /dev nodes, the host's libraries and the image's commands read-only, the
# pod's /etc files, the container's volumes), makes the root itself read-only when
# ROOT_MODE is ro (readOnlyRootFilesystem: the mounts below it keep their own modes), then
# chroots into it and execs CHAIN:
#   /.harness/env --default-signal -i -C / NAME=VALUE… /.harness/setpriv … -- COMMAND [ARG]…
# env, still root, resets signal handling (a background job of container-start.sh starts
# with SIGINT and SIGQUIT ignored) and sets exactly the container's environment; setpriv
# drops to the container's user and groups, capabilities and no_new_privs, and execvp's
# COMMAND through the container's PATH. /.harness is root's only (0700).
# Usage: container-init.sh ROOT SKELETON FSTAB ROOT_MODE CHAIN...
set -euo pipefail
root=${1:?root} skeleton=${2:?skeleton} fstab=${3:?fstab} root_mode=${4:?root mode}
shift 4
mount -t tmpfs -o mode=0755 tmpfs "$root"
cp -a "$skeleton/." "$root/"
# One process for every mount; --no-mtab keeps libmount from writing the host's /run/mount.
mount --all --no-mtab --fstab "$fstab"
case $root_mode in
  ro) mount --no-mtab -o remount,ro "$root" ;;
  rw) ;;
  *) echo "container-init.sh: ROOT_MODE must be ro or rw (got '$root_mode')" >&2; exit 1 ;;
esac
exec chroot "$root" "$@"
