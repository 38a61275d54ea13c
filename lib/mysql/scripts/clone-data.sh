#!/usr/bin/env bash
# Init container clone-data (backup image): on a replica whose data directory is still empty,
# receive a streamed physical backup from the previous ordinal over the authenticated
# clone channel (receive-backup.sh) and prepare it. The copy is staged beside the data
# directory and renamed into place only once it is complete and prepared, so an
# interrupted clone is never mistaken for a finished one. A source that refuses (see
# stream-backup.sh: not replicating, lagging, or the peer failed to authenticate) or an
# incomplete stream is retried every RETRY_SECONDS.
#
# Restore (RESTORE_DIR set, the primary, an empty data directory): the primary starts
# from a backup file that backup-job.sh wrote (RESTORE_FILE, or the newest complete one
# in RESTORE_DIR of the cluster RESTORE_CLUSTER, its file prefix and its manifest's
# cluster; with RESTORE_CLUSTER empty, the claim must hold backups of one cluster only)
# instead of an empty server. Only into a new cluster: if another member's name
# resolves, the restore is refused (it would fork the cluster's history). The file must
# have its manifest, the size and SHA-256 the manifest records, and the manifest's
# engine must be BACKUP_ENGINE (and its cluster RESTORE_CLUSTER, when set); it is unpacked into a staging directory beside the data directory, checked, prepared if
# it was not, and renamed into place; the GTID set it had reached is left in the data
# directory for the sidecar (RESTORE_CONTINUE_FILE, see common.sh). A file that fails
# any check is refused once, with the reason, and the container then waits without
# retrying (no check could pass on a second try; recreate the pod once fixed). An
# initialised data directory is never touched; one that holds files but no database is
# refused rather than overwritten. The data volume needs room for the unpacked backup.
# BACKUP_FILE_COMPRESSION names the compression this image unpacks (zstd, gzip or none,
# as backup-job.sh writes it); a cluster without a restore passes none, so that neither
# tool counts among what this container runs.
set -euo pipefail
: "${STATEFULSET_NAME:?}" "${PEER_DOMAIN:?}" "${PRIMARY_POD:?}" "${DATA_ROOT:?}" "${DATADIR_NAME:?}" "${BACKUP_PORT:?}" "${BACKUP_TOOL:?}"
: "${STREAM_TOOL:?}" "${CLONE_PARALLEL:?}" "${REPLICATION_PASSWORD_MAX_BYTES:?}"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "${BASH_SOURCE[0]%/*}/common.sh"
script_dir=${BASH_SOURCE[0]%/*}
exit_on_sigterm

if [[ -z ${REPLICATION_PASSWORD:-} && ${ALLOW_EMPTY_ROOT_PASSWORD:-} != yes ]]; then
  die "REPLICATION_PASSWORD is empty; the clone channel is authenticated with it (set it from a Secret)"
fi
ordinal=$(member_ordinal)
datadir="$DATA_ROOT/$DATADIR_NAME"

# Says once why the backup cannot be restored, leaves nothing staged, and waits.
refuse_restore() {
  rm -rf "$RESTORE_STAGING_DIR"
  log "error: not restoring: $*; this container does nothing until the pod is recreated and does not retry"
  stay_refused
}

# Sets newest to the newest complete backup file in RESTORE_DIR of the cluster
# RESTORE_CLUSTER (its file prefix and its manifest's cluster), or of any cluster when
# that is empty: named <prefix>-<UTC time>.tar[.zst|.gz], with a manifest
# <prefix>-<UTC time>.json that records its size. Sets clusters to the prefixes of the
# complete backups found, space-separated.
newest_complete_backup() {
  local path name stem prefix stamp manifest bytes newest_stamp=''
  newest='' clusters=' '
  for path in "$RESTORE_DIR"/*.tar "$RESTORE_DIR"/*.tar.zst "$RESTORE_DIR"/*.tar.gz; do
    name=${path##*/}
    [[ -f $path && $name =~ ^((.+)-([0-9]{8}T[0-9]{6}Z))\.tar(\.zst|\.gz)?$ ]] || continue
    stem=${BASH_REMATCH[1]} prefix=${BASH_REMATCH[2]} stamp=${BASH_REMATCH[3]}
    manifest="$RESTORE_DIR/$stem.json"
    [[ -f $manifest ]] || continue
    manifest=$(<"$manifest")
    bytes=$(manifest_field "$manifest" bytes)
    [[ $bytes == "$(stat -c %s -- "$path")" ]] || continue
    if [[ -n $RESTORE_CLUSTER ]]; then
      [[ $prefix == "$RESTORE_CLUSTER" && $(manifest_field "$manifest" cluster) == "$RESTORE_CLUSTER" ]] || continue
    fi
    [[ $clusters == *" $prefix "* ]] || clusters+="$prefix "
    if [[ -z $newest || $stamp > $newest_stamp || ($stamp == "$newest_stamp" && $name > $newest) ]]; then
      newest=$name newest_stamp=$stamp
    fi
  done
  clusters=${clusters# } clusters=${clusters% }
}

# Restores the primary's empty data directory from a backup file (see the header).
restore_from_backup() {
  : "${BACKUP_ENGINE:?}" "${BACKUP_FILE_COMPRESSION:?}" "${RESTORE_CLUSTER?}"
  RESTORE_STAGING_DIR="$DATA_ROOT/.restore-in-progress"
  local file=${RESTORE_FILE:-} path stem manifest_path manifest format engine bytes sha256 size actual started=$SECONDS
  local decompressor=() unpacked_by newest clusters other
  local entries
  # A restore starts a new history; into a cluster whose other members run, it would fork
  # it. On a new cluster, member 1 does not exist before this one is Ready (OrderedReady).
  other=$(member_host $((ordinal == 0 ? 1 : 0)))
  if resolves "$other"; then
    refuse_restore "other members of this cluster exist ($other resolves); a restore into a running cluster would fork its history. Remove \`restore\` from the cluster, or delete the whole cluster and its claims first"
  fi
  if [[ -n $RESTORE_CLUSTER && ! $RESTORE_CLUSTER =~ ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$ ]]; then
    refuse_restore "RESTORE_CLUSTER '$RESTORE_CLUSTER' is not a cluster's name (a DNS label)"
  fi
  entries=$(
    shopt -s nullglob dotglob
    names=("$datadir"/*)
    ((${#names[@]} == 0)) || printf '%s ' "${names[@]##*/}"
  )
  if [[ -n $entries ]]; then
    refuse_restore "the data directory $datadir is not empty but holds no database (it holds: ${entries% }); it is never overwritten: empty it, or delete the claim, to restore"
  fi
  if [[ -z $file ]]; then
    newest_complete_backup
    if [[ -z $newest && -n $RESTORE_CLUSTER ]]; then
      refuse_restore "$RESTORE_DIR holds no complete backup of the cluster $RESTORE_CLUSTER (a $RESTORE_CLUSTER-<YYYYmmddTHHMMSSZ>.tar[.zst|.gz] file with its .json manifest, whose cluster is $RESTORE_CLUSTER)"
    fi
    [[ -n $newest ]] || refuse_restore "$RESTORE_DIR holds no complete backup (a <name>-<YYYYmmddTHHMMSSZ>.tar[.zst|.gz] file with its .json manifest)"
    if [[ $clusters == *' '* ]]; then
      refuse_restore "the claim holds backups of several clusters (${clusters// /, }); set restore.cluster or restore.file"
    fi
    file=$newest
    log "restoring the newest complete backup in $RESTORE_DIR: $file"
  fi
  if [[ ! $file =~ ^([A-Za-z0-9][A-Za-z0-9._-]*)\.tar(\.zst|\.gz)?$ ]]; then
    refuse_restore "RESTORE_FILE '$file' is not the name of a backup file (<name>.tar, .tar.zst or .tar.gz, no directory)"
  fi
  stem=${BASH_REMATCH[1]}
  path="$RESTORE_DIR/$file"
  manifest_path="$RESTORE_DIR/$stem.json"
  [[ -f $path ]] || refuse_restore "the backup file $path does not exist"
  [[ -f $manifest_path ]] || refuse_restore "$file is incomplete: it has no manifest $stem.json (a backup whose run did not finish)"
  if [[ ! -r $path || ! -r $manifest_path ]]; then
    refuse_restore "cannot read $file or its manifest as uid $(id -u): backup files must be readable by the server's user (the backup job writes them as uid $(id -u), mode 0600); fix their owner, e.g. chown 999:999"
  fi
  manifest=$(<"$manifest_path")
  format=$(manifest_field "$manifest" format)
  engine=$(manifest_field "$manifest" engine)
  bytes=$(manifest_field "$manifest" bytes)
  sha256=$(manifest_field "$manifest" sha256)
  if [[ $format != 1 || ! $bytes =~ ^[0-9]+$ || ! $sha256 =~ ^[0-9a-f]{64}$ || -z $engine ]]; then
    refuse_restore "the manifest $manifest_path is not a backup manifest of format 1 with engine, bytes and sha256"
  fi
  if [[ $(manifest_field "$manifest" file) != "$file" ]]; then
    refuse_restore "the manifest $manifest_path describes '$(manifest_field "$manifest" file)', not $file"
  fi
  if [[ -n $RESTORE_CLUSTER && $(manifest_field "$manifest" cluster) != "$RESTORE_CLUSTER" ]]; then
    refuse_restore "$file is a backup of the cluster '$(manifest_field "$manifest" cluster)' (its manifest says), not of $RESTORE_CLUSTER (restore.cluster)"
  fi
  if [[ $engine != "$BACKUP_ENGINE" ]]; then
    refuse_restore "$file is a backup of $engine, and this cluster runs $BACKUP_ENGINE (a physical backup only starts the server flavor and release series it was taken from)"
  fi
  size=$(stat -c %s -- "$path")
  if [[ $size != "$bytes" ]]; then
    refuse_restore "$file is incomplete or damaged: it has $size bytes, and its manifest records $bytes"
  fi
  # The image's file compression (the same as backup-job.sh's) and no compression are
  # what this container can unpack.
  case $BACKUP_FILE_COMPRESSION in
    zstd) [[ $file == *.tar.zst ]] && decompressor=(zstd --quiet --decompress --stdout) ;;
    gzip) [[ $file == *.tar.gz ]] && decompressor=(gzip --decompress --stdout) ;;
    none) ;;
    *) die "BACKUP_FILE_COMPRESSION must be zstd, gzip or none (got '$BACKUP_FILE_COMPRESSION')" ;;
  esac
  unpacked_by=${decompressor[0]:-tar}
  if [[ $file != *.tar && ${#decompressor[@]} -eq 0 ]]; then
    refuse_restore "$file is compressed with ${file##*.tar.}, which this backup image cannot unpack (it unpacks ${BACKUP_FILE_COMPRESSION/none/uncompressed} files)"
  fi
  log "checking the SHA-256 of $file ($size bytes)"
  actual=$(sha256sum -- "$path")
  actual=${actual%% *}
  if [[ $actual != "$sha256" ]]; then
    refuse_restore "$file is corrupt: its SHA-256 is $actual, and its manifest records $sha256"
  fi
  rm -rf "$RESTORE_STAGING_DIR"
  mkdir -p "$RESTORE_STAGING_DIR"
  log "unpacking $file into $RESTORE_STAGING_DIR"
  if ! run_interruptibly unpack_backup_file "$path" "$RESTORE_STAGING_DIR" "${decompressor[@]}"; then
    refuse_restore "unpacking $file failed (see the $unpacked_by or tar messages above; is the data volume full?)"
  fi
  local kind
  for kind in checkpoints info; do
    if ! backup_metadata "$RESTORE_STAGING_DIR" "$kind" >/dev/null; then
      refuse_restore "$file holds no backup: no $kind metadata file (xtrabackup_$kind or mariadb_backup_$kind)"
    fi
  done
  if ! backup_is_prepared "$RESTORE_STAGING_DIR"; then
    log "preparing the backup"
    prepare "$RESTORE_STAGING_DIR" || refuse_restore "preparing the backup of $file failed (see the $BACKUP_TOOL messages above)"
  fi
  # What the sidecar needs to continue the GTID history; the backup's coordinate files
  # are kept as *.restored, so that nothing takes them for a fresh clone's.
  # shellcheck disable=SC2034 # set by read_backup_coordinates; only gtid is used here
  local gtid log_file log_pos coordinates_from file_kind metadata
  gtid=''
  read_backup_coordinates "$RESTORE_STAGING_DIR" || true
  if [[ ! $gtid =~ ^[0-9A-Za-z:,-]*$ ]]; then
    refuse_restore "$file records a malformed GTID set '$gtid'"
  fi
  printf '%s\n' "$gtid" >"$RESTORE_STAGING_DIR/$RESTORE_CONTINUE_FILE"
  for file_kind in slave_info binlog_info; do
    if metadata=$(backup_metadata "$RESTORE_STAGING_DIR" "$file_kind"); then
      mv "$metadata" "$metadata.restored"
    fi
  done
  cp "$manifest_path" "$RESTORE_STAGING_DIR/restored-from-backup.json"
  sync
  rm -rf "$datadir"
  mv "$RESTORE_STAGING_DIR" "$datadir"
  sync
  log "data directory $datadir restored from $file in $((SECONDS - started))s (GTID position '${gtid}')"
}

# Unpacks the backup file $1 into directory $2, decompressed by the command that
# follows, if any.
unpack_backup_file() {
  local path=$1 dir=$2
  shift 2
  if (($#)); then
    "$@" <"$path" | tar -x -f - -C "$dir"
  else
    tar -x -f "$path" -C "$dir"
  fi
}

# Applies the redo log of the backup in directory $1 (makes it consistent).
prepare() {
  local prepare_args=(--prepare --target-dir="$1")
  if [[ -n ${PREPARE_MEMORY:-} ]]; then
    prepare_args+=(--use-memory="$PREPARE_MEMORY")
  fi
  run_interruptibly "$BACKUP_TOOL" "${prepare_args[@]}"
}
export CLONE_STAGING_DIR="$DATA_ROOT/.clone-in-progress"
retry_seconds=${RETRY_SECONDS:-5}

if [[ -d $datadir/mysql ]]; then
  if [[ -n ${RESTORE_DIR:-} ]] && is_primary; then
    log "data directory $datadir already holds a database; not restoring (a restore only fills an empty data directory)"
  else
    log "data directory $datadir already holds a database; nothing to clone"
  fi
  exit 0
fi
if is_primary; then
  if [[ -n ${RESTORE_DIR:-} ]]; then
    restore_from_backup
    exit 0
  fi
  log "primary with an empty data directory: the server initializes it"
  exit 0
fi
# A clone with a password that replication cannot use would only lead to a replica that
# never replicates; and the source's sidecar, which refuses the same password, does not
# serve backups, so every attempt would fail. Stop here, once (see common.sh).
refuse_unusable_replication_password
# Each replica clones from the member before it, which is Ready (OrderedReady) and the
# least likely to be busy serving another clone.
CLONE_SOURCE_HOST=$(member_host $((ordinal - 1)))
export CLONE_SOURCE_HOST

# One attempt: a fresh staging directory filled from the source. Runs as an `until`
# condition, where `set -e` is off: every step checks its status.
receive_backup() {
  rm -rf "$CLONE_STAGING_DIR" && mkdir -p "$CLONE_STAGING_DIR" || return 1
  log "receiving a backup from $CLONE_SOURCE_HOST:$BACKUP_PORT"
  local started=$SECONDS problem
  # socat connects, then becomes receive-backup.sh (nofork) with the connection as its
  # standard input and output; keepalive notices a source that vanished mid-stream.
  run_interruptibly socat -b 131072 \
    "TCP4:$CLONE_SOURCE_HOST:$BACKUP_PORT,connect-timeout=10,keepalive,keepidle=30,keepintvl=10,keepcnt=3" \
    "EXEC:bash $script_dir/receive-backup.sh,nofork" || return 1
  # The source ends a complete stream with a marker; the backup tool writes its
  # metadata near the end. Without them the stream was cut short.
  problem=$(received_backup_problem "$CLONE_STAGING_DIR" "$CLONE_SOURCE_HOST")
  if [[ -n $problem ]]; then
    log "$problem"
    return 1
  fi
  log "received in $((SECONDS - started))s; preparing"
}

until receive_backup; do
  log "no complete backup yet; retrying in ${retry_seconds}s"
  pause "$retry_seconds"
done

started=$SECONDS
prepare "$CLONE_STAGING_DIR"
log "prepared in $((SECONDS - started))s"

sync
rm -rf "$datadir"
mv "$CLONE_STAGING_DIR" "$datadir"
sync
log "data directory $datadir is ready"
