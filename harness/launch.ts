import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { MySqlCredentials, MySqlEngine, StatefulMySQL, StatefulMySQLProps } from '../lib';
import { PersistentClaims } from './claims';
import { addSecret, readStatefulSet, StatefulSetSpec } from './manifest';
import { preflight } from './preflight';
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
/** The metrics exporter's password: quotes, #, ;, =, a backslash and spaces, which its option file carries in backquotes (see init-config.sh). */
export const EXPORTER_PASSWORD = `eXp 'q' "d" #h ;s =e\\b+/ end`;
/**
 * Where runs keep their pods, claims and logs: `.e2e-work/` in the checkout unless
 * E2E_WORK_DIR says otherwise. Any host directory will do: containers see none of the
 * host's directories, only what their mounts bring from there.
 */
export const WORK_ROOT = process.env.E2E_WORK_DIR ?? join(__dirname, '..', '.e2e-work');

/** A synthesized cluster, ready to create pods in. */
export interface LaunchedCluster {
  readonly sts: StatefulSetSpec;
  readonly cluster: StatefulSetCluster;
}

/** How a cluster is run, beyond what its manifests say. */
export interface LaunchOptions {
  /** Where runs keep their files. @default WORK_ROOT */
  readonly workRoot?: string;
  /** The claims are bound to hostPath volumes (root-owned directories, no fsGroup). @default false */
  readonly hostPathClaims?: boolean;
  /**
   * The store of the claims pods name in `persistentVolumeClaim` volumes; give two
   * clusters the same one to share a claim (a backup claim a restore reads).
   * @default one of the cluster's own (see ClusterOptions.persistentClaims)
   */
  readonly persistentClaims?: PersistentClaims;
  /** Adds to the cluster and its chart after it is made (application databases, their Secrets). */
  readonly customize?: (mysql: StatefulMySQL, chart: Chart) => void;
}

/**
 * Checks the machine, removes what dead runs left behind, synthesizes the StatefulSet
 * (see {@link synthesize}) and returns it with a cluster (network, image models, work
 * directory `.e2e-work/run-<pid>/<tag>`) in which no pod exists yet.
 */
export function launchCluster(tag: string, props: StatefulMySQLProps, options: LaunchOptions = {}): LaunchedCluster {
  const workRoot = options.workRoot ?? WORK_ROOT;
  preflight();
  removeStaleRuns(workRoot);
  const sts = synthesize(props, options.customize);
  return { sts, cluster: clusterOf(sts, tag, { ...options, workRoot }) };
}

/**
 * Synthesizes `new StatefulMySQL(chart, 'mysql', { engine: mariadb1011, credentials:
 * <test Secret>, ...props })` with the test Secret and returns its StatefulSet.
 */
export function synthesize(props: StatefulMySQLProps, customize?: LaunchOptions['customize']): StatefulSetSpec {
  const chart = Testing.chart();
  const mysql = new StatefulMySQL(chart, 'mysql', {
    engine: MySqlEngine.mariadb1011(),
    credentials: MySqlCredentials.fromSecretName(SECRET),
    ...props,
  });
  customize?.(mysql, chart);
  addSecret(chart, { name: SECRET, stringData: { 'root-password': ROOT_PASSWORD, 'replication-password': REPLICATION_PASSWORD, 'exporter-password': EXPORTER_PASSWORD } });
  return readStatefulSet(chart);
}

/**
 * A cluster (network, image models, work directory `.e2e-work/run-<pid>/<tag>`) for a
 * StatefulSet, with no pod yet. `tag` must be unique within the test process.
 */
export function clusterOf(sts: StatefulSetSpec, tag: string, options: LaunchOptions = {}): StatefulSetCluster {
  return new StatefulSetCluster(sts, {
    workDir: join(options.workRoot ?? WORK_ROOT, `run-${process.pid}`, tag),
    tag,
    hostPathClaims: options.hostPathClaims,
    persistentClaims: options.persistentClaims,
    // Private, and only ever configured inside the harness's own namespaces.
    subnet: `10.${200 + Math.abs(hash(tag)) % 50}.${process.pid % 250}`,
  });
}

function hash(text: string): number {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return h;
}
