/**
 * Rules the schemas miss for policy objects: PodDisruptionBudgets, NetworkPolicies and
 * RBAC bindings.
 */
import { ianaServiceNameProblems, labelSelectorProblems } from './rules-metadata';

/**
 * Problems of an int-or-percent that must not be negative (`ValidatePositiveIntOrPercent`
 * and `IsNotMoreThan100Percent` in pkg/apis/apps/validation): an integer of at least 0,
 * or a string `N%` with N at most 100 (`IsValidPercent`).
 */
export function intOrPercentProblems(what: string, value: unknown): string[] {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 ? [] : [`${what} must be an integer of at least 0 (got ${value})`];
  }
  const percent = typeof value === 'string' ? /^([0-9]+)%$/.exec(value) : null;
  if (!percent) {
    return [`${what} must be an integer or a percentage such as "50%" (got ${JSON.stringify(value)})`];
  }
  return Number(percent[1]) <= 100 ? [] : [`${what} must not be more than 100% (got "${value}")`];
}

/**
 * Problems of a PodDisruptionBudget (`ValidatePodDisruptionBudgetSpec`): at most one of
 * minAvailable and maxUnavailable, each an int-or-percent, and a valid selector.
 */
export function podDisruptionBudgetProblems(object: any): string[] {
  if (object?.kind !== 'PodDisruptionBudget') {
    return [];
  }
  const spec = object.spec ?? {};
  const problems = spec.minAvailable !== undefined && spec.maxUnavailable !== undefined
    ? ['spec: minAvailable and maxUnavailable cannot both be set']
    : [];
  for (const field of ['minAvailable', 'maxUnavailable']) {
    if (spec[field] !== undefined && spec[field] !== null) {
      problems.push(...intOrPercentProblems(`spec.${field}`, spec[field]));
    }
  }
  problems.push(...labelSelectorProblems('spec.selector', spec.selector));
  return problems;
}

/**
 * Problems of a NetworkPolicy (`ValidateNetworkPolicySpec`): valid pod and namespace
 * selectors in the spec and every peer; each port a number 1–65535 or an IANA service
 * name, and an endPort only after a numeric port and not below it.
 */
export function networkPolicyProblems(object: any): string[] {
  if (object?.kind !== 'NetworkPolicy') {
    return [];
  }
  const spec = object.spec ?? {};
  const problems = labelSelectorProblems('spec.podSelector', spec.podSelector);
  for (const direction of ['ingress', 'egress']) {
    (spec[direction] ?? []).forEach((rule: any, i: number) => {
      const at = `spec.${direction}[${i}]`;
      (rule[direction === 'ingress' ? 'from' : 'to'] ?? []).forEach((peer: any, j: number) => {
        const peerAt = `${at}.${direction === 'ingress' ? 'from' : 'to'}[${j}]`;
        problems.push(...labelSelectorProblems(`${peerAt}.podSelector`, peer.podSelector));
        problems.push(...labelSelectorProblems(`${peerAt}.namespaceSelector`, peer.namespaceSelector));
      });
      (rule.ports ?? []).forEach((port: any, j: number) => {
        const portAt = `${at}.ports[${j}]`;
        if (typeof port.port === 'string') {
          problems.push(...ianaServiceNameProblems(`${portAt}.port`, port.port));
        } else if (port.port !== undefined && port.port !== null && !(Number.isInteger(port.port) && port.port >= 1 && port.port <= 65535)) {
          problems.push(`${portAt}.port must be between 1 and 65535 (got ${JSON.stringify(port.port)})`);
        }
        if (port.endPort !== undefined && port.endPort !== null) {
          if (typeof port.port !== 'number') {
            problems.push(`${portAt}.endPort requires a numeric port (got port ${JSON.stringify(port.port)})`);
          } else if (port.endPort < port.port) {
            problems.push(`${portAt}.endPort must be at least the port (got ${port.endPort} < ${port.port})`);
          }
        }
      });
    });
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
