import { cpSync, mkdirSync, writeFileSync } from 'fs';
import { basename, join } from 'path';
import { imageCommands, imageInventory } from '../lib/mysql/engine/image-inventory';
import { findHostCommand, runSync } from './host';
import { ImageCommand, ImageModel, ImageUser } from './image-model';
import { buildSkeleton } from './rootfs';

/**
 * The container images, modelled on the host: the official `mariadb:<version>` image's
 * entrypoint and /etc/mysql are reproduced by the files in harness/image/ (see
 * docker-entrypoint.sh for what the model covers), its users and environment by
 * {@link MARIADB_IMAGE} below, and its commands are exactly the ones
 * lib/mysql/engine/image-inventory.ts lists for the image, each served by the host's executable of
 * that name (the host's Debian MariaDB packages of the same major.minor version).
 */

const IMAGE_SOURCE = join(__dirname, 'image');

/**
 * The official `mariadb` image (mariadb-docker <major.minor>/Dockerfile, on ubuntu):
 * `useradd -r -g mysql mysql --home-dir /var/lib/mysql` (the first system ids: 999),
 * `ENV LANG C.UTF-8`, `mkdir -p /var/lib/mysql /run/mysqld; chown -R mysql:mysql …;
 * chmod 1777 /run/mysqld`. Its ENTRYPOINT and CMD come from the inventory.
 * The base image's other system users and groups, and the version labels in ENV
 * (MARIADB_VERSION, GOSU_VERSION), are left out.
 */
const MARIADB_UID = 999;
const MARIADB_IMAGE = {
  env: new Map([['LANG', 'C.UTF-8']]),
  users: [
    { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/bash' },
    { name: 'mysql', uid: MARIADB_UID, gid: MARIADB_UID, home: '/var/lib/mysql', shell: '/bin/sh' },
  ],
  groups: [{ name: 'root', gid: 0 }, { name: 'mysql', gid: MARIADB_UID }],
  ownedDirs: [
    { path: '/var/lib/mysql', uid: MARIADB_UID, gid: MARIADB_UID, mode: 0o755 },
    { path: '/run/mysqld', uid: MARIADB_UID, gid: MARIADB_UID, mode: 0o1777 },
  ],
};

/**
 * The Prometheus mysqld_exporter image (prometheus/mysqld_exporter `Dockerfile`: `FROM
 * quay.io/prometheus/busybox`, `COPY … /bin/mysqld_exporter`, `USER nobody`), its one
 * command served by Debian's build of the exporter, `/usr/bin/prometheus-mysqld-exporter`
 * (0.14.0 in bookworm, where the pinned image has a later release: the pod uses only the
 * flags both have, `--config.my-cnf` and `--web.listen-address`). The busybox applets are
 * left out: nothing of the library runs them.
 */
const EXPORTER_HOST_COMMAND = 'prometheus-mysqld-exporter';
const EXPORTER_IMAGE = {
  env: new Map<string, string>(),
  users: [
    { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/sh' },
    { name: 'nobody', uid: 65534, gid: 65534, home: '/home', shell: '/bin/false' },
  ],
  groups: [{ name: 'root', gid: 0 }, { name: 'nobody', gid: 65534 }],
  ownedDirs: [],
};

/** Models the exporter image (see {@link EXPORTER_IMAGE}) under `dir`. */
function exporterModel(image: string, entrypoint: readonly string[], cmd: readonly string[], dir: string): ImageModel {
  const found = findHostCommand(EXPORTER_HOST_COMMAND);
  if (!found) throw new Error(`image ${image} needs ${EXPORTER_HOST_COMMAND} on the host (Debian: apt-get install prometheus-mysqld-exporter)`);
  const commands: ImageCommand[] = [{ name: 'mysqld_exporter', dir: '/usr/bin', hostPath: found.hostPath }];
  const model: ImageModel = {
    image, entrypoint: [...entrypoint], cmd: [...cmd], ...EXPORTER_IMAGE, commands, missingCommands: [], files: [], skeleton: join(dir, 'skeleton'),
  };
  mkdirSync(dir, { recursive: true });
  buildSkeleton(model);
  return model;
}

/** Where a command the host has in a /usr/local directory goes: the image's /usr/local/bin holds only its entrypoint. */
const IMAGE_DIR: Record<string, ImageCommand['dir']> = {
  '/usr/local/sbin': '/usr/sbin',
  '/usr/local/bin': '/usr/bin',
  '/usr/sbin': '/usr/sbin',
  '/usr/bin': '/usr/bin',
};

/**
 * Checks that every image reference is one the host can model and assembles each
 * image's model under `<workDir>/image/`: its files, its skeleton root, and
 * `missing-commands.txt` listing the inventory's commands the host lacks.
 */
export function prepareImages(images: Set<string>, workDir: string): Map<string, ImageModel> {
  const hostVersion = runSync(['mariadbd', '--version']).match(/Ver (\d+\.\d+)\.\d+-MariaDB/)?.[1];
  const imagesDir = join(workDir, 'image');
  mkdirSync(imagesDir, { recursive: true });
  const models = new Map<string, ImageModel>();
  const missingLog: string[] = [];
  for (const image of [...images].sort()) {
    const inventory = imageCommands(image);
    const facts = imageInventory(image);
    if (!inventory || !facts) {
      throw new Error(`the e2e harness models only images with an inventory in lib/mysql/engine/image-inventory.ts (got "${image}")`);
    }
    if (/^prom\/mysqld-exporter:/.test(image)) {
      models.set(image, exporterModel(image, facts.entrypoint, facts.cmd, join(imagesDir, image.replace(/[^A-Za-z0-9.-]/g, '_'))));
      continue;
    }
    const match = image.match(/^mariadb:(\d+\.\d+)(\.\d+)?$/);
    if (!match) {
      throw new Error(`the e2e harness models only official mariadb images and the mysqld_exporter image (got "${image}")`);
    }
    if (match[1] !== hostVersion) {
      throw new Error(`image ${image} needs MariaDB ${match[1]} on the host, which has ${hostVersion ?? 'none'}`);
    }
    const dir = join(imagesDir, image.replace(/[^A-Za-z0-9.-]/g, '_'));
    const etcMysql = join(dir, 'etc-mysql');
    const entrypointFile = join(dir, 'docker-entrypoint.sh');
    mkdirSync(dir, { recursive: true });
    cpSync(join(IMAGE_SOURCE, 'etc-mysql'), etcMysql, { recursive: true });
    mkdirSync(join(etcMysql, 'conf.d'), { recursive: true });
    cpSync(join(IMAGE_SOURCE, 'docker-entrypoint.sh'), entrypointFile);
    runSync(['chmod', '-R', 'u=rwX,go=rX', etcMysql]);
    runSync(['chmod', '0755', entrypointFile]);
    const files = [
      { source: etcMysql, target: '/etc/mysql' },
      { source: entrypointFile, target: '/usr/local/bin/docker-entrypoint.sh' },
    ];

    // The entrypoint is the image model's own file (bound at /usr/local/bin), not a host command.
    const commands: ImageCommand[] = [];
    const missingCommands: string[] = [];
    for (const name of inventory.filter(n => n !== basename(entrypointFile))) {
      const found = findHostCommand(name);
      if (found) commands.push({ name, dir: IMAGE_DIR[found.hostDir], hostPath: found.hostPath });
      else missingCommands.push(name);
    }
    if (missingCommands.length) missingLog.push(`${image}: ${missingCommands.join(' ')}`);

    const skeleton = join(dir, 'skeleton');
    const model: ImageModel = {
      image, entrypoint: [...facts.entrypoint], cmd: [...facts.cmd], ...MARIADB_IMAGE, commands, missingCommands, files, skeleton,
    };
    buildSkeleton(model);
    models.set(image, model);
  }
  writeFileSync(join(imagesDir, 'missing-commands.txt'), missingLog.length
    ? `# Commands of the image inventory that this host lacks (absent from the containers):\n${missingLog.join('\n')}\n`
    : '# Every command of the image inventories is on this host.\n');
  return models;
}

/** The user of the image with this uid (for HOME, as the runtime sets it), if any. */
export function imageUser(image: ImageModel, uid: number): ImageUser | undefined {
  return image.users.find(u => u.uid === uid);
}
