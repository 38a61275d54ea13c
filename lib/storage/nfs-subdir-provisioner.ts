import { Construct } from 'constructs';
import { namespaceOf } from '../internal/cluster-dns';
import * as k8s from '../internal/k8s';
import {
  requireAbsolutePath, requireBoolean, requireDnsLabel, requireDnsSubdomain, requireEnum, requireHost, requireImageReference, requireInteger,
  requireNonEmpty, show,
} from '../internal/validate';
import { requireUniqueObjectsInApp } from '../internal/unique-objects';
import { ImageSource, ImageSourceOptions } from '../internal/image-source';
import { clusterScoped, ReclaimPolicy } from './per-ordinal-volumes';

/** Props of {@link NfsSubdirProvisioner}. */
export interface NfsSubdirProvisionerProps {
  /** NFS server host name or IP address. */
  readonly server: string;
  /**
   * Absolute export directory under which the provisioner creates one directory per claim.
   * It must be writable by `runAsUser` / `runAsGroup` as the NFS server sees them (see
   * {@link NfsSubdirProvisioner}).
   */
  readonly path: string;
  /** Name of the StorageClass claims use; a cluster-wide name, kept exactly as given. */
  readonly storageClassName: string;
  /**
   * Name of the Deployment, ServiceAccount, Role and RoleBinding. The cluster-scoped
   * ClusterRole and ClusterRoleBinding are named `<namespace>.<name>-runner`.
   * @default 'nfs-subdir-provisioner'
   */
  readonly name?: string;
  /**
   * Namespace of the provisioner.
   * @default - the chart's namespace, else `default`
   */
  readonly namespace?: string;
  /**
   * Provisioner name written into the StorageClass. It must be unique in the cluster: every
   * provisioner serves every StorageClass that names it. The pinned image also names its
   * leader-election lock (an Endpoints object in `namespace`) after it, with `/` replaced
   * by `-`, so it must be lower case: an optional DNS-1123 subdomain and `/`, then at most 63
   * lower-case letters, digits, `-` or `.`.
   * @default '<namespace>.cluster.local/<name>'
   */
  readonly provisionerName?: string;
  /**
   * Directory name of each claim below `path`, in the provisioner's template syntax. It must
   * contain `${.PVC.namespace}` and `${.PVC.name}`, so that no two claims share a directory,
   * and may add `${.PVC.labels.<key>}` (empty when the claim lacks the label) and literal
   * letters, digits, `-`, `_` and `.`. `/` is refused: the pinned image archives or deletes a
   * claim's directory by its last path element only, so a nested directory would never be
   * cleaned up and a same-named top-level one would be hit instead.
   * `${.PVC.annotations.<key>}` is refused too: an annotation is free text chosen by whoever
   * creates the claim and could point at any directory of the export, or outside it.
   * @default '${.PVC.namespace}-${.PVC.name}'
   */
  readonly pathPattern?: string;
  /**
   * Keep a deleted claim's directory, renamed `archived-…`, instead of removing it. Only
   * matters with `ReclaimPolicy.DELETE`: with `RETAIN` the provisioner never touches a
   * released volume.
   * @default true
   */
  readonly archiveOnDelete?: boolean;
  /**
   * Reclaim policy of the provisioned volumes.
   * @default ReclaimPolicy.RETAIN
   */
  readonly reclaimPolicy?: ReclaimPolicy;
  /**
   * Provisioner image. The RBAC rules and the pod's security settings are made for the
   * default; a later release may need more (from sig-storage-lib-external-provisioner v9 on,
   * leader election also uses coordination.k8s.io Leases).
   * @default 'registry.k8s.io/sig-storage/nfs-subdir-external-provisioner:v4.0.2'
   */
  readonly image?: string;
  /**
   * A registry or mirror for the image, and the pod's `imagePullSecrets`; give it the
   * same value as the clusters' `images`.
   * @default - the image from its own registry, no pull secrets
   */
  readonly images?: ImageSourceOptions;
  /**
   * User id the provisioner runs as (never root). It creates, renames and removes
   * directories on the export as this user, so the export root must be writable by it.
   * The default is the id `root_squash` maps root to on Linux NFS servers, so an export that
   * worked with the upstream image (which runs as root) keeps working.
   * @default 65534
   */
  readonly runAsUser?: number;
  /**
   * Group id the provisioner runs as; new claim directories belong to this group.
   * @default 65534
   */
  readonly runAsGroup?: number;
}

/** The image the RBAC rules and security settings below were checked against. */
const DEFAULT_IMAGE = 'registry.k8s.io/sig-storage/nfs-subdir-external-provisioner:v4.0.2';

/** `nobody`: the anonymous id of Linux knfsd (`anonuid`/`anongid`), which `root_squash` maps root to. */
const NOBODY = 65534;

/** Largest user or group id the API server accepts in a pod's securityContext. */
const MAX_ID = 2147483647;

/** Mount point of the export inside the pod; fixed in the image (provisioner.go `mountPath`). */
const MOUNT_PATH = '/persistentvolumes';

const PROPS = [
  'server', 'path', 'storageClassName', 'name', 'namespace', 'provisionerName', 'pathPattern',
  'archiveOnDelete', 'reclaimPolicy', 'image', 'runAsUser', 'runAsGroup', 'images',
];

/**
 * Dynamic NFS storage: the Kubernetes SIG Storage "NFS subdir external provisioner"
 * Deployment, its ServiceAccount and RBAC, and a StorageClass. Each claim of that class
 * gets a fresh directory on the export, so no directory can be shared by mistake.
 *
 * **Names.** The ClusterRole and ClusterRoleBinding are cluster-wide, so their name
 * `<namespace>.<name>-runner` includes the namespace: provisioners of the same name in two
 * namespaces do not overwrite each other's RBAC. The StorageClass keeps `storageClassName`
 * as given, and the default `provisionerName` includes the namespace too.
 *
 * **Security.** The pinned image's Dockerfile has no `USER`, so it would run as root. Here
 * the pod runs as `runAsUser`:`runAsGroup` (default 65534:65534, `nobody`) with
 * `runAsNonRoot`, the RuntimeDefault seccomp profile, no privilege escalation, all
 * capabilities dropped and a read-only root filesystem (it logs to stderr and writes only
 * below the NFS mount). Root would buy nothing on a default export: `root_squash` makes
 * the server treat it as 65534 anyway, and on a `no_root_squash` export it would own the
 * whole export.
 *
 * **What the export needs.** Its root directory (`path`) must be writable and searchable
 * by that user or group as the NFS server sees them, e.g. `chown 65534:65534 <path>` or mode
 * `0777` on the server (an export that served the upstream image under `root_squash`
 * already is). The provisioner creates each claim's directory with mode 0777, so workloads
 * can write to it whatever user they run as, and archives it by renaming it in the export
 * root. With `archiveOnDelete: false` it removes the directory instead, which fails for
 * files the workload left in subdirectories it cannot write (as it would for squashed root);
 * such a volume stays Released and the provisioner reports `VolumeFailedDelete` events.
 * With `all_squash`, the server ignores the pod's ids and uses its `anonuid`/`anongid`.
 *
 * **RBAC.** Only what the pinned image calls: PersistentVolumes get/list/watch/create/delete,
 * PersistentVolumeClaims and StorageClasses list/watch (plus get on StorageClasses, read
 * when a volume is deleted), Events create/patch, and in its own namespace its
 * leader-election Endpoints lock (create, then get/update of that one object).
 */
export class NfsSubdirProvisioner extends Construct {
  /** The StorageClass claims use. */
  public readonly storageClass: k8s.KubeStorageClass;
  /** The provisioner Deployment. */
  public readonly deployment: k8s.KubeDeployment;

  constructor(scope: Construct, id: string, props: NfsSubdirProvisionerProps) {
    super(scope, id);
    requireKnownProps(props);
    requireUniqueObjectsInApp(this);
    const name = requireDnsLabel('name', props.name ?? 'nfs-subdir-provisioner');
    const namespace = requireDnsLabel('namespace', namespaceOf(this, props.namespace));
    const server = requireHost('server', props.server);
    const path = requireAbsolutePath('path', props.path);
    const storageClassName = requireDnsSubdomain('storageClassName', props.storageClassName);
    const provisionerName = requireProvisionerName(props.provisionerName ?? `${namespace}.cluster.local/${name}`);
    const pathPattern = requirePathPattern(props.pathPattern ?? '${.PVC.namespace}-${.PVC.name}');
    const archiveOnDelete = requireBoolean('archiveOnDelete', props.archiveOnDelete ?? true);
    const reclaimPolicy = requireEnum('reclaimPolicy', props.reclaimPolicy ?? ReclaimPolicy.RETAIN, ReclaimPolicy);
    const images = ImageSource.of('images', props.images);
    const image = images.image(requireImageReference('image', props.image ?? DEFAULT_IMAGE));
    const runAsUser = requireInteger('runAsUser', props.runAsUser ?? NOBODY, 1, MAX_ID);
    const runAsGroup = requireInteger('runAsGroup', props.runAsGroup ?? NOBODY, 0, MAX_ID);
    const labels = { 'app.kubernetes.io/name': 'nfs-subdir-external-provisioner', 'app.kubernetes.io/instance': name };

    const serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name, namespace, labels } });
    const subject = { kind: 'ServiceAccount', name: serviceAccount.name, namespace };

    // Verbs from the vendored sig-storage-lib-external-provisioner v6 controller/controller.go
    // (informers list and watch claims, volumes and classes across the cluster; volumes are
    // read before provisioning, created, and deleted; the event recorder of client-go
    // tools/record creates events and patches repeats) and from the image's
    // cmd/nfs-subdir-external-provisioner/provisioner.go (reads the class of a volume it
    // deletes). Left out on purpose: nodes (read only for claims the scheduler annotated
    // with a selected node, which happens only with WaitForFirstConsumer classes, never
    // with this Immediate one) and claim update (only to un-select a node after
    // ProvisioningReschedule, which this provisioner never returns).
    // Two DNS labels joined by '.': a DNS-1123 subdomain of at most 134 characters, and
    // unambiguous, as neither part can contain a dot.
    const runnerName = `${namespace}.${name}-runner`;
    const clusterRole = clusterScoped(new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: runnerName, labels },
      rules: [
        { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
        { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['list', 'watch'] },
        { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      ],
    }));
    clusterScoped(new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: runnerName, labels },
      subjects: [subject],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole.name },
    }));

    // Leader election in library v6 (controller.go `Run`): resourcelock "endpoints" in the
    // pod's namespace, named after the provisioner with "/" replaced by "-". client-go's
    // EndpointsLock only gets, creates and updates that object; create cannot be limited
    // to a name, get and update can.
    const lockName = provisionerName.split('/').join('-');
    const leaderElection = new k8s.KubeRole(this, 'LeaderElectionRole', {
      metadata: { name: `${name}-leader-election`, namespace, labels },
      rules: [
        { apiGroups: [''], resources: ['endpoints'], verbs: ['create'] },
        { apiGroups: [''], resources: ['endpoints'], resourceNames: [lockName], verbs: ['get', 'update'] },
      ],
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
            imagePullSecrets: images.imagePullSecrets,
            securityContext: {
              runAsNonRoot: true,
              runAsUser,
              runAsGroup,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [{
              name: 'provisioner',
              image,
              env: [
                { name: 'PROVISIONER_NAME', value: provisionerName },
                { name: 'NFS_SERVER', value: server },
                { name: 'NFS_PATH', value: path },
              ],
              volumeMounts: [{ name: 'nfs-root', mountPath: MOUNT_PATH }],
              resources: {
                requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('32Mi') },
                limits: { memory: k8s.Quantity.fromString('128Mi') },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
            }],
            volumes: [{ name: 'nfs-root', nfs: { server, path } }],
          },
        },
      },
    });

    this.storageClass = clusterScoped(new k8s.KubeStorageClass(this, 'StorageClass', {
      metadata: { name: storageClassName, labels },
      provisioner: provisionerName,
      reclaimPolicy,
      volumeBindingMode: 'Immediate',
      parameters: {
        archiveOnDelete: String(archiveOnDelete),
        pathPattern,
      },
    }));
  }
}

/** Catches JavaScript callers' missing props object and misspelt prop names. */
function requireKnownProps(props: NfsSubdirProvisionerProps): void {
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    throw new Error(`NfsSubdirProvisioner props must be an object with at least server, path and storageClassName (got ${show(props)})`);
  }
  const unknown = Object.keys(props).filter(key => !PROPS.includes(key));
  if (unknown.length > 0) {
    throw new Error(`NfsSubdirProvisioner props has unknown properties ${unknown.map(key => `"${key}"`).join(', ')} (known: ${PROPS.join(', ')})`);
  }
}

/**
 * The API server requires a StorageClass provisioner to be a qualified name
 * (kubernetes pkg/apis/storage/validation `validateProvisioner`: `IsQualifiedName` of its
 * lower-case form); the image's leader-election lock name (`/` → `-`) must moreover be a
 * DNS-1123 subdomain, which rules out upper case and `_`.
 */
function requireProvisionerName(value: string): string {
  requireNonEmpty('provisionerName', value);
  const parts = value.split('/');
  if (parts.length > 2) {
    throw new Error(`provisionerName must be a qualified name with at most one '/', such as "example.com/nfs" (got ${show(value)})`);
  }
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    requireDnsSubdomain(`provisionerName's prefix (before '/') in ${show(value)}`, parts[0]);
  }
  requireDnsSubdomain(`provisionerName's name (after any '/', which also names the leader-election Endpoints lock) in ${show(value)}`, name);
  if (name.length > 63) {
    throw new Error(`provisionerName's name (after any '/') must be at most 63 characters (got ${show(name)}, ${name.length} characters)`);
  }
  const lockName = parts.join('-');
  if (lockName.length > 253) {
    throw new Error(`provisionerName must be at most 253 characters, as it names the leader-election Endpoints lock (got ${value.length} characters)`);
  }
  return value;
}

/**
 * Placeholders the image's provisioner.go resolves (`pattern` regexp): `${.PVC.<field>}`,
 * `${.PVC.labels.<key>}` and `${.PVC.annotations.<key>}`; an unknown field resolves to ''.
 */
const PLACEHOLDER = /\$\{([^}]*)\}/g;

/**
 * A pattern the pinned image handles safely. Its provisioner.go joins the resolved pattern
 * to the export path (so '/' and '..' would nest or escape) but archives and deletes by
 * `filepath.Base` of the volume path only (fixed upstream after v4.0.2, CHANGELOG v4.0.3
 * "Fix onDelete option for subdirectories"); an empty result would hand out the export root
 * itself (CHANGELOG v4.0.3 "Prevent mounting of root directory on empty customPath"), which
 * the required `${.PVC.name}` rules out.
 */
function requirePathPattern(value: string): string {
  requireNonEmpty('pathPattern', value);
  const used = new Set<string>();
  const literal = value.replace(PLACEHOLDER, (_match: string, inner: string) => {
    if (inner === '.PVC.name' || inner === '.PVC.namespace') {
      used.add(inner);
    } else if (inner.startsWith('.PVC.annotations.')) {
      throw new Error(`pathPattern must not use \${${inner}}: an annotation is free text set by whoever creates the claim and may hold '/' or '..', reaching any directory of the export (got ${show(value)})`);
    } else if (!/^\.PVC\.labels\.\S+$/.test(inner)) {
      throw new Error(`pathPattern has the unknown placeholder \${${inner}}; expected \${.PVC.namespace}, \${.PVC.name} or \${.PVC.labels.<key>} (got ${show(value)})`);
    }
    return '';
  });
  if (!/^[A-Za-z0-9._-]*$/.test(literal)) {
    throw new Error(`pathPattern may hold, besides placeholders, only letters, digits, '-', '_' and '.'; in particular no '/' (the image archives and deletes by the last path element) and no '$', '{' or '}' outside a placeholder (got ${show(value)})`);
  }
  if (!used.has('.PVC.namespace') || !used.has('.PVC.name')) {
    throw new Error(`pathPattern must contain both \${.PVC.namespace} and \${.PVC.name}, so that no two claims share a directory (got ${show(value)})`);
  }
  return value;
}
