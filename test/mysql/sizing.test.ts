import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Duration, Size, Testing } from 'cdk8s';
import { MySqlEngine, StatefulMySQL, StatefulMySQLProps } from '../../lib';
import { find, synth } from '../support/objects';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** The sizing section's settings in common.cnf. */
function sized(props: StatefulMySQLProps): Record<string, string> {
  const chart = Testing.chart();
  new StatefulMySQL(chart, 'mysql', props);
  const common: string = find(synth(chart), 'ConfigMap', 'mysql-config').data['common.cnf'];
  const section = common.slice(common.indexOf('# Sized for a memory limit'));
  const lines = section.split('\n').slice(2).filter(line => / = /.test(line));
  const settings: Record<string, string> = {};
  for (const line of lines) {
    if (line.startsWith('#')) break;
    const [name, value] = line.split(' = ');
    settings[name] = value;
  }
  return settings;
}

describe('sizing from the memory limit', () => {
  test('defaults: half of the 2Gi limit for the pool, the servers\' 151 connections, 7 days of binary logs', () => {
    expect(sized({ engine: MySqlEngine.mariadb1011() })).toEqual({
      innodb_buffer_pool_size: String(GIB), max_connections: '151', binlog_expire_logs_seconds: String(7 * 86400),
    });
    expect(sized({})).toEqual({
      innodb_buffer_pool_size: String(GIB), innodb_buffer_pool_instances: '1', max_connections: '151', binlog_expire_logs_seconds: String(7 * 86400),
    });
  });

  test('the pool follows the limit and the fraction, in whole chunks, one MySQL instance per GiB', () => {
    const big = sized({ resources: { server: { memoryLimit: Size.gibibytes(8) } }, sizing: { bufferPoolFraction: 0.7, maxConnections: 300 } });
    // 0.7 x 8 GiB = 5734 MiB; 5 instances: whole multiples of 5 x 128 MiB, rounded down.
    expect(big).toMatchObject({ innodb_buffer_pool_size: String(5 * GIB), innodb_buffer_pool_instances: '5', max_connections: '300' });
    const maria = sized({ engine: MySqlEngine.mariadb114(), resources: { server: { memoryLimit: Size.mebibytes(3000) } } });
    expect(maria.innodb_buffer_pool_size).toBe(String(1408 * MIB)); // 1500 MiB rounded down to 11 chunks
    expect(maria).not.toHaveProperty('innodb_buffer_pool_instances');
    // 1 GiB limit: 512 MiB pool, 256 MiB for the server, 256 MiB left: 64 connections fit.
    expect(sized({ resources: { server: { memoryLimit: Size.gibibytes(1), memoryRequest: Size.gibibytes(1) } } }).max_connections).toBe('64');
  });

  test('MySQL 5.7 keeps binary logs by whole days', () => {
    expect(sized({ engine: MySqlEngine.mysql57Legacy(), sizing: { binlogRetention: Duration.days(3) } })).toMatchObject({ expire_logs_days: '3' });
    expect(() => sized({ engine: MySqlEngine.mysql57Legacy(), sizing: { binlogRetention: Duration.hours(36) } }))
      .toThrow('sizing.binlogRetention must be whole days between 1 and 99 on MySQL 5.7 (expire_logs_days) (got 1 day 12 hours)');
  });

  test.each<[string, StatefulMySQLProps, string]>([
    ['the limit cannot hold the pool, the server and ten connections', { resources: { server: { memoryLimit: Size.mebibytes(512), memoryRequest: Size.mebibytes(512) } } },
      'resources.server.memoryLimit 512Mi is too small: a 256 MiB buffer pool, 256 MiB for the server itself and 10 connections at 4 MiB need 552 MiB, and only 0 connections fit; give the server at least 592 MiB'],
    ['the fraction leaves less than one chunk', { resources: { server: { memoryLimit: Size.mebibytes(600), memoryRequest: Size.mebibytes(600) } }, sizing: { bufferPoolFraction: 0.2 } },
      'is too small: 0.2 of it is 120 MiB, below the smallest buffer pool (128 MiB)'],
    ['the connections asked for do not fit', { sizing: { maxConnections: 1000 } }, 'need 5280 MiB, and only 192 connections fit; give the server at least 8512 MiB'],
    ['the fraction is above 0.9', { sizing: { bufferPoolFraction: 0.95 } }, 'sizing.bufferPoolFraction must be a number between 0.1 and 0.9 of the server\'s memory limit (got 0.95)'],
    ['the retention is a number', { sizing: { binlogRetention: 86400 as any } }, 'sizing.binlogRetention must be a Duration'],
    ['max_connections is set in the settings', { commonSettings: { max_connections: '500' } }, 'set from the server\'s memory limit by sizing'],
  ])('fails when %s', (_, props, message) => {
    expect(() => sized(props)).toThrow(message);
  });

  test('the server takes the values as written (mariadbd --verbose --help reads them like a start)', () => {
    const settings = sized({ engine: MySqlEngine.mariadb1011(), resources: { server: { memoryLimit: Size.gibibytes(3) } }, sizing: { maxConnections: 200 } });
    const dir = mkdtempSync(join(tmpdir(), 'sizing-'));
    try {
      writeFileSync(join(dir, 'my.cnf'), `[mysqld]\n${Object.entries(settings).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`);
      const help = execFileSync('mariadbd', [`--defaults-file=${join(dir, 'my.cnf')}`, '--verbose', '--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const value = (name: string) => help.match(new RegExp(`^${name} +(\\S+)$`, 'm'))?.[1];
      expect(value('innodb-buffer-pool-size')).toBe(String(1536 * MIB));
      expect(value('max-connections')).toBe('200');
      expect(value('binlog-expire-logs-seconds')).toBe(String(7 * 86400));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
