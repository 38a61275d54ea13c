import { DEFAULT_CLUSTER_DOMAIN, namespaceOf, serviceDomain } from '../internal/cluster-dns';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { requireDnsLabel, requireDnsSubdomain, requireInteger, requireDistinct } from '../internal/validate';
import { StatefulSetHosts } from './statefulset-hosts';
import { INamedResource } from './workloads';

/** A port of a {@link HeadlessService} (TCP). */
export interface HeadlessServicePort {
  /** The port number. */
  readonly port: number;
  /**
   * Its name, which becomes a DNS SRV record (at most 15 characters).
   * @default - unnamed
   */
  readonly name?: string;
  /**
   * The pods' port.
   * @default - the same as `port`
   */
  readonly targetPort?: number;
}

/** Props of {@link HeadlessService}. */
export interface HeadlessServiceProps {
  /**
   * Name of the Service; a StatefulSet's `serviceName` must equal it.
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * Namespace of the Service.
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * Pod labels the Service selects. Leave it out when passing the Service as the
   * `service` of a cdk8s-plus `StatefulSet`, which selects its own pods.
   * @default - no selector until something calls `select` / `selectLabel`
   */
  readonly selector?: Record<string, string>;

  /**
   * Ports to publish (names become DNS SRV records). cdk8s-plus cannot write a Service
   * without a port, so give one here or with `bind()` before synth.
   * @default - none yet: synth fails validation until one is bound
   */
  readonly ports?: HeadlessServicePort[];

  /**
   * Publish DNS records for pods that are not Ready yet. StatefulSet members usually
   * need this: a member must find its peers while it is starting.
   * @default true
   */
  readonly publishNotReadyAddresses?: boolean;

  /**
   * The Kubernetes cluster's DNS domain, for fully qualified names.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;

  /**
   * Labels for the Service object itself.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/**
 * The governing Service of a StatefulSet: `clusterIP: None`, so that each pod gets the
 * stable DNS name `<set>-<k>.<service>.<namespace>.svc.<domain>`. It is a cdk8s-plus-28
 * `Service`: pass it as the `service` of a cdk8s-plus-28 `StatefulSet`, or give it a
 * `selector` for an L1 `KubeStatefulSet`. A StatefulSet of cdk8s-plus-33 or later takes
 * only a Service of its own package (`clusterIP: 'None'`); {@link StatefulSetHosts}
 * gives the DNS names for any of them.
 */
export class HeadlessService extends kplus.Service {
  /** The cluster DNS domain used by the host helpers. */
  public readonly clusterDomain: string;

  constructor(scope: Construct, id: string, props: HeadlessServiceProps = {}) {
    const name = requireDnsLabel('HeadlessService name', props.name ?? id);
    const namespace = props.namespace === undefined ? undefined : requireDnsLabel('HeadlessService namespace', props.namespace);
    const ports = props.ports ?? [];
    ports.forEach((port, index) => {
      requireInteger(`HeadlessService ports[${index}].port`, port.port ?? NaN, 1, 65535);
      if (port.targetPort !== undefined) {
        requireInteger(`HeadlessService ports[${index}].targetPort`, port.targetPort, 1, 65535);
      }
      if (port.name !== undefined) {
        requireDnsLabel(`HeadlessService ports[${index}].name`, port.name, 15);
      }
    });
    requireDistinct('HeadlessService port numbers', ports.map(p => String(p.port)));
    requireDistinct('HeadlessService port names', ports.filter(p => p.name !== undefined).map(p => p.name!));
    super(scope, id, {
      metadata: { name, namespace, labels: props.labels },
      clusterIP: 'None',
      type: kplus.ServiceType.CLUSTER_IP,
      ports: ports.map(p => ({ port: p.port, name: p.name, targetPort: p.targetPort })),
      publishNotReadyAddresses: props.publishNotReadyAddresses ?? true,
    });
    this.clusterDomain = requireDnsSubdomain('HeadlessService clusterDomain', props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN);
    for (const [key, value] of Object.entries(props.selector ?? {})) {
      this.selectLabel(key, value);
    }
    this.node.addValidation({
      validate: () => this.ports.length > 0 ? [] : [
        `HeadlessService "${this.name}" needs at least one port, given in props.ports or with bind() (got none)`,
      ],
    });
  }

  /** The namespace DNS names use: the Service's own, else the chart's, else `default`. */
  public get dnsNamespace(): string {
    return namespaceOf(this, this.metadata.namespace);
  }

  /** `<service>.<namespace>.svc.<domain>`: the suffix of every member's DNS name. */
  public get domain(): string {
    return serviceDomain(this.name, this.dnsNamespace, this.clusterDomain);
  }

  /** The DNS names of the pods of `statefulSet`, which this Service governs. */
  public hostsOf(statefulSet: INamedResource): StatefulSetHosts {
    return new StatefulSetHosts({ statefulSetName: statefulSet.name, serviceName: this.name, namespace: this.dnsNamespace, clusterDomain: this.clusterDomain });
  }

  /** Fully qualified DNS name of pod `ordinal` of `statefulSet`, e.g. `web-0.nginx.default.svc.cluster.local`. */
  public hostFor(statefulSet: INamedResource, ordinal: number): string {
    return this.hostsOf(statefulSet).hostFor(ordinal);
  }

  /** Fully qualified DNS names of pods 0 … `replicas`-1 of `statefulSet`, ordinal 0 first. */
  public hostsFor(statefulSet: INamedResource, replicas: number): string[] {
    return this.hostsOf(statefulSet).hostsFor(replicas);
  }

  /** Short DNS name of pod `ordinal`, resolvable inside the same namespace, e.g. `web-0.nginx`. */
  public shortHostFor(statefulSet: INamedResource, ordinal: number): string {
    return this.hostsOf(statefulSet).shortHostFor(ordinal);
  }
}
