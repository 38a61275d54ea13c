import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'fs';
import { join } from 'path';
import { alive, waitFor } from './host';
import { prepareImages } from './image';
import { ImageModel } from './image-model';
import { StatefulSetSpec } from './manifest';
import { ClusterNetwork, NETNS_PREFIX, removeStaleNamespaces } from './network';
import { DeletionReport, Pod } from './kubelet';
import { ClusterDirs, PodSandbox } from './sandbox';

/**
 * A minimal StatefulSet controller plus kubelet for one StatefulSet: pods named
 * `<set>-<ordinal>`, created in order with OrderedReady (pod k+1 only once pod k is
 * Ready), each with its own claim directory `<template>-<set>-<ordinal>` that outlives
 * the pod, and a DNS model: the headless Service publishes every pod's name (or only
 * Ready ones without publishNotReadyAddresses) through the pods' /etc/hosts.
 */
export interface ClusterOptions {
  /** Root of the run's files (under .e2e-work/). */
  readonly workDir: string;
  /** First three octets of the pods' private /24. */
  readonly subnet: string;
  /** The cluster's DNS domain. @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** Tells this cluster's namespaces from another's of the same test process. */
  readonly tag: string;
  /**
   * The claims are bound to hostPath PersistentVolumes (`HostPathPersistentVolumes`):
   * kubelet creates their directories root-owned, mode 0755, and applies no fsGroup.
   * @default false
   */
  readonly hostPathClaims?: boolean;
}

export class StatefulSetCluster {
  public readonly pods = new Map<number, Pod>();
  public readonly dirs: ClusterDirs;
  public readonly clusterDomain: string;
  /** Per-ordinal Secret contents, when a test wants a pod to see other values. */
  public readonly secretOverrides = new Map<number, Map<string, Record<string, string>>>();
  /** Per-ordinal environment overrides, container name to variables (benchmark variants). */
  public readonly envOverrides = new Map<number, Record<string, Record<string, string>>>();
  private readonly network: ClusterNetwork;
  private readonly images: ReadonlyMap<string, ImageModel>;
  private incarnations = 0;
  private readonly hostPathClaims: boolean;

  constructor(public readonly sts: StatefulSetSpec, options: ClusterOptions) {
    this.hostPathClaims = options.hostPathClaims ?? false;
    this.clusterDomain = options.clusterDomain ?? 'cluster.local';
    this.dirs = { pods: join(options.workDir, 'pods'), claims: join(options.workDir, 'claims'), logs: join(options.workDir, 'logs') };
    Object.values(this.dirs).forEach(dir => mkdirSync(dir, { recursive: true }));
    this.images = prepareImages(new Set([...sts.initContainers, ...sts.containers].map(c => c.image)), options.workDir);
    removeStaleNamespaces();
    this.network = new ClusterNetwork(`${NETNS_PREFIX}${process.pid}-${options.tag}`, options.subnet);
    this.network.create();
    // Last resort should the test process end without teardown (a crash, Ctrl-C).
    process.once('exit', () => this.network.destroy());
  }

  public podName(ordinal: number): string {
    return `${this.sts.name}-${ordinal}`;
  }

  public pod(ordinal: number): Pod {
    const pod = this.pods.get(ordinal);
    if (!pod) throw new Error(`pod ${this.podName(ordinal)} does not exist`);
    return pod;
  }

  /** Host directory of a pod's claim of the given template (default: the only one). */
  public claimDir(ordinal: number, template?: string): string {
    const templates = [...this.sts.volumes.values()].filter(v => v.kind === 'claim').map(v => (v as { template: string }).template);
    const name = template ?? templates[0];
    return join(this.dirs.claims, `${name}-${this.podName(ordinal)}`);
  }

  private hostsFor(sandbox: PodSandbox): string {
    const lines = [
      '# Kubernetes-managed hosts file (modelled by the e2e harness).',
      '127.0.0.1\tlocalhost',
      '::1\tlocalhost ip6-localhost ip6-loopback',
      `${sandbox.ip}\t${sandbox.fqdn(this.clusterDomain)}\t${sandbox.podName}`,
      '# DNS records of the headless Service.',
    ];
    for (const pod of this.pods.values()) {
      if (pod.sandbox === sandbox || !(this.sts.publishNotReadyAddresses || pod.ready)) continue;
      lines.push(`${pod.sandbox.ip}\t${pod.sandbox.fqdn(this.clusterDomain)}`);
    }
    return `${lines.join('\n')}\n`;
  }

  private refreshHosts(): void {
    for (const pod of this.pods.values()) pod.sandbox.updateHosts(this.hostsFor(pod.sandbox));
  }

  /** Creates pod `ordinal` (a new incarnation: new namespaces, address and emptyDirs; same claim). */
  public async createPod(ordinal: number): Promise<Pod> {
    if (this.pods.has(ordinal)) throw new Error(`pod ${this.podName(ordinal)} exists`);
    const name = this.podName(ordinal);
    const sandbox = new PodSandbox(name, this.sts, this.network, this.images, this.dirs, this.incarnations++, this.hostPathClaims);
    const secrets = new Map(this.sts.secrets);
    for (const [secret, data] of this.secretOverrides.get(ordinal) ?? []) secrets.set(secret, data);
    const configMaps = new Map(this.sts.objects.filter(o => o.kind === 'ConfigMap').map(o => [o.metadata.name, o.data ?? {}]));
    const pod = new Pod(name, ordinal, sandbox, this.sts, this.images, {
      podName: name, namespace: this.sts.namespace, podIP: sandbox.ip, secrets, configMaps,
    }, this.dirs.logs, () => this.refreshHosts());
    for (const [container, vars] of Object.entries(this.envOverrides.get(ordinal) ?? {})) pod.overrideEnv(container, vars);
    this.pods.set(ordinal, pod);
    await sandbox.create(this.hostsFor(sandbox));
    this.refreshHosts();
    pod.start();
    return pod;
  }

  /** Waits until a pod is Ready; fails early if the pod gave up. */
  public async waitReady(ordinal: number, timeoutMs: number): Promise<void> {
    const pod = this.pod(ordinal);
    await waitFor(`${pod.name} to become Ready`, timeoutMs, () => {
      if (pod.failed) throw new Error(`${pod.name} failed: ${pod.failed}`);
      return pod.ready;
    }, 200);
  }

  /** Scales up with OrderedReady: each new pod only after the previous one is Ready. */
  public async scaleTo(replicas: number, timeoutPerPodMs: number, onReady?: (ordinal: number, ms: number) => void): Promise<void> {
    if (this.sts.podManagementPolicy !== 'OrderedReady') throw new Error(`podManagementPolicy ${this.sts.podManagementPolicy} is not modelled`);
    for (let ordinal = 0; ordinal < replicas; ordinal++) {
      if (!this.pods.has(ordinal)) {
        const started = Date.now();
        await this.createPod(ordinal);
        await this.waitReady(ordinal, timeoutPerPodMs);
        onReady?.(ordinal, Date.now() - started);
      } else {
        await this.waitReady(ordinal, timeoutPerPodMs);
      }
    }
  }

  /** Deletes a pod with every process SIGKILLed (a crash, or `--force --grace-period=0`); its claim stays. */
  public async deletePod(ordinal: number): Promise<void> {
    const pod = this.pod(ordinal);
    await pod.kill();
    this.pods.delete(ordinal);
    this.refreshHosts();
  }

  /**
   * Deletes a pod as `kubectl delete pod` does (SIGTERM, the grace period, then SIGKILL;
   * see Pod.delete); its claim stays. The pod keeps its DNS record while it terminates
   * only if the Service publishes not-ready addresses.
   */
  public async deletePodGracefully(ordinal: number, gracePeriodSeconds?: number): Promise<DeletionReport> {
    const pod = this.pod(ordinal);
    const report = await pod.delete(gracePeriodSeconds);
    this.pods.delete(ordinal);
    this.refreshHosts();
    return report;
  }

  /** Deletes the claim directory of an ordinal whose pod does not exist (like deleting its PVC). */
  public deleteClaim(ordinal: number): void {
    if (this.pods.has(ordinal)) throw new Error(`pod ${this.podName(ordinal)} still uses its claim`);
    rmSync(this.claimDir(ordinal), { recursive: true, force: true });
  }

  /** Kills everything and deletes every namespace; claims are removed unless keepData. */
  public async teardown(keepData: boolean): Promise<void> {
    const errors: string[] = [];
    for (const ordinal of [...this.pods.keys()].reverse()) {
      await this.deletePod(ordinal).catch(error => errors.push(String(error)));
    }
    try {
      this.network.destroy();
    } catch (error) {
      errors.push(String(error));
    }
    rmSync(this.dirs.pods, { recursive: true, force: true });
    if (!keepData) rmSync(this.dirs.claims, { recursive: true, force: true });
    if (errors.length) throw new Error(`teardown: ${errors.join('; ')}`);
  }

  /** The tail of every log file of the run, for failure reports. */
  public logTails(maxLines = 60): string {
    const out: string[] = [];
    if (!existsSync(this.dirs.logs)) return '';
    for (const pod of readdirSync(this.dirs.logs).sort()) {
      for (const file of readdirSync(join(this.dirs.logs, pod)).sort()) {
        const path = join(this.dirs.logs, pod, file);
        if (!statSync(path).isFile()) continue;
        const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
        out.push(`----- ${pod}/${file} (last ${Math.min(maxLines, lines.length)} of ${lines.length} lines) -----`, ...lines.slice(-maxLines));
      }
    }
    return out.join('\n');
  }
}

/** Removes work directories of earlier runs whose harness process is gone. */
export function removeStaleRuns(root: string): void {
  if (!existsSync(root)) return;
  for (const entry of readdirSync(root)) {
    const pid = Number(entry.match(/^run-(\d+)$/)?.[1]);
    if (pid && pid !== process.pid && !alive(pid)) rmSync(join(root, entry), { recursive: true, force: true });
  }
}
