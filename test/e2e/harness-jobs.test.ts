import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import { SERVER } from '../../harness/db';
import { findHostCommand, waitFor } from '../../harness/host';
import { PersistentClaims } from '../../harness/claims';
import { clusterOf, REPLICATION_PASSWORD, SECRET, synthesize, WORK_ROOT } from '../../harness/launch';
import { jobFromCronJob, KubeObject, StatefulSetSpec } from '../../harness/manifest';
import { preflight } from '../../harness/preflight';
import { StatefulSetCluster } from '../../harness/statefulset';

/**
 * Fast checks of the harness's Jobs (see harness/README.md, "Jobs"): the pod of a Job
 * made from a CronJob's jobTemplate, as `kubectl create job --from=cronjob/…` makes
 * it, runs like a StatefulSet's pods do (its image's commands only, its user, its
 * volumes, its own network namespace with the cluster's DNS records, env from the
 * test's Secret), is never restarted (restartPolicy Never), is deleted at the Job's
 * activeDeadlineSeconds, and reports its exit code and logs. A claim named by a
 * `persistentVolumeClaim` volume outlives the cluster and is mounted read-only where the
 * manifest says so. Small synthetic CronJobs, no MariaDB. Needs root; fails, never skips.
 */

const REPO_ROOT = join(__dirname, '..', '..');
const CLAIM = 'probe-backups';
const SCRIPTS = 'probe-scripts';

/** The chart's server container's security settings, for the synthetic Jobs. */
const SECURITY = { runAsUser: 999, runAsGroup: 999, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

/** A CronJob in the shape the library's backup CronJob has, running its ConfigMap's run.sh (see scripts()) with bash. */
function cronJob(name: string, image: string, options: { deadline?: number; grace?: number; readOnlyClaim?: boolean; claim?: string; readOnlyRoot?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: {
      schedule: '0 3 * * *',
      concurrencyPolicy: 'Forbid',
      jobTemplate: {
        metadata: { labels: { 'app.kubernetes.io/component': 'probe' } },
        spec: {
          backoffLimit: 0,
          activeDeadlineSeconds: options.deadline ?? 30,
          template: {
            metadata: { labels: { 'app.kubernetes.io/component': 'probe' } },
            spec: {
              restartPolicy: 'Never',
              terminationGracePeriodSeconds: options.grace ?? 1,
              securityContext: { fsGroup: 999 },
              containers: [{
                name: 'job',
                image,
                command: ['bash', '/opt/probe/run.sh'],
                env: [
                  { name: 'SECRET_VALUE', valueFrom: { secretKeyRef: { name: SECRET, key: 'replication-password' } } },
                  { name: 'STEP', value: 'from the manifest' },
                ],
                securityContext: { ...SECURITY, ...(options.readOnlyRoot ? { readOnlyRootFilesystem: true } : {}) },
                volumeMounts: [
                  { name: 'scripts', mountPath: '/opt/probe', readOnly: true },
                  { name: 'backups', mountPath: '/backups' },
                ],
              }],
              volumes: [
                { name: 'scripts', configMap: { name: `${SCRIPTS}-${name}`, defaultMode: 0o555 } },
                { name: 'backups', persistentVolumeClaim: { claimName: options.claim ?? CLAIM, ...(options.readOnlyClaim ? { readOnly: true } : {}) } },
              ],
            },
          },
        },
      },
    },
  };
}

function scripts(name: string, script: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${SCRIPTS}-${name}` }, data: { 'run.sh': script } };
}

/** The synthesized chart's StatefulSet with one container of the test's own: socat answers on 3307 with the pod's hostname. */
function listenerSet(extra: KubeObject[]): StatefulSetSpec {
  const sts = synthesize({ replicas: 1 });
  const base = sts.containers.find(c => c.name === SERVER)!;
  return {
    ...sts,
    initContainers: [],
    containers: [{
      ...base, name: 'listener', command: ['socat', 'TCP4-LISTEN:3307,reuseaddr,fork', 'EXEC:cat /etc/hostname'], args: undefined,
      env: [], mounts: [], readinessProbe: undefined, livenessProbe: undefined,
    }],
    objects: [...sts.objects, ...extra],
  };
}

describe('e2e harness: the pod of a Job made from a CronJob', () => {
  let cluster: StatefulSetCluster;
  let second: StatefulSetCluster | undefined;
  let claims: PersistentClaims;
  let sts: StatefulSetSpec;
  let image: string;

  const PROBE = `set -u
echo "uid=$(id -u) gid=$(id -g) groups=$(id -G)"
echo "hostname=$(cat /etc/hostname)"
echo "secret=$SECRET_VALUE"
echo "step=$STEP"
echo "pid1=$(tr '\\0' ' ' </proc/1/cmdline)"
command -v ncat >/dev/null && echo "ncat visible"
test -e '${join(REPO_ROOT, 'package.json')}' && echo "checkout visible"
test -e /sys && echo "sys visible"
grep -q 'svc.cluster.local' /etc/hosts || echo "no cluster DNS records"
exec 3<>"/dev/tcp/$PEER/3307"
echo "peer says $(cat <&3)"
echo "written by $(cat /etc/hostname)" >/backups/probe.txt
ls -ld /backups | cut -d' ' -f1,3,4
`;

  beforeAll(async () => {
    preflight();
    const base = synthesize({ replicas: 1 });
    image = base.containers.find(c => c.name === SERVER)!.image;
    const peer = `mysql-0.${base.serviceName}.${base.namespace}.svc.cluster.local`;
    const jobs: Array<[string, string, Parameters<typeof cronJob>[2]]> = [
      ['probe', `PEER=${peer}\n${PROBE}`, {}],
      ['fails', 'echo "about to fail"; exit 3', {}],
      ['hangs', 'echo "hanging"; sleep 600', { deadline: 2, grace: 1 }],
      ['nowhere', 'true', { claim: 'nobody-made-this' }],
      ['readonly', 'touch /var/lib/probe 2>/dev/null && echo "root writable"; touch /tmp/probe 2>/dev/null && echo "tmp writable"; echo x >/backups/ro.txt && rm /backups/ro.txt && echo "volume writable"', { readOnlyRoot: true }],
    ];
    const pvc: KubeObject = {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: CLAIM },
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } },
    };
    sts = listenerSet([pvc, ...jobs.flatMap(([name, script, options]) => [cronJob(name, image, options), scripts(name, script)])]);
    claims = new PersistentClaims(join(WORK_ROOT, `run-${process.pid}`, 'harness-jobs-claims'));
    cluster = clusterOf(sts, 'harness-jobs', { persistentClaims: claims });
    await cluster.createPod(0);
    await cluster.waitReady(0, 10_000);
  }, 30_000);

  afterAll(async () => {
    if (cluster) await cluster.teardown(false);
    if (second) await second.teardown(false);
    claims?.deleteAll();
  }, 30_000);

  test('runs once as its user with only its image\'s commands, its volumes, env from the Secret, and the cluster\'s DNS', async () => {
    if (!findHostCommand('ncat')) throw new Error('the host has no ncat: install it (apt-get install ncat), so that this test proves a host command stays out of the Job\'s container');
    const run = cluster.startJob(jobFromCronJob(sts.objects, 'probe', { jobName: 'manual-1' }));
    const result = await run.result;
    const log = run.log('job');
    expect({ succeeded: result.succeeded, reason: result.reason, pods: result.pods.length }).toEqual({ succeeded: true, reason: undefined, pods: 1 });
    const pod = result.pods[0];
    expect(pod.name).toMatch(/^manual-1-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(pod.phase).toBe('Succeeded');
    expect(pod.lastExit('job')).toMatchObject({ exitCode: 0 });
    expect(pod.restarts.get('job') ?? 0).toBe(0);
    expect(log).toContain('uid=999 gid=999 groups=999');
    expect(log).toContain(`hostname=${pod.name}`);
    expect(log).toContain(`secret=${REPLICATION_PASSWORD}`);
    expect(log).toContain('step=from the manifest');
    expect(log).toContain('pid1=bash /opt/probe/run.sh');
    expect(log).not.toMatch(/ncat visible|checkout visible|sys visible|no cluster DNS records/);
    expect(log).toContain('peer says mysql-0');
    // The claim: given to the fsGroup as kubelet does, the file written as uid 999.
    expect(log).toMatch(/^drwxrwsr-x root mysql$/m);
    const file = join(claims.dir(CLAIM), 'probe.txt');
    expect(readFileSync(file, 'utf8')).toBe(`written by ${pod.name}\n`);
    expect([statSync(file).uid, statSync(file).gid]).toEqual([999, 999]);
    // Its namespaces and directory went when it ended; the log stays.
    expect(pod.allProcessesGone()).toBe(true);
    expect(existsSync(pod.sandbox.dir)).toBe(false);
    expect(readFileSync(pod.logFile('events'), 'utf8')).toMatch(/pod Succeeded: every container exited with code 0/);
  }, 20_000);

  test('readOnlyRootFilesystem: nothing of the root is writable, not even /tmp; its volumes are', async () => {
    const run = cluster.startJob(jobFromCronJob(sts.objects, 'readonly', { jobName: 'manual-readonly' }));
    const result = await run.result;
    expect(result.succeeded).toBe(true);
    const log = run.log('job');
    expect(log).not.toMatch(/root writable|tmp writable/);
    expect(log).toContain('volume writable');
  }, 20_000);

  test('a failing container is not restarted: the Job fails with its exit code (backoffLimit 0)', async () => {
    const run = cluster.startJob(jobFromCronJob(sts.objects, 'fails', { jobName: 'manual-fails' }));
    const result = await run.result;
    expect({ succeeded: result.succeeded, reason: result.reason, pods: result.pods.length }).toEqual({ succeeded: false, reason: 'BackoffLimitExceeded', pods: 1 });
    expect(result.pods[0].phase).toBe('Failed');
    expect(result.pods[0].exits).toEqual([expect.objectContaining({ container: 'job', exitCode: 3 })]);
    expect(run.log('job')).toContain('about to fail');
  }, 20_000);

  test('activeDeadlineSeconds: the pod is deleted at the deadline (SIGTERM, grace period, SIGKILL) and the Job fails', async () => {
    const run = cluster.startJob(jobFromCronJob(sts.objects, 'hangs', { scheduledAt: new Date('2026-12-01T03:00:00Z') }));
    expect(run.job.name).toBe(`hangs-${Date.parse('2026-12-01T03:00:00Z') / 60_000}`);
    const result = await run.result;
    expect({ succeeded: result.succeeded, reason: result.reason }).toEqual({ succeeded: false, reason: 'DeadlineExceeded' });
    // 2 s deadline; bash as PID 1 ignores the SIGTERM, so the 1 s grace period ends with SIGKILL.
    expect(result.ms).toBeGreaterThanOrEqual(3000);
    expect(result.ms).toBeLessThan(6000);
    const pod = result.pods[0];
    expect(pod.phase).toBe('Failed');
    expect(pod.lastExit('job')).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
    expect(pod.allProcessesGone()).toBe(true);
    expect(run.log('job')).toContain('hanging');
    expect(readFileSync(pod.logFile('events'), 'utf8')).toMatch(/exceeded its activeDeadlineSeconds \(2 s\)[\s\S]*grace period of 1 s over: SIGKILL to job/);
  }, 20_000);

  test('a claim that neither the manifests nor the test made cannot be mounted', async () => {
    await expect(cluster.startJob(jobFromCronJob(sts.objects, 'nowhere', { jobName: 'manual-nowhere' })).result)
      .rejects.toThrow(/PersistentVolumeClaim default\/nobody-made-this does not exist .* would stay Pending/);
  });

  test('destroy() deletes the pods and the data claims, keeps the persistent claim; a second cluster mounts it read-only', async () => {
    const dataClaim = cluster.claimDir(0);
    expect(existsSync(dataClaim)).toBe(true);
    await cluster.destroy();
    expect(existsSync(dataClaim)).toBe(false);
    expect(readdirSync(claims.dir(CLAIM))).toEqual(['probe.txt']);

    // A second cluster names the same claim, read-only: it reads what the first wrote and cannot write.
    const reader = 'reader';
    const script = 'cat /backups/probe.txt; if touch /backups/new 2>/dev/null; then echo "wrote"; else echo "read-only"; fi';
    const readerSts = listenerSet([cronJob(reader, image, { readOnlyClaim: true }), scripts(reader, script)]);
    second = clusterOf(readerSts, 'harness-jobs-2', { persistentClaims: claims });
    const run = second.startJob(jobFromCronJob(readerSts.objects, reader, { jobName: 'manual-read' }));
    const result = await run.result;
    expect(result.succeeded).toBe(true);
    expect(run.log('job')).toMatch(/written by manual-1-\w{5}\nread-only\n/);
    expect(readdirSync(claims.dir(CLAIM))).toEqual(['probe.txt']);
    await waitFor('no process of the reader pod', 5000, () => result.pods[0].allProcessesGone());
  }, 30_000);
});
