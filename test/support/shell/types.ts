/** The analyser's public types and the model its modules share. */
import type { Node } from 'web-tree-sitter';
import type { Process } from './process';

/** One place where a script can run an external command. */
export interface CommandUse {
  /** The command as it is looked up: a name (searched on PATH) or a path as written. */
  command: string;
  /** The analysed file (as given, or as `resolveScript` returned it). */
  file: string;
  /** 1-based line of the command in `file`. */
  line: number;
  /**
   * How the command name was reached when it is not written literally at that place:
   * the variables, arrays and wrappers it goes through, e.g. `$STREAM_TOOL`,
   * `${backup[@]} → $BACKUP_TOOL`, `timeout`, `#!/usr/bin/env bash`.
   */
  via?: string;
}

export interface AnalysisOptions {
  /**
   * Environment of the container: values resolve "$VAR" / "${VAR}" in command position,
   * and a `case` on such a variable takes only the items its values select.
   */
  env: Record<string, string>;
  /**
   * Maps a path that a script sources or runs (after expansion, normalized: e.g.
   * "/opt/mysql-cluster/scripts/stream-backup.sh", or the local directory of the analysed
   * file + "/common.sh" for `"$(dirname "${BASH_SOURCE[0]}")/common.sh"`) to a local file,
   * or undefined when it is not a script of ours (a command run by path is then reported
   * as that path; a sourced file that does not resolve is an error).
   */
  resolveScript: (path: string) => string | undefined;
}

/** One thing the analyser could not understand. */
export interface AnalysisProblem {
  file: string;
  line: number;
  message: string;
}

/** A node of a unit: where something is written. */
export interface Place {
  unit: Unit;
  node: Node;
}

/** A piece of code to walk: a file, a string of code found in one (eval, trap, -c), a function. */
export interface Unit {
  key: string;
  /** The local file the code is in. */
  file: string;
  root: Node;
  /** Added to the 0-based row of a node, then 1, to give its line in `file`. */
  lineOffset: number;
  /**
   * The places that bring the code in (a `source`, `eval`, `trap` or `mapfile -C`
   * command, a heredoc): it runs when one of them runs. Undefined: it always runs (the
   * entry of a process, a function that a child process inherits).
   */
  anchors?: Place[];
}

/** Where a node is evaluated: its unit (for BASH_SOURCE and lines) and its process (for variables). */
export interface Ctx {
  unit: Unit;
  proc: Process;
}

/** A possible value of a word, with the expansions it came through. */
export interface Val {
  text: string;
  via: string[];
}

/** A word of a command line: a syntax node, a known word, or words that cannot be known. */
export type Item =
  | { kind: 'node'; node: Node; ctx: Ctx }
  | { kind: 'lit'; text: string; via: string[] }
  | { kind: 'opaque'; why: string };

/** A possible first word of a command line, and the words after it. */
export interface Head {
  val: Val;
  rest: Item[];
  /** The word is the function's arguments ("$@", "$1"…) from this 0-based position on. */
  positional?: number;
}

/** How a command name is looked up. */
export interface How {
  /** Looked up on PATH only (exec, nice, timeout…): not a function, builtin or keyword. */
  external?: boolean;
  /** `command X`: not a function. */
  noFunctions?: boolean;
  /** `builtin X`: only a builtin. */
  builtinOnly?: boolean;
}

/** A function that runs its arguments as a command ("$@" in command position). */
export interface ArgRunner {
  /** Arguments before the command (shifted away, or "${@:N}"). */
  skip: number;
  via: string[];
  how: How;
}

/** An assignment to a variable somewhere in a process's files. */
export interface Assignment {
  kind: 'scalar' | 'array' | 'element' | 'empty' | 'dynamic' | 'for';
  append: boolean;
  nodes: Node[];
  ctx: Ctx;
  /** The node that assigns: it counts only where that code may run. */
  place: Node;
  line: number;
  how?: string;
}

/** What a variable can hold where it is used. */
export interface Lookup {
  heads: Head[];
  /** The variable may be unset or empty (an empty array) where it is used. */
  mayBeUnset: boolean;
  /** Some assignment makes it empty (an empty array, `local x`, `unset x`, `x=`): "${x[@]}" may be no word. */
  mayBeEmpty: boolean;
  /** Some value is known: the environment has it or a script assigns it. */
  known: boolean;
}

/** Something that cannot be known statically; becomes a problem at the command that needs it. */
export class Unresolvable extends Error {}

/**
 * Collection passes run to a fixpoint and only record; the report pass, on the settled
 * state, reports commands and problems and starts child processes.
 */
export type Mode = 'collect' | 'report';

/** The command being decoded. */
export interface At {
  ctx: Ctx;
  line: number;
  mode: Mode;
  node: Node;
}
