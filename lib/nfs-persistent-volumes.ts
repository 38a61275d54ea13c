import { Size } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from './k8s';
import { PerPodClaims, VolumeAccessMode } from './per-pod-claims';
import {
  requireAbsolutePath, requireDistinct, requireDnsSubdomain, requireInteger, requireNonEmpty, requirePositiveSize,
} from './validate';

/** What happens to a volume's data when its claim is deleted. */
export enum ReclaimPolicy {
  /** Keep the data; an administrator reclaims the volume by hand. */
  RETAIN = 'Retain',
  /** Delete the volume (and, for NFS, leave the export directory as it is). */
  DELETE = 'Delete',
}

/** Props of {@link NfsPersistentVolumes}. */
export interface NfsPersistentVolumesProps {
  /** The claims to pre-bind, e.g. `cluster.dataClaims`. Their StorageClass must be set. */
  readonly claims: PerPodClaims;

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
   * What happens to the data when a claim is deleted.
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
   * `WaitForFirstConsumer`). Turn off when it exists already.
   * @default true
   */
  readonly createStorageClass?: boolean;
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
    const claims = props.claims;
    if (claims.storageClassName === undefined) {
      throw new Error(`NfsPersistentVolumes needs claims with a storageClassName (got none for "${claims.claimName(0)}"); set storage.storageClassName, e.g. "nfs-${claims.statefulSetName}"`);
    }
    const storageClassName = requireDnsSubdomain('storageClassName', claims.storageClassName);
    const server = requireNonEmpty('NFS server', props.server);
    const basePath = requireAbsolutePath('NFS basePath', props.basePath).replace(/\/+$/, '') || '/';
    const pattern = props.pathPattern ?? '{claim}';
    if (!pattern.includes('{ordinal}') && !pattern.includes('{claim}')) {
      throw new Error(`NFS pathPattern must contain {ordinal} or {claim}, or every volume would share one directory (got "${pattern}")`);
    }
    const count = requireInteger('NFS volume count', props.count ?? claims.replicas, 1);
    if (count < claims.replicas) {
      throw new Error(`NFS volume count must be at least the number of replicas (${claims.replicas}) so every pod's claim can bind (got ${count})`);
    }
    const capacity = props.capacity ?? claims.size;
    const capacityBytes = requirePositiveSize('NFS capacity', capacity);
    const requestedBytes = requirePositiveSize('claim size', claims.size);
    if (capacityBytes < requestedBytes) {
      throw new Error(`NFS capacity must be at least the claims' requested size ${claims.size.asString()} (got ${capacity.asString()})`);
    }
    const accessModes = [...(props.accessModes ?? claims.accessModes)];
    const missing = claims.accessModes.filter(mode => !accessModes.includes(mode));
    if (missing.length > 0) {
      throw new Error(`NFS accessModes must include every access mode the claims request (missing ${missing.join(', ')}; got [${accessModes.join(', ')}])`);
    }
    const mountOptions = props.mountOptions?.map((option, index) => requireNonEmpty(`NFS mountOptions[${index}]`, option));

    this.paths = Array.from({ length: count }, (_, ordinal) => {
      const relative = pattern
        .replace(/\{ordinal\}/g, String(ordinal))
        .replace(/\{claim\}/g, claims.claimName(ordinal))
        .replace(/\{statefulset\}/g, claims.statefulSetName);
      return requireAbsolutePath(`NFS path of ordinal ${ordinal}`, `${basePath === '/' ? '' : basePath}/${relative}`);
    });
    requireDistinct('NFS export paths', this.paths);

    if (props.createStorageClass ?? true) {
      this.storageClass = new k8s.KubeStorageClass(this, 'StorageClass', {
        metadata: { name: storageClassName },
        provisioner: 'kubernetes.io/no-provisioner',
        volumeBindingMode: 'WaitForFirstConsumer',
        reclaimPolicy: props.reclaimPolicy ?? ReclaimPolicy.RETAIN,
      });
    }

    this.volumes = this.paths.map((path, ordinal) => new k8s.KubePersistentVolume(this, `Volume${ordinal}`, {
      metadata: {
        name: `${claims.claimName(ordinal)}-nfs`,
        labels: { 'app.kubernetes.io/instance': claims.statefulSetName, 'statefulset.kubernetes.io/ordinal': String(ordinal) },
      },
      spec: {
        capacity: { storage: k8s.Quantity.fromString(capacity.asString()) },
        accessModes: [...accessModes],
        persistentVolumeReclaimPolicy: props.reclaimPolicy ?? ReclaimPolicy.RETAIN,
        storageClassName,
        mountOptions,
        nfs: { server, path },
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: claims.namespace, name: claims.claimName(ordinal) },
      },
    }));
  }
}
