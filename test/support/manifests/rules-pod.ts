/**
 * Rules the schemas miss for pod specs (container names, images, volumes and mounts,
 * ports, probes, env, resources, security contexts, scheduling), wherever a kind keeps
 * its pod template; they follow `ValidatePodSpec` in pkg/apis/core/validation.
 */
import { duplicates, exactlyOne, parseQuantity } from './common';
import { configKeyProblems, dnsLabelProblems, dnsSubdomainProblems, ianaServiceNameProblems } from './rules-metadata';
import { schedulingProblems } from './rules-scheduling';

/** The fields of a pod `VolumeSource`; a volume sets exactly one. */
const POD_VOLUME_SOURCES = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'configMap', 'csi', 'downwardAPI',
  'emptyDir', 'ephemeral', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk', 'gitRepo', 'glusterfs', 'hostPath',
  'iscsi', 'nfs', 'persistentVolumeClaim', 'photonPersistentDisk', 'portworxVolume', 'projected', 'quobyte', 'rbd',
  'scaleIO', 'secret', 'storageos', 'vsphereVolume',
];

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket'];
const ENV_SOURCES = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'];

/** A pod's containers, init containers first, each with its path in the pod spec. */
function podContainers(podSpec: any, path: string): { container: any; path: string }[] {
  return [
    ...(podSpec.initContainers ?? []).map((container: any, i: number) => ({ container, path: `${path}.initContainers[${i}]` })),
    ...(podSpec.containers ?? []).map((container: any, i: number) => ({ container, path: `${path}.containers[${i}]` })),
  ];
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

/** The integer fields of a probe, each at least 0 (`validateProbe`, ValidateNonnegativeField). */
const PROBE_COUNTS = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'];

/**
 * Problems of a port a probe or hook connects to (`ValidatePortNumOrName`): a number
 * 1–65535 or an IANA service name.
 */
export function portNumberOrNameProblems(what: string, port: unknown): string[] {
  if (typeof port === 'string') {
    return ianaServiceNameProblems(what, port);
  }
  return typeof port !== 'number' || (port >= 1 && port <= 65535)
    ? [] : [`${what} must be between 1 and 65535 (got ${JSON.stringify(port)})`];
}

/** Problems of the ports a handler (probe or lifecycle hook) connects to. */
function handlerPortProblems(handler: any, at: string): string[] {
  return [
    ...(handler?.httpGet ? portNumberOrNameProblems(`${at}.httpGet.port`, handler.httpGet.port) : []),
    ...(handler?.tcpSocket ? portNumberOrNameProblems(`${at}.tcpSocket.port`, handler.tcpSocket.port) : []),
    ...(handler?.grpc ? portNumberOrNameProblems(`${at}.grpc.port`, handler.grpc.port) : []),
  ];
}

/**
 * Problems of probes and lifecycle hooks (`validateProbe`, `validateLivenessProbe`,
 * `validateReadinessProbe`, `validateStartupProbe`, `validateHandler`): exactly one
 * handler each, on a valid port; counts and delays at least 0; liveness and startup
 * probes must have `successThreshold` 1; a probe's terminationGracePeriodSeconds is
 * greater than 0 and not set on a readiness probe.
 */
export function probeProblems(podSpec: any, path: string): string[] {
  const problems: string[] = [];
  for (const { container, path: at } of podContainers(podSpec, path)) {
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      if (container[probe] === undefined) {
        continue;
      }
      problems.push(...exactlyOne(`${at}.${probe}`, container[probe], PROBE_HANDLERS));
      problems.push(...handlerPortProblems(container[probe], `${at}.${probe}`));
      for (const count of PROBE_COUNTS) {
        const value = container[probe][count];
        if (typeof value === 'number' && value < 0) {
          problems.push(`${at}.${probe}.${count} must be at least 0 (got ${JSON.stringify(value)})`);
        }
      }
      const grace = container[probe].terminationGracePeriodSeconds;
      if (grace !== undefined && grace !== null) {
        if (probe === 'readinessProbe') {
          problems.push(`${at}.${probe}.terminationGracePeriodSeconds must not be set on a readiness probe`);
        } else if (typeof grace === 'number' && grace <= 0) {
          problems.push(`${at}.${probe}.terminationGracePeriodSeconds must be greater than 0 (got ${JSON.stringify(grace)})`);
        }
      }
      const threshold = container[probe].successThreshold;
      if (probe !== 'readinessProbe' && threshold !== undefined && threshold !== 1) {
        problems.push(`${at}.${probe}.successThreshold must be 1 (got ${threshold})`);
      }
    }
    for (const hook of ['postStart', 'preStop']) {
      if (container.lifecycle?.[hook] !== undefined) {
        problems.push(...exactlyOne(`${at}.lifecycle.${hook}`, container.lifecycle[hook], LIFECYCLE_HANDLERS));
        problems.push(...handlerPortProblems(container.lifecycle[hook], `${at}.lifecycle.${hook}`));
      }
    }
  }
  return problems;
}

/**
 * Problems of environment variables: no name twice in a container (the later one
 * silently wins), and either `value` or a `valueFrom` with exactly one source; a
 * `secretKeyRef` or `configMapKeyRef` names a DNS subdomain and a key that
 * `IsConfigMapKey` accepts (`validateSecretKeySelector`, `validateConfigMapKeySelector`).
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
        for (const source of ['secretKeyRef', 'configMapKeyRef']) {
          const ref = variable.valueFrom[source];
          if (ref) {
            problems.push(...dnsSubdomainProblems(`${at}.env[${i}].valueFrom.${source}.name`, ref.name));
            if (typeof ref.key === 'string') {
              problems.push(...configKeyProblems(`${at}.env[${i}].valueFrom.${source}.key`, ref.key));
            }
          }
        }
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

/**
 * Problems of compute resources (`ValidateResourceRequirements`): every request and
 * limit at least 0 (`validateBasicResource`, ValidateNonnegativeQuantity), each request
 * at most its limit. A value that is not a quantity at all is the schema's to report.
 */
export function resourceProblems(podSpec: any, path: string): string[] {
  const problems: string[] = [];
  for (const { container, path: at } of podContainers(podSpec, path)) {
    const { requests = {}, limits = {} } = container.resources ?? {};
    for (const [section, quantities] of [['requests', requests], ['limits', limits]] as const) {
      // A value that is not a quantity parses to NaN, which is never below 0.
      for (const [resource, quantity] of Object.entries(quantities)) {
        if (parseQuantity(quantity) < 0) {
          problems.push(`${at}.resources.${section}.${resource} must be at least 0 (got ${JSON.stringify(quantity)})`);
        }
      }
    }
    for (const [resource, request] of Object.entries(requests)) {
      const limit = limits[resource];
      if (limit !== undefined && parseQuantity(request) > parseQuantity(limit)) {
        problems.push(`${at}.resources.requests.${resource} (${request}) must be at most the limit (${limit})`);
      }
    }
  }
  return problems;
}

/** Largest Unix user or group id (`IsValidUserID`, `IsValidGroupID`: a uint32). */
const MAX_UNIX_ID = 0xffffffff;

function unixIdProblems(what: string, id: unknown): string[] {
  return typeof id !== 'number' || (id >= 0 && id <= MAX_UNIX_ID)
    ? [] : [`${what} must be between 0 and ${MAX_UNIX_ID} (got ${JSON.stringify(id)})`];
}

/**
 * Problems of security contexts (`validatePodSpecSecurityContext`,
 * `ValidateSecurityContext`): user and group ids are Unix ids, 0 to 2^32-1.
 */
export function securityContextProblems(podSpec: any, path: string): string[] {
  const pod = podSpec.securityContext ?? {};
  const problems = [
    ...unixIdProblems(`${path}.securityContext.runAsUser`, pod.runAsUser),
    ...unixIdProblems(`${path}.securityContext.runAsGroup`, pod.runAsGroup),
    ...unixIdProblems(`${path}.securityContext.fsGroup`, pod.fsGroup),
    ...(pod.supplementalGroups ?? []).flatMap((gid: unknown, i: number) => unixIdProblems(`${path}.securityContext.supplementalGroups[${i}]`, gid)),
  ];
  for (const { container, path: at } of podContainers(podSpec, path)) {
    problems.push(...unixIdProblems(`${at}.securityContext.runAsUser`, container.securityContext?.runAsUser));
    problems.push(...unixIdProblems(`${at}.securityContext.runAsGroup`, container.securityContext?.runAsGroup));
  }
  return problems;
}

/** Problems of the pod's own numbers: activeDeadlineSeconds is 1 to 2^31-1 (`ValidatePodSpec`). */
export function podNumberProblems(podSpec: any, path: string): string[] {
  const deadline = podSpec.activeDeadlineSeconds;
  return typeof deadline !== 'number' || (deadline >= 1 && deadline <= 2 ** 31 - 1)
    ? [] : [`${path}.activeDeadlineSeconds must be between 1 and ${2 ** 31 - 1} (got ${JSON.stringify(deadline)})`];
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
    ...securityContextProblems(podSpec, path),
    ...podNumberProblems(podSpec, path),
    ...schedulingProblems(podSpec, path),
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

