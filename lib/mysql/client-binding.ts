import { IConstruct } from 'constructs';
import { apiObjectOf, findContainer, PlainEnvValue, plusWorkload } from '../statefulset/workloads';
import { optionalPlainObject, requireDnsSubdomain, requirePlainObject, requireSecretKey, show } from '../internal/validate';

/** Where an application finds the cluster. */
export interface MySqlEndpoints {
  /** Host for writes (the primary Service). */
  readonly primaryHost: string;
  /** Host for reads (the read Service over every Ready member). */
  readonly readHost: string;
  /** Database port. */
  readonly port: number;
  /**
   * The CA that signed the servers' certificate, when the cluster has TLS: clients get
   * it as `<prefix>TLS_CA` (PEM) to verify the server.
   * @default - no TLS
   */
  readonly tlsCa?: ClientEnvSecretKeyRef;
}

/** The application's own database account, kept in a Secret. */
export interface ClientAccount {
  /** Name of the Secret holding the account (e.g. `secret.name` of a cdk8s-plus Secret of any version). */
  readonly secretName: string;
  /**
   * Key of the user name in the Secret.
   * @default 'username' (unless `user` names the account)
   */
  readonly userKey?: string;
  /**
   * The account's name, when the Secret holds only its password (what
   * `StatefulMySQL.addDatabase` returns).
   * @default - from the Secret's `userKey`
   */
  readonly user?: string;
  /**
   * The application's database, set as `<prefix>DATABASE`.
   * @default - no database variable
   */
  readonly database?: string;
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

/** Options of `StatefulMySQL.connect`. */
export interface ConnectOptions {
  /**
   * Name of the container (or init container) that gets the variables.
   * @default - the workload's only container
   */
  readonly containerName?: string;
}

/** A key of a Secret, as an environment variable takes it. */
export interface ClientEnvSecretKeyRef {
  /** Name of the Secret. */
  readonly name: string;
  /** The key. */
  readonly key: string;
}

/** Where an environment variable's value comes from. */
export interface ClientEnvSource {
  /** A key of a Secret. */
  readonly secretKeyRef: ClientEnvSecretKeyRef;
}

/** An environment variable, shaped as a Kubernetes container's `env` entry (any cdk8s version's L1 `EnvVar`). */
export interface ClientEnvVar {
  /** Its name. */
  readonly name: string;
  /**
   * Its value.
   * @default - from `valueFrom`
   */
  readonly value?: string;
  /**
   * Where its value comes from.
   * @default - `value`
   */
  readonly valueFrom?: ClientEnvSource;
}

const PREFIX = /^[A-Z_][A-Z0-9_]*$/;

/**
 * The environment an application container needs: `<prefix>HOST` (writes, the
 * primary), `<prefix>READ_HOST` (reads), `<prefix>PORT`, `<prefix>USER` /
 * `<prefix>PASSWORD` from the account's Secret (or the user name given in code),
 * `<prefix>DATABASE` when the account names one, and `<prefix>TLS_CA` (the CA's PEM)
 * when the cluster has TLS.
 */
export function clientEnv(endpoints: MySqlEndpoints, account: ClientAccount): ClientEnvVar[] {
  requirePlainObject('client account', account);
  const prefix = account.envPrefix ?? 'MYSQL_';
  if (!PREFIX.test(prefix)) {
    throw new Error(`envPrefix must be upper-case letters, digits and '_', not starting with a digit (got "${prefix}")`);
  }
  requireDnsSubdomain('client account secretName', account.secretName);
  const fromSecret = (what: string, key: string): ClientEnvSource => {
    return { secretKeyRef: { name: account.secretName, key: requireSecretKey(what, key) } };
  };
  if (account.user !== undefined && account.userKey !== undefined) {
    throw new Error(`client account: give user or userKey, not both: the user name comes either from code or from the Secret (got user ${show(account.user)}, userKey ${show(account.userKey)})`);
  }
  if (account.user !== undefined && (typeof account.user !== 'string' || !/^[A-Za-z0-9_]{1,32}$/.test(account.user))) {
    throw new Error(`client account user must be 1 to 32 letters, digits or '_' (got ${show(account.user)})`);
  }
  if (account.database !== undefined && (typeof account.database !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(account.database))) {
    throw new Error(`client account database must be 1 to 64 letters, digits or '_', not starting with a digit (got ${show(account.database)})`);
  }
  return [
    { name: `${prefix}HOST`, value: endpoints.primaryHost },
    { name: `${prefix}READ_HOST`, value: endpoints.readHost },
    { name: `${prefix}PORT`, value: String(endpoints.port) },
    account.user !== undefined
      ? { name: `${prefix}USER`, value: account.user }
      : { name: `${prefix}USER`, valueFrom: fromSecret('userKey', account.userKey ?? 'username') },
    { name: `${prefix}PASSWORD`, valueFrom: fromSecret('passwordKey', account.passwordKey ?? 'password') },
    ...account.database !== undefined ? [{ name: `${prefix}DATABASE`, value: account.database }] : [],
    ...endpoints.tlsCa ? [{ name: `${prefix}TLS_CA`, valueFrom: { secretKeyRef: { name: endpoints.tlsCa.name, key: endpoints.tlsCa.key } } }] : [],
  ];
}

/**
 * Adds {@link clientEnv} to a container of a cdk8s-plus workload of any version: it
 * calls the container's own `env.addVariable` with plain values, the two fields every
 * cdk8s-plus major renders, and checks at synth that they came out.
 */
export function bindClientEnv(workload: IConstruct, endpoints: MySqlEndpoints, account: ClientAccount, options: ConnectOptions = {}): void {
  const plus = plusWorkload(workload);
  if (!plus) {
    throw new Error(`connect() needs a cdk8s-plus workload (Deployment, StatefulSet, Job …) of any version (got ${workload?.node ? `"${workload.node.path}"` : show(workload)}); for an L1 pod spec put the cluster's clientEnv(account) in the container's env`);
  }
  optionalPlainObject('connect() options', options);
  const { container } = findContainer(plus, 'connect()', options.containerName);
  const variables = clientEnv(endpoints, account);
  const existing = (container.env as { variables?: Record<string, unknown> }).variables ?? {};
  const taken = variables.map(v => v.name).filter(name => name in existing);
  if (taken.length > 0) {
    throw new Error(`container "${container.name}" already has ${taken.join(', ')} (connected to another cluster, or set by hand); connecting again would replace them: give this connection another envPrefix, e.g. { envPrefix: 'ORDERS_DB_' } (got envPrefix "${account.envPrefix ?? 'MYSQL_'}")`);
  }
  for (const variable of variables) {
    const value: PlainEnvValue = variable.valueFrom ? { valueFrom: variable.valueFrom } : { value: variable.value };
    container.env.addVariable(variable.name, value);
  }
  workload.node.addValidation({
    validate: () => {
      const json = apiObjectOf(workload, 'connect()').toJson();
      const pod = json?.spec?.template?.spec ?? json?.spec?.jobTemplate?.spec?.template?.spec ?? json?.spec;
      const rendered = [...pod?.containers ?? [], ...pod?.initContainers ?? []].find((c: any) => c?.name === container.name);
      const names = new Set<string>((rendered?.env ?? []).map((e: any) => e?.name));
      const missing = variables.map(v => v.name).filter(name => !names.has(name));
      return missing.length === 0 ? [] : [
        `container "${container.name}" must carry the variables connect() added, but its synthesized env lacks ${missing.join(', ')}: this cdk8s-plus version renders env differently; put the cluster's clientEnv(account) in the container's env instead`,
      ];
    },
  });
}
