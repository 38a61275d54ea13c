import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CommandUse, externalCommands, mountedScripts, ShellAnalysisError } from './shell-commands';

let root: string;
let count = 0;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'shell-commands-'));
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** Writes the files into a fresh directory, mounted in the "container" at /opt/scripts. */
function writeScripts(files: Record<string, string>): string {
  const dir = path.join(root, `case-${++count}`);
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return dir;
}

async function analyse(files: Record<string, string>, env: Record<string, string> = {}, entry = 'main.sh'): Promise<CommandUse[]> {
  const dir = writeScripts(files);
  return externalCommands(path.join(dir, entry), { env, resolveScript: mountedScripts({ '/opt/scripts': dir }) });
}

/** `command file:line` (and ` via …`), in the order found. */
function list(uses: CommandUse[]): string[] {
  return uses.map(u => `${u.command} ${path.basename(u.file)}:${u.line}${u.via ? ` via ${u.via}` : ''}`);
}

function names(uses: CommandUse[]): string[] {
  return [...new Set(uses.map(u => u.command))].sort();
}

/** The error message of an analysis that must fail. */
async function failure(files: Record<string, string>, env: Record<string, string> = {}): Promise<string> {
  try {
    await analyse(files, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ShellAnalysisError);
    return (e as Error).message;
  }
  throw new Error('the analysis did not fail');
}

const script = (...lines: string[]) => `#!/usr/bin/env bash\n${lines.join('\n')}\n`;

describe('commands found', () => {
  test('in every place a command can stand', async () => {
    const uses = await analyse({
      'main.sh': script(
        'a | b && c || d', //                                  2
        'x=$(e) y=`f`', //                                     3
        'g "$(h)" <(i) >(j) > "$(k)"', //                      4
        'if l; then m; elif n; then o; else p; fi', //         5
        'while q; do r; done; until s; do t; done', //         6
        'for v in $(u); do w & done', //                       7
        'case $(aa) in x) bb ;; esac', //                      8
        '( cc ) ; { dd; }; ! ee', //                           9
        '[[ -n $(ff) ]] && (( $(gg) > 1 ))', //                10
        'local z=$(hh); export Z=$(ii); declare -a zz=($(jj))', // 11
        'kk <<<"$(ll)"', //                                    12
        'fn() { mm; }; fn', //                                 13
      ),
    });
    expect(list(uses)).toEqual([
      'a main.sh:2', 'b main.sh:2', 'c main.sh:2', 'd main.sh:2',
      'e main.sh:3', 'f main.sh:3',
      'g main.sh:4', 'h main.sh:4', 'i main.sh:4', 'j main.sh:4', 'k main.sh:4',
      'l main.sh:5', 'm main.sh:5', 'n main.sh:5', 'o main.sh:5', 'p main.sh:5',
      'q main.sh:6', 'r main.sh:6', 's main.sh:6', 't main.sh:6',
      'u main.sh:7', 'w main.sh:7',
      'aa main.sh:8', 'bb main.sh:8',
      'cc main.sh:9', 'dd main.sh:9', 'ee main.sh:9',
      'ff main.sh:10', 'gg main.sh:10',
      'hh main.sh:11', 'ii main.sh:11', 'jj main.sh:11',
      'kk main.sh:12', 'll main.sh:12',
      'mm main.sh:13',
    ]);
  });

  test('in heredoc bodies, including those tree-sitter-bash does not look into', async () => {
    const uses = await analyse({
      'main.sh': script(
        'cat <<EOF', //          2
        'a $(one) b', //         3
        '  $(two) `three`', //   4
        'EOF', //                5
        'cat <<-EOF', //         6
        '\t$(four)', //          7
        '\tEOF', //              8
        "cat <<'EOF'", //        9
        '$(not_run)', //         10
        'EOF', //                11
      ),
    });
    expect(list(uses).sort()).toEqual(['cat main.sh:2', 'cat main.sh:6', 'cat main.sh:9', 'four main.sh:7', 'one main.sh:3', 'three main.sh:4', 'two main.sh:4']);
  });

  test('not for builtins, keywords and functions (also those defined later or in a sourced file)', async () => {
    const uses = await analyse({
      'main.sh': script(
        'source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"',
        'echo a; printf b; read -r c; test -n d; [ -n e ]; [[ f ]]; :; true; false; cd /; pwd; kill -0 1; wait',
        'set -e; shopt -s nullglob; trap - EXIT; local x; declare y; export z; type ls; hash; umask 077; ulimit -n 1',
        'helper; later; exit 0',
        'later() { return 0; }',
      ),
      'lib.sh': 'helper() { :; }\n',
    });
    expect(list(uses)).toEqual(['dirname main.sh:2']);
  });

  test('a command run by its path is reported as that path', async () => {
    expect(list(await analyse({ 'main.sh': script('/usr/sbin/mysqld --version', './tool') }))).toEqual([
      '/usr/sbin/mysqld main.sh:2', './tool main.sh:3',
    ]);
  });
});

describe('wrappers', () => {
  test('report the wrapper, if external, and the command it runs', async () => {
    const uses = await analyse({
      'main.sh': script(
        'exec -a name a1', //                                   2
        'command a2; command -p a3', //                         3
        'time a4; time -p a5', //                               4
        'nohup a6 &', //                                        5
        'nice -n 5 a7; nice -10 a8; nice --adjustment=3 a9', // 6
        'timeout -s KILL -k 5 --preserve-status 10 b1', //      7
        'env -i -u HOME A=b "B=$c" b2', //                      8
        'setsid -f b3; stdbuf -oL -e0 b4', //                   9
        'xargs -0 -n 1 -I{} b5; xargs -r', //                   10
        'find . -name x -exec b6 {} \\;', //                    11
        'builtin echo x', //                                    12
        'env -S "b7 --flag"', //                                13
      ),
    });
    expect(list(uses)).toEqual([
      'a1 main.sh:2 via exec',
      'a2 main.sh:3 via command', 'a3 main.sh:3 via command',
      'a4 main.sh:4 via time', 'a5 main.sh:4 via time',
      'nohup main.sh:5', 'a6 main.sh:5 via nohup',
      'nice main.sh:6', 'a7 main.sh:6 via nice', 'a8 main.sh:6 via nice', 'a9 main.sh:6 via nice',
      'timeout main.sh:7', 'b1 main.sh:7 via timeout',
      'env main.sh:8', 'b2 main.sh:8 via env',
      'setsid main.sh:9', 'b3 main.sh:9 via setsid', 'stdbuf main.sh:9', 'b4 main.sh:9 via stdbuf',
      'xargs main.sh:10', 'b5 main.sh:10 via xargs', 'echo main.sh:10 via xargs',
      'find main.sh:11', 'b6 main.sh:11 via find → -exec',
      'env main.sh:13', 'b7 main.sh:13 via env',
    ]);
  });

  test('command -v and -V only look a name up', async () => {
    expect(list(await analyse({ 'main.sh': script('command -v zstd >/dev/null; command -V lz4; command -pv xz') }))).toEqual([]);
  });

  test('a program run by a wrapper is looked up on PATH: builtins and functions do not count', async () => {
    const uses = await analyse({ 'main.sh': script('f() { :; }', 'timeout 5 echo hi', 'exec printf x', 'command f', 'command echo') });
    expect(list(uses)).toEqual(['timeout main.sh:3', 'echo main.sh:3 via timeout', 'printf main.sh:4 via exec', 'f main.sh:5 via command']);
  });

  test('a function that runs its arguments ("$@") makes its callers\' arguments commands', async () => {
    const uses = await analyse({
      'main.sh': script(
        'run_bg() { "$@" & wait "$!"; }',
        'retry() { local n=$1; shift; until "$@"; do sleep 1; done; }',
        'with_timeout() { timeout 5 "$@"; }',
        'twice() { run_bg "$@"; run_bg "$@"; }',
        'run_bg ncat -l 1',
        'retry 3 curl -f x',
        'with_timeout "$TOOL" --check',
        'twice helper_fn arg',
        'helper_fn() { :; }',
      ),
    }, { TOOL: 'mbstream' });
    expect(list(uses)).toEqual([
      'sleep main.sh:3',
      'timeout main.sh:4',
      'ncat main.sh:6 via run_bg',
      'curl main.sh:7 via retry',
      'mbstream main.sh:8 via with_timeout → timeout → $TOOL',
    ]);
  });

  test('fails when "$@" runs the script\'s own arguments', async () => {
    expect(await failure({ 'main.sh': script('echo hi', '"$@"') })).toMatch(/main\.sh:3: "\$@" runs the arguments of the script/);
  });

  test('fails when a command runner that is not modelled is used', async () => {
    expect(await failure({ 'main.sh': script('sudo -u mysql id') })).toMatch(/main\.sh:2: sudo can run a command given in its arguments: not modelled/);
  });

  test('fails when a wrapper gets an option it does not know', async () => {
    expect(await failure({ 'main.sh': script('timeout --frobnicate 5 sleep 1') })).toMatch(/main\.sh:2: unknown option --frobnicate of timeout/);
  });
});

describe('commands in variables', () => {
  test('"$VAR" and "${VAR}" resolve from the environment', async () => {
    const uses = await analyse({ 'main.sh': script('"$MYSQL_CLIENT" -e x', '"${BACKUP_TOOL}" --backup', '$CLIENT_WITH_ARGS -e y') }, {
      MYSQL_CLIENT: 'mariadb', BACKUP_TOOL: 'mariadb-backup', CLIENT_WITH_ARGS: 'mysql --batch',
    });
    expect(list(uses)).toEqual(['mariadb main.sh:2 via $MYSQL_CLIENT', 'mariadb-backup main.sh:3 via $BACKUP_TOOL', 'mysql main.sh:4 via $CLIENT_WITH_ARGS']);
  });

  test('variables assigned in the scripts, defaults and patterns', async () => {
    const uses = await analyse({
      'main.sh': script(
        'tool=zstd',
        'if x; then tool=lz4; fi',
        '"$tool" -d',
        '"${COMPRESSOR:-gzip}" -c',
        '"${SUFFIXED%-static}"',
        'alias=$BACKUP_TOOL',
        '"$alias"',
      ),
    }, { SUFFIXED: 'mariadb-static', BACKUP_TOOL: 'xtrabackup' });
    expect(list(uses)).toEqual([
      'x main.sh:3',
      'zstd main.sh:4 via $tool', 'lz4 main.sh:4 via $tool',
      'gzip main.sh:5 via ${COMPRESSOR:-gzip}',
      'mariadb main.sh:6 via ${SUFFIXED%-static}',
      'xtrabackup main.sh:8 via $alias → $BACKUP_TOOL',
    ]);
  });

  test('fails when a variable in command position is not in the environment nor assigned', async () => {
    expect(await failure({ 'main.sh': script('echo start', '"$STREAM_TOOL" -x') })).toMatch(
      /main\.sh:3: \$STREAM_TOOL: \$STREAM_TOOL is not in the container's environment \(options\.env\) and no analysed script assigns it/,
    );
  });

  test('fails when a variable in command position is read at run time', async () => {
    expect(await failure({ 'main.sh': script('read -r tool', '"$tool" --version') })).toMatch(/main\.sh:3: \$tool is set by read at .*main\.sh:2/);
  });

  test('fails when a variable in command position is assigned a command\'s output', async () => {
    expect(await failure({ 'main.sh': script('tool=$(command -v mariadb || command -v mysql)', '"$tool" -e x') })).toMatch(
      /main\.sh:3: \$tool is assigned at .*main\.sh:2 a value that cannot be known: the output of .* cannot be known statically/,
    );
  });
});

describe('commands in arrays', () => {
  test('"${arr[@]}" and "${arr[0]}": every literal first element of every assignment', async () => {
    const uses = await analyse({
      'main.sh': script(
        'unpack() {',
        '  local header decompressor=()',
        '  case $header in',
        '    zstd) decompressor=(zstd --quiet --decompress) ;;',
        '    lz4) decompressor=(lz4 -d) ;;',
        '  esac',
        '  "${decompressor[@]}" | "$STREAM_TOOL" -x',
        '}; unpack',
        'declare -a backup=("$BACKUP_TOOL" --backup)',
        'backup+=(--parallel=4)',
        '"${backup[@]}"',
        'opts=()',
        'opts+=(nice -n 5)',
        '"${opts[0]}" true',
      ),
    }, { STREAM_TOOL: 'mbstream', BACKUP_TOOL: 'mariadb-backup' });
    expect(list(uses)).toEqual([
      'zstd main.sh:8 via ${decompressor[@]}', 'lz4 main.sh:8 via ${decompressor[@]}', 'mbstream main.sh:8 via $STREAM_TOOL',
      'mariadb-backup main.sh:12 via ${backup[@]} → $BACKUP_TOOL',
      'nice main.sh:15 via ${opts[0]}', 'true main.sh:15 via ${opts[0]} → nice',
    ]);
  });

  test('the rest of an array is the command line a wrapper in it runs', async () => {
    const uses = await analyse({ 'main.sh': script('cmd=(timeout 5 zstd -d)', '"${cmd[@]}" file') });
    expect(list(uses)).toEqual(['timeout main.sh:3 via ${cmd[@]}', 'zstd main.sh:3 via ${cmd[@]} → timeout']);
  });

  test('fails when the first element of an array is not literal', async () => {
    expect(await failure({ 'main.sh': script('tools=("$(pick_tool)" --fast)', '"${tools[@]}"') })).toMatch(
      /main\.sh:3: \$tools is assigned at .*main\.sh:2 a value that cannot be known: the output of \$\(pick_tool\) cannot be known statically/,
    );
  });

  test('fails when an array in command position is never assigned', async () => {
    expect(await failure({ 'main.sh': script('"${nowhere[@]}"') })).toMatch(/main\.sh:2: \$\{nowhere\[@\]\}: \$nowhere is not in the container's environment/);
  });
});

describe('sourced files and scripts run by path', () => {
  test('a sourced file is analysed once, with its own lines', async () => {
    const uses = await analyse({
      'main.sh': script('source "$(dirname "${BASH_SOURCE[0]}")/common.sh"', '. "${BASH_SOURCE[0]%/*}/common.sh"', 'helper'),
      'common.sh': '# shellcheck shell=bash\nhelper() {\n  sed -n p\n}\n',
    });
    expect(list(uses)).toEqual(['dirname main.sh:2', 'sed common.sh:3']);
  });

  test('a script run by path: its #! interpreter and its commands', async () => {
    const uses = await analyse({
      'main.sh': script('script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)', '"$script_dir/child.sh" arg', 'bash /opt/scripts/other.sh'),
      'child.sh': script('hostname'),
      'other.sh': script('uname'),
    });
    expect(list(uses)).toEqual([
      'dirname main.sh:2', 'bash main.sh:4',
      'env child.sh:1 via #!/usr/bin/env bash', 'bash child.sh:1 via #!/usr/bin/env bash', 'hostname child.sh:2',
      'uname other.sh:2',
    ]);
  });

  test('scripts run by socat EXEC:/SYSTEM: and ncat --exec/--sh-exec', async () => {
    const uses = await analyse({
      'main.sh': script(
        'script_dir=${BASH_SOURCE[0]%/*}',
        'socat TCP-LISTEN:1,fork EXEC:"$script_dir/serve.sh",nofork',
        'socat - "SYSTEM:gzip -c | tee x"',
        'ncat -lk 2 --exec "/opt/scripts/serve.sh"',
        'ncat -l 3 -c "cat >/dev/null"',
      ),
      'serve.sh': script('mariadb-backup --backup'),
    });
    expect(list(uses)).toEqual([
      'socat main.sh:3',
      'socat main.sh:4', 'sh main.sh:4 via socat → SYSTEM:', 'gzip main.sh:4', 'tee main.sh:4',
      'ncat main.sh:5',
      'ncat main.sh:6', 'sh main.sh:6 via ncat → --sh-exec', 'cat main.sh:6',
      'env serve.sh:1 via #!/usr/bin/env bash', 'bash serve.sh:1 via #!/usr/bin/env bash', 'mariadb-backup serve.sh:2',
    ]);
  });

  test('exported functions and variables reach a child bash; others do not', async () => {
    const uses = await analyse({
      'main.sh': script('f() { :; }', 'g() { :; }', 'export -f f', 'export TOOL=zstd', 'bash -c \'f; g; "$TOOL"\''),
    });
    expect(list(uses)).toEqual(['bash main.sh:6', 'g main.sh:6', 'zstd main.sh:6 via $TOOL']);
  });

  test('fails when a sourced file cannot be found', async () => {
    expect(await failure({ 'main.sh': script('source /etc/profile.d/missing.sh') })).toMatch(
      /main\.sh:2: cannot find the sourced file "\/etc\/profile\.d\/missing\.sh"/,
    );
  });

  test('fails when a script run directly has no #! line', async () => {
    expect(await failure({ 'main.sh': script('/opt/scripts/plain.sh'), 'plain.sh': 'ls\n' })).toMatch(/main\.sh:2: .*plain\.sh is run directly but has no #! line/);
  });

  test('fails when the script that bash runs cannot be found', async () => {
    expect(await failure({ 'main.sh': script('bash "$HOME/x.sh"') }, { HOME: '/root' })).toMatch(/main\.sh:2: cannot find the script "\/root\/x\.sh" that bash runs/);
  });
});

describe('code in strings', () => {
  test('eval, trap and bash -c of literal text are analysed', async () => {
    const uses = await analyse({
      'main.sh': script('eval "gzip -t f"', "trap 'rm -rf \"$workdir\"' EXIT", 'bash -c "date; uptime"'),
    });
    expect(list(uses)).toEqual(['gzip main.sh:2', 'rm main.sh:3', 'bash main.sh:4', 'date main.sh:4', 'uptime main.sh:4']);
  });

  test('fails when eval gets text that cannot be known', async () => {
    expect(await failure({ 'main.sh': script('eval "$(ssh-agent -s)"') })).toMatch(/main\.sh:2: eval of text that cannot be known: the output of \$\(ssh-agent -s\) cannot be known statically/);
  });

  test('fails when bash -c gets text that cannot be known', async () => {
    expect(await failure({ 'main.sh': script('bash -c "$SCRIPT"') })).toMatch(/main\.sh:2: bash -c of text that cannot be known/);
  });
});

describe('functions count only where they are called', () => {
  test('a function runs when called directly, in a condition, a substitution, a trap, eval, through a runner or another function', async () => {
    const uses = await analyse({
      'main.sh': script(
        'direct() { a1; }', //                              2
        'in_condition() { a2; }', //                        3
        'in_substitution() { a3; }', //                     4
        'in_trap() { a4; }', //                             5
        'in_eval() { a5; }', //                             6
        'passed() { a6; }', //                              7
        'run_bg() { "$@" & wait "$!"; }', //                8
        'chain() { chained; }', //                          9
        'chained() { a7; }', //                             10
        'unused() { b1; from_unused; }', //                 11
        'from_unused() { b2; }', //                         12
        'direct; until in_condition; do :; done', //        13
        'x=$(in_substitution)', //                          14
        "trap 'in_trap' EXIT; eval in_eval", //             15
        'run_bg passed; if true; then chain; fi', //        16
      ),
    });
    expect(list(uses)).toEqual([
      'a1 main.sh:2', 'a2 main.sh:3', 'a3 main.sh:4', 'a4 main.sh:5', 'a5 main.sh:6', 'a6 main.sh:7', 'a7 main.sh:10',
    ]);
  });

  test('nothing an uncalled function holds counts: commands, heredocs, sourced files, eval, assignments', async () => {
    const uses = await analyse({
      'main.sh': script(
        'unused() {', //                    2
        '  "$MYSQL_CLIENT" -e x', //        3
        '  cat <<EOF', //                   4
        '$(hidden)', //                     5
        'EOF', //                           6
        '  source /opt/scripts/lib.sh', //  7
        '  eval "b1"', //                   8
        '  read -r tool', //                9
        '  declare -n ref=tool', //         10
        '}', //                             11
        'tool=zstd', //                     12
        '"$tool" -d', //                    13
      ),
      'lib.sh': 'b2\n',
    });
    expect(list(uses)).toEqual(['zstd main.sh:13 via $tool']);
  });

  test('a function defined only inside a function that is never called is not defined', async () => {
    expect(list(await analyse({ 'main.sh': script('outer() { inner() { a; }; }', 'inner') }))).toEqual(['inner main.sh:3']);
  });

  test('an exported function runs in the child bash that calls it, with the child\'s variables', async () => {
    const uses = await analyse({
      'main.sh': script(
        'f() { "$TOOL" --x; }', //            2
        'g() { not_run; }', //                3
        'export -f f; export TOOL=zstd', //   4
        "bash -c 'f; g'", //                  5
      ),
    });
    expect(list(uses)).toEqual(['zstd main.sh:2 via $TOOL', 'bash main.sh:5', 'g main.sh:5']);
  });

  test('bash calls command_not_found_handle by itself', async () => {
    expect(list(await analyse({ 'main.sh': script('command_not_found_handle() { logger "$1"; }') }))).toEqual(['logger main.sh:2']);
  });

  test('fails when a function is called by a name that cannot be known', async () => {
    expect(await failure({ 'main.sh': script('f() { a; }', 'read -r name', '"$name"') })).toMatch(/main\.sh:4: \$name is set by read at .*main\.sh:3/);
  });
});

describe('a case on a variable of the environment takes only the items its values select', () => {
  // stream-backup.sh's shape: the variable is also assigned a literal at run time.
  const serve = script(
    'produce() { :; }', //                      2
    'if ! accepted; then MODE=none; fi', //     3
    'case $MODE in', //                         4
    '  none) compressor=() ;;', //             5
    '  zstd) compressor=(zstd -1) ;;', //      6
    '  lz4) compressor=(lz4 -1) ;;', //        7
    '  *) unknown_mode ;;', //                  8
    'esac', //                                  9
    'produce | "${compressor[@]}"', //          10
    'command -v "${compressor[0]}" >/dev/null', // 11
  );

  test('the environment\'s value and every literal the scripts assign; assignments in other items do not count', async () => {
    const run = async (env: Record<string, string>) => list(await analyse({ 'main.sh': serve }, env));
    expect(await run({ MODE: 'none' })).toEqual(['accepted main.sh:3']);
    expect(await run({ MODE: 'zstd' })).toEqual(['accepted main.sh:3', 'zstd main.sh:10 via ${compressor[@]}']);
    expect(await run({ MODE: 'lz4' })).toEqual(['accepted main.sh:3', 'lz4 main.sh:10 via ${compressor[@]}']);
    expect(await run({ MODE: 'gzip' })).toEqual(['accepted main.sh:3', 'unknown_mode main.sh:8']);
    expect(await run({})).toEqual(['accepted main.sh:3', 'unknown_mode main.sh:8', 'zstd main.sh:10 via ${compressor[@]}', 'lz4 main.sh:10 via ${compressor[@]}']);
  });

  test('in a script that socat runs, with the container\'s environment', async () => {
    const uses = await analyse({ 'main.sh': script('socat - "EXEC:bash /opt/scripts/serve.sh,nofork"'), 'serve.sh': serve }, { MODE: 'zstd' });
    expect(names(uses)).toEqual(['accepted', 'bash', 'socat', 'zstd']);
  });

  test('the first item whose pattern matches; ;& runs the next item, ;;& tests the next patterns', async () => {
    const run = async (mode: string) => names(await analyse({
      'main.sh': script('case "${MODE}" in', "  'b'|x*) a1 ;;&", '  [ab]) a2 ;&', '  z) a3 ;;', '  *) a4 ;;', '  b) a5 ;;', 'esac'),
    }, { MODE: mode }));
    expect(await run('b')).toEqual(['a1', 'a2', 'a3']);
    expect(await run('xy')).toEqual(['a1', 'a4']);
    expect(await run('a')).toEqual(['a2', 'a3']);
    expect(await run('q')).toEqual(['a4']);
  });

  test('a function called only from an item not taken is not called: its unknown variables are no error', async () => {
    const uses = await analyse({
      'main.sh': script('pick() { "$TOOL" -V; }', 'case $MODE in', '  a) tool=zstd ;;', '  b) tool=lz4; pick ;;', 'esac', '"$tool" -d'),
    }, { MODE: 'a' });
    expect(list(uses)).toEqual(['zstd main.sh:7 via $tool']);
  });

  test.each([
    ['it is not in the environment', [], {}],
    ['a read assigns it', ['read -r MODE'], { MODE: 'a' }],
    ['arithmetic assigns it', ['((MODE += 1))'], { MODE: 'a' }],
    ['it is assigned a value that cannot be known', ['MODE=$(cat mode)'], { MODE: 'a' }],
    ['some variable whose name is built at run time is assigned', ['declare "$1=b"'], { MODE: 'a' }],
    ['nocasematch is on', ['shopt -s nocasematch'], { MODE: 'A' }],
  ])('every item may run when %s', async (_why, lines, env: Record<string, string>) => {
    const uses = await analyse({ 'main.sh': script(...lines, 'case $MODE in a) x1 ;; b) x2 ;; esac') }, env);
    expect(names(uses).filter(n => /^x/.test(n))).toEqual(['x1', 'x2']);
  });

  test('every item may run when a pattern cannot be known', async () => {
    const uses = await analyse({ 'main.sh': script('case $MODE in $OTHER) x1 ;; a) x2 ;; esac') }, { MODE: 'a' });
    expect(names(uses)).toEqual(['x1', 'x2']);
  });

  test('fails when an item that cannot be ruled out runs a command that cannot be known', async () => {
    const files = { 'main.sh': script('[[ -n ${FORCE:-} ]] && read -r MODE', 'case $MODE in a) : ;; b) "$UNSET_TOOL" ;; esac') };
    expect(await failure(files, { MODE: 'a' })).toMatch(/main\.sh:3: \$UNSET_TOOL: \$UNSET_TOOL is not in the container's environment/);
  });
});

describe('what cannot be understood is an error', () => {
  test('fails when a command substitution is a command name', async () => {
    expect(await failure({ 'main.sh': script('$(pick_tool) --version') })).toMatch(/main\.sh:2: the output of \$\(pick_tool\) cannot be known statically/);
  });

  test('fails when a glob is a command name', async () => {
    expect(await failure({ 'main.sh': script('/opt/*/bin/tool') })).toMatch(/main\.sh:2: the glob \/opt\/\*\/bin\/tool cannot be expanded statically/);
  });

  test('fails when the script does not parse', async () => {
    expect(await failure({ 'main.sh': script('if true; then', 'echo') })).toMatch(/main\.sh:\d+: bash syntax the parser does not accept/);
  });

  test('fails when every problem is listed, each with its file and line', async () => {
    const message = await failure({ 'main.sh': script('"$A"', 'source /nowhere.sh', '"$B"') });
    expect(message.split('\n')).toHaveLength(3);
  });
});

describe('tree-sitter-bash misparses are worked around', () => {
  test('several assignments on a line before a command on the next (tree-sitter-bash #228, #342)', async () => {
    const uses = await analyse({ 'main.sh': script('a=$x b=$y', 'hostname', 'c=${X[1]} d=${X[2]}', 'if uname; then :; fi') });
    expect(list(uses)).toEqual(['hostname main.sh:3', 'uname main.sh:5']);
  });

  test('a newline after a pipeline of three (tree-sitter-bash #347)', async () => {
    const uses = await analyse({ 'main.sh': script('a | grep x | head -30', 'echo B && cd s && date') });
    expect(list(uses)).toEqual(['a main.sh:2', 'grep main.sh:2', 'head main.sh:2', 'date main.sh:3']);
  });

  test('assignments before a function definition (tree-sitter-bash #122); a comment in a pipeline', async () => {
    const uses = await analyse({ 'main.sh': script('FOO="bar" BAZ="quux"', 'f() {', '  curl x', '}; f', 'a | # why', '  b') });
    expect(list(uses)).toEqual(['curl main.sh:4', 'a main.sh:6', 'b main.sh:7']);
  });

  test('fails when backticks are nested or misread (tree-sitter-bash #278)', async () => {
    expect(await failure({ 'main.sh': script('a `b \\`c\\``') })).toMatch(/main\.sh:2: backticks inside a `…` command substitution are misread or not seen by the parser; write it as \$\(…\)/);
  });

  test('fails when the parser splits a word in two (tree-sitter-bash #315)', async () => {
    expect(await failure({ 'main.sh': script('$DIR/$NAME/run') }, { DIR: '/opt', NAME: 'x' })).toMatch(/main\.sh:2: the parser splits the word/);
  });
});

describe('the scripts in lib/mysql/scripts', () => {
  const dir = path.join(__dirname, '..', '..', 'lib', 'mysql', 'scripts');
  const files = fs.readdirSync(dir).filter(f => f.endsWith('.sh')).sort();
  const env = {
    MYSQL_CLIENT: 'mariadb',
    BACKUP_TOOL: 'mariadb-backup',
    STREAM_TOOL: 'mbstream',
  };
  const resolveScript = mountedScripts({ '/opt/mysql-cluster/scripts': dir });

  test('every external command of every script is found', async () => {
    const found: Record<string, string[]> = {};
    for (const file of files) {
      found[file] = names(await externalCommands(path.join(dir, file), { env, resolveScript }));
    }
    console.log(Object.entries(found).map(([file, commands]) => `${file}: ${commands.join(' ')}`).join('\n'));
    const all = new Set(Object.values(found).flat());
    // The client, backup and stream tools come from the environment, through variables and arrays.
    for (const command of ['mariadb', 'mariadb-backup', 'mbstream']) expect(all).toContain(command);
    // A literal command that starts a line or follows a pipe is found (sed, while the scripts
    // use it); common.sh is only sourced: its functions count where a script calls them.
    for (const file of files.filter(f => f !== 'common.sh')) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      for (const command of ['sed', 'sleep', 'socat', 'sha256sum', 'mktemp', 'sync']) {
        if (new RegExp(`(^|[|&;(]|\\$\\()\\s*${command}\\s`, 'm').test(text)) expect(found[file]).toContain(command);
      }
    }
  });
});
