// Every TypeScript block of README.md type-checks against the library as it is, so the
// README cannot drift from the API (the 0.1 README still named functions 0.2 removed).
// A block that is a fragment gets the imports and the few variables the README's prose
// introduces (`app`, `chart`, `mysql`, two containers) declared around it; a block that
// declares or imports a name itself keeps its own.
import { readFileSync } from 'fs';
import { join } from 'path';
import * as ts from 'typescript';
import * as cdk8s from 'cdk8s';
import * as library from '../lib';

const ROOT = join(__dirname, '..');
const README = join(ROOT, 'README.md');

interface Block {
  readonly line: number;
  readonly code: string;
}

function readmeBlocks(): Block[] {
  const text = readFileSync(README, 'utf8');
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map(match => ({
    line: text.slice(0, match.index).split('\n').length,
    code: match[1],
  }));
}

/** Names a block imports or declares at top level itself. */
function ownNames(code: string): Set<string> {
  const names = new Set<string>();
  for (const [, list] of code.matchAll(/^import \{([^}]+)\} from/gm)) list.split(',').forEach(n => names.add(n.trim()));
  for (const [, name] of code.matchAll(/^import \* as (\w+) from/gm)) names.add(name);
  for (const [, name] of code.matchAll(/^(?:const|let) (\w+)/gm)) names.add(name);
  return names;
}

/** The block as a module: the imports and declarations it relies on, then the block. */
function asModule(code: string): string {
  const own = ownNames(code);
  const missing = (names: string[]) => names.filter(name => !own.has(name));
  const cdk8sNames = missing(Object.keys(cdk8s).filter(name => /^[A-Z]/.test(name)));
  const libraryNames = missing(Object.keys(library));
  const declared: Record<string, string> = {
    app: 'App', chart: 'Chart', mysql: 'StatefulMySQL', reporter: 'kplus.ContainerProps', uploader: 'kplus.ContainerProps', web: 'kplus.Deployment',
  };
  return [
    cdk8sNames.length ? `import { ${cdk8sNames.join(', ')} } from 'cdk8s';` : '',
    own.has('kplus') ? '' : "import * as kplus from 'cdk8s-plus-33';",
    libraryNames.length ? `import { ${libraryNames.join(', ')} } from 'cdk8s-replicated-mysql';` : '',
    ...missing(Object.keys(declared)).map(name => `declare const ${name}: ${declared[name]};`),
    code,
  ].join('\n');
}

describe('README.md', () => {
  test('every TypeScript block type-checks against the library', () => {
    const blocks = readmeBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    const files = new Map(blocks.map(block => [join(ROOT, 'test', `readme-block-line-${block.line}.ts`), asModule(block.code)]));
    const options: ts.CompilerOptions = {
      strict: true, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, esModuleInterop: true, skipLibCheck: true,
      noEmit: true, types: ['node'], baseUrl: ROOT, paths: { 'cdk8s-replicated-mysql': ['lib/index.ts'] },
    };
    const host = ts.createCompilerHost(options);
    const { fileExists, readFile, getSourceFile } = host;
    host.fileExists = file => files.has(file) || fileExists(file);
    host.readFile = file => files.get(file) ?? readFile(file);
    host.getSourceFile = (file, language, ...rest) => files.has(file)
      ? ts.createSourceFile(file, files.get(file)!, language)
      : getSourceFile(file, language, ...rest);
    const program = ts.createProgram([...files.keys()], options, host);
    const problems = ts.getPreEmitDiagnostics(program)
      .filter(d => d.file && files.has(d.file.fileName))
      .map(d => {
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start!);
        const blockLine = /line-(\d+)\.ts$/.exec(d.file!.fileName)![1];
        return `README.md block at line ${blockLine} (its module's line ${line + 1}): ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  });
});
