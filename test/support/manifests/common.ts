/**
 * Small helpers shared by the rule modules: duplicate detection, "exactly one of" checks,
 * object references for messages, and Kubernetes quantities.
 */

/** The fields of `object` among `fields` that are set (neither undefined nor null). */
function setFields(object: any, fields: readonly string[]): string[] {
  return fields.filter(field => object?.[field] !== undefined && object?.[field] !== null);
}

/**
 * A problem unless `object` sets exactly one of `fields` (as a volume sets exactly one
 * source, or a probe exactly one handler); `what` names the object in the message.
 */
export function exactlyOne(what: string, object: any, fields: readonly string[]): string[] {
  const set = setFields(object, fields);
  return set.length === 1 ? [] : [`${what} must set exactly one of ${fields.join(', ')} (got ${set.length ? set.join(', ') : 'none'})`];
}

/** The values that occur more than once in `values`, each listed once, in order of first repeat. */
export function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((value, index) => values.indexOf(value) !== index))];
}

/** `Kind/name` of an object, for prefixing its problems (`<no kind>`/`<no name>` when missing). */
export function objectRef(object: any): string {
  return `${object?.kind ?? '<no kind>'}/${object?.metadata?.name ?? '<no name>'}`;
}

/** The namespace of an object, `default` when it sets none. */
export function namespaceOf(object: any): string {
  return object?.metadata?.namespace ?? 'default';
}

const BINARY_SUFFIXES: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL_SUFFIXES: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The value of a Kubernetes quantity (`500m`, `1Gi`, `1e3`), or NaN when it is not one. */
export function parseQuantity(quantity: unknown): number {
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([KMGTPE]i)|([numkMGTPE]?)|[eE]([+-]?\d+))$/.exec(String(quantity));
  if (!match) {
    return NaN;
  }
  const [, number, binary, decimal, exponent] = match;
  const scale = binary ? BINARY_SUFFIXES[binary] : exponent !== undefined ? 10 ** Number(exponent) : DECIMAL_SUFFIXES[decimal ?? ''];
  return Number(number) * scale;
}
