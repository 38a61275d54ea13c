// Where namespaced objects live, and the names cluster DNS gives them.
import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/** The namespace Kubernetes puts an object in when nothing names one. */
export const DEFAULT_NAMESPACE = 'default';

/** The DNS domain of a Kubernetes cluster unless its kubelets are configured otherwise. */
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/** The namespace an object names for itself (`own`) or through its chart, if any. */
export function declaredNamespace(construct: IConstruct, own?: string): string | undefined {
  return own ?? Chart.of(construct).namespace;
}

/** The namespace a namespaced object lands in: the one it declares, else "default". */
export function namespaceOf(construct: IConstruct, own?: string): string {
  return declaredNamespace(construct, own) ?? DEFAULT_NAMESPACE;
}

/** The DNS name of a Service, and the suffix of the names of the pods it governs: `<service>.<namespace>.svc.<domain>`. */
export function serviceDomain(serviceName: string, namespace: string, clusterDomain: string): string {
  return `${serviceName}.${namespace}.svc.${clusterDomain}`;
}
