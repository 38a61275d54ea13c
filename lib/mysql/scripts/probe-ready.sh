#!/usr/bin/env bash
# Readiness probe of the server container (server image): the server answers a real
# query over TCP, and on a replica, replication is configured and its SQL applier is
# running, and its receiver is connected (or reconnecting, once replication has run
# since the clone). A replica whose replication never started (wrong password, primary
# unreachable) is not Ready, so the next member does not clone from it and clients do
# not read from it. Nor is a replica more than MAX_READ_LAG_SECONDS behind the primary
# (maxReadLag), so the read Service stops sending it clients until it has caught up;
# while the primary is unreachable the lag is unknown and the replica keeps serving.
# Nor is a primary restored from a backup until its sidecar has continued the backup's
# GTID history (see replication-sidecar.sh).
set -euo pipefail
: "${PRIMARY_POD:?}" "${SQL_SHOW_REPLICA_STATUS:?}" "${MAX_READ_LAG_SECONDS:?}"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "${BASH_SOURCE[0]%/*}/common.sh"
settle_auth_file

mysql_local --batch --skip-column-names -e 'SELECT 1' >/dev/null

if is_primary; then
  # A primary restored from a backup takes no replica (and no client through the
  # Services) before its sidecar has carried the backup's GTID history over.
  datadir=$(mysql_local --batch --skip-column-names -e 'SELECT @@datadir')
  if [[ -n $datadir && -e ${datadir%/}/$RESTORE_CONTINUE_FILE ]]; then
    die "restored from a backup; the sidecar has not yet continued the GTID history from it"
  fi
  exit 0
fi

status=$(mysql_local -e "$SQL_SHOW_REPLICA_STATUS\\G")
[[ -n $status ]] || die "replication is not configured yet"
sql_running=$(status_field SQL_Running <<<"$status")
io_running=$(status_field IO_Running <<<"$status")
[[ $sql_running == Yes ]] || die "replication applier is not running (SQL_Running=$sql_running)"
case $io_running in
  Yes) ;;
  Connecting)
    # The sidecar marks a clone's coordinates .applied once replication has run.
    datadir=$(mysql_local --batch --skip-column-names -e 'SELECT @@datadir')
    for kind in slave_info binlog_info; do
      if backup_metadata "$datadir" "$kind" >/dev/null || backup_metadata "$datadir" "$kind" .configured >/dev/null; then
        die "replication has not connected to the primary since the clone: $(status_value Last_IO_Error <<<"$status")"
      fi
    done
    ;;
  *) die "replication receiver is stopped (IO_Running=$io_running)" ;;
esac
# Empty (NULL) while the receiver reconnects: nothing to compare with.
lag=$(status_value 'Seconds_Behind_(Master|Source)' <<<"$status")
if [[ $lag =~ ^[0-9]+$ ]] && ((lag > MAX_READ_LAG_SECONDS)); then
  die "replication lags ${lag}s behind the primary, more than maxReadLag (${MAX_READ_LAG_SECONDS}s): out of the read Service until it catches up"
fi
