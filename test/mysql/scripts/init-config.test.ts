// Runs the shipped init-config.sh with the environment each flavor's manifest gives it
// (paths moved into a scratch directory): a MySQL root password that the official
// mysql entrypoint would mangle stops the pod before anything is initialised, with a
// message that says why; MariaDB's entrypoint escapes, so every password works there.
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { MySqlEngine } from '../../../lib';
import { assetPath } from '../../../lib/internal/assets';
import { manifestEnv } from '../../support/objects';

function runInitConfig(engine: MySqlEngine, rootPassword: string, extra: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'init-config-'));
  try {
    mkdirSync(join(dir, 'config'));
    mkdirSync(join(dir, 'conf.d'));
    for (const file of ['common.cnf', 'primary.cnf', 'replica.cnf']) writeFileSync(join(dir, 'config', file), `# ${file}\n`);
    const env = {
      ...manifestEnv({ engine }, 'init-config'),
      PATH: process.env.PATH!,
      HOSTNAME: 'mysql-0',
      CONFIG_SOURCE_DIR: join(dir, 'config'),
      CONF_DIR: join(dir, 'conf.d'),
      AUTH_FILE: join(dir, 'client.cnf'),
      AUTH_FILE_PREVIOUS: join(dir, 'client-previous.cnf'),
      ROOT_PASSWORD: rootPassword,
      ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, v.replace('<dir>', dir)])),
    };
    const result = spawnSync('bash', [assetPath('mysql/scripts/init-config.sh')], { env, encoding: 'utf8' });
    const read = (file: string | undefined) => {
      try {
        return file ? readFileSync(file, 'utf8') : undefined;
      } catch {
        return undefined;
      }
    };
    return {
      status: result.status, stderr: result.stderr, authFile: read(env.AUTH_FILE),
      previousFile: read(env.AUTH_FILE_PREVIOUS), exporterFile: read((env as Record<string, string>).EXPORTER_CONFIG_FILE),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('init-config.sh and the root password', () => {
  const mysqlFlavors: Array<[string, () => MySqlEngine]> = [
    ['MySQL 8.4', () => MySqlEngine.mysql84()],
    ['MySQL 8.0', () => MySqlEngine.mysql80()],
    ['MySQL 5.7', () => MySqlEngine.mysql57Legacy()],
  ];

  test.each(mysqlFlavors)('%s: fails before initialisation when the password has a character the entrypoint pastes unescaped', (_name, engine) => {
    for (const password of ["it's", 'say "hi"', 'back\\slash', 'two\nlines', 'cr\rhere']) {
      const result = runInitConfig(engine(), password);
      expect({ password, status: result.status }).toEqual({ password, status: 1 });
      expect(result.stderr).toContain('the root password in the credentials Secret contains \', ", \\ or a line break, which this image\'s entrypoint pastes into SQL and an option file unescaped');
      expect(result.stderr).toContain('openssl rand -base64 24');
      expect(result.authFile).toBeUndefined();
    }
  });

  test.each(mysqlFlavors)('%s: other punctuation is accepted', (_name, engine) => {
    const result = runInitConfig(engine(), 'a$b#c;d e&f(g)`h`!~%^*=+/?,.<>|{}[]');
    expect(result.status).toBe(0);
    expect(result.authFile).toContain('password = "a$b#c;d e&f(g)`h`!~%^*=+/?,.<>|{}[]"');
  });

  test.each([['MariaDB 10.11', () => MySqlEngine.mariadb1011()], ['MariaDB 11.4', () => MySqlEngine.mariadb114()]])(
    '%s: every password works, escaped in the client option file', (_name, engine) => {
      const result = runInitConfig(engine(), `it's "quoted" back\\slash`);
      expect(result.status).toBe(0);
      expect(result.authFile).toBe('[client]\nuser = root\npassword = "it\'s \\"quoted\\" back\\\\slash"\n');
    });
});

describe('the client credentials file, read back by the real option-file parser', () => {
  // my_print_defaults (Debian's mariadb-client) parses option files as the clients do:
  // quotes, backslash escapes and # comments. Missing, the test fails, never skips.
  test.each([
    'quote " and \' and \\ backslash', 'trailing\\', ' leading and trailing ', 'tab\there', 'two\nlines', 'cr\rhere', 'lit\\nchars',
    '#not a comment', 'x"#y', '$(id) `id` ${HOME}', 'pässwörd-日本', '\\s\\t\\b', '=;%--',
  ])('MariaDB root password %j survives the option file', password => {
    const result = runInitConfig(MySqlEngine.mariadb1011(), password);
    expect(result.status).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'option-file-'));
    try {
      writeFileSync(join(dir, 'client.cnf'), result.authFile!);
      const read = spawnSync('my_print_defaults', [`--defaults-file=${join(dir, 'client.cnf')}`, 'client'], { encoding: 'utf8' });
      expect(read.error).toBeUndefined();
      expect(read.status).toBe(0);
      expect(read.stdout).toBe(`--user=root\n--password=${password}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('init-config.sh: the previous root password and the exporter\'s options file', () => {
  test('a previous root password gets its own credentials file; the same or none gets none', () => {
    const rotating = runInitConfig(MySqlEngine.mariadb1011(), 'new', { ROOT_PASSWORD_PREVIOUS: 'old "one"' });
    expect(rotating.status).toBe(0);
    expect(rotating.previousFile).toBe('[client]\nuser = root\npassword = "old \\"one\\""\n');
    expect(rotating.stderr).toContain('the Secret holds a previous root password');
    expect(runInitConfig(MySqlEngine.mariadb1011(), 'same', { ROOT_PASSWORD_PREVIOUS: 'same' }).previousFile).toBeUndefined();
    expect(runInitConfig(MySqlEngine.mariadb1011(), 'new').previousFile).toBeUndefined();
  });

  const exporter = (password: string) => runInitConfig(MySqlEngine.mariadb1011(), 'root', {
    EXPORTER_CONFIG_FILE: '<dir>/exporter.cnf', EXPORTER_USER: 'exporter', EXPORTER_PASSWORD: password, MYSQL_PORT: '3306',
  });

  test('the exporter\'s password goes into the file in backquotes, quotes, # and ; included', () => {
    const result = exporter(`a 'q' "d" #h ;s =e\\b`);
    expect(result.status).toBe(0);
    expect(result.exporterFile).toBe('[client]\nuser = exporter\npassword = `a \'q\' "d" #h ;s =e\\b`\nhost = 127.0.0.1\nport = 3306\n');
  });

  test.each([['a backquote', 'a`b'], ['a $', 'a$HOME'], ['a line break', 'a\nb'], ['nothing', '']])('a password with %s is refused, once, and the exporter gets a placeholder so it runs (mysql_up 0) instead of crash-looping', (_, password) => {
    const result = exporter(password);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('the exporter password in the credentials Secret is empty or holds a backquote, a $ or a line break');
    expect(result.exporterFile).toContain('password = `refused-see-the-init-config-log`');
  });
});
