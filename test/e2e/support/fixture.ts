import { existsSync, readFileSync, readdirSync, statSync } from 'fs';
import { join } from 'path';
import { StatefulMySQLProps } from '../../../lib';
import { query, scalar, slaveStatus } from '../../../harness/db';
import { Timings, waitFor } from '../../../harness/host';
import { launchCluster, LaunchOptions, WORK_ROOT } from '../../../harness/launch';
import { StatefulSetSpec } from '../../../harness/manifest';
import { StatefulSetCluster } from '../../../harness/statefulset';

export { EXPORTER_PASSWORD, REPLICATION_PASSWORD, ROOT_PASSWORD, SECRET, WORK_ROOT } from '../../../harness/launch';

/**
 * One synthesized cluster per `describe`: synthesized and started in beforeAll, torn
 * down in afterAll (also after failures), plus the checks the scenarios share.
 */

export const POD_READY_TIMEOUT = 120_000;

export class Fixture {
  public cluster!: StatefulSetCluster;
  public sts!: StatefulSetSpec;
  public failed = false;
  /** Further clusters a scenario starts (a restore): their logs go with a failure report, and they are torn down with this one. */
  public readonly others: StatefulSetCluster[] = [];

  constructor(private readonly tag: string, props: StatefulMySQLProps, options: LaunchOptions = {}) {
    beforeAll(async () => {
      ({ sts: this.sts, cluster: this.cluster } = launchCluster(tag, props, options));
    }, 60_000);

    afterAll(async () => {
      for (const other of this.others) await other.teardown(this.failed).catch(error => console.error(`[e2e] teardown of a further cluster: ${error}`));
      if (!this.cluster) return;
      const started = Date.now();
      await this.cluster.teardown(this.failed);
      console.log(`[e2e] ${this.tag}: teardown done, every process killed and namespace deleted (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }, 120_000);
  }

  /** A jest test that prints its phase timings, and every log tail when it fails. */
  public scenario(name: string, timeoutMs: number, body: (t: Timings) => Promise<void>): void {
    test(name, async () => {
      const timings = new Timings(`[e2e] ${name}`);
      try {
        if (!this.cluster) throw new Error('the e2e cluster was not set up (see the beforeAll error)');
        await body(timings);
      } catch (error) {
        this.failed = true;
        const others = this.others.map(other => `===== further cluster ${other.dirs.logs} =====\n${other.logTails()}`).join('\n');
        console.error(`[e2e] ${name} FAILED: ${error}\nwork dir: ${WORK_ROOT}/run-${process.pid}/${this.tag}\n${this.cluster?.logTails() ?? ''}\n${others}`);
        throw error;
      } finally {
        console.log(timings.report());
      }
    }, timeoutMs);
  }

  public get primaryHost(): string {
    return `${this.cluster.podName(0)}.${this.sts.serviceName}.${this.sts.namespace}.svc.${this.cluster.clusterDomain}`;
  }

  /** Rows of the test table, in id order, on one member. */
  public async items(ordinal: number): Promise<string[]> {
    return (await query(this.cluster.pod(ordinal), 'SELECT id, note FROM e2e.items ORDER BY id')).map(r => r.join(' '));
  }

  public async waitForRow(ordinal: number, note: string, timeoutMs = 60_000): Promise<void> {
    await waitFor(`row "${note}" on ${this.cluster.podName(ordinal)}`, timeoutMs, async () =>
      (await scalar(this.cluster.pod(ordinal), `SELECT COUNT(*) FROM e2e.items WHERE note = '${note}'`)) === '1');
  }

  /** Waits for both replication threads to run and checks the source and mode. */
  public async expectReplicating(ordinal: number, usingGtid = 'Slave_Pos'): Promise<Record<string, string>> {
    const status = await waitFor(`replication threads running on ${this.cluster.podName(ordinal)}`, 30_000, async () => {
      const s = await slaveStatus(this.cluster.pod(ordinal));
      return s.Slave_IO_Running === 'Yes' && s.Slave_SQL_Running === 'Yes' ? s : undefined;
    });
    expect(status.Master_Host).toBe(this.primaryHost);
    expect(status.Using_Gtid).toBe(usingGtid);
    return status;
  }

  /** Waits until the members have the primary's CHECKSUM TABLE and returns it. */
  public async waitConverged(ordinals: number[], table: string, timeoutMs = 120_000): Promise<string> {
    const checksum = async (ordinal: number) => (await query(this.cluster.pod(ordinal), `CHECKSUM TABLE ${table}`))[0][1];
    return waitFor(`${table} to converge on ${ordinals.map(o => this.cluster.podName(o)).join(', ')}`, timeoutMs, async () => {
      const expected = await checksum(0);
      for (const ordinal of ordinals) {
        const actual = await checksum(ordinal);
        if (actual !== expected) throw new Error(`${this.cluster.podName(ordinal)} checksum ${actual} != primary ${expected}`);
      }
      return expected;
    }, 1000);
  }

  /** Whole log of a container, every incarnation of the pod. */
  public log(ordinal: number, container: string): string {
    return readFileSync(this.cluster.pod(ordinal).logFile(container), 'utf8');
  }

  /** Log of a container since the pod's current incarnation was created. */
  public currentLog(ordinal: number, container: string): string {
    const since = this.cluster.pod(ordinal).startedAt;
    return this.log(ordinal, container).split(/(?====== \[harness\] )/).filter(chunk => {
      const at = chunk.match(/^===== \[harness\] (\S+)/)?.[1];
      return at !== undefined && Date.parse(at) >= since;
    }).join('');
  }

  /** Host path of a file in a member's data directory (on its claim). */
  public datadirFile(ordinal: number, file: string): string {
    return join(this.cluster.claimDir(ordinal), 'mysql', file);
  }

  /**
   * Waits until the sidecar has marked a clone's coordinate file applied. It does so once
   * it sees both replication threads run, polling every second, so possibly just after
   * the readiness probe found the pod Ready.
   */
  public async waitApplied(ordinal: number, file: string): Promise<void> {
    await waitFor(`${file}.applied on ${this.cluster.podName(ordinal)}`, 15_000, () => this.hasDatadirFile(ordinal, `${file}.applied`));
    expect(this.hasDatadirFile(ordinal, file)).toBe(false);
    expect(this.hasDatadirFile(ordinal, `${file}.configured`)).toBe(false);
  }

  public hasDatadirFile(ordinal: number, file: string): boolean {
    return existsSync(this.datadirFile(ordinal, file));
  }
}

/** Total size of the files below a directory (0 if it does not exist). */
export function dirBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    try {
      total += entry.isDirectory() ? dirBytes(path) : statSync(path).size;
    } catch {
      // vanished while walking
    }
  }
  return total;
}
