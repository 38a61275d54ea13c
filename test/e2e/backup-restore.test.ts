import { createHash } from 'crypto';
import { chownSync, copyFileSync, existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'fs';
import { join } from 'path';
import { Duration, Size } from 'cdk8s';
import { BackupDestination, StatefulMySQLProps } from '../../lib';
import { query, scalar, SERVER, slaveStatus } from '../../harness/db';
import { runSync, sleep, waitFor } from '../../harness/host';
import { PersistentClaims } from '../../harness/claims';
import { JobResult, JobRun } from '../../harness/job';
import { launchCluster } from '../../harness/launch';
import { jobFromCronJob } from '../../harness/manifest';
import { StatefulSetCluster } from '../../harness/statefulset';
import { dirBytes, Fixture, POD_READY_TIMEOUT, WORK_ROOT } from './support/fixture';

/**
 * Scheduled backups and restore, end to end on real MariaDB 10.11 servers: the pod of a
 * Job made from the synthesized CronJob's jobTemplate (as the CronJob controller or
 * `kubectl create job --from=cronjob/mysql-backup` makes it) runs backup-job.sh in the
 * backup image's container (see harness/README.md, "Jobs"), against a three-member
 * cluster whose members serve the clone channel; a second cluster named the same starts
 * from the file with `restore`. The backup claim is one host directory that outlives the
 * first cluster. Needs root; fails, never skips.
 *
 * Order (each step builds on the one before): data; (c) the source dies mid-backup, the
 * next run succeeds; (f) the on-demand backup; (d) a third run prunes to the newest two;
 * (a) a backup under load, with a spare replica held just before it so that it can be
 * rolled forward to exactly the backup's GTID and checksummed; (b) the cluster and its
 * data claims destroyed, a new cluster restores the newest backup and must hold exactly
 * that checksum; (e) a truncated file and a file whose sha256 does not match are refused.
 */

const CLAIM = 'mysql-backups';
const CRONJOB = 'mysql-backup';
const RETENTION = 2;
/** Complete backup files, as backup-job.sh names them: `<prefix>-<YYYYmmddTHHMMSSZ>.tar[.zst|.gz]`. */
const BACKUP_FILE = /^mysql-(\d{8}T\d{6}Z)\.tar(\.zst|\.gz)?$/;

/** The one place the suite builds the clusters' props (the lead's `backup` and `restore` options). */
function sourceProps(): StatefulMySQLProps {
  return {
    replicas: 3,
    backup: {
      schedule: '0 3 * * *',
      retention: RETENTION,
      destination: BackupDestination.newClaim({ size: Size.gibibytes(1) }),
      deadline: Duration.minutes(3),
    },
  };
}

function restoreProps(claimName: string, replicas: number, file?: string): StatefulMySQLProps {
  return { replicas, restore: { claimName, file } };
}

/** A backup's manifest (the JSON file beside it), as backup-job.sh's header describes it. */
interface BackupManifest {
  readonly [field: string]: unknown;
}

/** Reads the fields the scenarios check, whatever the script calls them (one place to adjust). */
function manifestFields(manifest: BackupManifest) {
  const pick = (...names: string[]): unknown => names.map(n => manifest[n]).find(v => v !== undefined);
  return {
    file: pick('file') as string,
    bytes: Number(pick('bytes', 'size')),
    sha256: pick('sha256') as string,
    started: pick('started', 'started_at') as string,
    finished: pick('finished', 'finished_at') as string,
    source: pick('source', 'source_member', 'sourceMember') as string,
    sourceRole: pick('sourceRole', 'source_role') as string,
    gtid: pick('gtid', 'gtid_position', 'gtidPosition', 'gtid_binlog_pos') as string,
    engine: pick('engine') as string,
    cluster: pick('cluster') as string,
    toolVersion: pick('tool_version', 'toolVersion', 'tool') as string,
  };
}

/** The sequence number of a single-domain MariaDB GTID position `0-100-1234`. */
function gtidSeq(gtid: string): number {
  const match = gtid.match(/^0-100-(\d+)$/);
  if (!match) throw new Error(`expected a GTID position of domain 0 from server 100 (the primary), got '${gtid}'`);
  return Number(match[1]);
}

/** The manifest beside a backup file: `mysql-<time>.json` for `mysql-<time>.tar.zst`. */
function manifestName(file: string): string {
  return file.replace(/\.tar(\.zst|\.gz)?$/, '.json');
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Random, incompressible rows (64 KiB each), so that streams and files have weight. */
function bulkRows(from: number, count: number): string {
  const payload = `CONCAT(${Array.from({ length: 64 }, () => 'RANDOM_BYTES(1024)').join(', ')})`;
  return `INSERT INTO e2e.bulk (id, payload) SELECT seq, ${payload} FROM e2e.seq_${from}_to_${from + count - 1};`;
}

describe('e2e: scheduled backups and restore (MariaDB 10.11)', () => {
  const claims = new PersistentClaims(join(WORK_ROOT, `run-${process.pid}`, 'backup-restore-claims'));
  const f = new Fixture('backup', sourceProps(), { persistentClaims: claims });
  let scheduled = Date.parse('2026-12-01T03:00:00Z');
  /** CHECKSUM TABLE of the spare replica held at the GTID of the backup that (b) restores. */
  let expected: { gtid: string; file: string; items: string; bulk: string; rows: string } | undefined;

  afterAll(() => {
    if (!f.failed) claims.deleteAll();
  });

  const claimDir = () => claims.dir(CLAIM);

  /** Complete backups on the claim, oldest first: a file with its manifest beside it. */
  function completeBackups(dir = claimDir()): string[] {
    const names = readdirSync(dir);
    return names.filter(n => BACKUP_FILE.test(n) && names.includes(manifestName(n))).sort();
  }

  function manifestOf(file: string, dir = claimDir()): ReturnType<typeof manifestFields> {
    return manifestFields(JSON.parse(readFileSync(join(dir, manifestName(file)), 'utf8')));
  }

  /** A Job from the CronJob, as the controller makes one at its next scheduled time. */
  function scheduledJob(): JobRun {
    scheduled += 60_000;
    return f.cluster.startJob(jobFromCronJob(f.sts.objects, CRONJOB, { scheduledAt: new Date(scheduled) }));
  }

  async function expectSucceeded(run: JobRun): Promise<JobResult> {
    const result = await run.result;
    if (!result.succeeded) throw new Error(`Job ${result.name} failed (${result.reason}):\n${run.log('backup')}`);
    expect(result.pods).toHaveLength(1);
    expect(result.pods[0].lastExit('backup')).toMatchObject({ exitCode: 0 });
    return result;
  }

  /** Checks one complete backup against its manifest and the facts of the run. */
  function checkBackup(file: string, run: JobRun) {
    const path = join(claimDir(), file);
    const m = manifestOf(file);
    const compression = run.job.template.containers[0].env.find((e: any) => e.name === 'BACKUP_FILE_COMPRESSION')?.value;
    expect(file.endsWith({ zstd: '.tar.zst', gzip: '.tar.gz', none: '.tar' }[compression as string] ?? '?')).toBe(true);
    expect(m.file).toBe(file);
    expect(m.bytes).toBe(statSync(path).size);
    expect(m.sha256).toBe(sha256(path));
    expect(m.engine).toBe('mariadb-10.11');
    expect(m.cluster).toBe('mysql');
    const started = Date.parse(m.started);
    const finished = Date.parse(m.finished);
    expect(m.started).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(m.finished).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    // Times of this run (the manifest and the name have second resolution).
    const runStart = Math.floor(run.startedAt / 1000) * 1000;
    expect(started).toBeGreaterThanOrEqual(runStart);
    expect(finished).toBeGreaterThanOrEqual(started);
    expect(finished).toBeLessThanOrEqual(Date.now());
    const named = Date.parse(file.match(BACKUP_FILE)![1].replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
    expect(named).toBeGreaterThanOrEqual(runStart);
    expect(named).toBeLessThanOrEqual(finished);
    gtidSeq(m.gtid);
    // The file is a physical backup: an archive (host tar reads its compression) holding the tool's metadata and InnoDB's system tablespace.
    const listing = runSync(['tar', '-tf', path], 60_000).split('\n').map(entry => entry.replace(/^\.\//, ''));
    expect(listing).toEqual(expect.arrayContaining(['ibdata1']));
    expect(listing.some(entry => /^(xtrabackup|mariadb_backup)_checkpoints$/.test(entry))).toBe(true);
    // The last replica served it.
    expect(m.source).toMatch(/^mysql-2(\.|$)/);
    expect(m.sourceRole).toBe('replica');
    // The backup tool's version, from its info file (last: the other fields say more when it is missing).
    expect({ file, toolVersion: m.toolVersion }).toEqual({ file, toolVersion: expect.stringMatching(/10\.11/) });
    return m;
  }

  /** Nothing on the claim but complete backups and their manifests. */
  function expectOnlyComplete(dir = claimDir()): void {
    const complete = completeBackups(dir);
    expect(readdirSync(dir).sort()).toEqual(complete.flatMap(n => [n, manifestName(n)]).sort());
  }

  f.scenario('setup: three members; 40 MiB of random rows and a table written under load', 300_000, async t => {
    const { cluster } = f;
    await cluster.scaleTo(3, POD_READY_TIMEOUT, (ordinal, ms) => t.mark(`${cluster.podName(ordinal)} Ready (${(ms / 1000).toFixed(1)} s)`));
    await query(cluster.pod(0), `
      CREATE DATABASE e2e;
      CREATE TABLE e2e.items (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(200) NOT NULL, at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6));
      CREATE TABLE e2e.bulk (id INT PRIMARY KEY, payload LONGBLOB NOT NULL);
      INSERT INTO e2e.items (note) VALUES ('before any backup');`);
    for (let from = 1; from <= 640; from += 80) await query(cluster.pod(0), bulkRows(from, 80), 120_000);
    await f.waitConverged([1, 2], 'e2e.bulk', 180_000);
    expect(claims.has(CLAIM)).toBe(true);
    expect(readdirSync(claimDir())).toEqual([]);
    t.mark('data loaded and replicated; the backup claim exists and is empty');
  });

  f.scenario('(c) the source dies mid-backup: the Job fails, no complete-looking file; the next run succeeds', 300_000, async t => {
    const { cluster } = f;
    const servedBefore = (f.log(2, 'replication').match(/serving a backup to/g) ?? []).length;
    const run = scheduledJob();
    // Mid-stream: the source has begun serving, the claim has taken some of it, and the
    // Job has not received all of it yet (it would be preparing or packing then).
    const streaming = () => (f.log(2, 'replication').match(/serving a backup to/g) ?? []).length > servedBefore
      && run.pod?.isRunning('backup') === true && !run.log('backup').includes('received from');
    const bytes = await waitFor('the backup of mysql-2 to be mid-stream', 60_000, () => {
      const written = dirBytes(claimDir());
      return streaming() && written > 4 * 1024 * 1024 ? written : undefined;
    }, 20);
    await cluster.deletePod(2);
    expect(run.log('backup')).not.toContain('received from');
    t.mark(`mysql-2 killed with ${(bytes / 1024 / 1024).toFixed(1)} MiB on the claim`);
    const result = await run.result;
    t.mark(`Job failed after ${(result.ms / 1000).toFixed(1)} s`);
    expect({ succeeded: result.succeeded, reason: result.reason }).toEqual({ succeeded: false, reason: 'BackoffLimitExceeded' });
    expect(result.pods).toHaveLength(1);
    const exit = result.pods[0].lastExit('backup')!;
    expect(exit.exitCode).not.toBe(0);
    expect(exit.exitCode).toBeLessThan(128);
    const log = run.log('backup');
    console.log(`[e2e] (c) the backup Job's log:\n${log}`);
    // It says which source broke off, and takes no backup from another member instead.
    // Killed mid-entry the stream breaks off; killed between two entries it ends without the
    // completion marker: both fail the run, and which one happens depends on the moment.
    expect(log).toMatch(/mysql-2\.\S+ (broke off|is incomplete \(the stream ended before its completion marker\))/);
    expect(log.match(/asking \S+ \((replica|primary)\) for a backup/g)).toHaveLength(1);
    expect(completeBackups()).toEqual([]);
    expect(readdirSync(claimDir()).filter(n => BACKUP_FILE.test(n) || n.endsWith('.json'))).toEqual([]);

    await cluster.createPod(2);
    await cluster.waitReady(2, POD_READY_TIMEOUT);
    t.mark('mysql-2 recreated and Ready');
    const next = scheduledJob();
    await expectSucceeded(next);
    const files = completeBackups();
    expect(files).toHaveLength(1);
    checkBackup(files[0], next);
    // The next run removed what the failed one left.
    expectOnlyComplete();
    t.mark(`next run succeeded in ${((Date.now() - next.startedAt) / 1000).toFixed(1)} s: ${files[0]}`);
  });

  f.scenario('(f) the on-demand backup: kubectl create job --from=cronjob/mysql-backup manual-1', 180_000, async t => {
    const before = completeBackups();
    const job = jobFromCronJob(f.sts.objects, CRONJOB, { jobName: 'manual-1' });
    expect(job.annotations['cronjob.kubernetes.io/instantiate']).toBe('manual');
    await sleep(1100); // backup files are named by the second
    const run = f.cluster.startJob(job);
    const result = await expectSucceeded(run);
    expect(result.pods[0].name).toMatch(/^manual-1-[a-z0-9]{5}$/);
    const added = completeBackups().filter(n => !before.includes(n));
    expect(added).toHaveLength(1);
    checkBackup(added[0], run);
    expect(completeBackups()).toEqual([...before, ...added]);
    t.mark(`manual-1 succeeded in ${(result.ms / 1000).toFixed(1)} s: ${added[0]}`);
  });

  f.scenario(`(d) retention ${RETENTION}: a third complete backup prunes the oldest`, 180_000, async t => {
    const before = completeBackups();
    expect(before).toHaveLength(2);
    await sleep(1100);
    const run = scheduledJob();
    await expectSucceeded(run);
    const after = completeBackups();
    expect(after).toHaveLength(RETENTION);
    expect(after).toEqual([before[1], after[1]]);
    expect(after[1] > before[1]).toBe(true);
    expectOnlyComplete();
    t.mark(`pruned ${before[0]}; kept ${after.join(', ')}`);
  });

  f.scenario('(a) a backup under load: file and manifest; a spare replica held at its GTID gives the expected checksum', 240_000, async t => {
    const { cluster } = f;
    const primary = cluster.pod(0);
    // A writer on the primary, one transaction per row, for the whole backup.
    const writer = primary.exec(SERVER, ['bash', '-c', `
      rm -f /tmp/stop-writer
      for ((i = 1; i <= 100000; i++)); do
        [[ -e /tmp/stop-writer ]] && break
        "$MYSQL_CLIENT" --defaults-extra-file="$AUTH_FILE" --protocol=TCP --host=127.0.0.1 --port="$MYSQL_PORT" \\
          -e "INSERT INTO e2e.items (note) VALUES (CONCAT('under load $i ', HEX(RANDOM_BYTES(16))))" || exit 1
      done
      echo "$i"`], { timeoutMs: 200_000 });
    await waitFor('the writer to write', 30_000, async () => Number(await scalar(primary, "SELECT COUNT(*) FROM e2e.items WHERE note LIKE 'under load %'")) > 20);
    // The spare (mysql-1) stops here, before the backup starts: its position is at or before the backup's.
    await query(cluster.pod(1), 'STOP SLAVE');
    const spareStopped = await scalar(cluster.pod(1), 'SELECT @@gtid_slave_pos');
    await sleep(1000);
    t.mark(`writer running; spare mysql-1 stopped at ${spareStopped}`);

    const before = completeBackups();
    const run = scheduledJob();
    await expectSucceeded(run);
    await sleep(1000);
    await primary.exec(SERVER, ['touch', '/tmp/stop-writer']);
    const written = await writer;
    expect(written.code).toBe(0);
    const rowsWritten = Number(written.stdout.trim()) - 1;
    t.mark(`backup done while the writer wrote ${rowsWritten} rows`);

    const after = completeBackups();
    const file = after[after.length - 1];
    expect(before).not.toContain(file);
    expect(after).toEqual([before[before.length - 1], file]);
    // The manifest's fields are all checked at the end; the GTID first, so that (b) can run whatever they say.
    const m = manifestOf(file);
    const primaryGtid = await scalar(primary, 'SELECT @@gtid_binlog_pos');
    // Taken under load: after the spare stopped, before the writer stopped.
    expect(gtidSeq(m.gtid)).toBeGreaterThanOrEqual(gtidSeq(spareStopped));
    expect(gtidSeq(m.gtid)).toBeLessThan(gtidSeq(primaryGtid));
    expect(rowsWritten).toBeGreaterThan(20);

    // Roll the spare forward to exactly the backup's position, and no further.
    await query(cluster.pod(1), `START SLAVE UNTIL master_gtid_pos = '${m.gtid}'`);
    await waitFor(`mysql-1 to stop at ${m.gtid}`, 60_000, async () => {
      const status = await slaveStatus(cluster.pod(1));
      return status.Slave_SQL_Running === 'No' && (await scalar(cluster.pod(1), 'SELECT @@gtid_slave_pos')) === m.gtid;
    });
    const checksum = async (table: string) => (await query(cluster.pod(1), `CHECKSUM TABLE ${table}`))[0][1];
    expected = {
      gtid: m.gtid,
      file,
      items: await checksum('e2e.items'),
      bulk: await checksum('e2e.bulk'),
      rows: await scalar(cluster.pod(1), 'SELECT COUNT(*) FROM e2e.items'),
    };
    // The primary has moved on since: the position matters.
    expect((await query(primary, 'CHECKSUM TABLE e2e.items'))[0][1]).not.toBe(expected.items);
    t.mark(`spare held at ${m.gtid}: ${expected.rows} rows, CHECKSUM TABLE items ${expected.items}`);
    await query(cluster.pod(1), 'STOP SLAVE; START SLAVE');
    await f.waitConverged([1, 2], 'e2e.items');
    t.mark('spare caught up again');
    checkBackup(file, run);
  });

  f.scenario('(b) destroy the cluster and its claims; a new cluster restores the newest backup on mysql-0', 300_000, async t => {
    if (!expected) throw new Error('(a) did not record the checksum at the backup\'s GTID');
    const dataClaims = [0, 1, 2].map(o => f.cluster.claimDir(o));
    await f.cluster.destroy();
    for (const dir of dataClaims) expect(existsSync(dir)).toBe(false);
    expect(completeBackups()).toHaveLength(RETENTION);
    t.mark('source cluster destroyed with its data claims; the backup claim stays');

    const claimBefore = readdirSync(claimDir()).sort().map(n => `${n} ${sha256(join(claimDir(), n))}`);
    const { sts, cluster } = launchCluster('restored', restoreProps(CLAIM, 2), { persistentClaims: claims });
    f.others.push(cluster);
    expect(sts.name).toBe('mysql');
    await cluster.scaleTo(1, POD_READY_TIMEOUT, (ordinal, ms) => t.mark(`${cluster.podName(ordinal)} Ready (${(ms / 1000).toFixed(1)} s)`));
    const primary = cluster.pod(0);
    const cloneLog = readFileSync(primary.logFile('clone-data'), 'utf8');
    expect(cloneLog).toContain(expected.file);
    console.log(`[e2e] (b) clone-data of the restored mysql-0:\n${cloneLog}`);

    // Exactly the data at the backup's GTID.
    expect((await query(primary, 'CHECKSUM TABLE e2e.items'))[0][1]).toBe(expected.items);
    expect((await query(primary, 'CHECKSUM TABLE e2e.bulk'))[0][1]).toBe(expected.bulk);
    expect(await scalar(primary, 'SELECT COUNT(*) FROM e2e.items')).toBe(expected.rows);
    t.mark(`restored primary: CHECKSUM TABLE equal to the spare's at ${expected.gtid}`);

    // The binary log starts from the backup's GTID state and goes on from it.
    const binlogs = await query(primary, 'SHOW BINARY LOGS');
    const events = await query(primary, `SHOW BINLOG EVENTS IN '${binlogs[0][0]}'`);
    const gtidList = events.find(e => e[2] === 'Gtid_list');
    expect(gtidList?.[5]).toBe(`[${expected.gtid}]`);
    await query(primary, "INSERT INTO e2e.items (note) VALUES ('after the restore')");
    const firstGtid = (await query(primary, `SHOW BINLOG EVENTS IN '${binlogs[0][0]}'`)).find(e => e[2] === 'Gtid')?.[5];
    expect(firstGtid).toMatch(new RegExp(`GTID 0-100-${gtidSeq(expected.gtid) + 1}$`));
    expect(gtidSeq(await scalar(primary, 'SELECT @@gtid_binlog_pos'))).toBeGreaterThan(gtidSeq(expected.gtid));
    t.mark(`binary log: Gtid_list ${gtidList?.[5]}, first transaction ${firstGtid}`);

    // Replicas clone from it as usual, converge, and take new writes.
    await cluster.scaleTo(2, POD_READY_TIMEOUT, (ordinal, ms) => t.mark(`${cluster.podName(ordinal)} Ready (${(ms / 1000).toFixed(1)} s)`));
    expect(readFileSync(cluster.pod(1).logFile('clone-data'), 'utf8')).toContain('receiving a backup from mysql-0.');
    await query(primary, "INSERT INTO e2e.items (note) VALUES ('replicated after the restore')");
    await waitFor('the new row on mysql-1', 60_000, async () =>
      (await scalar(cluster.pod(1), "SELECT COUNT(*) FROM e2e.items WHERE note = 'replicated after the restore'")) === '1');
    const status = await slaveStatus(cluster.pod(1));
    expect([status.Slave_IO_Running, status.Slave_SQL_Running, status.Using_Gtid]).toEqual(['Yes', 'Yes', 'Slave_Pos']);
    for (const table of ['e2e.items', 'e2e.bulk']) {
      const sums = await Promise.all([0, 1].map(async o => (await query(cluster.pod(o), `CHECKSUM TABLE ${table}`))[0][1]));
      expect(sums[1]).toBe(sums[0]);
    }
    expect(await scalar(cluster.pod(1), 'SELECT @@gtid_slave_pos')).toBe(await scalar(primary, 'SELECT @@gtid_binlog_pos'));
    t.mark('mysql-1 cloned from the restored primary, replicates, converged');
    // The restore left its staging directory nowhere and did not touch the backup claim (mounted read-only).
    expect(readdirSync(cluster.claimDir(0)).filter(n => n !== 'mysql')).toEqual([]);
    expect(readdirSync(claimDir()).sort().map(n => `${n} ${sha256(join(claimDir(), n))}`)).toEqual(claimBefore);
  });

  f.scenario('(e) restore refuses a truncated file and a file whose sha256 does not match; the data directory stays empty', 180_000, async t => {
    const newest = completeBackups().pop();
    if (!newest) throw new Error(`no complete backup on ${CLAIM} to break: the earlier scenarios made none`);
    const source = join(claimDir(), newest);
    // Claims the user made and filled (existing claims), each with one broken copy and the original manifest,
    // owned by the server's user as the backup job writes them (mode 0600).
    const truncated = claims.provide('truncated-backups');
    copyFileSync(source, join(truncated, newest));
    copyFileSync(join(claimDir(), manifestName(newest)), join(truncated, manifestName(newest)));
    truncateSync(join(truncated, newest), Math.floor(statSync(source).size / 2));
    const tampered = claims.provide('tampered-backups');
    const bytes = readFileSync(source);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    writeFileSync(join(tampered, newest), bytes, { mode: 0o600 });
    copyFileSync(join(claimDir(), manifestName(newest)), join(tampered, manifestName(newest)));
    for (const dir of [truncated, tampered]) {
      for (const name of [newest, manifestName(newest)]) chownSync(join(dir, name), 999, 999);
    }

    const runs: Array<[string, StatefulSetCluster]> = [];
    for (const claim of ['truncated-backups', 'tampered-backups']) {
      const { cluster } = launchCluster(`refuse-${claim.split('-')[0]}`, restoreProps(claim, 1, newest), { persistentClaims: claims });
      f.others.push(cluster);
      await cluster.createPod(0);
      runs.push([claim, cluster]);
    }
    const logOf = (cluster: StatefulSetCluster) => readFileSync(cluster.pod(0).logFile('clone-data'), 'utf8');
    for (const [claim, cluster] of runs) {
      await waitFor(`clone-data of ${claim} to refuse`, 60_000, () => /refus|error/i.test(logOf(cluster)));
    }
    // Give a retry loop time to show itself.
    await sleep(8000);
    for (const [claim, cluster] of runs) {
      const pod = cluster.pod(0);
      const log = logOf(cluster);
      console.log(`[e2e] (e) clone-data with ${claim}:\n${log}`);
      expect(log).toContain(newest);
      expect(log).toMatch(claim.startsWith('truncated') ? /size|truncated|incomplete|bytes/i : /SHA-?256|checksum/i);
      // Once, and no retry: the container did not restart and logs no second attempt.
      expect((log.match(/===== \[harness\] .* start #/g) ?? []).length).toBe(1);
      expect(log.match(/not restoring/g)).toHaveLength(1);
      expect(pod.isRunning('clone-data')).toBe(true);
      expect(pod.restarts.get('clone-data') ?? 0).toBe(0);
      expect(pod.isRunning(SERVER)).toBe(false);
      expect(pod.ready).toBe(false);
      // The data volume was not touched: empty.
      expect(readdirSync(cluster.claimDir(0))).toEqual([]);
    }
    t.mark('both refused once with a clear log; data directories untouched');
  });
});
