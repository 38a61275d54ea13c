import { ChildProcess, spawn, spawnSync } from 'child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'fs';
import { join } from 'path';

/**
 * Small wrappers around child_process for the harness: every command has a timeout,
 * runs in its own process group (so a timeout kills everything it started) and
 * reports its output instead of throwing, unless asked to.
 */

/** Outcome of a finished command. */
export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly ms: number;
}

/** Options of {@link run}. */
export interface RunOptions {
  /** Kill the command (its whole process group) after this many milliseconds. */
  readonly timeoutMs: number;
  /** Written to the command's standard input. */
  readonly input?: string;
  /** Environment; the harness's own when left out. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs a command to its end (or its timeout). Never throws for a non-zero exit. */
export function run(argv: readonly string[], options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  return new Promise(resolve => {
    const child = spawn(argv[0], argv.slice(1), {
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', chunk => { stdout += chunk; });
    child.stderr.on('data', chunk => { stderr += chunk; });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGKILL');
    }, options.timeoutMs);
    child.on('error', error => {
      stderr += String(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, ms: Date.now() - started });
    });
  });
}

/** Runs a command synchronously and returns its stdout; throws with its stderr on failure. */
export function runSync(argv: readonly string[], timeoutMs = 15_000): string {
  const result = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: timeoutMs });
  if (result.error || result.status !== 0) {
    throw new Error(`${argv.join(' ')} failed (status ${result.status}${result.error ? `, ${result.error.message}` : ''}): ${result.stderr?.trim()}`);
  }
  return result.stdout;
}

/** Like {@link runSync} but returns false instead of throwing. */
export function trySync(argv: readonly string[], timeoutMs = 15_000): boolean {
  const result = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: timeoutMs });
  return !result.error && result.status === 0;
}

/** Sends a signal to the process group a detached child leads; ignores groups already gone. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Sends a signal to one process; ignores processes already gone. */
export function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** Waits for a promise, but at most `ms`; leaves no timer behind. */
export async function atMost<T>(promise: Promise<T> | undefined, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>(resolve => { timer = setTimeout(() => resolve(undefined), Math.max(0, ms)); })]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `check` until it returns a value other than undefined/false, or fails after
 * `timeoutMs` with `what` and the last reason `check` gave (by throwing).
 */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | false> | T | undefined | false, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastReason = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) {
        return value;
      }
    } catch (error) {
      lastReason = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${lastReason ? ` (last: ${lastReason})` : ''}`);
    }
    await sleep(intervalMs);
  }
}

/** Measures phases and prints them as a small table. */
export class Timings {
  private readonly phases: Array<{ name: string; ms: number }> = [];
  private last = Date.now();
  private readonly start = Date.now();

  constructor(private readonly title: string) {}

  /** Records the time since the previous mark (or the start) under `name`. */
  public mark(name: string): void {
    const now = Date.now();
    this.phases.push({ name, ms: now - this.last });
    this.last = now;
  }

  public report(): string {
    const width = Math.max(...this.phases.map(p => p.name.length), 5);
    const lines = this.phases.map(p => `  ${p.name.padEnd(width)}  ${(p.ms / 1000).toFixed(1).padStart(6)} s`);
    lines.push(`  ${'total'.padEnd(width)}  ${((Date.now() - this.start) / 1000).toFixed(1).padStart(6)} s`);
    return `${this.title}\n${lines.join('\n')}`;
  }
}

/** A command as the host's PATH finds it. */
export interface HostCommand {
  /** The directory of the host's PATH it is found in. */
  readonly hostDir: string;
  /** The executable, every symlink resolved (awk -> /etc/alternatives/awk -> /usr/bin/gawk). */
  readonly hostPath: string;
}

/** The host's PATH, /sbin and /bin being symlinks to their /usr counterparts. */
export const HOST_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin'];

/** The host's executable of a command name, or undefined if the host has none. */
export function findHostCommand(name: string): HostCommand | undefined {
  for (const hostDir of HOST_PATH) {
    const path = join(hostDir, name);
    if (!existsSync(path)) continue;
    const hostPath = realpathSync(path);
    const stat = statSync(hostPath);
    if (stat.isFile() && (stat.mode & 0o111) !== 0) return { hostDir, hostPath };
  }
  return undefined;
}

/** The children of a process (its main thread's), from /proc; [] if it is gone. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
