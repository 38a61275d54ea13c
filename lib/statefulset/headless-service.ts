import { DEFAULT_CLUSTER_DOMAIN, namespaceOf, serviceDomain } from '../internal/cluster-dns';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { withoutEmptyExternalIps } from '../internal/service-output';
import {
  requireArray, requireBoolean, requireDistinct, requireDns1035Label, requireDnsLabel, requireDnsSubdomain, requireEnum, requireInteger,
  requireLabels, requirePlainObject,
} from '../internal/validate';
import { StatefulSetHosts } from './statefulset-hosts';
import { INamedResource } from './workloads';

/** A port of a {@link HeadlessService}. */
export interface HeadlessServicePort {
  /** The port number. */
  readonly port: number;
  /**
   * Its protocol. One number may be published once per protocol, e.g. DNS on TCP and UDP.
   * @default kplus.Protocol.TCP
   */
  readonly protocol?: kplus.Protocol;
  /**
   * Its name, which becomes a DNS SRV record: a DNS-1123 label of at most 15 characters.
   * Required when the Service has more than one port.
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
    requirePlainObject('HeadlessService props', props);
    const name = requireDns1035Label('HeadlessService name', props.name ?? id);
    const namespace = props.namespace === undefined ? undefined : requireDnsLabel('HeadlessService namespace', props.namespace);
    const ports = [...requireArray('HeadlessService ports', props.ports ?? [])].map((port, index) => {
      requirePlainObject(`HeadlessService ports[${index}]`, port);
      requireInteger(`HeadlessService ports[${index}].port`, port.port, 1, 65535);
      if (port.targetPort !== undefined) {
        requireInteger(`HeadlessService ports[${index}].targetPort`, port.targetPort, 1, 65535);
      }
      if (port.name !== undefined) {
        requireDnsLabel(`HeadlessService ports[${index}].name`, port.name, 15);
      }
      const protocol = requireEnum(`HeadlessService ports[${index}].protocol`, port.protocol ?? kplus.Protocol.TCP, kplus.Protocol);
      return { ...port, protocol };
    });
    requireDistinct('HeadlessService ports (number and protocol)', ports.map(p => `${p.port}/${p.protocol}`));
    requireDistinct('HeadlessService port names', ports.filter(p => p.name !== undefined).map(p => p.name!));
    if (ports.length > 1 && ports.some(p => p.name === undefined)) {
      throw new Error(`HeadlessService ports must all be named when there are several, because the API server requires it (got ${JSON.stringify(ports)})`);
    }
    const labels = props.labels === undefined ? undefined : requireLabels('HeadlessService labels', props.labels);
    const selector = requireLabels('HeadlessService selector', props.selector ?? {});
    const publishNotReadyAddresses = requireBoolean('HeadlessService publishNotReadyAddresses', props.publishNotReadyAddresses ?? true);
    super(scope, id, {
      metadata: { name, namespace, labels },
      clusterIP: 'None',
      type: kplus.ServiceType.CLUSTER_IP,
      ports: ports.map(p => ({ port: p.port, name: p.name, targetPort: p.targetPort, protocol: p.protocol })),
      publishNotReadyAddresses,
    });
    withoutEmptyExternalIps(this);
    this.clusterDomain = requireDnsSubdomain('HeadlessService clusterDomain', props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN);
    for (const [key, value] of Object.entries(selector)) {
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
