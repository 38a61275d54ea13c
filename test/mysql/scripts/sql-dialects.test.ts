// Runs the shipped replication scripts against a fake SQL client, once per SQL dialect,
// with the environment each flavor's manifest gives them (the engine renders the
// statements; the scripts know no dialect), and checks the statements they send. The
// MariaDB dialect is also proven against real servers in test/e2e; this pins down what
// the MySQL dialects would receive.
import { spawn, spawnSync } from 'child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { MySqlEngine, ReplicationMode, ReplicationSqlDialect } from '../../../lib';
import { replicationStatements } from '../../../lib/mysql/engine/replication-sql';
import { assetPath } from '../../../lib/internal/assets';
import { manifestEnv } from '../../support/objects';

const FAKE_CLIENT = join(__dirname, 'fixtures', 'fake-mysql-client.sh');
const PASSWORD = "it's a \\ secret";

interface Run {
  readonly sql: string;
  readonly argv: string;
  readonly log: string;
  /** Files left in the data directory. */
  readonly files: string[];
}

function statusPrefix(dialect: ReplicationSqlDialect): string {
  return dialect === ReplicationSqlDialect.MYSQL_80 || dialect === ReplicationSqlDialect.MYSQL_84 ? 'Replica' : 'Slave';
}

const ENGINES: Record<ReplicationSqlDialect, () => MySqlEngine> = {
  [ReplicationSqlDialect.MYSQL_84]: () => MySqlEngine.mysql84(),
  [ReplicationSqlDialect.MYSQL_80]: () => MySqlEngine.mysql80(),
  [ReplicationSqlDialect.MYSQL_57]: () => MySqlEngine.mysql57Legacy(),
  [ReplicationSqlDialect.MARIADB]: () => MySqlEngine.mariadb1011(),
};

/** The plain environment the manifest gives the sidecar and the server container. */
function flavorEnv(dialect: ReplicationSqlDialect, replicationMode: ReplicationMode): Record<string, string> {
  const props = { engine: ENGINES[dialect](), replicationMode };
  return { ...manifestEnv(props, 'mysql'), ...manifestEnv(props, 'replication') };
}

function sandbox(dialect: ReplicationSqlDialect, extra: Record<string, string> = {}, mode = ReplicationMode.GTID) {
  const dir = mkdtempSync(join(tmpdir(), 'sql-dialect-'));
  const datadir = join(dir, 'data');
  const bin = join(dir, 'bin');
  mkdirSync(datadir);
  mkdirSync(bin);
  // The backup listener is not under test (see clone-channel.test.ts): a stand-in socat just blocks.
  writeFileSync(join(bin, 'socat'), '#!/bin/sh\nexec sleep 60\n');
  chmodSync(join(bin, 'socat'), 0o755);
  const env = {
    ...flavorEnv(dialect, mode),
    PATH: `${bin}:${process.env.PATH}`,
    DATADIR: datadir,
    REPLICATION_PASSWORD: PASSWORD,
    MYSQL_CLIENT: FAKE_CLIENT,
    AUTH_FILE: join(dir, 'client.cnf'),
    BACKUP_TOOL: 'true',
    RETRY_SECONDS: '1',
    FAKE_SQL_LOG: join(dir, 'sql.log'),
    FAKE_ARGV_LOG: join(dir, 'argv.log'),
    FAKE_STATUS_PREFIX: statusPrefix(dialect),
    ...extra,
  };
  return { dir, datadir, env };
}

/** Runs the sidecar as member `hostname` until its log matches `until` (by default: it starts serving backups). */
async function runSidecar(dialect: ReplicationSqlDialect, hostname: string, files: Record<string, string>, extra: Record<string, string> = {},
  until = /serving backups/, mode = ReplicationMode.GTID, lingerMs = 0): Promise<Run> {
  const { dir, datadir, env } = sandbox(dialect, extra, mode);
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(datadir, name), text);
  }
  const child = spawn('bash', [assetPath('mysql/scripts/replication-sidecar.sh')], { env: { ...env, HOSTNAME: hostname }, detached: true });
  let log = '';
  child.stderr.on('data', chunk => { log += chunk; });
  try {
    const deadline = Date.now() + 20_000;
    while (!until.test(log) && Date.now() < deadline && child.exitCode === null) {
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    if (!until.test(log)) {
      throw new Error(`the sidecar's log never matched ${until}:\n${log}`);
    }
    // Time for whatever the sidecar would do next (RETRY_SECONDS is 1 here).
    await new Promise(resolve => setTimeout(resolve, lingerMs));
    return {
      sql: existsSync(env.FAKE_SQL_LOG) ? readFileSync(env.FAKE_SQL_LOG, 'utf8') : '',
      argv: existsSync(env.FAKE_ARGV_LOG) ? readFileSync(env.FAKE_ARGV_LOG, 'utf8') : '',
      log,
      files: readdirSync(datadir).sort(),
    };
  } finally {
    const exited = new Promise(resolve => child.exitCode === null ? child.once('exit', resolve) : resolve(undefined));
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

const MYSQL_BINLOG_INFO = 'binlog.000003\t197\t3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5\n';

describe('replication SQL per dialect', () => {
  test('MySQL 8.4: CHANGE REPLICATION SOURCE, RESET BINARY LOGS AND GTIDS, START REPLICA', async () => {
    const run = await runSidecar(ReplicationSqlDialect.MYSQL_84, 'mysql-1', { xtrabackup_binlog_info: MYSQL_BINLOG_INFO });
    expect(run.sql).toContain('RESET BINARY LOGS AND GTIDS;\nSET GLOBAL gtid_purged = \'3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5\';');
    expect(run.sql).toContain("CHANGE REPLICATION SOURCE TO SOURCE_HOST = 'mysql-0.mysql.default.svc.cluster.local', SOURCE_PORT = 3306, SOURCE_USER = 'replicator'");
    expect(run.sql).toContain('SOURCE_AUTO_POSITION = 1');
    expect(run.sql).toContain('START REPLICA;');
    expect(run.sql).toContain('SHOW REPLICA STATUS');
    expect(run.sql).not.toMatch(/MASTER|SLAVE/);
    expect(run.files).toEqual(['xtrabackup_binlog_info.applied']);
  }, 30_000);

  test.each([
    [ReplicationSqlDialect.MYSQL_84, 'STOP REPLICA;\nRESET REPLICA ALL;'],
    [ReplicationSqlDialect.MYSQL_80, 'STOP REPLICA;\nRESET REPLICA ALL;'],
    [ReplicationSqlDialect.MYSQL_57, 'STOP SLAVE;\nRESET SLAVE ALL;'],
    [ReplicationSqlDialect.MARIADB, 'STOP SLAVE;\nRESET SLAVE ALL;'],
  ])('%s: the replication configuration a clone carried is discarded before CHANGE', async (dialect, reset) => {
    // MySQL keeps the connection metadata in InnoDB tables that the backup copies.
    const run = await runSidecar(dialect, 'mysql-2', { xtrabackup_binlog_info: MYSQL_BINLOG_INFO });
    expect(run.sql).toContain(reset);
    expect(run.sql.indexOf(reset)).toBeLessThan(run.sql.indexOf('CHANGE '));
  }, 30_000);

  test('MySQL 8.0: CHANGE REPLICATION SOURCE with RESET MASTER', async () => {
    const run = await runSidecar(ReplicationSqlDialect.MYSQL_80, 'mysql-1', { xtrabackup_binlog_info: MYSQL_BINLOG_INFO });
    expect(run.sql).toContain('RESET MASTER;');
    expect(run.sql).not.toContain('RESET BINARY LOGS AND GTIDS');
    expect(run.sql).toContain('CHANGE REPLICATION SOURCE TO');
    expect(run.sql).toContain('START REPLICA;');
  }, 30_000);

  test('MySQL 5.7: CHANGE MASTER TO with auto-position, START SLAVE', async () => {
    const run = await runSidecar(ReplicationSqlDialect.MYSQL_57, 'mysql-1', { xtrabackup_binlog_info: MYSQL_BINLOG_INFO });
    expect(run.sql).toContain('RESET MASTER;');
    expect(run.sql).toContain("CHANGE MASTER TO MASTER_HOST = 'mysql-0.mysql.default.svc.cluster.local'");
    expect(run.sql).toContain('MASTER_AUTO_POSITION = 1');
    expect(run.sql).toContain('START SLAVE;');
    expect(run.sql).not.toMatch(/REPLICA|SOURCE/);
  }, 30_000);

  test('MariaDB: gtid_slave_pos from the third column and MASTER_USE_GTID', async () => {
    const run = await runSidecar(ReplicationSqlDialect.MARIADB, 'mysql-1', { xtrabackup_binlog_info: 'mysql-bin.000002\t1234\t0-100-17\n' });
    expect(run.sql).toContain("SET GLOBAL gtid_slave_pos = '0-100-17';");
    expect(run.sql).toContain('MASTER_USE_GTID = slave_pos');
    expect(run.sql).toContain('START SLAVE;');
  }, 30_000);

  test('a clone from a replica takes the GTID set of its slave info', async () => {
    const run = await runSidecar(ReplicationSqlDialect.MYSQL_84, 'mysql-2', {
      xtrabackup_slave_info: "SET GLOBAL gtid_purged='3E11FA47-71CA-11E1-9E33-C80AA9429562:1-9';\nCHANGE REPLICATION SOURCE TO SOURCE_AUTO_POSITION=1;\n",
      xtrabackup_binlog_info: 'binlog.000001\t155\t3E11FA47-71CA-11E1-9E33-C80AA9429562:1-9\n',
    });
    expect(run.sql).toContain("SET GLOBAL gtid_purged = '3E11FA47-71CA-11E1-9E33-C80AA9429562:1-9';");
    expect(run.files).toEqual(['xtrabackup_binlog_info.applied', 'xtrabackup_slave_info.applied']);
  }, 30_000);

  test('a GTID set continued on further lines (XtraBackup 2.4) is read whole', async () => {
    const binlogInfo = 'mysql-bin.000003\t154\t3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,\n8d1b7e5a-2c3d-11ee-9d6e-0242ac120002:1-3\n';
    const fromPrimary = await runSidecar(ReplicationSqlDialect.MYSQL_57, 'mysql-1', { xtrabackup_binlog_info: binlogInfo });
    expect(fromPrimary.sql).toContain("SET GLOBAL gtid_purged = '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,8d1b7e5a-2c3d-11ee-9d6e-0242ac120002:1-3';");
    const slaveInfo = "SET GLOBAL gtid_purged='3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,\n8d1b7e5a-2c3d-11ee-9d6e-0242ac120002:1-3';\nCHANGE MASTER TO MASTER_AUTO_POSITION=1;\n";
    const fromReplica = await runSidecar(ReplicationSqlDialect.MYSQL_57, 'mysql-2', { xtrabackup_slave_info: slaveInfo, xtrabackup_binlog_info: binlogInfo });
    expect(fromReplica.sql).toContain("SET GLOBAL gtid_purged = '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,8d1b7e5a-2c3d-11ee-9d6e-0242ac120002:1-3';");
  }, 30_000);

  test('MariaDB 11.1+ metadata names (mariadb_backup_*) are read and marked like the xtrabackup_* ones', async () => {
    const fromPrimary = await runSidecar(ReplicationSqlDialect.MARIADB, 'mysql-1', { mariadb_backup_binlog_info: 'mysql-bin.000002\t1234\t0-100-17\n' });
    expect(fromPrimary.sql).toContain("SET GLOBAL gtid_slave_pos = '0-100-17';");
    expect(fromPrimary.log).toContain('configuring replication from');
    expect(fromPrimary.log).toContain('/mariadb_backup_binlog_info');
    expect(fromPrimary.files).toEqual(['mariadb_backup_binlog_info.applied']);
    const fromReplica = await runSidecar(ReplicationSqlDialect.MARIADB, 'mysql-2', {
      mariadb_backup_slave_info: "SET GLOBAL gtid_slave_pos = '0-100-42';\nCHANGE MASTER TO master_use_gtid = slave_pos;\n",
      mariadb_backup_binlog_info: 'mysql-bin.000003\t99\t0-100-42\n',
    });
    expect(fromReplica.sql).toContain("SET GLOBAL gtid_slave_pos = '0-100-42';");
    expect(fromReplica.files).toEqual(['mariadb_backup_binlog_info.applied', 'mariadb_backup_slave_info.applied']);
  }, 30_000);

  test('coordinates count as applied only once both replication threads run', async () => {
    const run = await runSidecar(ReplicationSqlDialect.MYSQL_84, 'mysql-2', { xtrabackup_binlog_info: MYSQL_BINLOG_INFO },
      { FAKE_SQL_RUNNING: 'No', FAKE_SQL_ERROR: "Error 'Duplicate entry' on query", RECEIVER_TIMEOUT_SECONDS: '2' }, /bootstrap failed; retrying/);
    expect(run.log).toContain("the replication applier stopped: Error 'Duplicate entry' on query");
    expect(run.files).toEqual(['xtrabackup_binlog_info.configured']);
  }, 30_000);

  test('binlog-position mode takes the file and position', async () => {
    const run = await runSidecar(ReplicationSqlDialect.MYSQL_84, 'mysql-1', { xtrabackup_binlog_info: MYSQL_BINLOG_INFO }, {}, undefined, ReplicationMode.BINLOG_POSITION);
    expect(run.sql).toContain("SOURCE_LOG_FILE = 'binlog.000003', SOURCE_LOG_POS = 197");
    expect(run.sql).not.toContain('gtid_purged');
    expect(run.sql).not.toContain('AUTO_POSITION');
  }, 30_000);

  test('the primary creates the replication account with replication privileges only', async () => {
    const run = await runSidecar(ReplicationSqlDialect.MYSQL_84, 'mysql-0', {});
    // A new account (the fake client knows none): created with the password, then granted.
    expect(run.sql).toContain("CREATE USER 'replicator'@'%' IDENTIFIED BY 'it''s a \\ secret';");
    expect(run.sql).toContain("GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'replicator'@'%';");
    expect(run.sql).not.toMatch(/CHANGE/);
  }, 30_000);

  test('a password is inserted last and literally: braces, & and quotes stay as they are', async () => {
    const tricky = "a&b {host} {user} \\ 'q' $HOME";
    const run = await runSidecar(ReplicationSqlDialect.MYSQL_84, 'mysql-1', { xtrabackup_binlog_info: MYSQL_BINLOG_INFO }, { REPLICATION_PASSWORD: tricky });
    expect(run.sql).toContain("SOURCE_HOST = 'mysql-0.mysql.default.svc.cluster.local', SOURCE_PORT = 3306, SOURCE_USER = 'replicator', SOURCE_PASSWORD = 'a&b {host} {user} \\ ''q'' $HOME'");
  }, 30_000);

  test('fill_sql fills the placeholders in order, and fails on one it has no value for', () => {
    const fill = (...args: string[]) => spawnSync('bash', ['-c', `source '${assetPath('mysql/scripts/common.sh')}'; fill_sql "$@"`, 'fill', ...args], { encoding: 'utf8' });
    expect(fill('A = {host}, B = {password};', "host='h'", "password='{host} & \\'").stdout).toBe("A = 'h', B = '{host} & \\';\n");
    const unknown = fill('A = {host}, B = {unknown};', "host='h'");
    expect(unknown.status).not.toBe(0);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain('the SQL template needs a value for {unknown}');
  });

  test('passwords travel on stdin, quoted, never as client arguments', async () => {
    const run = await runSidecar(ReplicationSqlDialect.MYSQL_84, 'mysql-1', { xtrabackup_binlog_info: MYSQL_BINLOG_INFO });
    expect(run.sql).toContain("SOURCE_PASSWORD = 'it''s a \\ secret'");
    expect(run.argv).not.toContain('secret');
    expect(run.argv).toMatch(/^--defaults-extra-file=/m);
  }, 30_000);

  test('every session sets its own sql_mode and utf8mb4 before any statement: a doubled quote is the only escape', async () => {
    // The e2e suite hostile-passwords.test.ts proves it on servers whose global sql_mode is
    // NO_BACKSLASH_ESCAPES,ANSI_QUOTES.
    const run = await runSidecar(ReplicationSqlDialect.MYSQL_84, 'mysql-1', { xtrabackup_binlog_info: MYSQL_BINLOG_INFO }, { REPLICATION_PASSWORD: "a\\'b''\\" });
    const sessions = run.argv.trim().split('\n');
    expect(sessions.length).toBeGreaterThan(2);
    for (const argv of sessions) {
      expect(argv).toContain("--default-character-set=utf8mb4 --init-command=SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'");
    }
    expect(run.sql).toContain("SOURCE_PASSWORD = 'a\\''b''''\\'");
  }, 30_000);
});

describe('replication passwords the engine cannot take', () => {
  const MYSQL_DIALECTS = [ReplicationSqlDialect.MYSQL_84, ReplicationSqlDialect.MYSQL_80, ReplicationSqlDialect.MYSQL_57];
  const ALL_DIALECTS = [...MYSQL_DIALECTS, ReplicationSqlDialect.MARIADB];
  const refusal = /cannot be used: (.*)\. Put a usable one in the Secret \(e\.g\. openssl rand -base64 24, 32 characters\) and recreate the pods; this container does nothing until then and does not retry/;

  /** Runs the sidecar as mysql-0 (primary) or mysql-1 (a fresh clone) with `password`, until 1.5 s past its refusal (RETRY_SECONDS is 1). */
  async function refused(dialect: ReplicationSqlDialect, hostname: string, password: string): Promise<string> {
    const run = await runSidecar(dialect, hostname, hostname === 'mysql-0' ? {} : { xtrabackup_binlog_info: MYSQL_BINLOG_INFO },
      { REPLICATION_PASSWORD: password }, refusal, ReplicationMode.GTID, 1500);
    // Said once; no statement sent, no retry, no backups served, the clone's coordinates untouched.
    expect(run.log.match(new RegExp(refusal.source, 'g'))).toHaveLength(1);
    expect(run.sql).toBe('');
    expect(run.log).not.toMatch(/retrying|serving backups|configuring/);
    if (hostname !== 'mysql-0') expect(run.files).toEqual(['xtrabackup_binlog_info']);
    return refusal.exec(run.log)![1];
  }

  test.each(MYSQL_DIALECTS)('%s: more than 32 bytes (MySQL error 3056) is refused once at start, on a replica and on the primary', async dialect => {
    expect(await refused(dialect, 'mysql-1', 'x'.repeat(33))).toBe('it is 33 bytes long, and this engine takes at most 32 bytes for a replication password');
    // Bytes, not characters (MySQL compares strlen): 'ä' is two bytes of UTF-8.
    expect(await refused(dialect, 'mysql-0', 'ä'.repeat(17))).toBe('it is 34 bytes long, and this engine takes at most 32 bytes for a replication password');
  }, 30_000);

  test.each(MYSQL_DIALECTS)('%s: 32 bytes are taken', async dialect => {
    const password = "'\\".repeat(16);
    const run = await runSidecar(dialect, 'mysql-1', { xtrabackup_binlog_info: MYSQL_BINLOG_INFO }, { REPLICATION_PASSWORD: password });
    expect(run.sql).toContain(`_PASSWORD = '${"''\\".repeat(16)}'`);
  }, 30_000);

  test('MariaDB takes up to 96 bytes and refuses 97', async () => {
    const run = await runSidecar(ReplicationSqlDialect.MARIADB, 'mysql-1', { xtrabackup_binlog_info: 'mysql-bin.000002\t1234\t0-100-17\n' },
      { REPLICATION_PASSWORD: 'm'.repeat(96) });
    expect(run.sql).toContain(`MASTER_PASSWORD = '${'m'.repeat(96)}'`);
    expect(await refused(ReplicationSqlDialect.MARIADB, 'mysql-1', 'm'.repeat(97))).toBe('it is 97 bytes long, and this engine takes at most 96 bytes for a replication password');
  }, 30_000);

  test.each(ALL_DIALECTS)('%s: a line break, a 4-byte character or bytes that are not UTF-8 are refused once', async dialect => {
    expect(await refused(dialect, 'mysql-1', 'two\nlines')).toMatch(/^it contains a line break/);
    expect(await refused(dialect, 'mysql-0', 'trailing\n')).toMatch(/^it contains a line break/);
    expect(await refused(dialect, 'mysql-1', 'x\u{1F600}y')).toMatch(/^it is not UTF-8 text of 1- to 3-byte characters/);
  }, 60_000);
});

describe('readiness probe per dialect', () => {
  function probe(dialect: ReplicationSqlDialect, hostname: string, io: string, sqlRunning: string, configured: boolean) {
    const { dir, env } = sandbox(dialect, { FAKE_IO_RUNNING: io, FAKE_SQL_RUNNING: sqlRunning });
    if (configured) {
      writeFileSync(env.FAKE_SQL_LOG, 'CHANGE (configured earlier)\n');
    }
    const result = spawnSync('bash', [assetPath('mysql/scripts/probe-ready.sh')], { env: { ...env, HOSTNAME: hostname }, encoding: 'utf8' });
    const sql = existsSync(env.FAKE_SQL_LOG) ? readFileSync(env.FAKE_SQL_LOG, 'utf8') : '';
    rmSync(dir, { recursive: true, force: true });
    return { status: result.status, stderr: result.stderr, sql };
  }

  test.each([ReplicationSqlDialect.MYSQL_84, ReplicationSqlDialect.MYSQL_80, ReplicationSqlDialect.MYSQL_57, ReplicationSqlDialect.MARIADB])(
    '%s: a replicating replica is Ready, a stopped applier is not', dialect => {
      const ready = probe(dialect, 'mysql-1', 'Yes', 'Yes', true);
      expect(ready.status).toBe(0);
      expect(ready.sql).toContain(dialect.startsWith('mysql-8') ? 'SHOW REPLICA STATUS' : 'SHOW SLAVE STATUS');
      const stopped = probe(dialect, 'mysql-1', 'Yes', 'No', true);
      expect(stopped.status).not.toBe(0);
      expect(stopped.stderr).toContain('replication applier is not running (SQL_Running=No)');
    });

  test.each(['xtrabackup', 'mariadb_backup'])('a replica that has not replicated since its clone (%s_* names) is not Ready while reconnecting', prefix => {
    const { dir, env } = sandbox(ReplicationSqlDialect.MARIADB, { FAKE_IO_RUNNING: 'Connecting', FAKE_SQL_RUNNING: 'Yes' });
    writeFileSync(env.FAKE_SQL_LOG, 'CHANGE (configured earlier)\n');
    const fakeWithDatadir = join(dir, 'client-with-datadir.sh');
    // The probe asks the server for its datadir; answer with the sandbox's.
    writeFileSync(fakeWithDatadir, `#!/usr/bin/env bash\nfor a; do [[ $a == 'SELECT @@datadir' ]] && { echo '${env.DATADIR}'; exit 0; }; done\nexec '${FAKE_CLIENT}' "$@"\n`);
    chmodSync(fakeWithDatadir, 0o755);
    const run = (file?: string) => {
      if (file) writeFileSync(join(env.DATADIR, file), 'x\n');
      return spawnSync('bash', [assetPath('mysql/scripts/probe-ready.sh')], { env: { ...env, MYSQL_CLIENT: fakeWithDatadir, HOSTNAME: 'mysql-1' }, encoding: 'utf8' });
    };
    try {
      expect(run().status).toBe(0);
      const configured = run(`${prefix}_binlog_info.configured`);
      expect(configured.status).not.toBe(0);
      expect(configured.stderr).toContain('replication has not connected to the primary since the clone');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a replica without replication is not Ready; the primary only needs its query', () => {
    const unconfigured = probe(ReplicationSqlDialect.MYSQL_84, 'mysql-1', 'Yes', 'Yes', false);
    expect(unconfigured.status).not.toBe(0);
    expect(unconfigured.stderr).toContain('replication is not configured yet');
    const primary = probe(ReplicationSqlDialect.MYSQL_84, 'mysql-0', 'No', 'No', false);
    expect(primary.status).toBe(0);
    // The query, and where its data directory is (for a restore's pending GTID history).
    expect(primary.sql.trim()).toBe('SELECT 1\nSELECT @@datadir');
  });

  test('a primary restored from a backup is not Ready until its sidecar has continued the GTID history', () => {
    const { dir, env } = sandbox(ReplicationSqlDialect.MARIADB);
    const fakeWithDatadir = join(dir, 'client-with-datadir.sh');
    writeFileSync(fakeWithDatadir, `#!/usr/bin/env bash\nfor a; do [[ $a == 'SELECT @@datadir' ]] && { echo '${env.DATADIR}/'; exit 0; }; done\nexec '${FAKE_CLIENT}' "$@"\n`);
    chmodSync(fakeWithDatadir, 0o755);
    const run = () => spawnSync('bash', [assetPath('mysql/scripts/probe-ready.sh')], { env: { ...env, MYSQL_CLIENT: fakeWithDatadir, HOSTNAME: 'mysql-0' }, encoding: 'utf8' });
    try {
      writeFileSync(join(env.DATADIR, 'continue-from-backup'), '0-100-17\n');
      const pending = run();
      expect(pending.status).not.toBe(0);
      expect(pending.stderr).toContain('restored from a backup; the sidecar has not yet continued the GTID history from it');
      writeFileSync(join(env.DATADIR, 'continue-from-backup.applied'), '0-100-17\n');
      rmSync(join(env.DATADIR, 'continue-from-backup'));
      expect(run().status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a primary restored from a backup continues its GTID history (SQL_CONTINUE_FROM_BACKUP)', () => {
  const MYSQL_GTID = '3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5';
  /** The sidecar of mysql-0 whose data directory clone-data.sh restored from a backup at `gtid`. */
  function restoredPrimary(dialect: ReplicationSqlDialect, gtid: string, mode = ReplicationMode.GTID, files: Record<string, string> = {}) {
    return runSidecar(dialect, 'mysql-0', { 'continue-from-backup': `${gtid}\n`, ...files },
      { SQL_CONTINUE_FROM_BACKUP: replicationStatements(dialect, mode).continueFromBackup }, undefined, mode);
  }

  test.each([
    [ReplicationSqlDialect.MYSQL_84, MYSQL_GTID, `STOP REPLICA;\nRESET REPLICA ALL;\nRESET BINARY LOGS AND GTIDS;\nSET GLOBAL gtid_purged = '${MYSQL_GTID}';`],
    [ReplicationSqlDialect.MYSQL_80, MYSQL_GTID, `STOP REPLICA;\nRESET REPLICA ALL;\nRESET MASTER;\nSET GLOBAL gtid_purged = '${MYSQL_GTID}';`],
    [ReplicationSqlDialect.MYSQL_57, MYSQL_GTID, `STOP SLAVE;\nRESET SLAVE ALL;\nRESET MASTER;\nSET GLOBAL gtid_purged = '${MYSQL_GTID}';`],
    [ReplicationSqlDialect.MARIADB, '0-100-17,1-100-3',
      "STOP SLAVE;\nRESET SLAVE ALL;\nRESET MASTER;\nSET GLOBAL gtid_binlog_state = '0-100-17,1-100-3';\nSET GLOBAL gtid_slave_pos = '0-100-17,1-100-3';"],
  ])('%s: discards a replication configuration the backup carried, then continues the GTID history; once, before the replication account is written', async (dialect, gtid, expected) => {
    const run = await restoredPrimary(dialect, gtid);
    expect(run.sql).toContain(expected);
    expect(run.sql.indexOf(expected)).toBeLessThan(run.sql.indexOf('CREATE USER'));
    expect(run.log).toContain(`restored from a backup: the GTID history continues from '${gtid}'`);
    expect(run.files).toEqual(['continue-from-backup.applied']);
  }, 30_000);

  test('a restart after it ran resets nothing', async () => {
    const run = await runSidecar(ReplicationSqlDialect.MARIADB, 'mysql-0', { 'continue-from-backup.applied': '0-100-17\n' },
      { SQL_CONTINUE_FROM_BACKUP: replicationStatements(ReplicationSqlDialect.MARIADB, ReplicationMode.GTID).continueFromBackup });
    expect(run.sql).not.toMatch(/RESET|gtid_binlog_state/);
    expect(run.sql).toContain('CREATE USER');
    expect(run.files).toEqual(['continue-from-backup.applied']);
  }, 30_000);

  test('an empty GTID position (a backup taken before the first transaction) is sent as an empty string', async () => {
    const run = await restoredPrimary(ReplicationSqlDialect.MARIADB, '');
    expect(run.sql).toContain("SET GLOBAL gtid_binlog_state = '';");
    expect(run.files).toEqual(['continue-from-backup.applied']);
  }, 30_000);

  test('binary-log-position mode: nothing carries over, the restore is marked applied', async () => {
    expect(replicationStatements(ReplicationSqlDialect.MYSQL_84, ReplicationMode.BINLOG_POSITION).continueFromBackup).toBe('');
    const run = await restoredPrimary(ReplicationSqlDialect.MYSQL_84, MYSQL_GTID, ReplicationMode.BINLOG_POSITION);
    expect(run.sql).not.toMatch(/RESET|gtid_purged/);
    expect(run.log).toContain('restored from a backup; binary-log-position replication carries no GTID history over');
    expect(run.files).toEqual(['continue-from-backup.applied']);
  }, 30_000);

  test('a malformed GTID set is never sent, and the sidecar keeps retrying', async () => {
    const run = await runSidecar(ReplicationSqlDialect.MARIADB, 'mysql-0', { 'continue-from-backup': "0-1-2'; DROP TABLE x; --\n" },
      { SQL_CONTINUE_FROM_BACKUP: replicationStatements(ReplicationSqlDialect.MARIADB, ReplicationMode.GTID).continueFromBackup }, /bootstrap failed; retrying/);
    expect(run.log).toContain("holds a malformed GTID set '0-1-2'; DROP TABLE x; --'");
    expect(run.sql).not.toMatch(/RESET|DROP|CREATE USER/);
    expect(run.files).toEqual(['continue-from-backup']);
  }, 30_000);
});
