// Replication lag benchmark. Starts the synthesized MariaDB StatefulSet in the e2e
// harness (harness/) with a primary and two replicas (cloned and configured
// by the library's own scripts), sysbench tables on the primary and a heartbeat row
// written on the primary every 100 ms. Every round runs, interleaved:
//   idle       no load: the heartbeat's own resolution (the lag floor)
//   detached   sysbench oltp_write_only, fixed threads, no rate limit, for DURATION s,
//              with replication stopped on both replicas: the primary's throughput
//              without replicas (baseline)
//   full/<a>   the same load with both replicas replicating, applier setting <a>:
//              primary throughput (ratio to detached) and each replica's lag
//   rated/<a>  the same workload limited to RATE transactions/s (default: half the
//              lowest throughput of round 1's full/* runs): each replica's lag at a
//              load the cluster sustains
// Lag is sampled every 100 ms on each replica as now() minus the newest heartbeat it
// has applied (pt-heartbeat's method; includes up to 100 ms of heartbeat period).
// Last, a crash check: a replica SIGKILLed while applying the rated load with the
// chart's own settings is recreated, catches up, and its tables equal the primary's.
// Applier settings <a>: `0` (one SQL thread), `N` (slave_parallel_threads = N,
// optimistic), `Nr` (N, and innodb_flush_log_at_trx_commit = 2 on the replicas).
// Writes benchmarks/results/replication-lag-<date>.json.
//
//   npx ts-node --transpile-only benchmarks/replication-lag.ts [--rounds=3] [--duration=25]
//       [--threads=4] [--appliers=0,4,4r] [--rate=<tps>] [--rows=100000] [--tables=4]
import { join } from 'path';
import { query } from '../harness/db';
import { Pod } from '../harness/kubelet';
import { launchCluster, WORK_ROOT } from '../harness/launch';
import {
  gtidSeq, Heartbeat, LagSampler, machine, median, percentile, SqlSession, sleep, startLoadedPrimary,
  sysbench, waitFor, writeResults,
} from './support/bench';

const args = Object.fromEntries(process.argv.slice(2).map(a => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? 'true']));
const ROUNDS = Number(args.rounds ?? 3);
const DURATION = Number(args.duration ?? 25);
const THREADS = Number(args.threads ?? 4);
const TABLES = Number(args.tables ?? 4);
const ROWS = Number(args.rows ?? 100_000);
const APPLIERS = String(args.appliers ?? '0,4,4r').split(',');
let rate = args.rate ? Number(args.rate) : undefined;
const log = (message: string) => console.log(`[lag] ${new Date().toISOString().slice(11, 19)} ${message}`);

interface RunResult {
  round: number;
  phase: string;
  tps: number;
  latencyP95Ms: number;
  lag: Record<string, { p50: number; p99: number; max: number; samples: number }>;
  drainMs: number;
}

function parseSysbench(out: string): { tps: number; latencyP95Ms: number } {
  const tps = Number(out.match(/transactions:\s+\d+\s+\(([\d.]+) per sec/)?.[1]);
  const latencyP95Ms = Number(out.match(/95th percentile:\s+([\d.]+)/)?.[1]);
  if (!Number.isFinite(tps)) throw new Error(`cannot read sysbench's throughput from:\n${out}`);
  return { tps, latencyP95Ms };
}

async function setApplier(replicas: Pod[], applier: string): Promise<void> {
  const threads = Number(applier.replace(/r$/, ''));
  const flush = applier.endsWith('r') ? 2 : 1;
  for (const replica of replicas) {
    await query(replica, `STOP SLAVE; SET GLOBAL slave_parallel_threads = ${threads}; SET GLOBAL slave_parallel_mode = 'optimistic'; SET GLOBAL innodb_flush_log_at_trx_commit = ${flush}; START SLAVE;`, 60_000);
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const { cluster } = launchCluster('bench-lag', { replicas: 3 });
  let heartbeat: Heartbeat | undefined;
  const results: RunResult[] = [];
  try {
    const load = await startLoadedPrimary(cluster, TABLES, ROWS, join(WORK_ROOT, 'bench-cache'), log);
    await cluster.scaleTo(3, 600_000);
    const primary = cluster.pod(0);
    const replicas = [cluster.pod(1), cluster.pod(2)];
    const configured = await query(replicas[0], 'SELECT @@slave_parallel_threads, @@slave_parallel_mode, @@innodb_flush_log_at_trx_commit, @@sync_binlog, @@relay_log_recovery');
    const configuredThreads = Number(configured[0][0]);
    log(`primary and 2 replicas Ready; replica settings from the chart (threads, mode, flush, sync_binlog, relay_log_recovery): ${configured[0].join(' ')}`);
    heartbeat = new Heartbeat(primary);
    const primarySession = new SqlSession(primary);

    const caughtUp = async (): Promise<number> => {
      const since = Date.now();
      const target = gtidSeq(await primarySession.ask('SELECT @@gtid_binlog_pos;'));
      await waitFor('replicas to catch up', 600_000, async () => {
        for (const replica of replicas) {
          if (gtidSeq((await query(replica, 'SELECT @@gtid_slave_pos'))[0][0]) < target) return false;
        }
        return true;
      }, 100);
      return Date.now() - since;
    };

    const measure = async (round: number, phase: string, load: 'none' | 'full' | 'rated'): Promise<RunResult> => {
      const samplers = phase === 'detached' ? [] : replicas.map(r => new LagSampler(r));
      samplers.forEach(s => s.start());
      let tps = 0;
      let latencyP95Ms = 0;
      if (load === 'none') {
        await sleep(Math.min(DURATION, 10) * 1000);
      } else {
        const run = await sysbench(primary, ['oltp_write_only', `--tables=${TABLES}`, `--table-size=${ROWS}`, `--threads=${THREADS}`,
          `--time=${DURATION}`, ...(load === 'rated' ? [`--rate=${rate}`] : []), 'run'], (DURATION + 60) * 1000);
        if (run.code !== 0) throw new Error(`sysbench run failed: ${run.stderr}${run.stdout.slice(-2000)}`);
        ({ tps, latencyP95Ms } = parseSysbench(run.stdout));
      }
      samplers.forEach(s => s.stop());
      const lag: RunResult['lag'] = {};
      samplers.forEach((s, i) => {
        lag[replicas[i].name] = { p50: percentile(s.samplesMs, 50), p99: percentile(s.samplesMs, 99), max: Math.max(...s.samplesMs), samples: s.samplesMs.length };
      });
      if (phase === 'detached') {
        for (const replica of replicas) await query(replica, 'START SLAVE');
      }
      const drainMs = await caughtUp();
      const result = { round, phase, tps, latencyP95Ms, lag, drainMs };
      results.push(result);
      log(`round ${round} ${phase}: ${tps ? `${tps.toFixed(0)} tps, ` : ''}${Object.entries(lag).map(([pod, l]) => `${pod} lag p50 ${l.p50.toFixed(0)} ms p99 ${l.p99.toFixed(0)} ms`).join(', ')}; caught up ${(drainMs / 1000).toFixed(1)} s after`);
      return result;
    };

    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate the order of the phases from round to round.
      const phases: Array<() => Promise<unknown>> = [];
      phases.push(async () => {
        await setApplier(replicas, APPLIERS[0]);
        await measure(round, 'idle', 'none');
      });
      phases.push(async () => {
        for (const replica of replicas) await query(replica, 'STOP SLAVE');
        await measure(round, 'detached', 'full');
      });
      for (const applier of APPLIERS) {
        phases.push(async () => {
          await setApplier(replicas, applier);
          await measure(round, `full/${applier}`, 'full');
        });
      }
      if (round === 1) {
        for (const phase of phases) await phase();
      } else {
        const order = round % 2 === 0 ? [...phases].reverse() : phases;
        for (const phase of order) await phase();
      }
      // Half the lowest throughput the primary reached with replicas attached in round 1:
      // a load the cluster sustains with every applier setting.
      rate ??= Math.round(Math.min(...results.filter(r => r.phase.startsWith('full/')).map(r => r.tps)) / 2);
      for (const applier of round % 2 === 0 ? [...APPLIERS].reverse() : APPLIERS) {
        await setApplier(replicas, applier);
        await measure(round, `rated/${applier}`, 'rated');
      }
    }
    // Crash safety of the replica settings: SIGKILL a replica while it applies the rated
    // load with the chart's applier settings, recreate it, and compare its tables.
    await setApplier(replicas, String(configuredThreads));
    await query(replicas[0], `SET GLOBAL innodb_flush_log_at_trx_commit = ${configured[0][2]}`);
    await query(replicas[1], `SET GLOBAL innodb_flush_log_at_trx_commit = ${configured[0][2]}`);
    const crashLoad = sysbench(primary, ['oltp_write_only', `--tables=${TABLES}`, `--table-size=${ROWS}`, `--threads=${THREADS}`,
      `--time=${DURATION}`, `--rate=${rate}`, 'run'], (DURATION + 60) * 1000);
    await sleep((DURATION / 3) * 1000);
    await cluster.deletePod(2);
    await cluster.createPod(2);
    await cluster.waitReady(2, 300_000);
    if ((await crashLoad).code !== 0) throw new Error('sysbench failed during the crash check');
    replicas[1] = cluster.pod(2);
    await caughtUp();
    const tables = Array.from({ length: TABLES }, (_, i) => `sbtest.sbtest${i + 1}`).join(', ');
    const checksums = async (pod: Pod) => (await query(pod, `CHECKSUM TABLE ${tables}`, 120_000)).map(r => r.join(' ')).join('; ');
    const crash = { primary: await checksums(primary), replica: await checksums(replicas[1]), equal: false };
    crash.equal = crash.primary === crash.replica;
    log(`crash check: ${replicas[1].name} SIGKILLed under load with ${configuredThreads} appliers, recreated, caught up: tables ${crash.equal ? 'equal to' : 'DIFFER from'} the primary's`);
    if (!crash.equal) throw new Error(`after the crash the replica's tables differ: ${crash.replica} vs ${crash.primary}`);
    primarySession.close();

    const phases = [...new Set(results.map(r => r.phase))];
    const detachedByRound = new Map(results.filter(r => r.phase === 'detached').map(r => [r.round, r.tps]));
    const summary = phases.map(phase => {
      const mine = results.filter(r => r.phase === phase);
      const lag: Record<string, { p50: number; p99: number }> = {};
      for (const pod of Object.keys(mine[0].lag)) {
        lag[pod] = { p50: median(mine.map(r => r.lag[pod].p50)), p99: median(mine.map(r => r.lag[pod].p99)) };
      }
      const tpsRatio = phase.startsWith('full/') ? median(mine.map(r => r.tps / detachedByRound.get(r.round)!)) : undefined;
      return { phase, runs: mine.length, tps: median(mine.map(r => r.tps)), tpsRatioToDetached: tpsRatio, lagMs: lag, drainMs: median(mine.map(r => r.drainMs)) };
    });
    for (const s of summary) {
      log(`${s.phase}: ${s.tps ? `${s.tps.toFixed(0)} tps${s.tpsRatioToDetached ? ` (${s.tpsRatioToDetached.toFixed(2)}x detached)` : ''}, ` : ''}${Object.entries(s.lagMs).map(([pod, l]) => `${pod} p50 ${l.p50.toFixed(0)} ms p99 ${l.p99.toFixed(0)} ms`).join(', ')}`);
    }
    const file = writeResults('replication-lag', {
      benchmark: 'replication-lag', date: new Date().toISOString(), machine: machine(),
      command: `npx ts-node --transpile-only benchmarks/replication-lag.ts ${process.argv.slice(2).join(' ')}`.trim(),
      data: { tables: TABLES, rowsPerTable: ROWS, fromCache: load.fromCache },
      workload: { test: 'oltp_write_only', threads: THREADS, durationSeconds: DURATION, ratedTps: rate },
      replicaSettingsFromChart: configured[0], appliers: APPLIERS, crashCheck: crash, rounds: ROUNDS, summary, runs: results,
      runtimeSeconds: Math.round((Date.now() - started) / 1000),
    });
    log(`results in ${file} (${Math.round((Date.now() - started) / 1000)} s in all)`);
  } catch (error) {
    console.error(cluster.logTails(40));
    throw error;
  } finally {
    heartbeat?.stop();
    await cluster.teardown(false);
  }
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
