#!/usr/bin/env bash
# Run by the sidecar's socat listener for each connection to the backup port, with the
# connection as its standard input and output. First the peer must prove that it holds
# the cluster's secret (see common.sh); a peer that cannot gets nothing, and the attempt
# is logged with its address. Then this member checks that it is a fit clone source: its
# server answers and, on a replica, replication runs and lags at most
# CLONE_SOURCE_MAX_LAG_SECONDS behind the primary. Then it writes a one-line header and
# after it a consistent physical backup of the local server with the replication
# coordinates it needs:
#   clone-auth 1 <challenge>                                      first line, always
#   clone-stream 1 compression=<none|zstd|lz4> proof=<hmac>       a backup follows
#   clone-refused <reason>                                        no backup; retry later
# The receiver answers the challenge with "<nonce> <proof> accept=<compression>"; the
# stream is compressed with CLONE_COMPRESSION only when the receiver accepts it (during a
# rollout that changes the compression, members of both revisions still clone).
set -euo pipefail
: "${PRIMARY_POD:?}" "${BACKUP_TOOL:?}" "${AUTH_FILE:?}" "${DATADIR:?}" "${MYSQL_PORT:?}" "${SQL_SHOW_REPLICA_STATUS:?}"
: "${CLONE_COMPRESSION:?}" "${CLONE_PARALLEL:?}" "${CLONE_SOURCE_MAX_LAG_SECONDS:?}" "${STREAM_TOOL:?}"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "${BASH_SOURCE[0]%/*}/common.sh"

peer="${SOCAT_PEERADDR:-unknown}:${SOCAT_PEERPORT:-?}"

refuse() {
  log "refusing to serve a backup to $peer: $*"
  printf 'clone-refused %s\n' "$*"
  exit 0
}

# Prints why this member should not be cloned now, or nothing if it may be.
source_problem() {
  if ! mysql_local -e 'SELECT 1' >/dev/null 2>&1; then
    printf 'the local server does not answer'
    return
  fi
  is_primary && return
  local status io sql lag
  if ! status=$(mysql_local -e "$SQL_SHOW_REPLICA_STATUS\\G" 2>&1); then
    printf 'cannot read the replication status: %s' "$status"
    return
  fi
  if [[ -z $status ]]; then
    printf 'replication is not configured'
    return
  fi
  io=$(status_field IO_Running <<<"$status")
  sql=$(status_field SQL_Running <<<"$status")
  lag=$(status_value 'Seconds_Behind_(Master|Source)' <<<"$status")
  if [[ $io != Yes || $sql != Yes ]]; then
    local io_error sql_error errors
    io_error=$(status_value Last_IO_Error <<<"$status")
    sql_error=$(status_value Last_SQL_Error <<<"$status")
    errors="$io_error${io_error:+${sql_error:+; }}$sql_error"
    printf 'replication is not running (IO_Running=%s, SQL_Running=%s)%s' "$io" "$sql" "${errors:+: $errors}"
  elif [[ ! $lag =~ ^[0-9]+$ ]]; then
    printf 'replication lag is unknown (Seconds_Behind=%s)' "$lag"
  elif ((lag > CLONE_SOURCE_MAX_LAG_SECONDS)); then
    printf 'replication lags %ss behind the primary (at most %ss allowed)' "$lag" "$CLONE_SOURCE_MAX_LAG_SECONDS"
  fi
}

challenge=$(random_hex 16)
printf 'clone-auth 1 %s\n' "$challenge"
if ! IFS=' ' read -r -t 10 client_nonce proof accept; then
  log "refused a backup to $peer: no answer to the challenge within 10s"
  exit 0
fi
if [[ ! $client_nonce =~ ^[0-9a-f]{32}$ || $proof != "$(clone_proof request "$challenge" "$client_nonce")" ]]; then
  refuse "authentication failed: the peer did not prove that it holds the cluster's secret"
fi

if [[ $CLONE_COMPRESSION != none && ${accept:-} != "accept=$CLONE_COMPRESSION" ]]; then
  log "the receiver takes no $CLONE_COMPRESSION stream (it answered '${accept:-}'); sending it uncompressed"
  CLONE_COMPRESSION=none
fi
case $CLONE_COMPRESSION in
  none) compressor=() ;;
  zstd) compressor=(zstd --quiet --stdout -1 --threads=0) ;;
  lz4) compressor=(lz4 --quiet --stdout -1) ;;
  *) refuse "CLONE_COMPRESSION must be none, zstd or lz4 (got '$CLONE_COMPRESSION')" ;;
esac
if ((${#compressor[@]})) && ! command -v "${compressor[0]}" >/dev/null; then
  refuse "CLONE_COMPRESSION=$CLONE_COMPRESSION needs ${compressor[0]} in the backup image"
fi
settle_auth_file
problem=$(source_problem)
[[ -z $problem ]] || refuse "$problem"

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
mkdir "$workdir/backup" "$workdir/marker"
printf 'complete\n' >"$workdir/marker/$CLONE_COMPLETE_MARKER"
backup=("$BACKUP_TOOL" --defaults-extra-file="$AUTH_FILE" --backup --slave-info --stream=xbstream
  --parallel="$CLONE_PARALLEL" --host=127.0.0.1 --port="$MYSQL_PORT" --datadir="$DATADIR" --target-dir="$workdir/backup")
# How often the tool checks for new redo log (default 1 s); it waits for a check twice
# at the end of every backup.
if [[ -n ${BACKUP_LOG_COPY_INTERVAL_MS:-} ]]; then
  backup+=(--log-copy-interval="$BACKUP_LOG_COPY_INTERVAL_MS")
fi
log "serving a backup to $peer (compression $CLONE_COMPRESSION, $CLONE_PARALLEL copy threads)"
printf 'clone-stream 1 compression=%s proof=%s\n' "$CLONE_COMPRESSION" "$(clone_proof response "$challenge" "$client_nonce")"
# The backup, then (only if it succeeded) the completion marker as a last stream entry.
stream() {
  "${backup[@]}" && (cd "$workdir/marker" && "$STREAM_TOOL" -c "$CLONE_COMPLETE_MARKER")
}
if ((${#compressor[@]})); then
  stream | "${compressor[@]}"
else
  stream
fi
