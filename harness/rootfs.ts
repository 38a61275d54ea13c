import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { findHostCommand } from './host';
import { ImageModel } from './image-model';

/**
 * A container's root filesystem. At every container start, PID 1 of the container
 * (bin/container-init.sh), in the container's private mount namespace:
 *  1. mounts a fresh tmpfs at `<pod>/roots/<container>`;
 *  2. copies the image's skeleton into it: the directories with their owners and modes
 *     (fresh /tmp, /run, /var/lib, /var/tmp, /opt, /root, /home, /usr/local/bin, the
 *     directories the image's Dockerfile leaves to its user), the merged-usr symlinks,
 *     /etc/passwd and /etc/group of the image, copies of the host's ld.so.cache and
 *     nsswitch.conf, the /dev symlinks, and an empty mount point for every mount below;
 *  3. mounts what `<pod>/roots/<container>.fstab` lists (`mount --all`, one process):
 *     a fresh /proc of its pid namespace, the host's /dev/null, zero, full, random,
 *     urandom and tty, a /dev/shm tmpfs; the host's /usr/lib, /usr/lib64 and /usr/share
 *     read-only (libraries and data files, no commands); one read-only bind per command
 *     of the image, at /usr/bin/<name> or /usr/sbin/<name>; the image model's files
 *     (/etc/mysql, /usr/local/bin/docker-entrypoint.sh) read-only; the harness's env and
 *     setpriv in the root-only /.harness; the pod's hosts, resolv.conf and hostname
 *     (binds, so the kubelet's rewrites stay visible); then the container's volumeMounts;
 *  4. chroots into it.
 * Nothing else of the host is reachable: no /work, no project checkout, no /sys, no
 * other command. /.harness is root's (0700): the container's user cannot use it.
 */

/** Directory of the harness's own tools inside each root (root-only). */
export const HARNESS_DIR = '/.harness';
/** Host tools the exec chain runs inside the root before the container's user takes over. */
const HARNESS_TOOLS = ['env', 'setpriv'];
/** Device nodes of the host bound into each container's /dev. */
const DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];
/** Host directories of files (libraries, MariaDB's share files, zoneinfo) shared read-only. */
const HOST_FILE_DIRS = ['/usr/lib', '/usr/lib64', '/usr/share'].filter(dir => existsSync(dir));
/** Files of the pod's directory that the kubelet bind-mounts at /etc/<name>. */
export const POD_ETC_FILES = ['hosts', 'resolv.conf', 'hostname'];

/** One line of a container's fstab; `target` is a path inside the container. */
export interface RootMount {
  readonly source: string;
  readonly target: string;
  readonly fstype: string;
  readonly options: string;
}

function bindMount(source: string, target: string, readOnly: boolean): RootMount {
  return { source, target, fstype: 'none', options: readOnly ? 'bind,ro' : 'bind' };
}

/** Binds of the host's executables of the harness's tools into /.harness. */
function harnessToolMounts(): RootMount[] {
  return HARNESS_TOOLS.map(name => {
    const tool = findHostCommand(name);
    if (!tool) throw new Error(`the e2e harness needs the host command ${name} (see support/preflight.ts)`);
    return bindMount(tool.hostPath, `${HARNESS_DIR}/${name}`, true);
  });
}

/** The mounts every container of an image gets, in order: the runtime's and the image's. */
export function imageMounts(image: ImageModel): RootMount[] {
  return [
    { source: 'proc', target: '/proc', fstype: 'proc', options: 'nosuid,nodev,noexec' },
    ...DEVICES.map(device => bindMount(`/dev/${device}`, `/dev/${device}`, false)),
    // 64 MiB, the /dev/shm that Docker and containerd give a container by default.
    { source: 'shm', target: '/dev/shm', fstype: 'tmpfs', options: 'nosuid,nodev,noexec,mode=1777,size=64m' },
    ...HOST_FILE_DIRS.map(dir => bindMount(dir, dir, true)),
    ...image.commands.map(command => bindMount(command.hostPath, `${command.dir}/${command.name}`, true)),
    ...image.files.map(file => bindMount(file.source, file.target, true)),
    ...harnessToolMounts(),
  ];
}

/** The pod's /etc files, bind-mounted from its directory as the kubelet does. */
export function podMounts(podDir: string): RootMount[] {
  return POD_ETC_FILES.map(file => bindMount(join(podDir, file), `/etc/${file}`, false));
}

/**
 * Builds an image's skeleton on the host (see the top of this file), replacing any
 * earlier one. Runs as root: the skeleton carries owners, which `cp -a` keeps.
 */
export function buildSkeleton(image: ImageModel): void {
  const root = image.skeleton;
  rmSync(root, { recursive: true, force: true });
  const dir = (path: string, mode = 0o755, uid = 0, gid = 0): void => {
    const hostPath = join(root, path);
    mkdirSync(hostPath, { recursive: true });
    chmodSync(hostPath, mode);
    chownSync(hostPath, uid, gid);
  };
  const file = (path: string, content: string, mode = 0o644): void => {
    const hostPath = join(root, path);
    mkdirSync(dirname(hostPath), { recursive: true });
    writeFileSync(hostPath, content);
    chmodSync(hostPath, mode);
  };

  dir('/');
  for (const path of ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/etc', '/dev', '/run', '/var/lib', '/opt', '/home']) dir(path);
  dir('/proc', 0o555);
  dir('/tmp', 0o1777);
  dir('/var/tmp', 0o1777);
  dir('/root', 0o700);
  dir(HARNESS_DIR, 0o700);
  for (const owned of image.ownedDirs) dir(owned.path, owned.mode, owned.uid, owned.gid);

  // Merged /usr and /var/run as the image's ubuntu base has them; /dev's links as runc makes them.
  const links: Array<[string, string]> = [
    ['/bin', 'usr/bin'], ['/sbin', 'usr/sbin'], ['/lib', 'usr/lib'], ['/var/run', '/run'],
    ['/dev/fd', '/proc/self/fd'], ['/dev/stdin', '/proc/self/fd/0'], ['/dev/stdout', '/proc/self/fd/1'], ['/dev/stderr', '/proc/self/fd/2'],
  ];
  if (HOST_FILE_DIRS.includes('/usr/lib64')) links.push(['/lib64', 'usr/lib64']);
  for (const [path, target] of links) symlinkSync(target, join(root, path));

  file('/etc/passwd', image.users.map(u => `${u.name}:x:${u.uid}:${u.gid}::${u.home}:${u.shell}\n`).join(''));
  file('/etc/group', image.groups.map(g => `${g.name}:x:${g.gid}:\n`).join(''));
  // The host's dynamic linker cache describes the host's libraries, which the root binds.
  copyFileSync('/etc/ld.so.cache', join(root, 'etc/ld.so.cache'));
  copyFileSync('/etc/nsswitch.conf', join(root, 'etc/nsswitch.conf'));

  // Mount points: a directory for a directory or a filesystem, an empty file for a file.
  for (const mount of imageMounts(image)) {
    if (mount.fstype !== 'none' || statSync(mount.source).isDirectory()) {
      mkdirSync(join(root, mount.target), { recursive: true });
    } else {
      file(mount.target, '');
    }
  }
  for (const name of POD_ETC_FILES) file(`/etc/${name}`, '');
}

/** `\040`-style escapes for the characters fstab fields cannot hold. */
function fstabField(text: string): string {
  return text.replace(/[\s\\]/g, ch => `\\${ch.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/** A container's fstab: every mount, its target under the root's host path `root`. */
export function fstab(root: string, mounts: readonly RootMount[]): string {
  return mounts.map(m => `${fstabField(m.source)} ${fstabField(join(root, m.target))} ${m.fstype} ${m.options} 0 0\n`).join('');
}
