import { ReplicationSqlDialect } from './engine';

/** How a new replica finds its place in the primary's history. */
export enum ReplicationMode {
  /** Global transaction ids with auto-positioning; crash-safe. The default. */
  GTID = 'gtid',
  /** Binary log file and position, as in the classic design; not crash-safe. */
  BINLOG_POSITION = 'position',
}

/**
 * The replication statements of one dialect and mode, rendered here and handed to the
 * scripts as environment variables, so that the scripts know no dialect. Words in braces
 * are placeholders the scripts fill (`fill_sql` in common.sh) with values they quote as
 * SQL literals: `{host}`, `{port}`, `{user}`, `{password}`, `{gtid}`, `{file}`, `{position}`.
 */
export interface ReplicationStatements {
  /** Lists the replication status (`SQL_SHOW_REPLICA_STATUS`). */
  readonly showStatus: string;
  /** Starts both replication threads (`SQL_START_REPLICA`). */
  readonly start: string;
  /**
   * Points a fresh clone at the primary from the coordinates its backup recorded,
   * discarding any replication configuration the copy carried, without starting
   * replication (`SQL_CONFIGURE_REPLICATION`).
   */
  readonly configure: string;
  /**
   * Gives replication the current account and password, keeps its position and starts
   * it (`SQL_REFRESH_REPLICATION_CREDENTIALS`).
   */
  readonly refreshCredentials: string;
  /**
   * What the clone's coordinates must hold (`REPLICATION_COORDINATES`): `gtid` a GTID set,
   * `gtid-or-empty` a GTID position that may be empty (MariaDB, before the primary's
   * first transaction), `position` a binary log file and position.
   */
  readonly coordinates: 'gtid' | 'gtid-or-empty' | 'position';
  /**
   * Run once on a primary restored from a backup, before it takes writes: its binary log
   * starts empty, and the GTID history must go on from the backup's `{gtid}`, so that
   * the new primary's transactions follow the backed-up ones (`SQL_CONTINUE_FROM_BACKUP`).
   * Empty in binary-log-position mode, where nothing carries over.
   *
   * A backup taken on a replica carries that replica's connection to its old primary
   * (MySQL keeps it in InnoDB tables the backup copies): it is stopped and discarded first,
   * so the restored primary never replicates from the cluster it was backed up from.
   * MariaDB: `gtid_binlog_state` may only be set while the binary log is empty, hence
   * `RESET MASTER` first; `gtid_slave_pos` is set too, so that the restored
   * `mysql.gtid_slave_pos` table (a backup of a replica carries one) cannot make
   * `gtid_current_pos` disagree. Verified on MariaDB 10.11 (test/mysql/scripts/backup-restore.test.ts,
   * and by hand for an empty position and two domains): the new binary log opens with a
   * `Gtid_list` of the backup's position, and the next transaction takes the backup's
   * sequence number + 1 in its domain, under the new server id. MySQL: the GTID history is
   * reset and `gtid_purged` set to the backup's executed set (what XtraBackup's
   * documentation prescribes after a restore); checked by contract tests only
   * (test/mysql/scripts/sql-dialects.test.ts), as no MySQL server runs here.
   */
  readonly continueFromBackup: string;
}

/** The SQL words that differ between MySQL 8 and the older `MASTER` / `SLAVE` forms. */
interface Words {
  readonly showStatus: string;
  readonly start: string;
  readonly stop: string;
  readonly resetReplica: string;
  readonly change: string;
  /** Prefix of the CHANGE options: `SOURCE` or `MASTER`. */
  readonly option: string;
}

const MASTER_WORDS: Words = {
  showStatus: 'SHOW SLAVE STATUS', start: 'START SLAVE', stop: 'STOP SLAVE', resetReplica: 'RESET SLAVE ALL', change: 'CHANGE MASTER TO', option: 'MASTER',
};
const SOURCE_WORDS: Words = {
  showStatus: 'SHOW REPLICA STATUS', start: 'START REPLICA', stop: 'STOP REPLICA', resetReplica: 'RESET REPLICA ALL', change: 'CHANGE REPLICATION SOURCE TO', option: 'SOURCE',
};

/**
 * The statements for a dialect and mode:
 * - MySQL 8.0.23 introduced `CHANGE REPLICATION SOURCE TO` / `START REPLICA`, 8.2 added
 *   `RESET BINARY LOGS AND GTIDS`, and 8.4 removed the `MASTER` / `SLAVE` forms and
 *   `RESET MASTER`; MySQL 5.7 and MariaDB use the old forms, MariaDB with its own GTIDs
 *   (`gtid_slave_pos`, `MASTER_USE_GTID = slave_pos`).
 * - MySQL replicas run with `super_read_only`, lifted while replication is changed.
 * - MySQL takes a clone's GTID set through `gtid_purged`, which needs an empty GTID
 *   history first.
 * - With TLS (`tlsCaFile`, a path without quotes), replication is encrypted and verifies
 *   the primary's certificate; the credential refresh sets it too, so that a replica of
 *   a cluster that turns TLS on follows at its next start.
 */
export function replicationStatements(dialect: ReplicationSqlDialect, mode: ReplicationMode, tlsCaFile?: string): ReplicationStatements {
  const mysql8 = dialect === ReplicationSqlDialect.MYSQL_80 || dialect === ReplicationSqlDialect.MYSQL_84;
  const w = mysql8 ? SOURCE_WORDS : MASTER_WORDS;
  const [unlock, lock] = dialect === ReplicationSqlDialect.MARIADB || dialect === ReplicationSqlDialect.MYSQL_57
    ? [[], []] : [['SET GLOBAL super_read_only = OFF'], ['SET GLOBAL super_read_only = ON']];
  const o = w.option;
  // With TLS: encrypted, and the primary's certificate checked against the CA and its name.
  const tls = tlsCaFile === undefined ? '' : `, ${o}_SSL = 1, ${o}_SSL_CA = '${tlsCaFile}', ${o}_SSL_VERIFY_SERVER_CERT = 1`;
  // Without TLS, the refresh turns it off: a replica of a cluster that turned TLS off
  // would otherwise keep asking for it, with a CA file no longer mounted.
  const refreshTls = tlsCaFile === undefined ? `, ${o}_SSL = 0, ${o}_SSL_VERIFY_SERVER_CERT = 0` : tls;
  const connection = `${o}_HOST = {host}, ${o}_PORT = {port}, ${o}_USER = {user}, ${o}_PASSWORD = {password}, ${o}_CONNECT_RETRY = 10`
    + (mysql8 ? ', GET_SOURCE_PUBLIC_KEY = 1' : '') + tls;

  let position: string[];
  let coordinates: ReplicationStatements['coordinates'];
  if (mode === ReplicationMode.BINLOG_POSITION) {
    position = [`${w.change} ${connection}, ${o}_LOG_FILE = {file}, ${o}_LOG_POS = {position}`];
    coordinates = 'position';
  } else if (dialect === ReplicationSqlDialect.MARIADB) {
    position = ['SET GLOBAL gtid_slave_pos = {gtid}', `${w.change} ${connection}, MASTER_USE_GTID = slave_pos`];
    coordinates = 'gtid-or-empty';
  } else {
    const resetGtids = dialect === ReplicationSqlDialect.MYSQL_84 ? 'RESET BINARY LOGS AND GTIDS' : 'RESET MASTER';
    position = [resetGtids, 'SET GLOBAL gtid_purged = {gtid}', `${w.change} ${connection}, ${o}_AUTO_POSITION = 1`];
    coordinates = 'gtid';
  }
  const statements = (...lines: string[]) => lines.map(line => `${line};`).join('\n');
  return {
    showStatus: w.showStatus,
    start: w.start,
    configure: statements(...unlock, w.stop, w.resetReplica, ...position, ...lock),
    refreshCredentials: statements(...unlock, w.stop, `${w.change} ${o}_USER = {user}, ${o}_PASSWORD = {password}${refreshTls}`, w.start, ...lock),
    coordinates,
    continueFromBackup: mode === ReplicationMode.BINLOG_POSITION ? ''
      : dialect === ReplicationSqlDialect.MARIADB
        ? statements(w.stop, w.resetReplica, 'RESET MASTER', 'SET GLOBAL gtid_binlog_state = {gtid}', 'SET GLOBAL gtid_slave_pos = {gtid}')
        : statements(w.stop, w.resetReplica, dialect === ReplicationSqlDialect.MYSQL_84 ? 'RESET BINARY LOGS AND GTIDS' : 'RESET MASTER',
          'SET GLOBAL gtid_purged = {gtid}'),
  };
}
