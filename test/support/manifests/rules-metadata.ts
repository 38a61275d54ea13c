/**
 * Rules the schemas miss for names, labels and selectors: `metadata.name` as each kind
 * requires it, label and annotation keys and values, label selectors, and workload
 * selectors that must select their own pod template. The syntax checks follow
 * k8s.io/apimachinery/pkg/util/validation (`IsDNS1123Label`, `IsDNS1035Label`,
 * `IsDNS1123Subdomain`, `IsQualifiedName`, `IsValidLabelValue`, `IsValidPortName`,
 * `IsConfigMapKey`).
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

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

/**
 * Problems of `value` as a DNS-1035 label (`IsDNS1035Label`): a DNS-1123 label that
 * starts with a letter. A value that is not even a DNS-1123 label gets that message.
 */
export function dns1035LabelProblems(what: string, value: unknown): string[] {
  const problems = dnsLabelProblems(what, value);
  if (problems.length === 0 && !/^[a-z]/.test(value as string)) {
    return [`${what} must be a DNS-1035 label (a DNS-1123 label that starts with a letter) (got ${JSON.stringify(value)})`];
  }
  return problems;
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
  // ValidateServiceName is NameIsDNS1035Label: a Service name is a DNS label that
  // starts with a letter.
  Service: name => dns1035LabelProblems('metadata.name', name),
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

/**
 * Problems of a label key, or any other qualified name (`IsQualifiedName`): `[prefix/]name`
 * with at most one '/', the prefix a DNS subdomain, the name at most 63 characters.
 */
export function labelKeyProblems(what: string, key: unknown): string[] {
  if (typeof key !== 'string') {
    return [`${what} key must be a string (got ${JSON.stringify(key)})`];
  }
  if (key.split('/').length > 2) {
    return [`${what} key "${key}" must be a qualified name ([prefix/]name) with at most one '/'`];
  }
  const slash = key.indexOf('/');
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

/** Problems of a label value (`IsValidLabelValue`): empty, or at most 63 letters, digits, '-', '_' or '.' starting and ending with a letter or digit. */
export function labelValueProblems(what: string, value: unknown): string[] {
  if (typeof value !== 'string' || value.length > 63 || (value !== '' && !QUALIFIED_NAME.test(value))) {
    return [`${what} must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got ${JSON.stringify(value)})`];
  }
  return [];
}

/** Problems of a label map (`ValidateLabels`): keys as {@link labelKeyProblems}, values as {@link labelValueProblems}. */
export function labelProblems(what: string, labels: unknown): string[] {
  if (labels === undefined || labels === null) {
    return [];
  }
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    problems.push(...labelKeyProblems(what, key));
    problems.push(...labelValueProblems(`${what}["${key}"]`, value));
  }
  return problems;
}

/**
 * Problems of a `LabelSelector` (`ValidateLabelSelector` and
 * `ValidateLabelSelectorRequirement` in k8s.io/apimachinery/pkg/apis/meta/v1/validation):
 * matchLabels as labels; each matchExpression a qualified-name key, an operator among
 * In, NotIn, Exists, DoesNotExist, values required for In/NotIn and forbidden for
 * Exists/DoesNotExist, each value a label value.
 */
export function labelSelectorProblems(what: string, selector: any): string[] {
  if (selector === undefined || selector === null) {
    return [];
  }
  const problems = labelProblems(`${what}.matchLabels`, selector.matchLabels);
  (selector.matchExpressions ?? []).forEach((requirement: any, i: number) => {
    const at = `${what}.matchExpressions[${i}]`;
    const values: unknown[] = requirement.values ?? [];
    problems.push(...labelKeyProblems(at, requirement.key));
    if (requirement.operator === 'In' || requirement.operator === 'NotIn') {
      if (values.length === 0) {
        problems.push(`${at}.values: required when the operator is ${requirement.operator}`);
      }
    } else if (requirement.operator === 'Exists' || requirement.operator === 'DoesNotExist') {
      if (values.length > 0) {
        problems.push(`${at}.values: must be empty when the operator is ${requirement.operator}`);
      }
    } else {
      problems.push(`${at}.operator must be one of In, NotIn, Exists, DoesNotExist (got ${JSON.stringify(requirement.operator)})`);
    }
    values.forEach((value, j) => problems.push(...labelValueProblems(`${at}.values[${j}]`, value)));
  });
  return problems;
}

/** A ConfigMap or Secret key (`IsConfigMapKey`): letters, digits, `-`, `_` and `.`. */
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * Problems of a ConfigMap or Secret key (`IsConfigMapKey`): at most 253 letters, digits,
 * '-', '_' or '.', and neither '.', '..' nor starting with '..' (`hasChDirPrefix`), as
 * in data keys and in `configMapKeyRef`/`secretKeyRef`.
 */
export function configKeyProblems(what: string, key: unknown): string[] {
  if (typeof key !== 'string' || key.length > 253 || !CONFIG_KEY.test(key) || key === '.' || key === '..') {
    return [`${what}: key must be at most 253 letters, digits, '-', '_' or '.' (and not '.' or '..')${typeof key === 'string' ? '' : ` (got ${JSON.stringify(key)})`}`];
  }
  if (key.startsWith('..')) {
    return [`${what}: key must not start with '..' (got "${key}")`];
  }
  return [];
}

/**
 * The built-in kinds that are not namespaced (`kubectl api-resources --namespaced=false`,
 * Kubernetes 1.28). The API server drops `metadata.namespace` from them, so a namespace
 * in the YAML says something that is never applied, and a review is misled by it.
 */
const CLUSTER_SCOPED_KINDS = new Set([
  'APIService', 'CertificateSigningRequest', 'ClusterRole', 'ClusterRoleBinding', 'ComponentStatus', 'CSIDriver',
  'CSINode', 'CustomResourceDefinition', 'FlowSchema', 'IngressClass', 'MutatingWebhookConfiguration', 'Namespace',
  'Node', 'PersistentVolume', 'PriorityClass', 'PriorityLevelConfiguration', 'RuntimeClass', 'StorageClass',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ValidatingWebhookConfiguration', 'VolumeAttachment',
]);

/** Problems of an object's `metadata`: its name as its kind requires, namespace, labels, annotation keys. */
export function metadataProblems(object: any): string[] {
  const metadata = object?.metadata ?? {};
  const nameRule = NAME_RULES[object?.kind] ?? ((name: unknown) => dnsSubdomainProblems('metadata.name', name));
  const problems = [...nameRule(metadata.name)];
  if (metadata.namespace !== undefined) {
    problems.push(...dnsLabelProblems('metadata.namespace', metadata.namespace));
    if (CLUSTER_SCOPED_KINDS.has(object?.kind)) {
      problems.push(`metadata.namespace must be absent on the cluster-scoped kind ${object.kind} (got ${JSON.stringify(metadata.namespace)})`);
    }
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
  const problems = labelSelectorProblems('spec.selector', selector);
  if (!selectorMatches(selector!, labels)) {
    problems.push(`spec.selector: does not match spec.template.metadata.labels (selector ${JSON.stringify(selector)}, labels ${JSON.stringify(labels)})`);
  }
  return problems;
}
