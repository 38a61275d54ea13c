import { isIP } from 'net';
import { Duration, Size } from 'cdk8s';

/**
 * Synth-time checks shared by every construct. Each one throws a single `Error`
 * that names the property, shows the value received and says what is expected.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Longest DNS-1123 label (RFC 1123), e.g. a Service or namespace name. */
export const MAX_DNS_LABEL_LENGTH = 63;

/**
 * The StatefulSet controller labels every pod with
 * `controller-revision-hash=<set>-<hash>`, and label values are limited to 63
 * characters; the hash takes up to 10 characters plus a dash, so set names longer
 * than 52 characters produce pods that cannot be created.
 */
export const MAX_STATEFUL_SET_NAME_LENGTH = 52;

/** A value as an error message shows it: strings quoted, arrays and objects as JSON where possible. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return `"${value}"`;
  }
  if (Array.isArray(value) || (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype)) {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/**
 * Type checks for JavaScript callers, who can pass anything: each throws our message
 * (property, value, what is expected) where the code below would otherwise fail with a
 * bare TypeError or write the wrong YAML.
 */

/** Throws unless `value` is a plain object (props, a map of settings or labels). */
export function requirePlainObject(what: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${what} must be an object (got ${show(value)})`);
  }
  return value as Record<string, unknown>;
}

/** The same for an optional prop: `undefined` passes. */
export function optionalPlainObject<T>(what: string, value: T | undefined): T | undefined {
  if (value !== undefined) {
    requirePlainObject(what, value);
  }
  return value;
}

/** Throws unless `value` is an array. */
export function requireArray<T>(what: string, value: readonly T[]): readonly T[] {
  if (!Array.isArray(value)) {
    throw new Error(`${what} must be an array (got ${show(value)})`);
  }
  return value;
}

/** Throws unless `value` is a boolean. */
export function requireBoolean(what: string, value: boolean): boolean {
  if (typeof value !== 'boolean') {
    throw new Error(`${what} must be true or false (got ${show(value)})`);
  }
  return value;
}

/** Throws unless `value` is a string. */
export function requireString(what: string, value: string): string {
  if (typeof value !== 'string') {
    throw new Error(`${what} must be a string (got ${show(value)})`);
  }
  return value;
}

/** Throws unless `value` is a cdk8s `Size` (e.g. `Size.gibibytes(10)`). */
export function requireSize(what: string, value: Size): Size {
  if (!(value instanceof Size) && typeof (value as any)?.toKibibytes !== 'function') {
    throw new Error(`${what} must be a Size such as Size.gibibytes(10) (got ${show(value)})`);
  }
  return value;
}

/** Throws unless `value` is a cdk8s `Duration` (e.g. `Duration.minutes(1)`). */
export function requireDuration(what: string, value: Duration): Duration {
  if (!(value instanceof Duration) && typeof (value as any)?.toSeconds !== 'function') {
    throw new Error(`${what} must be a Duration such as Duration.minutes(1) (got ${show(value)})`);
  }
  return value;
}

/** The whole seconds of a Duration; throws unless it is a Duration of whole seconds, at least `min`. */
export function requireWholeSeconds(what: string, value: Duration, min: number): number {
  requireDuration(what, value);
  const seconds = value.toMilliseconds() / 1000;
  if (!Number.isInteger(seconds) || seconds < min || seconds > 2147483647) {
    throw new Error(`${what} must be a whole number of seconds, at least ${min} (got ${value.toHumanString()})`);
  }
  return seconds;
}

/** Throws unless `value` is an instance of the class `type` (a construct or a helper class). */
export function requireInstance<T>(what: string, value: T, type: { readonly prototype: T }, example: string): T {
  if (!(value instanceof (type as unknown as abstract new () => T))) {
    throw new Error(`${what} must be ${example} (got ${show(value)})`);
  }
  return value;
}

/** Throws unless `value` is a DNS-1123 label of at most `maxLength` characters. */
export function requireDnsLabel(what: string, value: string, maxLength: number = MAX_DNS_LABEL_LENGTH): string {
  if (typeof value !== 'string' || !DNS_LABEL.test(value)) {
    throw new Error(`${what} must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit (got ${show(value)})`);
  }
  if (value.length > maxLength) {
    throw new Error(`${what} must be at most ${maxLength} characters (got ${show(value)}, ${value.length} characters)`);
  }
  return value;
}

/** Throws unless `value` is a DNS-1123 subdomain (e.g. a cluster domain or an object name). */
export function requireDnsSubdomain(what: string, value: string): string {
  if (typeof value !== 'string' || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw new Error(`${what} must be a DNS-1123 subdomain: dot-separated DNS labels, at most 253 characters (got ${show(value)})`);
  }
  return value;
}

/** Throws unless `value` is an integer within [min, max]. */
export function requireInteger(what: string, value: number, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    throw new Error(`${what} must be an integer ${range} (got ${show(value)})`);
  }
  return value;
}

/** Throws unless `value` is a non-empty string without whitespace at either end. */
export function requireNonEmpty(what: string, value: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.trim() !== value) {
    throw new Error(`${what} must be a non-empty string without leading or trailing whitespace (got ${show(value)})`);
  }
  return value;
}

/** Throws unless `value` is an absolute POSIX path without `..` segments. */
export function requireAbsolutePath(what: string, value: string): string {
  requireNonEmpty(what, value);
  if (!value.startsWith('/') || value.split('/').includes('..')) {
    throw new Error(`${what} must be an absolute path without '..' segments (got ${show(value)})`);
  }
  return value;
}

/** Throws unless `size` is a positive amount of storage; returns it in bytes. */
export function requirePositiveSize(what: string, size: Size): number {
  requireSize(what, size);
  let bytes: number;
  try {
    bytes = size.toKibibytes() * 1024;
  } catch {
    bytes = NaN;
  }
  if (!Number.isFinite(bytes) || bytes <= 0) {
    throw new Error(`${what} must be a positive size such as Size.gibibytes(10) (got ${size.asString()})`);
  }
  return bytes;
}

/** Throws if `values` holds the same value twice. */
export function requireDistinct(what: string, values: readonly string[]): void {
  const seen = new Map<string, number>();
  values.forEach((value, index) => {
    const first = seen.get(value);
    if (first !== undefined) {
      throw new Error(`${what} must be distinct, but entries ${first} and ${index} are both ${show(value)}`);
    }
    seen.set(value, index);
  });
}

/** Throws unless `value` is one of the values of a string enum. */
export function requireEnum<T extends string>(what: string, value: T, values: Record<string, T>): T {
  const allowed = Object.values(values);
  if (!allowed.includes(value)) {
    throw new Error(`${what} must be one of ${allowed.map(v => `"${v}"`).join(', ')} (got ${show(value)})`);
  }
  return value;
}

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** A key of a Secret (or ConfigMap): letters, digits, '-', '_' and '.', at most 253 characters. */
export function requireSecretKey(what: string, key: string): string {
  if (typeof key !== 'string' || key.length > 253 || !SECRET_KEY.test(key)) {
    throw new Error(`${what} must be a Secret key of letters, digits, '-', '_' or '.', at most 253 characters (got ${show(key)})`);
  }
  return key;
}

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Throws unless `value` is a DNS-1035 label (a DNS-1123 label that starts with a
 * letter), as Service names must be.
 */
export function requireDns1035Label(what: string, value: string, maxLength: number = MAX_DNS_LABEL_LENGTH): string {
  if (typeof value !== 'string' || !DNS_1035_LABEL.test(value)) {
    throw new Error(`${what} must be a DNS-1035 label: lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, because it names a Service (got ${show(value)})`);
  }
  return requireDnsLabel(what, value, maxLength);
}

const QUALIFIED_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * Throws unless `value` is a Kubernetes qualified name, as label and annotation keys,
 * taint and toleration keys and topology keys are: an optional DNS-1123 subdomain
 * prefix and '/', then a name of at most 63 letters, digits, '-', '_' or '.', starting
 * and ending with a letter or digit.
 */
export function requireQualifiedName(what: string, value: string): string {
  if (typeof value !== 'string') {
    throw new Error(`${what} must be a string (got ${show(value)})`);
  }
  const parts = value.split('/');
  const name = parts[parts.length - 1];
  const prefix = parts.length === 2 ? parts[0] : undefined;
  const valid = parts.length <= 2 && name.length <= 63 && QUALIFIED_NAME_PART.test(name)
    && (prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix)));
  if (!valid) {
    throw new Error(`${what} must be a qualified name: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got ${show(value)})`);
  }
  return value;
}

/** Throws unless `value` is a label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. */
export function requireLabelValue(what: string, value: string): string {
  if (typeof value !== 'string' || value.length > 63 || (value !== '' && !QUALIFIED_NAME_PART.test(value))) {
    throw new Error(`${what} must be a label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got ${show(value)})`);
  }
  return value;
}

/** Throws unless `labels` is an object of valid label keys and values; returns a copy. */
export function requireLabels(what: string, labels: Record<string, string>): Record<string, string> {
  requirePlainObject(what, labels);
  for (const [key, value] of Object.entries(labels)) {
    requireQualifiedName(`${what} key`, key);
    requireLabelValue(`${what}["${key}"]`, value);
  }
  return { ...labels };
}

/** Throws unless `values` is an array of values of a string enum. */
export function requireEnumArray<T extends string>(what: string, values: readonly T[], allowed: Record<string, T>): T[] {
  requireArray(what, values);
  return values.map((value, index) => requireEnum(`${what}[${index}]`, value, allowed));
}

/** Throws unless `value` is a host: a DNS-1123 subdomain or an IPv4 or IPv6 address. */
export function requireHost(what: string, value: string): string {
  if (typeof value === 'string' && isIP(value) !== 0) {
    return value;
  }
  if (typeof value !== 'string' || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw new Error(`${what} must be a host name (a lower-case DNS name) or an IP address (got ${show(value)})`);
  }
  return value;
}

/**
 * A container image reference by the distribution grammar (hand-written: no maintained
 * package checks it): an optional registry host (with a '.' or ':', or `localhost`),
 * lower-case path components, an optional tag, an optional digest.
 */
const IMAGE_PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_REFERENCE = new RegExp(`^${IMAGE_PATH_COMPONENT}(?:/${IMAGE_PATH_COMPONENT})*`
  + '(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$');
const IMAGE_REGISTRY = /^(?:localhost|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::[0-9]+)?$/;

/** Throws unless `value` is an image reference such as `nginx:1.27.3` or `registry.example.com:5000/team/app@sha256:…`. */
export function requireImageReference(what: string, value: string): string {
  if (typeof value === 'string') {
    const slash = value.indexOf('/');
    const first = slash < 0 ? '' : value.slice(0, slash);
    const hasRegistry = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
    const rest = hasRegistry ? value.slice(slash + 1) : value;
    if ((!hasRegistry || IMAGE_REGISTRY.test(first)) && IMAGE_REFERENCE.test(rest) && value.length <= 512) {
      return value;
    }
  }
  throw new Error(`${what} must be an image reference: [registry/]lower-case/path[:tag][@digest], e.g. "nginx:1.27.3" (got ${show(value)})`);
}
