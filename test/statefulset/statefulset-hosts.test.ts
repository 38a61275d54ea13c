import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { HeadlessService, StatefulSetHosts } from '../../lib';
import * as k8s from '../../lib/internal/k8s';

function plusStatefulSet(chart: Chart, props: Partial<kplus.StatefulSetProps> = {}): kplus.StatefulSet {
  return new kplus.StatefulSet(chart, 'web', {
    metadata: { name: 'web' },
    service: new HeadlessService(chart, 'nginx', { name: 'nginx', ports: [{ port: 80 }] }),
    containers: [{ name: 'nginx', image: 'nginx:1.27' }],
    ...props,
  });
}

describe('StatefulSetHosts', () => {
  test('by name: the pods\' names in a namespace and cluster domain', () => {
    const hosts = new StatefulSetHosts({ statefulSetName: 'etcd', serviceName: 'etcd-peers', namespace: 'infra', clusterDomain: 'corp.local' });
    expect(hosts.domain).toBe('etcd-peers.infra.svc.corp.local');
    expect(hosts.shortHostFor(2)).toBe('etcd-2.etcd-peers');
    expect(hosts.hostFor(0)).toBe('etcd-0.etcd-peers.infra.svc.corp.local');
    expect(hosts.hostsFor(3)).toEqual([0, 1, 2].map(k => `etcd-${k}.etcd-peers.infra.svc.corp.local`));
  });

  test('by name: namespace "default" and domain "cluster.local" unless given', () => {
    expect(new StatefulSetHosts({ statefulSetName: 'web', serviceName: 'nginx' }).hostFor(1)).toBe('web-1.nginx.default.svc.cluster.local');
  });

  test('of(): reads the name and Service of a cdk8s-plus StatefulSet, and the namespace of its chart', () => {
    const chart = new Chart(Testing.app(), 'site', { namespace: 'shop' });
    const hosts = StatefulSetHosts.of(plusStatefulSet(chart), { clusterDomain: 'corp.local' });
    expect([hosts.statefulSetName, hosts.serviceName, hosts.namespace, hosts.clusterDomain]).toEqual(['web', 'nginx', 'shop', 'corp.local']);
  });

  test('of(): a namespace on the StatefulSet itself wins over the chart\'s', () => {
    const chart = new Chart(Testing.app(), 'site', { namespace: 'shop' });
    expect(StatefulSetHosts.of(plusStatefulSet(chart, { metadata: { name: 'web', namespace: 'edge' } })).namespace).toBe('edge');
  });

  test('of() fails on an L1 StatefulSet, which does not know its Service object, and says what to use', () => {
    const chart = Testing.chart();
    const l1 = new k8s.KubeStatefulSet(chart, 'etcd', {
      metadata: { name: 'etcd' },
      spec: {
        serviceName: 'etcd', selector: { matchLabels: { app: 'etcd' } },
        template: { metadata: { labels: { app: 'etcd' } }, spec: { containers: [{ name: 'etcd', image: 'etcd:3' }] } },
      },
    });
    expect(() => StatefulSetHosts.of(l1)).toThrow('StatefulSetHosts.of() needs a cdk8s-plus StatefulSet, which knows its Service (got "test/etcd"); for an L1 StatefulSet use new StatefulSetHosts({ statefulSetName, serviceName })');
  });

  test('of() fails on anything but a StatefulSet', () => {
    const chart = Testing.chart();
    const deployment = new kplus.Deployment(chart, 'api', { containers: [{ image: 'api:1' }] });
    expect(() => StatefulSetHosts.of(deployment)).toThrow('StatefulSetHosts.of() needs a StatefulSet (got a Deployment, "test/api")');
    expect(() => StatefulSetHosts.of(new Construct(chart, 'group'))).toThrow('StatefulSetHosts.of() needs a construct that synthesizes one Kubernetes object (got "test/group", which has no default ApiObject)');
  });

  test('fails on names that are not DNS labels, ordinals below 0 and replica counts below 1', () => {
    expect(() => new StatefulSetHosts({ statefulSetName: 'Web', serviceName: 'nginx' })).toThrow('StatefulSetHosts statefulSetName must be a DNS-1123 label');
    expect(() => new StatefulSetHosts({ statefulSetName: 'web', serviceName: 'nginx_1' })).toThrow('(got "nginx_1")');
    expect(() => new StatefulSetHosts({ statefulSetName: 'web', serviceName: 'nginx', clusterDomain: 'corp..local' })).toThrow('StatefulSetHosts clusterDomain');
    const hosts = new StatefulSetHosts({ statefulSetName: 'web', serviceName: 'nginx' });
    expect(() => hosts.hostFor(-1)).toThrow('ordinal must be an integer');
    expect(() => hosts.hostsFor(0)).toThrow('replicas must be an integer');
  });
});
