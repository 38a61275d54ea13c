import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ClaimRetention, HostPathPersistentVolumes, Spread, StatefulMySQL, StatefulMySQLProps, TaintEffect, VolumePermissions } from '../../lib';
import { allOfKind, find, KubeObject, selects, synth } from '../support/objects';

function cluster(props: StatefulMySQLProps = {}): { objects: KubeObject[]; db: StatefulMySQL } {
  const chart = Testing.chart();
  const db = new StatefulMySQL(chart, 'mysql', props);
  return { objects: synth(chart), db };
}

function pod(objects: KubeObject[]): any {
  return find(objects, 'StatefulSet', 'mysql').spec.template;
}

describe('StatefulMySQL availability, placement and access', () => {
  test('a PodDisruptionBudget lets one member go at a time', () => {
    const { objects } = cluster();
    const pdb = find(objects, 'PodDisruptionBudget', 'mysql');
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.minAvailable).toBeUndefined();
    expect(selects(pdb.spec.selector.matchLabels, pod(objects).metadata.labels)).toBe(true);
    expect(allOfKind(cluster({ disruptionBudget: false }).objects, 'PodDisruptionBudget')).toEqual([]);
  });

  test('members prefer distinct nodes by default', () => {
    const { objects } = cluster();
    const preferred = pod(objects).spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
    expect(preferred).toHaveLength(1);
    expect(preferred[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    expect(selects(preferred[0].podAffinityTerm.labelSelector.matchLabels, pod(objects).metadata.labels)).toBe(true);
  });

  test('spreading can be required, by another topology key, or turned off', () => {
    const required = pod(cluster({ scheduling: { spread: Spread.required({ topologyKey: 'topology.kubernetes.io/zone' }) } }).objects)
      .spec.affinity.podAntiAffinity;
    expect(required.preferredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(required.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('topology.kubernetes.io/zone');
    expect(pod(cluster({ scheduling: { spread: Spread.none() } }).objects).spec.affinity).toBeUndefined();
    expect(pod(cluster({ scheduling: { spread: Spread.preferred({ topologyKey: 'rack' }) } }).objects)
      .spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('rack');
  });

  test('priority class, node selector and tolerations pass through', () => {
    const spec = pod(cluster({
      scheduling: {
        priorityClassName: 'databases',
        nodeSelector: { 'node-role/db': 'true' },
        tolerations: [
          { key: 'dedicated', value: 'db', effect: TaintEffect.NO_SCHEDULE },
          { key: 'node.kubernetes.io/unreachable', exists: true, effect: TaintEffect.NO_EXECUTE, tolerationSeconds: 30 },
        ],
      },
    }).objects).spec;
    expect(spec.priorityClassName).toBe('databases');
    expect(spec.nodeSelector).toEqual({ 'node-role/db': 'true' });
    expect(spec.tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
    ]);
  });

  test('claims are retained by default; the retention policy is configurable', () => {
    expect(find(cluster().objects, 'StatefulSet', 'mysql').spec.persistentVolumeClaimRetentionPolicy)
      .toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(find(cluster({ claimRetention: { whenScaled: ClaimRetention.DELETE } }).objects, 'StatefulSet', 'mysql').spec.persistentVolumeClaimRetentionPolicy)
      .toEqual({ whenDeleted: 'Retain', whenScaled: 'Delete' });
  });

  test('NetworkPolicy: backup port only between members, database port from members and clients', () => {
    const { objects } = cluster();
    const policy = find(objects, 'NetworkPolicy', 'mysql');
    const memberLabels = pod(objects).metadata.labels;
    expect(selects(policy.spec.podSelector.matchLabels, memberLabels)).toBe(true);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    const [members, clients] = policy.spec.ingress;
    expect(selects(members.from[0].podSelector.matchLabels, memberLabels)).toBe(true);
    expect(members.ports.map((p: any) => p.port).sort()).toEqual([3306, 3307]);
    expect(clients.ports).toEqual([{ protocol: 'TCP', port: 3306 }]);
    // `{}` as the API server keeps it: an empty matchLabels would make every re-apply a change.
    expect(clients.from).toEqual([{ podSelector: {} }]);
    expect(policy.spec.ingress.filter((rule: any) => rule.ports.some((p: any) => p.port === 3307))).toHaveLength(1);
  });

  test('clients can be restricted at construction and added later', () => {
    const chart = Testing.chart();
    const db = new StatefulMySQL(chart, 'mysql', { networkAccess: { clients: [{ podLabels: { app: 'shop' } }] } });
    db.allowClients({ podLabels: { app: 'reports' }, namespaceLabels: { team: 'bi' } });
    const rule = find(synth(chart), 'NetworkPolicy', 'mysql').spec.ingress[1];
    expect(rule.from).toEqual([
      { podSelector: { matchLabels: { app: 'shop' } } },
      { podSelector: { matchLabels: { app: 'reports' } }, namespaceSelector: { matchLabels: { team: 'bi' } } },
    ]);
    const onlyMembers = find(cluster({ networkAccess: { clients: [] } }).objects, 'NetworkPolicy', 'mysql');
    expect(onlyMembers.spec.ingress).toHaveLength(1);
    expect(allOfKind(cluster({ networkAccess: { enabled: false } }).objects, 'NetworkPolicy')).toEqual([]);
  });

  test('connect() gives an application container write/read hosts, port and its account from a Secret', () => {
    const chart = Testing.chart();
    const db = new StatefulMySQL(chart, 'mysql', { namespace: 'shop' });
    const app = new kplus.Deployment(chart, 'App', { containers: [{ image: 'shop:1.0', name: 'web', portNumber: 8080 }] });
    const account = kplus.Secret.fromSecretName(chart, 'AppAccount', 'shop-db-account');
    db.connect(app, { secretName: account.name });
    const deployment = allOfKind(synth(chart), 'Deployment')[0];
    const env = deployment.spec.template.spec.containers[0].env;
    expect(env).toEqual(expect.arrayContaining([
      { name: 'MYSQL_HOST', value: 'mysql-primary.shop.svc.cluster.local' },
      { name: 'MYSQL_READ_HOST', value: 'mysql-read.shop.svc.cluster.local' },
      { name: 'MYSQL_PORT', value: '3306' },
      { name: 'MYSQL_USER', valueFrom: { secretKeyRef: { name: 'shop-db-account', key: 'username' } } },
      { name: 'MYSQL_PASSWORD', valueFrom: { secretKeyRef: { name: 'shop-db-account', key: 'password' } } },
    ]));
  });

  test('clientEnv() gives the same for L1 pod specs, with a custom prefix and keys', () => {
    const chart = Testing.chart();
    const db = new StatefulMySQL(chart, 'mysql');
    expect(db.clientEnv({ secretName: 'acct', envPrefix: 'DB_', userKey: 'user', passwordKey: 'pass' })).toEqual([
      { name: 'DB_HOST', value: 'mysql-primary.default.svc.cluster.local' },
      { name: 'DB_READ_HOST', value: 'mysql-read.default.svc.cluster.local' },
      { name: 'DB_PORT', value: '3306' },
      { name: 'DB_USER', valueFrom: { secretKeyRef: { name: 'acct', key: 'user' } } },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'acct', key: 'pass' } } },
    ]);
  });

  test('no container of the synthesized app carries a secret on its command line', () => {
    const chart = Testing.chart();
    const db = new StatefulMySQL(chart, 'mysql');
    const app = new kplus.Deployment(chart, 'App', { containers: [{ image: 'shop:1.0', portNumber: 8080 }] });
    db.connect(app, { secretName: 'acct' });
    for (const object of synth(chart)) {
      const spec = object.spec?.template?.spec;
      for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
        const argv = [...(c.command ?? []), ...(c.args ?? [])].join(' ');
        expect(argv).not.toMatch(/passw|secret|IDENTIFIED/i);
        for (const e of c.env ?? []) {
          // Every variable that holds a password (not ALLOW_EMPTY_*, REPLICATION_PASSWORD_MAX_BYTES).
          if (/PASSWORD$/.test(e.name) && !/ALLOW_EMPTY/.test(e.name)) {
            expect(e.valueFrom?.secretKeyRef?.key).toBeDefined();
          }
        }
      }
    }
  });

  test('fails when a toleration is contradictory', () => {
    expect(() => cluster({ scheduling: { tolerations: [{ key: 'a', exists: true, value: 'b' }] } }))
      .toThrow('tolerations[0]: value must be unset when exists is true (got "b")');
    expect(() => cluster({ scheduling: { tolerations: [{ value: 'b' }] } }))
      .toThrow('tolerations[0]: key is required unless exists is true (got undefined)');
    expect(() => cluster({ scheduling: { tolerations: [{ key: 'a', tolerationSeconds: 5, effect: TaintEffect.NO_SCHEDULE }] } }))
      .toThrow('tolerations[0]: tolerationSeconds applies only to effect NoExecute (got effect NoSchedule)');
  });

  test('fails when the priority class name is invalid', () => {
    expect(() => cluster({ scheduling: { priorityClassName: 'High Priority' } })).toThrow('priorityClassName must be a DNS-1123 subdomain');
  });

  test('fails when clients are added with the NetworkPolicy disabled', () => {
    const { db } = cluster({ networkAccess: { enabled: false } });
    expect(() => db.allowClients({ podLabels: { app: 'x' } }))
      .toThrow('allowClients needs the NetworkPolicy, but networkAccess.enabled is false for "mysql"');
  });

  test('connect() finds the container by name in a workload with several, init containers included', () => {
    const chart = Testing.chart();
    const db = new StatefulMySQL(chart, 'mysql');
    const job = new kplus.Job(chart, 'Migrate', { containers: [{ name: 'wait', image: 'busybox:1' }, { name: 'migrate', image: 'shop:1.0' }] });
    db.connect(job, { secretName: 'acct' }, { containerName: 'migrate' });
    const spec = allOfKind(synth(chart), 'Job')[0].spec.template.spec;
    expect(spec.containers.find((c: any) => c.name === 'migrate').env.map((e: any) => e.name)).toEqual(['MYSQL_HOST', 'MYSQL_READ_HOST', 'MYSQL_PORT', 'MYSQL_USER', 'MYSQL_PASSWORD']);
    expect(spec.containers.find((c: any) => c.name === 'wait').env).toBeUndefined();
  });

  test('fails when connect() gets a workload it cannot read or cannot tell its container', () => {
    const chart = Testing.chart();
    const db = new StatefulMySQL(chart, 'mysql');
    const job = new kplus.Job(chart, 'Migrate', { containers: [{ name: 'wait', image: 'busybox:1' }, { name: 'migrate', image: 'shop:1.0' }] });
    expect(() => db.connect(job, { secretName: 'acct' }))
      .toThrow('connect() needs containerName when "test/Migrate" has other than one container (it has "wait", "migrate")');
    expect(() => db.connect(job, { secretName: 'acct' }, { containerName: 'web' }))
      .toThrow('connect() needs a container of "test/Migrate" ("wait", "migrate") (got "web")');
    const l1 = new ApiObject(chart, 'L1', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'l1' } });
    expect(() => db.connect(l1, { secretName: 'acct' }))
      .toThrow('connect() needs a cdk8s-plus workload (Deployment, StatefulSet, Job …) of any version (got "test/L1"); for an L1 pod spec put the cluster\'s clientEnv(account) in the container\'s env');
  });

  test('fails when the env prefix is not an environment variable prefix', () => {
    const chart = Testing.chart();
    const db = new StatefulMySQL(chart, 'mysql');
    expect(() => db.clientEnv({ secretName: 'a', envPrefix: 'db-' }))
      .toThrow('envPrefix must be upper-case letters, digits and \'_\', not starting with a digit (got "db-")');
  });

  test('fails when the account names no Secret, or a key that cannot be a Secret key', () => {
    const db = new StatefulMySQL(Testing.chart(), 'mysql');
    expect(() => db.clientEnv({ secretName: '' })).toThrow('client account secretName must be a DNS-1123 subdomain: dot-separated DNS labels, at most 253 characters (got "")');
    expect(() => db.clientEnv({ secretName: 'a', passwordKey: 'pass word' }))
      .toThrow('passwordKey must be a Secret key of letters, digits, \'-\', \'_\' or \'.\', at most 253 characters (got "pass word")');
    expect(() => db.clientEnv({ secretName: 'a', userKey: 'u'.repeat(254) })).toThrow('userKey must be a Secret key');
  });
});

describe('StatefulMySQL on hostPath volumes', () => {
  function onHostPath(volumePermissions?: VolumePermissions): Chart {
    const chart = Testing.chart();
    const mysql = new StatefulMySQL(chart, 'mysql', { storage: { storageClassName: 'manual', volumePermissions } });
    new HostPathPersistentVolumes(chart, 'volumes', { claims: mysql.dataClaims, basePath: '/var/local/mysql' });
    return chart;
  }

  test('fails when the server could not write the root-owned directories kubelet creates', () => {
    expect(() => Testing.synth(onHostPath())).toThrow(
      'StatefulMySQL "mysql" keeps its data on HostPathPersistentVolumes "test/volumes", whose directories kubelet creates owned by root with mode 0755, '
      + 'which the server (uid 999) cannot write; set storage: { volumePermissions: VolumePermissions.ROOT_INIT_CONTAINER } '
      + '(one init container then runs as root with CAP_CHOWN only; the namespace must allow the Pod Security "baseline" profile)');
  });

  test('VolumePermissions.ROOT_INIT_CONTAINER hands the volume to uid 999 first, as root with CAP_CHOWN only', () => {
    const objects = synth(onHostPath(VolumePermissions.ROOT_INIT_CONTAINER));
    const spec = pod(objects).spec;
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['volume-ownership', 'init-config', 'clone-data']);
    const ownership = spec.initContainers[0];
    expect(ownership.command).toEqual(['bash', '/opt/mysql-cluster/scripts/volume-ownership.sh']);
    expect(ownership.image).toBe(spec.containers.find((c: any) => c.name === 'mysql').image);
    expect(ownership.securityContext).toMatchObject({
      runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['CHOWN'] },
    });
    expect(ownership.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/mysql-volume' });
    // Every other container keeps the non-root standard.
    for (const c of [...spec.initContainers.slice(1), ...spec.containers]) {
      expect(c.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, capabilities: { drop: ['ALL'] } });
    }
  });

  test('other storage needs no root container', () => {
    const spec = pod(cluster().objects).spec;
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['init-config', 'clone-data']);
  });

  test('fails when volumePermissions is not a VolumePermissions', () => {
    expect(() => cluster({ storage: { volumePermissions: 'chmod' as VolumePermissions } }))
      .toThrow('storage.volumePermissions must be one of "fsGroup", "rootInitContainer" (got "chmod")');
  });
});
