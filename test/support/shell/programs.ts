/**
 * External programs that run other commands: shells (`-c` code, a script argument), env,
 * the wrappers of `WRAPPERS`, find -exec, ncat --exec/--sh-exec, socat EXEC:/SYSTEM:; awk
 * that runs commands and the runners that are not modelled are problems.
 */
import * as path from 'path';
import type { Analysis } from './analysis';
import { SHELLS, UNMODELLED_RUNNERS, WrapperSpec, WRAPPERS } from './names';
import { isSplat, leadingLiteral, lit, needsSplit } from './syntax';
import { splitLong, splitWords } from './text';
import { At, Item, Unresolvable } from './types';

export function external(a: Analysis, program: string, rest: Item[], at: At, via: string[]): void {
  const chain = [...via, program];
  if (SHELLS.has(program)) {
    shell(a, program, rest, at);
    return;
  }
  if (program === 'env') {
    env(a, rest, at, chain);
    return;
  }
  const spec = WRAPPERS[program];
  if (spec) {
    const command = afterOptions(a, program, rest, spec);
    if (command === undefined) {
      if (spec.defaultCommand) a.use(spec.defaultCommand, at, chain);
      return;
    }
    for (const h of a.values.heads(command)) a.classify(h, at, chain, { external: true });
    return;
  }
  switch (program) {
    case 'find':
      find(a, rest, at, chain);
      return;
    case 'ncat':
      ncat(a, rest, at, chain);
      return;
    case 'socat':
      socat(a, rest, at, chain);
      return;
    case 'awk':
    case 'gawk':
    case 'mawk':
    case 'nawk':
    case 'busybox-awk':
      for (const r of rest) {
        const text = a.words.tolerant(r);
        if (text !== undefined && /\bsystem\s*\(|\|\s*getline|\|&|\bprintf?\b[^;\n]*\|\s*"/.test(text)) {
          throw new Unresolvable(`the ${program} program runs commands (system(), a pipe): not modelled`);
        }
      }
      return;
    default:
      if (UNMODELLED_RUNNERS.has(program)) {
        throw new Unresolvable(`${program} can run a command given in its arguments: not modelled`);
      }
  }
}

/** bash/sh: `-c string` is analysed as a child process; a script argument is analysed as a file. */
function shell(a: Analysis, program: string, rest: Item[], at: At): void {
  let i = 0;
  let commandString = false;
  let stdin = false;
  for (; i < rest.length; i++) {
    const t = a.words.option(rest[i]);
    if (t === undefined) break;
    if (t === '--' || t === '-') {
      i++;
      break;
    }
    if (t.startsWith('--')) {
      if (t === '--rcfile' || t === '--init-file') i++;
      if (t === '--version' || t === '--help') return;
      continue;
    }
    if (!/^[-+]/.test(t)) break;
    for (const letter of t.slice(1)) {
      if (letter === 'c') commandString = true;
      else if (letter === 's') stdin = true;
      else if (letter === 'o' || letter === 'O') i++;
    }
  }
  if (commandString) {
    if (!rest[i]) throw new Unresolvable(`${program} -c without a command string`);
    for (const code of a.words.code(rest[i], `${program} -c`)) {
      const line = a.lineOf(rest[i], at);
      const unit = a.codeUnit(code.text, at.ctx.unit.file, line, `${program} -c`);
      if (unit && at.mode === 'report') {
        a.runProcess(unit.key, () => unit, program, at.ctx.proc);
      }
    }
    return;
  }
  if (stdin || !rest[i]) {
    throw new Unresolvable(`${program} reads its commands from standard input, which the analyser cannot see`);
  }
  for (const v of a.words.of(rest[i])) {
    const written = v.text.includes('/') ? path.posix.normalize(v.text) : v.text;
    const local = a.options.resolveScript(written);
    if (!local) throw new Unresolvable(`cannot find the script "${written}" that ${program} runs (resolveScript knows no such script)`);
    a.runScript(local, at, false);
  }
}

/** env [OPTION]… [NAME=VALUE]… [COMMAND [ARG]…] */
function env(a: Analysis, rest: Item[], at: At, via: string[]): void {
  const items = [...rest];
  let i = 0;
  const withArg = ['-u', '-C', '--unset', '--chdir'];
  for (; i < items.length; i++) {
    const t = a.words.option(items[i]);
    if (t === undefined) break;
    if (t === '--') {
      i++;
      break;
    }
    if (t === '-') continue;
    if (!t.startsWith('-')) break;
    if (t.startsWith('--')) {
      const [opt, value] = splitLong(t);
      if (opt === '--split-string') {
        const words = value ?? a.words.option(items[++i]);
        if (words === undefined) throw new Unresolvable('env --split-string with a string that cannot be known');
        items.splice(i + 1, 0, ...splitWords(words).map(w => lit(w)));
      } else if (withArg.includes(opt) && value === undefined) {
        i++;
      } else if (!['--ignore-environment', '--null', '--unset', '--chdir', '--debug', '--default-signal', '--ignore-signal', '--block-signal', '--list-signal-handling', '--help', '--version'].includes(opt)) {
        throw new Unresolvable(`unknown option ${opt} of env`);
      }
      continue;
    }
    for (let j = 1; j < t.length; j++) {
      const letter = t[j];
      if (letter === 'S') {
        const words = j + 1 < t.length ? t.slice(j + 1) : a.words.option(items[++i]);
        if (words === undefined) throw new Unresolvable('env -S with a string that cannot be known');
        items.splice(i + 1, 0, ...splitWords(words).map(w => lit(w)));
        break;
      }
      if (letter === 'u' || letter === 'C') {
        if (j + 1 >= t.length) i++;
        break;
      }
      if (!'i0v'.includes(letter)) throw new Unresolvable(`unknown option -${letter} of env`);
    }
  }
  for (; i < items.length; i++) {
    if (!isAssignmentWord(a, items[i])) break;
  }
  const command = items.slice(i);
  if (!command.length) return; // prints the environment
  for (const h of a.values.heads(command)) a.classify(h, at, via, { external: true });
}

function isAssignmentWord(a: Analysis, item: Item): boolean {
  if (item.kind === 'lit') return /^[^=]+=/.test(item.text) && !item.text.startsWith('=');
  if (item.kind === 'opaque') throw new Unresolvable(item.why);
  const lead = leadingLiteral(item.node);
  if (/^[^=/]+=/.test(lead)) return true;
  const text = a.words.option(item);
  return text !== undefined && /^[^=/]+=/.test(text);
}

/** The words after a wrapper's options and positionals, or undefined when there are none. */
function afterOptions(a: Analysis, program: string, rest: Item[], spec: WrapperSpec): Item[] | undefined {
  let i = 0;
  for (; i < rest.length; i++) {
    const t = a.words.option(rest[i]);
    if (t === undefined) break;
    if (t === '--') {
      i++;
      break;
    }
    if (!t.startsWith('-') || t === '-') break;
    if (spec.numeric && /^-[0-9]+$/.test(t)) continue;
    if (t.startsWith('--')) {
      const [opt, value] = splitLong(t);
      if (spec.longWithArg?.includes(opt)) {
        if (value === undefined) i++;
      } else if (!spec.longFlags?.includes(opt)) {
        throw new Unresolvable(`unknown option ${opt} of ${program}`);
      }
      continue;
    }
    for (let j = 1; j < t.length; j++) {
      const letter = t[j];
      if (spec.withArg?.includes(letter)) {
        if (j + 1 >= t.length) i++;
        break;
      }
      if (spec.optionalArg?.includes(letter)) break;
      if (!spec.flags?.includes(letter)) throw new Unresolvable(`unknown option -${letter} of ${program}`);
    }
  }
  for (let p = 0; p < (spec.positionals ?? 0); p++, i++) {
    const item = rest[i];
    if (!item) return undefined;
    if (item.kind === 'opaque') throw new Unresolvable(item.why);
    if (item.kind === 'node' && (isSplat(item.node) || (needsSplit(item.node) && a.words.tryOf(item) === undefined))) {
      throw new Unresolvable(`cannot tell how many words ${item.node.text} is, before the command ${program} runs`);
    }
  }
  return i < rest.length ? rest.slice(i) : undefined;
}

/** find … -exec COMMAND … ; (also -execdir, -ok, -okdir) */
function find(a: Analysis, rest: Item[], at: At, via: string[]): void {
  for (let i = 0; i < rest.length; i++) {
    const t = a.words.tolerant(rest[i]);
    if (t === '-exec' || t === '-execdir' || t === '-ok' || t === '-okdir') {
      for (const h of a.values.heads(rest.slice(i + 1))) a.classify(h, at, [...via, t], { external: true });
    }
  }
}

/** ncat --exec/-e COMMAND (split on blanks, no shell), --sh-exec/-c COMMAND (run by sh -c). */
function ncat(a: Analysis, rest: Item[], at: At, via: string[]): void {
  const withArg = 'gGmdiwpsoxq';
  for (let i = 0; i < rest.length; i++) {
    const t = a.words.tolerant(rest[i]);
    if (t === undefined) continue;
    let kind: 'exec' | 'sh' | undefined;
    let valueItem: Item | undefined;
    if (t.startsWith('--')) {
      const [opt, value] = splitLong(t);
      if (opt === '--exec' || opt === '--sh-exec') {
        kind = opt === '--exec' ? 'exec' : 'sh';
        valueItem = value !== undefined ? lit(value) : rest[++i];
      } else if (opt === '--lua-exec' || opt === '--lua-exec-internal') {
        throw new Unresolvable('ncat --lua-exec is not modelled');
      }
    } else if (/^-[^-]/.test(t)) {
      for (let j = 1; j < t.length; j++) {
        const letter = t[j];
        if (letter === 'e' || letter === 'c') {
          kind = letter === 'e' ? 'exec' : 'sh';
          valueItem = j + 1 < t.length ? lit(t.slice(j + 1)) : rest[++i];
          break;
        }
        if (withArg.includes(letter)) {
          if (j + 1 >= t.length) i++;
          break;
        }
      }
    }
    if (!kind) continue;
    if (!valueItem) throw new Unresolvable(`ncat ${kind === 'exec' ? '--exec' : '--sh-exec'} without a command`);
    for (const v of a.words.of(valueItem)) {
      if (kind === 'exec') commandLine(a, v.text, at, [...via, '--exec'], splitWords);
      else shellString(a, v.text, at, [...via, '--sh-exec'], valueItem);
    }
  }
}

/** socat addresses EXEC:command-line (split on blanks) and SYSTEM:shell-command (run by sh -c). */
function socat(a: Analysis, rest: Item[], at: At, via: string[]): void {
  for (const item of rest) {
    const text = a.words.tolerant(item);
    if (text === undefined) {
      const raw = item.kind === 'node' ? item.node.text : '';
      if (/^["']?\s*(exec|system)\s*:/i.test(raw)) throw new Unresolvable(`the socat address ${raw} cannot be known`);
      continue;
    }
    for (const address of text.split('!!')) {
      const m = /^(exec|system)\s*:(.*)$/is.exec(address);
      if (!m) continue;
      const kind = m[1].toLowerCase();
      const body = m[2].split(/(?<!\\),/, 1)[0].replace(/\\,/g, ',');
      if (kind === 'exec') commandLine(a, body, at, [...via, 'EXEC:'], s => s.split(/ +/).filter(w => w));
      else shellString(a, body, at, [...via, 'SYSTEM:'], item);
    }
  }
}

/** A command line run without a shell: its first word is the program. */
function commandLine(a: Analysis, text: string, at: At, via: string[], split: (s: string) => string[]): void {
  const words = split(text);
  if (!words.length) throw new Unresolvable('an empty command line');
  a.classify({ val: { text: words[0], via: [] }, rest: words.slice(1).map(w => lit(w)) }, at, via, { external: true });
}

/** A string run by `sh -c`: sh is reported and the string analysed as a child process. */
function shellString(a: Analysis, code: string, at: At, via: string[], item: Item): void {
  a.use('sh', at, via);
  const line = a.lineOf(item, at);
  const unit = a.codeUnit(code, at.ctx.unit.file, line, 'sh -c');
  if (unit && at.mode === 'report') a.runProcess(unit.key, () => unit, 'sh', at.ctx.proc);
}
