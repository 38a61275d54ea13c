// The public API as other languages see it: the jsii assembly that `npm run build`
// writes to .jsii, and API.md, which jsii-docgen renders from it. jsii drops free
// functions, constants and type aliases without a word, so every name that lib/index.ts
// exports must be a type in the assembly; and API.md must be what the assembly renders
// today.
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as ts from 'typescript';
import { ASSEMBLY, requireFreshBuild, ROOT } from './support/build';

interface Assembly {
  name: string;
  types: Record<string, { name: string; kind: string }>;
}

/** The assembly, after checking it was built from the current sources. */
function assembly(): Assembly {
  requireFreshBuild();
  return JSON.parse(readFileSync(ASSEMBLY, 'utf8')) as Assembly;
}

/** Every name lib/index.ts exports, values and types alike, as TypeScript resolves them. */
function indexExports(): string[] {
  const index = join(ROOT, 'lib', 'index.ts');
  const program = ts.createProgram([index], { strict: true, target: ts.ScriptTarget.ES2022 });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
  return checker.getExportsOfModule(module).map(symbol => symbol.name).sort();
}

describe('the jsii assembly', () => {
  test('holds every name that lib/index.ts exports, so no language loses one', () => {
    const built = assembly();
    const inAssembly = new Set(Object.values(built.types).map(type => type.name));
    const exported = indexExports();
    expect(exported.length).toBeGreaterThan(40);
    expect(exported.filter(name => !inAssembly.has(name))).toEqual([]);
  });

  test('has the union-like classes and static constants the issue asks for', () => {
    const built = assembly() as unknown as {
      types: Record<string, { methods?: { name: string; static?: boolean }[]; properties?: { name: string; static?: boolean; const?: boolean }[] }>;
    };
    const staticNames = (fqn: string) => [
      ...(built.types[fqn]?.methods ?? []).filter(m => m.static).map(m => m.name),
      ...(built.types[fqn]?.properties ?? []).filter(p => p.static).map(p => p.name),
    ];
    expect(staticNames('cdk8s-replicated-mysql.Spread')).toEqual(expect.arrayContaining(['preferred', 'required', 'none']));
    expect(staticNames('cdk8s-replicated-mysql.StatefulMySQL')).toEqual(expect.arrayContaining(['MYSQL_PORT', 'BACKUP_PORT']));
    expect(staticNames('cdk8s-replicated-mysql.ClaimTemplate')).toEqual(expect.arrayContaining(['add']));
  });
});

describe('API.md', () => {
  test('is what jsii-docgen renders from the current assembly (run `npm run docgen` after an API change)', () => {
    assembly();
    const out = mkdtempSync(join(tmpdir(), 'api-md-'));
    try {
      const rendered = join(out, 'API.md');
      const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'jsii-docgen'), ['-o', rendered], { cwd: ROOT, encoding: 'utf8' });
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
      const committed = readFileSync(join(ROOT, 'API.md'), 'utf8');
      const fresh = readFileSync(rendered, 'utf8');
      if (fresh !== committed) {
        throw new Error('API.md is stale: run `npm run docgen` and commit API.md');
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
