import { Size } from 'cdk8s';
import * as k8s from '../../internal/k8s';
import { optionalPlainObject, requireInteger, requirePositiveSize } from '../../internal/validate';
import { ContainerResources, MySqlResources } from '../stateful-mysql-props';

/** Resources of the server container unless the user gives them. */
export const DEFAULT_SERVER_RESOURCES: ContainerResources = {
  cpuRequestMillis: 500, memoryRequest: Size.gibibytes(1), memoryLimit: Size.gibibytes(2),
};
/** Resources of the sidecar and the clone init container unless the user gives them. */
export const DEFAULT_SIDECAR_RESOURCES: ContainerResources = {
  cpuRequestMillis: 100, memoryRequest: Size.mebibytes(256), memoryLimit: Size.gibibytes(1),
};
/** Resources of the small init containers (init-config, volume-ownership). */
export const INIT_CONFIG_RESOURCES: ContainerResources = {
  cpuRequestMillis: 50, memoryRequest: Size.mebibytes(32), memoryLimit: Size.mebibytes(128),
};

/** The container's `resources`, its values checked; `what` names it in errors. */
export function toKubeResources(what: string, resources: ContainerResources): k8s.ResourceRequirements {
  const requests: Record<string, k8s.Quantity> = {};
  const limits: Record<string, k8s.Quantity> = {};
  const millis = (field: string, value: number | undefined) => value === undefined ? undefined
    : k8s.Quantity.fromString(`${requireInteger(`${what}.${field}`, value, 1)}m`);
  const memory = (field: string, value: Size | undefined) => value === undefined ? undefined
    : (requirePositiveSize(`${what}.${field}`, value), k8s.Quantity.fromString(value.asString()));
  const cpuRequest = millis('cpuRequestMillis', resources.cpuRequestMillis);
  const cpuLimit = millis('cpuLimitMillis', resources.cpuLimitMillis);
  const memoryRequest = memory('memoryRequest', resources.memoryRequest);
  const memoryLimit = memory('memoryLimit', resources.memoryLimit);
  if (cpuRequest) requests.cpu = cpuRequest;
  if (cpuLimit) limits.cpu = cpuLimit;
  if (memoryRequest) requests.memory = memoryRequest;
  if (memoryLimit) limits.memory = memoryLimit;
  return {
    requests: Object.keys(requests).length ? requests : undefined,
    limits: Object.keys(limits).length ? limits : undefined,
  };
}

/**
 * One container's resources: each field the user gives replaces the default's, each one
 * left out keeps it (a CPU-only override keeps the memory limit), and no request may
 * exceed its limit (the API server refuses that).
 */
export function withDefaults(what: string, given: ContainerResources | undefined, defaults: ContainerResources): ContainerResources {
  optionalPlainObject(what, given);
  const set = Object.fromEntries(Object.entries(given ?? {}).filter(([, value]) => value !== undefined));
  const merged: ContainerResources = { ...defaults, ...set };
  toKubeResources(what, merged);
  const { cpuRequestMillis, cpuLimitMillis, memoryRequest, memoryLimit } = merged;
  if (cpuRequestMillis !== undefined && cpuLimitMillis !== undefined && cpuRequestMillis > cpuLimitMillis) {
    throw new Error(`${what}.cpuRequestMillis must not exceed cpuLimitMillis ${cpuLimitMillis} (got ${cpuRequestMillis})`);
  }
  if (memoryRequest && memoryLimit && memoryRequest.toKibibytes() > memoryLimit.toKibibytes()) {
    throw new Error(`${what}.memoryRequest must not exceed memoryLimit ${memoryLimit.asString()} (got ${memoryRequest.asString()})`);
  }
  return merged;
}

/** A container's resources from the user's fields, the sidecar's defaults filling the rest. */
export function sidecarLikeResources(what: string, given: ContainerResources | undefined): ContainerResources {
  return withDefaults(what, given, DEFAULT_SIDECAR_RESOURCES);
}

/** The cluster's container resources with the defaults filled in field by field. */
export function resolveResources(resources: MySqlResources | undefined): Required<MySqlResources> {
  optionalPlainObject('resources', resources);
  return {
    server: withDefaults('resources.server', resources?.server, DEFAULT_SERVER_RESOURCES),
    sidecar: withDefaults('resources.sidecar', resources?.sidecar, DEFAULT_SIDECAR_RESOURCES),
  };
}
