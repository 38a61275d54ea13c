// Replica bootstrap benchmark. Starts the synthesized MariaDB StatefulSet in the e2e
// harness (harness/: real mariadbd processes in per-pod Linux namespaces), with
// a primary holding sysbench data (4 tables x 1M rows, ~1 GiB of InnoDB) and a
// heartbeat written every 100 ms. Each sample creates a new replica (mysql-1, empty
// claim) and times, from its first init container to "replicating and caught up":
//   stream   clone-data start -> backup received (connect, source check, backup, unpack)
//   prepare  received -> clone-data exit (mariadb-backup --prepare, sync, rename)
//   catch-up clone-data exit -> replica applied the primary's newest GTID (server start,
//            sidecar configures replication, catches up)
// and then, between the same two network namespaces, the baselines: a raw
// `tar -c <primary datadir> | ncat` -> `ncat -l | tar -x; sync` of the same data files
// (binary and redo logs excluded), and the same copy through socat (the clone channel's
// transport), so that no figure owes anything to a slow relay. Variants
// (clone options set through the containers' environment) and the baseline alternate
// within every round. Writes benchmarks/results/bootstrap-<date>.json.
//
//   npx ts-node --transpile-only benchmarks/bootstrap.ts [--rounds=5] [--variants=default,p4,zstd]
//       [--rows=1000000] [--tables=4] [--rate=<tc rate, e.g. 1gbit>] [--writes=<tps>]
// --rate limits the primary's egress with a tc token bucket (a slower network);
// --writes runs sysbench oltp_write_only at that many transactions/s on the primary
// throughout (clones under write load, with redo log for the prepare to apply).
import { ChildProcess } from 'child_process';
import { readFileSync, statSync } from 'fs';
import { join } from 'path';
import { Pod } from '../harness/kubelet';
import { launchCluster, WORK_ROOT } from '../harness/launch';
import {
  benchSql, duBytes, RAW_COPY_EXCLUDES, rawCopy, eventTime, gtidSeq, Heartbeat, inNetns, machine, median, SqlSession,
  startLoadedPrimary, startSysbench, stopProcess, waitFor, watchFile, writeResults,
} from './support/bench';

const args = Object.fromEntries(process.argv.slice(2).map(a => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? 'true']));
const ROUNDS = Number(args.rounds ?? 5);
const TABLES = Number(args.tables ?? 4);
const ROWS = Number(args.rows ?? 1_000_000);
const RATE: string | undefined = args.rate;
const WRITES = args.writes ? Number(args.writes) : undefined;

/** A variant: environment of the source's sidecar (sender) and the new replica's clone-data (receiver). */
interface Variant { readonly sender: Record<string, string>; readonly receiver: Record<string, string> }
// `default` is what the chart synthesizes; the others set every variable they are about.
// BACKUP_LOG_COPY_INTERVAL_MS '' leaves the tool's own interval (1000 ms).
// The receiver must accept the compression the sender is set to, or it gets the stream uncompressed.
const p = (threads: number, intervalMs: string, extra: Record<string, string> = {}, receiver: Record<string, string> = {}): Variant => ({
  sender: { CLONE_PARALLEL: String(threads), BACKUP_LOG_COPY_INTERVAL_MS: intervalMs, CLONE_COMPRESSION: 'none', ...extra },
  receiver: { CLONE_PARALLEL: String(threads), CLONE_COMPRESSION: extra.CLONE_COMPRESSION ?? 'none', ...receiver },
});
const VARIANTS: Record<string, Variant> = {
  'default': { sender: {}, receiver: {} },
  'p1-i1000': p(1, ''),
  'p2-i1000': p(2, ''),
  'p4-i1000': p(4, ''),
  'p8-i1000': p(8, ''),
  'p1-i100': p(1, '100'),
  'p4-i100': p(4, '100'),
  'p4-i100-zstd': p(4, '100', { CLONE_COMPRESSION: 'zstd' }),
  'p4-i100-lz4': p(4, '100', { CLONE_COMPRESSION: 'lz4' }),
  'p4-i100-mem100m': p(4, '100', {}, { PREPARE_MEMORY: '100M' }),
  'p4-i100-mem1g': p(4, '100', {}, { PREPARE_MEMORY: '1024M' }),
};
const variantNames = String(args.variants ?? 'default').split(',');
for (const name of variantNames) if (!VARIANTS[name]) throw new Error(`unknown variant ${name} (known: ${Object.keys(VARIANTS).join(', ')})`);

const log = (message: string) => console.log(`[bootstrap] ${new Date().toISOString().slice(11, 19)} ${message}`);

async function main(): Promise<void> {
  const started = Date.now();
  const { sts, cluster } = launchCluster('bench-boot', { replicas: 2 });
  const workDir = join(WORK_ROOT, `run-${process.pid}`, 'bench-boot');
  const samples: Array<Record<string, number | string>> = [];
  let heartbeat: Heartbeat | undefined;
  let writer: ChildProcess | undefined;
  try {
    const load = await startLoadedPrimary(cluster, TABLES, ROWS, join(WORK_ROOT, 'bench-cache'), log);
    const primary = cluster.pod(0);
    const datadir = join(cluster.claimDir(0), 'mysql');
    const dataBytes = duBytes(datadir, RAW_COPY_EXCLUDES.map(e => e.slice(2)));
    log(`primary Ready; data files ${(dataBytes / 2 ** 30).toFixed(2)} GiB (binary and redo logs excluded)`);
    if (RATE) {
      const tc = await inNetns(primary.sandbox.netns, ['tc', 'qdisc', 'replace', 'dev', 'eth0', 'root', 'tbf', 'rate', RATE, 'burst', '1mb', 'latency', '100ms'], { timeoutMs: 5000 });
      if (tc.code !== 0) throw new Error(`tc: ${tc.stderr}`);
      log(`primary egress limited to ${RATE}`);
    }
    heartbeat = new Heartbeat(primary);
    if (WRITES) {
      writer = startSysbench(primary, ['oltp_write_only', `--tables=${TABLES}`, `--table-size=${ROWS}`, '--threads=2', `--rate=${WRITES}`, '--time=3600', 'run']);
      log(`background writes: oltp_write_only at ${WRITES} tps`);
    }
    const primarySession = new SqlSession(primary);
    const templateEnv = (container: string) => Object.fromEntries(
      [...sts.initContainers, ...sts.containers].find(c => c.name === container)!.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, String(e.value)]));
    const senderTemplate = templateEnv('replication');
    const receiverTemplate = templateEnv('clone-data');
    let senderEnv = '';

    for (let round = 1; round <= ROUNDS; round++) {
      // Rotate the order of the variants from round to round.
      const order = variantNames.map((_, i) => variantNames[(i + round - 1) % variantNames.length]);
      for (const name of order) {
        const variant = VARIANTS[name];
        const sender = Object.fromEntries(Object.keys(variant.sender).concat('CLONE_PARALLEL', 'CLONE_COMPRESSION', 'BACKUP_LOG_COPY_INTERVAL_MS')
          .map(k => [k, variant.sender[k] ?? senderTemplate[k] ?? '']));
        if (JSON.stringify(sender) !== senderEnv) {
          const offset = statSync(primary.logFile('replication')).size;
          primary.overrideEnv('replication', sender);
          primary.killContainer('replication');
          await watchFile(primary.logFile('replication'), /serving backups on port/, 60_000, offset);
          senderEnv = JSON.stringify(sender);
        }
        cluster.envOverrides.set(1, { 'clone-data': { ...receiverTemplate, ...variant.receiver } });
        const sample = await bootstrapOnce(cluster.pods.get(0)!, primarySession, () => cluster.createPod(1), datadir, workDir);
        await cluster.deletePod(1);
        cluster.deleteClaim(1);
        samples.push({ round, variant: name, ...sample });
        log(`round ${round} ${name}: bootstrap ${(sample.totalMs / 1000).toFixed(1)} s (init ${(sample.initMs / 1000).toFixed(1)}, stream ${(sample.streamMs / 1000).toFixed(1)}, prepare ${(sample.prepareMs / 1000).toFixed(1)}, catch-up ${(sample.catchUpMs / 1000).toFixed(1)}); raw copy ${(sample.rawMs / 1000).toFixed(1)} s (socat ${(sample.rawSocatMs / 1000).toFixed(1)} s); ratio ${sample.ratio.toFixed(2)} (socat ${sample.ratioSocat.toFixed(2)})`);
      }
    }
    primarySession.close();

    const summary = variantNames.map(name => {
      const mine = samples.filter(s => s.variant === name);
      const m = (key: string) => median(mine.map(s => Number(s[key])));
      return {
        variant: name, sender: VARIANTS[name].sender, receiver: VARIANTS[name].receiver, samples: mine.length,
        totalMs: m('totalMs'), initMs: m('initMs'), streamMs: m('streamMs'), prepareMs: m('prepareMs'), catchUpMs: m('catchUpMs'),
        rawMs: m('rawMs'), ratio: m('ratio'), rawSocatMs: m('rawSocatMs'), ratioSocat: m('ratioSocat'), cloneBytes: m('cloneBytes'), rawBytes: m('rawBytes'),
      };
    });
    for (const s of summary) {
      log(`${s.variant}: median bootstrap ${(s.totalMs / 1000).toFixed(1)} s = stream ${(s.streamMs / 1000).toFixed(1)} + prepare ${(s.prepareMs / 1000).toFixed(1)} + catch-up ${(s.catchUpMs / 1000).toFixed(1)} (+ init ${(s.initMs / 1000).toFixed(1)}); raw copy ${(s.rawMs / 1000).toFixed(1)} s (socat ${(s.rawSocatMs / 1000).toFixed(1)} s); median ratio ${s.ratio.toFixed(2)}x (socat ${s.ratioSocat.toFixed(2)}x)`);
    }
    const file = writeResults(`bootstrap${RATE ? `-${RATE}` : ''}${WRITES ? `-writes${WRITES}` : ''}`, {
      benchmark: 'bootstrap', date: new Date().toISOString(), machine: machine(),
      command: `npx ts-node --transpile-only benchmarks/bootstrap.ts ${process.argv.slice(2).join(' ')}`.trim(),
      data: { tables: TABLES, rowsPerTable: ROWS, dataFileBytes: dataBytes, fromCache: load.fromCache, loadSeconds: load.loadSeconds },
      networkRate: RATE ?? 'unlimited (veth + bridge)', backgroundWritesTps: WRITES ?? 0, rounds: ROUNDS, summary, samples,
      runtimeSeconds: Math.round((Date.now() - started) / 1000),
    });
    log(`results in ${file} (${Math.round((Date.now() - started) / 1000)} s in all)`);
  } catch (error) {
    console.error(cluster.logTails(40));
    throw error;
  } finally {
    heartbeat?.stop();
    if (writer) stopProcess(writer);
    await cluster.teardown(false);
  }
}

async function bootstrapOnce(primary: Pod, primarySession: SqlSession, create: () => Promise<Pod>, datadir: string, workDir: string) {
  const created = Date.now();
  const replica = await create();
  const cloneLog = replica.logFile('clone-data');
  const offset = (() => { try { return statSync(cloneLog).size; } catch { return 0; } })();
  const preparing = await watchFile(cloneLog, /received in \d+s; preparing/, 600_000, offset);
  await waitFor('clone-data to finish', 600_000, () => !replica.isRunning('clone-data') && replica.isRunning('mysql'), 25);
  const caughtUp = await waitFor(`${replica.name} to replicate and catch up`, 300_000, async () => {
    const target = gtidSeq(await primarySession.ask('SELECT @@gtid_binlog_pos;'));
    const applied = gtidSeq(await benchSql(replica, 'SELECT @@gtid_slave_pos'));
    return applied >= target ? Date.now() : undefined;
  }, 100);
  const initStart = eventTime(replica, /container init-config started/, created);
  const cloneStart = eventTime(replica, /container clone-data started/, created);
  const cloneExit = eventTime(replica, /container clone-data exited: code 0/, created);
  const attempts = readFileSync(cloneLog, 'utf8').slice(offset).match(/receiving a backup from/g)?.length ?? 0;
  const replicaDatadir = join(replica.sandbox.claimDir('data'), 'mysql');
  const cloneBytes = duBytes(replicaDatadir, ['mysql-bin.*', 'ib_logfile*', 'ibtmp1', '*relay-bin*', '*.pid']);

  // Baselines: the same data files, raw, between the same two network namespaces,
  // through ncat and through socat.
  const scratch = join(workDir, 'raw-copy');
  const ncat = await rawCopy(primary, replica, datadir, scratch, 'ncat');
  const socat = await rawCopy(primary, replica, datadir, scratch, 'socat');

  const totalMs = caughtUp - initStart;
  return {
    initMs: cloneStart - initStart,
    streamMs: preparing - cloneStart,
    prepareMs: cloneExit - preparing,
    catchUpMs: caughtUp - cloneExit,
    totalMs,
    rawMs: ncat.ms,
    ratio: totalMs / ncat.ms,
    rawSocatMs: socat.ms,
    ratioSocat: totalMs / socat.ms,
    attempts,
    cloneBytes,
    rawBytes: ncat.bytes,
    createToInitMs: initStart - created,
  };
}

/** `tar -c` of the primary's data files | sender -> receiver | `tar -x` into a scratch directory, then sync. */

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
