import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { HeadlessService, HeadlessServiceProps } from '../../lib';
import * as k8s from '../../lib/internal/k8s';
import { find, selects, synth } from '../support/objects';
import { validateManifests } from '../support/manifests';

function service(props: HeadlessServiceProps = {}, chart: Chart = Testing.chart()) {
  const svc = new HeadlessService(chart, 'cache', { ports: [{ name: 'tcp', port: 11211 }], ...props });
  return { svc, chart, objects: () => synth(chart) };
}

describe('HeadlessService', () => {
  test('defaults match the snapshot', () => {
    expect(service().objects()).toMatchSnapshot();
  });

  test('is headless, publishes not-ready pods and is named after its id', () => {
    const spec = find(service().objects(), 'Service', 'cache').spec;
    expect(spec.clusterIP).toBe('None');
    expect(spec.type).toBe('ClusterIP');
    expect(spec.publishNotReadyAddresses).toBe(true);
    expect(spec.ports).toEqual([{ name: 'tcp', port: 11211, protocol: 'TCP' }]);
  });

  test('name, namespace, labels, selector and publishNotReadyAddresses pass through', () => {
    const { objects } = service({
      name: 'memcached', namespace: 'caching', labels: { tier: 'cache' }, selector: { app: 'memcached' }, publishNotReadyAddresses: false,
    });
    const svc = find(objects(), 'Service', 'memcached');
    expect(svc.metadata).toMatchObject({ namespace: 'caching', labels: { tier: 'cache' } });
    expect(svc.spec.selector).toEqual({ app: 'memcached' });
    expect(svc.spec.publishNotReadyAddresses).toBe(false);
  });

  test('governs a cdk8s-plus StatefulSet: serviceName is its name and it selects the pods', () => {
    const chart = Testing.chart();
    const svc = new HeadlessService(chart, 'nginx', { ports: [{ name: 'web', port: 80 }] });
    new kplus.StatefulSet(chart, 'web', { metadata: { name: 'web' }, service: svc, containers: [{ image: 'nginx', portNumber: 80 }] });
    const objects = synth(chart);
    const sts = find(objects, 'StatefulSet', 'web');
    const headless = find(objects, 'Service', 'nginx');
    expect(sts.spec.serviceName).toBe(headless.metadata.name);
    expect(Object.keys(headless.spec.selector).length).toBeGreaterThan(0);
    expect(selects(headless.spec.selector, sts.spec.template.metadata.labels)).toBe(true);
  });

  test('governs an L1 KubeStatefulSet through its selector', () => {
    const chart = Testing.chart();
    const labels = { app: 'zookeeper' };
    const svc = new HeadlessService(chart, 'zk', { selector: labels, ports: [{ name: 'client', port: 2181 }] });
    new k8s.KubeStatefulSet(chart, 'set', {
      metadata: { name: 'zk' },
      spec: {
        serviceName: svc.name,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'zk', image: 'zookeeper:3.9' }] } },
      },
    });
    const objects = synth(chart);
    const sts = find(objects, 'StatefulSet', 'zk');
    const headless = find(objects, 'Service', 'zk');
    expect(sts.spec.serviceName).toBe(headless.metadata.name);
    expect(selects(headless.spec.selector, sts.spec.template.metadata.labels)).toBe(true);
  });

  test('DNS names of any StatefulSet use the Service, namespace and cluster domain', () => {
    const chart = new Chart(Testing.app(), 'apps', { namespace: 'shop' });
    const svc = new HeadlessService(chart, 'nginx', { ports: [{ port: 80 }] });
    const web = new kplus.StatefulSet(chart, 'web', { metadata: { name: 'web' }, service: svc, containers: [{ image: 'nginx', portNumber: 80 }] });
    const l1 = new k8s.KubeStatefulSet(chart, 'l1', { metadata: { name: 'kafka' }, spec: { serviceName: svc.name, selector: {}, template: {} } });
    expect(svc.shortHostFor(web, 1)).toBe('web-1.nginx');
    expect(svc.hostFor(web, 0)).toBe('web-0.nginx.shop.svc.cluster.local');
    expect(svc.hostFor(l1, 2)).toBe('kafka-2.nginx.shop.svc.cluster.local');
    expect(svc.hostsFor({ name: 'web' }, 2)).toEqual(['web-0.nginx.shop.svc.cluster.local', 'web-1.nginx.shop.svc.cluster.local']);
    expect(svc.domain).toBe('nginx.shop.svc.cluster.local');
  });

  test('DNS names prefer the Service namespace, fall back to default, and take a cluster domain', () => {
    expect(service({ namespace: 'caching', clusterDomain: 'corp.internal' }).svc.hostFor({ name: 'mc' }, 0))
      .toBe('mc-0.cache.caching.svc.corp.internal');
    expect(service().svc.hostFor({ name: 'mc' }, 0)).toBe('mc-0.cache.default.svc.cluster.local');
  });

  test('fails when the name or namespace is not a DNS label', () => {
    expect(() => service({ name: 'Cache' })).toThrow('HeadlessService name must be a DNS-1035 label: lower-case letters, digits and \'-\', starting with a letter and ending with a letter or digit, because it names a Service (got "Cache")');
    expect(() => service({ name: '9cache' })).toThrow('HeadlessService name must be a DNS-1035 label');
    expect(() => service({ namespace: 'a.b' })).toThrow('HeadlessService namespace must be a DNS-1123 label');
  });

  test('fails when a port is out of range, badly named or repeated', () => {
    expect(() => service({ ports: [{ port: 0 }] })).toThrow('HeadlessService ports[0].port must be an integer between 1 and 65535 (got 0)');
    expect(() => service({ ports: [{ port: 80, name: 'a-very-long-port-name' }] })).toThrow('HeadlessService ports[0].name must be at most 15 characters (got "a-very-long-port-name", 21 characters)');
    expect(() => service({ ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }] })).toThrow('HeadlessService ports (number and protocol) must be distinct, but entries 0 and 1 are both "80/TCP"');
    expect(() => service({ ports: [{ port: 80 }, { port: 81, name: 'b' }] })).toThrow('HeadlessService ports must all be named when there are several');
    expect(() => service({ ports: [{ port: 80, protocol: 'tcp' as any }] })).toThrow('HeadlessService ports[0].protocol must be one of "TCP", "UDP", "SCTP" (got "tcp")');
    expect(() => service({ ports: [{ port: 80, name: 'web' }, { port: 81, name: 'web' }] })).toThrow('HeadlessService port names must be distinct, but entries 0 and 1 are both "web"');
  });

  test('one port number may be published on TCP and UDP', () => {
    const objects = service({ selector: { app: 'dns' }, ports: [{ port: 53, name: 'dns-tcp' }, { port: 53, name: 'dns-udp', protocol: kplus.Protocol.UDP }] }).objects();
    expect(find(objects, 'Service', 'cache').spec.ports).toEqual([
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      { name: 'dns-udp', port: 53, protocol: 'UDP' },
    ]);
    expect(validateManifests(objects)).toEqual([]);
  });

  test('writes no empty externalIPs, so re-applying the Service changes nothing', () => {
    expect(find(service().objects(), 'Service', 'cache').spec).not.toHaveProperty('externalIPs');
  });

  test('fails when the cluster domain is not a DNS subdomain', () => {
    expect(() => service({ clusterDomain: 'cluster_local' })).toThrow('HeadlessService clusterDomain must be a DNS-1123 subdomain: dot-separated DNS labels, at most 253 characters (got "cluster_local")');
  });

  test('fails when an ordinal or a replica count is not a valid number', () => {
    const { svc } = service();
    expect(() => svc.hostFor({ name: 'mc' }, -1)).toThrow('ordinal must be an integer >= 0 (got -1)');
    expect(() => svc.shortHostFor({ name: 'mc' }, 1.5)).toThrow('ordinal must be an integer >= 0 (got 1.5)');
    expect(() => svc.hostsFor({ name: 'mc' }, 0)).toThrow('replicas must be an integer >= 1 (got 0)');
  });

  test('fails when it reaches synth without a port', () => {
    const chart = Testing.chart();
    new HeadlessService(chart, 'bare');
    expect(() => synth(chart)).toThrow('HeadlessService "bare" needs at least one port, given in props.ports or with bind() (got none)');
  });

  test('a port bound after construction satisfies the check', () => {
    const chart = Testing.chart();
    const svc = new HeadlessService(chart, 'late');
    svc.bind(9042, { name: 'cql' });
    expect(find(synth(chart), 'Service', 'late').spec.ports).toEqual([{ name: 'cql', port: 9042 }]);
  });
});
