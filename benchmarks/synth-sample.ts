// One sample of the synth benchmark, run in a fresh process so that its peak memory
// (maxRSS) is its own: builds an app with N clusters through the library, or the same
// objects as bare cdk8s ApiObjects (the baseline), synthesizes it to YAML in memory and
// prints {"ms":…, "maxRssKiB":…, "objects":…} on stdout.
//
//   ts-node --transpile-only benchmarks/synth-sample.ts <library|baseline> <clusters> <baseline.json>
import { readFileSync } from 'fs';
import { performance } from 'perf_hooks';
import { ApiObject, App, Chart } from 'cdk8s';
import { StatefulMySQL } from '../lib';

const [mode, countText, baselineFile] = process.argv.slice(2);
const clusters = Number(countText);
if (!['library', 'baseline'].includes(mode) || !Number.isInteger(clusters) || clusters < 1 || !baselineFile) {
  throw new Error(`usage: synth-sample.ts <library|baseline> <clusters >= 1> <baseline.json> (got ${process.argv.slice(2).join(' ')})`);
}

/** Objects of one cluster (as the library synthesizes it), renamed for cluster `i`. */
function baselineObjects(template: any[], i: number): any[] {
  return JSON.parse(JSON.stringify(template).replace(/"db-0(-|")/g, `"db-${i}$1`).replace(/db-0\./g, `db-${i}.`));
}

const template = mode === 'baseline' ? JSON.parse(readFileSync(baselineFile, 'utf8')) : [];
const start = performance.now();
const app = new App({ outdir: '/nonexistent' });
let objects = 0;
for (let i = 0; i < clusters; i++) {
  const chart = new Chart(app, `db-${i}`, { namespace: 'bench' });
  if (mode === 'library') {
    new StatefulMySQL(chart, 'db', { name: `db-${i}` });
  } else {
    baselineObjects(template, i).forEach((object, index) => new ApiObject(chart, `o${index}`, object));
  }
}
const yaml = app.synthYaml();
const ms = performance.now() - start;
objects = (yaml.match(/^kind: /gm) ?? []).length;
process.stdout.write(JSON.stringify({ ms, maxRssKiB: process.resourceUsage().maxRSS, objects }) + '\n');
