// Small helpers for script tests that run the shipped scripts as real processes.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { createServer } from 'net';

/** A running process with its collected output. */
export interface Running {
  readonly child: ChildProcess;
  log(): string;
}

/** Starts argv in its own process group with exactly `env` (and the test's PATH unless given). */
export function start(argv: string[], env: Record<string, string>): Running {
  const child = spawn(argv[0], argv.slice(1), { env: { PATH: process.env.PATH!, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', chunk => { log += chunk; });
  child.stderr!.on('data', chunk => { log += chunk; });
  return { child, log: () => log };
}

/** SIGKILLs the process group of `running` (only processes this test started) and waits for it. */
export async function stop(running: Running | undefined): Promise<void> {
  if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return;
  const exited = new Promise(resolve => running.child.once('exit', resolve));
  try {
    process.kill(-running.child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
  await exited;
}

/** The exit code of `running`, once it has exited. */
export async function exitCode(running: Running): Promise<number | null> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return running.child.exitCode;
  return new Promise(resolve => running.child.once('exit', code => resolve(code)));
}

export async function until(what: string, check: () => boolean, timeoutMs = 30_000, log?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${log ? `:\n${log()}` : ''}`);
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

export async function freePort(): Promise<number> {
  return new Promise(resolve => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Fails, loudly, unless the test runs as root with the commands it needs. */
export function requireRootAndCommands(what: string, commands: string[]): void {
  if (process.getuid?.() !== 0) {
    throw new Error(`${what} needs root (private mount namespaces give the scripts the member DNS names they connect to)`);
  }
  const missing = commands.filter(c => spawnSync('bash', ['-c', `command -v '${c}'`]).status !== 0);
  if (missing.length) {
    throw new Error(`${what} needs ${missing.join(', ')} on this machine (Debian: mariadb-server mariadb-backup socat zstd util-linux)`);
  }
}

/**
 * Runs `script` with bash in a private mount namespace whose /etc/hosts is `hostsFile`,
 * so that the member names it resolves point where the test wants.
 */
export function startWithHosts(hostsFile: string, script: string, env: Record<string, string>): Running {
  return start(['unshare', '--mount', '--propagation', 'private', '--', 'bash', '-c',
    `mount --bind '${hostsFile}' /etc/hosts && exec bash '${script}'`], env);
}
