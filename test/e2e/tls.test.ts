import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { query, scalar, slaveStatus, SERVER } from '../../harness/db';
import { waitFor } from '../../harness/host';
import { Pod } from '../../harness/kubelet';
import { addSecret } from '../../harness/manifest';
import { Fixture, POD_READY_TIMEOUT } from './support/fixture';

/**
 * TLS on real MariaDB 10.11 servers run from the synthesized StatefulSet, with a CA and
 * certificates made by openssl as a user would (the test's own work, outside every
 * container): require_secure_transport, replication that verifies the primary's
 * certificate, clones and scripts over TLS, and a renewed certificate loaded without a
 * restart. Needs root; fails, never skips.
 */

const TLS_SECRET = 'mysql-tls';
const CA_FILE = '/opt/mysql-cluster/tls/ca.crt';
const MEMBER_DOMAIN = 'mysql.default.svc.cluster.local';

/** A CA, and a server certificate it signed for the members' and Services' names (serial given). */
function makeCertificates(dir: string, serial: string): Record<string, string> {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  if (!readFileSafe(join(dir, 'ca.key'))) {
    run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=e2e test CA');
  }
  writeFileSync(join(dir, 'san.cnf'), `subjectAltName=DNS:*.${MEMBER_DOMAIN},DNS:mysql-primary.default.svc.cluster.local,DNS:mysql-read.default.svc.cluster.local\n`);
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', '/CN=mysql');
  run('x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', serial, '-days', '1', '-out', 'tls.crt', '-extfile', 'san.cnf');
  return { 'tls.crt': readFileSync(join(dir, 'tls.crt'), 'utf8'), 'tls.key': readFileSync(join(dir, 'tls.key'), 'utf8'), 'ca.crt': readFileSync(join(dir, 'ca.crt'), 'utf8') };
}

function readFileSafe(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * An application's client in `client`'s server container, logging in as `app` to `host`
 * over TCP (the password on the command line is the test's shortcut); `tls` adds TLS
 * checked against the CA and the host name.
 */
function clientTo(client: Pod, host: string, sql: string, tls: boolean) {
  const options = tls ? `--ssl --ssl-ca=${CA_FILE} --ssl-verify-server-cert` : '--skip-ssl';
  return client.exec(SERVER, ['bash', '-c',
    `exec "$MYSQL_CLIENT" --no-defaults --user=app --password=app-pw --protocol=TCP --host=${host} --port="$MYSQL_PORT" ${options} --batch --skip-column-names -e "${sql}"`]);
}

/** The serial of the certificate a member serves, read with openssl's MySQL STARTTLS from another pod. */
async function servedSerial(client: Pod, server: Pod): Promise<string> {
  const result = await client.exec(SERVER, ['bash', '-c',
    `openssl s_client -starttls mysql -connect ${server.sandbox.ip}:3306 </dev/null 2>/dev/null | openssl x509 -noout -serial`]);
  return result.stdout.trim();
}

describe('e2e: TLS on MariaDB 10.11', () => {
  const certificates = mkdtempSync(join(tmpdir(), 'e2e-tls-'));
  afterAll(() => rmSync(certificates, { recursive: true, force: true }));
  const f = new Fixture('tls', { replicas: 2, tls: { secretName: TLS_SECRET, requireSecureTransport: true } }, {
    customize: (_mysql, chart) => addSecret(chart, { name: TLS_SECRET, stringData: makeCertificates(certificates, '0x1001') }),
  });

  f.scenario('1. bootstraps under require_secure_transport: the clone and the scripts use TLS', 180_000, async t => {
    await f.cluster.scaleTo(2, POD_READY_TIMEOUT, (ordinal, ms) => t.mark(`${f.cluster.podName(ordinal)} Ready (${(ms / 1000).toFixed(1)} s)`));
    expect(await scalar(f.cluster.pod(0), 'SELECT @@require_secure_transport')).toBe('1');
    expect(f.log(1, 'clone-data')).toContain(`receiving a backup from ${f.cluster.podName(0)}`);
  });

  f.scenario('2. replication is encrypted and verifies the primary\'s certificate; the replication account must use TLS', 60_000, async t => {
    const { cluster } = f;
    await query(cluster.pod(0), "CREATE DATABASE e2e; CREATE TABLE e2e.items (id INT PRIMARY KEY); INSERT INTO e2e.items VALUES (1)");
    await waitFor('the row on mysql-1', 30_000, async () => (await query(cluster.pod(1), 'SELECT COUNT(*) FROM e2e.items').catch(() => [['0']]))[0][0] === '1');
    const status = await slaveStatus(cluster.pod(1));
    expect({
      io: status.Slave_IO_Running, ssl: status.Master_SSL_Allowed, ca: status.Master_SSL_CA_File, verify: status.Master_SSL_Verify_Server_Cert, host: status.Master_Host,
    }).toEqual({ io: 'Yes', ssl: 'Yes', ca: CA_FILE, verify: 'Yes', host: `mysql-0.${MEMBER_DOMAIN}` });
    expect(await scalar(cluster.pod(0), "SELECT ssl_type FROM mysql.user WHERE User = 'replicator'")).toBe('ANY');
    t.mark('Master_SSL_Allowed Yes, verify Yes against the CA, REQUIRE SSL on the account, replicating');
  });

  f.scenario('3. a client with TLS gets a cipher and a verified name; one without is refused', 60_000, async t => {
    const { cluster } = f;
    await query(cluster.pod(0), "CREATE USER app@'%' IDENTIFIED BY 'app-pw'");
    const secure = await clientTo(cluster.pod(1), `mysql-0.${MEMBER_DOMAIN}`, "SHOW SESSION STATUS LIKE 'Ssl_cipher'", true);
    expect({ code: secure.code, err: secure.stderr.trim() }).toEqual({ code: 0, err: '' });
    const cipher = secure.stdout.trim().split('\t')[1];
    expect(cipher).toMatch(/^[A-Z0-9_-]+$/);
    const plain = await clientTo(cluster.pod(1), `mysql-0.${MEMBER_DOMAIN}`, 'SELECT 1', false);
    expect(plain.code).not.toBe(0);
    // The same account and password that just logged in over TLS; MariaDB 10.11 answers a
    // plain connection under require_secure_transport with error 1045 (MySQL: 3159).
    expect(plain.stderr).toMatch(/Access denied for user 'app'|Connections using insecure transport are prohibited/);
    // The name is checked: the address is not in the certificate.
    const byAddress = await clientTo(cluster.pod(1), cluster.pod(0).sandbox.ip, 'SELECT 1', true);
    expect(byAddress.code).not.toBe(0);
    expect(byAddress.stderr).toMatch(/SSL|TLS|certificate/i);
    t.mark(`cipher ${cipher}; plain TCP refused; a name outside the certificate refused`);
  });

  f.scenario('4. a renewed certificate is loaded by the running server', 120_000, async t => {
    const { cluster } = f;
    expect(await servedSerial(cluster.pod(1), cluster.pod(0))).toBe('serial=1001');
    // What kubelet does when cert-manager renews: the Secret's files change in place.
    const renewed = makeCertificates(certificates, '0x2002');
    for (const ordinal of [0, 1]) {
      const dir = join(cluster.pod(ordinal).sandbox.dir, 'volumes', 'tls');
      for (const [file, content] of Object.entries(renewed)) writeFileSync(join(dir, file), content);
    }
    await waitFor('the renewed certificate on mysql-0', 90_000, async () => (await servedSerial(cluster.pod(1), cluster.pod(0))) === 'serial=2002', 2000);
    expect(f.currentLog(0, 'replication')).toContain('changed; the server loaded it (FLUSH NO_WRITE_TO_BINLOG SSL)');
    t.mark('serial 1001 -> 2002 without a restart');
    // Each member reloaded by itself, and nothing of it reached the binary logs: the
    // replica's own transaction would collide with the primary's next one (gtid_strict_mode).
    await waitFor('the renewed certificate on mysql-1', 90_000, async () => (await servedSerial(cluster.pod(0), cluster.pod(1))) === 'serial=2002', 2000);
    await query(cluster.pod(0), 'INSERT INTO e2e.items VALUES (2)');
    await waitFor('the row after the renewal on mysql-1', 30_000, async () => (await scalar(cluster.pod(1), 'SELECT COUNT(*) FROM e2e.items')) === '2');
    const status = await slaveStatus(cluster.pod(1));
    expect([status.Slave_IO_Running, status.Slave_SQL_Running, status.Last_SQL_Error]).toEqual(['Yes', 'Yes', '']);
    t.mark('mysql-1 reloaded too; replication still applies the primary\'s writes');
  });
});
