/**
 * Proof that synthesized manifests are valid Kubernetes 1.28 objects, in two layers:
 *
 * 1. **Schema**: each object is checked against the OpenAPI schema of its apiVersion and
 *    kind, as shipped by `kubernetes-models` 4.3.1 (the last release that ships the
 *    schemas as JSON; generated from Kubernetes 1.27.1, whose served GA APIs 1.28 keeps
 *    unchanged). The schemas are made *closed* before they are compiled (every object
 *    schema with `properties` gets `additionalProperties: false`), so unknown fields are
 *    rejected like `kubectl apply --validate=strict` does, next to wrong types, bad enum
 *    values and missing required fields. An apiVersion that 1.28 does not serve, or a
 *    kind without a schema, is a problem, never a skip.
 * 2. **Rules the schemas miss** that the API server or a controller enforces (names,
 *    selectors, volume mounts, ports, probes, …), as small pure functions that return
 *    human-readable problems, plus checks across the whole set of objects.
 *
 * Also holds helpers that synthesize a cdk8s app or chart into plain objects.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Chart, Testing, Yaml } from 'cdk8s';
import schemaRegistry from '@kubernetes-models/validate';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as rbacV1 from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as schedulingV1 from 'kubernetes-models/scheduling.k8s.io/v1';
import * as storageV1 from 'kubernetes-models/storage.k8s.io/v1';
import * as coreV1 from 'kubernetes-models/v1';

// ---------------------------------------------------------------------------------------
// Schema validation
// ---------------------------------------------------------------------------------------

type JsonSchema = { [keyword: string]: any };
type Register = (id: string, schema: JsonSchema) => void;

/**
 * Returns a copy of a JSON schema in which every object schema that lists its
 * `properties` and says nothing about other properties rejects them. Only schema
 * positions are walked (`properties` values, `items`, `additionalProperties`,
 * `oneOf`/`anyOf`/`allOf`, `not`), so a field that happens to be called `properties`
 * is never mistaken for a keyword.
 */
export function closeObjectSchemas(schema: JsonSchema): JsonSchema {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    return schema;
  }
  const closed: JsonSchema = { ...schema };
  if (schema.properties) {
    closed.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([name, sub]) => [name, closeObjectSchemas(sub as JsonSchema)]));
    if (schema.additionalProperties === undefined) {
      closed.additionalProperties = false;
    }
  }
  for (const keyword of ['items', 'additionalProperties', 'not']) {
    if (schema[keyword] !== undefined && typeof schema[keyword] === 'object') {
      closed[keyword] = closeObjectSchemas(schema[keyword]);
    }
  }
  for (const keyword of ['oneOf', 'anyOf', 'allOf']) {
    if (Array.isArray(schema[keyword])) {
      closed[keyword] = schema[keyword].map((sub: JsonSchema) => closeObjectSchemas(sub));
    }
  }
  return closed;
}

/**
 * kubernetes-models 4.3 registers each schema lazily, the first time a model validates,
 * through the `register(id, schema)` export of `@kubernetes-models/validate` 3.x, which
 * compiles it with ajv. Wrapping that export makes every schema closed before it is
 * compiled. It has to happen before any model validates in this module registry, so it
 * runs when this module loads; the self-test below proves it did.
 */
function registerClosedSchemas(): void {
  const registry = schemaRegistry as unknown as { register: Register; strictWrapped?: boolean };
  if (registry.strictWrapped) {
    return;
  }
  const register = registry.register;
  registry.register = (id, schema) => register(id, closeObjectSchemas(schema));
  registry.strictWrapped = true;
}

registerClosedSchemas();

/** A model class of kubernetes-models: one top-level kind of one API group/version. */
type ModelClass = (new (data: unknown) => { validate(): void }) & { apiVersion?: string; kind?: string };

/**
 * The API group/versions a Kubernetes 1.28 API server serves by default that our
 * manifests may use, each with its kubernetes-models module. kubernetes-models also
 * ships long-removed versions (`policy/v1beta1`, `extensions/v1beta1`, …): they are
 * deliberately not listed, so objects using them fail.
 */
const SERVED_GROUP_VERSIONS: Record<string, Record<string, unknown>> = {
  'v1': coreV1,
  'apps/v1': appsV1,
  'autoscaling/v2': autoscalingV2,
  'batch/v1': batchV1,
  'networking.k8s.io/v1': networkingV1,
  'policy/v1': policyV1,
  'rbac.authorization.k8s.io/v1': rbacV1,
  'scheduling.k8s.io/v1': schedulingV1,
  'storage.k8s.io/v1': storageV1,
};

function modelFor(apiVersion: unknown, kind: unknown): ModelClass | string {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return `apiVersion and kind must be strings (got apiVersion ${JSON.stringify(apiVersion)}, kind ${JSON.stringify(kind)})`;
  }
  const groupVersion = SERVED_GROUP_VERSIONS[apiVersion];
  if (!groupVersion) {
    return `apiVersion "${apiVersion}" is not served by Kubernetes 1.28 (known: ${Object.keys(SERVED_GROUP_VERSIONS).join(', ')})`;
  }
  const model = Object.prototype.hasOwnProperty.call(groupVersion, kind) ? groupVersion[kind] as ModelClass : undefined;
  if (typeof model !== 'function' || model.apiVersion !== apiVersion || model.kind !== kind) {
    return `no schema for kind "${kind}" in apiVersion "${apiVersion}"`;
  }
  return model;
}

/** Turns a JSON pointer (`/spec/containers/0/name`) into `spec.containers[0].name`. */
export function pointerToPath(pointer: string): string {
  return pointer.split('/').slice(1)
    .map(segment => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment), '');
}

interface AjvError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params: Record<string, any>;
  readonly data?: unknown;
}

function describeSchemaError(error: AjvError): string {
  const at = (path: string) => path || '(root)';
  switch (error.keyword) {
    case 'additionalProperties': {
      const path = pointerToPath(`${error.instancePath}/${error.params.additionalProperty}`);
      return `${path}: unknown field "${error.params.additionalProperty}"`;
    }
    case 'required':
      return `${at(pointerToPath(`${error.instancePath}/${error.params.missingProperty}`))}: required field is missing`;
    case 'enum':
      return `${at(pointerToPath(error.instancePath))}: must be one of ${error.params.allowedValues.map((v: unknown) => JSON.stringify(v)).join(', ')} (got ${JSON.stringify(error.data)})`;
    case 'type':
      return `${at(pointerToPath(error.instancePath))}: must be ${error.params.type} (got ${JSON.stringify(error.data)})`;
    default:
      return `${at(pointerToPath(error.instancePath))}: ${error.message ?? error.keyword} (got ${JSON.stringify(error.data)})`;
  }
}

/**
 * Validates one object against the closed Kubernetes schema of its apiVersion and kind.
 * Returns one message per problem, each naming the field's path; an unknown
 * apiVersion or kind is itself a problem.
 */
export function schemaProblems(object: any): string[] {
  registerClosedSchemas();
  const model = modelFor(object?.apiVersion, object?.kind);
  if (typeof model === 'string') {
    return [model];
  }
  try {
    new model(object).validate();
    return [];
  } catch (error) {
    const errors: AjvError[] | undefined = (error as { errors?: AjvError[] }).errors;
    if (!Array.isArray(errors)) {
      throw error;
    }
    // A value that matches no branch of a oneOf (e.g. a Quantity) reports each branch
    // and the oneOf itself; one message per path and text is enough.
    return [...new Set(errors.map(describeSchemaError))];
  }
}

/**
 * Fails loudly unless the schema layer really is strict: an object with an unknown field
 * must be rejected. Guards against a kubernetes-models upgrade that no longer ships its
 * schemas as JSON (4.4+ ships precompiled, open validators) and against schemas having
 * been registered before {@link registerClosedSchemas} ran.
 */
function assertSchemasAreStrict(): void {
  const probe = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe' }, unknownField: true };
  if (!schemaProblems(probe).some(problem => problem.includes('unknown field "unknownField"'))) {
    throw new Error('kubernetes-models schemas accept unknown fields: strict schema validation is not in effect');
  }
}

// ---------------------------------------------------------------------------------------
// Rules the schemas miss: names and labels
// ---------------------------------------------------------------------------------------

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * The StatefulSet controller labels each pod `controller-revision-hash=<name>-<hash>`
 * (hash up to 10 characters) and label values have at most 63 characters.
 */
export const MAX_STATEFUL_SET_NAME_LENGTH = 52;

/** Problems of `value` as a DNS-1123 label of at most `maxLength` characters. */
export function dnsLabelProblems(what: string, value: unknown, maxLength = 63): string[] {
  if (typeof value !== 'string' || !DNS_LABEL.test(value)) {
    return [`${what} must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit) (got ${JSON.stringify(value)})`];
  }
  return value.length > maxLength ? [`${what} must be at most ${maxLength} characters (got "${value}", ${value.length})`] : [];
}

/** Problems of `value` as a DNS-1123 subdomain (at most 253 characters). */
export function dnsSubdomainProblems(what: string, value: unknown): string[] {
  if (typeof value !== 'string' || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    return [`${what} must be a DNS-1123 subdomain (dot-separated DNS labels, at most 253 characters) (got ${JSON.stringify(value)})`];
  }
  return [];
}

/** Problems of a port name: an IANA service name (at most 15 characters, a letter, no `--`). */
export function ianaServiceNameProblems(what: string, value: unknown): string[] {
  if (typeof value !== 'string' || value.length > 15 || !IANA_SVC_NAME.test(value) || !/[a-z]/.test(value) || value.includes('--')) {
    return [`${what} must be an IANA service name (at most 15 lower-case letters, digits and '-', with a letter, no '--') (got ${JSON.stringify(value)})`];
  }
  return [];
}

/** How the API server validates `metadata.name` of each kind (default: DNS subdomain). */
const NAME_RULES: Record<string, (name: unknown) => string[]> = {
  Service: name => dnsLabelProblems('metadata.name', name),
  Namespace: name => dnsLabelProblems('metadata.name', name),
  // Pods are named <name>-<ordinal> and that name is their hostname, a DNS label; see
  // MAX_STATEFUL_SET_NAME_LENGTH for the 52.
  StatefulSet: name => dnsLabelProblems('metadata.name', name, MAX_STATEFUL_SET_NAME_LENGTH),
  Role: name => pathSegmentNameProblems(name),
  ClusterRole: name => pathSegmentNameProblems(name),
  RoleBinding: name => pathSegmentNameProblems(name),
  ClusterRoleBinding: name => pathSegmentNameProblems(name),
};

function pathSegmentNameProblems(name: unknown): string[] {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || /[/%]/.test(name)) {
    return [`metadata.name must be a path segment name (not empty, '.' or '..', no '/' or '%') (got ${JSON.stringify(name)})`];
  }
  return [];
}

/** Problems of a label key (`[prefix/]name`, prefix a DNS subdomain, name at most 63 characters). */
export function labelKeyProblems(what: string, key: string): string[] {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = key.slice(slash + 1);
  const problems: string[] = [];
  if (prefix !== undefined) {
    problems.push(...dnsSubdomainProblems(`${what} key prefix of "${key}"`, prefix));
  }
  if (name.length > 63 || !QUALIFIED_NAME.test(name)) {
    problems.push(`${what} key "${key}" must have a name part of at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
  }
  return problems;
}

/** Problems of a label map: keys as {@link labelKeyProblems}, values at most 63 characters of the same alphabet. */
export function labelProblems(what: string, labels: unknown): string[] {
  if (labels === undefined) {
    return [];
  }
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    problems.push(...labelKeyProblems(what, key));
    if (typeof value !== 'string' || value.length > 63 || (value !== '' && !QUALIFIED_NAME.test(value))) {
      problems.push(`${what}["${key}"] must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got ${JSON.stringify(value)})`);
    }
  }
  return problems;
}

/** Problems of an object's `metadata`: its name as its kind requires, namespace, labels, annotation keys. */
export function metadataProblems(object: any): string[] {
  const metadata = object?.metadata ?? {};
  const nameRule = NAME_RULES[object?.kind] ?? ((name: unknown) => dnsSubdomainProblems('metadata.name', name));
  const problems = [...nameRule(metadata.name)];
  if (metadata.namespace !== undefined) {
    problems.push(...dnsLabelProblems('metadata.namespace', metadata.namespace));
  }
  problems.push(...labelProblems('metadata.labels', metadata.labels));
  for (const key of Object.keys(metadata.annotations ?? {})) {
    problems.push(...labelKeyProblems('metadata.annotations', key));
  }
  return problems;
}

// ---------------------------------------------------------------------------------------
// Rules the schemas miss: selectors
// ---------------------------------------------------------------------------------------

interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** True when a label selector (matchLabels and matchExpressions) selects `labels`. */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string> = {}): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In': return key in labels && values.includes(labels[key]);
      case 'NotIn': return !(key in labels) || !values.includes(labels[key]);
      case 'Exists': return key in labels;
      case 'DoesNotExist': return !(key in labels);
      default: return false;
    }
  });
  return byLabels && byExpressions;
}

function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

/** Workload kinds whose `spec.selector` must select their own `spec.template`. */
const SELECTING_WORKLOADS = new Set(['StatefulSet', 'Deployment', 'ReplicaSet', 'DaemonSet']);

/**
 * Problems of a workload's selector: it must be non-empty and select the labels of its
 * own pod template (the API server rejects both).
 */
export function workloadSelectorProblems(object: any): string[] {
  if (!SELECTING_WORKLOADS.has(object?.kind)) {
    return [];
  }
  const selector: LabelSelector | undefined = object.spec?.selector;
  if (isEmptySelector(selector)) {
    return ['spec.selector: must not be empty'];
  }
  const labels = object.spec?.template?.metadata?.labels ?? {};
  const problems = labelProblems('spec.selector.matchLabels', selector!.matchLabels);
  if (!selectorMatches(selector!, labels)) {
    problems.push(`spec.selector: does not match spec.template.metadata.labels (selector ${JSON.stringify(selector)}, labels ${JSON.stringify(labels)})`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------
// Rules the schemas miss: pods
// ---------------------------------------------------------------------------------------

/** The fields of a pod `VolumeSource`; a volume sets exactly one. */
const POD_VOLUME_SOURCES = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'configMap', 'csi', 'downwardAPI',
  'emptyDir', 'ephemeral', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk', 'gitRepo', 'glusterfs', 'hostPath',
  'iscsi', 'nfs', 'persistentVolumeClaim', 'photonPersistentDisk', 'portworxVolume', 'projected', 'quobyte', 'rbd',
  'scaleIO', 'secret', 'storageos', 'vsphereVolume',
];

/** The fields of a `PersistentVolumeSource`; a PersistentVolume sets exactly one. */
const PERSISTENT_VOLUME_SOURCES = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'csi', 'fc', 'flexVolume', 'flocker',
  'gcePersistentDisk', 'glusterfs', 'hostPath', 'iscsi', 'local', 'nfs', 'photonPersistentDisk', 'portworxVolume',
  'quobyte', 'rbd', 'scaleIO', 'storageos', 'vsphereVolume',
];

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket'];
const ENV_SOURCES = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'];

function setFields(object: any, fields: readonly string[]): string[] {
  return fields.filter(field => object?.[field] !== undefined && object?.[field] !== null);
}

function exactlyOne(what: string, object: any, fields: readonly string[]): string[] {
  const set = setFields(object, fields);
  return set.length === 1 ? [] : [`${what} must set exactly one of ${fields.join(', ')} (got ${set.length ? set.join(', ') : 'none'})`];
}

/** A pod's containers, init containers first, each with its path in the pod spec. */
function podContainers(podSpec: any, path: string): { container: any; path: string }[] {
  return [
    ...(podSpec.initContainers ?? []).map((container: any, i: number) => ({ container, path: `${path}.initContainers[${i}]` })),
    ...(podSpec.containers ?? []).map((container: any, i: number) => ({ container, path: `${path}.containers[${i}]` })),
  ];
}

function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((value, index) => values.indexOf(value) !== index))];
}

/** Problems of container names: DNS labels, unique across init and regular containers. */
export function containerNameProblems(podSpec: any, path: string): string[] {
  const containers = podContainers(podSpec, path);
  const problems = containers.flatMap(({ container, path: at }) => dnsLabelProblems(`${at}.name`, container.name));
  for (const name of duplicates(containers.map(({ container }) => container.name))) {
    problems.push(`${path}: container name "${name}" is used more than once (init and regular containers share one namespace)`);
  }
  return problems;
}

/**
 * Problems of pod volumes and mounts: volume names unique DNS labels with exactly one
 * source; each mount names a pod volume or a claim template, at a unique absolute
 * path, with a relative `subPath` without `..`.
 */
export function volumeMountProblems(podSpec: any, path: string, claimTemplateNames: readonly string[] = []): string[] {
  const volumes: any[] = podSpec.volumes ?? [];
  const problems: string[] = [];
  volumes.forEach((volume, i) => {
    problems.push(...dnsLabelProblems(`${path}.volumes[${i}].name`, volume.name));
    problems.push(...exactlyOne(`${path}.volumes[${i}] ("${volume.name}")`, volume, POD_VOLUME_SOURCES));
  });
  for (const name of duplicates(volumes.map(volume => volume.name))) {
    problems.push(`${path}.volumes: volume name "${name}" is used more than once`);
  }
  const known = new Set([...volumes.map(volume => volume.name), ...claimTemplateNames]);
  for (const { container, path: at } of podContainers(podSpec, path)) {
    const mounts: any[] = container.volumeMounts ?? [];
    mounts.forEach((mount, i) => {
      if (!known.has(mount.name)) {
        problems.push(`${at}.volumeMounts[${i}]: mounts volume "${mount.name}", which is neither a pod volume nor a volumeClaimTemplate (known: ${[...known].join(', ') || 'none'})`);
      }
      if (typeof mount.mountPath !== 'string' || !mount.mountPath.startsWith('/')) {
        problems.push(`${at}.volumeMounts[${i}].mountPath must be an absolute path (got ${JSON.stringify(mount.mountPath)})`);
      }
      if (mount.subPath !== undefined && (mount.subPath.startsWith('/') || mount.subPath.split('/').includes('..'))) {
        problems.push(`${at}.volumeMounts[${i}].subPath must be a relative path without '..' (got "${mount.subPath}")`);
      }
    });
    for (const mountPath of duplicates(mounts.map(mount => mount.mountPath))) {
      problems.push(`${at}.volumeMounts: mountPath "${mountPath}" is used more than once`);
    }
  }
  return problems;
}

/**
 * Problems of container ports: numbers 1–65535 (host ports 0–65535), names IANA
 * service names, unique across the pod so that a named `targetPort` is unambiguous.
 */
export function containerPortProblems(podSpec: any, path: string): string[] {
  const problems: string[] = [];
  const names: string[] = [];
  for (const { container, path: at } of podContainers(podSpec, path)) {
    (container.ports ?? []).forEach((port: any, i: number) => {
      if (!Number.isInteger(port.containerPort) || port.containerPort < 1 || port.containerPort > 65535) {
        problems.push(`${at}.ports[${i}].containerPort must be between 1 and 65535 (got ${JSON.stringify(port.containerPort)})`);
      }
      if (port.hostPort !== undefined && (!Number.isInteger(port.hostPort) || port.hostPort < 0 || port.hostPort > 65535)) {
        problems.push(`${at}.ports[${i}].hostPort must be between 0 and 65535 (got ${JSON.stringify(port.hostPort)})`);
      }
      if (port.name !== undefined) {
        problems.push(...ianaServiceNameProblems(`${at}.ports[${i}].name`, port.name));
        names.push(port.name);
      }
    });
  }
  for (const name of duplicates(names)) {
    problems.push(`${path}: container port name "${name}" is used more than once in the pod`);
  }
  return problems;
}

/**
 * Problems of probes and lifecycle hooks: exactly one handler each; liveness and
 * startup probes must have `successThreshold` 1.
 */
export function probeProblems(podSpec: any, path: string): string[] {
  const problems: string[] = [];
  for (const { container, path: at } of podContainers(podSpec, path)) {
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      if (container[probe] === undefined) {
        continue;
      }
      problems.push(...exactlyOne(`${at}.${probe}`, container[probe], PROBE_HANDLERS));
      const threshold = container[probe].successThreshold;
      if (probe !== 'readinessProbe' && threshold !== undefined && threshold !== 1) {
        problems.push(`${at}.${probe}.successThreshold must be 1 (got ${threshold})`);
      }
    }
    for (const hook of ['postStart', 'preStop']) {
      if (container.lifecycle?.[hook] !== undefined) {
        problems.push(...exactlyOne(`${at}.lifecycle.${hook}`, container.lifecycle[hook], LIFECYCLE_HANDLERS));
      }
    }
  }
  return problems;
}

/**
 * Problems of environment variables: no name twice in a container (the later one
 * silently wins), and either `value` or a `valueFrom` with exactly one source.
 */
export function envProblems(podSpec: any, path: string): string[] {
  const problems: string[] = [];
  for (const { container, path: at } of podContainers(podSpec, path)) {
    const env: any[] = container.env ?? [];
    env.forEach((variable, i) => {
      if (variable.valueFrom !== undefined) {
        if (variable.value !== undefined && variable.value !== '') {
          problems.push(`${at}.env[${i}] ("${variable.name}") must not set both value and valueFrom`);
        }
        problems.push(...exactlyOne(`${at}.env[${i}].valueFrom ("${variable.name}")`, variable.valueFrom, ENV_SOURCES));
      }
    });
    for (const name of duplicates(env.map(variable => variable.name))) {
      problems.push(`${at}.env: variable "${name}" is defined more than once`);
    }
  }
  return problems;
}

/** Problems of container images: every container names one. */
export function imageProblems(podSpec: any, path: string): string[] {
  return podContainers(podSpec, path)
    .filter(({ container }) => typeof container.image !== 'string' || container.image.trim() === '')
    .map(({ path: at }) => `${at}.image: required`);
}

const BINARY_SUFFIXES: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL_SUFFIXES: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The value of a Kubernetes quantity (`500m`, `1Gi`, `1e3`), or NaN when it is not one. */
export function parseQuantity(quantity: unknown): number {
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([KMGTPE]i)|([numkMGTPE]?)|[eE]([+-]?\d+))$/.exec(String(quantity));
  if (!match) {
    return NaN;
  }
  const [, number, binary, decimal, exponent] = match;
  const scale = binary ? BINARY_SUFFIXES[binary] : exponent !== undefined ? 10 ** Number(exponent) : DECIMAL_SUFFIXES[decimal ?? ''];
  return Number(number) * scale;
}

/** Problems of compute resources: each request at most its limit. */
export function resourceProblems(podSpec: any, path: string): string[] {
  const problems: string[] = [];
  for (const { container, path: at } of podContainers(podSpec, path)) {
    const { requests = {}, limits = {} } = container.resources ?? {};
    for (const [resource, request] of Object.entries(requests)) {
      const limit = limits[resource];
      if (limit !== undefined && parseQuantity(request) > parseQuantity(limit)) {
        problems.push(`${at}.resources.requests.${resource} (${request}) must be at most the limit (${limit})`);
      }
    }
  }
  return problems;
}

/** Every pod-level rule, for one pod spec at `path`. */
export function podSpecProblems(podSpec: any, path: string, claimTemplateNames: readonly string[] = []): string[] {
  if (!podSpec) {
    return [];
  }
  return [
    ...containerNameProblems(podSpec, path),
    ...imageProblems(podSpec, path),
    ...volumeMountProblems(podSpec, path, claimTemplateNames),
    ...containerPortProblems(podSpec, path),
    ...probeProblems(podSpec, path),
    ...envProblems(podSpec, path),
    ...resourceProblems(podSpec, path),
  ];
}

/** Where a kind keeps its pod spec, and the labels of its pods when they are not the object's own. */
interface PodTemplate {
  readonly spec: any;
  readonly path: string;
  readonly labels?: unknown;
  readonly labelsPath?: string;
}

/** The pod template of a workload (or a Pod's own spec), if the kind has one. */
export function podTemplateOf(object: any): PodTemplate | undefined {
  const fromTemplate = (template: any, at: string): PodTemplate => ({
    spec: template?.spec, path: `${at}.spec`, labels: template?.metadata?.labels, labelsPath: `${at}.metadata.labels`,
  });
  switch (object?.kind) {
    case 'Pod':
      return { spec: object.spec, path: 'spec' };
    case 'CronJob':
      return fromTemplate(object.spec?.jobTemplate?.spec?.template, 'spec.jobTemplate.spec.template');
    case 'StatefulSet': case 'Deployment': case 'ReplicaSet': case 'DaemonSet': case 'Job':
      return fromTemplate(object.spec?.template, 'spec.template');
    default:
      return undefined;
  }
}

/** Problems of a StatefulSet's volumeClaimTemplates: DNS-label names, unique, each requesting storage. */
export function claimTemplateProblems(object: any): string[] {
  if (object?.kind !== 'StatefulSet') {
    return [];
  }
  const templates: any[] = object.spec?.volumeClaimTemplates ?? [];
  const problems = templates.flatMap((template, i) => [
    ...dnsLabelProblems(`spec.volumeClaimTemplates[${i}].metadata.name`, template.metadata?.name),
    ...(template.spec?.resources?.requests?.storage === undefined ? [`spec.volumeClaimTemplates[${i}].spec.resources.requests.storage: required`] : []),
    ...((template.spec?.accessModes ?? []).length === 0 ? [`spec.volumeClaimTemplates[${i}].spec.accessModes: at least one access mode is required`] : []),
  ]);
  for (const name of duplicates(templates.map(template => template.metadata?.name))) {
    problems.push(`spec.volumeClaimTemplates: name "${name}" is used more than once`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------
// Rules the schemas miss: other kinds
// ---------------------------------------------------------------------------------------

/**
 * Problems of a PersistentVolume: capacity.storage and an access mode are required,
 * exactly one volume source, and an NFS or hostPath path must be absolute.
 */
export function persistentVolumeProblems(object: any): string[] {
  if (object?.kind !== 'PersistentVolume') {
    return [];
  }
  const spec = object.spec ?? {};
  const problems: string[] = [];
  if (Number.isNaN(parseQuantity(spec.capacity?.storage))) {
    problems.push(`spec.capacity.storage: required, a quantity such as 10Gi (got ${JSON.stringify(spec.capacity?.storage)})`);
  }
  if ((spec.accessModes ?? []).length === 0) {
    problems.push('spec.accessModes: at least one access mode is required');
  }
  problems.push(...exactlyOne('spec', spec, PERSISTENT_VOLUME_SOURCES));
  for (const source of ['nfs', 'hostPath']) {
    const path = spec[source]?.path;
    if (spec[source] !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) {
      problems.push(`spec.${source}.path must be an absolute path (got ${JSON.stringify(path)})`);
    }
  }
  if (spec.nfs !== undefined && (typeof spec.nfs.server !== 'string' || spec.nfs.server.trim() === '')) {
    problems.push('spec.nfs.server: required');
  }
  return problems;
}

/** Problems of a PodDisruptionBudget: at most one of minAvailable and maxUnavailable. */
export function podDisruptionBudgetProblems(object: any): string[] {
  if (object?.kind !== 'PodDisruptionBudget') {
    return [];
  }
  const spec = object.spec ?? {};
  return spec.minAvailable !== undefined && spec.maxUnavailable !== undefined
    ? ['spec: minAvailable and maxUnavailable cannot both be set']
    : [];
}

/** Largest total size of a ConfigMap's or Secret's data, in bytes. */
const MAX_CONFIG_DATA_BYTES = 1024 * 1024;

/**
 * Problems of ConfigMap and Secret data: keys of `-._a-zA-Z0-9` at most 253 characters,
 * none in both `data` and `binaryData`, at most 1 MiB in total (base64 values counted decoded).
 */
export function dataKeyProblems(object: any): string[] {
  if (object?.kind !== 'ConfigMap' && object?.kind !== 'Secret') {
    return [];
  }
  const problems: string[] = [];
  const sections = ['data', 'binaryData', 'stringData'].filter(section => object[section] !== undefined);
  let bytes = 0;
  for (const section of sections) {
    for (const [key, value] of Object.entries(object[section] as Record<string, unknown>)) {
      if (key.length > 253 || !CONFIG_KEY.test(key) || key === '.' || key === '..') {
        problems.push(`${section}["${key}"]: key must be at most 253 letters, digits, '-', '_' or '.' (and not '.' or '..')`);
      }
      const encoding = section === 'binaryData' || (object.kind === 'Secret' && section === 'data') ? 'base64' : 'utf8';
      bytes += Buffer.byteLength(key) + Buffer.from(String(value), encoding).length;
    }
  }
  const inBoth = Object.keys(object.data ?? {}).filter(key => object.binaryData?.[key] !== undefined);
  problems.push(...inBoth.map(key => `binaryData["${key}"]: key is also in data`));
  if (bytes > MAX_CONFIG_DATA_BYTES) {
    problems.push(`data: ${bytes} bytes in total, more than the ${MAX_CONFIG_DATA_BYTES} a ${object.kind} may hold`);
  }
  return problems;
}

/**
 * Problems of a Service's own spec: ports 1–65535 with unique DNS-label names (required
 * when there are several), a valid targetPort, a headless Service of type ClusterIP,
 * valid selector labels.
 */
export function serviceProblems(object: any): string[] {
  if (object?.kind !== 'Service') {
    return [];
  }
  const spec = object.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  const ports: any[] = spec.ports ?? [];
  const problems = labelProblems('spec.selector', spec.selector);
  if (spec.clusterIP === 'None' && type !== 'ClusterIP') {
    problems.push(`spec.clusterIP: "None" (headless) requires type ClusterIP (got ${type})`);
  }
  if (ports.length === 0 && type !== 'ExternalName' && spec.clusterIP !== 'None') {
    problems.push('spec.ports: at least one port is required unless the Service is headless');
  }
  ports.forEach((port, i) => {
    if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) {
      problems.push(`spec.ports[${i}].port must be between 1 and 65535 (got ${JSON.stringify(port.port)})`);
    }
    const target = port.targetPort;
    if (typeof target === 'number' && (!Number.isInteger(target) || target < 1 || target > 65535)) {
      problems.push(`spec.ports[${i}].targetPort must be between 1 and 65535 (got ${target})`);
    }
    if (typeof target === 'string') {
      problems.push(...ianaServiceNameProblems(`spec.ports[${i}].targetPort`, target));
    }
    if (port.name !== undefined) {
      problems.push(...dnsLabelProblems(`spec.ports[${i}].name`, port.name));
    } else if (ports.length > 1) {
      problems.push(`spec.ports[${i}].name: required when a Service has more than one port`);
    }
  });
  for (const name of duplicates(ports.filter(port => port.name !== undefined).map(port => port.name))) {
    problems.push(`spec.ports: name "${name}" is used more than once`);
  }
  for (const key of duplicates(ports.map(port => `${port.port}/${port.protocol ?? 'TCP'}`))) {
    problems.push(`spec.ports: port ${key} is used more than once`);
  }
  return problems;
}

/** Problems of RBAC bindings: a ServiceAccount subject needs a namespace in a ClusterRoleBinding. */
export function roleBindingProblems(object: any): string[] {
  if (object?.kind !== 'RoleBinding' && object?.kind !== 'ClusterRoleBinding') {
    return [];
  }
  const problems: string[] = [];
  if (object.roleRef?.apiGroup !== 'rbac.authorization.k8s.io' || !['Role', 'ClusterRole'].includes(object.roleRef?.kind)) {
    problems.push(`roleRef must name a Role or ClusterRole of apiGroup rbac.authorization.k8s.io (got ${JSON.stringify(object.roleRef)})`);
  }
  if (object.kind === 'ClusterRoleBinding' && object.roleRef?.kind !== 'ClusterRole') {
    problems.push(`roleRef.kind: a ClusterRoleBinding can only bind a ClusterRole (got ${object.roleRef?.kind})`);
  }
  (object.subjects ?? []).forEach((subject: any, i: number) => {
    if (subject.kind === 'ServiceAccount' && object.kind === 'ClusterRoleBinding' && !subject.namespace) {
      problems.push(`subjects[${i}].namespace: required for a ServiceAccount`);
    }
  });
  return problems;
}

// ---------------------------------------------------------------------------------------
// Rules across objects
// ---------------------------------------------------------------------------------------

function objectRef(object: any): string {
  return `${object?.kind ?? '<no kind>'}/${object?.metadata?.name ?? '<no name>'}`;
}

function namespaceOf(object: any): string {
  return object?.metadata?.namespace ?? 'default';
}

/**
 * Problems of StatefulSets' governing Services: `spec.serviceName` must name a headless
 * Service (`clusterIP: None`) of the same namespace in the same set, whose selector
 * selects the StatefulSet's pods, or pods get no stable DNS names.
 */
export function statefulSetServiceProblems(objects: readonly any[]): string[] {
  const problems: string[] = [];
  for (const sts of objects.filter(object => object?.kind === 'StatefulSet')) {
    const serviceName = sts.spec?.serviceName;
    const service = objects.find(object => object?.kind === 'Service'
      && object.metadata?.name === serviceName && namespaceOf(object) === namespaceOf(sts));
    const where = `${objectRef(sts)}: spec.serviceName "${serviceName}"`;
    if (!service) {
      problems.push(`${where}: no Service of that name in namespace "${namespaceOf(sts)}" among the synthesized objects`);
      continue;
    }
    if (service.spec?.clusterIP !== 'None') {
      problems.push(`${where}: the Service is not headless (clusterIP is ${JSON.stringify(service.spec?.clusterIP)}, expected "None")`);
    }
    const selector = service.spec?.selector;
    const podLabels = sts.spec?.template?.metadata?.labels ?? {};
    if (!selector || Object.keys(selector).length === 0) {
      problems.push(`${where}: the Service has no selector, so it publishes no pod DNS names`);
    } else if (!selectorMatches({ matchLabels: selector }, podLabels)) {
      problems.push(`${where}: the Service selector ${JSON.stringify(selector)} does not select the pod labels ${JSON.stringify(podLabels)}`);
    }
  }
  return problems;
}

/**
 * Problems of Services without a selector: one that routes ports (not ExternalName)
 * gets endpoints only from an Endpoints object or EndpointSlice managed by hand; if the
 * set holds none for it, the Service routes nowhere.
 */
export function selectorlessServiceProblems(objects: readonly any[]): string[] {
  const hasEndpoints = (service: any) => objects.some(object => namespaceOf(object) === namespaceOf(service) && (
    (object?.kind === 'Endpoints' && object.metadata?.name === service.metadata?.name)
    || (object?.kind === 'EndpointSlice' && object.metadata?.labels?.['kubernetes.io/service-name'] === service.metadata?.name)));
  return objects
    .filter(object => object?.kind === 'Service' && (object.spec?.type ?? 'ClusterIP') !== 'ExternalName')
    .filter(service => Object.keys(service.spec?.selector ?? {}).length === 0 && (service.spec?.ports ?? []).length > 0)
    .filter(service => !hasEndpoints(service))
    .map(service => `${objectRef(service)}: spec.selector is empty and no Endpoints or EndpointSlice for it is in the set, so it routes nowhere`);
}

/** Problems of duplicate objects: the same kind, namespace and name twice (the second apply overwrites the first). */
export function duplicateObjectProblems(objects: readonly any[]): string[] {
  const keys = objects.map(object => `${objectRef(object)} (namespace "${namespaceOf(object)}")`);
  return duplicates(keys).map(key => `${key}: defined more than once`);
}

// ---------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------

/** Every single-object rule beyond the schema, each returning problems relative to the object. */
export function ruleProblems(object: any): string[] {
  const template = podTemplateOf(object);
  const claimTemplates = (object?.spec?.volumeClaimTemplates ?? []).map((t: any) => t.metadata?.name);
  return [
    ...metadataProblems(object),
    ...workloadSelectorProblems(object),
    ...claimTemplateProblems(object),
    ...(template?.labelsPath ? labelProblems(template.labelsPath, template.labels) : []),
    ...(template ? podSpecProblems(template.spec, template.path, claimTemplates) : []),
    ...persistentVolumeProblems(object),
    ...podDisruptionBudgetProblems(object),
    ...dataKeyProblems(object),
    ...serviceProblems(object),
    ...roleBindingProblems(object),
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
  ];
}

// ---------------------------------------------------------------------------------------
// Synthesis helpers
// ---------------------------------------------------------------------------------------

/** A cdk8s app whose `synth()` writes to a fresh temporary directory. */
export function temporaryApp(): App {
  return Testing.app({ outdir: mkdtempSync(join(tmpdir(), 'manifests-valid.')) });
}

/**
 * Synthesizes an app exactly as `cdk8s synth` does (validations, dependency order, one
 * file per chart) into its output directory and returns each file's text by name.
 * Give it an app from {@link temporaryApp} so nothing is written into the project.
 */
export function synthAppFiles(app: App): Map<string, string> {
  app.synth();
  const files = readdirSync(app.outdir).filter(file => file.endsWith(app.outputFileExtension)).sort();
  return new Map(files.map(file => [file, readFileSync(join(app.outdir, file), 'utf8')]));
}

/** Synthesizes an app (see {@link synthAppFiles}) and returns every object of every chart. */
export function synthAppObjects(app: App): any[] {
  synthAppFiles(app);
  return loadManifestDirectory(app.outdir, app.outputFileExtension);
}

/** Synthesizes one chart into plain objects (cdk8s `Testing.synth`). */
export function synthChartObjects(chart: Chart): any[] {
  return Testing.synth(chart);
}

/** Every object of a multi-document YAML file, empty documents left out. */
export function loadManifestFile(file: string): any[] {
  return Yaml.load(file);
}

/** Every object of every `*<extension>` YAML file of a directory, in file name order. */
export function loadManifestDirectory(directory: string, extension = '.k8s.yaml'): any[] {
  return readdirSync(directory).filter(file => file.endsWith(extension)).sort()
    .flatMap(file => loadManifestFile(join(directory, file)));
}
