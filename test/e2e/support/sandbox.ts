import { ChildProcess, spawn } from 'child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'fs';
import { isAbsolute, join, normalize } from 'path';
import { ImageModel } from './image';
import { ContainerSpec, StatefulSetSpec } from './manifest';
import { ClusterNetwork } from './network';
import { killGroup, run, RunResult, runSync } from './host';

/**
 * A pod's sandbox: its network namespace and address, a "pause" process holding its
 * UTS namespace (hostname = pod name) and a pod-level mount namespace (memory-backed
 * emptyDirs), its volume directories, and its kubelet-managed /etc/hosts.
 * Containers are started and exec'd into from here.
 */

const BIN = join(__dirname, '..', 'bin');
/** Directories of the host that each container gets fresh (see bin/container-start.sh). */
export const CONTAINER_OVERLAYS = ['/tmp', '/run', '/var/lib', '/opt', '/usr/local/bin'];
/** Directories the image provides and volumes may be mounted over. */
const IMAGE_DIRS = ['/etc/mysql'];
/** How long a pause process lives at most, should the harness die without cleaning up. */
const SANDBOX_LIFETIME_SECONDS = 1800;

export function under(path: string, roots: string[]): boolean {
  return roots.some(root => path === root || path.startsWith(`${root}/`));
}

/** Host-side locations of the cluster's state. */
export interface ClusterDirs {
  /** Per-pod directories (deleted with the pod). */
  readonly pods: string;
  /** Per-claim directories (the PVCs: they survive pod deletion). */
  readonly claims: string;
  /** Container logs. */
  readonly logs: string;
}

export class PodSandbox {
  public readonly netns: string;
  public readonly ip: string;
  public readonly dir: string;
  private pause?: ChildProcess;

  constructor(
    public readonly podName: string,
    private readonly sts: StatefulSetSpec,
    private readonly network: ClusterNetwork,
    private readonly image: ImageModel,
    private readonly dirs: ClusterDirs,
    incarnation: number,
  ) {
    for (const path of [dirs.pods, dirs.claims, image.root]) {
      if (under(path, CONTAINER_OVERLAYS)) {
        throw new Error(`the e2e work dir must not lie under ${CONTAINER_OVERLAYS.join(', ')} (got ${path})`);
      }
    }
    this.dir = join(dirs.pods, `${podName}-${incarnation}`);
    const { netns, ip } = network.addPod(podName);
    this.netns = netns;
    this.ip = ip;
  }

  /** The pod's stable DNS name, `<pod>.<service>.<namespace>.svc.<domain>`. */
  public fqdn(clusterDomain: string): string {
    return `${this.podName}.${this.sts.serviceName}.${this.sts.namespace}.svc.${clusterDomain}`;
  }

  /** Directory of a PersistentVolumeClaim `<template>-<pod>`. */
  public claimDir(template: string): string {
    return join(this.dirs.claims, `${template}-${this.podName}`);
  }

  /** Lays out volumes and starts the pause process. */
  public async create(hosts: string): Promise<void> {
    mkdirSync(join(this.dir, 'volumes'), { recursive: true });
    writeFileSync(join(this.dir, 'hosts'), hosts);
    writeFileSync(join(this.dir, 'resolv.conf'), '# No cluster DNS is modelled: names resolve through the pod\'s /etc/hosts.\noptions timeout:1 attempts:1\n');
    const fsGroup = this.sts.fsGroup;
    const tmpfs: string[] = [];
    for (const [name, volume] of this.sts.volumes) {
      if (volume.kind === 'claim') {
        this.prepareClaim(this.claimDir(volume.template), fsGroup);
        continue;
      }
      const dir = join(this.dir, 'volumes', name);
      mkdirSync(dir, { recursive: true });
      if (volume.kind === 'configMap') {
        for (const [file, content] of Object.entries(volume.data)) {
          const path = join(dir, file);
          writeFileSync(path, content);
          chmodSync(path, volume.defaultMode);
          if (fsGroup !== undefined) chownSync(path, 0, fsGroup);
        }
        chmodSync(dir, 0o755);
      } else {
        // kubelet: emptyDir is world-writable; with an fsGroup, group-owned and setgid.
        chmodSync(dir, 0o777);
        if (fsGroup !== undefined) {
          chownSync(dir, 0, fsGroup);
          chmodSync(dir, 0o2777);
        }
        if (volume.memory) {
          tmpfs.push(dir, volume.sizeLimit ? toTmpfsSize(volume.sizeLimit) : '16m', String(fsGroup ?? 0));
        }
      }
    }
    this.pause = spawn('nsenter', [`--net=/run/netns/${this.netns}`, '--', 'unshare', '--uts', '--mount', '--propagation', 'private', '--',
      'bash', join(BIN, 'pod-sandbox.sh'), this.podName, String(SANDBOX_LIFETIME_SECONDS), ...tmpfs], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const pause = this.pause;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`pod sandbox of ${this.podName} did not start: ${err}`)), 10_000);
      pause.stdout!.on('data', chunk => {
        out += chunk;
        if (out.includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      pause.stderr!.on('data', chunk => { err += chunk; });
      pause.on('exit', code => {
        clearTimeout(timer);
        reject(new Error(`pod sandbox of ${this.podName} exited with ${code}: ${err}`));
      });
    });
  }

  /** Rewrites the pod's /etc/hosts in place (the bind mounts see the same inode). */
  public updateHosts(hosts: string): void {
    const path = join(this.dir, 'hosts');
    if (existsSync(path)) writeFileSync(path, hosts);
  }

  /** kubelet's fsGroup handling of a volume (policy OnRootMismatch): group-owned, setgid. */
  private prepareClaim(dir: string, fsGroup: number | undefined): void {
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o755 });
    }
    if (fsGroup !== undefined && statSync(dir).gid !== fsGroup) {
      runSync(['chgrp', '-R', String(fsGroup), dir]);
      runSync(['chmod', '-R', 'g+rwX', dir]);
      runSync(['find', dir, '-type', 'd', '-exec', 'chmod', 'g+s', '{}', '+']);
    }
  }

  /** Host path of a volume mount's source, creating a missing subPath as kubelet does. */
  private mountSource(container: ContainerSpec, mount: ContainerSpec['mounts'][number]): string {
    const volume = this.sts.volumes.get(mount.volume)!;
    const root = volume.kind === 'claim' ? this.claimDir(volume.template) : join(this.dir, 'volumes', mount.volume);
    if (!mount.subPath) return root;
    const sub = normalize(mount.subPath);
    if (isAbsolute(sub) || sub.startsWith('..')) {
      throw new Error(`${container.name}: subPath ${mount.subPath} escapes its volume`);
    }
    const path = join(root, sub);
    if (!existsSync(path)) {
      const rootStat = statSync(root);
      mkdirSync(path, { recursive: true });
      chmodSync(path, rootStat.mode & 0o7777);
      chownSync(path, 0, rootStat.gid);
    }
    return path;
  }

  /** argv that starts a container's process inside this pod (see bin/container-start.sh). */
  public containerArgv(container: ContainerSpec, env: Map<string, string>, argv: string[]): string[] {
    if (this.pause?.pid === undefined) throw new Error(`pod ${this.podName} has no sandbox`);
    const mounts: string[] = [];
    for (const mount of container.mounts) {
      if (!under(mount.mountPath, [...CONTAINER_OVERLAYS, ...IMAGE_DIRS]) || IMAGE_DIRS.includes(mount.mountPath)) {
        throw new Error(`${container.name}: mountPath ${mount.mountPath} is outside what the harness lays over the host (${CONTAINER_OVERLAYS.join(', ')}, below ${IMAGE_DIRS.join(', ')})`);
      }
      mounts.push(this.mountSource(container, mount), mount.mountPath, mount.readOnly ? 'ro' : 'rw');
    }
    const envList = [...this.baseEnv(container, env)].map(([k, v]) => `${k}=${v}`);
    const { uid, gid, groups, noNewPrivs, dropAllCapabilities } = container.runAs;
    return ['nsenter', `--target=${this.pause.pid}`, '--net', '--uts', '--mount', '--',
      'unshare', '--mount', '--propagation', 'private', '--',
      'bash', join(BIN, 'container-start.sh'), this.image.root, this.dir, String(this.image.mysqlUid),
      String(uid), String(gid), groups.join(','), noNewPrivs ? 'yes' : 'no', dropAllCapabilities ? 'yes' : 'no',
      String(mounts.length / 3), ...mounts, String(envList.length), ...envList, ...argv];
  }

  /** The container runtime's variables, then the manifest's. */
  private baseEnv(_container: ContainerSpec, env: Map<string, string>): Map<string, string> {
    return new Map([
      ['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ['HOSTNAME', this.podName],
      ['HOME', '/'],
      ...env,
    ]);
  }

  /**
   * Runs a command inside a running container (as `kubectl exec` or an exec probe
   * would): its namespaces, its user, its environment, working directory /.
   */
  public exec(containerPid: number, container: ContainerSpec, env: Map<string, string>, argv: string[], options: { timeoutMs: number; input?: string }): Promise<RunResult> {
    const { uid, gid, groups, noNewPrivs } = container.runAs;
    const setpriv = [`--reuid=${uid}`, `--regid=${gid}`, groups.length ? `--groups=${groups.join(',')}` : '--clear-groups'];
    if (noNewPrivs) setpriv.push('--no-new-privs');
    const envList = [...this.baseEnv(container, env)].map(([k, v]) => `${k}=${v}`);
    return run(['nsenter', `--target=${containerPid}`, '--mount', '--net', '--uts', '--',
      'setpriv', ...setpriv, '--', 'env', '-i', '-C', '/', ...envList, ...argv], options);
  }

  /** Kills every process of the pod and deletes its namespace and per-pod directory. */
  public destroy(keepFiles: boolean): void {
    if (this.pause) killGroup(this.pause, 'SIGKILL');
    this.network.removePod(this.netns);
    if (!keepFiles) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Kubernetes quantity (e.g. `1Mi`) to a tmpfs size option. */
function toTmpfsSize(quantity: string): string {
  const match = quantity.match(/^(\d+)(Ki|Mi|Gi)?$/);
  if (!match) throw new Error(`unsupported emptyDir sizeLimit ${quantity}`);
  const unit = { Ki: 'k', Mi: 'm', Gi: 'g' }[match[2] as 'Ki' | 'Mi' | 'Gi'] ?? '';
  return `${match[1]}${unit}`;
}
