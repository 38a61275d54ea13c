import { readdirSync, readFileSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  ClaimTemplate, HeadlessService, HostPathPersistentVolumes, NfsPersistentVolumes, PerPodClaims,
} from '../lib';
import * as k8s from '../lib/internal/k8s';
import { find, synth } from './support/objects';

const ROOT = join(__dirname, '..');

/** The building blocks that must serve any StatefulSet: every module of lib/statefulset and lib/storage. */
const BUILDING_BLOCKS = ['lib/statefulset', 'lib/storage']
  .flatMap(dir => readdirSync(join(ROOT, dir)).filter(f => f.endsWith('.ts')).map(f => `${dir}/${f}`));

/** The examples that show them with other applications. */
const OTHER_APP_EXAMPLES = ['examples/web.ts', 'examples/redis.ts'];

/** Local modules `file` imports, as paths relative to the repository root. */
function localImports(file: string): string[] {
  const source = readFileSync(join(ROOT, file), 'utf8');
  return [...source.matchAll(/from '(\.[^']+)'/g)].map(match =>
    relative(ROOT, resolve(ROOT, dirname(file), match[1])) + '.ts');
}

/** `files` and every local module they import, directly or not. */
function importClosure(files: string[]): string[] {
  const seen = new Set<string>();
  const queue = [...files];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (!seen.has(file)) {
      seen.add(file);
      queue.push(...localImports(file));
    }
  }
  return [...seen].sort();
}

describe('the StatefulSet building blocks know nothing about MySQL', () => {
  test.each([...BUILDING_BLOCKS, ...OTHER_APP_EXAMPLES])('%s never mentions MySQL', file => {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    const mentions = lines.map((line, index) => `${index + 1}: ${line.trim()}`).filter(line => /mysql/i.test(line));
    expect(mentions).toEqual([]);
  });

  test('they import only each other and the shared internal helpers, none of which mentions MySQL', () => {
    const outside = importClosure(BUILDING_BLOCKS).filter(file => !BUILDING_BLOCKS.includes(file) && !file.startsWith('lib/internal/'));
    expect(outside).toEqual([]);
    for (const file of importClosure(BUILDING_BLOCKS)) {
      expect(readFileSync(join(ROOT, file), 'utf8')).not.toMatch(/mysql/i);
    }
  });

  test('they compose a Cassandra-like cdk8s-plus StatefulSet on NFS', () => {
    const chart = new Chart(Testing.app(), 'storage', { namespace: 'ring' });
    const service = new HeadlessService(chart, 'service', { name: 'cassandra', ports: [{ name: 'cql', port: 9042 }, { name: 'gossip', port: 7000 }] });
    const cassandra = new kplus.StatefulSet(chart, 'cassandra', {
      metadata: { name: 'cassandra' },
      service,
      replicas: 3,
      containers: [{ name: 'cassandra', image: 'cassandra:5.0', ports: [{ number: 9042 }] }],
    });
    const claims = new PerPodClaims({
      statefulSet: cassandra, namespace: 'ring', replicas: 3, templateName: 'commitlog', size: Size.gibibytes(50), storageClassName: 'nfs-ring',
    });
    ClaimTemplate.add(cassandra, claims).mount('cassandra', '/var/lib/cassandra');
    new NfsPersistentVolumes(chart, 'volumes', { claims, server: 'filer', basePath: '/ring' });

    const objects = synth(chart);
    expect(JSON.stringify(objects)).not.toMatch(/mysql/i);
    const sts = find(objects, 'StatefulSet', 'cassandra');
    expect(sts.spec.serviceName).toBe('cassandra');
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('commitlog');
    for (const ordinal of [0, 1, 2]) {
      const pv = find(objects, 'PersistentVolume', `ring-commitlog-cassandra-${ordinal}-nfs`);
      expect(pv.spec.claimRef).toMatchObject({ namespace: 'ring', name: `commitlog-cassandra-${ordinal}` });
      expect(pv.spec.nfs.path).toBe(`/ring/commitlog-cassandra-${ordinal}`);
    }
    expect(service.hostsFor(cassandra, 2)).toEqual(['cassandra-0.cassandra.ring.svc.cluster.local', 'cassandra-1.cassandra.ring.svc.cluster.local']);
  });

  test('they compose an etcd-like L1 KubeStatefulSet on hostPath', () => {
    const chart = Testing.chart();
    const labels = { app: 'etcd' };
    const service = new HeadlessService(chart, 'etcd', { selector: labels, ports: [{ name: 'peer', port: 2380 }] });
    const claims = new PerPodClaims({ statefulSet: { name: 'etcd' }, namespace: 'kube-system', replicas: 3, templateName: 'wal', storageClassName: 'manual' });
    const etcd = new k8s.KubeStatefulSet(chart, 'set', {
      metadata: { name: claims.statefulSetName, namespace: 'kube-system' },
      spec: {
        serviceName: service.name,
        replicas: claims.replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'etcd', image: 'quay.io/coreos/etcd:v3.5.15', volumeMounts: [{ name: claims.templateName, mountPath: '/var/lib/etcd' }] }] },
        },
        volumeClaimTemplates: [claims.toVolumeClaimTemplate()],
      },
    });
    new HostPathPersistentVolumes(chart, 'volumes', { claims, basePath: '/var/lib/etcd-local', node: 'control-plane' });

    const objects = synth(chart);
    expect(JSON.stringify(objects)).not.toMatch(/mysql/i);
    for (const ordinal of [0, 1, 2]) {
      const pv = find(objects, 'PersistentVolume', `kube-system-wal-etcd-${ordinal}-hostpath`);
      expect(pv.spec.claimRef).toMatchObject({ namespace: 'kube-system', name: `wal-etcd-${ordinal}` });
    }
    expect(service.shortHostFor(etcd, 2)).toBe('etcd-2.etcd');
  });
});
