// Synth benchmark: wall time and peak memory of synthesizing apps with 1, 10 and 100
// clusters through the library, against a baseline that emits the very same objects
// as bare cdk8s ApiObjects, each sample in a fresh process, medians of SAMPLES runs,
// the two modes interleaved so machine noise hits both alike. Also times the example's
// `cdk8s synth` end to end (transpile-only, as cdk8s.yaml runs it) against the same
// app run with a full type-check. Writes benchmarks/results/synth-<date>.json.
//
//   npx ts-node --transpile-only benchmarks/synth.ts [samples]
import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { cpus, hostname, tmpdir, totalmem } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { App, Chart } from 'cdk8s';
import { StatefulMySQL } from '../lib';

const SAMPLES = Number(process.argv[2] ?? 7);
const SIZES = [1, 10, 100];
const root = join(__dirname, '..');
const tsNode = join(root, 'node_modules', '.bin', 'ts-node');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function writeBaselineTemplate(dir: string): string {
  const app = new App({ outdir: dir });
  const chart = new Chart(app, 'db-0', { namespace: 'bench' });
  new StatefulMySQL(chart, 'db', { name: 'db-0' });
  const file = join(dir, 'baseline.json');
  writeFileSync(file, JSON.stringify(chart.toJson()));
  return file;
}

function sample(mode: string, clusters: number, baselineFile: string): { ms: number; maxRssKiB: number; objects: number } {
  const out = execFileSync(tsNode, ['--transpile-only', join(__dirname, 'synth-sample.ts'), mode, String(clusters), baselineFile], { cwd: root });
  return JSON.parse(out.toString());
}

function timeCommand(command: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const start = performance.now();
  execFileSync(command, args, { cwd: root, stdio: 'ignore', env: { ...process.env, ...env } });
  return performance.now() - start;
}

const work = mkdtempSync(join(tmpdir(), 'synth-bench-'));
const baselineFile = writeBaselineTemplate(work);
const synthResults = SIZES.map(clusters => {
  const library: Array<ReturnType<typeof sample>> = [];
  const baseline: Array<ReturnType<typeof sample>> = [];
  for (let i = 0; i < SAMPLES; i++) {
    library.push(sample('library', clusters, baselineFile));
    baseline.push(sample('baseline', clusters, baselineFile));
  }
  if (library[0].objects !== baseline[0].objects) {
    throw new Error(`library and baseline emit different object counts (${library[0].objects} vs ${baseline[0].objects})`);
  }
  const row = {
    clusters,
    objects: library[0].objects,
    libraryMs: median(library.map(s => s.ms)),
    baselineMs: median(baseline.map(s => s.ms)),
    libraryMaxRssMiB: median(library.map(s => s.maxRssKiB)) / 1024,
    baselineMaxRssMiB: median(baseline.map(s => s.maxRssKiB)) / 1024,
  };
  const ratio = { timeRatio: row.libraryMs / row.baselineMs, memoryRatio: row.libraryMaxRssMiB / row.baselineMaxRssMiB };
  console.log(`${clusters} cluster(s), ${row.objects} objects: library ${row.libraryMs.toFixed(1)} ms / baseline ${row.baselineMs.toFixed(1)} ms = ${ratio.timeRatio.toFixed(2)}x; maxRSS ${row.libraryMaxRssMiB.toFixed(0)} / ${row.baselineMaxRssMiB.toFixed(0)} MiB = ${ratio.memoryRatio.toFixed(2)}x`);
  return { ...row, ...ratio };
});

const cliSynth: number[] = [];
const typeCheckedSynth: number[] = [];
const outdir = join(work, 'out');
for (let i = 0; i < Math.max(3, Math.ceil(SAMPLES / 2)); i++) {
  cliSynth.push(timeCommand(join(root, 'node_modules', '.bin', 'cdk8s'), ['synth', '--output', outdir], { CI: 'true' }));
  typeCheckedSynth.push(timeCommand(tsNode, [join(root, 'examples', 'replicated-mysql.ts')], { CDK8S_OUTDIR: outdir }));
}
const cli = { cdk8sSynthMs: median(cliSynth), typeCheckedRunMs: median(typeCheckedSynth) };
console.log(`cdk8s synth of the example (transpile-only): ${cli.cdk8sSynthMs.toFixed(0)} ms; the same app under ts-node with type-check: ${cli.typeCheckedRunMs.toFixed(0)} ms`);

const date = new Date().toISOString().slice(0, 10);
const results = {
  date,
  machine: { hostname: hostname(), cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  samples: SAMPLES,
  synth: synthResults,
  cli,
};
mkdirSync(join(__dirname, 'results'), { recursive: true });
const file = join(__dirname, 'results', `synth-${date}.json`);
writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
console.log(`wrote ${file}`);
