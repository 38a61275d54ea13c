import { ChildProcess, spawn } from 'child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, rmSync, statSync, writeFileSync } from 'fs';
import { isAbsolute, join, normalize, posix } from 'path';
import { imageUser } from './image';
import { ImageModel } from './image-model';
import { PersistentClaims } from './claims';
import { ContainerSpec, PodTemplateSpec } from './manifest';
import { ClusterNetwork } from './network';
import { killGroup, run, RunResult, runSync } from './host';
import { fstab, HARNESS_DIR, imageMounts, podMounts, RootMount } from './rootfs';

/**
 * A pod's sandbox: its network namespace and address, a "pause" process holding its
 * UTS namespace (hostname = pod name) and a pod-level mount namespace (memory-backed
 * emptyDirs), its volume directories, and its kubelet-managed /etc/hosts, resolv.conf
 * and hostname. Containers are started and exec'd into from here, each in its own
 * mount and pid namespaces and its own root filesystem (see rootfs.ts).
 */

const BIN = join(__dirname, 'bin');
/** How long a pause process lives at most, should the harness die without cleaning up. */
const SANDBOX_LIFETIME_SECONDS = 1800;
/** The image's PATH (Docker's default, which the mariadb image keeps). */
const IMAGE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Host-side locations of the cluster's state. */
export interface ClusterDirs {
  /** Per-pod directories (deleted with the pod). */
  readonly pods: string;
  /** Per-claim directories (the PVCs: they survive pod deletion). */
  readonly claims: string;
  /** Container logs. */
  readonly logs: string;
}

/** Where a pod sits in the cluster's DNS. */
export interface PodIdentity {
  readonly namespace: string;
  /**
   * The headless Service that gives the pod a DNS name `<pod>.<subdomain>.<namespace>.svc.<domain>`
   * (a StatefulSet's pods); none for a Job's pod, which is reachable by address only.
   */
  readonly subdomain?: string;
}

export class PodSandbox {
  public readonly netns: string;
  public readonly ip: string;
  public readonly dir: string;
  private pause?: ChildProcess;

  constructor(
    public readonly podName: string,
    private readonly template: PodTemplateSpec,
    private readonly identity: PodIdentity,
    private readonly network: ClusterNetwork,
    private readonly images: ReadonlyMap<string, ImageModel>,
    private readonly dirs: ClusterDirs,
    incarnation: number,
    /** The claims named by `persistentVolumeClaim` volumes. */
    private readonly persistentClaims: PersistentClaims,
    /** The claims are bound to hostPath volumes (see prepareClaim). */
    private readonly hostPathClaims = false,
  ) {
    this.dir = join(dirs.pods, `${podName}-${incarnation}`);
    const { netns, ip } = network.addPod(podName);
    this.netns = netns;
    this.ip = ip;
  }

  /** The pod's stable DNS name, `<pod>.<service>.<namespace>.svc.<domain>`; undefined without a subdomain. */
  public fqdn(clusterDomain: string): string | undefined {
    if (this.identity.subdomain === undefined) return undefined;
    return `${this.podName}.${this.identity.subdomain}.${this.identity.namespace}.svc.${clusterDomain}`;
  }

  /** Directory of a PersistentVolumeClaim `<template>-<pod>`. */
  public claimDir(template: string): string {
    return join(this.dirs.claims, `${template}-${this.podName}`);
  }

  /** Lays out volumes and starts the pause process. */
  public async create(hosts: string): Promise<void> {
    mkdirSync(join(this.dir, 'volumes'), { recursive: true });
    writeFileSync(join(this.dir, 'hosts'), hosts);
    writeFileSync(join(this.dir, 'hostname'), `${this.podName}\n`);
    writeFileSync(join(this.dir, 'resolv.conf'), '# No cluster DNS is modelled: names resolve through the pod\'s /etc/hosts.\noptions timeout:1 attempts:1\n');
    const fsGroup = this.template.fsGroup;
    const tmpfs: string[] = [];
    for (const [name, volume] of this.template.volumes) {
      if (volume.kind === 'claim') {
        this.prepareClaim(this.claimDir(volume.template), fsGroup, this.hostPathClaims);
        continue;
      }
      if (volume.kind === 'persistentVolumeClaim') {
        // kubelet leaves the ownership of a volume it mounts read-only alone.
        this.prepareClaim(this.persistentClaims.dir(volume.claimName, this.identity.namespace), volume.readOnly ? undefined : fsGroup, false);
        continue;
      }
      const dir = join(this.dir, 'volumes', name);
      mkdirSync(dir, { recursive: true });
      if (volume.kind === 'configMap' || volume.kind === 'secret') {
        // kubelet: each key a file of defaultMode, with an fsGroup owned by root:fsGroup.
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

  /**
   * A claim's directory as kubelet hands it over. A volume whose ownership kubelet
   * manages gets the fsGroup (policy OnRootMismatch): group-owned, setgid. A hostPath
   * volume (`DirectoryOrCreate`) is created root-owned with mode 0755 and gets no fsGroup.
   */
  private prepareClaim(dir: string, fsGroup: number | undefined, hostPath: boolean): void {
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o755 });
    }
    if (hostPath) return;
    if (fsGroup !== undefined && statSync(dir).gid !== fsGroup) {
      runSync(['chgrp', '-R', String(fsGroup), dir]);
      runSync(['chmod', '-R', 'g+rwX', dir]);
      runSync(['find', dir, '-type', 'd', '-exec', 'chmod', 'g+s', '{}', '+']);
    }
  }

  /** Host path of a volume mount's source, creating a missing subPath as kubelet does. */
  private mountSource(container: ContainerSpec, mount: ContainerSpec['mounts'][number]): string {
    const volume = this.template.volumes.get(mount.volume)!;
    const root = volume.kind === 'claim' ? this.claimDir(volume.template)
      : volume.kind === 'persistentVolumeClaim' ? this.persistentClaims.dir(volume.claimName, this.identity.namespace)
        : join(this.dir, 'volumes', mount.volume);
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

  /** The model of a container's image. */
  private imageOf(container: ContainerSpec): ImageModel {
    const image = this.images.get(container.image);
    if (!image) throw new Error(`${container.name}: image ${container.image} was not prepared (prepared: ${[...this.images.keys()].join(', ')})`);
    return image;
  }

  /** A volumeMount as a line of the container's fstab (directories only, as the chart uses). */
  private volumeMount(container: ContainerSpec, mount: ContainerSpec['mounts'][number]): RootMount {
    const target = posix.normalize(mount.mountPath);
    if (!posix.isAbsolute(target) || target === '/') {
      throw new Error(`${container.name}: mountPath ${mount.mountPath} is not an absolute path below /`);
    }
    // libmount resolves the target from outside the root: a symlink of the image on the
    // way (/var/run -> /run) would lead it astray. runc resolves it inside the root.
    const skeleton = this.imageOf(container).skeleton;
    for (let path = target; path !== '/'; path = posix.dirname(path)) {
      if (isSymlink(join(skeleton, path))) {
        throw new Error(`${container.name}: mountPath ${mount.mountPath} goes through the image's symlink ${path}, which the harness does not resolve; mount at the symlink's target`);
      }
    }
    const source = this.mountSource(container, mount);
    if (!statSync(source).isDirectory()) {
      throw new Error(`${container.name}: volume ${mount.volume} at ${mount.mountPath} is a file (${source}); the harness mounts only directories`);
    }
    const volume = this.template.volumes.get(mount.volume)!;
    // A persistentVolumeClaim volume marked readOnly is mounted read-only into every
    // container; a secret volume always is.
    const readOnly = mount.readOnly || (volume.kind === 'persistentVolumeClaim' && volume.readOnly) || volume.kind === 'secret';
    return { source, target, fstype: 'none', options: `bind${readOnly ? ',ro' : ''},X-mount.mkdir` };
  }

  /**
   * argv that starts a container inside this pod: in the pod's network and UTS
   * namespaces, a new mount namespace (a private copy of the pod's) and a new pid
   * namespace whose PID 1 builds the container's root and execs the container's
   * command in it (bin/container-start.sh, bin/container-init.sh).
   */
  public containerArgv(container: ContainerSpec, env: Map<string, string>, argv: string[]): string[] {
    if (this.pause?.pid === undefined) throw new Error(`pod ${this.podName} has no sandbox`);
    const image = this.imageOf(container);
    const root = join(this.dir, 'roots', container.name);
    mkdirSync(root, { recursive: true });
    const fstabPath = `${root}.fstab`;
    const mounts = [...imageMounts(image), ...podMounts(this.dir), ...container.mounts.map(m => this.volumeMount(container, m))];
    writeFileSync(fstabPath, fstab(root, mounts));
    return ['nsenter', `--target=${this.pause.pid}`, '--net', '--uts', '--mount', '--',
      'unshare', '--mount', '--propagation', 'private', '--pid', '--',
      'bash', join(BIN, 'container-start.sh'), root, image.skeleton, fstabPath, container.readOnlyRootFilesystem ? 'ro' : 'rw',
      ...this.execChain(container, env, argv)];
  }

  /**
   * The environment a container's processes get, as the runtime composes it: PATH and
   * HOSTNAME, the image's ENV, the manifest's variables, and HOME from the image's
   * /etc/passwd for the container's uid ("/" without an entry) unless set already.
   */
  private containerEnv(container: ContainerSpec, env: Map<string, string>): Map<string, string> {
    const image = this.imageOf(container);
    const vars = new Map([['PATH', IMAGE_PATH], ['HOSTNAME', this.podName], ...image.env, ...env]);
    if (!vars.has('HOME')) vars.set('HOME', imageUser(image, container.runAs.uid)?.home ?? '/');
    return vars;
  }

  /**
   * The part of every exec chain that runs inside the container's root, as root:
   * `/.harness/env` resets signal handling and sets exactly the container's
   * environment, `/.harness/setpriv` becomes the container's user (groups, no_new_privs,
   * capabilities from the securityContext) and execvp's argv through the container's PATH.
   */
  private execChain(container: ContainerSpec, env: Map<string, string>, argv: string[]): string[] {
    const { uid, gid, groups, noNewPrivs, dropAllCapabilities, addCapabilities } = container.runAs;
    const setpriv = [`--reuid=${uid}`, `--regid=${gid}`, groups.length ? `--groups=${groups.join(',')}` : '--clear-groups'];
    if (noNewPrivs) setpriv.push('--no-new-privs');
    // A root process gets its bounding set as permitted capabilities at exec: the
    // capabilities a securityContext adds back stay in it, nothing else.
    if (dropAllCapabilities) setpriv.push('--inh-caps=-all', `--bounding-set=${['-all', ...addCapabilities.map(c => `+${c}`)].join(',')}`);
    const vars = [...this.containerEnv(container, env)].map(([name, value]) => `${name}=${value}`);
    return [`${HARNESS_DIR}/env`, '--default-signal', '-i', '-C', '/', ...vars, `${HARNESS_DIR}/setpriv`, ...setpriv, '--', ...argv];
  }

  /**
   * Runs a command inside a running container (as `kubectl exec` or an exec probe
   * would): the mount, pid, network and UTS namespaces and the root of the container's
   * PID 1 (`pid1`, a host pid), its user, its environment, working directory /.
   * `--wd` takes PID 1's working directory, which lies inside the root; `env -C /` then
   * moves to the root. (`--wd=/` would not do: nsenter opens a path given to it before it
   * enters, so the process would start in the host's / outside the container's root.)
   */
  public exec(pid1: number, container: ContainerSpec, env: Map<string, string>, argv: string[], options: { timeoutMs: number; input?: string }): Promise<RunResult> {
    return run(['nsenter', `--target=${pid1}`, '--mount', '--pid', '--net', '--uts', '--root', '--wd', '--',
      ...this.execChain(container, env, argv)], options);
  }

  /** Kills every process of the pod and deletes its namespace and per-pod directory. */
  public destroy(keepFiles: boolean): void {
    if (this.pause) killGroup(this.pause, 'SIGKILL');
    this.network.removePod(this.netns);
    if (!keepFiles) rmSync(this.dir, { recursive: true, force: true });
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Kubernetes quantity (e.g. `1Mi`) to a tmpfs size option. */
function toTmpfsSize(quantity: string): string {
  const match = quantity.match(/^(\d+)(Ki|Mi|Gi)?$/);
  if (!match) throw new Error(`unsupported emptyDir sizeLimit ${quantity}`);
  const unit = { Ki: 'k', Mi: 'm', Gi: 'g' }[match[2] as 'Ki' | 'Mi' | 'Gi'] ?? '';
  return `${match[1]}${unit}`;
}
