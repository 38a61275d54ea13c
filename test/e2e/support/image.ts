import { cpSync, mkdirSync } from 'fs';
import { join } from 'path';
import { runSync } from './host';

/**
 * The container image, modelled on the host's MariaDB installation: the official
 * `mariadb:<version>` image's entrypoint and /etc/mysql are reproduced by the files in
 * test/e2e/image/ (see docker-entrypoint.sh for what the model covers); its binaries
 * are the host's Debian MariaDB packages of the same major.minor version.
 */
export interface ImageModel {
  /** ENTRYPOINT of the image. */
  readonly entrypoint: string[];
  /** CMD of the image. */
  readonly cmd: string[];
  /** uid/gid of the image's `mysql` user (owner of /run/mysqld and /var/lib/mysql). */
  readonly mysqlUid: number;
  /** Directory with `etc-mysql/` and `docker-entrypoint.sh`, laid over each container. */
  readonly root: string;
}

const IMAGE_SOURCE = join(__dirname, '..', 'image');

/**
 * Checks that an image reference is one the host can model and assembles the image
 * root under `workDir`.
 */
export function prepareImage(images: Set<string>, workDir: string): ImageModel {
  const hostVersion = runSync(['mariadbd', '--version']).match(/Ver (\d+\.\d+)\.\d+-MariaDB/)?.[1];
  for (const image of images) {
    const match = image.match(/^mariadb:(\d+\.\d+)(\.\d+)?$/);
    if (!match) {
      throw new Error(`the e2e harness models only official mariadb images (got "${image}")`);
    }
    if (match[1] !== hostVersion) {
      throw new Error(`image ${image} needs MariaDB ${match[1]} on the host, which has ${hostVersion ?? 'none'}`);
    }
  }
  const root = join(workDir, 'image');
  mkdirSync(root, { recursive: true });
  cpSync(join(IMAGE_SOURCE, 'etc-mysql'), join(root, 'etc-mysql'), { recursive: true });
  mkdirSync(join(root, 'etc-mysql', 'conf.d'), { recursive: true });
  cpSync(join(IMAGE_SOURCE, 'docker-entrypoint.sh'), join(root, 'docker-entrypoint.sh'));
  runSync(['chmod', '-R', 'a+rX', root]);
  runSync(['chmod', '0755', join(root, 'docker-entrypoint.sh')]);
  return { entrypoint: ['docker-entrypoint.sh'], cmd: ['mariadbd'], mysqlUid: 999, root };
}
