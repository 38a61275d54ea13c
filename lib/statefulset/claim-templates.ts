import { ApiObject, JsonPatch } from 'cdk8s';
import { declaredNamespace } from '../internal/cluster-dns';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { linkClaimsWorkload } from './claim-links';
import { PerPodClaims } from './per-pod-claims';
import { apiObjectOf, findContainer, plusWorkload, PlusContainer, PlusWorkload } from './workloads';
import { optionalPlainObject, requireAbsolutePath, requireBoolean, requireInstance, requireNonEmpty } from '../internal/validate';

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
  readonly container: PlusContainer;
  /** JSON pointer of the container, e.g. `/spec/template/spec/containers/0`. */
  readonly pointer: string;
  /** True when the container had no mounts of its own at its first claim mount, so that mount created the list. */
  createdList: boolean;
  /** Mount paths added by claim templates. */
  readonly claimPaths: string[];
}

/** The native claim templates of cdk8s-plus-33 and later. */
interface NativeClaimTemplates {
  addVolumeClaimTemplate(template: { name: string; storage?: unknown; accessModes?: string[]; storageClassName?: string }): void;
}

function hasNativeTemplates(set: PlusWorkload): set is PlusWorkload & NativeClaimTemplates {
  return typeof (set as Partial<NativeClaimTemplates>).addVolumeClaimTemplate === 'function';
}

/** What has been added to one StatefulSet. */
interface StatefulSetClaims {
  /** The set has native claim templates (cdk8s-plus-33 and later). */
  readonly native: boolean;
  readonly templates: ClaimTemplate[];
  /** Patch mode: the containers mounts were patched into. */
  readonly containers: Map<PlusContainer, MountedContainer>;
  /** Native mode: the one volume object standing for each template in container mounts. */
  readonly placeholders: Map<string, kplus.Volume>;
}

const ADDED = new WeakMap<IConstruct, StatefulSetClaims>();

/**
 * A claim template of a StatefulSet: every pod gets a volume named {@link name}, backed
 * by its own claim `<template>-<set>-<ordinal>`. Works with a cdk8s-plus `StatefulSet` of
 * any major version: cdk8s-plus-33 and later have claim templates of their own, which
 * are used; older ones (cdk8s-plus-28) have none, and get them as JSON patches on the
 * StatefulSet's `ApiObject`, where each mount appends one entry to the container's
 * `volumeMounts`, named after the template, with no pod volume of that name (the
 * StatefulSet controller gives every pod a volume of that name backed by the pod's own
 * claim). An L1 `KubeStatefulSet` takes {@link PerPodClaims.toVolumeClaimTemplate} in
 * its props instead.
 */
export class ClaimTemplate {
  /**
   * Adds the claim template of `claims` to a cdk8s-plus `StatefulSet`; several calls add
   * several templates. Mount it with {@link mount}. `claims` must be made for this
   * StatefulSet (same name, same namespace when the set has one, at least as many
   * replicas).
   */
  public static add(statefulSet: IConstruct, claims: PerPodClaims): ClaimTemplate {
    requireInstance('claims', claims, PerPodClaims, 'a PerPodClaims');
    const what = `claim template "${claims.templateName}"`;
    const object = apiObjectOf(statefulSet, what, 'StatefulSet');
    const set = plusWorkload(statefulSet);
    if (!set) {
      throw new Error(`${what} can be added to a cdk8s-plus StatefulSet (got "${statefulSet.node.path}"); for an L1 StatefulSet put claims.toVolumeClaimTemplate() in its volumeClaimTemplates`);
    }
    if (claims.statefulSetName !== object.name) {
      throw new Error(`${what} must be made for StatefulSet "${object.name}", or its claims get other names (got claims for "${claims.statefulSetName}")`);
    }
    const namespace = declaredNamespace(statefulSet, object.metadata.namespace);
    if (namespace !== undefined && namespace !== claims.namespace) {
      throw new Error(`${what} must have the namespace of StatefulSet "${object.name}" ("${namespace}"), or volumes pre-bound to its claims never bind (got "${claims.namespace}")`);
    }
    const replicas = (statefulSet as { replicas?: number }).replicas ?? 1;
    if (claims.replicas < replicas) {
      throw new Error(`${what} must cover the ${replicas} replicas of StatefulSet "${object.name}" (got claims for ${claims.replicas})`);
    }

    let state = ADDED.get(statefulSet);
    if (!state) {
      state = { native: hasNativeTemplates(set), templates: [], containers: new Map(), placeholders: new Map() };
      ADDED.set(statefulSet, state);
      const added = state;
      statefulSet.node.addValidation({ validate: () => validateStatefulSet(object.name, set, added) });
    }
    if (state.templates.some(t => t.name === claims.templateName)) {
      throw new Error(`claim template names of StatefulSet "${object.name}" must be distinct (got "${claims.templateName}" twice)`);
    }

    if (hasNativeTemplates(set)) {
      set.addVolumeClaimTemplate({
        name: claims.templateName, storage: claims.size, accessModes: [...claims.accessModes], storageClassName: claims.storageClassName,
      });
    } else {
      // The generated KubeStatefulSet converts its props to JSON after the patches are
      // applied, so the patch carries the props form (Quantity objects), not JSON.
      const template = claims.toVolumeClaimTemplate();
      object.addJsonPatch(state.templates.length === 0
        ? JsonPatch.add('/spec/volumeClaimTemplates', [template])
        : JsonPatch.add('/spec/volumeClaimTemplates/-', template));
    }
    const added = new ClaimTemplate(statefulSet, claims);
    state.templates.push(added);
    linkClaimsWorkload(claims, object);
    return added;
  }

  /** The StatefulSet the template was added to. */
  public readonly statefulSet: IConstruct;
  /** The claims the template creates, one per pod. */
  public readonly claims: PerPodClaims;

  private constructor(statefulSet: IConstruct, claims: PerPodClaims) {
    this.statefulSet = statefulSet;
    this.claims = claims;
  }

  /** The template's name, which is also the name of the pod volume it becomes. */
  public get name(): string {
    return this.claims.templateName;
  }

  /**
   * Mounts each pod's claim into the container named `containerName` (a container or
   * init container of the StatefulSet) at `path`. On cdk8s-plus-28, add the container's
   * other mounts before the first claim mount into it: the claim mounts are appended to
   * that list, and a later first mount fails validation.
   */
  public mount(containerName: string, path: string, options: ClaimMountOptions = {}): void {
    optionalPlainObject('mount options', options);
    const mountPath = requireAbsolutePath(`mount path of claim template "${this.name}"`, path);
    if (options.readOnly !== undefined) requireBoolean('mount options readOnly', options.readOnly);
    const subPath = options.subPath === undefined ? undefined : requireNonEmpty(`subPath of claim template "${this.name}"`, options.subPath);
    if (subPath !== undefined && (subPath.startsWith('/') || subPath.split('/').includes('..'))) {
      throw new Error(`subPath of claim template "${this.name}" must be a relative path without '..' segments (got "${subPath}")`);
    }
    const state = ADDED.get(this.statefulSet)!;
    const set = plusWorkload(this.statefulSet)!;
    const found = findContainer(set, `claim template "${this.name}"`, containerName);
    const container = found.container;
    const mounted = state.containers.get(container);
    const taken = [...container.mounts.map(m => m.path), ...(mounted?.claimPaths ?? [])];
    if (taken.includes(mountPath)) {
      throw new Error(`mount paths of container "${container.name}" must be distinct (got "${mountPath}" twice)`);
    }

    if (state.native) {
      // The set renders no pod volume named like one of its templates: the placeholder
      // only names the mount. One object per name, as cdk8s-plus requires.
      let placeholder = state.placeholders.get(this.name);
      if (!placeholder) {
        placeholder = kplus.Volume.fromEmptyDir(this.statefulSet as Construct, `ClaimTemplate-${this.name}`, this.name);
        state.placeholders.set(this.name, placeholder);
      }
      container.mount(mountPath, placeholder, { readOnly: options.readOnly, subPath });
      return;
    }

    const entry: Record<string, unknown> = { name: this.name, mountPath };
    if (options.readOnly !== undefined) {
      entry.readOnly = options.readOnly;
    }
    if (subPath !== undefined) {
      entry.subPath = subPath;
    }
    const target = mounted ?? {
      container,
      pointer: `/spec/template/spec/${found.init ? 'initContainers' : 'containers'}/${found.index}`,
      createdList: container.mounts.length === 0,
      claimPaths: [],
    };
    state.containers.set(container, target);
    const list = `${target.pointer}/volumeMounts`;
    ApiObject.of(this.statefulSet).addJsonPatch(target.claimPaths.length === 0 && target.createdList
      ? JsonPatch.add(list, [entry])
      : JsonPatch.add(`${list}/-`, entry));
    target.claimPaths.push(mountPath);
  }
}

/** The checks that need the finished StatefulSet. */
function validateStatefulSet(name: string, set: PlusWorkload, state: StatefulSetClaims): string[] {
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
  const placeholders = new Set<unknown>(state.placeholders.values());
  const podVolumes = new Set<string>([
    ...(set.volumes ?? []).filter(v => !placeholders.has(v)).map(v => v.name),
    ...[...set.initContainers, ...set.containers].flatMap(c => c.mounts.filter(m => !placeholders.has(m.volume)).map(m => m.volume.name)),
  ]);
  for (const template of state.templates) {
    if (podVolumes.has(template.name)) {
      errors.push(`pod volume "${template.name}" must not share its name with a claim template of StatefulSet "${name}": Kubernetes would use the claim in its place (rename the volume or the template)`);
    }
  }
  return errors;
}
