import { Chart, Testing } from 'cdk8s';
import { MemberRole, MySqlEngine, ReplicaTopology } from '../../lib';

function topology(props: Partial<ConstructorParameters<typeof ReplicaTopology>[2]> = {}): ReplicaTopology {
  return new ReplicaTopology(Testing.chart(), 'Topology', { statefulSetName: 'mysql', ...props });
}

describe('ReplicaTopology', () => {
  test('defaults: three members, ordinal 0 primary, server ids from 100', () => {
    expect(topology().members).toEqual([
      { ordinal: 0, podName: 'mysql-0', role: MemberRole.PRIMARY, serverId: 100, host: 'mysql-0.mysql.default.svc.cluster.local', cloneSource: undefined },
      { ordinal: 1, podName: 'mysql-1', role: MemberRole.REPLICA, serverId: 101, host: 'mysql-1.mysql.default.svc.cluster.local', cloneSource: 0 },
      { ordinal: 2, podName: 'mysql-2', role: MemberRole.REPLICA, serverId: 102, host: 'mysql-2.mysql.default.svc.cluster.local', cloneSource: 1 },
    ]);
  });

  test('each replica clones from the previous ordinal', () => {
    const t = topology({ replicas: 5 });
    expect(t.members.map(m => m.cloneSource)).toEqual([undefined, 0, 1, 2, 3]);
  });

  test('names, namespace and domain shape every DNS name', () => {
    const t = topology({ headlessServiceName: 'db', namespace: 'shop', clusterDomain: 'corp.local', serverIdOffset: 7 });
    expect(t.primaryHost).toBe('mysql-0.db.shop.svc.corp.local');
    expect(t.memberDomain).toBe('db.shop.svc.corp.local');
    expect(t.member(2).serverId).toBe(9);
  });

  test('the namespace defaults to the chart\'s', () => {
    const t = new ReplicaTopology(new Chart(Testing.app(), 'c', { namespace: 'team-a' }), 'T', { statefulSetName: 'mysql' });
    expect(t.namespace).toBe('team-a');
  });

  test('config fragments: shipped base, engine settings, then user settings', () => {
    const t = topology({ commonSettings: { max_connections: 300 }, primarySettings: { sync_binlog: 1 }, replicaSettings: { slave_parallel_threads: 4 } });
    const mariadb = t.configFragments(MySqlEngine.mariadb1011());
    expect(Object.keys(mariadb).sort()).toEqual(['common.cnf', 'primary.cnf', 'replica.cnf']);
    expect(mariadb['common.cnf']).toMatch(/^gtid_strict_mode = ON$/m);
    expect(mariadb['common.cnf'].indexOf('gtid_strict_mode')).toBeLessThan(mariadb['common.cnf'].indexOf('max_connections = 300'));
    expect(mariadb['primary.cnf']).toMatch(/^sync_binlog = 1$/m);
    expect(mariadb['replica.cnf']).toMatch(/^read_only = ON$/m);
    expect(mariadb['replica.cnf']).not.toMatch(/super_read_only/);
    expect(mariadb['replica.cnf']).toMatch(/^slave_parallel_threads = 4$/m);
    expect(t.configFragments(MySqlEngine.mysql84())['replica.cnf']).toMatch(/^super_read_only = ON$/m);
  });

  test('fails when an ordinal is outside the cluster', () => {
    expect(() => topology().hostFor(3)).toThrow('ordinal must be an integer between 0 and 2 (got 3)');
  });

  test('fails when names are not DNS labels', () => {
    expect(() => topology({ statefulSetName: 'MySQL' })).toThrow('statefulSetName must be a DNS-1123 label');
    expect(() => topology({ headlessServiceName: '-db' })).toThrow('headlessServiceName must be a DNS-1123 label');
    expect(() => topology({ namespace: 'a.b' })).toThrow('namespace must be a DNS-1123 label');
    expect(() => topology({ clusterDomain: 'Corp_Local' })).toThrow('clusterDomain must be a DNS-1123 subdomain');
  });

  test('fails when replicas is not an integer >= 1', () => {
    expect(() => topology({ replicas: -1 })).toThrow('replicas must be an integer >= 1 (got -1)');
  });

  test('fails when server ids overflow 32 bits', () => {
    expect(() => topology({ serverIdOffset: 4294967290, replicas: 10 })).toThrow('must be at most 4294967295 (server_id is 32-bit)');
  });
});
