import { Size } from 'cdk8s';
import { MySqlCredentials } from './credentials';
import { MySqlEngine } from './engine';
import { ServerSettings } from './my-cnf';
import { MySqlResources, ReplicationMode } from './mysql-pod';
import { NetworkAccessOptions } from './network-access';
import { VolumeAccessMode } from './per-pod-claims';
import { MemberSchedulingOptions } from './scheduling';

/** Storage of each member's data directory. */
export interface MySqlStorageOptions {
  /**
   * Size of each member's volume.
   * @default Size.gibibytes(10)
   */
  readonly size?: Size;
  /**
   * StorageClass of the volume claims. Set it to the class of your
   * {@link NfsPersistentVolumes} (or provisioner) so the claims bind.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
  /**
   * Access modes of the claims.
   * @default [VolumeAccessMode.READ_WRITE_ONCE]
   */
  readonly accessModes?: VolumeAccessMode[];
}

/** What happens to the members' claims. */
export enum ClaimRetention {
  /** Keep the claim (and its data). */
  RETAIN = 'Retain',
  /** Delete the claim; the volume's reclaim policy decides what happens to the data. */
  DELETE = 'Delete',
}

/** The StatefulSet's `persistentVolumeClaimRetentionPolicy`. */
export interface ClaimRetentionOptions {
  /**
   * When the StatefulSet is deleted.
   * @default ClaimRetention.RETAIN
   */
  readonly whenDeleted?: ClaimRetention;
  /**
   * When the StatefulSet is scaled down (claims of removed ordinals).
   * @default ClaimRetention.RETAIN
   */
  readonly whenScaled?: ClaimRetention;
}

/** Props of {@link StatefulMySQL}. */
export interface StatefulMySQLProps {
  /**
   * Name of the StatefulSet and the headless Service; the other objects are named after
   * it (`<name>-read`, `<name>-primary`, `<name>-config`, …). At most 52 characters.
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * Number of members: one primary plus `replicas - 1` read replicas.
   * @default 3
   */
  readonly replicas?: number;

  /**
   * Database engine flavor.
   * @default MySqlEngine.mysql84()
   */
  readonly engine?: MySqlEngine;

  /**
   * Where the root and replication passwords come from.
   * @default - MySqlCredentials.fromSecretName(`<name>-credentials`): a Secret you
   * create with keys `root-password` and `replication-password`
   */
  readonly credentials?: MySqlCredentials;

  /**
   * How replicas position themselves in the primary's history.
   * @default ReplicationMode.GTID
   */
  readonly replicationMode?: ReplicationMode;

  /**
   * Namespace of every object of the cluster.
   * @default - the chart's namespace, else `default`
   */
  readonly namespace?: string;

  /**
   * The Kubernetes cluster's DNS domain.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;

  /**
   * `server_id` of ordinal 0; member k gets `serverIdOffset + k`.
   * @default 100
   */
  readonly serverIdOffset?: number;

  /**
   * Storage of each member's data directory.
   * @default - 10Gi ReadWriteOnce claims of the default StorageClass
   */
  readonly storage?: MySqlStorageOptions;

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
   * Compute resources of the containers.
   * @default - see {@link MySqlResources}
   */
  readonly resources?: MySqlResources;

  /**
   * Where members run: spreading, priority, node selection and tolerations.
   * @default - members preferably on distinct nodes
   */
  readonly scheduling?: MemberSchedulingOptions;

  /**
   * Create a PodDisruptionBudget allowing one member at a time to be evicted
   * (node drains, cluster upgrades).
   * @default true
   */
  readonly disruptionBudget?: boolean;

  /**
   * NetworkPolicy: the backup port only between members; the database port from the
   * members and the allowed clients.
   * @default - a policy admitting every pod of the namespace to the database port
   */
  readonly networkAccess?: NetworkAccessOptions;

  /**
   * What happens to the members' claims when the StatefulSet is deleted or scaled down.
   * @default - both retained
   */
  readonly claimRetention?: ClaimRetentionOptions;
}
