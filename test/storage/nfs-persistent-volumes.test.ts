import { Size, Testing } from 'cdk8s';
import { NfsPersistentVolumes, NfsPersistentVolumesProps, PerPodClaims, ReclaimPolicy, StatefulMySQL, VolumeAccessMode } from '../../lib';
import { allOfKind, find, synth } from '../support/objects';
import { validateManifests } from '../support/manifests';

function claims(props: Partial<ConstructorParameters<typeof PerPodClaims>[0]> = {}): PerPodClaims {
  return new PerPodClaims({ statefulSet: { name: 'mysql' }, namespace: 'db', replicas: 3, storageClassName: 'nfs-mysql', ...props });
}

function volumes(props: Partial<NfsPersistentVolumesProps> = {}) {
  const chart = Testing.chart();
  const nfs = new NfsPersistentVolumes(chart, 'Volumes', { claims: claims(), server: '10.0.0.5', basePath: '/exports/mysql', ...props });
  return { nfs, objects: synth(chart) };
}

describe('NfsPersistentVolumes', () => {
  test('defaults match the snapshot', () => {
    expect(volumes().objects).toMatchSnapshot();
  });

  test('each volume is pre-bound to the claim of its ordinal, in the claims\' namespace', () => {
    const { objects } = volumes();
    for (const ordinal of [0, 1, 2]) {
      const pv = find(objects, 'PersistentVolume', `db-data-mysql-${ordinal}-nfs`);
      expect(pv.spec.claimRef).toEqual({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'db', name: `data-mysql-${ordinal}` });
      expect(pv.spec.nfs).toEqual({ server: '10.0.0.5', path: `/exports/mysql/data-mysql-${ordinal}` });
      expect(pv.spec.storageClassName).toBe('nfs-mysql');
      expect(pv.spec.capacity).toEqual({ storage: '10Gi' });
      expect(pv.spec.accessModes).toEqual(['ReadWriteOnce']);
      expect(pv.spec.persistentVolumeReclaimPolicy).toBe('Retain');
    }
  });

  test('export paths are distinct', () => {
    const { objects } = volumes({ count: 5, pathPattern: 'member-{ordinal}' });
    const paths = allOfKind(objects, 'PersistentVolume').map(pv => pv.spec.nfs.path);
    expect(paths).toHaveLength(5);
    expect(new Set(paths).size).toBe(5);
    expect(paths[4]).toBe('/exports/mysql/member-4');
  });

  test('creates the StorageClass the claims name, with no provisioner and delayed binding', () => {
    const sc = find(volumes().objects, 'StorageClass', 'nfs-mysql');
    expect(sc.provisioner).toBe('kubernetes.io/no-provisioner');
    expect(sc.volumeBindingMode).toBe('WaitForFirstConsumer');
    expect(allOfKind(volumes({ createStorageClass: false }).objects, 'StorageClass')).toEqual([]);
  });

  test('capacity, access modes, reclaim policy and mount options pass through', () => {
    const { objects } = volumes({
      capacity: Size.gibibytes(20),
      accessModes: [VolumeAccessMode.READ_WRITE_ONCE, VolumeAccessMode.READ_WRITE_MANY],
      reclaimPolicy: ReclaimPolicy.RETAIN,
      mountOptions: ['nfsvers=4.1', 'hard'],
    });
    const pv = find(objects, 'PersistentVolume', 'db-data-mysql-1-nfs');
    expect(pv.spec).toMatchObject({
      capacity: { storage: '20Gi' },
      accessModes: ['ReadWriteOnce', 'ReadWriteMany'],
      persistentVolumeReclaimPolicy: 'Retain',
      mountOptions: ['nfsvers=4.1', 'hard'],
    });
  });

  test('binds to a StatefulMySQL cluster\'s claims', () => {
    const chart = Testing.chart();
    const db = new StatefulMySQL(chart, 'orders', { namespace: 'shop', storage: { storageClassName: 'nfs-orders' } });
    new NfsPersistentVolumes(chart, 'Volumes', { claims: db.dataClaims, server: 'nfs', basePath: '/srv' });
    const objects = synth(chart);
    const template = find(objects, 'StatefulSet', 'orders').spec.volumeClaimTemplates[0];
    const pv = find(objects, 'PersistentVolume', 'shop-data-orders-2-nfs');
    expect(pv.spec.claimRef.name).toBe(`${template.metadata.name}-orders-2`);
    expect(pv.spec.claimRef.namespace).toBe('shop');
    expect(pv.spec.storageClassName).toBe(template.spec.storageClassName);
  });

  test('fails when there are fewer volumes than replicas', () => {
    expect(() => volumes({ count: 2 })).toThrow('NFS volume count must be at least the number of replicas (3) so every pod\'s claim can bind (got 2)');
  });

  test('fails when the reclaim policy is Delete, which Kubernetes cannot carry out on a static NFS volume', () => {
    expect(() => volumes({ reclaimPolicy: ReclaimPolicy.DELETE }))
      .toThrow('NFS reclaimPolicy must be ReclaimPolicy.RETAIN: Kubernetes cannot delete a static NFS volume, which goes Failed instead (got "Delete"); use NfsSubdirProvisioner for volumes that are deleted with their claims');
  });

  test('fails when one cluster\'s base path lies inside another\'s volume, however the paths are spelled', () => {
    const chart = Testing.chart();
    const a = new StatefulMySQL(chart, 'a', { storage: { storageClassName: 'nfs-a' } });
    const b = new StatefulMySQL(chart, 'b', { storage: { storageClassName: 'nfs-b' } });
    new NfsPersistentVolumes(chart, 'A', { claims: a.dataClaims, server: 'nfs', basePath: '/e/db' });
    new NfsPersistentVolumes(chart, 'B', { claims: b.dataClaims, server: 'nfs', basePath: '/e//db/data-a-0/' });
    expect(() => synth(chart)).toThrow('PersistentVolume "default-data-b-0-nfs" of test/B must not nest its directory with "default-data-a-0-nfs" of test/A (nfs nfs:/e/db/data-a-0/data-b-0 and nfs nfs:/e/db/data-a-0): two workloads would write one directory');
    const same = Testing.chart();
    const c = new StatefulMySQL(same, 'c', { storage: { storageClassName: 'nfs-c' } });
    new NfsPersistentVolumes(same, 'C1', { claims: c.dataClaims, server: 'nfs', basePath: '/e/db', count: 3 });
    new NfsPersistentVolumes(same, 'C2', { claims: new PerPodClaims({ statefulSet: { name: 'd' }, namespace: 'default', replicas: 1, storageClassName: 'nfs-c' }), server: 'nfs', basePath: '/e//db/', pathPattern: 'data-c-{ordinal}', createStorageClass: false });
    expect(() => synth(same)).toThrow('must not share its directory with');
  });

  test('claims without a class ("") get volumes without a class and no StorageClass', () => {
    const chart = Testing.chart();
    const db = new StatefulMySQL(chart, 'orders', { storage: { storageClassName: '' } });
    new NfsPersistentVolumes(chart, 'Volumes', { claims: db.dataClaims, server: 'nfs', basePath: '/srv' });
    const objects = synth(chart);
    expect(allOfKind(objects, 'StorageClass')).toEqual([]);
    expect(find(objects, 'StatefulSet', 'orders').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('');
    expect(find(objects, 'PersistentVolume', 'default-data-orders-0-nfs').spec.storageClassName).toBe('');
    expect(validateManifests(objects)).toEqual([]);
  });

  test('the StorageClass and volumes come before the StatefulSet that mounts them', () => {
    const later = Testing.chart();
    const db = new StatefulMySQL(later, 'orders', { storage: { storageClassName: 'nfs-orders' } });
    new NfsPersistentVolumes(later, 'Volumes', { claims: db.dataClaims, server: 'nfs', basePath: '/srv' });
    const order = (objects: any[]) => objects.map(o => o.kind);
    const laterKinds = order(synth(later));
    expect(laterKinds.indexOf('StorageClass')).toBeLessThan(laterKinds.indexOf('StatefulSet'));
    expect(laterKinds.lastIndexOf('PersistentVolume')).toBeLessThan(laterKinds.indexOf('StatefulSet'));
  });

  test('fails when the NFS server or path is empty', () => {
    expect(() => volumes({ server: '' })).toThrow('NFS server must be a host name (a lower-case DNS name) or an IP address (got "")');
    expect(() => volumes({ server: 'nfs server' })).toThrow('NFS server must be a host name (a lower-case DNS name) or an IP address (got "nfs server")');
    expect(volumes({ server: 'fd00::5' }).objects).toBeDefined();
    expect(() => volumes({ basePath: '' })).toThrow('NFS basePath must be a non-empty string');
    expect(() => volumes({ basePath: 'exports/mysql' })).toThrow('NFS basePath must be an absolute path without \'..\' segments (got "exports/mysql")');
  });

  test('fails when export paths would be shared', () => {
    expect(() => volumes({ pathPattern: 'data' })).toThrow('NFS pathPattern must contain {ordinal} or {claim}, or every volume would share one directory (got "data")');
    expect(() => volumes({ pathPattern: '{statefulset}-{ordinal}/../x' })).toThrow('NFS path of ordinal 0 must be an absolute path without \'..\' segments');
  });

  test('fails when the claims name no StorageClass', () => {
    expect(() => new NfsPersistentVolumes(Testing.chart(), 'V', { claims: claims({ storageClassName: undefined }), server: 'nfs', basePath: '/x' }))
      .toThrow('NfsPersistentVolumes needs claims with a storageClassName (got none for "data-mysql-0")');
  });

  test('fails when the capacity is smaller than the claims request', () => {
    expect(() => volumes({ capacity: Size.gibibytes(5) })).toThrow('NFS capacity must be at least the claims\' requested size 10Gi (got 5Gi)');
  });

  test('fails when the volumes lack an access mode the claims request', () => {
    expect(() => volumes({ accessModes: [VolumeAccessMode.READ_ONLY_MANY] })).toThrow('NFS accessModes must include every access mode the claims request (missing ReadWriteOnce; got [ReadOnlyMany])');
  });
});
