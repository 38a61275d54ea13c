import { App, Testing } from 'cdk8s';
import { buildApp as buildRedis, RedisChart } from '../examples/redis';
import { buildApp as buildWeb, WebChart } from '../examples/web';
import { allOfKind, container, find, KubeObject, selects } from './support/objects';

function objectsOf(app: App): KubeObject[] {
  return app.charts.flatMap(chart => chart.toJson()) as KubeObject[];
}

function chartOf<T>(app: App, type: new (...args: any[]) => T): T {
  const chart = app.charts.find(c => c instanceof type);
  if (!chart) {
    throw new Error(`no ${type.name} in the app`);
  }
  return chart as T;
}

/** Claim names the StatefulSet controller creates: `<template>-<set>-<ordinal>`. */
function claimNames(sts: KubeObject): string[] {
  return sts.spec.volumeClaimTemplates.flatMap((t: any) =>
    Array.from({ length: sts.spec.replicas }, (_, ordinal) => `${t.metadata.name}-${sts.metadata.name}-${ordinal}`));
}

/** Checks shared by both examples: Service, selector, mounts, and one pre-bound volume per claim. */
function expectWellFormedStatefulSet(objects: KubeObject[], setName: string, serviceName: string, volumeKind: 'hostPath' | 'nfs') {
  const sts = find(objects, 'StatefulSet', setName);
  const service = find(objects, 'Service', serviceName);
  expect(sts.spec.serviceName).toBe(service.metadata.name);
  expect(service.spec.clusterIP).toBe('None');
  expect(Object.keys(service.spec.selector).length).toBeGreaterThan(0);
  expect(selects(service.spec.selector, sts.spec.template.metadata.labels)).toBe(true);
  expect(selects(sts.spec.selector.matchLabels, sts.spec.template.metadata.labels)).toBe(true);

  // Every mount resolves, and no pod volume shadows a claim template.
  const podSpec = sts.spec.template.spec;
  const podVolumes: string[] = (podSpec.volumes ?? []).map((v: any) => v.name);
  const templates: string[] = sts.spec.volumeClaimTemplates.map((t: any) => t.metadata.name);
  expect(podVolumes.filter(name => templates.includes(name))).toEqual([]);
  for (const c of [...(podSpec.initContainers ?? []), ...podSpec.containers]) {
    for (const mount of c.volumeMounts ?? []) {
      expect([...podVolumes, ...templates]).toContain(mount.name);
    }
  }

  // Each claim has exactly one volume, pre-bound to it, of the claim's StorageClass, in its own directory.
  const volumes = allOfKind(objects, 'PersistentVolume');
  const paths = volumes.map(pv => volumeKind === 'nfs' ? `${pv.spec.nfs.server}:${pv.spec.nfs.path}` : pv.spec.hostPath.path);
  expect(new Set(paths).size).toBe(paths.length);
  for (const claim of claimNames(sts)) {
    const bound = volumes.filter(pv => pv.spec.claimRef.name === claim);
    expect(bound).toHaveLength(1);
    const template = templates.indexOf(claim.slice(0, claim.indexOf(`-${setName}-`)));
    const storageClassName = sts.spec.volumeClaimTemplates[template].spec.storageClassName;
    expect(bound[0].spec.claimRef.namespace).toBe(sts.metadata.namespace ?? 'default');
    expect(bound[0].spec.storageClassName).toBe(storageClassName);
    find(objects, 'StorageClass', storageClassName);
  }
}

describe('example: nginx "web" StatefulSet on hostPath volumes', () => {
  test('matches the snapshot', () => {
    expect(objectsOf(buildWeb(Testing.app()))).toMatchSnapshot();
  });

  test('pods web-0 and web-1 each get their own claim www-web-<i> at /usr/share/nginx/html', () => {
    const objects = objectsOf(buildWeb(Testing.app()));
    const sts = find(objects, 'StatefulSet', 'web');
    expect(sts.spec.replicas).toBe(2);
    expect(claimNames(sts)).toEqual(['www-web-0', 'www-web-1']);
    expect(container(sts.spec.template.spec, 'nginx').volumeMounts)
      .toContainEqual({ name: 'www', mountPath: '/usr/share/nginx/html' });
    expectWellFormedStatefulSet(objects, 'web', 'nginx', 'hostPath');
  });

  test('each hostPath volume is bound to the claim of its ordinal, in its own directory', () => {
    const objects = objectsOf(buildWeb(Testing.app()));
    for (const ordinal of [0, 1]) {
      const pv = find(objects, 'PersistentVolume', `default-www-web-${ordinal}-hostpath`);
      expect(pv.spec.claimRef).toMatchObject({ kind: 'PersistentVolumeClaim', namespace: 'default', name: `www-web-${ordinal}` });
      expect(pv.spec.hostPath).toEqual({ path: `/var/local/web/www-web-${ordinal}`, type: 'DirectoryOrCreate' });
      expect(pv.spec.storageClassName).toBe('manual');
    }
    expect(find(objects, 'StorageClass', 'manual').provisioner).toBe('kubernetes.io/no-provisioner');
  });

  test('the headless Service "nginx" gives the pods the DNS names web-<i>.nginx', () => {
    const web = chartOf(buildWeb(Testing.app()), WebChart);
    expect(web.service.name).toBe('nginx');
    expect(web.hosts).toEqual(['web-0.nginx', 'web-1.nginx']);
    expect(web.service.hostFor(web.statefulSet, 1)).toBe('web-1.nginx.default.svc.cluster.local');
  });

  test('nginx runs as a non-root user with a read-only root filesystem', () => {
    const sts = find(objectsOf(buildWeb(Testing.app())), 'StatefulSet', 'web');
    const nginx = container(sts.spec.template.spec, 'nginx');
    expect(nginx.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 101, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(nginx.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
  });
});

describe('example: Redis L1 StatefulSet on static NFS volumes', () => {
  test('matches the snapshot', () => {
    expect(objectsOf(buildRedis(Testing.app()))).toMatchSnapshot();
  });

  test('the claim data-redis-0 is mounted at /data and pre-bound to its NFS directory', () => {
    const objects = objectsOf(buildRedis(Testing.app()));
    const sts = find(objects, 'StatefulSet', 'redis');
    expect(claimNames(sts)).toEqual(['data-redis-0']);
    expect(container(sts.spec.template.spec, 'redis').volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
    const pv = find(objects, 'PersistentVolume', 'default-data-redis-0-nfs');
    expect(pv.spec.claimRef).toMatchObject({ namespace: 'default', name: 'data-redis-0' });
    expect(pv.spec.nfs).toEqual({ server: 'nfs.example.internal', path: '/exports/redis/data-redis-0' });
    expect(find(objects, 'StorageClass', 'nfs-redis').volumeBindingMode).toBe('WaitForFirstConsumer');
    expectWellFormedStatefulSet(objects, 'redis', 'redis', 'nfs');
  });

  test('the headless Service "redis" names the pod redis-0.redis', () => {
    const redis = chartOf(buildRedis(Testing.app()), RedisChart);
    expect(redis.hosts).toEqual(['redis-0.redis.default.svc.cluster.local']);
    expect(redis.service.shortHostFor(redis.statefulSet, 0)).toBe('redis-0.redis');
  });

  test('Redis runs as its own non-root user with a read-only root filesystem', () => {
    const sts = find(objectsOf(buildRedis(Testing.app())), 'StatefulSet', 'redis');
    expect(container(sts.spec.template.spec, 'redis').securityContext)
      .toMatchObject({ runAsNonRoot: true, runAsUser: 999, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });
});

describe('examples share the app conventions', () => {
  test('buildApp uses the app it is given and returns it', () => {
    for (const build of [buildWeb, buildRedis]) {
      const app = Testing.app();
      expect(build(app)).toBe(app);
      expect(app.charts).toHaveLength(1);
    }
  });
});
