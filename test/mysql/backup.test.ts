import { Duration, Size, Testing } from 'cdk8s';
import {
  BackupDestination, BackupOptions, MySqlCredentials, MySqlEngine, StatefulMySQL, StatefulMySQLProps, VolumeAccessMode,
} from '../../lib';
import { validateManifests } from '../support/manifests';
import { allOfKind, find, KubeObject, synth } from '../support/objects';

const nightly: BackupOptions = { schedule: '0 3 * * *', destination: BackupDestination.newClaim({ size: Size.gibibytes(50), storageClassName: 'nfs-backups' }) };

function cluster(props: StatefulMySQLProps): KubeObject[] {
  const chart = Testing.chart();
  new StatefulMySQL(chart, 'mysql', props);
  return synth(chart);
}

function backupPod(objects: KubeObject[]): any {
  return find(objects, 'CronJob', 'mysql-backup').spec.jobTemplate.spec.template;
}

function envOf(container: any): Record<string, any> {
  return Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

describe('scheduled backups', () => {
  test('a CronJob that never overlaps, with a deadline, history limits and the cluster\'s security standard', () => {
    const objects = cluster({ engine: MySqlEngine.mariadb1011(), backup: { ...nightly, retention: 14, deadline: Duration.minutes(90), timeZone: 'Europe/Berlin' } });
    const cron = find(objects, 'CronJob', 'mysql-backup');
    expect(cron.spec).toMatchObject({
      schedule: '0 3 * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3,
    });
    expect(cron.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 5400 });
    const pod = backupPod(objects);
    expect(pod.spec).toMatchObject({
      restartPolicy: 'Never', automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } },
    });
    const [container] = pod.spec.containers;
    expect(container).toMatchObject({
      name: 'backup', image: 'mariadb:10.11.19', command: ['bash', '/opt/mysql-cluster/scripts/backup-job.sh'],
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true },
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    });
    expect(envOf(container)).toMatchObject({
      BACKUP_DIR: '/backups', BACKUP_RETENTION: '14', BACKUP_PREFIX: 'mysql', BACKUP_ENGINE: 'mariadb-10.11', BACKUP_FILE_COMPRESSION: 'zstd',
      BACKUP_LOCK_STALE_SECONDS: String(5400 + 60),
      STATEFULSET_NAME: 'mysql', PEER_DOMAIN: 'mysql.default.svc.cluster.local', BACKUP_PORT: '3307',
      REPLICATION_PASSWORD: { secretKeyRef: { name: 'mysql-credentials', key: 'replication-password' } },
    });
    expect(container.volumeMounts).toEqual([
      { name: 'scripts', mountPath: '/opt/mysql-cluster/scripts', readOnly: true },
      { name: 'backups', mountPath: '/backups' },
    ]);
    expect(pod.spec.volumes).toContainEqual({ name: 'backups', persistentVolumeClaim: { claimName: 'mysql-backups' } });
    expect(validateManifests(objects)).toEqual([]);
  });

  test('no password reaches the backup pod but the replication password, from its Secret', () => {
    const [container] = backupPod(cluster({ backup: nightly })).spec.containers;
    const secrets = container.env.filter((e: any) => e.valueFrom).map((e: any) => e.name);
    expect(secrets).toEqual(['REPLICATION_PASSWORD']);
    expect(JSON.stringify(container.command)).not.toMatch(/passw/i);
  });

  test('the claim the construct creates is shared-access by default; an existing claim is only named', () => {
    const created = find(cluster({ backup: nightly }), 'PersistentVolumeClaim', 'mysql-backups');
    expect(created.spec).toEqual({ accessModes: ['ReadWriteMany'], storageClassName: 'nfs-backups', resources: { requests: { storage: '50Gi' } } });
    // Not the members' labels: deleting the members' claims by label leaves the backups.
    expect(created.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'mysql-backups', 'app.kubernetes.io/part-of': 'mysql' });
    const existing = cluster({ backup: { schedule: '@daily', destination: BackupDestination.existingClaim('shared-backups') } });
    expect(allOfKind(existing, 'PersistentVolumeClaim')).toEqual([]);
    expect(backupPod(existing).spec.volumes).toContainEqual({ name: 'backups', persistentVolumeClaim: { claimName: 'shared-backups' } });
  });

  test('backup pods stay out of the Services and the disruption budget, and may reach only the backup port', () => {
    const objects = cluster({ backup: nightly });
    const podLabels = backupPod(objects).metadata.labels;
    for (const service of allOfKind(objects, 'Service')) {
      const selected = Object.entries(service.spec.selector as Record<string, string>).every(([k, v]) => podLabels[k] === v);
      expect(selected).toBe(false);
    }
    const ingress = find(objects, 'NetworkPolicy', 'mysql').spec.ingress;
    expect(ingress).toContainEqual({ from: [{ podSelector: { matchLabels: podLabels } }], ports: [{ protocol: 'TCP', port: 3307 }] });
    expect(ingress.filter((rule: any) => JSON.stringify(rule.from).includes('mysql-backup'))).toHaveLength(1);
    expect(find(cluster({}), 'NetworkPolicy', 'mysql').spec.ingress).toHaveLength(2);
  });

  test('files are compressed with what the backup image ships', () => {
    const compression = (engine: MySqlEngine) => envOf(backupPod(cluster({ engine, backup: nightly })).spec.containers[0]).BACKUP_FILE_COMPRESSION;
    expect(compression(MySqlEngine.mysql84())).toBe('zstd');
    expect(compression(MySqlEngine.mysql57Legacy())).toBe('none'); // Percona XtraDB Cluster 5.7's image ships neither zstd nor gzip
    expect(compression(MySqlEngine.mariadb114())).toBe('zstd');
  });

  test.each<[string, Partial<BackupOptions> | any, string]>([
    ['the schedule has four fields', { schedule: '0 3 * *' }, 'backup.schedule must be a cron schedule of five fields'],
    ['the hour is 24', { schedule: '0 24 * * *' }, 'hour: "24" is outside 0-23'],
    ['the schedule has a TZ= prefix', { schedule: 'TZ=UTC 0 3 * * *' }, 'a TZ= prefix is refused by Kubernetes; use backup.timeZone'],
    ['the schedule is a number', { schedule: 3 }, 'backup.schedule must be a cron schedule'],
    ['retention is 0', { retention: 0 }, 'backup.retention must be an integer between 1 and 1000 (got 0)'],
    ['the deadline is under a minute', { deadline: Duration.seconds(30) }, 'backup.deadline in seconds must be an integer >= 60 (got 30)'],
    ['the deadline is a number', { deadline: 3600 }, 'backup.deadline must be a Duration such as Duration.minutes(1) (got 3600)'],
    ['the destination is a claim name', { destination: 'backups' }, 'backup.destination must be BackupDestination.existingClaim(name) or BackupDestination.newClaim({ size }) (got "backups")'],
    ['the time zone has a space', { timeZone: 'Central Europe' }, 'backup.timeZone must be an IANA time zone name'],
    ['the time zone is Local', { timeZone: 'Local' }, '("Local" is refused) (got "Local")'],
    ['the time zone is misspelt', { timeZone: 'Europe/Berln' }, 'which the controller can load'],
    ['the memory limit leaves no room for the prepare', { resources: { memoryLimit: Size.mebibytes(200), memoryRequest: Size.mebibytes(200) } },
      'backup.resources.memoryLimit must be above clone.prepareMemory (256 MiB), which the backup\'s prepare uses, or the container is OOM-killed on every run (got 200Mi)'],
    ['@every has no duration', { schedule: '@every' }, 'unknown descriptor @every'],
    ['@every is zero', { schedule: '@every 0s' }, '@every needs a positive duration'],
    ['a request exceeds its limit', { resources: { memoryRequest: Size.gibibytes(2) } }, 'backup.resources.memoryRequest must not exceed memoryLimit 1Gi (got 2Gi)'],
  ])('fails when %s', (_, change, message) => {
    expect(() => cluster({ backup: { ...nightly, ...change } })).toThrow(message);
  });

  test('fails when the claim options or the cluster name cannot work', () => {
    expect(() => BackupDestination.newClaim({ size: Size.gibibytes(0) })).toThrow('backup claim size must be a positive size');
    expect(() => BackupDestination.newClaim({ size: Size.gibibytes(1), accessModes: [] })).toThrow('backup claim accessModes must name at least one access mode');
    expect(() => BackupDestination.existingClaim('My Backups')).toThrow('backup destination claimName must be a DNS-1123 subdomain');
    expect(() => cluster({ name: 'a'.repeat(46), backup: nightly })).toThrow('backup needs a cluster name of at most 45 characters, because the CronJob');
    expect(cluster({ name: 'a'.repeat(45), backup: nightly })).toBeDefined();
  });

  test('cron schedules the controller accepts are taken as they are', () => {
    for (const schedule of ['*/15 * * * *', '0 3 * * MON-FRI', '30 2 1,15 JAN-DEC/3 ?', '@hourly', '0 0 * * 0', '@every 1h30m']) {
      expect(find(cluster({ backup: { ...nightly, schedule } }), 'CronJob', 'mysql-backup').spec.schedule).toBe(schedule);
    }
  });
});

describe('restore', () => {
  test('every member mounts the backup claim read-only into clone-data; only ordinal 0 restores', () => {
    const objects = cluster({ engine: MySqlEngine.mariadb1011(), restore: { claimName: 'mysql-backups', file: 'mysql-20261201T030000Z.tar.zst', cluster: 'mysql' } });
    const spec = find(objects, 'StatefulSet', 'mysql').spec.template.spec;
    expect(spec.volumes).toContainEqual({ name: 'restore', persistentVolumeClaim: { claimName: 'mysql-backups', readOnly: true } });
    const cloneData = spec.initContainers.find((c: any) => c.name === 'clone-data');
    expect(cloneData.volumeMounts).toContainEqual({ name: 'restore', mountPath: '/restore', readOnly: true });
    expect(envOf(cloneData)).toMatchObject({
      RESTORE_DIR: '/restore', RESTORE_FILE: 'mysql-20261201T030000Z.tar.zst', RESTORE_CLUSTER: 'mysql', BACKUP_ENGINE: 'mariadb-10.11', BACKUP_FILE_COMPRESSION: 'zstd',
    });
    const mounting = [...spec.initContainers, ...spec.containers].filter((c: any) => c.volumeMounts.some((m: any) => m.name === 'restore')).map((c: any) => c.name);
    expect(mounting).toEqual(['clone-data']);
    const sidecar = spec.containers.find((c: any) => c.name === 'replication');
    expect(envOf(sidecar).SQL_CONTINUE_FROM_BACKUP).toContain('{gtid}');
    expect(validateManifests(objects)).toEqual([]);
  });

  test('a backup cluster and the cluster restoring from it share the claim by name', () => {
    const chart = Testing.chart();
    const source = new StatefulMySQL(chart, 'orders', { backup: nightly, credentials: MySqlCredentials.fromSecretName('orders-credentials') });
    new StatefulMySQL(chart, 'orders-restored', { restore: { claimName: source.backupClaimName! } });
    const spec = find(synth(chart), 'StatefulSet', 'orders-restored').spec.template.spec;
    expect(spec.volumes).toContainEqual({ name: 'restore', persistentVolumeClaim: { claimName: 'orders-backups', readOnly: true } });
  });

  test('fails when the claim or the file name is not one', () => {
    expect(() => cluster({ restore: { claimName: '' } })).toThrow('restore.claimName must be a DNS-1123 subdomain');
    expect(() => cluster({ restore: { claimName: 'b', file: '../etc/passwd' } })).toThrow('restore.file must be the name of a backup file on the claim');
    expect(() => cluster({ restore: 'backups' as any })).toThrow('restore must be an object (got "backups")');
    expect(() => cluster({ restore: { claimName: 'b', cluster: 'Orders' } })).toThrow('restore.cluster must be a DNS-1123 label');
  });

  test('without restore, nothing mounts a backup claim', () => {
    const spec = find(cluster({}), 'StatefulSet', 'mysql').spec.template.spec;
    expect(JSON.stringify(spec)).not.toMatch(/RESTORE|restore|CONTINUE_FROM_BACKUP/);
    expect(VolumeAccessMode.READ_WRITE_MANY).toBe('ReadWriteMany');
  });
});
