import { ApiObject, JsonPatch, Size } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as k8s from '../internal/k8s';
import { linkClaimsStorage } from '../statefulset/claim-links';
import { PerPodClaims, VolumeAccessMode } from '../statefulset/per-pod-claims';
import {
  requireAbsolutePath, requireDistinct, requireDnsSubdomain, requireEnum, requireEnumArray, requireInteger, requirePlainObject, requirePositiveSize,
  requireInstance, requireString,
} from '../internal/validate';
import { requireUniqueObjectsInApp } from '../internal/unique-objects';

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
  /** Delete the volume and its data; only for provisioned volumes ({@link NfsSubdirProvisioner}): static volumes refuse it. */
  DELETE = 'Delete',
}

/**
 * The reclaim policy of static volumes: only `Retain` works. Kubernetes has no deleter
 * for a hand-made NFS or hostPath volume, so with `Delete` a released volume goes
 * `Failed` and its data stays where it was.
 */
export function staticReclaimPolicy(label: string, policy: ReclaimPolicy | undefined): ReclaimPolicy {
  const checked = requireEnum(`${label} reclaimPolicy`, policy ?? ReclaimPolicy.RETAIN, ReclaimPolicy);
  if (checked !== ReclaimPolicy.RETAIN) {
    throw new Error(`${label} reclaimPolicy must be ReclaimPolicy.RETAIN: Kubernetes cannot delete a static ${label} volume, which goes Failed instead (got "${checked}"); use NfsSubdirProvisioner for volumes that are deleted with their claims`);
  }
  return checked;
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
 * A directory as the kernel resolves it: repeated slashes and `.` segments dropped, no
 * trailing slash, so that `/e//db/` and `/e/db` compare equal. (`..` is refused before.)
 */
export function normalisedPath(path: string): string {
  return '/' + path.split('/').filter(segment => segment !== '' && segment !== '.').join('/');
}

/** True when `inner` is `outer` or a directory below it. */
function isWithin(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer === '/' ? '/' : `${outer}/`);
}

/**
 * Checks the shared settings and plans one volume per ordinal. `label` starts every
 * message (e.g. `NFS`), so errors name the construct the user called.
 */
export function planPerOrdinalVolumes(label: string, options: PerOrdinalVolumeOptions): PerOrdinalVolumePlan {
  requirePlainObject(`${label} volume props`, options);
  const claims = requireInstance(`${label} claims`, options.claims, PerPodClaims, 'a PerPodClaims describing the claims of one claim template');
  const basePath = normalisedPath(requireAbsolutePath(`${label} basePath`, options.basePath));
  const pattern = requireString(`${label} pathPattern`, options.pathPattern ?? '{claim}');
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
  const accessModes = options.accessModes === undefined
    ? [...claims.accessModes] : requireEnumArray(`${label} accessModes`, options.accessModes, VolumeAccessMode);
  if (accessModes.includes(VolumeAccessMode.READ_WRITE_ONCE_POD) && accessModes.length > 1) {
    throw new Error(`${label} accessModes must hold ReadWriteOncePod alone: the API server refuses it with other modes (got [${accessModes.join(', ')}])`);
  }
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
    const path = normalisedPath(requireAbsolutePath(`${label} path of ordinal ${ordinal}`, `${basePath === '/' ? '' : basePath}/${relative}`));
    return {
      ordinal,
      claimName,
      path,
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: claims.namespace, name: claimName },
      labels: { 'app.kubernetes.io/instance': claims.statefulSetName, 'statefulset.kubernetes.io/ordinal': String(ordinal) },
    };
  });
  // One pattern applied to distinct ordinals gives sibling directories (no '..' is
  // allowed), so within one construct only equal paths can collide.
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
  /** The volume source's field name, e.g. `nfs` or `hostPath`; volumes are named `<namespace>-<claim>-<kind in lower case>`. */
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
  owner: Construct, plan: PerOrdinalVolumePlan, claims: PerPodClaims, kind: PerOrdinalVolumeKind,
): k8s.KubePersistentVolume[] {
  requireUniqueObjectsInApp(owner);
  linkClaimsStorage(claims, owner);
  const volumes = plan.volumes.map(v => clusterScoped(new k8s.KubePersistentVolume(owner, `Volume${v.ordinal}`, {
    // Volumes are cluster-scoped and claims are not: the namespace keeps the volumes of one
    // chart applied in two namespaces apart (else the second apply re-points the first's).
    metadata: { name: `${claims.namespace}-${v.claimName}-${kind.kind.toLowerCase()}`, labels: v.labels },
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
  })), claims);
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

/** What one construct registered: the claims it serves and its volumes' locations. */
interface RegisteredVolumes {
  readonly claims: PerPodClaims;
  readonly locations: VolumeLocation[];
}

/**
 * The registered constructs of each app (by root), in registration order. The app-wide
 * checks read this instead of walking the construct tree once per construct, which
 * made synth quadratic in the number of clusters.
 */
const REGISTERED = new WeakMap<IConstruct, Map<Construct, RegisteredVolumes>>();

/**
 * The constructs in the app of `scope` whose per-ordinal volumes are pre-bound to the
 * claims of the template `claims` describes (same namespace, StatefulSet and template).
 */
export function staticVolumeOwnersFor(scope: IConstruct, claims: PerPodClaims): Construct[] {
  const same = (other: PerPodClaims) => other.namespace === claims.namespace
    && other.statefulSetName === claims.statefulSetName && other.templateName === claims.templateName;
  return [...(REGISTERED.get(scope.node.root) ?? new Map<Construct, RegisteredVolumes>())]
    .filter(([, registered]) => same(registered.claims))
    .map(([owner]) => owner);
}

function describe(location: VolumeLocation): string {
  return `${location.kind} ${location.host === undefined ? '' : `${location.host}:`}${location.path}`;
}

/** True when the two directories are one, or one lies inside the other, on a machine both may use. */
function overlapping(a: VolumeLocation, b: VolumeLocation): boolean {
  // A hostPath volume without node affinity may land on any node, so it can meet any other.
  return a.kind === b.kind && (isWithin(a.path, b.path) || isWithin(b.path, a.path))
    && (a.host === undefined || b.host === undefined || a.host === b.host);
}

/**
 * Registers the volumes of `owner` for the app-wide validation: no other per-ordinal
 * volume in the app may use the same directory, one inside it or one around it, or be
 * pre-bound to the same claim. The first registration in an app adds the one validation
 * that checks them all.
 */
function registerVolumeLocations(owner: Construct, locations: VolumeLocation[], claims: PerPodClaims): void {
  const root = owner.node.root;
  let registered = REGISTERED.get(root);
  if (!registered) {
    const all = new Map<Construct, RegisteredVolumes>();
    REGISTERED.set(root, all);
    // On the app's first such construct: the root's path is empty, and errors name both sides anyway.
    owner.node.addValidation({ validate: () => appWideVolumeProblems(all) });
    registered = all;
  }
  registered.set(owner, { claims, locations });
}

/** One registered volume and the construct that made it. */
interface OwnedLocation {
  readonly owner: Construct;
  readonly location: VolumeLocation;
}

/**
 * The app-wide problems, each reported once: every volume is compared with the volumes
 * registered before it, by directory (the same one, or one inside the other) and claim.
 * Volume and StorageClass names are covered by the app-wide unique-object check.
 */
function appWideVolumeProblems(registered: Map<Construct, RegisteredVolumes>): string[] {
  const errors: string[] = [];
  const earlierVolumes: OwnedLocation[] = [];
  const byClaim = new Map<string, OwnedLocation>();
  const named = (v: OwnedLocation) => `"${v.location.volumeName}" of ${v.owner.node.path}`;
  for (const [owner, { locations }] of registered) {
    for (const location of locations) {
      const volume: OwnedLocation = { owner, location };
      for (const earlier of earlierVolumes) {
        if (earlier.owner !== owner && overlapping(earlier.location, location)) {
          const relation = earlier.location.path === location.path ? 'share its directory with' : 'nest its directory with';
          errors.push(`PersistentVolume ${named(volume)} must not ${relation} ${named(earlier)} (${describe(location)} and ${describe(earlier.location)}): two workloads would write one directory`);
        }
      }
      earlierVolumes.push(volume);
      const claimed = byClaim.get(location.claim);
      if (claimed === undefined) byClaim.set(location.claim, volume);
      else if (claimed.owner !== owner) {
        errors.push(`PersistentVolume ${named(volume)} must not be pre-bound to the same claim as ${named(claimed)} (both claim ${location.claim})`);
      }
    }
  }
  return errors;
}
