#!/usr/bin/env bash
# Run by clone-data.sh and backup-job.sh through socat, with the connection to the clone source as its
# standard input and output: authenticates both ways (see common.sh), tells the source
# which compression it can take (CLONE_COMPRESSION, besides none), then unpacks the
# backup that follows into CLONE_STAGING_DIR. Exits 1 when the source refuses, fails to
# prove the cluster's secret, or sends something unexpected, and 3 when the backup
# stream breaks off after it began. Logs go to stderr;
# stdout is the connection.
set -euo pipefail
: "${CLONE_STAGING_DIR:?}" "${CLONE_SOURCE_HOST:?}" "${STREAM_TOOL:?}" "${CLONE_PARALLEL:?}" "${CLONE_COMPRESSION:?}"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "${BASH_SOURCE[0]%/*}/common.sh"

source=$CLONE_SOURCE_HOST
# bash reads a pipe or socket byte by byte: the backup after the header stays whole.
# A $(…) subshell reads from the same connection, so what it takes is consumed.
read_line() {
  local line
  if ! IFS= read -r -t 60 line; then
    log "$source sent no complete line within 60s"
    return 1
  fi
  printf '%s\n' "$line"
}

challenge=$(read_line) || exit 1
case $challenge in
  'clone-auth 1 '*) server_nonce=${challenge#clone-auth 1 } ;;
  'clone-refused '*) die "$source refuses to serve a backup: ${challenge#clone-refused }" ;;
  *) die "$source sent an unknown greeting '${challenge:0:80}' (does it run the same version of the scripts?)" ;;
esac
[[ $server_nonce =~ ^[0-9a-f]{32}$ ]] || die "$source sent a malformed challenge"
client_nonce=$(random_hex 16)
printf '%s %s accept=%s\n' "$client_nonce" "$(clone_proof request "$server_nonce" "$client_nonce")" "$CLONE_COMPRESSION"

header=$(read_line) || exit 1
case $header in
  'clone-stream 1 '*) ;;
  'clone-refused '*) die "$source refuses to serve a backup: ${header#clone-refused }" ;;
  *) die "$source sent an unknown header '${header:0:80}'" ;;
esac
if [[ ! $header =~ ^clone-stream\ 1\ compression=([a-z0-9]+)\ proof=([0-9a-f]{64})$ ]]; then
  die "$source sent a malformed header '${header:0:120}'"
fi
compression=${BASH_REMATCH[1]} proof=${BASH_REMATCH[2]}
if [[ $proof != "$(clone_proof response "$server_nonce" "$client_nonce")" ]]; then
  die "$source did not prove that it holds the cluster's secret; not unpacking what it sends"
fi

case $CLONE_COMPRESSION in
  none) decompressor=() ;;
  zstd) decompressor=(zstd --quiet --decompress --stdout) ;;
  lz4) decompressor=(lz4 --quiet --decompress --stdout) ;;
  *) die "CLONE_COMPRESSION must be none, zstd or lz4 (got '$CLONE_COMPRESSION')" ;;
esac
unpack=("$STREAM_TOOL" -x --parallel="$CLONE_PARALLEL" -C "$CLONE_STAGING_DIR")
# Exit status 3: the backup had begun to arrive when the stream broke off.
broke_off() {
  log "the backup stream from $source broke off"
  exit 3
}
if [[ $compression == none ]]; then
  "${unpack[@]}" >&2 || broke_off
elif [[ $compression == "$CLONE_COMPRESSION" ]]; then
  "${decompressor[@]}" | "${unpack[@]}" >&2 || broke_off
else
  die "$source compresses the stream with '$compression', although this member accepts only '$CLONE_COMPRESSION'"
fi
