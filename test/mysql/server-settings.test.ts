import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing } from 'cdk8s';
import { MySqlEngine, StatefulMySQL, StatefulMySQLProps } from '../../lib';
import { GUARDED_SETTINGS, QUOTING_SQL_MODES } from '../../lib/mysql/pod/guarded-settings';
import { find, synth } from '../support/objects';

function configData(props: StatefulMySQLProps): Record<string, string> {
  const chart = Testing.chart();
  new StatefulMySQL(chart, 'mysql', props);
  return find(synth(chart), 'ConfigMap', 'mysql-config').data;
}

/**
 * What the server reads from an option file, by the parser the server itself uses:
 * `my_print_defaults` from Debian's MariaDB packages (test/setup-machine.sh installs it).
 * Fails loudly when it is missing.
 */
function readByServerParser(fileText: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'cnf-'));
  try {
    writeFileSync(join(dir, 'my.cnf'), fileText);
    return execFileSync('my_print_defaults', [`--defaults-file=${join(dir, 'my.cnf')}`, 'mysqld'], { encoding: 'utf8' })
      .split('\n').filter(line => line !== '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('server settings the library owns', () => {
  const guarded: Array<[string, string, string]> = [
    ['commonSettings', 'server_id', 'from its ordinal'],
    ['commonSettings', 'server-id', 'from its ordinal'],
    ['replicaSettings', 'read_only', 'replicas writable'],
    ['primarySettings', 'read-only', 'primary refuse writes'],
    ['replicaSettings', 'super_read_only', 'replicas writable'],
    ['commonSettings', 'gtid_mode', 'by GTID'],
    ['commonSettings', 'enforce-gtid-consistency', 'by GTID'],
    ['commonSettings', 'gtid_strict_mode', 'by GTID'],
    ['commonSettings', 'log-bin', 'binary log'],
    ['commonSettings', 'skip-log-bin', 'binary log'],
    ['commonSettings', 'disable_log_bin', 'binary log'],
    ['replicaSettings', 'log_slave_updates', 'binary log'],
    ['commonSettings', 'port', 'database port is 3306'],
    ['commonSettings', 'bind-address', 'listen on the pod network'],
    ['commonSettings', 'skip-networking', 'listen on the pod network'],
    ['commonSettings', 'skip-grant-tables', 'anyone reaching the database port would be root'],
    ['commonSettings', 'skip_grant_tables', 'anyone reaching the database port would be root'],
    ['commonSettings', 'loose-skip-grant-tables', 'anyone reaching the database port would be root'],
    ['commonSettings', 'skip-grant', 'anyone reaching the database port would be root'],
    ['commonSettings', 'skip-name-resolve', 'matched by address'],
    ['commonSettings', 'datadir', 'volume'],
    ['commonSettings', 'relay_log_recovery', 'crash-safe'],
    ['replicaSettings', 'skip_replica_start', 'starts replication'],
    ['replicaSettings', 'event_scheduler', 'read-only replica'],
  ];
  test.each(guarded)('fails when %s sets %s', (map, name, reason) => {
    expect(() => configData({ [map]: { [name]: 'ON' } }))
      .toThrow(new RegExp(`^${map}: "${name}"( \\(read by the server as [a-z_]+\\))? is set by the library and may not be overridden: .*${reason}`));
  });

  test('spellings the server also reads: abbreviated value checks, event_scheduler for every member', () => {
    expect(() => configData({ commonSettings: { 'sql-mod': 'ANSI_QUOTES' } })).toThrow('commonSettings: sql_mode "ANSI_QUOTES" includes ANSI_QUOTES');
    expect(() => configData({ commonSettings: { sql_m: 'NO_BACKSLASH_ESCAPES' } })).toThrow('includes NO_BACKSLASH_ESCAPES');
    expect(() => configData({ commonSettings: { 'mysqlx-po': '3307' } })).toThrow('collides with the clone channel');
    expect(() => configData({ commonSettings: { event_scheduler: 'ON' } })).toThrow('commonSettings: "event_scheduler" is set by the library');
    expect(configData({ engine: MySqlEngine.mariadb1011(), commonSettings: { innodb: 'FORCE' } })['common.cnf']).toMatch(/^innodb = FORCE$/m);
  });

  test('event_scheduler stays the user\'s on the primary', () => {
    expect(configData({ primarySettings: { event_scheduler: 'ON' } })['primary.cnf']).toMatch(/^event_scheduler = ON$/m);
  });

  test('a real option that merely starts like a guarded one is not taken for an abbreviation', () => {
    const data = configData({ commonSettings: { relay_log: 'relay-bin', log_bin_trust_function_creators: 'ON', port_open_timeout: '10' } });
    expect(data['common.cnf']).toMatch(/^relay_log = relay-bin$/m);
    expect(data['common.cnf']).toMatch(/^log_bin_trust_function_creators = ON$/m);
  });

  test.each(['NO_BACKSLASH_ESCAPES', 'STRICT_TRANS_TABLES,ansi_quotes', 'ANSI', 'ORACLE'])('fails when sql_mode holds a quoting mode (%s)', mode => {
    expect(() => configData({ commonSettings: { sql_mode: mode } })).toThrow(`commonSettings: sql_mode "${mode}" includes`);
  });

  test('fails when another listener would take the database or backup port', () => {
    expect(() => configData({ commonSettings: { mysqlx_port: '3307' } }))
      .toThrow('commonSettings: mysqlx_port = 3307 collides with the clone channel (backup port); choose another port');
    expect(() => configData({ commonSettings: { 'admin-port': '3306' } })).toThrow('collides with the database port');
  });

  test('fails when a value is not text, or a JavaScript non-value turned into text', () => {
    expect(() => configData({ commonSettings: { max_connections: NaN as any } }))
      .toThrow('commonSettings: value of "max_connections" must be a string, as my.cnf writes it, e.g. \'500\' or \'ON\' (got number NaN)');
    expect(() => configData({ commonSettings: { max_connections: 'NaN' } })).toThrow('not a line break or a JavaScript non-value (got "NaN")');
    expect(() => configData({ commonSettings: { 'skip-grant-tables': true as any } })).toThrow('must be a string');
    expect(() => configData({ commonSettings: 'max_connections=5' as any })).toThrow('commonSettings must be an object (got "max_connections=5")');
  });

  test('values the option-file parser would change reach the server unchanged', () => {
    const values: Record<string, string> = {
      sql_mode: '',
      init_connect: 'SET @tag = \'a # b\'',
      ft_stopword_file: 'C:\\dir\\words.txt',
      log_error_verbosity: '  3  ',
      character_set_filesystem: 'say "hi"',
      long_query_time: '2.5',
    };
    const common = configData({ engine: MySqlEngine.mariadb1011(), commonSettings: values })['common.cnf'];
    const read = readByServerParser(common);
    for (const [name, value] of Object.entries(values)) {
      expect(read).toContain(`--${name}=${value}`);
    }
    expect(common).toMatch(/^long_query_time = 2.5$/m);
  });
});

describe('the README lists what the library keeps', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Server settings'), readme.indexOf('## Network access'));

  test.each(GUARDED_SETTINGS.flatMap(g => g.names))('%s', name => {
    const listed = section.match(/^\| (.*?) \|/gm)!.join(' ');
    const patterns = [...listed.matchAll(/`([a-z_*]+)`/g)].map(m => new RegExp(`^${m[1].replace(/\*/g, '[a-z_]*')}$`));
    expect(patterns.some(p => p.test(name))).toBe(true);
  });

  test.each(QUOTING_SQL_MODES)('sql_mode %s', mode => {
    expect(section).toContain(`\`${mode}\``);
  });
});
