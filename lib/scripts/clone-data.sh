#!/usr/bin/env bash
# Init container 2: on a replica whose data directory is still empty, receive a
# streamed physical backup from the previous ordinal and prepare it. The copy is
# staged beside the data directory and renamed into place only once it is complete
# and prepared, so an interrupted clone is never mistaken for a finished one. A source
# that refuses (see stream-backup.sh: not replicating, or lagging) or an incomplete
# stream is retried every RETRY_SECONDS.
set -euo pipefail
: "${STATEFULSET_NAME:?}" "${PEER_DOMAIN:?}" "${DATA_ROOT:?}" "${DATADIR_NAME:?}" "${BACKUP_PORT:?}" "${BACKUP_TOOL:?}" "${STREAM_TOOL:?}"
: "${CLONE_PARALLEL:?}"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ordinal=$(member_ordinal)
datadir="$DATA_ROOT/$DATADIR_NAME"
staging="$DATA_ROOT/.clone-in-progress"
retry_seconds=${RETRY_SECONDS:-5}

if [[ -d $datadir/mysql ]]; then
  log "data directory $datadir already holds a database; nothing to clone"
  exit 0
fi
if ((ordinal == 0)); then
  log "primary with an empty data directory: the server initializes it"
  exit 0
fi
source_host=$(member_host $((ordinal - 1)))

# Reads the source's header from stdin, then unpacks the backup that follows into the
# staging directory. bash's read takes a pipe byte by byte: the stream stays whole.
unpack() {
  local header decompressor=()
  if ! IFS= read -r header; then
    log "$source_host:$BACKUP_PORT sent nothing"
    return 1
  fi
  case $header in
    'clone-stream 1 compression=none') ;;
    'clone-stream 1 compression=zstd') decompressor=(zstd --quiet --decompress --stdout) ;;
    'clone-stream 1 compression=lz4') decompressor=(lz4 --quiet --decompress --stdout) ;;
    'clone-refused '*)
      log "$source_host refuses to serve a backup: ${header#clone-refused }"
      return 1
      ;;
    *)
      log "$source_host sent an unknown header '${header:0:80}' (does it run the same version of the scripts?)"
      return 1
      ;;
  esac
  if ((${#decompressor[@]})); then
    if ! command -v "${decompressor[0]}" >/dev/null; then
      log "the stream is compressed with ${decompressor[0]}, which this image lacks"
      return 1
    fi
    "${decompressor[@]}" | "$STREAM_TOOL" -x --parallel="$CLONE_PARALLEL" -C "$staging"
  else
    "$STREAM_TOOL" -x --parallel="$CLONE_PARALLEL" -C "$staging"
  fi
}

# One attempt: a fresh staging directory filled from the source. Runs as an `until`
# condition, where `set -e` is off: every step checks its status.
receive_backup() {
  rm -rf "$staging" && mkdir -p "$staging" || return 1
  log "receiving a backup from $source_host:$BACKUP_PORT"
  local started=$SECONDS file
  ncat --recv-only "$source_host" "$BACKUP_PORT" | unpack || return 1
  # The backup tool writes these last; without them the stream was cut short.
  for file in xtrabackup_checkpoints xtrabackup_info; do
    if [[ ! -s $staging/$file ]]; then
      log "the backup from $source_host is incomplete ($file is missing)"
      return 1
    fi
  done
  log "received in $((SECONDS - started))s; preparing"
}

until receive_backup; do
  log "no complete backup yet; retrying in ${retry_seconds}s"
  sleep "$retry_seconds"
done

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
