#!/usr/bin/env bash
# Sidecar (backup image): once the local server answers, (primary) continue the GTID
# history of the backup it was restored from, if any, and make sure the replication
# account exists, or (replica) point replication at the primary from the
# coordinates a fresh clone recorded, or else refresh the replication password and start
# replication (replicas start with skip_replica_start, so nothing replicates before this
# script has configured it); then serve backups to the next member on BACKUP_PORT
# (stream-backup.sh). Failures are retried; a clone's coordinates are applied once and
# marked done only after both replication threads run, so a restart never rewinds a
# replica and a replica that cannot replicate keeps trying. Exits at once on SIGTERM.
set -euo pipefail
: "${PRIMARY_POD:?}" "${PRIMARY_HOST:?}" "${DATADIR:?}" "${BACKUP_PORT:?}" "${REPLICATION_USER:?}" "${MYSQL_PORT:?}"
: "${SQL_SHOW_REPLICA_STATUS:?}" "${SQL_START_REPLICA:?}" "${SQL_CONFIGURE_REPLICATION:?}" "${SQL_REFRESH_REPLICATION_CREDENTIALS:?}"
: "${REPLICATION_COORDINATES:?}" "${REPLICATION_PASSWORD_MAX_BYTES:?}" "${REMOTE_ROOT:?}"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "${BASH_SOURCE[0]%/*}/common.sh"
script_dir=${BASH_SOURCE[0]%/*}
exit_on_sigterm

retry_seconds=${RETRY_SECONDS:-5}
if [[ -z ${REPLICATION_PASSWORD:-} && ${ALLOW_EMPTY_ROOT_PASSWORD:-} != yes ]]; then
  die "REPLICATION_PASSWORD is empty; set it from a Secret (an empty password needs the explicit insecure opt-in)"
fi
# A password the engine cannot take for replication stops this sidecar, on every member,
# before it touches the account or serves a backup (see common.sh).
refuse_unusable_replication_password

wait_for_server() {
  until mysql_local -e 'SELECT 1' >/dev/null 2>&1; do
    pause 1
  done
}

# --- Accounts -------------------------------------------------------------------------
# MariaDB writes CREATE USER / ALTER USER … IDENTIFIED BY to the binary log as they were
# given, password included (MySQL writes the hash), and the binary log reaches replicas,
# backups and whoever holds the replication account. So a statement that carries a
# password runs only when the account is new or the Secret's password no longer logs in
# (a rotation), never at every start; grants, which carry none, are applied every time.

# True if the account $1@$2 exists.
account_exists() {
  local count
  count=$(mysql_local --batch --skip-column-names -e "SELECT COUNT(*) FROM mysql.user WHERE User = $(sql_string "$1") AND Host = $(sql_string "$2")") || return 1
  [[ $count == 1 ]]
}

# True if the user $1 logs in over 127.0.0.1 with the password $2 (through an option file
# in the memory-backed credentials volume, never an argument).
password_logs_in() {
  local file="${AUTH_FILE%/*}/check-$$.cnf" status=0 tls_options=${CLIENT_TLS_OPTIONS:-}
  (umask 077 && printf '[client]\nuser = %s\npassword = %s\n%s\n' "$(option_value "$1")" "$(option_value "$2")" \
    "${tls_options// /$'\n'}" >"$file") || return 1
  logs_in "$file" || status=1
  rm -f "$file"
  return "$status"
}

# Makes the account $1@$2 exist with the password $3 (see above for when a statement
# with the password runs); $4, if given, follows IDENTIFIED BY … (account options).
ensure_account() {
  local account password
  account="$(sql_string "$1")@$(sql_string "$2")"
  password=$(sql_string "$3")
  if ! account_exists "$1" "$2"; then
    mysql_local <<<"CREATE USER $account IDENTIFIED BY $password${4:+ $4};" || return 1
    log "account $1@'$2' created"
  elif ! password_logs_in "$1" "$3"; then
    mysql_local <<<"ALTER USER $account IDENTIFIED BY $password;" || return 1
    log "account $1@'$2': password changed to the Secret's"
  fi
}

# Hosts a root account may have without the remote-root opt-in: the pod itself.
LOCAL_ROOT_HOSTS=(localhost 127.0.0.1 ::1)

# Prints the hosts of the root accounts, one per line (read as hex, so that no host can
# break the listing).
root_hosts() {
  local hex listing escaped i
  listing=$(mysql_local --batch --skip-column-names -e "SELECT HEX(Host) FROM mysql.user WHERE User = 'root'") || return 1
  while IFS= read -r hex; do
    [[ $hex =~ ^([0-9A-F]{2})+$ ]] || continue
    escaped=''
    for ((i = 0; i < ${#hex}; i += 2)); do
      escaped+="\\x${hex:i:2}"
    done
    printf '%b\n' "$escaped"
  done <<<"$listing"
}

# Primary: make root's accounts match the Secret and the remote-root choice (REMOTE_ROOT):
# root@127.0.0.1 (the scripts' and probes' login) exists; every root account has the
# Secret's password, which follows a rotation (the members log in with the previous one
# meanwhile, see local_auth_file in common.sh); without the opt-in, root accounts for
# other hosts (the images create root@'%') are dropped, with it root@'%' exists.
# Idempotent; replicas get the changes through replication.
ensure_root_accounts() {
  local password host hosts keep
  if ! logs_in "$(local_auth_file)"; then
    log "root cannot log in with the Secret's root password (nor with a previous one, if the Secret holds one): if root's password was changed in the Secret, put the password the server still has under the Secret's previous root password key (README, \"Root and password rotation\")"
    return 1
  fi
  password=$(sql_string "${ROOT_PASSWORD:-}")
  local wanted=(127.0.0.1)
  if [[ $REMOTE_ROOT == yes ]]; then
    wanted+=('%')
  fi
  hosts=$(root_hosts) || return 1
  for host in "${wanted[@]}"; do
    [[ $'\n'$hosts$'\n' != *$'\n'$host$'\n'* ]] || continue
    mysql_local <<SQL || return 1
CREATE USER 'root'@$(sql_string "$host") IDENTIFIED BY $password;
GRANT ALL PRIVILEGES ON *.* TO 'root'@$(sql_string "$host") WITH GRANT OPTION;
SQL
    log "account root@'$host' created"
  done
  # A rotation: the Secret's password does not log in yet (the previous one did).
  local rotate=no
  logs_in "$AUTH_FILE" || rotate=yes
  hosts=$(root_hosts) || return 1
  while IFS= read -r host; do
    [[ -n $host ]] || continue
    keep=$REMOTE_ROOT
    [[ " ${LOCAL_ROOT_HOSTS[*]} " == *" $host "* ]] && keep=yes
    if [[ $keep != yes ]]; then
      mysql_local <<<"DROP USER 'root'@$(sql_string "$host");" || return 1
      log "dropped root@'$host': root logs in only from inside the pod (remoteRoot is off)"
    elif [[ $rotate == yes ]]; then
      mysql_local <<<"ALTER USER 'root'@$(sql_string "$host") IDENTIFIED BY $password;" || return 1
      log "root@'$host': password changed to the Secret's"
    fi
  done <<<"$hosts"
}

# Primary, with metrics on (EXPORTER_USER): create or update the metrics exporter's
# account, from inside the pod only, with the engine's EXPORTER_PRIVILEGES, SELECT on
# performance_schema and at most 3 connections. Idempotent; follows password rotations.
ensure_exporter_user() {
  [[ -n ${EXPORTER_USER:-} ]] || return 0
  : "${EXPORTER_PRIVILEGES:?}"
  [[ $EXPORTER_PRIVILEGES =~ ^[A-Z][A-Z\ ,]*$ ]] || die "EXPORTER_PRIVILEGES must be a list of privilege names (got '$EXPORTER_PRIVILEGES')"
  local account
  account="$(sql_string "$EXPORTER_USER")@'127.0.0.1'"
  ensure_account "$EXPORTER_USER" 127.0.0.1 "${EXPORTER_PASSWORD:-}" 'WITH MAX_USER_CONNECTIONS 3' || return 1
  mysql_local <<SQL
ALTER USER $account WITH MAX_USER_CONNECTIONS 3;
GRANT $EXPORTER_PRIVILEGES ON *.* TO $account;
GRANT SELECT ON performance_schema.* TO $account;
SQL
}

# Primary: make the application databases (StatefulMySQL.addDatabase) exist, given to
# the sidecar as APP_DATABASE_<i> (name), _USER, _PRIVILEGES and _PASSWORD (from the
# application's Secret), i = 0, 1, …: each database, its owner '<user>'@'%' with the
# Secret's password (a rotation follows at the next start), and exactly the declared
# privileges on that database only (revoked there first, so a narrower list narrows
# them). A declaration that cannot work (an empty password) is refused in the log and
# skipped, so that it does not keep the sidecar from serving clones; an SQL failure
# fails the bootstrap, which is retried. Nothing is ever dropped.
ensure_application_databases() {
  local i=0 var name user privileges password account user_var privileges_var password_var grant_pattern
  while :; do
    var="APP_DATABASE_$i"
    [[ -n ${!var:-} ]] || return 0
    user_var="${var}_USER" privileges_var="${var}_PRIVILEGES" password_var="${var}_PASSWORD"
    name=${!var} user=${!user_var:-} privileges=${!privileges_var:-} password=${!password_var:-}
    i=$((i + 1))
    if [[ ! $name =~ ^[A-Za-z_][A-Za-z0-9_]{0,63}$ || ! $user =~ ^[A-Za-z0-9_]{1,32}$ || ! $privileges =~ ^[A-Z][A-Z\ ,]*$ ]]; then
      log "error: application database '$name' (owner '$user', privileges '$privileges') is malformed; skipped"
      continue
    fi
    if [[ -z $password ]]; then
      log "error: the password of '$user', owner of the application database '$name', is empty in its Secret; skipped until it is set and the pods restart"
      continue
    fi
    account="$(sql_string "$user")@'%'"
    # In a database-level grant '_' is a wildcard (app_db would match appXdb): escaped.
    grant_pattern=${name//_/\\_}
    mysql_local <<<"CREATE DATABASE IF NOT EXISTS \`$name\`;" || return 1
    ensure_account "$user" '%' "$password" || return 1
    mysql_local -e "REVOKE ALL PRIVILEGES ON \`$grant_pattern\`.* FROM $account" >/dev/null 2>&1 || true
    mysql_local <<<"GRANT $privileges ON \`$grant_pattern\`.* TO $account;" || return 1
    log "application database '$name': owner '$user' has $privileges on it"
  done
}

# Primary: create the replication account, or follow a rotation of its password (see
# ensure_account), and give it its grants. Runs at every start.
ensure_replication_user() {
  local account
  account="$(sql_string "$REPLICATION_USER")@'%'"
  ensure_account "$REPLICATION_USER" '%' "${REPLICATION_PASSWORD:-}" || return 1
  mysql_local <<<"GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO $account;" || return 1
  # With TLS, replication must use it: a replica configured without it is refused.
  # Without, it must not (a cluster that turned TLS off).
  if [[ ${REPLICATION_REQUIRE_SSL:-} == yes ]]; then
    mysql_local <<<"ALTER USER $account REQUIRE SSL;" || return 1
  else
    mysql_local <<<"ALTER USER $account REQUIRE NONE;" || return 1
  fi
}

# A clone's coordinates (the backup's slave_info and binlog_info metadata files, under
# either tool's name, see common.sh) go through three names in the data directory:
#   <file>             as the clone left them (pending);
#   <file>.configured  once CHANGE MASTER has taken them: the server keeps the position,
#                      only the connection is unproven;
#   <file>.applied     once both replication threads run.
# The position is written only from pending files, and replication is started only
# after they are renamed, so a restart never rewinds a replica that may have applied
# events, while a replica that never replicated keeps retrying (and stays not Ready, see
# probe-ready.sh) instead of being marked done.
COORDINATE_KINDS=(slave_info binlog_info)

# True if a coordinate file with the suffix $1 ('' for pending) exists.
has_coordinates() {
  local kind
  for kind in "${COORDINATE_KINDS[@]}"; do
    backup_metadata "$DATADIR" "$kind" "$1" >/dev/null && return 0
  done
  return 1
}

# Renames the coordinate files from suffix $1 to suffix $2.
rename_coordinates() {
  local kind file
  for kind in "${COORDINATE_KINDS[@]}"; do
    if file=$(backup_metadata "$DATADIR" "$kind" "$1"); then
      mv "$file" "${file%"$1"}$2" || return 1
    fi
  done
}

# Reads the coordinates the clone left in the data directory into gtid, log_file,
# log_pos (see read_backup_coordinates in common.sh); fails if they are unusable.
read_coordinates() {
  if ! read_backup_coordinates "$DATADIR"; then
    log "no clone coordinates in $DATADIR"
    return 1
  fi
  case $REPLICATION_COORDINATES in
    position)
      if [[ ! $log_file =~ ^[A-Za-z0-9._-]+$ || ! $log_pos =~ ^[0-9]+$ ]]; then
        log "$coordinates_from holds no binary log file and position (got '$log_file' '$log_pos')"
        return 1
      fi
      ;;
    gtid | gtid-or-empty)
      if [[ -z $gtid && $REPLICATION_COORDINATES == gtid ]]; then
        log "$coordinates_from holds no GTID set, but replication uses GTIDs"
        return 1
      fi
      if [[ ! $gtid =~ ^[0-9A-Za-z:,-]*$ ]]; then
        log "$coordinates_from holds a malformed GTID set '$gtid'"
        return 1
      fi
      ;;
    *) die "REPLICATION_COORDINATES must be gtid, gtid-or-empty or position (got '$REPLICATION_COORDINATES')" ;;
  esac
}

# Prints the engine's SQL that points this replica at the primary from the coordinates
# read by read_coordinates (see lib/mysql/engine/replication-sql.ts), without starting replication.
configure_sql() {
  fill_sql "$SQL_CONFIGURE_REPLICATION" "host=$(sql_string "$PRIMARY_HOST")" "port=$MYSQL_PORT" \
    "user=$(sql_string "$REPLICATION_USER")" "gtid=$(sql_string "$gtid")" "file=$(sql_string "$log_file")" \
    "position=$log_pos" "password=$(sql_string "${REPLICATION_PASSWORD:-}")"
}

# Prints the engine's SQL that gives replication the current account and password, keeps
# its position and starts it.
credentials_sql() {
  fill_sql "$SQL_REFRESH_REPLICATION_CREDENTIALS" "user=$(sql_string "$REPLICATION_USER")" \
    "password=$(sql_string "${REPLICATION_PASSWORD:-}")"
}

# Prints this replica's replication status listing (empty when not configured).
replica_status() {
  mysql_local -e "$SQL_SHOW_REPLICA_STATUS\\G"
}

# Waits, at most RECEIVER_TIMEOUT_SECONDS, until both replication threads run, starting
# replication if its receiver is stopped; fails with the threads' last errors. An
# applier stopped by an error is not restarted here: it would fail the same way.
wait_for_replication() {
  local status io sql sql_error deadline=$((SECONDS + ${RECEIVER_TIMEOUT_SECONDS:-30}))
  while :; do
    status=$(replica_status) || return 1
    io=$(status_field IO_Running <<<"$status")
    sql=$(status_field SQL_Running <<<"$status")
    [[ $io == Yes && $sql == Yes ]] && return 0
    sql_error=$(status_value Last_SQL_Error <<<"$status")
    if [[ $sql == No && -n $sql_error ]]; then
      log "the replication applier stopped: $sql_error"
      return 1
    fi
    if [[ $io == No || $sql == No ]]; then
      mysql_local <<<"$SQL_START_REPLICA;" || return 1
    fi
    if ((SECONDS >= deadline)); then
      log "replication from $PRIMARY_HOST is not running yet (IO_Running=$io, SQL_Running=$sql): $(status_value Last_IO_Error <<<"$status")"
      return 1
    fi
    pause 1
  done
}

# Replica: brings replication up and confirms it, in as many attempts as it takes.
# Runs as an `until` condition, where `set -e` is off: every step checks its status.
credentials_refreshed=''
start_replication() {
  if has_coordinates ''; then
    local coordinates_from gtid log_file log_pos sql
    read_coordinates || return 1
    log "configuring replication from $coordinates_from (gtid '${gtid}', file '${log_file}', position '${log_pos}')"
    sql=$(configure_sql) || return 1
    mysql_local <<<"$sql" || return 1
    rename_coordinates '' .configured || return 1
    mysql_local <<<"$SQL_START_REPLICA;" || return 1
    credentials_refreshed=yes
  elif [[ -z $credentials_refreshed ]]; then
    local status sql
    status=$(replica_status) || return 1
    if [[ -z $status ]]; then
      # Nothing to repair from here; the readiness probe reports it.
      log "warning: replication is not configured and no clone coordinates are left in $DATADIR"
    else
      # Follows password rotations, keeps the position, and starts replication (which
      # the server does not start by itself: skip_replica_start).
      sql=$(credentials_sql) || return 1
      mysql_local <<<"$sql" || return 1
      log "replication account and password refreshed; position kept; replication started"
    fi
    credentials_refreshed=yes
  fi
  if has_coordinates .configured; then
    wait_for_replication || return 1
    rename_coordinates .configured .applied || return 1
    log "replication from $PRIMARY_HOST started"
  fi
}

# Primary restored from a backup (clone-data.sh left RESTORE_CONTINUE_FILE with the
# backup's GTID set): its binary log starts empty, so the GTID history is carried over
# with the engine's SQL_CONTINUE_FROM_BACKUP (see lib/mysql/engine/replication-sql.ts),
# once: the file is renamed .applied right after, so a restart never resets the binary
# log again. Runs before anything else writes to the binary log; the primary is not
# Ready meanwhile (probe-ready.sh), so no replica clones from it. In binary-log-position
# mode SQL_CONTINUE_FROM_BACKUP is empty: nothing carries over.
continue_from_backup() {
  local pending="$DATADIR/$RESTORE_CONTINUE_FILE" restored_gtid sql
  [[ -e $pending ]] || return 0
  if [[ -z ${SQL_CONTINUE_FROM_BACKUP-} ]]; then
    if [[ -v SQL_CONTINUE_FROM_BACKUP ]]; then
      log "restored from a backup; binary-log-position replication carries no GTID history over"
    else
      log "warning: restored from a backup, but SQL_CONTINUE_FROM_BACKUP is not set (was the restore option removed before the first start?): the GTID history does not continue from the backup"
    fi
    mv "$pending" "$pending.applied" || return 1
    return 0
  fi
  restored_gtid=$(<"$pending") || return 1
  if [[ ! $restored_gtid =~ ^[0-9A-Za-z:,-]*$ ]]; then
    log "$pending holds a malformed GTID set '$restored_gtid'"
    return 1
  fi
  sql=$(fill_sql "$SQL_CONTINUE_FROM_BACKUP" "gtid=$(sql_string "$restored_gtid")") || return 1
  mysql_local <<<"$sql" || return 1
  mv "$pending" "$pending.applied" || return 1
  log "restored from a backup: the GTID history continues from '$restored_gtid'"
}

bootstrap() {
  wait_for_server
  if is_primary; then
    continue_from_backup || return 1
    ensure_root_accounts || return 1
    ensure_replication_user || return 1
    ensure_exporter_user || return 1
    ensure_application_databases || return 1
  else
    start_replication
  fi
}

until bootstrap; do
  log "bootstrap failed; retrying in ${retry_seconds}s"
  pause "$retry_seconds"
done

# With TLS: the server reads its certificate only at start, so when the Secret's
# certificate changes (cert-manager renewed it; kubelet updates the mounted files in
# place) the engine's SQL_RELOAD_TLS makes the running server load it. Checked every
# TLS_WATCH_SECONDS; runs in the background for as long as the sidecar.
watch_certificate() {
  local seen now
  seen=$(sha256sum <"$TLS_CERT_FILE") || seen=''
  # Once at the start: a renewal between the server's start and now would be missed.
  mysql_local <<<"$SQL_RELOAD_TLS;" || log "warning: the server could not load $TLS_CERT_FILE ($SQL_RELOAD_TLS)"
  while :; do
    pause "${TLS_WATCH_SECONDS:-60}"
    now=$(sha256sum <"$TLS_CERT_FILE") || continue
    if [[ $now != "$seen" ]] && mysql_local <<<"$SQL_RELOAD_TLS;"; then
      log "the certificate in $TLS_CERT_FILE changed; the server loaded it ($SQL_RELOAD_TLS)"
      seen=$now
    fi
  done
}
if [[ -n ${TLS_CERT_FILE:-} && -n ${SQL_RELOAD_TLS:-} ]]; then
  watch_certificate &
fi

# One connection at a time, over IPv4 (as clone-data.sh connects); socat forks for it
# and becomes stream-backup.sh (nofork), whose standard input and output are the
# connection itself.
log "serving backups on port $BACKUP_PORT"
while :; do
  run_interruptibly socat -b 131072 \
    "TCP4-LISTEN:$BACKUP_PORT,reuseaddr,fork,max-children=1,keepalive,keepidle=30,keepintvl=10,keepcnt=3" \
    "EXEC:bash $script_dir/stream-backup.sh,nofork" || true
  log "backup listener exited; restarting in ${retry_seconds}s"
  pause "$retry_seconds"
done
