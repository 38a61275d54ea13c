import { ApiObject, JsonPatch, Size } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as k8s from '../internal/k8s';
import { PerPodClaims, VolumeAccessMode } from '../statefulset/per-pod-claims';
import { requireAbsolutePath, requireDistinct, requireDnsSubdomain, requireInteger, requirePositiveSize } from '../internal/validate';

/**
 * What the static PersistentVolume constructs ({@link NfsPersistentVolumes},
 * {@link HostPathPersistentVolumes}) share: one directory per ordinal, each volume
 * pre-bound through `claimRef` to the claim the StatefulSet creates for that ordinal,
 * the no-provisioner StorageClass, and the app-wide checks that no two volumes share a
 * directory, a claim or a StorageClass. Knows nothing about what runs in the pods.
 */

/** What happens to a volume's data when its claim is deleted. */
export enum ReclaimPolicy {
  /** Keep the data; an administrator reclaims the volume by hand. */
  RETAIN = 'Retain',
  /** Delete the volume (a static NFS volume leaves its export directory as it is; a provisioner decides for its own). */
  DELETE = 'Delete',
}

/** The StorageClass provisioner that provisions nothing: volumes are created by hand (statically). */
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

/** The settings every per-ordinal volume construct accepts, checked by {@link planPerOrdinalVolumes}. */
export interface PerOrdinalVolumeOptions {
  /** The claims to pre-bind. */
  readonly claims: PerPodClaims;
  /** Absolute directory under which each ordinal gets its own directory. */
  readonly basePath: string;
  /** Directory of each volume below `basePath`; `{ordinal}`, `{claim}`, `{statefulset}` are replaced. */
  readonly pathPattern?: string;
  /** Number of volumes, ordinals 0 … count-1. */
  readonly count?: number;
  /** Capacity of each volume. */
  readonly capacity?: Size;
  /** Access modes of each volume. */
  readonly accessModes?: VolumeAccessMode[];
}

/** One planned volume. */
export interface PlannedVolume {
  /** The ordinal whose claim the volume is bound to. */
  readonly ordinal: number;
  /** Name of the claim the volume is pre-bound to. */
  readonly claimName: string;
  /** Absolute directory of the volume. */
  readonly path: string;
  /** `claimRef` of the volume: the claim of its ordinal, in the claims' namespace. */
  readonly claimRef: k8s.ObjectReference;
  /** Labels of the volume. */
  readonly labels: Record<string, string>;
}

/** The checked, resolved settings of a per-ordinal volume construct. */
export interface PerOrdinalVolumePlan {
  /** Capacity of each volume. */
  readonly capacity: Size;
  /** Access modes of each volume. */
  readonly accessModes: VolumeAccessMode[];
  /** The volumes, ordinal 0 first; their paths are distinct. */
  readonly volumes: PlannedVolume[];
}

/**
 * Checks the shared settings and plans one volume per ordinal. `label` starts every
 * message (e.g. `NFS`), so errors name the construct the user called.
 */
export function planPerOrdinalVolumes(label: string, options: PerOrdinalVolumeOptions): PerOrdinalVolumePlan {
  const claims = options.claims;
  const basePath = requireAbsolutePath(`${label} basePath`, options.basePath).replace(/\/+$/, '') || '/';
  const pattern = options.pathPattern ?? '{claim}';
  if (!pattern.includes('{ordinal}') && !pattern.includes('{claim}')) {
    throw new Error(`${label} pathPattern must contain {ordinal} or {claim}, or every volume would share one directory (got "${pattern}")`);
  }
  const count = requireInteger(`${label} volume count`, options.count ?? claims.replicas, 1);
  if (count < claims.replicas) {
    throw new Error(`${label} volume count must be at least the number of replicas (${claims.replicas}) so every pod's claim can bind (got ${count})`);
  }
  const capacity = options.capacity ?? claims.size;
  const capacityBytes = requirePositiveSize(`${label} capacity`, capacity);
  const requestedBytes = requirePositiveSize('claim size', claims.size);
  if (capacityBytes < requestedBytes) {
    throw new Error(`${label} capacity must be at least the claims' requested size ${claims.size.asString()} (got ${capacity.asString()})`);
  }
  const accessModes = [...(options.accessModes ?? claims.accessModes)];
  const missing = claims.accessModes.filter(mode => !accessModes.includes(mode));
  if (missing.length > 0) {
    throw new Error(`${label} accessModes must include every access mode the claims request (missing ${missing.join(', ')}; got [${accessModes.join(', ')}])`);
  }

  const volumes = Array.from({ length: count }, (_, ordinal): PlannedVolume => {
    const claimName = claims.claimName(ordinal);
    const relative = pattern
      .replace(/\{ordinal\}/g, String(ordinal))
      .replace(/\{claim\}/g, claimName)
      .replace(/\{statefulset\}/g, claims.statefulSetName);
    const path = requireAbsolutePath(`${label} path of ordinal ${ordinal}`, `${basePath === '/' ? '' : basePath}/${relative}`);
    return {
      ordinal,
      claimName,
      path,
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: claims.namespace, name: claimName },
      labels: { 'app.kubernetes.io/instance': claims.statefulSetName, 'statefulset.kubernetes.io/ordinal': String(ordinal) },
    };
  });
  requireDistinct(`${label} paths`, volumes.map(v => v.path));
  return { capacity, accessModes, volumes };
}

/** The no-provisioner StorageClass static volumes and their claims share; binding waits for the first pod. */
export function createNoProvisionerStorageClass(scope: Construct, name: string, reclaimPolicy: ReclaimPolicy): k8s.KubeStorageClass {
  return clusterScoped(new k8s.KubeStorageClass(scope, 'StorageClass', {
    metadata: { name: requireDnsSubdomain('storageClassName', name) },
    provisioner: NO_PROVISIONER,
    volumeBindingMode: 'WaitForFirstConsumer',
    reclaimPolicy,
  }));
}

/**
 * Drops the namespace a namespaced chart gives every object from a cluster-scoped one
 * (PersistentVolume, StorageClass, ClusterRole …): the API server drops it, so in the YAML
 * it would only mislead readers.
 */
export function clusterScoped<T extends ApiObject>(apiObject: T): T {
  if (apiObject.metadata.namespace !== undefined) {
    apiObject.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
  return apiObject;
}

/** What distinguishes one kind of per-ordinal PersistentVolume (NFS, hostPath …) from another. */
export interface PerOrdinalVolumeKind {
  /** The volume source's field name, e.g. `nfs` or `hostPath`; volumes are named `<claim>-<kind in lower case>`. */
  readonly kind: string;
  /** The machine holding the directories (NFS server, node name), or undefined for "any node". */
  readonly host?: string;
  readonly reclaimPolicy: ReclaimPolicy;
  readonly storageClassName?: string;
  /** The spec fields of this kind for one volume: its source, and e.g. mount options or node affinity. */
  readonly sourceFields: (volume: PlannedVolume) => Partial<k8s.PersistentVolumeSpec>;
}

/**
 * Creates the planned PersistentVolumes in `owner`, each pre-bound to the claim of its
 * ordinal, and registers their directories for the app-wide checks.
 */
export function createPerOrdinalVolumes(
  owner: Construct, plan: PerOrdinalVolumePlan, claims: PerPodClaims, kind: PerOrdinalVolumeKind, storageClass?: k8s.KubeStorageClass,
): k8s.KubePersistentVolume[] {
  const volumes = plan.volumes.map(v => clusterScoped(new k8s.KubePersistentVolume(owner, `Volume${v.ordinal}`, {
    metadata: { name: `${v.claimName}-${kind.kind.toLowerCase()}`, labels: v.labels },
    spec: {
      capacity: { storage: k8s.Quantity.fromString(plan.capacity.asString()) },
      accessModes: [...plan.accessModes],
      persistentVolumeReclaimPolicy: kind.reclaimPolicy,
      storageClassName: kind.storageClassName,
      ...kind.sourceFields(v),
      claimRef: v.claimRef,
    },
  })));
  registerVolumeLocations(owner, plan.volumes.map((v, index) => ({
    volumeName: volumes[index].name,
    kind: kind.kind,
    host: kind.host,
    path: v.path,
    claim: `${claims.namespace}/${v.claimName}`,
  })), storageClass);
  return volumes;
}

/** Where a volume keeps its data, for the app-wide "one directory, one volume" check. */
export interface VolumeLocation {
  /** The volume's `metadata.name`. */
  readonly volumeName: string;
  /** Kind of storage, e.g. `nfs` or `hostPath`; only locations of one kind can collide. */
  readonly kind: string;
  /** The machine holding the directory: NFS server, node name, or `undefined` for "any node". */
  readonly host?: string;
  /** The directory. */
  readonly path: string;
  /** `<namespace>/<name>` of the claim the volume is pre-bound to. */
  readonly claim: string;
}

/** What one construct registered: its volumes' locations and the StorageClass it created. */
interface RegisteredVolumes {
  readonly locations: VolumeLocation[];
  readonly storageClass?: k8s.KubeStorageClass;
}

/**
 * The registered constructs of each app (by root), in registration order. The app-wide
 * checks read this instead of walking the construct tree once per construct, which
 * made synth quadratic in the number of clusters.
 */
const REGISTERED = new WeakMap<IConstruct, Map<Construct, RegisteredVolumes>>();

/** The constructs in the app of `scope` that registered per-ordinal volumes. */
export function volumeOwnersIn(scope: IConstruct): Construct[] {
  return [...(REGISTERED.get(scope.node.root)?.keys() ?? [])];
}

function describe(location: VolumeLocation): string {
  return `${location.kind} ${location.host === undefined ? '' : `${location.host}:`}${location.path}`;
}

function sameDirectory(a: VolumeLocation, b: VolumeLocation): boolean {
  // A hostPath volume without node affinity may land on any node, so it can meet any other.
  return a.kind === b.kind && a.path === b.path && (a.host === undefined || b.host === undefined || a.host === b.host);
}

/**
 * Registers the volumes of `owner` for the app-wide validation: no other per-ordinal
 * volume in the app may use the same directory, be pre-bound to the same claim, or
 * carry the same volume name, and the StorageClass `owner` created (if any) must be the
 * only StorageClass of that name in the app. The first registration in an app adds the
 * one validation that checks them all.
 */
function registerVolumeLocations(owner: Construct, locations: VolumeLocation[], storageClass?: k8s.KubeStorageClass): void {
  const root = owner.node.root;
  let registered = REGISTERED.get(root);
  if (!registered) {
    const all = new Map<Construct, RegisteredVolumes>();
    REGISTERED.set(root, all);
    // On the app's first such construct: the root's path is empty, and errors name both sides anyway.
    owner.node.addValidation({ validate: () => appWideVolumeProblems(root, all) });
    registered = all;
  }
  registered.set(owner, { locations, storageClass });
}

/** One registered volume and the construct that made it. */
interface OwnedLocation {
  readonly owner: Construct;
  readonly location: VolumeLocation;
}

/**
 * The app-wide problems, each reported once: every volume is looked up against the
 * volumes registered before it, by directory, claim and name.
 */
function appWideVolumeProblems(root: IConstruct, registered: Map<Construct, RegisteredVolumes>): string[] {
  const errors: string[] = [];
  const byDirectory = new Map<string, OwnedLocation[]>();
  const byClaim = new Map<string, OwnedLocation>();
  const byName = new Map<string, OwnedLocation>();
  const named = (v: OwnedLocation) => `"${v.location.volumeName}" of ${v.owner.node.path}`;
  for (const [owner, { locations }] of registered) {
    for (const location of locations) {
      const volume: OwnedLocation = { owner, location };
      const directory = `${location.kind}\n${location.path}`;
      const sharing = (byDirectory.get(directory) ?? []).filter(earlier => earlier.owner !== owner && sameDirectory(earlier.location, location));
      for (const earlier of sharing) {
        errors.push(`PersistentVolume ${named(volume)} must not share its directory with ${named(earlier)} (both use ${describe(location)})`);
      }
      byDirectory.set(directory, [...byDirectory.get(directory) ?? [], volume]);
      const claimed = byClaim.get(location.claim);
      if (claimed === undefined) byClaim.set(location.claim, volume);
      else if (claimed.owner !== owner) {
        errors.push(`PersistentVolume ${named(volume)} must not be pre-bound to the same claim as ${named(claimed)} (both claim ${location.claim})`);
      }
      const sameName = byName.get(location.volumeName);
      if (sameName === undefined) byName.set(location.volumeName, volume);
      else if (sameName.owner !== owner) {
        errors.push(`PersistentVolume names must be unique in the cluster, but ${named(volume)} has the name of ${named(sameName)}`);
      }
    }
  }
  const created = [...registered.values()].flatMap(r => r.storageClass ? [r.storageClass] : []);
  if (created.length > 0) {
    const storageClasses = root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && c.kind === 'StorageClass');
    for (const name of new Set(created.map(c => c.name))) {
      const twins = storageClasses.filter(c => c.name === name);
      if (twins.length > 1) {
        errors.push(`StorageClass "${name}" must be created once, but ${twins.map(c => c.node.path).join(' and ')} create it; set createStorageClass: false on all but one`);
      }
    }
  }
  return errors;
}
