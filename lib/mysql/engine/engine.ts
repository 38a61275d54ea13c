import { optionalPlainObject, requireImageReference } from '../../internal/validate';
/**
 * Database engine flavors. Everything that differs between MySQL and MariaDB
 * releases — images, tool names, the replication SQL dialect, the entrypoint's
 * environment variables and the engine-specific server settings — lives here, so the
 * constructs and the scripts stay identical for every flavor.
 */

/** The two server families the library knows. */
export enum EngineFamily {
  /** Oracle MySQL (official `mysql` image); physical backups with Percona XtraBackup. */
  MYSQL = 'mysql',
  /** MariaDB (official `mariadb` image); physical backups with mariadb-backup. */
  MARIADB = 'mariadb',
}

/**
 * The replication SQL a server accepts; the engine renders its statements
 * (`replication-sql.ts`), and the scripts never see it.
 *
 * MySQL 8.0.23 introduced `CHANGE REPLICATION SOURCE TO` / `START REPLICA`, 8.2 added
 * `RESET BINARY LOGS AND GTIDS`, and 8.4 removed `CHANGE MASTER TO` / `START SLAVE` /
 * `RESET MASTER`; MySQL 5.7 and MariaDB use the old forms, MariaDB with its own GTIDs.
 */
export enum ReplicationSqlDialect {
  /** MariaDB: `CHANGE MASTER TO … MASTER_USE_GTID = slave_pos`, `gtid_slave_pos`. */
  MARIADB = 'mariadb',
  /** MySQL 5.7: `CHANGE MASTER TO … MASTER_AUTO_POSITION = 1`, `START SLAVE`, `RESET MASTER`. */
  MYSQL_57 = 'mysql-5.7',
  /** MySQL 8.0: `CHANGE REPLICATION SOURCE TO`, `START REPLICA`, `RESET MASTER`. */
  MYSQL_80 = 'mysql-8.0',
  /** MySQL 8.4: `CHANGE REPLICATION SOURCE TO`, `START REPLICA`, `RESET BINARY LOGS AND GTIDS`. */
  MYSQL_84 = 'mysql-8.4',
}

/** Command names inside the images. */
export interface EngineTools {
  /** SQL client (`mysql` or `mariadb`). */
  readonly client: string;
  /** Admin client used by the liveness probe (`mysqladmin` or `mariadb-admin`). */
  readonly admin: string;
  /** Physical backup tool (`xtrabackup` or `mariadb-backup`). */
  readonly backup: string;
  /** Unpacker for the backup stream (`xbstream` or `mbstream`). */
  readonly stream: string;
}

/** Options common to every engine flavor. */
export interface EngineOptions {
  /**
   * Image of the database server container (also runs the config init container, the
   * readiness probe and, when asked for, the volume ownership init container). It must
   * be the official image of the flavor's release, or one built from it: the pod
   * relies on its entrypoint and on `bash`, coreutils and the SQL and admin clients.
   * @default - the flavor's pinned official image
   */
  readonly serverImage?: string;
  /**
   * Image of the clone init container and the replication sidecar. It must provide
   * `bash`, coreutils (`sha256sum`, `od`, `mktemp`, `sync`, …), `socat`, the flavor's SQL
   * client and its backup and stream tools in a release that can back up the server
   * (see the README's compatibility table), and `zstd` or `lz4` when the clone stream
   * is compressed with them.
   * @default - MySQL: the pinned Percona XtraBackup image of the release; MariaDB: the server image
   */
  readonly backupImage?: string;
}

interface EngineDefinition {
  readonly family: EngineFamily;
  readonly version: string;
  readonly serverImage: string;
  /** Undefined: the server image, which ships the backup tool. */
  readonly backupImage?: string;
  readonly tools: EngineTools;
  readonly dialect: ReplicationSqlDialect;
}

const MYSQL_TOOLS: EngineTools = { client: 'mysql', admin: 'mysqladmin', backup: 'xtrabackup', stream: 'xbstream' };
const MARIADB_TOOLS: EngineTools = { client: 'mariadb', admin: 'mariadb-admin', backup: 'mariadb-backup', stream: 'mbstream' };

/** The version numbers in an image tag such as `mysql:8.0.46` or `percona/percona-xtrabackup:8.0.35-34.1`. */
interface ImageVersion {
  readonly repository: string;
  readonly major: number;
  readonly minor: number;
  readonly patch?: number;
}

/** Reads `<repository>:<major>.<minor>[.<patch>][-…]`; undefined for a digest or another tag. */
function imageVersion(image: string): ImageVersion | undefined {
  const colon = image.lastIndexOf(':');
  if (colon < 0 || image.includes('@')) return undefined;
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?(?:[-_.][\w.-]*)?$/.exec(image.slice(colon + 1));
  if (!match) return undefined;
  const repository = image.slice(0, colon).split('/').pop()!;
  return { repository, major: Number(match[1]), minor: Number(match[2]), patch: match[3] === undefined ? undefined : Number(match[3]) };
}

/**
 * A database engine flavor: which server runs, with which tools and SQL. Every flavor
 * pins exact image releases; every pinned image's commands are listed, with the build
 * file line each comes from, in `lib/mysql/engine/image-inventory.ts`.
 *
 * @example
 * new StatefulMySQL(chart, 'db', { engine: MySqlEngine.mariadb1011() });
 */
export class MySqlEngine {
  /** MySQL 8.4 LTS with Percona XtraBackup 8.4. The default. */
  public static mysql84(options: EngineOptions = {}): MySqlEngine {
    return new MySqlEngine({
      family: EngineFamily.MYSQL,
      version: '8.4',
      serverImage: 'mysql:8.4.11',
      backupImage: 'percona/percona-xtrabackup:8.4.0-5.1',
      tools: MYSQL_TOOLS,
      dialect: ReplicationSqlDialect.MYSQL_84,
    }, options);
  }

  /** MySQL 8.0 with Percona XtraBackup 8.0. MySQL 8.0 reached its end of life in April 2026. */
  public static mysql80(options: EngineOptions = {}): MySqlEngine {
    return new MySqlEngine({
      family: EngineFamily.MYSQL,
      version: '8.0',
      serverImage: 'mysql:8.0.46',
      backupImage: 'percona/percona-xtrabackup:8.0.35-35.1',
      tools: MYSQL_TOOLS,
      dialect: ReplicationSqlDialect.MYSQL_80,
    }, options);
  }

  /**
   * MySQL 5.7 with Percona XtraBackup 2.4. End of life since October 2023: only as an
   * explicit legacy choice, for clusters that cannot move yet. Percona's own XtraBackup
   * 2.4 image ships neither socat nor a SQL client; Percona XtraDB Cluster 5.7's image
   * ships both with XtraBackup 2.4, and is the backup image (its cluster server never
   * runs: the containers run the library's scripts).
   */
  public static mysql57Legacy(options: EngineOptions = {}): MySqlEngine {
    return new MySqlEngine({
      family: EngineFamily.MYSQL,
      version: '5.7',
      serverImage: 'mysql:5.7.44',
      backupImage: 'percona/percona-xtradb-cluster:5.7.44-31.65',
      tools: MYSQL_TOOLS,
      dialect: ReplicationSqlDialect.MYSQL_57,
    }, options);
  }

  /** MariaDB 10.11 LTS; the official image ships mariadb-backup and mbstream, so it is also the backup image. */
  public static mariadb1011(options: EngineOptions = {}): MySqlEngine {
    return new MySqlEngine({
      family: EngineFamily.MARIADB,
      version: '10.11',
      serverImage: 'mariadb:10.11.19',
      tools: MARIADB_TOOLS,
      dialect: ReplicationSqlDialect.MARIADB,
    }, options);
  }

  /** MariaDB 11.4 LTS; the official image is also the backup image. */
  public static mariadb114(options: EngineOptions = {}): MySqlEngine {
    return new MySqlEngine({
      family: EngineFamily.MARIADB,
      version: '11.4',
      serverImage: 'mariadb:11.4.13',
      tools: MARIADB_TOOLS,
      dialect: ReplicationSqlDialect.MARIADB,
    }, options);
  }

  /** Server family. */
  public readonly family: EngineFamily;
  /** Major.minor version of the server, e.g. `8.4`. */
  public readonly version: string;
  /** Image of the server container. */
  public readonly serverImage: string;
  /** Image of the clone init container and the backup sidecar. */
  public readonly backupImage: string;
  /** Command names inside the images. */
  public readonly tools: EngineTools;
  /** Replication statement dialect. */
  public readonly dialect: ReplicationSqlDialect;

  private constructor(definition: EngineDefinition, options: EngineOptions) {
    optionalPlainObject('engine options', options);
    this.family = definition.family;
    this.version = definition.version;
    this.tools = definition.tools;
    this.dialect = definition.dialect;
    this.serverImage = requireImageReference('engine serverImage', options.serverImage ?? definition.serverImage);
    this.backupImage = requireImageReference('engine backupImage', options.backupImage ?? definition.backupImage ?? this.serverImage);
    this.requireCompatibleImages();
  }

  /**
   * Enforces, for every image whose tag names its release, which server and backup tool
   * releases work together:
   * - the server image runs the flavor's release (MySQL 8.0: 8.0.26 or later, the first
   *   with the `replica_*` settings and `CHANGE REPLICATION SOURCE`);
   * - MySQL 8.4: Percona XtraBackup 8.4.x, which backs up every 8.4.x server;
   * - MySQL 8.0: Percona XtraBackup 8.0.x, of the server's release or later, or 8.0.34
   *   or later for a server of 8.0.34 or later (from 8.0.34 on, XtraBackup backs up every
   *   later 8.0 release);
   * - MySQL 5.7: Percona XtraBackup 2.4 (or Percona XtraDB Cluster 5.7, which ships it);
   * - MariaDB: mariadb-backup of the server's own release (the backup image defaults to
   *   the server image);
   * - neither tool backs up the other family.
   * An image given by digest, or by a tag without a release, is taken as it is.
   */
  private requireCompatibleImages(): void {
    const server = imageVersion(this.serverImage);
    const isServer = server && ['mysql', 'mariadb'].includes(server.repository);
    if (isServer && (server.repository !== this.family || `${server.major}.${server.minor}` !== this.version)) {
      throw new Error(`serverImage for ${this.displayName} must run ${this.displayName}; pick the matching MySqlEngine flavor (got "${this.serverImage}")`);
    }
    if (isServer && this.version === '8.0' && server.patch !== undefined && server.patch < 26) {
      throw new Error(`serverImage for MySQL 8.0 must run 8.0.26 or later, the first release with the replica_* settings and CHANGE REPLICATION SOURCE (got "${this.serverImage}")`);
    }
    const image = this.backupImage;
    const backup = imageVersion(image);
    if (this.family === EngineFamily.MARIADB) {
      if (/percona-xtrabackup/.test(image)) {
        throw new Error(`backupImage for ${this.displayName} must provide mariadb-backup; Percona XtraBackup cannot back up MariaDB (got "${image}")`);
      }
      if (isServer && backup?.repository === 'mariadb' && !sameRelease(server, backup)) {
        throw new Error(`backupImage for ${this.displayName} must run the server's own mariadb-backup release ${releaseOf(server)} (got "${image}")`);
      }
      return;
    }
    const needed = this.version === '5.7' ? '2.4' : this.version;
    if (/(^|\/)mariadb(:|@|$)/.test(image)) {
      throw new Error(`backupImage for ${this.displayName} must provide Percona XtraBackup ${needed}; mariadb-backup cannot back up MySQL (got "${image}")`);
    }
    if (this.version === '5.7' && backup?.repository === 'percona-xtradb-cluster') {
      if (`${backup.major}.${backup.minor}` !== '5.7') {
        throw new Error(`backupImage for MySQL 5.7 must be Percona XtraDB Cluster 5.7, whose XtraBackup 2.4 backs up MySQL 5.7 (got "${image}")`);
      }
      return;
    }
    if (backup?.repository !== 'percona-xtrabackup') return;
    if (`${backup.major}.${backup.minor}` !== needed) {
      throw new Error(`backupImage for ${this.displayName} must be Percona XtraBackup ${needed}, the release that can back up this server (got "${image}")`);
    }
    if (this.version === '8.0' && isServer && server.patch !== undefined && backup.patch !== undefined
      && backup.patch < server.patch && !(backup.patch >= 34 && server.patch >= 34)) {
      throw new Error(`backupImage for ${this.serverImage} must be Percona XtraBackup 8.0.${server.patch} or later (8.0.34 or later backs up every 8.0 release from 8.0.34 on) (got "${image}")`);
    }
  }

  /** A human-readable name such as `MySQL 8.4`. */
  public get displayName(): string {
    return `${this.family === EngineFamily.MYSQL ? 'MySQL' : 'MariaDB'} ${this.version}`;
  }

  /**
   * Environment variables the official image's entrypoint reads to initialize an empty
   * data directory with a root password (the value comes from a Secret).
   */
  public get rootPasswordEnv(): string {
    return this.family === EngineFamily.MYSQL ? 'MYSQL_ROOT_PASSWORD' : 'MARIADB_ROOT_PASSWORD';
  }

  /**
   * Client options (option-file lines) that make the scripts' own connections over
   * 127.0.0.1 use TLS without checking the certificate's name, which is the members' and
   * the Services', not 127.0.0.1: MariaDB's `ssl` (and, since 11.4 verifies by default,
   * `skip-ssl-verify-server-cert`), MySQL's `ssl-mode=REQUIRED`.
   */
  public get localClientTlsOptions(): string[] {
    return this.family === EngineFamily.MARIADB ? ['ssl', 'skip-ssl-verify-server-cert'] : ['ssl-mode=REQUIRED'];
  }

  /**
   * The statement that makes a running server load its certificate files again, kept out
   * of the binary log: every member runs it itself, and on a replica a logged statement
   * would be a transaction of its own that the primary's next one collides with under
   * `gtid_strict_mode` (MariaDB logs `FLUSH SSL`; `NO_WRITE_TO_BINLOG` keeps it local).
   * `ALTER INSTANCE RELOAD TLS` (MySQL 8.0.16+) is never logged. Undefined where the
   * server cannot reload (MySQL 5.7: a renewed certificate takes a restart).
   */
  public get reloadTlsStatement(): string | undefined {
    if (this.family === EngineFamily.MARIADB) return 'FLUSH NO_WRITE_TO_BINLOG SSL';
    return this.version === '5.7' ? undefined : 'ALTER INSTANCE RELOAD TLS';
  }

  /**
   * Global privileges of the metrics exporter's account: what mysqld_exporter's default
   * collectors read (`SHOW GLOBAL STATUS` and `VARIABLES` need none; the replica status
   * needs `REPLICATION CLIENT`, on MariaDB 10.5.9 and later `SLAVE MONITOR`; the InnoDB
   * compression tables need `PROCESS`).
   */
  public get exporterPrivileges(): string {
    return this.family === EngineFamily.MARIADB ? 'PROCESS, REPLICATION CLIENT, SLAVE MONITOR' : 'PROCESS, REPLICATION CLIENT';
  }

  /**
   * The entrypoint's variable naming the host of the `root` account it creates besides
   * `root@localhost` (both official entrypoints default it to `%`, any address).
   */
  public get rootHostEnv(): string {
    return this.family === EngineFamily.MYSQL ? 'MYSQL_ROOT_HOST' : 'MARIADB_ROOT_HOST';
  }

  /**
   * Whether the server image's entrypoint escapes the root password before it pastes it
   * into SQL. The official MariaDB entrypoint does; the official MySQL entrypoint does
   * not, so a root password containing `'` or `\\` is refused before initialisation.
   */
  public get entrypointEscapesRootPassword(): boolean {
    return this.family === EngineFamily.MARIADB;
  }

  /**
   * The longest replication password, in bytes of UTF-8, that the server takes in
   * `CHANGE MASTER TO` / `CHANGE REPLICATION SOURCE TO`: MySQL refuses one longer than 32
   * bytes (error 3056, ER_CHANGE_SOURCE_PASSWORD_LENGTH, since 5.7.5); MariaDB refuses one
   * longer than 96 bytes (error 1470, "too long for MASTER_PASSWORD (should be no longer
   * than 96)", seen on 10.11). The scripts refuse a longer password once, at start
   * (`REPLICATION_PASSWORD_MAX_BYTES`), instead of failing CHANGE on every attempt.
   */
  public get replicationPasswordMaxBytes(): number {
    return this.family === EngineFamily.MYSQL ? 32 : 96;
  }

  /** The entrypoint's explicit opt-in for an empty root password. */
  public get allowEmptyPasswordEnv(): string {
    return this.family === EngineFamily.MYSQL ? 'MYSQL_ALLOW_EMPTY_PASSWORD' : 'MARIADB_ALLOW_EMPTY_ROOT_PASSWORD';
  }

  /**
   * Engine-specific server settings every member needs for GTID replication, added
   * to `common.cnf`: GTIDs, replica updates in the binary log (so any member can be
   * cloned or promoted) and crash-safe replication metadata.
   */
  public get gtidSettings(): Record<string, string> {
    if (this.family === EngineFamily.MARIADB) {
      return { log_slave_updates: 'ON', gtid_strict_mode: 'ON' };
    }
    const gtid = { gtid_mode: 'ON', enforce_gtid_consistency: 'ON' };
    return this.version === '5.7'
      ? { ...gtid, log_slave_updates: 'ON', master_info_repository: 'TABLE', relay_log_info_repository: 'TABLE' }
      : gtid;
  }

  /**
   * Settings for `replica.cnf` that make a replica apply replicated transactions with
   * `threads` parallel workers (0: one at a time in the SQL thread), committing them in
   * the primary's order so a replica never shows a state the primary never had.
   */
  public replicaApplierSettings(threads: number): Record<string, string> {
    if (this.family === EngineFamily.MARIADB) {
      return threads === 0
        ? { slave_parallel_threads: '0' }
        : { slave_parallel_threads: String(threads), slave_parallel_mode: 'optimistic' };
    }
    if (this.version === '5.7') {
      return threads === 0
        ? { slave_parallel_workers: '0' }
        : { slave_parallel_workers: String(threads), slave_parallel_type: 'LOGICAL_CLOCK', slave_preserve_commit_order: 'ON' };
    }
    return threads === 0
      ? { replica_parallel_workers: '0' }
      : { replica_parallel_workers: String(threads), replica_preserve_commit_order: 'ON' };
  }

  /**
   * Settings of every member (`common.cnf`): replication does not start with the server;
   * the sidecar starts it on a replica once it has configured it. A clone of a MySQL
   * replica carries its source's connection metadata (InnoDB tables the backup copies),
   * and so does a primary restored from a backup taken on a replica: started at boot,
   * either would replicate before the sidecar has set its GTID state.
   */
  public get replicationStartSettings(): Record<string, string> {
    const skipStart = this.family === EngineFamily.MARIADB || this.version === '5.7' ? 'skip_slave_start' : 'skip_replica_start';
    return { [skipStart]: 'ON' };
  }

  /**
   * Engine-specific settings added to `replica.cnf` on top of `read_only`: MySQL's
   * `super_read_only` also stops accounts with SUPER; MariaDB has no such setting.
   */
  public get replicaSettings(): Record<string, string> {
    return this.family === EngineFamily.MARIADB ? {} : { super_read_only: 'ON' };
  }
}

function sameRelease(a: ImageVersion, b: ImageVersion): boolean {
  return a.major === b.major && a.minor === b.minor && a.patch === b.patch;
}

function releaseOf(version: ImageVersion): string {
  return [version.major, version.minor, version.patch].filter(n => n !== undefined).join('.');
}
