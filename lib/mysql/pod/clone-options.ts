import { Duration, Size } from 'cdk8s';
import { requireDuration, requireEnum, requireInteger, requireSize } from '../../internal/validate';
import { imageCommands } from '../engine/image-inventory';
import { CloneCompression, CloneOptions, ContainerResources } from '../stateful-mysql-props';

/** Defaults of {@link CloneOptions}, chosen from the bootstrap benchmark (BENCHMARKS.md). */
const CLONE_DEFAULTS = {
  parallelThreads: 4,
  compression: CloneCompression.NONE,
  prepareMemory: Size.mebibytes(256),
  maxSourceLag: Duration.minutes(1),
} as const;

/**
 * mariadb-backup checks for new redo log every `--log-copy-interval` ms (1000 by
 * default) and waits for such a check twice at the end of every backup: 100 ms takes
 * ~1 s off every clone (BENCHMARKS.md). Not passed to Percona XtraBackup, whose redo
 * copying differs and was not measured.
 */
export const MARIADB_BACKUP_LOG_COPY_INTERVAL_MS = 100;

/** Clone options as the scripts receive them (see clone-data.sh, stream-backup.sh). */
export interface ResolvedCloneOptions {
  /** CLONE_PARALLEL */
  readonly parallelThreads: number;
  /** CLONE_COMPRESSION */
  readonly compression: CloneCompression;
  /** PREPARE_MEMORY, in the backup tool's syntax (`256M`). */
  readonly prepareMemory: string;
  /** CLONE_SOURCE_MAX_LAG_SECONDS */
  readonly maxSourceLagSeconds: number;
}

/**
 * Validates {@link CloneOptions} against each other and the clone container's memory
 * limit, and fills in the defaults.
 */
export function resolveCloneOptions(clone: CloneOptions, cloneContainer: ContainerResources, backupImage: string): ResolvedCloneOptions {
  const parallelThreads = requireInteger('clone.parallelThreads', clone.parallelThreads ?? CLONE_DEFAULTS.parallelThreads, 1, 64);
  const compression = requireEnum('clone.compression', clone.compression ?? CLONE_DEFAULTS.compression, CloneCompression);
  const shipped = imageCommands(backupImage);
  if (compression !== CloneCompression.NONE && shipped && !shipped.includes(compression)) {
    throw new Error(`clone.compression ${compression.toUpperCase()} needs the ${compression} command in the backup image, and ${backupImage} does not ship it (see lib/mysql/engine/image-inventory.ts); choose another compression or a backup image with ${compression} (got "${compression}")`);
  }
  const prepareMemory = requireSize('clone.prepareMemory', clone.prepareMemory ?? CLONE_DEFAULTS.prepareMemory);
  const prepareMiB = prepareMemory.toKibibytes() / 1024;
  if (!Number.isInteger(prepareMiB) || prepareMiB < 16) {
    throw new Error(`clone.prepareMemory must be a whole number of mebibytes, at least Size.mebibytes(16) (got ${prepareMemory.asString()})`);
  }
  const limit = cloneContainer.memoryLimit;
  if (limit && prepareMemory.toKibibytes() >= limit.toKibibytes()) {
    throw new Error(`clone.prepareMemory must be below the clone container's memory limit (resources.sidecar.memoryLimit ${limit.asString()}), or the prepare is OOM-killed (got ${prepareMemory.asString()})`);
  }
  const lag = requireDuration('clone.maxSourceLag', clone.maxSourceLag ?? CLONE_DEFAULTS.maxSourceLag);
  const lagSeconds = lag.toMilliseconds() / 1000;
  if (!Number.isInteger(lagSeconds) || lagSeconds < 0) {
    throw new Error(`clone.maxSourceLag must be a whole number of seconds, 0 or more (got ${lag.toHumanString()})`);
  }
  return { parallelThreads, compression, prepareMemory: `${prepareMiB}M`, maxSourceLagSeconds: lagSeconds };
}
