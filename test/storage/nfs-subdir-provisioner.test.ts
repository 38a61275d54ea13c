import { Testing } from 'cdk8s';
import { NfsSubdirProvisioner, NfsSubdirProvisionerProps } from '../../lib';
import { find, synth } from '../support/objects';

function provisioner(props: Partial<NfsSubdirProvisionerProps> = {}) {
  const chart = Testing.chart();
  new NfsSubdirProvisioner(chart, 'Nfs', { server: '10.0.0.5', path: '/exports', storageClassName: 'nfs-client', ...props });
  return synth(chart);
}

describe('NfsSubdirProvisioner', () => {
  test('defaults match the snapshot', () => {
    expect(provisioner()).toMatchSnapshot();
  });

  test('the Deployment runs as the ServiceAccount bound to the provisioner RBAC', () => {
    const objects = provisioner();
    const deployment = find(objects, 'Deployment', 'nfs-subdir-provisioner');
    const spec = deployment.spec.template.spec;
    expect(spec.serviceAccountName).toBe('nfs-subdir-provisioner');
    find(objects, 'ServiceAccount', 'nfs-subdir-provisioner');
    const binding = find(objects, 'ClusterRoleBinding', 'nfs-subdir-provisioner-runner');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'nfs-subdir-provisioner', namespace: 'default' }]);
    expect(find(objects, 'ClusterRole', binding.roleRef.name).rules.map((r: any) => r.resources[0])).toContain('persistentvolumes');
    expect(find(objects, 'RoleBinding', 'nfs-subdir-provisioner-leader-election').roleRef.kind).toBe('Role');
    expect(spec.volumes).toEqual([{ name: 'nfs-root', nfs: { server: '10.0.0.5', path: '/exports' } }]);
    expect(spec.containers[0].env).toContainEqual({ name: 'NFS_PATH', value: '/exports' });
  });

  test('the StorageClass names the provisioner the Deployment announces', () => {
    const objects = provisioner();
    const sc = find(objects, 'StorageClass', 'nfs-client');
    const env = find(objects, 'Deployment', 'nfs-subdir-provisioner').spec.template.spec.containers[0].env;
    expect(sc.provisioner).toBe(env.find((e: any) => e.name === 'PROVISIONER_NAME').value);
    expect(sc.parameters.archiveOnDelete).toBe('true');
  });

  test('fails when the NFS server or path is empty or relative', () => {
    expect(() => provisioner({ server: ' ' })).toThrow('NFS server must be a non-empty string');
    expect(() => provisioner({ path: 'exports' })).toThrow('NFS path must be an absolute path without \'..\' segments (got "exports")');
  });

  test('fails when the StorageClass name is invalid', () => {
    expect(() => provisioner({ storageClassName: 'NFS' })).toThrow('storageClassName must be a DNS-1123 subdomain');
  });
});
