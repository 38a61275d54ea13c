import { statSync } from 'fs';
import { join } from 'path';
import { VolumePermissions } from '../../lib';
import { query, scalar, SERVER } from '../../harness/db';
import { Fixture, POD_READY_TIMEOUT } from './support/fixture';
import { sleep, waitFor } from '../../harness/host';

/**
 * The synthesized cluster on hostPath volumes, whose directories kubelet creates
 * root-owned with mode 0755 and to which it applies no fsGroup (see harness/README.md):
 * without help the server (uid 999) cannot write its data directory; with
 * `VolumePermissions.ROOT_INIT_CONTAINER` a first init container, root with CAP_CHOWN
 * only, hands the volume over and the cluster bootstraps. Needs root; fails, never skips.
 */

describe('e2e: MariaDB 10.11 on hostPath volumes with VolumePermissions.ROOT_INIT_CONTAINER', () => {
  const f = new Fixture('hostpath', { replicas: 2, storage: { volumePermissions: VolumePermissions.ROOT_INIT_CONTAINER } }, { hostPathClaims: true });

  f.scenario('the root init container hands the volume to uid 999; the primary initialises, a replica clones', 180_000, async t => {
    const { cluster } = f;
    await cluster.scaleTo(2, POD_READY_TIMEOUT, (ordinal, ms) => t.mark(`${cluster.podName(ordinal)} Ready (${(ms / 1000).toFixed(1)} s)`));
    for (const ordinal of [0, 1]) {
      const volume = statSync(cluster.claimDir(ordinal));
      const datadir = statSync(join(cluster.claimDir(ordinal), 'mysql'));
      expect({ ordinal, volume: [volume.uid, volume.gid], datadir: [datadir.uid, datadir.gid] })
        .toEqual({ ordinal, volume: [999, 999], datadir: [999, 999] });
      expect(f.log(ordinal, 'volume-ownership')).toContain('/var/lib/mysql-volume and /var/lib/mysql-volume/mysql belong to 999:999');
    }
    await query(cluster.pod(0), "CREATE DATABASE e2e; CREATE TABLE e2e.t (id INT PRIMARY KEY); INSERT INTO e2e.t VALUES (1)");
    await waitFor('the row on mysql-1', 30_000, async () => (await scalar(cluster.pod(1), 'SELECT COUNT(*) FROM e2e.t')) === '1');
    t.mark('replicating');

    // A restart of the pod runs the init container again, which changes nothing.
    await cluster.deletePodGracefully(1);
    await cluster.createPod(1);
    await cluster.waitReady(1, POD_READY_TIMEOUT);
    expect(f.currentLog(1, 'volume-ownership')).toContain('belong to 999:999');
    expect(f.currentLog(1, 'clone-data')).toContain('already holds a database; nothing to clone');
    t.mark('mysql-1 recreated on the same volume and Ready');
  });
});

describe('e2e: MariaDB 10.11 on hostPath volumes without it (what the synth-time check prevents)', () => {
  const f = new Fixture('hostpath-bare', { replicas: 1 }, { hostPathClaims: true });

  f.scenario('the server cannot create its data directory and the pod never becomes Ready', 120_000, async t => {
    const { cluster } = f;
    const pod = await cluster.createPod(0);
    await sleep(15_000);
    expect(pod.ready).toBe(false);
    expect((pod.restarts.get(SERVER) ?? 0)).toBeGreaterThan(0);
    expect(f.log(0, SERVER)).toMatch(/Can't create\/write to file .*\(Errcode: 13 "Permission denied"\)/);
    t.mark(`not Ready after 15 s; the server restarted ${pod.restarts.get(SERVER)} times`);
  });
});
