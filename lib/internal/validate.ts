import { Size } from 'cdk8s';

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

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
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
  const bytes = size.toKibibytes() * 1024;
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
