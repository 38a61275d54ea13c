// Shared helpers of the database benchmarks (bootstrap.ts, replication-lag.ts): they
// start the synthesized MariaDB StatefulSet in the e2e harness (harness/), load
// sysbench data into the primary, and talk SQL to members from inside the members'
// own network namespaces. Nothing here reaches a network outside those namespaces.
import { ChildProcess, ChildProcessWithoutNullStreams, execFileSync, spawn } from 'child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { cpus, hostname, release, totalmem } from 'os';
import { join } from 'path';
import { query } from '../../harness/db';
import { run, RunResult, sleep, waitFor } from '../../harness/host';
import { Pod } from '../../harness/kubelet';
import { StatefulSetCluster } from '../../harness/statefulset';

export const BENCH_USER = 'bench';
export const BENCH_PASSWORD = 'bench-password';
export const RESULTS_DIR = join(__dirname, '..', 'results');

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The machine, for the results file. */
export function machine(): Record<string, unknown> {
  const tool = (argv: string[]) => {
    try {
      return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' }).split('\n')[0].trim();
    } catch {
      return 'absent';
    }
  };
  return {
    hostname: hostname(),
    kernel: release(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    mariadb: tool(['mariadbd', '--version']),
    sysbench: tool(['sysbench', '--version']),
    zstd: tool(['zstd', '--version']),
    lz4: tool(['lz4', '--version']),
  };
}

/** Writes benchmarks/results/<name>-<date>.json and returns its path. */
export function writeResults(name: string, data: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}-${new Date().toISOString().slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

/** Runs a command in a network namespace (only the network: the host's files and user). */
export function inNetns(netns: string, argv: string[], options: { timeoutMs: number; input?: string }): Promise<RunResult> {
  return run(['nsenter', `--net=/run/netns/${netns}`, '--', ...argv], options);
}

function clientArgs(extra: string[] = []): string[] {
  return ['mariadb', '--no-defaults', '--protocol=TCP', '--host=127.0.0.1', '--port=3306',
    `--user=${BENCH_USER}`, `--password=${BENCH_PASSWORD}`, '--batch', '--skip-column-names', ...extra];
}

/** One SQL statement as the benchmark account, from inside a member's network namespace. */
export async function benchSql(pod: Pod, sql: string, timeoutMs = 10_000): Promise<string> {
  const result = await inNetns(pod.sandbox.netns, clientArgs(['--connect-timeout=2', '-e', sql]), { timeoutMs });
  if (result.code !== 0) throw new Error(`${pod.name}: ${result.stderr.trim() || `exit ${result.code}`}: ${sql}`);
  return result.stdout.trim();
}

/**
 * A long-lived client inside a member's network namespace: statements go to its stdin,
 * every statement that returns a row is answered by one line (read in order).
 */
export class SqlSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private readonly waiting: Array<(line: string) => void> = [];
  public errors = '';

  constructor(public readonly pod: Pod) {
    this.child = spawn('nsenter', [`--net=/run/netns/${pod.sandbox.netns}`, '--', ...clientArgs(['--unbuffered', '--force'])], { stdio: 'pipe' });
    this.child.stdout.on('data', chunk => {
      this.buffer += chunk;
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        this.waiting.shift()?.(line);
      }
    });
    this.child.stderr.on('data', chunk => { this.errors += chunk; });
    this.child.stdin.on('error', () => undefined);
  }

  /** Sends a statement that returns nothing. */
  public send(sql: string): void {
    this.child.stdin.write(`${sql}\n`);
  }

  /** Sends a statement that returns exactly one single-line row and waits for it. */
  public ask(sql: string): Promise<string> {
    return new Promise(resolve => {
      this.waiting.push(resolve);
      this.child.stdin.write(`${sql}\n`);
    });
  }

  public close(): void {
    this.child.stdin.end();
    this.child.kill('SIGKILL');
  }
}

/** The sequence number of GTID domain 0 in a MariaDB GTID position (`0-100-1234,…`). */
export function gtidSeq(position: string): number {
  const domain0 = position.split(',').map(p => p.trim().split('-')).find(parts => parts[0] === '0');
  return domain0 ? Number(domain0[2]) : 0;
}

/** Creates the benchmark account and the heartbeat table on the primary (idempotent). */
export async function prepareAccounts(primary: Pod): Promise<void> {
  await query(primary, `
    CREATE USER IF NOT EXISTS ${BENCH_USER}@'%' IDENTIFIED BY '${BENCH_PASSWORD}';
    GRANT ALL ON sbtest.* TO ${BENCH_USER}@'%';
    GRANT ALL ON bench.* TO ${BENCH_USER}@'%';
    GRANT REPLICA MONITOR ON *.* TO ${BENCH_USER}@'%';
    CREATE DATABASE IF NOT EXISTS sbtest;
    CREATE DATABASE IF NOT EXISTS bench;
    CREATE TABLE IF NOT EXISTS bench.heartbeat (id INT PRIMARY KEY, ts TIMESTAMP(6) NOT NULL);
    REPLACE INTO bench.heartbeat VALUES (1, NOW(6));`);
}

/** sysbench against the primary, from inside its network namespace. */
export function sysbench(primary: Pod, args: string[], timeoutMs: number): Promise<RunResult> {
  return inNetns(primary.sandbox.netns, ['sysbench', '--db-driver=mysql', '--mysql-host=127.0.0.1', '--mysql-port=3306',
    `--mysql-user=${BENCH_USER}`, `--mysql-password=${BENCH_PASSWORD}`, '--mysql-db=sbtest', ...args], { timeoutMs });
}

/** Starts sysbench in the background (its own process group); stop it with `stopProcess`. */
export function startSysbench(primary: Pod, args: string[]): ChildProcess {
  return spawn('nsenter', [`--net=/run/netns/${primary.sandbox.netns}`, '--', 'sysbench', '--db-driver=mysql', '--mysql-host=127.0.0.1',
    '--mysql-port=3306', `--mysql-user=${BENCH_USER}`, `--mysql-password=${BENCH_PASSWORD}`, '--mysql-db=sbtest', ...args], { stdio: 'ignore', detached: true });
}

/** SIGKILLs a background process group started here. */
export function stopProcess(child: ChildProcess): void {
  if (child.pid !== undefined) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Total bytes of a directory tree, as `du` counts apparent sizes. */
export function duBytes(dir: string, exclude: string[] = []): number {
  const out = execFileSync('du', ['-sb', ...exclude.map(e => `--exclude=${e}`), dir], { encoding: 'utf8' });
  return Number(out.split('\t')[0]);
}

/**
 * Starts the primary (ordinal 0) holding `tables` sysbench tables of `rows` rows. The
 * data is generated once with `sysbench oltp_write_only prepare`, its binary logs
 * purged, and the data directory kept in `cacheDir` (copied back before later runs, so
 * each run starts from the same bytes without minutes of loading).
 */
export async function startLoadedPrimary(cluster: StatefulSetCluster, tables: number, rows: number, cacheDir: string, log: (m: string) => void): Promise<{ fromCache: boolean; loadSeconds?: number }> {
  const cache = join(cacheDir, `sbtest-${tables}x${rows}`);
  const claim = cluster.claimDir(0);
  let fromCache = false;
  let loadSeconds: number | undefined;
  if (existsSync(join(cache, 'mysql', 'mysql'))) {
    rmSync(claim, { recursive: true, force: true });
    execFileSync('cp', ['-a', cache, claim]);
    fromCache = true;
    log(`primary data copied from ${cache}`);
  }
  await cluster.createPod(0);
  await cluster.waitReady(0, 300_000);
  const primary = cluster.pod(0);
  await prepareAccounts(primary);
  if (!fromCache) {
    const started = Date.now();
    log(`loading ${tables} x ${rows} rows with sysbench prepare …`);
    const prepared = await sysbench(primary, ['oltp_write_only', `--tables=${tables}`, `--table-size=${rows}`, '--threads=2', 'prepare'], 1_800_000);
    if (prepared.code !== 0) throw new Error(`sysbench prepare failed: ${prepared.stderr}${prepared.stdout.slice(-2000)}`);
    loadSeconds = (Date.now() - started) / 1000;
    await query(primary, 'FLUSH BINARY LOGS; PURGE BINARY LOGS BEFORE NOW();', 120_000);
    log(`loaded in ${loadSeconds.toFixed(0)} s; caching the data directory`);
    await cluster.deletePod(0);
    rmSync(cache, { recursive: true, force: true });
    mkdirSync(cacheDir, { recursive: true });
    execFileSync('cp', ['-a', claim, cache]);
    await cluster.createPod(0);
    await cluster.waitReady(0, 300_000);
  }
  await query(cluster.pod(0), 'FLUSH BINARY LOGS; PURGE BINARY LOGS BEFORE NOW();', 60_000);
  return { fromCache, loadSeconds };
}

/** Writes the heartbeat row on the primary every `intervalMs` until stopped. */
export class Heartbeat {
  private readonly session: SqlSession;
  private readonly timer: NodeJS.Timeout;

  constructor(primary: Pod, intervalMs = 100) {
    this.session = new SqlSession(primary);
    this.timer = setInterval(() => this.session.send('REPLACE INTO bench.heartbeat VALUES (1, NOW(6));'), intervalMs);
  }

  public stop(): void {
    clearInterval(this.timer);
    this.session.close();
  }
}

/**
 * Samples a replica's lag every `intervalMs` (97 ms: not phase-locked to the 100 ms heartbeat): now minus the newest heartbeat it has
 * applied (as pt-heartbeat does; the heartbeat's own period is part of the figure).
 */
export class LagSampler {
  public readonly samplesMs: number[] = [];
  private readonly session: SqlSession;
  private timer?: NodeJS.Timeout;
  private pending = false;

  constructor(replica: Pod, private readonly intervalMs = 97) {
    this.session = new SqlSession(replica);
  }

  public start(): void {
    this.timer = setInterval(async () => {
      if (this.pending) return;
      this.pending = true;
      const micros = Number(await this.session.ask('SELECT TIMESTAMPDIFF(MICROSECOND, ts, NOW(6)) FROM bench.heartbeat WHERE id = 1;'));
      if (Number.isFinite(micros)) this.samplesMs.push(micros / 1000);
      this.pending = false;
    }, this.intervalMs);
  }

  public stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.session.close();
  }
}

/** Waits until a file contains a match for `pattern`; returns when it was first seen. */
export async function watchFile(path: string, pattern: RegExp, timeoutMs: number, fromOffset = 0): Promise<number> {
  return waitFor(`${pattern} in ${path}`, timeoutMs, () => {
    if (!existsSync(path)) return undefined;
    return pattern.test(readFileSync(path, 'utf8').slice(fromOffset)) ? Date.now() : undefined;
  }, 25);
}

/** Time (epoch ms) of the first events.log line matching `pattern` after `since`. */
export function eventTime(pod: Pod, pattern: RegExp, since = 0): number {
  const events = readFileSync(pod.logFile('events'), 'utf8').split('\n');
  for (const line of events) {
    const at = Date.parse(line.slice(0, 24));
    if (at >= since && pattern.test(line)) return at;
  }
  throw new Error(`${pod.name}: no event ${pattern} since ${new Date(since).toISOString()}`);
}

export { sleep, waitFor };

/**
 * The data files of a data directory, for the raw-copy baseline: binary logs, redo
 * logs, the temporary tablespace and the pid file are left out (`tar --exclude`
 * patterns relative to the data directory).
 */
export const RAW_COPY_EXCLUDES = ['./mysql-bin.*', './ib_logfile*', './ibtmp1', './*.pid'];

/** How the raw-copy baseline crosses the network: the two ends, listener first. */
export const RAW_COPY_TRANSPORTS = {
  /** One `ncat` at each end: the baseline bench:bootstrap's goal is set against. */
  ncat: (port: number, host: string) => ({
    receive: ['ncat', '--recv-only', '--listen', String(port)],
    send: ['ncat', '--send-only', host, String(port)],
  }),
  /** `socat -u` with 128 KiB buffers at both ends: the clone channel's transport. */
  socat: (port: number, host: string) => ({
    receive: ['socat', '-u', '-b', '131072', `TCP4-LISTEN:${port},reuseaddr`, 'STDOUT'],
    send: ['socat', '-u', '-b', '131072', 'STDIN', `TCP4:${host}:${port}`],
  }),
};

/**
 * The raw-copy baseline, as bench:bootstrap measures it: `tar -c` of the data files of
 * `datadir` (see RAW_COPY_EXCLUDES) in `from`'s network namespace | the transport |
 * `tar -x` into an empty `scratch` directory in `to`'s namespace, then `sync`. Returns
 * the time from the listener's start to the end of the sync and the bytes copied; the
 * scratch directory is removed (and synced away) afterwards.
 */
export async function rawCopy(from: Pod, to: Pod, datadir: string, scratch: string, transport: keyof typeof RAW_COPY_TRANSPORTS, port = 9999): Promise<{ ms: number; bytes: number }> {
  const { receive, send } = RAW_COPY_TRANSPORTS[transport](port, to.sandbox.ip);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const started = Date.now();
  const receiver = inNetns(to.sandbox.netns, ['bash', '-c', `${receive.join(' ')} | tar -x -f - -C ${scratch} && sync`], { timeoutMs: 600_000 });
  await waitFor('the raw-copy listener', 10_000, async () =>
    (await inNetns(to.sandbox.netns, ['ss', '-Hltn', `sport = :${port}`], { timeoutMs: 5000 })).stdout.includes(`:${port}`), 20);
  const sender = await inNetns(from.sandbox.netns, ['bash', '-c',
    // Files that change while tar reads them (a load running meanwhile) make its exit status 1.
    `set -o pipefail; { tar -c -f - -C ${datadir} --warning=no-file-changed ${RAW_COPY_EXCLUDES.map(e => `--exclude='${e}'`).join(' ')} . || (($? == 1)); } | ${send.join(' ')}`], { timeoutMs: 600_000 });
  const received = await receiver;
  const ms = Date.now() - started;
  if (sender.code !== 0 || received.code !== 0) throw new Error(`raw copy (${transport}) failed: ${sender.stderr} ${received.stderr}`);
  const bytes = duBytes(scratch);
  rmSync(scratch, { recursive: true, force: true });
  execFileSync('sync');
  return { ms, bytes };
}
