import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { asset } from '../internal/assets';
import { MySqlEngine } from './engine/engine';
import { renderFragment, ServerSettings, validateSettings } from './pod/server-config';
import {
  MAX_DNS_LABEL_LENGTH, MAX_STATEFUL_SET_NAME_LENGTH, requireDnsLabel, requireDnsSubdomain, requireInteger,
} from '../internal/validate';

/** Role of a member of the cluster. */
export enum MemberRole {
  /** Ordinal 0: takes writes, keeps the binary log its replicas read. */
  PRIMARY = 'primary',
  /** Every other ordinal: read-only, replicates from the primary. */
  REPLICA = 'replica',
}

/** Default parallel applier threads per replica, chosen from the lag benchmark (BENCHMARKS.md). */
export const DEFAULT_REPLICA_APPLIER_THREADS = 4;

/** The largest value of MySQL's `server_id` (an unsigned 32-bit integer). */
export const MAX_SERVER_ID = 4294967295;

/** Props of {@link ReplicaTopology}. */
export interface ReplicaTopologyProps {
  /**
   * Name of the StatefulSet; pods are `<name>-0 … <name>-(replicas-1)`. At most 52
   * characters so that the controller's revision label fits.
   */
  readonly statefulSetName: string;

  /**
   * Name of the governing headless Service, which publishes each pod's DNS name.
   * @default - the StatefulSet name
   */
  readonly headlessServiceName?: string;

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
   * Number of members: one primary plus `replicas - 1` read replicas.
   * @default 3
   */
  readonly replicas?: number;

  /**
   * `server_id` of ordinal 0; member k gets `serverIdOffset + k`. Zero is reserved by
   * MySQL, hence the offset.
   * @default 100
   */
  readonly serverIdOffset?: number;

  /**
   * Extra server settings for every member, e.g. `{ max_connections: 500 }`.
   * @default - none
   */
  readonly commonSettings?: ServerSettings;

  /**
   * Extra server settings for the primary only.
   * @default - none
   */
  readonly primarySettings?: ServerSettings;

  /**
   * Extra server settings for the replicas only.
   * @default - none
   */
  readonly replicaSettings?: ServerSettings;

  /**
   * Threads that apply replicated transactions in parallel on each replica (0: one
   * at a time), rendered for the engine into `replica.cnf`.
   * @default 4
   */
  readonly replicaApplierThreads?: number;
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
  /** Ordinal this member clones its data from when its volume is empty (none for the primary). */
  readonly cloneSource?: number;
}

/**
 * The model of a replicated cluster: names, size, the role and `server_id` of every
 * ordinal, which member each replica clones from, every member's stable DNS name and
 * the per-role my.cnf fragments. It synthesizes nothing itself; {@link StatefulMySQL}
 * builds the Kubernetes objects from it.
 */
export class ReplicaTopology extends Construct {
  /** Name of the StatefulSet. */
  public readonly statefulSetName: string;
  /** Name of the governing headless Service. */
  public readonly headlessServiceName: string;
  /** Namespace the cluster runs in. */
  public readonly namespace: string;
  /** The Kubernetes cluster's DNS domain. */
  public readonly clusterDomain: string;
  /** Number of members. */
  public readonly replicas: number;
  /** `server_id` of ordinal 0. */
  public readonly serverIdOffset: number;
  /** Parallel applier threads of each replica (0: one at a time). */
  public readonly replicaApplierThreads: number;

  private readonly commonSettings: ServerSettings;
  private readonly primarySettings: ServerSettings;
  private readonly replicaSettings: ServerSettings;

  constructor(scope: Construct, id: string, props: ReplicaTopologyProps) {
    super(scope, id);
    this.statefulSetName = requireDnsLabel('statefulSetName', props.statefulSetName, MAX_STATEFUL_SET_NAME_LENGTH);
    this.headlessServiceName = requireDnsLabel('headlessServiceName', props.headlessServiceName ?? props.statefulSetName);
    this.namespace = requireDnsLabel('namespace', props.namespace ?? Chart.of(this).namespace ?? 'default');
    this.clusterDomain = requireDnsSubdomain('clusterDomain', props.clusterDomain ?? 'cluster.local');
    this.replicas = requireInteger('replicas', props.replicas ?? 3, 1);
    this.serverIdOffset = requireInteger('serverIdOffset', props.serverIdOffset ?? 100, 1, MAX_SERVER_ID);
    this.replicaApplierThreads = requireInteger('replicaApplierThreads', props.replicaApplierThreads ?? DEFAULT_REPLICA_APPLIER_THREADS, 0, 256);
    const highest = this.serverIdOffset + this.replicas - 1;
    if (highest > MAX_SERVER_ID) {
      throw new Error(`serverIdOffset + replicas - 1 must be at most ${MAX_SERVER_ID} (server_id is 32-bit), got ${this.serverIdOffset} + ${this.replicas} - 1 = ${highest}`);
    }
    const podNameLength = `${this.statefulSetName}-${this.replicas - 1}`.length;
    if (podNameLength > MAX_DNS_LABEL_LENGTH) {
      throw new Error(`pod names must be at most ${MAX_DNS_LABEL_LENGTH} characters, but "${this.statefulSetName}-${this.replicas - 1}" has ${podNameLength}`);
    }
    this.commonSettings = { ...props.commonSettings };
    this.primarySettings = { ...props.primarySettings };
    this.replicaSettings = { ...props.replicaSettings };
    validateSettings('commonSettings', this.commonSettings);
    validateSettings('primarySettings', this.primarySettings);
    validateSettings('replicaSettings', this.replicaSettings);
  }

  /** Every member, ordinal 0 first. */
  public get members(): Member[] {
    return Array.from({ length: this.replicas }, (_, ordinal) => this.member(ordinal));
  }

  /** Stable DNS name of the primary (ordinal 0). */
  public get primaryHost(): string {
    return this.hostFor(0);
  }

  /** The DNS suffix every member's name ends with: `<headless>.<namespace>.svc.<domain>`. */
  public get memberDomain(): string {
    return `${this.headlessServiceName}.${this.namespace}.svc.${this.clusterDomain}`;
  }

  /** Describes one member; throws for an ordinal outside the cluster. */
  public member(ordinal: number): Member {
    requireInteger('ordinal', ordinal, 0, this.replicas - 1);
    const role = ordinal === 0 ? MemberRole.PRIMARY : MemberRole.REPLICA;
    return {
      ordinal,
      podName: `${this.statefulSetName}-${ordinal}`,
      role,
      serverId: this.serverIdOffset + ordinal,
      host: `${this.statefulSetName}-${ordinal}.${this.memberDomain}`,
      cloneSource: role === MemberRole.PRIMARY ? undefined : ordinal - 1,
    };
  }

  /** Stable DNS name of the member with this ordinal. */
  public hostFor(ordinal: number): string {
    return this.member(ordinal).host;
  }

  /**
   * The my.cnf fragments for this engine, keyed by file name: `common.cnf` for every
   * member, `primary.cnf` and `replica.cnf` for the roles. Each is the shipped base
   * file, then the engine's settings, then the user's.
   */
  public configFragments(engine: MySqlEngine): Record<string, string> {
    const byEngine = `required by ${engine.displayName}`;
    return {
      'common.cnf': renderFragment(asset('mysql/conf/common.cnf'), [
        { title: `GTID replication, ${byEngine}`, settings: engine.gtidSettings },
        { title: 'Added by the user (commonSettings)', settings: this.commonSettings },
      ]),
      'primary.cnf': renderFragment(asset('mysql/conf/primary.cnf'), [
        { title: 'Added by the user (primarySettings)', settings: this.primarySettings },
      ]),
      'replica.cnf': renderFragment(asset('mysql/conf/replica.cnf'), [
        { title: `Read-only for every account, ${byEngine}`, settings: engine.replicaSettings },
        { title: `Parallel appliers (replicaApplierThreads = ${this.replicaApplierThreads})`, settings: engine.replicaApplierSettings(this.replicaApplierThreads) },
        { title: 'Added by the user (replicaSettings)', settings: this.replicaSettings },
      ]),
    };
  }
}
