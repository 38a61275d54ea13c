import { Testing } from 'cdk8s';
import { EngineFamily, MySqlEngine, ReplicationSqlDialect, StatefulMySQL } from '../../../lib';
import { FLAVORS } from '../../support/flavors';
import { container, envValue, find, KubeObject, synth } from '../../support/objects';


function clusterObjects(engine: MySqlEngine): KubeObject[] {
  const chart = Testing.chart();
  new StatefulMySQL(chart, 'mysql', { engine });
  return synth(chart);
}

describe('MySqlEngine', () => {
  test.each([
    ['mysql84', ReplicationSqlDialect.MYSQL_84, 'mysql:8.4.11', 'percona/percona-xtrabackup:8.4.0-5.1', 'xtrabackup', 'xbstream', 'mysqladmin'],
    ['mysql80', ReplicationSqlDialect.MYSQL_80, 'mysql:8.0.46', 'percona/percona-xtrabackup:8.0.35-35.1', 'xtrabackup', 'xbstream', 'mysqladmin'],
    ['mysql57Legacy', ReplicationSqlDialect.MYSQL_57, 'mysql:5.7.44', 'percona/percona-xtradb-cluster:5.7.44-31.65', 'xtrabackup', 'xbstream', 'mysqladmin'],
    ['mariadb1011', ReplicationSqlDialect.MARIADB, 'mariadb:10.11.19', 'mariadb:10.11.19', 'mariadb-backup', 'mbstream', 'mariadb-admin'],
    ['mariadb114', ReplicationSqlDialect.MARIADB, 'mariadb:11.4.13', 'mariadb:11.4.13', 'mariadb-backup', 'mbstream', 'mariadb-admin'],
  ])('%s: dialect, images and tools reach the pod', (name, dialect, serverImage, backupImage, backup, stream, admin) => {
    const flavor = FLAVORS.find(([n]) => n === name)![1]();
    const spec = find(clusterObjects(flavor), 'StatefulSet', 'mysql').spec.template.spec;
    expect(flavor.dialect).toBe(dialect);
    // The engine renders the replication SQL; the scripts receive it, never a dialect name.
    const showStatus = dialect === ReplicationSqlDialect.MYSQL_80 || dialect === ReplicationSqlDialect.MYSQL_84 ? 'SHOW REPLICA STATUS' : 'SHOW SLAVE STATUS';
    expect(envValue(container(spec, 'replication'), 'SQL_SHOW_REPLICA_STATUS')).toBe(showStatus);
    expect(envValue(container(spec, 'mysql'), 'SQL_SHOW_REPLICA_STATUS')).toBe(showStatus);
    expect(envValue(container(spec, 'replication'), 'SQL_DIALECT')).toBeUndefined();
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
    expect(MySqlEngine.mysql84().replicaSettings).toEqual({ super_read_only: 'ON' });
    expect(MySqlEngine.mysql57Legacy().replicaSettings).toEqual({ super_read_only: 'ON' });
    expect(MySqlEngine.mariadb1011().replicationStartSettings).toEqual({ skip_slave_start: 'ON' });
    expect(MySqlEngine.mysql80().replicationStartSettings).toEqual({ skip_replica_start: 'ON' });
    expect(MySqlEngine.mysql84().replicationStartSettings).toEqual({ skip_replica_start: 'ON' });
    expect(MySqlEngine.mysql57Legacy().replicationStartSettings).toEqual({ skip_slave_start: 'ON' });
    expect(MySqlEngine.mysql84().family).toBe(EngineFamily.MYSQL);
  });

  test.each(FLAVORS)('%s: no member starts replicating with the server (a restored primary neither); replicas keep the event scheduler off', (_name, flavor) => {
    const config = find(clusterObjects(flavor()), 'ConfigMap', 'mysql-config').data;
    expect(config['replica.cnf']).toMatch(/^event_scheduler = OFF$/m);
    expect(config['common.cnf']).toMatch(/^skip_(replica|slave)_start = ON$/m);
    expect(config['primary.cnf']).not.toMatch(/skip_(replica|slave)_start/);
  });

  test('the default engine is MySQL 8.4', () => {
    const db = new StatefulMySQL(Testing.chart(), 'mysql');
    expect(db.engine.displayName).toBe('MySQL 8.4');
  });

  test('images can be overridden', () => {
    const engine = MySqlEngine.mysql84({ backupImage: 'registry.example/tools/xtrabackup:custom', serverImage: 'registry.example/mysql:8.4.9' });
    expect(engine.backupImage).toBe('registry.example/tools/xtrabackup:custom');
    expect(engine.serverImage).toBe('registry.example/mysql:8.4.9');
    // Images by digest cannot be checked for their release and are taken as they are.
    expect(MySqlEngine.mysql80({ backupImage: 'percona/percona-xtrabackup@sha256:f44162b0bede26d74f23c1cd3ab58efb0f43529f7fe09d221e3ad7b473463f0b' }).backupImage)
      .toMatch(/@sha256:/);
  });

  test('every default image is pinned to an exact release, never a floating tag', () => {
    for (const [, flavor] of FLAVORS) {
      for (const image of [flavor().serverImage, flavor().backupImage]) {
        expect(image).toMatch(/:\d+\.\d+\.\d+(-[\d.]+)?$/);
      }
    }
  });

  test('a MariaDB backup image follows the server image, whose mariadb-backup it must match', () => {
    expect(MySqlEngine.mariadb1011({ serverImage: 'mariadb:10.11.20' }).backupImage).toBe('mariadb:10.11.20');
    expect(() => MySqlEngine.mariadb1011({ serverImage: 'mariadb:10.11.20', backupImage: 'mariadb:10.11.19' }))
      .toThrow('backupImage for MariaDB 10.11 must run the server\'s own mariadb-backup release 10.11.20 (got "mariadb:10.11.19")');
  });

  test('XtraBackup 8.0 must be the server\'s release or later; from 8.0.34 on it backs up every later 8.0 server', () => {
    expect(MySqlEngine.mysql80({ serverImage: 'mysql:8.0.46', backupImage: 'percona/percona-xtrabackup:8.0.34-29' }).backupImage).toContain('8.0.34');
    expect(MySqlEngine.mysql80({ serverImage: 'mysql:8.0.30', backupImage: 'percona/percona-xtrabackup:8.0.30-23' }).serverImage).toBe('mysql:8.0.30');
    expect(() => MySqlEngine.mysql80({ serverImage: 'mysql:8.0.33', backupImage: 'percona/percona-xtrabackup:8.0.30-23' }))
      .toThrow('backupImage for mysql:8.0.33 must be Percona XtraBackup 8.0.33 or later (8.0.34 or later backs up every 8.0 release from 8.0.34 on) (got "percona/percona-xtrabackup:8.0.30-23")');
  });

  test('fails when MySQL 8.0 predates the replica_* settings', () => {
    expect(() => MySqlEngine.mysql80({ serverImage: 'mysql:8.0.25' }))
      .toThrow('serverImage for MySQL 8.0 must run 8.0.26 or later, the first release with the replica_* settings and CHANGE REPLICATION SOURCE (got "mysql:8.0.25")');
  });

  test('MySQL 5.7 takes XtraBackup 2.4, alone or in Percona XtraDB Cluster 5.7\'s image', () => {
    expect(MySqlEngine.mysql57Legacy({ backupImage: 'registry.example/percona-xtrabackup:2.4.29' }).backupImage).toContain('2.4.29');
    expect(() => MySqlEngine.mysql57Legacy({ backupImage: 'percona/percona-xtradb-cluster:8.0.42-33.1' }))
      .toThrow('backupImage for MySQL 5.7 must be Percona XtraDB Cluster 5.7, whose XtraBackup 2.4 backs up MySQL 5.7 (got "percona/percona-xtradb-cluster:8.0.42-33.1")');
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
    expect(() => MySqlEngine.mysql80({ backupImage: 'mariadb:10.11.19' }))
      .toThrow('mariadb-backup cannot back up MySQL');
  });

  test('fails when the server image runs another release', () => {
    expect(() => MySqlEngine.mysql84({ serverImage: 'mysql:8.0.36' }))
      .toThrow('serverImage for MySQL 8.4 must run MySQL 8.4; pick the matching MySqlEngine flavor (got "mysql:8.0.36")');
  });

  test('fails when an image reference is malformed', () => {
    expect(() => MySqlEngine.mariadb114({ serverImage: 'mariadb 11' })).toThrow('engine serverImage must be an image reference: [registry/]lower-case/path[:tag][@digest], e.g. "nginx:1.27.3" (got "mariadb 11")');
    // Repository paths are lower case (the kubelet refuses the reference); registry hosts and tags need not be.
    expect(() => MySqlEngine.mariadb114({ serverImage: 'MariaDB:11.4.13' })).toThrow('(got "MariaDB:11.4.13")');
    expect(() => MySqlEngine.mariadb114({ backupImage: 'mariadb:' })).toThrow('engine backupImage must be an image reference');
    expect(MySqlEngine.mariadb114({ serverImage: 'Harbor.Example.com:8443/mirror/mariadb:11.4.13', backupImage: 'Harbor.Example.com:8443/mirror/mariadb:11.4.13' }).serverImage)
      .toBe('Harbor.Example.com:8443/mirror/mariadb:11.4.13');
  });
});
