import { Duration } from 'cdk8s';
import { MySqlCredentials, SecretKeyReference } from '../credentials';
import { EngineFamily, MySqlEngine } from '../engine/engine';
import { imageCommands } from '../engine/image-inventory';
import * as k8s from '../../internal/k8s';
import { ReplicaTopology } from '../replica-topology';
import { ReplicationMode, replicationStatements } from '../engine/replication-sql';
import { CloneOptions, MySqlResources, ProbeOptions, RestoreOptions, VolumePermissions } from '../stateful-mysql-props';
import { maxReadLagSeconds, probeTimings } from './probes';
import { ImageSource } from '../../internal/image-source';
import { MARIADB_BACKUP_LOG_COPY_INTERVAL_MS, ResolvedCloneOptions, resolveCloneOptions } from './clone-options';
import { BACKUP_PORT, MYSQL_PORT } from './ports';
import { ResolvedTls, TLS_CA_FILE, TLS_DIR } from '../tls/tls';
import { EXPORTER_CONFIG_DIR, EXPORTER_CONFIG_FILE, exporterContainer, ResolvedMetrics } from '../metrics/exporter';
import { DEFAULT_SERVER_RESOURCES, DEFAULT_SIDECAR_RESOURCES, INIT_CONFIG_RESOURCES, toKubeResources } from './resources';

/**
 * The pod template of a {@link StatefulMySQL}: its volumes, its init containers
 * (volume-ownership for hostPath volumes, init-config, clone-data), the server and the
 * replication sidecar. Every path, port and environment variable the
 * shipped scripts read is decided here, in one place.
 */

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
  authFilePrevious: '/run/mysql-auth/client-previous.cnf',
  datadir: '/var/lib/mysql',
  dataVolumeRoot: '/var/lib/mysql-volume',
  backups: '/backups',
  restore: '/restore',
} as const;

/** The data directory's sub-directory on the volume (the classic `subPath: mysql`). */
const DATADIR_NAME = 'mysql';

/** Volume names in the pod template. */
export const VOLUMES = {
  config: 'config',
  scripts: 'scripts',
  confD: 'conf',
  auth: 'auth',
  exporterAuth: 'exporter-auth',
  tls: 'tls',
  backups: 'backups',
  restore: 'restore',
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
  /** Start ordinal 0 from a backup on this claim, instead of an empty server. */
  readonly restore?: RestoreOptions;
  /** Timings of the server's probes. */
  readonly probes?: ProbeOptions;
  /** How far a replica may lag and stay Ready. */
  readonly maxReadLag?: Duration;
  /** Root may log in from other pods (`root@%`). */
  readonly remoteRoot: boolean;
  /** The metrics exporter sidecar, when asked for. */
  readonly metrics?: ResolvedMetrics;
  /** TLS, when asked for. */
  readonly tls?: ResolvedTls;
  /** Where the images are pulled from. */
  readonly images: ImageSource;
}

/** The securityContext of every container but the optional root init container. */
export const CONTAINER_SECURITY: k8s.SecurityContext = {
  runAsNonRoot: true,
  runAsUser: MYSQL_UID,
  runAsGroup: MYSQL_UID,
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: false,
  capabilities: { drop: ['ALL'] },
};

/** The pod's securityContext: the server's user, its group for the volumes, RuntimeDefault seccomp. */
export const POD_SECURITY: k8s.PodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: MYSQL_UID,
  runAsGroup: MYSQL_UID,
  fsGroup: MYSQL_UID,
  fsGroupChangePolicy: 'OnRootMismatch',
  seccompProfile: { type: 'RuntimeDefault' },
};

/** A plain environment variable. */
export function env(name: string, value: string | number): k8s.EnvVar {
  return { name, value: String(value) };
}

function secretEnv(name: string, ref: SecretKeyReference, optional = false): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key, ...optional ? { optional } : {} } } };
}

/**
 * Where root may log in from: the pod only (`root@localhost` through the socket,
 * `root@127.0.0.1` over TCP, which the scripts and probes use), or, with the opt-in,
 * anywhere (`root@%`).
 */
export function rootHost(remoteRoot: boolean): string {
  return remoteRoot ? '%' : '127.0.0.1';
}

/** The command that runs one of the shipped scripts. */
export function bashScript(script: string): string[] {
  return ['bash', `${PATHS.scripts}/${script}`];
}

/** Who is who, decided by the topology: the scripts compare their hostname to it. */
export function identityEnv(topology: ReplicaTopology): k8s.EnvVar[] {
  return [
    env('STATEFULSET_NAME', topology.name),
    env('PEER_DOMAIN', topology.memberDomain),
    env('PRIMARY_POD', topology.primary.podName),
    env('PRIMARY_HOST', topology.primary.host),
  ];
}

/**
 * The replication password (which also authenticates the clone channel), with the
 * engine's limit on it that the scripts check, and the explicit empty-password opt-in.
 */
export function replicationPasswordEnv(engine: MySqlEngine, credentials: MySqlCredentials): k8s.EnvVar[] {
  return [
    ...credentials.replicationPassword ? [secretEnv('REPLICATION_PASSWORD', credentials.replicationPassword)] : [],
    env('REPLICATION_PASSWORD_MAX_BYTES', engine.replicationPasswordMaxBytes),
    ...credentials.emptyPasswords ? [env('ALLOW_EMPTY_ROOT_PASSWORD', 'yes')] : [],
  ];
}

/** What both ends of the clone channel must agree on: the source's sidecar and its receivers. */
export function cloneChannelEnv(engine: MySqlEngine, clone: ResolvedCloneOptions): k8s.EnvVar[] {
  return [
    env('BACKUP_PORT', BACKUP_PORT),
    env('BACKUP_TOOL', engine.tools.backup),
    env('STREAM_TOOL', engine.tools.stream),
    env('CLONE_PARALLEL', clone.parallelThreads),
    env('CLONE_COMPRESSION', clone.compression),
  ];
}

/**
 * The compression of backup files, which the backup image writes and a restore unpacks:
 * the best tool the image ships (zstd, else gzip), none for an image the inventory does
 * not know.
 */
export function backupFileCompression(backupImage: string): 'zstd' | 'gzip' | 'none' {
  const shipped = imageCommands(backupImage) ?? [];
  return shipped.includes('zstd') ? 'zstd' : shipped.includes('gzip') ? 'gzip' : 'none';
}

/** The flavor a backup was taken from, which a restore must match: `mariadb-10.11`, `mysql-8.4`. */
export function backupEngineId(engine: MySqlEngine): string {
  return `${engine.family === EngineFamily.MARIADB ? 'mariadb' : 'mysql'}-${engine.version}`;
}

/** Builds the pod spec of the cluster's StatefulSet. */
export function mysqlPodSpec(options: MySqlPodOptions): k8s.PodSpec {
  const { topology, engine, credentials, restore } = options;
  const probes = probeTimings(options.probes);
  const images = options.images;
  const identity = identityEnv(topology);
  const client = [
    env('MYSQL_CLIENT', engine.tools.client),
    env('MYSQL_PORT', MYSQL_PORT),
    env('AUTH_FILE', PATHS.authFile),
    env('AUTH_FILE_PREVIOUS', PATHS.authFilePrevious),
  ];
  // The engine's replication SQL; the scripts know no dialect.
  const tls = options.tls;
  const sql = replicationStatements(engine.dialect, options.replicationMode, tls ? TLS_CA_FILE : undefined);
  // With TLS the scripts' own connections over 127.0.0.1 use it too (require_secure_transport refuses them otherwise).
  const clientTls = tls ? [env('CLIENT_TLS_OPTIONS', engine.localClientTlsOptions.join(' '))] : [];
  const tlsMount: k8s.VolumeMount[] = tls ? [{ name: VOLUMES.tls, mountPath: TLS_DIR, readOnly: true }] : [];
  const showStatus = [env('SQL_SHOW_REPLICA_STATUS', sql.showStatus)];
  const emptyOptIn = credentials.emptyPasswords ? [env('ALLOW_EMPTY_ROOT_PASSWORD', 'yes')] : [];
  const rootPassword = credentials.rootPassword ? [secretEnv('ROOT_PASSWORD', credentials.rootPassword)] : [];
  const previousRootPassword = credentials.previousRootPassword ? [secretEnv('ROOT_PASSWORD_PREVIOUS', credentials.previousRootPassword, true)] : [];
  const metrics = options.metrics;
  if (metrics && !credentials.exporterPassword) {
    throw new Error('metrics needs the exporter\'s password from the credentials Secret, and the cluster uses MySqlCredentials.insecureEmptyPasswordsForLocalExperimentsOnly(): give the cluster credentials from a Secret (got empty passwords)');
  }
  const exporterAccount = metrics ? [
    env('EXPORTER_USER', credentials.exporterUser),
    secretEnv('EXPORTER_PASSWORD', credentials.exporterPassword!),
  ] : [];
  const replicationPassword = replicationPasswordEnv(engine, credentials);
  const entrypointPassword = credentials.rootPassword
    ? [secretEnv(engine.rootPasswordEnv, credentials.rootPassword)]
    : [env(engine.allowEmptyPasswordEnv, '1')];

  const scriptsMount: k8s.VolumeMount = { name: VOLUMES.scripts, mountPath: PATHS.scripts, readOnly: true };
  const authMount: k8s.VolumeMount = { name: VOLUMES.auth, mountPath: PATHS.authDir };
  const datadirMount: k8s.VolumeMount = { name: options.dataVolumeName, mountPath: PATHS.datadir, subPath: DATADIR_NAME };
  const sidecarResourceSpec = options.resources.sidecar ?? DEFAULT_SIDECAR_RESOURCES;
  const sidecarResources = toKubeResources('resources.sidecar', sidecarResourceSpec);
  const clone = resolveCloneOptions(options.clone, sidecarResourceSpec, engine.backupImage);
  const cloneChannel = cloneChannelEnv(engine, clone);

  const initConfig: k8s.Container = {
    name: CONTAINERS.initConfig,
    image: images.image(engine.serverImage),
    command: bashScript('init-config.sh'),
    env: [
      ...identity,
      env('SERVER_ID_OFFSET', topology.serverIdOffset),
      env('CONFIG_SOURCE_DIR', PATHS.configSource),
      env('CONF_DIR', PATHS.confDInit),
      env('AUTH_FILE', PATHS.authFile),
      env('AUTH_FILE_PREVIOUS', PATHS.authFilePrevious),
      env('ENTRYPOINT_ESCAPES_SECRETS', engine.entrypointEscapesRootPassword ? 'yes' : 'no'),
      ...rootPassword,
      ...previousRootPassword,
      ...emptyOptIn,
      ...clientTls,
      ...metrics ? [...exporterAccount, env('EXPORTER_CONFIG_FILE', EXPORTER_CONFIG_FILE), env('MYSQL_PORT', MYSQL_PORT)] : [],
    ],
    volumeMounts: [
      scriptsMount,
      { name: VOLUMES.config, mountPath: PATHS.configSource, readOnly: true },
      { name: VOLUMES.confD, mountPath: PATHS.confDInit },
      authMount,
      ...metrics ? [{ name: VOLUMES.exporterAuth, mountPath: EXPORTER_CONFIG_DIR }] : [],
    ],
    resources: toKubeResources('init container resources', INIT_CONFIG_RESOURCES),
    securityContext: CONTAINER_SECURITY,
  };

  const cloneData: k8s.Container = {
    name: CONTAINERS.cloneData,
    image: images.image(engine.backupImage),
    command: bashScript('clone-data.sh'),
    env: [
      ...identity,
      env('DATA_ROOT', PATHS.dataVolumeRoot),
      env('DATADIR_NAME', DATADIR_NAME),
      ...cloneChannel,
      env('PREPARE_MEMORY', clone.prepareMemory),
      // The clone channel is authenticated with the replication password.
      ...replicationPassword,
      // What the backup image can unpack; 'none' without a restore, which then runs no decompressor.
      env('BACKUP_FILE_COMPRESSION', restore ? backupFileCompression(engine.backupImage) : 'none'),
      ...restore ? [
        env('RESTORE_DIR', PATHS.restore),
        env('RESTORE_FILE', restore.file ?? ''),
        env('RESTORE_CLUSTER', restore.cluster ?? ''),
        env('BACKUP_ENGINE', backupEngineId(engine)),
      ] : [],
    ],
    volumeMounts: [
      scriptsMount,
      { name: options.dataVolumeName, mountPath: PATHS.dataVolumeRoot },
      ...restore ? [{ name: VOLUMES.restore, mountPath: PATHS.restore, readOnly: true }] : [],
    ],
    resources: sidecarResources,
    securityContext: CONTAINER_SECURITY,
  };

  const server: k8s.Container = {
    name: CONTAINERS.server,
    image: images.image(engine.serverImage),
    env: [
      ...entrypointPassword,
      // Read by the entrypoint when it initialises an empty data directory.
      env(engine.rootHostEnv, rootHost(options.remoteRoot)),
      ...identity,
      ...client,
      ...showStatus,
      env('MAX_READ_LAG_SECONDS', maxReadLagSeconds(options.maxReadLag)),
    ],
    ports: [{ name: 'mysql', containerPort: MYSQL_PORT, protocol: 'TCP' }],
    volumeMounts: [
      datadirMount,
      { name: VOLUMES.confD, mountPath: PATHS.confD },
      scriptsMount,
      authMount,
      ...tlsMount,
    ],
    resources: toKubeResources('resources.server', options.resources.server ?? DEFAULT_SERVER_RESOURCES),
    // Crash recovery of a large data directory can take minutes: the startup probe
    // gives it 10 minutes by default before liveness applies (probes.ts).
    startupProbe: { exec: { command: [engine.tools.admin, `--defaults-extra-file=${PATHS.authFile}`, 'ping'] }, ...probes.startup },
    livenessProbe: { exec: { command: [engine.tools.admin, `--defaults-extra-file=${PATHS.authFile}`, 'ping'] }, ...probes.liveness },
    readinessProbe: { exec: { command: bashScript('probe-ready.sh') }, ...probes.readiness },
    securityContext: CONTAINER_SECURITY,
  };

  const sidecar: k8s.Container = {
    name: CONTAINERS.sidecar,
    image: images.image(engine.backupImage),
    command: bashScript('replication-sidecar.sh'),
    env: [
      ...identity,
      ...client,
      env('DATADIR', PATHS.datadir),
      ...cloneChannel,
      env('CLONE_SOURCE_MAX_LAG_SECONDS', clone.maxSourceLagSeconds),
      ...(engine.family === EngineFamily.MARIADB ? [env('BACKUP_LOG_COPY_INTERVAL_MS', MARIADB_BACKUP_LOG_COPY_INTERVAL_MS)] : []),
      ...showStatus,
      env('SQL_START_REPLICA', sql.start),
      env('SQL_CONFIGURE_REPLICATION', sql.configure),
      env('SQL_REFRESH_REPLICATION_CREDENTIALS', sql.refreshCredentials),
      env('REPLICATION_COORDINATES', sql.coordinates),
      env('REPLICATION_USER', credentials.replicationUser),
      ...replicationPassword,
      // The primary makes root's accounts match the Secret and the remote-root choice.
      ...rootPassword,
      env('REMOTE_ROOT', options.remoteRoot ? 'yes' : 'no'),
      // The primary keeps the exporter's account at the Secret's password.
      ...metrics ? [...exporterAccount, env('EXPORTER_PRIVILEGES', engine.exporterPrivileges)] : [],
      // With TLS: the replication account must use it, the scripts use it, and a renewed
      // certificate is loaded by the running server.
      ...tls ? [
        ...clientTls,
        env('REPLICATION_REQUIRE_SSL', 'yes'),
        env('TLS_CERT_FILE', `${TLS_DIR}/tls.crt`),
        ...engine.reloadTlsStatement ? [env('SQL_RELOAD_TLS', engine.reloadTlsStatement)] : [],
      ] : [],
      ...restore ? [env('SQL_CONTINUE_FROM_BACKUP', sql.continueFromBackup)] : [],
    ],
    ports: [{ name: 'backup', containerPort: BACKUP_PORT, protocol: 'TCP' }],
    volumeMounts: [datadirMount, scriptsMount, authMount, ...tlsMount],
    resources: sidecarResources,
    securityContext: CONTAINER_SECURITY,
  };

  // hostPath directories are created root-owned (0755) and kubelet applies no fsGroup
  // to them: a root init container with CAP_CHOWN only hands the volume to the server's
  // user before anything else runs.
  const volumeOwnership: k8s.Container = {
    name: CONTAINERS.volumeOwnership,
    image: images.image(engine.serverImage),
    command: bashScript('volume-ownership.sh'),
    env: [
      env('DATA_ROOT', PATHS.dataVolumeRoot),
      env('DATADIR_NAME', DATADIR_NAME),
      env('OWNER', `${MYSQL_UID}:${MYSQL_UID}`),
    ],
    volumeMounts: [scriptsMount, { name: options.dataVolumeName, mountPath: PATHS.dataVolumeRoot }],
    resources: toKubeResources('init container resources', INIT_CONFIG_RESOURCES),
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
    containers: [server, sidecar, ...metrics ? [exporterContainer(metrics, images, CONTAINER_SECURITY, VOLUMES.exporterAuth)] : []],
    volumes: [
      { name: VOLUMES.config, configMap: { name: options.configMapName } },
      { name: VOLUMES.scripts, configMap: { name: options.scriptsConfigMapName, defaultMode: 0o555 } },
      { name: VOLUMES.confD, emptyDir: {} },
      { name: VOLUMES.auth, emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
      ...metrics ? [{ name: VOLUMES.exporterAuth, emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } }] : [],
      // Readable by the members' group (fsGroup 999), not by others.
      ...tls ? [{ name: VOLUMES.tls, secret: { secretName: tls.secretName, defaultMode: 0o440 } }] : [],
      ...restore ? [{ name: VOLUMES.restore, persistentVolumeClaim: { claimName: restore.claimName, readOnly: true } }] : [],
    ],
    securityContext: POD_SECURITY,
    imagePullSecrets: images.imagePullSecrets,
    automountServiceAccountToken: false,
    terminationGracePeriodSeconds: 60,
  };
}
