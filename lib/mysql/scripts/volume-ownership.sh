#!/usr/bin/env bash
# Optional first init container (server image, as root with CAP_CHOWN only): gives the
# data volume and the data directory on it to the server's user, for volumes whose
# directories are created root-owned and to which kubelet applies no fsGroup (hostPath).
# Only those two directories change owner, the volume last: the files inside already
# belong to the server, and a root without CAP_DAC_OVERRIDE could not create the data
# directory in a volume that is no longer its own. Running it again changes nothing.
set -euo pipefail
: "${DATA_ROOT:?}" "${DATADIR_NAME:?}" "${OWNER:?}"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "${BASH_SOURCE[0]%/*}/common.sh"

datadir="$DATA_ROOT/$DATADIR_NAME"
if [[ ! -d $datadir ]]; then
  mkdir "$datadir"
fi
chown "$OWNER" "$datadir"
chown "$OWNER" "$DATA_ROOT"
log "$DATA_ROOT and $datadir belong to $OWNER"
