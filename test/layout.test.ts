// The architecture, as the folders show it: lib/ by responsibility without import
// cycles, an index that only re-exports, and benchmarks/ and examples/ that never reach
// into test/ (they share harness/ and the public API instead).
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';

const ROOT = join(__dirname, '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap(entry => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? tsFiles(path) : entry.endsWith('.ts') ? [path] : [];
  });
}

/** The local modules a file imports, as absolute paths of .ts files. */
function localImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:from|import)\s+'(\.{1,2}\/[^']+)'/g)].map(match => {
    const target = resolve(dirname(file), match[1]);
    return existsSync(`${target}.ts`) ? `${target}.ts` : join(target, 'index.ts');
  });
}

/** Every import cycle among `files`, each as the list of its modules. */
function cycles(files: string[]): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (file: string) => {
    stack.push(file);
    for (const next of localImports(file)) {
      const at = stack.indexOf(next);
      if (at >= 0) found.push(stack.slice(at).map(f => relative(ROOT, f)));
      else if (!done.has(next)) visit(next);
    }
    stack.pop();
    done.add(file);
  };
  files.forEach(file => done.has(file) || visit(file));
  return found;
}

describe('layout', () => {
  test('lib/ has its modules in folders by responsibility', () => {
    const folders = readdirSync(join(ROOT, 'lib')).filter(entry => statSync(join(ROOT, 'lib', entry)).isDirectory()).sort();
    expect(folders).toEqual(['internal', 'mysql', 'statefulset', 'storage']);
    expect(readdirSync(join(ROOT, 'lib')).filter(entry => entry.endsWith('.ts'))).toEqual(['index.ts']);
  });

  test('lib/, harness/ and benchmarks/ have no import cycles', () => {
    for (const dir of ['lib', 'harness', 'benchmarks']) {
      expect({ dir, cycles: cycles(tsFiles(join(ROOT, dir))) }).toEqual({ dir, cycles: [] });
    }
  });

  test('lib/index.ts only re-exports', () => {
    const statements = readFileSync(join(ROOT, 'lib', 'index.ts'), 'utf8').split('\n').filter(line => line.trim() !== '' && !line.startsWith('//'));
    expect(statements.filter(line => !/^export (\*|\{[^}]+\}) from '\.\/[^']+';$/.test(line))).toEqual([]);
  });

  test('benchmarks/, examples/ and harness/ never import test/ or lib internals reserved for tests', () => {
    for (const dir of ['benchmarks', 'examples', 'harness']) {
      for (const file of tsFiles(join(ROOT, dir))) {
        const reaching = localImports(file).map(target => relative(ROOT, target)).filter(target => target.startsWith('test/'));
        expect({ file: relative(ROOT, file), reaching }).toEqual({ file: relative(ROOT, file), reaching: [] });
      }
    }
  });

  test('the tests mirror lib/: a test folder for each of its folders', () => {
    for (const folder of ['mysql', 'statefulset', 'storage']) {
      expect(existsSync(join(ROOT, 'test', folder))).toBe(true);
    }
  });
});
