import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ClaimTemplate, HeadlessService, PerPodClaims, PerPodClaimsProps } from '../../lib';
import { container, find, KubeObject, synth } from '../support/objects';

/** A cdk8s-plus StatefulSet "db" of two pods with a "server" and a "metrics" container. */
function statefulSet(chart: Chart = Testing.chart(), props: Partial<kplus.StatefulSetProps> = {}) {
  const service = new HeadlessService(chart, 'svc', { name: 'db', ports: [{ port: 5432 }] });
  const sts = new kplus.StatefulSet(chart, 'db', {
    metadata: { name: 'db' },
    service,
    replicas: 2,
    containers: [{ name: 'server', image: 'postgres:16' }, { name: 'metrics', image: 'exporter:1' }],
    initContainers: [{ name: 'init', image: 'busybox:1.36' }],
    ...props,
  });
  return { chart, sts, server: sts.containers[0], metrics: sts.containers[1], init: sts.initContainers[0] };
}

function claims(props: Partial<PerPodClaimsProps> = {}): PerPodClaims {
  return new PerPodClaims({ statefulSet: { name: 'db' }, namespace: 'default', replicas: 2, templateName: 'data', size: Size.gibibytes(3), storageClassName: 'fast', ...props });
}

function stsOf(chart: Chart): KubeObject {
  return find(synth(chart), 'StatefulSet', 'db');
}

/** Every volumeMount of every container names a pod volume or a claim template. */
function unresolvedMounts(sts: KubeObject): string[] {
  const podSpec = sts.spec.template.spec;
  const names = new Set<string>([
    ...(podSpec.volumes ?? []).map((v: any) => v.name),
    ...(sts.spec.volumeClaimTemplates ?? []).map((t: any) => t.metadata.name),
  ]);
  return [...(podSpec.initContainers ?? []), ...podSpec.containers]
    .flatMap((c: any) => (c.volumeMounts ?? []).map((m: any) => `${c.name}:${m.name}`))
    .filter(mount => !names.has(mount.split(':')[1]));
}

describe('ClaimTemplate on a cdk8s-plus-28 StatefulSet (JSON patches)', () => {
  test('adds the claim template to a cdk8s-plus StatefulSet', () => {
    const { chart, sts } = statefulSet();
    const template = ClaimTemplate.add(sts, claims());
    expect(template).toBeInstanceOf(ClaimTemplate);
    expect(template.name).toBe('data');
    expect(stsOf(chart).spec.volumeClaimTemplates).toEqual([{
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '3Gi' } }, storageClassName: 'fast' },
    }]);
  });

  test('appends when several templates are added', () => {
    const { chart, sts } = statefulSet();
    ClaimTemplate.add(sts, claims());
    ClaimTemplate.add(sts, claims({ templateName: 'wal', size: Size.gibibytes(1) }));
    ClaimTemplate.add(sts, claims({ templateName: 'archive', storageClassName: undefined }));
    const templates = stsOf(chart).spec.volumeClaimTemplates;
    expect(templates.map((t: any) => t.metadata.name)).toEqual(['data', 'wal', 'archive']);
    expect(templates[1].spec.resources.requests.storage).toBe('1Gi');
    expect(templates[2].spec.storageClassName).toBeUndefined();
  });

  test('a mount into a container without other mounts creates its list, with no stray pod volume', () => {
    const { chart, sts, server } = statefulSet();
    ClaimTemplate.add(sts, claims()).mount(server.name, '/var/lib/postgresql/data');
    const spec = stsOf(chart);
    expect(container(spec.spec.template.spec, 'server').volumeMounts).toEqual([{ name: 'data', mountPath: '/var/lib/postgresql/data' }]);
    expect(spec.spec.template.spec.volumes).toBeUndefined();
    expect(container(spec.spec.template.spec, 'metrics').volumeMounts).toBeUndefined();
    expect(unresolvedMounts(spec)).toEqual([]);
  });

  test('a mount into a container with mounts of its own is appended to them', () => {
    const { chart, sts, server } = statefulSet();
    server.mount('/run/postgresql', kplus.Volume.fromEmptyDir(chart, 'run', 'run'));
    const data = ClaimTemplate.add(sts, claims());
    const wal = ClaimTemplate.add(sts, claims({ templateName: 'wal' }));
    data.mount(server.name, '/var/lib/postgresql/data');
    wal.mount(server.name, '/var/lib/postgresql/wal', { subPath: 'pg_wal' });
    const spec = stsOf(chart);
    expect(container(spec.spec.template.spec, 'server').volumeMounts).toEqual([
      { name: 'run', mountPath: '/run/postgresql' },
      { name: 'data', mountPath: '/var/lib/postgresql/data' },
      { name: 'wal', mountPath: '/var/lib/postgresql/wal', subPath: 'pg_wal' },
    ]);
    expect(spec.spec.template.spec.volumes.map((v: any) => v.name)).toEqual(['run']);
    expect(unresolvedMounts(spec)).toEqual([]);
  });

  test('one template can be mounted into several containers, init containers included', () => {
    const { chart, sts, server, metrics, init } = statefulSet();
    const data = ClaimTemplate.add(sts, claims());
    data.mount(init.name, '/data');
    data.mount(server.name, '/var/lib/postgresql/data');
    data.mount(metrics.name, '/data', { readOnly: true });
    const podSpec = stsOf(chart).spec.template.spec;
    expect(container(podSpec, 'init').volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
    expect(container(podSpec, 'server').volumeMounts).toEqual([{ name: 'data', mountPath: '/var/lib/postgresql/data' }]);
    expect(container(podSpec, 'metrics').volumeMounts).toEqual([{ name: 'data', mountPath: '/data', readOnly: true }]);
    expect(unresolvedMounts(stsOf(chart))).toEqual([]);
  });

  test('the claims the StatefulSet creates are the ones PerPodClaims names', () => {
    const { chart, sts } = statefulSet();
    const data = ClaimTemplate.add(sts, claims());
    const spec = stsOf(chart);
    const names = [0, 1].map(ordinal => `${spec.spec.volumeClaimTemplates[0].metadata.name}-${spec.metadata.name}-${ordinal}`);
    expect(data.claims.claimNames).toEqual(names);
    expect(names).toEqual(['data-db-0', 'data-db-1']);
  });

  test('fails when the claims are made for another StatefulSet', () => {
    const { sts } = statefulSet();
    expect(() => ClaimTemplate.add(sts, claims({ statefulSet: { name: 'web' } })))
      .toThrow('claim template "data" must be made for StatefulSet "db", or its claims get other names (got claims for "web")');
  });

  test('fails when the claims are in another namespace than the StatefulSet', () => {
    const { sts } = statefulSet(new Chart(Testing.app(), 'c', { namespace: 'prod' }));
    expect(() => ClaimTemplate.add(sts, claims()))
      .toThrow('claim template "data" must have the namespace of StatefulSet "db" ("prod"), or volumes pre-bound to its claims never bind (got "default")');
  });

  test('fails when the claims cover fewer pods than the StatefulSet runs', () => {
    const { sts } = statefulSet(Testing.chart(), { replicas: 3 });
    expect(() => ClaimTemplate.add(sts, claims()))
      .toThrow('claim template "data" must cover the 3 replicas of StatefulSet "db" (got claims for 2)');
  });

  test('fails when a template name is added twice', () => {
    const { sts } = statefulSet();
    ClaimTemplate.add(sts, claims());
    expect(() => ClaimTemplate.add(sts, claims({ size: Size.gibibytes(9) })))
      .toThrow('claim template names of StatefulSet "db" must be distinct (got "data" twice)');
  });

  test('fails when the container is not part of the StatefulSet', () => {
    const { sts } = statefulSet();
    const other = new kplus.Deployment(Testing.chart(), 'other', { containers: [{ name: 'app', image: 'app:1' }] });
    expect(() => ClaimTemplate.add(sts, claims()).mount(other.containers[0].name, '/data'))
      .toThrow('claim template "data" needs a container of "test/db" ("server", "metrics", "init") (got "app")');
  });

  test('fails when the mount path is relative or the subPath leaves the volume', () => {
    const { sts, server } = statefulSet();
    const data = ClaimTemplate.add(sts, claims());
    expect(() => data.mount(server.name, 'data')).toThrow('mount path of claim template "data" must be an absolute path without \'..\' segments (got "data")');
    expect(() => data.mount(server.name, '/data', { subPath: '../etc' }))
      .toThrow('subPath of claim template "data" must be a relative path without \'..\' segments (got "../etc")');
    expect(() => data.mount(server.name, '/data', { subPath: '/abs' }))
      .toThrow('subPath of claim template "data" must be a relative path without \'..\' segments (got "/abs")');
  });

  test('fails when a container gets two mounts at one path', () => {
    const { chart, sts, server } = statefulSet();
    server.mount('/data', kplus.Volume.fromEmptyDir(chart, 'scratch', 'scratch'));
    const data = ClaimTemplate.add(sts, claims());
    expect(() => data.mount(server.name, '/data')).toThrow('mount paths of container "server" must be distinct (got "/data" twice)');
    const wal = ClaimTemplate.add(sts, claims({ templateName: 'wal' }));
    data.mount(server.name, '/var/lib/data');
    expect(() => wal.mount(server.name, '/var/lib/data')).toThrow('mount paths of container "server" must be distinct (got "/var/lib/data" twice)');
  });

  test('fails when a container gets its first mount of its own after a claim mount', () => {
    const { chart, sts, server } = statefulSet();
    ClaimTemplate.add(sts, claims()).mount(server.name, '/data');
    server.mount('/tmp', kplus.Volume.fromEmptyDir(chart, 'tmp', 'tmp'));
    expect(() => synth(chart)).toThrow('container "server" must get its own volume mounts before a claim template is mounted into it, because the claim mounts create its volumeMounts list (got /tmp afterwards)');
  });

  test('fails when a pod volume has the name of a claim template', () => {
    const { chart, sts, metrics } = statefulSet();
    ClaimTemplate.add(sts, claims());
    metrics.mount('/scratch', kplus.Volume.fromEmptyDir(chart, 'shadow', 'data'));
    expect(() => synth(chart)).toThrow('pod volume "data" must not share its name with a claim template of StatefulSet "db": Kubernetes would use the claim in its place (rename the volume or the template)');
  });

  test('fails on anything but a cdk8s-plus StatefulSet', () => {
    const chart = Testing.chart();
    const deployment = new kplus.Deployment(chart, 'app', { containers: [{ name: 'app', image: 'app:1' }] });
    expect(() => ClaimTemplate.add(deployment, claims())).toThrow('claim template "data" needs a StatefulSet (got a Deployment, "test/app")');
  });
});
