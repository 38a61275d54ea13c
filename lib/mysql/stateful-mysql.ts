import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { asset, checksum } from '../internal/assets';
import { bindClientEnv, ClientAccount, clientEnv, ClientEnvVar, ConnectOptions, MySqlEndpoints } from './client-binding';
import { MySqlCredentials } from './credentials';
import { MySqlEngine } from './engine/engine';
import { HeadlessService } from '../statefulset/headless-service';
import * as k8s from '../internal/k8s';
import { ClientSelector, MemberNetworkPolicy } from './network-access';
import { HostPathPersistentVolumes } from '../storage/host-path-persistent-volumes';
import { staticVolumeOwnersFor } from '../storage/per-ordinal-volumes';
import { CONTAINERS, MYSQL_UID, mysqlPodSpec } from './pod/mysql-pod';
import { BACKUP_PORT, MYSQL_PORT } from './pod/ports';
import { withoutEmptyExternalIps } from '../internal/service-output';
import { ImageSource } from '../internal/image-source';
import { ReplicationMode } from './engine/replication-sql';
import { serverConfigFragments } from './pod/server-config';
import { linkClaimsWorkload } from '../statefulset/claim-links';
import { PerPodClaims } from '../statefulset/per-pod-claims';
import { ReplicaTopology } from './replica-topology';
import { schedulingSpec } from './scheduling';
import { ClaimRetention, StatefulMySQLProps, VolumePermissions } from './stateful-mysql-props';
import { serviceDomain } from '../internal/cluster-dns';
import { optionalPlainObject, requireBoolean, requireEnum, requireInstance, requirePlainObject } from '../internal/validate';
import { requireUniqueObjectsInApp } from '../internal/unique-objects';
import { resolveResources } from './pod/resources';
import { resolveCloneOptions } from './pod/clone-options';
import { checkedRestoreOptions } from './backup/restore';
import { ScheduledBackups } from './backup/scheduled-backups';
import { addPodMonitor, METRICS_PORT, resolveMetrics } from './metrics/exporter';
import { ApplicationDatabases, DatabaseOptions } from './accounts/application-databases';
import { addCertificate, certificateDnsNames, resolveTls, ResolvedTls } from './tls/tls';

/** The shipped scripts, mounted into every container from one ConfigMap. */
export const SCRIPT_FILES = [
  'common.sh',
  'init-config.sh',
  'clone-data.sh',
  'receive-backup.sh',
  'replication-sidecar.sh',
  'stream-backup.sh',
  'probe-ready.sh',
  'volume-ownership.sh',
  'backup-job.sh',
] as const;

/**
 * A replicated MySQL (or MariaDB) cluster: ordinal 0 is the primary, every other
 * ordinal a read replica that clones its data from the previous one and replicates
 * from the primary.
 *
 * Synthesizes a StatefulSet, its headless Service, a read Service over all Ready
 * members, a primary Service over ordinal 0 only, ConfigMaps with the per-role server
 * configuration and the scripts, a PodDisruptionBudget and a NetworkPolicy.
 *
 * Escape hatches, for what the props do not cover: `ApiObject.of(cluster)` is the
 * StatefulSet (the child `Resource`), and `ApiObject.of(cluster.node.findChild(id))`
 * the other objects, by id: `Config`, `Scripts`, `DisruptionBudget`, `NetworkPolicy`
 * (the Services are public properties), `PodMonitor` with `metrics.podMonitor`, and
 * `Certificate` with `tls.certificate`. Add JSON patches to them with `addJsonPatch`.
 */
export class StatefulMySQL extends Construct {
  /** The port clients connect to. */
  public static readonly MYSQL_PORT = MYSQL_PORT;
  /** The port on which members serve backups to the next member (the clone channel). */
  public static readonly BACKUP_PORT = BACKUP_PORT;

  /** The model: names, roles, server ids, DNS names. */
  public readonly topology: ReplicaTopology;
  /** The engine flavor. */
  public readonly engine: MySqlEngine;
  /** The credentials the cluster uses. */
  public readonly credentials: MySqlCredentials;
  /** The governing headless Service (`<name>`). */
  public readonly headlessService: HeadlessService;
  /** ClusterIP Service over every Ready member, for reads (`<name>-read`). */
  public readonly readService: kplus.Service;
  /** ClusterIP Service over ordinal 0 only, for writes (`<name>-primary`). */
  public readonly primaryService: kplus.Service;
  /** The per-member volume claims, for pre-binding PersistentVolumes. */
  public readonly dataClaims: PerPodClaims;
  /** Labels every pod carries and every Service selects on. */
  public readonly selectorLabels: Record<string, string>;
  /** Name of the claim the scheduled backups go to, when `backup` is set: a `restore` of another cluster can name it. */
  public readonly backupClaimName?: string;
  private readonly networkPolicy?: MemberNetworkPolicy;
  private readonly databases: ApplicationDatabases;
  private readonly tls?: ResolvedTls;

  constructor(scope: Construct, id: string, props: StatefulMySQLProps = {}) {
    super(scope, id);
    requirePlainObject('StatefulMySQL props', props);
    requireUniqueObjectsInApp(this);
    this.topology = new ReplicaTopology(this, 'Topology', {
      name: props.name ?? id,
      replicas: props.replicas,
      namespace: props.namespace,
      clusterDomain: props.clusterDomain,
      serverIdOffset: props.serverIdOffset,
    });
    const name = this.topology.name;
    const namespace = this.topology.namespace;
    this.engine = requireInstance('engine', props.engine ?? MySqlEngine.mysql84(), MySqlEngine, 'a MySqlEngine such as MySqlEngine.mysql84()');
    this.credentials = requireInstance('credentials', props.credentials ?? MySqlCredentials.fromSecretName(`${name}-credentials`),
      MySqlCredentials, 'a MySqlCredentials such as MySqlCredentials.fromSecretName(\'mysql-credentials\')');
    const storage = optionalPlainObject('storage', props.storage);
    this.dataClaims = new PerPodClaims({
      statefulSet: { name },
      namespace,
      replicas: this.topology.replicas,
      templateName: 'data',
      size: storage?.size,
      storageClassName: storage?.storageClassName,
      accessModes: storage?.accessModes,
    });
    const volumePermissions = requireEnum('storage.volumePermissions', storage?.volumePermissions ?? VolumePermissions.FS_GROUP, VolumePermissions);
    const claimRetention = optionalPlainObject('claimRetention', props.claimRetention);
    const whenDeleted = requireEnum('claimRetention.whenDeleted', claimRetention?.whenDeleted ?? ClaimRetention.RETAIN, ClaimRetention);
    const whenScaled = requireEnum('claimRetention.whenScaled', claimRetention?.whenScaled ?? ClaimRetention.RETAIN, ClaimRetention);
    if (whenDeleted === ClaimRetention.DELETE || whenScaled === ClaimRetention.DELETE) {
      this.node.addValidation({ validate: () => this.staticVolumeRetentionProblems() });
    }
    const replicationMode = requireEnum('replicationMode', props.replicationMode ?? ReplicationMode.GTID, ReplicationMode);
    const disruptionBudget = requireBoolean('disruptionBudget', props.disruptionBudget ?? true);
    const networkAccess = optionalPlainObject('networkAccess', props.networkAccess);
    const networkPolicy = requireBoolean('networkAccess.enabled', networkAccess?.enabled ?? true);
    if (volumePermissions !== VolumePermissions.ROOT_INIT_CONTAINER) {
      this.node.addValidation({ validate: () => this.hostPathProblems() });
    }

    this.selectorLabels = { 'app.kubernetes.io/name': 'mysql', 'app.kubernetes.io/instance': name };
    const labels = { ...this.selectorLabels, 'app.kubernetes.io/component': 'database' };

    const resources = resolveResources(props.resources);
    const clone = optionalPlainObject('clone', props.clone) ?? {};
    const restore = checkedRestoreOptions(props.restore);
    const images = ImageSource.of('images', props.images);
    this.tls = resolveTls(props.tls, name);
    const metrics = resolveMetrics(props.metrics, networkPolicy, this.tls?.requireSecureTransport ?? false);
    const configData = serverConfigFragments(this.engine, props, resources.server.memoryLimit!, this.tls);
    const configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${name}-config`, namespace, labels },
      data: configData,
    });
    const scriptData = Object.fromEntries(SCRIPT_FILES.map(file => [file, asset(`mysql/scripts/${file}`)]));
    const scriptsConfigMap = new k8s.KubeConfigMap(this, 'Scripts', {
      metadata: { name: `${name}-scripts`, namespace, labels },
      data: scriptData,
    });

    this.headlessService = new HeadlessService(this, 'Headless', {
      name,
      namespace,
      clusterDomain: this.topology.clusterDomain,
      selector: this.selectorLabels,
      labels,
      ports: [{ name: 'mysql', port: MYSQL_PORT, targetPort: MYSQL_PORT }],
    });
    this.readService = this.clientService('ReadService', `${name}-read`, namespace, labels, this.selectorLabels);
    this.primaryService = this.clientService('PrimaryService', `${name}-primary`, namespace, labels, {
      ...this.selectorLabels,
      'statefulset.kubernetes.io/pod-name': this.topology.primary.podName,
    });

    const podSpec = {
      ...mysqlPodSpec({
        topology: this.topology,
        engine: this.engine,
        credentials: this.credentials,
        replicationMode,
        configMapName: configMap.name,
        scriptsConfigMapName: scriptsConfigMap.name,
        dataVolumeName: this.dataClaims.templateName,
        resources,
        clone,
        restore,
        probes: props.probes,
        maxReadLag: props.maxReadLag,
        remoteRoot: requireBoolean('remoteRoot', props.remoteRoot ?? false),
        metrics,
        tls: this.tls,
        images,
        volumePermissions,
      }),
      ...schedulingSpec(optionalPlainObject('scheduling', props.scheduling) ?? {}, this.selectorLabels),
    };
    // addDatabase() hands each database to the primary's sidecar through its environment.
    this.databases = new ApplicationDatabases(this.credentials, podSpec.containers.find(c => c.name === CONTAINERS.sidecar)!.env!);
    const statefulSet = new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name, namespace, labels },
      spec: {
        serviceName: this.headlessService.name,
        replicas: this.topology.replicas,
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate' },
        selector: { matchLabels: this.selectorLabels },
        template: {
          metadata: {
            labels,
            annotations: {
              // Changing the configuration or the scripts rolls the pods.
              'checksum/config': checksum({ ...configData, ...scriptData }),
              'kubectl.kubernetes.io/default-container': CONTAINERS.server,
            },
          },
          spec: podSpec,
        },
        volumeClaimTemplates: [this.dataClaims.toVolumeClaimTemplate()],
        persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled },
      },
    });
    linkClaimsWorkload(this.dataClaims, statefulSet);

    const backupPodLabels = { 'app.kubernetes.io/name': 'mysql-backup', 'app.kubernetes.io/instance': name, 'app.kubernetes.io/component': 'backup' };
    if (props.backup !== undefined) {
      const backups = new ScheduledBackups(this, 'Backups', {
        options: props.backup,
        topology: this.topology,
        engine: this.engine,
        credentials: this.credentials,
        clone: resolveCloneOptions(clone, resources.sidecar, this.engine.backupImage),
        scriptsConfigMapName: scriptsConfigMap.name,
        podLabels: backupPodLabels,
        images,
        labels: { ...this.selectorLabels, 'app.kubernetes.io/component': 'backup' },
      });
      this.backupClaimName = backups.claimName;
    }

    if (disruptionBudget) {
      new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: { name, namespace, labels },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: this.selectorLabels } },
      });
    }
    if (networkPolicy) {
      this.networkPolicy = new MemberNetworkPolicy(this, 'NetworkPolicy', {
        name,
        namespace,
        memberLabels: this.selectorLabels,
        databasePort: MYSQL_PORT,
        backupPort: BACKUP_PORT,
        backupPods: this.backupClaimName !== undefined ? backupPodLabels : undefined,
        clients: networkAccess?.clients ?? [{}],
        metrics: metrics?.scrapers ? { port: METRICS_PORT, scrapers: metrics.scrapers } : undefined,
      });
    }
    if (this.tls?.certificate) {
      addCertificate(this, 'Certificate', this.tls, { name, namespace, labels },
        certificateDnsNames(this.topology, [name, this.readService.name, this.primaryService.name]));
    }
    if (metrics?.podMonitor) {
      addPodMonitor(this, 'PodMonitor', { name, namespace, memberLabels: this.selectorLabels }, metrics.podMonitor);
    }
  }

  /**
   * Declares an application database and its owner: the primary's sidecar creates the
   * database if it does not exist, creates the owner `'<user>'@'%'` or sets its password
   * to the Secret's (at every start of the primary, so a changed Secret and a rollout
   * rotate it), and grants it `privileges` on that database only. Replicas get all of it
   * through replication. Returns the owner as a client account for {@link connect}.
   * Removing a database from the code drops nothing.
   */
  public addDatabase(name: string, options: DatabaseOptions): ClientAccount {
    return this.databases.add(name, options);
  }

  /** Where applications find the cluster. */
  public get endpoints(): MySqlEndpoints {
    return {
      primaryHost: this.primaryHost,
      readHost: this.readHost,
      port: this.port,
      tlsCa: this.tls ? { name: this.tls.secretName, key: 'ca.crt' } : undefined,
    };
  }

  /**
   * Lets pods matching `client` connect to the database port through the
   * NetworkPolicy. Throws when the NetworkPolicy is disabled.
   */
  public allowClients(client: ClientSelector): void {
    if (!this.networkPolicy) {
      throw new Error(`allowClients needs the NetworkPolicy, but networkAccess.enabled is false for "${this.name}"`);
    }
    this.networkPolicy.allow(client);
  }

  /**
   * Gives a container of an application's workload (a cdk8s-plus Deployment,
   * StatefulSet, Job … of any cdk8s-plus version) what it needs to use the cluster:
   * `MYSQL_HOST` (writes), `MYSQL_READ_HOST` (reads), `MYSQL_PORT`, and `MYSQL_USER` /
   * `MYSQL_PASSWORD` from the application's own account Secret.
   */
  public connect(workload: IConstruct, account: ClientAccount, options: ConnectOptions = {}): void {
    bindClientEnv(workload, this.endpoints, account, options);
  }

  /** The same environment as {@link connect}, as plain env entries for any other pod spec (an L1 one, say). */
  public clientEnv(account: ClientAccount): ClientEnvVar[] {
    return clientEnv(this.endpoints, account);
  }

  /** Name of the StatefulSet (and of the headless Service). */
  public get name(): string {
    return this.topology.name;
  }

  /** DNS name of the primary Service: send writes here. */
  public get primaryHost(): string {
    return this.serviceHost(this.primaryService);
  }

  /** DNS name of the read Service: reads balanced over every Ready member. */
  public get readHost(): string {
    return this.serviceHost(this.readService);
  }

  /** Port clients connect to. */
  public get port(): number {
    return MYSQL_PORT;
  }

  /** Port on which members serve backups to the next member. */
  public get backupPort(): number {
    return BACKUP_PORT;
  }

  /** Stable DNS name of one member, e.g. `mysql-1.mysql.default.svc.cluster.local`. */
  public hostFor(ordinal: number): string {
    return this.topology.hostFor(ordinal);
  }

  /**
   * hostPath directories are created root-owned with mode 0755 and kubelet applies no
   * fsGroup to them: the server (uid 999) could not write its data directory.
   */
  private hostPathProblems(): string[] {
    return staticVolumeOwnersFor(this, this.dataClaims)
      .filter(volumes => volumes instanceof HostPathPersistentVolumes)
      .map(volumes => `StatefulMySQL "${this.name}" keeps its data on HostPathPersistentVolumes "${volumes.node.path}", `
        + `whose directories kubelet creates owned by root with mode 0755, which the server (uid ${MYSQL_UID}) cannot write; `
        + 'set storage: { volumePermissions: VolumePermissions.ROOT_INIT_CONTAINER } (one init container then runs as root with CAP_CHOWN only; '
        + 'the namespace must allow the Pod Security "baseline" profile)');
  }

  /**
   * Claims deleted by the StatefulSet (claimRetention DELETE) leave static, pre-bound
   * volumes `Released` with the deleted claim's uid in their `claimRef`: the claim the
   * controller creates again never binds, and the member stays Pending for good.
   */
  private staticVolumeRetentionProblems(): string[] {
    return staticVolumeOwnersFor(this, this.dataClaims)
      .map(volumes => `StatefulMySQL "${this.name}" deletes its claims (claimRetention DELETE), but its data is on the pre-bound static volumes of "${volumes.node.path}": `
        + 'a released static volume keeps the deleted claim\'s uid and never binds the claim created again, so the member would stay Pending; '
        + 'keep claimRetention at ClaimRetention.RETAIN, or use dynamically provisioned storage (NfsSubdirProvisioner, a CSI StorageClass)');
  }

  private serviceHost(service: kplus.Service): string {
    return serviceDomain(service.name, this.topology.namespace, this.topology.clusterDomain);
  }

  private clientService(id: string, name: string, namespace: string, labels: Record<string, string>, selector: Record<string, string>): kplus.Service {
    const service = new kplus.Service(this, id, {
      metadata: { name, namespace, labels },
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: 'mysql', port: MYSQL_PORT, targetPort: MYSQL_PORT }],
    });
    for (const [key, value] of Object.entries(selector)) {
      service.selectLabel(key, value);
    }
    return withoutEmptyExternalIps(service);
  }
}
