import { readFileSync } from 'fs';
import { ApiObject, Chart, JsonPatch, Size, Testing } from 'cdk8s';
import { MySqlCredentials, MySqlEngine, ReplicationMode, StatefulMySQL, VolumeAccessMode } from '../../lib';
import { assetPath } from '../../lib/internal/assets';
import { SCRIPT_FILES } from '../../lib/mysql/stateful-mysql';
import { container, envValue, find, KubeObject, redactShippedAssets, selects, synth } from '../support/objects';

function cluster(props: ConstructorParameters<typeof StatefulMySQL>[2] = {}): { objects: KubeObject[]; db: StatefulMySQL } {
  const chart = Testing.chart();
  const db = new StatefulMySQL(chart, 'mysql', props);
  return { objects: synth(chart), db };
}

function podSpec(objects: KubeObject[], name = 'mysql'): any {
  return find(objects, 'StatefulSet', name).spec.template.spec;
}

describe('StatefulMySQL', () => {
  test('defaults match the snapshot', () => {
    expect(redactShippedAssets(cluster().objects)).toMatchSnapshot();
  });

  test('the StatefulSet is governed by the headless Service', () => {
    const { objects } = cluster();
    const sts = find(objects, 'StatefulSet', 'mysql');
    const headless = find(objects, 'Service', sts.spec.serviceName);
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
  });

  test('the StatefulSet selector and every Service select the pods', () => {
    const { objects } = cluster();
    const sts = find(objects, 'StatefulSet', 'mysql');
    const podLabels = sts.spec.template.metadata.labels;
    expect(selects(sts.spec.selector.matchLabels, podLabels)).toBe(true);
    for (const name of ['mysql', 'mysql-read']) {
      expect(selects(find(objects, 'Service', name).spec.selector, podLabels)).toBe(true);
    }
  });

  test('the primary Service selects ordinal 0 only, by the controller-set pod-name label', () => {
    const { objects } = cluster();
    const selector = find(objects, 'Service', 'mysql-primary').spec.selector;
    expect(selector['statefulset.kubernetes.io/pod-name']).toBe('mysql-0');
    const podLabels = find(objects, 'StatefulSet', 'mysql').spec.template.metadata.labels;
    const { ['statefulset.kubernetes.io/pod-name']: _podName, ...rest } = selector;
    expect(selects(rest, podLabels)).toBe(true);
  });

  test('read and primary Services are ClusterIP Services on 3306', () => {
    const { objects } = cluster();
    for (const name of ['mysql-read', 'mysql-primary']) {
      const service = find(objects, 'Service', name);
      expect(service.spec.clusterIP).toBeUndefined();
      expect(service.spec.type).toBe('ClusterIP');
      expect(service.spec.ports).toEqual([{ name: 'mysql', port: 3306, targetPort: 3306 }]);
    }
  });

  test('init containers run config first, then clone', () => {
    const spec = podSpec(cluster().objects);
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['init-config', 'clone-data']);
    expect(spec.containers.map((c: any) => c.name)).toEqual(['mysql', 'replication']);
  });

  test('every volumeMount names a pod volume or the claim template', () => {
    const { objects } = cluster();
    const sts = find(objects, 'StatefulSet', 'mysql');
    const names = new Set([
      ...sts.spec.template.spec.volumes.map((v: any) => v.name),
      ...sts.spec.volumeClaimTemplates.map((t: any) => t.metadata.name),
    ]);
    const mounts = [...sts.spec.template.spec.initContainers, ...sts.spec.template.spec.containers]
      .flatMap((c: any) => c.volumeMounts.map((m: any) => m.name));
    expect(mounts.length).toBeGreaterThan(0);
    for (const mount of mounts) {
      expect(names).toContain(mount);
    }
  });

  test('server and sidecar share the data directory; the clone container sees the whole volume', () => {
    const spec = podSpec(cluster().objects);
    const dataMount = { name: 'data', mountPath: '/var/lib/mysql', subPath: 'mysql' };
    expect(container(spec, 'mysql').volumeMounts).toContainEqual(dataMount);
    expect(container(spec, 'replication').volumeMounts).toContainEqual(dataMount);
    expect(container(spec, 'clone-data').volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/mysql-volume' });
    expect(container(spec, 'mysql').volumeMounts).toContainEqual({ name: 'conf', mountPath: '/etc/mysql/conf.d' });
    expect(container(spec, 'init-config').volumeMounts).toContainEqual({ name: 'conf', mountPath: '/opt/mysql-cluster/conf.d' });
  });

  test('ports: 3306 on the server, 3307 on the sidecar', () => {
    const spec = podSpec(cluster().objects);
    expect(container(spec, 'mysql').ports).toEqual([{ name: 'mysql', containerPort: 3306, protocol: 'TCP' }]);
    expect(container(spec, 'replication').ports).toEqual([{ name: 'backup', containerPort: 3307, protocol: 'TCP' }]);
  });

  test('liveness pings the server; readiness runs a real query through the probe script', () => {
    const server = container(podSpec(cluster().objects), 'mysql');
    expect(server.livenessProbe.exec.command).toEqual(['mysqladmin', '--defaults-extra-file=/run/mysql-auth/client.cnf', 'ping']);
    expect(server.readinessProbe.exec.command).toEqual(['bash', '/opt/mysql-cluster/scripts/probe-ready.sh']);
    expect(server.startupProbe.failureThreshold * server.startupProbe.periodSeconds).toBeGreaterThanOrEqual(300);
  });

  test('volumeClaimTemplates carry storage class, size and access modes', () => {
    const { objects } = cluster({
      storage: { size: Size.gibibytes(50), storageClassName: 'fast', accessModes: [VolumeAccessMode.READ_WRITE_ONCE_POD] },
    });
    const [template] = find(objects, 'StatefulSet', 'mysql').spec.volumeClaimTemplates;
    expect(template).toEqual({
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOncePod'], storageClassName: 'fast', resources: { requests: { storage: '50Gi' } } },
    });
  });

  test('the scripts ConfigMap holds exactly the shipped files', () => {
    const data = find(cluster().objects, 'ConfigMap', 'mysql-scripts').data;
    expect(Object.keys(data).sort()).toEqual([...SCRIPT_FILES].sort());
    for (const file of SCRIPT_FILES) {
      expect(data[file]).toBe(readFileSync(assetPath(`mysql/scripts/${file}`), 'utf8'));
    }
  });

  test('the config ConfigMap holds the role fragments with the engine and user settings', () => {
    const data = find(cluster({ primarySettings: { long_query_time: '2.5' }, replicaSettings: { innodb_flush_log_at_trx_commit: '2' } }).objects,
      'ConfigMap', 'mysql-config').data;
    expect(data['common.cnf']).toContain(readFileSync(assetPath('mysql/conf/common.cnf'), 'utf8'));
    expect(data['common.cnf']).toMatch(/^gtid_mode = ON$/m);
    expect(data['primary.cnf']).toMatch(/^long_query_time = 2.5$/m);
    expect(data['primary.cnf']).not.toMatch(/innodb_flush_log_at_trx_commit/);
    expect(data['replica.cnf']).toMatch(/^read_only = ON$/m);
    expect(data['replica.cnf']).toMatch(/^super_read_only = ON$/m);
    expect(data['replica.cnf']).toMatch(/^innodb_flush_log_at_trx_commit = 2$/m);
  });

  test('changing the configuration changes the pod template checksum (pods roll)', () => {
    const annotation = (objects: KubeObject[]) =>
      find(objects, 'StatefulSet', 'mysql').spec.template.metadata.annotations['checksum/config'];
    const before = annotation(cluster().objects);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(annotation(cluster().objects)).toBe(before);
    expect(annotation(cluster({ commonSettings: { long_query_time: '5' } }).objects)).not.toBe(before);
  });

  test('passwords reach containers only through secretKeyRef, never argv or ConfigMaps', () => {
    const { objects } = cluster({ credentials: MySqlCredentials.fromSecretName('db-secret', { rootPasswordKey: 'root' }) });
    const spec = podSpec(objects);
    expect(container(spec, 'mysql').env).toContainEqual({ name: 'MYSQL_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-secret', key: 'root' } } });
    expect(container(spec, 'init-config').env).toContainEqual({ name: 'ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-secret', key: 'root' } } });
    expect(container(spec, 'replication').env).toContainEqual({ name: 'REPLICATION_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-secret', key: 'replication-password' } } });
    for (const c of [...spec.initContainers, ...spec.containers]) {
      const argv = [...(c.command ?? []), ...(c.args ?? [])].join(' ');
      expect(argv).not.toMatch(/password=|--password|-p\S/i);
      for (const e of c.env) {
        if (/PASSWORD$/.test(e.name) && !/ALLOW_EMPTY/.test(e.name)) {
          expect(e.value).toBeUndefined();
          expect(e.valueFrom.secretKeyRef).toBeDefined();
        }
      }
    }
    expect(objects.filter(o => o.kind === 'Secret')).toEqual([]);
  });

  test('the empty-password opt-in is explicit and reaches the entrypoint and the scripts', () => {
    const spec = podSpec(cluster({ credentials: MySqlCredentials.insecureEmptyPasswordsForLocalExperimentsOnly() }).objects);
    expect(envValue(container(spec, 'mysql'), 'MYSQL_ALLOW_EMPTY_PASSWORD')).toBe('1');
    expect(envValue(container(spec, 'init-config'), 'ALLOW_EMPTY_ROOT_PASSWORD')).toBe('yes');
    expect(envValue(container(spec, 'replication'), 'ALLOW_EMPTY_ROOT_PASSWORD')).toBe('yes');
  });

  test('the scripts get identity, tools and the engine\'s replication SQL through env', () => {
    const spec = podSpec(cluster({ engine: MySqlEngine.mariadb1011(), replicationMode: ReplicationMode.BINLOG_POSITION }).objects);
    const sidecar = container(spec, 'replication');
    expect(envValue(sidecar, 'STATEFULSET_NAME')).toBe('mysql');
    expect(envValue(sidecar, 'PEER_DOMAIN')).toBe('mysql.default.svc.cluster.local');
    // The topology decides who is the primary; the scripts compare their hostname to it.
    expect(envValue(sidecar, 'PRIMARY_POD')).toBe('mysql-0');
    expect(envValue(sidecar, 'PRIMARY_HOST')).toBe('mysql-0.mysql.default.svc.cluster.local');
    expect(envValue(sidecar, 'MYSQL_CLIENT')).toBe('mariadb');
    expect(envValue(sidecar, 'BACKUP_TOOL')).toBe('mariadb-backup');
    expect(envValue(sidecar, 'SQL_CONFIGURE_REPLICATION')).toBe([
      'STOP SLAVE;', 'RESET SLAVE ALL;',
      'CHANGE MASTER TO MASTER_HOST = {host}, MASTER_PORT = {port}, MASTER_USER = {user}, MASTER_PASSWORD = {password}, MASTER_CONNECT_RETRY = 10, MASTER_LOG_FILE = {file}, MASTER_LOG_POS = {position};',
    ].join('\n'));
    expect(envValue(sidecar, 'REPLICATION_COORDINATES')).toBe('position');
    expect(envValue(container(spec, 'clone-data'), 'STREAM_TOOL')).toBe('mbstream');
    expect(container(spec, 'mysql').image).toBe('mariadb:10.11.19');
    expect(envValue(container(spec, 'init-config'), 'SERVER_ID_OFFSET')).toBe('100');
  });

  test('containers run as the mysql user without privilege escalation', () => {
    const spec = podSpec(cluster().objects);
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, fsGroup: 999 });
    for (const c of [...spec.initContainers, ...spec.containers]) {
      expect(c.securityContext).toMatchObject({ runAsUser: 999, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(c.resources.requests.cpu).toBeDefined();
      expect(c.resources.limits.memory).toBeDefined();
    }
  });

  test('endpoints are properties derived from the objects', () => {
    const chart = Testing.chart();
    const db = new StatefulMySQL(chart, 'db', { name: 'orders', namespace: 'shop', clusterDomain: 'corp.local' });
    expect(db.primaryHost).toBe('orders-primary.shop.svc.corp.local');
    expect(db.readHost).toBe('orders-read.shop.svc.corp.local');
    expect(db.port).toBe(3306);
    expect(db.hostFor(2)).toBe('orders-2.orders.shop.svc.corp.local');
    expect(ApiObject.of(db).kind).toBe('StatefulSet');
    const objects = synth(chart);
    expect(find(objects, 'StatefulSet', 'orders').metadata.namespace).toBe('shop');
    expect(find(objects, 'Service', 'orders-primary').metadata.namespace).toBe('shop');
  });

  test('the escape hatches the README documents reach each object, and patches land in the YAML', () => {
    const chart = Testing.chart();
    const db = new StatefulMySQL(chart, 'db', { name: 'orders' });
    const byId = (id: string) => ApiObject.of(db.node.findChild(id));
    expect([ApiObject.of(db), byId('Config'), byId('Scripts'), byId('DisruptionBudget'), byId('NetworkPolicy')]
      .map(o => `${o.kind}/${o.name}`))
      .toEqual(['StatefulSet/orders', 'ConfigMap/orders-config', 'ConfigMap/orders-scripts', 'PodDisruptionBudget/orders', 'NetworkPolicy/orders']);
    expect([db.headlessService, db.readService, db.primaryService].map(s => ApiObject.of(s).name))
      .toEqual(['orders', 'orders-read', 'orders-primary']);

    ApiObject.of(db).addJsonPatch(JsonPatch.add('/spec/template/metadata/annotations/backup.example.com~1policy', 'nightly'));
    byId('Config').metadata.addLabel('team', 'data');
    const objects = synth(chart);
    expect(find(objects, 'StatefulSet', 'orders').spec.template.metadata.annotations['backup.example.com/policy']).toBe('nightly');
    expect(find(objects, 'ConfigMap', 'orders-config').metadata.labels.team).toBe('data');
  });

  test('the namespace comes from the chart, else "default"', () => {
    const inChart = new StatefulMySQL(new Chart(Testing.app(), 'prod', { namespace: 'prod' }), 'mysql');
    expect(inChart.hostFor(0)).toBe('mysql-0.mysql.prod.svc.cluster.local');
    expect(synth(inChart.node.scope as Chart).every(o => o.metadata.namespace === 'prod')).toBe(true);
    const noNamespace = new StatefulMySQL(Testing.chart(), 'mysql');
    expect(noNamespace.hostFor(0)).toBe('mysql-0.mysql.default.svc.cluster.local');
  });

  test('fails when replicas is not an integer >= 1', () => {
    expect(() => cluster({ replicas: 0 })).toThrow('replicas must be an integer between 1 and 2147483647 (got 0)');
    expect(() => cluster({ replicas: 1.5 })).toThrow('replicas must be an integer between 1 and 2147483647 (got 1.5)');
  });

  test('fails when the name is not a DNS-1035 label (it names Services)', () => {
    expect(() => cluster({ name: 'My_DB' })).toThrow('name must be a DNS-1035 label');
    expect(() => cluster({ name: '1db' })).toThrow('name must be a DNS-1035 label: lower-case letters, digits and \'-\', starting with a letter and ending with a letter or digit, because it names a Service (got "1db")');
    expect(() => cluster({ name: 'My_DB' })).toThrow('(got "My_DB")');
  });

  test('fails when the name is too long for StatefulSet pod names', () => {
    const name = 'a'.repeat(53);
    expect(() => cluster({ name })).toThrow(`name must be at most 52 characters (got "${name}", 53 characters)`);
  });

  test('fails when server ids would overflow', () => {
    expect(() => cluster({ serverIdOffset: 4294967295, replicas: 2 }))
      .toThrow('serverIdOffset + replicas - 1 must be at most 4294967295 (server_id is 32-bit), got 4294967295 + 2 - 1 = 4294967296');
    expect(() => cluster({ serverIdOffset: 0 })).toThrow('serverIdOffset must be an integer between 1 and 4294967295 (got 0)');
  });

  test('fails when the storage size is invalid', () => {
    expect(() => cluster({ storage: { size: Size.gibibytes(0) } })).toThrow('claim size must be a positive size such as Size.gibibytes(10) (got 0Gi)');
  });

  test('fails when a server setting cannot be written to my.cnf', () => {
    expect(() => cluster({ commonSettings: { 'max connections': '5' } }))
      .toThrow('commonSettings: option name must be lower-case letters, digits, \'_\' or \'-\', starting with a letter (got "max connections")');
    expect(() => cluster({ replicaSettings: { init_connect: 'x\n[client]' } }))
      .toThrow('replicaSettings: value of "init_connect" must be a single line of text, not a line break or a JavaScript non-value (got "x\\n[client]")');
  });

  test('fails when the storage class name is invalid', () => {
    expect(() => cluster({ storage: { storageClassName: 'Fast SSD' } })).toThrow('storageClassName must be a DNS-1123 subdomain');
  });
});
