import { readFileSync } from 'fs';
import { atMost, sleep } from './host';
import { Pod } from './kubelet';
import { JobSpec } from './manifest';

/** What a Job needs from the cluster it runs in (the StatefulSet cluster provides it). */
export interface JobPodHost {
  /** Creates and starts a pod of the Job. */
  createJobPod(job: JobSpec): Promise<Pod>;
  /** Forgets a pod of the Job that has ended or been deleted. */
  releaseJobPod(pod: Pod): void;
}

/**
 * A minimal Job controller for one Job (`kubectl create job --from=cronjob/…`, or the
 * CronJob controller at a scheduled time): one pod at a time; a pod that fails is
 * followed by a new one after a backoff until `backoffLimit` pods have failed (then the
 * Job fails, reason BackoffLimitExceeded); when `activeDeadlineSeconds` have passed since
 * the Job started, its running pod is deleted as `kubectl delete pod` does (SIGTERM,
 * the pod's grace period, SIGKILL) and the Job fails, reason DeadlineExceeded. A pod
 * that succeeds completes the Job. The pods' logs stay after they end.
 */

/** How a Job ended, as `kubectl get job` / `describe job` report it. */
export interface JobResult {
  readonly name: string;
  readonly succeeded: boolean;
  /** Why the Job failed: `DeadlineExceeded` or `BackoffLimitExceeded`. */
  readonly reason?: 'DeadlineExceeded' | 'BackoffLimitExceeded';
  /** Every pod the Job created, in order. */
  readonly pods: Pod[];
  /** Milliseconds from the Job's start to its end. */
  readonly ms: number;
}

export class JobRun {
  /** Every pod the Job created, in order. */
  public readonly pods: Pod[] = [];
  /** Resolves when the Job has completed or failed (never rejects for a failed pod). */
  public readonly result: Promise<JobResult>;
  public readonly startedAt = Date.now();
  private deadlineHit = false;

  constructor(public readonly job: JobSpec, private readonly cluster: JobPodHost, private readonly backoffMs: (failures: number) => number) {
    this.result = this.run();
  }

  /** The Job's current (or last) pod. */
  public get pod(): Pod | undefined {
    return this.pods[this.pods.length - 1];
  }

  /** The log of a container of the Job's last pod (`kubectl logs job/<name> -c <container>`). */
  public log(container: string): string {
    const pod = this.pod;
    if (!pod) return '';
    try {
      return readFileSync(pod.logFile(container), 'utf8');
    } catch {
      return '';
    }
  }

  private async run(): Promise<JobResult> {
    const deadlineSeconds = this.job.activeDeadlineSeconds;
    const deadlineAt = deadlineSeconds === undefined ? Infinity : this.startedAt + deadlineSeconds * 1000;
    const end = (succeeded: boolean, reason?: JobResult['reason']): JobResult =>
      ({ name: this.job.name, succeeded, reason, pods: [...this.pods], ms: Date.now() - this.startedAt });
    let failures = 0;
    for (;;) {
      const pod = await this.cluster.createJobPod(this.job);
      this.pods.push(pod);
      pod.event(`pod of Job ${this.job.name} (backoffLimit ${this.job.backoffLimit}, activeDeadlineSeconds ${deadlineSeconds ?? 'none'})`);
      if (deadlineAt === Infinity) await pod.finished;
      else await atMost(pod.finished, deadlineAt - Date.now());
      if (Date.now() >= deadlineAt && pod.phase !== 'Succeeded' && pod.phase !== 'Failed') {
        this.deadlineHit = true;
        pod.event(`Job ${this.job.name} exceeded its activeDeadlineSeconds (${deadlineSeconds} s): deleting its pod`);
        await pod.delete();
        this.cluster.releaseJobPod(pod);
        return end(false, 'DeadlineExceeded');
      }
      this.cluster.releaseJobPod(pod);
      if (pod.phase === 'Succeeded') return end(true);
      failures++;
      if (failures > this.job.backoffLimit) return end(false, 'BackoffLimitExceeded');
      const wait = this.backoffMs(failures);
      if (Date.now() + wait >= deadlineAt) {
        await sleep(Math.max(0, deadlineAt - Date.now()));
        this.deadlineHit = true;
        return end(false, 'DeadlineExceeded');
      }
      await sleep(wait);
    }
  }

  /** True once the Job was failed for its deadline. */
  public get deadlineExceeded(): boolean {
    return this.deadlineHit;
  }
}
