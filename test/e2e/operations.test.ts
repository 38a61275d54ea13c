import { Duration } from 'cdk8s';
import { readFileSync } from 'fs';
import { query, scalar, slaveStatus, SERVER } from '../../harness/db';
import { waitFor } from '../../harness/host';
import { Fixture, POD_READY_TIMEOUT } from './support/fixture';

/**
 * Operating the cluster like a managed database, on real MariaDB 10.11 servers run from
 * the synthesized StatefulSet: lag-aware reads. Needs root; fails, never skips.
 */

/** Readiness every 2 s, out after one failure: the scenario's timings stay short. */
const MAX_READ_LAG_SECONDS = 4;

describe('e2e: operating a MariaDB 10.11 cluster', () => {
  const f = new Fixture('ops', {
    replicas: 2,
    maxReadLag: Duration.seconds(MAX_READ_LAG_SECONDS),
    probes: { readiness: { period: Duration.seconds(2), failureThreshold: 1 } },
  });

  f.scenario('1. bootstraps a primary and a replica', 180_000, async t => {
    await f.cluster.scaleTo(2, POD_READY_TIMEOUT, (ordinal, ms) => t.mark(`${f.cluster.podName(ordinal)} Ready (${(ms / 1000).toFixed(1)} s)`));
    await query(f.cluster.pod(0), `
      CREATE DATABASE e2e;
      CREATE TABLE e2e.items (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(200) NOT NULL);
      CREATE TABLE e2e.lag (id INT AUTO_INCREMENT PRIMARY KEY, at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6));`);
    await f.waitConverged([1], 'e2e.lag');
    expect(f.cluster.serviceEndpoints('mysql-read')).toEqual(['mysql-0', 'mysql-1']);
    expect(f.cluster.serviceEndpoints('mysql-primary')).toEqual(['mysql-0']);
  });

  f.scenario('2. a replica lagging more than maxReadLag leaves the read Service, and returns once caught up', 120_000, async t => {
    const { cluster } = f;
    const replica = cluster.pod(1);
    // A long read lock on the replica blocks its applier, as a long report query or a
    // backup's lock would: the primary's writes queue up and the lag grows.
    const lockSeconds = 20;
    const lock = replica.exec(SERVER, ['bash', '-c',
      `exec "$MYSQL_CLIENT" --defaults-extra-file="$AUTH_FILE" --protocol=TCP --host=127.0.0.1 --port="$MYSQL_PORT" -e 'LOCK TABLES e2e.lag READ; SELECT SLEEP(${lockSeconds}); UNLOCK TABLES'`],
    { timeoutMs: (lockSeconds + 30) * 1000 });
    const lockedAt = Date.now();
    await waitFor('the read lock on mysql-1', 10_000, async () =>
      (await scalar(replica, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP%'")) === '1');
    await query(cluster.pod(0), 'INSERT INTO e2e.lag () VALUES ()');
    t.mark('mysql-1 holds a read lock on e2e.lag; a row written on the primary');

    await waitFor('mysql-1 to leave the read endpoints', 15_000, () => !replica.ready);
    const lagWhenOut = Number((await slaveStatus(replica)).Seconds_Behind_Master);
    expect(lagWhenOut).toBeGreaterThan(MAX_READ_LAG_SECONDS);
    expect(cluster.serviceEndpoints('mysql-read')).toEqual(['mysql-0']);
    expect(cluster.serviceEndpoints('mysql-primary')).toEqual(['mysql-0']);
    expect(readFileSync(replica.logFile('events'), 'utf8')).toMatch(/replication lags \d+s behind the primary, more than maxReadLag \(4s\)/);
    t.mark(`out of mysql-read after ${((Date.now() - lockedAt) / 1000).toFixed(1)} s, lag ${lagWhenOut} s > ${MAX_READ_LAG_SECONDS} s`);

    const result = await lock;
    expect(result.code).toBe(0);
    await waitFor('mysql-1 to return to the read endpoints', 20_000, () => replica.ready);
    expect(cluster.serviceEndpoints('mysql-read')).toEqual(['mysql-0', 'mysql-1']);
    expect(await scalar(replica, 'SELECT COUNT(*) FROM e2e.lag')).toBe(await scalar(cluster.pod(0), 'SELECT COUNT(*) FROM e2e.lag'));
    t.mark(`back in mysql-read ${((Date.now() - lockedAt) / 1000 - lockSeconds).toFixed(1)} s after the lock ended, caught up`);
  });
});
