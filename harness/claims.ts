import { existsSync, mkdirSync, readdirSync, rmSync } from 'fs';
import { join } from 'path';
import { ClaimSpec } from './manifest';

/**
 * PersistentVolumeClaims that pods name in a `persistentVolumeClaim` volume (not the
 * per-pod claims of a StatefulSet's volumeClaimTemplates): one host directory per
 * claim, `<root>/<namespace>/<claim>`, that outlives the pods and the cluster that
 * mount it, so that a second cluster (a restore) can mount what a first one wrote.
 *
 * A claim exists when a manifest holds its PersistentVolumeClaim object ({@link apply}:
 * dynamic provisioning gives it an empty volume the first time) or when the test
 * provides it ({@link provide}: a claim the user made before deploying, as
 * `BackupDestination.existingClaim` expects). A pod naming any other claim cannot start
 * ({@link dir} throws; Kubernetes would leave the pod Pending).
 *
 * Access modes are not enforced: every pod of the harness runs on one node, where
 * ReadWriteOnce and ReadWriteMany behave alike.
 */
export class PersistentClaims {
  private readonly claims = new Map<string, { spec?: ClaimSpec; provided: boolean }>();

  constructor(public readonly root: string) {
    mkdirSync(root, { recursive: true });
  }

  private key(namespace: string, name: string): string {
    return `${namespace}/${name}`;
  }

  /** Binds the PersistentVolumeClaim objects of a manifest set (kubectl apply): existing claims keep their data. */
  public apply(claims: readonly ClaimSpec[]): void {
    for (const claim of claims) {
      const key = this.key(claim.namespace, claim.name);
      const known = this.claims.get(key);
      this.claims.set(key, { spec: claim, provided: known?.provided ?? false });
      mkdirSync(this.hostDir(claim.namespace, claim.name), { recursive: true, mode: 0o755 });
    }
  }

  /** A claim the test creates before the cluster (the user's own PVC); returns its directory. */
  public provide(name: string, namespace = 'default'): string {
    this.claims.set(this.key(namespace, name), { provided: true });
    const dir = this.hostDir(namespace, name);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    return dir;
  }

  public has(name: string, namespace = 'default'): boolean {
    return this.claims.has(this.key(namespace, name));
  }

  /** Host directory of an existing claim; throws for a claim that does not exist. */
  public dir(name: string, namespace = 'default'): string {
    if (!this.has(name, namespace)) {
      throw new Error(`PersistentVolumeClaim ${namespace}/${name} does not exist (neither in the manifests nor provided by the test): a pod naming it would stay Pending`);
    }
    return this.hostDir(namespace, name);
  }

  private hostDir(namespace: string, name: string): string {
    return join(this.root, namespace, name);
  }

  /** Deletes a claim and its data (kubectl delete pvc, reclaim policy Delete). */
  public delete(name: string, namespace = 'default'): void {
    this.claims.delete(this.key(namespace, name));
    rmSync(this.hostDir(namespace, name), { recursive: true, force: true });
  }

  /** Every claim, as `namespace/name`. */
  public list(): string[] {
    return [...this.claims.keys()].sort();
  }

  /** Deletes every claim (the end of a test run). */
  public deleteAll(): void {
    for (const entry of existsSync(this.root) ? readdirSync(this.root) : []) rmSync(join(this.root, entry), { recursive: true, force: true });
    this.claims.clear();
  }
}
