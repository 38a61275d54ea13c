#!/usr/bin/env bash
# Init container init-config (server image): give this member its role and server_id from its
# ordinal, and write the client credentials file that the other containers and probes
# use, and, while a root password rotation is under way (ROOT_PASSWORD_PREVIOUS), one
# with the previous password (see local_auth_file in common.sh). Refuses a root
# password that the image's entrypoint would mangle.
set -euo pipefail
: "${STATEFULSET_NAME:?}" "${PEER_DOMAIN:?}" "${PRIMARY_POD:?}" "${SERVER_ID_OFFSET:?}" "${CONFIG_SOURCE_DIR:?}" "${CONF_DIR:?}" "${AUTH_FILE:?}"
: "${ENTRYPOINT_ESCAPES_SECRETS:?}" "${AUTH_FILE_PREVIOUS:?}"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "${BASH_SOURCE[0]%/*}/common.sh"

ordinal=$(member_ordinal)
role=replica
if is_primary; then
  role=primary
fi
server_id=$((SERVER_ID_OFFSET + ordinal))

# The official mysql image's entrypoint pastes MYSQL_ROOT_PASSWORD unescaped into SQL
# ('…') and into an option file ("…"): a quote, a backslash or a line break would make
# the first initialisation fail, or set another password than the Secret holds. Every
# member checks, since any of them may be the one that initialises.
if [[ $ENTRYPOINT_ESCAPES_SECRETS != yes && ${ROOT_PASSWORD:-} == *[\'\"\\$'\n\r']* ]]; then
  die "the root password in the credentials Secret contains ', \", \\ or a line break, which this image's entrypoint pastes into SQL and an option file unescaped (the first initialisation would fail or set another password); choose one without them, e.g. openssl rand -base64 24"
fi

cp "$CONFIG_SOURCE_DIR/common.cnf" "$CONF_DIR/10-common.cnf"
cp "$CONFIG_SOURCE_DIR/$role.cnf" "$CONF_DIR/20-$role.cnf"
printf '# Written by init-config for ordinal %s.\n[mysqld]\nserver-id = %s\nreport_host = %s\n' \
  "$ordinal" "$server_id" "$(member_host "$ordinal")" >"$CONF_DIR/30-member.cnf"

# Writes the client credentials file $1 for root with the password $2 (none if empty),
# and, with TLS, the client options that make the scripts' connections use it
# (CLIENT_TLS_OPTIONS, from the engine).
write_auth_file() {
  local tmp="$1.tmp" option
  {
    printf '[client]\nuser = root\n'
    if [[ -n $2 ]]; then
      printf 'password = %s\n' "$(option_value "$2")"
    fi
    for option in ${CLIENT_TLS_OPTIONS:-}; do
      printf '%s\n' "$option"
    done
  } >"$tmp"
  mv "$tmp" "$1"
}

umask 077
if [[ ! ${CLIENT_TLS_OPTIONS:-} =~ ^([a-z-]+(=[A-Z]+)?( |$))*$ ]]; then
  die "CLIENT_TLS_OPTIONS must be client option names, each optionally =VALUE (got '$CLIENT_TLS_OPTIONS')"
fi
if [[ -z ${ROOT_PASSWORD:-} && ${ALLOW_EMPTY_ROOT_PASSWORD:-} != yes ]]; then
  die "ROOT_PASSWORD is empty; set it from a Secret (an empty password needs the explicit insecure opt-in)"
fi
write_auth_file "$AUTH_FILE" "${ROOT_PASSWORD:-}"
rm -f "$AUTH_FILE_PREVIOUS"
if [[ -n ${ROOT_PASSWORD_PREVIOUS:-} && ${ROOT_PASSWORD_PREVIOUS} != "${ROOT_PASSWORD:-}" ]]; then
  write_auth_file "$AUTH_FILE_PREVIOUS" "$ROOT_PASSWORD_PREVIOUS"
  log "the Secret holds a previous root password: it logs in until the primary has changed root's password"
fi

# The metrics exporter's options file (metrics on): its account, from inside the pod.
# mysqld_exporter reads it with go-ini, which takes a value in backquotes literally
# (quotes, #, ; and spaces included), and since 0.15 expands $VARIABLES in values. A
# password with a backquote, a line break or a $ cannot pass unchanged: it is refused
# here, once, with the reason, and the file gets a placeholder password instead, so that
# the exporter still runs (and reports mysql_up 0) rather than crash-looping, which would
# take the member out of the Services.
if [[ -n ${EXPORTER_CONFIG_FILE:-} ]]; then
  : "${EXPORTER_USER:?}" "${MYSQL_PORT:?}"
  exporter_password=${EXPORTER_PASSWORD:-}
  if [[ -z $exporter_password || $exporter_password == *[\`\$$'\n\r']* ]]; then
    log "error: the exporter password in the credentials Secret is empty or holds a backquote, a \$ or a line break, which the exporter's option file cannot carry unchanged; choose another (e.g. openssl rand -base64 24) and recreate the pods. Until then the exporter reports mysql_up 0"
    exporter_password='refused-see-the-init-config-log'
  fi
  # shellcheck disable=SC2016 # the backquotes are the file's own quoting
  printf '[client]\nuser = %s\npassword = `%s`\nhost = 127.0.0.1\nport = %s\n' "$EXPORTER_USER" "$exporter_password" "$MYSQL_PORT" >"$EXPORTER_CONFIG_FILE.tmp"
  mv "$EXPORTER_CONFIG_FILE.tmp" "$EXPORTER_CONFIG_FILE"
fi

log "ordinal $ordinal: role $role, server_id $server_id"
