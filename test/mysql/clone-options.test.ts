import { Duration, Size, Testing } from 'cdk8s';
import { CloneCompression, MySqlEngine, StatefulMySQL, StatefulMySQLProps } from '../../lib';
import { container, envValue, find, KubeObject, synth } from '../support/objects';

function cluster(props: StatefulMySQLProps = {}): KubeObject[] {
  const chart = Testing.chart();
  new StatefulMySQL(chart, 'mysql', props);
  return synth(chart);
}

function podSpec(objects: KubeObject[]): any {
  return find(objects, 'StatefulSet', 'mysql').spec.template.spec;
}

function env(objects: KubeObject[], containerName: string, name: string): string | undefined {
  return envValue(container(podSpec(objects), containerName), name);
}

function replicaCnf(props: StatefulMySQLProps): string {
  return find(cluster(props), 'ConfigMap', 'mysql-config').data['replica.cnf'];
}

describe('clone options', () => {
  test('defaults reach the clone init container and the sidecar', () => {
    const objects = cluster();
    expect(env(objects, 'clone-data', 'CLONE_PARALLEL')).toBe('4');
    expect(env(objects, 'clone-data', 'PREPARE_MEMORY')).toBe('256M');
    expect(env(objects, 'replication', 'CLONE_PARALLEL')).toBe('4');
    expect(env(objects, 'replication', 'CLONE_COMPRESSION')).toBe('none');
    expect(env(objects, 'replication', 'CLONE_SOURCE_MAX_LAG_SECONDS')).toBe('60');
  });

  test('set values reach the containers that use them', () => {
    const objects = cluster({
      clone: { parallelThreads: 8, compression: CloneCompression.ZSTD, prepareMemory: Size.mebibytes(512), maxSourceLag: Duration.seconds(30) },
    });
    // The receiver unpacks with the same threads and prepares with the memory.
    expect(env(objects, 'clone-data', 'CLONE_PARALLEL')).toBe('8');
    expect(env(objects, 'clone-data', 'PREPARE_MEMORY')).toBe('512M');
    // The source decides the copy threads, the compression and whether it may serve.
    expect(env(objects, 'replication', 'CLONE_PARALLEL')).toBe('8');
    expect(env(objects, 'replication', 'CLONE_COMPRESSION')).toBe('zstd');
    expect(env(objects, 'replication', 'CLONE_SOURCE_MAX_LAG_SECONDS')).toBe('30');
    expect(env(objects, 'clone-data', 'CLONE_COMPRESSION')).toBe('zstd');
  });

  test('the redo log copy interval is shortened for mariadb-backup only', () => {
    expect(env(cluster({ engine: MySqlEngine.mariadb1011() }), 'replication', 'BACKUP_LOG_COPY_INTERVAL_MS')).toBe('100');
    expect(env(cluster({ engine: MySqlEngine.mariadb114() }), 'replication', 'BACKUP_LOG_COPY_INTERVAL_MS')).toBe('100');
    expect(env(cluster({ engine: MySqlEngine.mysql84() }), 'replication', 'BACKUP_LOG_COPY_INTERVAL_MS')).toBeUndefined();
  });

  test('prepare memory is written in the backup tool\'s units', () => {
    expect(env(cluster({ clone: { prepareMemory: Size.gibibytes(0.5) } }), 'clone-data', 'PREPARE_MEMORY')).toBe('512M');
  });

  test('fails when parallelThreads is not an integer between 1 and 64', () => {
    expect(() => cluster({ clone: { parallelThreads: 0 } })).toThrow('clone.parallelThreads must be an integer between 1 and 64 (got 0)');
    expect(() => cluster({ clone: { parallelThreads: 2.5 } })).toThrow('clone.parallelThreads must be an integer between 1 and 64 (got 2.5)');
  });

  test('fails when compression is not a CloneCompression', () => {
    expect(() => cluster({ clone: { compression: 'gzip' as CloneCompression } }))
      .toThrow('clone.compression must be one of "none", "zstd", "lz4" (got "gzip")');
  });

  test('both ends of a clone get the compression: the source to compress, the receiver to say what it accepts', () => {
    const objects = cluster({ engine: MySqlEngine.mysql84(), clone: { compression: CloneCompression.LZ4 } });
    expect(env(objects, 'clone-data', 'CLONE_COMPRESSION')).toBe('lz4');
    expect(env(objects, 'replication', 'CLONE_COMPRESSION')).toBe('lz4');
  });

  test('fails when the compression tool is not in the pinned backup image', () => {
    // The official mariadb images ship the lz4 library, not its command.
    expect(() => cluster({ engine: MySqlEngine.mariadb1011(), clone: { compression: CloneCompression.LZ4 } }))
      .toThrow('clone.compression LZ4 needs the lz4 command in the backup image, and mariadb:10.11.19 does not ship it (see lib/mysql/engine/image-inventory.ts); choose another compression or a backup image with lz4 (got "lz4")');
    expect(() => cluster({ engine: MySqlEngine.mysql57Legacy(), clone: { compression: CloneCompression.ZSTD } }))
      .toThrow('clone.compression ZSTD needs the zstd command in the backup image, and percona/percona-xtradb-cluster:5.7.44-31.65 does not ship it');
    // An image the library does not pin is the user's to vouch for.
    const custom = cluster({ engine: MySqlEngine.mariadb1011({ backupImage: 'registry.example/mariadb-tools:10.11.19' }), clone: { compression: CloneCompression.LZ4 } });
    expect(env(custom, 'replication', 'CLONE_COMPRESSION')).toBe('lz4');
  });

  test('fails when prepareMemory is too small or not whole mebibytes', () => {
    expect(() => cluster({ clone: { prepareMemory: Size.mebibytes(8) } }))
      .toThrow('clone.prepareMemory must be a whole number of mebibytes, at least Size.mebibytes(16) (got 8Mi)');
    expect(() => cluster({ clone: { prepareMemory: Size.kibibytes(100_000) } }))
      .toThrow('clone.prepareMemory must be a whole number of mebibytes, at least Size.mebibytes(16) (got 100000Ki)');
  });

  test('fails when prepareMemory does not fit under the clone container\'s memory limit', () => {
    expect(() => cluster({ clone: { prepareMemory: Size.gibibytes(1) } }))
      .toThrow('clone.prepareMemory must be below the clone container\'s memory limit (resources.sidecar.memoryLimit 1Gi), or the prepare is OOM-killed (got 1Gi)');
    const bigger = cluster({
      clone: { prepareMemory: Size.gibibytes(1) },
      resources: { sidecar: { memoryRequest: Size.gibibytes(1), memoryLimit: Size.gibibytes(2) } },
    });
    expect(env(bigger, 'clone-data', 'PREPARE_MEMORY')).toBe('1024M');
  });

  test('fails when maxSourceLag is not whole seconds', () => {
    expect(() => cluster({ clone: { maxSourceLag: Duration.millis(1500) } }))
      .toThrow('clone.maxSourceLag must be a whole number of seconds, 0 or more (got 1 second 500 millis)');
  });
});

describe('replica applier threads', () => {
  test('default: 4 optimistic parallel appliers on MariaDB', () => {
    const cnf = replicaCnf({ engine: MySqlEngine.mariadb1011() });
    expect(cnf).toContain('# Parallel appliers (replicaApplierThreads = 4)\n[mysqld]\nslave_parallel_threads = 4\nslave_parallel_mode = optimistic\n');
  });

  test('rendered per engine family and version', () => {
    expect(replicaCnf({ engine: MySqlEngine.mysql84(), replicaApplierThreads: 8 }))
      .toContain('replica_parallel_workers = 8\nreplica_preserve_commit_order = ON\n');
    expect(replicaCnf({ engine: MySqlEngine.mysql80(), replicaApplierThreads: 2 }))
      .toContain('replica_parallel_workers = 2\nreplica_preserve_commit_order = ON\n');
    expect(replicaCnf({ engine: MySqlEngine.mysql57Legacy(), replicaApplierThreads: 4 }))
      .toContain('slave_parallel_workers = 4\nslave_parallel_type = LOGICAL_CLOCK\nslave_preserve_commit_order = ON\n');
    expect(replicaCnf({ engine: MySqlEngine.mariadb114(), replicaApplierThreads: 16 }))
      .toContain('slave_parallel_threads = 16\nslave_parallel_mode = optimistic\n');
  });

  test('0 applies one transaction at a time', () => {
    expect(replicaCnf({ engine: MySqlEngine.mariadb1011(), replicaApplierThreads: 0 })).toContain('slave_parallel_threads = 0\n');
    expect(replicaCnf({ engine: MySqlEngine.mariadb1011(), replicaApplierThreads: 0 })).not.toContain('slave_parallel_mode');
    expect(replicaCnf({ engine: MySqlEngine.mysql84(), replicaApplierThreads: 0 })).toContain('replica_parallel_workers = 0\n');
  });

  test('only replicas get the appliers, and only through replicaApplierThreads', () => {
    const objects = cluster({ replicaApplierThreads: 2, engine: MySqlEngine.mariadb1011() });
    const data = find(objects, 'ConfigMap', 'mysql-config').data;
    expect(data['primary.cnf']).not.toContain('parallel');
    expect(data['replica.cnf']).toContain('slave_parallel_threads = 2\n');
    for (const name of ['slave_parallel_threads', 'slave-parallel-workers', 'replica_parallel_workers', 'loose-replica_preserve_commit_order']) {
      expect(() => cluster({ replicaSettings: { [name]: '2' }, engine: MySqlEngine.mariadb1011() }))
        .toThrow(`replicaSettings: "${name}"`);
    }
    expect(() => cluster({ replicaSettings: { slave_parallel_threads: '2' } }))
      .toThrow('may not be overridden: the parallel appliers are set by replicaApplierThreads');
  });

  test('fails when replicaApplierThreads is not an integer between 0 and 256', () => {
    expect(() => cluster({ replicaApplierThreads: -1 })).toThrow('replicaApplierThreads must be an integer between 0 and 256 (got -1)');
    expect(() => cluster({ replicaApplierThreads: 300 })).toThrow('replicaApplierThreads must be an integer between 0 and 256 (got 300)');
  });
});
