import { asset } from '../../internal/assets';
import { requireInteger } from '../../internal/validate';
import { MySqlEngine } from '../engine/engine';

/**
 * The my.cnf fragments of the cluster: the shipped base files (`lib/mysql/conf/`), then
 * the engine's settings, then the user's, appended under `[mysqld]`. Settings are
 * validated so that a typo cannot produce a file the server refuses to start with.
 */

/** Default parallel applier threads per replica, chosen from the lag benchmark (BENCHMARKS.md). */
const DEFAULT_REPLICA_APPLIER_THREADS = 4;

/** The user's settings, by role, and the replicas' applier threads. */
export interface ServerConfigOptions {
  readonly commonSettings?: Record<string, string>;
  readonly primarySettings?: Record<string, string>;
  readonly replicaSettings?: Record<string, string>;
  readonly replicaApplierThreads?: number;
}

const OPTION_NAME = /^[a-z][a-z0-9_-]*$/;

/** Throws unless every option name and value can be written to a my.cnf line. */
function validateSettings(what: string, settings: Record<string, string>): Record<string, string> {
  for (const [name, value] of Object.entries(settings)) {
    if (!OPTION_NAME.test(name)) {
      throw new Error(`${what}: option name must be lower-case letters, digits, '_' or '-' (got "${name}")`);
    }
    if (typeof value !== 'string' || /[\r\n#]/.test(value) || value.trim() === '') {
      throw new Error(`${what}: value of "${name}" must be a non-empty single-line string without '#' (got ${JSON.stringify(value)})`);
    }
  }
  return { ...settings };
}

/**
 * Appends titled `[mysqld]` sections to a base fragment. Sections with no settings are
 * left out; later sections win because the server reads options in file order.
 */
function renderFragment(base: string, sections: ReadonlyArray<{ title: string; settings: Record<string, string> }>): string {
  let text = base.endsWith('\n') ? base : `${base}\n`;
  for (const section of sections) {
    const entries = Object.entries(section.settings);
    if (entries.length === 0) {
      continue;
    }
    text += `\n# ${section.title}\n[mysqld]\n`;
    for (const [name, value] of entries) {
      text += `${name} = ${value}\n`;
    }
  }
  return text;
}

/**
 * The my.cnf fragments for this engine, keyed by file name: `common.cnf` for every
 * member, `primary.cnf` and `replica.cnf` for the roles.
 */
export function serverConfigFragments(engine: MySqlEngine, options: ServerConfigOptions): Record<string, string> {
  const common = validateSettings('commonSettings', options.commonSettings ?? {});
  const primary = validateSettings('primarySettings', options.primarySettings ?? {});
  const replica = validateSettings('replicaSettings', options.replicaSettings ?? {});
  const threads = requireInteger('replicaApplierThreads', options.replicaApplierThreads ?? DEFAULT_REPLICA_APPLIER_THREADS, 0, 256);
  const byEngine = `required by ${engine.displayName}`;
  return {
    'common.cnf': renderFragment(asset('mysql/conf/common.cnf'), [
      { title: `GTID replication, ${byEngine}`, settings: engine.gtidSettings },
      { title: 'Added by the user (commonSettings)', settings: common },
    ]),
    'primary.cnf': renderFragment(asset('mysql/conf/primary.cnf'), [
      { title: 'Added by the user (primarySettings)', settings: primary },
    ]),
    'replica.cnf': renderFragment(asset('mysql/conf/replica.cnf'), [
      { title: `Read-only for every account, ${byEngine}`, settings: engine.replicaSettings },
      { title: `Parallel appliers (replicaApplierThreads = ${threads})`, settings: engine.replicaApplierSettings(threads) },
      { title: 'Added by the user (replicaSettings)', settings: replica },
    ]),
  };
}
