#!/usr/bin/env bash
# E2E harness: the container runtime's side of one container start. Started as root by
# `unshare --mount --propagation private --pid`, inside the pod's network and UTS
# namespaces and in a private copy of the pod's mount namespace; the processes it forks
# go to a new pid namespace. It forks exactly one: bin/container-init.sh, which is PID 1
# of the container and becomes the container's command. Then it waits for PID 1 and
# exits with its status as Kubernetes reports it (128 + n for a process killed by
# signal n). When PID 1 exits, the kernel kills every other process of its pid
# namespace, and `wait` returns only once they are all gone.
# Nothing here may start a process before that fork (no command substitution, no
# external command): the first process forked here becomes PID 1.
# Usage: container-start.sh ROOT SKELETON FSTAB ROOT_MODE CHAIN...   (see container-init.sh)
set -euo pipefail
bash "${BASH_SOURCE[0]%/*}/container-init.sh" "$@" &
status=0
wait "$!" || status=$?
exit "$status"
