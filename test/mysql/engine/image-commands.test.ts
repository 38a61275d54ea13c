// Every external command a container of the synthesized pod can run — its command, the
// scripts that command runs (with everything they source and run, as the bash parser in
// test/support/shell-commands.ts finds them, resolved with the container's own
// environment) and its probes — must be shipped by that container's image, as
// lib/mysql/engine/image-inventory.ts lists it from the image's build file. Checked for every flavor
// and every option that changes what runs. The same analysis writes
// docs/image-commands.md; this test fails when that file is out of date
// (UPDATE_IMAGE_DOCS=1 rewrites it).
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { Testing } from 'cdk8s';
import {
  BackupDestination, CloneCompression, MySqlCredentials, MySqlEngine, ReplicationMode, StatefulMySQL, StatefulMySQLProps, VolumePermissions,
} from '../../../lib';
import { imageCommands, imageInventory, ShippedPackage } from '../../../lib/mysql/engine/image-inventory';
import { FLAVORS } from '../../support/flavors';
import { find, synth } from '../../support/objects';
import { externalCommands, mountedScripts } from '../../support/shell-commands';

const SCRIPTS_MOUNT = '/opt/mysql-cluster/scripts';
const resolveScript = mountedScripts({ [SCRIPTS_MOUNT]: join(__dirname, '..', '..', '..', 'lib', 'mysql', 'scripts') });
const DOC = join(__dirname, '..', '..', '..', 'docs', 'image-commands.md');


/** The options that change which commands run, each on top of the defaults. */
const OPTIONS: Array<[string, StatefulMySQLProps]> = [
  ['defaults', {}],
  ['clone.compression: CloneCompression.ZSTD', { clone: { compression: CloneCompression.ZSTD } }],
  ['clone.compression: CloneCompression.LZ4', { clone: { compression: CloneCompression.LZ4 } }],
  ['replicationMode: ReplicationMode.BINLOG_POSITION', { replicationMode: ReplicationMode.BINLOG_POSITION }],
  ['storage.volumePermissions: VolumePermissions.ROOT_INIT_CONTAINER', { storage: { volumePermissions: VolumePermissions.ROOT_INIT_CONTAINER } }],
  ['credentials: MySqlCredentials.insecureEmptyPasswordsForLocalExperimentsOnly()', { credentials: MySqlCredentials.insecureEmptyPasswordsForLocalExperimentsOnly() }],
  ['backup (the CronJob\'s pod)', { backup: { schedule: '0 3 * * *', destination: BackupDestination.existingClaim('backups') } }],
  ['restore', { restore: { claimName: 'backups' } }],
  ['metrics', { metrics: { scrapers: [{}] } }],
];

/** One command a container can run, and why. */
interface Use {
  readonly container: string;
  readonly image: string;
  readonly command: string;
  /** Where it runs from: `command`, a probe, or script:line. */
  readonly from: string;
}

const analysed = new Map<string, Promise<Array<{ command: string; from: string }>>>();

/** The commands argv runs: argv[0], and a script's commands when it is `bash <our script>`. */
async function argvCommands(argv: readonly string[], env: Record<string, string>, what: string): Promise<Array<{ command: string; from: string }>> {
  const uses = [{ command: argv[0], from: what }];
  const script = argv[0] === 'bash' && argv[1] !== undefined ? resolveScript(argv[1]) : undefined;
  if (argv[0] === 'bash' && argv[1] !== undefined && !script) throw new Error(`${what}: bash runs ${argv[1]}, which is not one of the shipped scripts`);
  if (script) {
    const key = JSON.stringify([script, env]);
    if (!analysed.has(key)) {
      analysed.set(key, externalCommands(script, { env, resolveScript }).then(found =>
        found.map(u => ({ command: u.command, from: `${u.file.slice(u.file.lastIndexOf('/') + 1)}:${u.line}${u.via ? ` (${u.via})` : ''}` }))));
    }
    uses.push(...await analysed.get(key)!);
  }
  return uses;
}

/** Every command every container of the synthesized pod can run. */
async function podCommands(props: StatefulMySQLProps): Promise<Use[]> {
  const chart = Testing.chart();
  new StatefulMySQL(chart, 'mysql', props);
  const objects = synth(chart);
  const spec = find(objects, 'StatefulSet', 'mysql').spec.template.spec;
  const jobSpecs = objects.filter(o => o.kind === 'CronJob').map(o => o.spec.jobTemplate.spec.template.spec);
  const uses: Use[] = [];
  for (const c of [...spec.initContainers, ...spec.containers, ...jobSpecs.flatMap(s => s.containers)]) {
    // Values from Secrets are passwords, never commands: they stay out of the analysis.
    const env: Record<string, string> = Object.fromEntries((c.env ?? []).filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
    const inventory = imageInventory(c.image);
    if (!inventory) throw new Error(`${c.name}: image ${c.image} has no inventory in lib/mysql/engine/image-inventory.ts`);
    const entry = c.command ? [...c.command, ...(c.args ?? [])] : [...inventory.entrypoint, ...(c.args ?? inventory.cmd)];
    const runs = [
      ...await argvCommands(entry, env, c.command ? 'command' : 'image ENTRYPOINT'),
      // The official images' docker-entrypoint.sh runs its arguments (CMD, or the args) as a
      // command; another entrypoint (mysqld_exporter) takes them as its own flags.
      ...(c.command || !inventory.entrypoint[0]?.endsWith('docker-entrypoint.sh') ? [] : [{ command: (c.args ?? inventory.cmd)[0], from: 'image CMD' }]),
    ];
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      if (c[probe]?.exec) runs.push(...await argvCommands(c[probe].exec.command, env, probe));
    }
    for (const run of runs) uses.push({ container: c.name, image: c.image, ...run });
  }
  return uses;
}

/** The package of an image that ships a command (a path counts by its file name). */
function shippedBy(image: string, command: string): ShippedPackage | undefined {
  const name = command.slice(command.lastIndexOf('/') + 1);
  return imageInventory(image)?.packages.find(p => p.commands.includes(name));
}

describe('every command a container can run is shipped by its image', () => {
  test.each(FLAVORS)('%s, with every option that changes what runs', async (_name, flavor) => {
    for (const [option, props] of OPTIONS) {
      let uses: Use[];
      try {
        uses = await podCommands({ engine: flavor(), ...props });
      } catch (error) {
        // A compression tool the pinned backup image lacks is refused at synth (clone-options.test.ts).
        expect(String(error)).toMatch(/needs the (zstd|lz4) command in the backup image/);
        continue;
      }
      const missing = uses.filter(u => !shippedBy(u.image, u.command)).map(u => `${option}: ${u.container} (${u.image}) runs ${u.command} from ${u.from}`);
      expect(missing).toEqual([]);
      expect(uses.length).toBeGreaterThan(10);
    }
  }, 120_000);

  test('the analysis sees what the scripts run: the transport, the tools from the environment, each compression only when chosen', async () => {
    const names = (uses: Use[], container: string) => [...new Set(uses.filter(u => u.container === container).map(u => u.command))].sort();
    const mariadb = await podCommands({ engine: MySqlEngine.mariadb1011() });
    expect(names(mariadb, 'clone-data')).toEqual(expect.arrayContaining(['bash', 'socat', 'mariadb-backup', 'mbstream', 'sha256sum', 'od']));
    expect(names(mariadb, 'replication')).toEqual(expect.arrayContaining(['bash', 'socat', 'mariadb', 'mariadb-backup', 'mbstream', 'mktemp']));
    expect(names(mariadb, 'mysql')).toEqual(expect.arrayContaining(['docker-entrypoint.sh', 'mariadbd', 'mariadb-admin', 'bash', 'mariadb']));
    expect(names(mariadb, 'init-config')).toEqual(['bash', 'cp', 'mv', 'rm']);
    for (const container of ['clone-data', 'replication']) {
      expect(names(mariadb, container)).not.toContain('zstd');
      expect(names(mariadb, container)).not.toContain('lz4');
    }
    const zstd = await podCommands({ engine: MySqlEngine.mysql84(), clone: { compression: CloneCompression.ZSTD } });
    expect(names(zstd, 'replication')).toContain('zstd');
    expect(names(zstd, 'clone-data')).toContain('zstd');
    expect(names(zstd, 'replication')).not.toContain('lz4');
    expect(names(zstd, 'replication')).toEqual(expect.arrayContaining(['mysql', 'xtrabackup', 'xbstream']));
  }, 60_000);

  test('fails when a script runs a command its image does not ship (ncat, as the scripts of 0.1 did)', () => {
    expect(shippedBy('mariadb:10.11.19', 'ncat')).toBeUndefined();
    expect(shippedBy('percona/percona-xtrabackup:8.4.0-5.1', 'ncat')).toBeUndefined();
    expect(shippedBy('mariadb:10.11.19', 'socat')?.source).toContain('mariadb-backup socat');
    // mariadb 11.x images no longer ship the mysql* names; the MariaDB flavors never use them.
    expect(shippedBy('mariadb:11.4.13', 'mysql')).toBeUndefined();
    expect(imageCommands('mariadb:10.11.19')).toContain('mysql');
  });

  test('docs/image-commands.md lists what each container runs and where its image gets it', async () => {
    const text = await imageCommandsDoc();
    if (process.env.UPDATE_IMAGE_DOCS === '1') writeFileSync(DOC, text);
    expect(existsSync(DOC) ? readFileSync(DOC, 'utf8') : '(missing)').toBe(text);
  }, 120_000);
});

/** The generated documentation: per flavor, per container, each command with its package, then the packages' sources. */
async function imageCommandsDoc(): Promise<string> {
  const lines = [
    '# What each container runs, and where its image gets it',
    '',
    'Generated by `test/mysql/engine/image-commands.test.ts` (`UPDATE_IMAGE_DOCS=1 npx jest test/mysql/engine/image-commands.test.ts`)',
    'from the synthesized pods, the shipped scripts (parsed with a bash parser) and',
    '`lib/mysql/engine/image-inventory.ts`; `npm test` fails when this file is out of date. A command',
    'marked with an option runs only with that option.',
  ];
  for (const [name, flavor] of FLAVORS) {
    const engine = flavor();
    lines.push('', `## \`MySqlEngine.${name}()\`: ${engine.displayName}`, '');
    // container -> image and command -> the options it runs with ('' = the defaults)
    const rows = new Map<string, { image: string; commands: Map<string, Set<string>> }>();
    for (const [option, props] of OPTIONS) {
      let uses: Use[];
      try {
        uses = await podCommands({ engine, ...props });
      } catch (error) {
        if (!/needs the (zstd|lz4) command in the backup image/.test(String(error))) throw error;
        lines.push(`- \`${option}\` is refused at synth: the backup image does not ship the tool.`);
        continue;
      }
      for (const u of uses) {
        const row = rows.get(u.container) ?? { image: u.image, commands: new Map<string, Set<string>>() };
        rows.set(u.container, row);
        const options = row.commands.get(u.command) ?? new Set<string>();
        row.commands.set(u.command, options.add(option === 'defaults' ? '' : option.split(': ')[option.startsWith('clone.') ? 1 : 0]));
      }
    }
    if (lines[lines.length - 1] !== '') lines.push('');
    lines.push('| container | image | commands (package) |', '| --- | --- | --- |');
    for (const [container, { image, commands }] of rows) {
      const cells = [...commands].sort(([a], [b]) => a.localeCompare(b)).map(([command, options]) => {
        const only = options.has('') ? '' : `; only with ${[...options].join(', ')}`;
        return `\`${command}\` (${shippedBy(image, command)?.name}${only})`;
      });
      lines.push(`| ${container} | \`${image}\` | ${cells.join(', ')} |`);
    }
    for (const image of new Set([...rows.values()].map(r => r.image))) {
      const inventory = imageInventory(image)!;
      const used = new Set([...rows.values()].filter(r => r.image === image).flatMap(r => [...r.commands.keys()]).map(c => shippedBy(image, c)?.name));
      lines.push('', `\`${image}\` (${inventory.buildFile}; base ${inventory.base}; default user ${inventory.defaultUser}):`, '');
      for (const p of inventory.packages.filter(p => used.has(p.name))) lines.push(`- ${p.name}: ${p.source}`);
      if (inventory.caveat) lines.push(`- Caveat: ${inventory.caveat}.`);
    }
  }
  return `${lines.join('\n')}\n`;
}
