import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { DatabasePrivilege, MySqlCredentials, StatefulMySQL } from '../../lib';
import { validateManifests } from '../support/manifests';
import { find, synth } from '../support/objects';

const sidecarEnv = (all: any[]) => find(all, 'StatefulSet', 'mysql').spec.template.spec.containers.find((c: any) => c.name === 'replication').env;

describe('addDatabase', () => {
  test('hands each database to the primary\'s sidecar: name, owner, privileges, the password from the application\'s Secret', () => {
    const chart = Testing.chart();
    const mysql = new StatefulMySQL(chart, 'mysql');
    mysql.addDatabase('shop', { owner: { user: 'shop', secretName: 'shop-db' } });
    mysql.addDatabase('reports', { owner: { user: 'reporter', secretName: 'reports-db', passwordKey: 'pw' }, privileges: [DatabasePrivilege.SELECT, DatabasePrivilege.CREATE_TEMPORARY_TABLES] });
    const all = synth(chart);
    expect(validateManifests(all)).toEqual([]);
    const env = sidecarEnv(all).filter((e: any) => e.name.startsWith('APP_DATABASE_'));
    expect(env).toEqual([
      { name: 'APP_DATABASE_0', value: 'shop' },
      { name: 'APP_DATABASE_0_USER', value: 'shop' },
      { name: 'APP_DATABASE_0_PRIVILEGES', value: 'ALL PRIVILEGES' },
      { name: 'APP_DATABASE_0_PASSWORD', valueFrom: { secretKeyRef: { name: 'shop-db', key: 'password', optional: true } } },
      { name: 'APP_DATABASE_1', value: 'reports' },
      { name: 'APP_DATABASE_1_USER', value: 'reporter' },
      { name: 'APP_DATABASE_1_PRIVILEGES', value: 'SELECT, CREATE TEMPORARY TABLES' },
      { name: 'APP_DATABASE_1_PASSWORD', valueFrom: { secretKeyRef: { name: 'reports-db', key: 'pw', optional: true } } },
    ]);
  });

  test('connect() wires the owner in one call: user and database from code, the password from the Secret', () => {
    const chart = Testing.chart();
    const mysql = new StatefulMySQL(chart, 'mysql');
    const shop = mysql.addDatabase('shop', { owner: { user: 'shop', secretName: 'shop-db' } });
    const web = new kplus.Deployment(chart, 'web', { containers: [{ name: 'web', image: 'shop:1.4', securityContext: { ensureNonRoot: false } }] });
    mysql.connect(web, shop);
    const all = synth(chart);
    const env = all.find(o => o.kind === 'Deployment')!.spec.template.spec.containers[0].env;
    expect(env).toEqual(expect.arrayContaining([
      { name: 'MYSQL_USER', value: 'shop' },
      { name: 'MYSQL_PASSWORD', valueFrom: { secretKeyRef: { name: 'shop-db', key: 'password' } } },
      { name: 'MYSQL_DATABASE', value: 'shop' },
      { name: 'MYSQL_HOST', value: 'mysql-primary.default.svc.cluster.local' },
    ]));
  });

  test.each<[string, (mysql: StatefulMySQL) => void, string]>([
    ['the name is a system database', m => m.addDatabase('mysql', { owner: { user: 'a', secretName: 's' } }), 'addDatabase name must not be a database the server keeps for itself (mysql, information_schema, performance_schema, sys) (got "mysql")'],
    ['the name has a backquote', m => m.addDatabase('shop`; DROP', { owner: { user: 'a', secretName: 's' } }), 'addDatabase name must be 1 to 64 letters, digits or \'_\', not starting with a digit (got "shop`; DROP")'],
    ['the name is taken', m => { m.addDatabase('shop', { owner: { user: 'a', secretName: 's' } }); m.addDatabase('SHOP', { owner: { user: 'b', secretName: 's' } }); }, 'addDatabase name must be unique in the cluster: "SHOP" was added already'],
    ['the owner is root', m => m.addDatabase('shop', { owner: { user: 'root', secretName: 's' } }), 'addDatabase("shop") owner.user must not be an account the server, its image or the cluster uses'],
    ['the owner is the replication account', m => m.addDatabase('shop', { owner: { user: 'replicator', secretName: 's' } }), 'owner.user must not be an account the server, its image or the cluster uses (root, mysql, healthcheck, public, replicator, exporter)'],
    ['the owner owns another database', m => { m.addDatabase('a', { owner: { user: 'app', secretName: 's' } }); m.addDatabase('b', { owner: { user: 'app', secretName: 's' } }); }, 'addDatabase("b") owner.user must own one database only: "app" owns "a" already'],
    ['the owner has a quote', m => m.addDatabase('shop', { owner: { user: "x'@'%", secretName: 's' } }), 'addDatabase("shop") owner.user must be 1 to 32 letters, digits or \'_\' (got "x\'@\'%")'],
    ['a privilege is global', m => m.addDatabase('shop', { owner: { user: 'a', secretName: 's' }, privileges: ['SUPER' as any] }), 'addDatabase("shop") privileges[0]'],
    ['the privileges carry GRANT OPTION', m => m.addDatabase('shop', { owner: { user: 'a', secretName: 's' }, privileges: ['ALL PRIVILEGES WITH GRANT OPTION' as any] }), 'addDatabase("shop") privileges[0]'],
    ['no privilege is given', m => m.addDatabase('shop', { owner: { user: 'a', secretName: 's' }, privileges: [] }), 'addDatabase("shop") privileges must name at least one privilege (got [])'],
    ['ALL comes with others', m => m.addDatabase('shop', { owner: { user: 'a', secretName: 's' }, privileges: [DatabasePrivilege.ALL, DatabasePrivilege.SELECT] }), 'DatabasePrivilege.ALL includes every other; give it alone'],
    ['the Secret name is invalid', m => m.addDatabase('shop', { owner: { user: 'a', secretName: 'Shop DB' } }), 'addDatabase("shop") owner.secretName must be a DNS-1123 subdomain'],
    ['the owner is missing', m => m.addDatabase('shop', {} as any), 'addDatabase("shop") owner must be an object (got undefined)'],
  ])('fails when %s', (_, declare, message) => {
    const mysql = new StatefulMySQL(Testing.chart(), 'mysql');
    expect(() => declare(mysql)).toThrow(message);
  });

  test('the owner may not be the exporter account either, whatever it is named', () => {
    const mysql = new StatefulMySQL(Testing.chart(), 'mysql', { credentials: MySqlCredentials.fromSecretName('c', { exporterUser: 'prom' }) });
    expect(() => mysql.addDatabase('shop', { owner: { user: 'PROM', secretName: 's' } })).toThrow('must not be an account the server, its image or the cluster uses');
  });

  test('clientEnv refuses a user given both ways', () => {
    const mysql = new StatefulMySQL(Testing.chart(), 'mysql');
    expect(() => mysql.clientEnv({ secretName: 's', user: 'a', userKey: 'username' })).toThrow('client account: give user or userKey, not both');
  });
});
