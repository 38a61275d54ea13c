import { join } from 'path';
import { Testing } from 'cdk8s';
import { MySqlCredentials, MySqlEngine, StatefulMySQL, StatefulMySQLProps } from '../../../lib';
import { addSecret, readStatefulSet, StatefulSetSpec } from './manifest';
import { preflight } from './preflight';
import { CONTAINER_OVERLAYS, under } from './sandbox';
import { removeStaleRuns, StatefulSetCluster } from './statefulset';

/**
 * Synthesizes a MariaDB 10.11 {@link StatefulMySQL} and prepares it to run in the
 * harness, without any test framework: the jest fixture (fixture.ts) and the
 * benchmarks (benchmarks/) both start their clusters through here.
 */

/** Passwords with quotes (an odd number of "), backslashes, spaces and #, to prove escaping. */
export const ROOT_PASSWORD = `r00t "dq 'sq' back\\slash sp ace #hash $HOME;`;
export const REPLICATION_PASSWORD = `rep 'l" \\ #x $(id)`;
export const SECRET = 'mysql-credentials';
/**
 * Where runs keep their pods, claims and logs: `.e2e-work/` in the checkout, unless the
 * checkout lies where containers get fresh directories (a clone under /tmp, say), or
 * E2E_WORK_DIR says otherwise.
 */
export const WORK_ROOT = process.env.E2E_WORK_DIR
  ?? (under(join(__dirname, '..', '..', '..'), CONTAINER_OVERLAYS)
    ? '/var/cache/cdk8s-replicated-mysql-e2e'
    : join(__dirname, '..', '..', '..', '.e2e-work'));

/** A synthesized cluster, ready to create pods in. */
export interface LaunchedCluster {
  readonly sts: StatefulSetSpec;
  readonly cluster: StatefulSetCluster;
}

/**
 * Checks the machine, removes what dead runs left behind, synthesizes
 * `new StatefulMySQL(chart, 'mysql', { engine: mariadb1011, credentials: <test Secret>, ...props })`
 * and returns its StatefulSet with a cluster (network, image model, work directory
 * `.e2e-work/run-<pid>/<tag>`) in which no pod exists yet.
 */
export function launchCluster(tag: string, props: StatefulMySQLProps, workRoot: string = WORK_ROOT): LaunchedCluster {
  preflight();
  removeStaleRuns(workRoot);
  const chart = Testing.chart();
  new StatefulMySQL(chart, 'mysql', {
    engine: MySqlEngine.mariadb1011(),
    credentials: MySqlCredentials.fromSecretName(SECRET),
    ...props,
  });
  addSecret(chart, { name: SECRET, stringData: { 'root-password': ROOT_PASSWORD, 'replication-password': REPLICATION_PASSWORD } });
  const sts = readStatefulSet(chart);
  const cluster = new StatefulSetCluster(sts, {
    workDir: join(workRoot, `run-${process.pid}`, tag),
    tag,
    // Private, and only ever configured inside the harness's own namespaces.
    subnet: `10.${200 + Math.abs(hash(tag)) % 50}.${process.pid % 250}`,
  });
  return { sts, cluster };
}

function hash(text: string): number {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return h;
}
