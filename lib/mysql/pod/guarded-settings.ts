import { BACKUP_PORT, MYSQL_PORT } from './ports';

/**
 * Server settings that replication, the scripts or the cluster's safety depend on. They
 * belong to the library: a user's `commonSettings`, `primarySettings` or
 * `replicaSettings` may not name them, in any of the spellings the server accepts.
 * Each entry says why, and the error shows it.
 */

/** Which of the user's setting maps a guarded setting is refused in. */
type SettingsRole = 'common' | 'primary' | 'replica';

interface GuardedSetting {
  /** Option names, normalised (lower case, `_` for `-`). */
  readonly names: readonly string[];
  /** Why the library owns it. */
  readonly reason: string;
  /** Refused only in these maps; every map when absent. */
  readonly roles?: readonly SettingsRole[];
}

export const GUARDED_SETTINGS: readonly GuardedSetting[] = [
  { names: ['server_id'], reason: 'each member\'s server id is set from its ordinal (serverIdOffset); two members with one id break replication' },
  { names: ['read_only', 'super_read_only', 'innodb_read_only'], reason: 'the library makes the primary writable and every replica read-only; changing it makes replicas writable (they diverge) or the primary refuse writes' },
  { names: ['gtid_mode', 'enforce_gtid_consistency', 'gtid_strict_mode'], reason: 'replication positions replicas by GTID; the engine\'s GTID settings are required (replicationMode chooses GTID or binary log positions)' },
  { names: ['log_bin', 'log_slave_updates', 'log_replica_updates'], reason: 'every member keeps a binary log with the replicated transactions, so that any member can be cloned or promoted' },
  { names: ['relay_log_recovery', 'master_info_repository', 'relay_log_info_repository'], reason: 'they keep replication crash-safe' },
  { names: ['skip_slave_start', 'skip_replica_start'], reason: 'the replication sidecar starts replication once the member is configured' },
  {
    names: [
      'slave_parallel_threads', 'slave_parallel_mode', 'slave_parallel_workers', 'slave_parallel_type', 'slave_preserve_commit_order',
      'replica_parallel_workers', 'replica_parallel_type', 'replica_preserve_commit_order',
    ],
    reason: 'the parallel appliers are set by replicaApplierThreads, which renders the right names for each engine',
  },
  { names: ['port'], reason: `the database port is ${MYSQL_PORT}; the probes, Services, NetworkPolicy and replication use it` },
  { names: ['bind_address', 'skip_networking'], reason: 'members must listen on the pod network for replication, clients and the clone channel' },
  { names: ['skip_grant_tables'], reason: 'it switches authentication off: anyone reaching the database port would be root' },
  { names: ['skip_name_resolve'], reason: 'accounts are matched by address; with name resolution, pod IPs would be resolved and matched by name' },
  { names: ['datadir'], reason: 'the data directory is the member\'s volume; elsewhere the data would be lost with the container' },
  {
    names: ['innodb_buffer_pool_size', 'innodb_buffer_pool_instances', 'max_connections', 'binlog_expire_logs_seconds', 'expire_logs_days'],
    reason: 'set from the server\'s memory limit by sizing (bufferPoolFraction, maxConnections, binlogRetention), so that they fit in it',
  },
  {
    names: ['ssl_cert', 'ssl_key', 'ssl_ca', 'ssl_capath', 'require_secure_transport'],
    reason: 'TLS is set by tls (the certificate Secret, requireSecureTransport), which also makes replication and the scripts use it',
  },
  { names: ['event_scheduler'], reason: 'events copied from the primary would fail on a read-only replica, or run twice', roles: ['replica', 'common'] },
];

/** Real option names that are a proper prefix of a guarded name, so not abbreviations of it. */
const FULL_NAMES_NOT_ABBREVIATIONS = new Set(['relay_log', 'log', 'mysqlx', 'innodb', 'ssl', 'ssl_cipher', 'ssl_crl', 'ssl_crlpath']);

/** Prefixes the server strips from an option name: `loose-x`, `skip-x` (x = OFF), `enable-x`, `disable-x`, `maximum-x`. */
const LOOSE_PREFIX = 'loose_';
const MODIFIER_PREFIXES = ['skip_', 'enable_', 'disable_', 'maximum_'];

/**
 * sql_mode values that change how string literals and identifiers are quoted:
 * `NO_BACKSLASH_ESCAPES` makes `\` an ordinary character, `ANSI_QUOTES` makes `"` quote
 * identifiers, and the combination modes that include `ANSI_QUOTES`.
 */
export const QUOTING_SQL_MODES = ['NO_BACKSLASH_ESCAPES', 'ANSI_QUOTES', 'ANSI', 'DB2', 'MAXDB', 'MSSQL', 'ORACLE', 'POSTGRESQL'];

/** The library's other listeners, which no setting may move a server port onto. */
const PORTS_IN_USE: Readonly<Record<string, string>> = { [MYSQL_PORT]: 'the database port', [BACKUP_PORT]: 'the clone channel (backup port)' };
const EXTRA_PORT_SETTINGS = ['mysqlx_port', 'admin_port', 'extra_port'];

/** The names the server may read `name` as: itself, and itself without a modifier prefix. */
function candidateNames(name: string): string[] {
  let base = name.toLowerCase().replace(/-/g, '_');
  while (base.startsWith(LOOSE_PREFIX)) {
    base = base.slice(LOOSE_PREFIX.length);
  }
  const candidates = [base];
  for (const prefix of MODIFIER_PREFIXES) {
    if (base.startsWith(prefix) && base.length > prefix.length) {
      candidates.push(base.slice(prefix.length));
    }
  }
  return candidates;
}

/**
 * The guarded setting `name` stands for, in any spelling: `-` or `_`, upper case, the
 * `loose-`, `skip-`, `enable-`, `disable-` and `maximum-` prefixes, and (MariaDB reads
 * them) unique abbreviations such as `skip-grant`.
 */
function guardedSettingOf(name: string, role: SettingsRole): { name: string; reason: string } | undefined {
  for (const candidate of candidateNames(name)) {
    for (const guarded of GUARDED_SETTINGS) {
      if (guarded.roles && !guarded.roles.includes(role)) {
        continue;
      }
      const match = guarded.names.find(g => g === candidate
        || (g.startsWith(candidate) && !FULL_NAMES_NOT_ABBREVIATIONS.has(candidate)));
      if (match) {
        return { name: match, reason: guarded.reason };
      }
    }
  }
  return undefined;
}

/** True when the server may read `name` as the option `option` (its name, a prefix, or an abbreviation). */
function readAs(name: string, option: string): boolean {
  return candidateNames(name).some(candidate => option.startsWith(candidate) && !FULL_NAMES_NOT_ABBREVIATIONS.has(candidate));
}

/**
 * Throws if the user's setting `name = value` (in the map `what`, for `role`) is one the
 * library owns, or a value that would break the scripts or another listener.
 */
export function refuseGuardedSetting(what: string, role: SettingsRole, name: string, value: string): void {
  const guarded = guardedSettingOf(name, role);
  if (guarded) {
    const spelled = guarded.name === name ? '' : ` (read by the server as ${guarded.name})`;
    throw new Error(`${what}: "${name}"${spelled} is set by the library and may not be overridden: ${guarded.reason}`);
  }
  if (readAs(name, 'sql_mode')) {
    const modes = value.split(',').map(mode => mode.trim().toUpperCase());
    const quoting = modes.find(mode => QUOTING_SQL_MODES.includes(mode));
    if (quoting) {
      throw new Error(`${what}: sql_mode "${value}" includes ${quoting}, which changes how SQL strings are quoted; the library's scripts and your clients' escaping rely on the default quoting. Expected a sql_mode without ${QUOTING_SQL_MODES.join(', ')}`);
    }
  }
  if (EXTRA_PORT_SETTINGS.some(port => readAs(name, port)) && PORTS_IN_USE[value.trim()]) {
    throw new Error(`${what}: ${name} = ${value} collides with ${PORTS_IN_USE[value.trim()]}; choose another port`);
  }
}
