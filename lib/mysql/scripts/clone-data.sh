#!/usr/bin/env bash
# Init container clone-data (backup image): on a replica whose data directory is still empty,
# receive a streamed physical backup from the previous ordinal over the authenticated
# clone channel (receive-backup.sh) and prepare it. The copy is staged beside the data
# directory and renamed into place only once it is complete and prepared, so an
# interrupted clone is never mistaken for a finished one. A source that refuses (see
# stream-backup.sh: not replicating, lagging, or the peer failed to authenticate) or an
# incomplete stream is retried every RETRY_SECONDS.
set -euo pipefail
: "${STATEFULSET_NAME:?}" "${PEER_DOMAIN:?}" "${PRIMARY_POD:?}" "${DATA_ROOT:?}" "${DATADIR_NAME:?}" "${BACKUP_PORT:?}" "${BACKUP_TOOL:?}"
: "${STREAM_TOOL:?}" "${CLONE_PARALLEL:?}" "${REPLICATION_PASSWORD_MAX_BYTES:?}"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "${BASH_SOURCE[0]%/*}/common.sh"
script_dir=${BASH_SOURCE[0]%/*}
exit_on_sigterm

if [[ -z ${REPLICATION_PASSWORD:-} && ${ALLOW_EMPTY_ROOT_PASSWORD:-} != yes ]]; then
  die "REPLICATION_PASSWORD is empty; the clone channel is authenticated with it (set it from a Secret)"
fi
ordinal=$(member_ordinal)
datadir="$DATA_ROOT/$DATADIR_NAME"
export CLONE_STAGING_DIR="$DATA_ROOT/.clone-in-progress"
retry_seconds=${RETRY_SECONDS:-5}

if [[ -d $datadir/mysql ]]; then
  log "data directory $datadir already holds a database; nothing to clone"
  exit 0
fi
if is_primary; then
  log "primary with an empty data directory: the server initializes it"
  exit 0
fi
# A clone with a password that replication cannot use would only lead to a replica that
# never replicates; and the source's sidecar, which refuses the same password, does not
# serve backups, so every attempt would fail. Stop here, once (see common.sh).
refuse_unusable_replication_password
# Each replica clones from the member before it, which is Ready (OrderedReady) and the
# least likely to be busy serving another clone.
CLONE_SOURCE_HOST=$(member_host $((ordinal - 1)))
export CLONE_SOURCE_HOST

# One attempt: a fresh staging directory filled from the source. Runs as an `until`
# condition, where `set -e` is off: every step checks its status.
receive_backup() {
  rm -rf "$CLONE_STAGING_DIR" && mkdir -p "$CLONE_STAGING_DIR" || return 1
  log "receiving a backup from $CLONE_SOURCE_HOST:$BACKUP_PORT"
  local started=$SECONDS kind
  # socat connects, then becomes receive-backup.sh (nofork) with the connection as its
  # standard input and output; keepalive notices a source that vanished mid-stream.
  run_interruptibly socat -b 131072 \
    "TCP4:$CLONE_SOURCE_HOST:$BACKUP_PORT,connect-timeout=10,keepalive,keepidle=30,keepintvl=10,keepcnt=3" \
    "EXEC:bash $script_dir/receive-backup.sh,nofork" || return 1
  # The source ends a complete stream with a marker; the backup tool writes its
  # metadata near the end. Without them the stream was cut short.
  if [[ ! -e $CLONE_STAGING_DIR/$CLONE_COMPLETE_MARKER ]]; then
    log "the backup from $CLONE_SOURCE_HOST is incomplete (the stream ended before its completion marker)"
    return 1
  fi
  rm "$CLONE_STAGING_DIR/$CLONE_COMPLETE_MARKER" || return 1
  for kind in checkpoints info; do
    if ! backup_metadata "$CLONE_STAGING_DIR" "$kind" >/dev/null; then
      log "the backup from $CLONE_SOURCE_HOST is incomplete (no ${kind} metadata file: xtrabackup_$kind or mariadb_backup_$kind)"
      return 1
    fi
  done
  log "received in $((SECONDS - started))s; preparing"
}

until receive_backup; do
  log "no complete backup yet; retrying in ${retry_seconds}s"
  pause "$retry_seconds"
done

started=$SECONDS
prepare_args=(--prepare --target-dir="$CLONE_STAGING_DIR")
if [[ -n ${PREPARE_MEMORY:-} ]]; then
  prepare_args+=(--use-memory="$PREPARE_MEMORY")
fi
run_interruptibly "$BACKUP_TOOL" "${prepare_args[@]}"
log "prepared in $((SECONDS - started))s"

sync
rm -rf "$datadir"
mv "$CLONE_STAGING_DIR" "$datadir"
sync
log "data directory $datadir is ready"
