import { spawnSync } from 'child_process';
import { NETNS_PREFIX } from './network';

/** Host commands the harness and the modelled images need. */
const REQUIRED_COMMANDS = [
  'bash', 'ip', 'unshare', 'nsenter', 'setpriv', 'mount', 'umount', 'mountpoint', 'hostname',
  'mariadbd', 'mariadb-install-db', 'mariadb', 'mariadb-admin', 'mariadb-backup', 'mbstream', 'ncat',
];
/** Debian packages that provide them. */
export const APT_PACKAGES = 'mariadb-server mariadb-client mariadb-backup ncat iproute2 util-linux mount';

/**
 * Fails (never skips) with a clear message unless this machine can run the e2e cluster:
 * root, network namespaces, UTS/mount namespaces and every command above.
 */
export function preflight(): void {
  const problems: string[] = [];
  if (process.platform !== 'linux') {
    problems.push(`Linux is required (this is ${process.platform})`);
  } else if (process.getuid?.() !== 0) {
    problems.push(`root is required to create network, UTS and mount namespaces (running as uid ${process.getuid?.()}); run the e2e tests as root, e.g. in a privileged CI container`);
  }
  const missing = REQUIRED_COMMANDS.filter(cmd => spawnSync('bash', ['-c', `command -v ${cmd}`]).status !== 0);
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
    const ns = spawnSync('unshare', ['--uts', '--mount', '--propagation', 'private', '--', 'true'], { encoding: 'utf8' });
    if (ns.status !== 0) {
      problems.push(`cannot create UTS/mount namespaces (unshare: ${ns.stderr.trim()})`);
    }
  }
  if (problems.length) {
    throw new Error(`The e2e replication tests cannot run on this machine:\n - ${problems.join('\n - ')}`);
  }
}
