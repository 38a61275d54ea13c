import { Duration } from 'cdk8s';
import { readFileSync } from 'fs';
import { query, scalar, slaveStatus, SERVER } from '../../harness/db';
import { waitFor } from '../../harness/host';
import { EXPORTER_PASSWORD, Fixture, POD_READY_TIMEOUT, REPLICATION_PASSWORD, ROOT_PASSWORD, SECRET } from './support/fixture';
import { Pod } from '../../harness/kubelet';
import { addSecret } from '../../harness/manifest';

/**
 * Operating the cluster like a managed database, on real MariaDB 10.11 servers run from
 * the synthesized StatefulSet: lag-aware reads, root only from inside the pod, root
 * password rotation, the metrics exporter (Debian's build of mysqld_exporter, run from
 * the manifest's own container: its entrypoint, args, volumes and user), an application
 * database declared with addDatabase. Needs root; fails, never skips.
 */

/** The application database's owner and its password (quotes and a backslash: SQL-quoted by the sidecar). */
const SHOP_USER = 'shop';
const SHOP_PASSWORD = `sh0p 'pw' \\ "x"`;
const SHOP_SECRET = 'shop-db';

/** Readiness every 2 s, out after one failure: the scenario's timings stay short. */
const MAX_READ_LAG_SECONDS = 4;

describe('e2e: operating a MariaDB 10.11 cluster', () => {
  const f = new Fixture('ops', {
    replicas: 2,
    maxReadLag: Duration.seconds(MAX_READ_LAG_SECONDS),
    probes: { readiness: { period: Duration.seconds(2), failureThreshold: 1 } },
    metrics: { scrapers: [{ namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }] },
  }, {
    customize: (mysql, chart) => {
      mysql.addDatabase('shop_db', { owner: { user: SHOP_USER, secretName: SHOP_SECRET } });
      addSecret(chart, { name: SHOP_SECRET, stringData: { password: SHOP_PASSWORD } });
    },
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

  f.scenario('3. root logs in only from inside its pod: the socket and 127.0.0.1 work, another pod is refused with the right password', 60_000, async t => {
    const { cluster } = f;
    // The entrypoint created root@localhost and root@127.0.0.1 only (MARIADB_ROOT_HOST).
    for (const ordinal of [0, 1]) {
      expect(await rootHosts(cluster.pod(ordinal))).toEqual(['127.0.0.1', 'localhost']);
    }
    // A cluster made by 0.1 (or by hand) has root@'%': the primary's sidecar drops it.
    await query(cluster.pod(0), "CREATE USER root@'%' IDENTIFIED BY 'anywhere'; GRANT ALL ON *.* TO root@'%' WITH GRANT OPTION");
    await waitFor('root@% on mysql-1', 30_000, async () => (await rootHosts(cluster.pod(1))).includes('%'));
    await cluster.deletePodGracefully(0);
    await cluster.createPod(0);
    await cluster.waitReady(0, POD_READY_TIMEOUT);
    await waitFor('root@% dropped on mysql-1', 30_000, async () => !(await rootHosts(cluster.pod(1))).includes('%'));
    expect(f.currentLog(0, 'replication')).toContain("dropped root@'%': root logs in only from inside the pod");
    for (const ordinal of [0, 1]) {
      expect(await rootHosts(cluster.pod(ordinal))).toEqual(['127.0.0.1', 'localhost']);
    }
    t.mark('root@% created by hand is dropped by the restarted primary, on both members');
    // kubectl exec mysql-0 -c mysql -- mariadb -uroot -p: the socket, root@localhost.
    const local = await cluster.pod(0).exec(SERVER, ['bash', '-c', 'exec "$MYSQL_CLIENT" --defaults-extra-file="$AUTH_FILE" --batch --skip-column-names -e "SELECT CURRENT_USER()"']);
    expect({ code: local.code, user: local.stdout.trim() }).toEqual({ code: 0, user: 'root@localhost' });
    // The same credentials from mysql-1, over the pod network.
    const remote = await rootLoginFrom(cluster.pod(1), cluster.pod(0));
    expect(remote.code).not.toBe(0);
    expect(remote.stderr).toMatch(new RegExp(`Access denied for user 'root'@'${cluster.pod(1).sandbox.ip.replace(/\./g, '\\.')}'`));
    t.mark('root@127.0.0.1 and root@localhost only; a remote root login with the right password is refused');
  });

  f.scenario('4. root password rotation: members restarted with the new Secret keep working on the previous password until the primary has changed it', 240_000, async t => {
    const { cluster } = f;
    const NEW_PASSWORD = `n3w 'root' "pw" \\ #${Date.now()}`;
    const rotated = { 'root-password': NEW_PASSWORD, 'root-password-previous': ROOT_PASSWORD, 'replication-password': REPLICATION_PASSWORD, 'exporter-password': EXPORTER_PASSWORD };
    // A rolling update goes from the highest ordinal down: the replica first.
    for (const ordinal of [1, 0]) {
      cluster.secretOverrides.set(ordinal, new Map([[SECRET, rotated]]));
      await cluster.deletePodGracefully(ordinal);
      await cluster.createPod(ordinal);
      await cluster.waitReady(ordinal, POD_READY_TIMEOUT);
      expect(f.currentLog(ordinal, 'init-config')).toContain('the Secret holds a previous root password');
      t.mark(`${cluster.podName(ordinal)} recreated with the rotated Secret and Ready`);
    }
    await waitFor('the new root password to reach mysql-1', 30_000, async () => (await loginWith(cluster.pod(1), 'AUTH_FILE')).code === 0);
    for (const ordinal of [0, 1]) {
      const pod = cluster.pod(ordinal);
      expect((await loginWith(pod, 'AUTH_FILE')).code).toBe(0);
      const old = await loginWith(pod, 'AUTH_FILE_PREVIOUS');
      expect(old.code).not.toBe(0);
      expect(old.stderr).toMatch(/Access denied for user 'root'@'127\.0\.0\.1'/);
      expect(pod.ready).toBe(true);
    }
    t.mark('the new password logs in on both members, the old one is refused; both Ready');

    // Once rotated, the previous key can go: a member restarted without it works.
    cluster.secretOverrides.set(1, new Map([[SECRET, { 'root-password': NEW_PASSWORD, 'replication-password': REPLICATION_PASSWORD, 'exporter-password': EXPORTER_PASSWORD }]]));
    await cluster.deletePodGracefully(1);
    await cluster.createPod(1);
    await cluster.waitReady(1, POD_READY_TIMEOUT);
    expect(f.currentLog(1, 'init-config')).not.toContain('previous root password');
    await query(cluster.pod(0), "INSERT INTO e2e.items (note) VALUES ('after the rotation')");
    await waitFor('the row on mysql-1', 30_000, async () => (await scalar(cluster.pod(1), "SELECT COUNT(*) FROM e2e.items WHERE note = 'after the rotation'")) === '1');
    t.mark('mysql-1 restarted without the previous key: Ready and replicating');
  });

  f.scenario('5. each member\'s exporter serves mysql_up 1 on its metrics port; the replica\'s shows its replication lag', 60_000, async t => {
    const { cluster } = f;
    const metricsOf = async (ordinal: number) => {
      const text = await waitFor(`metrics of ${cluster.podName(ordinal)}`, 30_000, async () => {
        const scrape = await scrapeFrom(cluster.pod(1 - ordinal), cluster.pod(ordinal).sandbox.ip);
        return scrape.includes('mysql_up') ? scrape : undefined;
      });
      return text;
    };
    const primary = await metricsOf(0);
    const replica = await metricsOf(1);
    for (const text of [primary, replica]) {
      expect(sample(text, 'mysql_up')).toBe('1');
      expect(sample(text, 'mysql_exporter_last_scrape_error')).toBe('0');
    }
    expect(primary).not.toMatch(/^mysql_slave_status_seconds_behind_master/m);
    expect(sample(replica, 'mysql_slave_status_seconds_behind_master')).toMatch(/^\d+$/);
    expect(sample(replica, 'mysql_slave_status_slave_sql_running')).toBe('1');
    t.mark(`mysql_up 1 on both; mysql-1 lag ${sample(replica, 'mysql_slave_status_seconds_behind_master')} s`);

    // The account: only from inside the pod, only what the collectors read, 3 connections.
    const grants = (await query(cluster.pod(1), "SHOW GRANTS FOR 'exporter'@'127.0.0.1'")).map(row => row[0]).join('\n');
    expect(grants).toMatch(/GRANT PROCESS, BINLOG MONITOR, SLAVE MONITOR ON \*\.\* TO `exporter`@`127\.0\.0\.1`.*WITH MAX_USER_CONNECTIONS 3/);
    expect(grants).toMatch(/GRANT SELECT ON `performance_schema`\.\* TO `exporter`@`127\.0\.0\.1`/);
    const read = await cluster.pod(0).exec(SERVER, ['bash', '-c',
      `exec "$MYSQL_CLIENT" --no-defaults --protocol=TCP --host=127.0.0.1 --port="$MYSQL_PORT" -uexporter --password='${EXPORTER_PASSWORD.replace(/'/g, "'\\''")}' -e 'SELECT * FROM e2e.items'`]);
    expect(read.code).not.toBe(0);
    expect(read.stderr).toMatch(/SELECT command denied to user 'exporter'@'127\.0\.0\.1'/);
    t.mark('the exporter account cannot read application data');
  });

  f.scenario('6. addDatabase: the primary made the database and its owner, which can write it from another pod and touch nothing else; a password rotation follows', 120_000, async t => {
    const { cluster } = f;
    // A client in another pod, as an application would connect (the password on the
    // command line is the test's own shortcut).
    const asShop = (client: Pod, server: Pod, sql: string, password = SHOP_PASSWORD) => client.exec(SERVER, ['bash', '-c',
      `exec "$MYSQL_CLIENT" --no-defaults --protocol=TCP --host=${server.sandbox.ip} --port="$MYSQL_PORT" --user=${SHOP_USER} --password='${password.replace(/'/g, "'\\''")}' --batch --skip-column-names`],
    { input: sql });
    expect(f.log(0, 'replication')).toContain("application database 'shop_db': owner 'shop' has ALL PRIVILEGES on it");
    const grants = (await query(cluster.pod(0), "SHOW GRANTS FOR 'shop'@'%'")).map(row => row[0]);
    expect(grants).toHaveLength(2);
    expect(grants[0]).toMatch(/^GRANT USAGE ON \*\.\* TO `shop`@`%`/);
    // '_' escaped: in a database-level grant it would match any character (shopXdb). (The
    // client's batch output doubles the backslash.)
    expect(grants[1]).toBe('GRANT ALL PRIVILEGES ON `shop\\\\_db`.* TO `shop`@`%`');

    const write = await asShop(cluster.pod(1), cluster.pod(0), 'CREATE TABLE shop_db.orders (id INT PRIMARY KEY, item VARCHAR(50)); INSERT INTO shop_db.orders VALUES (1, \'tea\'); SELECT item FROM shop_db.orders');
    expect({ code: write.code, out: write.stdout.trim(), err: write.stderr.trim() }).toEqual({ code: 0, out: 'tea', err: '' });
    await waitFor('shop_db.orders on mysql-1', 30_000, async () => (await query(cluster.pod(1), 'SELECT COUNT(*) FROM shop_db.orders').catch(() => [['0']]))[0][0] === '1');
    await query(cluster.pod(0), 'CREATE DATABASE shopXdb; CREATE TABLE shopXdb.secrets (s INT)');
    t.mark('the owner wrote its database from mysql-1\'s pod; the replica has it');

    for (const [sql, refusal] of [
      ['SELECT * FROM e2e.items', /SELECT command denied to user 'shop'@'[^']+' for table .*items/],
      ['SELECT * FROM shopXdb.secrets', /SELECT command denied to user 'shop'@'[^']+' for table .*secrets/],
      ['CREATE DATABASE other', /Access denied for user 'shop'@'[^']+' to database 'other'/],
      ["GRANT SELECT ON shop_db.* TO 'replicator'@'%'", /Access denied|command denied/],
      ['SELECT user FROM mysql.user', /SELECT command denied/],
    ] as Array<[string, RegExp]>) {
      const result = await asShop(cluster.pod(1), cluster.pod(0), sql);
      expect({ sql, code: result.code }).toEqual({ sql, code: 1 });
      expect(result.stderr).toMatch(refusal);
    }
    t.mark('another database, a new database, granting, the grant tables: all refused');

    // Rotation: a new password in the Secret, the primary restarted.
    const rotated = `${SHOP_PASSWORD} v2`;
    cluster.secretOverrides.set(0, new Map([...cluster.secretOverrides.get(0) ?? [], [SHOP_SECRET, { password: rotated }]]));
    await cluster.deletePodGracefully(0);
    await cluster.createPod(0);
    await cluster.waitReady(0, POD_READY_TIMEOUT);
    await waitFor('the new shop password', 30_000, async () => (await asShop(cluster.pod(1), cluster.pod(0), 'SELECT 1', rotated)).code === 0);
    const old = await asShop(cluster.pod(1), cluster.pod(0), 'SELECT 1');
    expect(old.code).toBe(1);
    expect(old.stderr).toMatch(/Access denied for user 'shop'/);
    expect(await scalar(cluster.pod(0), 'SELECT COUNT(*) FROM shop_db.orders')).toBe('1');
    t.mark('after the Secret changed and the primary restarted: the new password logs in, the old one is refused, the data stays');
  });

  f.scenario('7. a primary restart without a rotation writes no password to the binary log (MariaDB logs CREATE/ALTER USER as given)', 120_000, async t => {
    const { cluster } = f;
    await cluster.deletePodGracefully(0);
    await cluster.createPod(0);
    await cluster.waitReady(0, POD_READY_TIMEOUT);
    await waitFor('the sidecar\'s account pass', 30_000, () => f.currentLog(0, 'replication').includes("application database 'shop_db'"));
    const logs = await query(cluster.pod(0), 'SHOW BINARY LOGS');
    const current = logs[logs.length - 1][0];
    const events = (await query(cluster.pod(0), `SHOW BINLOG EVENTS IN '${current}'`)).map(row => row[5] ?? '');
    expect(events.some(info => /GRANT REPLICATION SLAVE/.test(info))).toBe(true);
    expect(events.filter(info => /IDENTIFIED/i.test(info))).toEqual([]);
    expect(f.currentLog(0, 'replication')).not.toMatch(/password changed|created/);
    t.mark(`${events.length} events in ${current} since the restart: grants, no password`);
  });
});

/** One sample's value from a Prometheus text exposition (the first series of that name). */
function sample(text: string, name: string): string | undefined {
  return text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm'))?.[1];
}

/**
 * GET /metrics from another pod, as Prometheus would: bash's /dev/tcp in that pod's
 * server container (the exporter image has no HTTP client of the library's).
 */
async function scrapeFrom(client: Pod, ip: string): Promise<string> {
  const result = await client.exec(SERVER, ['bash', '-c',
    `exec 3<>/dev/tcp/${ip}/9104 && printf 'GET /metrics HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n' '${ip}' >&3 && cat <&3`], { timeoutMs: 15_000 });
  return result.code === 0 ? result.stdout : '';
}

describe('e2e: remote root, opted in', () => {
  const f = new Fixture('remote-root', { replicas: 2, remoteRoot: true });

  f.scenario('root@% exists and another pod logs in as root', 180_000, async t => {
    await f.cluster.scaleTo(2, POD_READY_TIMEOUT);
    expect(await rootHosts(f.cluster.pod(0))).toEqual(['%', '127.0.0.1', 'localhost']);
    const remote = await rootLoginFrom(f.cluster.pod(1), f.cluster.pod(0));
    expect({ code: remote.code, err: remote.stderr.trim() }).toEqual({ code: 0, err: '' });
    t.mark('a root login from mysql-1 to mysql-0 works');
  });
});

/** The hosts of root's accounts on a member. */
async function rootHosts(pod: Pod): Promise<string[]> {
  return (await query(pod, "SELECT Host FROM mysql.user WHERE User = 'root' ORDER BY Host")).map(row => row[0]);
}

/** A root login, with the pod's own root credentials file, from one pod to another's address. */
async function rootLoginFrom(client: Pod, server: Pod) {
  return client.exec(SERVER, ['bash', '-c',
    `exec "$MYSQL_CLIENT" --defaults-extra-file="$AUTH_FILE" --protocol=TCP --host=${server.sandbox.ip} --port="$MYSQL_PORT" --connect-timeout=5 -e "DO 1"`]);
}

/** A root login over 127.0.0.1 with the credentials file the variable names. */
async function loginWith(pod: Pod, fileVariable: 'AUTH_FILE' | 'AUTH_FILE_PREVIOUS') {
  return pod.exec(SERVER, ['bash', '-c', `exec "$MYSQL_CLIENT" --defaults-extra-file="$${fileVariable}" --protocol=TCP --host=127.0.0.1 --port="$MYSQL_PORT" -e "DO 1"`]);
}
