import { Duration, Size } from 'cdk8s';
import { MySqlCredentials } from './credentials';
import { MySqlEngine } from './engine/engine';
import { ReplicationMode } from './engine/replication-sql';
import { ClientSelector, NetworkAccessOptions } from './network-access';
import { VolumeAccessMode } from '../statefulset/per-pod-claims';
import { ReplicaTopologyProps } from './replica-topology';
import { MemberSchedulingOptions } from './scheduling';
import { BackupDestination } from './backup/backup-destination';
import { ImageSourceOptions } from '../internal/image-source';

/**
 * Compute resources of one container. A field left out keeps its default (see
 * {@link MySqlResources}); no request may exceed its limit.
 */
export interface ContainerResources {
  /**
   * CPU the scheduler reserves, in millicores.
   * @default - none
   */
  readonly cpuRequestMillis?: number;
  /**
   * CPU the container may use at most, in millicores.
   * @default - none
   */
  readonly cpuLimitMillis?: number;
  /**
   * Memory the scheduler reserves.
   * @default - none
   */
  readonly memoryRequest?: Size;
  /**
   * Memory the container may use at most.
   * @default - none
   */
  readonly memoryLimit?: Size;
}

/** Compute resources of the cluster's containers. */
export interface MySqlResources {
  /**
   * The database server.
   * @default - requests 500m CPU / 1Gi memory, memory limit 2Gi
   */
  readonly server?: ContainerResources;
  /**
   * The replication and backup sidecar (and the clone init container, which runs
   * the same tool).
   * @default - requests 100m CPU / 256Mi memory, memory limit 1Gi
   */
  readonly sidecar?: ContainerResources;
}

/** How the server's user (uid 999) gets write access to its volume. */
export enum VolumePermissions {
  /**
   * kubelet gives the volume to the pod's `fsGroup` (999). Enough for every volume type
   * whose ownership kubelet manages (most CSI and cloud disks, local-path provisioners
   * that create world-writable directories); not for hostPath volumes or NFS exports.
   */
  FS_GROUP = 'fsGroup',
  /**
   * Also run a first init container as root, with the capability `CHOWN` only, that
   * gives the volume and the data directory to uid 999. Needed on
   * {@link HostPathPersistentVolumes}, whose directories kubelet creates root-owned
   * with mode 0755. A container running as root does not meet the Pod Security
   * "restricted" profile: the namespace must allow "baseline".
   */
  ROOT_INIT_CONTAINER = 'rootInitContainer',
}

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
  /**
   * How the server's user gets write access to the volume. Set
   * `VolumePermissions.ROOT_INIT_CONTAINER` for {@link HostPathPersistentVolumes}
   * (synth fails without it).
   * @default VolumePermissions.FS_GROUP
   */
  readonly volumePermissions?: VolumePermissions;
}

/** How the backup stream from the clone source to a new replica is compressed. */
export enum CloneCompression {
  /** Sent as the backup tool writes it. */
  NONE = 'none',
  /** `zstd -1` on all cores of the source; the backup image needs `zstd` (every pinned one but MySQL 5.7's has it). */
  ZSTD = 'zstd',
  /** `lz4 -1`; the backup image needs `lz4` (of the pinned ones, only Percona's XtraBackup 8.x images have it). */
  LZ4 = 'lz4',
}

/**
 * How a new replica copies its data from the previous member: a streamed physical
 * backup (`xtrabackup`/`mariadb-backup --backup --stream=xbstream`) that the replica
 * unpacks and prepares. Defaults come from the bootstrap benchmark (BENCHMARKS.md).
 */
export interface CloneOptions {
  /**
   * Data files the backup tool copies at once (`--parallel`), and the unpacker's
   * threads (`xbstream`/`mbstream --parallel`). Between 1 and 64.
   * @default 4
   */
  readonly parallelThreads?: number;
  /**
   * Compression of the stream. Pays off only when the network, not the disks or the
   * CPU, is the bottleneck. The tool must be in the backup image (checked at synth for
   * the pinned images); a source compresses only for a receiver that accepts the same
   * compression, so members of two revisions of the pod template still clone.
   * @default CloneCompression.NONE
   */
  readonly compression?: CloneCompression;
  /**
   * Memory the backup tool uses to prepare the copy (`--prepare --use-memory`), i.e.
   * to apply the redo log written while the backup was taken. Must be below the clone
   * container's memory limit (`resources.sidecar`).
   * @default Size.mebibytes(256)
   */
  readonly prepareMemory?: Size;
  /**
   * A replica serves its data to the next member only while its replication runs and
   * lags at most this much behind the primary (`Seconds_Behind_Master`); otherwise it
   * refuses and the new member retries every few seconds. Whole seconds.
   * @default Duration.minutes(1)
   */
  readonly maxSourceLag?: Duration;
}

/** The timings of one probe; a field left out keeps its default. */
export interface ProbeTiming {
  /**
   * How often the probe runs (whole seconds).
   * @default - startup 10 s, liveness 10 s, readiness 5 s
   */
  readonly period?: Duration;
  /**
   * How long one check may take (whole seconds).
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;
  /**
   * Failed checks in a row before the probe fails: the startup probe then lets the
   * kubelet restart the container, liveness restarts it, readiness takes the member out
   * of the Services.
   * @default - startup 60, liveness 3, readiness 2
   */
  readonly failureThreshold?: number;
  /**
   * Wait before the first check (whole seconds).
   * @default Duration.seconds(0)
   */
  readonly initialDelay?: Duration;
}

/**
 * The server container's probes. The startup probe allows `period × failureThreshold`
 * (10 minutes by default) for crash recovery before liveness applies: raise it for big
 * buffer pools and slow disks.
 */
export interface ProbeOptions {
  /**
   * `mysqladmin ping` until the server first answers.
   * @default - every 10 s, 5 s timeout, 60 failures (10 minutes)
   */
  readonly startup?: ProbeTiming;
  /**
   * `mysqladmin ping` once started; failing restarts the server.
   * @default - every 10 s, 5 s timeout, 3 failures
   */
  readonly liveness?: ProbeTiming;
  /**
   * `probe-ready.sh` (a real query; on replicas, replication running).
   * @default - every 5 s, 5 s timeout, 2 failures
   */
  readonly readiness?: ProbeTiming;
}

/**
 * How the server's memory and binary log are sized. The buffer pool and the connection
 * limit follow the server container's memory limit (`resources.server.memoryLimit`),
 * so that they fit in it: `limit >= pool + 256 MiB + max_connections × 4 MiB`.
 */
export interface ServerSizingOptions {
  /**
   * Share of the memory limit for the InnoDB buffer pool, between 0.1 and 0.9; rounded
   * down to whole 128 MiB chunks.
   * @default 0.5
   */
  readonly bufferPoolFraction?: number;
  /**
   * `max_connections`; synth fails when they do not fit in the memory limit beside the
   * buffer pool.
   * @default - 151 (the servers' default), or fewer when that many do not fit
   */
  readonly maxConnections?: number;
  /**
   * How long closed binary logs are kept (`binlog_expire_logs_seconds`; whole days on
   * MySQL 5.7, `expire_logs_days`). Replicas only need them while they lag; new members
   * clone from a backup, not from the binary log.
   * @default Duration.days(7)
   */
  readonly binlogRetention?: Duration;
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

/**
 * Props of {@link StatefulMySQL}: who the members are (name, replicas, namespace, DNS
 * domain, server ids: {@link ReplicaTopologyProps}), and how they run.
 */
export interface StatefulMySQLProps extends ReplicaTopologyProps {
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
   * Let root log in from other pods (`root@'%'`). By default root logs in only from
   * inside each member's pod (`root@localhost` through the socket, `root@127.0.0.1`,
   * which the scripts and probes use), and the primary's sidecar drops every other
   * root account, the official images' `root@'%'` included. Give applications accounts
   * of their own instead.
   * @default false
   */
  readonly remoteRoot?: boolean;

  /**
   * How replicas position themselves in the primary's history.
   * @default ReplicationMode.GTID
   */
  readonly replicationMode?: ReplicationMode;

  /**
   * Storage of each member's data directory.
   * @default - 10Gi ReadWriteOnce claims of the default StorageClass
   */
  readonly storage?: MySqlStorageOptions;

  /**
   * Extra server settings for every member, as my.cnf writes them, e.g.
   * `{ innodb_flush_log_at_trx_commit: '2' }`. Settings the library owns are refused
   * (README, "Server settings").
   * @default - none
   */
  readonly commonSettings?: { [name: string]: string };

  /**
   * Extra server settings for the primary only.
   * @default - none
   */
  readonly primarySettings?: { [name: string]: string };

  /**
   * Extra server settings for the replicas only.
   * @default - none
   */
  readonly replicaSettings?: { [name: string]: string };

  /**
   * How a new replica copies its data from the previous member: copy threads,
   * compression, memory to prepare the copy, how far behind a source may be.
   * @default - see {@link CloneOptions}
   */
  readonly clone?: CloneOptions;

  /**
   * Threads that apply replicated transactions in parallel on each replica; 0 applies
   * them one at a time in the replication SQL thread. Rendered per engine into
   * `replica.cnf`: MariaDB `slave_parallel_threads` (with `slave_parallel_mode =
   * optimistic`), MySQL 8 `replica_parallel_workers` (with
   * `replica_preserve_commit_order = ON`), MySQL 5.7 `slave_parallel_workers` (with
   * `LOGICAL_CLOCK` and `slave_preserve_commit_order = ON`). Between 0 and 256.
   * @default 4
   */
  readonly replicaApplierThreads?: number;

  /**
   * Compute resources of the containers.
   * @default - see {@link MySqlResources}
   */
  readonly resources?: MySqlResources;

  /**
   * Buffer pool, connection limit and binary log retention, from the server's memory limit.
   * @default - see {@link ServerSizingOptions}
   */
  readonly sizing?: ServerSizingOptions;

  /**
   * How far a replica may lag behind the primary (`Seconds_Behind_Master` /
   * `Seconds_Behind_Source`) and still serve reads: beyond it, its readiness probe fails,
   * which takes it out of the read Service until it has caught up (README, "Lag-aware
   * reads", for what else readiness decides). Whole seconds, at least 1.
   * @default Duration.minutes(1)
   */
  readonly maxReadLag?: Duration;

  /**
   * Timings of the server's startup, liveness and readiness probes.
   * @default - see {@link ProbeOptions}
   */
  readonly probes?: ProbeOptions;

  /**
   * A registry or mirror for every image of the cluster (server, backup tools), and the
   * pods' `imagePullSecrets`.
   * @default - each image from its own registry, no pull secrets
   */
  readonly images?: ImageSourceOptions;

  /**
   * A Prometheus `mysqld_exporter` sidecar on every member, with its own account, the
   * NetworkPolicy rule for the scrapers and, optionally, a PodMonitor (README, "Metrics").
   * @default - no metrics
   */
  readonly metrics?: MetricsOptions;

  /**
   * TLS for clients, replication and the local scripts, from a Secret or a cert-manager
   * Certificate (README, "TLS").
   * @default - no TLS
   */
  readonly tls?: TlsOptions;

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

  /**
   * Scheduled physical backups onto a claim: a CronJob `<name>-backup` (README, "Backups
   * and restore").
   * @default - no backups
   */
  readonly backup?: BackupOptions;

  /**
   * Start the cluster from a backup: ordinal 0 restores it into its empty data
   * directory, the other members clone from it as usual, and the binary log's GTID
   * history goes on from the backup's. A member whose data directory is initialised
   * already ignores it.
   * @default - ordinal 0 starts an empty server
   */
  readonly restore?: RestoreOptions;
}

/**
 * Scheduled physical backups: a CronJob whose pod takes a consistent backup from a
 * healthy replica (the primary only when there is none) through the authenticated clone
 * channel, verifies and prepares it, and writes one compressed file per backup, with a
 * JSON manifest beside it, onto a claim.
 */
export interface BackupOptions {
  /** When to back up, in cron syntax (`minute hour day-of-month month day-of-week`), e.g. `'0 3 * * *'`, or `@daily`. */
  readonly schedule: string;
  /** Where the files go. */
  readonly destination: BackupDestination;
  /**
   * Complete backups kept; older ones are deleted after a new one is complete. The newest
   * complete backup is never deleted. Between 1 and 1000.
   * @default 7
   */
  readonly retention?: number;
  /**
   * Time zone of the schedule (an IANA name such as `Europe/Berlin`).
   * @default - the time zone of the kube-controller-manager (usually UTC)
   */
  readonly timeZone?: string;
  /**
   * How long one backup may run before Kubernetes stops it (the Job's
   * `activeDeadlineSeconds`); a stopped backup leaves no file that looks complete.
   * @default Duration.hours(2)
   */
  readonly deadline?: Duration;
  /**
   * Compute resources of the backup container (it streams, unpacks, prepares and packs).
   * @default - the sidecar's defaults
   */
  readonly resources?: ContainerResources;
}

/** A cluster that starts from a backup instead of an empty server. */
export interface RestoreOptions {
  /**
   * The claim holding the backups, e.g. another cluster's `<name>-backups`. Every member
   * mounts it read-only, so it must be mountable on several nodes at once (ReadWriteMany
   * or ReadOnlyMany) unless all members run on one node.
   */
  readonly claimName: string;
  /**
   * The backup file to restore, e.g. `mysql-20261201T030000Z.tar.zst`.
   * @default - the newest complete backup of `cluster` on the claim
   */
  readonly file?: string;
  /**
   * Name of the cluster whose backups to restore (their files start with it); needed when
   * the claim holds backups of several clusters.
   * @default - the only cluster with backups on the claim
   */
  readonly cluster?: string;
}

/**
 * A Prometheus `mysqld_exporter` sidecar on every member, on the named port `metrics`
 * (9104). It logs in as its own account (`exporterUser` of the credentials, password
 * from the Secret's `exporter-password`), which the primary's sidecar creates and keeps
 * at the Secret's password, with only what the exporter's default collectors read:
 * `PROCESS`, `REPLICATION CLIENT` (MariaDB also `SLAVE MONITOR`), `SELECT` on
 * `performance_schema`, at most 3 connections, from inside the pod only.
 */
export interface MetricsOptions {
  /**
   * The pods allowed to scrape the metrics port through the cluster's NetworkPolicy,
   * e.g. `[{ namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }]`.
   * Required while the NetworkPolicy is on: Prometheus usually runs in a namespace of its
   * own, which no default could name.
   * @default - required unless `networkAccess.enabled` is false
   */
  readonly scrapers?: ClientSelector[];
  /**
   * A `PodMonitor` (Prometheus Operator, `monitoring.coreos.com/v1`) that scrapes every
   * member's `metrics` port.
   * @default - none
   */
  readonly podMonitor?: PodMonitorOptions;
  /**
   * Compute resources of the exporter container.
   * @default - 50m CPU and 32Mi requested, 128Mi limit
   */
  readonly resources?: ContainerResources;
  /**
   * Image of the exporter. Its entrypoint must be `mysqld_exporter` and accept
   * `--config.my-cnf` and `--web.listen-address` (every release since 0.11).
   * @default 'prom/mysqld-exporter:v0.20.0'
   */
  readonly image?: string;
}

/** A Prometheus Operator `PodMonitor` for the exporters. */
export interface PodMonitorOptions {
  /**
   * Labels of the PodMonitor, which the Prometheus resource's `podMonitorSelector`
   * matches, e.g. `{ release: 'kube-prometheus-stack' }`.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * How often Prometheus scrapes each member (whole seconds).
   * @default Duration.seconds(30)
   */
  readonly interval?: Duration;
  /**
   * How long one scrape may take (whole seconds, at most the interval).
   * @default Duration.seconds(10)
   */
  readonly scrapeTimeout?: Duration;
}

/**
 * TLS for the cluster: the servers' certificate and key, the CA that signed them, and
 * whether clients must use TLS. Replication then verifies the primary's certificate
 * against the CA, and the replication account must use TLS.
 */
export interface TlsOptions {
  /**
   * A `kubernetes.io/tls` Secret with `tls.crt`, `tls.key` and `ca.crt`, valid for the
   * members' DNS names (`*.<name>.<namespace>.svc.<domain>`) and the Services'.
   * @default - `<name>-tls`, written by `certificate` (required without it)
   */
  readonly secretName?: string;
  /**
   * Refuse every TCP connection without TLS (`require_secure_transport`); the scripts and
   * probes use TLS or the socket.
   * @default false
   */
  readonly requireSecureTransport?: boolean;
  /**
   * A cert-manager `Certificate` that writes the Secret and renews it; the sidecars
   * reload the servers' certificate when it changes.
   * @default - the Secret is yours to provide
   */
  readonly certificate?: TlsCertificateOptions;
}

/** Which kind of cert-manager issuer signs the certificate. */
export enum CertificateIssuerKind {
  /** An `Issuer` of the cluster's namespace. */
  ISSUER = 'Issuer',
  /** A `ClusterIssuer`. */
  CLUSTER_ISSUER = 'ClusterIssuer',
}

/** A cert-manager `Certificate` for the members. */
export interface TlsCertificateOptions {
  /** Name of the issuer, e.g. a CA issuer whose `ca.crt` clients trust. */
  readonly issuerName: string;
  /**
   * Its kind.
   * @default CertificateIssuerKind.ISSUER
   */
  readonly issuerKind?: CertificateIssuerKind;
  /**
   * How long a certificate is valid (whole hours).
   * @default Duration.days(90)
   */
  readonly duration?: Duration;
  /**
   * How long before expiry it is renewed (whole hours, less than `duration`).
   * @default Duration.days(30)
   */
  readonly renewBefore?: Duration;
}
