import { Duration, Size, Testing } from 'cdk8s';
import { MySqlCredentials, MySqlEngine, StatefulMySQL, StatefulMySQLProps } from '../../lib';
import { validateManifests } from '../support/manifests';
import { container as containerOf, envOf, find, synth } from '../support/objects';

const SCRAPERS = [{ namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' }, podLabels: { 'app.kubernetes.io/name': 'prometheus' } }];

function objects(props: StatefulMySQLProps): any[] {
  const chart = Testing.chart();
  new StatefulMySQL(chart, 'mysql', props);
  const result = synth(chart);
  expect(validateManifests(result)).toEqual([]);
  return result;
}

const podOf = (all: any[]) => find(all, 'StatefulSet', 'mysql').spec.template.spec;
const container = (all: any[], name: string) => containerOf(podOf(all), name);

describe('metrics', () => {
  test('off by default: no exporter, no account, no port, no PodMonitor', () => {
    const all = objects({});
    expect(podOf(all).containers.map((c: any) => c.name)).toEqual(['mysql', 'replication']);
    expect(envOf(container(all, 'replication')).EXPORTER_USER).toBeUndefined();
    expect(JSON.stringify(find(all, 'NetworkPolicy', 'mysql'))).not.toContain('9104');
    expect(all.some(o => o.kind === 'PodMonitor')).toBe(false);
  });

  test('an exporter sidecar on the named port metrics, its credentials in a memory-backed file, never in argv', () => {
    const all = objects({ metrics: { scrapers: SCRAPERS } });
    const exporter = container(all, 'metrics');
    expect(exporter).toMatchObject({
      image: 'prom/mysqld-exporter:v0.20.0',
      args: ['--config.my-cnf=/run/mysql-exporter/my.cnf', '--web.listen-address=:9104'],
      ports: [{ name: 'metrics', containerPort: 9104, protocol: 'TCP' }],
      volumeMounts: [{ name: 'exporter-auth', mountPath: '/run/mysql-exporter', readOnly: true }],
      securityContext: { runAsUser: 999, runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '128Mi' } },
    });
    expect(exporter.command).toBeUndefined();
    expect(exporter.env).toBeUndefined();
    expect(podOf(all).volumes).toContainEqual({ name: 'exporter-auth', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    // init-config writes the file; the primary's sidecar keeps the account.
    const initConfig = envOf(container(all, 'init-config'));
    expect(initConfig.EXPORTER_PASSWORD).toEqual({ secretKeyRef: { name: 'mysql-credentials', key: 'exporter-password' } });
    expect(initConfig.EXPORTER_CONFIG_FILE).toBe('/run/mysql-exporter/my.cnf');
    const sidecar = envOf(container(all, 'replication'));
    expect(sidecar.EXPORTER_USER).toBe('exporter');
    expect(sidecar.EXPORTER_PRIVILEGES).toBe('PROCESS, REPLICATION CLIENT');
    expect(container(all, 'init-config').volumeMounts).toContainEqual({ name: 'exporter-auth', mountPath: '/run/mysql-exporter' });
  });

  test('MariaDB\'s exporter account also gets SLAVE MONITOR, which its replica status needs since 10.5.9', () => {
    const all = objects({ engine: MySqlEngine.mariadb1011(), metrics: { scrapers: SCRAPERS } });
    expect(envOf(container(all, 'replication')).EXPORTER_PRIVILEGES).toBe('PROCESS, REPLICATION CLIENT, SLAVE MONITOR');
  });

  test('the NetworkPolicy admits the scrapers to the metrics port only', () => {
    const all = objects({ metrics: { scrapers: SCRAPERS } });
    const rules = find(all, 'NetworkPolicy', 'mysql').spec.ingress;
    expect(rules[rules.length - 1]).toEqual({
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
      ports: [{ protocol: 'TCP', port: 9104 }],
    });
    expect(rules.filter((rule: any) => JSON.stringify(rule.ports).includes('9104'))).toHaveLength(1);
  });

  test('a PodMonitor over the members\' metrics port, with the labels the Prometheus selects', () => {
    const all = objects({ metrics: { scrapers: SCRAPERS, podMonitor: { labels: { release: 'kube-prometheus-stack' }, interval: Duration.seconds(15), scrapeTimeout: Duration.seconds(5) } } });
    expect(find(all, 'PodMonitor', 'mysql')).toEqual({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'mysql', namespace: 'default', labels: { 'app.kubernetes.io/name': 'mysql', 'app.kubernetes.io/instance': 'mysql', 'release': 'kube-prometheus-stack' } },
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': 'mysql', 'app.kubernetes.io/instance': 'mysql' } },
        podMetricsEndpoints: [{ port: 'metrics', path: '/metrics', interval: '15s', scrapeTimeout: '5s' }],
      },
    });
  });

  test('the exporter comes through the registry of images, and its resources merge with the defaults', () => {
    const all = objects({ images: { registry: 'harbor.example.com/mirror' }, metrics: { scrapers: SCRAPERS, resources: { memoryLimit: Size.mebibytes(256) } } });
    expect(container(all, 'metrics').image).toBe('harbor.example.com/mirror/prom/mysqld-exporter:v0.20.0');
    expect(container(all, 'metrics').resources).toEqual({ requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '256Mi' } });
  });

  test('without a NetworkPolicy no scrapers are needed', () => {
    const all = objects({ networkAccess: { enabled: false }, metrics: {} });
    expect(container(all, 'metrics')).toBeDefined();
  });

  test.each<[string, StatefulMySQLProps, string]>([
    ['scrapers are missing while the NetworkPolicy is on', { metrics: {} }, 'metrics.scrapers must name the pods that scrape the metrics port'],
    ['scrapers are empty', { metrics: { scrapers: [] } }, 'metrics.scrapers must name at least one selector: with none, the NetworkPolicy admits no scraper (got [])'],
    ['a scraper has bad labels', { metrics: { scrapers: [{ podLabels: { 'a b': 'x' } }] } }, 'metrics.scrapers[0].podLabels'],
    ['the passwords are empty', { credentials: MySqlCredentials.insecureEmptyPasswordsForLocalExperimentsOnly(), metrics: { scrapers: SCRAPERS } }, 'metrics needs the exporter\'s password from the credentials Secret'],
    ['the scrape timeout exceeds the interval', { metrics: { scrapers: SCRAPERS, podMonitor: { interval: Duration.seconds(10), scrapeTimeout: Duration.seconds(20) } } }, 'metrics.podMonitor.scrapeTimeout must not exceed the interval of 10s: Prometheus refuses such a scrape configuration (got 20s)'],
    ['the interval is not whole seconds', { metrics: { scrapers: SCRAPERS, podMonitor: { interval: Duration.millis(1500) } } }, 'metrics.podMonitor.interval must be a whole number of seconds, at least 1 (got 1 second 500 millis)'],
    ['PodMonitor labels are invalid', { metrics: { scrapers: SCRAPERS, podMonitor: { labels: { release: 'a b' } } } }, 'metrics.podMonitor.labels'],
    ['the image is no reference', { metrics: { scrapers: SCRAPERS, image: 'Prom Exporter' } }, 'metrics.image'],
    ['metrics is a boolean', { metrics: true as any }, 'metrics must be an object (got true)'],
  ])('fails when %s', (_, props, message) => {
    const chart = Testing.chart();
    expect(() => new StatefulMySQL(chart, 'mysql', props)).toThrow(message);
  });

  test('fails when the exporter account would be the replication account', () => {
    expect(() => MySqlCredentials.fromSecretName('s', { exporterUser: 'repl', replicationUser: 'repl' }))
      .toThrow('exporterUser must differ from replicationUser: each account gets its own privileges and password (got "repl")');
    expect(() => MySqlCredentials.fromSecretName('s', { exporterUser: 'root' })).toThrow('exporterUser must not be an account the server or its image owns');
  });
});
