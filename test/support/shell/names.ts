/** What the analyser knows about bash and about programs that run other programs. */

/** Bash builtins (bash manual, "Shell Builtin Commands"). */
export const BUILTINS = new Set([
  ':', '.', 'source', 'alias', 'bg', 'bind', 'break', 'builtin', 'caller', 'cd', 'command', 'compgen', 'complete',
  'compopt', 'continue', 'declare', 'dirs', 'disown', 'echo', 'enable', 'eval', 'exec', 'exit', 'export', 'false', 'fc',
  'fg', 'getopts', 'hash', 'help', 'history', 'jobs', 'kill', 'let', 'local', 'logout', 'mapfile', 'popd', 'printf',
  'pushd', 'pwd', 'read', 'readarray', 'readonly', 'return', 'set', 'shift', 'shopt', 'suspend', 'test', '[', 'times',
  'trap', 'true', 'type', 'typeset', 'ulimit', 'umask', 'unalias', 'unset', 'wait',
]);

/** Bash reserved words (bash manual, "Reserved Words"). */
export const KEYWORDS = new Set([
  '!', '[[', ']]', '{', '}', 'case', 'coproc', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'for', 'function', 'if', 'in',
  'select', 'then', 'time', 'until', 'while',
]);

/** Shells whose script argument or `-c` string is analysed as bash. */
export const SHELLS = new Set(['bash', 'sh', 'dash']);

/** Programs that run a command given in their arguments in a way this analyser does not model. */
export const UNMODELLED_RUNNERS = new Set([
  'sudo', 'su', 'runuser', 'chroot', 'unshare', 'nsenter', 'chrt', 'taskset', 'ionice', 'numactl', 'strace', 'ltrace',
  'watch', 'parallel', 'ssh', 'script', 'busybox', 'gosu', 'su-exec', 'tini', 'dumb-init', 'chpst', 'runcon', 'sg',
  'flock', 'nc', 'netcat', 'systemd-run', 'capsh', 'setpriv', 'prlimit', 'cgexec', 'entr', 'inotifywait',
]);

/** Options of a program that runs the command that follows its options (and positionals). */
export interface WrapperSpec {
  /** Short options without an argument. */
  flags?: string;
  /** Short options whose argument follows (attached or as the next word). */
  withArg?: string;
  /** Short options whose optional argument can only be attached. */
  optionalArg?: string;
  /** Long options without an argument (or with an optional `=value`). */
  longFlags?: string[];
  /** Long options whose argument follows (`--opt=value` or `--opt value`). */
  longWithArg?: string[];
  /** `-N` numbers are options (nice). */
  numeric?: boolean;
  /** Words between the options and the command (timeout's duration). */
  positionals?: number;
  /** The command run when none is given (xargs: echo); undefined: none runs. */
  defaultCommand?: string;
}

export const WRAPPERS: Record<string, WrapperSpec> = {
  nohup: { longFlags: ['--help', '--version'] },
  nice: { withArg: 'n', numeric: true, longWithArg: ['--adjustment'], longFlags: ['--help', '--version'] },
  timeout: {
    flags: 'v', withArg: 'ks', longWithArg: ['--kill-after', '--signal'],
    longFlags: ['--preserve-status', '--foreground', '--verbose', '--help', '--version'], positionals: 1,
  },
  setsid: { flags: 'cfw', longFlags: ['--ctty', '--fork', '--wait', '--help', '--version'] },
  stdbuf: { withArg: 'ioe', longWithArg: ['--input', '--output', '--error'], longFlags: ['--help', '--version'] },
  xargs: {
    flags: '0oprtx', withArg: 'aEdILnPs', optionalArg: 'eil',
    longWithArg: ['--arg-file', '--delimiter', '--max-args', '--max-procs', '--max-chars', '--process-slot-var'],
    longFlags: [
      '--null', '--open-tty', '--interactive', '--no-run-if-empty', '--verbose', '--exit', '--show-limits', '--help',
      '--version', '--eof', '--replace', '--max-lines',
    ],
    defaultCommand: 'echo',
  },
};

/** Functions that bash calls by itself: it runs this one for a command that is not found. */
export const IMPLICIT_FUNCTIONS = ['command_not_found_handle'];
