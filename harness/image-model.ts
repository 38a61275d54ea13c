/** What the harness knows of a container image: its files, users, commands and where its root is built. */

/** A user of the image's /etc/passwd. */
export interface ImageUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  readonly shell: string;
}

/** A group of the image's /etc/group. */
export interface ImageGroup {
  readonly name: string;
  readonly gid: number;
}

/** A command on the image's PATH, served by the host's executable. */
export interface ImageCommand {
  readonly name: string;
  /** Where the image has it: the directory the host has it in (/usr/local/* maps to /usr/*). */
  readonly dir: '/usr/bin' | '/usr/sbin';
  /** The host's executable, every symlink resolved (awk -> /etc/alternatives/awk -> /usr/bin/gawk). */
  readonly hostPath: string;
}

export interface ImageModel {
  /** The image reference, as the manifest names it. */
  readonly image: string;
  /** ENTRYPOINT of the image. */
  readonly entrypoint: string[];
  /** CMD of the image. */
  readonly cmd: string[];
  /** ENV of the image (the runtime adds PATH, HOSTNAME and HOME). */
  readonly env: ReadonlyMap<string, string>;
  readonly users: readonly ImageUser[];
  readonly groups: readonly ImageGroup[];
  /** The image's directories that its Dockerfile leaves owned by a user other than root. */
  readonly ownedDirs: ReadonlyArray<{ readonly path: string; readonly uid: number; readonly gid: number; readonly mode: number }>;
  /** The inventory's commands that the host has (the others are logged and absent). */
  readonly commands: readonly ImageCommand[];
  /** The inventory's commands that the host lacks. */
  readonly missingCommands: readonly string[];
  /** Files of the image model laid into its root: host path to path in the image (read-only binds). */
  readonly files: ReadonlyArray<{ readonly source: string; readonly target: string }>;
  /** Host directory holding the image's root without its mounts (see rootfs.ts). */
  readonly skeleton: string;
}
