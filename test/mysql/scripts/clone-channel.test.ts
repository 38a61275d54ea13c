// The clone channel between members, run for real on this machine: the sidecar's socat
// listener and stream-backup.sh on one side, clone-data.sh and receive-backup.sh on the
// other, over TCP on loopback, with the real socat and mbstream. The SQL client and the
// backup tool are stand-ins (fixtures/): the e2e test runs the real ones. Needs
// root (a private mount namespace gives clone-data.sh the member DNS name it connects
// to); fails, never skips, without it.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { createHmac } from 'crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { MySqlEngine } from '../../../lib';
import { assetPath } from '../../../lib/internal/assets';
import { manifestEnv } from '../../support/objects';

const FIXTURES = join(__dirname, 'fixtures');
const SECRET = `rep 'l" \\ #x $(id) é`;
const PEER_DOMAIN = 'mysql.default.svc.cluster.local';
/** The sidecar's and clone-data's environment come from the manifest of a MariaDB cluster. */
const MARIADB = { engine: MySqlEngine.mariadb1011() };

function bash(script: string, env: Record<string, string> = {}): string {
  const result = spawnSync('bash', ['-c', `source '${assetPath('mysql/scripts/common.sh')}'; ${script}`], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`bash failed: ${result.stderr}`);
  return result.stdout.trim();
}

describe('HMAC-SHA256 in common.sh', () => {
  // RFC 4231 test cases 1, 2, 6 and 7 (key, data, HMAC-SHA-256).
  test.each([
    ['1', '0b'.repeat(20), Buffer.from('Hi There').toString('hex'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
    ['2', Buffer.from('Jefe').toString('hex'), Buffer.from('what do ya want for nothing?').toString('hex'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
    ['6', 'aa'.repeat(131), Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First').toString('hex'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
    ['7', 'aa'.repeat(131), Buffer.from('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.').toString('hex'), '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2'],
  ])('RFC 4231 test case %s', (_case, keyHex, dataHex, expected) => {
    // Bytes reach bash through printf escapes, as a password's bytes reach it through the environment.
    const escapes = (hex: string) => hex.replace(/../g, '\\x$&');
    expect(bash(`hmac_sha256 "$(printf '${escapes(keyHex)}')" "$(printf '${escapes(dataHex)}')"`)).toBe(expected);
  });

  test('equals Node\'s HMAC for passwords with quotes, backslashes, UTF-8 and 64 or more bytes', () => {
    const hostile = ["it's", 'say "hi', 'trailing\\', 'lit\\nchars', '$(id)${HOME}', '`id`', ' lead\tand trail ', 'pässwörd-日本', '100%_&', 'two\nlines\n', '%s%b\\x41'];
    for (const key of [SECRET, 'k', 'x'.repeat(64), 'y'.repeat(65), 'é'.repeat(40), '', ...hostile]) {
      const message = 'cdk8s-replicated-mysql clone-channel 1 request 00ff 11ee';
      expect(bash('hmac_sha256 "$KEY" "$MESSAGE"', { KEY: key, MESSAGE: message })).toBe(createHmac('sha256', key).update(message).digest('hex'));
    }
  });
});

async function freePort(): Promise<number> {
  return new Promise(resolve => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** A running process with its collected stderr. */
interface Running {
  readonly child: ChildProcess;
  log(): string;
}

function start(argv: string[], env: Record<string, string>): Running {
  const child = spawn(argv[0], argv.slice(1), { env: { PATH: process.env.PATH!, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', chunk => { log += chunk; });
  child.stderr!.on('data', chunk => { log += chunk; });
  return { child, log: () => log };
}

async function stop(running: Running): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  const exited = new Promise(resolve => running.child.once('exit', resolve));
  try {
    process.kill(-running.child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
  await exited;
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

describe('the authenticated clone channel (socat, stream-backup.sh, receive-backup.sh)', () => {
  let dir: string;
  let port: number;
  let source: Running;
  const backupDir = () => join(dir, 'backup');

  beforeAll(async () => {
    if (process.getuid?.() !== 0) {
      throw new Error('the clone channel test needs root: clone-data.sh runs in a private mount namespace whose /etc/hosts names the source');
    }
    dir = mkdtempSync(join(tmpdir(), 'clone-channel-'));
    mkdirSync(backupDir());
    writeFileSync(join(backupDir(), 'ibdata1'), Buffer.alloc(300_000, 7));
    writeFileSync(join(backupDir(), 'xtrabackup_checkpoints'), 'backup_type = full-backuped\n');
    writeFileSync(join(backupDir(), 'xtrabackup_info'), 'tool_name = fake\n');
    writeFileSync(join(dir, 'hosts'), `127.0.0.1\tlocalhost\n127.0.0.1\tmysql-0.${PEER_DOMAIN}\n`);
    port = await freePort();
    source = await startSource(port, 'none');
  }, 30_000);

  /** The primary's sidecar, up to its listener, with the real socat. */
  async function startSource(listenPort: number, compression: string): Promise<Running> {
    const sidecar = start(['bash', assetPath('mysql/scripts/replication-sidecar.sh')], {
      ...manifestEnv(MARIADB, 'replication'),
      HOSTNAME: 'mysql-0', DATADIR: join(dir, 'source-datadir'), BACKUP_PORT: String(listenPort), REPLICATION_PASSWORD: SECRET,
      MYSQL_CLIENT: join(FIXTURES, 'fake-mysql-client.sh'), AUTH_FILE: join(dir, 'client.cnf'), BACKUP_TOOL: join(FIXTURES, 'fake-backup-tool.sh'),
      FAKE_BACKUP_DIR: backupDir(), FAKE_SQL_LOG: join(dir, 'sql.log'), FAKE_ARGV_LOG: join(dir, 'argv.log'), FAKE_STATUS_PREFIX: 'Slave',
      CLONE_COMPRESSION: compression, CLONE_PARALLEL: '2', RETRY_SECONDS: '1', FAKE_BACKUP_FAILS_FILE: join(dir, 'backup-fails'),
    });
    await until('the sidecar to listen', () => /serving backups/.test(sidecar.log()));
    // socat binds its port just after the sidecar logs that it serves backups.
    await until('the port to accept connections', () => spawnSync('socat', ['-u', 'OPEN:/dev/null', `TCP:127.0.0.1:${listenPort}`], { timeout: 5000 }).status === 0);
    return sidecar;
  }

  afterAll(async () => {
    if (source) await stop(source);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs clone-data.sh as mysql-1 against the source, with the secret it is given. */
  function clone(name: string, secret: string, extra: Record<string, string> = {}): Running & { dataRoot: string } {
    const dataRoot = join(dir, name);
    mkdirSync(dataRoot);
    const running = start(['unshare', '--mount', '--propagation', 'private', '--', 'bash', '-c',
      `mount --bind '${join(dir, 'hosts')}' /etc/hosts && exec bash '${assetPath('mysql/scripts/clone-data.sh')}'`], {
      ...manifestEnv(MARIADB, 'clone-data'),
      HOSTNAME: 'mysql-1', DATA_ROOT: dataRoot, BACKUP_PORT: String(port), BACKUP_TOOL: join(FIXTURES, 'fake-backup-tool.sh'),
      CLONE_PARALLEL: '2', PREPARE_MEMORY: '64M', REPLICATION_PASSWORD: secret, FAKE_PREPARE_LOG: join(dir, `${name}-prepare.log`), RETRY_SECONDS: '1',
      ...extra,
    });
    return Object.assign(running, { dataRoot });
  }

  async function exitCode(running: Running): Promise<number | null> {
    if (running.child.exitCode !== null) return running.child.exitCode;
    return new Promise(resolve => running.child.once('exit', code => resolve(code)));
  }

  test('a member holding the secret receives the backup, and the source proves the secret back', async () => {
    const receiver = clone('good', SECRET);
    expect(await exitCode(receiver)).toBe(0);
    expect(receiver.log()).toMatch(/data directory .*\/good\/mysql is ready/);
    expect(readdirSync(join(receiver.dataRoot, 'mysql')).sort()).toEqual(['ibdata1', 'xtrabackup_checkpoints', 'xtrabackup_info']);
    expect(readFileSync(join(receiver.dataRoot, 'mysql', 'ibdata1'))).toEqual(readFileSync(join(backupDir(), 'ibdata1')));
    expect(readFileSync(join(dir, 'good-prepare.log'), 'utf8')).toContain(`--prepare --target-dir=${receiver.dataRoot}/.clone-in-progress --use-memory=64M`);
    expect(source.log()).toMatch(/serving a backup to 127\.0\.0\.1:\d+ \(compression none, 2 copy threads\)/);
  }, 30_000);

  test('a zstd stream goes to a member that accepts zstd; one that does not gets it uncompressed', async () => {
    const zstdPort = await freePort();
    const zstdSource = await startSource(zstdPort, 'zstd');
    try {
      const taker = clone('zstd-taker', SECRET, { BACKUP_PORT: String(zstdPort), CLONE_COMPRESSION: 'zstd' });
      expect(await exitCode(taker)).toBe(0);
      expect(readFileSync(join(taker.dataRoot, 'mysql', 'ibdata1'))).toEqual(readFileSync(join(backupDir(), 'ibdata1')));
      expect(zstdSource.log()).toMatch(/serving a backup to 127\.0\.0\.1:\d+ \(compression zstd, 2 copy threads\)/);
      const plain = clone('zstd-plain', SECRET, { BACKUP_PORT: String(zstdPort), CLONE_COMPRESSION: 'none' });
      expect(await exitCode(plain)).toBe(0);
      expect(zstdSource.log()).toContain("the receiver takes no zstd stream (it answered 'accept=none'); sending it uncompressed");
      expect(zstdSource.log()).toMatch(/serving a backup to 127\.0\.0\.1:\d+ \(compression none, 2 copy threads\)/);
      expect(readFileSync(join(plain.dataRoot, 'mysql', 'ibdata1'))).toEqual(readFileSync(join(backupDir(), 'ibdata1')));
    } finally {
      await stop(zstdSource);
    }
  }, 30_000);

  test('a peer without the secret gets nothing, is logged with its address, and keeps retrying', async () => {
    const receiver = clone('wrong', 'not the secret');
    try {
      await until('two refused attempts', () => (receiver.log().match(/refuses to serve a backup: authentication failed/g) ?? []).length >= 2);
      expect(source.log()).toMatch(/refusing to serve a backup to 127\.0\.0\.1:\d+: authentication failed/);
      expect(readdirSync(join(receiver.dataRoot, '.clone-in-progress'))).toEqual([]);
      expect(existsSync(join(receiver.dataRoot, 'mysql'))).toBe(false);
    } finally {
      await stop(receiver);
    }
    // A bare connection that answers the challenge with a made-up proof receives two lines, no backup.
    const raw = spawnSync('socat', ['-t', '5', '-', `TCP:127.0.0.1:${port}`], { input: `${'0'.repeat(32)} ${'f'.repeat(64)}\n`, encoding: 'utf8', timeout: 10_000 });
    expect(raw.stdout).toMatch(/^clone-auth 1 [0-9a-f]{32}\nclone-refused authentication failed: the peer did not prove that it holds the cluster's secret\n$/);
  }, 30_000);

  test('a source that cannot prove the secret is not unpacked', async () => {
    const roguePort = await freePort();
    const rogue = join(dir, 'rogue.sh');
    writeFileSync(rogue, [
      '#!/usr/bin/env bash',
      `printf 'clone-auth 1 %s\\n' ${'ab'.repeat(16)}`,
      'read -r _',
      `printf 'clone-stream 1 compression=none proof=%s\\n' ${'cd'.repeat(32)}`,
      `FAKE_BACKUP_DIR='${backupDir()}' exec '${join(FIXTURES, 'fake-backup-tool.sh')}' --backup`,
    ].join('\n'), { mode: 0o755 });
    const listener = start(['socat', `TCP-LISTEN:${roguePort},reuseaddr,fork`, `EXEC:${rogue},nofork`], {});
    const receiver = clone('rogue', SECRET, { BACKUP_PORT: String(roguePort) });
    try {
      await until('the receiver to reject the rogue source', () => /did not prove that it holds the cluster's secret; not unpacking/.test(receiver.log()));
      expect(readdirSync(join(receiver.dataRoot, '.clone-in-progress'))).toEqual([]);
    } finally {
      await stop(receiver);
      await stop(listener);
    }
  }, 30_000);

  test('a backup that broke off on the source is never taken for a complete one', async () => {
    writeFileSync(join(dir, 'backup-fails'), '');
    const receiver = clone('broken', SECRET);
    try {
      await until('two attempts rejected as incomplete', () =>
        (receiver.log().match(/is incomplete \(the stream ended before its completion marker\)/g) ?? []).length >= 2);
      // Every file of the backup arrived, metadata included: only the marker tells.
      expect(source.log()).toContain('fake-backup-tool: failing as asked');
      expect(existsSync(join(receiver.dataRoot, 'mysql'))).toBe(false);
    } finally {
      await stop(receiver);
      rmSync(join(dir, 'backup-fails'));
    }
  }, 30_000);

  test.each([
    ['mariadb_backup_*, as mariadb-backup 11.1 and later name them', ['mariadb_backup_checkpoints', 'mariadb_backup_info'], true],
    ['without an info file', ['xtrabackup_checkpoints'], false],
  ])('completeness with metadata %s', async (_name, metadata, complete) => {
    for (const file of readdirSync(backupDir()).filter(f => f !== 'ibdata1')) rmSync(join(backupDir(), file));
    for (const file of metadata) writeFileSync(join(backupDir(), file), 'x\n');
    const receiver = clone(`meta-${metadata.length}-${complete}`, SECRET);
    try {
      if (complete) {
        expect(await exitCode(receiver)).toBe(0);
        expect(readdirSync(join(receiver.dataRoot, 'mysql')).sort()).toEqual(['ibdata1', ...metadata].sort());
      } else {
        await until('the receiver to reject the incomplete backup twice', () =>
          (receiver.log().match(/is incomplete \(no info metadata file: xtrabackup_info or mariadb_backup_info\)/g) ?? []).length >= 2);
        expect(existsSync(join(receiver.dataRoot, 'mysql'))).toBe(false);
      }
    } finally {
      await stop(receiver);
    }
  }, 30_000);
});
