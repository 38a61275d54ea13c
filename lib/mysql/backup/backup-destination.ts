import { Size } from 'cdk8s';
import { VolumeAccessMode } from '../../statefulset/per-pod-claims';
import { requireDistinct, requireDnsSubdomain, requireEnumArray, requirePlainObject, requirePositiveSize } from '../../internal/validate';

/** A claim the construct creates for the backups. */
export interface BackupClaimOptions {
  /** Requested size: room for `retention` backups, plus one being written, plus its unpacked copy while it is made. */
  readonly size: Size;
  /**
   * StorageClass of the claim; an NFS class (e.g. an {@link NfsSubdirProvisioner}'s) lets
   * a restoring cluster mount it on every node.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
  /**
   * Access modes of the claim. A cluster restoring from it mounts it into every member,
   * so it must be mountable on several nodes at once (ReadWriteMany or ReadOnlyMany)
   * unless all members run on one node.
   * @default [VolumeAccessMode.READ_WRITE_MANY]
   */
  readonly accessModes?: VolumeAccessMode[];
}

/** Where the backup files go: a PersistentVolumeClaim. */
export class BackupDestination {
  /** A claim that exists already (created by you, or by another chart). */
  public static existingClaim(claimName: string): BackupDestination {
    return new BackupDestination(requireDnsSubdomain('backup destination claimName', claimName), undefined);
  }

  /** A claim the cluster creates, named `<cluster>-backups`. */
  public static newClaim(options: BackupClaimOptions): BackupDestination {
    requirePlainObject('backup destination claim options', options);
    requirePositiveSize('backup claim size', options.size);
    if (options.storageClassName !== undefined && options.storageClassName !== '') {
      requireDnsSubdomain('backup claim storageClassName', options.storageClassName);
    }
    const accessModes = requireEnumArray('backup claim accessModes', options.accessModes ?? [VolumeAccessMode.READ_WRITE_MANY], VolumeAccessMode);
    if (accessModes.length === 0) {
      throw new Error('backup claim accessModes must name at least one access mode (got [])');
    }
    requireDistinct('backup claim accessModes', accessModes);
    return new BackupDestination(undefined, { ...options, accessModes });
  }

  private constructor(
    /** @internal */ public readonly _claimName: string | undefined,
    /** @internal */ public readonly _newClaim: BackupClaimOptions | undefined,
  ) {}
}
