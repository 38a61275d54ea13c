/**
 * Rules for the Prometheus Operator's PodMonitor that its CRD schema (in the version
 * the schema layer has) leaves out: the operator's duration grammar for `interval` and
 * `scrapeTimeout` (`monitoringv1.Duration`), a timeout no longer than the interval
 * (Prometheus refuses such a scrape configuration), a valid label selector, and, across
 * the set, that the selector picks pods that have a container port of the endpoint's
 * `port` name, or the PodMonitor scrapes nothing.
 */
import { namespaceOf, objectRef } from './common';
import { labelSelectorProblems, selectorMatches } from './rules-metadata';
import { podTemplateOf } from './rules-pod';

/** The Prometheus Operator's Duration pattern. */
const PROMETHEUS_DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
const UNIT_MS: Record<string, number> = { y: 31536000000, w: 604800000, d: 86400000, h: 3600000, m: 60000, s: 1000, ms: 1 };

function durationMs(value: string): number {
  return [...value.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)].reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit], 0);
}

/** Problems of one PodMonitor beyond its schema. */
export function podMonitorProblems(object: any): string[] {
  if (object?.kind !== 'PodMonitor') return [];
  const problems = labelSelectorProblems('spec.selector', object.spec?.selector);
  (object.spec?.podMetricsEndpoints ?? []).forEach((endpoint: any, i: number) => {
    const at = `spec.podMetricsEndpoints[${i}]`;
    for (const field of ['interval', 'scrapeTimeout']) {
      const value = endpoint?.[field];
      if (typeof value === 'string' && (value === '' || !PROMETHEUS_DURATION.test(value))) {
        problems.push(`${at}.${field}: must be a Prometheus duration such as 30s or 1m30s (got ${JSON.stringify(value)})`);
      }
    }
    const { interval, scrapeTimeout } = endpoint ?? {};
    const valid = (value: unknown): value is string => typeof value === 'string' && value !== '' && PROMETHEUS_DURATION.test(value);
    if (valid(interval) && valid(scrapeTimeout) && durationMs(scrapeTimeout) > durationMs(interval)) {
      problems.push(`${at}.scrapeTimeout: must not exceed the interval ${interval} (got ${JSON.stringify(scrapeTimeout)})`);
    }
  });
  return problems;
}

/** PodMonitors whose selector picks no pod of the set with a container port of each endpoint's name. */
export function podMonitorTargetProblems(objects: readonly any[]): string[] {
  const problems: string[] = [];
  for (const monitor of objects.filter(object => object?.kind === 'PodMonitor')) {
    const templates = objects
      .filter(object => namespaceOf(object) === namespaceOf(monitor))
      .map(podTemplateOf)
      .filter((template): template is NonNullable<ReturnType<typeof podTemplateOf>> => template !== undefined)
      .filter(template => selectorMatches(monitor.spec?.selector ?? {}, template.labels as Record<string, string> | undefined));
    if (templates.length === 0) {
      problems.push(`${objectRef(monitor)}: spec.selector selects no pod template of the set`);
      continue;
    }
    (monitor.spec?.podMetricsEndpoints ?? []).forEach((endpoint: any, i: number) => {
      const named = templates.some(template => (template.spec?.containers ?? [])
        .some((c: any) => (c.ports ?? []).some((p: any) => p.name === endpoint?.port)));
      if (!named) {
        problems.push(`${objectRef(monitor)}: spec.podMetricsEndpoints[${i}].port "${endpoint?.port}" is no container port name of the selected pods`);
      }
    });
  }
  return problems;
}
