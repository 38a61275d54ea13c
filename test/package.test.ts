// The package works when installed from `npm pack` into another cdk8s app: the compiled
// code and the scripts and config fragments it reads at synth time are all shipped.
import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Yaml } from 'cdk8s';
import { SCRIPT_FILES } from '../lib/mysql/stateful-mysql';

const root = join(__dirname, '..');
const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error' } }).toString();

describe('the packed package', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'packed-'));
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  test('installs into another app and synthesizes the cluster with the shipped scripts', () => {
    run('npm', ['pack', '--pack-destination', work], root);
    const tarball = readdirSync(work).find(f => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();

    const app = join(work, 'app');
    const installed = join(app, 'node_modules', 'cdk8s-replicated-mysql');
    mkdirSync(installed, { recursive: true });
    run('tar', ['-xzf', join(work, tarball!), '-C', installed, '--strip-components=1'], work);
    for (const peer of ['cdk8s', 'cdk8s-plus-28', 'constructs']) {
      symlinkSync(join(root, 'node_modules', peer), join(app, 'node_modules', peer));
    }

    const files = run('find', ['.', '-type', 'f'], installed).split('\n').filter(Boolean).sort();
    expect(files).toContain('./dist-lib/index.js');
    expect(files).toContain('./dist-lib/index.d.ts');
    expect(files).toContain('./lib/mysql/scripts/replication-sidecar.sh');
    expect(files).toContain('./lib/mysql/conf/replica.cnf');
    expect(files.filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.some(f => f.startsWith('./test/') || f.startsWith('./examples/'))).toBe(false);

    writeFileSync(join(app, 'main.js'), [
      "const { App, Chart } = require('cdk8s');",
      "const { StatefulMySQL } = require('cdk8s-replicated-mysql');",
      "const app = new App({ outdir: 'out' });",
      "new StatefulMySQL(new Chart(app, 'db'), 'mysql');",
      'app.synth();',
    ].join('\n'));
    run('node', ['main.js'], app);
    const objects = Yaml.load(join(app, 'out', 'db.k8s.yaml'));
    expect(objects.filter((o: any) => o.kind === 'StatefulSet')).toHaveLength(1);
    const scripts = objects.find((o: any) => o.kind === 'ConfigMap' && o.metadata.name === 'mysql-scripts').data;
    for (const file of SCRIPT_FILES) {
      expect(scripts[file]).toBe(readFileSync(join(root, 'lib', 'mysql', 'scripts', file), 'utf8'));
    }
  }, 120_000);
});
