#!/usr/bin/env bash
# E2E harness: the "pause" process of a pod. Started as root inside the pod's network
# namespace and in fresh UTS and mount namespaces (unshare --uts --mount), it sets the
# pod's hostname, mounts its memory-backed emptyDir volumes, prints "ready" and sleeps.
# Containers join its network, UTS and mount namespaces (and then take a private copy
# of the mount namespace, and a pid namespace, of their own).
# Usage: pod-sandbox.sh HOSTNAME LIFETIME_SECONDS [TMPFS_DIR SIZE GID]...
set -euo pipefail
hostname "${1:?hostname}"
lifetime=${2:?lifetime}
shift 2
# Drop the copies of the host's network-namespace handles, which would otherwise keep
# deleted pods' namespaces alive for as long as this pod lives.
if mountpoint -q /run/netns; then
  umount --recursive --lazy /run/netns
fi
while (($# >= 3)); do
  mount -t tmpfs -o "size=$2,mode=2777,gid=$3" tmpfs "$1"
  shift 3
done
echo ready
exec sleep "$lifetime"
