import { Chart, Size, Testing } from 'cdk8s';
import {
  HostPathPersistentVolumes, HostPathPersistentVolumesProps, NfsPersistentVolumes, PerPodClaims, PerPodClaimsProps, ReclaimPolicy,
  VolumeAccessMode,
} from '../../lib';
import { allOfKind, find, synth } from '../support/objects';
import { validateManifests } from '../support/manifests';

function claims(props: Partial<PerPodClaimsProps> = {}): PerPodClaims {
  return new PerPodClaims({
    statefulSet: { name: 'web' }, namespace: 'apps', replicas: 2, templateName: 'www', size: Size.gibibytes(1), storageClassName: 'manual', ...props,
  });
}

function volumes(props: Partial<HostPathPersistentVolumesProps> = {}, chart: Chart = Testing.chart()) {
  const local = new HostPathPersistentVolumes(chart, 'Local', { claims: claims(), basePath: '/var/local/web', ...props });
  return { local, objects: synth(chart) };
}

describe('HostPathPersistentVolumes', () => {
  test('defaults match the snapshot', () => {
    expect(volumes().objects).toMatchSnapshot();
  });

  test('each volume is a DirectoryOrCreate hostPath pre-bound to the claim of its ordinal', () => {
    const { objects } = volumes();
    for (const ordinal of [0, 1]) {
      const pv = find(objects, 'PersistentVolume', `apps-www-web-${ordinal}-hostpath`);
      expect(pv.spec.claimRef).toEqual({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'apps', name: `www-web-${ordinal}` });
      expect(pv.spec.hostPath).toEqual({ path: `/var/local/web/www-web-${ordinal}`, type: 'DirectoryOrCreate' });
      expect(pv.spec.storageClassName).toBe('manual');
      expect(pv.spec.capacity).toEqual({ storage: '1Gi' });
      expect(pv.spec.accessModes).toEqual(['ReadWriteOnce']);
      expect(pv.spec.persistentVolumeReclaimPolicy).toBe('Retain');
      expect(pv.spec.nodeAffinity).toBeUndefined();
    }
  });

  test('creates the "manual" StorageClass: no provisioner, binding waits for the first pod', () => {
    const sc = find(volumes().objects, 'StorageClass', 'manual');
    expect(sc.provisioner).toBe('kubernetes.io/no-provisioner');
    expect(sc.volumeBindingMode).toBe('WaitForFirstConsumer');
    expect(HostPathPersistentVolumes.DEFAULT_STORAGE_CLASS_NAME).toBe('manual');
    expect(allOfKind(volumes({ createStorageClass: false }).objects, 'StorageClass')).toEqual([]);
  });

  test('a StorageClass of another name is used when the claims name it', () => {
    const chart = Testing.chart();
    new HostPathPersistentVolumes(chart, 'Local', { claims: claims({ storageClassName: 'local-web' }), basePath: '/data', storageClassName: 'local-web' });
    const objects = synth(chart);
    find(objects, 'StorageClass', 'local-web');
    expect(find(objects, 'PersistentVolume', 'apps-www-web-1-hostpath').spec.storageClassName).toBe('local-web');
  });

  test('node pins every volume to one node', () => {
    const { objects, local } = volumes({ node: 'worker-1' });
    expect(local.nodeName).toBe('worker-1');
    for (const pv of allOfKind(objects, 'PersistentVolume')) {
      expect(pv.spec.nodeAffinity).toEqual({
        required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['worker-1'] }] }] },
      });
    }
  });

  test('directories are distinct, also with a custom pattern and room to scale', () => {
    const { objects, local } = volumes({ count: 4, pathPattern: '{statefulset}/{ordinal}', basePath: '/srv/' });
    const paths = allOfKind(objects, 'PersistentVolume').map(pv => pv.spec.hostPath.path);
    expect(paths).toEqual(['/srv/web/0', '/srv/web/1', '/srv/web/2', '/srv/web/3']);
    expect(local.paths).toEqual(paths);
    expect(find(objects, 'PersistentVolume', 'apps-www-web-3-hostpath').spec.claimRef.name).toBe('www-web-3');
  });

  test('cluster-scoped objects carry no namespace, even in a namespaced chart', () => {
    const { objects } = volumes({}, new Chart(Testing.app(), 'dev', { namespace: 'apps' }));
    for (const object of [...allOfKind(objects, 'PersistentVolume'), ...allOfKind(objects, 'StorageClass')]) {
      expect(object.metadata.namespace).toBeUndefined();
    }
  });

  test('capacity, access modes and reclaim policy pass through', () => {
    const { objects } = volumes({
      capacity: Size.gibibytes(5),
      accessModes: [VolumeAccessMode.READ_WRITE_ONCE, VolumeAccessMode.READ_WRITE_MANY],
      reclaimPolicy: ReclaimPolicy.RETAIN,
    });
    expect(find(objects, 'PersistentVolume', 'apps-www-web-0-hostpath').spec).toMatchObject({
      capacity: { storage: '5Gi' },
      accessModes: ['ReadWriteOnce', 'ReadWriteMany'],
      persistentVolumeReclaimPolicy: 'Retain',
    });
  });

  test('fails when the reclaim policy is Delete, which Kubernetes cannot carry out on a hostPath volume', () => {
    expect(() => volumes({ reclaimPolicy: ReclaimPolicy.DELETE }))
      .toThrow('hostPath reclaimPolicy must be ReclaimPolicy.RETAIN: Kubernetes cannot delete a static hostPath volume, which goes Failed instead (got "Delete")');
  });

  test('claims without a class ("") get volumes without a class and no StorageClass', () => {
    const { objects } = volumes({ claims: claims({ storageClassName: '' }) });
    expect(allOfKind(objects, 'StorageClass')).toEqual([]);
    expect(find(objects, 'PersistentVolume', 'apps-www-web-0-hostpath').spec.storageClassName).toBe('');
    expect(validateManifests(objects)).toEqual([]);
    expect(() => volumes({ claims: claims({ storageClassName: '' }), createStorageClass: true }))
      .toThrow('hostPath createStorageClass must be false when the claims ask for no class');
  });

  test('the StorageClass follows the claims when none is named', () => {
    const { objects } = volumes({ claims: claims({ storageClassName: 'local-fast' }) });
    expect(find(objects, 'StorageClass', 'local-fast').provisioner).toBe('kubernetes.io/no-provisioner');
  });

  test('volumes of different sets, or on different nodes, may share a base path', () => {
    const chart = Testing.chart();
    new HostPathPersistentVolumes(chart, 'Web', { claims: claims(), basePath: '/data' });
    new HostPathPersistentVolumes(chart, 'Api', {
      claims: claims({ statefulSet: { name: 'api' } }), basePath: '/data', createStorageClass: false,
    });
    new HostPathPersistentVolumes(chart, 'A', {
      claims: claims({ statefulSet: { name: 'a' } }), basePath: '/x', pathPattern: '{ordinal}', node: 'n1', createStorageClass: false,
    });
    new HostPathPersistentVolumes(chart, 'B', {
      claims: claims({ statefulSet: { name: 'b' } }), basePath: '/x', pathPattern: '{ordinal}', node: 'n2', createStorageClass: false,
    });
    expect(allOfKind(synth(chart), 'PersistentVolume')).toHaveLength(8);
  });

  test('fails when the claims name no StorageClass', () => {
    expect(() => volumes({ claims: claims({ storageClassName: undefined }) }))
      .toThrow('HostPathPersistentVolumes needs claims with a storageClassName (got none for "www-web-0"); create the claims with storageClassName "manual"');
  });

  test('fails when the claims wait on another StorageClass', () => {
    expect(() => volumes({ claims: claims({ storageClassName: 'standard' }), storageClassName: 'manual' }))
      .toThrow('hostPath storageClassName must equal the claims\' storageClassName "standard", or the claims never bind to these volumes (got "manual")');
    expect(() => volumes({ claims: claims({ storageClassName: 'manual' }), storageClassName: 'Manual' }))
      .toThrow('hostPath storageClassName must equal the claims\' storageClassName "manual"');
  });

  test('fails when every volume would share one directory', () => {
    expect(() => volumes({ pathPattern: 'www' }))
      .toThrow('hostPath pathPattern must contain {ordinal} or {claim}, or every volume would share one directory (got "www")');
  });

  test('fails when two constructs point volumes at one directory', () => {
    const chart = Testing.chart();
    new HostPathPersistentVolumes(chart, 'Web', { claims: claims(), basePath: '/data', pathPattern: '{ordinal}' });
    new HostPathPersistentVolumes(chart, 'Api', {
      claims: claims({ statefulSet: { name: 'api' } }), basePath: '/data', pathPattern: '{ordinal}', node: 'n1', createStorageClass: false,
    });
    expect(() => synth(chart)).toThrow(new Error([
      'Validation failed with the following errors:',
      '  [test/Web] PersistentVolume "apps-www-api-0-hostpath" of test/Api must not share its directory with "apps-www-web-0-hostpath" of test/Web (hostPath n1:/data/0 and hostPath /data/0): two workloads would write one directory',
      '  [test/Web] PersistentVolume "apps-www-api-1-hostpath" of test/Api must not share its directory with "apps-www-web-1-hostpath" of test/Web (hostPath n1:/data/1 and hostPath /data/1): two workloads would write one directory',
    ].join('\n')));
  });

  test('fails when two constructs pre-bind volumes to the same claims', () => {
    const chart = Testing.chart();
    new HostPathPersistentVolumes(chart, 'Local', { claims: claims(), basePath: '/data' });
    new NfsPersistentVolumes(chart, 'Nfs', { claims: claims(), server: 'nfs', basePath: '/exports', createStorageClass: false });
    expect(() => synth(chart)).toThrow(/^Validation failed with the following errors:\n {2}\[test\/Local\] PersistentVolume "apps-www-web-0-nfs" of test\/Nfs must not be pre-bound to the same claim as "apps-www-web-0-hostpath" of test\/Local \(both claim apps\/www-web-0\)\n {2}\[test\/Local\] PersistentVolume "apps-www-web-1-nfs" of test\/Nfs must not be pre-bound to the same claim as "apps-www-web-1-hostpath" of test\/Local \(both claim apps\/www-web-1\)$/);
  });

  test('fails when the StorageClass is created twice', () => {
    const chart = Testing.chart();
    new HostPathPersistentVolumes(chart, 'Web', { claims: claims(), basePath: '/data' });
    new HostPathPersistentVolumes(chart, 'Api', { claims: claims({ statefulSet: { name: 'api' } }), basePath: '/data' });
    expect(() => synth(chart)).toThrow(new Error([
      'Validation failed with the following errors:',
      '  [test/Web] StorageClass.storage.k8s.io "manual" is defined twice, by test/Web/StorageClass and test/Api/StorageClass: each kind, namespace and name must be unique in the app, or applying it replaces the first object with the second; if both come from NfsPersistentVolumes or HostPathPersistentVolumes sharing one class, set createStorageClass: false on all but one',
    ].join('\n')));
  });

  test('fails when one construct\'s directories lie inside another\'s, however the paths are spelled', () => {
    const chart = Testing.chart();
    new HostPathPersistentVolumes(chart, 'Web', { claims: claims(), basePath: '/data//web/' });
    new HostPathPersistentVolumes(chart, 'Api', {
      claims: claims({ statefulSet: { name: 'api' } }), basePath: '/data/web/./www-web-0', createStorageClass: false,
    });
    expect(() => synth(chart)).toThrow('PersistentVolume "apps-www-api-0-hostpath" of test/Api must not nest its directory with "apps-www-web-0-hostpath" of test/Web (hostPath /data/web/www-web-0/www-api-0 and hostPath /data/web/www-web-0)');
  });

  test('fails when there are fewer volumes than replicas', () => {
    expect(() => volumes({ count: 1 })).toThrow('hostPath volume count must be at least the number of replicas (2) so every pod\'s claim can bind (got 1)');
  });

  test('fails when the base path is not absolute', () => {
    expect(() => volumes({ basePath: 'var/local' })).toThrow('hostPath basePath must be an absolute path without \'..\' segments (got "var/local")');
    expect(() => volumes({ basePath: '/var/../etc' })).toThrow('hostPath basePath must be an absolute path without \'..\' segments (got "/var/../etc")');
  });

  test('fails when the capacity or access modes do not satisfy the claims', () => {
    expect(() => volumes({ capacity: Size.mebibytes(512) })).toThrow('hostPath capacity must be at least the claims\' requested size 1Gi (got 512Mi)');
    expect(() => volumes({ accessModes: [VolumeAccessMode.READ_WRITE_MANY] }))
      .toThrow('hostPath accessModes must include every access mode the claims request (missing ReadWriteOnce; got [ReadWriteMany])');
  });

  test('fails when the node name is not a DNS subdomain', () => {
    expect(() => volumes({ node: 'Worker_1' })).toThrow('hostPath node must be a DNS-1123 subdomain: dot-separated DNS labels, at most 253 characters (got "Worker_1")');
  });
});
