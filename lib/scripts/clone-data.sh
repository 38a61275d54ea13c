#!/usr/bin/env bash
# Init container 2: on a replica whose data directory is still empty, receive a
# streamed physical backup from the previous ordinal and prepare it. The copy is
# staged beside the data directory and renamed into place only once it is complete
# and prepared, so an interrupted clone is never mistaken for a finished one.
set -euo pipefail
: "${STATEFULSET_NAME:?}" "${PEER_DOMAIN:?}" "${DATA_ROOT:?}" "${DATADIR_NAME:?}" "${BACKUP_PORT:?}" "${BACKUP_TOOL:?}" "${STREAM_TOOL:?}"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ordinal=$(member_ordinal)
datadir="$DATA_ROOT/$DATADIR_NAME"
staging="$DATA_ROOT/.clone-in-progress"

if [[ -d $datadir/mysql ]]; then
  log "data directory $datadir already holds a database; nothing to clone"
  exit 0
fi
if ((ordinal == 0)); then
  log "primary with an empty data directory: the server initializes it"
  exit 0
fi

source_host=$(member_host $((ordinal - 1)))
rm -rf "$staging"
mkdir -p "$staging"

log "receiving a backup from $source_host:$BACKUP_PORT"
started=$SECONDS
ncat --recv-only "$source_host" "$BACKUP_PORT" | "$STREAM_TOOL" -x -C "$staging"
# The backup tool writes these last; without them the stream was cut short.
for file in xtrabackup_checkpoints xtrabackup_info; do
  [[ -s $staging/$file ]] || die "the backup from $source_host is incomplete ($file is missing); will retry"
done
log "received in $((SECONDS - started))s; preparing"

started=$SECONDS
prepare_args=(--prepare --target-dir="$staging")
if [[ -n ${PREPARE_MEMORY:-} ]]; then
  prepare_args+=(--use-memory="$PREPARE_MEMORY")
fi
"$BACKUP_TOOL" "${prepare_args[@]}"
log "prepared in $((SECONDS - started))s"

sync
rm -rf "$datadir"
mv "$staging" "$datadir"
sync
log "data directory $datadir is ready"
