/**
 * Proof that synthesized manifests are valid Kubernetes 1.28 objects, in two layers:
 *
 * 1. **Schema** (`schema`): each object is checked against the closed OpenAPI
 *    schema of its apiVersion and kind, so unknown fields, wrong types, bad enum values
 *    and missing required fields are rejected; an apiVersion that 1.28 does not serve, or
 *    a kind without a schema, is a problem, never a skip. Formats are checked too:
 *    `int32`/`int64` by ajv-formats, quantities by Kubernetes' own grammar.
 * 2. **Rules the schemas miss** that the API server or a controller enforces, as small
 *    pure functions that return human-readable problems: names, labels and selectors
 *    (`rules-metadata`), pod specs (`rules-pod`) and their scheduling (`rules-scheduling`),
 *    workload numbers (`rules-workloads`), claims, volumes, storage classes and config
 *    data (`rules-storage`), disruption budgets, network policies and RBAC
 *    (`rules-policy`), PodMonitors (`rules-monitoring`), and Services plus the checks
 *    across the whole set of objects (`rules-services`). Each rule names the API-server function it mirrors, and looks
 *    only at values of the type the schema expects, so a wrong type is reported once.
 *
 * {@link validateManifests} composes both layers; `synth` holds the helpers that
 * synthesize a cdk8s app or chart into plain objects.
 */
import { objectRef } from './common';
import { assertSchemasAreStrict, schemaProblems } from './schema';
import { labelProblems, metadataProblems, workloadSelectorProblems } from './rules-metadata';
import { podSpecProblems, podTemplateOf } from './rules-pod';
import { networkPolicyProblems, podDisruptionBudgetProblems, roleBindingProblems } from './rules-policy';
import {
  duplicateObjectProblems, selectorlessServiceProblems, serviceProblems, statefulSetServiceProblems,
} from './rules-services';
import {
  claimTemplateProblems, dataKeyProblems, persistentVolumeClaimProblems, persistentVolumeProblems, storageClassProblems,
} from './rules-storage';
import { workloadNumberProblems } from './rules-workloads';
import { podMonitorProblems, podMonitorTargetProblems } from './rules-monitoring';

export { parseQuantity, QUANTITY_PATTERN } from './common';
export { closeObjectSchemas, pointerToPath, schemaProblems, strictQuantityFormat } from './schema';
export * from './rules-metadata';
export * from './rules-monitoring';
export * from './rules-pod';
export * from './rules-policy';
export * from './rules-scheduling';
export * from './rules-services';
export * from './rules-storage';
export * from './rules-workloads';
export * from './synth';

/** Every single-object rule beyond the schema, each returning problems relative to the object. */
export function ruleProblems(object: any): string[] {
  const template = podTemplateOf(object);
  const claimTemplates = (object?.spec?.volumeClaimTemplates ?? []).map((t: any) => t.metadata?.name);
  return [
    ...metadataProblems(object),
    ...workloadSelectorProblems(object),
    ...workloadNumberProblems(object),
    ...claimTemplateProblems(object),
    ...persistentVolumeClaimProblems(object),
    ...(template?.labelsPath ? labelProblems(template.labelsPath, template.labels) : []),
    ...(template ? podSpecProblems(template.spec, template.path, claimTemplates) : []),
    ...persistentVolumeProblems(object),
    ...podDisruptionBudgetProblems(object),
    ...networkPolicyProblems(object),
    ...storageClassProblems(object),
    ...dataKeyProblems(object),
    ...serviceProblems(object),
    ...roleBindingProblems(object),
    ...podMonitorProblems(object),
  ];
}

/**
 * Validates a set of synthesized objects as one Kubernetes 1.28 application: each
 * against its closed schema and the single-object rules, then the whole set against
 * the cross-object rules. Returns every problem as `Kind/name: path: message`; an
 * empty list means valid.
 */
export function validateManifests(objects: readonly any[]): string[] {
  assertSchemasAreStrict();
  const perObject = objects.flatMap(object =>
    [...schemaProblems(object), ...ruleProblems(object)].map(problem => `${objectRef(object)}: ${problem}`));
  return [
    ...perObject,
    ...statefulSetServiceProblems(objects),
    ...selectorlessServiceProblems(objects),
    ...duplicateObjectProblems(objects),
    ...podMonitorTargetProblems(objects),
  ];
}
