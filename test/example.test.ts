import { buildApp } from '../examples/replicated-mysql';
import { find, KubeObject, redactShippedAssets } from './support/objects';

function exampleObjects(): KubeObject[] {
  const app = buildApp();
  return app.charts.flatMap(chart => chart.toJson()) as KubeObject[];
}

describe('example: the classic replicated-MySQL cluster', () => {
  test('matches the snapshot', () => {
    expect(redactShippedAssets(exampleObjects())).toMatchSnapshot();
  });

  test('three members on static NFS volumes bound to their own claims', () => {
    const objects = exampleObjects();
    const sts = find(objects, 'StatefulSet', 'mysql');
    expect(sts.spec.replicas).toBe(3);
    const template = sts.spec.volumeClaimTemplates[0];
    for (const ordinal of [0, 1, 2]) {
      const pv = find(objects, 'PersistentVolume', `default-data-mysql-${ordinal}-nfs`);
      expect(pv.spec.claimRef.name).toBe(`${template.metadata.name}-mysql-${ordinal}`);
      expect(pv.spec.storageClassName).toBe(template.spec.storageClassName);
    }
    find(objects, 'StorageClass', template.spec.storageClassName);
  });

  test('has write, read and member Services', () => {
    const objects = exampleObjects();
    expect(find(objects, 'Service', 'mysql').spec.clusterIP).toBe('None');
    find(objects, 'Service', 'mysql-read');
    find(objects, 'Service', 'mysql-primary');
  });
});
