import { Size } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from '../internal/k8s';
import {
  createNoProvisionerStorageClass, createPerOrdinalVolumes, planPerOrdinalVolumes, ReclaimPolicy, staticReclaimPolicy,
} from './per-ordinal-volumes';
import { PerPodClaims, VolumeAccessMode } from '../statefulset/per-pod-claims';
import { requireBoolean, requireDnsSubdomain } from '../internal/validate';

/** The node label that holds a node's name, used for the volumes' node affinity. */
const NODE_HOSTNAME_LABEL = 'kubernetes.io/hostname';

/** Props of {@link HostPathPersistentVolumes}. */
export interface HostPathPersistentVolumesProps {
  /**
   * The claims to pre-bind: one claim template of any StatefulSet. Their
   * `storageClassName` must equal {@link storageClassName}.
   */
  readonly claims: PerPodClaims;

  /** Absolute directory on the node under which each ordinal gets its own directory. */
  readonly basePath: string;

  /**
   * Directory of each volume below `basePath`. `{ordinal}`, `{claim}` and
   * `{statefulset}` are replaced; the pattern must contain `{ordinal}` or `{claim}`
   * so that no two volumes share a directory.
   * @default '{claim}'
   */
  readonly pathPattern?: string;

  /**
   * Name of the node that holds the directories. The volumes get a node affinity to
   * it, so the scheduler runs every pod there and a rescheduled pod finds its data.
   * Without it a pod may start on another node and find an empty directory; that is
   * only safe on a single-node cluster (kind, minikube, Docker Desktop).
   * @default - no node affinity
   */
  readonly node?: string;

  /**
   * StorageClass of the volumes. It must equal the claims' `storageClassName`,
   * otherwise the claims never bind to these volumes; `''` (no class) creates no
   * StorageClass.
   * @default - the claims' `storageClassName`
   */
  readonly storageClassName?: string;

  /**
   * Create the StorageClass (no provisioner, `WaitForFirstConsumer`). Turn off when it
   * exists already, in the cluster or in this app (two StorageClasses of one name in
   * an app fail validation).
   * @default - true, unless the claims ask for no class (`storageClassName: ''`)
   */
  readonly createStorageClass?: boolean;

  /**
   * Number of volumes to create, ordinals 0 … count-1; more than the replicas leaves
   * room to scale up. Fewer than the replicas is an error.
   * @default - the claims' replica count
   */
  readonly count?: number;

  /**
   * Capacity of each volume. A hostPath volume does not enforce it; it only has to
   * satisfy the claims' request.
   * @default - the claims' requested size
   */
  readonly capacity?: Size;

  /**
   * Access modes of each volume.
   * @default - the claims' access modes
   */
  readonly accessModes?: VolumeAccessMode[];

  /**
   * What happens to the volume when its claim is deleted. Only `ReclaimPolicy.RETAIN`:
   * Kubernetes cannot delete a static hostPath volume (it would go `Failed`); the
   * directory stays on the node.
   * @default ReclaimPolicy.RETAIN
   */
  readonly reclaimPolicy?: ReclaimPolicy;
}

/**
 * Local-development storage for a StatefulSet's claims: one hostPath directory per
 * ordinal (`type: DirectoryOrCreate`, so the kubelet creates it), each volume pre-bound
 * through `claimRef` to the claim the StatefulSet creates for that ordinal, and the
 * matching `manual` no-provisioner StorageClass. Works for any StatefulSet.
 *
 * hostPath data lives on one node: set `node` on a multi-node cluster.
 */
export class HostPathPersistentVolumes extends Construct {
  /** The node label the volumes' node affinity matches: it holds each node's name. */
  public static readonly NODE_HOSTNAME_LABEL = NODE_HOSTNAME_LABEL;

  /** StorageClass name used when none is given: the name the Kubernetes docs use for hand-made volumes. */
  public static readonly DEFAULT_STORAGE_CLASS_NAME = 'manual';

  /** The StorageClass, when created here. */
  public readonly storageClass?: k8s.KubeStorageClass;
  /** Name of the StorageClass the volumes and claims share. */
  public readonly storageClassName: string;
  /** The volumes, ordinal 0 first. */
  public readonly volumes: k8s.KubePersistentVolume[];
  /** The directory of each volume on the node, ordinal 0 first. */
  public readonly paths: string[];
  /** The node holding the directories, if pinned. */
  public readonly nodeName?: string;
  /** The claims the volumes are pre-bound to. */
  public readonly claims: PerPodClaims;

  constructor(scope: Construct, id: string, props: HostPathPersistentVolumesProps) {
    super(scope, id);
    const plan = planPerOrdinalVolumes('hostPath', props);
    const claims = props.claims;
    this.claims = claims;
    if (claims.storageClassName === undefined) {
      throw new Error(`HostPathPersistentVolumes needs claims with a storageClassName (got none for "${claims.claimName(0)}"); create the claims with storageClassName "${props.storageClassName ?? HostPathPersistentVolumes.DEFAULT_STORAGE_CLASS_NAME}" so they wait for these volumes instead of the cluster's default StorageClass`);
    }
    const storageClassName = props.storageClassName ?? claims.storageClassName;
    if (storageClassName !== claims.storageClassName) {
      throw new Error(`hostPath storageClassName must equal the claims' storageClassName "${claims.storageClassName}", or the claims never bind to these volumes (got ${JSON.stringify(storageClassName)})`);
    }
    // '' is Kubernetes' "no class": the volumes carry none either, and there is no StorageClass to create.
    this.storageClassName = storageClassName === '' ? '' : requireDnsSubdomain('hostPath storageClassName', storageClassName);
    this.nodeName = props.node === undefined ? undefined : requireDnsSubdomain('hostPath node', props.node);
    const reclaimPolicy = staticReclaimPolicy('hostPath', props.reclaimPolicy);
    const createStorageClass = requireBoolean('hostPath createStorageClass', props.createStorageClass ?? this.storageClassName !== '');
    if (createStorageClass && this.storageClassName === '') {
      throw new Error('hostPath createStorageClass must be false when the claims ask for no class (storageClassName \'\'): a StorageClass needs a name (got true)');
    }

    this.paths = plan.volumes.map(v => v.path);
    if (createStorageClass) {
      this.storageClass = createNoProvisionerStorageClass(this, this.storageClassName, reclaimPolicy);
    }
    const nodeAffinity: k8s.VolumeNodeAffinity | undefined = this.nodeName === undefined ? undefined : {
      required: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: NODE_HOSTNAME_LABEL, operator: 'In', values: [this.nodeName] }] }],
      },
    };
    this.volumes = createPerOrdinalVolumes(this, plan, claims, {
      kind: 'hostPath',
      host: this.nodeName,
      reclaimPolicy,
      storageClassName: this.storageClassName,
      sourceFields: v => ({ hostPath: { path: v.path, type: 'DirectoryOrCreate' }, nodeAffinity }),
    });
  }
}
