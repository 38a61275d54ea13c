import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';

/**
 * cdk8s-plus writes `externalIPs: []` on every Service. The API server does not keep an
 * empty list, so `kubectl diff` would report the unchanged Service as changed on every
 * run. Removes the field from a Service created without external IPs (the library never
 * gives any).
 */
export function withoutEmptyExternalIps<T extends kplus.Service>(service: T): T {
  ApiObject.of(service).addJsonPatch(JsonPatch.remove('/spec/externalIPs'));
  return service;
}
