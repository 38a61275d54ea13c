// Backup and restore benchmark. Starts the synthesized MariaDB StatefulSet with
// scheduled backups onto a new claim in the e2e harness (harness/: real mariadbd
// processes in per-pod Linux namespaces): a primary holding the sysbench data set of
// bench:bootstrap (4 tables x 1M rows, ~1 GiB of InnoDB) and one replica, which is
// where the backup Job takes its backups from. Every round, in an order that alternates:
//   backup   a Job made from the chart's CronJob (`kubectl create job --from=cronjob/…`):
//            its pod's creation -> the backup file and its manifest are on the claim
//            (stream from the replica, prepare, pack with the chart's compression, read
//            back, SHA-256, manifest); the file's size is recorded
//   restore  a second cluster with `restore: { claimName, file }` naming that file:
//            mysql-0's first init container -> mysql-0 Ready (checksum, unpack, server
//            start); the cluster is then destroyed
//   baseline bench:bootstrap's raw copy of the primary's data files (binary and redo logs
//            excluded) between two pods' network namespaces, `tar | ncat` -> `ncat | tar -x;
//            sync` (and the same through socat, the clone channel's transport)
// Figures are medians over the rounds, each also as a ratio against the median of the
// ncat baseline of the same invocation. Writes benchmarks/results/backup-restore-<date>.json.
//
//   npx ts-node --transpile-only benchmarks/backup-restore.ts [--rounds=5] [--tables=4] [--rows=1000000]
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { loadavg } from 'os';
import { join } from 'path';
import { Size } from 'cdk8s';
import { PersistentClaims } from '../harness/claims';
import { Pod } from '../harness/kubelet';
import { launchCluster, WORK_ROOT } from '../harness/launch';
import { jobFromCronJob } from '../harness/manifest';
import { StatefulSetCluster } from '../harness/statefulset';
import { BackupDestination, StatefulMySQLProps } from '../lib';
import {
  benchSql, duBytes, eventTime, machine, median, RAW_COPY_EXCLUDES, rawCopy, startLoadedPrimary, waitFor, watchFile, writeResults,
} from './support/bench';

const args = Object.fromEntries(process.argv.slice(2).map(a => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? 'true']));
const ROUNDS = Number(args.rounds ?? 5);
const TABLES = Number(args.tables ?? 4);
const ROWS = Number(args.rows ?? 1_000_000);

/** The backup claim the chart creates for a cluster named `mysql` (BackupDestination.newClaim). */
const BACKUP_CLAIM = 'mysql-backups';
const CRONJOB = 'mysql-backup';
/** A complete backup's manifest, as backup-job.sh names it. */
const MANIFEST = /^mysql-\d{8}T\d{6}Z\.json$/;
const TIMEOUT_MS = 600_000;
/** The file clone-data.sh leaves in a restored data directory for the sidecar (RESTORE_CONTINUE_FILE in common.sh). */
const RESTORE_MARKER = 'continue-from-backup';
const log = (message: string) => console.log(`[backup-restore] ${new Date().toISOString().slice(11, 19)} ${message}`);
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The source cluster: a schedule that never fires here (the benchmark makes the Jobs), retention 1 to keep one file on disk. */
const SOURCE_PROPS: StatefulMySQLProps = {
  replicas: 2,
  backup: {
    schedule: '0 3 * * *',
    retention: 1,
    destination: BackupDestination.newClaim({ size: Size.gibibytes(8) }),
  },
};

interface BackupSample {
  readonly file: string;
  readonly backupMs: number;
  readonly streamMs: number;
  readonly prepareMs: number;
  /** Of the backup: `tar | zstd` into the file (until it stopped growing). */
  readonly packMs: number;
  /** Of the backup: the file stopped growing -> manifest written (sync, read back, SHA-256, rename, manifest). */
  readonly checkMs: number;
  readonly podStartMs: number;
  readonly fileBytes: number;
  readonly unpackedBytes: number;
  readonly source: string;
}

interface RestoreSample {
  readonly restoreMs: number;
  readonly initMs: number;
  readonly verifyMs: number;
  readonly unpackMs: number;
  readonly startMs: number;
  /** Of startMs: clone-data exit -> the server answers SQL. */
  readonly serverUpMs: number;
  /** Of startMs: the server answers -> the sidecar has continued the backup's GTID history. */
  readonly continueMs: number;
  /** Of startMs: history continued -> Ready (the readiness probe's next run; it runs every periodSeconds). */
  readonly probeMs: number;
  readonly createToInitMs: number;
}

async function main(): Promise<void> {
  const started = Date.now();
  const runDir = join(WORK_ROOT, `run-${process.pid}`);
  const claims = new PersistentClaims(join(runDir, 'bench-backup-claims'));
  const { sts, cluster } = launchCluster('bench-bkp', SOURCE_PROPS, { persistentClaims: claims });
  const samples: Array<Record<string, number | string>> = [];
  let restoreCluster: StatefulSetCluster | undefined;
  try {
    const load = await startLoadedPrimary(cluster, TABLES, ROWS, join(WORK_ROOT, 'bench-cache'), log);
    const datadir = join(cluster.claimDir(0), 'mysql');
    const dataBytes = duBytes(datadir, RAW_COPY_EXCLUDES.map(e => e.slice(2)));
    log(`primary Ready; data files ${(dataBytes / 2 ** 30).toFixed(2)} GiB (binary and redo logs excluded)`);
    await cluster.createPod(1);
    await cluster.waitReady(1, TIMEOUT_MS);
    const replicaDataBytes = duBytes(join(cluster.claimDir(1), 'mysql'), RAW_COPY_EXCLUDES.map(e => e.slice(2)).concat('*relay-bin*'));
    log(`replica mysql-1 Ready (cloned from the primary); data files ${(replicaDataBytes / 2 ** 30).toFixed(2)} GiB`);

    for (let round = 1; round <= ROUNDS; round++) {
      const load0 = loadavg()[0];
      const baselineFirst = round % 2 === 0;
      let raw: { ncat: { ms: number; bytes: number }; socat: { ms: number; bytes: number } } | undefined;
      const baseline = async () => {
        const scratch = join(runDir, 'raw-copy');
        raw = {
          ncat: await rawCopy(cluster.pod(0), cluster.pod(1), datadir, scratch, 'ncat'),
          socat: await rawCopy(cluster.pod(0), cluster.pod(1), datadir, scratch, 'socat'),
        };
      };
      if (baselineFirst) await baseline();
      const backup = await backupOnce(cluster, sts.objects, round);
      const restore = await restoreOnce(claims, backup.file, round, c => { restoreCluster = c; });
      restoreCluster = undefined;
      if (!baselineFirst) await baseline();
      const copy = raw!;
      samples.push({
        round, order: baselineFirst ? 'baseline, backup, restore' : 'backup, restore, baseline',
        ...backup, ...restore,
        rawMs: copy.ncat.ms, rawBytes: copy.ncat.bytes, rawSocatMs: copy.socat.ms,
        backupRatio: backup.backupMs / copy.ncat.ms, restoreRatio: restore.restoreMs / copy.ncat.ms,
        loadAverage1mBefore: load0, loadAverage1mAfter: loadavg()[0],
      });
      log(`round ${round}: backup ${s(backup.backupMs)} (stream ${s(backup.streamMs)}, prepare ${s(backup.prepareMs)}, pack ${s(backup.packMs)}, check ${s(backup.checkMs)}; ` +
        `${(backup.fileBytes / 2 ** 20).toFixed(0)} MiB file); restore ${s(restore.restoreMs)} (init ${s(restore.initMs)}, verify ${s(restore.verifyMs)}, ` +
        `unpack ${s(restore.unpackMs)}, start ${s(restore.startMs)} = server ${s(restore.serverUpMs)} + GTID ${s(restore.continueMs)} + probe ${s(restore.probeMs)}); raw copy ${s(copy.ncat.ms)} (socat ${s(copy.socat.ms)}); load ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`);
    }

    const m = (key: string) => median(samples.map(x => Number(x[key])));
    const rawMs = m('rawMs');
    const rawSocatMs = m('rawSocatMs');
    const summary = {
      rounds: samples.length,
      rawMs, rawSocatMs, rawBytes: m('rawBytes'),
      backupMs: m('backupMs'), streamMs: m('streamMs'), prepareMs: m('prepareMs'), packMs: m('packMs'), checkMs: m('checkMs'),
      restoreMs: m('restoreMs'), restoreInitMs: m('initMs'), verifyMs: m('verifyMs'), unpackMs: m('unpackMs'), startMs: m('startMs'),
      serverUpMs: m('serverUpMs'), continueMs: m('continueMs'), probeMs: m('probeMs'),
      fileBytes: m('fileBytes'), unpackedBytes: m('unpackedBytes'),
      // Ratios of the medians, against the ncat baseline (and, for reference, the socat one).
      backupRatio: m('backupMs') / rawMs, restoreRatio: m('restoreMs') / rawMs,
      backupRatioSocat: m('backupMs') / rawSocatMs, restoreRatioSocat: m('restoreMs') / rawSocatMs,
      // Medians of the per-round ratios (the baseline of the same round).
      backupRatioPerRoundMedian: m('backupRatio'), restoreRatioPerRoundMedian: m('restoreRatio'),
      fileToData: m('fileBytes') / dataBytes,
    };
    log(`medians over ${samples.length} rounds: backup ${s(summary.backupMs)} = ${summary.backupRatio.toFixed(2)}x, restore ${s(summary.restoreMs)} = ${summary.restoreRatio.toFixed(2)}x ` +
      `the raw copy (${s(rawMs)}; socat ${s(rawSocatMs)}: ${summary.backupRatioSocat.toFixed(2)}x, ${summary.restoreRatioSocat.toFixed(2)}x); ` +
      `file ${(summary.fileBytes / 2 ** 20).toFixed(0)} MiB = ${summary.fileToData.toFixed(2)} of the data files`);
    const file = writeResults('backup-restore', {
      benchmark: 'backup-restore', date: new Date().toISOString(), machine: machine(),
      command: `npx ts-node --transpile-only benchmarks/backup-restore.ts ${process.argv.slice(2).join(' ')}`.trim(),
      data: { tables: TABLES, rowsPerTable: ROWS, dataFileBytes: dataBytes, replicaDataFileBytes: replicaDataBytes, fromCache: load.fromCache, loadSeconds: load.loadSeconds },
      backup: { compression: envOf(sts.objects, 'BACKUP_FILE_COMPRESSION'), source: 'mysql-1 (replica)', destination: `claim ${BACKUP_CLAIM}` },
      rounds: ROUNDS, summary, samples,
      runtimeSeconds: Math.round((Date.now() - started) / 1000),
    });
    log(`results in ${file} (${Math.round((Date.now() - started) / 1000)} s in all)`);
  } catch (error) {
    console.error(cluster.logTails(40));
    const failed = restoreCluster as StatefulSetCluster | undefined;
    if (failed) console.error(failed.logTails(40));
    throw error;
  } finally {
    const leftover = restoreCluster as StatefulSetCluster | undefined;
    if (leftover) await leftover.teardown(false).catch(e => console.error(e));
    await cluster.teardown(false);
    claims.deleteAll();
  }
}

/** A value the backup container's environment sets, from the CronJob's pod template. */
function envOf(objects: any[], name: string): string | undefined {
  const job = jobFromCronJob(objects, CRONJOB, { jobName: 'env' });
  return job.template.containers[0].env.find((e: any) => e.name === name)?.value;
}

/** Runs one backup Job to completion; times its pod from creation to the file and manifest on the claim. */
async function backupOnce(cluster: StatefulSetCluster, objects: any[], round: number): Promise<BackupSample> {
  const claimDir = cluster.persistentClaims.dir(BACKUP_CLAIM);
  const before = new Set(readdirSync(claimDir));
  const created = Date.now();
  const run = cluster.startJob(jobFromCronJob(objects, CRONJOB, { jobName: `bench-${round}` }));
  const pod = await waitFor('the backup Job\'s pod', 60_000, () => run.pod, 10);
  const logFile = pod.logFile('backup');
  const received = watchFile(logFile, /received from \S+ in \d+s; preparing/, TIMEOUT_MS);
  const packing = watchFile(logFile, /packing into /, TIMEOUT_MS);
  // The archive grows as tar | zstd writes it (<file>.partial); when it last grew is the
  // end of the packing, give or take the poll and the compressor's last buffer.
  let partialBytes = -1;
  let packedAt = 0;
  const manifest = await waitFor('the backup\'s manifest', TIMEOUT_MS, () => {
    const names = readdirSync(claimDir);
    const partial = names.find(n => n.endsWith('.partial') && !n.endsWith('.json.partial') && !before.has(n));
    if (partial) {
      const bytes = (() => { try { return statSync(join(claimDir, partial)).size; } catch { return partialBytes; } })();
      if (bytes !== partialBytes) { partialBytes = bytes; packedAt = Date.now(); }
    }
    const name = names.find(n => MANIFEST.test(n) && !before.has(n));
    if (name) return { name, at: Date.now() };
    return pod.phase === 'Failed' ? { name: '', at: 0 } : undefined;
  }, 25);
  if (!manifest.name) throw new Error(`backup pod ${pod.name} failed:\n${run.log('backup')}`);
  const result = await run.result;
  if (!result.succeeded) throw new Error(`Job ${result.name} failed (${result.reason}):\n${run.log('backup')}`);
  const podStart = eventTime(pod, /pod \S+ created/, created - 1000);
  const containerStart = eventTime(pod, /container backup started/, created - 1000);
  const fields = JSON.parse(readFileSync(join(claimDir, manifest.name), 'utf8'));
  const fileBytes = statSync(join(claimDir, fields.file)).size;
  if (fileBytes !== fields.bytes) throw new Error(`${fields.file}: ${fileBytes} bytes on the claim, ${fields.bytes} in its manifest`);
  const receivedAt = await received;
  const packingAt = await packing;
  return {
    file: fields.file,
    backupMs: manifest.at - podStart,
    streamMs: receivedAt - containerStart,
    prepareMs: packingAt - receivedAt,
    packMs: packedAt - packingAt,
    checkMs: manifest.at - packedAt,
    podStartMs: containerStart - podStart,
    fileBytes,
    unpackedBytes: Number(fields.unpackedBytes),
    source: String(fields.sourceMember),
  };
}

/** A new cluster restores `file`; times mysql-0 from its first init container to Ready, then destroys the cluster. */
async function restoreOnce(claims: PersistentClaims, file: string, round: number, track: (c: StatefulSetCluster) => void): Promise<RestoreSample> {
  const { sts, cluster } = launchCluster(`bench-rst${round}`, { replicas: 1, restore: { claimName: BACKUP_CLAIM, file } }, { persistentClaims: claims });
  track(cluster);
  const created = Date.now();
  const pod: Pod = await cluster.createPod(0);
  const cloneLog = pod.logFile('clone-data');
  const unpacking = watchFile(cloneLog, /unpacking \S+ into /, TIMEOUT_MS);
  // The steps between the restored files and Ready: the server's first answer, then the
  // sidecar removing the marker that clone-data leaves for it (the probe fails while it exists).
  const marker = join(cluster.claimDir(0), 'mysql', RESTORE_MARKER);
  const serverUp = waitFor('the restored server to answer', TIMEOUT_MS, async () =>
    !pod.isRunning('clone-data') && pod.isRunning('mysql') && await benchSql(pod, 'SELECT 1', 2000).then(() => Date.now(), () => undefined), 50);
  const continued = serverUp.then(() => waitFor('the sidecar to continue the GTID history', TIMEOUT_MS, () => (existsSync(marker) ? undefined : Date.now()), 25));
  await cluster.waitReady(0, TIMEOUT_MS);
  const log = existsSync(cloneLog) ? readFileSync(cloneLog, 'utf8') : '';
  if (!log.includes(`restored from ${file}`)) throw new Error(`mysql-0 is Ready but its clone-data log does not say it restored ${file}:\n${log}`);
  const firstInit = sts.initContainers[0].name;
  const initStart = eventTime(pod, new RegExp(`container ${firstInit} started`), created - 1000);
  const cloneStart = eventTime(pod, /container clone-data started/, created - 1000);
  const cloneExit = eventTime(pod, /container clone-data exited: code 0/, created - 1000);
  const ready = eventTime(pod, /Z Ready$/, created - 1000);
  const unpackingAt = await unpacking;
  const serverUpAt = await serverUp;
  const continuedAt = await continued;
  await cluster.teardown(false);
  return {
    restoreMs: ready - initStart,
    initMs: cloneStart - initStart,
    verifyMs: unpackingAt - cloneStart,
    unpackMs: cloneExit - unpackingAt,
    startMs: ready - cloneExit,
    serverUpMs: serverUpAt - cloneExit,
    continueMs: continuedAt - serverUpAt,
    probeMs: ready - continuedAt,
    createToInitMs: initStart - created,
  };
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
