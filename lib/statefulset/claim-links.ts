import { IConstruct } from 'constructs';
import { PerPodClaims } from './per-pod-claims';

/**
 * Which workloads mount a set of per-pod claims and which constructs hold their volumes,
 * so that `kubectl apply` meets the storage before the pods (not public API).
 */

/** The workloads whose pods mount the claims, and the constructs holding their volumes. */
interface ClaimLinks {
  readonly workloads: IConstruct[];
  readonly storage: IConstruct[];
}

const LINKS = new WeakMap<PerPodClaims, ClaimLinks>();

function linksOf(claims: PerPodClaims): ClaimLinks {
  let links = LINKS.get(claims);
  if (!links) {
    links = { workloads: [], storage: [] };
    LINKS.set(claims, links);
  }
  return links;
}

/**
 * Records that `workload` (its StatefulSet object) mounts the claims: it is written after
 * every storage construct linked to the same claims, whichever is created first, so a
 * single `kubectl apply` creates the StorageClass and the volumes before the pods that
 * need them.
 */
export function linkClaimsWorkload(claims: PerPodClaims, workload: IConstruct): void {
  const links = linksOf(claims);
  links.workloads.push(workload);
  links.storage.forEach(storage => workload.node.addDependency(storage));
}

/** Records that `storage` (PersistentVolumes, a StorageClass) serves the claims; see {@link linkClaimsWorkload}. */
export function linkClaimsStorage(claims: PerPodClaims, storage: IConstruct): void {
  const links = linksOf(claims);
  links.storage.push(storage);
  links.workloads.forEach(workload => workload.node.addDependency(storage));
}
