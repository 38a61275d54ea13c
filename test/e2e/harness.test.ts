import { spawnSync } from 'child_process';
import { existsSync, readdirSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import { imageCommands } from '../../lib/mysql/engine/image-inventory';
import { SERVER } from '../../harness/db';
import { findHostCommand, sleep, waitFor } from '../../harness/host';
import { Pod } from '../../harness/kubelet';
import { clusterOf, launchCluster, synthesize } from '../../harness/launch';
import { ContainerSpec, StatefulSetSpec } from '../../harness/manifest';
import { preflight } from '../../harness/preflight';
import { StatefulSetCluster } from '../../harness/statefulset';

/**
 * Fast checks of the e2e harness itself (no replication; see README.md): a container
 * sees only its image's commands and nothing of the host's files, runs as its user
 * without capabilities, and its command is PID 1 of its own pid namespace, with the
 * kernel's signal rules for an init process; deleting a pod gracefully sends SIGTERM,
 * waits out the grace period and SIGKILLs what is left. Needs root; fails, never skips.
 */

const REPO_ROOT = join(__dirname, '..', '..');
const POD_READY_TIMEOUT = 60_000;

function hostHas(command: string): boolean {
  return spawnSync('bash', ['-c', `command -v ${command}`]).status === 0;
}

describe('e2e harness: the synthesized mysql-0 runs in image-faithful containers', () => {
  let sts: StatefulSetSpec;
  let cluster: StatefulSetCluster;
  let pod: Pod;
  let image: string;

  beforeAll(async () => {
    ({ sts, cluster } = launchCluster('harness', { replicas: 1 }));
    image = sts.containers.find(c => c.name === SERVER)!.image;
    pod = await cluster.createPod(0);
    await cluster.waitReady(0, POD_READY_TIMEOUT);
  }, POD_READY_TIMEOUT + 30_000);

  afterAll(async () => {
    if (cluster) await cluster.teardown(false);
  }, 60_000);

  async function sh(script: string, container = SERVER): Promise<{ code: number | null; out: string; err: string }> {
    const result = await pod.exec(container, ['bash', '-c', script]);
    return { code: result.code, out: result.stdout.trim(), err: result.stderr.trim() };
  }

  test('(a) a command the host has but the image lacks (ncat) is not there', async () => {
    if (!hostHas('ncat')) {
      throw new Error('the host has no ncat: test/setup-machine.sh installs it on purpose, so that this test proves a host command stays out of the containers (apt-get install ncat)');
    }
    expect(imageCommands(image)).not.toContain('ncat');
    expect(await sh('command -v ncat')).toEqual({ code: 1, out: '', err: '' });
    expect((await sh('test -e /usr/bin/ncat || test -e /bin/ncat')).code).toBe(1);
  });

  test('(b) the image\'s commands are there, and nothing else is on PATH', async () => {
    const wanted = ['socat', 'bash', 'mariadb-backup', 'mbstream', 'mariadbd', 'docker-entrypoint.sh'];
    const found = await sh(`for c in ${wanted.join(' ')}; do command -v "$c"; done`);
    expect(found.out.split('\n')).toEqual(['/usr/bin/socat', '/usr/bin/bash', '/usr/bin/mariadb-backup', '/usr/bin/mbstream', '/usr/sbin/mariadbd', '/usr/local/bin/docker-entrypoint.sh']);

    // Every name in every directory of PATH ($PATH's /sbin and /bin are symlinks into /usr).
    const listing = await sh('for d in ${PATH//:/ }; do [[ -L $d ]] && echo "$d -> $(readlink "$d")" && continue; [[ -d $d ]] && ls -A "$d" | sed "s|^|$d/|"; done');
    const entries = listing.out.split('\n');
    expect(entries).toContain('/sbin -> usr/sbin');
    expect(entries).toContain('/bin -> usr/bin');
    const paths = entries.filter(e => !e.includes(' -> '));
    expect(paths.filter(p => p.startsWith('/usr/local/'))).toEqual(['/usr/local/bin/docker-entrypoint.sh']);
    const names = paths.map(p => p.slice(p.lastIndexOf('/') + 1));
    const inventory = imageCommands(image)!;
    expect(names.filter(n => !inventory.includes(n))).toEqual([]);
    const hostHasThem = inventory.filter(n => n === 'docker-entrypoint.sh' || findHostCommand(n));
    expect([...new Set(names)].sort()).toEqual(hostHasThem.sort());
    // The run logs the inventory's commands the host lacks.
    expect(existsSync(join(dirname(cluster.dirs.pods), 'image', 'missing-commands.txt'))).toBe(true);
  });

  test('(c) nothing of the host is visible: no checkout, an /etc of the image and the pod', async () => {
    // The checkout may lie below a directory the container has too (a clone in /tmp): look for its files.
    expect((await sh(`test -e '${join(REPO_ROOT, 'package.json')}' || test -e '${join(REPO_ROOT, 'lib')}' || test -e /var/cache || test -e /sys`)).code).toBe(1);
    expect((await sh('ls -A /etc')).out.split('\n')).toEqual(['group', 'hostname', 'hosts', 'ld.so.cache', 'mysql', 'nsswitch.conf', 'passwd', 'resolv.conf']);
    expect((await sh('cat /etc/passwd')).out).toBe('root:x:0:0::/root:/bin/bash\nmysql:x:999:999::/var/lib/mysql:/bin/sh');
    expect((await sh('cat /etc/hostname; hostname')).out).toBe(`${pod.name}\n${pod.name}`);
    expect((await sh('grep -c "svc.cluster.local" /etc/hosts')).out).toBe('1');
    // kubectl exec starts in the container's / (inside its root, not the host's).
    expect((await sh('pwd -P')).out).toBe('/');
    // The harness's helpers are root's only.
    expect(await sh('ls /.harness')).toMatchObject({ code: 2, err: expect.stringContaining('Permission denied') });
  });

  test('(d) the container runs as uid 999 without capabilities, with the image\'s HOME', async () => {
    const status = await sh('id -u; id -g; echo "$HOME"; grep -E "^(CapEff|CapBnd|CapPrm|NoNewPrivs):" /proc/self/status');
    expect(status.out.split('\n')).toEqual(['999', '999', '/var/lib/mysql', 'CapPrm:\t0000000000000000', 'CapEff:\t0000000000000000', 'CapBnd:\t0000000000000000', 'NoNewPrivs:\t1']);
  });

  test('(e) PID 1 of the container is its command, in a pid namespace of its own', async () => {
    expect((await sh('tr "\\0" " " </proc/1/cmdline; echo; echo "$$"')).out.split('\n')).toEqual(['mariadbd ', expect.stringMatching(/^\d+$/)]);
    const hostPid = pod.pid1(SERVER)!;
    expect(readFileSync(`/proc/${hostPid}/cmdline`, 'utf8')).toBe('mariadbd\0');
    expect(readFileSync(`/proc/${hostPid}/status`, 'utf8')).toMatch(new RegExp(`^NSpid:\\t${hostPid}\\t1$`, 'm'));
    // The sidecar has a pid namespace of its own: it sees no mariadbd.
    const sidecar = (await sh('cat /proc/[0-9]*/comm', 'replication')).out.split('\n');
    expect(sidecar).toContain('bash');
    expect(sidecar).not.toContain('mariadbd');
  });

  test('graceful deletion: the server shuts down by itself on SIGTERM and exits 0', async () => {
    const report = await cluster.deletePodGracefully(0, 20);
    expect(report.killed).not.toContain(SERVER);
    expect(report.exits.find(e => e.container === SERVER)).toMatchObject({ exitCode: 0, signal: undefined });
    expect(report.ms).toBeLessThan(20_000 + 5_000);
    expect(pod.allProcessesGone()).toBe(true);
    const events = readFileSync(pod.logFile('events'), 'utf8');
    expect(events).toMatch(/deleting pod: SIGTERM to PID 1 of mysql, replication; grace period 20 s/);
    expect(events).toMatch(/container mysql exited: code 0\n/);
    expect(events).toMatch(/pod deleted \d+ ms after the SIGTERM/);
  }, 40_000);
});

describe('e2e harness: signals follow the kernel\'s rules for PID 1', () => {
  const GRACE_SECONDS = 2;
  /** A marker no other process of the host runs: `sleep 612.345`. */
  const MARKER = ['sleep', '612.345'];
  let cluster: StatefulSetCluster;
  let pod: Pod;

  beforeAll(async () => {
    preflight();
    const sts = synthesize({ replicas: 1 });
    // The chart's server container, with a command of the test's own: same image, user, start path.
    const base = sts.containers.find(c => c.name === SERVER)!;
    const container = (name: string, script: string): ContainerSpec => ({
      ...base, name, command: ['bash', '-c', script], args: undefined, env: [], mounts: [], readinessProbe: undefined, livenessProbe: undefined,
    });
    cluster = clusterOf({
      ...sts,
      initContainers: [],
      containers: [
        container('no-trap', 'while :; do sleep 1; done'),
        container('trap', 'trap "echo SIGTERM received; exit 0" TERM; while :; do sleep 1 & wait "$!"; done'),
      ],
    }, 'harness-signals');
    pod = await cluster.createPod(0);
    await waitFor('both containers to run their command', 10_000, () => pod.hasExecd('no-trap') && pod.hasExecd('trap'), 50);
  }, 30_000);

  afterAll(async () => {
    if (cluster) await cluster.teardown(false);
  }, 30_000);

  function markerProcesses(): number[] {
    return readdirSync('/proc').filter(entry => /^\d+$/.test(entry)).map(Number).filter(pid => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `${MARKER.join('\0')}\0`;
      } catch {
        return false;
      }
    });
  }

  test('(e) the command is PID 1; (f) a bash PID 1 without a trap ignores SIGTERM from outside', async () => {
    expect((await pod.exec('no-trap', ['bash', '-c', 'tr "\\0" " " </proc/1/cmdline'])).stdout).toBe('bash -c while :; do sleep 1; done ');
    process.kill(pod.pid1('no-trap')!, 'SIGTERM');
    await sleep(500);
    expect(pod.isRunning('no-trap')).toBe(true);
    expect(pod.lastExit('no-trap')).toBeUndefined();
  });

  test('(f) delete(): SIGTERM to every PID 1, the grace period, then SIGKILL; the whole pid namespace goes', async () => {
    // A process exec'd into the container lives in its pid namespace, not in its process group.
    const background = await pod.exec('no-trap', ['bash', '-c', `${MARKER.join(' ')} >/dev/null 2>&1 & echo "$!"`]);
    expect(background.code).toBe(0);
    expect(markerProcesses()).toHaveLength(1);

    const report = await cluster.deletePodGracefully(0, GRACE_SECONDS);
    expect(report.killed).toEqual(['no-trap']);
    expect(report.exits).toEqual([
      expect.objectContaining({ container: 'no-trap', exitCode: 137, signal: 'SIGKILL' }),
      expect.objectContaining({ container: 'trap', exitCode: 0, signal: undefined }),
    ]);
    expect(report.ms).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000);
    expect(report.ms).toBeLessThan(GRACE_SECONDS * 1000 + 3000);
    // The trapped container exited at once, long before the grace period ended.
    expect(pod.lastExit('trap')!.at - pod.lastExit('no-trap')!.at).toBeLessThan(-1000);
    expect(readFileSync(pod.logFile('trap'), 'utf8')).toContain('SIGTERM received');
    expect(pod.allProcessesGone()).toBe(true);
    expect(markerProcesses()).toEqual([]);
    const events = readFileSync(pod.logFile('events'), 'utf8');
    expect(events).toContain(`grace period of ${GRACE_SECONDS} s over: SIGKILL to no-trap`);
    expect(events).toContain('container no-trap exited: code 137 (SIGKILL)');
  }, 20_000);
});
