import { Chart, Testing } from 'cdk8s';
import { MemberRole, ReplicaTopology, ReplicaTopologyProps, StatefulMySQL } from '../../lib';

function topology(props: ReplicaTopologyProps = {}): ReplicaTopology {
  return new ReplicaTopology(Testing.chart(), 'mysql', props);
}

describe('ReplicaTopology', () => {
  test('defaults: three members named after the construct, ordinal 0 primary, server ids from 100', () => {
    expect(topology().members).toEqual([
      { ordinal: 0, podName: 'mysql-0', role: MemberRole.PRIMARY, serverId: 100, host: 'mysql-0.mysql.default.svc.cluster.local' },
      { ordinal: 1, podName: 'mysql-1', role: MemberRole.REPLICA, serverId: 101, host: 'mysql-1.mysql.default.svc.cluster.local' },
      { ordinal: 2, podName: 'mysql-2', role: MemberRole.REPLICA, serverId: 102, host: 'mysql-2.mysql.default.svc.cluster.local' },
    ]);
  });

  test('name, namespace and domain shape every DNS name', () => {
    const t = topology({ name: 'db', namespace: 'shop', clusterDomain: 'corp.local', serverIdOffset: 7 });
    expect(t.primary.host).toBe('db-0.db.shop.svc.corp.local');
    expect(t.memberDomain).toBe('db.shop.svc.corp.local');
    expect(t.member(2).serverId).toBe(9);
  });

  test('the namespace defaults to the chart\'s', () => {
    const t = new ReplicaTopology(new Chart(Testing.app(), 'c', { namespace: 'team-a' }), 'T', { name: 'mysql' });
    expect(t.namespace).toBe('team-a');
  });

  test('is the cluster\'s model: StatefulMySQL takes these props and the topology decides them', () => {
    const chart = Testing.chart();
    const db = new StatefulMySQL(chart, 'db', { replicas: 5, serverIdOffset: 1000, namespace: 'shop' });
    expect(db.topology.replicas).toBe(5);
    expect(db.topology.member(4)).toMatchObject({ podName: 'db-4', serverId: 1004, host: 'db-4.db.shop.svc.cluster.local' });
    expect(db.hostFor(4)).toBe(db.topology.hostFor(4));
    expect(db.name).toBe(db.topology.name);
  });

  test('fails when an ordinal is outside the cluster', () => {
    expect(() => topology().hostFor(3)).toThrow('ordinal must be an integer between 0 and 2 (got 3)');
  });

  test('fails when names are not DNS labels', () => {
    expect(() => topology({ name: 'MySQL' })).toThrow('name must be a DNS-1035 label');
    expect(() => topology({ name: '0db' })).toThrow('name must be a DNS-1035 label');
    expect(() => topology({ namespace: 'a.b' })).toThrow('namespace must be a DNS-1123 label');
    expect(() => topology({ clusterDomain: 'Corp_Local' })).toThrow('clusterDomain must be a DNS-1123 subdomain');
  });

  test('fails when replicas is not an integer between 1 and the int32 maximum', () => {
    expect(() => topology({ replicas: -1 })).toThrow('replicas must be an integer between 1 and 2147483647 (got -1)');
    expect(() => topology({ replicas: 2 ** 31 })).toThrow('replicas must be an integer between 1 and 2147483647 (got 2147483648)');
  });

  test('fails when server ids overflow 32 bits', () => {
    expect(() => topology({ serverIdOffset: 4294967290, replicas: 10 })).toThrow('must be at most 4294967295 (server_id is 32-bit)');
    expect(ReplicaTopology.MAX_SERVER_ID).toBe(4294967295);
  });
});
