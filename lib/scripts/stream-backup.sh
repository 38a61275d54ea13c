#!/usr/bin/env bash
# Run by ncat for each connection to the backup port: streams a consistent physical
# backup of the local server to stdout, with the replication coordinates it needs.
set -euo pipefail
: "${BACKUP_TOOL:?}" "${AUTH_FILE:?}" "${DATADIR:?}" "${MYSQL_PORT:?}"

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
"$BACKUP_TOOL" --defaults-extra-file="$AUTH_FILE" --backup --slave-info --stream=xbstream \
  --host=127.0.0.1 --port="$MYSQL_PORT" --datadir="$DATADIR" --target-dir="$workdir"
