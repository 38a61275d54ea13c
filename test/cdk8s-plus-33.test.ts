// An app written against cdk8s-plus-33, the version `cdk8s init typescript-app` uses
// today, while the library itself is built on cdk8s-plus-28. This file is type-checked
// (tsc and ts-jest), so every call below compiles with 33's objects; the test then checks
// the YAML each call produces, and validates all of it like every other chart.
import { App, Chart, Cron, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import {
  ClaimTemplate, HeadlessService, HostPathPersistentVolumes, MySqlCredentials, NfsPersistentVolumes, PerPodClaims,
  StatefulMySQL, StatefulSetHosts,
} from '../lib';
import { validateManifests } from './support/manifests';
import { container, envValue, find, KubeObject, synth } from './support/objects';

/** A cdk8s-plus-33 app: a cluster, a Deployment and a CronJob wired to it, and an nginx StatefulSet with per-pod claims. */
function buildApp() {
  const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
  const credentials = kplus.Secret.fromSecretName(chart, 'credentials', 'shop-mysql-credentials');
  const mysql = new StatefulMySQL(chart, 'mysql', { replicas: 2, credentials: MySqlCredentials.fromSecret(credentials) });

  const account = kplus.Secret.fromSecretName(chart, 'account', 'shop-db-account');
  const web = new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: 'shop:1.4', portNumber: 8080 }] });
  mysql.connect(web, { secretName: account.name });
  web.containers[0].env.addVariable('LOG_LEVEL', kplus.EnvValue.fromValue('info'));

  const report = new kplus.CronJob(chart, 'report', {
    schedule: Cron.daily(),
    containers: [{ name: 'report', image: 'report:2' }, { name: 'uploader', image: 'uploader:1' }],
  });
  mysql.connect(report, { secretName: account.name, envPrefix: 'DB_' }, { containerName: 'report' });

  const nginx = new kplus.Service(chart, 'nginx', {
    metadata: { name: 'nginx' }, clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ name: 'web', port: 80, targetPort: 8080 }],
  });
  const site = new kplus.StatefulSet(chart, 'site', {
    metadata: { name: 'site' }, service: nginx, replicas: 2,
    containers: [{ name: 'nginx', image: 'nginxinc/nginx-unprivileged:1.27-alpine', ports: [{ number: 8080 }] }],
  });
  const conf = new kplus.ConfigMap(chart, 'conf', { data: { 'default.conf': 'server {}' } });
  site.containers[0].mount('/etc/nginx/conf.d', kplus.Volume.fromConfigMap(chart, 'conf-volume', conf, { name: 'conf' }));
  const www = new PerPodClaims({ statefulSet: site, namespace: 'shop', replicas: 2, templateName: 'www', size: Size.gibibytes(1), storageClassName: 'manual' });
  ClaimTemplate.add(site, www).mount('nginx', '/usr/share/nginx/html', { readOnly: true });
  new HostPathPersistentVolumes(chart, 'www-volumes', { claims: www, basePath: '/var/local/site' });

  const logs = new PerPodClaims({ statefulSet: site, namespace: 'shop', replicas: 2, templateName: 'logs', size: Size.gibibytes(2), storageClassName: 'nfs-logs' });
  ClaimTemplate.add(site, logs).mount('nginx', '/var/log/nginx');
  new NfsPersistentVolumes(chart, 'log-volumes', { claims: logs, server: '10.0.0.5', basePath: '/exports/logs' });

  return { chart, mysql, site };
}

describe('an app on cdk8s-plus-33', () => {
  let objects: KubeObject[];
  let built: ReturnType<typeof buildApp>;
  beforeAll(() => {
    built = buildApp();
    objects = synth(built.chart);
  });

  test('every object passes the schemas and the API server rules', () => {
    expect(validateManifests(objects)).toEqual([]);
  });

  test('MySqlCredentials.fromSecret takes a 33 Secret', () => {
    const server = container(find(objects, 'StatefulSet', 'mysql').spec.template.spec, 'mysql');
    const root = server.env.find((e: any) => e.name === 'MYSQL_ROOT_PASSWORD');
    expect(root.valueFrom.secretKeyRef).toEqual({ name: 'shop-mysql-credentials', key: 'root-password' });
  });

  test('connect() adds the client environment to a 33 Deployment, keeping what the app adds after it', () => {
    const deployment = objects.find(o => o.kind === 'Deployment')!;
    const app = container(deployment.spec.template.spec, 'app');
    expect(app.env.map((e: any) => e.name)).toEqual(['MYSQL_HOST', 'MYSQL_READ_HOST', 'MYSQL_PORT', 'MYSQL_USER', 'MYSQL_PASSWORD', 'LOG_LEVEL']);
    expect(envValue(app, 'MYSQL_HOST')).toBe(built.mysql.primaryHost);
    expect(envValue(app, 'MYSQL_READ_HOST')).toBe('mysql-read.shop.svc.cluster.local');
    expect(envValue(app, 'MYSQL_PORT')).toBe('3306');
    expect(app.env.find((e: any) => e.name === 'MYSQL_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'shop-db-account', key: 'password' });
  });

  test('connect() picks the named container of a 33 CronJob with two', () => {
    const cronJob = objects.find(o => o.kind === 'CronJob')!;
    const pod = cronJob.spec.jobTemplate.spec.template.spec;
    expect(container(pod, 'report').env.map((e: any) => e.name)).toEqual(['DB_HOST', 'DB_READ_HOST', 'DB_PORT', 'DB_USER', 'DB_PASSWORD']);
    expect(container(pod, 'uploader').env ?? []).toEqual([]);
  });

  test('ClaimTemplate.add gives a 33 StatefulSet its claim templates, mounted, with its own volumes kept', () => {
    const set = find(objects, 'StatefulSet', 'site');
    expect(set.spec.volumeClaimTemplates.map((t: any) => [t.metadata.name, t.spec.storageClassName, t.spec.resources.requests.storage]))
      .toEqual([['www', 'manual', '1Gi'], ['logs', 'nfs-logs', '2Gi']]);
    const nginx = container(set.spec.template.spec, 'nginx');
    expect(nginx.volumeMounts).toEqual([
      { name: 'conf', mountPath: '/etc/nginx/conf.d' },
      { name: 'www', mountPath: '/usr/share/nginx/html', readOnly: true },
      { name: 'logs', mountPath: '/var/log/nginx' },
    ]);
    expect(set.spec.template.spec.volumes.map((v: any) => v.name)).toEqual(['conf']);
  });

  test('PerPodClaims of a 33 StatefulSet pre-bind hostPath and NFS volumes to its pods\' claims', () => {
    const claimOf = (name: string) => find(objects, 'PersistentVolume', name).spec.claimRef;
    expect(claimOf('shop-www-site-1-hostpath')).toEqual(expect.objectContaining({ name: 'www-site-1', namespace: 'shop' }));
    const nfs = objects.filter(o => o.kind === 'PersistentVolume' && o.spec.nfs);
    expect(nfs.map(v => [v.spec.claimRef.name, v.spec.nfs.path])).toEqual([
      ['logs-site-0', '/exports/logs/logs-site-0'],
      ['logs-site-1', '/exports/logs/logs-site-1'],
    ]);
  });

  test('StatefulSetHosts.of and HeadlessService.hostFor name the pods of a 33 StatefulSet', () => {
    const hosts = StatefulSetHosts.of(built.site);
    expect(hosts.shortHostFor(1)).toBe('site-1.nginx');
    expect(hosts.hostsFor(2)).toEqual(['site-0.nginx.shop.svc.cluster.local', 'site-1.nginx.shop.svc.cluster.local']);
    const chart = new Chart(new App(), 'other', { namespace: 'shop' });
    expect(new HeadlessService(chart, 'nginx', { name: 'nginx', ports: [{ port: 80 }] }).hostFor(built.site, 0))
      .toBe('site-0.nginx.shop.svc.cluster.local');
  });
});
