import { ChildProcess, spawn } from 'child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync } from 'fs';
import { constants } from 'os';
import { join } from 'path';
import { alive, atMost, childPids, killGroup, killPid, RunResult } from './host';
import { ImageModel } from './image-model';
import { containerArgv, ContainerSpec, PodContext, PodTemplateSpec, resolveEnv } from './manifest';
import { HARNESS_DIR } from './rootfs';
import { PodSandbox } from './sandbox';

/**
 * A minimal kubelet for one pod: init containers in order, each retried with a
 * bounded backoff until it succeeds (restartPolicy Never: a failed init container
 * fails the pod); then every container started together and restarted whenever it
 * exits (restartPolicy Always), only after a failure (OnFailure) or never (Never: the
 * pod ends Succeeded when every container exited 0, else Failed); the server's
 * readiness probe exec'd in its namespaces every periodSeconds with its timeout and
 * thresholds; deletion with SIGTERM, the grace period and SIGKILL.
 * Each container's output goes to <logs>/<pod>/<container>.log, every start and exit
 * (with its exit code) and every readiness change to <logs>/<pod>/events.log.
 */

/** Restart backoff: kubelet uses 10 s doubling to 5 min; compressed here to 1 s doubling to 8 s. */
export function restartBackoffMs(restarts: number): number {
  return Math.min(1000 * 2 ** Math.max(0, restarts - 1), 8000);
}
/** A container restarted this many times fails the pod (keeps every loop bounded). */
const MAX_RESTARTS = 100;

/** How a container ended, as Kubernetes reports it. */
export interface ContainerExit {
  readonly container: string;
  /** Exit code of the container's PID 1; 128 + n when a signal n killed it; -1 if it could not be started. */
  readonly exitCode: number;
  /** The signal an exit code above 128 stands for (a runtime cannot tell exit(137) from SIGKILL either). */
  readonly signal?: string;
  readonly at: number;
}

/** What `kubectl delete pod` took. */
export interface DeletionReport {
  /** Milliseconds from the SIGTERM until every process of the pod was gone. */
  readonly ms: number;
  /** Containers still running when the grace period ended, and SIGKILLed then. */
  readonly killed: string[];
  /** How each container that was running at the SIGTERM ended. */
  readonly exits: ContainerExit[];
}

/** One start of a container. */
interface Running {
  /** bin/container-start.sh: the parent of the container's PID 1, outside its pid namespace. */
  readonly child: ChildProcess;
  readonly exited: Promise<ContainerExit>;
  /** Host pid of the container's PID 1, once known. */
  pid1?: number;
}

/** What PID 1 runs before it becomes the container's command: the harness's scripts, then the exec chain. */
const START_SCRIPTS = ['/container-start.sh', '/container-init.sh'];
const EXEC_CHAIN = ['chroot', `${HARNESS_DIR}/env`, `${HARNESS_DIR}/setpriv`];

function containerExit(container: string, code: number | null, signal: NodeJS.Signals | null): ContainerExit {
  const exitCode = signal ? 128 + constants.signals[signal] : code ?? -1;
  const signalName = exitCode > 128 ? Object.entries(constants.signals).find(([, n]) => n === exitCode - 128)?.[0] : undefined;
  return { container, exitCode, signal: signalName, at: Date.now() };
}

function describeExit(exit: ContainerExit): string {
  return `code ${exit.exitCode}${exit.signal ? ` (${exit.signal})` : ''}`;
}

/** The pod's phase, as the API reports it. */
export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export class Pod {
  /** Pending until the containers start; Succeeded or Failed once a pod that restarts nothing has ended. */
  public phase: PodPhase = 'Pending';
  /** True while the readiness probe says Ready and every container runs. */
  public ready = false;
  /** Every readiness transition, for assertions. */
  public readonly readyHistory: Array<{ at: number; ready: boolean }> = [];
  /** Set when the pod gave up (a container restarted too often); the reason. */
  public failed?: string;
  public readonly restarts = new Map<string, number>();
  /** Every container exit of this pod, in order. */
  public readonly exits: ContainerExit[] = [];
  public readonly startedAt = Date.now();
  private readonly running = new Map<string, Running>();
  private readonly env = new Map<string, Map<string, string>>();
  private stopping = false;
  private readonly logDir: string;
  private lifecycle?: Promise<void>;
  private readonly wakers = new Set<() => void>();

  constructor(
    public readonly name: string,
    /** The StatefulSet ordinal; -1 for a pod of a Job. */
    public readonly ordinal: number,
    public readonly sandbox: PodSandbox,
    private readonly template: PodTemplateSpec,
    private readonly images: ReadonlyMap<string, ImageModel>,
    context: PodContext,
    logsDir: string,
    private readonly onReadyChange: (pod: Pod) => void,
  ) {
    this.logDir = join(logsDir, name);
    mkdirSync(this.logDir, { recursive: true });
    for (const c of [...template.initContainers, ...template.containers]) {
      this.env.set(c.name, resolveEnv(c, context));
    }
  }

  /** Path of a container's log file. */
  public logFile(container: string): string {
    return join(this.logDir, `${container}.log`);
  }

  public event(message: string): void {
    appendFileSync(join(this.logDir, 'events.log'), `${new Date().toISOString()} ${message}\n`);
  }

  /** Starts the pod's lifecycle in the background. */
  public start(): void {
    this.event(`pod ${this.name} created: ip ${this.sandbox.ip}, netns ${this.sandbox.netns}`);
    this.lifecycle = this.runLifecycle().catch(error => {
      this.failed = String(error);
      this.event(`lifecycle error: ${error}`);
      if (this.template.restartPolicy !== 'Always') this.phase = 'Failed';
    });
    const deadline = this.template.activeDeadlineSeconds;
    if (deadline !== undefined) {
      // kubelet: a pod past its own activeDeadlineSeconds is killed (the containers get
      // their grace period) and fails with reason DeadlineExceeded.
      const timer = setTimeout(() => {
        if (this.stopping) return;
        this.event(`activeDeadlineSeconds (${deadline} s) of the pod exceeded: killing it`);
        void this.delete().then(() => { this.phase = 'Failed'; this.event('pod Failed: DeadlineExceeded'); });
      }, deadline * 1000);
      void this.lifecycle.finally(() => clearTimeout(timer));
    }
  }

  /** Whether the named container has a live process now. */
  public isRunning(container: string): boolean {
    const r = this.running.get(container);
    return r !== undefined && isLive(r);
  }

  /** How the named container ended last, if it has ended. */
  public lastExit(container: string): ContainerExit | undefined {
    return this.exits.filter(e => e.container === container).pop();
  }

  /** Host pid of a running container's PID 1 (undefined until it is forked). */
  public pid1(container: string): number | undefined {
    const r = this.running.get(container);
    return r && isLive(r) ? this.pid1Of(r) : undefined;
  }

  private pid1Of(r: Running): number | undefined {
    if (r.pid1 === undefined && r.child.pid !== undefined) r.pid1 = childPids(r.child.pid)[0];
    return r.pid1;
  }

  /**
   * Signals a container as the runtime does: its PID 1 (which, as the init of its pid
   * namespace, ignores every signal it has no handler for, SIGKILL aside). SIGKILL also
   * goes to the harness's processes around it, should PID 1 not be forked yet.
   */
  private signalContainer(r: Running, signal: NodeJS.Signals): void {
    if (!isLive(r)) return;
    const pid = this.pid1Of(r);
    if (pid !== undefined) killPid(pid, signal);
    if (signal === 'SIGKILL') killGroup(r.child, 'SIGKILL');
  }

  /** SIGKILLs one container's PID 1, and so its every process (kubelet then restarts or retries it). */
  public killContainer(container: string): void {
    const r = this.running.get(container);
    if (!r || !isLive(r)) throw new Error(`${this.name}: container ${container} is not running`);
    this.event(`killing container ${container} (test action)`);
    this.signalContainer(r, 'SIGKILL');
  }

  /** Runs a command in a running container, like `kubectl exec`. */
  public async exec(container: string, argv: string[], options: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
    const spec = this.spec(container);
    if (!this.isRunning(container)) {
      throw new Error(`${this.name}: container ${container} is not running`);
    }
    if (!this.hasExecd(container)) {
      throw new Error(`${this.name}: container ${container} has not started its command yet (its root is being built)`);
    }
    return this.sandbox.exec(this.pid1(container)!, spec, this.env.get(container)!, argv, { timeoutMs: options.timeoutMs ?? 30_000, input: options.input });
  }

  /** The resolved environment of a container. */
  public containerEnv(container: string): Map<string, string> {
    return this.env.get(container)!;
  }

  /**
   * Sets environment variables of one container for its next start (test action, e.g.
   * a benchmark variant). Kubernetes has no such per-pod edit: a real cluster changes
   * the pod template, which rolls every pod.
   */
  public overrideEnv(container: string, vars: Record<string, string>): void {
    const env = this.env.get(container);
    if (!env) throw new Error(`${this.name}: no container ${container} in the pod template`);
    for (const [name, value] of Object.entries(vars)) env.set(name, value);
    this.event(`env of ${container} overridden (test action): ${Object.keys(vars).join(', ')}`);
  }

  /**
   * Kills every process of the pod at once (SIGKILL: no grace period, as a node crash or
   * `kubectl delete pod --force --grace-period=0` would) and waits for the lifecycle to end.
   */
  public async kill(): Promise<void> {
    this.stopping = true;
    this.event('pod killed (SIGKILL to every process)');
    this.wakers.forEach(wake => wake());
    for (const r of this.running.values()) this.signalContainer(r, 'SIGKILL');
    this.sandbox.destroy(false);
    const deadline = Date.now() + 15_000;
    for (const r of this.running.values()) {
      await atMost(r.exited, deadline - Date.now());
    }
    await atMost(this.lifecycle, deadline - Date.now());
    this.setReady(false);
    if (this.template.restartPolicy !== 'Always' && (this.phase === 'Pending' || this.phase === 'Running')) this.phase = 'Failed';
  }

  /**
   * Deletes the pod gracefully, as `kubectl delete pod [--grace-period=N]` does: the pod
   * stops being Ready and nothing is restarted any more; SIGTERM goes to the PID 1 of
   * every running container (an init container too) at once; whatever still runs when
   * the grace period (the manifest's terminationGracePeriodSeconds unless given) ends
   * is SIGKILLed; then the sandbox goes. No preStop hooks are modelled.
   */
  public async delete(gracePeriodSeconds = this.template.terminationGracePeriodSeconds): Promise<DeletionReport> {
    this.stopping = true;
    this.wakers.forEach(wake => wake());
    this.setReady(false);
    const running = [...this.running].filter(([, r]) => isLive(r));
    const names = running.map(([name]) => name);
    const started = Date.now();
    this.event(`deleting pod: SIGTERM to PID 1 of ${names.join(', ') || 'no running container'}; grace period ${gracePeriodSeconds} s`);
    for (const [, r] of running) this.signalContainer(r, 'SIGTERM');
    const graceEnd = started + gracePeriodSeconds * 1000;
    await Promise.all(running.map(([, r]) => atMost(r.exited, graceEnd - Date.now())));
    const killed = running.filter(([, r]) => isLive(r)).map(([name]) => name);
    if (killed.length) {
      this.event(`grace period of ${gracePeriodSeconds} s over: SIGKILL to ${killed.join(', ')}`);
      for (const name of killed) this.signalContainer(this.running.get(name)!, 'SIGKILL');
    }
    const deadline = Date.now() + 15_000;
    await Promise.all(running.map(([, r]) => atMost(r.exited, deadline - Date.now())));
    this.sandbox.destroy(false);
    await atMost(this.lifecycle, deadline - Date.now());
    // A pod that restarts nothing and is deleted before it ended counts as failed (its Job sees a failed pod).
    if (this.template.restartPolicy !== 'Always' && (this.phase === 'Pending' || this.phase === 'Running')) this.phase = 'Failed';
    const ms = Date.now() - started;
    const exits = names.map(name => this.lastExit(name)!);
    this.event(`pod deleted ${ms} ms after the SIGTERM: ${exits.map(e => `${e.container} ${describeExit(e)}`).join(', ') || 'no container was running'}`);
    return { ms, killed, exits };
  }

  private spec(container: string): ContainerSpec {
    const spec = [...this.template.initContainers, ...this.template.containers].find(c => c.name === container);
    if (!spec) throw new Error(`no container ${container} in the pod template`);
    return spec;
  }

  /** Sleeps, but wakes up early when the pod is being killed. */
  private async pause(ms: number): Promise<void> {
    let wake!: () => void;
    const woken = new Promise<void>(resolve => { wake = resolve; });
    this.wakers.add(wake);
    await atMost(woken, ms);
    this.wakers.delete(wake);
  }

  private startContainer(container: ContainerSpec): Running {
    const env = this.env.get(container.name)!;
    const image = this.images.get(container.image);
    if (!image) throw new Error(`${this.name}: image ${container.image} of ${container.name} was not prepared`);
    const argv = this.sandbox.containerArgv(container, env, containerArgv(container, env, image));
    const restarts = this.restarts.get(container.name) ?? 0;
    const log = this.logFile(container.name);
    appendFileSync(log, `===== [harness] ${new Date().toISOString()} start #${restarts + 1} of ${container.name} =====\n`);
    const fd = openSync(log, 'a');
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    const exited = new Promise<ContainerExit>(resolve => {
      // container-start.sh exits once PID 1 and with it every process of the container is gone.
      child.on('exit', (code, signal) => {
        const exit = containerExit(container.name, code, signal);
        this.exits.push(exit);
        appendFileSync(log, `===== [harness] ${new Date().toISOString()} ${container.name} exited: ${describeExit(exit)} =====\n`);
        this.event(`container ${container.name} exited: ${describeExit(exit)}`);
        resolve(exit);
      });
      child.on('error', error => {
        this.event(`container ${container.name} failed to start: ${error}`);
        resolve(containerExit(container.name, null, null));
      });
    });
    this.event(`container ${container.name} started (container-start.sh pid ${child.pid})`);
    const running = { child, exited };
    this.running.set(container.name, running);
    return running;
  }

  /** The pod's end: the lifecycle (init containers, containers, probes) has finished. */
  public get finished(): Promise<void> {
    return this.lifecycle ?? Promise.resolve();
  }

  private endPhase(phase: 'Succeeded' | 'Failed', why: string): void {
    this.phase = phase;
    this.event(`pod ${phase}: ${why}`);
  }

  private async runLifecycle(): Promise<void> {
    for (const init of this.template.initContainers) {
      for (;;) {
        if (this.stopping) return;
        const { exitCode } = await this.startContainer(init).exited;
        if (this.stopping) return;
        if (exitCode === 0) break;
        if (this.template.restartPolicy === 'Never') {
          this.endPhase('Failed', `init container ${init.name} exited with code ${exitCode} (restartPolicy Never)`);
          return;
        }
        const restarts = (this.restarts.get(init.name) ?? 0) + 1;
        this.restarts.set(init.name, restarts);
        if (restarts >= MAX_RESTARTS) throw new Error(`init container ${init.name} failed ${restarts} times`);
        this.event(`init container ${init.name} failed; retrying in ${restartBackoffMs(restarts)} ms`);
        await this.pause(restartBackoffMs(restarts));
      }
    }
    this.phase = 'Running';
    const exits = await Promise.all([
      ...this.template.containers.map(c => this.superviseContainer(c)),
      this.probeReadiness().then(() => undefined),
    ]);
    if (this.stopping || this.template.restartPolicy === 'Always') return;
    this.setReady(false);
    const failed = exits.filter((e): e is ContainerExit => e !== undefined && e.exitCode !== 0);
    if (failed.length) this.endPhase('Failed', failed.map(e => `${e.container} exited with ${describeExit(e)}`).join(', '));
    else this.endPhase('Succeeded', 'every container exited with code 0');
  }

  /** Runs a container, restarting it as the restart policy says; returns its last exit once it is not restarted. */
  private async superviseContainer(container: ContainerSpec): Promise<ContainerExit | undefined> {
    for (;;) {
      if (this.stopping) return undefined;
      const exit = await this.startContainer(container).exited;
      if (this.stopping) return exit;
      const policy = this.template.restartPolicy;
      if (policy === 'Never' || (policy === 'OnFailure' && exit.exitCode === 0)) return exit;
      this.setReady(false);
      const restarts = (this.restarts.get(container.name) ?? 0) + 1;
      this.restarts.set(container.name, restarts);
      if (restarts >= MAX_RESTARTS) throw new Error(`container ${container.name} restarted ${restarts} times`);
      await this.pause(restartBackoffMs(restarts));
    }
  }

  /** The readiness probe of the (first) container that has one. */
  private async probeReadiness(): Promise<void> {
    const container = this.template.containers.find(c => c.readinessProbe);
    if (!container) {
      this.setReady(true);
      return;
    }
    const probe = container.readinessProbe!;
    let successes = 0;
    let failures = 0;
    await this.pause(probe.initialDelaySeconds * 1000);
    while (!this.stopping) {
      const started = Date.now();
      let ok = false;
      let detail = '';
      if (this.template.restartPolicy !== 'Always' && this.template.containers.every(c => this.lastExit(c.name) !== undefined && !this.isRunning(c.name))) {
        return;
      }
      if (!this.template.containers.every(c => this.isRunning(c.name))) {
        detail = 'not every container is running';
      } else if (!this.hasExecd(container.name)) {
        // The runtime has not started the container's command yet: no probe.
        await this.pause(200);
        continue;
      } else {
        const result = await this.exec(container.name, probe.command, { timeoutMs: probe.timeoutSeconds * 1000 }).catch(error => String(error));
        if (typeof result === 'string') {
          detail = result;
        } else {
          ok = result.code === 0 && !result.timedOut;
          detail = result.timedOut ? `timed out after ${probe.timeoutSeconds}s` : `exit ${result.code}: ${(result.stderr + result.stdout).trim()}`;
        }
      }
      if (this.stopping) return;
      if (ok) {
        failures = 0;
        successes++;
        if (successes >= probe.successThreshold) this.setReady(true);
      } else {
        successes = 0;
        failures++;
        this.event(`readiness probe failed (${failures}): ${detail}`);
        if (failures >= probe.failureThreshold || !this.ready) this.setReady(false);
      }
      await this.pause(Math.max(0, probe.periodSeconds * 1000 - (Date.now() - started)));
    }
  }

  private setReady(ready: boolean): void {
    if (this.ready === ready) return;
    this.ready = ready;
    this.readyHistory.push({ at: Date.now(), ready });
    this.event(ready ? 'Ready' : 'not Ready');
    this.onReadyChange(this);
  }

  /** True once a container's PID 1 runs the container's command (its root is built, the exec chain done). */
  public hasExecd(container: string): boolean {
    const pid = this.pid1(container);
    if (pid === undefined) return false;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return !EXEC_CHAIN.includes(argv[0]) && !(argv[0] === 'bash' && START_SCRIPTS.some(script => argv[1]?.endsWith(script)));
    } catch {
      return false;
    }
  }

  /** True when no process the kubelet started for this pod is still alive. */
  public allProcessesGone(): boolean {
    return [...this.running.values()].every(r => r.child.pid === undefined || !alive(r.child.pid));
  }
}

/** True until container-start.sh has exited, i.e. while any process of the container lives. */
function isLive(r: Running): boolean {
  return r.child.exitCode === null && r.child.signalCode === null;
}
