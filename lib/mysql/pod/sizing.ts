import { Duration, Size } from 'cdk8s';
import { optionalPlainObject, requireDuration, requireInteger } from '../../internal/validate';
import { EngineFamily, MySqlEngine } from '../engine/engine';
import { ServerSizingOptions } from '../stateful-mysql-props';

/**
 * The server's memory settings, derived from its container's memory limit, and the
 * binary log's retention. The model (documented in the README, "Sizing"):
 *
 *   limit >= buffer pool + FIXED_OVERHEAD + max_connections x PER_CONNECTION
 *
 * - FIXED_OVERHEAD, 256 MiB: what the server holds besides the buffer pool and the
 *   connections: the InnoDB log buffer (16 MiB), dictionary and table caches, background
 *   threads, MySQL's performance_schema (on by default, allocated as it is used), the
 *   allocator's slack. An idle MariaDB 10.11 with an untouched 128 MiB pool measured
 *   ~100 MiB of RSS here.
 * - PER_CONNECTION, 4 MiB: one busy connection's buffers at their defaults: MariaDB's
 *   sort buffer (2 MiB), join (256 KiB), read (128 KiB) and random-read (256 KiB) buffers
 *   and thread stack (292 KiB); MySQL 8's 1 MiB stack and 256 KiB buffers. Idle
 *   connections cost far less (50 sleeping ones added ~4 MiB of RSS here); a query
 *   with large temporary tables costs more, which the overhead's slack absorbs.
 */
const MIB = 1024 * 1024;
const FIXED_OVERHEAD = 256 * MIB;
const PER_CONNECTION = 4 * MIB;
/** InnoDB sizes its buffer pool in chunks of 128 MiB (innodb_buffer_pool_chunk_size). */
const CHUNK = 128 * MIB;
/**
 * Half the memory limit for the buffer pool by default: with 2 GiB (the default limit)
 * that is 1 GiB of pool and room for 192 busy connections. MOCO gives ~70%, which leaves
 * too little for the connections and performance_schema under small limits; raise the
 * fraction for large limits with few connections.
 */
const DEFAULT_FRACTION = 0.5;
/** The servers' own default, kept while it fits. */
const DEFAULT_MAX_CONNECTIONS = 151;
/** Fewer connections than this cannot serve the scripts, the probes and an application. */
const MIN_CONNECTIONS = 10;
const DEFAULT_BINLOG_RETENTION = Duration.days(7);

function mib(bytes: number): string {
  return `${Math.ceil(bytes / MIB)} MiB`;
}

/** The `[mysqld]` settings of {@link ServerSizingOptions} for a server with this memory limit. */
export function sizingSettings(engine: MySqlEngine, memoryLimit: Size, options: ServerSizingOptions | undefined): Record<string, string> {
  optionalPlainObject('sizing', options);
  const limit = memoryLimit.toKibibytes() * 1024;
  const fraction = options?.bufferPoolFraction ?? DEFAULT_FRACTION;
  if (typeof fraction !== 'number' || !(fraction >= 0.1 && fraction <= 0.9)) {
    throw new Error(`sizing.bufferPoolFraction must be a number between 0.1 and 0.9 of the server's memory limit (got ${String(fraction)})`);
  }
  // MySQL splits pools of 1 GiB and more into instances (at most 8), and rounds the size up
  // to a multiple of chunk x instances: round down here, so the pool never outgrows its share.
  const mysql = engine.family === EngineFamily.MYSQL;
  const wanted = Math.floor(limit * fraction);
  const instances = mysql ? Math.min(8, Math.max(1, Math.floor(wanted / (1024 * MIB)))) : 1;
  const pool = Math.floor(wanted / (CHUNK * instances)) * CHUNK * instances;
  const connections = Math.max(options?.maxConnections ?? MIN_CONNECTIONS, MIN_CONNECTIONS);
  // The pool grows with the limit: L >= f·L + overhead + connections, and f·L >= one chunk.
  const smallestLimit = Math.max(Math.ceil(CHUNK / fraction), Math.ceil((FIXED_OVERHEAD + connections * PER_CONNECTION) / (1 - fraction)));
  const tooSmall = (why: string) => new Error(`resources.server.memoryLimit ${memoryLimit.asString()} is too small: ${why}; give the server at least ${mib(smallestLimit)}, or change sizing.bufferPoolFraction (${fraction}) or sizing.maxConnections`);
  if (pool < CHUNK) {
    throw tooSmall(`${fraction} of it is ${mib(wanted)}, below the smallest buffer pool (${mib(CHUNK)})`);
  }
  const room = limit - pool - FIXED_OVERHEAD;
  const fits = Math.floor(room / PER_CONNECTION);
  const maxConnections = options?.maxConnections === undefined
    ? Math.min(DEFAULT_MAX_CONNECTIONS, fits)
    : requireInteger('sizing.maxConnections', options.maxConnections, MIN_CONNECTIONS, 100000);
  if (maxConnections > fits || fits < MIN_CONNECTIONS) {
    throw tooSmall(`a ${mib(pool)} buffer pool, ${mib(FIXED_OVERHEAD)} for the server itself and ${maxConnections < MIN_CONNECTIONS ? MIN_CONNECTIONS : maxConnections} connections at ${mib(PER_CONNECTION)} need ${mib(pool + FIXED_OVERHEAD + Math.max(maxConnections, MIN_CONNECTIONS) * PER_CONNECTION)}, and only ${fits} connections fit`);
  }

  const retention = requireDuration('sizing.binlogRetention', options?.binlogRetention ?? DEFAULT_BINLOG_RETENTION);
  const retentionSeconds = retention.toSeconds();
  const settings: Record<string, string> = {
    innodb_buffer_pool_size: String(pool),
    ...(mysql ? { innodb_buffer_pool_instances: String(instances) } : {}),
    max_connections: String(maxConnections),
  };
  if (engine.version === '5.7') {
    const days = retentionSeconds / 86400;
    if (!Number.isInteger(days) || days < 1 || days > 99) {
      throw new Error(`sizing.binlogRetention must be whole days between 1 and 99 on MySQL 5.7 (expire_logs_days) (got ${retention.toHumanString()})`);
    }
    settings.expire_logs_days = String(days);
  } else {
    requireInteger('sizing.binlogRetention in seconds', retentionSeconds, 3600, 4294967295);
    settings.binlog_expire_logs_seconds = String(retentionSeconds);
  }
  return settings;
}
