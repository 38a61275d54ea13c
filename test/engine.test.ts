import { Testing } from 'cdk8s';
import { EngineFamily, MySqlEngine, ReplicationSqlDialect, StatefulMySQL } from '../lib';
import { container, envValue, find, KubeObject, synth } from './support/objects';

const FLAVORS: Array<[string, () => MySqlEngine]> = [
  ['mysql84', () => MySqlEngine.mysql84()],
  ['mysql80', () => MySqlEngine.mysql80()],
  ['mysql57Legacy', () => MySqlEngine.mysql57Legacy()],
  ['mariadb1011', () => MySqlEngine.mariadb1011()],
  ['mariadb114', () => MySqlEngine.mariadb114()],
];

function clusterObjects(engine: MySqlEngine): KubeObject[] {
  const chart = Testing.chart();
  new StatefulMySQL(chart, 'mysql', { engine });
  return synth(chart);
}

describe('MySqlEngine', () => {
  test.each(FLAVORS)('%s synthesizes a cluster matching the snapshot', (_name, flavor) => {
    expect(clusterObjects(flavor())).toMatchSnapshot();
  });

  test.each([
    ['mysql84', ReplicationSqlDialect.MYSQL_84, 'mysql:8.4.7', 'percona/percona-xtrabackup:8.4', 'xtrabackup', 'xbstream', 'mysqladmin'],
    ['mysql80', ReplicationSqlDialect.MYSQL_80, 'mysql:8.0.44', 'percona/percona-xtrabackup:8.0', 'xtrabackup', 'xbstream', 'mysqladmin'],
    ['mysql57Legacy', ReplicationSqlDialect.MYSQL_57, 'mysql:5.7.44', 'percona/percona-xtrabackup:2.4', 'xtrabackup', 'xbstream', 'mysqladmin'],
    ['mariadb1011', ReplicationSqlDialect.MARIADB, 'mariadb:10.11.14', 'mariadb:10.11.14', 'mariadb-backup', 'mbstream', 'mariadb-admin'],
    ['mariadb114', ReplicationSqlDialect.MARIADB, 'mariadb:11.4.8', 'mariadb:11.4.8', 'mariadb-backup', 'mbstream', 'mariadb-admin'],
  ])('%s: dialect, images and tools reach the pod', (name, dialect, serverImage, backupImage, backup, stream, admin) => {
    const flavor = FLAVORS.find(([n]) => n === name)![1]();
    const spec = find(clusterObjects(flavor), 'StatefulSet', 'mysql').spec.template.spec;
    expect(envValue(container(spec, 'replication'), 'SQL_DIALECT')).toBe(dialect);
    expect(envValue(container(spec, 'mysql'), 'SQL_DIALECT')).toBe(dialect);
    expect(container(spec, 'mysql').image).toBe(serverImage);
    expect(container(spec, 'init-config').image).toBe(serverImage);
    expect(container(spec, 'clone-data').image).toBe(backupImage);
    expect(container(spec, 'replication').image).toBe(backupImage);
    expect(envValue(container(spec, 'replication'), 'BACKUP_TOOL')).toBe(backup);
    expect(envValue(container(spec, 'clone-data'), 'STREAM_TOOL')).toBe(stream);
    expect(container(spec, 'mysql').livenessProbe.exec.command[0]).toBe(admin);
  });

  test('the entrypoint password variable follows the family', () => {
    const mysql = container(find(clusterObjects(MySqlEngine.mysql84()), 'StatefulSet', 'mysql').spec.template.spec, 'mysql');
    const mariadb = container(find(clusterObjects(MySqlEngine.mariadb1011()), 'StatefulSet', 'mysql').spec.template.spec, 'mysql');
    expect(mysql.env.map((e: any) => e.name)).toContain('MYSQL_ROOT_PASSWORD');
    expect(mariadb.env.map((e: any) => e.name)).toContain('MARIADB_ROOT_PASSWORD');
  });

  test('GTID settings per family; read-only settings per family', () => {
    expect(MySqlEngine.mysql84().gtidSettings).toEqual({ gtid_mode: 'ON', enforce_gtid_consistency: 'ON' });
    expect(MySqlEngine.mysql57Legacy().gtidSettings).toMatchObject({ gtid_mode: 'ON', log_slave_updates: 'ON' });
    expect(MySqlEngine.mariadb114().gtidSettings).toEqual({ log_slave_updates: 'ON', gtid_strict_mode: 'ON' });
    expect(MySqlEngine.mariadb1011().replicaSettings).toEqual({});
    expect(MySqlEngine.mysql80().replicaSettings).toEqual({ super_read_only: 'ON' });
    expect(MySqlEngine.mysql84().family).toBe(EngineFamily.MYSQL);
  });

  test('the default engine is MySQL 8.4', () => {
    const db = new StatefulMySQL(Testing.chart(), 'mysql');
    expect(db.engine.displayName).toBe('MySQL 8.4');
  });

  test('images can be overridden', () => {
    const engine = MySqlEngine.mysql84({ backupImage: 'registry.example/xtrabackup-ncat:8.4', serverImage: 'registry.example/mysql:8.4.7' });
    expect(engine.backupImage).toBe('registry.example/xtrabackup-ncat:8.4');
    expect(engine.serverImage).toBe('registry.example/mysql:8.4.7');
  });

  test('fails when XtraBackup does not match the MySQL release', () => {
    expect(() => MySqlEngine.mysql84({ backupImage: 'percona/percona-xtrabackup:2.4' }))
      .toThrow('backupImage for MySQL 8.4 must be Percona XtraBackup 8.4, the release that can back up this server (got "percona/percona-xtrabackup:2.4")');
    expect(() => MySqlEngine.mysql57Legacy({ backupImage: 'percona/percona-xtrabackup:8.0' }))
      .toThrow('must be Percona XtraBackup 2.4');
  });

  test('fails when the backup tool belongs to the other family', () => {
    expect(() => MySqlEngine.mariadb1011({ backupImage: 'percona/percona-xtrabackup:8.0' }))
      .toThrow('backupImage for MariaDB 10.11 must provide mariadb-backup; Percona XtraBackup cannot back up MariaDB (got "percona/percona-xtrabackup:8.0")');
    expect(() => MySqlEngine.mysql80({ backupImage: 'mariadb:10.11.14' }))
      .toThrow('mariadb-backup cannot back up MySQL');
  });

  test('fails when the server image runs another release', () => {
    expect(() => MySqlEngine.mysql84({ serverImage: 'mysql:8.0.36' }))
      .toThrow('serverImage for MySQL 8.4 must run MySQL 8.4; pick the matching MySqlEngine flavor (got "mysql:8.0.36")');
  });

  test('fails when an image reference is malformed', () => {
    expect(() => MySqlEngine.mariadb114({ serverImage: 'mariadb 11' })).toThrow('engine serverImage must be an image reference such as "mysql:8.4.7" (got "mariadb 11")');
  });
});
