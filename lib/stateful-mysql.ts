import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { asset, checksum } from './assets';
import { MySqlCredentials } from './credentials';
import { MySqlEngine } from './engine';
import { HeadlessService } from './headless-service';
import * as k8s from './k8s';
import { ServerSettings } from './my-cnf';
import { BACKUP_PORT, CONTAINERS, MYSQL_PORT, MySqlResources, mysqlPodSpec, ReplicationMode } from './mysql-pod';
import { PerPodClaims, VolumeAccessMode } from './per-pod-claims';
import { ReplicaTopology } from './replica-topology';
import { MAX_STATEFUL_SET_NAME_LENGTH, requireDnsLabel } from './validate';

/** The shipped scripts, mounted into every container from one ConfigMap. */
export const SCRIPT_FILES = [
  'common.sh',
  'init-config.sh',
  'clone-data.sh',
  'replication-sidecar.sh',
  'stream-backup.sh',
  'probe-ready.sh',
] as const;

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
}

/**
 * A replicated MySQL (or MariaDB) cluster: ordinal 0 is the primary, every other
 * ordinal a read replica that clones its data from the previous one and replicates
 * from the primary.
 *
 * Synthesizes a StatefulSet (`Resource`), its headless Service, a read Service over
 * all Ready members, a primary Service over ordinal 0 only, and ConfigMaps with the
 * per-role server configuration and the scripts.
 */
export class StatefulMySQL extends Construct {
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
  /** ConfigMap with the my.cnf fragments. */
  public readonly configMap: k8s.KubeConfigMap;
  /** ConfigMap with the scripts. */
  public readonly scriptsConfigMap: k8s.KubeConfigMap;
  /** The StatefulSet (L1 object; the construct's default child). */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** The per-member volume claims, for pre-binding PersistentVolumes. */
  public readonly dataClaims: PerPodClaims;
  /** Labels every pod carries and every Service selects on. */
  public readonly selectorLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: StatefulMySQLProps = {}) {
    super(scope, id);
    const name = requireDnsLabel('StatefulMySQL name', props.name ?? id, MAX_STATEFUL_SET_NAME_LENGTH);
    this.engine = props.engine ?? MySqlEngine.mysql84();
    this.credentials = props.credentials ?? MySqlCredentials.fromSecretName(`${name}-credentials`);
    this.topology = new ReplicaTopology(this, 'Topology', {
      statefulSetName: name,
      headlessServiceName: name,
      namespace: props.namespace,
      clusterDomain: props.clusterDomain,
      replicas: props.replicas,
      serverIdOffset: props.serverIdOffset,
      commonSettings: props.commonSettings,
      primarySettings: props.primarySettings,
      replicaSettings: props.replicaSettings,
    });
    const namespace = this.topology.namespace;
    this.dataClaims = new PerPodClaims({
      statefulSet: { name },
      namespace,
      replicas: this.topology.replicas,
      templateName: 'data',
      size: props.storage?.size,
      storageClassName: props.storage?.storageClassName,
      accessModes: props.storage?.accessModes,
    });
    requireDnsLabel('read Service name', `${name}-read`);
    requireDnsLabel('primary Service name', `${name}-primary`);

    this.selectorLabels = { 'app.kubernetes.io/name': 'mysql', 'app.kubernetes.io/instance': name };
    const labels = { ...this.selectorLabels, 'app.kubernetes.io/component': 'database' };

    const configData = this.topology.configFragments(this.engine);
    this.configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${name}-config`, namespace, labels },
      data: configData,
    });
    const scriptData = Object.fromEntries(SCRIPT_FILES.map(file => [file, asset(`scripts/${file}`)]));
    this.scriptsConfigMap = new k8s.KubeConfigMap(this, 'Scripts', {
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
      'statefulset.kubernetes.io/pod-name': this.topology.member(0).podName,
    });

    this.statefulSet = new k8s.KubeStatefulSet(this, 'Resource', {
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
          spec: mysqlPodSpec({
            topology: this.topology,
            engine: this.engine,
            credentials: this.credentials,
            replicationMode: props.replicationMode ?? ReplicationMode.GTID,
            configMapName: this.configMap.name,
            scriptsConfigMapName: this.scriptsConfigMap.name,
            dataVolumeName: this.dataClaims.templateName,
            resources: props.resources ?? {},
          }),
        },
        volumeClaimTemplates: [this.dataClaims.toVolumeClaimTemplate()],
      },
    });
  }

  /** Name of the StatefulSet (and of the headless Service). */
  public get name(): string {
    return this.topology.statefulSetName;
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

  private serviceHost(service: kplus.Service): string {
    return `${service.name}.${this.topology.namespace}.svc.${this.topology.clusterDomain}`;
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
    return service;
  }
}
