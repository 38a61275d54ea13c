import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { NfsPersistentVolumes, NfsVolumeOptions } from '../storage/nfs-persistent-volumes';
import { StatefulMySQL } from './stateful-mysql';
import { StatefulMySQLProps } from './stateful-mysql-props';
import { namespaceOf } from '../internal/cluster-dns';
import { optionalPlainObject, requirePlainObject } from '../internal/validate';

/** Props of {@link ReplicatedMySqlChart}. */
export interface ReplicatedMySqlChartProps extends ChartProps {
  /**
   * The cluster.
   * @default - three members of MySQL 8.4, named after the chart id
   */
  readonly cluster?: StatefulMySQLProps;

  /**
   * Static NFS volumes for the members. When set and the cluster names no
   * StorageClass, the claims and the volumes share the class `<namespace>-<name>-nfs`.
   * @default - no volumes: claims use the cluster's default StorageClass
   */
  readonly nfs?: NfsVolumeOptions;
}

/**
 * The common case in one line: a {@link StatefulMySQL} cluster and, optionally, static
 * NFS volumes pre-bound to its claims, in one chart.
 */
export class ReplicatedMySqlChart extends Chart {
  /** The cluster. */
  public readonly cluster: StatefulMySQL;
  /** The NFS volumes, when requested. */
  public readonly volumes?: NfsPersistentVolumes;

  constructor(scope: Construct, id: string, props: ReplicatedMySqlChartProps = {}) {
    super(scope, id, requirePlainObject('ReplicatedMySqlChart props', props));
    const clusterProps = optionalPlainObject('cluster', props.cluster) ?? {};
    const nfs = optionalPlainObject('nfs', props.nfs);
    const name = clusterProps.name ?? id;
    // StorageClasses are cluster-wide: the namespace keeps two charts' classes apart.
    const namespace = namespaceOf(this, clusterProps.namespace);
    const storage = optionalPlainObject('cluster.storage', clusterProps.storage);
    const storageClassName = storage?.storageClassName ?? (nfs ? `${namespace}-${name}-nfs` : undefined);
    this.cluster = new StatefulMySQL(this, 'Cluster', {
      ...clusterProps,
      name,
      storage: { ...storage, storageClassName },
    });
    if (nfs) {
      this.volumes = new NfsPersistentVolumes(this, 'Volumes', { ...nfs, claims: this.cluster.dataClaims });
    }
  }
}
