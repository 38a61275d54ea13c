import { namespaceOf } from '../internal/cluster-dns';
import { Construct } from 'constructs';
import * as k8s from '../internal/k8s';
import { clusterScoped, ReclaimPolicy } from './per-ordinal-volumes';
import { requireAbsolutePath, requireDnsLabel, requireDnsSubdomain, requireNonEmpty } from '../internal/validate';

/** Props of {@link NfsSubdirProvisioner}. */
export interface NfsSubdirProvisionerProps {
  /** NFS server host name or IP address. */
  readonly server: string;
  /** Absolute export directory under which the provisioner creates one directory per claim. */
  readonly path: string;
  /** Name of the StorageClass claims use. */
  readonly storageClassName: string;
  /**
   * Name of the Deployment, ServiceAccount and RBAC objects.
   * @default 'nfs-subdir-provisioner'
   */
  readonly name?: string;
  /**
   * Namespace of the provisioner.
   * @default - the chart's namespace, else `default`
   */
  readonly namespace?: string;
  /**
   * Provisioner name written into the StorageClass.
   * @default 'cluster.local/<name>'
   */
  readonly provisionerName?: string;
  /**
   * Directory name of each claim below `path`, in the provisioner's template syntax.
   * @default '${.PVC.namespace}-${.PVC.name}'
   */
  readonly pathPattern?: string;
  /**
   * Keep a deleted claim's directory, renamed `archived-…`.
   * @default true
   */
  readonly archiveOnDelete?: boolean;
  /**
   * Reclaim policy of the provisioned volumes.
   * @default ReclaimPolicy.RETAIN
   */
  readonly reclaimPolicy?: ReclaimPolicy;
  /**
   * Provisioner image.
   * @default 'registry.k8s.io/sig-storage/nfs-subdir-external-provisioner:v4.0.2'
   */
  readonly image?: string;
}

/**
 * Dynamic NFS storage: the Kubernetes SIG Storage "NFS subdir external provisioner"
 * Deployment, its ServiceAccount and RBAC, and a StorageClass. Each claim of that class
 * gets a fresh directory on the export, so no directory can be shared by mistake.
 */
export class NfsSubdirProvisioner extends Construct {
  /** The StorageClass claims use. */
  public readonly storageClass: k8s.KubeStorageClass;
  /** The provisioner Deployment. */
  public readonly deployment: k8s.KubeDeployment;

  constructor(scope: Construct, id: string, props: NfsSubdirProvisionerProps) {
    super(scope, id);
    const name = requireDnsLabel('provisioner name', props.name ?? 'nfs-subdir-provisioner');
    const namespace = requireDnsLabel('provisioner namespace', namespaceOf(this, props.namespace));
    const server = requireNonEmpty('NFS server', props.server);
    const path = requireAbsolutePath('NFS path', props.path);
    const storageClassName = requireDnsSubdomain('storageClassName', props.storageClassName);
    const provisionerName = requireNonEmpty('provisionerName', props.provisionerName ?? `cluster.local/${name}`);
    const labels = { 'app.kubernetes.io/name': 'nfs-subdir-external-provisioner', 'app.kubernetes.io/instance': name };

    const serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name, namespace, labels } });
    const subject = { kind: 'ServiceAccount', name: serviceAccount.name, namespace };

    const clusterRole = clusterScoped(new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: `${name}-runner`, labels },
      rules: [
        { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
        { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list', 'watch', 'update'] },
        { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'update', 'patch'] },
      ],
    }));
    clusterScoped(new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: `${name}-runner`, labels },
      subjects: [subject],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole.name },
    }));
    const leaderElection = new k8s.KubeRole(this, 'LeaderElectionRole', {
      metadata: { name: `${name}-leader-election`, namespace, labels },
      rules: [{ apiGroups: [''], resources: ['endpoints'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] }],
    });
    new k8s.KubeRoleBinding(this, 'LeaderElectionRoleBinding', {
      metadata: { name: `${name}-leader-election`, namespace, labels },
      subjects: [subject],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: leaderElection.name },
    });

    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name, namespace, labels },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: serviceAccount.name,
            containers: [{
              name: 'provisioner',
              image: props.image ?? 'registry.k8s.io/sig-storage/nfs-subdir-external-provisioner:v4.0.2',
              env: [
                { name: 'PROVISIONER_NAME', value: provisionerName },
                { name: 'NFS_SERVER', value: server },
                { name: 'NFS_PATH', value: path },
              ],
              volumeMounts: [{ name: 'nfs-root', mountPath: '/persistentvolumes' }],
              resources: {
                requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('32Mi') },
                limits: { memory: k8s.Quantity.fromString('128Mi') },
              },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            }],
            volumes: [{ name: 'nfs-root', nfs: { server, path } }],
          },
        },
      },
    });

    this.storageClass = clusterScoped(new k8s.KubeStorageClass(this, 'StorageClass', {
      metadata: { name: storageClassName, labels },
      provisioner: provisionerName,
      reclaimPolicy: props.reclaimPolicy ?? ReclaimPolicy.RETAIN,
      volumeBindingMode: 'Immediate',
      parameters: {
        archiveOnDelete: String(props.archiveOnDelete ?? true),
        pathPattern: props.pathPattern ?? '${.PVC.namespace}-${.PVC.name}',
      },
    }));
  }
}
