import { Size } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from '../internal/k8s';
import {
  createNoProvisionerStorageClass, createPerOrdinalVolumes, planPerOrdinalVolumes, ReclaimPolicy, staticReclaimPolicy,
} from './per-ordinal-volumes';
import { PerPodClaims, VolumeAccessMode } from '../statefulset/per-pod-claims';
import { requireArray, requireBoolean, requireDnsSubdomain, requireHost, requireNonEmpty } from '../internal/validate';

/** Where and how {@link NfsPersistentVolumes} are made, whatever claims they serve. */
export interface NfsVolumeOptions {
  /** NFS server host name or IP address. */
  readonly server: string;

  /** Absolute export directory under which each ordinal gets its own directory. */
  readonly basePath: string;

  /**
   * Directory of each volume below `basePath`. `{ordinal}`, `{claim}` and
   * `{statefulset}` are replaced; the pattern must contain `{ordinal}` or `{claim}`
   * so that no two volumes share a directory.
   * @default '{claim}'
   */
  readonly pathPattern?: string;

  /**
   * Number of volumes to create, ordinals 0 … count-1; more than the replicas leaves
   * room to scale up. Fewer than the replicas is an error.
   * @default - the claims' replica count
   */
  readonly count?: number;

  /**
   * Capacity of each volume.
   * @default - the claims' requested size
   */
  readonly capacity?: Size;

  /**
   * Access modes of each volume.
   * @default - the claims' access modes
   */
  readonly accessModes?: VolumeAccessMode[];

  /**
   * What happens to the data when a claim is deleted. Only `ReclaimPolicy.RETAIN`:
   * Kubernetes cannot delete a static NFS volume (it would go `Failed`).
   * @default ReclaimPolicy.RETAIN
   */
  readonly reclaimPolicy?: ReclaimPolicy;

  /**
   * NFS mount options, e.g. `['nfsvers=4.1', 'hard']`.
   * @default - none (the node's defaults)
   */
  readonly mountOptions?: string[];

  /**
   * Create the StorageClass named by the claims (no provisioner,
   * `WaitForFirstConsumer`). Turn off when it exists already, in the cluster or
   * in this app (two StorageClasses of one name in an app fail validation).
   * @default - true, unless the claims ask for no class (`storageClassName: ''`)
   */
  readonly createStorageClass?: boolean;
}

/** Props of {@link NfsPersistentVolumes}. */
export interface NfsPersistentVolumesProps extends NfsVolumeOptions {
  /**
   * The claims to pre-bind: one claim template of any StatefulSet. Their
   * `storageClassName` must be set; the volumes use the same class.
   */
  readonly claims: PerPodClaims;
}

/**
 * Static NFS PersistentVolumes for a StatefulSet's claims: one export directory per
 * ordinal, each volume pre-bound through `claimRef` to the claim the StatefulSet
 * creates for that ordinal, so volumes never bind to the wrong pod. Also creates the
 * matching no-provisioner StorageClass. Works for any StatefulSet.
 */
export class NfsPersistentVolumes extends Construct {
  /** The StorageClass, when created here. */
  public readonly storageClass?: k8s.KubeStorageClass;
  /** The volumes, ordinal 0 first. */
  public readonly volumes: k8s.KubePersistentVolume[];
  /** The export directory of each volume, ordinal 0 first. */
  public readonly paths: string[];

  constructor(scope: Construct, id: string, props: NfsPersistentVolumesProps) {
    super(scope, id);
    const plan = planPerOrdinalVolumes('NFS', props);
    const claims = props.claims;
    if (claims.storageClassName === undefined) {
      throw new Error(`NfsPersistentVolumes needs claims with a storageClassName (got none for "${claims.claimName(0)}"); create the claims with one, e.g. "nfs-${claims.statefulSetName}", so they wait for these volumes instead of the cluster's default StorageClass`);
    }
    // '' is Kubernetes' "no class": the volumes carry none either, and there is no StorageClass to create.
    const storageClassName = claims.storageClassName === '' ? '' : requireDnsSubdomain('storageClassName', claims.storageClassName);
    const server = requireHost('NFS server', props.server);
    const mountOptions = props.mountOptions === undefined ? undefined
      : requireArray('NFS mountOptions', props.mountOptions).map((option, index) => requireNonEmpty(`NFS mountOptions[${index}]`, option));
    const reclaimPolicy = staticReclaimPolicy('NFS', props.reclaimPolicy);
    const createStorageClass = requireBoolean('NFS createStorageClass', props.createStorageClass ?? storageClassName !== '');
    if (createStorageClass && storageClassName === '') {
      throw new Error('NFS createStorageClass must be false when the claims ask for no class (storageClassName \'\'): a StorageClass needs a name (got true)');
    }

    this.paths = plan.volumes.map(v => v.path);
    if (createStorageClass) {
      this.storageClass = createNoProvisionerStorageClass(this, storageClassName, reclaimPolicy);
    }
    this.volumes = createPerOrdinalVolumes(this, plan, claims, {
      kind: 'nfs',
      host: server,
      reclaimPolicy,
      storageClassName,
      sourceFields: v => ({ mountOptions, nfs: { server, path: v.path } }),
    });
  }
}
