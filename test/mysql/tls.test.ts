import { Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CertificateIssuerKind, MySqlEngine, ReplicationMode, StatefulMySQL, StatefulMySQLProps } from '../../lib';
import { validateManifests } from '../support/manifests';
import { container as containerOf, envOf, find, synth } from '../support/objects';

function objects(props: StatefulMySQLProps): any[] {
  const chart = Testing.chart();
  new StatefulMySQL(chart, 'mysql', props);
  const all = synth(chart);
  expect(validateManifests(all)).toEqual([]);
  return all;
}
const pod = (all: any[]) => find(all, 'StatefulSet', 'mysql').spec.template.spec;
const container = (all: any[], name: string) => containerOf(pod(all), name);

describe('tls', () => {
  test('off by default: no certificate settings, plain replication (a refresh turns TLS off, for a cluster that had it)', () => {
    const all = objects({});
    expect(find(all, 'ConfigMap', 'mysql-config').data['common.cnf']).not.toContain('ssl_cert');
    expect(envOf(container(all, 'replication')).SQL_CONFIGURE_REPLICATION).not.toContain('SSL');
    expect(envOf(container(all, 'replication')).SQL_REFRESH_REPLICATION_CREDENTIALS).toContain('SOURCE_PASSWORD = {password}, SOURCE_SSL = 0, SOURCE_SSL_VERIFY_SERVER_CERT = 0;');
    expect(envOf(container(all, 'replication')).REPLICATION_REQUIRE_SSL).toBeUndefined();
    expect(all.some(o => o.kind === 'Certificate')).toBe(false);
  });

  test('from a Secret: the servers\' settings, the Secret mounted read-only for the server and the sidecar, the scripts on TLS', () => {
    const all = objects({ tls: { secretName: 'db-tls', requireSecureTransport: true } });
    const common = find(all, 'ConfigMap', 'mysql-config').data['common.cnf'];
    expect(common).toContain('# TLS (tls)\n[mysqld]\nssl_cert = /opt/mysql-cluster/tls/tls.crt\nssl_key = /opt/mysql-cluster/tls/tls.key\nssl_ca = /opt/mysql-cluster/tls/ca.crt\nrequire_secure_transport = ON\n');
    expect(pod(all).volumes).toContainEqual({ name: 'tls', secret: { secretName: 'db-tls', defaultMode: 0o440 } });
    for (const name of ['mysql', 'replication']) {
      expect(container(all, name).volumeMounts).toContainEqual({ name: 'tls', mountPath: '/opt/mysql-cluster/tls', readOnly: true });
    }
    expect(container(all, 'clone-data').volumeMounts.map((m: any) => m.name)).not.toContain('tls');
    expect(envOf(container(all, 'init-config')).CLIENT_TLS_OPTIONS).toBe('ssl-mode=REQUIRED');
    const sidecar = envOf(container(all, 'replication'));
    expect(sidecar.REPLICATION_REQUIRE_SSL).toBe('yes');
    expect(sidecar.SQL_RELOAD_TLS).toBe('ALTER INSTANCE RELOAD TLS');
    expect(sidecar.SQL_CONFIGURE_REPLICATION).toContain("SOURCE_SSL = 1, SOURCE_SSL_CA = '/opt/mysql-cluster/tls/ca.crt', SOURCE_SSL_VERIFY_SERVER_CERT = 1");
    expect(sidecar.SQL_REFRESH_REPLICATION_CREDENTIALS).toContain("SOURCE_PASSWORD = {password}, SOURCE_SSL = 1, SOURCE_SSL_CA = '/opt/mysql-cluster/tls/ca.crt', SOURCE_SSL_VERIFY_SERVER_CERT = 1;");
  });

  test.each<[string, () => MySqlEngine, string, string, string | undefined]>([
    ['MariaDB 10.11', () => MySqlEngine.mariadb1011(), 'ssl skip-ssl-verify-server-cert', 'MASTER_SSL = 1', 'FLUSH NO_WRITE_TO_BINLOG SSL'],
    ['MySQL 8.0', () => MySqlEngine.mysql80(), 'ssl-mode=REQUIRED', 'SOURCE_SSL = 1', 'ALTER INSTANCE RELOAD TLS'],
    ['MySQL 5.7 (no reload: a renewed certificate takes a restart)', () => MySqlEngine.mysql57Legacy(), 'ssl-mode=REQUIRED', 'MASTER_SSL = 1', undefined],
  ])('%s: the dialect\'s options', (_, engine, client, replication, reload) => {
    for (const replicationMode of [ReplicationMode.GTID, ReplicationMode.BINLOG_POSITION]) {
      const all = objects({ engine: engine(), replicationMode, tls: { secretName: 'db-tls' } });
      const sidecar = envOf(container(all, 'replication'));
      expect(sidecar.CLIENT_TLS_OPTIONS).toBe(client);
      expect(sidecar.SQL_CONFIGURE_REPLICATION).toContain(replication);
      expect(sidecar.SQL_RELOAD_TLS).toBe(reload);
    }
  });

  test('a cert-manager Certificate for the members\' and Services\' names writes <name>-tls', () => {
    const all = objects({ namespace: 'shop', tls: { certificate: { issuerName: 'db-ca', issuerKind: CertificateIssuerKind.CLUSTER_ISSUER, duration: Duration.days(30), renewBefore: Duration.days(10) } } });
    const certificate = find(all, 'Certificate', 'mysql');
    expect(certificate.spec).toEqual({
      secretName: 'mysql-tls',
      issuerRef: { name: 'db-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      dnsNames: [
        '*.mysql.shop.svc.cluster.local',
        'mysql.shop.svc.cluster.local', 'mysql.shop.svc', 'mysql.shop', 'mysql',
        'mysql-read.shop.svc.cluster.local', 'mysql-read.shop.svc', 'mysql-read.shop', 'mysql-read',
        'mysql-primary.shop.svc.cluster.local', 'mysql-primary.shop.svc', 'mysql-primary.shop', 'mysql-primary',
      ],
      duration: '720h',
      renewBefore: '240h',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      usages: ['server auth', 'digital signature'],
    });
    expect(pod(all).volumes).toContainEqual({ name: 'tls', secret: { secretName: 'mysql-tls', defaultMode: 0o440 } });
  });

  test('connect() hands clients the CA as <prefix>TLS_CA', () => {
    const chart = Testing.chart();
    const mysql = new StatefulMySQL(chart, 'mysql', { tls: { secretName: 'db-tls' } });
    const web = new kplus.Deployment(chart, 'web', { containers: [{ name: 'web', image: 'shop:1.4', securityContext: { ensureNonRoot: false } }] });
    mysql.connect(web, { secretName: 'shop-db' });
    const env = synth(chart).find(o => o.kind === 'Deployment')!.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'MYSQL_TLS_CA', valueFrom: { secretKeyRef: { name: 'db-tls', key: 'ca.crt' } } });
  });

  test.each<[string, StatefulMySQLProps, string]>([
    ['neither a Secret nor a certificate is given', { tls: {} }, 'tls.secretName must name the Secret with tls.crt, tls.key and ca.crt, or tls.certificate must ask cert-manager for one (got neither)'],
    ['the Secret name is invalid', { tls: { secretName: 'DB TLS' } }, 'tls.secretName must be a DNS-1123 subdomain'],
    ['renewBefore is not shorter than the duration', { tls: { certificate: { issuerName: 'ca', duration: Duration.days(10), renewBefore: Duration.days(10) } } }, 'tls.certificate.renewBefore must be shorter than the duration of 240h, or cert-manager renews the certificate forever (got 240h)'],
    ['a duration is not whole hours', { tls: { certificate: { issuerName: 'ca', duration: Duration.minutes(90) } } }, 'tls.certificate.duration must be a whole number of hours, at least 1 (got 1 hour 30 minutes)'],
    ['the issuer kind is unknown', { tls: { certificate: { issuerName: 'ca', issuerKind: 'Vault' as any } } }, 'tls.certificate.issuerKind'],
    ['requireSecureTransport is a string', { tls: { secretName: 's', requireSecureTransport: 'yes' as any } }, 'tls.requireSecureTransport must be true or false (got "yes")'],
    ['a TLS setting is given by hand', { commonSettings: { 'ssl-cert': '/x.pem' } }, 'TLS is set by tls'],
    ['metrics come with requireSecureTransport', { tls: { secretName: 's', requireSecureTransport: true }, metrics: { scrapers: [{}] } }, 'metrics cannot be combined with tls.requireSecureTransport yet'],
  ])('fails when %s', (_, props, message) => {
    expect(() => new StatefulMySQL(Testing.chart(), 'mysql', props)).toThrow(message);
  });

  test('ssl settings the library does not own stay allowed', () => {
    expect(() => objects({ commonSettings: { ssl_cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384', tls_version: 'TLSv1.3' } })).not.toThrow();
  });
});
