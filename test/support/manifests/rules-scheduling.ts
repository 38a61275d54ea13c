/**
 * Rules the schemas miss for where a pod may run: nodeSelector, tolerations, topology
 * spread constraints and affinity, as `ValidatePodSpec` in pkg/apis/core/validation
 * checks them. Every key there is a qualified name and every value a label value.
 */
import { duplicates } from './common';
import { labelKeyProblems, labelProblems, labelSelectorProblems, labelValueProblems } from './rules-metadata';

/**
 * Problems of tolerations (`ValidateTolerations`): a key is a qualified name, or empty
 * with operator Exists (tolerate everything); Exists takes no value, Equal (or an empty
 * operator) takes a label value; tolerationSeconds only with effect NoExecute. The
 * operator (Exists, Equal or empty) and effect (NoSchedule, PreferNoSchedule, NoExecute
 * or empty) are the schema's enums.
 */
export function tolerationProblems(podSpec: any, path: string): string[] {
  const problems: string[] = [];
  (podSpec.tolerations ?? []).forEach((toleration: any, i: number) => {
    const at = `${path}.tolerations[${i}]`;
    const key = toleration.key ?? '';
    const operator = toleration.operator ?? '';
    const value = toleration.value ?? '';
    const effect = toleration.effect ?? '';
    if (key !== '') {
      problems.push(...labelKeyProblems(`${at}.key`, key));
    } else if (operator !== 'Exists') {
      problems.push(`${at}.operator must be Exists when the key is empty (got ${JSON.stringify(toleration.operator)})`);
    }
    if (operator === 'Exists' && value !== '') {
      problems.push(`${at}.value must be empty when the operator is Exists (got ${JSON.stringify(value)})`);
    } else if (operator === 'Equal' || operator === '') {
      problems.push(...labelValueProblems(`${at}.value`, value));
    }
    if (toleration.tolerationSeconds !== undefined && toleration.tolerationSeconds !== null && effect !== 'NoExecute') {
      problems.push(`${at}.tolerationSeconds requires effect NoExecute (got effect ${JSON.stringify(effect)})`);
    }
  });
  return problems;
}

/**
 * Problems of topologySpreadConstraints (`validateTopologySpreadConstraints`): maxSkew
 * greater than zero, a qualified-name topologyKey, minDomains greater than zero and only
 * with DoNotSchedule, a valid labelSelector, and no (topologyKey, whenUnsatisfiable)
 * pair twice.
 */
export function topologySpreadProblems(podSpec: any, path: string): string[] {
  const constraints: any[] = podSpec.topologySpreadConstraints ?? [];
  const problems: string[] = [];
  constraints.forEach((constraint, i) => {
    const at = `${path}.topologySpreadConstraints[${i}]`;
    if (typeof constraint.maxSkew === 'number' && constraint.maxSkew <= 0) {
      problems.push(`${at}.maxSkew must be greater than zero (got ${JSON.stringify(constraint.maxSkew)})`);
    }
    problems.push(...topologyKeyProblems(`${at}.topologyKey`, constraint.topologyKey));
    if (typeof constraint.minDomains === 'number') {
      if (constraint.minDomains <= 0) {
        problems.push(`${at}.minDomains must be greater than zero (got ${JSON.stringify(constraint.minDomains)})`);
      } else if (constraint.whenUnsatisfiable !== 'DoNotSchedule') {
        problems.push(`${at}.minDomains requires whenUnsatisfiable DoNotSchedule (got ${JSON.stringify(constraint.whenUnsatisfiable)})`);
      }
    }
    problems.push(...labelSelectorProblems(`${at}.labelSelector`, constraint.labelSelector));
  });
  for (const pair of duplicates(constraints.map(constraint => `${constraint.topologyKey}/${constraint.whenUnsatisfiable}`))) {
    problems.push(`${path}.topologySpreadConstraints: topologyKey and whenUnsatisfiable "${pair}" are used more than once`);
  }
  return problems;
}

/** A topologyKey: required, a qualified name. */
function topologyKeyProblems(what: string, key: unknown): string[] {
  if (typeof key !== 'string' || key === '') {
    return [`${what}: required (got ${JSON.stringify(key)})`];
  }
  return labelKeyProblems(what, key);
}

/**
 * Problems of a pod affinity term (`validatePodAffinityTerm`): valid labelSelector and
 * namespaceSelector, namespaces that are DNS labels, a qualified-name topologyKey.
 */
function podAffinityTermProblems(term: any, at: string): string[] {
  return [
    ...labelSelectorProblems(`${at}.labelSelector`, term?.labelSelector),
    ...labelSelectorProblems(`${at}.namespaceSelector`, term?.namespaceSelector),
    ...topologyKeyProblems(`${at}.topologyKey`, term?.topologyKey),
  ];
}

/** A weight of a preferred term: 1–100 (`validateWeightedPodAffinityTerms`, `ValidatePreferredSchedulingTerms`). */
function weightProblems(at: string, weight: unknown): string[] {
  return typeof weight !== 'number' || (weight >= 1 && weight <= 100)
    ? [] : [`${at}.weight must be between 1 and 100 (got ${JSON.stringify(weight)})`];
}

/**
 * Problems of a node selector requirement (`ValidateNodeSelectorRequirement`): a
 * qualified-name key; In/NotIn need values, Exists/DoesNotExist take none, Gt/Lt take
 * exactly one; values are label values where `checkValues` (required node affinity).
 */
function nodeSelectorRequirementProblems(requirement: any, at: string, checkValues: boolean): string[] {
  const values: unknown[] = requirement.values ?? [];
  const problems = labelKeyProblems(`${at}.key`, requirement.key);
  switch (requirement.operator) {
    case 'In': case 'NotIn':
      if (values.length === 0) {
        problems.push(`${at}.values: required when the operator is ${requirement.operator}`);
      }
      break;
    case 'Exists': case 'DoesNotExist':
      if (values.length > 0) {
        problems.push(`${at}.values: must be empty when the operator is ${requirement.operator}`);
      }
      break;
    case 'Gt': case 'Lt':
      if (values.length !== 1) {
        problems.push(`${at}.values: exactly one value is required when the operator is ${requirement.operator}`);
      }
      break;
    default:
      problems.push(`${at}.operator must be one of In, NotIn, Exists, DoesNotExist, Gt, Lt (got ${JSON.stringify(requirement.operator)})`);
  }
  if (checkValues) {
    values.forEach((value, j) => problems.push(...labelValueProblems(`${at}.values[${j}]`, value)));
  }
  return problems;
}

function nodeSelectorTermProblems(term: any, at: string, checkValues: boolean): string[] {
  return (term?.matchExpressions ?? []).flatMap((requirement: any, j: number) =>
    nodeSelectorRequirementProblems(requirement, `${at}.matchExpressions[${j}]`, checkValues));
}

/**
 * Problems of affinity (`validateAffinity`): node affinity terms (required ones need at
 * least one term; preferred ones let values be any string, as the API server does), pod
 * affinity and anti-affinity terms, and weights.
 */
export function affinityProblems(podSpec: any, path: string): string[] {
  const affinity = podSpec.affinity;
  if (!affinity) {
    return [];
  }
  const problems: string[] = [];
  const nodeAffinity = affinity.nodeAffinity;
  const required = nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) {
    const at = `${path}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`;
    const terms: any[] = required.nodeSelectorTerms ?? [];
    if (terms.length === 0) {
      problems.push(`${at}.nodeSelectorTerms: at least one node selector term is required`);
    }
    terms.forEach((term, i) => problems.push(...nodeSelectorTermProblems(term, `${at}.nodeSelectorTerms[${i}]`, true)));
  }
  (nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((term: any, i: number) => {
    const at = `${path}.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    problems.push(...weightProblems(at, term.weight), ...nodeSelectorTermProblems(term.preference, `${at}.preference`, false));
  });
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const at = `${path}.affinity.${kind}`;
    (affinity[kind]?.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((term: any, i: number) => {
      problems.push(...podAffinityTermProblems(term, `${at}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`));
    });
    (affinity[kind]?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((term: any, i: number) => {
      const termAt = `${at}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      problems.push(...weightProblems(termAt, term.weight), ...podAffinityTermProblems(term.podAffinityTerm, `${termAt}.podAffinityTerm`));
    });
  }
  return problems;
}

/** Every scheduling rule for one pod spec at `path`, nodeSelector (`ValidateLabels`) first. */
export function schedulingProblems(podSpec: any, path: string): string[] {
  return [
    ...labelProblems(`${path}.nodeSelector`, podSpec.nodeSelector),
    ...tolerationProblems(podSpec, path),
    ...topologySpreadProblems(podSpec, path),
    ...affinityProblems(podSpec, path),
  ];
}
