import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'fs';
import { join } from 'path';
import { PersistentClaims } from './claims';
import { alive, waitFor } from './host';
import { prepareImages } from './image';
import { ImageModel } from './image-model';
import { claimsOf, JobSpec, KubeObject, StatefulSetSpec } from './manifest';
import { ClusterNetwork, NETNS_PREFIX, removeStaleNamespaces } from './network';
import { DeletionReport, Pod, restartBackoffMs } from './kubelet';
import { JobRun } from './job';
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
  /**
   * Where the claims that pods name in `persistentVolumeClaim` volumes live. Pass the
   * same store to two clusters for the second to mount what the first wrote (a restore
   * from a backup claim); the cluster adds its manifests' PersistentVolumeClaim objects.
   * @default a store of this cluster's own, `<workDir>/persistent-claims`
   */
  readonly persistentClaims?: PersistentClaims;
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
  /** The claims named by `persistentVolumeClaim` volumes (shared with other clusters if the test says so). */
  public readonly persistentClaims: PersistentClaims;
  private readonly ownsPersistentClaims: boolean;
  /** Pods of Jobs that are running now (they get the cluster's DNS records, and have none of their own). */
  private readonly jobPods = new Set<Pod>();
  /** Every Job started in this cluster, in order. */
  public readonly jobs: JobRun[] = [];

  constructor(public readonly sts: StatefulSetSpec, options: ClusterOptions) {
    this.hostPathClaims = options.hostPathClaims ?? false;
    this.clusterDomain = options.clusterDomain ?? 'cluster.local';
    this.dirs = { pods: join(options.workDir, 'pods'), claims: join(options.workDir, 'claims'), logs: join(options.workDir, 'logs') };
    Object.values(this.dirs).forEach(dir => mkdirSync(dir, { recursive: true }));
    this.ownsPersistentClaims = options.persistentClaims === undefined;
    this.persistentClaims = options.persistentClaims ?? new PersistentClaims(join(options.workDir, 'persistent-claims'));
    this.persistentClaims.apply(claimsOf(sts.objects));
    const images = new Set([...sts.initContainers, ...sts.containers, ...jobContainers(sts.objects)].map(c => c.image));
    this.images = prepareImages(images, options.workDir);
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
    const own = sandbox.fqdn(this.clusterDomain);
    const lines = [
      '# Kubernetes-managed hosts file (modelled by the e2e harness).',
      '127.0.0.1\tlocalhost',
      '::1\tlocalhost ip6-localhost ip6-loopback',
      own ? `${sandbox.ip}\t${own}\t${sandbox.podName}` : `${sandbox.ip}\t${sandbox.podName}`,
      '# DNS records of the headless Service.',
    ];
    for (const pod of this.pods.values()) {
      if (pod.sandbox === sandbox || !(this.sts.publishNotReadyAddresses || pod.ready)) continue;
      lines.push(`${pod.sandbox.ip}\t${pod.sandbox.fqdn(this.clusterDomain)}`);
    }
    return `${lines.join('\n')}\n`;
  }

  private refreshHosts(): void {
    for (const pod of [...this.pods.values(), ...this.jobPods]) pod.sandbox.updateHosts(this.hostsFor(pod.sandbox));
  }

  /** Creates pod `ordinal` (a new incarnation: new namespaces, address and emptyDirs; same claim). */
  public async createPod(ordinal: number): Promise<Pod> {
    if (this.pods.has(ordinal)) throw new Error(`pod ${this.podName(ordinal)} exists`);
    const name = this.podName(ordinal);
    const sandbox = new PodSandbox(name, this.sts, { namespace: this.sts.namespace, subdomain: this.sts.serviceName }, this.network, this.images,
      this.dirs, this.incarnations++, this.persistentClaims, this.hostPathClaims);
    const secrets = new Map(this.sts.secrets);
    for (const [secret, data] of this.secretOverrides.get(ordinal) ?? []) secrets.set(secret, data);
    const pod = new Pod(name, ordinal, sandbox, this.sts, this.images, {
      podName: name, namespace: this.sts.namespace, podIP: sandbox.ip, secrets, configMaps: this.configMaps(),
    }, this.dirs.logs, () => this.refreshHosts());
    for (const [container, vars] of Object.entries(this.envOverrides.get(ordinal) ?? {})) pod.overrideEnv(container, vars);
    this.pods.set(ordinal, pod);
    await sandbox.create(this.hostsFor(sandbox));
    this.refreshHosts();
    pod.start();
    return pod;
  }

  /**
   * The pods a Service of the manifests sends clients to, as the EndpointSlice controller
   * picks them: the Service's selector matches the pod's labels (the template's, plus
   * `statefulset.kubernetes.io/pod-name`), and the pod is Ready.
   */
  public serviceEndpoints(serviceName: string): string[] {
    const service = this.sts.objects.find(o => o.kind === 'Service' && o.metadata.name === serviceName);
    if (!service) throw new Error(`no Service ${serviceName} in the manifests`);
    const selector: Record<string, string> = service.spec?.selector ?? {};
    return [...this.pods.values()]
      .filter(pod => pod.ready)
      .filter(pod => {
        const labels: Record<string, string> = { ...this.sts.labels, 'statefulset.kubernetes.io/pod-name': pod.name };
        return Object.entries(selector).every(([key, value]) => labels[key] === value);
      })
      .map(pod => pod.name)
      .sort();
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

  private configMaps(): Map<string, Record<string, string>> {
    return new Map(this.sts.objects.filter(o => o.kind === 'ConfigMap').map(o => [o.metadata.name, o.data ?? {}]));
  }

  /**
   * Creates the pod of a Job in this cluster's network: named `<job>-<5 characters>`,
   * with the Job's pod template (its image's commands, its user, its volumes, env from
   * the chart's Secrets and ConfigMaps), its own network namespace and address, and the
   * cluster's DNS records in its /etc/hosts (the pod itself has no DNS name).
   */
  public async createJobPod(job: JobSpec): Promise<Pod> {
    const name = `${job.name}-${randomSuffix()}`;
    const sandbox = new PodSandbox(name, job.template, { namespace: job.namespace }, this.network, this.images,
      this.dirs, this.incarnations++, this.persistentClaims, this.hostPathClaims);
    const pod = new Pod(name, -1, sandbox, job.template, this.images, {
      podName: name, namespace: job.namespace, podIP: sandbox.ip, secrets: new Map(this.sts.secrets), configMaps: this.configMaps(),
    }, this.dirs.logs, () => undefined);
    this.jobPods.add(pod);
    await sandbox.create(this.hostsFor(sandbox));
    pod.start();
    return pod;
  }

  /** Ends a Job's pod that has finished or was deleted: its namespaces and directory go, its logs stay. */
  public releaseJobPod(pod: Pod): void {
    this.jobPods.delete(pod);
    pod.sandbox.destroy(false);
  }

  /**
   * Starts a Job as the Job controller runs it (see job.ts): one pod at a time, a new
   * pod after each failure up to backoffLimit, every pod deleted at the Job's
   * activeDeadlineSeconds. `JobRun.result` resolves when the Job has completed or failed.
   */
  public startJob(job: JobSpec): JobRun {
    if (job.namespace !== this.sts.namespace) throw new Error(`Job ${job.name} is in namespace ${job.namespace}, the cluster in ${this.sts.namespace}`);
    const run = new JobRun(job, this, restartBackoffMs);
    this.jobs.push(run);
    return run;
  }

  /** SIGKILLs every pod (Jobs' first) and deletes the network; returns what went wrong. */
  private async killEverything(): Promise<string[]> {
    const errors: string[] = [];
    for (const pod of [...this.jobPods]) {
      await pod.kill().catch(error => errors.push(String(error)));
      this.releaseJobPod(pod);
    }
    for (const ordinal of [...this.pods.keys()].reverse()) {
      await this.deletePod(ordinal).catch(error => errors.push(String(error)));
    }
    try {
      this.network.destroy();
    } catch (error) {
      errors.push(String(error));
    }
    rmSync(this.dirs.pods, { recursive: true, force: true });
    return errors;
  }

  /**
   * Kills everything and deletes every namespace; unless keepData, removes the claims
   * of the volumeClaimTemplates and the cluster's own PersistentClaims store (a store
   * shared with other clusters is left to its owner).
   */
  public async teardown(keepData: boolean): Promise<void> {
    const errors = await this.killEverything();
    if (!keepData) {
      rmSync(this.dirs.claims, { recursive: true, force: true });
      if (this.ownsPersistentClaims) this.persistentClaims.deleteAll();
    }
    if (errors.length) throw new Error(`teardown: ${errors.join('; ')}`);
  }

  /**
   * Destroys the cluster and its data: every pod SIGKILLed, the network gone, and the
   * claims of its volumeClaimTemplates deleted (`kubectl delete sts,pvc -l …`). Claims
   * named by `persistentVolumeClaim` volumes (a backup claim) are kept, whoever owns the
   * store. The logs stay. The cluster cannot run pods afterwards.
   */
  public async destroy(): Promise<void> {
    const errors = await this.killEverything();
    rmSync(this.dirs.claims, { recursive: true, force: true });
    if (errors.length) throw new Error(`destroy: ${errors.join('; ')}`);
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

/** Every container of the Jobs and CronJobs of a manifest set (their images are prepared with the cluster's). */
function jobContainers(objects: KubeObject[]): Array<{ image: string }> {
  const podSpecs = objects.flatMap(o => o.kind === 'CronJob' ? [o.spec?.jobTemplate?.spec?.template?.spec] : o.kind === 'Job' ? [o.spec?.template?.spec] : []);
  return podSpecs.filter(Boolean).flatMap((pod: any) => [...(pod.initContainers ?? []), ...(pod.containers ?? [])]);
}

/** The random suffix of a generated pod name (Kubernetes' alphabet: no vowels, no 0, 1, 3). */
function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from({ length: 5 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
}
