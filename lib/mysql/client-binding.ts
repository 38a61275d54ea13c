import * as kplus from 'cdk8s-plus-28';
import * as k8s from '../internal/k8s';

/** Where an application finds the cluster. */
export interface MySqlEndpoints {
  /** Host for writes (the primary Service). */
  readonly primaryHost: string;
  /** Host for reads (the read Service over every Ready member). */
  readonly readHost: string;
  /** Database port. */
  readonly port: number;
}

/** The application's own database account, kept in a Secret. */
export interface ClientAccount {
  /** Secret holding the account. */
  readonly secret: kplus.ISecret;
  /**
   * Key of the user name in the Secret.
   * @default 'username'
   */
  readonly userKey?: string;
  /**
   * Key of the password in the Secret.
   * @default 'password'
   */
  readonly passwordKey?: string;
  /**
   * Prefix of the environment variable names.
   * @default 'MYSQL_'
   */
  readonly envPrefix?: string;
}

const PREFIX = /^[A-Z_][A-Z0-9_]*$/;

/**
 * The environment an application container needs: `<prefix>HOST` (writes, the
 * primary), `<prefix>READ_HOST` (reads), `<prefix>PORT`, and `<prefix>USER` /
 * `<prefix>PASSWORD` from the account's Secret.
 */
export function clientEnv(endpoints: MySqlEndpoints, account: ClientAccount): k8s.EnvVar[] {
  const prefix = account.envPrefix ?? 'MYSQL_';
  if (!PREFIX.test(prefix)) {
    throw new Error(`envPrefix must be upper-case letters, digits and '_', not starting with a digit (got "${prefix}")`);
  }
  const fromSecret = (key: string): k8s.EnvVarSource => ({ secretKeyRef: { name: account.secret.name, key } });
  return [
    { name: `${prefix}HOST`, value: endpoints.primaryHost },
    { name: `${prefix}READ_HOST`, value: endpoints.readHost },
    { name: `${prefix}PORT`, value: String(endpoints.port) },
    { name: `${prefix}USER`, valueFrom: fromSecret(account.userKey ?? 'username') },
    { name: `${prefix}PASSWORD`, valueFrom: fromSecret(account.passwordKey ?? 'password') },
  ];
}

/** Adds {@link clientEnv} to a cdk8s-plus container. */
export function addClientEnv(container: kplus.Container, endpoints: MySqlEndpoints, account: ClientAccount): void {
  for (const variable of clientEnv(endpoints, account)) {
    const value = variable.valueFrom?.secretKeyRef
      ? kplus.EnvValue.fromSecretValue({ secret: account.secret, key: variable.valueFrom.secretKeyRef.key })
      : kplus.EnvValue.fromValue(variable.value!);
    container.env.addVariable(variable.name, value);
  }
}
