// What holds across a whole app rather than inside one construct: every object has its
// own kind, namespace and name; claims deleted by the StatefulSet never meet pre-bound
// static volumes; re-applying unchanged output changes nothing.
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  ClaimRetention, HostPathPersistentVolumes, MySqlEngine, NfsPersistentVolumes, NfsSubdirProvisioner, ReplicatedMySqlChart, StatefulMySQL,
  VolumePermissions,
} from '../lib';
import { synth } from './support/objects';
import { synthAppObjects } from './support/manifests';

describe('every object has its own kind, namespace and name', () => {
  test('fails when two clusters of one name share a namespace', () => {
    const chart = Testing.chart();
    new StatefulMySQL(chart, 'orders', { name: 'db' });
    new StatefulMySQL(chart, 'billing', { name: 'db' });
    expect(() => synth(chart)).toThrow('ConfigMap "default/db-config" is defined twice, by test/orders/Config and test/billing/Config: each kind, namespace and name must be unique in the app, or applying it replaces the first object with the second');
  });

  test('an app changed after a synth is checked again, even in the same tick and deep inside a construct', () => {
    const chart = Testing.chart();
    const orders = new StatefulMySQL(chart, 'orders', { name: 'db' });
    expect(synth(chart).length).toBeGreaterThan(0);
    new StatefulMySQL(orders, 'billing', { name: 'db' });
    expect(() => synth(chart)).toThrow('ConfigMap "default/db-config" is defined twice');
  });

  test('fails when one cluster\'s read Service is another cluster\'s headless Service', () => {
    const chart = Testing.chart();
    new StatefulMySQL(chart, 'mysql');
    new StatefulMySQL(chart, 'mysql-read');
    expect(() => synth(chart)).toThrow('Service "default/mysql-read" is defined twice, by test/mysql/ReadService/Resource and test/mysql-read/Headless/Resource');
  });

  test('fails when two charts write one cluster-scoped object, whatever their namespaces', () => {
    const app = Testing.app();
    for (const namespace of ['a', 'b']) {
      const chart = new Chart(app, namespace, { namespace });
      new NfsSubdirProvisioner(chart, 'Provisioner', { server: 'nfs', path: '/exports', storageClassName: 'nfs-client' });
    }
    expect(() => app.synth()).toThrow('StorageClass.storage.k8s.io "nfs-client" is defined twice, by a/Provisioner/StorageClass and b/Provisioner/StorageClass');
  });

  test('the same chart in two namespaces gives distinct cluster-scoped names', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'app-')) });
    for (const namespace of ['team-a', 'team-b']) {
      new ReplicatedMySqlChart(app, `db-${namespace}`, {
        namespace, cluster: { name: 'mysql' }, nfs: { server: 'nfs', basePath: `/exports/${namespace}` },
      });
    }
    const names = synthAppObjects(app).filter(o => ['PersistentVolume', 'StorageClass'].includes(o.kind)).map(o => `${o.kind}/${o.metadata.name}`);
    expect(names).toContain('StorageClass/team-a-mysql-nfs');
    expect(names).toContain('PersistentVolume/team-b-data-mysql-2-nfs');
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('claim retention and static volumes', () => {
  test.each([
    ['whenScaled', { whenScaled: ClaimRetention.DELETE }],
    ['whenDeleted', { whenDeleted: ClaimRetention.DELETE }],
  ])('fails when claims are deleted (%s) but the data is on pre-bound static volumes', (_, claimRetention) => {
    const nfs = Testing.chart();
    const db = new StatefulMySQL(nfs, 'mysql', { storage: { storageClassName: 'nfs-mysql' }, claimRetention });
    new NfsPersistentVolumes(nfs, 'Volumes', { claims: db.dataClaims, server: 'nfs', basePath: '/srv' });
    expect(() => synth(nfs)).toThrow('StatefulMySQL "mysql" deletes its claims (claimRetention DELETE), but its data is on the pre-bound static volumes of "test/Volumes"');
    const local = Testing.chart();
    const dev = new StatefulMySQL(local, 'mysql', {
      storage: { storageClassName: 'manual', volumePermissions: VolumePermissions.ROOT_INIT_CONTAINER }, claimRetention,
    });
    new HostPathPersistentVolumes(local, 'Volumes', { claims: dev.dataClaims, basePath: '/var/local/mysql' });
    expect(() => synth(local)).toThrow('never binds the claim created again');
  });

  test('deleting claims works with provisioned storage', () => {
    const chart = Testing.chart();
    new StatefulMySQL(chart, 'mysql', { claimRetention: { whenScaled: ClaimRetention.DELETE, whenDeleted: ClaimRetention.DELETE } });
    expect(synth(chart).find(o => o.kind === 'StatefulSet')!.spec.persistentVolumeClaimRetentionPolicy)
      .toEqual({ whenDeleted: 'Delete', whenScaled: 'Delete' });
  });
});

describe('resources', () => {
  test('a CPU-only override keeps the default memory request and limit', () => {
    const chart = Testing.chart();
    new StatefulMySQL(chart, 'mysql', { resources: { server: { cpuLimitMillis: 2000 } } });
    const server = synth(chart).find(o => o.kind === 'StatefulSet')!.spec.template.spec.containers.find((c: any) => c.name === 'mysql');
    expect(server.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2000m', memory: '2Gi' } });
  });

  test('fails when a request exceeds its limit', () => {
    expect(() => new StatefulMySQL(Testing.chart(), 'mysql', { resources: { server: { memoryRequest: Size.gibibytes(3) } } }))
      .toThrow('resources.server.memoryRequest must not exceed memoryLimit 2Gi (got 3Gi)');
    expect(() => new StatefulMySQL(Testing.chart(), 'mysql', { resources: { sidecar: { cpuRequestMillis: 500, cpuLimitMillis: 200 } } }))
      .toThrow('resources.sidecar.cpuRequestMillis must not exceed cpuLimitMillis 200 (got 500)');
  });
});

describe('connect()', () => {
  test('fails when a container is connected to a second cluster under the same variable names', () => {
    const chart = Testing.chart();
    const orders = new StatefulMySQL(chart, 'orders');
    const billing = new StatefulMySQL(chart, 'billing', { engine: MySqlEngine.mariadb1011() });
    const app = new kplus.Deployment(chart, 'App', { containers: [{ image: 'shop:1.0', portNumber: 8080 }] });
    orders.connect(app, { secretName: 'orders-app' });
    expect(() => billing.connect(app, { secretName: 'billing-app' }))
      .toThrow('already has MYSQL_HOST, MYSQL_READ_HOST, MYSQL_PORT, MYSQL_USER, MYSQL_PASSWORD (connected to another cluster, or set by hand)');
    billing.connect(app, { secretName: 'billing-app', envPrefix: 'BILLING_DB_' });
    const env = synth(chart).find(o => o.kind === 'Deployment')!.spec.template.spec.containers[0].env.map((e: any) => e.name);
    expect(env).toEqual(expect.arrayContaining(['MYSQL_HOST', 'BILLING_DB_HOST']));
  });
});

/**
 * Fields the API server keeps although empty, because emptiness means something there:
 * an emptyDir volume, and a selector that selects everything.
 */
const MEANINGFUL_EMPTY = new Set(['emptyDir', 'podSelector', 'namespaceSelector']);

function emptyFields(value: unknown, path: string, found: string[]): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) found.push(path);
    value.forEach((item, index) => emptyFields(item, `${path}[${index}]`, found));
  } else if (typeof value === 'object' && value !== null) {
    const key = path.split('.').pop()!;
    if (Object.keys(value).length === 0 && !MEANINGFUL_EMPTY.has(key)) found.push(path);
    for (const [name, child] of Object.entries(value)) emptyFields(child, `${path}.${name}`, found);
  }
  return found;
}

describe('re-applying unchanged output changes nothing', () => {
  test('no object carries an empty list or map that the API server would drop', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'app-')) });
    const chart = new ReplicatedMySqlChart(app, 'mysql', { nfs: { server: 'nfs', basePath: '/exports/mysql' } });
    chart.cluster.allowClients({ podLabels: { app: 'shop' } });
    const storage = new Chart(app, 'storage', { namespace: 'storage' });
    new NfsSubdirProvisioner(storage, 'Provisioner', { server: 'nfs', path: '/exports/dynamic', storageClassName: 'nfs-client' });
    const found = synthAppObjects(app).flatMap(o => emptyFields(o, `${o.kind}/${o.metadata.name}`, []));
    expect(found).toEqual([]);
  });
});
