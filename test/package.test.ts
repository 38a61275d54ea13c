// The package as a user gets it: `npm pack`, installed into another app whose own
// objects come from cdk8s-plus-33 (what `cdk8s init typescript-app` uses today), and the
// example at the top of README.md compiled there with tsc --strict and synthesized. The
// compiled code, the jsii assembly and the scripts and config fragments the library
// reads at synth time must all ship.
import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Yaml } from 'cdk8s';
import { SCRIPT_FILES } from '../lib/mysql/stateful-mysql';
import { requireFreshBuild, ROOT } from './support/build';
import { validateManifests } from './support/manifests';

const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error' } }).toString();

/** The first TypeScript block of README.md: the example a new user copies. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no ```ts block');
  return block[1];
}

describe('the packed package', () => {
  let work: string;
  let installed: string;
  let app: string;
  beforeAll(() => {
    requireFreshBuild();
    work = mkdtempSync(join(tmpdir(), 'packed-'));
    // The build ran before jest (`npm test`); packing again without scripts keeps this
    // test from rewriting dist-lib/ while other tests read it.
    run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], ROOT);
    const tarball = readdirSync(work).find(f => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack wrote no tarball into ${work}`);
    app = join(work, 'app');
    installed = join(app, 'node_modules', 'cdk8s-replicated-mysql');
    mkdirSync(installed, { recursive: true });
    run('tar', ['-xzf', join(work, tarball), '-C', installed, '--strip-components=1'], work);
    // The app's own dependencies: the peers, cdk8s-plus-33 for its objects, and types.
    for (const dependency of ['cdk8s', 'cdk8s-plus-28', 'cdk8s-plus-33', 'constructs', '@types']) {
      symlinkSync(join(ROOT, 'node_modules', dependency), join(app, 'node_modules', dependency));
    }
  }, 120_000);
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  test('ships the compiled code, the jsii assembly, the docs, the scripts and the config, and no sources or tests', () => {
    const files = run('find', ['.', '-type', 'f'], installed).split('\n').filter(Boolean).sort();
    expect(files).toEqual(expect.arrayContaining([
      './.jsii', './API.md', './LICENSE', './README.md', './CHANGELOG.md', './package.json',
      './dist-lib/index.js', './dist-lib/index.d.ts',
      './lib/mysql/conf/replica.cnf',
      ...SCRIPT_FILES.map(file => `./lib/mysql/scripts/${file}`),
    ]));
    expect(files.filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter(f => /^\.\/(test|examples|harness|benchmarks|dist)\//.test(f))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(manifest.license).toBe('Apache-2.0');
    expect(manifest.repository.url).toMatch(/^https:\/\//);
  });

  test('the README example compiles against it with cdk8s-plus-33 and synthesizes the cluster and the connected Deployment', () => {
    writeFileSync(join(app, 'main.ts'), readmeExample());
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2020', module: 'commonjs', strict: true, esModuleInterop: true, skipLibCheck: false, types: ['node'] },
      files: ['main.ts'],
    }));
    run(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', '.'], app);
    run('node', ['main.js'], app);

    const files = readdirSync(join(app, 'dist'));
    expect(files).toHaveLength(1);
    const objects = Yaml.load(join(app, 'dist', files[0]));
    expect(validateManifests(objects)).toEqual([]);
    expect(objects.filter((o: any) => o.kind === 'StatefulSet').map((o: any) => o.metadata.name)).toEqual(['mysql']);
    const deployment = objects.find((o: any) => o.kind === 'Deployment');
    const env = Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toEqual({
      MYSQL_HOST: 'mysql-primary.shop.svc.cluster.local',
      MYSQL_READ_HOST: 'mysql-read.shop.svc.cluster.local',
      MYSQL_PORT: '3306',
      MYSQL_USER: { secretKeyRef: { name: 'shop-db-account', key: 'username' } },
      MYSQL_PASSWORD: { secretKeyRef: { name: 'shop-db-account', key: 'password' } },
    });
    const scripts = objects.find((o: any) => o.kind === 'ConfigMap' && o.metadata.name === 'mysql-scripts').data;
    for (const file of SCRIPT_FILES) {
      expect(scripts[file]).toBe(readFileSync(join(ROOT, 'lib', 'mysql', 'scripts', file), 'utf8'));
    }
  }, 120_000);
});
