#!/usr/bin/env bash
# The scheduled backup's container (backup image, a Job of the cluster's CronJob): takes a
# physical backup of the cluster through the authenticated clone channel, the same one a
# new member clones through (receive-backup.sh here, stream-backup.sh on the member),
# checks and prepares it, and writes it as one file onto the backup claim (BACKUP_DIR),
# with a manifest beside it; then deletes the backups beyond BACKUP_RETENTION.
#
# Source: the members are found by their DNS names <statefulset>-<k>.<PEER_DOMAIN> (the
# headless Service publishes every pod), resolved with socat (UDP, so nothing is sent),
# counting up from 1 until two names in a row do not resolve. The replicas are asked
# first, the highest ordinal first (the last one to be cloned from and the least likely
# to be serving a clone); a member that cannot be reached or refuses (not replicating,
# lagging, see stream-backup.sh) is skipped. The primary is asked last: only when no
# replica serves. A source that breaks off after it has started streaming fails the run
# (the next run tries again).
#
# Files, for BACKUP_PREFIX "mysql" (the cluster's name) and a backup begun 2026-12-01 03:00:00 UTC:
#   mysql-20261201T030000Z.tar.zst   the prepared backup (a data directory ready to start),
#                                    as a tar archive; .tar.zst, .tar.gz or .tar after
#                                    BACKUP_FILE_COMPRESSION (zstd, gzip or none)
#   mysql-20261201T030000Z.json      its manifest (below)
# Both are written as <name>.partial and renamed once complete, the archive first: a
# backup is complete only once its manifest exists and records the archive's size (the
# restore also checks its SHA-256). Leftovers of a run that failed or was killed
# (.partial files, an archive without a manifest, a manifest without its archive, the
# staging directory .mysql.staging) are removed when the next run starts. Only files
# named after BACKUP_PREFIX are ever touched, so clusters may share a claim. The files are
# readable by the backup's user only (umask 077: they hold the whole database, password
# hashes included); the restore runs as the same user.
#
# One run at a time: a run works only while it holds the lock, the directory
# .mysql.lock (mkdir is atomic) with a file "owner" holding the holder's pod name and
# start time (epoch seconds). A run that finds the lock held (a manual Job overlapping
# the scheduled one) exits 1 and touches nothing; a lock older than
# BACKUP_LOCK_STALE_SECONDS (longer than any run may last: the Job's deadline and a
# margin) was left by a run that was killed, and is taken over. A run releases the lock
# on every exit, and only its own. Leftovers are removed, and backups pruned, only under
# the lock.
#
# The manifest, one field per line:
#   format 1; cluster (BACKUP_PREFIX); engine (BACKUP_ENGINE, e.g. mariadb-10.11: the only
#   flavor the backup may be restored into); file; compression; bytes and sha256 of the
#   file; unpackedBytes (the staged backup, for the next run's space check); started (the
#   source began streaming) and finished, UTC ISO 8601; sourceMember and sourceRole
#   (replica or primary); gtid (the GTID position the backup reached in the primary's
#   history, "" when there is none yet), binlogFile and binlogPosition (the binary log
#   coordinates the backup recorded, null when it recorded none); prepared (true); tool,
#   toolVersion and serverVersion (from the backup tool's info file).
#
# Space on the claim: the run stages the unpacked backup (about the size of the data
# directory: InnoDB files plus the redo log copied during the backup) in the staging
# directory, and writes the compressed file before deleting the staging directory and
# before pruning. So the claim needs room for BACKUP_RETENTION + 1 files plus one data
# directory. The run first deletes the backups beyond BACKUP_RETENTION (so that lowering
# it frees space at the next run; the newest complete backup always stays), then stops
# early, with the figures, when the free space is below what the previous backup of this
# cluster needed (its file plus its staged size).
#
# Exit status: 0 once a complete backup is written (and pruning done), 1 otherwise, with
# the reason in the last line of the log; a failed run leaves nothing that looks complete.
set -euo pipefail
umask 077
: "${STATEFULSET_NAME:?}" "${PEER_DOMAIN:?}" "${PRIMARY_POD:?}" "${BACKUP_PORT:?}" "${BACKUP_TOOL:?}" "${STREAM_TOOL:?}"
: "${CLONE_PARALLEL:?}" "${CLONE_COMPRESSION:?}" "${REPLICATION_PASSWORD_MAX_BYTES:?}"
: "${BACKUP_DIR:?}" "${BACKUP_RETENTION:?}" "${BACKUP_PREFIX:?}" "${BACKUP_ENGINE:?}" "${BACKUP_FILE_COMPRESSION:?}" "${BACKUP_LOCK_STALE_SECONDS:?}"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "${BASH_SOURCE[0]%/*}/common.sh"
script_dir=${BASH_SOURCE[0]%/*}
exit_on_sigterm

[[ $BACKUP_RETENTION =~ ^[1-9][0-9]*$ ]] || die "BACKUP_RETENTION must be a whole number of at least 1 (got '$BACKUP_RETENTION')"
[[ $BACKUP_LOCK_STALE_SECONDS =~ ^[1-9][0-9]*$ ]] || die "BACKUP_LOCK_STALE_SECONDS must be a whole number of seconds (got '$BACKUP_LOCK_STALE_SECONDS')"
[[ $BACKUP_PREFIX =~ ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$ ]] || die "BACKUP_PREFIX must be a DNS label such as the cluster's name (got '$BACKUP_PREFIX')"
[[ $BACKUP_ENGINE =~ ^[a-z]+-[0-9]+\.[0-9]+$ ]] || die "BACKUP_ENGINE must be <family>-<major>.<minor>, e.g. mariadb-10.11 (got '$BACKUP_ENGINE')"
[[ $PRIMARY_POD =~ ^${STATEFULSET_NAME}-([0-9]+)$ ]] || die "PRIMARY_POD '$PRIMARY_POD' is not '${STATEFULSET_NAME}-<ordinal>'"
primary_ordinal=${BASH_REMATCH[1]}
[[ -d $BACKUP_DIR && -w $BACKUP_DIR ]] || die "the backup directory $BACKUP_DIR does not exist or is not writable by uid $(id -u)"
case $BACKUP_FILE_COMPRESSION in
  zstd)
    extension=.tar.zst
    compressor=(zstd --quiet --stdout -3 --threads=0)
    decompressor=(zstd --quiet --decompress --stdout)
    ;;
  gzip)
    extension=.tar.gz
    compressor=(gzip --stdout -6)
    decompressor=(gzip --decompress --stdout)
    ;;
  none)
    extension=.tar
    compressor=()
    decompressor=()
    ;;
  *) die "BACKUP_FILE_COMPRESSION must be zstd, gzip or none (got '$BACKUP_FILE_COMPRESSION')" ;;
esac

# The clone channel is authenticated with the replication password (see common.sh). A
# Job is not restarted: a password that cannot work ends it at once.
if [[ -z ${REPLICATION_PASSWORD:-} && ${ALLOW_EMPTY_ROOT_PASSWORD:-} != yes ]]; then
  die "REPLICATION_PASSWORD is empty; the clone channel is authenticated with it (set it from a Secret)"
fi
problem=$(replication_password_problem)
[[ -z $problem ]] || die "the replication password in the credentials Secret cannot be used: $problem"

# This cluster's files: <prefix>-<UTC time>.tar[.zst|.gz] and <prefix>-<UTC time>.json.
own_archive="^${BACKUP_PREFIX}-([0-9]{8}T[0-9]{6}Z)\\.tar(\\.zst|\\.gz)?\$"
own_manifest="^${BACKUP_PREFIX}-([0-9]{8}T[0-9]{6}Z)\\.json\$"
export CLONE_STAGING_DIR="$BACKUP_DIR/.$BACKUP_PREFIX.staging"
lock_dir="$BACKUP_DIR/.$BACKUP_PREFIX.lock"
TZ=UTC printf -v lock_owner '%s\n%(%s)T' "$HOSTNAME" -1
lock_held=no

# Prints the epoch seconds $1 as UTC ISO 8601.
utc_time() {
  TZ=UTC printf '%(%Y-%m-%dT%H:%M:%SZ)T' "$1"
}

# Takes the lock (see the header), or stops here if another run holds it.
take_lock() {
  local owner='' holder='' since='' now newline=$'\n'
  mkdir -- "$lock_dir" 2>/dev/null && {
    write_lock_owner
    return 0
  }
  [[ -f $lock_dir/owner ]] && owner=$(<"$lock_dir/owner")
  if [[ $owner == *"$newline"* ]]; then
    holder=${owner%%"$newline"*} since=${owner#*"$newline"}
  fi
  # A lock whose owner file is not written yet (or is unreadable) counts from its directory's time.
  [[ $since =~ ^[0-9]+$ ]] || since=$(stat -c %Y -- "$lock_dir" 2>/dev/null) || since=0
  [[ -n $holder ]] || holder=unknown
  printf -v now '%(%s)T' -1
  if ((now - since < BACKUP_LOCK_STALE_SECONDS)); then
    die "another backup of $BACKUP_PREFIX is running (pod $holder, since $(utc_time "$since")); this run does nothing"
  fi
  # Renamed away, not deleted: of two runs taking over at once only one renames the
  # stale lock, and one that renamed a fresh lock instead puts it back.
  local moved="$lock_dir.stale-$$"
  mv -T -- "$lock_dir" "$moved" 2>/dev/null || die "another backup of $BACKUP_PREFIX took over the stale lock; this run does nothing"
  local moved_owner=''
  [[ -f $moved/owner ]] && moved_owner=$(<"$moved/owner")
  if [[ $moved_owner != "$owner" ]]; then
    mv -T -- "$moved" "$lock_dir" 2>/dev/null || true
    die "another backup of $BACKUP_PREFIX took over the stale lock; this run does nothing"
  fi
  rm -rf -- "$moved"
  mkdir -- "$lock_dir" 2>/dev/null || die "another backup of $BACKUP_PREFIX took over the stale lock; this run does nothing"
  write_lock_owner
  log "took over the lock of a backup of $BACKUP_PREFIX that did not finish (pod $holder, since $(utc_time "$since")): older than BACKUP_LOCK_STALE_SECONDS ($BACKUP_LOCK_STALE_SECONDS), longer than any run may last"
}

write_lock_owner() {
  lock_held=yes
  printf '%s\n' "$lock_owner" >"$lock_dir/owner"
}

# Releases the lock if this run holds it (and nobody took it over).
release_lock() {
  [[ $lock_held == yes ]] || return 0
  lock_held=no
  if [[ -f $lock_dir/owner && $(<"$lock_dir/owner") == "$lock_owner" ]]; then
    rm -rf -- "$lock_dir"
  fi
}

# Removes what runs that failed or were killed left behind.
remove_leftovers() {
  local path name
  if [[ -e $CLONE_STAGING_DIR ]]; then
    log "removing the staging directory of an unfinished run: $CLONE_STAGING_DIR"
    rm -rf "$CLONE_STAGING_DIR"
  fi
  for path in "$BACKUP_DIR/$BACKUP_PREFIX"-*; do
    name=${path##*/}
    if [[ $name == *.partial && ${name%.partial} =~ $own_archive|$own_manifest ]]; then
      log "removing the partial file of an unfinished run: $name"
      rm -f -- "$path"
    elif [[ $name =~ $own_archive && ! -e $BACKUP_DIR/${name%.tar*}.json ]]; then
      log "removing $name: it has no manifest (its run did not finish)"
      rm -f -- "$path"
    elif [[ $name =~ $own_manifest ]] && ! archive_of "${name%.json}" >/dev/null; then
      log "removing $name: its backup file is gone (a pruning that did not finish)"
      rm -f -- "$path"
    fi
  done
}

# Prints the path of the archive of the backup named $1 (<prefix>-<UTC time>), if any.
archive_of() {
  local candidate
  for candidate in "$BACKUP_DIR/$1.tar" "$BACKUP_DIR/$1.tar.zst" "$BACKUP_DIR/$1.tar.gz"; do
    if [[ -f $candidate ]]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

# Prints this cluster's complete backups, newest first, one <prefix>-<UTC time> per line:
# an archive whose manifest records its size.
complete_backups() {
  local path name bytes names=()
  for path in "$BACKUP_DIR/$BACKUP_PREFIX"-*.json; do
    name=${path##*/}
    [[ $name =~ $own_manifest ]] || continue
    local archive
    archive=$(archive_of "${name%.json}") || continue
    bytes=$(manifest_field "$(<"$path")" bytes)
    if [[ $bytes != "$(stat -c %s -- "$archive")" ]]; then
      log "warning: ${archive##*/} does not have the size its manifest records ($bytes bytes); it does not count as a complete backup and is left as it is"
      continue
    fi
    names+=("${name%.json}")
  done
  ((${#names[@]})) || return 0
  printf '%s\n' "${names[@]}" | sort -r
}

# Prints the free space of BACKUP_DIR in bytes.
free_bytes() {
  local header filesystem blocks used available rest
  {
    IFS= read -r header
    read -r filesystem blocks used available rest
  } < <(df -P -k -- "$BACKUP_DIR")
  : "$header" "$filesystem" "$blocks" "$used" "$rest"
  printf '%s\n' $((available * 1024))
}

# Stops here when the free space is below what the newest backup of this cluster needed.
check_free_space() {
  local free newest manifest bytes unpacked
  free=$(free_bytes)
  newest=$(complete_backups)
  newest=${newest%%$'\n'*}
  if [[ -z $newest ]]; then
    log "free space in $BACKUP_DIR: $((free / 1048576)) MiB (no earlier backup to estimate the need from)"
    return 0
  fi
  manifest=$(<"$BACKUP_DIR/$newest.json")
  bytes=$(manifest_field "$manifest" bytes)
  unpacked=$(manifest_field "$manifest" unpackedBytes)
  [[ $bytes =~ ^[0-9]+$ && $unpacked =~ ^[0-9]+$ ]] || return 0
  log "free space in $BACKUP_DIR: $((free / 1048576)) MiB; the last backup needed $(((bytes + unpacked) / 1048576)) MiB (file and staging)"
  if ((free < bytes + unpacked)); then
    die "not enough space in $BACKUP_DIR: $((free / 1048576)) MiB free, and the last backup needed $(((bytes + unpacked) / 1048576)) MiB ($((unpacked / 1048576)) MiB staged, a $((bytes / 1048576)) MiB file); enlarge the claim, or lower the retention ($BACKUP_RETENTION): each run first deletes the backups beyond it"
  fi
}

# Prints the ordinals to ask, in order: the replicas that exist, highest first, then the primary.
source_ordinals() {
  local ordinal=0 misses=0 replicas=()
  while ((misses < 2 && ordinal < 1000)); do
    if ((ordinal != primary_ordinal)); then
      if resolves "$(member_host "$ordinal")"; then
        replicas=("$ordinal" "${replicas[@]}")
        misses=0
      elif ((ordinal > primary_ordinal)); then
        misses=$((misses + 1))
      fi
    fi
    ordinal=$((ordinal + 1))
  done
  printf '%s\n' "${replicas[@]}" "$primary_ordinal"
}

# Receives a backup from $1 into the staging directory over the clone channel.
receive_from() {
  rm -rf "$CLONE_STAGING_DIR" && mkdir -p "$CLONE_STAGING_DIR" || return 1
  export CLONE_SOURCE_HOST=$1
  # socat connects, then becomes receive-backup.sh (nofork) with the connection as its
  # standard input and output; keepalive notices a source that vanished mid-stream.
  run_interruptibly socat -b 131072 \
    "TCP4:$CLONE_SOURCE_HOST:$BACKUP_PORT,connect-timeout=10,keepalive,keepidle=30,keepintvl=10,keepcnt=3" \
    "EXEC:bash $script_dir/receive-backup.sh,nofork"
}

# Packs the staging directory into the file $1.
pack() {
  if ((${#compressor[@]})); then
    tar -c -f - -C "$CLONE_STAGING_DIR" . | "${compressor[@]}" >"$1"
  else
    tar -c -f "$1" -C "$CLONE_STAGING_DIR" .
  fi
}

# Reads the file $1 back whole: it must decompress and list as a tar archive.
read_back() {
  if ((${#decompressor[@]})); then
    "${decompressor[@]}" <"$1" | tar -t -f - >/dev/null
  else
    tar -t -f "$1" >/dev/null
  fi
}

# Prints $1 as a JSON string, or null when it is empty.
json_string_or_null() {
  if [[ -n $1 ]]; then
    json_string "$1"
  else
    printf 'null'
  fi
}

# Prints $1 when it is a whole number, else null.
json_number_or_null() {
  if [[ $1 =~ ^[0-9]+$ ]]; then
    printf '%s' "$1"
  else
    printf 'null'
  fi
}

# Deletes this cluster's complete backups beyond the newest BACKUP_RETENTION, never the
# newest one nor the one just written: the manifest first, so that a pruning cut short
# leaves an incomplete backup, never one that looks complete but is not.
prune() {
  local backups name archive kept=0
  backups=$(complete_backups)
  while IFS= read -r name; do
    [[ -n $name ]] || continue
    kept=$((kept + 1))
    if ((kept <= BACKUP_RETENTION)) || [[ $name == "$stem" ]]; then
      continue
    fi
    archive=$(archive_of "$name") || continue
    log "deleting ${archive##*/} (beyond the retention of $BACKUP_RETENTION)"
    rm -f -- "$BACKUP_DIR/$name.json"
    rm -f -- "$archive"
  done <<<"$backups"
}

# On any exit before the backup is complete: nothing of this run stays behind.
complete=no
stem='' archive_partial='' archive_path='' manifest_partial='' manifest_path=''
cleanup() {
  # Without the lock, the staging directory and the files are another run's.
  [[ $lock_held == yes ]] || return 0
  [[ $complete == yes ]] && return 0
  rm -rf "$CLONE_STAGING_DIR"
  [[ -n $archive_partial ]] && rm -f -- "$archive_partial"
  [[ -n $manifest_partial ]] && rm -f -- "$manifest_partial"
  if [[ -n $archive_path && -n $manifest_path && ! -e $manifest_path ]]; then
    rm -f -- "$archive_path"
  fi
  log "the backup failed; nothing of it was kept"
}
on_exit() {
  cleanup
  release_lock
}
trap on_exit EXIT

take_lock
remove_leftovers
prune
check_free_space

TZ=UTC printf -v stamp '%(%Y%m%dT%H%M%SZ)T' -1
stem="$BACKUP_PREFIX-$stamp"
archive_path="$BACKUP_DIR/$stem$extension"
archive_partial="$archive_path.partial"
manifest_path="$BACKUP_DIR/$stem.json"
manifest_partial="$manifest_path.partial"
if [[ -e $archive_path || -e $manifest_path ]]; then
  archive_path='' manifest_path='' archive_partial='' manifest_partial=''
  die "a backup named $BACKUP_PREFIX-$stamp exists already"
fi

mapfile -t ordinals < <(source_ordinals)
source_host='' source_role=''
for ordinal in "${ordinals[@]}"; do
  host=$(member_host "$ordinal")
  role=replica
  ((ordinal == primary_ordinal)) && role=primary
  if ((ordinal == primary_ordinal && ${#ordinals[@]} > 1)); then
    log "no replica served a backup; asking the primary"
  elif ((ordinal == primary_ordinal)); then
    log "no replica found (no member name but the primary's resolves); asking the primary"
  fi
  TZ=UTC printf -v started '%(%Y-%m-%dT%H:%M:%SZ)T' -1
  started_seconds=$SECONDS
  log "asking $host ($role) for a backup"
  status=0
  receive_from "$host" || status=$?
  if ((status == 0)); then
    source_host=$host source_role=$role
    break
  fi
  # receive-backup.sh exits 3 once the source had begun to stream.
  if ((status == 3)); then
    die "the backup from $host broke off while it was streamed; no backup was written (the next run tries again)"
  fi
  log "$host did not serve a backup"
done
asked=$(printf '%s, ' "${ordinals[@]/#/$STATEFULSET_NAME-}")
[[ -n $source_host ]] || die "no member served a backup (asked: ${asked%, })"

problem=$(received_backup_problem "$CLONE_STAGING_DIR" "$source_host")
[[ -z $problem ]] || die "$problem; no backup was written"
log "received from $source_host in $((SECONDS - started_seconds))s; preparing"
prepare_args=(--prepare --target-dir="$CLONE_STAGING_DIR")
if [[ -n ${PREPARE_MEMORY:-} ]]; then
  prepare_args+=(--use-memory="$PREPARE_MEMORY")
fi
run_interruptibly "$BACKUP_TOOL" "${prepare_args[@]}" || die "preparing the backup from $source_host failed (see the $BACKUP_TOOL messages above)"
backup_is_prepared "$CLONE_STAGING_DIR" || die "the backup from $source_host is not marked prepared after $BACKUP_TOOL --prepare"

# shellcheck disable=SC2034 # coordinates_from is set by read_backup_coordinates
gtid='' log_file='' log_pos='' coordinates_from=''
if read_backup_coordinates "$CLONE_STAGING_DIR"; then
  log "the backup is at GTID position '$gtid', binary log '$log_file' position '$log_pos'"
else
  log "warning: the backup recorded no replication coordinates"
fi
[[ $gtid =~ ^[0-9A-Za-z:,-]*$ ]] || die "the backup records a malformed GTID set '$gtid'"
info=$(backup_metadata "$CLONE_STAGING_DIR" info)
tool_name=$(metadata_value "$info" tool_name)
tool_version=$(metadata_value "$info" tool_version)
server_version=$(metadata_value "$info" server_version)
du_output=$(du -s -k -- "$CLONE_STAGING_DIR")
unpacked_bytes=$((${du_output%%[[:space:]]*} * 1024))

log "packing into ${archive_path##*/}"
run_interruptibly pack "$archive_partial" || die "writing ${archive_partial##*/} failed (see the messages above; is the claim full?)"
sync
bytes=$(stat -c %s -- "$archive_partial")
run_interruptibly read_back "$archive_partial" || die "${archive_partial##*/} does not read back as a whole archive"
sha256=$(sha256sum -- "$archive_partial")
sha256=${sha256%% *}
rm -rf "$CLONE_STAGING_DIR"
mv -- "$archive_partial" "$archive_path"
archive_partial=''
TZ=UTC printf -v finished '%(%Y-%m-%dT%H:%M:%SZ)T' -1

{
  printf '{\n'
  printf '  "format": 1,\n'
  printf '  "cluster": %s,\n' "$(json_string "$BACKUP_PREFIX")"
  printf '  "engine": %s,\n' "$(json_string "$BACKUP_ENGINE")"
  printf '  "file": %s,\n' "$(json_string "${archive_path##*/}")"
  printf '  "compression": %s,\n' "$(json_string "$BACKUP_FILE_COMPRESSION")"
  printf '  "bytes": %s,\n' "$(json_number_or_null "$bytes")"
  printf '  "sha256": %s,\n' "$(json_string "$sha256")"
  printf '  "unpackedBytes": %s,\n' "$(json_number_or_null "$unpacked_bytes")"
  printf '  "started": %s,\n' "$(json_string "$started")"
  printf '  "finished": %s,\n' "$(json_string "$finished")"
  printf '  "sourceMember": %s,\n' "$(json_string "$source_host")"
  printf '  "sourceRole": %s,\n' "$(json_string "$source_role")"
  printf '  "gtid": %s,\n' "$(json_string "$gtid")"
  printf '  "binlogFile": %s,\n' "$(json_string_or_null "$log_file")"
  printf '  "binlogPosition": %s,\n' "$(json_number_or_null "$log_pos")"
  printf '  "prepared": true,\n'
  printf '  "tool": %s,\n' "$(json_string_or_null "$tool_name")"
  printf '  "toolVersion": %s,\n' "$(json_string_or_null "$tool_version")"
  printf '  "serverVersion": %s\n' "$(json_string_or_null "$server_version")"
  printf '}\n'
} >"$manifest_partial"
mv -- "$manifest_partial" "$manifest_path"
manifest_partial=''
sync
complete=yes
log "backup complete: ${archive_path##*/} ($bytes bytes, sha256 $sha256) from $source_host ($source_role), GTID position '$gtid'"

prune
log "done; complete backups of $BACKUP_PREFIX kept: $(complete_backups | wc -l)"
