#!/usr/bin/env bash
# A MODEL of the official `mariadb` image's docker-entrypoint.sh (10.11 series), reduced
# to what a container without `command` gets from it, for the e2e harness:
#   - "mariadbd" (or options) as arguments: initialize an empty data directory, then exec
#     the server; anything else is exec'd unchanged;
#   - initialization = mariadb-install-db, a temporary server with skip-networking on the
#     socket, root@localhost's password set and root@'%' created from
#     MARIADB_ROOT_PASSWORD (or left empty with MARIADB_ALLOW_EMPTY_ROOT_PASSWORD), all
#     with sql_log_bin = 0 as the image does, then a clean shutdown.
# Not modelled: *_FILE secrets, MARIADB_DATABASE/USER, MARIADB_RANDOM_ROOT_PASSWORD,
# healthcheck users, time zone tables, /docker-entrypoint-initdb.d, auto-upgrade, running
# as root with gosu (the chart runs the container as uid 999, so the image runs as is).
set -euo pipefail

log() {
  printf '%s [Note] [Entrypoint]: %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S+00:00')" "$*" >&2
}

if [[ ${1:-} == -* ]]; then
  set -- mariadbd "$@"
fi
if [[ ${1:-} != mariadbd && ${1:-} != mysqld ]]; then
  exec "$@"
fi

# The image asks the server for its effective settings the same way.
config_value() {
  "$@" --verbose --help 2>/dev/null | awk -v name="$config_name" '/^[^ ]/ && $1 == name { print $2; exit }'
}
config_name=datadir datadir=$(config_value "$@")
config_name=socket socket=$(config_value "$@")
datadir=${datadir%/}
: "${datadir:?cannot read the datadir setting}" "${socket:?cannot read the socket setting}"

# SQL string literal, escaped as the image's docker_sql_escape_string_literal does.
sql_literal() {
  local escaped=${1//\\/\\\\}
  escaped=${escaped//$'\n'/\\n}
  printf "'%s'" "${escaped//\'/\\\'}"
}

if [[ ! -d $datadir/mysql ]]; then
  if [[ -z ${MARIADB_ROOT_PASSWORD:-} && -z ${MARIADB_ALLOW_EMPTY_ROOT_PASSWORD:-} ]]; then
    log 'error: database is uninitialized and password option is not specified'
    log '  You need to specify one of MARIADB_ROOT_PASSWORD or MARIADB_ALLOW_EMPTY_ROOT_PASSWORD'
    exit 1
  fi
  log "initializing database files in $datadir"
  mkdir -p "$datadir"
  mariadb-install-db --datadir="$datadir" --rpm --auth-root-authentication-method=normal \
    --skip-test-db --skip-log-bin --default-time-zone=SYSTEM --enforce-storage-engine= \
    --loose-innodb_buffer_pool_load_at_startup=0 --loose-innodb_buffer_pool_dump_at_shutdown=0 \
    >&2
  log 'database files initialized; starting a temporary server'
  "$@" --skip-networking --default-time-zone=SYSTEM --socket="$socket" --loose-wsrep_on=OFF \
    --expire-logs-days=0 --skip-slave-start --loose-innodb_buffer_pool_load_at_startup=0 &
  temp_pid=$!
  trap 'kill -9 "$temp_pid" 2>/dev/null || true' EXIT
  for ((i = 0; i < 60; i++)); do
    if mariadb --no-defaults --protocol=socket --socket="$socket" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
      break
    fi
    kill -0 "$temp_pid" 2>/dev/null || { log 'error: the temporary server exited'; exit 1; }
    sleep 1
  done
  password=$(sql_literal "${MARIADB_ROOT_PASSWORD:-}")
  log 'securing system users'
  mariadb --no-defaults --protocol=socket --socket="$socket" -uroot --binary-mode <<SQL
SET @@SESSION.SQL_LOG_BIN = 0;
SET @@SESSION.SQL_MODE = REPLACE(@@SESSION.SQL_MODE, 'NO_BACKSLASH_ESCAPES', '');
DROP USER IF EXISTS root@'127.0.0.1', root@'::1';
EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\'', @@hostname, '\'');
SET PASSWORD FOR 'root'@'localhost' = PASSWORD($password);
CREATE USER 'root'@'%' IDENTIFIED BY $password;
GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;
GRANT PROXY ON ''@'%' TO 'root'@'%' WITH GRANT OPTION;
DROP DATABASE IF EXISTS test;
SQL
  log 'stopping the temporary server'
  MYSQL_PWD=${MARIADB_ROOT_PASSWORD:-} mariadb-admin --no-defaults --protocol=socket --socket="$socket" -uroot shutdown
  wait "$temp_pid"
  trap - EXIT
  log 'MariaDB init process done. Ready for start up.'
fi

exec "$@"
