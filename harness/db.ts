import { Pod } from './kubelet';

/**
 * SQL against one member, run inside its server container (like `kubectl exec`) with
 * the client and credentials file the chart gives that container.
 */

const CLIENT = '"$MYSQL_CLIENT" --defaults-extra-file="$AUTH_FILE" --protocol=TCP --host=127.0.0.1 --port="$MYSQL_PORT" --batch --skip-column-names';
/** The name of the server container (the one with a readiness probe). */
export const SERVER = 'mysql';

/** Runs SQL and returns its rows (tab-separated columns). Throws with the client's error. */
export async function query(pod: Pod, sql: string, timeoutMs = 30_000): Promise<string[][]> {
  const result = await pod.exec(SERVER, ['bash', '-c', `exec ${CLIENT}`], { input: sql, timeoutMs });
  if (result.code !== 0 || result.timedOut) {
    throw new Error(`${pod.name}: SQL failed (${result.timedOut ? 'timeout' : `exit ${result.code}`}): ${result.stderr.trim()}\n  ${sql}`);
  }
  return result.stdout.split('\n').filter(line => line !== '').map(line => line.split('\t'));
}

/** The single value of a single-row, single-column query. */
export async function scalar(pod: Pod, sql: string): Promise<string> {
  const rows = await query(pod, sql);
  if (rows.length !== 1 || rows[0].length !== 1) throw new Error(`${pod.name}: expected one value from ${sql}, got ${JSON.stringify(rows)}`);
  return rows[0][0];
}

/** SHOW SLAVE STATUS as a record (empty when replication is not configured). */
export async function slaveStatus(pod: Pod): Promise<Record<string, string>> {
  const result = await pod.exec(SERVER, ['bash', '-c', `exec ${CLIENT.replace('--batch --skip-column-names', '')} -e 'SHOW SLAVE STATUS\\G'`]);
  if (result.code !== 0) throw new Error(`${pod.name}: SHOW SLAVE STATUS failed: ${result.stderr.trim()}`);
  const status: Record<string, string> = {};
  for (const line of result.stdout.split('\n')) {
    const match = line.match(/^\s*([A-Za-z_]+): ?(.*)$/);
    if (match) status[match[1]] = match[2];
  }
  return status;
}

/** Runs SQL and returns the client's exit status and error text instead of throwing. */
export async function tryQuery(pod: Pod, sql: string): Promise<{ ok: boolean; error: string }> {
  const result = await pod.exec(SERVER, ['bash', '-c', `exec ${CLIENT}`], { input: sql });
  return { ok: result.code === 0, error: result.stderr.trim() };
}
