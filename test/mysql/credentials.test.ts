import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { MySqlCredentials } from '../../lib';

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
