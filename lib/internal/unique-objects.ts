import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';

/**
 * The app-wide rule that no two objects share a kind, namespace and name: `kubectl
 * apply` would write the second over the first (two workloads of one name, a read
 * Service `db-read` that is also the headless Service of a workload `db-read`, two
 * charts creating one StorageClass …).
 */

/**
 * Kinds the API server keeps outside namespaces, by API group ('' is the core group). A
 * namespace written on such an object is ignored, so it never tells two of them apart.
 */
const CLUSTER_SCOPED_KINDS: Readonly<Record<string, readonly string[]>> = {
  '': ['Namespace', 'Node', 'PersistentVolume', 'ComponentStatus'],
  'storage.k8s.io': ['StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment'],
  'rbac.authorization.k8s.io': ['ClusterRole', 'ClusterRoleBinding'],
  'scheduling.k8s.io': ['PriorityClass'],
  'node.k8s.io': ['RuntimeClass'],
  'networking.k8s.io': ['IngressClass'],
  'apiextensions.k8s.io': ['CustomResourceDefinition'],
  'admissionregistration.k8s.io': ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
  'apiregistration.k8s.io': ['APIService'],
  'certificates.k8s.io': ['CertificateSigningRequest'],
};

/** The API group of an apiVersion: `apps/v1` → `apps`, `v1` → `` (core). */
function apiGroup(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
}

/** True for a kind the API server keeps outside namespaces. */
export function isClusterScoped(apiVersion: string, kind: string): boolean {
  return CLUSTER_SCOPED_KINDS[apiGroup(apiVersion)]?.includes(kind) ?? false;
}

/** How the API server identifies the object: group, kind, namespace (unless cluster-scoped) and name. */
function identity(object: ApiObject): { key: string; shown: string } {
  const group = apiGroup(object.apiVersion);
  const namespace = isClusterScoped(object.apiVersion, object.kind) ? undefined : object.metadata.namespace;
  const kind = group === '' ? object.kind : `${object.kind}.${group}`;
  return {
    key: [group, object.kind, namespace ?? '', object.name].join('\n'),
    shown: `${kind} "${namespace === undefined ? '' : `${namespace}/`}${object.name}"`,
  };
}

/** Apps whose check is registered already. */
const CHECKED_APPS = new WeakSet<IConstruct>();

/**
 * Makes sure the app of `scope` checks, once, when it is synthesized, that every object
 * in it has its own kind, namespace and name. Every public construct of the library
 * calls it; the first one in an app adds the single validation, which walks the finished
 * tree once.
 */
export function requireUniqueObjectsInApp(scope: Construct): void {
  const root = scope.node.root;
  if (CHECKED_APPS.has(root)) {
    return;
  }
  CHECKED_APPS.add(root);
  scope.node.addValidation({ validate: () => memoisedProblems(root) });
}

/**
 * cdk8s validates the whole app once, then again for every chart it writes, all in one
 * synchronous call; the tree does not change in between. The result is kept for that
 * call only (dropped at the next microtask) and only while the app holds the same number
 * of constructs, counted without building a list: a construct added anywhere (constructs
 * are never removed in normal use) makes the next synth check again.
 */
let memo: { root: IConstruct; shape: number; problems: string[] } | undefined;

function shapeOf(construct: IConstruct): number {
  let count = 1;
  for (const child of construct.node.children) {
    count += shapeOf(child);
  }
  return count;
}

function memoisedProblems(root: IConstruct): string[] {
  const shape = shapeOf(root);
  if (memo?.root === root && memo.shape === shape) {
    return memo.problems;
  }
  const problems = duplicateObjectProblems(root);
  memo = { root, shape, problems };
  queueMicrotask(() => {
    memo = undefined;
  });
  return problems;
}

function duplicateObjectProblems(root: IConstruct): string[] {
  const first = new Map<string, ApiObject>();
  const problems: string[] = [];
  for (const construct of root.node.findAll()) {
    if (!ApiObject.isApiObject(construct)) {
      continue;
    }
    const { key, shown } = identity(construct);
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, construct);
      continue;
    }
    const hint = construct.kind === 'StorageClass'
      ? '; if both come from NfsPersistentVolumes or HostPathPersistentVolumes sharing one class, set createStorageClass: false on all but one'
      : '';
    problems.push(`${shown} is defined twice, by ${earlier.node.path} and ${construct.node.path}: each kind, namespace and name must be unique in the app, or applying it replaces the first object with the second${hint}`);
  }
  return problems;
}
