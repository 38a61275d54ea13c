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

/**
 * The grammar of a Kubernetes quantity (the doc comment of `resource.Quantity` in
 * k8s.io/apimachinery/pkg/api/resource/quantity.go, enforced by `ParseQuantity` and the
 * suffixer's `interpret`): an optional sign, digits with an optional decimal part, then
 * one binary suffix (Ki..Ei), one decimal suffix (n, u, m, none, k, M, G, T, P, E) or
 * an integer exponent (`e3`, `E-2`). The SI prefixes Kubernetes does not know (`h`,
 * `da`, `Y`, `c`, …) and fractional exponents are not quantities.
 */
export const QUANTITY_PATTERN = '^[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$';
const QUANTITY = new RegExp(QUANTITY_PATTERN);

/** The value of a Kubernetes quantity (`500m`, `1Gi`, `1e3`, or a JSON number), or NaN when it is not one. */
export function parseQuantity(quantity: unknown): number {
  if (typeof quantity === 'number') {
    return quantity;
  }
  const text = String(quantity);
  if (!QUANTITY.test(text)) {
    return NaN;
  }
  const [, number, suffix] = /^([+-]?[0-9.]+)(.*)$/.exec(text)!;
  const scale = suffix in BINARY_SUFFIXES ? BINARY_SUFFIXES[suffix]
    : suffix in DECIMAL_SUFFIXES ? DECIMAL_SUFFIXES[suffix]
      : 10 ** Number(suffix.slice(1));
  return Number(number) * scale;
}
