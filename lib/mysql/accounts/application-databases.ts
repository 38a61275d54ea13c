import { requireArray, requireDnsSubdomain, requireEnum, requirePlainObject, requireSecretKey, show } from '../../internal/validate';
import * as k8s from '../../internal/k8s';
import { ClientAccount } from '../client-binding';
import { MySqlCredentials } from '../credentials';
import { RESERVED_ACCOUNTS } from './reserved-accounts';

/**
 * What a database's owner may do in it. Only privileges that exist at the database level:
 * nothing here reaches another database or the server (no `FILE`, `SUPER`, `PROCESS`,
 * no `GRANT OPTION`).
 */
export enum DatabasePrivilege {
  /** Every database-level privilege (`ALL PRIVILEGES ON db.*`, which has no `GRANT OPTION`). */
  ALL = 'ALL PRIVILEGES',
  SELECT = 'SELECT',
  INSERT = 'INSERT',
  UPDATE = 'UPDATE',
  DELETE = 'DELETE',
  CREATE = 'CREATE',
  DROP = 'DROP',
  ALTER = 'ALTER',
  INDEX = 'INDEX',
  REFERENCES = 'REFERENCES',
  CREATE_TEMPORARY_TABLES = 'CREATE TEMPORARY TABLES',
  LOCK_TABLES = 'LOCK TABLES',
  EXECUTE = 'EXECUTE',
  CREATE_VIEW = 'CREATE VIEW',
  SHOW_VIEW = 'SHOW VIEW',
  CREATE_ROUTINE = 'CREATE ROUTINE',
  ALTER_ROUTINE = 'ALTER ROUTINE',
  EVENT = 'EVENT',
  TRIGGER = 'TRIGGER',
}

/** The account that owns an application database. */
export interface DatabaseOwner {
  /** Name of the account: 1 to 32 letters, digits or `_`, none the cluster uses itself. */
  readonly user: string;
  /** Name of the Secret holding its password (a cdk8s-plus Secret's `name` of any version). */
  readonly secretName: string;
  /**
   * Key of the password in the Secret.
   * @default 'password'
   */
  readonly passwordKey?: string;
}

/** An application database and its owner. */
export interface DatabaseOptions {
  /** The account that owns it, with its password from a Secret. */
  readonly owner: DatabaseOwner;
  /**
   * What the owner may do, in this database only.
   * @default [DatabasePrivilege.ALL]
   */
  readonly privileges?: DatabasePrivilege[];
}

/** Names the servers keep for themselves. */
const RESERVED_DATABASES = ['mysql', 'information_schema', 'performance_schema', 'sys'];

/** One checked database, as the primary's sidecar receives it. */
interface ApplicationDatabase {
  readonly name: string;
  readonly user: string;
  readonly secretName: string;
  readonly passwordKey: string;
  readonly privileges: string;
}

/**
 * The application databases of one cluster. The primary's sidecar makes each exist at
 * every start: `CREATE DATABASE IF NOT EXISTS`, the owner `'<user>'@'%'` with the
 * Secret's password (a changed Secret and a rollout rotate it), and the privileges on
 * that database only; replicas get them through replication. Nothing is ever dropped.
 */
export class ApplicationDatabases {
  private readonly databases: ApplicationDatabase[] = [];

  constructor(private readonly credentials: MySqlCredentials, private readonly sidecarEnv: k8s.EnvVar[]) {}

  /** Checks one database and hands it to the sidecar; returns the owner as a client account. */
  public add(name: string, options: DatabaseOptions): ClientAccount {
    const what = `addDatabase("${String(name)}")`;
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) {
      throw new Error(`addDatabase name must be 1 to 64 letters, digits or '_', not starting with a digit (got ${show(name)})`);
    }
    if (RESERVED_DATABASES.includes(name.toLowerCase())) {
      throw new Error(`addDatabase name must not be a database the server keeps for itself (${RESERVED_DATABASES.join(', ')}) (got "${name}")`);
    }
    if (this.databases.some(d => d.name.toLowerCase() === name.toLowerCase())) {
      throw new Error(`addDatabase name must be unique in the cluster: "${name}" was added already (got "${name}")`);
    }
    requirePlainObject(`${what} options`, options);
    requirePlainObject(`${what} owner`, options.owner);
    const owner = options.owner;
    const user = owner.user;
    if (typeof user !== 'string' || !/^[A-Za-z0-9_]{1,32}$/.test(user)) {
      throw new Error(`${what} owner.user must be 1 to 32 letters, digits or '_' (got ${show(user)})`);
    }
    const taken = [...RESERVED_ACCOUNTS, this.credentials.replicationUser.toLowerCase(), this.credentials.exporterUser.toLowerCase()];
    if (taken.includes(user.toLowerCase())) {
      throw new Error(`${what} owner.user must not be an account the server, its image or the cluster uses (${taken.join(', ')}): the sidecar would take it over (got "${user}")`);
    }
    const other = this.databases.find(d => d.user.toLowerCase() === user.toLowerCase());
    if (other) {
      throw new Error(`${what} owner.user must own one database only: "${user}" owns "${other.name}" already, and one account has one password (got "${user}")`);
    }
    const secretName = requireDnsSubdomain(`${what} owner.secretName`, owner.secretName);
    const passwordKey = requireSecretKey(`${what} owner.passwordKey`, owner.passwordKey ?? 'password');
    const privileges = requireArray(`${what} privileges`, options.privileges ?? [DatabasePrivilege.ALL])
      .map((p, i) => requireEnum(`${what} privileges[${i}]`, p, DatabasePrivilege));
    if (privileges.length === 0) {
      throw new Error(`${what} privileges must name at least one privilege (got [])`);
    }
    if (privileges.includes(DatabasePrivilege.ALL) && privileges.length > 1) {
      throw new Error(`${what} privileges: DatabasePrivilege.ALL includes every other; give it alone (got ${show(privileges)})`);
    }
    const database = { name, user, secretName, passwordKey, privileges: [...new Set(privileges)].join(', ') };
    const index = this.databases.length;
    this.databases.push(database);
    const prefix = `APP_DATABASE_${index}`;
    this.sidecarEnv.push(
      { name: prefix, value: name },
      { name: `${prefix}_USER`, value: user },
      { name: `${prefix}_PRIVILEGES`, value: database.privileges },
      // Optional: a missing Secret or key leaves the password empty, and the sidecar skips
      // that database with a message, instead of every member failing to start.
      { name: `${prefix}_PASSWORD`, valueFrom: { secretKeyRef: { name: secretName, key: passwordKey, optional: true } } },
    );
    return { secretName, passwordKey, user, database: name };
  }
}
