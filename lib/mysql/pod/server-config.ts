import { Size } from 'cdk8s';
import { asset } from '../../internal/assets';
import { requireInteger, requirePlainObject } from '../../internal/validate';
import { refuseGuardedSetting } from './guarded-settings';
import { sizingSettings } from './sizing';
import { ServerSizingOptions } from '../stateful-mysql-props';
import { MySqlEngine } from '../engine/engine';
import { ResolvedTls, tlsServerSettings } from '../tls/tls';

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
  readonly sizing?: ServerSizingOptions;
}

const OPTION_NAME = /^[a-z][a-z0-9_-]*$/;

/** What JavaScript writes when a number, `undefined`, `null` or an object is turned into text by mistake. */
const STRINGIFIED_NON_VALUES = new Set(['NaN', 'Infinity', '-Infinity', 'undefined', 'null', '[object Object]']);

/**
 * Throws unless `settings` is a map of option names to values that can be written to a
 * my.cnf line, none of them a setting the library owns (guarded-settings.ts).
 */
function validateSettings(what: string, role: 'common' | 'primary' | 'replica', settings: unknown): Record<string, string> {
  if (settings === undefined) {
    return {};
  }
  requirePlainObject(what, settings);
  for (const [name, value] of Object.entries(settings as Record<string, unknown>)) {
    if (!OPTION_NAME.test(name)) {
      throw new Error(`${what}: option name must be lower-case letters, digits, '_' or '-', starting with a letter (got "${name}")`);
    }
    if (typeof value !== 'string') {
      throw new Error(`${what}: value of "${name}" must be a string, as my.cnf writes it, e.g. '500' or 'ON' (got ${typeof value} ${String(value)})`);
    }
    if (/[\r\n\0]/.test(value) || STRINGIFIED_NON_VALUES.has(value.trim())) {
      throw new Error(`${what}: value of "${name}" must be a single line of text, not a line break or a JavaScript non-value (got ${JSON.stringify(value)})`);
    }
    refuseGuardedSetting(what, role, name, value);
  }
  return { ...settings as Record<string, string> };
}

/**
 * A value as an option file line takes it: as is when the parser leaves it alone, else in
 * double quotes with `\` and `"` escaped, so that an empty value, a `#` (which would
 * start a comment), quotes, backslashes and spaces at either end survive.
 */
function optionFileValue(value: string): string {
  if (value !== '' && !/[#'"\\]/.test(value) && value.trim() === value) {
    return value;
  }
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
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
      text += `${name} = ${optionFileValue(value)}\n`;
    }
  }
  return text;
}

/**
 * The my.cnf fragments for this engine, keyed by file name: `common.cnf` for every
 * member, `primary.cnf` and `replica.cnf` for the roles.
 */
export function serverConfigFragments(engine: MySqlEngine, options: ServerConfigOptions, serverMemoryLimit: Size, tls?: ResolvedTls): Record<string, string> {
  const common = validateSettings('commonSettings', 'common', options.commonSettings);
  const primary = validateSettings('primarySettings', 'primary', options.primarySettings);
  const replica = validateSettings('replicaSettings', 'replica', options.replicaSettings);
  const threads = requireInteger('replicaApplierThreads', options.replicaApplierThreads ?? DEFAULT_REPLICA_APPLIER_THREADS, 0, 256);
  const byEngine = `required by ${engine.displayName}`;
  return {
    'common.cnf': renderFragment(asset('mysql/conf/common.cnf'), [
      { title: `GTID replication, ${byEngine}`, settings: engine.gtidSettings },
      { title: 'Replication starts only when the sidecar starts it', settings: engine.replicationStartSettings },
      { title: `Sized for a memory limit of ${serverMemoryLimit.asString()} (sizing)`, settings: sizingSettings(engine, serverMemoryLimit, options.sizing) },
      { title: 'TLS (tls)', settings: tls ? tlsServerSettings(tls) : {} },
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
