// Synth stays linear in the number of clusters. cdk8s runs every construct's validation
// once for the app and again for each chart, so a validation that walks the whole app
// (Node.findAll on the root) from every cluster makes synth quadratic: that is how a
// hostPath check once took 100 clusters from 1.16x to 3.78x the bare baseline
// (benchmarks/synth.ts). Counting walks is deterministic where timing on a shared
// machine is not; BENCHMARKS.md has the times.
import { App, Chart } from 'cdk8s';
import { Node } from 'constructs';
import { NfsPersistentVolumes, StatefulMySQL } from '../lib';

/** Walks of the whole app that the library's own code starts during one `synthYaml`. */
function libraryWalksOfTheApp(clusters: number, withVolumes: boolean): number {
  const app = new App({ outdir: '/nonexistent' });
  for (let i = 0; i < clusters; i++) {
    const chart = new Chart(app, `db-${i}`, { namespace: 'bench' });
    const mysql = new StatefulMySQL(chart, 'db', { name: `db-${i}`, storage: { storageClassName: `nfs-${i}` } });
    if (withVolumes) {
      new NfsPersistentVolumes(chart, 'volumes', { claims: mysql.dataClaims, server: '10.0.0.5', basePath: `/exports/db-${i}` });
    }
  }
  const findAll = Node.prototype.findAll;
  let walks = 0;
  const spy = jest.spyOn(Node.prototype, 'findAll').mockImplementation(function (this: Node, ...args) {
    const fromLibrary = (new Error().stack ?? '').split('\n').some(frame => frame.includes('/lib/') && !frame.includes('node_modules'));
    if (this === app.node && fromLibrary) walks++;
    return findAll.apply(this, args);
  });
  try {
    app.synthYaml();
  } finally {
    spy.mockRestore();
  }
  return walks;
}

describe('synth work per cluster', () => {
  // The one walk is the app-wide check that no two objects share a kind, namespace and
  // name (lib/internal/unique-objects.ts): registered once per app, and its result kept
  // for the passes of one synth, whatever the number of clusters, charts and volumes.
  test.each([false, true])('the app is walked once per synth, not once per cluster or chart (volumes: %s)', withVolumes => {
    for (const clusters of [1, 6]) {
      expect(libraryWalksOfTheApp(clusters, withVolumes)).toBe(1);
    }
  });
});
