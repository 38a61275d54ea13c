import { existsSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Chart } from 'cdk8s';
import { NfsPersistentVolumes, StatefulMySQL } from '../lib';

describe('a failed synth', () => {
  test('writes nothing when a cross-object check fails', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'failed-synth-'));
    try {
      const app = new App({ outdir });
      const chart = new Chart(app, 'db');
      const db = new StatefulMySQL(chart, 'mysql', { storage: { storageClassName: 'nfs-mysql' } });
      new NfsPersistentVolumes(chart, 'a', { claims: db.dataClaims, server: 'nfs', basePath: '/a' });
      new NfsPersistentVolumes(chart, 'b', { claims: db.dataClaims, server: 'nfs', basePath: '/b' });
      expect(() => app.synth()).toThrow(/nfs-mysql/);
      expect(existsSync(outdir) ? readdirSync(outdir) : []).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
