// A Redis server whose data (append-only file) lives on NFS and survives pod
// deletion: the L1 KubeStatefulSet "redis" with the claim template "data", the
// headless Service "redis" (stable name redis-0.redis), and one static NFS volume per
// ordinal, pre-bound to its claim, in the no-provisioner StorageClass "nfs-redis".
//
// Before `kubectl apply -f dist/redis.k8s.yaml`, create each export directory on the
// NFS server, writable by the Redis user (uid 999):
//   mkdir -p /exports/redis/data-redis-0 && chown 999:999 /exports/redis/data-redis-0
//
// Scaling up needs one more volume per pod: raise `count` of the volumes first.
import { App, Chart, ChartProps, Size } from 'cdk8s';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { HeadlessService, NfsPersistentVolumes, PerPodClaims } from '../lib';

const REDIS_IMAGE = 'redis:7.2-alpine';
const REDIS_UID = 999;
const REDIS_PORT = 6379;

/** Redis as an L1 StatefulSet on static NFS volumes. */
export class RedisChart extends Chart {
  /** The governing headless Service, `redis`. */
  public readonly service: HeadlessService;
  /** The StatefulSet, `redis`. */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** The per-pod claims `data-redis-<ordinal>`. */
  public readonly claims: PerPodClaims;
  /** One NFS export directory per pod, pre-bound to its claim. */
  public readonly volumes: NfsPersistentVolumes;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'default', ...props });
    const namespace = this.namespace ?? 'default';
    const labels = { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': 'redis' };

    this.service = new HeadlessService(this, 'redis', {
      selector: labels,
      labels,
      ports: [{ name: 'redis', port: REDIS_PORT, targetPort: REDIS_PORT }],
    });

    this.claims = new PerPodClaims({
      statefulSet: { name: 'redis' },
      namespace,
      replicas: 1,
      templateName: 'data',
      size: Size.gibibytes(2),
      storageClassName: 'nfs-redis',
    });

    const ping = { exec: { command: ['redis-cli', 'ping'] } };
    this.statefulSet = new k8s.KubeStatefulSet(this, 'redis-set', {
      metadata: { name: this.claims.statefulSetName, labels },
      spec: {
        serviceName: this.service.name,
        replicas: this.claims.replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: REDIS_UID, runAsGroup: REDIS_UID },
            containers: [{
              name: 'redis',
              image: REDIS_IMAGE,
              imagePullPolicy: 'IfNotPresent',
              args: ['--appendonly', 'yes', '--dir', '/data'],
              ports: [{ name: 'redis', containerPort: REDIS_PORT }],
              readinessProbe: { ...ping, periodSeconds: 5 },
              livenessProbe: { ...ping, initialDelaySeconds: 15, periodSeconds: 10 },
              resources: {
                requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') },
                limits: { memory: k8s.Quantity.fromString('256Mi') },
              },
              securityContext: {
                runAsNonRoot: true,
                runAsUser: REDIS_UID,
                runAsGroup: REDIS_UID,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [{ name: this.claims.templateName, mountPath: '/data' }],
            }],
          },
        },
        volumeClaimTemplates: [this.claims.toVolumeClaimTemplate()],
      },
    });

    this.volumes = new NfsPersistentVolumes(this, 'data', {
      claims: this.claims,
      server: 'nfs.example.internal',
      basePath: '/exports/redis',
      mountOptions: ['nfsvers=4.1', 'hard'],
    });
  }

  /** Fully qualified DNS name of each Redis pod, e.g. `redis-0.redis.default.svc.cluster.local`. */
  public get hosts(): string[] {
    return this.service.hostsFor(this.statefulSet, this.claims.replicas);
  }
}

export function buildApp(app: App = new App()): App {
  new RedisChart(app, 'redis');
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
