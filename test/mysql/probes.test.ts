import { Duration, Testing } from 'cdk8s';
import { StatefulMySQL, StatefulMySQLProps } from '../../lib';
import { validateManifests } from '../support/manifests';
import { find, synth } from '../support/objects';

function server(props: StatefulMySQLProps): any {
  const chart = Testing.chart();
  new StatefulMySQL(chart, 'mysql', props);
  const objects = synth(chart);
  expect(validateManifests(objects)).toEqual([]);
  return find(objects, 'StatefulSet', 'mysql').spec.template.spec.containers.find((c: any) => c.name === 'mysql');
}

const timings = (probe: any) => ({
  initialDelaySeconds: probe.initialDelaySeconds, periodSeconds: probe.periodSeconds, timeoutSeconds: probe.timeoutSeconds, failureThreshold: probe.failureThreshold,
});

describe('probe timings', () => {
  test('default to today\'s values: 10 minutes of startup, liveness after 30 s without an answer, readiness after two checks', () => {
    const mysql = server({});
    expect(timings(mysql.startupProbe)).toEqual({ initialDelaySeconds: undefined, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 60 });
    expect(timings(mysql.livenessProbe)).toEqual({ initialDelaySeconds: undefined, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 });
    expect(timings(mysql.readinessProbe)).toEqual({ initialDelaySeconds: undefined, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 2 });
  });

  test('each field given replaces its default; the others keep theirs; the commands stay', () => {
    const mysql = server({
      probes: {
        startup: { failureThreshold: 180 },
        liveness: { timeout: Duration.seconds(15), period: Duration.seconds(20) },
        readiness: { initialDelay: Duration.seconds(30) },
      },
    });
    expect(timings(mysql.startupProbe)).toEqual({ initialDelaySeconds: undefined, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 180 });
    expect(timings(mysql.livenessProbe)).toEqual({ initialDelaySeconds: undefined, periodSeconds: 20, timeoutSeconds: 15, failureThreshold: 3 });
    expect(timings(mysql.readinessProbe)).toEqual({ initialDelaySeconds: 30, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 2 });
    expect(mysql.readinessProbe.exec.command).toEqual(['bash', '/opt/mysql-cluster/scripts/probe-ready.sh']);
    expect(mysql.livenessProbe.exec.command[2]).toBe('ping');
  });

  test.each<[string, StatefulMySQLProps, string]>([
    ['a period is not whole seconds', { probes: { liveness: { period: Duration.millis(1500) } } }, 'probes.liveness.period must be a whole number of seconds, at least 1 (got 1 second 500 millis)'],
    ['a timeout is zero', { probes: { readiness: { timeout: Duration.seconds(0) } } }, 'probes.readiness.timeout must be a whole number of seconds, at least 1'],
    ['a threshold is zero', { probes: { startup: { failureThreshold: 0 } } }, 'probes.startup.failureThreshold must be an integer between 1 and 2147483647 (got 0)'],
    ['a period is a number', { probes: { startup: { period: 10 as any } } }, 'probes.startup.period must be a Duration such as Duration.minutes(1) (got 10)'],
    ['probes is a string', { probes: 'slow' as any }, 'probes must be an object (got "slow")'],
    ['maxReadLag is zero', { maxReadLag: Duration.seconds(0) }, 'maxReadLag must be a whole number of seconds, at least 1 (got 0 seconds)'],
    ['maxReadLag is not whole seconds', { maxReadLag: Duration.millis(2500) }, 'maxReadLag must be a whole number of seconds, at least 1 (got 2 seconds 500 millis)'],
    ['maxReadLag is a number', { maxReadLag: 30 as any }, 'maxReadLag must be a Duration such as Duration.minutes(1) (got 30)'],
  ])('fails when %s', (_, props, message) => {
    expect(() => server(props)).toThrow(message);
  });
});

describe('maxReadLag', () => {
  const lagEnv = (mysql: any) => mysql.env.find((e: any) => e.name === 'MAX_READ_LAG_SECONDS')?.value;

  test('defaults to one minute, handed to the readiness probe', () => {
    expect(lagEnv(server({}))).toBe('60');
  });

  test('takes any whole number of seconds', () => {
    expect(lagEnv(server({ maxReadLag: Duration.seconds(5) }))).toBe('5');
    expect(lagEnv(server({ maxReadLag: Duration.hours(2) }))).toBe('7200');
  });
});
