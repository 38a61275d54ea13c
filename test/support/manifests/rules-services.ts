/**
 * Rules the schemas miss for Services, and the rules across the whole set of objects:
 * StatefulSets' governing Services, selectorless Services without endpoints, and
 * duplicate objects.
 */
import { duplicates, namespaceOf, objectRef } from './common';
import { dnsLabelProblems, ianaServiceNameProblems, labelProblems, selectorMatches } from './rules-metadata';

/**
 * Problems of a Service's own spec (`ValidateService`, `validateServicePort`): ports
 * 1–65535 with unique DNS-label names (required when there are several), unique by
 * (port, protocol) so that one number on TCP and UDP is fine, a targetPort that is a
 * port number or an IANA service name (0 or "" are defaulted to the port, so they pass),
 * a headless Service of type ClusterIP, valid selector labels (`ValidateLabels`).
 */
export function serviceProblems(object: any): string[] {
  if (object?.kind !== 'Service') {
    return [];
  }
  const spec = object.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  const ports: any[] = spec.ports ?? [];
  const problems = labelProblems('spec.selector', spec.selector);
  if (spec.clusterIP === 'None' && type !== 'ClusterIP') {
    problems.push(`spec.clusterIP: "None" (headless) requires type ClusterIP (got ${type})`);
  }
  if (ports.length === 0 && type !== 'ExternalName' && spec.clusterIP !== 'None') {
    problems.push('spec.ports: at least one port is required unless the Service is headless');
  }
  ports.forEach((port, i) => {
    if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) {
      problems.push(`spec.ports[${i}].port must be between 1 and 65535 (got ${JSON.stringify(port.port)})`);
    }
    const target = port.targetPort;
    if (typeof target === 'number' && target !== 0 && (!Number.isInteger(target) || target < 1 || target > 65535)) {
      problems.push(`spec.ports[${i}].targetPort must be between 1 and 65535 (got ${target})`);
    }
    if (typeof target === 'string' && target !== '') {
      problems.push(...ianaServiceNameProblems(`spec.ports[${i}].targetPort`, target));
    }
    if (port.name !== undefined) {
      problems.push(...dnsLabelProblems(`spec.ports[${i}].name`, port.name));
    } else if (ports.length > 1) {
      problems.push(`spec.ports[${i}].name: required when a Service has more than one port`);
    }
  });
  for (const name of duplicates(ports.filter(port => port.name !== undefined).map(port => port.name))) {
    problems.push(`spec.ports: name "${name}" is used more than once`);
  }
  for (const key of duplicates(ports.map(port => `${port.port}/${port.protocol ?? 'TCP'}`))) {
    problems.push(`spec.ports: port ${key} is used more than once`);
  }
  return problems;
}

/**
 * Problems of StatefulSets' governing Services: `spec.serviceName` must name a headless
 * Service (`clusterIP: None`) of the same namespace in the same set, whose selector
 * selects the StatefulSet's pods, or pods get no stable DNS names.
 */
export function statefulSetServiceProblems(objects: readonly any[]): string[] {
  const problems: string[] = [];
  for (const sts of objects.filter(object => object?.kind === 'StatefulSet')) {
    const serviceName = sts.spec?.serviceName;
    const service = objects.find(object => object?.kind === 'Service'
      && object.metadata?.name === serviceName && namespaceOf(object) === namespaceOf(sts));
    const where = `${objectRef(sts)}: spec.serviceName "${serviceName}"`;
    if (!service) {
      problems.push(`${where}: no Service of that name in namespace "${namespaceOf(sts)}" among the synthesized objects`);
      continue;
    }
    if (service.spec?.clusterIP !== 'None') {
      problems.push(`${where}: the Service is not headless (clusterIP is ${JSON.stringify(service.spec?.clusterIP)}, expected "None")`);
    }
    const selector = service.spec?.selector;
    const podLabels = sts.spec?.template?.metadata?.labels ?? {};
    if (!selector || Object.keys(selector).length === 0) {
      problems.push(`${where}: the Service has no selector, so it publishes no pod DNS names`);
    } else if (!selectorMatches({ matchLabels: selector }, podLabels)) {
      problems.push(`${where}: the Service selector ${JSON.stringify(selector)} does not select the pod labels ${JSON.stringify(podLabels)}`);
    }
  }
  return problems;
}

/**
 * Problems of Services without a selector: one that routes ports (not ExternalName)
 * gets endpoints only from an Endpoints object or EndpointSlice managed by hand; if the
 * set holds none for it, the Service routes nowhere.
 */
export function selectorlessServiceProblems(objects: readonly any[]): string[] {
  const hasEndpoints = (service: any) => objects.some(object => namespaceOf(object) === namespaceOf(service) && (
    (object?.kind === 'Endpoints' && object.metadata?.name === service.metadata?.name)
    || (object?.kind === 'EndpointSlice' && object.metadata?.labels?.['kubernetes.io/service-name'] === service.metadata?.name)));
  return objects
    .filter(object => object?.kind === 'Service' && (object.spec?.type ?? 'ClusterIP') !== 'ExternalName')
    .filter(service => Object.keys(service.spec?.selector ?? {}).length === 0 && (service.spec?.ports ?? []).length > 0)
    .filter(service => !hasEndpoints(service))
    .map(service => `${objectRef(service)}: spec.selector is empty and no Endpoints or EndpointSlice for it is in the set, so it routes nowhere`);
}

/** Problems of duplicate objects: the same kind, namespace and name twice (the second apply overwrites the first). */
export function duplicateObjectProblems(objects: readonly any[]): string[] {
  const keys = objects.map(object => `${objectRef(object)} (namespace "${namespaceOf(object)}")`);
  return duplicates(keys).map(key => `${key}: defined more than once`);
}
