// Scheduled backups and restore, run for real on this machine: backup-job.sh takes a
// backup from a real MariaDB 10.11 server through the real sidecar's listener (socat,
// stream-backup.sh, mariadb-backup, mbstream), and clone-data.sh restores it into an
// empty data directory, from which a second real server starts; the real sidecar then
// continues the GTID history. Retention, a stream cut mid-way, the choice of source and
// the restore's refusals run against stand-ins (the fake backup tool and SQL client of
// fixtures/) where no server is needed. Needs root (private mount namespaces give the
// scripts the member names they resolve) and Debian's mariadb-server, mariadb-backup,
// socat and zstd; fails, never skips, without them.
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { MySqlEngine, ReplicationMode, ReplicationSqlDialect } from '../../../lib';
import { replicationStatements } from '../../../lib/mysql/engine/replication-sql';
import { assetPath } from '../../../lib/internal/assets';
import { manifestEnv } from '../../support/objects';
import { MariadbServer, startMariadb } from './support/mariadb-server';
import { exitCode, freePort, requireRootAndCommands, Running, start, startWithHosts, stop, until } from './support/processes';

const FIXTURES = join(__dirname, 'fixtures');
const SECRET = `rep 'l" \\ #x $(id) é`;
const DOMAIN = 'mysql.default.svc.cluster.local';
const MARIADB = { engine: MySqlEngine.mariadb1011() };
const STAMPED = /^mysql-\d{8}T\d{6}Z\.tar\.zst$/;

let dir: string;
let hosts: string;

beforeAll(() => {
  requireRootAndCommands('the backup and restore test', ['mariadbd', 'mariadb-install-db', 'mariadb', 'mariadb-backup', 'mbstream', 'socat', 'zstd', 'unshare']);
  dir = mkdtempSync(join(tmpdir(), 'backup-restore-'));
  // Only the primary's name resolves: the backup job finds no replica.
  hosts = join(dir, 'hosts-primary-only');
  writeFileSync(hosts, `127.0.0.1\tlocalhost\n127.0.0.1\tmysql-0.${DOMAIN}\n`);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The backup container's environment, as the CronJob gives it (the clone channel's part from the manifest). */
function backupEnv(backupDir: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  const clone = manifestEnv(MARIADB, 'clone-data');
  return {
    STATEFULSET_NAME: clone.STATEFULSET_NAME, PEER_DOMAIN: clone.PEER_DOMAIN, PRIMARY_POD: clone.PRIMARY_POD,
    BACKUP_PORT: String(port), BACKUP_TOOL: clone.BACKUP_TOOL, STREAM_TOOL: clone.STREAM_TOOL, CLONE_PARALLEL: '2',
    CLONE_COMPRESSION: clone.CLONE_COMPRESSION, REPLICATION_PASSWORD_MAX_BYTES: clone.REPLICATION_PASSWORD_MAX_BYTES, REPLICATION_PASSWORD: SECRET,
    PREPARE_MEMORY: '64M', BACKUP_DIR: backupDir, BACKUP_RETENTION: '7', BACKUP_PREFIX: 'mysql', BACKUP_ENGINE: 'mariadb-10.11',
    BACKUP_FILE_COMPRESSION: 'zstd', BACKUP_LOCK_STALE_SECONDS: '7260', HOSTNAME: 'mysql-backup-2902-x',
    ...extra,
  };
}

function runBackup(backupDir: string, port: number, extra: Record<string, string> = {}, hostsFile = hosts): Running {
  return startWithHosts(hostsFile, assetPath('mysql/scripts/backup-job.sh'), backupEnv(backupDir, port, extra));
}

/** clone-data.sh as the primary of a cluster restoring from `restoreDir`. */
function runRestore(dataRoot: string, restoreDir: string, extra: Record<string, string> = {}, hostsFile = hosts): Running {
  mkdirSync(dataRoot, { recursive: true });
  return startWithHosts(hostsFile, assetPath('mysql/scripts/clone-data.sh'), {
    ...manifestEnv(MARIADB, 'clone-data'),
    HOSTNAME: 'mysql-0', DATA_ROOT: dataRoot, REPLICATION_PASSWORD: SECRET, PREPARE_MEMORY: '64M', RETRY_SECONDS: '1',
    RESTORE_DIR: restoreDir, RESTORE_FILE: '', RESTORE_CLUSTER: '', BACKUP_ENGINE: 'mariadb-10.11', BACKUP_FILE_COMPRESSION: 'zstd',
    ...extra,
  });
}

/** The primary's sidecar with the real SQL client against `server`. */
async function startSidecar(server: MariadbServer, backupPort: number, extra: Record<string, string> = {}): Promise<Running> {
  const sidecar = start(['bash', assetPath('mysql/scripts/replication-sidecar.sh')], {
    ...manifestEnv(MARIADB, 'replication'),
    HOSTNAME: 'mysql-0', DATADIR: server.datadir, MYSQL_PORT: String(server.port), AUTH_FILE: server.authFile, BACKUP_PORT: String(backupPort),
    REPLICATION_PASSWORD: SECRET, CLONE_PARALLEL: '2', RETRY_SECONDS: '1',
    ...extra,
  });
  await until('the sidecar to serve backups', () => /serving backups/.test(sidecar.log()), 60_000, sidecar.log);
  await until('the backup port to accept connections', () =>
    spawnSync('socat', ['-u', 'OPEN:/dev/null', `TCP:127.0.0.1:${backupPort}`], { timeout: 5000 }).status === 0);
  return sidecar;
}

/** Waits for `running` to exit and expects `code`, showing its log when it differs. */
async function expectExit(running: Running, code: number, timeoutMs = 50_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const exited = await Promise.race([exitCode(running), new Promise(resolve => { timer = setTimeout(() => resolve('still running'), timeoutMs); })]);
  clearTimeout(timer);
  if (exited !== code) throw new Error(`expected exit code ${code}, got ${exited}; log:\n${running.log()}`);
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function listArchive(file: string): string[] {
  const result = spawnSync('bash', ['-c', `zstd -dc '${file}' | tar -tf -`], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout.split('\n').filter(Boolean);
}

describe('a backup of a real MariaDB, restored into a new primary', () => {
  let source: MariadbServer;
  let sidecar: Running;
  let backupPort: number;
  let backupDir: string;
  let backupGtid: string;
  let checksum: string;
  let restored: MariadbServer | undefined;
  let restoredSidecar: Running | undefined;

  beforeAll(async () => {
    mkdirSync(join(dir, 'source'));
    source = await startMariadb(dir, 'source', join(dir, 'source', 'data'), 100);
    source.sql("CREATE DATABASE shop; CREATE TABLE shop.items (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(40)) ENGINE=InnoDB;"
      + "INSERT INTO shop.items (name) VALUES ('a'), ('b'), ('it''s'); INSERT INTO shop.items (name) SELECT CONCAT(name, id) FROM shop.items;");
    backupPort = await freePort();
    sidecar = await startSidecar(source, backupPort);
    backupDir = join(dir, 'backups');
    mkdirSync(backupDir);
    backupGtid = source.sql('SELECT @@gtid_binlog_pos');
    checksum = source.sql('CHECKSUM TABLE shop.items');
  }, 120_000);

  afterAll(async () => {
    await stop(restoredSidecar);
    await restored?.stop();
    await stop(sidecar);
    await source?.stop();
  }, 60_000);

  test('backup-job.sh takes a prepared backup from the primary when no replica exists, with a manifest that matches the file', async () => {
    const job = runBackup(backupDir, backupPort);
    await expectExit(job, 0);
    const files = readdirSync(backupDir).sort();
    expect(files).toHaveLength(2);
    const [archive, manifestFile] = [files.find(f => f.endsWith('.tar.zst'))!, files.find(f => f.endsWith('.json'))!];
    expect(archive).toMatch(STAMPED);
    expect(manifestFile).toBe(archive.replace(/\.tar\.zst$/, '.json'));
    const manifest = JSON.parse(readFileSync(join(backupDir, manifestFile), 'utf8'));
    expect(manifest).toEqual({
      format: 1, cluster: 'mysql', engine: 'mariadb-10.11', file: archive, compression: 'zstd',
      bytes: statSync(join(backupDir, archive)).size, sha256: sha256(join(backupDir, archive)), unpackedBytes: expect.any(Number),
      started: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), finished: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      sourceMember: `mysql-0.${DOMAIN}`, sourceRole: 'primary', gtid: backupGtid, binlogFile: 'mysql-bin.000001', binlogPosition: expect.any(Number),
      prepared: true, tool: 'mariadb-backup', toolVersion: expect.stringMatching(/^10\.11\./), serverVersion: expect.stringMatching(/^10\.11\..*MariaDB/),
    });
    expect(manifest.started <= manifest.finished).toBe(true);
    expect(manifest.unpackedBytes).toBeGreaterThan(manifest.bytes);
    expect(backupGtid).toMatch(/^0-100-\d+$/);
    const entries = listArchive(join(backupDir, archive));
    expect(entries).toEqual(expect.arrayContaining(['./xtrabackup_checkpoints', './xtrabackup_info', './xtrabackup_binlog_info', './shop/items.ibd']));
    expect(entries).not.toContain('./clone-stream-complete');
    const checkpoints = spawnSync('bash', ['-c', `zstd -dc '${join(backupDir, archive)}' | tar -xOf - ./xtrabackup_checkpoints`], { encoding: 'utf8' }).stdout;
    expect(checkpoints).toContain('backup_type = log-applied');
    expect(job.log()).toContain('no replica found (no member name but the primary\'s resolves); asking the primary');
    expect(job.log()).toContain(`asking mysql-0.${DOMAIN} (primary) for a backup`);
    expect(job.log()).toMatch(/backup complete: mysql-\d{8}T\d{6}Z\.tar\.zst \(\d+ bytes, sha256 [0-9a-f]{64}\)/);
    expect(sidecar.log()).toMatch(/serving a backup to 127\.0\.0\.1:\d+/);
  }, 120_000);

  test('clone-data.sh restores the newest complete backup into an empty data directory; the sidecar continues its GTID history once', async () => {
    const dataRoot = join(dir, 'restored');
    const restore = runRestore(dataRoot, backupDir);
    await expectExit(restore, 0);
    const datadir = join(dataRoot, 'mysql');
    expect(restore.log()).toMatch(/restoring the newest complete backup in .*: mysql-\d{8}T\d{6}Z\.tar\.zst/);
    expect(existsSync(join(dataRoot, '.restore-in-progress'))).toBe(false);
    expect(readFileSync(join(datadir, 'continue-from-backup'), 'utf8')).toBe(`${backupGtid}\n`);
    expect(existsSync(join(datadir, 'xtrabackup_binlog_info'))).toBe(false);
    expect(existsSync(join(datadir, 'xtrabackup_binlog_info.restored'))).toBe(true);
    expect(JSON.parse(readFileSync(join(datadir, 'restored-from-backup.json'), 'utf8')).gtid).toBe(backupGtid);

    restored = await startMariadb(dir, 'restored', datadir, 200);
    expect(restored.sql('CHECKSUM TABLE shop.items')).toBe(checksum);
    // The readiness probe keeps the restored primary out of service until the sidecar has run.
    const probe = () => spawnSync('bash', [assetPath('mysql/scripts/probe-ready.sh')], {
      env: { PATH: process.env.PATH, ...manifestEnv(MARIADB, 'mysql'), HOSTNAME: 'mysql-0', MYSQL_PORT: String(restored!.port), AUTH_FILE: restored!.authFile },
      encoding: 'utf8',
    });
    const before = probe();
    expect(before.status).not.toBe(0);
    expect(before.stderr).toContain('restored from a backup; the sidecar has not yet continued the GTID history from it');

    const continueSql = replicationStatements(ReplicationSqlDialect.MARIADB, ReplicationMode.GTID).continueFromBackup;
    restoredSidecar = await startSidecar(restored, await freePort(), { SQL_CONTINUE_FROM_BACKUP: continueSql });
    expect(restoredSidecar.log()).toContain(`restored from a backup: the GTID history continues from '${backupGtid}'`);
    expect(existsSync(join(datadir, 'continue-from-backup'))).toBe(false);
    expect(existsSync(join(datadir, 'continue-from-backup.applied'))).toBe(true);
    expect(probe().status).toBe(0);
    const seq = Number(backupGtid.split('-')[2]);
    // The new binary log starts from the backup's GTID state, and its first transaction
    // (the sidecar's replication account) takes the next sequence number of the same domain.
    const events = restored.sql("SHOW BINLOG EVENTS IN 'mysql-bin.000001'");
    expect(events).toContain(`Gtid_list\t200\t`);
    expect(events).toContain(`[${backupGtid}]`);
    expect(/GTID (0-\d+-\d+)/.exec(events)![1]).toBe(`0-200-${seq + 1}`);
    const current = Number(restored.sql('SELECT @@gtid_binlog_pos').split('-')[2]);
    expect(restored.sql('SELECT @@gtid_binlog_state')).toBe(`${backupGtid},0-200-${current}`);
    restored.sql("INSERT INTO shop.items (name) VALUES ('after the restore')");
    expect(restored.sql('SELECT @@gtid_binlog_pos')).toBe(`0-200-${current + 1}`);

    // A restart of the sidecar does not reset the binary log again.
    await stop(restoredSidecar);
    restoredSidecar = await startSidecar(restored, await freePort(), { SQL_CONTINUE_FROM_BACKUP: continueSql });
    expect(restoredSidecar.log()).not.toContain('continues from');
    // No RESET MASTER: the binary log still holds the insert, and the sequence goes on
    // (the sidecar re-applies the replication account at every start, which logs a few
    // transactions).
    const again = restored.sql("SHOW BINLOG EVENTS IN 'mysql-bin.000001'");
    expect(again).toContain('after the restore');
    expect(/GTID (0-\d+-\d+)/.exec(again)![1]).toBe(`0-200-${seq + 1}`);
    expect(Number(restored.sql('SELECT @@gtid_binlog_pos').split('-')[2])).toBeGreaterThan(current + 1);
    expect(restored.sql('SELECT @@gtid_binlog_state')).toMatch(new RegExp(`^${backupGtid},0-200-\\d+$`));
  }, 180_000);

  test('clone-data.sh never touches an initialised data directory', async () => {
    const dataRoot = join(dir, 'restored');
    const before = readdirSync(join(dataRoot, 'mysql')).sort();
    const again = runRestore(dataRoot, backupDir);
    await expectExit(again, 0);
    expect(again.log()).toContain('already holds a database; not restoring (a restore only fills an empty data directory)');
    expect(readdirSync(join(dataRoot, 'mysql')).sort()).toEqual(before);
    expect(existsSync(join(dataRoot, '.restore-in-progress'))).toBe(false);
  }, 60_000);
});

/** A fake backup directory as the tools leave one, packed into `<dir>/<name>` with a manifest; returns the archive's path. */
function fakeBackup(backupDir: string, name: string, options: { prepared?: boolean; engine?: string; gtid?: string; manifest?: boolean; cluster?: string } = {}): string {
  const content = mkdtempSync(join(tmpdir(), 'fake-backup-'));
  try {
    mkdirSync(join(content, 'mysql'));
    writeFileSync(join(content, 'mysql', 'user.frm'), 'x'.repeat(1000));
    writeFileSync(join(content, 'ibdata1'), Buffer.alloc(200_000, 3));
    writeFileSync(join(content, 'xtrabackup_checkpoints'), `backup_type = ${options.prepared === false ? 'full-backuped' : 'log-applied'}\n`);
    writeFileSync(join(content, 'xtrabackup_info'), 'tool_name = mariadb-backup\ntool_version = 10.11.19-MariaDB\n');
    writeFileSync(join(content, 'xtrabackup_binlog_info'), `mysql-bin.000002\t1234\t${options.gtid ?? '0-100-17'}\n`);
    const archive = join(backupDir, name);
    const packed = spawnSync('bash', ['-c', `tar -cf - -C '${content}' . | zstd -q -o '${archive}'`]);
    if (packed.status !== 0) throw new Error(String(packed.stderr));
  } finally {
    rmSync(content, { recursive: true, force: true });
  }
  const archive = join(backupDir, name);
  if (options.manifest !== false) writeManifest(archive, { engine: options.engine, cluster: options.cluster });
  return archive;
}

/** Writes the manifest of `archive`; its cluster is the file's prefix unless given. */
function writeManifest(archive: string, fields: { engine?: string; bytes?: number; sha256?: string; cluster?: string } = {}): void {
  const file = archive.slice(archive.lastIndexOf('/') + 1);
  writeFileSync(archive.replace(/\.tar(\.zst|\.gz)?$/, '.json'), `${JSON.stringify({
    format: 1, cluster: fields.cluster ?? file.replace(/-\d{8}T\d{6}Z\..*$/, ''), engine: fields.engine ?? 'mariadb-10.11', file, compression: 'zstd',
    bytes: fields.bytes ?? statSync(archive).size, sha256: fields.sha256 ?? sha256(archive), gtid: '0-100-17',
  }, undefined, 2)}\n`);
}

describe('restore refuses, once and without retrying, a backup it cannot trust', () => {
  /** Runs the restore until 1.5 s after its refusal; asserts it said so once, staged nothing and did not exit. */
  async function refused(restoreDir: string, extra: Record<string, string> = {}, prepare?: (dataRoot: string) => void, hostsFile = hosts): Promise<string> {
    const dataRoot = mkdtempSync(join(dir, 'refused-'));
    prepare?.(dataRoot);
    const before = existsSync(join(dataRoot, 'mysql')) ? readdirSync(join(dataRoot, 'mysql')) : undefined;
    const restore = runRestore(dataRoot, restoreDir, extra, hostsFile);
    try {
      await until('the refusal', () => /error: not restoring/.test(restore.log()), 30_000, restore.log);
      await new Promise(resolve => setTimeout(resolve, 1500));
      expect(restore.child.exitCode).toBeNull();
      expect(restore.log().match(/error: not restoring/g)).toHaveLength(1);
      expect(restore.log()).toContain('this container does nothing until the pod is recreated and does not retry');
      expect(existsSync(join(dataRoot, '.restore-in-progress'))).toBe(false);
      expect(existsSync(join(dataRoot, 'mysql')) ? readdirSync(join(dataRoot, 'mysql')) : undefined).toEqual(before);
      return /error: not restoring: (.*); this container/.exec(restore.log())![1];
    } finally {
      await stop(restore);
    }
  }

  function freshDir(): string {
    return mkdtempSync(join(dir, 'restore-src-'));
  }

  test('a missing file', async () => {
    const restoreDir = freshDir();
    expect(await refused(restoreDir, { RESTORE_FILE: 'mysql-20261201T030000Z.tar.zst' })).toBe(`the backup file ${restoreDir}/mysql-20261201T030000Z.tar.zst does not exist`);
  }, 30_000);

  test('no complete backup at all (only one without a manifest)', async () => {
    const restoreDir = freshDir();
    fakeBackup(restoreDir, 'mysql-20261201T030000Z.tar.zst', { manifest: false });
    expect(await refused(restoreDir)).toBe(`${restoreDir} holds no complete backup (a <name>-<YYYYmmddTHHMMSSZ>.tar[.zst|.gz] file with its .json manifest)`);
  }, 30_000);

  test('a file without its manifest', async () => {
    const restoreDir = freshDir();
    fakeBackup(restoreDir, 'mysql-20261201T030000Z.tar.zst', { manifest: false });
    expect(await refused(restoreDir, { RESTORE_FILE: 'mysql-20261201T030000Z.tar.zst' }))
      .toBe('mysql-20261201T030000Z.tar.zst is incomplete: it has no manifest mysql-20261201T030000Z.json (a backup whose run did not finish)');
  }, 30_000);

  test('a truncated file', async () => {
    const restoreDir = freshDir();
    const archive = fakeBackup(restoreDir, 'mysql-20261201T030000Z.tar.zst');
    const size = statSync(archive).size;
    truncateSync(archive, size - 100);
    expect(await refused(restoreDir, { RESTORE_FILE: 'mysql-20261201T030000Z.tar.zst' }))
      .toBe(`mysql-20261201T030000Z.tar.zst is incomplete or damaged: it has ${size - 100} bytes, and its manifest records ${size}`);
  }, 30_000);

  test('a corrupt file (a changed byte, same size)', async () => {
    const restoreDir = freshDir();
    const archive = fakeBackup(restoreDir, 'mysql-20261201T030000Z.tar.zst');
    const expected = sha256(archive);
    const bytes = readFileSync(archive);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    writeFileSync(archive, bytes);
    expect(await refused(restoreDir, { RESTORE_FILE: 'mysql-20261201T030000Z.tar.zst' }))
      .toBe(`mysql-20261201T030000Z.tar.zst is corrupt: its SHA-256 is ${sha256(archive)}, and its manifest records ${expected}`);
  }, 30_000);

  test('a truncated archive whose manifest matches it (the archive itself is broken)', async () => {
    const restoreDir = freshDir();
    const archive = fakeBackup(restoreDir, 'mysql-20261201T030000Z.tar.zst');
    truncateSync(archive, Math.floor(statSync(archive).size / 2));
    writeManifest(archive);
    expect(await refused(restoreDir)).toBe('unpacking mysql-20261201T030000Z.tar.zst failed (see the zstd or tar messages above; is the data volume full?)');
  }, 30_000);

  test('a backup of another flavor', async () => {
    const restoreDir = freshDir();
    fakeBackup(restoreDir, 'mysql-20261201T030000Z.tar.zst', { engine: 'mysql-8.4' });
    expect(await refused(restoreDir)).toBe('mysql-20261201T030000Z.tar.zst is a backup of mysql-8.4, and this cluster runs mariadb-10.11 (a physical backup only starts the server flavor and release series it was taken from)');
  }, 30_000);

  test('a compression the image cannot unpack', async () => {
    const restoreDir = freshDir();
    fakeBackup(restoreDir, 'mysql-20261201T030000Z.tar.zst');
    expect(await refused(restoreDir, { BACKUP_FILE_COMPRESSION: 'none' }))
      .toBe('mysql-20261201T030000Z.tar.zst is compressed with zst, which this backup image cannot unpack (it unpacks uncompressed files)');
  }, 30_000);

  test('a data directory that holds files but no database is not overwritten', async () => {
    const restoreDir = freshDir();
    fakeBackup(restoreDir, 'mysql-20261201T030000Z.tar.zst');
    const reason = await refused(restoreDir, {}, dataRoot => {
      mkdirSync(join(dataRoot, 'mysql'));
      writeFileSync(join(dataRoot, 'mysql', 'ibdata1'), 'keep me');
    });
    expect(reason).toMatch(/the data directory .*\/mysql is not empty but holds no database \(it holds: ibdata1\); it is never overwritten/);
  }, 30_000);

  test('fails when other members of the cluster exist (member 1 resolves): a restore would fork its history', async () => {
    const restoreDir = freshDir();
    fakeBackup(restoreDir, 'mysql-20261201T030000Z.tar.zst');
    const both = join(dir, 'hosts-0-and-1');
    writeFileSync(both, `127.0.0.1\tlocalhost\n127.0.0.1\tmysql-0.${DOMAIN}\n127.0.0.2\tmysql-1.${DOMAIN}\n`);
    expect(await refused(restoreDir, {}, undefined, both)).toBe(`other members of this cluster exist (mysql-1.${DOMAIN} resolves); a restore into a running cluster would fork its history. `
      + 'Remove `restore` from the cluster, or delete the whole cluster and its claims first');
  }, 30_000);

  test('fails when the claim holds complete backups of several clusters and neither RESTORE_CLUSTER nor RESTORE_FILE is set', async () => {
    const restoreDir = freshDir();
    fakeBackup(restoreDir, 'mysql-20261201T030000Z.tar.zst');
    fakeBackup(restoreDir, 'other-20261202T030000Z.tar.zst');
    fakeBackup(restoreDir, 'third-20261202T030000Z.tar.zst', { manifest: false });
    expect(await refused(restoreDir)).toBe('the claim holds backups of several clusters (mysql, other); set restore.cluster or restore.file');
  }, 30_000);

  test('fails when RESTORE_CLUSTER has no complete backup (one of another cluster, one whose manifest names another cluster)', async () => {
    const restoreDir = freshDir();
    fakeBackup(restoreDir, 'other-20261201T030000Z.tar.zst');
    fakeBackup(restoreDir, 'shop-20261201T030000Z.tar.zst', { cluster: 'other' });
    expect(await refused(restoreDir, { RESTORE_CLUSTER: 'shop' }))
      .toBe(`${restoreDir} holds no complete backup of the cluster shop (a shop-<YYYYmmddTHHMMSSZ>.tar[.zst|.gz] file with its .json manifest, whose cluster is shop)`);
  }, 30_000);

  test('fails when RESTORE_FILE is a backup of another cluster than RESTORE_CLUSTER', async () => {
    const restoreDir = freshDir();
    fakeBackup(restoreDir, 'shop-20261201T030000Z.tar.zst', { cluster: 'other' });
    expect(await refused(restoreDir, { RESTORE_CLUSTER: 'shop', RESTORE_FILE: 'shop-20261201T030000Z.tar.zst' }))
      .toBe("shop-20261201T030000Z.tar.zst is a backup of the cluster 'other' (its manifest says), not of shop (restore.cluster)");
  }, 30_000);

  test('RESTORE_FILE with a directory in it', async () => {
    expect(await refused(freshDir(), { RESTORE_FILE: '../x.tar.zst' })).toContain("RESTORE_FILE '../x.tar.zst' is not the name of a backup file");
  }, 30_000);
});

describe('restore of stand-in backups', () => {
  test('the newest complete backup of RESTORE_CLUSTER is chosen (a newer one without a manifest, another size, an older one, another cluster\'s, or one whose manifest names another cluster are not); an unprepared one is prepared', async () => {
    const restoreDir = mkdtempSync(join(dir, 'choose-'));
    fakeBackup(restoreDir, 'shop-20261130T030000Z.tar.zst', { gtid: '0-100-1' });
    fakeBackup(restoreDir, 'shop-20261201T020000Z.tar.zst', { prepared: false, gtid: '0-100-5' });
    fakeBackup(restoreDir, 'shop-20261201T030000Z.tar.zst', { manifest: false });
    const sized = fakeBackup(restoreDir, 'shop-20261201T040000Z.tar.zst');
    writeManifest(sized, { bytes: 1 });
    fakeBackup(restoreDir, 'shop-20261201T050000Z.tar.zst', { cluster: 'other' });
    fakeBackup(restoreDir, 'other-20261202T030000Z.tar.zst');
    fakeBackup(restoreDir, 'shop-a-20261202T030000Z.tar.zst');
    const dataRoot = join(dir, 'choose-data');
    const restore = runRestore(dataRoot, restoreDir, {
      BACKUP_TOOL: join(FIXTURES, 'fake-backup-tool.sh'), FAKE_PREPARE_LOG: join(dir, 'choose-prepare.log'), RESTORE_CLUSTER: 'shop',
    });
    await expectExit(restore, 0);
    expect(restore.log()).toContain('restoring the newest complete backup in');
    expect(restore.log()).toContain(': shop-20261201T020000Z.tar.zst');
    expect(readFileSync(join(dataRoot, 'mysql', 'continue-from-backup'), 'utf8')).toBe('0-100-5\n');
    expect(readFileSync(join(dir, 'choose-prepare.log'), 'utf8')).toBe(`--prepare --target-dir=${dataRoot}/.restore-in-progress --use-memory=64M\n`);
    expect(readdirSync(join(dataRoot, 'mysql')).sort()).toEqual(['continue-from-backup', 'ibdata1', 'mysql', 'restored-from-backup.json',
      'xtrabackup_binlog_info.restored', 'xtrabackup_checkpoints', 'xtrabackup_info']);
  }, 30_000);
});

describe('backup-job.sh against stand-in members', () => {
  /** A member's listener bound to `address`: socat running the real stream-backup.sh with the fake SQL client and backup tool. */
  function member(name: string, address: string, port: number, extra: Record<string, string>, wrap = (script: string) => `bash ${script}`): Running {
    const work = mkdtempSync(join(dir, `${name}-`));
    const sqlLog = join(work, 'sql.log');
    // A replica whose replication was configured (the fake client answers status queries after a CHANGE).
    writeFileSync(sqlLog, 'CHANGE (configured earlier)\n');
    const backup = join(work, 'backup');
    mkdirSync(backup);
    writeFileSync(join(backup, 'ibdata1'), Buffer.alloc(extra.SIZE ? Number(extra.SIZE) : 100_000, 5));
    writeFileSync(join(backup, 'xtrabackup_checkpoints'), 'backup_type = full-backuped\n');
    writeFileSync(join(backup, 'xtrabackup_info'), `tool_name = fake\ntool_version = 1.0 "quoted" \\ back\ttab\n`);
    writeFileSync(join(backup, 'xtrabackup_binlog_info'), 'mysql-bin.000009\t99\t0-100-42\n');
    return start(['socat', `TCP4-LISTEN:${port},bind=${address},reuseaddr,fork`, `EXEC:${wrap(assetPath('mysql/scripts/stream-backup.sh'))},nofork`], {
      ...manifestEnv(MARIADB, 'replication'),
      HOSTNAME: name, DATADIR: join(work, 'data'), REPLICATION_PASSWORD: SECRET, MYSQL_CLIENT: join(FIXTURES, 'fake-mysql-client.sh'),
      AUTH_FILE: join(work, 'client.cnf'), BACKUP_TOOL: join(FIXTURES, 'fake-backup-tool.sh'), FAKE_BACKUP_DIR: backup, FAKE_SQL_LOG: sqlLog,
      FAKE_ARGV_LOG: join(work, 'argv.log'), FAKE_STATUS_PREFIX: 'Slave', CLONE_PARALLEL: '2', ...extra,
    });
  }

  /** Prepare with the fake tool marks nothing prepared: a prepare that writes what the real tools write. */
  function preparingTool(): string {
    const tool = join(dir, 'preparing-tool.sh');
    writeFileSync(tool, `#!/usr/bin/env bash\nfor a; do case $a in --target-dir=*) printf 'backup_type = full-prepared\\n' >"\${a#--target-dir=}/xtrabackup_checkpoints" ;; esac; done\n`, { mode: 0o755 });
    return tool;
  }

  function hostsFor(entries: Record<string, string>): string {
    const file = join(dir, `hosts-${Object.keys(entries).join('-')}`);
    writeFileSync(file, `127.0.0.1\tlocalhost\n${Object.entries(entries).map(([name, address]) => `${address}\t${name}.${DOMAIN}\n`).join('')}`);
    return file;
  }

  async function listening(address: string, port: number): Promise<void> {
    await until(`${address}:${port} to listen`, () => spawnSync('socat', ['-u', 'OPEN:/dev/null', `TCP:${address}:${port}`], { timeout: 5000 }).status === 0);
  }

  test('takes the backup from the highest replica that serves: mysql-2 refuses (not replicating), mysql-1 serves, the primary is not asked', async () => {
    const port = await freePort();
    const refusing = member('mysql-2', '127.0.0.3', port, { FAKE_SQL_RUNNING: 'No', FAKE_SQL_ERROR: 'stopped for the test' });
    const serving = member('mysql-1', '127.0.0.2', port, {});
    const backupDir = mkdtempSync(join(dir, 'choice-'));
    try {
      await listening('127.0.0.3', port);
      await listening('127.0.0.2', port);
      const job = runBackup(backupDir, port, { BACKUP_TOOL: preparingTool() }, hostsFor({ 'mysql-0': '127.0.0.1', 'mysql-1': '127.0.0.2', 'mysql-2': '127.0.0.3' }));
      await expectExit(job, 0);
      expect(job.log()).toContain(`asking mysql-2.${DOMAIN} (replica) for a backup`);
      expect(job.log()).toContain('refuses to serve a backup: replication is not running (IO_Running=Yes, SQL_Running=No): stopped for the test');
      expect(job.log()).toContain(`mysql-2.${DOMAIN} did not serve a backup`);
      expect(job.log()).not.toContain(`asking mysql-0.${DOMAIN}`);
      const manifestFile = readdirSync(backupDir).find(f => f.endsWith('.json'))!;
      const manifest = JSON.parse(readFileSync(join(backupDir, manifestFile), 'utf8'));
      expect(manifest).toMatchObject({ sourceMember: `mysql-1.${DOMAIN}`, sourceRole: 'replica', gtid: '0-100-42', binlogFile: 'mysql-bin.000009', binlogPosition: 99,
        tool: 'fake', toolVersion: '1.0 "quoted" \\ back\ttab' });
    } finally {
      await stop(refusing);
      await stop(serving);
    }
  }, 60_000);

  test('a stream cut mid-way leaves nothing that looks complete, and the job fails with a clear line', async () => {
    const port = await freePort();
    // The member's answer is cut after at most 300 kB of a 3 MB backup, as if the source died.
    const cutter = join(dir, 'cut-stream.sh');
    // dd writes each block as it reads it (head would hold the challenge line in its buffer).
    writeFileSync(cutter, '#!/usr/bin/env bash\nbash "$1" | dd bs=4096 count=75 2>/dev/null\n');
    const cut = member('mysql-0', '127.0.0.1', port, { SIZE: '3000000' }, script => `bash ${cutter} ${script}`);
    const backupDir = mkdtempSync(join(dir, 'cut-'));
    const older = fakeBackup(backupDir, 'mysql-20261130T030000Z.tar.zst');
    try {
      await listening('127.0.0.1', port);
      const job = runBackup(backupDir, port, { BACKUP_TOOL: preparingTool() });
      await expectExit(job, 1);
      expect(job.log()).toContain(`error: the backup from mysql-0.${DOMAIN} broke off while it was streamed; no backup was written (the next run tries again)`);
      expect(job.log()).not.toContain('asking mysql-1');
      expect(job.log()).toContain('the backup failed; nothing of it was kept');
      expect(readdirSync(backupDir).sort()).toEqual(['mysql-20261130T030000Z.json', 'mysql-20261130T030000Z.tar.zst']);
      expect(sha256(older)).toBe(JSON.parse(readFileSync(join(backupDir, 'mysql-20261130T030000Z.json'), 'utf8')).sha256);
    } finally {
      await stop(cut);
    }
  }, 60_000);

  test('retention: leftovers of failed runs go first; then the newest BACKUP_RETENTION complete backups stay, the newest complete one always, other clusters\' files untouched', async () => {
    const port = await freePort();
    const primary = member('mysql-0', '127.0.0.1', port, {});
    const backupDir = mkdtempSync(join(dir, 'retention-'));
    fakeBackup(backupDir, 'mysql-20261128T030000Z.tar.zst');
    fakeBackup(backupDir, 'mysql-20261129T030000Z.tar.zst');
    // A clock that was ahead once: this backup's name is the newest.
    fakeBackup(backupDir, 'mysql-20991231T000000Z.tar.zst');
    fakeBackup(backupDir, 'mysql-20261130T030000Z.tar.zst', { manifest: false });
    writeFileSync(join(backupDir, 'mysql-20261130T040000Z.tar.zst.partial'), 'half');
    writeFileSync(join(backupDir, 'mysql-20261130T050000Z.json'), '{"format": 1}\n');
    mkdirSync(join(backupDir, '.mysql.staging'));
    writeFileSync(join(backupDir, '.mysql.staging', 'ibdata1'), 'old');
    fakeBackup(backupDir, 'mysql-a-20261101T030000Z.tar.zst');
    fakeBackup(backupDir, 'other-20261101T030000Z.tar.zst');
    try {
      await listening('127.0.0.1', port);
      const job = runBackup(backupDir, port, { BACKUP_TOOL: preparingTool(), BACKUP_RETENTION: '1' });
      await expectExit(job, 0);
      const files = readdirSync(backupDir).sort();
      const written = files.find(f => STAMPED.test(f) && !f.startsWith('mysql-2099') && !f.startsWith('mysql-202611'))!;
      expect(written).toBeDefined();
      expect(files).toEqual([
        'mysql-20991231T000000Z.json', 'mysql-20991231T000000Z.tar.zst',
        'mysql-a-20261101T030000Z.json', 'mysql-a-20261101T030000Z.tar.zst',
        written.replace('.tar.zst', '.json'), written,
        'other-20261101T030000Z.json', 'other-20261101T030000Z.tar.zst',
      ].sort());
      expect(job.log()).toContain('removing the staging directory of an unfinished run');
      expect(job.log()).toContain('removing the partial file of an unfinished run: mysql-20261130T040000Z.tar.zst.partial');
      expect(job.log()).toContain('removing mysql-20261130T030000Z.tar.zst: it has no manifest');
      expect(job.log()).toContain('removing mysql-20261130T050000Z.json: its backup file is gone');
      expect(job.log()).toContain('deleting mysql-20261129T030000Z.tar.zst (beyond the retention of 1)');
      expect(job.log()).toContain('deleting mysql-20261128T030000Z.tar.zst (beyond the retention of 1)');
    } finally {
      await stop(primary);
    }
  }, 60_000);

  test.each([['gzip', '.tar.gz'], ['none', '.tar']])('BACKUP_FILE_COMPRESSION=%s writes a %s file, which a restore with the same setting unpacks', async (compression, extension) => {
    const port = await freePort();
    const primary = member('mysql-0', '127.0.0.1', port, {});
    const backupDir = mkdtempSync(join(dir, `format-${compression}-`));
    try {
      await listening('127.0.0.1', port);
      const job = runBackup(backupDir, port, { BACKUP_TOOL: preparingTool(), BACKUP_FILE_COMPRESSION: compression });
      await expectExit(job, 0);
      const file = readdirSync(backupDir).find(f => f.endsWith(extension))!;
      expect(file).toMatch(new RegExp(`^mysql-\\d{8}T\\d{6}Z${extension.replace(/\./g, '\\.')}$`));
      expect(JSON.parse(readFileSync(join(backupDir, file.replace(extension, '.json')), 'utf8')).compression).toBe(compression);
      const dataRoot = join(dir, `format-${compression}-data`);
      const restore = runRestore(dataRoot, backupDir, { BACKUP_FILE_COMPRESSION: compression });
      await expectExit(restore, 0);
      expect(readFileSync(join(dataRoot, 'mysql', 'ibdata1'))).toEqual(Buffer.alloc(100_000, 5));
      expect(readFileSync(join(dataRoot, 'mysql', 'continue-from-backup'), 'utf8')).toBe('0-100-42\n');
    } finally {
      await stop(primary);
    }
  }, 60_000);

  /** The files of `backupDir` with their contents (a directory as its listing), to show a run changed nothing. */
  function snapshot(backupDir: string): Record<string, string> {
    const result: Record<string, string> = {};
    for (const name of readdirSync(backupDir)) {
      const path = join(backupDir, name);
      result[name] = statSync(path).isDirectory() ? readdirSync(path).sort().join(',') : sha256(path);
    }
    return result;
  }

  function writeLock(backupDir: string, pod: string, since: number): void {
    mkdirSync(join(backupDir, '.mysql.lock'));
    writeFileSync(join(backupDir, '.mysql.lock', 'owner'), `${pod}\n${since}\n`);
  }

  test('fails when another run holds the lock: exits 1 at once, and leaves its lock, staging directory, partial file and old backups alone', async () => {
    const backupDir = mkdtempSync(join(dir, 'locked-'));
    fakeBackup(backupDir, 'mysql-20261128T030000Z.tar.zst');
    fakeBackup(backupDir, 'mysql-20261129T030000Z.tar.zst');
    mkdirSync(join(backupDir, '.mysql.staging'));
    writeFileSync(join(backupDir, '.mysql.staging', 'ibdata1'), 'the other run\'s');
    writeFileSync(join(backupDir, 'mysql-20261130T030000Z.tar.zst.partial'), 'the other run\'s');
    const since = Math.floor(Date.now() / 1000) - 600;
    writeLock(backupDir, 'mysql-manual-7x2k9', since);
    const before = snapshot(backupDir);
    const job = runBackup(backupDir, await freePort(), { BACKUP_RETENTION: '1' });
    await expectExit(job, 1);
    const iso = new Date(since * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    expect(job.log().trim().split('\n').pop()).toMatch(new RegExp(`error: another backup of mysql is running \\(pod mysql-manual-7x2k9, since ${iso}\\); this run does nothing$`));
    expect(job.log()).not.toContain('the backup failed');
    expect(snapshot(backupDir)).toEqual(before);
  }, 30_000);

  test('a lock older than BACKUP_LOCK_STALE_SECONDS is taken over; the run releases its lock at the end', async () => {
    const port = await freePort();
    const primary = member('mysql-0', '127.0.0.1', port, {});
    const backupDir = mkdtempSync(join(dir, 'stale-'));
    const since = Math.floor(Date.now() / 1000) - 7300;
    writeLock(backupDir, 'mysql-killed-1', since);
    try {
      await listening('127.0.0.1', port);
      const job = runBackup(backupDir, port, { BACKUP_TOOL: preparingTool() });
      await expectExit(job, 0);
      expect(job.log()).toContain('took over the lock of a backup of mysql that did not finish (pod mysql-killed-1, since ');
      expect(job.log()).toContain('older than BACKUP_LOCK_STALE_SECONDS (7260)');
      expect(readdirSync(backupDir).filter(f => f.startsWith('.'))).toEqual([]);
      // umask 077: the backup holds the whole database (password hashes included).
      for (const file of readdirSync(backupDir)) expect((statSync(join(backupDir, file)).mode & 0o777).toString(8)).toBe('600');
    } finally {
      await stop(primary);
    }
  }, 60_000);

  test('two runs at once: one takes the backup, the other does nothing and fails', async () => {
    const port = await freePort();
    const primary = member('mysql-0', '127.0.0.1', port, { SIZE: '20000000' });
    const backupDir = mkdtempSync(join(dir, 'twice-'));
    try {
      await listening('127.0.0.1', port);
      const first = runBackup(backupDir, port, { BACKUP_TOOL: preparingTool(), HOSTNAME: 'mysql-first' });
      await until('the first run to take the lock', () => existsSync(join(backupDir, '.mysql.lock', 'owner')), 10_000, first.log);
      const second = runBackup(backupDir, port, { BACKUP_TOOL: preparingTool(), HOSTNAME: 'mysql-second' });
      await expectExit(second, 1);
      expect(second.log()).toMatch(/another backup of mysql is running \(pod mysql-first, since .*\); this run does nothing/);
      await expectExit(first, 0);
      expect(readdirSync(backupDir).filter(f => STAMPED.test(f))).toHaveLength(1);
      expect(readdirSync(backupDir)).toHaveLength(2);
    } finally {
      await stop(primary);
    }
  }, 60_000);

  test('fails when the space is short only after pruning: the backups beyond a lowered retention are deleted first, and the message says how to free space', async () => {
    const backupDir = mkdtempSync(join(dir, 'space-'));
    fakeBackup(backupDir, 'mysql-20261128T030000Z.tar.zst');
    fakeBackup(backupDir, 'mysql-20261129T030000Z.tar.zst');
    const newest = fakeBackup(backupDir, 'mysql-20261130T030000Z.tar.zst');
    const manifestFile = newest.replace('.tar.zst', '.json');
    // The last backup needed more than any claim has.
    writeFileSync(manifestFile, JSON.stringify({ ...JSON.parse(readFileSync(manifestFile, 'utf8')), unpackedBytes: 1e17 }));
    const job = runBackup(backupDir, await freePort(), { BACKUP_RETENTION: '1' });
    await expectExit(job, 1);
    expect(job.log()).toContain('deleting mysql-20261128T030000Z.tar.zst (beyond the retention of 1)');
    expect(job.log()).toContain('deleting mysql-20261129T030000Z.tar.zst (beyond the retention of 1)');
    expect(job.log()).toMatch(/error: not enough space in .*; enlarge the claim, or lower the retention \(1\): each run first deletes the backups beyond it\n/);
    expect(readdirSync(backupDir).sort()).toEqual(['mysql-20261130T030000Z.json', 'mysql-20261130T030000Z.tar.zst']);
  }, 30_000);

  test('a member that cannot prove the secret gets no answer it can use: the job fails and writes nothing', async () => {
    const port = await freePort();
    const primary = member('mysql-0', '127.0.0.1', port, { REPLICATION_PASSWORD: 'another secret' });
    const backupDir = mkdtempSync(join(dir, 'auth-'));
    try {
      await listening('127.0.0.1', port);
      const job = runBackup(backupDir, port);
      await expectExit(job, 1);
      expect(job.log()).toContain('refuses to serve a backup: authentication failed');
      expect(job.log()).toContain('error: no member served a backup (asked: mysql-0)');
      expect(readdirSync(backupDir)).toEqual([]);
    } finally {
      await stop(primary);
    }
  }, 60_000);
});

describe('JSON of the manifest', () => {
  test('json_string escapes quotes, backslashes and control characters, keeps UTF-8 and replaces bytes that are not', () => {
    const values = ['plain', 'say "hi"', 'back\\slash', 'tab\tand\nnewline\r', '\u0001\u001f\u007f', 'é日本', "it's"];
    for (const value of values) {
      const result = spawnSync('bash', ['-c', `source '${assetPath('mysql/scripts/common.sh')}'; json_string "$V"`], { env: { V: value }, encoding: 'utf8' });
      expect(JSON.parse(result.stdout)).toBe(value);
    }
    const invalid = spawnSync('bash', ['-c', `source '${assetPath('mysql/scripts/common.sh')}'; json_string "$(printf 'a\\xffb')"`], { encoding: 'utf8' });
    expect(JSON.parse(invalid.stdout)).toBe('a?b');
  });
});
