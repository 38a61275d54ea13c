import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { PerPodClaims } from './per-pod-claims';
import { requireAbsolutePath, requireNonEmpty } from '../internal/validate';

/**
 * cdk8s-plus-28's `StatefulSet` has no `volumeClaimTemplates`. This is the one place
 * that adds them, as JSON patches on the StatefulSet's `ApiObject`:
 *
 * - each {@link addClaimTemplate} appends one entry to `spec.volumeClaimTemplates`;
 * - each {@link ClaimTemplate.mount} appends one entry to the container's
 *   `volumeMounts`, named after the template, with no pod volume of that name. The
 *   StatefulSet controller gives every pod a volume of that name backed by the pod's
 *   own claim, so the mount resolves in the pods it creates (and the YAML carries no
 *   placeholder volume, which Kubernetes would silently ignore).
 */

/** Options of {@link ClaimTemplate.mount}. */
export interface ClaimMountOptions {
  /**
   * Mount the volume read-only.
   * @default false
   */
  readonly readOnly?: boolean;

  /**
   * Mount only this directory of the volume (relative, no `..`).
   * @default - the whole volume
   */
  readonly subPath?: string;
}

/** Where a mounted container sits in the pod spec, and whether the claim mounts created its volumeMounts list. */
interface MountedContainer {
  readonly container: kplus.Container;
  /** JSON pointer of the container, e.g. `/spec/template/spec/containers/0`. */
  readonly pointer: string;
  /** True when the container had no mounts of its own at its first claim mount, so that mount created the list. */
  createdList: boolean;
  /** Mount paths added by claim templates. */
  readonly claimPaths: string[];
}

/** What has been added to one StatefulSet. */
interface StatefulSetClaims {
  readonly templates: ClaimTemplate[];
  readonly containers: Map<kplus.Container, MountedContainer>;
}

const ADDED = new WeakMap<kplus.StatefulSet, StatefulSetClaims>();

/**
 * Adds the claim template of `claims` to a cdk8s-plus `StatefulSet`, so that each pod
 * gets its own claim `<template>-<set>-<ordinal>`; several calls add several templates.
 * Mount it into a container with {@link ClaimTemplate.mount}.
 *
 * `claims` must be made for this StatefulSet (same name, same namespace when the set
 * has one, at least as many replicas).
 */
export function addClaimTemplate(statefulSet: kplus.StatefulSet, claims: PerPodClaims): ClaimTemplate {
  if (claims.statefulSetName !== statefulSet.name) {
    throw new Error(`claim template "${claims.templateName}" must be made for StatefulSet "${statefulSet.name}", or its claims get other names (got claims for "${claims.statefulSetName}")`);
  }
  const namespace = statefulSet.metadata.namespace ?? Chart.of(statefulSet).namespace;
  if (namespace !== undefined && namespace !== claims.namespace) {
    throw new Error(`claim template "${claims.templateName}" must have the namespace of StatefulSet "${statefulSet.name}" ("${namespace}"), or volumes pre-bound to its claims never bind (got "${claims.namespace}")`);
  }
  const replicas = statefulSet.replicas ?? 1;
  if (claims.replicas < replicas) {
    throw new Error(`claim template "${claims.templateName}" must cover the ${replicas} replicas of StatefulSet "${statefulSet.name}" (got claims for ${claims.replicas})`);
  }

  let state = ADDED.get(statefulSet);
  if (!state) {
    state = { templates: [], containers: new Map() };
    ADDED.set(statefulSet, state);
    const added = state;
    statefulSet.node.addValidation({ validate: () => validateStatefulSet(statefulSet, added) });
  }
  if (state.templates.some(t => t.name === claims.templateName)) {
    throw new Error(`claim template names of StatefulSet "${statefulSet.name}" must be distinct (got "${claims.templateName}" twice)`);
  }

  // The generated KubeStatefulSet converts its props to JSON after the patches are
  // applied, so the patch carries the props form (Quantity objects), not JSON.
  const template = claims.toVolumeClaimTemplate();
  ApiObject.of(statefulSet).addJsonPatch(state.templates.length === 0
    ? JsonPatch.add('/spec/volumeClaimTemplates', [template])
    : JsonPatch.add('/spec/volumeClaimTemplates/-', template));
  const added = new ClaimTemplate(statefulSet, claims);
  state.templates.push(added);
  return added;
}

/**
 * A claim template added to a cdk8s-plus `StatefulSet` by {@link addClaimTemplate}:
 * every pod gets a volume named {@link name}, backed by its own claim.
 */
export class ClaimTemplate {
  /** The StatefulSet the template was added to. */
  public readonly statefulSet: kplus.StatefulSet;
  /** The claims the template creates, one per pod. */
  public readonly claims: PerPodClaims;

  /** @internal Use {@link addClaimTemplate}. */
  constructor(statefulSet: kplus.StatefulSet, claims: PerPodClaims) {
    this.statefulSet = statefulSet;
    this.claims = claims;
  }

  /** The template's name, which is also the name of the pod volume it becomes. */
  public get name(): string {
    return this.claims.templateName;
  }

  /**
   * Mounts each pod's claim into `container` (a container or init container of the
   * StatefulSet) at `path`. Add the container's other mounts (`container.mount`, or
   * `volumeMounts` in its props) before the first claim mount into it: the claim
   * mounts are appended to that list, and a later first mount fails validation.
   */
  public mount(container: kplus.Container, path: string, options: ClaimMountOptions = {}): void {
    const mountPath = requireAbsolutePath(`mount path of claim template "${this.name}"`, path);
    const subPath = options.subPath === undefined ? undefined : requireNonEmpty(`subPath of claim template "${this.name}"`, options.subPath);
    if (subPath !== undefined && (subPath.startsWith('/') || subPath.split('/').includes('..'))) {
      throw new Error(`subPath of claim template "${this.name}" must be a relative path without '..' segments (got "${subPath}")`);
    }
    const mounted = this.mountedContainer(container);
    const taken = [...container.mounts.map(m => m.path), ...mounted.claimPaths];
    if (taken.includes(mountPath)) {
      throw new Error(`mount paths of container "${container.name}" must be distinct (got "${mountPath}" twice)`);
    }

    const entry: Record<string, unknown> = { name: this.name, mountPath };
    if (options.readOnly !== undefined) {
      entry.readOnly = options.readOnly;
    }
    if (subPath !== undefined) {
      entry.subPath = subPath;
    }
    const list = `${mounted.pointer}/volumeMounts`;
    const first = mounted.claimPaths.length === 0;
    if (first) {
      mounted.createdList = container.mounts.length === 0;
    }
    ApiObject.of(this.statefulSet).addJsonPatch(first && mounted.createdList
      ? JsonPatch.add(list, [entry])
      : JsonPatch.add(`${list}/-`, entry));
    mounted.claimPaths.push(mountPath);
  }

  private mountedContainer(container: kplus.Container): MountedContainer {
    const state = ADDED.get(this.statefulSet);
    if (!state?.templates.includes(this)) {
      throw new Error(`claim template "${this.name}" must be added with addClaimTemplate() before it is mounted (got one that was never added to StatefulSet "${this.statefulSet.name}")`);
    }
    const known = state.containers.get(container);
    if (known) {
      return known;
    }
    const sts = this.statefulSet;
    const index = sts.containers.indexOf(container);
    const initIndex = sts.initContainers.indexOf(container);
    if (index < 0 && initIndex < 0) {
      const names = [...sts.initContainers, ...sts.containers].map(c => `"${c.name}"`).join(', ');
      throw new Error(`claim template "${this.name}" can only be mounted into a container of StatefulSet "${sts.name}" (${names}) (got "${container.name}")`);
    }
    const mounted: MountedContainer = {
      container,
      pointer: index >= 0 ? `/spec/template/spec/containers/${index}` : `/spec/template/spec/initContainers/${initIndex}`,
      createdList: false,
      claimPaths: [],
    };
    state.containers.set(container, mounted);
    return mounted;
  }
}

/** The checks that need the finished StatefulSet. */
function validateStatefulSet(statefulSet: kplus.StatefulSet, state: StatefulSetClaims): string[] {
  const errors: string[] = [];
  for (const mounted of state.containers.values()) {
    const c = mounted.container;
    if (mounted.createdList && c.mounts.length > 0) {
      errors.push(`container "${c.name}" must get its own volume mounts before a claim template is mounted into it, because the claim mounts create its volumeMounts list (got ${c.mounts.map(m => m.path).join(', ')} afterwards)`);
    }
    for (const m of c.mounts) {
      if (mounted.claimPaths.includes(m.path)) {
        errors.push(`mount paths of container "${c.name}" must be distinct (got "${m.path}" for volume "${m.volume.name}" and for a claim template)`);
      }
    }
  }
  const podVolumes = new Set<string>([
    ...statefulSet.volumes.map(v => v.name),
    ...[...statefulSet.initContainers, ...statefulSet.containers].flatMap(c => c.mounts.map(m => m.volume.name)),
  ]);
  for (const template of state.templates) {
    if (podVolumes.has(template.name)) {
      errors.push(`pod volume "${template.name}" must not share its name with a claim template of StatefulSet "${statefulSet.name}": Kubernetes would use the claim in its place (rename the volume or the template)`);
    }
  }
  return errors;
}
