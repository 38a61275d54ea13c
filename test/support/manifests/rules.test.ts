/**
 * Unit tests of the manifest validator itself: a small set of objects the Kubernetes
 * 1.28 API server accepts must pass, and each single mutation the API server refuses
 * must be reported with exactly one message naming the field.
 */
import { parseQuantity, validateManifests } from './index';

const LABELS = { 'app.kubernetes.io/name': 'db', 'app.kubernetes.io/instance': 'db-1' };

function statefulSet(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'shop', labels: { ...LABELS } },
    spec: {
      replicas: 3,
      revisionHistoryLimit: 5,
      minReadySeconds: 0,
      serviceName: 'db',
      selector: {
        matchLabels: { ...LABELS },
        matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['db'] }],
      },
      template: {
        metadata: { labels: { ...LABELS, 'example.com/tier': '' } },
        spec: {
          terminationGracePeriodSeconds: 30,
          securityContext: { runAsUser: 999, runAsGroup: 999, fsGroup: 999, supplementalGroups: [4294967295] },
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [
            { key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' },
            { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
            { operator: 'Exists' },
          ],
          topologySpreadConstraints: [{
            maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', minDomains: 2,
            labelSelector: { matchLabels: { ...LABELS } },
          }],
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] }] }],
              },
            },
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [{
                weight: 100,
                podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { ...LABELS } } },
              }],
            },
          },
          containers: [{
            name: 'mysql',
            image: 'mysql:8.0',
            ports: [{ name: 'mysql', containerPort: 3306 }, { name: 'mysql-udp', containerPort: 3306, protocol: 'UDP' }],
            env: [
              { name: 'MYSQL_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-auth', key: 'root.password' } } },
              { name: 'MYSQL_CONF', valueFrom: { configMapKeyRef: { name: 'db-config', key: 'my_cnf-1' } } },
            ],
            resources: { requests: { 'cpu': '500m', 'memory': '1Gi', 'ephemeral-storage': '1e9' }, limits: { cpu: 1, memory: '1Gi' } },
            readinessProbe: { tcpSocket: { port: 'mysql' }, initialDelaySeconds: 0, periodSeconds: 10, failureThreshold: 3 },
            livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, successThreshold: 1, terminationGracePeriodSeconds: 10 },
            securityContext: { runAsUser: 0 },
          }],
        },
      },
      volumeClaimTemplates: [{
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast.ssd', resources: { requests: { storage: '10Gi' } } },
      }],
    },
  };
}

function headlessService(): any {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'db', namespace: 'shop' },
    spec: {
      clusterIP: 'None',
      selector: { ...LABELS },
      ports: [
        { name: 'mysql', port: 3306, targetPort: 'mysql' },
        // The same number on another protocol is a different port.
        { name: 'mysql-udp', port: 3306, protocol: 'UDP', targetPort: 0 },
      ],
    },
  };
}

function validObjects(): any[] {
  return [
    statefulSet(),
    headlessService(),
    {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'scratch', namespace: 'shop' },
      spec: { accessModes: ['ReadWriteOncePod'], resources: { requests: { storage: '1Gi' } } },
    },
    {
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'data-db-0' },
      spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], nfs: { server: '10.0.0.5', path: '/exports/db-0' } },
    },
    {
      apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast.ssd' },
      provisioner: 'k8s-sigs.io/nfs-subdir-external-provisioner',
    },
    {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db', namespace: 'shop' },
      spec: { maxUnavailable: '34%', selector: { matchLabels: { ...LABELS } } },
    },
    {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'db', namespace: 'shop' },
      spec: {
        podSelector: { matchLabels: { ...LABELS } },
        ingress: [{
          from: [{ podSelector: { matchLabels: { ...LABELS } }, namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] } }],
          ports: [{ port: 'mysql' }, { port: 33060, endPort: 33062 }],
        }],
      },
    },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'client', namespace: 'shop' },
      spec: {
        replicas: 0, progressDeadlineSeconds: 600, minReadySeconds: 5,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '25%' } },
        selector: { matchLabels: { app: 'client' } },
        template: { metadata: { labels: { app: 'client' } }, spec: { containers: [{ name: 'client', image: 'busybox' }] } },
      },
    },
    {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'db-config', namespace: 'shop' },
      data: { 'my_cnf-1': '[mysqld]', '.hidden': 'x' },
    },
    {
      apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'db', namespace: 'shop' },
      spec: { secretName: 'db-tls', issuerRef: { name: 'ca', kind: 'Issuer', group: 'cert-manager.io' }, dnsNames: ['*.db.shop.svc.cluster.local'], duration: '2160h' },
    },
    {
      apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name: 'db', namespace: 'shop', labels: { release: 'prometheus' } },
      spec: { selector: { matchLabels: { ...LABELS } }, podMetricsEndpoints: [{ port: 'mysql-udp', interval: '1m30s', scrapeTimeout: '10s' }] },
    },
  ];
}

/** The problems of the valid set after `breakIt` changed its one object of this kind. */
function problemsAfter(kind: string, breakIt: (object: any) => void): string[] {
  const objects = validObjects();
  const targets = objects.filter(object => object.kind === kind);
  if (targets.length !== 1) {
    throw new Error(`expected exactly one ${kind}, found ${targets.length}`);
  }
  breakIt(targets[0]);
  return validateManifests(objects);
}

const pod = (sts: any) => sts.spec.template.spec;
const server = (sts: any) => pod(sts).containers[0];

test('the valid set passes', () => {
  expect(validateManifests(validObjects())).toEqual([]);
});

describe('cert-manager Certificate', () => {
  test('fails when a field is unknown or missing (closed CRD schema)', () => {
    expect(problemsAfter('Certificate', certificate => { certificate.spec.dnsName = 'x'; }))
      .toEqual(['Certificate/db: spec.dnsName: unknown field "dnsName"']);
    expect(problemsAfter('Certificate', certificate => { delete certificate.spec.secretName; }))
      .toEqual(['Certificate/db: spec.secretName: required field is missing']);
  });
});

describe('PodMonitor', () => {
  test('fails when a field is unknown (closed CRD schema)', () => {
    expect(problemsAfter('PodMonitor', monitor => { monitor.spec.podMetricsEndpoints[0].portName = 'mysql'; }))
      .toEqual(['PodMonitor/db: spec.podMetricsEndpoints[0].portName: unknown field "portName"']);
  });

  test('fails when a duration is not Prometheus\'s, or the timeout exceeds the interval', () => {
    expect(problemsAfter('PodMonitor', monitor => { monitor.spec.podMetricsEndpoints[0].interval = '30 seconds'; }))
      .toEqual(['PodMonitor/db: spec.podMetricsEndpoints[0].interval: must be a Prometheus duration such as 30s or 1m30s (got "30 seconds")']);
    expect(problemsAfter('PodMonitor', monitor => { monitor.spec.podMetricsEndpoints[0].scrapeTimeout = '2m'; }))
      .toEqual(['PodMonitor/db: spec.podMetricsEndpoints[0].scrapeTimeout: must not exceed the interval 1m30s (got "2m")']);
  });

  test('fails when it selects no pod, or the pods have no port of that name', () => {
    expect(problemsAfter('PodMonitor', monitor => { monitor.spec.selector.matchLabels = { app: 'other' }; }))
      .toEqual(['PodMonitor/db: spec.selector selects no pod template of the set']);
    expect(problemsAfter('PodMonitor', monitor => { monitor.spec.podMetricsEndpoints[0].port = 'metrics'; }))
      .toEqual(['PodMonitor/db: spec.podMetricsEndpoints[0].port "metrics" is no container port name of the selected pods']);
  });
});

describe('quantities follow the Kubernetes grammar', () => {
  test.each([
    ['1', 1], ['+1.5', 1.5], ['.5', 0.5], ['1.', 1], ['500m', 0.5], ['1Ki', 1024], ['1Gi', 2 ** 30],
    ['2k', 2000], ['1E', 1e18], ['1e3', 1000], ['1E-2', 0.01], ['-1', -1], [2, 2],
  ])('%p is %p', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value as number);
  });

  test.each(['', '1 Gi', '1h', '1da', '1Y', '1e1.5', '1e', '1K', '1gi', 'Gi', '1..2', '--1', '1Ki2'])('%p is not a quantity', text => {
    expect(parseQuantity(text)).toBeNaN();
  });

  test('fails when a request uses an SI prefix Kubernetes does not know', () => {
    expect(problemsAfter('StatefulSet', sts => {
      server(sts).resources.requests.cpu = '1h';
    })).toEqual(['StatefulSet/db: spec.template.spec.containers[0].resources.requests.cpu: must match format "quantity" (got "1h")']);
  });

  test('fails when an exponent is fractional', () => {
    expect(problemsAfter('StatefulSet', sts => {
      server(sts).resources.limits.memory = '1e1.5';
    })).toEqual(['StatefulSet/db: spec.template.spec.containers[0].resources.limits.memory: must match format "quantity" (got "1e1.5")']);
  });

  test('fails when a request is negative', () => {
    expect(problemsAfter('StatefulSet', sts => {
      server(sts).resources.requests['ephemeral-storage'] = '-1Gi';
    })).toEqual(['StatefulSet/db: spec.template.spec.containers[0].resources.requests.ephemeral-storage must be at least 0 (got "-1Gi")']);
  });

  test('fails when a request is above its limit, compared as quantities', () => {
    expect(problemsAfter('StatefulSet', sts => {
      server(sts).resources.requests.cpu = '1001m';
    })).toEqual(['StatefulSet/db: spec.template.spec.containers[0].resources.requests.cpu (1001m) must be at most the limit (1)']);
  });

  test('fails when a claim template requests no storage at all', () => {
    expect(problemsAfter('StatefulSet', sts => {
      sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '0';
    })).toEqual(['StatefulSet/db: spec.volumeClaimTemplates[0].spec.resources.requests.storage must be a quantity greater than zero (got "0")']);
  });

  test('fails when a PersistentVolumeClaim has no storage request', () => {
    expect(problemsAfter('PersistentVolumeClaim', pvc => {
      delete pvc.spec.resources.requests.storage;
    })).toEqual(['PersistentVolumeClaim/scratch: spec.resources.requests.storage: required']);
  });

  test('fails when a PersistentVolume has a capacity of zero or another resource', () => {
    expect(problemsAfter('PersistentVolume', pv => {
      pv.spec.capacity = { storage: '0Gi', memory: '1Gi' };
    })).toEqual([
      'PersistentVolume/data-db-0: spec.capacity.storage must be greater than zero (got "0Gi")',
      'PersistentVolume/data-db-0: spec.capacity.memory: a PersistentVolume\'s capacity holds only storage',
    ]);
  });
});

describe('int32 and ranged integers', () => {
  test('fails when replicas does not fit an int32 (schema format)', () => {
    expect(problemsAfter('StatefulSet', sts => {
      sts.spec.replicas = 2 ** 31;
    })).toEqual(['StatefulSet/db: spec.replicas: must match format "int32" (got 2147483648)']);
  });

  test.each([
    ['replicas', (sts: any) => { sts.spec.replicas = -1; }, 'spec.replicas must be at least 0 (got -1)'],
    ['revisionHistoryLimit', (sts: any) => { sts.spec.revisionHistoryLimit = -2; }, 'spec.revisionHistoryLimit must be at least 0 (got -2)'],
    ['minReadySeconds', (sts: any) => { sts.spec.minReadySeconds = -5; }, 'spec.minReadySeconds must be at least 0 (got -5)'],
  ])('fails when the StatefulSet %s is negative', (_field, breakIt, message) => {
    expect(problemsAfter('StatefulSet', breakIt)).toEqual([`StatefulSet/db: ${message}`]);
  });

  test('fails when a Deployment rolls with neither surge nor unavailability, or its deadline is not after minReadySeconds', () => {
    expect(problemsAfter('Deployment', deployment => {
      deployment.spec.strategy.rollingUpdate.maxUnavailable = '0%';
      deployment.spec.progressDeadlineSeconds = 5;
    })).toEqual([
      'Deployment/client: spec.progressDeadlineSeconds must be greater than minReadySeconds (got 5 <= 5)',
      'Deployment/client: spec.strategy.rollingUpdate: maxSurge and maxUnavailable cannot both be 0',
    ]);
  });

  test('fails when a container port is out of range', () => {
    expect(problemsAfter('StatefulSet', sts => {
      server(sts).ports[0].containerPort = 65536;
    })).toEqual(['StatefulSet/db: spec.template.spec.containers[0].ports[0].containerPort must be between 1 and 65535 (got 65536)']);
  });

  test('fails when a Service port or targetPort is out of range', () => {
    expect(problemsAfter('Service', service => {
      service.spec.ports[0].port = 0;
      service.spec.ports[1].targetPort = 70000;
    })).toEqual([
      'Service/db: spec.ports[0].port must be between 1 and 65535 (got 0)',
      'Service/db: spec.ports[1].targetPort must be between 1 and 65535 (got 70000)',
    ]);
  });

  test('fails when probe numbers are negative or a probe port is out of range', () => {
    expect(problemsAfter('StatefulSet', sts => {
      server(sts).readinessProbe.periodSeconds = -1;
      server(sts).livenessProbe.httpGet.port = 0;
      server(sts).livenessProbe.terminationGracePeriodSeconds = 0;
    })).toEqual([
      'StatefulSet/db: spec.template.spec.containers[0].livenessProbe.httpGet.port must be between 1 and 65535 (got 0)',
      'StatefulSet/db: spec.template.spec.containers[0].livenessProbe.terminationGracePeriodSeconds must be greater than 0 (got 0)',
      'StatefulSet/db: spec.template.spec.containers[0].readinessProbe.periodSeconds must be at least 0 (got -1)',
    ]);
  });

  test('fails when a readiness probe sets terminationGracePeriodSeconds', () => {
    expect(problemsAfter('StatefulSet', sts => {
      server(sts).readinessProbe.terminationGracePeriodSeconds = 10;
    })).toEqual(['StatefulSet/db: spec.template.spec.containers[0].readinessProbe.terminationGracePeriodSeconds must not be set on a readiness probe']);
  });

  test('fails when a user or group id is not a Unix id', () => {
    expect(problemsAfter('StatefulSet', sts => {
      pod(sts).securityContext.fsGroup = -1;
      server(sts).securityContext.runAsUser = 2 ** 32;
    })).toEqual([
      'StatefulSet/db: spec.template.spec.securityContext.fsGroup must be between 0 and 4294967295 (got -1)',
      'StatefulSet/db: spec.template.spec.containers[0].securityContext.runAsUser must be between 0 and 4294967295 (got 4294967296)',
    ]);
  });

  test('fails when a pod deadline is 0', () => {
    expect(problemsAfter('StatefulSet', sts => {
      pod(sts).activeDeadlineSeconds = 0;
    })).toEqual(['StatefulSet/db: spec.template.spec.activeDeadlineSeconds must be between 1 and 2147483647 (got 0)']);
  });

  test.each([
    [-1, 'spec.maxUnavailable must be an integer of at least 0 (got -1)'],
    ['101%', 'spec.maxUnavailable must not be more than 100% (got "101%")'],
    ['half', 'spec.maxUnavailable must be an integer or a percentage such as "50%" (got "half")'],
  ])('fails when a PodDisruptionBudget maxUnavailable is %p', (value, message) => {
    expect(problemsAfter('PodDisruptionBudget', pdb => {
      pdb.spec.maxUnavailable = value;
    })).toEqual([`PodDisruptionBudget/db: ${message}`]);
  });

  test('fails when a NetworkPolicy port is out of range or its endPort is below it', () => {
    expect(problemsAfter('NetworkPolicy', policy => {
      policy.spec.ingress[0].ports[1].endPort = 33000;
      policy.spec.ingress[0].ports[0].port = 0;
    })).toEqual([
      'NetworkPolicy/db: spec.ingress[0].ports[0].port must be between 1 and 65535 (got 0)',
      'NetworkPolicy/db: spec.ingress[0].ports[1].endPort must be at least the port (got 33000 < 33060)',
    ]);
  });
});

describe('names', () => {
  test('fails when a Service name starts with a digit (DNS-1035)', () => {
    const objects = validObjects();
    objects[1].metadata.name = '1db';
    objects[0].spec.serviceName = '1db';
    expect(validateManifests(objects)).toEqual([
      'Service/1db: metadata.name must be a DNS-1035 label (a DNS-1123 label that starts with a letter) (got "1db")',
    ]);
  });

  test('a StatefulSet may start with a digit (DNS-1123 label)', () => {
    const objects = validObjects();
    objects[0].metadata.name = '1db';
    expect(validateManifests(objects)).toEqual([]);
  });

  test('fails when a container port name is not an IANA service name', () => {
    expect(problemsAfter('StatefulSet', sts => {
      server(sts).ports[0].name = 'my--sql';
    })).toEqual(['StatefulSet/db: spec.template.spec.containers[0].ports[0].name must be an IANA service name (at most 15 lower-case letters, digits and \'-\', with a letter, no \'--\') (got "my--sql")']);
  });

  test('fails when a Service port name is not a DNS-1123 label', () => {
    expect(problemsAfter('Service', service => {
      service.spec.ports[0].name = 'MySQL';
    })).toEqual(['Service/db: spec.ports[0].name must be a DNS-1123 label (lower-case letters, digits and \'-\', starting and ending with a letter or digit) (got "MySQL")']);
  });

  test('fails when a Service repeats a port on the same protocol', () => {
    expect(problemsAfter('Service', service => {
      service.spec.ports[1].protocol = 'TCP';
    })).toEqual(['Service/db: spec.ports: port 3306/TCP is used more than once']);
  });

  test('fails when a secretKeyRef names no DNS subdomain or a configMapKeyRef key is not a config key', () => {
    expect(problemsAfter('StatefulSet', sts => {
      server(sts).env[0].valueFrom.secretKeyRef.name = 'DB_auth';
      server(sts).env[1].valueFrom.configMapKeyRef.key = 'my.cnf/extra';
    })).toEqual([
      'StatefulSet/db: spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name must be a DNS-1123 subdomain (dot-separated DNS labels, at most 253 characters) (got "DB_auth")',
      'StatefulSet/db: spec.template.spec.containers[0].env[1].valueFrom.configMapKeyRef.key: key must be at most 253 letters, digits, \'-\', \'_\' or \'.\' (and not \'.\' or \'..\')',
    ]);
  });

  test('fails when a config key starts with ".."', () => {
    expect(problemsAfter('ConfigMap', configMap => {
      configMap.data['..data'] = 'x';
    })).toEqual(['ConfigMap/db-config: data["..data"]: key must not start with \'..\' (got "..data")']);
  });

  test('fails when a StorageClass provisioner is not a qualified name', () => {
    expect(problemsAfter('StorageClass', storageClass => {
      storageClass.provisioner = 'nfs subdir';
    })).toEqual(['StorageClass/fast.ssd: provisioner must be a qualified name ([DNS-subdomain prefix/]name of at most 63 letters, digits, \'-\', \'_\' or \'.\') (got "nfs subdir")']);
  });

  test('a StorageClass provisioner is checked lower-cased, as validateProvisioner does', () => {
    const objects = validObjects();
    objects.find(object => object.kind === 'StorageClass').provisioner = 'Example.COM/NFS';
    expect(validateManifests(objects)).toEqual([]);
  });
});

describe('labels and selectors everywhere', () => {
  test('fails when a label key has two slashes or an empty prefix', () => {
    expect(problemsAfter('StatefulSet', sts => {
      sts.metadata.labels['a/b/c'] = 'x';
      sts.metadata.labels['/name'] = 'x';
    })).toEqual([
      'StatefulSet/db: metadata.labels key "a/b/c" must be a qualified name ([prefix/]name) with at most one \'/\'',
      'StatefulSet/db: metadata.labels key prefix of "/name" must be a DNS-1123 subdomain (dot-separated DNS labels, at most 253 characters) (got "")',
    ]);
  });

  test('fails when a matchExpression has a bad operator, values where none belong, or a bad value', () => {
    expect(problemsAfter('PodDisruptionBudget', pdb => {
      pdb.spec.selector.matchExpressions = [
        { key: 'tier', operator: 'In', values: ['db', '-db'] },
        { key: 'tier', operator: 'Exists', values: ['x'] },
        { key: 'tier', operator: 'Equals', values: ['x'] },
      ];
    })).toEqual([
      'PodDisruptionBudget/db: spec.selector.matchExpressions[0].values[1] must be at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit (got "-db")',
      'PodDisruptionBudget/db: spec.selector.matchExpressions[1].values: must be empty when the operator is Exists',
      'PodDisruptionBudget/db: spec.selector.matchExpressions[2].operator must be one of In, NotIn, Exists, DoesNotExist (got "Equals")',
    ]);
  });

  test('fails when an In expression of a workload selector has no values', () => {
    const problems = problemsAfter('StatefulSet', sts => {
      sts.spec.selector.matchExpressions[0].values = [];
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toBe('StatefulSet/db: spec.selector.matchExpressions[0].values: required when the operator is In');
    expect(problems[1]).toMatch(/^StatefulSet\/db: spec\.selector: does not match spec\.template\.metadata\.labels /);
  });

  test('fails when a nodeSelector key or value is not label syntax', () => {
    expect(problemsAfter('StatefulSet', sts => {
      pod(sts).nodeSelector = { 'disk type': 'ssd', 'zone': 'eu west' };
    })).toEqual([
      'StatefulSet/db: spec.template.spec.nodeSelector key "disk type" must have a name part of at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit',
      'StatefulSet/db: spec.template.spec.nodeSelector["zone"] must be at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit (got "eu west")',
    ]);
  });

  test('fails when a topology spread constraint has a bad key, skew, minDomains or selector, or repeats', () => {
    expect(problemsAfter('StatefulSet', sts => {
      const constraint = pod(sts).topologySpreadConstraints[0];
      constraint.whenUnsatisfiable = 'ScheduleAnyway';
      constraint.labelSelector.matchLabels['app.kubernetes.io/name'] = 'x'.repeat(64);
      pod(sts).topologySpreadConstraints.push({ maxSkew: 0, topologyKey: 'zone/', whenUnsatisfiable: 'DoNotSchedule' });
      pod(sts).topologySpreadConstraints.push({ maxSkew: 1, topologyKey: 'zone/', whenUnsatisfiable: 'DoNotSchedule' });
    })).toEqual([
      'StatefulSet/db: spec.template.spec.topologySpreadConstraints[0].minDomains requires whenUnsatisfiable DoNotSchedule (got "ScheduleAnyway")',
      `StatefulSet/db: spec.template.spec.topologySpreadConstraints[0].labelSelector.matchLabels["app.kubernetes.io/name"] must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got "${'x'.repeat(64)}")`,
      'StatefulSet/db: spec.template.spec.topologySpreadConstraints[1].maxSkew must be greater than zero (got 0)',
      'StatefulSet/db: spec.template.spec.topologySpreadConstraints[1].topologyKey key "zone/" must have a name part of at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit',
      'StatefulSet/db: spec.template.spec.topologySpreadConstraints[2].topologyKey key "zone/" must have a name part of at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit',
      'StatefulSet/db: spec.template.spec.topologySpreadConstraints: topologyKey and whenUnsatisfiable "zone//DoNotSchedule" are used more than once',
    ]);
  });

  test('fails when affinity has an empty topologyKey, a bad weight or a bad node requirement', () => {
    expect(problemsAfter('StatefulSet', sts => {
      const affinity = pod(sts).affinity;
      affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight = 101;
      affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey = '';
      affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions.push(
        { key: 'cpu-count', operator: 'Gt', values: ['4', '8'] });
    })).toEqual([
      'StatefulSet/db: spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1].values: exactly one value is required when the operator is Gt',
      'StatefulSet/db: spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight must be between 1 and 100 (got 101)',
      'StatefulSet/db: spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey: required (got "")',
    ]);
  });

  test('fails when a PodDisruptionBudget or NetworkPolicy selector has a bad label', () => {
    expect(problemsAfter('PodDisruptionBudget', pdb => {
      pdb.spec.selector.matchLabels = { 'app.kubernetes.io/name': 'db!' };
    })).toEqual(['PodDisruptionBudget/db: spec.selector.matchLabels["app.kubernetes.io/name"] must be at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit (got "db!")']);
    expect(problemsAfter('NetworkPolicy', policy => {
      policy.spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].key = 'team name';
    })).toEqual(['NetworkPolicy/db: spec.ingress[0].from[0].namespaceSelector.matchExpressions[0] key "team name" must have a name part of at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit']);
  });
});

describe('tolerations', () => {
  const toleration = (breakIt: (tolerations: any[]) => void) => problemsAfter('StatefulSet', sts => breakIt(pod(sts).tolerations));
  const at = 'StatefulSet/db: spec.template.spec.tolerations';

  test('fails when a key is not a qualified name', () => {
    expect(toleration(t => { t[0].key = 'dedicated node'; }))
      .toEqual([`${at}[0].key key "dedicated node" must have a name part of at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`]);
  });

  test('fails when the key is empty and the operator is not Exists', () => {
    expect(toleration(t => { t[2].operator = 'Equal'; })).toEqual([`${at}[2].operator must be Exists when the key is empty (got "Equal")`]);
  });

  test('fails when the operator is neither Exists nor Equal (schema enum)', () => {
    expect(toleration(t => { t[0].operator = 'In'; })).toEqual([`${at}[0].operator: must be one of "Equal", "Exists", "" (got "In")`]);
  });

  test('an empty operator (Equal) and an empty effect (every effect) pass', () => {
    const objects = validObjects();
    objects[0].spec.template.spec.tolerations[0] = { key: 'dedicated', operator: '', value: 'db', effect: '' };
    expect(validateManifests(objects)).toEqual([]);
  });

  test('fails when Exists has a value', () => {
    expect(toleration(t => { t[1].value = 'true'; })).toEqual([`${at}[1].value must be empty when the operator is Exists (got "true")`]);
  });

  test('fails when an Equal value is not a label value', () => {
    expect(toleration(t => { t[0].value = 'db only'; }))
      .toEqual([`${at}[0].value must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got "db only")`]);
  });

  test('fails when the effect is unknown (schema enum)', () => {
    expect(toleration(t => { t[0].effect = 'NoScheduling'; }))
      .toEqual([`${at}[0].effect: must be one of "NoExecute", "NoSchedule", "PreferNoSchedule", "" (got "NoScheduling")`]);
  });

  test('fails when tolerationSeconds comes without NoExecute', () => {
    expect(toleration(t => { t[1].effect = 'NoSchedule'; })).toEqual([`${at}[1].tolerationSeconds requires effect NoExecute (got effect "NoSchedule")`]);
  });
});

describe('access modes', () => {
  test('fails when a string is spread into its letters', () => {
    const problems = problemsAfter('StatefulSet', sts => {
      sts.spec.volumeClaimTemplates[0].spec.accessModes = [...'RWO'];
    });
    expect(problems).toEqual(['R', 'W', 'O'].map(letter =>
      `StatefulSet/db: spec.volumeClaimTemplates[0].spec.accessModes: "${letter}" is not an access mode (expected ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod)`));
  });

  test('fails when ReadWriteOncePod is combined with another mode', () => {
    expect(problemsAfter('PersistentVolumeClaim', pvc => {
      pvc.spec.accessModes.push('ReadOnlyMany');
    })).toEqual(['PersistentVolumeClaim/scratch: spec.accessModes: ReadWriteOncePod cannot be combined with other access modes']);
  });

  test('fails when a PersistentVolume has an unknown access mode', () => {
    expect(problemsAfter('PersistentVolume', pv => {
      pv.spec.accessModes = ['ReadWriteAll'];
    })).toEqual(['PersistentVolume/data-db-0: spec.accessModes: "ReadWriteAll" is not an access mode (expected ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod)']);
  });

  test('a mode listed twice passes, as the API server lets it', () => {
    const objects = validObjects();
    objects[0].spec.volumeClaimTemplates[0].spec.accessModes = ['ReadWriteOnce', 'ReadWriteOnce'];
    expect(validateManifests(objects)).toEqual([]);
  });
});
