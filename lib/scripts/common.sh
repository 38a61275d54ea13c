# Helpers shared by the cluster's scripts. Sourced, never run on its own.
# shellcheck shell=bash

log() {
  printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${0##*/}" "$*" >&2
}

die() {
  log "error: $*"
  exit 1
}

# Prints this pod's ordinal, read from its hostname "<statefulset>-<ordinal>".
member_ordinal() {
  : "${STATEFULSET_NAME:?}"
  local host=${HOSTNAME:-$(hostname)}
  if [[ ! $host =~ ^${STATEFULSET_NAME}-([0-9]+)$ ]]; then
    die "hostname '$host' is not '${STATEFULSET_NAME}-<ordinal>'"
  fi
  printf '%s\n' "${BASH_REMATCH[1]}"
}

# Stable DNS name of the member with ordinal $1.
member_host() {
  : "${STATEFULSET_NAME:?}" "${PEER_DOMAIN:?}"
  printf '%s-%s.%s\n' "$STATEFULSET_NAME" "$1" "$PEER_DOMAIN"
}

# Prints $1 as a single-quoted SQL string literal.
sql_string() {
  local value=${1//\\/\\\\}
  value=${value//\'/\\\'}
  printf "'%s'" "$value"
}

# Runs the SQL client against the local server over TCP, authenticated by the
# credentials file the init container wrote (never by a password argument).
mysql_local() {
  : "${MYSQL_CLIENT:?}" "${AUTH_FILE:?}" "${MYSQL_PORT:?}"
  "$MYSQL_CLIENT" --defaults-extra-file="$AUTH_FILE" --protocol=TCP --host=127.0.0.1 \
    --port="$MYSQL_PORT" --connect-timeout=5 "$@"
}

# Prints the value of field $1 of a vertical (\G) status listing read from stdin,
# matching both the Slave_* and the Replica_* spelling: status_field IO_Running.
status_field() {
  sed -n -E "s/^ *(Slave|Replica)_$1: *//p" | head -n 1
}

# Prints the value of the field named exactly $1 of a vertical (\G) listing on stdin.
status_value() {
  sed -n -E "s/^ *$1: *//p" | head -n 1
}

# The statement that lists replication status in this dialect.
show_replica_status_sql() {
  case "${SQL_DIALECT:?}" in
    mysql-8.0 | mysql-8.4) printf 'SHOW REPLICA STATUS' ;;
    mariadb | mysql-5.7) printf 'SHOW SLAVE STATUS' ;;
    *) die "unknown SQL_DIALECT '$SQL_DIALECT'" ;;
  esac
}
