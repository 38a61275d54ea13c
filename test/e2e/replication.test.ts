import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { ReplicationMode } from '../../lib';
import { query, scalar, slaveStatus, SERVER } from '../../harness/db';
import { dirBytes, Fixture, POD_READY_TIMEOUT, REPLICATION_PASSWORD, ROOT_PASSWORD, SECRET } from './support/fixture';
import { sleep, waitFor } from '../../harness/host';

/**
 * End-to-end proof that the scripts the library synthesizes bootstrap working
 * replication on real MariaDB servers. A minimal kubelet (harness/) runs the
 * synthesized StatefulSet as real processes in per-pod Linux namespaces; see
 * harness/README.md for what it models, what it does not, and what the host needs.
 * Needs root; fails, never skips, without it.
 */

describe('e2e: replicated MariaDB 10.11 (GTID) from the synthesized StatefulSet', () => {
  const f = new Fixture('gtid', { replicas: 3 });

  f.scenario('1. bootstraps a primary and two replicas that replicate', 300_000, async t => {
    const { cluster, sts } = f;
    expect(sts.replicas).toBe(3);
    // The names the scripts use are the names the (modelled) cluster DNS serves.
    const peerDomain = sts.containers.find(c => c.name === SERVER)!.env.find((e: any) => e.name === 'PEER_DOMAIN')?.value;
    expect(peerDomain).toBe(`${sts.serviceName}.${sts.namespace}.svc.${cluster.clusterDomain}`);

    await cluster.scaleTo(sts.replicas, POD_READY_TIMEOUT, (ordinal, ms) => t.mark(`${cluster.podName(ordinal)} Ready (${(ms / 1000).toFixed(1)} s)`));

    const primary = cluster.pod(0);
    await query(primary, `
      CREATE DATABASE e2e;
      CREATE TABLE e2e.items (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(200) NOT NULL, at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6));
      CREATE USER app@'%' IDENTIFIED BY 'app-password';
      GRANT SELECT, INSERT ON e2e.* TO app@'%';
      INSERT INTO e2e.items (note) VALUES ('hello from the primary');`);
    for (const ordinal of [1, 2]) await f.waitForRow(ordinal, 'hello from the primary');
    t.mark('row written on mysql-0 read on mysql-1 and mysql-2');

    expect(await scalar(primary, 'SELECT @@read_only')).toBe('0');
    expect(await scalar(primary, 'SELECT @@server_id')).toBe('100');
    for (const ordinal of [1, 2]) {
      const replica = cluster.pod(ordinal);
      await f.expectReplicating(ordinal);
      expect(await scalar(replica, 'SELECT @@read_only')).toBe('1');
      // Events copied with the data never run on a replica.
      expect(await scalar(replica, 'SELECT @@event_scheduler')).toBe('OFF');
      expect(await scalar(replica, 'SELECT @@server_id')).toBe(String(100 + ordinal));
      // Clients (without READ ONLY ADMIN) cannot write on a replica.
      const write = await replica.exec(SERVER, ['bash', '-c',
        'exec "$MYSQL_CLIENT" --no-defaults --protocol=TCP --host=127.0.0.1 -uapp -papp-password -e "INSERT INTO e2e.items (note) VALUES (\'sneaky\')"']);
      expect(write.code).not.toBe(0);
      expect(write.stderr).toMatch(/read-only/);
    }
    t.mark('replication threads, read_only, server ids checked');

    // mysql-1 was cloned from the primary (binlog coordinates), mysql-2 from mysql-1 (slave info).
    await f.waitApplied(1, 'xtrabackup_binlog_info');
    expect(f.hasDatadirFile(1, 'xtrabackup_slave_info.applied')).toBe(false);
    expect(f.log(1, 'replication')).toContain('configuring replication from /var/lib/mysql/xtrabackup_binlog_info');
    await f.waitApplied(2, 'xtrabackup_slave_info');
    const slaveInfo = readFileSync(f.datadirFile(2, 'xtrabackup_slave_info.applied'), 'utf8');
    expect(slaveInfo).toMatch(/SET GLOBAL gtid_slave_pos = '[0-9-]+';/);
    expect(slaveInfo).toMatch(/master_use_gtid = slave_pos/i);
    expect(f.log(2, 'replication')).toContain('configuring replication from /var/lib/mysql/xtrabackup_slave_info');
    expect(f.log(2, 'clone-data')).toContain(`receiving a backup from ${cluster.podName(1)}.`);
    expect(f.hasDatadirFile(0, 'xtrabackup_binlog_info')).toBe(false);

    // The manifest's liveness command works in every server container.
    const liveness = sts.containers.find(c => c.name === SERVER)!.livenessProbe!;
    for (const ordinal of [0, 1, 2]) {
      const result = await cluster.pod(ordinal).exec(SERVER, liveness.command, { timeoutMs: liveness.timeoutSeconds * 1000 });
      expect({ pod: ordinal, code: result.code, out: result.stdout.trim() }).toEqual({ pod: ordinal, code: 0, out: 'mysqld is alive' });
    }
    t.mark('clone provenance and liveness checked');
  });

  f.scenario('2. a replica killed and recreated keeps its data and catches up', 240_000, async t => {
    const { cluster } = f;
    const before = await f.items(2);
    const serverId = await scalar(cluster.pod(2), 'SELECT @@server_id');
    const old = cluster.pod(2);
    await cluster.deletePod(2);
    expect(old.allProcessesGone()).toBe(true);
    t.mark('mysql-2 killed (SIGKILL to every process)');

    await query(cluster.pod(0), "INSERT INTO e2e.items (note) VALUES ('written while mysql-2 was gone 1'), ('written while mysql-2 was gone 2')");
    await f.waitForRow(1, 'written while mysql-2 was gone 2');
    t.mark('rows written while it was gone');

    const pod = await cluster.createPod(2);
    expect(pod.sandbox.netns).not.toBe(old.sandbox.netns);
    expect(pod.sandbox.ip).not.toBe(old.sandbox.ip);
    await cluster.waitReady(2, POD_READY_TIMEOUT);
    t.mark('mysql-2 recreated (new namespaces and address, same claim) and Ready');

    expect(f.currentLog(2, 'clone-data')).toContain('already holds a database; nothing to clone');
    expect(f.currentLog(2, 'replication')).not.toContain('configuring replication');
    expect(await scalar(cluster.pod(2), 'SELECT @@server_id')).toBe(serverId);
    await f.waitForRow(2, 'written while mysql-2 was gone 2');
    expect((await f.items(2)).slice(0, before.length)).toEqual(before);
    await f.expectReplicating(2);
    await query(cluster.pod(0), "INSERT INTO e2e.items (note) VALUES ('after mysql-2 came back')");
    await f.waitForRow(2, 'after mysql-2 came back');
    await f.waitConverged([1, 2], 'e2e.items');
    t.mark('caught up; replication resumed');
  });

  f.scenario('2a. a replica does not replicate until its sidecar has configured and started replication', 120_000, async t => {
    const { cluster } = f;
    await cluster.deletePod(2);
    // A sidecar that cannot act: it waits for a server on a port where none listens.
    cluster.envOverrides.set(2, { replication: { MYSQL_PORT: '1' } });
    try {
      const pod = await cluster.createPod(2);
      await waitFor('the server of mysql-2 to answer', 60_000, async () => (await scalar(pod, 'SELECT 1')) === '1');
      await sleep(8000);
      const status = await slaveStatus(pod);
      expect([status.Slave_IO_Running, status.Slave_SQL_Running]).toEqual(['No', 'No']);
      expect(pod.ready).toBe(false);
      expect(f.currentLog(2, 'replication')).not.toContain('replication started');
      t.mark('server up 8 s with skip_slave_start: replication stopped while the sidecar cannot act');
    } finally {
      cluster.envOverrides.delete(2);
      await cluster.deletePod(2);
    }
    await cluster.createPod(2);
    await cluster.waitReady(2, POD_READY_TIMEOUT);
    await f.expectReplicating(2);
    expect(f.currentLog(2, 'replication')).toContain('replication account and password refreshed; position kept; replication started');
    t.mark('with its sidecar, the recreated replica replicates again');
  });

  f.scenario('2b. the primary killed and recreated: replicas stay Ready, reconnect and catch up', 240_000, async t => {
    const { cluster } = f;
    const oldIp = cluster.pod(0).sandbox.ip;
    await cluster.deletePod(0);
    t.mark('mysql-0 killed (SIGKILL to every process)');
    await waitFor('the replicas to notice', 30_000, async () => {
      for (const ordinal of [1, 2]) {
        if ((await slaveStatus(cluster.pod(ordinal))).Slave_IO_Running !== 'Connecting') return false;
      }
      return true;
    });
    // Replicas that have replicated keep serving reads while the primary is away.
    await sleep(12_000);
    expect([cluster.pod(1).ready, cluster.pod(2).ready]).toEqual([true, true]);
    t.mark('replicas reconnecting and still Ready');

    const primary = await cluster.createPod(0);
    expect(primary.sandbox.ip).not.toBe(oldIp);
    await cluster.waitReady(0, POD_READY_TIMEOUT);
    expect(f.currentLog(0, 'clone-data')).toContain('already holds a database; nothing to clone');
    t.mark('mysql-0 recreated at a new address and Ready');
    await query(cluster.pod(0), "INSERT INTO e2e.items (note) VALUES ('after the primary came back')");
    for (const ordinal of [1, 2]) {
      await f.waitForRow(ordinal, 'after the primary came back');
      await f.expectReplicating(ordinal);
    }
    await f.waitConverged([1, 2], 'e2e.items');
    t.mark('replicas reconnected by name and caught up');
  });

  f.scenario('2c. pods deleted gracefully: every container ends on SIGTERM, servers shut down cleanly, idle and under writes', 300_000, async t => {
    const { cluster } = f;
    const fqdn = (ordinal: number) => `${cluster.podName(ordinal)}.${f.sts.serviceName}.${f.sts.namespace}.svc.${cluster.clusterDomain}`;
    const timings: string[] = [];
    const deleteGracefully = async (ordinal: number, label: string) => {
      const old = cluster.pod(ordinal);
      const report = await cluster.deletePodGracefully(ordinal);
      timings.push(`${label}: ${(report.ms / 1000).toFixed(1)} s`);
      t.mark(`${cluster.podName(ordinal)} deleted (${label}): gone ${(report.ms / 1000).toFixed(1)} s after SIGTERM`);
      // Nothing needed the grace period's SIGKILL; the server exited 0 after a clean shutdown.
      expect(report.killed).toEqual([]);
      expect(report.ms).toBeLessThan(20_000);
      expect(report.exits.find(e => e.container === SERVER)).toMatchObject({ exitCode: 0, signal: undefined });
      expect(readFileSync(old.logFile(SERVER), 'utf8').slice(-3000)).toMatch(/mariadbd: Shutdown complete/);
      await cluster.createPod(ordinal);
      await cluster.waitReady(ordinal, POD_READY_TIMEOUT);
      expect(f.currentLog(ordinal, SERVER)).not.toMatch(/crash recovery/i);
    };

    await deleteGracefully(2, 'replica, idle');
    await deleteGracefully(0, 'primary, idle');

    // A client in mysql-1 writes to the primary by its stable name, and keeps trying while it
    // is away, as the application account of scenario 1 (root logs in only from its own pod).
    const writer = cluster.pod(1).exec(SERVER, ['bash', '-c', `
      ok=0
      while [[ ! -e /tmp/stop-writer ]]; do
        if "$MYSQL_CLIENT" --no-defaults --user=app --password=app-password --protocol=TCP --host=${fqdn(0)} --port="$MYSQL_PORT" --connect-timeout=2 \\
          -e "INSERT INTO e2e.items (note) VALUES ('graceful writer $ok')" 2>/dev/null; then ok=$((ok + 1)); else sleep 0.2; fi
      done
      echo "$ok"`], { timeoutMs: 280_000 });
    await sleep(2000);
    await deleteGracefully(2, 'replica, applying writes');
    await deleteGracefully(0, 'primary, taking writes');
    await sleep(2000);
    await cluster.pod(1).exec(SERVER, ['touch', '/tmp/stop-writer']);
    const written = await writer;
    expect(written.code).toBe(0);
    expect(Number(written.stdout.trim())).toBeGreaterThan(20);
    for (const ordinal of [1, 2]) await f.expectReplicating(ordinal);
    await f.waitConverged([1, 2], 'e2e.items');
    console.log(`[e2e] SIGTERM to pod gone: ${timings.join('; ')}`);
    t.mark(`${written.stdout.trim()} rows written meanwhile; converged`);
  });

  f.scenario('3. scaling 3 -> 5 under writes: new members clone and converge', 300_000, async t => {
    const { cluster } = f;
    const writer = cluster.pod(0).exec(SERVER, ['bash', '-c', `
      for ((i = 1; i <= 3000; i++)); do
        [[ -e /tmp/stop-writer ]] && break
        "$MYSQL_CLIENT" --defaults-extra-file="$AUTH_FILE" --protocol=TCP --host=127.0.0.1 --port="$MYSQL_PORT" \\
          -e "INSERT INTO e2e.items (note) VALUES ('writer $i')" || exit 1
        sleep 0.05
      done
      echo "$i"`], { timeoutMs: 280_000 });
    await sleep(1000);
    await cluster.scaleTo(5, POD_READY_TIMEOUT, (ordinal, ms) => t.mark(`${cluster.podName(ordinal)} Ready (${(ms / 1000).toFixed(1)} s)`));
    await sleep(2000);
    await cluster.pod(0).exec(SERVER, ['touch', '/tmp/stop-writer']);
    const written = await writer;
    expect(written.code).toBe(0);
    const rows = Number(written.stdout.trim()) - 1;
    expect(rows).toBeGreaterThan(20);
    t.mark(`writer stopped after ${rows} rows`);

    const checksum = await f.waitConverged([1, 2, 3, 4], 'e2e.items');
    const count = await scalar(cluster.pod(0), 'SELECT COUNT(*) FROM e2e.items');
    const primaryGtid = await scalar(cluster.pod(0), 'SELECT @@gtid_binlog_pos');
    for (const ordinal of [1, 2, 3, 4]) {
      expect(await scalar(cluster.pod(ordinal), 'SELECT COUNT(*) FROM e2e.items')).toBe(count);
      await waitFor(`gtid_slave_pos of ${cluster.podName(ordinal)}`, 30_000, async () =>
        (await scalar(cluster.pod(ordinal), 'SELECT @@gtid_slave_pos')) === primaryGtid);
      await f.expectReplicating(ordinal);
    }
    for (const ordinal of [3, 4]) {
      await f.waitApplied(ordinal, 'xtrabackup_slave_info');
      expect(f.log(ordinal, 'clone-data')).toContain(`receiving a backup from ${cluster.podName(ordinal - 1)}.`);
    }
    console.log(`[e2e] ${count} rows, CHECKSUM TABLE ${checksum} on all 5 members, gtid ${primaryGtid}`);
    t.mark('converged: equal checksums and GTID positions');
  });

  f.scenario('4. a clone killed mid-stream (container, then pod) is redone, never mistaken for a data directory', 300_000, async t => {
    const { cluster } = f;
    // Enough data (75 MiB) that the stream takes a moment.
    await query(cluster.pod(0), `
      CREATE TABLE e2e.bulk (id INT PRIMARY KEY, payload LONGBLOB NOT NULL);
      INSERT INTO e2e.bulk SELECT seq, REPEAT(SHA2(seq, 256), 4096) FROM e2e.seq_1_to_300;`, 120_000);
    const bulkChecksum = await f.waitConverged([1, 2, 3, 4], 'e2e.bulk', 180_000);
    t.mark('bulk data loaded and replicated');

    const volume = cluster.claimDir(5);
    const staging = join(volume, '.clone-in-progress');
    const pod = await cluster.createPod(5);
    const midStream = (attempt: number) => waitFor(`attempt ${attempt} of the clone of mysql-5 to be mid-stream`, 60_000, () => {
      const bytes = dirBytes(staging);
      const attempts = f.currentLog(5, 'clone-data').match(/receiving a backup from/g)?.length ?? 0;
      return attempts >= attempt && bytes > 4 * 1024 * 1024 && pod.isRunning('clone-data') && !existsSync(join(staging, 'xtrabackup_info')) ? bytes : undefined;
    }, 20);

    // The init container dies mid-stream: kubelet runs it again, which starts over.
    let staged = await midStream(1);
    pod.killContainer('clone-data');
    t.mark(`clone-data container killed mid-stream (${(staged / 1048576).toFixed(1)} MiB staged)`);

    // The pod dies while the second attempt streams: its volume keeps the half copy.
    staged = await midStream(2);
    await cluster.deletePod(5);
    t.mark(`mysql-5 killed during the retried clone (${(staged / 1048576).toFixed(1)} MiB staged)`);
    expect(existsSync(staging)).toBe(true);
    expect(existsSync(join(volume, 'mysql', 'mysql'))).toBe(false);

    await cluster.createPod(5);
    await cluster.waitReady(5, POD_READY_TIMEOUT);
    t.mark('mysql-5 recreated, cloned again and Ready');
    expect(f.currentLog(5, 'clone-data')).toContain(`receiving a backup from ${cluster.podName(4)}.`);
    expect(existsSync(staging)).toBe(false);
    await f.waitApplied(5, 'xtrabackup_slave_info');
    await f.expectReplicating(5);
    await query(cluster.pod(0), "INSERT INTO e2e.items (note) VALUES ('after mysql-5 recovered')");
    await f.waitForRow(5, 'after mysql-5 recovered');
    expect(await f.waitConverged([5], 'e2e.bulk')).toBe(bulkChecksum);
    await f.waitConverged([1, 2, 3, 4, 5], 'e2e.items');
    t.mark('converged');
  });

  f.scenario('5a. a member without the cluster\'s secret gets no backup; the source logs the attempt', 240_000, async t => {
    const { cluster } = f;
    cluster.secretOverrides.set(6, new Map([[SECRET, { 'root-password': ROOT_PASSWORD, 'replication-password': 'not the replication password' }]]));
    const pod = await cluster.createPod(6);
    await waitFor('mysql-6 to be refused twice', 60_000, () =>
      (f.currentLog(6, 'clone-data').match(/mysql-5\.\S+ refuses to serve a backup: authentication failed/g) ?? []).length >= 2, 500);
    expect(f.log(5, 'replication')).toMatch(new RegExp(`stream-backup\\.sh: refusing to serve a backup to ${pod.sandbox.ip.replace(/\./g, '\\.')}:\\d+: authentication failed`));
    expect(dirBytes(join(cluster.claimDir(6), '.clone-in-progress'))).toBe(0);
    expect(f.hasDatadirFile(6, 'mysql')).toBe(false);
    expect(pod.isRunning('clone-data')).toBe(true);
    t.mark('mysql-6, with a wrong secret, refused and retrying; the attempts are in mysql-5\'s log with its address');

    // Whoever reaches the port without the secret reads two lines and no backup.
    const bare = await pod.exec('clone-data', ['bash', '-c', `printf '%s %s\\n' ${'0'.repeat(32)} ${'f'.repeat(64)} | socat -t 5 - TCP:${cluster.podName(5)}.${f.sts.serviceName}.${f.sts.namespace}.svc.${cluster.clusterDomain}:3307`], { timeoutMs: 15_000 });
    expect(bare.stdout).toMatch(/^clone-auth 1 [0-9a-f]{32}\nclone-refused authentication failed: the peer did not prove that it holds the cluster's secret\n$/);
    t.mark('a bare connection gets the challenge and the refusal only');

    cluster.secretOverrides.delete(6);
    await cluster.deletePod(6);
    t.mark('mysql-6 deleted');
  });

  f.scenario('5b. a replica that cannot replicate is not Ready, keeps its coordinates, retries, and recovers once fixed', 300_000, async t => {
    const { cluster } = f;
    // The primary's replication account stops accepting the password (not replicated:
    // the running replicas keep their connections): mysql-6 clones, but cannot connect.
    const primary = cluster.pod(0);
    await query(primary, "SET sql_log_bin = 0; ALTER USER replicator@'%' IDENTIFIED BY 'not the replication password'");
    const pod = await cluster.createPod(6);
    await waitFor('mysql-6 to run its containers', POD_READY_TIMEOUT, () => pod.isRunning(SERVER) && pod.isRunning('replication'));
    t.mark('mysql-6 cloned and running; the primary refuses its replication login');
    await query(primary, "INSERT INTO e2e.items (note) VALUES ('while mysql-6 was broken')");

    const status = await waitFor('mysql-6 to report the access error', 60_000, async () => {
      const s = await slaveStatus(pod);
      return s.Last_IO_Errno === '1045' ? s : undefined;
    });
    expect(status.Slave_IO_Running).not.toBe('Yes');
    await waitFor('the sidecar of mysql-6 to give up an attempt and retry', 90_000, () => /bootstrap failed; retrying/.test(f.log(6, 'replication')), 1000);
    await sleep(Math.max(0, 20_000 - (Date.now() - pod.startedAt)));
    expect(pod.readyHistory.filter(h => h.ready)).toEqual([]);
    expect(pod.ready).toBe(false);
    // The clone's coordinates were taken but are not marked done; the sidecar keeps trying.
    expect(f.hasDatadirFile(6, 'xtrabackup_slave_info.configured')).toBe(true);
    expect(f.hasDatadirFile(6, 'xtrabackup_slave_info.applied')).toBe(false);
    expect(f.log(6, 'events')).toMatch(/readiness probe failed .*has not connected to the primary since the clone/);
    expect(f.log(6, 'replication')).toMatch(/is not running yet \(IO_Running=(Connecting|No), SQL_Running=Yes\): .*Access denied/);
    t.mark(`never Ready for ${((Date.now() - pod.startedAt) / 1000).toFixed(0)} s; coordinates kept; probe failing; sidecar retrying`);

    await query(primary, `SET sql_log_bin = 0; ALTER USER replicator@'%' IDENTIFIED BY '${REPLICATION_PASSWORD.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
    await cluster.waitReady(6, POD_READY_TIMEOUT);
    t.mark('account fixed on the primary; mysql-6 connected by itself and is Ready');
    expect(pod.restarts.get('replication') ?? 0).toBe(0);
    await f.expectReplicating(6);
    await f.waitForRow(6, 'while mysql-6 was broken');
    await f.waitApplied(6, 'xtrabackup_slave_info');
    await f.waitConverged([1, 2, 3, 4, 5, 6], 'e2e.items');
    t.mark('caught up');
  });

  f.scenario('7. a clone source whose replication is broken refuses to serve; the new member waits, then clones', 240_000, async t => {
    const { cluster } = f;
    await query(cluster.pod(6), 'STOP SLAVE SQL_THREAD');
    const pod = await cluster.createPod(7);
    await waitFor('mysql-7 to be refused by mysql-6', 60_000, () =>
      /mysql-6\.\S+ refuses to serve a backup: replication is not running \(IO_Running=Yes, SQL_Running=No\)/.test(f.currentLog(7, 'clone-data')), 500);
    expect(f.log(6, 'replication')).toMatch(/stream-backup\.sh: refusing to serve a backup to [\d.]+:\d+: replication is not running/);
    expect(pod.isRunning('clone-data')).toBe(true);
    expect(pod.restarts.get('clone-data') ?? 0).toBe(0);
    expect(f.hasDatadirFile(7, 'mysql')).toBe(false);
    t.mark('mysql-6 (applier stopped) refuses; mysql-7 keeps retrying');

    await query(cluster.pod(6), 'START SLAVE SQL_THREAD');
    await cluster.waitReady(7, POD_READY_TIMEOUT);
    expect(f.currentLog(7, 'clone-data')).toMatch(/no complete backup yet; retrying[\s\S]*received in \d+s; preparing/);
    t.mark('applier restarted on mysql-6; mysql-7 cloned and Ready');
    await f.expectReplicating(7);
    await query(cluster.pod(0), "INSERT INTO e2e.items (note) VALUES ('after mysql-7 cloned')");
    await f.waitForRow(7, 'after mysql-7 cloned');
    await f.waitConverged([1, 2, 3, 4, 5, 6, 7], 'e2e.items');
    t.mark('caught up');
  });
});

describe('e2e: replicated MariaDB 10.11 (binary log positions) from the synthesized StatefulSet', () => {
  const f = new Fixture('position', { replicas: 3, replicationMode: ReplicationMode.BINLOG_POSITION });

  f.scenario('6. binlog-position mode: clones from the primary and from a replica both replicate', 300_000, async t => {
    const { cluster } = f;
    await cluster.scaleTo(1, POD_READY_TIMEOUT, (ordinal, ms) => t.mark(`${cluster.podName(ordinal)} Ready (${(ms / 1000).toFixed(1)} s)`));
    await query(cluster.pod(0), `
      CREATE DATABASE e2e;
      CREATE TABLE e2e.items (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(200) NOT NULL);
      INSERT INTO e2e.items (note) VALUES ('before the replicas');`);
    await cluster.scaleTo(3, POD_READY_TIMEOUT, (ordinal, ms) => t.mark(`${cluster.podName(ordinal)} Ready (${(ms / 1000).toFixed(1)} s)`));
    await query(cluster.pod(0), "INSERT INTO e2e.items (note) VALUES ('after the replicas')");
    for (const ordinal of [1, 2]) {
      await f.waitForRow(ordinal, 'after the replicas');
      const status = await f.expectReplicating(ordinal, 'No');
      expect(status.Relay_Master_Log_File).toMatch(/^mysql-bin\.\d+$/);
    }
    await f.waitApplied(2, 'xtrabackup_slave_info');
    const slaveInfo = readFileSync(f.datadirFile(2, 'xtrabackup_slave_info.applied'), 'utf8');
    expect(slaveInfo).toMatch(/MASTER_LOG_FILE='mysql-bin\.\d+', MASTER_LOG_POS=\d+/);
    expect(f.log(1, 'replication')).toMatch(/configuring replication from \S+xtrabackup_binlog_info \(gtid '[^']*', file 'mysql-bin\.\d+', position '\d+'\)/);
    expect(await f.waitConverged([1, 2], 'e2e.items')).toBeTruthy();
    t.mark('both replicas replicate by file and position');

    // A restart keeps the position (no rewind, no duplicate rows).
    await cluster.deletePod(2);
    await query(cluster.pod(0), "INSERT INTO e2e.items (note) VALUES ('while mysql-2 was gone')");
    await cluster.createPod(2);
    await cluster.waitReady(2, POD_READY_TIMEOUT);
    await f.waitForRow(2, 'while mysql-2 was gone');
    await f.expectReplicating(2, 'No');
    await f.waitConverged([1, 2], 'e2e.items');
    t.mark('mysql-2 recreated and caught up');
  });
});
