/**
 * The audit's corpus: invalid and edge inputs to every public construct and helper, each
 * with what Kubernetes and MySQL/MariaDB really do with it, not what the library does
 * today. `{ rejects: [...] }` lists what any clear message must name (the property, and
 * the value where it is printable); `'works'` inputs are valid and must synthesize valid
 * YAML that behaves (`check`).
 */
import { App, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as kplus33 from 'cdk8s-plus-33';
import {
  ClaimRetention, ClaimTemplate, CloneCompression, HeadlessService, HostPathPersistentVolumes, MySqlCredentials,
  MySqlEngine, NfsPersistentVolumes, NfsSubdirProvisioner, PerPodClaims, ReclaimPolicy, ReplicaTopology,
  ReplicatedMySqlChart, ReplicationMode, Spread, StatefulMySQL, StatefulMySQLProps, StatefulSetHosts, TaintEffect,
  VolumeAccessMode, VolumePermissions,
} from '../../lib';
import { KubeDeployment, KubeStatefulSet } from 'cdk8s-plus-28/lib/imports/k8s';
import { AuditCase, chartIn, containerOf, findObject, mysqldOptions } from './harness';

const rejects = (...substrings: string[]) => ({ rejects: substrings });

/** A cluster `mysql` (or `props.name`) in a chart of its own; props are made at build time, inside the audit. */
function db(props: () => StatefulMySQLProps, namespace?: string): (app: App) => void {
  return app => {
    new StatefulMySQL(chartIn(app, 'test', namespace), 'mysql', props());
  };
}

/** A JavaScript caller's props: any shape at all. */
function jsDb(props: () => any): (app: App) => void {
  return db(props as () => StatefulMySQLProps);
}

function statefulSet(objects: any[], name = 'mysql'): any {
  return findObject(objects, 'StatefulSet', name);
}

/** The effective value of a `[mysqld]` option in one of the cluster's my.cnf fragments. */
function option(objects: any[], file: string, name: string, cluster = 'mysql'): string | undefined {
  const text = findObject(objects, 'ConfigMap', `${cluster}-config`).data[file];
  return mysqldOptions(text).get(name.replace(/-/g, '_'));
}

function expectEqual(what: string, actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

function expectMemoryLimit(objects: any[], container: string): void {
  const limits = containerOf(statefulSet(objects), container).resources?.limits;
  if (!limits?.memory) {
    throw new Error(`container "${container}" has no memory limit (resources ${JSON.stringify(containerOf(statefulSet(objects), container).resources)})`);
  }
}

/** The PersistentVolume pre-bound to this claim, whatever the library names it. */
function volumeFor(objects: any[], claim: string): any {
  const found = objects.filter(o => o.kind === 'PersistentVolume' && o.spec?.claimRef?.name === claim);
  if (found.length !== 1) {
    throw new Error(`expected one PersistentVolume pre-bound to ${claim}, found ${found.length}`);
  }
  return found[0];
}

function env(container: any, name: string): any {
  return (container.env ?? []).find((e: any) => e.name === name);
}

/** A cdk8s-plus-28 Deployment with one container, `web`. */
function webDeployment(app: App, chartId = 'apps'): kplus.Deployment {
  return new kplus.Deployment(chartIn(app, chartId), 'web', {
    containers: [{ name: 'web', image: 'shop:1.4', portNumber: 8080, securityContext: { user: 1000 } }],
  });
}

/** A cluster and NFS volumes pre-bound to its claims, through the chart. */
function nfsChart(app: App, id: string, cluster: StatefulMySQLProps, nfs: any, namespace?: string): ReplicatedMySqlChart {
  return new ReplicatedMySqlChart(app, id, { namespace, cluster, nfs: { server: '10.0.0.5', ...nfs } });
}

/** A cluster on hostPath volumes. */
function hostPathCluster(app: App, cluster: StatefulMySQLProps, volumes: any = {}): void {
  const chart = chartIn(app);
  const mysql = new StatefulMySQL(chart, 'mysql', {
    ...cluster,
    storage: { storageClassName: 'manual', volumePermissions: VolumePermissions.ROOT_INIT_CONTAINER, ...cluster.storage },
  });
  new HostPathPersistentVolumes(chart, 'volumes', { claims: mysql.dataClaims, basePath: '/var/local/mysql', ...volumes });
}

/** The nginx StatefulSet of the README on cdk8s-plus-28, and its headless Service. */
function web28(app: App, replicas = 2): { chart: ReturnType<typeof chartIn>; set: kplus.StatefulSet } {
  const chart = chartIn(app, 'web', 'default');
  const nginx = new HeadlessService(chart, 'nginx', { ports: [{ name: 'web', port: 80, targetPort: 8080 }] });
  const set = new kplus.StatefulSet(chart, 'web', {
    metadata: { name: 'web' }, service: nginx, replicas,
    containers: [{ name: 'nginx', image: 'nginxinc/nginx-unprivileged:1.27-alpine', ports: [{ number: 8080 }], securityContext: { user: 101 } }],
  });
  return { chart, set };
}

function claimsFor(set: { name: string }, props: any = {}): PerPodClaims {
  return new PerPodClaims({ statefulSet: set, namespace: 'default', replicas: 2, templateName: 'www', size: Size.gibibytes(1), storageClassName: 'manual', ...props });
}

function provisioner(app: App, props: any = {}, chartId = 'storage', namespace?: string): void {
  new NfsSubdirProvisioner(chartIn(app, chartId, namespace), 'nfs', { server: '10.0.0.5', path: '/exports', storageClassName: 'nfs-client', ...props });
}

const NAME_52 = `m${'y'.repeat(50)}l`;
const NAME_53 = `m${'y'.repeat(51)}l`;

// ---------------------------------------------------------------------------------------
const identity: AuditCase[] = [
  { construct: 'StatefulMySQL', title: 'defaults', build: db(() => ({})), expect: 'works' },
  { construct: 'StatefulMySQL', title: 'name starting with a digit (the Services need a DNS-1035 label)', build: db(() => ({ name: '1db' })), expect: rejects('name', '1db') },
  { construct: 'StatefulMySQL', title: 'name with upper case', build: db(() => ({ name: 'MySQL' })), expect: rejects('name', 'MySQL') },
  { construct: 'StatefulMySQL', title: 'name with an underscore', build: db(() => ({ name: 'my_db' })), expect: rejects('name', 'my_db') },
  { construct: 'StatefulMySQL', title: 'empty name', build: db(() => ({ name: '' })), expect: rejects('name') },
  { construct: 'StatefulMySQL', title: 'largest valid name (52 characters)', build: db(() => ({ name: NAME_52 })), expect: 'works' },
  { construct: 'StatefulMySQL', title: 'name of 53 characters', build: db(() => ({ name: NAME_53 })), expect: rejects('name', NAME_53) },
  { construct: 'StatefulMySQL', title: 'name given as a number', build: jsDb(() => ({ name: 42 })), expect: rejects('name', '42') },
  { construct: 'StatefulMySQL', title: 'replicas 0', build: db(() => ({ replicas: 0 })), expect: rejects('replicas', '0') },
  { construct: 'StatefulMySQL', title: 'replicas -1', build: db(() => ({ replicas: -1 })), expect: rejects('replicas', '-1') },
  { construct: 'StatefulMySQL', title: 'replicas 1.5', build: db(() => ({ replicas: 1.5 })), expect: rejects('replicas', '1.5') },
  { construct: 'StatefulMySQL', title: 'replicas NaN', build: db(() => ({ replicas: NaN })), expect: rejects('replicas', 'NaN') },
  { construct: 'StatefulMySQL', title: 'replicas above int32', build: db(() => ({ replicas: 2147483648 })), expect: rejects('replicas', '2147483648') },
  { construct: 'StatefulMySQL', title: 'replicas given as a string', build: jsDb(() => ({ replicas: '3' })), expect: rejects('replicas', '3') },
  { construct: 'StatefulMySQL', title: 'replicas 1 (a primary alone)', build: db(() => ({ replicas: 1 })), expect: 'works' },
  { construct: 'StatefulMySQL', title: 'namespace with upper case', build: db(() => ({ namespace: 'Prod' })), expect: rejects('namespace', 'Prod') },
  { construct: 'StatefulMySQL', title: 'namespace of 64 characters', build: db(() => ({ namespace: 'n'.repeat(64) })), expect: rejects('namespace', 'n'.repeat(64)) },
  { construct: 'StatefulMySQL', title: 'clusterDomain with an underscore', build: db(() => ({ clusterDomain: 'cluster_local' })), expect: rejects('clusterDomain', 'cluster_local') },
  { construct: 'StatefulMySQL', title: 'serverIdOffset 0 (server_id 0 is reserved)', build: db(() => ({ serverIdOffset: 0 })), expect: rejects('serverIdOffset', '0') },
  { construct: 'StatefulMySQL', title: 'serverIdOffset so high the last member overflows 32 bits', build: db(() => ({ serverIdOffset: 4294967295 })), expect: rejects('serverIdOffset', '4294967295') },
  { construct: 'StatefulMySQL', title: 'largest serverIdOffset for 3 members', build: db(() => ({ serverIdOffset: 4294967293 })), expect: 'works' },
  { construct: 'StatefulMySQL', title: 'serverIdOffset given as a string', build: jsDb(() => ({ serverIdOffset: '100' })), expect: rejects('serverIdOffset', '100') },
  {
    construct: 'StatefulMySQL', title: 'props null (a JavaScript caller\'s "no props")', build: app => { new StatefulMySQL(chartIn(app), 'mysql', null as any); },
    expect: 'works', orRejects: ['props'],
  },
  { construct: 'StatefulMySQL', title: 'replicationMode misspelled (silently GTID)', build: jsDb(() => ({ replicationMode: 'binlog' })), expect: rejects('replicationMode', 'binlog') },
  { construct: 'StatefulMySQL', title: 'replicationMode BINLOG_POSITION', build: db(() => ({ replicationMode: ReplicationMode.BINLOG_POSITION })), expect: 'works' },
  { construct: 'StatefulMySQL', title: 'disruptionBudget given as the string "false"', build: jsDb(() => ({ disruptionBudget: 'false' })), expect: rejects('disruptionBudget', 'false') },
  {
    construct: 'StatefulMySQL', title: 'disruptionBudget false', build: db(() => ({ disruptionBudget: false })), expect: 'works',
    check: objects => expectEqual('PodDisruptionBudgets', objects.filter(o => o.kind === 'PodDisruptionBudget').length, 0),
  },
];

// ---------------------------------------------------------------------------------------
const uniqueness: AuditCase[] = [
  {
    construct: 'StatefulMySQL', title: 'two clusters of the same name in one namespace',
    build: app => {
      new StatefulMySQL(chartIn(app, 'a', 'shop'), 'mysql');
      new StatefulMySQL(chartIn(app, 'b', 'shop'), 'mysql');
    },
    expect: rejects('mysql', 'shop'),
  },
  {
    construct: 'StatefulMySQL', title: 'clusters "mysql" and "mysql-read" in one namespace (a read Service is the other\'s headless Service)',
    build: app => {
      const chart = chartIn(app);
      new StatefulMySQL(chart, 'mysql');
      new StatefulMySQL(chart, 'mysql-read');
    },
    expect: rejects('mysql-read'),
  },
  {
    construct: 'StatefulMySQL', title: 'clusters "mysql" and "mysql-primary" in one namespace',
    build: app => {
      const chart = chartIn(app);
      new StatefulMySQL(chart, 'mysql');
      new StatefulMySQL(chart, 'mysql-primary');
    },
    expect: rejects('mysql-primary'),
  },
  {
    construct: 'StatefulMySQL', title: 'same name, once through the chart namespace and once explicitly',
    build: app => {
      new StatefulMySQL(chartIn(app, 'a', 'shop'), 'mysql');
      new StatefulMySQL(chartIn(app, 'b'), 'db', { name: 'mysql', namespace: 'shop' });
    },
    expect: rejects('mysql'),
  },
  {
    construct: 'StatefulMySQL', title: 'same name in "default", implicit and explicit',
    build: app => {
      new StatefulMySQL(chartIn(app, 'a'), 'mysql');
      new StatefulMySQL(chartIn(app, 'b'), 'db', { name: 'mysql', namespace: 'default' });
    },
    expect: rejects('mysql'),
  },
  {
    construct: 'StatefulMySQL', title: 'same name in two namespaces',
    build: app => {
      new StatefulMySQL(chartIn(app, 'a', 'shop'), 'mysql');
      new StatefulMySQL(chartIn(app, 'b', 'blog'), 'mysql');
    },
    expect: 'works',
  },
];

// ---------------------------------------------------------------------------------------
const engine: AuditCase[] = [
  { construct: 'MySqlEngine', title: 'MariaDB 11.4', build: db(() => ({ engine: MySqlEngine.mariadb114() })), expect: 'works' },
  { construct: 'MySqlEngine', title: 'MySQL 5.7 legacy', build: db(() => ({ engine: MySqlEngine.mysql57Legacy() })), expect: 'works' },
  { construct: 'MySqlEngine', title: 'serverImage of another release', build: app => db(() => ({ engine: MySqlEngine.mysql84({ serverImage: 'mysql:8.0.46' }) }))(app), expect: rejects('serverImage', 'mysql:8.0.46') },
  { construct: 'MySqlEngine', title: 'serverImage with a trailing space', build: app => db(() => ({ engine: MySqlEngine.mysql84({ serverImage: 'mysql:8.4.11 ' }) }))(app), expect: rejects('serverImage', 'mysql:8.4.11') },
  { construct: 'MySqlEngine', title: 'empty serverImage', build: app => db(() => ({ engine: MySqlEngine.mysql84({ serverImage: '' }) }))(app), expect: rejects('serverImage') },
  { construct: 'MySqlEngine', title: 'serverImage with an upper-case repository (not a valid reference)', build: app => db(() => ({ engine: MySqlEngine.mysql84({ serverImage: 'MySQL:8.4.11' }) }))(app), expect: rejects('serverImage', 'MySQL:8.4.11') },
  { construct: 'MySqlEngine', title: 'serverImage by digest', build: app => db(() => ({ engine: MySqlEngine.mysql84({ serverImage: `mysql@sha256:${'a'.repeat(64)}` }) }))(app), expect: 'works' },
  { construct: 'MySqlEngine', title: 'serverImage from a registry with a port', build: app => db(() => ({ engine: MySqlEngine.mysql84({ serverImage: 'registry.example.com:5000/mysql:8.4.11' }) }))(app), expect: 'works' },
  { construct: 'MySqlEngine', title: 'MySQL 8.0 older than 8.0.26', build: app => db(() => ({ engine: MySqlEngine.mysql80({ serverImage: 'mysql:8.0.20' }) }))(app), expect: rejects('serverImage', 'mysql:8.0.20') },
  { construct: 'MySqlEngine', title: 'MySQL with the MariaDB image as backupImage', build: app => db(() => ({ engine: MySqlEngine.mysql84({ backupImage: 'mariadb:11.4.13' }) }))(app), expect: rejects('backupImage', 'mariadb:11.4.13') },
  { construct: 'MySqlEngine', title: 'MariaDB with Percona XtraBackup as backupImage', build: app => db(() => ({ engine: MySqlEngine.mariadb1011({ backupImage: 'percona/percona-xtrabackup:8.4.0-5.1' }) }))(app), expect: rejects('backupImage', 'percona/percona-xtrabackup:8.4.0-5.1') },
  { construct: 'MySqlEngine', title: 'engine given as an image string', build: jsDb(() => ({ engine: 'mysql:8.4' })), expect: rejects('engine', 'mysql:8.4') },
  { construct: 'MySqlEngine', title: 'serverImage given as a number', build: app => db(() => ({ engine: MySqlEngine.mysql84({ serverImage: 84 as any }) }))(app), expect: rejects('serverImage', '84') },
];

// ---------------------------------------------------------------------------------------
const credentials: AuditCase[] = [
  { construct: 'MySqlCredentials', title: 'replicationUser "root"', build: app => db(() => ({ credentials: MySqlCredentials.fromSecretName('db', { replicationUser: 'root' }) }))(app), expect: rejects('replicationUser', 'root') },
  { construct: 'MySqlCredentials', title: 'replicationUser "mysql.sys"', build: app => db(() => ({ credentials: MySqlCredentials.fromSecretName('db', { replicationUser: 'mysql.sys' }) }))(app), expect: rejects('replicationUser', 'mysql.sys') },
  { construct: 'MySqlCredentials', title: 'replicationUser "mariadb.sys"', build: app => db(() => ({ credentials: MySqlCredentials.fromSecretName('db', { replicationUser: 'mariadb.sys' }) }))(app), expect: rejects('replicationUser', 'mariadb.sys') },
  { construct: 'MySqlCredentials', title: 'replicationUser "mysql.session"', build: app => db(() => ({ credentials: MySqlCredentials.fromSecretName('db', { replicationUser: 'mysql.session' }) }))(app), expect: rejects('replicationUser', 'mysql.session') },
  { construct: 'MySqlCredentials', title: 'replicationUser "PUBLIC" (a reserved role name in MariaDB 10.11+)', build: app => db(() => ({ engine: MySqlEngine.mariadb1011(), credentials: MySqlCredentials.fromSecretName('db', { replicationUser: 'PUBLIC' }) }))(app), expect: rejects('replicationUser', 'PUBLIC') },
  { construct: 'MySqlCredentials', title: 'empty replicationUser', build: app => db(() => ({ credentials: MySqlCredentials.fromSecretName('db', { replicationUser: '' }) }))(app), expect: rejects('replicationUser') },
  { construct: 'MySqlCredentials', title: 'replicationUser of 33 characters', build: app => db(() => ({ credentials: MySqlCredentials.fromSecretName('db', { replicationUser: 'r'.repeat(33) }) }))(app), expect: rejects('replicationUser', 'r'.repeat(33)) },
  { construct: 'MySqlCredentials', title: 'replicationUser of 32 characters (the largest)', build: app => db(() => ({ credentials: MySqlCredentials.fromSecretName('db', { replicationUser: 'r'.repeat(32) }) }))(app), expect: 'works' },
  { construct: 'MySqlCredentials', title: 'empty secret name', build: app => db(() => ({ credentials: MySqlCredentials.fromSecretName('') }))(app), expect: rejects('secret') },
  { construct: 'MySqlCredentials', title: 'secret name not a DNS subdomain', build: app => db(() => ({ credentials: MySqlCredentials.fromSecretName('My_Secret') }))(app), expect: rejects('secret', 'My_Secret') },
  { construct: 'MySqlCredentials', title: 'rootPasswordKey with a space', build: app => db(() => ({ credentials: MySqlCredentials.fromSecretName('db', { rootPasswordKey: 'root password' }) }))(app), expect: rejects('rootPasswordKey', 'root password') },
  { construct: 'MySqlCredentials', title: 'empty replicationPasswordKey', build: app => db(() => ({ credentials: MySqlCredentials.fromSecretName('db', { replicationPasswordKey: '' }) }))(app), expect: rejects('replicationPasswordKey') },
  { construct: 'MySqlCredentials', title: 'fromSecret(null)', build: app => db(() => ({ credentials: MySqlCredentials.fromSecret(null as any) }))(app), expect: rejects('secret') },
  { construct: 'MySqlCredentials', title: 'fromSecret of an object without a name', build: app => db(() => ({ credentials: MySqlCredentials.fromSecret({} as any) }))(app), expect: rejects('secret') },
  { construct: 'MySqlCredentials', title: 'credentials given as a Secret name string (no passwords would be used)', build: jsDb(() => ({ credentials: 'mysql-credentials' })), expect: rejects('credentials', 'mysql-credentials') },
  {
    construct: 'MySqlCredentials', title: 'fromSecret of a cdk8s-plus-33 Secret',
    build: app => {
      const chart = chartIn(app);
      new StatefulMySQL(chart, 'mysql', { credentials: MySqlCredentials.fromSecret(kplus33.Secret.fromSecretName(chart, 's', 'shop-credentials')) });
    },
    expect: 'works',
    check: objects => expectEqual('ROOT_PASSWORD secret', env(containerOf(statefulSet(objects), 'mysql'), 'MYSQL_ROOT_PASSWORD')?.valueFrom?.secretKeyRef?.name, 'shop-credentials'),
  },
  {
    construct: 'MySqlCredentials', title: 'insecure empty passwords', build: db(() => ({ credentials: MySqlCredentials.insecureEmptyPasswordsForLocalExperimentsOnly() })), expect: 'works',
    check: objects => expectEqual('MYSQL_ALLOW_EMPTY_PASSWORD', env(containerOf(statefulSet(objects), 'mysql'), 'MYSQL_ALLOW_EMPTY_PASSWORD')?.value, '1'),
  },
];

// ---------------------------------------------------------------------------------------
const settings: AuditCase[] = [
  { construct: 'StatefulMySQL settings', title: 'replicaSettings read_only OFF (replicas would take writes)', build: db(() => ({ replicaSettings: { read_only: 'OFF' } })), expect: rejects('replicaSettings', 'read_only') },
  { construct: 'StatefulMySQL settings', title: 'replicaSettings read-only OFF (dash spelling)', build: db(() => ({ replicaSettings: { 'read-only': 'OFF' } })), expect: rejects('replicaSettings', 'read-only') },
  { construct: 'StatefulMySQL settings', title: 'replicaSettings loose-read_only 0', build: db(() => ({ replicaSettings: { 'loose-read_only': '0' } })), expect: rejects('replicaSettings', 'read_only') },
  { construct: 'StatefulMySQL settings', title: 'primarySettings read_only ON (the primary would refuse writes)', build: db(() => ({ primarySettings: { read_only: 'ON' } })), expect: rejects('primarySettings', 'read_only') },
  { construct: 'StatefulMySQL settings', title: 'replicaSettings super_read_only OFF', build: db(() => ({ replicaSettings: { super_read_only: 'OFF' } })), expect: rejects('replicaSettings', 'super_read_only') },
  { construct: 'StatefulMySQL settings', title: 'primarySettings super_read_only ON', build: db(() => ({ primarySettings: { super_read_only: 'ON' } })), expect: rejects('primarySettings', 'super_read_only') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings skip-grant-tables', build: db(() => ({ commonSettings: { 'skip-grant-tables': 'ON' } })), expect: rejects('commonSettings', 'skip-grant-tables') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings skip-grant-tables given as true', build: jsDb(() => ({ commonSettings: { 'skip-grant-tables': true } })), expect: rejects('commonSettings', 'skip-grant-tables') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings skip_grant_tables', build: db(() => ({ commonSettings: { skip_grant_tables: '1' } })), expect: rejects('commonSettings', 'skip_grant_tables') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings loose-skip-grant-tables', build: db(() => ({ commonSettings: { 'loose-skip-grant-tables': 'ON' } })), expect: rejects('commonSettings', 'skip-grant-tables') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings gtid_mode OFF', build: db(() => ({ commonSettings: { gtid_mode: 'OFF' } })), expect: rejects('commonSettings', 'gtid_mode') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings gtid-mode OFF (dash spelling)', build: db(() => ({ commonSettings: { 'gtid-mode': 'OFF' } })), expect: rejects('commonSettings', 'gtid-mode') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings enforce_gtid_consistency OFF', build: db(() => ({ commonSettings: { enforce_gtid_consistency: 'OFF' } })), expect: rejects('commonSettings', 'enforce_gtid_consistency') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings sql_mode NO_BACKSLASH_ESCAPES (breaks the scripts\' quoting)', build: db(() => ({ commonSettings: { sql_mode: 'NO_BACKSLASH_ESCAPES' } })), expect: rejects('sql_mode', 'NO_BACKSLASH_ESCAPES') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings sql_mode with ANSI_QUOTES,NO_BACKSLASH_ESCAPES', build: db(() => ({ commonSettings: { sql_mode: 'ANSI_QUOTES,NO_BACKSLASH_ESCAPES' } })), expect: rejects('sql_mode', 'NO_BACKSLASH_ESCAPES') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings port 3307 (the pod, probes and Services use 3306; 3307 is the clone channel)', build: db(() => ({ commonSettings: { port: '3307' } })), expect: rejects('commonSettings', 'port') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings server_id', build: db(() => ({ commonSettings: { server_id: '5' } })), expect: rejects('commonSettings', 'server_id') },
  { construct: 'StatefulMySQL settings', title: 'replicaSettings server-id', build: db(() => ({ replicaSettings: { 'server-id': '7' } })), expect: rejects('replicaSettings', 'server-id') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings log-bin OFF', build: db(() => ({ commonSettings: { 'log-bin': 'OFF' } })), expect: rejects('commonSettings', 'log-bin') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings skip-log-bin', build: db(() => ({ commonSettings: { 'skip-log-bin': 'ON' } })), expect: rejects('commonSettings', 'skip-log-bin') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings log_replica_updates OFF (a promoted replica would miss transactions)', build: db(() => ({ commonSettings: { log_replica_updates: 'OFF' } })), expect: rejects('commonSettings', 'log_replica_updates') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings bind-address 127.0.0.1', build: db(() => ({ commonSettings: { 'bind-address': '127.0.0.1' } })), expect: rejects('commonSettings', 'bind-address') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings skip-networking', build: db(() => ({ commonSettings: { 'skip-networking': 'ON' } })), expect: rejects('commonSettings', 'skip-networking') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings datadir elsewhere than the volume', build: db(() => ({ commonSettings: { datadir: '/tmp/mysql' } })), expect: rejects('commonSettings', 'datadir') },
  { construct: 'StatefulMySQL settings', title: 'replicaSettings skip_replica_start OFF (a clone would replicate before it is configured)', build: db(() => ({ replicaSettings: { skip_replica_start: 'OFF' } })), expect: rejects('replicaSettings', 'skip_replica_start') },
  { construct: 'StatefulMySQL settings', title: 'value NaN', build: jsDb(() => ({ commonSettings: { max_connections: NaN } })), expect: rejects('max_connections', 'NaN') },
  { construct: 'StatefulMySQL settings', title: 'value given as a number', build: jsDb(() => ({ commonSettings: { max_connections: 500 } })), expect: rejects('max_connections', '500') },
  { construct: 'StatefulMySQL settings', title: 'value with a newline (would inject an option)', build: db(() => ({ commonSettings: { max_connections: '500\nskip-grant-tables' } })), expect: rejects('max_connections') },
  { construct: 'StatefulMySQL settings', title: 'option name with a space', build: db(() => ({ commonSettings: { 'max connections': '500' } })), expect: rejects('max connections') },
  { construct: 'StatefulMySQL settings', title: 'option name "!include"', build: db(() => ({ commonSettings: { '!include': '/etc/passwd' } })), expect: rejects('!include') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings given as a string', build: jsDb(() => ({ commonSettings: 'max_connections=500' })), expect: rejects('commonSettings', 'max_connections=500') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings given as an array', build: jsDb(() => ({ commonSettings: ['max_connections=500'] })), expect: rejects('commonSettings', 'max_connections=500') },
  { construct: 'StatefulMySQL settings', title: 'commonSettings null (none)', build: jsDb(() => ({ commonSettings: null })), expect: 'works', orRejects: ['commonSettings', 'null'] },
  {
    construct: 'StatefulMySQL settings', title: 'sizing.maxConnections 180', build: db(() => ({ sizing: { maxConnections: 180 } })), expect: 'works',
    check: objects => expectEqual('max_connections', option(objects, 'common.cnf', 'max_connections'), '180'),
  },
  { construct: 'StatefulMySQL settings', title: 'max_connections in commonSettings (sizing owns it)', build: db(() => ({ commonSettings: { max_connections: '500' } })), expect: rejects('max_connections', 'sizing') },
  { construct: 'StatefulMySQL settings', title: 'sizing.maxConnections that does not fit the memory limit', build: db(() => ({ sizing: { maxConnections: 1000 } })), expect: rejects('memoryLimit', '2Gi') },
  {
    construct: 'StatefulMySQL settings', title: 'sql_mode "" (every mode off)', build: db(() => ({ commonSettings: { sql_mode: '' } })), expect: 'works',
    check: objects => expectEqual('sql_mode', option(objects, 'common.cnf', 'sql_mode'), ''),
  },
  {
    construct: 'StatefulMySQL settings', title: '\'#\' inside a value', build: db(() => ({ commonSettings: { init_connect: 'SET @tag=\'#1\'' } })), expect: 'works',
    check: objects => expectEqual('init_connect', option(objects, 'common.cnf', 'init_connect'), 'SET @tag=\'#1\''),
  },
  {
    construct: 'StatefulMySQL settings', title: 'a backslash inside a value', build: db(() => ({ commonSettings: { init_connect: 'SET @p=\'a\\\\b\'' } })), expect: 'works',
    check: objects => expectEqual('init_connect', option(objects, 'common.cnf', 'init_connect'), 'SET @p=\'a\\\\b\''),
  },
  {
    construct: 'StatefulMySQL settings', title: 'innodb-buffer-pool-size 1G (sizing owns it)', build: db(() => ({ commonSettings: { 'innodb-buffer-pool-size': '1G' } })),
    expect: rejects('innodb-buffer-pool-size', 'sizing'),
  },
  {
    construct: 'StatefulMySQL settings', title: 'sizing.bufferPoolFraction 0.75 of a 4Gi limit', build: db(() => ({ sizing: { bufferPoolFraction: 0.75 }, resources: { server: { memoryLimit: Size.gibibytes(4) } } })), expect: 'works',
    check: objects => expectEqual('innodb_buffer_pool_size', option(objects, 'common.cnf', 'innodb_buffer_pool_size'), String(3 * 1024 ** 3)),
  },
  {
    construct: 'StatefulMySQL settings', title: 'replicaApplierThreads 0 (one SQL thread)', build: db(() => ({ replicaApplierThreads: 0 })), expect: 'works',
    check: objects => expectEqual('replica_parallel_workers', option(objects, 'replica.cnf', 'replica_parallel_workers'), '0'),
  },
  { construct: 'StatefulMySQL settings', title: 'replicaApplierThreads 256 (the largest)', build: db(() => ({ replicaApplierThreads: 256 })), expect: 'works' },
  { construct: 'StatefulMySQL settings', title: 'replicaApplierThreads 257', build: db(() => ({ replicaApplierThreads: 257 })), expect: rejects('replicaApplierThreads', '257') },
  { construct: 'StatefulMySQL settings', title: 'replicaApplierThreads -1', build: db(() => ({ replicaApplierThreads: -1 })), expect: rejects('replicaApplierThreads', '-1') },
  { construct: 'StatefulMySQL settings', title: 'replicaApplierThreads given as a string', build: jsDb(() => ({ replicaApplierThreads: '4' })), expect: rejects('replicaApplierThreads', '4') },
];

// ---------------------------------------------------------------------------------------
const storage: AuditCase[] = [
  { construct: 'StatefulMySQL storage', title: 'size 0', build: db(() => ({ storage: { size: Size.gibibytes(0) } })), expect: rejects('size', '0') },
  { construct: 'StatefulMySQL storage', title: 'size NaN', build: db(() => ({ storage: { size: Size.gibibytes(NaN) } })), expect: rejects('size', 'NaN') },
  { construct: 'StatefulMySQL storage', title: 'size given as the string "10Gi"', build: jsDb(() => ({ storage: { size: '10Gi' } })), expect: rejects('size', '10Gi') },
  {
    construct: 'StatefulMySQL storage', title: 'storageClassName "" (Kubernetes\' "no class")', build: db(() => ({ storage: { storageClassName: '' } })), expect: 'works',
    check: objects => expectEqual('claim storageClassName', statefulSet(objects).spec.volumeClaimTemplates[0].spec.storageClassName, ''),
  },
  { construct: 'StatefulMySQL storage', title: 'storageClassName not a DNS subdomain', build: db(() => ({ storage: { storageClassName: 'Fast_SSD' } })), expect: rejects('storageClassName', 'Fast_SSD') },
  { construct: 'StatefulMySQL storage', title: 'accessModes given as a string', build: jsDb(() => ({ storage: { accessModes: 'ReadWriteOnce' } })), expect: rejects('accessModes', 'ReadWriteOnce') },
  { construct: 'StatefulMySQL storage', title: 'accessModes with an unknown mode', build: jsDb(() => ({ storage: { accessModes: ['RWO'] } })), expect: rejects('accessModes', 'RWO') },
  { construct: 'StatefulMySQL storage', title: 'accessModes empty', build: db(() => ({ storage: { accessModes: [] } })), expect: rejects('accessModes') },
  { construct: 'StatefulMySQL storage', title: 'ReadWriteOncePod together with another mode', build: db(() => ({ storage: { accessModes: [VolumeAccessMode.READ_WRITE_ONCE_POD, VolumeAccessMode.READ_WRITE_ONCE] } })), expect: rejects('accessModes', 'ReadWriteOncePod') },
  { construct: 'StatefulMySQL storage', title: 'ReadWriteOncePod alone', build: db(() => ({ storage: { accessModes: [VolumeAccessMode.READ_WRITE_ONCE_POD] } })), expect: 'works' },
  { construct: 'StatefulMySQL storage', title: 'volumePermissions unknown', build: jsDb(() => ({ storage: { volumePermissions: 'root' } })), expect: rejects('volumePermissions', 'root') },
  { construct: 'StatefulMySQL storage', title: 'storage given as a string', build: jsDb(() => ({ storage: 'fast' })), expect: rejects('storage', 'fast') },
];

// ---------------------------------------------------------------------------------------
const resources: AuditCase[] = [
  {
    construct: 'StatefulMySQL resources', title: 'resources.server with CPU only keeps a memory limit (or says why not)',
    build: db(() => ({ resources: { server: { cpuRequestMillis: 1000 } } })), expect: 'works', orRejects: ['memoryLimit'],
    check: objects => expectMemoryLimit(objects, 'mysql'),
  },
  {
    construct: 'StatefulMySQL resources', title: 'resources.sidecar with CPU only keeps a memory limit (or says why not)',
    build: db(() => ({ resources: { sidecar: { cpuRequestMillis: 200 } } })), expect: 'works', orRejects: ['memoryLimit'],
    check: objects => expectMemoryLimit(objects, 'replication'),
  },
  { construct: 'StatefulMySQL resources', title: 'memory request above the limit', build: db(() => ({ resources: { server: { memoryRequest: Size.gibibytes(4), memoryLimit: Size.gibibytes(2) } } })), expect: rejects('memoryRequest', '4Gi') },
  { construct: 'StatefulMySQL resources', title: 'CPU request above the limit', build: db(() => ({ resources: { server: { cpuRequestMillis: 2000, cpuLimitMillis: 1000, memoryLimit: Size.gibibytes(2) } } })), expect: rejects('cpuRequestMillis', '2000') },
  { construct: 'StatefulMySQL resources', title: 'negative CPU', build: db(() => ({ resources: { server: { cpuRequestMillis: -500, memoryLimit: Size.gibibytes(2) } } })), expect: rejects('cpuRequestMillis', '-500') },
  { construct: 'StatefulMySQL resources', title: 'fractional millicores', build: db(() => ({ resources: { server: { cpuRequestMillis: 0.5, memoryLimit: Size.gibibytes(2) } } })), expect: rejects('cpuRequestMillis', '0.5') },
  { construct: 'StatefulMySQL resources', title: 'CPU given as the string "500m"', build: jsDb(() => ({ resources: { server: { cpuRequestMillis: '500m', memoryLimit: Size.gibibytes(2) } } })), expect: rejects('cpuRequestMillis', '500m') },
  { construct: 'StatefulMySQL resources', title: 'memoryLimit given as the string "2Gi"', build: jsDb(() => ({ resources: { server: { memoryLimit: '2Gi' } } })), expect: rejects('memoryLimit', '2Gi') },
  { construct: 'StatefulMySQL resources', title: 'sidecar memory request above its limit', build: db(() => ({ resources: { sidecar: { memoryRequest: Size.gibibytes(3), memoryLimit: Size.gibibytes(2) } } })), expect: rejects('memoryRequest', '3Gi') },
  {
    construct: 'StatefulMySQL resources', title: 'explicit server requests and limits', build: db(() => ({ resources: { server: { cpuRequestMillis: 1000, cpuLimitMillis: 2000, memoryRequest: Size.gibibytes(2), memoryLimit: Size.gibibytes(4) } } })), expect: 'works',
    check: objects => expectEqual('server limits', containerOf(statefulSet(objects), 'mysql').resources.limits, { cpu: '2000m', memory: '4Gi' }),
  },
];

// ---------------------------------------------------------------------------------------
const clone: AuditCase[] = [
  { construct: 'StatefulMySQL clone', title: 'parallelThreads 0', build: db(() => ({ clone: { parallelThreads: 0 } })), expect: rejects('parallelThreads', '0') },
  { construct: 'StatefulMySQL clone', title: 'parallelThreads 65', build: db(() => ({ clone: { parallelThreads: 65 } })), expect: rejects('parallelThreads', '65') },
  { construct: 'StatefulMySQL clone', title: 'parallelThreads given as a string', build: jsDb(() => ({ clone: { parallelThreads: '4' } })), expect: rejects('parallelThreads', '4') },
  { construct: 'StatefulMySQL clone', title: 'parallelThreads 64 (the largest)', build: db(() => ({ clone: { parallelThreads: 64 } })), expect: 'works' },
  { construct: 'StatefulMySQL clone', title: 'compression unknown', build: jsDb(() => ({ clone: { compression: 'gzip' } })), expect: rejects('compression', 'gzip') },
  { construct: 'StatefulMySQL clone', title: 'LZ4 with MariaDB (its image has no lz4)', build: db(() => ({ engine: MySqlEngine.mariadb1011(), clone: { compression: CloneCompression.LZ4 } })), expect: rejects('compression', 'lz4') },
  { construct: 'StatefulMySQL clone', title: 'ZSTD with MySQL 5.7 (its backup image has no zstd)', build: db(() => ({ engine: MySqlEngine.mysql57Legacy(), clone: { compression: CloneCompression.ZSTD } })), expect: rejects('compression', 'zstd') },
  { construct: 'StatefulMySQL clone', title: 'ZSTD with MySQL 8.4', build: db(() => ({ clone: { compression: CloneCompression.ZSTD } })), expect: 'works' },
  { construct: 'StatefulMySQL clone', title: 'prepareMemory 8Mi', build: db(() => ({ clone: { prepareMemory: Size.mebibytes(8) } })), expect: rejects('prepareMemory', '8Mi') },
  { construct: 'StatefulMySQL clone', title: 'prepareMemory above the sidecar\'s memory limit', build: db(() => ({ clone: { prepareMemory: Size.gibibytes(2) } })), expect: rejects('prepareMemory', '2Gi') },
  { construct: 'StatefulMySQL clone', title: 'prepareMemory given as the string "256M"', build: jsDb(() => ({ clone: { prepareMemory: '256M' } })), expect: rejects('prepareMemory', '256M') },
  { construct: 'StatefulMySQL clone', title: 'maxSourceLag of 1.5 s', build: db(() => ({ clone: { maxSourceLag: Duration.millis(1500) } })), expect: rejects('maxSourceLag') },
  { construct: 'StatefulMySQL clone', title: 'maxSourceLag given as the number 60', build: jsDb(() => ({ clone: { maxSourceLag: 60 } })), expect: rejects('maxSourceLag', '60') },
  { construct: 'StatefulMySQL clone', title: 'maxSourceLag 0 (only a caught-up source)', build: db(() => ({ clone: { maxSourceLag: Duration.seconds(0) } })), expect: 'works' },
  { construct: 'StatefulMySQL clone', title: 'clone given as a string', build: jsDb(() => ({ clone: 'fast' })), expect: rejects('clone', 'fast') },
];

// ---------------------------------------------------------------------------------------
const retention: AuditCase[] = [
  {
    construct: 'StatefulMySQL claimRetention', title: 'whenScaled DELETE with pre-bound NFS volumes (a re-created claim never binds again)',
    build: app => { nfsChart(app, 'mysql', { claimRetention: { whenScaled: ClaimRetention.DELETE } }, { basePath: '/exports/mysql' }); },
    expect: rejects('claimRetention', 'Delete'),
  },
  {
    construct: 'StatefulMySQL claimRetention', title: 'whenDeleted DELETE with pre-bound NFS volumes',
    build: app => { nfsChart(app, 'mysql', { claimRetention: { whenDeleted: ClaimRetention.DELETE } }, { basePath: '/exports/mysql' }); },
    expect: rejects('claimRetention', 'Delete'),
  },
  {
    construct: 'StatefulMySQL claimRetention', title: 'whenScaled DELETE with pre-bound hostPath volumes',
    build: app => hostPathCluster(app, { claimRetention: { whenScaled: ClaimRetention.DELETE } }),
    expect: rejects('claimRetention', 'Delete'),
  },
  {
    construct: 'StatefulMySQL claimRetention', title: 'whenScaled DELETE on dynamically provisioned storage', build: db(() => ({ claimRetention: { whenScaled: ClaimRetention.DELETE } })), expect: 'works',
    check: objects => expectEqual('whenScaled', statefulSet(objects).spec.persistentVolumeClaimRetentionPolicy.whenScaled, 'Delete'),
  },
  { construct: 'StatefulMySQL claimRetention', title: 'whenScaled "delete" in lower case', build: jsDb(() => ({ claimRetention: { whenScaled: 'delete' } })), expect: rejects('whenScaled', 'delete') },
  { construct: 'StatefulMySQL claimRetention', title: 'claimRetention given as a string', build: jsDb(() => ({ claimRetention: 'Delete' })), expect: rejects('claimRetention', 'Delete') },
];

// ---------------------------------------------------------------------------------------
const network: AuditCase[] = [
  { construct: 'StatefulMySQL networkAccess', title: 'podLabels key with a space', build: db(() => ({ networkAccess: { clients: [{ podLabels: { 'app name': 'web' } }] } })), expect: rejects('app name') },
  { construct: 'StatefulMySQL networkAccess', title: 'podLabels value with a space', build: db(() => ({ networkAccess: { clients: [{ podLabels: { app: 'a b' } }] } })), expect: rejects('a b') },
  { construct: 'StatefulMySQL networkAccess', title: 'podLabels value starting with a dash', build: db(() => ({ networkAccess: { clients: [{ podLabels: { app: '-web' } }] } })), expect: rejects('-web') },
  { construct: 'StatefulMySQL networkAccess', title: 'namespaceLabels key with an empty prefix', build: db(() => ({ networkAccess: { clients: [{ namespaceLabels: { '/team': 'bi' } }] } })), expect: rejects('/team') },
  { construct: 'StatefulMySQL networkAccess', title: 'podLabels given as a string', build: jsDb(() => ({ networkAccess: { clients: [{ podLabels: 'app=web' }] } })), expect: rejects('podLabels', 'app=web') },
  { construct: 'StatefulMySQL networkAccess', title: 'clients given as one object, not a list', build: jsDb(() => ({ networkAccess: { clients: { podLabels: { app: 'web' } } } })), expect: rejects('clients') },
  { construct: 'StatefulMySQL networkAccess', title: 'enabled given as the string "false"', build: jsDb(() => ({ networkAccess: { enabled: 'false' } })), expect: rejects('enabled', 'false') },
  {
    construct: 'StatefulMySQL networkAccess', title: 'namespace label kubernetes.io/metadata.name', build: db(() => ({ networkAccess: { clients: [{ namespaceLabels: { 'kubernetes.io/metadata.name': 'shop' } }] } })), expect: 'works',
  },
  {
    construct: 'StatefulMySQL networkAccess', title: 'clients [] (members only)', build: db(() => ({ networkAccess: { clients: [] } })), expect: 'works',
    check: objects => expectEqual('ingress rules', findObject(objects, 'NetworkPolicy', 'mysql').spec.ingress.length, 1),
  },
  {
    construct: 'StatefulMySQL networkAccess', title: 'allowClients after networkAccess.enabled false',
    build: app => new StatefulMySQL(chartIn(app), 'mysql', { networkAccess: { enabled: false } }).allowClients({ podLabels: { app: 'web' } }),
    expect: rejects('allowClients', 'enabled'),
  },
  {
    construct: 'StatefulMySQL networkAccess', title: 'allowClients(null)', build: app => new StatefulMySQL(chartIn(app), 'mysql').allowClients(null as any),
    expect: rejects('client'),
  },
  {
    construct: 'StatefulMySQL networkAccess', title: 'allowClients with a number label value', build: app => new StatefulMySQL(chartIn(app), 'mysql').allowClients({ podLabels: { app: 123 as any } }),
    expect: rejects('app', '123'),
  },
  {
    construct: 'StatefulMySQL networkAccess', title: 'allowClients with valid selectors', build: app => new StatefulMySQL(chartIn(app), 'mysql').allowClients({ podLabels: { app: 'reports' }, namespaceLabels: { team: 'bi' } }),
    expect: 'works',
  },
];

// ---------------------------------------------------------------------------------------
const scheduling: AuditCase[] = [
  { construct: 'StatefulMySQL scheduling', title: 'nodeSelector given as a string', build: jsDb(() => ({ scheduling: { nodeSelector: 'disktype=ssd' } })), expect: rejects('nodeSelector', 'disktype=ssd') },
  { construct: 'StatefulMySQL scheduling', title: 'nodeSelector key with a space', build: db(() => ({ scheduling: { nodeSelector: { 'disk type': 'ssd' } } })), expect: rejects('nodeSelector', 'disk type') },
  { construct: 'StatefulMySQL scheduling', title: 'nodeSelector value with "!"', build: db(() => ({ scheduling: { nodeSelector: { disktype: 'ssd!' } } })), expect: rejects('nodeSelector', 'ssd!') },
  { construct: 'StatefulMySQL scheduling', title: 'nodeSelector kubernetes.io/hostname', build: db(() => ({ scheduling: { nodeSelector: { 'kubernetes.io/hostname': 'node-1' } } })), expect: 'works' },
  { construct: 'StatefulMySQL scheduling', title: 'nodeSelector with an empty value (a valid label value)', build: db(() => ({ scheduling: { nodeSelector: { 'node-role.kubernetes.io/db': '' } } })), expect: 'works' },
  { construct: 'StatefulMySQL scheduling', title: 'toleration key with a space', build: db(() => ({ scheduling: { tolerations: [{ key: 'bad key', value: 'x' }] } })), expect: rejects('key', 'bad key') },
  { construct: 'StatefulMySQL scheduling', title: 'toleration effect misspelled', build: jsDb(() => ({ scheduling: { tolerations: [{ exists: true, effect: 'NoSchedul' }] } })), expect: rejects('effect', 'NoSchedul') },
  { construct: 'StatefulMySQL scheduling', title: 'toleration value not a label value', build: db(() => ({ scheduling: { tolerations: [{ key: 'dedicated', value: 'db team' }] } })), expect: rejects('value', 'db team') },
  { construct: 'StatefulMySQL scheduling', title: 'tolerations given as one object', build: jsDb(() => ({ scheduling: { tolerations: { key: 'dedicated', exists: true } } })), expect: rejects('tolerations') },
  { construct: 'StatefulMySQL scheduling', title: 'tolerate every taint', build: db(() => ({ scheduling: { tolerations: [{ exists: true }] } })), expect: 'works' },
  { construct: 'StatefulMySQL scheduling', title: 'tolerationSeconds with NoExecute', build: db(() => ({ scheduling: { tolerations: [{ key: 'node.kubernetes.io/unreachable', exists: true, effect: TaintEffect.NO_EXECUTE, tolerationSeconds: 30 }] } })), expect: 'works' },
  { construct: 'StatefulMySQL scheduling', title: 'tolerationSeconds without NoExecute', build: db(() => ({ scheduling: { tolerations: [{ key: 'k', exists: true, tolerationSeconds: 30 }] } })), expect: rejects('tolerationSeconds', 'NoExecute') },
  { construct: 'StatefulMySQL scheduling', title: 'Spread.required over zones', build: db(() => ({ scheduling: { spread: Spread.required({ topologyKey: 'topology.kubernetes.io/zone' }) } })), expect: 'works' },
  { construct: 'StatefulMySQL scheduling', title: 'topologyKey with a space', build: db(() => ({ scheduling: { spread: Spread.required({ topologyKey: 'zone name' }) } })), expect: rejects('topologyKey', 'zone name') },
  { construct: 'StatefulMySQL scheduling', title: 'topologyKey empty', build: db(() => ({ scheduling: { spread: Spread.preferred({ topologyKey: '' }) } })), expect: rejects('topologyKey') },
  { construct: 'StatefulMySQL scheduling', title: 'spread given as a string', build: jsDb(() => ({ scheduling: { spread: 'required' } })), expect: rejects('spread', 'required') },
  { construct: 'StatefulMySQL scheduling', title: 'priorityClassName with upper case', build: db(() => ({ scheduling: { priorityClassName: 'High' } })), expect: rejects('priorityClassName', 'High') },
  { construct: 'StatefulMySQL scheduling', title: 'scheduling given as a string', build: jsDb(() => ({ scheduling: 'spread' })), expect: rejects('scheduling', 'spread') },
  { construct: 'StatefulMySQL scheduling', title: 'scheduling null (the default)', build: jsDb(() => ({ scheduling: null })), expect: 'works', orRejects: ['scheduling', 'null'] },
  { construct: 'StatefulMySQL scheduling', title: 'Spread.none()', build: db(() => ({ scheduling: { spread: Spread.none() } })), expect: 'works' },
];

// ---------------------------------------------------------------------------------------
const connect: AuditCase[] = [
  {
    construct: 'StatefulMySQL connect', title: 'connect a cdk8s-plus-28 Deployment',
    build: app => new StatefulMySQL(chartIn(app), 'mysql').connect(webDeployment(app), { secretName: 'shop-db-account' }),
    expect: 'works',
    check: objects => expectEqual('MYSQL_HOST', env(containerOf(findObject(objects, 'Deployment', objects.find(o => o.kind === 'Deployment').metadata.name), 'web'), 'MYSQL_HOST')?.value, 'mysql-primary.default.svc.cluster.local'),
  },
  {
    construct: 'StatefulMySQL connect', title: 'connect one container to two clusters (the second overwrites the first)',
    build: app => {
      const chart = chartIn(app);
      const web = webDeployment(app);
      new StatefulMySQL(chart, 'orders').connect(web, { secretName: 'orders-account' });
      new StatefulMySQL(chart, 'users').connect(web, { secretName: 'users-account' });
    },
    expect: rejects('MYSQL_HOST'),
  },
  {
    construct: 'StatefulMySQL connect', title: 'connect one container to two clusters with distinct envPrefix',
    build: app => {
      const chart = chartIn(app);
      const web = webDeployment(app);
      new StatefulMySQL(chart, 'orders').connect(web, { secretName: 'orders-account', envPrefix: 'ORDERS_' });
      new StatefulMySQL(chart, 'users').connect(web, { secretName: 'users-account', envPrefix: 'USERS_' });
    },
    expect: 'works',
  },
  {
    construct: 'StatefulMySQL connect', title: 'connect a container that sets MYSQL_HOST itself',
    build: app => {
      const web = webDeployment(app);
      web.containers[0].env.addVariable('MYSQL_HOST', kplus.EnvValue.fromValue('legacy-db'));
      new StatefulMySQL(chartIn(app), 'mysql').connect(web, { secretName: 'shop-db-account' });
    },
    expect: rejects('MYSQL_HOST'),
  },
  { construct: 'StatefulMySQL connect', title: 'account secretName not a DNS subdomain', build: app => new StatefulMySQL(chartIn(app), 'mysql').connect(webDeployment(app), { secretName: 'Shop_Account' }), expect: rejects('secretName', 'Shop_Account') },
  { construct: 'StatefulMySQL connect', title: 'envPrefix in lower case', build: app => new StatefulMySQL(chartIn(app), 'mysql').connect(webDeployment(app), { secretName: 'a', envPrefix: 'db_' }), expect: rejects('envPrefix', 'db_') },
  { construct: 'StatefulMySQL connect', title: 'userKey with a space', build: app => new StatefulMySQL(chartIn(app), 'mysql').connect(webDeployment(app), { secretName: 'a', userKey: 'user name' }), expect: rejects('userKey', 'user name') },
  { construct: 'StatefulMySQL connect', title: 'account given as a string', build: app => new StatefulMySQL(chartIn(app), 'mysql').connect(webDeployment(app), 'shop-db-account' as any), expect: rejects('account', 'shop-db-account') },
  { construct: 'StatefulMySQL connect', title: 'connect(null)', build: app => new StatefulMySQL(chartIn(app), 'mysql').connect(null as any, { secretName: 'a' }), expect: rejects('connect') },
  {
    construct: 'StatefulMySQL connect', title: 'connect an L1 KubeDeployment',
    build: app => {
      const chart = chartIn(app);
      const l1 = new KubeDeployment(chart, 'l1', { spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'x:1' }] } } } });
      new StatefulMySQL(chart, 'mysql').connect(l1, { secretName: 'a' });
    },
    expect: rejects('connect', 'clientEnv'),
  },
  {
    construct: 'StatefulMySQL connect', title: 'two containers, no containerName',
    build: app => {
      const chart = chartIn(app);
      const d = new kplus.Deployment(chart, 'web', { containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] });
      new StatefulMySQL(chart, 'mysql').connect(d, { secretName: 's' });
    },
    expect: rejects('containerName'),
  },
  { construct: 'StatefulMySQL connect', title: 'containerName of no container', build: app => new StatefulMySQL(chartIn(app), 'mysql').connect(webDeployment(app), { secretName: 's' }, { containerName: 'nope' }), expect: rejects('nope') },
  {
    construct: 'StatefulMySQL connect', title: 'connect a cdk8s-plus-33 Deployment',
    build: app => {
      const chart = chartIn(app);
      const d = new kplus33.Deployment(chart, 'web', { containers: [{ name: 'web', image: 'shop:1.4', portNumber: 8080, securityContext: { user: 1000 } }] });
      new StatefulMySQL(chart, 'mysql').connect(d, { secretName: 'shop-db-account' });
    },
    expect: 'works',
  },
  { construct: 'StatefulMySQL connect', title: 'clientEnv with an empty secretName', build: app => { new StatefulMySQL(chartIn(app), 'mysql').clientEnv({ secretName: '' }); }, expect: rejects('secretName') },
  {
    construct: 'StatefulMySQL connect', title: 'clientEnv into an L1 Deployment',
    build: app => {
      const chart = chartIn(app);
      const mysql = new StatefulMySQL(chart, 'mysql');
      new KubeDeployment(chart, 'l1', {
        metadata: { name: 'l1' },
        spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'x:1', env: mysql.clientEnv({ secretName: 'acc' }) }] } } },
      });
    },
    expect: 'works',
  },
  { construct: 'StatefulMySQL', title: 'hostFor an ordinal outside the cluster', build: app => { new StatefulMySQL(chartIn(app), 'mysql').hostFor(3); }, expect: rejects('ordinal', '3') },
];

// ---------------------------------------------------------------------------------------
const topology: AuditCase[] = [
  { construct: 'ReplicaTopology', title: 'replicas 0', build: app => { new ReplicaTopology(chartIn(app), 't', { replicas: 0 }); }, expect: rejects('replicas', '0') },
  { construct: 'ReplicaTopology', title: 'member(3) of 3 members', build: app => { new ReplicaTopology(chartIn(app), 't').member(3); }, expect: rejects('ordinal', '3') },
  { construct: 'ReplicaTopology', title: 'hostFor(1.5)', build: app => { new ReplicaTopology(chartIn(app), 't').hostFor(1.5); }, expect: rejects('ordinal', '1.5') },
  { construct: 'ReplicaTopology', title: 'name starting with a digit', build: app => { new ReplicaTopology(chartIn(app), 't', { name: '9db' }); }, expect: rejects('name', '9db') },
  {
    construct: 'ReplicaTopology', title: 'members of a default topology',
    build: app => {
      const t = new ReplicaTopology(chartIn(app), 'db');
      expectEqual('server ids', t.members.map(m => m.serverId), [100, 101, 102]);
      expectEqual('host of 1', t.hostFor(1), 'db-1.db.default.svc.cluster.local');
    },
    expect: 'works',
  },
];

// ---------------------------------------------------------------------------------------
const headless: AuditCase[] = [
  { construct: 'HeadlessService', title: 'name starting with a digit (Services need a DNS-1035 label)', build: app => { new HeadlessService(chartIn(app), '1web', { ports: [{ port: 80 }], selector: { app: 'web' } }); }, expect: rejects('name', '1web') },
  { construct: 'HeadlessService', title: 'port 0', build: app => { new HeadlessService(chartIn(app), 'web', { ports: [{ port: 0 }] }); }, expect: rejects('port', '0') },
  { construct: 'HeadlessService', title: 'targetPort 70000', build: app => { new HeadlessService(chartIn(app), 'web', { ports: [{ port: 80, targetPort: 70000 }] }); }, expect: rejects('targetPort', '70000') },
  { construct: 'HeadlessService', title: 'the same port twice', build: app => { new HeadlessService(chartIn(app), 'web', { ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }] }); }, expect: rejects('port', '80') },
  { construct: 'HeadlessService', title: 'two unnamed ports (names are required then)', build: app => { new HeadlessService(chartIn(app), 'web', { ports: [{ port: 80 }, { port: 81 }], selector: { app: 'web' } }); }, expect: rejects('name') },
  { construct: 'HeadlessService', title: 'ports given as a number', build: app => { new HeadlessService(chartIn(app), 'web', { ports: 3306 as any }); }, expect: rejects('ports', '3306') },
  { construct: 'HeadlessService', title: 'port name with upper case', build: app => { new HeadlessService(chartIn(app), 'web', { ports: [{ port: 80, name: 'HTTP' }] }); }, expect: rejects('name', 'HTTP') },
  { construct: 'HeadlessService', title: 'selector key with "!"', build: app => { new HeadlessService(chartIn(app), 'web', { ports: [{ port: 80 }], selector: { 'app!': 'web' } }); }, expect: rejects('app!') },
  { construct: 'HeadlessService', title: 'label value with a space', build: app => { new HeadlessService(chartIn(app), 'web', { ports: [{ port: 80 }], selector: { app: 'web' }, labels: { team: 'a b' } }); }, expect: rejects('a b') },
  { construct: 'HeadlessService', title: 'namespace with upper case', build: app => { new HeadlessService(chartIn(app), 'web', { ports: [{ port: 80 }], namespace: 'Web' }); }, expect: rejects('namespace', 'Web') },
  { construct: 'HeadlessService', title: 'no port', build: app => { new HeadlessService(chartIn(app), 'web', { selector: { app: 'web' } }); }, expect: rejects('port') },
  { construct: 'HeadlessService', title: 'publishNotReadyAddresses given as the string "no"', build: app => { new HeadlessService(chartIn(app), 'web', { ports: [{ port: 80 }], selector: { app: 'web' }, publishNotReadyAddresses: 'no' as any }); }, expect: rejects('publishNotReadyAddresses', 'no') },
  {
    construct: 'HeadlessService', title: 'one named port and a selector', build: app => { new HeadlessService(chartIn(app), 'web', { ports: [{ port: 80, name: 'web', targetPort: 8080 }], selector: { app: 'web' } }); }, expect: 'works',
    check: objects => expectEqual('clusterIP', findObject(objects, 'Service', 'web').spec.clusterIP, 'None'),
  },
  {
    construct: 'HeadlessService', title: 'largest name (63 characters)', build: app => { new HeadlessService(chartIn(app), 'w'.repeat(63), { ports: [{ port: 80 }], selector: { app: 'web' } }); }, expect: 'works',
  },
];

// ---------------------------------------------------------------------------------------
const hosts: AuditCase[] = [
  { construct: 'StatefulSetHosts', title: 'hostFor(-1)', build: () => { new StatefulSetHosts({ statefulSetName: 'web', serviceName: 'nginx' }).hostFor(-1); }, expect: rejects('ordinal', '-1') },
  { construct: 'StatefulSetHosts', title: 'hostsFor(0)', build: () => { new StatefulSetHosts({ statefulSetName: 'web', serviceName: 'nginx' }).hostsFor(0); }, expect: rejects('replicas', '0') },
  { construct: 'StatefulSetHosts', title: 'namespace with upper case', build: () => { new StatefulSetHosts({ statefulSetName: 'web', serviceName: 'nginx', namespace: 'Prod' }); }, expect: rejects('namespace', 'Prod') },
  { construct: 'StatefulSetHosts', title: 'serviceName starting with a digit', build: () => { new StatefulSetHosts({ statefulSetName: 'web', serviceName: '1nginx' }); }, expect: rejects('serviceName', '1nginx') },
  {
    construct: 'StatefulSetHosts', title: 'of() an L1 StatefulSet',
    build: app => {
      const chart = chartIn(app);
      const set = new KubeStatefulSet(chart, 'web', { metadata: { name: 'web' }, spec: { serviceName: 'web', selector: { matchLabels: { app: 'w' } }, template: { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'w', image: 'w:1' }] } } } });
      StatefulSetHosts.of(set);
    },
    expect: rejects('StatefulSetHosts'),
  },
  { construct: 'StatefulSetHosts', title: 'of() a Deployment', build: app => { StatefulSetHosts.of(webDeployment(app)); }, expect: rejects('StatefulSet', 'Deployment') },
  {
    construct: 'StatefulSetHosts', title: 'of() a cdk8s-plus-28 StatefulSet',
    build: app => expectEqual('host', StatefulSetHosts.of(web28(app).set).hostFor(1), 'web-1.nginx.default.svc.cluster.local'),
    expect: 'works',
  },
];

// ---------------------------------------------------------------------------------------
const claims: AuditCase[] = [
  { construct: 'PerPodClaims', title: 'replicas 0', build: () => { claimsFor({ name: 'web' }, { replicas: 0 }); }, expect: rejects('replicas', '0') },
  { construct: 'PerPodClaims', title: 'templateName with upper case', build: () => { claimsFor({ name: 'web' }, { templateName: 'Data' }); }, expect: rejects('templateName', 'Data') },
  { construct: 'PerPodClaims', title: 'namespace with upper case', build: () => { claimsFor({ name: 'web' }, { namespace: 'Web' }); }, expect: rejects('namespace', 'Web') },
  { construct: 'PerPodClaims', title: 'statefulSet given as a name string', build: () => { claimsFor('web' as any); }, expect: rejects('statefulSet') },
  { construct: 'PerPodClaims', title: 'size given as a string', build: () => { claimsFor({ name: 'web' }, { size: '1Gi' }); }, expect: rejects('size', '1Gi') },
  { construct: 'PerPodClaims', title: 'claim names longer than 63 characters', build: () => { claimsFor({ name: 'w'.repeat(52) }, { templateName: 'datadatadata' }); }, expect: rejects('w'.repeat(52)) },
  {
    construct: 'PerPodClaims', title: 'storageClassName "" (no class)',
    build: app => {
      const chart = chartIn(app);
      const c = claimsFor({ name: 'web' }, { storageClassName: '' });
      new KubeStatefulSet(chart, 'web', {
        metadata: { name: 'web' },
        spec: {
          serviceName: 'web', selector: { matchLabels: { app: 'w' } },
          template: { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'w', image: 'w:1', volumeMounts: [{ name: 'www', mountPath: '/www' }] }] } },
          volumeClaimTemplates: [c.toVolumeClaimTemplate()],
        },
      });
      new HeadlessService(chart, 'svc', { name: 'web', ports: [{ port: 80 }], selector: { app: 'w' } });
    },
    expect: 'works',
    check: objects => expectEqual('storageClassName', findObject(objects, 'StatefulSet', 'web').spec.volumeClaimTemplates[0].spec.storageClassName, ''),
  },
  {
    construct: 'ClaimTemplate', title: 'add to a cdk8s-plus-28 StatefulSet and mount',
    build: app => {
      const { chart, set } = web28(app);
      const www = claimsFor(set);
      ClaimTemplate.add(set, www).mount('nginx', '/usr/share/nginx/html');
      new HostPathPersistentVolumes(chart, 'www', { claims: www, basePath: '/var/local/web' });
    },
    expect: 'works',
  },
  {
    construct: 'ClaimTemplate', title: 'add to a cdk8s-plus-33 StatefulSet and mount',
    build: app => {
      const chart = chartIn(app, 'web', 'default');
      const svc = new kplus33.Service(chart, 'nginx', { metadata: { name: 'nginx' }, clusterIP: 'None', ports: [{ name: 'web', port: 80, targetPort: 8080 }] });
      const set = new kplus33.StatefulSet(chart, 'web', { metadata: { name: 'web' }, service: svc, replicas: 2, containers: [{ name: 'nginx', image: 'nginx:1', ports: [{ number: 8080 }], securityContext: { user: 101 } }] });
      ClaimTemplate.add(set, claimsFor(set)).mount('nginx', '/usr/share/nginx/html');
    },
    expect: 'works',
  },
  { construct: 'ClaimTemplate', title: 'claims made for another StatefulSet', build: app => { ClaimTemplate.add(web28(app).set, claimsFor({ name: 'api' })); }, expect: rejects('web', 'api') },
  { construct: 'ClaimTemplate', title: 'claims for fewer replicas than the set', build: app => { ClaimTemplate.add(web28(app, 3).set, claimsFor({ name: 'web' })); }, expect: rejects('3', '2') },
  { construct: 'ClaimTemplate', title: 'claims of another namespace', build: app => { ClaimTemplate.add(web28(app).set, claimsFor({ name: 'web' }, { namespace: 'other' })); }, expect: rejects('namespace', 'other') },
  { construct: 'ClaimTemplate', title: 'the same template twice', build: app => { const { set } = web28(app); ClaimTemplate.add(set, claimsFor(set)); ClaimTemplate.add(set, claimsFor(set)); }, expect: rejects('www') },
  { construct: 'ClaimTemplate', title: 'mount at a relative path', build: app => { const { set } = web28(app); ClaimTemplate.add(set, claimsFor(set)).mount('nginx', 'html'); }, expect: rejects('path', 'html') },
  { construct: 'ClaimTemplate', title: 'mount with subPath "../x"', build: app => { const { set } = web28(app); ClaimTemplate.add(set, claimsFor(set)).mount('nginx', '/html', { subPath: '../x' }); }, expect: rejects('subPath', '../x') },
  { construct: 'ClaimTemplate', title: 'mount twice at one path', build: app => { const { set } = web28(app); const t = ClaimTemplate.add(set, claimsFor(set)); t.mount('nginx', '/html'); t.mount('nginx', '/html'); }, expect: rejects('/html') },
  { construct: 'ClaimTemplate', title: 'mount into a container that does not exist', build: app => { const { set } = web28(app); ClaimTemplate.add(set, claimsFor(set)).mount('nope', '/html'); }, expect: rejects('nope') },
  {
    construct: 'ClaimTemplate', title: 'a pod volume named like the template',
    build: app => {
      const { chart, set } = web28(app);
      set.addVolume(kplus.Volume.fromEmptyDir(chart, 'v', 'www'));
      ClaimTemplate.add(set, claimsFor(set)).mount('nginx', '/html');
    },
    expect: rejects('www'),
  },
  { construct: 'ClaimTemplate', title: 'add to a Deployment', build: app => { ClaimTemplate.add(webDeployment(app), claimsFor({ name: 'web' })); }, expect: rejects('StatefulSet', 'Deployment') },
];

// ---------------------------------------------------------------------------------------
const nfs: AuditCase[] = [
  {
    construct: 'NfsPersistentVolumes', title: 'through the chart, with mount options', build: app => { nfsChart(app, 'mysql', {}, { basePath: '/exports/mysql', mountOptions: ['nfsvers=4.1', 'hard'] }); }, expect: 'works',
    check: objects => expectEqual('PV count', objects.filter(o => o.kind === 'PersistentVolume').length, 3),
  },
  {
    construct: 'NfsPersistentVolumes', title: 'base paths "/e/db" and "/e//db" name one directory',
    build: app => {
      nfsChart(app, 'a', {}, { basePath: '/e/db', pathPattern: 'x-{ordinal}' }, 'a');
      nfsChart(app, 'b', {}, { basePath: '/e//db', pathPattern: 'x-{ordinal}' }, 'b');
    },
    expect: rejects('/e/db'),
  },
  {
    construct: 'NfsPersistentVolumes', title: 'base paths "/e/db" and "/e/db/" name one directory',
    build: app => {
      nfsChart(app, 'a', {}, { basePath: '/e/db', pathPattern: 'x-{ordinal}' }, 'a');
      nfsChart(app, 'b', {}, { basePath: '/e/db/', pathPattern: 'x-{ordinal}' }, 'b');
    },
    expect: rejects('/e/db'),
  },
  {
    construct: 'NfsPersistentVolumes', title: 'one base path inside another cluster\'s volume',
    build: app => {
      nfsChart(app, 'a', {}, { basePath: '/exports' });
      nfsChart(app, 'b', {}, { basePath: '/exports/data-a-0' });
    },
    expect: rejects('/exports/data-a-0'),
  },
  {
    // Distinct cluster-scoped names, or a clear refusal; colliding names are silent bad YAML.
    construct: 'NfsPersistentVolumes', title: 'the same chart in two namespaces (cluster-scoped PV and StorageClass names)',
    build: app => {
      nfsChart(app, 'shop-a', { name: 'mysql' }, { basePath: '/exports/a' }, 'a');
      nfsChart(app, 'shop-b', { name: 'mysql' }, { basePath: '/exports/b' }, 'b');
    },
    expect: 'works', orRejects: ['mysql'],
    check: objects => expectEqual('PersistentVolumes', objects.filter(o => o.kind === 'PersistentVolume').length, 6),
  },
  { construct: 'NfsPersistentVolumes', title: 'relative basePath', build: app => { nfsChart(app, 'mysql', {}, { basePath: 'exports' }); }, expect: rejects('basePath', 'exports') },
  { construct: 'NfsPersistentVolumes', title: 'basePath with ".."', build: app => { nfsChart(app, 'mysql', {}, { basePath: '/exports/../etc' }); }, expect: rejects('/exports/../etc') },
  { construct: 'NfsPersistentVolumes', title: 'server with a space', build: app => { nfsChart(app, 'mysql', {}, { basePath: '/exports', server: 'nfs server' }); }, expect: rejects('server', 'nfs server') },
  { construct: 'NfsPersistentVolumes', title: 'pathPattern without {ordinal} or {claim}', build: app => { nfsChart(app, 'mysql', {}, { basePath: '/exports', pathPattern: 'data' }); }, expect: rejects('pathPattern', 'data') },
  { construct: 'NfsPersistentVolumes', title: 'count below the replicas', build: app => { nfsChart(app, 'mysql', {}, { basePath: '/exports', count: 2 }); }, expect: rejects('count', '2') },
  { construct: 'NfsPersistentVolumes', title: 'capacity below the claims\' request', build: app => { nfsChart(app, 'mysql', {}, { basePath: '/exports', capacity: Size.gibibytes(1) }); }, expect: rejects('capacity', '1Gi') },
  { construct: 'NfsPersistentVolumes', title: 'mountOptions given as a string', build: app => { nfsChart(app, 'mysql', {}, { basePath: '/exports', mountOptions: 'nfsvers=4.1' }); }, expect: rejects('mountOptions', 'nfsvers=4.1') },
  { construct: 'NfsPersistentVolumes', title: 'ReclaimPolicy.DELETE on static NFS volumes (no plugin can delete them: they go Failed)', build: app => { nfsChart(app, 'mysql', {}, { basePath: '/exports', reclaimPolicy: ReclaimPolicy.DELETE }); }, expect: rejects('reclaimPolicy', 'Delete') },
  { construct: 'NfsPersistentVolumes', title: 'reclaimPolicy "Recycle"', build: app => { nfsChart(app, 'mysql', {}, { basePath: '/exports', reclaimPolicy: 'Recycle' }); }, expect: rejects('reclaimPolicy', 'Recycle') },
  {
    construct: 'NfsPersistentVolumes', title: 'claims without a storageClassName',
    build: app => { new NfsPersistentVolumes(chartIn(app), 'v', { claims: claimsFor({ name: 'web' }, { storageClassName: undefined }), server: '10.0.0.5', basePath: '/exports' }); },
    expect: rejects('storageClassName'),
  },
  {
    construct: 'NfsPersistentVolumes', title: 'two sets of volumes for the same claims',
    build: app => {
      const chart = chartIn(app);
      const c = claimsFor({ name: 'web' });
      new NfsPersistentVolumes(chart, 'v1', { claims: c, server: '10.0.0.5', basePath: '/exports/one' });
      new NfsPersistentVolumes(chart, 'v2', { claims: c, server: '10.0.0.5', basePath: '/exports/two', createStorageClass: false });
    },
    expect: rejects('www-web-0'),
  },
];

// ---------------------------------------------------------------------------------------
const hostPath: AuditCase[] = [
  { construct: 'HostPathPersistentVolumes', title: 'cluster on hostPath with ROOT_INIT_CONTAINER', build: app => hostPathCluster(app, {}), expect: 'works' },
  {
    construct: 'HostPathPersistentVolumes', title: 'cluster on hostPath without ROOT_INIT_CONTAINER',
    build: app => hostPathCluster(app, { storage: { volumePermissions: VolumePermissions.FS_GROUP } }),
    expect: rejects('volumePermissions'),
  },
  { construct: 'HostPathPersistentVolumes', title: 'relative basePath', build: app => hostPathCluster(app, {}, { basePath: 'var/mysql' }), expect: rejects('basePath', 'var/mysql') },
  { construct: 'HostPathPersistentVolumes', title: 'node name with upper case', build: app => hostPathCluster(app, {}, { node: 'Node_1' }), expect: rejects('node', 'Node_1') },
  { construct: 'HostPathPersistentVolumes', title: 'storageClassName other than the claims\'', build: app => hostPathCluster(app, {}, { storageClassName: 'local' }), expect: rejects('storageClassName', 'local') },
  { construct: 'HostPathPersistentVolumes', title: 'ReclaimPolicy.DELETE outside /tmp (the hostPath deleter refuses: the volumes go Failed)', build: app => hostPathCluster(app, {}, { reclaimPolicy: ReclaimPolicy.DELETE }), expect: rejects('reclaimPolicy', 'Delete') },
  {
    construct: 'HostPathPersistentVolumes', title: 'two sets in one unpinned directory',
    build: app => {
      const chart = chartIn(app);
      const a = new StatefulMySQL(chart, 'a', { storage: { storageClassName: 'manual', volumePermissions: VolumePermissions.ROOT_INIT_CONTAINER } });
      const b = new StatefulMySQL(chart, 'b', { storage: { storageClassName: 'manual', volumePermissions: VolumePermissions.ROOT_INIT_CONTAINER } });
      new HostPathPersistentVolumes(chart, 'va', { claims: a.dataClaims, basePath: '/var/local/db', pathPattern: 'm-{ordinal}' });
      new HostPathPersistentVolumes(chart, 'vb', { claims: b.dataClaims, basePath: '/var/local/db', pathPattern: 'm-{ordinal}', createStorageClass: false });
    },
    expect: rejects('/var/local/db/m-0'),
  },
  {
    construct: 'HostPathPersistentVolumes', title: 'the manual StorageClass created twice',
    build: app => {
      const chart = chartIn(app);
      const a = new StatefulMySQL(chart, 'a', { storage: { storageClassName: 'manual', volumePermissions: VolumePermissions.ROOT_INIT_CONTAINER } });
      const b = new StatefulMySQL(chart, 'b', { storage: { storageClassName: 'manual', volumePermissions: VolumePermissions.ROOT_INIT_CONTAINER } });
      new HostPathPersistentVolumes(chart, 'va', { claims: a.dataClaims, basePath: '/var/local/a' });
      new HostPathPersistentVolumes(chart, 'vb', { claims: b.dataClaims, basePath: '/var/local/b' });
    },
    expect: rejects('manual'),
  },
  {
    construct: 'HostPathPersistentVolumes', title: 'pinned to a node',
    build: app => hostPathCluster(app, {}, { node: 'worker-1' }), expect: 'works',
    check: objects => expectEqual('node affinity', volumeFor(objects, 'data-mysql-0').spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values, ['worker-1']),
  },
];

// ---------------------------------------------------------------------------------------
const provisioners: AuditCase[] = [
  {
    construct: 'NfsSubdirProvisioner', title: 'defaults in a namespaced chart', build: app => provisioner(app, {}, 'storage', 'storage'), expect: 'works',
    check: objects => {
      const bindings = objects.filter(o => o.kind === 'ClusterRoleBinding');
      const account = objects.find(o => o.kind === 'Deployment').spec.template.spec.serviceAccountName;
      expectEqual('ClusterRoleBinding subjects', bindings.map(b => b.subjects), [[{ kind: 'ServiceAccount', name: account, namespace: 'storage' }]]);
    },
  },
  {
    // Distinct ClusterRole(Binding) names, or a clear refusal; colliding names are silent bad YAML.
    construct: 'NfsSubdirProvisioner', title: 'two provisioners with default names in two namespaces (cluster-scoped RBAC names)',
    build: app => {
      provisioner(app, { storageClassName: 'nfs-a' }, 'a', 'a');
      provisioner(app, { storageClassName: 'nfs-b' }, 'b', 'b');
    },
    expect: 'works', orRejects: ['nfs-subdir-provisioner'],
    check: objects => {
      const subjects = objects.filter(o => o.kind === 'ClusterRoleBinding').map(b => b.subjects[0].namespace).sort();
      expectEqual('ClusterRoleBinding subject namespaces', subjects, ['a', 'b']);
    },
  },
  {
    construct: 'NfsSubdirProvisioner', title: 'two provisioners with one StorageClass name',
    build: app => {
      provisioner(app, { name: 'one' }, 'a');
      provisioner(app, { name: 'two' }, 'b');
    },
    expect: rejects('nfs-client'),
  },
  { construct: 'NfsSubdirProvisioner', title: 'provisionerName with a space', build: app => provisioner(app, { provisionerName: 'my provisioner' }), expect: rejects('provisionerName', 'my provisioner') },
  { construct: 'NfsSubdirProvisioner', title: 'relative path', build: app => provisioner(app, { path: 'exports' }), expect: rejects('path', 'exports') },
  { construct: 'NfsSubdirProvisioner', title: 'storageClassName with upper case', build: app => provisioner(app, { storageClassName: 'NFS' }), expect: rejects('storageClassName', 'NFS') },
  { construct: 'NfsSubdirProvisioner', title: 'empty image', build: app => provisioner(app, { image: '' }), expect: rejects('image') },
  { construct: 'NfsSubdirProvisioner', title: 'image with a space', build: app => provisioner(app, { image: 'nfs provisioner:4' }), expect: rejects('image', 'nfs provisioner:4') },
  { construct: 'NfsSubdirProvisioner', title: 'reclaimPolicy "Recycle"', build: app => provisioner(app, { reclaimPolicy: 'Recycle' }), expect: rejects('reclaimPolicy', 'Recycle') },
  { construct: 'NfsSubdirProvisioner', title: 'name with upper case', build: app => provisioner(app, { name: 'NFS' }), expect: rejects('name', 'NFS') },
  { construct: 'NfsSubdirProvisioner', title: 'largest name (63 characters)', build: app => provisioner(app, { name: 'n'.repeat(63) }), expect: 'works' },
  { construct: 'NfsSubdirProvisioner', title: 'server empty', build: app => provisioner(app, { server: '' }), expect: rejects('server') },
  { construct: 'NfsSubdirProvisioner', title: 'ReclaimPolicy.DELETE (the provisioner deletes or archives)', build: app => provisioner(app, { reclaimPolicy: ReclaimPolicy.DELETE }), expect: 'works' },
];

// ---------------------------------------------------------------------------------------
const chart: AuditCase[] = [
  { construct: 'ReplicatedMySqlChart', title: 'defaults', build: app => { new ReplicatedMySqlChart(app, 'mysql'); }, expect: 'works' },
  {
    construct: 'ReplicatedMySqlChart', title: 'nfs with a StorageClass of the user\'s', build: app => { nfsChart(app, 'mysql', { storage: { storageClassName: 'fast' } }, { basePath: '/exports' }); }, expect: 'works',
    check: objects => expectEqual('PV class', volumeFor(objects, 'data-mysql-0').spec.storageClassName, 'fast'),
  },
  { construct: 'ReplicatedMySqlChart', title: 'nfs without basePath', build: app => { new ReplicatedMySqlChart(app, 'mysql', { nfs: { server: '10.0.0.5' } as any }); }, expect: rejects('basePath') },
  { construct: 'ReplicatedMySqlChart', title: 'nfs given as true', build: app => { new ReplicatedMySqlChart(app, 'mysql', { nfs: true as any }); }, expect: rejects('nfs') },
  { construct: 'ReplicatedMySqlChart', title: 'chart namespace with upper case', build: app => { new ReplicatedMySqlChart(app, 'mysql', { namespace: 'Shop' }); }, expect: rejects('namespace', 'Shop') },
  { construct: 'ReplicatedMySqlChart', title: 'cluster given as a string', build: app => { new ReplicatedMySqlChart(app, 'mysql', { cluster: 'mysql' as any }); }, expect: rejects('cluster', 'mysql') },
  { construct: 'ReplicatedMySqlChart', title: 'chart id not a valid cluster name', build: app => { new ReplicatedMySqlChart(app, 'MyDb'); }, expect: rejects('name', 'MyDb') },
];

/** Every case of the audit. */
export const CASES: AuditCase[] = [
  ...identity, ...uniqueness, ...engine, ...credentials, ...settings, ...storage, ...resources, ...clone, ...retention,
  ...network, ...scheduling, ...connect, ...topology, ...headless, ...hosts, ...claims, ...nfs, ...hostPath,
  ...provisioners, ...chart,
];
