import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';

/**
 * The package's shipped files (scripts and config fragments). They live in `lib/` in
 * the source tree and in the published package alike, so the path resolves from both
 * `lib/internal/*.ts` (ts-node, jest) and the compiled `dist-lib/internal/*.js`.
 */
const PACKAGE_LIB_DIR = join(__dirname, '..', '..', 'lib');

const cache = new Map<string, string>();

/** Reads a shipped file once per process, e.g. `asset('mysql/scripts/init-config.sh')`. */
export function asset(relativePath: string): string {
  let text = cache.get(relativePath);
  if (text === undefined) {
    text = readFileSync(join(PACKAGE_LIB_DIR, relativePath), 'utf8');
    cache.set(relativePath, text);
  }
  return text;
}

/** Absolute path of a shipped file, for tests and tools that compare against it. */
export function assetPath(relativePath: string): string {
  return join(PACKAGE_LIB_DIR, relativePath);
}

/** A stable hash of a string map, for checksum annotations that roll pods on change. */
export function checksum(data: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(data).sort()) {
    hash.update(key).update('\0').update(data[key]).update('\0');
  }
  return hash.digest('hex');
}
