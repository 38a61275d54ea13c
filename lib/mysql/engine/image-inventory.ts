/**
 * What the pinned default images ship: for each image, the packages that put commands
 * on its PATH, each with the line of the image's build file, or the entry of the image's
 * published package list, it comes from (read on 2026-12-01; rendered per container in docs/image-commands.md). Only
 * what those sources prove is listed: a command that an image probably has but that no
 * source shows is left out.
 *
 * The library checks its options against it at synth time (a compression tool that the
 * backup image lacks), the tests check that every command a container's scripts and
 * probes can run is listed for that container's image, and the end-to-end harness gives
 * each container exactly these commands and nothing else.
 */

/** A package of an image and the commands it puts on the image's PATH. */
export interface ShippedPackage {
  /** Package name in the image's distribution. */
  readonly name: string;
  /** Why the image has it: the build-file line, or the image's published package list. */
  readonly source: string;
  /** Commands it puts on PATH. */
  readonly commands: readonly string[];
}

/** One pinned image. */
export interface ImageInventory {
  /** The image reference, exactly as the library pins it. */
  readonly image: string;
  /** Its build file: repository and path. */
  readonly buildFile: string;
  /** The base image it is built on. */
  readonly base: string;
  /** The user its processes run as unless the pod says otherwise. */
  readonly defaultUser: string;
  /** Its ENTRYPOINT: what a container without `command` runs. */
  readonly entrypoint: readonly string[];
  /** Its CMD: the entrypoint's arguments for a container without `command` or `args`. */
  readonly cmd: readonly string[];
  /** The packages that put commands on its PATH. */
  readonly packages: readonly ShippedPackage[];
  /** What the sources could not show for this exact release, if anything. */
  readonly caveat?: string;
}

/** GNU coreutils' programs (coreutils-single on RHEL and Oracle Linux 9 provides the same set). */
const COREUTILS = [
  '[', 'arch', 'b2sum', 'base32', 'base64', 'basename', 'basenc', 'cat', 'chcon', 'chgrp', 'chmod', 'chown', 'cksum',
  'comm', 'cp', 'csplit', 'cut', 'date', 'dd', 'df', 'dir', 'dircolors', 'dirname', 'du', 'echo', 'env', 'expand',
  'expr', 'factor', 'false', 'fmt', 'fold', 'groups', 'head', 'hostid', 'id', 'install', 'join', 'link', 'ln',
  'logname', 'ls', 'md5sum', 'mkdir', 'mkfifo', 'mknod', 'mktemp', 'mv', 'nice', 'nl', 'nohup', 'nproc', 'numfmt',
  'od', 'paste', 'pathchk', 'pinky', 'pr', 'printenv', 'printf', 'ptx', 'pwd', 'readlink', 'realpath', 'rm', 'rmdir',
  'runcon', 'seq', 'sha1sum', 'sha224sum', 'sha256sum', 'sha384sum', 'sha512sum', 'shred', 'shuf', 'sleep', 'sort',
  'split', 'stat', 'stdbuf', 'stty', 'sum', 'sync', 'tac', 'tail', 'tee', 'test', 'timeout', 'touch', 'tr', 'true',
  'truncate', 'tsort', 'tty', 'uname', 'unexpand', 'uniq', 'unlink', 'users', 'vdir', 'wc', 'who', 'whoami', 'yes',
];

function pkg(name: string, source: string, commands: readonly string[]): ShippedPackage {
  return { name, source, commands };
}

/** The official `mysql` image (docker-library/mysql `<series>/Dockerfile.oracle`). */
function officialMysql(version: string, base: string, serverCommands: readonly string[]): ImageInventory {
  const series = version.split('.').slice(0, 2).join('.');
  const dockerfile = `docker-library/mysql ${series}/Dockerfile.oracle`;
  const packages = `docker-library/repo-info repos/mysql (mysql:${version}): package`;
  const install = `${dockerfile}: "microdnf install -y bzip2 gzip openssl xz zstd findutils"`;
  return {
    image: `mysql:${version}`,
    buildFile: dockerfile,
    base,
    defaultUser: 'root (the server drops to mysql, uid 999, through gosu)',
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['mysqld'],
    packages: [
      pkg('bash', `${packages} bash (base ${base})`, ['bash', 'sh']),
      pkg(base.includes(':7') ? 'coreutils' : 'coreutils-single', `${packages} coreutils (base ${base})`, COREUTILS),
      pkg('sed', `${packages} sed (base ${base})`, ['sed']),
      pkg('grep', `${packages} grep (base ${base})`, ['grep', 'egrep', 'fgrep']),
      pkg('gawk', `${packages} gawk (base ${base})`, ['gawk', 'awk']),
      pkg('findutils', `${install}`, ['find', 'xargs']),
      pkg('tar', `${packages} tar (base ${base})`, ['tar']),
      pkg('curl', `${packages} curl (base ${base})`, ['curl']),
      pkg('gzip', install, ['gzip', 'gunzip', 'zcat']),
      pkg('bzip2', install, ['bzip2', 'bunzip2']),
      pkg('xz', install, ['xz', 'unxz', 'xzcat']),
      pkg('zstd', install, ['zstd', 'unzstd', 'zstdcat']),
      pkg('openssl', install, ['openssl']),
      pkg('mysql-community-server-minimal', `${dockerfile}: "microdnf install -y \\"mysql-community-server-minimal-$MYSQL_VERSION\\""`, serverCommands),
      pkg('mysql-shell', `${dockerfile}: "microdnf install -y \\"mysql-shell-$MYSQL_SHELL_VERSION\\""`, ['mysqlsh']),
      pkg('gosu', `${dockerfile}: "ENV GOSU_VERSION …" (installed to /usr/local/bin/gosu)`, ['gosu']),
      pkg('docker-entrypoint.sh', `${dockerfile}: "COPY docker-entrypoint.sh /usr/local/bin/"`, ['docker-entrypoint.sh']),
    ],
  };
}

const MYSQL_8_SERVER_COMMANDS = ['mysqld', 'mysql', 'mysqladmin', 'mysqldump', 'mysql_tzinfo_to_sql', 'my_print_defaults', 'mysql_config'];
const MYSQL_57_SERVER_COMMANDS = [
  'mysqld', 'mysql', 'mysqladmin', 'mysqldump', 'mysqlpump', 'mysql_install_db', 'mysql_ssl_rsa_setup', 'mysql_tzinfo_to_sql',
  'mysql_upgrade', 'my_print_defaults', 'mysql_config',
];

/** Percona's XtraBackup 8.x image (percona/percona-docker `percona-xtrabackup-8.x/Dockerfile` and `-8.0/`). */
function perconaXtrabackup8(tag: string, dockerfilePath: string, xtrabackupPackage: string, caveat?: string): ImageInventory {
  const dockerfile = `percona/percona-docker ${dockerfilePath}`;
  const install = (line: string) => `${dockerfile}: install block of "microdnf -y install", line "${line}"`;
  const base = 'redhat/ubi9-minimal';
  return {
    image: `percona/percona-xtrabackup:${tag}`,
    buildFile: dockerfile,
    base,
    defaultUser: 'USER 1001 (mysql, uid 1001)',
    entrypoint: ['/docker-entrypoint.sh'],
    cmd: ['/usr/bin/xtrabackup'],
    caveat,
    packages: [
      pkg('bash', `base ${base} (bash 5.1.8, as listed for ubi9-minimal images in docker-library/repo-info repos/mariadb/local/11.4-ubi9.md)`, ['bash', 'sh']),
      pkg('coreutils-single', `base ${base} (coreutils-single; sha256sum is also run by the Dockerfile: "sha256sum --strict --check")`, COREUTILS),
      pkg('findutils', `${dockerfile}: "microdnf install -y findutils"`, ['find', 'xargs']),
      pkg('tar', `${dockerfile}: "microdnf -y install tar unzip shadow-utils"`, ['tar']),
      pkg('curl-minimal', `base ${base} (the Dockerfile runs curl before installing anything)`, ['curl']),
      pkg(xtrabackupPackage, install(`${xtrabackupPackage}-\${FULL_PERCONA_XTRABACKUP_VERSION} \\`), ['xtrabackup', 'xbstream', 'xbcrypt', 'xbcloud']),
      pkg('percona-server-client', install('percona-server-client-${FULL_PERCONA_VERSION} \\'), ['mysql', 'mysqladmin', 'mysqldump', 'mysqlbinlog', 'mysqlcheck', 'mysqlshow']),
      pkg('socat', install('socat \\'), ['socat']),
      pkg('procps-ng', install('procps-ng \\'), ['ps', 'pgrep', 'pkill']),
      pkg('qpress', install('qpress \\'), ['qpress']),
      pkg('lz4', install('lz4 \\'), ['lz4', 'unlz4', 'lz4cat']),
      pkg('zstd', install('zstd; \\'), ['zstd', 'unzstd', 'zstdcat']),
    ],
  };
}

/** Percona XtraDB Cluster 5.7's image (percona/percona-docker `percona-xtradb-cluster-5.7/Dockerfile`). */
function perconaXtradbCluster57(tag: string): ImageInventory {
  const dockerfile = 'percona/percona-docker percona-xtradb-cluster-5.7/Dockerfile';
  const line = (text: string) => `${dockerfile}: "${text}"`;
  const base = 'redhat/ubi-minimal (8 or 9)';
  return {
    image: `percona/percona-xtradb-cluster:${tag}`,
    buildFile: dockerfile,
    base,
    defaultUser: 'USER 1001 (mysql, uid 1001)',
    entrypoint: ['/entrypoint.sh'],
    cmd: ['mysqld'],
    caveat: 'every version of the Dockerfile read (ubi8 and ubi9 builds) installs these packages; which of the two built the published tag was not shown, so bash is 4.4 or 5.1',
    packages: [
      pkg('bash', `base ${base}`, ['bash', 'sh']),
      pkg('coreutils-single', `base ${base} (mktemp is also run by the Dockerfile: 'export GNUPGHOME="$(mktemp -d)"')`, COREUTILS),
      pkg('findutils', line('microdnf install -y findutils'), ['find', 'xargs']),
      pkg('socat', line('microdnf --setopt=install_weak_deps=0 --best install -y numactl-libs socat onigurum'), ['socat']),
      pkg('procps-ng', line('procps-ng \\'), ['ps', 'pgrep', 'pkill']),
      pkg('hostname', line('hostname \\'), ['hostname']),
      pkg('which', line('which \\'), ['which']),
      pkg('diffutils', line('diffutils \\'), ['diff', 'cmp']),
      pkg('openssl', line('openssl \\'), ['openssl']),
      pkg('tar', line('tar; \\'), ['tar']),
      pkg('percona-xtrabackup-24', line('rpm -iv /tmp/percona-xtrabackup-24.rpm … --nodeps'), ['xtrabackup', 'xbstream', 'xbcrypt', 'xbcloud', 'innobackupex']),
      // The Dockerfile deletes every other client program:
      // "rpm -ql Percona-XtraDB-Cluster-client-57 | egrep -v "mysql$|mysqldump$" | xargs rm -rf".
      pkg('Percona-XtraDB-Cluster-client-57', line('rpm -iv … /tmp/percona-xtradb-cluster-client.rpm --nodeps'), ['mysql', 'mysqldump']),
      pkg('Percona-XtraDB-Cluster-server-57', line('rpm -iv … /tmp/percona-xtradb-cluster-server.rpm … --nodeps'), ['mysqld']),
    ],
  };
}

/** The official `mariadb` image (MariaDB/mariadb-docker `<series>/Dockerfile`). */
function officialMariadb(version: string, ubuntu: string): ImageInventory {
  const series = version.split('.').slice(0, 2).join('.');
  const compatNames = Number(version.split('.')[0]) < 11;
  const dockerfile = `MariaDB/mariadb-docker ${series}/Dockerfile`;
  const packages = `docker-library/repo-info repos/mariadb/local/${version}-${ubuntu}.md: package`;
  const first = `${dockerfile}: "apt-get install -y --no-install-recommends ca-certificates gpg gpgv libjemalloc2 libtcmalloc-minimal4 pwgen tzdata xz-utils zstd"`;
  const install = `${dockerfile}: "apt-get install -y --no-install-recommends mariadb-server=\\"$MARIADB_VERSION\\" mariadb-backup socat"`;
  return {
    image: `mariadb:${version}`,
    buildFile: dockerfile,
    base: `ubuntu:${ubuntu}`,
    defaultUser: 'root (the server drops to mysql, uid 999, through gosu)',
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['mariadbd'],
    packages: [
      pkg('bash', `${packages} bash`, ['bash']),
      pkg('dash', `${packages} dash`, ['sh', 'dash']),
      pkg('coreutils', `${packages} coreutils`, COREUTILS),
      pkg('sed', `${packages} sed`, ['sed']),
      pkg('grep', `${packages} grep`, ['grep', 'egrep', 'fgrep']),
      pkg('findutils', `${packages} findutils`, ['find', 'xargs']),
      pkg('gzip', `${packages} gzip`, ['gzip', 'gunzip', 'zcat']),
      pkg('tar', `${packages} tar`, ['tar']),
      pkg('hostname', `${packages} hostname`, ['hostname']),
      pkg('mawk', `${packages} mawk`, ['mawk', 'awk']),
      pkg('gawk', `${packages} gawk`, ['gawk']),
      pkg('diffutils', `${packages} diffutils`, ['diff', 'cmp']),
      pkg('perl', `${packages} perl`, ['perl']),
      pkg('util-linux', `${packages} util-linux`, ['getopt', 'setsid', 'flock', 'su', 'mountpoint', 'nsenter', 'setpriv']),
      pkg('libc-bin', `${packages} libc-bin`, ['getent', 'ldconfig', 'locale']),
      pkg('procps', `${packages} procps (a dependency of mariadb-server)`, ['ps', 'pgrep', 'pkill', 'kill']),
      pkg('psmisc', `${packages} psmisc (a dependency of mariadb-server)`, ['killall', 'fuser', 'pstree']),
      pkg('iproute2', `${packages} iproute2 (a dependency of mariadb-server)`, ['ip', 'ss']),
      pkg('lsof', `${packages} lsof (a dependency of mariadb-server)`, ['lsof']),
      pkg('rsync', `${packages} rsync (a dependency of mariadb-server)`, ['rsync']),
      pkg('openssl', `${packages} openssl`, ['openssl']),
      pkg('pwgen', first, ['pwgen']),
      pkg('xz-utils', first, ['xz', 'unxz', 'xzcat']),
      pkg('zstd', first, ['zstd', 'unzstd', 'zstdcat']),
      pkg('socat', install, ['socat']),
      pkg('mariadb-server', install, ['mariadbd', 'mariadb-install-db', 'resolveip', 'mariadb-upgrade', 'mariadbd-safe', ...(compatNames ? ['mysqld', 'mysql_install_db'] : [])]),
      pkg('mariadb-client', `${install} (mariadb-client and mariadb-client-core are dependencies of mariadb-server)`, [
        'mariadb', 'mariadb-admin', 'mariadb-dump', 'mariadb-binlog', 'mariadb-check', 'mariadb-tzinfo-to-sql', 'my_print_defaults',
        ...(compatNames ? ['mysql', 'mysqladmin', 'mysqldump'] : []),
      ]),
      pkg('mariadb-backup', install, ['mariadb-backup', 'mariabackup', 'mbstream']),
      pkg('gosu', `${dockerfile}: "ENV GOSU_VERSION …" (installed to /usr/local/bin/gosu)`, ['gosu']),
      pkg('docker-entrypoint.sh', `${dockerfile}: "COPY docker-entrypoint.sh /usr/local/bin/"`, ['docker-entrypoint.sh']),
    ],
  };
}

/** The Prometheus mysqld_exporter image (prometheus/mysqld_exporter `Dockerfile`, the busybox variant). */
function mysqldExporter(tag: string): ImageInventory {
  const dockerfile = 'prometheus/mysqld_exporter Dockerfile';
  return {
    image: `prom/mysqld-exporter:${tag}`,
    buildFile: dockerfile,
    base: 'quay.io/prometheus/busybox',
    defaultUser: 'USER nobody (the pod runs it as 999)',
    entrypoint: ['/bin/mysqld_exporter'],
    cmd: [],
    caveat: 'only the exporter is listed: the busybox base has a shell and applets, which no container of the library runs there',
    packages: [
      pkg('mysqld_exporter', `${dockerfile}: "COPY .build/\${OS}-\${ARCH}/mysqld_exporter /bin/mysqld_exporter", "ENTRYPOINT [ "/bin/mysqld_exporter" ]"`, ['mysqld_exporter']),
    ],
  };
}

const INVENTORIES: readonly ImageInventory[] = [
  officialMysql('8.4.11', 'oraclelinux:9-slim', MYSQL_8_SERVER_COMMANDS),
  officialMysql('8.0.46', 'oraclelinux:9-slim', MYSQL_8_SERVER_COMMANDS),
  officialMysql('5.7.44', 'oraclelinux:7-slim', MYSQL_57_SERVER_COMMANDS),
  perconaXtrabackup8('8.4.0-5.1', 'percona-xtrabackup-8.x/Dockerfile', 'percona-xtrabackup-84'),
  perconaXtrabackup8('8.0.35-35.1', 'percona-xtrabackup-8.0/Dockerfile', 'percona-xtrabackup-80',
    'the upstream Dockerfile of this release was not reachable; the lines are those of every stored upstream version and of the ubi9 build of 8.0.35-31.1 in a fork (apecloud/percona-docker)'),
  perconaXtradbCluster57('5.7.44-31.65'),
  officialMariadb('10.11.19', 'jammy'),
  officialMariadb('11.4.13', 'noble'),
  mysqldExporter('v0.20.0'),
];

/** The inventory of a pinned image, or undefined for an image the library does not pin. */
export function imageInventory(image: string): ImageInventory | undefined {
  return INVENTORIES.find(inventory => inventory.image === image);
}

/** The commands a pinned image puts on PATH, or undefined for an image the library does not pin. */
export function imageCommands(image: string): string[] | undefined {
  const inventory = imageInventory(image);
  return inventory ? [...new Set(inventory.packages.flatMap(p => p.commands))].sort() : undefined;
}
