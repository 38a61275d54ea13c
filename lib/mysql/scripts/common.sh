# Helpers shared by the cluster's scripts. Sourced, never run on its own.
# Every external command used here is listed for every image that runs the scripts in
# lib/mysql/engine/image-inventory.ts (coreutils and sha256sum only); the rest is bash.
# shellcheck shell=bash

log() {
  local now
  TZ=UTC printf -v now '%(%Y-%m-%dT%H:%M:%SZ)T' -1
  printf '%s %s: %s\n' "$now" "${0##*/}" "$*" >&2
}

die() {
  log "error: $*"
  exit 1
}

# Makes SIGTERM (pod deletion) end the script at once. A bash that is PID 1 of its
# container ignores SIGTERM without a trap, and runs a trap only once its foreground
# command ends: long waits therefore go through `pause` and `run_interruptibly`. The
# container's other processes end with it.
exit_on_sigterm() {
  trap 'log "SIGTERM received; exiting"; exit 143' TERM
  trap 'exit 130' INT
}

# Sleeps $1 seconds; a trapped signal ends the sleep at once.
pause() {
  sleep "$1" &
  wait "$!"
}

# Runs a command in the background and waits for it, so that a trapped signal is handled
# at once; returns its status. Its standard input is /dev/null.
run_interruptibly() {
  "$@" &
  wait "$!"
}

# Prints this pod's ordinal, read from its hostname "<statefulset>-<ordinal>" (bash sets
# HOSTNAME from the kernel's hostname, which is the pod name).
member_ordinal() {
  : "${STATEFULSET_NAME:?}"
  if [[ ! $HOSTNAME =~ ^${STATEFULSET_NAME}-([0-9]+)$ ]]; then
    die "hostname '$HOSTNAME' is not '${STATEFULSET_NAME}-<ordinal>'"
  fi
  printf '%s\n' "${BASH_REMATCH[1]}"
}

# True on the primary, the member the topology names (PRIMARY_POD).
is_primary() {
  [[ $HOSTNAME == "${PRIMARY_POD:?}" ]]
}

# Stable DNS name of the member with ordinal $1.
member_host() {
  : "${STATEFULSET_NAME:?}" "${PEER_DOMAIN:?}"
  printf '%s-%s.%s\n' "$STATEFULSET_NAME" "$1" "$PEER_DOMAIN"
}

# True if the name $1 resolves. socat resolves it and "connects" a UDP socket, which
# sends nothing (socat ships in every backup image; only scripts run there call this).
resolves() {
  socat -u OPEN:/dev/null "UDP4-CONNECT:$1:${BACKUP_PORT:?}" 2>/dev/null
}

# Every session the scripts open runs with its own sql_mode, whatever the server's global
# sql_mode says (a user may set NO_BACKSLASH_ESCAPES or ANSI_QUOTES there): the client's
# --init-command sets it before the first statement, and again after a reconnect. Under
# NO_BACKSLASH_ESCAPES alone, a single-quoted literal has exactly one special character,
# the quote itself, written twice (sql_string); a backslash is an ordinary character, so
# no value can end a literal early, and ANSI_QUOTES is off, which leaves double quotes
# unused. The client learns the session's mode from the server and splits statements
# the same way. The connection character set is utf8mb4, so the bytes of a UTF-8 value
# reach the server unchanged.
SQL_SESSION_MODE="SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'"

# Prints $1 as a single-quoted SQL string literal for a session in SQL_SESSION_MODE.
sql_string() {
  printf "'%s'" "${1//\'/\'\'}"
}

# Runs the SQL client against the local server over TCP, authenticated by the
# credentials file the init container wrote (never by a password argument), in the
# scripts' own sql_mode (see SQL_SESSION_MODE).
mysql_local() {
  : "${MYSQL_CLIENT:?}" "${MYSQL_PORT:?}"
  "$MYSQL_CLIENT" --defaults-extra-file="$(local_auth_file)" --protocol=TCP --host=127.0.0.1 \
    --port="$MYSQL_PORT" --connect-timeout=5 --default-character-set=utf8mb4 \
    --init-command="$SQL_SESSION_MODE" "$@"
}

# Prints the credentials file that logs root in to the local server. It is AUTH_FILE,
# with the Secret's root password, except during a rotation: the Secret then also holds
# the previous password (init-config wrote AUTH_FILE_PREVIOUS), and until the primary's
# sidecar has changed root's password (and a replica has replicated the change), only
# the previous one logs in. Members restarted with the new Secret therefore keep
# working, in whichever order they restart.
local_auth_file() {
  : "${AUTH_FILE:?}"
  if [[ -n ${AUTH_FILE_PREVIOUS:-} && -e $AUTH_FILE_PREVIOUS ]] && ! logs_in "$AUTH_FILE" && logs_in "$AUTH_FILE_PREVIOUS"; then
    printf '%s\n' "$AUTH_FILE_PREVIOUS"
  else
    printf '%s\n' "$AUTH_FILE"
  fi
}

# Prints $1 as a client option-file value: backslashes, double quotes and newlines escaped, the whole value
# in double quotes. An unescaped " would end the quoting early, and a later # would
# then start a comment that cuts the password short.
option_value() {
  local value=${1//\\/\\\\}
  value=${value//\"/\\\"}
  value=${value//$'\n'/\\n}
  printf '"%s"' "$value"
}

# True if the credentials file $1 logs in to the local server.
logs_in() {
  "$MYSQL_CLIENT" --defaults-extra-file="$1" --protocol=TCP --host=127.0.0.1 --port="$MYSQL_PORT" \
    --connect-timeout=5 -e 'DO 1' >/dev/null 2>&1
}

# Resolves local_auth_file once for a short-lived script (a probe, one backup), which
# then opens its connections with the chosen file and no further login checks.
settle_auth_file() {
  AUTH_FILE=$(local_auth_file)
  AUTH_FILE_PREVIOUS=''
}

# --- What the engine's replication takes as a password ------------------------------
# The replication password goes into CHANGE MASTER / CHANGE REPLICATION SOURCE, where
# the server converts it to its 3-byte utf8 system character set (a 4-byte character
# becomes '?', verified on MariaDB 10.11) and keeps it with the connection settings:
# MariaDB writes them line by line to master.info (a line break shifts every later
# field), MySQL refuses a line break outright. The longest password differs per engine
# and comes from the engine (REPLICATION_PASSWORD_MAX_BYTES, lib/mysql/engine/engine.ts).

# Prints why REPLICATION_PASSWORD cannot work for replication on this engine, or nothing.
replication_password_problem() {
  local LC_ALL=C
  local password=${REPLICATION_PASSWORD-} max=${REPLICATION_PASSWORD_MAX_BYTES:?}
  # UTF-8 sequences of one to three bytes, surrogates excluded (RFC 3629).
  local utf8_bmp=$'^([\x01-\x7f]|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf][\x80-\xbf]|\xed[\x80-\x9f][\x80-\xbf])*$'
  if [[ $password == *$'\n'* ]]; then
    printf 'it contains a line break, which the server cannot keep in its replication settings (MariaDB stores them line by line in master.info, MySQL refuses it)'
  elif ((${#password} > max)); then
    printf 'it is %s bytes long, and this engine takes at most %s bytes for a replication password' "${#password}" "$max"
  elif [[ ! $password =~ $utf8_bmp ]]; then
    printf "it is not UTF-8 text of 1- to 3-byte characters: the server converts a replication password to its 3-byte utf8 character set, where other bytes (e.g. an emoji) do not survive"
  fi
}

# Stops here for good if the replication password cannot work. Such a password is a
# configuration error that no retry can fix, so the container says so once and then waits,
# doing nothing, until the pod is deleted (SIGTERM ends it at once). Exiting instead would
# make kubelet restart the container forever (CrashLoopBackOff), and replicating with it
# would fail the same way on every attempt; waiting leaves one clear message, and the
# member is never Ready: a replica never gets replication started, a new member never
# leaves its clone init container. The primary's server keeps serving its clients.
refuse_unusable_replication_password() {
  local problem
  problem=$(replication_password_problem)
  [[ -z $problem ]] && return 0
  log "error: the replication password in the credentials Secret cannot be used: $problem. Put a usable one in the Secret (e.g. openssl rand -base64 24, 32 characters) and recreate the pods; this container does nothing until then and does not retry"
  stay_refused
}

# Waits, doing nothing, until the pod is deleted (SIGTERM ends it at once): what a
# container does after it has said once why it cannot go on, when no retry could help.
stay_refused() {
  while :; do
    pause 3600
  done
}

# Prints the value of the field whose name matches the extended regular expression $1
# in a vertical (\G) listing read from stdin: status_value 'Last_IO_Error'.
status_value() {
  local line value pattern="^ *($1):"
  while IFS= read -r line; do
    if [[ $line =~ $pattern ]]; then
      value=${line#*:}
      printf '%s\n' "${value# }"
      return 0
    fi
  done
  return 0
}

# The same for a replication thread field in either spelling, Slave_* or Replica_*:
# status_field IO_Running.
status_field() {
  status_value "(Slave|Replica)_$1"
}

# Prints the SQL template $1 (from the engine, see lib/mysql/engine/replication-sql.ts) with each
# {name} replaced by the value of the name=value arguments that follow, in their order.
# Fails, before replacing anything, if the template has a placeholder no argument names.
# Callers quote values as SQL literals and pass the password last, so that nothing is
# replaced inside it.
fill_sql() {
  local sql=$1 rest=$1 names=' ' pair
  shift
  for pair; do
    names+="${pair%%=*} "
  done
  while [[ $rest =~ \{([a-z]+)\} ]]; do
    if [[ $names != *" ${BASH_REMATCH[1]} "* ]]; then
      log "the SQL template needs a value for ${BASH_REMATCH[0]}"
      return 1
    fi
    rest=${rest#*"${BASH_REMATCH[0]}"}
  done
  for pair; do
    sql=${sql//"{${pair%%=*}}"/"${pair#*=}"}
  done
  printf '%s\n' "$sql"
}

# The backup tools name their metadata files <prefix>_<kind>: "xtrabackup" (Percona
# XtraBackup, and mariadb-backup before 11.1) or "mariadb_backup" (mariadb-backup 11.1
# and later, MDEV-18931). Kinds: checkpoints, info, binlog_info, slave_info.
BACKUP_METADATA_PREFIXES=(xtrabackup mariadb_backup)

# Prints the path of the metadata file of kind $2 in directory $1, with the suffix $3
# (none by default), under whichever name the tool gave it; fails if there is none.
backup_metadata() {
  local dir=$1 kind=$2 suffix=${3:-} prefix
  for prefix in "${BACKUP_METADATA_PREFIXES[@]}"; do
    if [[ -e $dir/${prefix}_$kind$suffix ]]; then
      printf '%s\n' "$dir/${prefix}_$kind$suffix"
      return 0
    fi
  done
  return 1
}

# Prints why the backup received into directory $1 from $2 is incomplete, or nothing: the
# source adds the completion marker only after its backup tool succeeded, and the tool
# writes its metadata near the end. The marker is removed from a complete backup.
received_backup_problem() {
  local dir=$1 source=$2 kind
  if [[ ! -e $dir/$CLONE_COMPLETE_MARKER ]]; then
    printf 'the backup from %s is incomplete (the stream ended before its completion marker)' "$source"
    return 0
  fi
  for kind in checkpoints info; do
    if ! backup_metadata "$dir" "$kind" >/dev/null; then
      printf 'the backup from %s is incomplete (no %s metadata file: xtrabackup_%s or mariadb_backup_%s)' "$source" "$kind" "$kind" "$kind"
      return 0
    fi
  done
  if ! rm "$dir/$CLONE_COMPLETE_MARKER"; then
    printf 'cannot remove the completion marker from %s' "$dir"
  fi
}

# The value of the line "<key> = <value>" of a backup metadata file $1 (xtrabackup_info,
# xtrabackup_checkpoints), or nothing.
metadata_value() {
  local file=$1 key=$2 line
  [[ -r $file ]] || return 0
  while IFS= read -r line || [[ -n $line ]]; do
    if [[ $line == "$key = "* ]]; then
      printf '%s\n' "${line#"$key = "}"
      return 0
    fi
  done <"$file"
}

# True if the backup in directory $1 is prepared (its redo log applied), which
# XtraBackup records as "full-prepared" and mariadb-backup as "log-applied".
backup_is_prepared() {
  local checkpoints type
  checkpoints=$(backup_metadata "$1" checkpoints) || return 1
  type=$(metadata_value "$checkpoints" backup_type)
  [[ $type == full-prepared || $type == log-applied ]]
}

# Reads the replication coordinates a backup in directory $1 recorded into the caller's
# variables gtid, log_file, log_pos and coordinates_from (the file they come from); fails
# if there are none. A backup taken on a replica records its source's coordinates in
# slave_info; one taken on the primary records its own binary log position (and GTID
# state) in binlog_info: "<file>\t<position>\t<GTID set>", where a GTID set of several
# server UUIDs continues on further lines (XtraBackup 2.4). A GTID set comes back with
# its line breaks and spaces removed.
# shellcheck disable=SC2034 # the caller reads them
read_backup_coordinates() {
  local dir=$1 slave_info binlog_info text
  gtid='' log_file='' log_pos='' coordinates_from=''
  if slave_info=$(backup_metadata "$dir" slave_info) && [[ -s $slave_info ]]; then
    text=$(<"$slave_info")
    coordinates_from=$slave_info
    if [[ $text =~ gtid_(slave_pos|purged)[[:space:]]*=[[:space:]]*\'([^\']*)\' ]]; then
      gtid=${BASH_REMATCH[2]}
    fi
    if [[ $text =~ (MASTER|SOURCE)_LOG_FILE[[:space:]]*=[[:space:]]*\'([^\']+)\' ]]; then
      log_file=${BASH_REMATCH[2]}
    fi
    if [[ $text =~ (MASTER|SOURCE)_LOG_POS[[:space:]]*=[[:space:]]*([0-9]+) ]]; then
      log_pos=${BASH_REMATCH[2]}
    fi
  elif binlog_info=$(backup_metadata "$dir" binlog_info) && [[ -s $binlog_info ]]; then
    text=$(<"$binlog_info")
    coordinates_from=$binlog_info
    local first=${text%%$'\n'*} more=''
    [[ $text == *$'\n'* ]] && more=${text#*$'\n'}
    IFS=$'\t' read -r log_file log_pos gtid <<<"$first" || true
    gtid+=$more
  else
    return 1
  fi
  # A GTID set may be split over lines after its commas.
  gtid=${gtid//[[:space:]]/}
}

# The file a restore leaves in the data directory for the primary's sidecar: the GTID
# set the restored backup had reached (possibly empty), to continue the binary log's
# GTID history from. The sidecar renames it to <name>.applied once it has done so.
# shellcheck disable=SC2034 # read by clone-data.sh, replication-sidecar.sh and probe-ready.sh
RESTORE_CONTINUE_FILE=continue-from-backup

# Prints $1 as a JSON string. Quotes, backslashes and control characters are escaped;
# text that is not UTF-8 has its bytes above 127 replaced by '?', so the result is
# always valid JSON.
json_string() {
  local LC_ALL=C
  local text=$1 out='' char code i
  local utf8=$'^([\x01-\x7f]|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf][\x80-\xbf]|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf][\x80-\xbf]|[\xf1-\xf3][\x80-\xbf][\x80-\xbf][\x80-\xbf]|\xf4[\x80-\x8f][\x80-\xbf][\x80-\xbf])*$'
  if [[ ! $text =~ $utf8 ]]; then
    text=${text//[$'\x80'-$'\xff']/?}
  fi
  for ((i = 0; i < ${#text}; i++)); do
    char=${text:i:1}
    case $char in
      '"') out+='\"' ;;
      \\) out+=\\\\ ;;
      [[:cntrl:]])
        printf -v code '\\u%04x' "'$char"
        out+=$code
        ;;
      *) out+=$char ;;
    esac
  done
  printf '"%s"' "$out"
}

# The value of the top-level field "$2" in the JSON manifest text $1 when it is a number
# or a string without escapes (every field the scripts read is), or nothing.
manifest_field() {
  local pattern="\"$2\"[[:space:]]*:[[:space:]]*(\"([^\"\\]*)\"|([0-9]+))"
  if [[ $1 =~ $pattern ]]; then
    printf '%s\n' "${BASH_REMATCH[2]}${BASH_REMATCH[3]}"
  fi
}

# The last entry of every clone stream, which the source adds only once the backup tool
# has succeeded: a stream cut exactly between two entries is still well-formed, and only
# this marker tells it from a complete one.
# shellcheck disable=SC2034 # read by stream-backup.sh and clone-data.sh
CLONE_COMPLETE_MARKER=clone-stream-complete

# --- The clone channel's authentication -------------------------------------------
# A member serves its backup only to a peer that proves it holds the cluster's secret
# (the replication password, from the credentials Secret): the source sends a random
# challenge, the receiver answers with its own nonce and an HMAC-SHA256 over both, and
# the source, before streaming, proves the secret back the same way. The secret never
# crosses the network and never reaches a command line: it stays in bash variables and
# reaches sha256sum only through a pipe.

# Prints $1 bytes from /dev/urandom as lowercase hex.
random_hex() {
  local hex
  hex=$(od -An -v -N "$1" -tx1 /dev/urandom)
  printf '%s\n' "${hex//[[:space:]]/}"
}

# Prints the hex string $1 as printf escapes (\xHH…).
hex_escapes() {
  local hex=$1 out='' i
  for ((i = 0; i < ${#hex}; i += 2)); do
    out+="\\x${hex:i:2}"
  done
  printf '%s' "$out"
}

# Prints HMAC-SHA256(key $1, message $2) in hex (RFC 2104, checked against RFC 4231's
# test vectors in test/mysql/scripts/clone-channel.test.ts). Hand-written because sha256sum is the
# only hash tool every backup image ships (lib/mysql/engine/image-inventory.ts).
hmac_sha256() {
  local LC_ALL=C
  local key=$1 message=$2 key_hex digest ipad='' opad='' i byte
  if ((${#key} > 64)); then
    digest=$(printf '%s' "$key" | sha256sum)
    key_hex=${digest%% *}
  else
    key_hex=$(printf '%s' "$key" | od -An -v -tx1)
    key_hex=${key_hex//[[:space:]]/}
  fi
  while ((${#key_hex} < 128)); do
    key_hex+=00
  done
  for ((i = 0; i < 128; i += 2)); do
    byte=$((16#${key_hex:i:2}))
    printf -v ipad '%s\\x%02x' "$ipad" $((byte ^ 0x36))
    printf -v opad '%s\\x%02x' "$opad" $((byte ^ 0x5c))
  done
  digest=$({
    printf '%b' "$ipad"
    printf '%s' "$message"
  } | sha256sum)
  digest=$({
    printf '%b' "$opad"
    printf '%b' "$(hex_escapes "${digest%% *}")"
  } | sha256sum)
  printf '%s\n' "${digest%% *}"
}

# Prints the proof for role $1 (request: the receiver; response: the source) over the
# source's challenge $2 and the receiver's nonce $3, keyed with the cluster's secret.
clone_proof() {
  hmac_sha256 "${REPLICATION_PASSWORD-}" "cdk8s-replicated-mysql clone-channel 1 $1 $2 $3"
}
