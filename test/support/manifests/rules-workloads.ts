/**
 * Rules the schemas miss for the numbers of workload kinds. The schema already holds
 * each field to its OpenAPI format (`int32`, `int64`); these are the ranges the API
 * server adds (pkg/apis/apps/validation, pkg/apis/batch/validation), mostly
 * `ValidateNonnegativeField`. A value of the wrong type is the schema's to report. A
 * pod's terminationGracePeriodSeconds gets no range check: the API server turns a
 * negative one into 1 instead of refusing it.
 */
import { intOrPercentProblems } from './rules-policy';

/** Per kind, the paths of integer fields that must be at least 0 when set. */
const NON_NEGATIVE_FIELDS: Record<string, readonly string[]> = {
  // ValidateStatefulSetSpec
  StatefulSet: ['spec.replicas', 'spec.minReadySeconds', 'spec.revisionHistoryLimit', 'spec.updateStrategy.rollingUpdate.partition', 'spec.ordinals.start'],
  // ValidateDeploymentSpec
  Deployment: ['spec.replicas', 'spec.minReadySeconds', 'spec.revisionHistoryLimit', 'spec.progressDeadlineSeconds'],
  // ValidateReplicaSetSpec
  ReplicaSet: ['spec.replicas', 'spec.minReadySeconds'],
  // ValidateDaemonSetSpec
  DaemonSet: ['spec.minReadySeconds', 'spec.revisionHistoryLimit'],
  // validateJobSpec
  Job: ['spec.parallelism', 'spec.completions', 'spec.activeDeadlineSeconds', 'spec.backoffLimit', 'spec.ttlSecondsAfterFinished'],
  // validateCronJobSpec (and the Job template inside it)
  CronJob: [
    'spec.startingDeadlineSeconds', 'spec.successfulJobsHistoryLimit', 'spec.failedJobsHistoryLimit',
    'spec.jobTemplate.spec.parallelism', 'spec.jobTemplate.spec.completions', 'spec.jobTemplate.spec.activeDeadlineSeconds',
    'spec.jobTemplate.spec.backoffLimit', 'spec.jobTemplate.spec.ttlSecondsAfterFinished',
  ],
};

function valueAt(object: any, path: string): unknown {
  return path.split('.').reduce((value, key) => value?.[key], object);
}

/**
 * Problems of a workload's numbers: the fields of {@link NON_NEGATIVE_FIELDS} at least
 * 0; a Deployment's progressDeadlineSeconds above its minReadySeconds and its rolling
 * update's maxSurge and maxUnavailable int-or-percents that are not both zero
 * (`ValidateRollingUpdateDeployment`).
 */
export function workloadNumberProblems(object: any): string[] {
  const problems: string[] = [];
  for (const path of NON_NEGATIVE_FIELDS[object?.kind] ?? []) {
    const value = valueAt(object, path);
    if (typeof value === 'number' && value < 0) {
      problems.push(`${path} must be at least 0 (got ${JSON.stringify(value)})`);
    }
  }
  if (object?.kind === 'Deployment') {
    const spec = object.spec ?? {};
    if (typeof spec.progressDeadlineSeconds === 'number' && spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      problems.push(`spec.progressDeadlineSeconds must be greater than minReadySeconds (got ${spec.progressDeadlineSeconds} <= ${spec.minReadySeconds ?? 0})`);
    }
    const rollingUpdate = spec.strategy?.rollingUpdate;
    if (rollingUpdate) {
      const fields = ['maxSurge', 'maxUnavailable'].filter(field => rollingUpdate[field] !== undefined && rollingUpdate[field] !== null);
      const fieldProblems = fields.flatMap(field => intOrPercentProblems(`spec.strategy.rollingUpdate.${field}`, rollingUpdate[field]));
      problems.push(...fieldProblems);
      const isZero = (value: unknown) => value === 0 || value === '0%';
      if (fieldProblems.length === 0 && fields.length === 2 && isZero(rollingUpdate.maxSurge) && isZero(rollingUpdate.maxUnavailable)) {
        problems.push('spec.strategy.rollingUpdate: maxSurge and maxUnavailable cannot both be 0');
      }
    }
  }
  return problems;
}
