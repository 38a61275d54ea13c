/**
 * Schema layer of manifest validation: each object is checked against the OpenAPI schema
 * of its apiVersion and kind, as shipped by `kubernetes-models` 4.3.1 (the last release
 * that ships the schemas as JSON; generated from Kubernetes 1.27.1, whose served GA APIs
 * 1.28 keeps unchanged). The schemas are made *closed* before they are compiled (every
 * object schema with `properties` gets `additionalProperties: false`), so unknown fields
 * are rejected like `kubectl apply --validate=strict` does, next to wrong types, bad enum
 * values and missing required fields. An apiVersion that 1.28 does not serve, or a kind
 * without a schema, is a problem, never a skip.
 */
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
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import { dirname, join } from 'path';
import { QUANTITY_PATTERN } from './common';

type JsonSchema = { [keyword: string]: any };
type Register = (id: string, schema: JsonSchema) => void;

/** Applies `change` to a copy of every schema position of `schema`, innermost first. */
function mapSchemas(schema: JsonSchema, change: (schema: JsonSchema) => JsonSchema): JsonSchema {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    return schema;
  }
  const copy: JsonSchema = { ...schema };
  if (schema.properties) {
    copy.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([name, sub]) => [name, mapSchemas(sub as JsonSchema, change)]));
  }
  for (const keyword of ['items', 'additionalProperties', 'not']) {
    if (schema[keyword] !== undefined && typeof schema[keyword] === 'object') {
      copy[keyword] = mapSchemas(schema[keyword], change);
    }
  }
  for (const keyword of ['oneOf', 'anyOf', 'allOf']) {
    if (Array.isArray(schema[keyword])) {
      copy[keyword] = schema[keyword].map((sub: JsonSchema) => mapSchemas(sub, change));
    }
  }
  return change(copy);
}

/**
 * Returns a copy of a JSON schema in which every object schema that lists its
 * `properties` and says nothing about other properties rejects them. Only schema
 * positions are walked (`properties` values, `items`, `additionalProperties`,
 * `oneOf`/`anyOf`/`allOf`, `not`), so a field that happens to be called `properties`
 * is never mistaken for a keyword.
 */
export function closeObjectSchemas(schema: JsonSchema): JsonSchema {
  return mapSchemas(schema, sub => (sub.properties && sub.additionalProperties === undefined
    ? { ...sub, additionalProperties: false } : sub));
}

/**
 * Returns a copy of a JSON schema in which `format: "quantity"` is replaced by the
 * grammar Kubernetes really parses ({@link QUANTITY_PATTERN}). The `quantity` format of
 * `@kubernetes-models/validate` accepts every SI prefix (`1h`, `1da`, `1Y`) and
 * fractional exponents (`1e1.5`), all of which `resource.ParseQuantity` rejects.
 * (`int32`/`int64` need nothing: ajv-formats already checks them.)
 */
export function strictQuantityFormat(schema: JsonSchema): JsonSchema {
  return mapSchemas(schema, sub => {
    if (sub.format !== 'quantity') {
      return sub;
    }
    const { format: _format, ...rest } = sub;
    return { ...rest, pattern: QUANTITY_PATTERN };
  });
}

/**
 * Enum fields for which the API server also accepts the empty string, per schema id: a
 * toleration's empty operator means Equal and its empty effect means every effect
 * (`ValidateTolerations`), but the OpenAPI enums leave "" out.
 */
const ENUMS_ACCEPTING_EMPTY: Record<string, readonly string[]> = {
  'io.k8s.api.core.v1.Toleration': ['operator', 'effect'],
};

/** Returns a copy of the schema registered as `id` whose enums accept "" where the API server does. */
export function acceptEmptyEnums(id: string, schema: JsonSchema): JsonSchema {
  const fields = ENUMS_ACCEPTING_EMPTY[id];
  if (!fields || !schema.properties) {
    return schema;
  }
  const properties = { ...schema.properties };
  for (const field of fields) {
    if (Array.isArray(properties[field]?.enum)) {
      properties[field] = { ...properties[field], enum: [...properties[field].enum, ''] };
    }
  }
  return { ...schema, properties };
}

/**
 * kubernetes-models 4.3 registers each schema lazily, the first time a model validates,
 * through the `register(id, schema)` export of `@kubernetes-models/validate` 3.x, which
 * compiles it with ajv. Wrapping that export makes every schema closed, its quantities
 * strict ({@link strictQuantityFormat}) and its enums as lenient about "" as the API
 * server ({@link acceptEmptyEnums}), before it is compiled. It has to happen before any model validates in this module registry, so it
 * runs when this module loads; the self-test below proves it did.
 */
function registerClosedSchemas(): void {
  const registry = schemaRegistry as unknown as { register: Register; strictWrapped?: boolean };
  if (registry.strictWrapped) {
    return;
  }
  const register = registry.register;
  registry.register = (id, schema) => register(id, closeObjectSchemas(strictQuantityFormat(acceptEmptyEnums(id, schema))));
  registry.strictWrapped = true;
}

registerClosedSchemas();

/**
 * The Prometheus Operator's `monitoring.coreos.com/v1` kinds come from
 * `@kubernetes-models/prometheus-operator` 1.6, the last release that ships its schemas
 * as JSON (later ones ship precompiled validators). It registers them, and the
 * ObjectMeta they refer to, with its own `@kubernetes-models/validate` 1.x, whose
 * `register` is wrapped the same way, so that these kinds are closed too.
 */
function registerClosedMonitoringSchemas(): void {
  const packageDir = dirname(require.resolve('@kubernetes-models/prometheus-operator'));
  const validateEntry = require.resolve('@kubernetes-models/validate', { paths: [packageDir] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const registry = require(join(dirname(validateEntry), 'ajv.js')) as { register: Register; strictWrapped?: boolean };
  if (registry.strictWrapped) {
    return;
  }
  const register = registry.register;
  registry.register = (id, schema) => register(id, closeObjectSchemas(schema));
  registry.strictWrapped = true;
}

registerClosedMonitoringSchemas();

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
  // A custom resource group, served once the Prometheus Operator's CRDs are installed; only
  // the kind the library makes (the package's group index of 1.6.3 lists ThanosRuler only).
  'monitoring.coreos.com/v1': { PodMonitor },
  // cert-manager's, from @kubernetes-models/cert-manager 4.3.1, the last release with JSON
  // schemas; it registers them with the same validate 3.x, so they are closed too.
  'cert-manager.io/v1': { Certificate },
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
    case 'pattern':
      if (error.params.pattern === QUANTITY_PATTERN) {
        return `${at(pointerToPath(error.instancePath))}: must match format "quantity" (got ${JSON.stringify(error.data)})`;
      }
      return `${at(pointerToPath(error.instancePath))}: ${error.message ?? error.keyword} (got ${JSON.stringify(error.data)})`;
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
    // and the oneOf itself; a string that is not a quantity is reported as that alone,
    // and otherwise one message per path and text is enough.
    const notQuantities = new Set(errors
      .filter(error => error.keyword === 'pattern' && error.params.pattern === QUANTITY_PATTERN)
      .map(error => error.instancePath));
    const relevant = errors.filter(error => !(notQuantities.has(error.instancePath) && (error.keyword === 'type' || error.keyword === 'oneOf')));
    return [...new Set(relevant.map(describeSchemaError))];
  }
}

/**
 * Fails loudly unless the schema layer really is strict: an object with an unknown field
 * must be rejected. Guards against a kubernetes-models upgrade that no longer ships its
 * schemas as JSON (4.4+ ships precompiled, open validators) and against schemas having
 * been registered before {@link registerClosedSchemas} ran.
 *
 * @throws Error when an object with an unknown field passes schema validation.
 */
export function assertSchemasAreStrict(): void {
  const probe = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe' }, unknownField: true };
  if (!schemaProblems(probe).some(problem => problem.includes('unknown field "unknownField"'))) {
    throw new Error('kubernetes-models schemas accept unknown fields: strict schema validation is not in effect');
  }
}
