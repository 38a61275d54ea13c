import { spawnSync } from 'child_process';
import { existsSync } from 'fs';
import { findHostCommand } from './host';
import { NETNS_PREFIX } from './network';

/**
 * Host commands the harness itself runs: namespaces and addresses (ip, unshare,
 * nsenter), container roots (mount, umount, mountpoint, cp, chroot), the exec chain
 * inside them (env, setpriv), the pod sandbox (hostname, sleep), volume ownership
 * (chmod, chgrp, find).
 */
const HARNESS_COMMANDS = [
  'bash', 'ip', 'unshare', 'nsenter', 'mount', 'umount', 'mountpoint', 'cp', 'chroot', 'env', 'setpriv',
  'hostname', 'sleep', 'chmod', 'chgrp', 'find',
];
/**
 * Host commands the image models cannot do without: the server, client and backup tools
 * and the stream tool the mariadb image ships, and the exporter of the metrics image. Other commands of an image's inventory that the
 * host lacks are only absent from its containers (image/missing-commands.txt).
 */
const IMAGE_MODEL_COMMANDS = ['mariadbd', 'mariadb-install-db', 'mariadb', 'mariadb-admin', 'mariadb-backup', 'mbstream', 'socat', 'prometheus-mysqld-exporter'];
/** Debian packages that provide them. */
export const APT_PACKAGES = 'mariadb-server mariadb-client mariadb-backup socat prometheus-mysqld-exporter iproute2 util-linux mount coreutils findutils';

/**
 * Fails (never skips) with a clear message unless this machine can run the e2e cluster:
 * root, network, UTS, mount and pid namespaces, /proc/<pid>/task/<pid>/children (how
 * the harness finds a container's PID 1) and every command above.
 */
export function preflight(): void {
  const problems: string[] = [];
  if (process.platform !== 'linux') {
    problems.push(`Linux is required (this is ${process.platform})`);
  } else if (process.getuid?.() !== 0) {
    problems.push(`root is required to create network, UTS, mount and pid namespaces (running as uid ${process.getuid?.()}); run the e2e tests as root, e.g. in a privileged CI container`);
  }
  const missing = [...HARNESS_COMMANDS, ...IMAGE_MODEL_COMMANDS].filter(cmd => !findHostCommand(cmd));
  if (missing.length) {
    problems.push(`missing commands: ${missing.join(', ')} (Debian: apt-get install ${APT_PACKAGES})`);
  }
  if (problems.length === 0) {
    const probe = `${NETNS_PREFIX}${process.pid}-preflight`;
    const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
    spawnSync('ip', ['netns', 'del', probe]);
    if (add.status !== 0) {
      problems.push(`cannot create a network namespace (ip netns add: ${add.stderr.trim()}); the e2e tests need CAP_SYS_ADMIN and CAP_NET_ADMIN`);
    }
    const ns = spawnSync('unshare', ['--uts', '--mount', '--propagation', 'private', '--pid', '--fork', '--', 'true'], { encoding: 'utf8' });
    if (ns.status !== 0) {
      problems.push(`cannot create UTS, mount and pid namespaces (unshare: ${ns.stderr.trim()})`);
    }
    const children = `/proc/${process.pid}/task/${process.pid}/children`;
    if (!existsSync(children)) {
      problems.push(`${children} does not exist: the kernel lacks CONFIG_PROC_CHILDREN, which the harness needs to find a container's PID 1`);
    }
  }
  if (problems.length) {
    throw new Error(`The e2e replication tests cannot run on this machine:\n - ${problems.join('\n - ')}`);
  }
}
