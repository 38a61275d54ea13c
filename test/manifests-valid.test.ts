import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { App, Chart, Size, Testing } from 'cdk8s';
import {
  MySqlEngine, NfsSubdirProvisioner, ReplicatedMySqlChart, ReplicationMode, StatefulMySQL, StatefulMySQLProps,
} from '../lib';
import {
  loadManifestFile, synthAppFiles, synthAppObjects, synthChartObjects, temporaryApp, validateManifests,
} from './support/manifests';

const ROOT = join(__dirname, '..');
const EXAMPLES_DIR = join(ROOT, 'examples');
const DIST_DIR = join(ROOT, 'dist');

/** Every example app, found on disk so that a new example is validated without a new test. */
const EXAMPLE_FILES = readdirSync(EXAMPLES_DIR).filter(file => file.endsWith('.ts') && !file.endsWith('.d.ts')).sort();

/** Loads an example module and builds its app into a temporary output directory. */
async function buildExample(file: string): Promise<App> {
  const example: { buildApp?: (app?: App) => App } = await import(join(EXAMPLES_DIR, file));
  if (typeof example.buildApp !== 'function') {
    throw new Error(`examples/${file} must export buildApp(app?: App): App`);
  }
  return example.buildApp(temporaryApp());
}

/** The example `cdk8s synth` runs (the `app:` line of cdk8s.yaml), whose output dist/ holds. */
function exampleSynthesizedToDist(): string {
  const config = readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8');
  const match = /^app:.*\bexamples\/([\w.-]+\.ts)\b/m.exec(config);
  if (!match) {
    throw new Error(`cdk8s.yaml must run one of examples/*.ts (got:\n${config})`);
  }
  return match[1];
}

function clusterObjects(props: StatefulMySQLProps = {}): any[] {
  const chart = Testing.chart();
  new StatefulMySQL(chart, 'mysql', props);
  return synthChartObjects(chart);
}

function provisionerObjects(namespace?: string): any[] {
  const chart = namespace === undefined ? Testing.chart() : new Chart(Testing.app(), 'storage', { namespace });
  new NfsSubdirProvisioner(chart, 'Nfs', { server: '10.0.0.5', path: '/exports', storageClassName: 'nfs-client' });
  return synthChartObjects(chart);
}

function nfsChartObjects(): any[] {
  return synthChartObjects(new ReplicatedMySqlChart(Testing.app(), 'mysql', {
    cluster: { replicas: 2, storage: { size: Size.gibibytes(5) } },
    nfs: { server: 'nfs.example.internal', basePath: '/exports/mysql' },
  }));
}

/**
 * A deep copy of `objects` in which the object of this kind and name was changed by
 * `breakIt`; fails the test when there is not exactly one such object.
 */
function withBroken(objects: any[], kind: string, name: string, breakIt: (object: any) => void): any[] {
  const copy = structuredClone(objects);
  const targets = copy.filter(object => object.kind === kind && object.metadata?.name === name);
  if (targets.length !== 1) {
    throw new Error(`expected exactly one ${kind}/${name}, found ${targets.length}`);
  }
  breakIt(targets[0]);
  return copy;
}

function podSpecOf(object: any): any {
  return object.spec.template.spec;
}

describe('every synthesized object is valid Kubernetes 1.28', () => {
  test('there is at least one example', () => {
    expect(EXAMPLE_FILES.length).toBeGreaterThan(0);
  });

  test.each(EXAMPLE_FILES)('example %s', async file => {
    const objects = synthAppObjects(await buildExample(file));
    expect(objects.length).toBeGreaterThan(0);
    expect(validateManifests(objects)).toEqual([]);
  });

  test.each<[string, () => any[]]>([
    ['StatefulMySQL with defaults', () => clusterObjects()],
    ['StatefulMySQL on MariaDB 10.11', () => clusterObjects({ engine: MySqlEngine.mariadb1011() })],
    ['StatefulMySQL on MySQL 5.7 with binlog positions', () => clusterObjects({
      engine: MySqlEngine.mysql57Legacy(), replicationMode: ReplicationMode.BINLOG_POSITION,
    })],
    ['StatefulMySQL with 1 replica', () => clusterObjects({ replicas: 1 })],
    ['StatefulMySQL in its own namespace with a storage class', () => clusterObjects({
      name: 'orders-db', namespace: 'shop', replicas: 5, storage: { storageClassName: 'fast-ssd', size: Size.gibibytes(50) },
    })],
    ['ReplicatedMySqlChart on static NFS volumes', () => nfsChartObjects()],
    ['NfsSubdirProvisioner', () => provisionerObjects()],
    ['NfsSubdirProvisioner in a namespaced chart', () => provisionerObjects('storage')],
  ])('%s', (_name, synthesize) => {
    expect(validateManifests(synthesize())).toEqual([]);
  });
});

describe('dist/ holds valid, current output of the examples', () => {
  const distFiles = readdirSync(DIST_DIR).filter(file => file.endsWith('.k8s.yaml')).sort();

  /** What `cdk8s synth` of each example writes, by file name, synthesized afresh. */
  async function freshExampleFiles(): Promise<Map<string, { example: string; text: string }>> {
    const files = new Map<string, { example: string; text: string }>();
    for (const example of EXAMPLE_FILES) {
      for (const [file, text] of synthAppFiles(await buildExample(example))) {
        const other = files.get(file);
        if (other) {
          throw new Error(`examples/${other.example} and examples/${example} both write dist/${file}`);
        }
        files.set(file, { example, text });
      }
    }
    return files;
  }

  test('dist/ holds every file of the example cdk8s.yaml runs', async () => {
    const example = exampleSynthesizedToDist();
    const fresh = synthAppFiles(await buildExample(example));
    expect(fresh.size).toBeGreaterThan(0);
    expect(distFiles).toEqual(expect.arrayContaining([...fresh.keys()]));
  });

  test.each(distFiles)('dist/%s validates', file => {
    const objects = loadManifestFile(join(DIST_DIR, file));
    expect(objects.length).toBeGreaterThan(0);
    expect(validateManifests(objects)).toEqual([]);
  });

  test.each(distFiles)('dist/%s equals a fresh synth of its example (run `npx cdk8s synth` after changing lib/ or examples/)', async file => {
    const fresh = (await freshExampleFiles()).get(file);
    if (!fresh) {
      throw new Error(`dist/${file} is written by no example in examples/: remove it or restore its example`);
    }
    expect(readFileSync(join(DIST_DIR, file), 'utf8')).toEqual(fresh.text);
  });
});

describe('the schema layer rejects what the API server rejects', () => {
  test('fails when an object has an unknown field', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      sts.spec.replica = 3;
    });
    expect(validateManifests(broken)).toEqual(['StatefulSet/mysql: spec.replica: unknown field "replica"']);
  });

  test('fails when a nested object has an unknown field', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      podSpecOf(sts).containers[0].imagePulPolicy = 'Always';
      sts.metadata.label = { team: 'db' };
    });
    expect(validateManifests(broken)).toEqual([
      'StatefulSet/mysql: metadata.label: unknown field "label"',
      'StatefulSet/mysql: spec.template.spec.containers[0].imagePulPolicy: unknown field "imagePulPolicy"',
    ]);
  });

  test('fails when a field has the wrong type', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      sts.spec.replicas = '3';
    });
    expect(validateManifests(broken)).toEqual(['StatefulSet/mysql: spec.replicas: must be integer (got "3")']);
  });

  test('fails when a quantity is not a quantity', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      podSpecOf(sts).containers[0].resources.requests.memory = 'one gigabyte';
    });
    expect(validateManifests(broken)).toContain(
      'StatefulSet/mysql: spec.template.spec.containers[0].resources.requests.memory: must match format "quantity" (got "one gigabyte")');
  });

  test('fails when an enum field has a value outside the enum', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      sts.spec.podManagementPolicy = 'Sequential';
    });
    expect(validateManifests(broken)).toEqual([
      'StatefulSet/mysql: spec.podManagementPolicy: must be one of "OrderedReady", "Parallel" (got "Sequential")',
    ]);
  });

  test('fails when a required field is missing', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      delete podSpecOf(sts).containers[0].env[0].valueFrom.secretKeyRef.key;
    });
    expect(validateManifests(broken)).toEqual([
      'StatefulSet/mysql: spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key: required field is missing',
    ]);
  });

  test('fails when the apiVersion is not served by Kubernetes 1.28', () => {
    const broken = withBroken(clusterObjects(), 'PodDisruptionBudget', 'mysql', pdb => {
      pdb.apiVersion = 'policy/v1beta1';
    });
    expect(validateManifests(broken)).toEqual([
      expect.stringMatching(/^PodDisruptionBudget\/mysql: apiVersion "policy\/v1beta1" is not served by Kubernetes 1\.28 \(known: v1, apps\/v1, /),
    ]);
  });

  test('fails when the kind has no schema in its apiVersion', () => {
    const misspelt = withBroken(clusterObjects(), 'ConfigMap', 'mysql-config', configMap => {
      configMap.kind = 'Configmap';
    });
    expect(validateManifests(misspelt)).toEqual(['Configmap/mysql-config: no schema for kind "Configmap" in apiVersion "v1"']);
    const wrongGroup = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      sts.apiVersion = 'v1';
    });
    expect(validateManifests(wrongGroup)).toContain('StatefulSet/mysql: no schema for kind "StatefulSet" in apiVersion "v1"');
    const notTopLevel = [{ apiVersion: 'v1', kind: 'Container', metadata: { name: 'x' } }];
    expect(validateManifests(notTopLevel)).toEqual(['Container/x: no schema for kind "Container" in apiVersion "v1"']);
  });

  test('fails when apiVersion or kind is missing', () => {
    expect(validateManifests([{ kind: 'ConfigMap', metadata: { name: 'x' } }])).toEqual([
      'ConfigMap/x: apiVersion and kind must be strings (got apiVersion undefined, kind "ConfigMap")',
    ]);
  });
});

describe('the rules layer rejects what the API server and controllers reject', () => {
  test('fails when a Service name is not a DNS-1123 label', () => {
    const broken = withBroken(clusterObjects(), 'Service', 'mysql-read', service => {
      service.metadata.name = 'mysql.read';
    });
    expect(validateManifests(broken)).toEqual([
      'Service/mysql.read: metadata.name must be a DNS-1123 label (lower-case letters, digits and \'-\', starting and ending with a letter or digit) (got "mysql.read")',
    ]);
  });

  test('fails when an object name is not a DNS-1123 subdomain', () => {
    const broken = withBroken(clusterObjects(), 'ConfigMap', 'mysql-config', configMap => {
      configMap.metadata.name = 'MySQL_Config';
    });
    expect(validateManifests(broken)).toContain(
      'ConfigMap/MySQL_Config: metadata.name must be a DNS-1123 subdomain (dot-separated DNS labels, at most 253 characters) (got "MySQL_Config")');
  });

  test('fails when a StatefulSet name is longer than 52 characters', () => {
    const name = 'm'.repeat(53);
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      sts.metadata.name = name;
    });
    expect(validateManifests(broken)).toEqual([`StatefulSet/${name}: metadata.name must be at most 52 characters (got "${name}", 53)`]);
  });

  test('fails when a label value is longer than 63 characters or a label key is malformed', () => {
    const broken = withBroken(clusterObjects(), 'ConfigMap', 'mysql-config', configMap => {
      configMap.metadata.labels['app.kubernetes.io/part-of'] = 'x'.repeat(64);
      configMap.metadata.labels['-team'] = 'db';
    });
    expect(validateManifests(broken)).toEqual([
      `ConfigMap/mysql-config: metadata.labels["app.kubernetes.io/part-of"] must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got "${'x'.repeat(64)}")`,
      'ConfigMap/mysql-config: metadata.labels key "-team" must have a name part of at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit',
    ]);
  });

  test('fails when a pod template label value is longer than 63 characters', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      sts.spec.template.metadata.labels['app.kubernetes.io/component'] = 'd'.repeat(64);
    });
    expect(validateManifests(broken)).toEqual([
      `StatefulSet/mysql: spec.template.metadata.labels["app.kubernetes.io/component"] must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got "${'d'.repeat(64)}")`,
    ]);
  });

  test('fails when the StatefulSet selector does not match the pod template labels', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      sts.spec.selector.matchLabels['app.kubernetes.io/instance'] = 'mysql-old';
    });
    expect(validateManifests(broken)).toEqual([
      expect.stringMatching(/^StatefulSet\/mysql: spec\.selector: does not match spec\.template\.metadata\.labels /),
    ]);
  });

  test('fails when a workload selector is empty', () => {
    const broken = withBroken(provisionerObjects(), 'Deployment', 'nfs-subdir-provisioner', deployment => {
      deployment.spec.selector = { matchLabels: {} };
    });
    expect(validateManifests(broken)).toEqual(['Deployment/nfs-subdir-provisioner: spec.selector: must not be empty']);
  });

  test('fails when a volumeMount names neither a pod volume nor a volumeClaimTemplate', () => {
    const inInitContainer = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      podSpecOf(sts).initContainers[0].volumeMounts[0].name = 'script';
    });
    expect(validateManifests(inInitContainer)).toEqual([
      'StatefulSet/mysql: spec.template.spec.initContainers[0].volumeMounts[0]: mounts volume "script", which is neither a pod volume nor a volumeClaimTemplate (known: config, scripts, conf, auth, data)',
    ]);
    const claimTemplateRenamed = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      sts.spec.volumeClaimTemplates[0].metadata.name = 'datadir';
    });
    expect(validateManifests(claimTemplateRenamed)).toContain(
      'StatefulSet/mysql: spec.template.spec.containers[0].volumeMounts[0]: mounts volume "data", which is neither a pod volume nor a volumeClaimTemplate (known: config, scripts, conf, auth, datadir)');
  });

  test('fails when two volumes share a name, a volume has two sources or a subPath escapes its volume', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      const spec = podSpecOf(sts);
      spec.volumes.push({ name: 'conf', emptyDir: {} });
      spec.volumes[2].hostPath = { path: '/tmp' };
      spec.containers[0].volumeMounts[0].subPath = '../other';
    });
    expect(validateManifests(broken)).toEqual([
      'StatefulSet/mysql: spec.template.spec.volumes[2] ("conf") must set exactly one of awsElasticBlockStore, azureDisk, azureFile, cephfs, cinder, configMap, csi, downwardAPI, emptyDir, ephemeral, fc, flexVolume, flocker, gcePersistentDisk, gitRepo, glusterfs, hostPath, iscsi, nfs, persistentVolumeClaim, photonPersistentDisk, portworxVolume, projected, quobyte, rbd, scaleIO, secret, storageos, vsphereVolume (got emptyDir, hostPath)',
      'StatefulSet/mysql: spec.template.spec.volumes: volume name "conf" is used more than once',
      'StatefulSet/mysql: spec.template.spec.containers[0].volumeMounts[0].subPath must be a relative path without \'..\' (got "../other")',
    ]);
  });

  test('fails when a container mounts two volumes at one path', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      const mounts = podSpecOf(sts).containers[0].volumeMounts;
      mounts[1].mountPath = mounts[0].mountPath;
    });
    expect(validateManifests(broken)).toEqual([
      'StatefulSet/mysql: spec.template.spec.containers[0].volumeMounts: mountPath "/var/lib/mysql" is used more than once',
    ]);
  });

  test('fails when a container port is outside 1-65535', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      podSpecOf(sts).containers[0].ports[0].containerPort = 70000;
      podSpecOf(sts).containers[1].ports[0].containerPort = 0;
    });
    expect(validateManifests(broken)).toEqual([
      'StatefulSet/mysql: spec.template.spec.containers[0].ports[0].containerPort must be between 1 and 65535 (got 70000)',
      'StatefulSet/mysql: spec.template.spec.containers[1].ports[0].containerPort must be between 1 and 65535 (got 0)',
    ]);
  });

  test('fails when container port names repeat in the pod or are not IANA service names', () => {
    const duplicate = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      podSpecOf(sts).containers[1].ports[0].name = 'mysql';
    });
    expect(validateManifests(duplicate)).toEqual([
      'StatefulSet/mysql: spec.template.spec: container port name "mysql" is used more than once in the pod',
    ]);
    const tooLong = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      podSpecOf(sts).containers[1].ports[0].name = 'backup-streaming';
    });
    expect(validateManifests(tooLong)).toEqual([
      'StatefulSet/mysql: spec.template.spec.containers[1].ports[0].name must be an IANA service name (at most 15 lower-case letters, digits and \'-\', with a letter, no \'--\') (got "backup-streaming")',
    ]);
  });

  test('fails when a probe has no handler or more than one', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      const server = podSpecOf(sts).containers[0];
      server.livenessProbe.tcpSocket = { port: 3306 };
      delete server.readinessProbe.exec;
    });
    expect(validateManifests(broken)).toEqual([
      'StatefulSet/mysql: spec.template.spec.containers[0].livenessProbe must set exactly one of exec, httpGet, tcpSocket, grpc (got exec, tcpSocket)',
      'StatefulSet/mysql: spec.template.spec.containers[0].readinessProbe must set exactly one of exec, httpGet, tcpSocket, grpc (got none)',
    ]);
  });

  test('fails when a liveness probe needs more than one success', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      podSpecOf(sts).containers[0].livenessProbe.successThreshold = 2;
    });
    expect(validateManifests(broken)).toEqual([
      'StatefulSet/mysql: spec.template.spec.containers[0].livenessProbe.successThreshold must be 1 (got 2)',
    ]);
  });

  test('fails when a container defines an environment variable twice', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      podSpecOf(sts).containers[0].env.push({ name: 'MYSQL_PORT', value: '3307' });
    });
    expect(validateManifests(broken)).toEqual([
      'StatefulSet/mysql: spec.template.spec.containers[0].env: variable "MYSQL_PORT" is defined more than once',
    ]);
  });

  test('fails when an environment variable has both a value and a valueFrom', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      podSpecOf(sts).containers[0].env[0].value = 'hunter2';
    });
    expect(validateManifests(broken)).toEqual([
      'StatefulSet/mysql: spec.template.spec.containers[0].env[0] ("MYSQL_ROOT_PASSWORD") must not set both value and valueFrom',
    ]);
  });

  test('fails when an init container and a container share a name', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      podSpecOf(sts).initContainers[1].name = 'mysql';
    });
    expect(validateManifests(broken)).toEqual([
      'StatefulSet/mysql: spec.template.spec: container name "mysql" is used more than once (init and regular containers share one namespace)',
    ]);
  });

  test('fails when a container has no image', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      delete podSpecOf(sts).initContainers[0].image;
    });
    expect(validateManifests(broken)).toEqual(['StatefulSet/mysql: spec.template.spec.initContainers[0].image: required']);
  });

  test('fails when a resource request exceeds its limit', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      podSpecOf(sts).containers[0].resources.requests.memory = '3Gi';
    });
    expect(validateManifests(broken)).toEqual([
      'StatefulSet/mysql: spec.template.spec.containers[0].resources.requests.memory (3Gi) must be at most the limit (2Gi)',
    ]);
  });

  test('fails when a PersistentVolume has no capacity, no access mode, two sources or a relative path', () => {
    const broken = withBroken(nfsChartObjects(), 'PersistentVolume', 'default-data-mysql-0-nfs', pv => {
      delete pv.spec.capacity;
      pv.spec.accessModes = [];
      pv.spec.nfs.path = 'exports/mysql/data-mysql-0';
      pv.spec.hostPath = { path: '/srv/mysql' };
    });
    expect(validateManifests(broken)).toEqual([
      'PersistentVolume/default-data-mysql-0-nfs: spec.capacity.storage: required, a quantity such as 10Gi (got undefined)',
      'PersistentVolume/default-data-mysql-0-nfs: spec.accessModes: at least one access mode is required',
      expect.stringMatching(/^PersistentVolume\/default-data-mysql-0-nfs: spec must set exactly one of awsElasticBlockStore, .* \(got hostPath, nfs\)$/),
      'PersistentVolume/default-data-mysql-0-nfs: spec.nfs.path must be an absolute path (got "exports/mysql/data-mysql-0")',
    ]);
  });

  test('fails when a PersistentVolume has no volume source', () => {
    const broken = withBroken(nfsChartObjects(), 'PersistentVolume', 'default-data-mysql-1-nfs', pv => {
      delete pv.spec.nfs;
    });
    expect(validateManifests(broken)).toEqual([
      expect.stringMatching(/^PersistentVolume\/default-data-mysql-1-nfs: spec must set exactly one of .* \(got none\)$/),
    ]);
  });

  test('fails when a PodDisruptionBudget sets both minAvailable and maxUnavailable', () => {
    const broken = withBroken(clusterObjects(), 'PodDisruptionBudget', 'mysql', pdb => {
      pdb.spec.minAvailable = 2;
    });
    expect(validateManifests(broken)).toEqual(['PodDisruptionBudget/mysql: spec: minAvailable and maxUnavailable cannot both be set']);
  });

  test('fails when a ConfigMap data key is not a valid key', () => {
    const broken = withBroken(clusterObjects(), 'ConfigMap', 'mysql-config', configMap => {
      configMap.data['conf.d/primary.cnf'] = '[mysqld]';
    });
    expect(validateManifests(broken)).toEqual([
      'ConfigMap/mysql-config: data["conf.d/primary.cnf"]: key must be at most 253 letters, digits, \'-\', \'_\' or \'.\' (and not \'.\' or \'..\')',
    ]);
  });

  test('fails when a ConfigMap holds more than 1 MiB', () => {
    const broken = withBroken(clusterObjects(), 'ConfigMap', 'mysql-config', configMap => {
      configMap.data['huge.cnf'] = 'x'.repeat(1024 * 1024);
    });
    expect(validateManifests(broken)).toEqual([
      expect.stringMatching(/^ConfigMap\/mysql-config: data: \d+ bytes in total, more than the 1048576 a ConfigMap may hold$/),
    ]);
  });

  test('fails when a Service with ports has no selector and nothing provides its endpoints', () => {
    const broken = withBroken(clusterObjects(), 'Service', 'mysql-read', service => {
      delete service.spec.selector;
    });
    expect(validateManifests(broken)).toEqual([
      'Service/mysql-read: spec.selector is empty and no Endpoints or EndpointSlice for it is in the set, so it routes nowhere',
    ]);
    const withEndpoints = [...broken, {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'mysql-read', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '10.0.0.7' }], ports: [{ name: 'mysql', port: 3306 }] }],
    }];
    expect(validateManifests(withEndpoints)).toEqual([]);
  });

  test('fails when a Service has unnamed ports, duplicate ports or a headless Service is not ClusterIP', () => {
    const broken = withBroken(clusterObjects(), 'Service', 'mysql-read', service => {
      service.spec.ports.push({ port: 3306, targetPort: 3306 });
    });
    expect(validateManifests(broken)).toEqual([
      'Service/mysql-read: spec.ports[1].name: required when a Service has more than one port',
      'Service/mysql-read: spec.ports: port 3306/TCP is used more than once',
    ]);
    const headlessNodePort = withBroken(clusterObjects(), 'Service', 'mysql', service => {
      service.spec.type = 'NodePort';
    });
    expect(validateManifests(headlessNodePort)).toEqual(['Service/mysql: spec.clusterIP: "None" (headless) requires type ClusterIP (got NodePort)']);
  });

  test('fails when a cluster-scoped object carries a namespace', () => {
    const broken = withBroken(provisionerObjects(), 'ClusterRole', 'default.nfs-subdir-provisioner-runner', role => {
      role.metadata.namespace = 'storage';
    });
    expect(validateManifests(broken)).toEqual([
      'ClusterRole/default.nfs-subdir-provisioner-runner: metadata.namespace must be absent on the cluster-scoped kind ClusterRole (got "storage")',
    ]);
  });

  test('fails when a ClusterRoleBinding binds a ServiceAccount without its namespace', () => {
    const broken = withBroken(provisionerObjects(), 'ClusterRoleBinding', 'default.nfs-subdir-provisioner-runner', binding => {
      delete binding.subjects[0].namespace;
    });
    expect(validateManifests(broken)).toEqual([
      'ClusterRoleBinding/default.nfs-subdir-provisioner-runner: subjects[0].namespace: required for a ServiceAccount',
    ]);
  });

  test('fails when two objects have the same kind, namespace and name', () => {
    const objects = clusterObjects();
    const duplicated = [...objects, structuredClone(objects.find(object => object.kind === 'ConfigMap'))];
    expect(validateManifests(duplicated)).toEqual(['ConfigMap/mysql-config (namespace "default"): defined more than once']);
  });
});

describe('the StatefulSet is governed by a headless Service of the same app', () => {
  test('fails when spec.serviceName names no Service in the set', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      sts.spec.serviceName = 'mysql-headless';
    });
    expect(validateManifests(broken)).toEqual([
      'StatefulSet/mysql: spec.serviceName "mysql-headless": no Service of that name in namespace "default" among the synthesized objects',
    ]);
  });

  test('fails when the governing Service is in another namespace', () => {
    const broken = withBroken(clusterObjects(), 'Service', 'mysql', service => {
      service.metadata.namespace = 'other';
    });
    expect(validateManifests(broken)).toEqual([
      'StatefulSet/mysql: spec.serviceName "mysql": no Service of that name in namespace "default" among the synthesized objects',
    ]);
  });

  test('fails when the governing Service is not headless', () => {
    const broken = withBroken(clusterObjects(), 'StatefulSet', 'mysql', sts => {
      sts.spec.serviceName = 'mysql-read';
    });
    expect(validateManifests(broken)).toEqual([
      'StatefulSet/mysql: spec.serviceName "mysql-read": the Service is not headless (clusterIP is undefined, expected "None")',
    ]);
  });

  test('fails when the governing Service does not select the pods', () => {
    const broken = withBroken(clusterObjects(), 'Service', 'mysql', service => {
      service.spec.selector['app.kubernetes.io/name'] = 'mariadb';
    });
    expect(validateManifests(broken)).toEqual([
      expect.stringMatching(/^StatefulSet\/mysql: spec\.serviceName "mysql": the Service selector .* does not select the pod labels /),
    ]);
  });
});
