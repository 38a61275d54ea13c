import { ApiObject, Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from '../../internal/k8s';
import { ImageSource } from '../../internal/image-source';
import { optionalPlainObject, requireArray, requireImageReference, requireLabels, requireWholeSeconds } from '../../internal/validate';
import { ClientSelector } from '../network-access';
import { ContainerResources, MetricsOptions, PodMonitorOptions } from '../stateful-mysql-props';
import { toKubeResources, withDefaults } from '../pod/resources';

/** The exporter's port, named `metrics` in the pod (mysqld_exporter's default). */
export const METRICS_PORT = 9104;
/** The pinned exporter image (prometheus/mysqld_exporter `Dockerfile`, see image-inventory.ts). */
export const DEFAULT_EXPORTER_IMAGE = 'prom/mysqld-exporter:v0.20.0';
/** Where the exporter's client options file is: a memory-backed volume init-config writes. */
export const EXPORTER_CONFIG_DIR = '/run/mysql-exporter';
export const EXPORTER_CONFIG_FILE = `${EXPORTER_CONFIG_DIR}/my.cnf`;

const DEFAULT_EXPORTER_RESOURCES: ContainerResources = {
  cpuRequestMillis: 50, memoryRequest: Size.mebibytes(32), memoryLimit: Size.mebibytes(128),
};

/** {@link MetricsOptions}, checked, with the defaults filled in. */
export interface ResolvedMetrics {
  readonly image: string;
  readonly resources: ContainerResources;
  /** Undefined without a NetworkPolicy. */
  readonly scrapers?: readonly ClientSelector[];
  readonly podMonitor?: { readonly labels: Record<string, string>; readonly interval: string; readonly scrapeTimeout: string };
}

/** Checks the metrics options; undefined when metrics are off. */
export function resolveMetrics(options: MetricsOptions | undefined, networkPolicy: boolean, requireSecureTransport: boolean): ResolvedMetrics | undefined {
  if (optionalPlainObject('metrics', options) === undefined) return undefined;
  const metrics = options!;
  if (requireSecureTransport) {
    throw new Error('metrics cannot be combined with tls.requireSecureTransport yet: the exporter logs in over 127.0.0.1, which the server then refuses without TLS, and the exporter releases disagree on how their options file turns TLS on (Debian\'s 0.14 cannot); keep requireSecureTransport false to scrape, or leave metrics out (got requireSecureTransport true)');
  }
  let scrapers: readonly ClientSelector[] | undefined;
  if (networkPolicy) {
    if (metrics.scrapers === undefined) {
      throw new Error('metrics.scrapers must name the pods that scrape the metrics port, which the NetworkPolicy admits, e.g. [{ namespaceLabels: { \'kubernetes.io/metadata.name\': \'monitoring\' } }] (got undefined)');
    }
    scrapers = requireArray('metrics.scrapers', metrics.scrapers);
    if (scrapers.length === 0) {
      throw new Error('metrics.scrapers must name at least one selector: with none, the NetworkPolicy admits no scraper (got [])');
    }
  }
  return {
    image: requireImageReference('metrics.image', metrics.image ?? DEFAULT_EXPORTER_IMAGE),
    resources: withDefaults('metrics.resources', metrics.resources, DEFAULT_EXPORTER_RESOURCES),
    scrapers,
    podMonitor: resolvePodMonitor(metrics.podMonitor),
  };
}

function resolvePodMonitor(options: PodMonitorOptions | undefined): ResolvedMetrics['podMonitor'] {
  if (optionalPlainObject('metrics.podMonitor', options) === undefined) return undefined;
  const interval = requireWholeSeconds('metrics.podMonitor.interval', options!.interval ?? Duration.seconds(30), 1);
  const timeout = requireWholeSeconds('metrics.podMonitor.scrapeTimeout', options!.scrapeTimeout ?? Duration.seconds(10), 1);
  if (timeout > interval) {
    throw new Error(`metrics.podMonitor.scrapeTimeout must not exceed the interval of ${interval}s: Prometheus refuses such a scrape configuration (got ${timeout}s)`);
  }
  return {
    labels: requireLabels('metrics.podMonitor.labels', options!.labels ?? {}),
    interval: `${interval}s`,
    scrapeTimeout: `${timeout}s`,
  };
}

/**
 * The exporter container: the image's own entrypoint, reading its credentials from the
 * options file init-config writes (never from argv or an environment variable, which
 * Debian's 0.14 does not read anyway), serving on the named port `metrics`.
 */
export function exporterContainer(metrics: ResolvedMetrics, images: ImageSource, securityContext: k8s.SecurityContext, volumeName: string): k8s.Container {
  return {
    name: 'metrics',
    image: images.image(metrics.image),
    args: [`--config.my-cnf=${EXPORTER_CONFIG_FILE}`, `--web.listen-address=:${METRICS_PORT}`],
    ports: [{ name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' }],
    volumeMounts: [{ name: volumeName, mountPath: EXPORTER_CONFIG_DIR, readOnly: true }],
    resources: toKubeResources('metrics.resources', metrics.resources),
    securityContext: { ...securityContext, readOnlyRootFilesystem: true },
  };
}

/** Where the PodMonitor points. */
export interface PodMonitorTarget {
  readonly name: string;
  readonly namespace: string;
  readonly memberLabels: Record<string, string>;
}

/** Adds the Prometheus Operator PodMonitor `<name>` over the members' `metrics` port. */
export function addPodMonitor(scope: Construct, id: string, target: PodMonitorTarget, podMonitor: NonNullable<ResolvedMetrics['podMonitor']>): ApiObject {
  return new ApiObject(scope, id, {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: {
      name: target.name,
      namespace: target.namespace,
      labels: { ...target.memberLabels, ...podMonitor.labels },
    },
    spec: {
      selector: { matchLabels: { ...target.memberLabels } },
      podMetricsEndpoints: [{ port: 'metrics', path: '/metrics', interval: podMonitor.interval, scrapeTimeout: podMonitor.scrapeTimeout }],
    },
  });
}
