/**
 * The input audit's machinery: a case builds an app the way a user would (a JavaScript
 * caller too, casting with `as any`), the harness synthesizes it as `cdk8s synth` does,
 * validates what came out, and classifies the outcome against what Kubernetes and
 * MySQL/MariaDB really do with that input.
 */
import { rmSync } from 'fs';
import { App, Chart } from 'cdk8s';
import { synthAppObjects, temporaryApp, validateManifests } from '../support/manifests';

/** What a case expects: a clear `Error` naming these substrings (case-insensitive), or valid YAML. */
export type Expectation = { readonly rejects: readonly string[] } | 'works';

/** One audited input. */
export interface AuditCase {
  /** The public construct or helper the input goes to. */
  readonly construct: string;
  /** What the input is. */
  readonly title: string;
  /** Builds the constructs into `app` (and calls any helper under audit). */
  readonly build: (app: App) => void;
  /** What must happen. */
  readonly expect: Expectation;
  /** For `'works'`: behaviour the YAML must show; throws when it does not. */
  readonly check?: (objects: any[]) => void;
  /**
   * For `'works'` inputs the library may also turn down on purpose: a clear `Error`
   * containing these substrings counts as a clear error rather than a wrong rejection.
   */
  readonly orRejects?: readonly string[];
}

/** The classes the audit reports. */
export enum Outcome {
  /** Expected a rejection and got an `Error` naming the property and value (or an allowed clear refusal). */
  CLEAR_ERROR = 'clear error',
  /** Valid input: synthesized, valid manifests, behaviour checked. */
  WORKS = 'works',
  /** A TypeError, RangeError or anything else than a plain `Error`. */
  CRASH = 'TypeError crash',
  /** Expected a rejection but it synthesized; or valid input that synthesized invalid or misbehaving YAML. */
  SILENT_BAD_YAML = 'silent bad YAML',
  /** Valid input, refused. */
  WRONG_REJECTION = 'wrong rejection',
  /** Expected a rejection and got an `Error`, but its message lacks the property or the value. */
  UNCLEAR_ERROR = 'unclear error',
}

/** The outcomes a case passes with. */
const PASSING = new Set([Outcome.CLEAR_ERROR, Outcome.WORKS]);

/** What happened to one case. */
export interface AuditResult {
  readonly outcome: Outcome;
  readonly passed: boolean;
  /** One line saying what happened (the error, the problems, or the failed check). */
  readonly detail: string;
}

function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function missingSubstrings(message: string, wanted: readonly string[]): string[] {
  const lower = message.toLowerCase();
  return wanted.filter(s => !lower.includes(s.toLowerCase()));
}

function result(outcome: Outcome, detail: string): AuditResult {
  return { outcome, passed: PASSING.has(outcome), detail: oneLine(detail) };
}

/** Builds and synthesizes one case in a fresh temporary app, and classifies what happened. */
export function runCase(c: AuditCase): AuditResult {
  const app = temporaryApp();
  let objects: any[];
  try {
    c.build(app);
    objects = synthAppObjects(app);
  } catch (error) {
    return classifyThrown(c, error);
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
  const problems = validateManifests(objects);
  if (c.expect !== 'works') {
    return result(Outcome.SILENT_BAD_YAML, problems.length > 0
      ? `synthesized; the manifest checks see: ${problems.slice(0, 2).join(' | ')}`
      : 'synthesized, and the manifest checks see nothing wrong either');
  }
  if (problems.length > 0) {
    return result(Outcome.SILENT_BAD_YAML, `valid input, invalid YAML: ${problems.slice(0, 2).join(' | ')}`);
  }
  try {
    c.check?.(objects);
  } catch (error) {
    return result(Outcome.SILENT_BAD_YAML, `valid YAML that misbehaves: ${(error as Error).message}`);
  }
  return result(Outcome.WORKS, 'synthesized valid YAML');
}

function classifyThrown(c: AuditCase, error: unknown): AuditResult {
  const isPlainError = error instanceof Error && error.constructor === Error;
  const message = error instanceof Error ? error.message : String(error);
  if (!isPlainError) {
    const kind = error instanceof Error ? error.constructor.name : typeof error;
    return result(Outcome.CRASH, `${kind}: ${message}`);
  }
  if (c.expect === 'works') {
    if (c.orRejects && missingSubstrings(message, c.orRejects).length === 0) {
      return result(Outcome.CLEAR_ERROR, `refused on purpose: ${message}`);
    }
    return result(Outcome.WRONG_REJECTION, message);
  }
  const missing = missingSubstrings(message, c.expect.rejects);
  if (missing.length > 0) {
    return result(Outcome.UNCLEAR_ERROR, `message lacks ${missing.map(s => JSON.stringify(s)).join(', ')}: ${message}`);
  }
  return result(Outcome.CLEAR_ERROR, message);
}

/** A chart in `app`; `id` must be unique in the app. */
export function chartIn(app: App, id = 'test', namespace?: string): Chart {
  return new Chart(app, id, { namespace });
}

/** The single object of this kind and name among synthesized objects. */
export function findObject(objects: any[], kind: string, name: string, namespace?: string): any {
  const matches = objects.filter(o => o.kind === kind && o.metadata?.name === name
    && (namespace === undefined || o.metadata?.namespace === namespace));
  if (matches.length !== 1) {
    throw new Error(`expected one ${kind}/${name}, found ${matches.length}`);
  }
  return matches[0];
}

/** A container (or init container) of a workload object by name. */
export function containerOf(workload: any, name: string): any {
  const spec = workload.spec?.template?.spec ?? workload.spec?.jobTemplate?.spec?.template?.spec;
  const found = [...spec?.initContainers ?? [], ...spec?.containers ?? []].find((c: any) => c.name === name);
  if (!found) {
    throw new Error(`no container "${name}" in ${workload.kind}/${workload.metadata?.name}`);
  }
  return found;
}

/**
 * The options of group `[mysqld]` of a my.cnf text, read as the server reads an option
 * file (mysys `my_default.c`): a `#` outside quotes starts a comment, a value enclosed in
 * matching quotes loses them, backslash escapes are applied, `-` and `_` in names are the
 * same, and a later line wins.
 */
export function mysqldOptions(text: string): Map<string, string> {
  const options = new Map<string, string>();
  let group = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      group = line.slice(1, line.indexOf(']')).trim();
      continue;
    }
    if (group !== 'mysqld' || line.startsWith('!')) continue;
    const uncommented = removeEndComment(line);
    const equals = uncommented.indexOf('=');
    const name = (equals < 0 ? uncommented : uncommented.slice(0, equals)).trim().replace(/-/g, '_');
    let value = equals < 0 ? '' : uncommented.slice(equals + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === '\'') && value[value.length - 1] === value[0]) {
      value = value.slice(1, -1);
    }
    options.set(name, unescape(value));
  }
  return options;
}

function removeEndComment(line: string): string {
  let quote = '';
  let escape = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if ((ch === '\'' || ch === '"') && !escape) {
      if (!quote) quote = ch;
      else if (quote === ch) quote = '';
    } else if (!quote && ch === '#') {
      return line.slice(0, i);
    }
    escape = quote !== '' && ch === '\\' && !escape;
  }
  return line;
}

function unescape(value: string): string {
  const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', s: ' ', '"': '"', '\'': '\'', '\\': '\\' };
  let out = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\' && i < value.length - 1) {
      const next = value[++i];
      out += map[next] ?? `\\${next}`;
    } else {
      out += value[i];
    }
  }
  return out;
}
