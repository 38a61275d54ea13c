// A throwaway MariaDB server of this machine (Debian's mariadb-server) in a directory of
// its own, on a free port, with binary logging and GTIDs as the cluster's members run.
import { spawnSync } from 'child_process';
import { existsSync, writeFileSync } from 'fs';
import { join } from 'path';
import { freePort, Running, start, stop, until } from './processes';

export interface MariadbServer {
  readonly datadir: string;
  readonly port: number;
  /** A client options file for root over TCP (no password). */
  readonly authFile: string;
  readonly process: Running;
  /** Runs SQL as root; returns the output of --batch --skip-column-names. */
  sql(statements: string): string;
  stop(): Promise<void>;
}

/**
 * Starts mariadbd on `datadir` (initialised first unless it holds a database already),
 * as root, listening on 127.0.0.1 only.
 */
export async function startMariadb(dir: string, name: string, datadir: string, serverId: number): Promise<MariadbServer> {
  if (!existsSync(join(datadir, 'mysql'))) {
    const init = spawnSync('mariadb-install-db', ['--no-defaults', '--user=root', `--datadir=${datadir}`, '--auth-root-authentication-method=normal',
      '--skip-test-db'], { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`mariadb-install-db failed: ${init.stderr}`);
  }
  const port = await freePort();
  const authFile = join(dir, `${name}-client.cnf`);
  writeFileSync(authFile, '[client]\nuser = root\n');
  const server = start(['mariadbd', '--no-defaults', '--user=root', `--datadir=${datadir}`, `--port=${port}`, '--bind-address=127.0.0.1',
    `--socket=${join(dir, `${name}.sock`)}`, `--pid-file=${join(dir, `${name}.pid`)}`, '--log-bin=mysql-bin', `--server-id=${serverId}`,
    '--log-slave-updates', '--gtid-strict-mode=1', '--innodb-buffer-pool-size=64M', '--innodb-log-file-size=16M'], {});
  const sql = (statements: string): string => {
    const result = spawnSync('mariadb', [`--defaults-extra-file=${authFile}`, '--protocol=TCP', '--host=127.0.0.1', `--port=${port}`,
      '--batch', '--skip-column-names'], { input: statements, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`SQL failed on ${name}: ${result.stderr}\n${statements}`);
    return result.stdout.trim();
  };
  await until(`${name} to answer`, () => {
    if (server.child.exitCode !== null) throw new Error(`mariadbd ${name} exited:\n${server.log()}`);
    return spawnSync('mariadb', [`--defaults-extra-file=${authFile}`, '--protocol=TCP', '--host=127.0.0.1', `--port=${port}`, '-e', 'SELECT 1']).status === 0;
  }, 60_000);
  return {
    datadir, port, authFile, process: server, sql,
    stop: async () => {
      // A clean shutdown, so that the data directory can be started again.
      if (server.child.exitCode === null) {
        const exited = new Promise(resolve => server.child.once('exit', resolve));
        server.child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise(resolve => { timer = setTimeout(resolve, 30_000); })]);
        clearTimeout(timer);
      }
      await stop(server);
    },
  };
}
