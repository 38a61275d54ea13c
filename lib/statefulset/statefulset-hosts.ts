import { DEFAULT_CLUSTER_DOMAIN, DEFAULT_NAMESPACE, declaredNamespace, serviceDomain } from '../internal/cluster-dns';
import { IConstruct } from 'constructs';
import { requireDns1035Label, requireDnsLabel, requireDnsSubdomain, requireInteger, requirePlainObject } from '../internal/validate';
import { apiObjectOf } from './workloads';

/** Props of {@link StatefulSetHosts}. */
export interface StatefulSetHostsProps {
  /** Name of the StatefulSet; its pods are `<name>-<ordinal>`. */
  readonly statefulSetName: string;
  /** Name of its governing headless Service (the set's `serviceName`). */
  readonly serviceName: string;
  /**
   * Namespace of the StatefulSet.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * The Kubernetes cluster's DNS domain.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}

/** Options of {@link StatefulSetHosts.of}. */
export interface StatefulSetHostsOptions {
  /**
   * The Kubernetes cluster's DNS domain.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}

/**
 * The stable DNS names of a StatefulSet's pods,
 * `<set>-<ordinal>.<service>.<namespace>.svc.<domain>`, for a StatefulSet of any
 * cdk8s-plus version (or an L1 one, by name).
 */
export class StatefulSetHosts {
  /** The names of a cdk8s-plus `StatefulSet` of any version: its name, namespace and Service. */
  public static of(statefulSet: IConstruct, options: StatefulSetHostsOptions = {}): StatefulSetHosts {
    const object = apiObjectOf(statefulSet, 'StatefulSetHosts.of()', 'StatefulSet');
    const service = (statefulSet as { service?: { name?: unknown } }).service;
    if (typeof service?.name !== 'string') {
      throw new Error(`StatefulSetHosts.of() needs a cdk8s-plus StatefulSet, which knows its Service (got "${statefulSet.node.path}"); for an L1 StatefulSet use new StatefulSetHosts({ statefulSetName, serviceName })`);
    }
    return new StatefulSetHosts({
      statefulSetName: object.name,
      serviceName: service.name,
      namespace: declaredNamespace(statefulSet, object.metadata.namespace),
      clusterDomain: options.clusterDomain,
    });
  }

  /** Name of the StatefulSet. */
  public readonly statefulSetName: string;
  /** Name of its governing Service. */
  public readonly serviceName: string;
  /** Namespace the names are in. */
  public readonly namespace: string;
  /** The cluster's DNS domain. */
  public readonly clusterDomain: string;

  constructor(props: StatefulSetHostsProps) {
    requirePlainObject('StatefulSetHosts props', props);
    this.statefulSetName = requireDnsLabel('StatefulSetHosts statefulSetName', props.statefulSetName);
    this.serviceName = requireDns1035Label('StatefulSetHosts serviceName', props.serviceName);
    this.namespace = requireDnsLabel('StatefulSetHosts namespace', props.namespace ?? DEFAULT_NAMESPACE);
    this.clusterDomain = requireDnsSubdomain('StatefulSetHosts clusterDomain', props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN);
  }

  /** `<service>.<namespace>.svc.<domain>`: the suffix of every pod's name. */
  public get domain(): string {
    return serviceDomain(this.serviceName, this.namespace, this.clusterDomain);
  }

  /** Fully qualified DNS name of pod `ordinal`, e.g. `web-0.nginx.default.svc.cluster.local`. */
  public hostFor(ordinal: number): string {
    return `${this.statefulSetName}-${requireInteger('ordinal', ordinal, 0)}.${this.domain}`;
  }

  /** Fully qualified DNS names of pods 0 … `replicas`-1, ordinal 0 first. */
  public hostsFor(replicas: number): string[] {
    requireInteger('replicas', replicas, 1);
    return Array.from({ length: replicas }, (_, ordinal) => this.hostFor(ordinal));
  }

  /** Short DNS name of pod `ordinal`, resolvable inside the namespace, e.g. `web-0.nginx`. */
  public shortHostFor(ordinal: number): string {
    requireInteger('ordinal', ordinal, 0);
    return `${this.statefulSetName}-${ordinal}.${this.serviceName}`;
  }
}
