import { runSync, trySync, alive, killPid } from './host';

/**
 * The pod network: a dedicated "cluster" network namespace holding a bridge, and one
 * network namespace per pod attached to it by a veth pair created directly between the
 * two namespaces. Addresses come from a small private subnet that exists only inside
 * these namespaces: there is no address on the bridge, no route out, and nothing is
 * ever created in the host's root network namespace.
 */

/** Prefix of every network namespace the harness creates (followed by the owner's pid). */
export const NETNS_PREFIX = 'e2emysql-';

export function netnsPids(netns: string): number[] {
  try {
    return runSync(['ip', 'netns', 'pids', netns]).split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** SIGKILLs every process inside a network namespace until none is left (bounded). */
export function killNetnsProcesses(netns: string): void {
  for (let round = 0; round < 50; round++) {
    const pids = netnsPids(netns);
    if (pids.length === 0) return;
    pids.forEach(pid => killPid(pid, 'SIGKILL'));
    runSync(['sleep', '0.1']);
  }
  throw new Error(`processes in network namespace ${netns} survived SIGKILL: ${netnsPids(netns).join(' ')}`);
}

/** Deletes namespaces left behind by earlier runs whose harness process is gone. */
export function removeStaleNamespaces(): string[] {
  const removed: string[] = [];
  const names = runSync(['ip', 'netns', 'list']).split('\n').map(l => l.split(' ')[0]).filter(n => n.startsWith(NETNS_PREFIX));
  for (const name of names) {
    const owner = Number(name.slice(NETNS_PREFIX.length).split('-')[0]);
    if (Number.isInteger(owner) && owner > 0 && !alive(owner)) {
      killNetnsProcesses(name);
      trySync(['ip', 'netns', 'del', name]);
      removed.push(name);
    }
  }
  return removed;
}

export class ClusterNetwork {
  /** The namespace holding the bridge. */
  public readonly clusterNetns: string;
  private nextHost = 10;
  private nextLink = 0;
  private readonly podNamespaces = new Set<string>();

  /**
   * @param prefix unique per harness run, e.g. `e2emysql-<pid>`
   * @param subnet first three octets of a /24, e.g. `10.213.7`
   */
  constructor(private readonly prefix: string, private readonly subnet: string) {
    this.clusterNetns = `${prefix}-cluster`;
  }

  public create(): void {
    runSync(['ip', 'netns', 'add', this.clusterNetns]);
    runSync(['ip', '-n', this.clusterNetns, 'link', 'set', 'lo', 'up']);
    runSync(['ip', '-n', this.clusterNetns, 'link', 'add', 'br0', 'type', 'bridge']);
    runSync(['ip', '-n', this.clusterNetns, 'link', 'set', 'br0', 'up']);
  }

  /** Creates a pod network namespace with eth0 on the bridge and a fresh address. */
  public addPod(podName: string): { netns: string; ip: string } {
    if (this.nextHost > 250) throw new Error('the e2e pod subnet is exhausted');
    const ip = `${this.subnet}.${this.nextHost++}`;
    const netns = `${this.prefix}-${podName}-${this.nextLink}`;
    const link = `v${this.nextLink++}`;
    runSync(['ip', 'netns', 'add', netns]);
    this.podNamespaces.add(netns);
    runSync(['ip', '-n', netns, 'link', 'set', 'lo', 'up']);
    runSync(['ip', '-n', this.clusterNetns, 'link', 'add', link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
    runSync(['ip', '-n', this.clusterNetns, 'link', 'set', link, 'master', 'br0', 'up']);
    runSync(['ip', '-n', netns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    runSync(['ip', '-n', netns, 'link', 'set', 'eth0', 'up']);
    return { netns, ip };
  }

  /** Kills whatever still runs in a pod namespace and deletes it (its veth goes with it). */
  public removePod(netns: string): void {
    killNetnsProcesses(netns);
    trySync(['ip', 'netns', 'del', netns]);
    this.podNamespaces.delete(netns);
  }

  public destroy(): void {
    for (const netns of [...this.podNamespaces]) {
      this.removePod(netns);
    }
    killNetnsProcesses(this.clusterNetns);
    trySync(['ip', 'netns', 'del', this.clusterNetns]);
  }
}
