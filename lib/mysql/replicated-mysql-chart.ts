import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { NfsPersistentVolumes, NfsVolumeOptions } from '../storage/nfs-persistent-volumes';
import { StatefulMySQL } from './stateful-mysql';
import { StatefulMySQLProps } from './stateful-mysql-props';

/** Props of {@link ReplicatedMySqlChart}. */
export interface ReplicatedMySqlChartProps extends ChartProps {
  /**
   * The cluster.
   * @default - three members of MySQL 8.4, named after the chart id
   */
  readonly cluster?: StatefulMySQLProps;

  /**
   * Static NFS volumes for the members. When set and the cluster names no
   * StorageClass, the claims and the volumes share the class `<name>-nfs`.
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
    super(scope, id, props);
    const clusterProps = props.cluster ?? {};
    const name = clusterProps.name ?? id;
    const storageClassName = clusterProps.storage?.storageClassName ?? (props.nfs ? `${name}-nfs` : undefined);
    this.cluster = new StatefulMySQL(this, 'Cluster', {
      ...clusterProps,
      name,
      storage: { ...clusterProps.storage, storageClassName },
    });
    if (props.nfs) {
      this.volumes = new NfsPersistentVolumes(this, 'Volumes', { ...props.nfs, claims: this.cluster.dataClaims });
    }
  }
}
