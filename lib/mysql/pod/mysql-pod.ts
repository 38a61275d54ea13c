import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { MySqlCredentials, SecretKeyReference } from '../credentials';
import { EngineFamily, MySqlEngine } from '../engine/engine';
import * as k8s from '../../internal/k8s';
import { ReplicaTopology } from '../replica-topology';
import { ReplicationMode, replicationStatements } from '../engine/replication-sql';
import { CloneCompression, CloneOptions, MySqlResources, VolumePermissions } from '../stateful-mysql-props';
import { imageCommands } from '../engine/image-inventory';
import { requireEnum, requireInteger } from '../../internal/validate';

/**
 * The pod template of a {@link StatefulMySQL}: its volumes, two init containers, the
 * server and the replication sidecar. Every path, port and environment variable the
 * shipped scripts read is decided here, in one place.
 */

/** Port of the database server. */
export const MYSQL_PORT = 3306;
/** Port on which each member's sidecar serves backups to the next member. */
export const BACKUP_PORT = 3307;
/** The server's uid and gid in the official MySQL and MariaDB images. */
export const MYSQL_UID = 999;

/** Where each volume is mounted. */
export const PATHS = {
  scripts: '/opt/mysql-cluster/scripts',
  configSource: '/opt/mysql-cluster/config',
  confDInit: '/opt/mysql-cluster/conf.d',
  confD: '/etc/mysql/conf.d',
  authDir: '/run/mysql-auth',
  authFile: '/run/mysql-auth/client.cnf',
  datadir: '/var/lib/mysql',
  dataVolumeRoot: '/var/lib/mysql-volume',
} as const;

/** The data directory's sub-directory on the volume (the classic `subPath: mysql`). */
export const DATADIR_NAME = 'mysql';

/** Volume names in the pod template. */
export const VOLUMES = {
  config: 'config',
  scripts: 'scripts',
  confD: 'conf',
  auth: 'auth',
} as const;

/** Container names (init containers first, in the order they run). */
export const CONTAINERS = {
  volumeOwnership: 'volume-ownership',
  initConfig: 'init-config',
  cloneData: 'clone-data',
  server: 'mysql',
  sidecar: 'replication',
} as const;

/** Everything the pod template is built from. */
export interface MySqlPodOptions {
  readonly topology: ReplicaTopology;
  readonly engine: MySqlEngine;
  readonly credentials: MySqlCredentials;
  readonly replicationMode: ReplicationMode;
  readonly configMapName: string;
  readonly scriptsConfigMapName: string;
  readonly dataVolumeName: string;
  readonly resources: MySqlResources;
  readonly clone: CloneOptions;
  readonly volumePermissions: VolumePermissions;
}

/** Defaults of {@link CloneOptions}, chosen from the bootstrap benchmark (BENCHMARKS.md). */
export const CLONE_DEFAULTS = {
  parallelThreads: 4,
  compression: CloneCompression.NONE,
  prepareMemory: Size.mebibytes(256),
  maxSourceLag: Duration.minutes(1),
} as const;

/**
 * mariadb-backup checks for new redo log every `--log-copy-interval` ms (1000 by
 * default) and waits for such a check twice at the end of every backup: 100 ms takes
 * ~1 s off every clone (BENCHMARKS.md). Not passed to Percona XtraBackup, whose redo
 * copying differs and was not measured.
 */
const MARIADB_BACKUP_LOG_COPY_INTERVAL_MS = 100;

/** Clone options as the scripts receive them (see clone-data.sh, stream-backup.sh). */
export interface ResolvedCloneOptions {
  /** CLONE_PARALLEL */
  readonly parallelThreads: number;
  /** CLONE_COMPRESSION */
  readonly compression: CloneCompression;
  /** PREPARE_MEMORY, in the backup tool's syntax (`256M`). */
  readonly prepareMemory: string;
  /** CLONE_SOURCE_MAX_LAG_SECONDS */
  readonly maxSourceLagSeconds: number;
}

/**
 * Validates {@link CloneOptions} against each other and the clone container's memory
 * limit, and fills in the defaults.
 */
export function resolveCloneOptions(clone: CloneOptions, cloneContainer: kplus.ContainerResources, backupImage: string): ResolvedCloneOptions {
  const parallelThreads = requireInteger('clone.parallelThreads', clone.parallelThreads ?? CLONE_DEFAULTS.parallelThreads, 1, 64);
  const compression = requireEnum('clone.compression', clone.compression ?? CLONE_DEFAULTS.compression, CloneCompression);
  const shipped = imageCommands(backupImage);
  if (compression !== CloneCompression.NONE && shipped && !shipped.includes(compression)) {
    throw new Error(`clone.compression ${compression.toUpperCase()} needs the ${compression} command in the backup image, and ${backupImage} does not ship it (see lib/image-inventory.ts); choose another compression or a backup image with ${compression} (got "${compression}")`);
  }
  const prepareMemory = clone.prepareMemory ?? CLONE_DEFAULTS.prepareMemory;
  const prepareMiB = prepareMemory.toKibibytes() / 1024;
  if (!Number.isInteger(prepareMiB) || prepareMiB < 16) {
    throw new Error(`clone.prepareMemory must be a whole number of mebibytes, at least Size.mebibytes(16) (got ${prepareMemory.asString()})`);
  }
  const limit = cloneContainer.memory?.limit;
  if (limit && prepareMemory.toKibibytes() >= limit.toKibibytes()) {
    throw new Error(`clone.prepareMemory must be below the clone container's memory limit (resources.sidecar.memory.limit ${limit.asString()}), or the prepare is OOM-killed (got ${prepareMemory.asString()})`);
  }
  const lag = clone.maxSourceLag ?? CLONE_DEFAULTS.maxSourceLag;
  const lagSeconds = lag.toMilliseconds() / 1000;
  if (!Number.isInteger(lagSeconds) || lagSeconds < 0) {
    throw new Error(`clone.maxSourceLag must be a whole number of seconds, 0 or more (got ${lag.toHumanString()})`);
  }
  return { parallelThreads, compression, prepareMemory: `${prepareMiB}M`, maxSourceLagSeconds: lagSeconds };
}

const DEFAULT_SERVER_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(500) },
  memory: { request: Size.gibibytes(1), limit: Size.gibibytes(2) },
};
const DEFAULT_SIDECAR_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(100) },
  memory: { request: Size.mebibytes(256), limit: Size.gibibytes(1) },
};
const INIT_CONFIG_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(50) },
  memory: { request: Size.mebibytes(32), limit: Size.mebibytes(128) },
};

function toKubeResources(resources: kplus.ContainerResources): k8s.ResourceRequirements {
  const requests: Record<string, k8s.Quantity> = {};
  const limits: Record<string, k8s.Quantity> = {};
  if (resources.cpu?.request) requests.cpu = k8s.Quantity.fromString(resources.cpu.request.amount);
  if (resources.cpu?.limit) limits.cpu = k8s.Quantity.fromString(resources.cpu.limit.amount);
  if (resources.memory?.request) requests.memory = k8s.Quantity.fromString(resources.memory.request.asString());
  if (resources.memory?.limit) limits.memory = k8s.Quantity.fromString(resources.memory.limit.asString());
  if (resources.ephemeralStorage?.request) requests['ephemeral-storage'] = k8s.Quantity.fromString(resources.ephemeralStorage.request.asString());
  if (resources.ephemeralStorage?.limit) limits['ephemeral-storage'] = k8s.Quantity.fromString(resources.ephemeralStorage.limit.asString());
  return {
    requests: Object.keys(requests).length ? requests : undefined,
    limits: Object.keys(limits).length ? limits : undefined,
  };
}

const CONTAINER_SECURITY: k8s.SecurityContext = {
  runAsNonRoot: true,
  runAsUser: MYSQL_UID,
  runAsGroup: MYSQL_UID,
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: false,
  capabilities: { drop: ['ALL'] },
};

function env(name: string, value: string | number): k8s.EnvVar {
  return { name, value: String(value) };
}

function secretEnv(name: string, ref: SecretKeyReference): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } } };
}

function bashScript(script: string): string[] {
  return ['bash', `${PATHS.scripts}/${script}`];
}

/** Builds the pod spec of the cluster's StatefulSet. */
export function mysqlPodSpec(options: MySqlPodOptions): k8s.PodSpec {
  const { topology, engine, credentials } = options;
  // Who is who, decided by the topology: the scripts compare their hostname to it.
  const identity = [
    env('STATEFULSET_NAME', topology.statefulSetName),
    env('PEER_DOMAIN', topology.memberDomain),
    env('PRIMARY_POD', topology.member(0).podName),
    env('PRIMARY_HOST', topology.primaryHost),
  ];
  const client = [
    env('MYSQL_CLIENT', engine.tools.client),
    env('MYSQL_PORT', MYSQL_PORT),
    env('AUTH_FILE', PATHS.authFile),
  ];
  // The engine's replication SQL; the scripts know no dialect.
  const sql = replicationStatements(engine.dialect, options.replicationMode);
  const showStatus = [env('SQL_SHOW_REPLICA_STATUS', sql.showStatus)];
  const emptyOptIn = credentials.emptyPasswords ? [env('ALLOW_EMPTY_ROOT_PASSWORD', 'yes')] : [];
  const rootPassword = credentials.rootPassword ? [secretEnv('ROOT_PASSWORD', credentials.rootPassword)] : [];
  const replicationPassword = credentials.replicationPassword
    ? [secretEnv('REPLICATION_PASSWORD', credentials.replicationPassword)] : [];
  const entrypointPassword = credentials.rootPassword
    ? [secretEnv(engine.rootPasswordEnv, credentials.rootPassword)]
    : [env(engine.allowEmptyPasswordEnv, '1')];

  const scriptsMount: k8s.VolumeMount = { name: VOLUMES.scripts, mountPath: PATHS.scripts, readOnly: true };
  const authMount: k8s.VolumeMount = { name: VOLUMES.auth, mountPath: PATHS.authDir };
  const datadirMount: k8s.VolumeMount = { name: options.dataVolumeName, mountPath: PATHS.datadir, subPath: DATADIR_NAME };
  const sidecarResourceSpec = options.resources.sidecar ?? DEFAULT_SIDECAR_RESOURCES;
  const sidecarResources = toKubeResources(sidecarResourceSpec);
  const clone = resolveCloneOptions(options.clone, sidecarResourceSpec, engine.backupImage);

  const initConfig: k8s.Container = {
    name: CONTAINERS.initConfig,
    image: engine.serverImage,
    command: bashScript('init-config.sh'),
    env: [
      ...identity,
      env('SERVER_ID_OFFSET', topology.serverIdOffset),
      env('CONFIG_SOURCE_DIR', PATHS.configSource),
      env('CONF_DIR', PATHS.confDInit),
      env('AUTH_FILE', PATHS.authFile),
      env('ENTRYPOINT_ESCAPES_SECRETS', engine.entrypointEscapesRootPassword ? 'yes' : 'no'),
      ...rootPassword,
      ...emptyOptIn,
    ],
    volumeMounts: [
      scriptsMount,
      { name: VOLUMES.config, mountPath: PATHS.configSource, readOnly: true },
      { name: VOLUMES.confD, mountPath: PATHS.confDInit },
      authMount,
    ],
    resources: toKubeResources(INIT_CONFIG_RESOURCES),
    securityContext: CONTAINER_SECURITY,
  };

  const cloneData: k8s.Container = {
    name: CONTAINERS.cloneData,
    image: engine.backupImage,
    command: bashScript('clone-data.sh'),
    env: [
      ...identity,
      env('DATA_ROOT', PATHS.dataVolumeRoot),
      env('DATADIR_NAME', DATADIR_NAME),
      env('BACKUP_PORT', BACKUP_PORT),
      env('BACKUP_TOOL', engine.tools.backup),
      env('STREAM_TOOL', engine.tools.stream),
      env('CLONE_PARALLEL', clone.parallelThreads),
      env('CLONE_COMPRESSION', clone.compression),
      env('PREPARE_MEMORY', clone.prepareMemory),
      // The clone channel is authenticated with the replication password.
      ...replicationPassword,
      ...emptyOptIn,
    ],
    volumeMounts: [
      scriptsMount,
      { name: options.dataVolumeName, mountPath: PATHS.dataVolumeRoot },
    ],
    resources: sidecarResources,
    securityContext: CONTAINER_SECURITY,
  };

  const server: k8s.Container = {
    name: CONTAINERS.server,
    image: engine.serverImage,
    env: [...entrypointPassword, ...identity, ...client, ...showStatus],
    ports: [{ name: 'mysql', containerPort: MYSQL_PORT, protocol: 'TCP' }],
    volumeMounts: [
      datadirMount,
      { name: VOLUMES.confD, mountPath: PATHS.confD },
      scriptsMount,
      authMount,
    ],
    resources: toKubeResources(options.resources.server ?? DEFAULT_SERVER_RESOURCES),
    // Crash recovery of a large data directory can take minutes: the startup probe
    // gives it 10 minutes before liveness applies.
    startupProbe: {
      exec: { command: [engine.tools.admin, `--defaults-extra-file=${PATHS.authFile}`, 'ping'] },
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 60,
    },
    livenessProbe: {
      exec: { command: [engine.tools.admin, `--defaults-extra-file=${PATHS.authFile}`, 'ping'] },
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 3,
    },
    readinessProbe: {
      exec: { command: bashScript('probe-ready.sh') },
      periodSeconds: 5,
      timeoutSeconds: 5,
      failureThreshold: 2,
    },
    securityContext: CONTAINER_SECURITY,
  };

  const sidecar: k8s.Container = {
    name: CONTAINERS.sidecar,
    image: engine.backupImage,
    command: bashScript('replication-sidecar.sh'),
    env: [
      ...identity,
      ...client,
      env('DATADIR', PATHS.datadir),
      env('BACKUP_PORT', BACKUP_PORT),
      env('BACKUP_TOOL', engine.tools.backup),
      env('STREAM_TOOL', engine.tools.stream),
      env('CLONE_PARALLEL', clone.parallelThreads),
      env('CLONE_COMPRESSION', clone.compression),
      env('CLONE_SOURCE_MAX_LAG_SECONDS', clone.maxSourceLagSeconds),
      ...(engine.family === EngineFamily.MARIADB ? [env('BACKUP_LOG_COPY_INTERVAL_MS', MARIADB_BACKUP_LOG_COPY_INTERVAL_MS)] : []),
      ...showStatus,
      env('SQL_START_REPLICA', sql.start),
      env('SQL_CONFIGURE_REPLICATION', sql.configure),
      env('SQL_REFRESH_REPLICATION_CREDENTIALS', sql.refreshCredentials),
      env('REPLICATION_COORDINATES', sql.coordinates),
      env('REPLICATION_USER', credentials.replicationUser),
      ...replicationPassword,
      ...emptyOptIn,
    ],
    ports: [{ name: 'backup', containerPort: BACKUP_PORT, protocol: 'TCP' }],
    volumeMounts: [datadirMount, scriptsMount, authMount],
    resources: sidecarResources,
    securityContext: CONTAINER_SECURITY,
  };

  // hostPath directories are created root-owned (0755) and kubelet applies no fsGroup
  // to them: a root init container with CAP_CHOWN only hands the volume to the server's
  // user before anything else runs.
  const volumeOwnership: k8s.Container = {
    name: CONTAINERS.volumeOwnership,
    image: engine.serverImage,
    command: bashScript('volume-ownership.sh'),
    env: [
      env('DATA_ROOT', PATHS.dataVolumeRoot),
      env('DATADIR_NAME', DATADIR_NAME),
      env('OWNER', `${MYSQL_UID}:${MYSQL_UID}`),
    ],
    volumeMounts: [scriptsMount, { name: options.dataVolumeName, mountPath: PATHS.dataVolumeRoot }],
    resources: toKubeResources(INIT_CONFIG_RESOURCES),
    securityContext: {
      runAsNonRoot: false,
      runAsUser: 0,
      runAsGroup: 0,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: false,
      capabilities: { drop: ['ALL'], add: ['CHOWN'] },
    },
  };

  return {
    initContainers: [
      ...(options.volumePermissions === VolumePermissions.ROOT_INIT_CONTAINER ? [volumeOwnership] : []),
      initConfig,
      cloneData,
    ],
    containers: [server, sidecar],
    volumes: [
      { name: VOLUMES.config, configMap: { name: options.configMapName } },
      { name: VOLUMES.scripts, configMap: { name: options.scriptsConfigMapName, defaultMode: 0o555 } },
      { name: VOLUMES.confD, emptyDir: {} },
      { name: VOLUMES.auth, emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
    ],
    securityContext: {
      runAsNonRoot: true,
      runAsUser: MYSQL_UID,
      runAsGroup: MYSQL_UID,
      fsGroup: MYSQL_UID,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    },
    automountServiceAccountToken: false,
    terminationGracePeriodSeconds: 60,
  };
}
