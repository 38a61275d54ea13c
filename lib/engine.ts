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
 * The replication SQL a server accepts. The scripts switch on this value.
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
   * Image of the database server container (also runs the config init container).
   * @default - the flavor's pinned official image
   */
  readonly serverImage?: string;
  /**
   * Image of the clone init container and the backup sidecar. It must provide `bash`,
   * the flavor's backup and stream tools, its SQL client and `ncat`.
   * @default - the flavor's pinned backup image
   */
  readonly backupImage?: string;
}

interface EngineDefinition {
  readonly family: EngineFamily;
  readonly version: string;
  readonly serverImage: string;
  readonly backupImage: string;
  readonly tools: EngineTools;
  readonly dialect: ReplicationSqlDialect;
}

const MYSQL_TOOLS = (backup: string): EngineTools => ({ client: 'mysql', admin: 'mysqladmin', backup, stream: 'xbstream' });
const MARIADB_TOOLS: EngineTools = { client: 'mariadb', admin: 'mariadb-admin', backup: 'mariadb-backup', stream: 'mbstream' };

/**
 * A database engine flavor: which server runs, with which tools and SQL.
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
      serverImage: 'mysql:8.4.7',
      backupImage: 'percona/percona-xtrabackup:8.4',
      tools: MYSQL_TOOLS('xtrabackup'),
      dialect: ReplicationSqlDialect.MYSQL_84,
    }, options);
  }

  /** MySQL 8.0 with Percona XtraBackup 8.0. */
  public static mysql80(options: EngineOptions = {}): MySqlEngine {
    return new MySqlEngine({
      family: EngineFamily.MYSQL,
      version: '8.0',
      serverImage: 'mysql:8.0.44',
      backupImage: 'percona/percona-xtrabackup:8.0',
      tools: MYSQL_TOOLS('xtrabackup'),
      dialect: ReplicationSqlDialect.MYSQL_80,
    }, options);
  }

  /**
   * MySQL 5.7 with Percona XtraBackup 2.4. End of life since October 2023: only as an
   * explicit legacy choice, for clusters that cannot move yet.
   */
  public static mysql57Legacy(options: EngineOptions = {}): MySqlEngine {
    return new MySqlEngine({
      family: EngineFamily.MYSQL,
      version: '5.7',
      serverImage: 'mysql:5.7.44',
      backupImage: 'percona/percona-xtrabackup:2.4',
      tools: MYSQL_TOOLS('xtrabackup'),
      dialect: ReplicationSqlDialect.MYSQL_57,
    }, options);
  }

  /** MariaDB 10.11 LTS; the official image ships mariadb-backup and mbstream. */
  public static mariadb1011(options: EngineOptions = {}): MySqlEngine {
    return new MySqlEngine({
      family: EngineFamily.MARIADB,
      version: '10.11',
      serverImage: 'mariadb:10.11.14',
      backupImage: 'mariadb:10.11.14',
      tools: MARIADB_TOOLS,
      dialect: ReplicationSqlDialect.MARIADB,
    }, options);
  }

  /** MariaDB 11.4 LTS. */
  public static mariadb114(options: EngineOptions = {}): MySqlEngine {
    return new MySqlEngine({
      family: EngineFamily.MARIADB,
      version: '11.4',
      serverImage: 'mariadb:11.4.8',
      backupImage: 'mariadb:11.4.8',
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
    this.family = definition.family;
    this.version = definition.version;
    this.tools = definition.tools;
    this.dialect = definition.dialect;
    this.serverImage = requireImage('engine serverImage', options.serverImage ?? definition.serverImage);
    this.backupImage = requireImage('engine backupImage', options.backupImage ?? definition.backupImage);
    this.requireCompatibleBackupImage();
  }

  /**
   * Rejects backup images that cannot back up this server: Percona XtraBackup must
   * match the MySQL release (2.4 for 5.7, 8.0 for 8.0, 8.4 for 8.4) and cannot back up
   * MariaDB; MariaDB images cannot back up MySQL.
   */
  private requireCompatibleBackupImage(): void {
    const server = /(?:^|\/)(mysql|mariadb):(\d+)\.(\d+)/.exec(this.serverImage);
    if (server && (server[1] !== this.family || `${server[2]}.${server[3]}` !== this.version)) {
      throw new Error(`serverImage for ${this.displayName} must run ${this.displayName}; pick the matching MySqlEngine flavor (got "${this.serverImage}")`);
    }
    const image = this.backupImage;
    const xtrabackup = /percona-xtrabackup:(\d+)\.(\d+)/.exec(image);
    const needed = this.version === '5.7' ? '2.4' : this.version;
    if (this.family === EngineFamily.MARIADB && /percona-xtrabackup/.test(image)) {
      throw new Error(`backupImage for ${this.displayName} must provide mariadb-backup; Percona XtraBackup cannot back up MariaDB (got "${image}")`);
    }
    if (this.family === EngineFamily.MYSQL && /(^|\/)mariadb(:|@|$)/.test(image)) {
      throw new Error(`backupImage for ${this.displayName} must provide Percona XtraBackup ${needed}; mariadb-backup cannot back up MySQL (got "${image}")`);
    }
    if (this.family === EngineFamily.MYSQL && xtrabackup && `${xtrabackup[1]}.${xtrabackup[2]}` !== needed) {
      throw new Error(`backupImage for ${this.displayName} must be Percona XtraBackup ${needed}, the release that can back up this server (got "${image}")`);
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
   * Engine-specific settings added to `replica.cnf` on top of `read_only`: MySQL's
   * `super_read_only` also stops accounts with SUPER; MariaDB has no such setting.
   */
  public get replicaSettings(): Record<string, string> {
    return this.family === EngineFamily.MARIADB ? {} : { super_read_only: 'ON' };
  }
}

function requireImage(what: string, image: string): string {
  if (typeof image !== 'string' || !/^[a-z0-9][a-z0-9._\-/:@]*$/i.test(image) || image.endsWith(':')) {
    throw new Error(`${what} must be an image reference such as "mysql:8.4.7" (got "${image}")`);
  }
  return image;
}
