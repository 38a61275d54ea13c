import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ImageSource } from '../../internal/image-source';
import * as k8s from '../../internal/k8s';
import { optionalPlainObject, requireDuration, requireInstance, requireInteger, requirePlainObject, requireString } from '../../internal/validate';
import { MySqlCredentials } from '../credentials';
import { MySqlEngine } from '../engine/engine';
import { ResolvedCloneOptions } from '../pod/clone-options';
import {
  backupEngineId, backupFileCompression, bashScript, cloneChannelEnv, CONTAINER_SECURITY, env, identityEnv, PATHS, POD_SECURITY, replicationPasswordEnv, VOLUMES,
} from '../pod/mysql-pod';
import { sidecarLikeResources, toKubeResources } from '../pod/resources';
import { ReplicaTopology } from '../replica-topology';
import { BackupOptions } from '../stateful-mysql-props';
import { BackupDestination } from './backup-destination';
import { requireCronSchedule } from './cron-schedule';

/** CronJob names are limited to 52 characters (the controller appends an 11-character suffix to name Jobs). */
const MAX_CRON_JOB_NAME_LENGTH = 52;

/** What the backup pods need from their cluster. */
export interface ScheduledBackupsProps {
  readonly options: BackupOptions;
  readonly topology: ReplicaTopology;
  readonly engine: MySqlEngine;
  readonly credentials: MySqlCredentials;
  readonly clone: ResolvedCloneOptions;
  readonly scriptsConfigMapName: string;
  /** Labels of the backup pods, which the members' NetworkPolicy admits to the backup port. */
  readonly podLabels: Record<string, string>;
  /** Labels of the objects. */
  readonly labels: Record<string, string>;
  /** Where the images are pulled from. */
  readonly images: ImageSource;
}

/**
 * The CronJob of {@link BackupOptions} (and its claim, when the construct creates it).
 * Its pod runs `backup-job.sh` in the backup image, as the server's user, with the
 * scripts, the backup claim and the replication password (to authenticate on the clone
 * channel) and nothing else: no service account token, no other Secret.
 */
export class ScheduledBackups extends Construct {
  /** The CronJob. */
  public readonly cronJob: k8s.KubeCronJob;
  /** Name of the claim the files go to. */
  public readonly claimName: string;

  constructor(scope: Construct, id: string, props: ScheduledBackupsProps) {
    super(scope, id);
    const options = props.options;
    requirePlainObject('backup', options);
    const { topology, engine } = props;
    const schedule = requireCronSchedule('backup.schedule', options.schedule);
    const destination = requireInstance('backup.destination', options.destination, BackupDestination,
      'BackupDestination.existingClaim(name) or BackupDestination.newClaim({ size })');
    const retention = requireInteger('backup.retention', options.retention ?? 7, 1, 1000);
    const deadline = requireDuration('backup.deadline', options.deadline ?? Duration.hours(2));
    const deadlineSeconds = requireInteger('backup.deadline in seconds', deadline.toSeconds(), 60);
    const timeZone = options.timeZone === undefined ? undefined : requireString('backup.timeZone', options.timeZone);
    if (timeZone !== undefined && !knownTimeZone(timeZone)) {
      throw new Error(`backup.timeZone must be an IANA time zone name such as "Europe/Berlin" or "UTC", which the controller can load ("Local" is refused) (got ${JSON.stringify(timeZone)})`);
    }
    optionalPlainObject('backup.resources', options.resources);
    const given = sidecarLikeResources('backup.resources', options.resources);
    const resources = toKubeResources('backup.resources', given);
    const prepareMebibytes = Number(props.clone.prepareMemory.replace(/M$/, ''));
    const limitMebibytes = given.memoryLimit === undefined ? undefined : given.memoryLimit.toKibibytes() / 1024;
    if (limitMebibytes !== undefined && prepareMebibytes >= limitMebibytes) {
      throw new Error(`backup.resources.memoryLimit must be above clone.prepareMemory (${prepareMebibytes} MiB), which the backup's prepare uses, or the container is OOM-killed on every run (got ${given.memoryLimit!.asString()})`);
    }

    const name = `${topology.name}-backup`;
    if (name.length > MAX_CRON_JOB_NAME_LENGTH) {
      throw new Error(`backup needs a cluster name of at most ${MAX_CRON_JOB_NAME_LENGTH - '-backup'.length} characters, because the CronJob "${name}" may have at most ${MAX_CRON_JOB_NAME_LENGTH} (got "${topology.name}")`);
    }
    const namespace = topology.namespace;
    const newClaim = destination._newClaim;
    this.claimName = destination._claimName ?? `${topology.name}-backups`;
    if (newClaim) {
      // Not the cluster's labels: `kubectl delete pvc -l app.kubernetes.io/instance=<name>`,
      // the usual clean-up of the members' claims, must not take the backups along.
      new k8s.KubePersistentVolumeClaim(this, 'Claim', {
        metadata: { name: this.claimName, namespace, labels: { 'app.kubernetes.io/name': 'mysql-backups', 'app.kubernetes.io/part-of': topology.name } },
        spec: {
          accessModes: [...newClaim.accessModes ?? []],
          storageClassName: newClaim.storageClassName,
          resources: { requests: { storage: k8s.Quantity.fromString(newClaim.size.asString()) } },
        },
      });
    }

    const container: k8s.Container = {
      name: 'backup',
      image: props.images.image(engine.backupImage),
      command: bashScript('backup-job.sh'),
      env: [
        ...identityEnv(topology),
        ...cloneChannelEnv(engine, props.clone),
        ...replicationPasswordEnv(engine, props.credentials),
        env('PREPARE_MEMORY', props.clone.prepareMemory),
        env('BACKUP_DIR', PATHS.backups),
        env('BACKUP_RETENTION', retention),
        env('BACKUP_PREFIX', topology.name),
        env('BACKUP_ENGINE', backupEngineId(engine)),
        env('BACKUP_FILE_COMPRESSION', backupFileCompression(engine.backupImage)),
        // A lock older than a run can be is a killed run's: the next run takes it over.
        env('BACKUP_LOCK_STALE_SECONDS', deadlineSeconds + 60),
      ],
      volumeMounts: [
        { name: VOLUMES.scripts, mountPath: PATHS.scripts, readOnly: true },
        { name: VOLUMES.backups, mountPath: PATHS.backups },
      ],
      resources: resources,
      securityContext: CONTAINER_SECURITY,
    };

    this.cronJob = new k8s.KubeCronJob(this, 'Resource', {
      metadata: { name, namespace, labels: props.labels },
      spec: {
        schedule,
        timeZone,
        // A backup still running when the next is due is left alone; the next one waits.
        concurrencyPolicy: 'Forbid',
        // A run missed by more than this (controller down, cluster paused) is skipped.
        startingDeadlineSeconds: Math.min(deadlineSeconds, 3600),
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: props.podLabels },
          spec: {
            // A failed backup is not retried at once: the log says why, the next run tries again.
            backoffLimit: 0,
            activeDeadlineSeconds: deadlineSeconds,
            template: {
              metadata: { labels: props.podLabels },
              spec: {
                restartPolicy: 'Never',
                containers: [container],
                volumes: [
                  { name: VOLUMES.scripts, configMap: { name: props.scriptsConfigMapName, defaultMode: 0o555 } },
                  { name: VOLUMES.backups, persistentVolumeClaim: { claimName: this.claimName } },
                ],
                securityContext: POD_SECURITY,
                imagePullSecrets: props.images.imagePullSecrets,
                automountServiceAccountToken: false,
              },
            },
          },
        },
      },
    });
  }
}

/** True for a time zone this runtime knows by that IANA name; never `Local`. */
function knownTimeZone(zone: string): boolean {
  if (zone.toLowerCase() === 'local' || !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) {
    return false;
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
