/**
 * Rules the schemas miss for policy objects: PodDisruptionBudgets and RBAC bindings.
 */

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
