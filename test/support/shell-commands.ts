/**
 * Finds, statically, every external command a bash script can run, so that a test can
 * check each one against the inventory of the image the script runs in.
 *
 * The script is parsed with tree-sitter-bash (shell/parse.ts). Every `command` node of
 * code that may run is looked at, wherever it is: pipelines, lists, conditions, loops,
 * subshells, command and process substitutions, background jobs, heredoc bodies.
 * Sourced files, code given to `eval`, `trap`, `bash -c`, `socat SYSTEM:`/`ncat
 * --sh-exec`, and scripts run by path (directly, by `bash x.sh`, by `ncat --exec` or
 * `socat EXEC:`) are analysed too.
 *
 * Code may run unless the analysis shows it cannot (shell/process.ts): a function body
 * counts only if the function is called from code that may run (directly, through a
 * function that runs its arguments, in a condition, a substitution, a trap or eval
 * string); a `case` on a variable of the container's environment takes only the items
 * its possible values select (shell/cases.ts); what an unreachable place assigns or
 * defines does not count.
 *
 * The analysis is sound by refusal: whatever it cannot understand in a place that decides
 * which command runs (a variable with no known value, a command substitution used as a
 * command name, `eval` of text that is not known, a parse error, a command-running
 * wrapper it does not model) is an error naming file:line, never a silent omission.
 *
 * Variables are resolved flow-insensitively (shell/variables.ts), and a function defined
 * anywhere in the process shadows the command of its name everywhere in it; a child
 * process (a script run by path, `bash -c`) sees only exported functions and variables.
 *
 * Known limits: a script run by `sh` is read with bash's builtins; `shift`s anywhere in a
 * function that runs "$@" count; arithmetic assignments are not tracked for command names
 * (numbers are never command names), only to keep a `case` from being narrowed; code
 * that a program runs in its own language (perl -e, sed's `e`) is not looked into, except
 * awk's system() and pipes, which are errors.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Analysis } from './shell/analysis';
import { bashParser } from './shell/parse';
import { AnalysisOptions, CommandUse } from './shell/types';

export { ShellAnalysisError } from './shell/analysis';
export type { AnalysisOptions, AnalysisProblem, CommandUse } from './shell/types';

/**
 * Every external command that `scriptFile` can run when started as `bash scriptFile`
 * (bash itself is not reported for the entry script), with the commands of every file it
 * sources and every script it runs. Each command is reported once per file and line.
 */
export async function externalCommands(scriptFile: string, options: AnalysisOptions): Promise<CommandUse[]> {
  const analysis = new Analysis(await bashParser(), options);
  try {
    return analysis.run(path.resolve(scriptFile));
  } finally {
    analysis.dispose();
  }
}

/**
 * A `resolveScript` for scripts mounted from local directories: `{ '/opt/x/scripts':
 * 'lib/mysql/scripts' }` maps "/opt/x/scripts/a.sh" to the local "lib/mysql/scripts/a.sh" (absolute),
 * and accepts a path that is already inside one of the local directories. Only existing
 * files resolve.
 */
export function mountedScripts(mounts: Record<string, string>): (p: string) => string | undefined {
  const entries = Object.entries(mounts).map(([mount, local]) => [path.posix.normalize(mount), path.resolve(local)] as const);
  return (p: string) => {
    for (const [mount, local] of entries) {
      let candidate: string | undefined;
      if (p.startsWith(`${mount}/`)) {
        candidate = path.join(local, p.slice(mount.length + 1));
      } else if (p.startsWith(`${local}${path.sep}`)) {
        candidate = p;
      }
      if (candidate && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
        return candidate;
      }
    }
    return undefined;
  };
}
