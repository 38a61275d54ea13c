// The jsii build that `npm test` runs before jest (`npm run build`): the tests that read
// its output call requireFreshBuild(), so a stale or missing build fails with what to do
// rather than testing yesterday's code.
import { existsSync, readdirSync, statSync } from 'fs';
import { join, relative } from 'path';

export const ROOT = join(__dirname, '..', '..');
/** The jsii assembly. */
export const ASSEMBLY = join(ROOT, '.jsii');
/** The compiled JavaScript and declarations. */
export const COMPILED_INDEX = join(ROOT, 'dist-lib', 'index.js');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap(entry => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : entry.endsWith('.ts') ? [path] : [];
  });
}

/** Throws unless the jsii build exists and is newer than every file of lib/. */
export function requireFreshBuild(): void {
  for (const output of [ASSEMBLY, COMPILED_INDEX]) {
    if (!existsSync(output)) {
      throw new Error(`${relative(ROOT, output)} is missing: run \`npm run build\` (jsii) before jest; \`npm test\` does both`);
    }
  }
  const builtAt = Math.min(statSync(ASSEMBLY).mtimeMs, statSync(COMPILED_INDEX).mtimeMs);
  const newer = sourceFiles(join(ROOT, 'lib')).filter(file => statSync(file).mtimeMs > builtAt);
  if (newer.length > 0) {
    throw new Error(`the jsii build is older than ${newer.map(file => relative(ROOT, file)).join(', ')}: run \`npm run build\` again`);
  }
}
