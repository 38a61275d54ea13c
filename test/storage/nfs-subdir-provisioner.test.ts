import { App, Chart, Testing } from 'cdk8s';
import { NfsSubdirProvisioner, NfsSubdirProvisionerProps, ReclaimPolicy } from '../../lib';
import { synthAppObjects, synthChartObjects, validateManifests } from '../support/manifests';
import { allOfKind, find, synth } from '../support/objects';

const REQUIRED: NfsSubdirProvisionerProps = { server: '10.0.0.5', path: '/exports', storageClassName: 'nfs-client' };

function provisioner(props: Partial<NfsSubdirProvisionerProps> = {}) {
  const chart = Testing.chart();
  new NfsSubdirProvisioner(chart, 'Nfs', { ...REQUIRED, ...props });
  return synth(chart);
}

/** Constructs with props as a JavaScript caller could pass them, past the type checker. */
function fromJavaScript(props: Record<string, unknown>) {
  return provisioner(props as Partial<NfsSubdirProvisionerProps>);
}

function podSpec(objects: any[]) {
  return find(objects, 'Deployment', 'nfs-subdir-provisioner').spec.template.spec;
}

describe('NfsSubdirProvisioner', () => {
  test('defaults match the snapshot', () => {
    expect(provisioner()).toMatchSnapshot();
  });

  test('the Deployment runs as the ServiceAccount bound to the provisioner RBAC', () => {
    const objects = provisioner();
    const spec = podSpec(objects);
    expect(spec.serviceAccountName).toBe('nfs-subdir-provisioner');
    find(objects, 'ServiceAccount', 'nfs-subdir-provisioner');
    const binding = find(objects, 'ClusterRoleBinding', 'default.nfs-subdir-provisioner-runner');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'nfs-subdir-provisioner', namespace: 'default' }]);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'default.nfs-subdir-provisioner-runner' });
    const roleBinding = find(objects, 'RoleBinding', 'nfs-subdir-provisioner-leader-election');
    expect(roleBinding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'nfs-subdir-provisioner-leader-election' });
    expect(roleBinding.subjects).toEqual(binding.subjects);
    expect(spec.volumes).toEqual([{ name: 'nfs-root', nfs: { server: '10.0.0.5', path: '/exports' } }]);
    expect(spec.containers[0].volumeMounts).toEqual([{ name: 'nfs-root', mountPath: '/persistentvolumes' }]);
    expect(spec.containers[0].env).toContainEqual({ name: 'NFS_PATH', value: '/exports' });
    expect(spec.containers[0].image).toBe('registry.k8s.io/sig-storage/nfs-subdir-external-provisioner:v4.0.2');
  });

  test('the StorageClass names the provisioner the Deployment announces', () => {
    const objects = provisioner();
    const sc = find(objects, 'StorageClass', 'nfs-client');
    const env = podSpec(objects).containers[0].env;
    expect(sc.provisioner).toBe('default.cluster.local/nfs-subdir-provisioner');
    expect(sc.provisioner).toBe(env.find((e: any) => e.name === 'PROVISIONER_NAME').value);
    expect(sc.parameters).toEqual({ archiveOnDelete: 'true', pathPattern: '${.PVC.namespace}-${.PVC.name}' });
    expect(sc.reclaimPolicy).toBe('Retain');
    expect(sc.volumeBindingMode).toBe('Immediate');
  });

  test('the StorageClass carries the given parameters', () => {
    const sc = find(provisioner({
      archiveOnDelete: false, reclaimPolicy: ReclaimPolicy.DELETE, pathPattern: 'pvc.${.PVC.namespace}.${.PVC.labels.app.kubernetes.io/name}.${.PVC.name}',
    }), 'StorageClass', 'nfs-client');
    expect(sc.parameters).toEqual({
      archiveOnDelete: 'false', pathPattern: 'pvc.${.PVC.namespace}.${.PVC.labels.app.kubernetes.io/name}.${.PVC.name}',
    });
    expect(sc.reclaimPolicy).toBe('Delete');
  });

  describe('security', () => {
    test('the pod runs as nobody (65534), non-root, with RuntimeDefault seccomp', () => {
      expect(podSpec(provisioner()).securityContext).toEqual({
        runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' },
      });
    });

    test('the container cannot escalate, has no capabilities and a read-only root filesystem', () => {
      expect(podSpec(provisioner()).containers[0].securityContext).toEqual({
        allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
      });
    });

    test('runAsUser and runAsGroup choose the ids the export sees', () => {
      const context = podSpec(provisioner({ runAsUser: 1000, runAsGroup: 0 })).securityContext;
      expect(context).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 0 });
    });

    test('fails when runAsUser is root or not an id', () => {
      expect(() => provisioner({ runAsUser: 0 })).toThrow('runAsUser must be an integer between 1 and 2147483647 (got 0)');
      expect(() => provisioner({ runAsUser: 2147483648 })).toThrow('runAsUser must be an integer between 1 and 2147483647 (got 2147483648)');
      expect(() => fromJavaScript({ runAsUser: '1000' })).toThrow('runAsUser must be an integer between 1 and 2147483647 (got "1000")');
      expect(() => provisioner({ runAsGroup: -1 })).toThrow('runAsGroup must be an integer between 0 and 2147483647 (got -1)');
    });
  });

  describe('RBAC', () => {
    test('the ClusterRole grants only what the provisioner calls', () => {
      expect(find(provisioner(), 'ClusterRole', 'default.nfs-subdir-provisioner-runner').rules).toEqual([
        { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
        { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['list', 'watch'] },
        { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      ]);
    });

    test('the leader-election Role may create Endpoints and get and update only the lock', () => {
      const role = find(provisioner(), 'Role', 'nfs-subdir-provisioner-leader-election');
      expect(role.metadata.namespace).toBe('default');
      expect(role.rules).toEqual([
        { apiGroups: [''], resources: ['endpoints'], verbs: ['create'] },
        { apiGroups: [''], resources: ['endpoints'], resourceNames: ['default.cluster.local-nfs-subdir-provisioner'], verbs: ['get', 'update'] },
      ]);
    });

    test('the lock name follows a custom provisionerName', () => {
      const role = find(provisioner({ provisionerName: 'example.com/nfs' }), 'Role', 'nfs-subdir-provisioner-leader-election');
      expect(role.rules[1].resourceNames).toEqual(['example.com-nfs']);
    });
  });

  describe('names', () => {
    function twoNamespaces(): any[] {
      const app = Testing.app();
      for (const namespace of ['team-a', 'team-b']) {
        new NfsSubdirProvisioner(new Chart(app, namespace, { namespace }), 'Nfs', { ...REQUIRED, storageClassName: `nfs-${namespace}` });
      }
      return synthAppObjects(app);
    }

    test('cluster-scoped RBAC and provisioner names include the namespace, so two namespaces do not collide', () => {
      const objects = twoNamespaces();
      expect(allOfKind(objects, 'ClusterRole').map(o => o.metadata.name).sort()).toEqual([
        'team-a.nfs-subdir-provisioner-runner', 'team-b.nfs-subdir-provisioner-runner',
      ]);
      expect(allOfKind(objects, 'ClusterRoleBinding').map(o => [o.metadata.name, o.roleRef.name, o.subjects[0].namespace]).sort()).toEqual([
        ['team-a.nfs-subdir-provisioner-runner', 'team-a.nfs-subdir-provisioner-runner', 'team-a'],
        ['team-b.nfs-subdir-provisioner-runner', 'team-b.nfs-subdir-provisioner-runner', 'team-b'],
      ]);
      expect(allOfKind(objects, 'StorageClass').map(o => [o.metadata.name, o.provisioner]).sort()).toEqual([
        ['nfs-team-a', 'team-a.cluster.local/nfs-subdir-provisioner'],
        ['nfs-team-b', 'team-b.cluster.local/nfs-subdir-provisioner'],
      ]);
      expect(validateManifests(objects)).toEqual([]);
    });

    test('cluster-scoped objects carry no namespace', () => {
      const objects = twoNamespaces();
      for (const kind of ['ClusterRole', 'ClusterRoleBinding', 'StorageClass']) {
        for (const object of allOfKind(objects, kind)) {
          expect(object.metadata.namespace).toBeUndefined();
        }
      }
      expect(allOfKind(objects, 'Role').map(o => o.metadata.namespace).sort()).toEqual(['team-a', 'team-b']);
    });

    test('the longest name and namespace still give valid manifests', () => {
      const chart = new Chart(Testing.app(), 'storage', { namespace: 'n'.repeat(63) });
      new NfsSubdirProvisioner(chart, 'Nfs', { ...REQUIRED, name: 'p'.repeat(63) });
      const objects = synthChartObjects(chart);
      expect(find(objects, 'ClusterRole', `${'n'.repeat(63)}.${'p'.repeat(63)}-runner`)).toBeDefined();
      expect(validateManifests(objects)).toEqual([]);
    });
  });

  test('manifests with every prop set validate', () => {
    const app: App = Testing.app();
    new NfsSubdirProvisioner(new Chart(app, 'storage', { namespace: 'storage' }), 'Nfs', {
      ...REQUIRED, name: 'nfs', namespace: 'nfs-system', provisionerName: 'example.com/nfs', pathPattern: '${.PVC.namespace}_${.PVC.name}',
      archiveOnDelete: false, reclaimPolicy: ReclaimPolicy.DELETE, image: 'registry.example.com/nfs-subdir:v4.0.2', runAsUser: 1000, runAsGroup: 1000,
    });
    const objects = synthAppObjects(app);
    expect(find(objects, 'Deployment', 'nfs').metadata.namespace).toBe('nfs-system');
    expect(validateManifests(objects)).toEqual([]);
  });

  describe('fails on bad input', () => {
    test('fails when the NFS server or path is empty or relative', () => {
      expect(() => provisioner({ server: ' ' })).toThrow('server must be a host name (a lower-case DNS name) or an IP address (got " ")');
      expect(() => provisioner({ server: 'nfs:/exports' })).toThrow('(got "nfs:/exports")');
      expect(() => provisioner({ path: 'exports' })).toThrow('path must be an absolute path without \'..\' segments (got "exports")');
    });

    test('fails when the StorageClass name is invalid', () => {
      expect(() => provisioner({ storageClassName: 'NFS' })).toThrow('storageClassName must be a DNS-1123 subdomain');
    });

    test('fails when the name or namespace is not a DNS label', () => {
      expect(() => provisioner({ name: 'nfs.provisioner' })).toThrow('name must be a DNS-1123 label');
      expect(() => provisioner({ namespace: 'Storage' })).toThrow('namespace must be a DNS-1123 label');
    });

    test('fails when provisionerName is not a qualified name', () => {
      expect(() => provisioner({ provisionerName: 'nfs provisioner' })).toThrow('provisionerName\'s name (after any \'/\', which also names the leader-election Endpoints lock) in "nfs provisioner" must be a DNS-1123 subdomain');
      expect(() => provisioner({ provisionerName: 'a/b/c' })).toThrow('provisionerName must be a qualified name with at most one \'/\', such as "example.com/nfs" (got "a/b/c")');
      expect(() => provisioner({ provisionerName: 'example_com/nfs' })).toThrow('provisionerName\'s prefix (before \'/\') in "example_com/nfs" must be a DNS-1123 subdomain');
      expect(() => provisioner({ provisionerName: '' })).toThrow('provisionerName must be a non-empty string');
      expect(() => provisioner({ provisionerName: `example.com/${'n'.repeat(64)}` })).toThrow('provisionerName\'s name (after any \'/\') must be at most 63 characters');
    });

    test('fails when provisionerName would give an invalid leader-election lock name', () => {
      // Both are valid StorageClass provisioners, but the image could never create its lock.
      expect(() => provisioner({ provisionerName: 'example.com/NFS' })).toThrow('in "example.com/NFS" must be a DNS-1123 subdomain');
      expect(() => provisioner({ provisionerName: 'example.com/my_nfs' })).toThrow('in "example.com/my_nfs" must be a DNS-1123 subdomain');
      expect(() => provisioner({ provisionerName: `${'a.'.repeat(125)}com/nfs` })).toThrow('provisionerName must be at most 253 characters');
    });

    test('fails when pathPattern lacks the namespace or the claim name', () => {
      expect(() => provisioner({ pathPattern: '${.PVC.name}' })).toThrow('pathPattern must contain both ${.PVC.namespace} and ${.PVC.name}, so that no two claims share a directory (got "${.PVC.name}")');
      expect(() => provisioner({ pathPattern: 'static' })).toThrow('pathPattern must contain both');
    });

    test('fails when pathPattern nests directories or leaves the export', () => {
      expect(() => provisioner({ pathPattern: '${.PVC.namespace}/${.PVC.name}' })).toThrow('pathPattern may hold, besides placeholders, only letters, digits');
      expect(() => provisioner({ pathPattern: '../${.PVC.namespace}-${.PVC.name}' })).toThrow('no \'/\'');
      expect(() => provisioner({ pathPattern: '${.PVC.namespace} ${.PVC.name}' })).toThrow('(got "${.PVC.namespace} ${.PVC.name}")');
      expect(() => provisioner({ pathPattern: '${.PVC.namespace}-${.PVC.name' })).toThrow('no \'$\', \'{\' or \'}\' outside a placeholder');
    });

    test('fails when pathPattern uses annotations or unknown placeholders', () => {
      expect(() => provisioner({ pathPattern: '${.PVC.namespace}-${.PVC.name}-${.PVC.annotations.dir}' })).toThrow('pathPattern must not use ${.PVC.annotations.dir}: an annotation is free text');
      expect(() => provisioner({ pathPattern: '${.PVC.namespace}-${.PVC.name}-${.PVC.uid}' })).toThrow('pathPattern has the unknown placeholder ${.PVC.uid}');
      expect(() => provisioner({ pathPattern: '${.PVC.namespace}-${.PVC.name}-${.PVC.labels.}' })).toThrow('unknown placeholder ${.PVC.labels.}');
    });

    test('fails when the image is not an image reference', () => {
      expect(() => provisioner({ image: '' })).toThrow('image must be an image reference: [registry/]lower-case/path[:tag][@digest], e.g. "nginx:1.27.3" (got "")');
      expect(() => provisioner({ image: 'nfs subdir' })).toThrow('(got "nfs subdir")');
      expect(() => provisioner({ image: 'Registry.k8s.io/NFS:v1' })).toThrow('(got "Registry.k8s.io/NFS:v1")');
      expect(provisioner({ image: 'harbor.example.com:8443/mirror/nfs-subdir-external-provisioner:v4.0.2' })).toBeDefined();
    });
  });

  describe('fails on JavaScript callers\' wrong types', () => {
    test.each<[string, Record<string, unknown>, string]>([
      ['server is a number', { server: 42 }, 'server must be a host name (a lower-case DNS name) or an IP address (got 42)'],
      ['path is missing', { path: undefined }, 'path must be a non-empty string without leading or trailing whitespace (got undefined)'],
      ['storageClassName is an object', { storageClassName: {} }, 'storageClassName must be a DNS-1123 subdomain'],
      ['name is a number', { name: 7 }, 'name must be a DNS-1123 label'],
      ['namespace is a boolean', { namespace: true }, 'namespace must be a DNS-1123 label'],
      ['provisionerName is a number', { provisionerName: 1 }, 'provisionerName must be a non-empty string without leading or trailing whitespace (got 1)'],
      ['pathPattern is an array', { pathPattern: ['${.PVC.name}'] }, 'pathPattern must be a non-empty string'],
      ['archiveOnDelete is a string', { archiveOnDelete: 'yes' }, 'archiveOnDelete must be true or false (got "yes")'],
      ['archiveOnDelete is a number', { archiveOnDelete: 0 }, 'archiveOnDelete must be true or false (got 0)'],
      ['reclaimPolicy is unknown', { reclaimPolicy: 'Recycle' }, 'reclaimPolicy must be one of "Retain", "Delete" (got "Recycle")'],
      ['image is a number', { image: 4 }, 'image must be an image reference'],
      ['runAsGroup is a string', { runAsGroup: 'nobody' }, 'runAsGroup must be an integer between 0 and 2147483647 (got "nobody")'],
    ])('fails when %s', (_case, props, message) => {
      expect(() => fromJavaScript(props)).toThrow(message);
    });

    test('fails when a prop name is misspelt', () => {
      expect(() => fromJavaScript({ archiveOndelete: false })).toThrow('NfsSubdirProvisioner props has unknown properties "archiveOndelete" (known: server, path,');
    });

    test('fails when props are missing', () => {
      const chart = Testing.chart();
      expect(() => new NfsSubdirProvisioner(chart, 'Nfs', undefined as unknown as NfsSubdirProvisionerProps))
        .toThrow('NfsSubdirProvisioner props must be an object with at least server, path and storageClassName (got undefined)');
    });
  });
});
