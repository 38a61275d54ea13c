import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { MySqlCredentials, MySqlEngine, StatefulMySQL, StatefulMySQLProps } from '../../lib';

describe('MySqlCredentials', () => {
  test('fromSecret takes the Secret object and default keys', () => {
    const secret = kplus.Secret.fromSecretName(Testing.chart(), 'S', 'db-credentials');
    const credentials = MySqlCredentials.fromSecret(secret);
    expect(credentials.rootPassword).toEqual({ secretName: 'db-credentials', key: 'root-password' });
    expect(credentials.replicationPassword).toEqual({ secretName: 'db-credentials', key: 'replication-password' });
    expect(credentials.replicationUser).toBe('replicator');
    expect(credentials.emptyPasswords).toBe(false);
  });

  test('keys and the replication account are configurable', () => {
    const credentials = MySqlCredentials.fromSecretName('s', { rootPasswordKey: 'root', replicationPasswordKey: 'repl', replicationUser: 'repl_user' });
    expect(credentials.rootPassword?.key).toBe('root');
    expect(credentials.replicationPassword?.key).toBe('repl');
    expect(credentials.replicationUser).toBe('repl_user');
  });

  test('the previous root password (for rotations) is an optional key of the same Secret', () => {
    expect(MySqlCredentials.fromSecretName('s').previousRootPassword).toEqual({ secretName: 's', key: 'root-password-previous' });
    expect(MySqlCredentials.fromSecretName('s', { previousRootPasswordKey: 'old-root' }).previousRootPassword?.key).toBe('old-root');
    const chart = Testing.chart();
    new StatefulMySQL(chart, 'mysql', { credentials: MySqlCredentials.fromSecretName('s') });
    const pod = Testing.synth(chart).find(o => o.kind === 'StatefulSet').spec.template.spec;
    const initConfig = pod.initContainers.find((c: any) => c.name === 'init-config');
    expect(initConfig.env.find((e: any) => e.name === 'ROOT_PASSWORD_PREVIOUS').valueFrom.secretKeyRef).toEqual({ name: 's', key: 'root-password-previous', optional: true });
    // Only the init container reads it; the others read the files it writes.
    for (const container of pod.containers) expect(container.env.map((e: any) => e.name)).not.toContain('ROOT_PASSWORD_PREVIOUS');
  });

  test('fails when two passwords share a key', () => {
    expect(() => MySqlCredentials.fromSecretName('s', { previousRootPasswordKey: 'root-password' }))
      .toThrow('previousRootPasswordKey must differ from rootPasswordKey: each password needs its own key of the Secret (got "root-password")');
    expect(() => MySqlCredentials.fromSecretName('s', { replicationPasswordKey: 'pw', rootPasswordKey: 'pw' }))
      .toThrow('replicationPasswordKey must differ from rootPasswordKey: each password needs its own key of the Secret (got "pw")');
  });

  test('root logs in from the pod only by default; remoteRoot opts in to root@%', () => {
    const rootHost = (props: StatefulMySQLProps) => {
      const chart = Testing.chart();
      new StatefulMySQL(chart, 'mysql', props);
      const pod = Testing.synth(chart).find(o => o.kind === 'StatefulSet').spec.template.spec;
      const env = (name: string) => Object.fromEntries(pod.containers.find((c: any) => c.name === name).env.map((e: any) => [e.name, e.value]));
      return [env('mysql').MYSQL_ROOT_HOST ?? env('mysql').MARIADB_ROOT_HOST, env('replication').REMOTE_ROOT];
    };
    expect(rootHost({})).toEqual(['127.0.0.1', 'no']);
    expect(rootHost({ engine: MySqlEngine.mariadb1011() })).toEqual(['127.0.0.1', 'no']);
    expect(rootHost({ remoteRoot: true })).toEqual(['%', 'yes']);
    expect(() => rootHost({ remoteRoot: 'yes' as any })).toThrow('remoteRoot must be true or false (got "yes")');
  });

  test('the empty-password opt-in has no Secret', () => {
    const credentials = MySqlCredentials.insecureEmptyPasswordsForLocalExperimentsOnly();
    expect(credentials.emptyPasswords).toBe(true);
    expect(credentials.rootPassword).toBeUndefined();
  });

  test('fails when a Secret key is invalid', () => {
    expect(() => MySqlCredentials.fromSecretName('s', { rootPasswordKey: 'root password' }))
      .toThrow('rootPasswordKey must be a Secret key of letters, digits, \'-\', \'_\' or \'.\', at most 253 characters (got "root password")');
  });

  test('fails when the replication account name is unsafe', () => {
    expect(() => MySqlCredentials.fromSecretName('s', { replicationUser: "repl'@'%" }))
      .toThrow('replicationUser must be 1 to 32 letters, digits or \'_\' (got "repl\'@\'%")');
  });

  test('fails when the Secret name is empty', () => {
    expect(() => MySqlCredentials.fromSecretName('')).toThrow('credentials secret name must be a DNS-1123 subdomain: dot-separated DNS labels, at most 253 characters (got "")');
  });
});
