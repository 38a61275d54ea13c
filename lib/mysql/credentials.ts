import { optionalPlainObject, requireDnsSubdomain, requirePlainObject, requireSecretKey } from '../internal/validate';
import { INamedResource } from '../statefulset/workloads';
import { RESERVED_ACCOUNTS } from './accounts/reserved-accounts';


/** Where the cluster's passwords come from. */
export interface SecretCredentialsOptions {
  /**
   * Key of the root password in the Secret.
   * @default 'root-password'
   */
  readonly rootPasswordKey?: string;
  /**
   * Key of the root password the servers had before a rotation. Optional in the Secret:
   * put the old password here when you change `root-password`, and the members keep
   * working with it until the primary's sidecar has changed root's password (README,
   * "Root and password rotation").
   * @default 'root-password-previous'
   */
  readonly previousRootPasswordKey?: string;
  /**
   * Key of the replication account's password in the Secret.
   * @default 'replication-password'
   */
  readonly replicationPasswordKey?: string;
  /**
   * Name of the replication account the primary creates (privileges
   * `REPLICATION SLAVE` and `REPLICATION CLIENT` only).
   * @default 'replicator'
   */
  readonly replicationUser?: string;
  /**
   * Key of the metrics exporter's password in the Secret; read only when `metrics` is
   * on. No backquote, `$` or line break: the exporter's option file cannot carry them
   * unchanged.
   * @default 'exporter-password'
   */
  readonly exporterPasswordKey?: string;
  /**
   * Name of the metrics exporter's account, which the primary creates when `metrics` is
   * on (privileges `PROCESS`, `REPLICATION CLIENT`, on MariaDB `SLAVE MONITOR`, and
   * `SELECT` on `performance_schema`, from inside the pod only).
   * @default 'exporter'
   */
  readonly exporterUser?: string;
}

/** A password taken from a Secret key. */
export interface SecretKeyReference {
  /** Name of the Secret. */
  readonly secretName: string;
  /** Key within the Secret. */
  readonly key: string;
}

/**
 * The cluster's credentials: a root password and a dedicated replication account.
 * Passwords reach containers only as environment variables from `secretKeyRef`;
 * scripts hand them to clients through an option file in a memory-backed volume,
 * never on a command line, in a ConfigMap or in script text.
 */
export class MySqlCredentials {
  /**
   * Passwords from an existing Secret (a cdk8s-plus `Secret` of any version, or anything
   * with its `name`), e.g. one made with
   * `kubectl create secret generic mysql-credentials --from-literal=root-password=… --from-literal=replication-password=…`.
   * Keeping the Secret out of the chart keeps passwords out of `dist/` and git.
   */
  public static fromSecret(secret: INamedResource, options: SecretCredentialsOptions = {}): MySqlCredentials {
    requirePlainObject('credentials secret', secret);
    return MySqlCredentials.fromSecretName(secret.name, options);
  }

  /** Like {@link fromSecret}, by the Secret's name. */
  public static fromSecretName(secretName: string, options: SecretCredentialsOptions = {}): MySqlCredentials {
    requireDnsSubdomain('credentials secret name', secretName);
    optionalPlainObject('credentials options', options);
    const rootKey = requireSecretKey('rootPasswordKey', options.rootPasswordKey ?? 'root-password');
    const previousRootKey = requireSecretKey('previousRootPasswordKey', options.previousRootPasswordKey ?? 'root-password-previous');
    const replicationKey = requireSecretKey('replicationPasswordKey', options.replicationPasswordKey ?? 'replication-password');
    const exporterKey = requireSecretKey('exporterPasswordKey', options.exporterPasswordKey ?? 'exporter-password');
    const keys = { rootPasswordKey: rootKey, previousRootPasswordKey: previousRootKey, replicationPasswordKey: replicationKey, exporterPasswordKey: exporterKey };
    const seen = new Map<string, string>();
    for (const [option, key] of Object.entries(keys)) {
      if (seen.has(key)) throw new Error(`${option} must differ from ${seen.get(key)}: each password needs its own key of the Secret (got "${key}")`);
      seen.set(key, option);
    }
    const replicationUser = requireAccountName('replicationUser', options.replicationUser ?? 'replicator');
    const exporterUser = requireAccountName('exporterUser', options.exporterUser ?? 'exporter');
    if (exporterUser.toLowerCase() === replicationUser.toLowerCase()) {
      throw new Error(`exporterUser must differ from replicationUser: each account gets its own privileges and password (got "${exporterUser}")`);
    }
    return new MySqlCredentials(
      { secretName, key: rootKey },
      { secretName, key: replicationKey },
      replicationUser,
      { secretName, key: previousRootKey },
      { secretName, key: exporterKey },
      exporterUser,
    );
  }

  /**
   * No passwords at all: root and the replication account have empty passwords.
   * Only for throwaway local experiments; anyone who reaches port 3306 owns the data.
   */
  public static insecureEmptyPasswordsForLocalExperimentsOnly(): MySqlCredentials {
    return new MySqlCredentials(undefined, undefined, 'replicator', undefined, undefined, 'exporter');
  }

  /** Where the root password comes from; undefined with empty passwords. */
  public readonly rootPassword?: SecretKeyReference;
  /** Where the replication password comes from; undefined with empty passwords. */
  public readonly replicationPassword?: SecretKeyReference;
  /** Where the root password before a rotation comes from (an optional key); undefined with empty passwords. */
  public readonly previousRootPassword?: SecretKeyReference;
  /** Where the metrics exporter's password comes from; undefined with empty passwords. */
  public readonly exporterPassword?: SecretKeyReference;
  /** Name of the metrics exporter's account. */
  public readonly exporterUser: string;
  /** Name of the replication account. */
  public readonly replicationUser: string;

  private constructor(rootPassword: SecretKeyReference | undefined, replicationPassword: SecretKeyReference | undefined, replicationUser: string,
    previousRootPassword: SecretKeyReference | undefined, exporterPassword: SecretKeyReference | undefined, exporterUser: string) {
    this.rootPassword = rootPassword;
    this.previousRootPassword = previousRootPassword;
    this.exporterPassword = exporterPassword;
    this.exporterUser = exporterUser;
    this.replicationPassword = replicationPassword;
    this.replicationUser = replicationUser;
  }

  /** True when the explicit empty-password opt-in was chosen. */
  public get emptyPasswords(): boolean {
    return this.rootPassword === undefined;
  }
}



function requireAccountName(what: string, user: string): string {
  if (typeof user !== 'string' || !/^[A-Za-z0-9_]{1,32}$/.test(user)) {
    throw new Error(`${what} must be 1 to 32 letters, digits or '_' (got ${JSON.stringify(user)})`);
  }
  if (RESERVED_ACCOUNTS.includes(user.toLowerCase())) {
    throw new Error(`${what} must not be an account the server or its image owns (${RESERVED_ACCOUNTS.join(', ')}): the sidecar sets this account's password and grants on every start (got "${user}")`);
  }
  return user;
}
