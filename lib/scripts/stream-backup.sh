#!/usr/bin/env bash
# Run by ncat for each connection to the backup port. First checks that this member is
# a fit clone source: its server answers and, on a replica, replication runs and lags
# at most CLONE_SOURCE_MAX_LAG_SECONDS behind the primary. Then writes a one-line
# header, and after it a consistent physical backup of the local server with the
# replication coordinates it needs:
#   clone-stream 1 compression=<none|zstd|lz4>   a backup follows, compressed so
#   clone-refused <reason>                       no backup; the receiver retries later
set -euo pipefail
: "${STATEFULSET_NAME:?}" "${BACKUP_TOOL:?}" "${AUTH_FILE:?}" "${DATADIR:?}" "${MYSQL_PORT:?}" "${SQL_DIALECT:?}"
: "${CLONE_COMPRESSION:?}" "${CLONE_PARALLEL:?}" "${CLONE_SOURCE_MAX_LAG_SECONDS:?}"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

refuse() {
  log "refusing to serve a backup: $*"
  printf 'clone-refused %s\n' "$*"
  exit 0
}

# Prints why this member should not be cloned now, or nothing if it may be.
source_problem() {
  if ! mysql_local -e 'SELECT 1' >/dev/null 2>&1; then
    printf 'the local server does not answer'
    return
  fi
  (($(member_ordinal) == 0)) && return
  local status io sql lag
  if ! status=$(mysql_local -e "$(show_replica_status_sql)\\G" 2>&1); then
    printf 'cannot read the replication status: %s' "$status"
    return
  fi
  if [[ -z $status ]]; then
    printf 'replication is not configured'
    return
  fi
  io=$(status_field IO_Running <<<"$status")
  sql=$(status_field SQL_Running <<<"$status")
  lag=$(sed -n -E 's/^ *Seconds_Behind_(Master|Source): *//p' <<<"$status" | head -n 1)
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

case $CLONE_COMPRESSION in
  none) compressor=() ;;
  zstd) compressor=(zstd --quiet --stdout -1 --threads=0) ;;
  lz4) compressor=(lz4 --quiet --stdout -1) ;;
  *) refuse "CLONE_COMPRESSION must be none, zstd or lz4 (got '$CLONE_COMPRESSION')" ;;
esac
if ((${#compressor[@]})) && ! command -v "${compressor[0]}" >/dev/null; then
  refuse "CLONE_COMPRESSION=$CLONE_COMPRESSION needs ${compressor[0]} in the backup image"
fi
problem=$(source_problem)
[[ -z $problem ]] || refuse "$problem"

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
backup=("$BACKUP_TOOL" --defaults-extra-file="$AUTH_FILE" --backup --slave-info --stream=xbstream
  --parallel="$CLONE_PARALLEL" --host=127.0.0.1 --port="$MYSQL_PORT" --datadir="$DATADIR" --target-dir="$workdir")
# How often the tool checks for new redo log (default 1 s); it waits for a check twice
# at the end of every backup.
if [[ -n ${BACKUP_LOG_COPY_INTERVAL_MS:-} ]]; then
  backup+=(--log-copy-interval="$BACKUP_LOG_COPY_INTERVAL_MS")
fi
log "serving a backup (compression $CLONE_COMPRESSION, $CLONE_PARALLEL copy threads)"
printf 'clone-stream 1 compression=%s\n' "$CLONE_COMPRESSION"
if ((${#compressor[@]})); then
  "${backup[@]}" | "${compressor[@]}"
else
  "${backup[@]}"
fi
