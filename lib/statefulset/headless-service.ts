import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { requireDnsLabel, requireDnsSubdomain, requireInteger, requireDistinct } from '../internal/validate';

/** Anything with a name that pods are numbered after: a cdk8s-plus `StatefulSet`, the L1 `KubeStatefulSet`, … */
export interface INamedStatefulSet {
  /** The StatefulSet's `metadata.name`. */
  readonly name: string;
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
  readonly ports?: kplus.ServicePort[];

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
 * stable DNS name `<set>-<k>.<service>.<namespace>.svc.<domain>`. Works for any
 * StatefulSet; it is a cdk8s-plus `Service`, so it can be passed as the `service` of a
 * cdk8s-plus `StatefulSet`.
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
      ports,
      publishNotReadyAddresses: props.publishNotReadyAddresses ?? true,
    });
    this.clusterDomain = requireDnsSubdomain('HeadlessService clusterDomain', props.clusterDomain ?? 'cluster.local');
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
    return this.metadata.namespace ?? Chart.of(this).namespace ?? 'default';
  }

  /** `<service>.<namespace>.svc.<domain>`: the suffix of every member's DNS name. */
  public get domain(): string {
    return `${this.name}.${this.dnsNamespace}.svc.${this.clusterDomain}`;
  }

  /** Fully qualified DNS name of pod `ordinal` of `statefulSet`, e.g. `web-0.nginx.default.svc.cluster.local`. */
  public hostFor(statefulSet: INamedStatefulSet, ordinal: number): string {
    return `${this.shortHostFor(statefulSet, ordinal)}.${this.dnsNamespace}.svc.${this.clusterDomain}`;
  }

  /** Fully qualified DNS names of pods 0 … `replicas`-1 of `statefulSet`, ordinal 0 first. */
  public hostsFor(statefulSet: INamedStatefulSet, replicas: number): string[] {
    requireInteger('replicas', replicas, 1);
    return Array.from({ length: replicas }, (_, ordinal) => this.hostFor(statefulSet, ordinal));
  }

  /** Short DNS name of pod `ordinal`, resolvable inside the same namespace, e.g. `web-0.nginx`. */
  public shortHostFor(statefulSet: INamedStatefulSet, ordinal: number): string {
    requireInteger('ordinal', ordinal, 0);
    return `${statefulSet.name}-${ordinal}.${this.name}`;
  }
}
