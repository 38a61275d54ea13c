import { Duration } from 'cdk8s';
import * as k8s from '../../internal/k8s';
import { optionalPlainObject, requireInteger, requireWholeSeconds } from '../../internal/validate';
import { ProbeOptions, ProbeTiming } from '../stateful-mysql-props';

/** Timings of one probe, as the pod spec writes them. */
type ProbeFields = Pick<k8s.Probe, 'initialDelaySeconds' | 'periodSeconds' | 'timeoutSeconds' | 'failureThreshold'>;

/**
 * Today's timings, the defaults: the startup probe gives crash recovery of a large data
 * directory 10 minutes (60 × 10 s) before liveness applies; liveness restarts a server
 * that has not answered `ping` for 30 s; readiness takes a member out of the Services
 * after two failed checks 5 s apart.
 */
const DEFAULTS: Record<keyof ProbeOptions, Required<ProbeTiming>> = {
  startup: { period: Duration.seconds(10), timeout: Duration.seconds(5), failureThreshold: 60, initialDelay: Duration.seconds(0) },
  liveness: { period: Duration.seconds(10), timeout: Duration.seconds(5), failureThreshold: 3, initialDelay: Duration.seconds(0) },
  readiness: { period: Duration.seconds(5), timeout: Duration.seconds(5), failureThreshold: 2, initialDelay: Duration.seconds(0) },
};

/** The timing fields of one probe: the user's, each one left out taking today's default. */
function probeFields(name: keyof ProbeOptions, given: ProbeTiming | undefined): ProbeFields {
  const what = `probes.${name}`;
  optionalPlainObject(what, given);
  const timing = { ...DEFAULTS[name], ...Object.fromEntries(Object.entries(given ?? {}).filter(([, v]) => v !== undefined)) } as Required<ProbeTiming>;
  const fields: ProbeFields = {
    periodSeconds: requireWholeSeconds(`${what}.period`, timing.period, 1),
    timeoutSeconds: requireWholeSeconds(`${what}.timeout`, timing.timeout, 1),
    failureThreshold: requireInteger(`${what}.failureThreshold`, timing.failureThreshold, 1, 2147483647),
  };
  const initialDelaySeconds = requireWholeSeconds(`${what}.initialDelay`, timing.initialDelay, 0);
  return initialDelaySeconds === 0 ? fields : { initialDelaySeconds, ...fields };
}

/** Default of `maxReadLag`: MOCO's default lag limit, and the clone's `maxSourceLag`. */
const DEFAULT_MAX_READ_LAG = Duration.minutes(1);

/** How far behind the primary a replica may be and stay in the read Service (`maxReadLag`), in seconds. */
export function maxReadLagSeconds(maxReadLag: Duration | undefined): number {
  return requireWholeSeconds('maxReadLag', maxReadLag ?? DEFAULT_MAX_READ_LAG, 1);
}

/** The timings of the server's three probes. */
export function probeTimings(options: ProbeOptions | undefined): Record<keyof ProbeOptions, ProbeFields> {
  optionalPlainObject('probes', options);
  return {
    startup: probeFields('startup', options?.startup),
    liveness: probeFields('liveness', options?.liveness),
    readiness: probeFields('readiness', options?.readiness),
  };
}
