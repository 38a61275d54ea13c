import { DEFAULT_CLUSTER_DOMAIN, namespaceOf, serviceDomain } from '../internal/cluster-dns';
import { Construct } from 'constructs';
import {
  MAX_STATEFUL_SET_NAME_LENGTH, requireDns1035Label, requireDnsLabel, requireDnsSubdomain, requireInteger, requirePlainObject,
} from '../internal/validate';

/** Role of a member of the cluster. */
export enum MemberRole {
  /** Ordinal 0: takes writes, keeps the binary log its replicas read. */
  PRIMARY = 'primary',
  /** Every other ordinal: read-only, replicates from the primary. */
  REPLICA = 'replica',
}

/**
 * Who the cluster's members are: its name, size, namespace and DNS domain, and the
 * `server_id`s. {@link StatefulMySQLProps} extends it, so these are the cluster's props.
 */
export interface ReplicaTopologyProps {
  /**
   * Name of the StatefulSet and of its headless Service; pods are
   * `<name>-0 … <name>-(replicas-1)`, and the other objects are named after it
   * (`<name>-read`, `<name>-primary`, `<name>-config` …). A DNS-1035 label (it names
   * Services: it starts with a letter) of at most 52 characters, so that the
   * controller's revision label fits.
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * Number of members: one primary plus `replicas - 1` read replicas.
   * @default 3
   */
  readonly replicas?: number;

  /**
   * Namespace the cluster runs in.
   * @default - the chart's namespace, else `default`
   */
  readonly namespace?: string;

  /**
   * The Kubernetes cluster's DNS domain.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;

  /**
   * `server_id` of ordinal 0; member k gets `serverIdOffset + k`. Zero is reserved by
   * MySQL, hence the offset.
   * @default 100
   */
  readonly serverIdOffset?: number;
}

/** One member of the cluster. */
export interface Member {
  /** Pod ordinal. */
  readonly ordinal: number;
  /** Pod name, `<statefulset>-<ordinal>`. */
  readonly podName: string;
  /** Role of the member. */
  readonly role: MemberRole;
  /** The member's `server_id`. */
  readonly serverId: number;
  /** Stable DNS name, `<pod>.<headless>.<namespace>.svc.<domain>`. */
  readonly host: string;
}

/**
 * The model of a replicated cluster, and the one place its identity is defaulted and
 * validated: the names, the size, the role and `server_id` of every ordinal, every
 * member's stable DNS name. It synthesizes nothing itself; {@link StatefulMySQL} builds
 * the Kubernetes objects from it, and hands its decisions to the scripts (the primary's
 * pod and DNS name, the `server_id` offset). Each replica clones from the member before
 * it, a rule the clone script applies at run time, since `kubectl scale` adds ordinals
 * the synth never saw.
 */
export class ReplicaTopology extends Construct {
  /** The largest `server_id` (an unsigned 32-bit integer). */
  public static readonly MAX_SERVER_ID = 4294967295;

  /** Name of the StatefulSet and of its headless Service. */
  public readonly name: string;
  /** Namespace the cluster runs in. */
  public readonly namespace: string;
  /** The Kubernetes cluster's DNS domain. */
  public readonly clusterDomain: string;
  /** Number of members. */
  public readonly replicas: number;
  /** `server_id` of ordinal 0. */
  public readonly serverIdOffset: number;

  constructor(scope: Construct, id: string, props: ReplicaTopologyProps = {}) {
    super(scope, id);
    requirePlainObject('ReplicaTopology props', props);
    // The name is also the headless Service's, and Service names are DNS-1035 labels.
    this.name = requireDns1035Label('name', props.name ?? id, MAX_STATEFUL_SET_NAME_LENGTH);
    this.namespace = requireDnsLabel('namespace', namespaceOf(this, props.namespace));
    this.clusterDomain = requireDnsSubdomain('clusterDomain', props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN);
    this.replicas = requireInteger('replicas', props.replicas ?? 3, 1, 2147483647);
    this.serverIdOffset = requireInteger('serverIdOffset', props.serverIdOffset ?? 100, 1, ReplicaTopology.MAX_SERVER_ID);
    const highest = this.serverIdOffset + this.replicas - 1;
    if (highest > ReplicaTopology.MAX_SERVER_ID) {
      throw new Error(`serverIdOffset + replicas - 1 must be at most ${ReplicaTopology.MAX_SERVER_ID} (server_id is 32-bit), got ${this.serverIdOffset} + ${this.replicas} - 1 = ${highest}`);
    }
  }

  /** Every member, ordinal 0 first. */
  public get members(): Member[] {
    return Array.from({ length: this.replicas }, (_, ordinal) => this.member(ordinal));
  }

  /** The primary (ordinal 0). */
  public get primary(): Member {
    return this.member(0);
  }

  /** The DNS suffix every member's name ends with: `<headless>.<namespace>.svc.<domain>`. */
  public get memberDomain(): string {
    return serviceDomain(this.name, this.namespace, this.clusterDomain);
  }

  /** Describes one member; throws for an ordinal outside the cluster. */
  public member(ordinal: number): Member {
    requireInteger('ordinal', ordinal, 0, this.replicas - 1);
    return {
      ordinal,
      podName: `${this.name}-${ordinal}`,
      role: ordinal === 0 ? MemberRole.PRIMARY : MemberRole.REPLICA,
      serverId: this.serverIdOffset + ordinal,
      host: `${this.name}-${ordinal}.${this.memberDomain}`,
    };
  }

  /** Stable DNS name of the member with this ordinal. */
  public hostFor(ordinal: number): string {
    return this.member(ordinal).host;
  }
}
