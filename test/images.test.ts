// One registry or mirror for every image the library names, and the pods' pull secrets.
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Chart, Size } from 'cdk8s';
import {
  BackupDestination, ImageSourceOptions, MySqlEngine, NfsSubdirProvisioner, ReplicatedMySqlChart, StatefulMySQL, VolumePermissions,
} from '../lib';
import { validateManifests, synthAppObjects } from './support/manifests';
import { FLAVORS } from './support/flavors';

/** Every pod spec in the objects: StatefulSets, Deployments, CronJobs. */
function podSpecs(objects: any[]): Array<{ owner: string; spec: any }> {
  return objects.flatMap(o => {
    const spec = o.spec?.jobTemplate?.spec?.template?.spec ?? o.spec?.template?.spec;
    return spec ? [{ owner: `${o.kind}/${o.metadata.name}`, spec }] : [];
  });
}

/** An app using every feature that adds a container, all behind `images`. */
function everything(images: ImageSourceOptions, engine: MySqlEngine): any[] {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'app-')) });
  const chart = new ReplicatedMySqlChart(app, 'db', {
    cluster: {
      engine, images,
      storage: { volumePermissions: VolumePermissions.ROOT_INIT_CONTAINER },
      backup: { schedule: '@daily', destination: BackupDestination.newClaim({ size: Size.gibibytes(10) }) },
    },
  });
  new StatefulMySQL(chart, 'restored', { engine, images, restore: { claimName: chart.cluster.backupClaimName! } });
  new NfsSubdirProvisioner(new Chart(app, 'storage', { namespace: 'storage' }), 'Provisioner', {
    server: 'nfs.example.com', path: '/exports', storageClassName: 'nfs-client', images,
  });
  return synthAppObjects(app);
}

describe('images behind one registry', () => {
  test.each(FLAVORS)('%s: no container of any pod escapes the registry, and every pod has the pull secrets', (_name, flavor) => {
    const objects = everything({ registry: 'harbor.example.com:8443/mirror', pullSecrets: ['harbor-pull'] }, flavor());
    const specs = podSpecs(objects);
    expect(specs.map(s => s.owner).sort()).toEqual(['CronJob/db-backup', 'Deployment/nfs-subdir-provisioner', 'StatefulSet/db', 'StatefulSet/restored']);
    for (const { owner, spec } of specs) {
      for (const container of [...spec.initContainers ?? [], ...spec.containers]) {
        expect(`${owner} ${container.name} ${container.image}`).toMatch(new RegExp(`^${owner} ${container.name} harbor\\.example\\.com:8443/mirror/[a-z]`));
      }
      expect([owner, spec.imagePullSecrets]).toEqual([owner, [{ name: 'harbor-pull' }]]);
    }
    expect(validateManifests(objects)).toEqual([]);
  });

  test('paths: the image\'s own registry is replaced, Docker Hub\'s library/ kept only when asked, a mirrored image left alone', () => {
    const images = (options: ImageSourceOptions) => {
      const objects = everything(options, MySqlEngine.mysql84());
      return [...new Set(podSpecs(objects).flatMap(s => [...s.spec.initContainers ?? [], ...s.spec.containers].map((c: any) => c.image)))].sort();
    };
    expect(images({ registry: 'harbor.example.com/mirror' })).toEqual([
      'harbor.example.com/mirror/mysql:8.4.11',
      'harbor.example.com/mirror/percona/percona-xtrabackup:8.4.0-5.1',
      'harbor.example.com/mirror/sig-storage/nfs-subdir-external-provisioner:v4.0.2',
    ]);
    expect(images({ registry: 'harbor.example.com/dockerhub/', dockerHubLibraryNamespace: true })).toContain('harbor.example.com/dockerhub/library/mysql:8.4.11');
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'app-')) });
    const chart = new Chart(app, 'db');
    new StatefulMySQL(chart, 'mysql', {
      engine: MySqlEngine.mysql84({ serverImage: 'harbor.example.com/mirror/mysql:8.4.11' }), images: { registry: 'harbor.example.com/mirror' },
    });
    const server = podSpecs(synthAppObjects(app))[0].spec.containers.find((c: any) => c.name === 'mysql');
    expect(server.image).toBe('harbor.example.com/mirror/mysql:8.4.11');
  });

  test('without images, every image is pulled from its own registry and no pod names pull secrets', () => {
    for (const { spec } of podSpecs(everything({}, MySqlEngine.mariadb1011()))) {
      expect(spec.imagePullSecrets).toBeUndefined();
      for (const container of spec.containers) expect(container.image).not.toMatch(/harbor/);
    }
  });

  test.each<[string, ImageSourceOptions | any, string]>([
    ['the registry has no host', { registry: 'mirror' }, 'images.registry must start with a registry host'],
    ['the registry has upper-case path letters', { registry: 'harbor.example.com/Mirror' }, 'images.registry must be an image reference'],
    ['a pull secret is not a name', { pullSecrets: ['Harbor Pull'] }, 'images.pullSecrets[0] must be a DNS-1123 subdomain'],
    ['pull secrets are a string', { pullSecrets: 'harbor-pull' }, 'images.pullSecrets must be an array (got "harbor-pull")'],
    ['images is a string', 'harbor.example.com', 'images must be an object (got "harbor.example.com")'],
  ])('fails when %s', (_, images, message) => {
    expect(() => new StatefulMySQL(new Chart(new App({ outdir: mkdtempSync(join(tmpdir(), 'app-')) }), 'c'), 'mysql', { images })).toThrow(message);
  });
});
