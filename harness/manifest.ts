import { ApiObject, Chart, Testing } from 'cdk8s';

/**
 * Reading the synthesized manifests: everything the harness runs comes from here —
 * the StatefulSet's pod template (containers in order, commands, env, mounts, probes,
 * security context), the ConfigMaps it mounts, its volume claim templates and the
 * governing headless Service; a CronJob's job template (a Job made from it, as
 * `kubectl create job --from=cronjob/…` or the CronJob controller makes one); the
 * PersistentVolumeClaim objects. Nothing about the cluster is hard-coded in the harness.
 */

/** A synthesized object, as plain JSON. */
export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [key: string]: any }; [key: string]: any };

/** A Secret the test defines, as `kubectl create secret generic` would. */
export interface TestSecret {
  readonly name: string;
  readonly stringData: Record<string, string>;
}

/** Adds a test Secret to a chart (so it is synthesized with everything else). */
export function addSecret(chart: Chart, secret: TestSecret): void {
  new ApiObject(chart, `secret-${secret.name}`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: secret.name },
    stringData: secret.stringData,
  });
}

/** An exec probe of a container. */
export interface ExecProbe {
  readonly command: string[];
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
  readonly initialDelaySeconds: number;
}

/** A volume mount of a container. */
export interface MountSpec {
  readonly volume: string;
  readonly mountPath: string;
  readonly subPath?: string;
  readonly readOnly: boolean;
}

/** The identity a container's processes run with (pod and container securityContext merged). */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
  /** Supplementary groups: the pod's fsGroup and supplementalGroups. */
  readonly groups: number[];
  readonly noNewPrivs: boolean;
  readonly dropAllCapabilities: boolean;
  /** Capabilities the securityContext adds back, lower-case (`chown`). */
  readonly addCapabilities: string[];
}

/** A container of the pod template, as the harness runs it. */
export interface ContainerSpec {
  readonly name: string;
  readonly image: string;
  /** `command` of the manifest; undefined means the image's entrypoint. */
  readonly command?: string[];
  readonly args?: string[];
  readonly env: any[];
  readonly mounts: MountSpec[];
  readonly readinessProbe?: ExecProbe;
  readonly livenessProbe?: ExecProbe;
  readonly runAs: RunAs;
  /** `readOnlyRootFilesystem`: the root is read-only; the mounts below it keep their own modes. */
  readonly readOnlyRootFilesystem: boolean;
}

/** Where a volume's content comes from. */
export type VolumeSpec =
  | { readonly kind: 'configMap'; readonly name: string; readonly data: Record<string, string>; readonly defaultMode: number }
  /** A Secret's keys as files (kubelet mounts them read-only). */
  | { readonly kind: 'secret'; readonly name: string; readonly data: Record<string, string>; readonly defaultMode: number }
  | { readonly kind: 'emptyDir'; readonly memory: boolean; readonly sizeLimit?: string }
  /** A claim of the StatefulSet's volumeClaimTemplates: one per pod, `<template>-<pod>`. */
  | { readonly kind: 'claim'; readonly template: string }
  /** A `persistentVolumeClaim` pod volume: one claim by name, shared by every pod that names it. */
  | { readonly kind: 'persistentVolumeClaim'; readonly claimName: string; readonly readOnly: boolean };

/** How a pod's containers are restarted (a StatefulSet's pods: Always; a Job's: Never or OnFailure). */
export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/** A pod template, reduced to what a kubelet needs. */
export interface PodTemplateSpec {
  readonly initContainers: ContainerSpec[];
  readonly containers: ContainerSpec[];
  readonly volumes: Map<string, VolumeSpec>;
  readonly fsGroup?: number;
  readonly terminationGracePeriodSeconds: number;
  readonly restartPolicy: RestartPolicy;
  /** The pod's own activeDeadlineSeconds (kubelet kills the pod past it), if any. */
  readonly activeDeadlineSeconds?: number;
  readonly labels: Record<string, string>;
}

/** The StatefulSet, reduced to what a kubelet and the StatefulSet controller need. */
export interface StatefulSetSpec extends PodTemplateSpec {
  readonly name: string;
  readonly namespace: string;
  readonly serviceName: string;
  readonly replicas: number;
  readonly podManagementPolicy: string;
  readonly publishNotReadyAddresses: boolean;
  readonly secrets: Map<string, Record<string, string>>;
  readonly objects: KubeObject[];
}

/** A Job, reduced to what the Job controller and a kubelet need. */
export interface JobSpec {
  readonly name: string;
  readonly namespace: string;
  readonly template: PodTemplateSpec;
  /** Failed pods tolerated before the Job fails (Kubernetes' default: 6). */
  readonly backoffLimit: number;
  /** Seconds from the Job's start after which its pods are deleted and the Job fails. */
  readonly activeDeadlineSeconds?: number;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** A PersistentVolumeClaim object of the manifests. */
export interface ClaimSpec {
  readonly name: string;
  readonly namespace: string;
  readonly accessModes: string[];
  readonly storageClassName?: string;
  readonly storage?: string;
}

function single(objects: KubeObject[], kind: string, name?: string): KubeObject {
  const matches = objects.filter(o => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (matches.length !== 1) {
    throw new Error(`expected exactly one ${kind}${name ? `/${name}` : ''} in the synthesized chart, found ${matches.length}`);
  }
  return matches[0];
}

function execProbe(container: string, kind: string, probe: any): ExecProbe | undefined {
  if (!probe) return undefined;
  if (!probe.exec?.command) {
    throw new Error(`${container}: only exec ${kind} probes are modelled (got ${JSON.stringify(probe)})`);
  }
  return {
    command: probe.exec.command,
    periodSeconds: probe.periodSeconds ?? 10,
    timeoutSeconds: probe.timeoutSeconds ?? 1,
    failureThreshold: probe.failureThreshold ?? 3,
    successThreshold: probe.successThreshold ?? 1,
    initialDelaySeconds: probe.initialDelaySeconds ?? 0,
  };
}

function containerSpec(c: any, podSecurity: any): ContainerSpec {
  const security = { ...(podSecurity ?? {}), ...(c.securityContext ?? {}) };
  const uid = security.runAsUser ?? 0;
  if (security.runAsNonRoot && uid === 0) {
    throw new Error(`${c.name}: runAsNonRoot without a non-zero runAsUser cannot be modelled (the image user is unknown)`);
  }
  const groups = [podSecurity?.fsGroup, ...(podSecurity?.supplementalGroups ?? [])].filter((g): g is number => typeof g === 'number');
  for (const field of ['workingDir', 'envFrom', 'lifecycle']) {
    if (c[field] !== undefined) {
      throw new Error(`${c.name}: ${field} is not modelled by the e2e harness; extend harness/`);
    }
  }
  return {
    name: c.name,
    image: c.image,
    command: c.command,
    args: c.args,
    env: c.env ?? [],
    mounts: (c.volumeMounts ?? []).map((m: any) => ({
      volume: m.name,
      mountPath: m.mountPath,
      subPath: m.subPath,
      readOnly: m.readOnly === true,
    })),
    readinessProbe: execProbe(c.name, 'readiness', c.readinessProbe),
    livenessProbe: execProbe(c.name, 'liveness', c.livenessProbe),
    readOnlyRootFilesystem: security.readOnlyRootFilesystem === true,
    runAs: {
      uid,
      gid: security.runAsGroup ?? uid,
      groups,
      noNewPrivs: security.allowPrivilegeEscalation === false,
      dropAllCapabilities: (security.capabilities?.drop ?? []).includes('ALL'),
      addCapabilities: (security.capabilities?.add ?? []).map((c: string) => c.toLowerCase().replace(/^cap_/, '')),
    },
  };
}

/** Reads a pod spec (`spec.template.spec` of a workload) against the chart's ConfigMaps. */
function podTemplate(what: string, template: any, objects: KubeObject[], claimTemplates: string[], defaultRestartPolicy: RestartPolicy): PodTemplateSpec {
  const pod = template.spec;
  const configMaps = new Map(objects.filter(o => o.kind === 'ConfigMap').map(o => [o.metadata.name, o.data ?? {}]));
  const secrets = secretsOf(objects);
  const volumes = new Map<string, VolumeSpec>();
  for (const v of pod.volumes ?? []) {
    if (v.secret) {
      const data = secrets.get(v.secret.secretName);
      // kubelet keeps such a pod in ContainerCreating: a test must add the Secret.
      if (!data) throw new Error(`${what}: volume ${v.name}: Secret ${v.secret.secretName} is not in the chart (the test must add it)`);
      if (v.secret.items || v.secret.optional) throw new Error(`${what}: volume ${v.name}: secret items and optional are not modelled`);
      volumes.set(v.name, { kind: 'secret', name: v.secret.secretName, data, defaultMode: v.secret.defaultMode ?? 0o644 });
      continue;
    }
    if (v.configMap) {
      const data = configMaps.get(v.configMap.name);
      if (!data) throw new Error(`${what}: volume ${v.name}: ConfigMap ${v.configMap.name} is not in the chart`);
      if (v.configMap.items) throw new Error(`${what}: volume ${v.name}: configMap items are not modelled`);
      volumes.set(v.name, { kind: 'configMap', name: v.configMap.name, data, defaultMode: v.configMap.defaultMode ?? 0o644 });
    } else if (v.emptyDir) {
      volumes.set(v.name, { kind: 'emptyDir', memory: v.emptyDir.medium === 'Memory', sizeLimit: v.emptyDir.sizeLimit });
    } else if (v.persistentVolumeClaim) {
      if (!v.persistentVolumeClaim.claimName) throw new Error(`${what}: volume ${v.name}: persistentVolumeClaim without a claimName`);
      volumes.set(v.name, { kind: 'persistentVolumeClaim', claimName: v.persistentVolumeClaim.claimName, readOnly: v.persistentVolumeClaim.readOnly === true });
    } else {
      throw new Error(`${what}: volume ${v.name}: only configMap, secret, emptyDir and persistentVolumeClaim pod volumes are modelled (got ${JSON.stringify(v)})`);
    }
  }
  for (const name of claimTemplates) {
    if (volumes.has(name)) throw new Error(`${what}: claim template ${name} shadows a pod volume`);
    volumes.set(name, { kind: 'claim', template: name });
  }
  const initContainers = (pod.initContainers ?? []).map((c: any) => containerSpec(c, pod.securityContext));
  const containers = (pod.containers ?? []).map((c: any) => containerSpec(c, pod.securityContext));
  for (const c of [...initContainers, ...containers]) {
    for (const m of c.mounts) {
      if (!volumes.has(m.volume)) throw new Error(`${what}: ${c.name} mounts unknown volume ${m.volume}`);
    }
  }
  const restartPolicy = pod.restartPolicy ?? defaultRestartPolicy;
  if (!['Always', 'OnFailure', 'Never'].includes(restartPolicy)) throw new Error(`${what}: restartPolicy ${restartPolicy} is not a Kubernetes restart policy`);
  return {
    initContainers,
    containers,
    volumes,
    fsGroup: pod.securityContext?.fsGroup,
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds ?? 30,
    restartPolicy,
    activeDeadlineSeconds: pod.activeDeadlineSeconds,
    labels: { ...(template.metadata?.labels ?? {}) },
  };
}

/** The Secrets of the chart (the test's own, `stringData`), by name. */
export function secretsOf(objects: KubeObject[]): Map<string, Record<string, string>> {
  return new Map(objects.filter(o => o.kind === 'Secret').map(o => [o.metadata.name, { ...(o.stringData ?? {}) }]));
}

/** Synthesizes the chart and extracts the one StatefulSet it holds. */
export function readStatefulSet(chart: Chart): StatefulSetSpec {
  return statefulSetOf(Testing.synth(chart) as KubeObject[]);
}

/** The one StatefulSet of synthesized objects. */
export function statefulSetOf(objects: KubeObject[]): StatefulSetSpec {
  const sts = single(objects, 'StatefulSet');
  const namespace = sts.metadata.namespace ?? 'default';
  const spec = sts.spec;
  const headless = single(objects, 'Service', spec.serviceName);
  if (headless.spec.clusterIP !== 'None') {
    throw new Error(`Service ${spec.serviceName} governs the StatefulSet but is not headless`);
  }
  const template = podTemplate(`StatefulSet ${sts.metadata.name}`, spec.template, objects,
    (spec.volumeClaimTemplates ?? []).map((t: any) => t.metadata.name), 'Always');
  if (template.restartPolicy !== 'Always') throw new Error(`StatefulSet ${sts.metadata.name}: restartPolicy must be Always (got ${template.restartPolicy})`);
  return {
    ...template,
    name: sts.metadata.name,
    namespace,
    serviceName: spec.serviceName,
    replicas: spec.replicas ?? 1,
    podManagementPolicy: spec.podManagementPolicy ?? 'OrderedReady',
    publishNotReadyAddresses: headless.spec.publishNotReadyAddresses === true,
    secrets: secretsOf(objects),
    objects,
  };
}

/** A Job's spec (`Job.spec` or a CronJob's `jobTemplate.spec`) as the harness runs it. */
function jobSpec(what: string, name: string, namespace: string, spec: any, metadata: any, objects: KubeObject[]): JobSpec {
  for (const field of ['parallelism', 'completions']) {
    if (spec[field] !== undefined && spec[field] !== 1) throw new Error(`${what}: ${field} ${spec[field]} is not modelled (one pod at a time, one completion)`);
  }
  for (const field of ['podFailurePolicy', 'successPolicy', 'completionMode', 'backoffLimitPerIndex', 'suspend']) {
    if (spec[field] !== undefined) throw new Error(`${what}: ${field} is not modelled by the e2e harness; extend harness/`);
  }
  const template = podTemplate(what, spec.template, objects, [], 'Always');
  if (template.restartPolicy === 'Always') throw new Error(`${what}: a Job's pods must have restartPolicy Never or OnFailure (got Always)`);
  return {
    name,
    namespace,
    template,
    backoffLimit: spec.backoffLimit ?? 6,
    activeDeadlineSeconds: spec.activeDeadlineSeconds,
    labels: { ...(metadata?.labels ?? {}) },
    annotations: { ...(metadata?.annotations ?? {}) },
  };
}

/**
 * The Job the CronJob `cronJobName` makes: its jobTemplate with the Job's name, as
 * `kubectl create job --from=cronjob/<cronJobName> <jobName>` creates it (annotated
 * `cronjob.kubernetes.io/instantiate: manual`), or as the CronJob controller does
 * at a scheduled time (pass `scheduledAt`: the Job is named `<cronjob>-<minutes since
 * the epoch>` then, unless `jobName` is given).
 */
export function jobFromCronJob(objects: KubeObject[], cronJobName: string, options: { jobName?: string; scheduledAt?: Date } = {}): JobSpec {
  const cron = single(objects, 'CronJob', cronJobName);
  const namespace = cron.metadata.namespace ?? 'default';
  const jobTemplate = cron.spec.jobTemplate;
  const manual = options.scheduledAt === undefined;
  const name = options.jobName ?? (manual ? undefined : `${cronJobName}-${Math.floor(options.scheduledAt!.getTime() / 60_000)}`);
  if (!name) throw new Error('jobFromCronJob: give the Job a name (kubectl create job --from=cronjob/… NAME) or a scheduled time');
  const what = `Job ${name} (from CronJob ${cronJobName})`;
  const spec = jobSpec(what, name, namespace, jobTemplate.spec, jobTemplate.metadata, objects);
  return manual ? { ...spec, annotations: { ...spec.annotations, 'cronjob.kubernetes.io/instantiate': 'manual' } } : spec;
}

/** A Job object of synthesized objects. */
export function readJob(objects: KubeObject[], name: string): JobSpec {
  const job = single(objects, 'Job', name);
  return jobSpec(`Job ${name}`, name, job.metadata.namespace ?? 'default', job.spec, job.metadata, objects);
}

/** The PersistentVolumeClaim objects of synthesized objects. */
export function claimsOf(objects: KubeObject[]): ClaimSpec[] {
  return objects.filter(o => o.kind === 'PersistentVolumeClaim').map(o => ({
    name: o.metadata.name,
    namespace: o.metadata.namespace ?? 'default',
    accessModes: o.spec?.accessModes ?? [],
    storageClassName: o.spec?.storageClassName,
    storage: o.spec?.resources?.requests?.storage,
  }));
}

/** What an env var or a field reference resolves against, per pod. */
export interface PodContext {
  readonly podName: string;
  readonly namespace: string;
  readonly podIP: string;
  readonly secrets: Map<string, Record<string, string>>;
  readonly configMaps: Map<string, Record<string, string>>;
}

/** Kubernetes `$(VAR)` expansion against variables defined so far; `$$(X)` escapes. */
function expand(text: string, vars: Map<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name?: string) => {
    if (match === '$$') return '$';
    return name !== undefined && vars.has(name) ? vars.get(name)! : match;
  });
}

/** Resolves a container's env list (values, secretKeyRef, configMapKeyRef, fieldRef) in order. */
export function resolveEnv(container: ContainerSpec, ctx: PodContext): Map<string, string> {
  const vars = new Map<string, string>();
  for (const e of container.env) {
    let value: string;
    if (e.value !== undefined) {
      value = expand(String(e.value), vars);
    } else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const secret = ctx.secrets.get(ref.name);
      // kubelet leaves the variable out when an optional key (or its Secret) is missing.
      if ((!secret || secret[ref.key] === undefined) && ref.optional === true) continue;
      if (!secret || secret[ref.key] === undefined) {
        throw new Error(`${container.name}: env ${e.name} needs key "${ref.key}" of Secret "${ref.name}", which the test did not define`);
      }
      value = secret[ref.key];
    } else if (e.valueFrom?.configMapKeyRef) {
      const ref = e.valueFrom.configMapKeyRef;
      const data = ctx.configMaps.get(ref.name);
      if (!data || data[ref.key] === undefined) throw new Error(`${container.name}: env ${e.name} needs ConfigMap ${ref.name} key ${ref.key}`);
      value = data[ref.key];
    } else if (e.valueFrom?.fieldRef) {
      const field = e.valueFrom.fieldRef.fieldPath;
      const fields: Record<string, string> = { 'metadata.name': ctx.podName, 'metadata.namespace': ctx.namespace, 'status.podIP': ctx.podIP };
      if (fields[field] === undefined) throw new Error(`${container.name}: env ${e.name}: fieldRef ${field} is not modelled`);
      value = fields[field];
    } else {
      throw new Error(`${container.name}: env ${e.name} has a source the harness does not model: ${JSON.stringify(e)}`);
    }
    vars.set(e.name, value);
  }
  return vars;
}

/** The argv a container runs: command (or the image's entrypoint) plus args, `$(VAR)` expanded. */
export function containerArgv(container: ContainerSpec, env: Map<string, string>, image: { entrypoint: string[]; cmd: string[] }): string[] {
  const command = container.command ?? image.entrypoint;
  const args = container.args ?? (container.command ? [] : image.cmd);
  return [...command, ...args].map(a => expand(a, env));
}
