import { ApiObject, Chart, Testing } from 'cdk8s';

/**
 * Reading the synthesized manifests: everything the harness runs comes from here —
 * the StatefulSet's pod template (containers in order, commands, env, mounts, probes,
 * security context), the ConfigMaps it mounts, its volume claim templates and the
 * governing headless Service. Nothing about the cluster is hard-coded in the harness.
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
}

/** Where a volume's content comes from. */
export type VolumeSpec =
  | { readonly kind: 'configMap'; readonly name: string; readonly data: Record<string, string>; readonly defaultMode: number }
  | { readonly kind: 'emptyDir'; readonly memory: boolean; readonly sizeLimit?: string }
  | { readonly kind: 'claim'; readonly template: string };

/** The StatefulSet, reduced to what a kubelet and the StatefulSet controller need. */
export interface StatefulSetSpec {
  readonly name: string;
  readonly namespace: string;
  readonly serviceName: string;
  readonly replicas: number;
  readonly podManagementPolicy: string;
  readonly publishNotReadyAddresses: boolean;
  readonly initContainers: ContainerSpec[];
  readonly containers: ContainerSpec[];
  readonly volumes: Map<string, VolumeSpec>;
  readonly fsGroup?: number;
  readonly terminationGracePeriodSeconds: number;
  readonly secrets: Map<string, Record<string, string>>;
  readonly objects: KubeObject[];
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

/** Synthesizes the chart and extracts the one StatefulSet it holds. */
export function readStatefulSet(chart: Chart): StatefulSetSpec {
  const objects = Testing.synth(chart) as KubeObject[];
  const sts = single(objects, 'StatefulSet');
  const namespace = sts.metadata.namespace ?? 'default';
  const spec = sts.spec;
  const pod = spec.template.spec;
  const headless = single(objects, 'Service', spec.serviceName);
  if (headless.spec.clusterIP !== 'None') {
    throw new Error(`Service ${spec.serviceName} governs the StatefulSet but is not headless`);
  }
  const configMaps = new Map(objects.filter(o => o.kind === 'ConfigMap').map(o => [o.metadata.name, o.data ?? {}]));
  const secrets = new Map(objects.filter(o => o.kind === 'Secret').map(o => [o.metadata.name, { ...(o.stringData ?? {}) }]));

  const volumes = new Map<string, VolumeSpec>();
  for (const v of pod.volumes ?? []) {
    if (v.configMap) {
      const data = configMaps.get(v.configMap.name);
      if (!data) throw new Error(`volume ${v.name}: ConfigMap ${v.configMap.name} is not in the chart`);
      if (v.configMap.items) throw new Error(`volume ${v.name}: configMap items are not modelled`);
      volumes.set(v.name, { kind: 'configMap', name: v.configMap.name, data, defaultMode: v.configMap.defaultMode ?? 0o644 });
    } else if (v.emptyDir) {
      volumes.set(v.name, { kind: 'emptyDir', memory: v.emptyDir.medium === 'Memory', sizeLimit: v.emptyDir.sizeLimit });
    } else {
      throw new Error(`volume ${v.name}: only configMap and emptyDir pod volumes are modelled (got ${JSON.stringify(v)})`);
    }
  }
  for (const template of spec.volumeClaimTemplates ?? []) {
    if (volumes.has(template.metadata.name)) throw new Error(`claim template ${template.metadata.name} shadows a pod volume`);
    volumes.set(template.metadata.name, { kind: 'claim', template: template.metadata.name });
  }

  const initContainers = (pod.initContainers ?? []).map((c: any) => containerSpec(c, pod.securityContext));
  const containers = (pod.containers ?? []).map((c: any) => containerSpec(c, pod.securityContext));
  for (const c of [...initContainers, ...containers]) {
    for (const m of c.mounts) {
      if (!volumes.has(m.volume)) throw new Error(`${c.name} mounts unknown volume ${m.volume}`);
    }
  }
  return {
    name: sts.metadata.name,
    namespace,
    serviceName: spec.serviceName,
    replicas: spec.replicas ?? 1,
    podManagementPolicy: spec.podManagementPolicy ?? 'OrderedReady',
    publishNotReadyAddresses: headless.spec.publishNotReadyAddresses === true,
    initContainers,
    containers,
    volumes,
    fsGroup: pod.securityContext?.fsGroup,
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds ?? 30,
    secrets,
    objects,
  };
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
