import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * What the library reads from the user's workloads, whatever cdk8s-plus major version
 * they come from (28, 33, 34 …) or none at all. The public API takes a workload as a
 * `constructs.IConstruct`, the one type every cdk8s-plus major and every jsii language
 * share; the shapes below are read from it inside JavaScript, where the object is the
 * real cdk8s-plus object, and are not part of the public API.
 */

/** A Kubernetes object known by its name: a Secret, a StatefulSet … of any cdk8s-plus version, L1 or imported. */
export interface INamedResource {
  /** Its `metadata.name`. */
  readonly name: string;
}

/** An environment value as every cdk8s-plus major renders it: only these two fields are read. */
export interface PlainEnvValue {
  readonly value?: string;
  readonly valueFrom?: unknown;
}

/** The members of a cdk8s-plus `Container` the library uses; identical from cdk8s-plus-28 to 34. */
export interface PlusContainer {
  readonly name: string;
  readonly env: { addVariable(name: string, value: PlainEnvValue): void };
  readonly mounts: ReadonlyArray<{ readonly path: string; readonly volume: { readonly name: string } }>;
  mount(path: string, storage: unknown, options?: { readOnly?: boolean; subPath?: string }): void;
}

/** The members of a cdk8s-plus workload (Deployment, StatefulSet, Job …) the library uses. */
export interface PlusWorkload extends IConstruct {
  readonly containers: PlusContainer[];
  readonly initContainers: PlusContainer[];
  readonly volumes?: ReadonlyArray<{ readonly name: string }>;
}

function isPlusContainer(candidate: unknown): candidate is PlusContainer {
  const c = candidate as Partial<PlusContainer> | undefined;
  return !!c && typeof c.name === 'string' && typeof c.env?.addVariable === 'function'
    && Array.isArray(c.mounts) && typeof c.mount === 'function';
}

/** The workload as a cdk8s-plus workload of any version, or undefined for anything else (an L1 object, say). */
export function plusWorkload(workload: IConstruct): PlusWorkload | undefined {
  const w = (workload ?? {}) as Partial<PlusWorkload>;
  return Array.isArray(w.containers) && Array.isArray(w.initContainers)
    && [...w.containers, ...w.initContainers].every(isPlusContainer) ? w as PlusWorkload : undefined;
}

/** A container of a workload, and where it sits in the pod spec. */
export interface FoundContainer {
  readonly container: PlusContainer;
  /** True for an init container. */
  readonly init: boolean;
  /** Its index in `containers` or `initContainers`. */
  readonly index: number;
}

/**
 * The container named `containerName` (containers, then init containers), or the
 * workload's only container when no name is given. `what` names the caller in errors.
 */
export function findContainer(workload: PlusWorkload, what: string, containerName?: string): FoundContainer {
  const all: FoundContainer[] = [
    ...workload.containers.map((container, index) => ({ container, init: false, index })),
    ...workload.initContainers.map((container, index) => ({ container, init: true, index })),
  ];
  const names = all.map(f => `"${f.container.name}"`).join(', ');
  if (containerName === undefined) {
    if (workload.containers.length !== 1) {
      throw new Error(`${what} needs containerName when "${workload.node.path}" has other than one container (it has ${names || 'none'})`);
    }
    return all[0];
  }
  const found = all.find(f => f.container.name === containerName);
  if (!found) {
    throw new Error(`${what} needs a container of "${workload.node.path}" (${names || 'none'}) (got "${containerName}")`);
  }
  return found;
}

/** The Kubernetes object a construct synthesizes (its default child), checked to be of `kind` when given. */
export function apiObjectOf(construct: IConstruct, what: string, kind?: string): ApiObject {
  let object: ApiObject;
  try {
    object = ApiObject.of(construct);
  } catch {
    throw new Error(`${what} needs a construct that synthesizes one Kubernetes object (got "${construct.node.path}", which has no default ApiObject)`);
  }
  if (kind !== undefined && object.kind !== kind) {
    throw new Error(`${what} needs a ${kind} (got a ${object.kind}, "${construct.node.path}")`);
  }
  return object;
}
