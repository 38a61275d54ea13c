/**
 * Builtins that bring in code or run a command: source, eval, trap, mapfile -C (their
 * code becomes a unit of the process, which runs when the builtin's command does), exec,
 * command, builtin; and enable, which would change what a builtin is.
 */
import * as path from 'path';
import type { Analysis } from './analysis';
import { At, Item, Place, Unresolvable } from './types';

export function builtin(a: Analysis, name: string, rest: Item[], at: At, via: string[]): void {
  const { ctx, line } = at;
  const anchors: Place[] = [{ unit: ctx.unit, node: at.node }];
  const words = a.words;
  switch (name) {
    case 'source':
    case '.': {
      const args = rest[0] && words.option(rest[0]) === '--' ? rest.slice(1) : rest;
      if (!args.length) throw new Unresolvable(`${name} without a file`);
      for (const v of words.of(args[0])) {
        const written = v.text.includes('/') ? path.posix.normalize(v.text) : v.text;
        const local = a.options.resolveScript(written);
        if (!local) throw new Unresolvable(`cannot find the sourced file "${written}" (resolveScript knows no such script)`);
        const unit = a.fileUnit(path.resolve(local), { file: ctx.unit.file, line }, anchors);
        if (unit) a.addUnit(ctx.proc, unit);
      }
      return;
    }
    case 'eval': {
      for (const code of words.joined(rest, 'eval')) {
        const unit = a.codeUnit(code, ctx.unit.file, line, 'eval', anchors);
        if (unit) a.addUnit(ctx.proc, unit);
      }
      return;
    }
    case 'trap': {
      let args = rest;
      const first = args.length ? words.option(args[0]) : undefined;
      if (first === '-p' || first === '-l' || first === '-P') return;
      if (first === '--') args = args.slice(1);
      if (args.length < 2) return; // `trap SIG`: resets
      for (const v of words.code(args[0], 'trap')) {
        if (v.text === '' || v.text === '-') continue;
        const unit = a.codeUnit(v.text, ctx.unit.file, a.lineOf(args[0], at), 'trap', anchors);
        if (unit) a.addUnit(ctx.proc, unit);
      }
      return;
    }
    case 'exec': {
      // exec [-cl] [-a name] command…
      const { index } = leadingOptions(a, rest, /^-[cl]+$/, ['-a']);
      for (const h of a.values.heads(rest.slice(index))) a.classify(h, at, [...via, 'exec'], { external: true });
      return;
    }
    case 'command': {
      // command [-pvV] command…; -v and -V only look the name up.
      const { index, flags } = leadingOptions(a, rest, /^-[pvV]+$/, []);
      if (/[vV]/.test(flags)) return;
      for (const h of a.values.heads(rest.slice(index))) a.classify(h, at, [...via, 'command'], { noFunctions: true });
      return;
    }
    case 'builtin':
      for (const h of a.values.heads(rest)) a.classify(h, at, [...via, 'builtin'], { builtinOnly: true });
      return;
    case 'mapfile':
    case 'readarray': {
      for (let i = 0; i < rest.length; i++) {
        if (words.option(rest[i]) === '-C' && rest[i + 1]) {
          for (const code of words.code(rest[i + 1], `${name} -C`)) {
            const unit = a.codeUnit(code.text, ctx.unit.file, line, `${name} -C`, anchors);
            if (unit) a.addUnit(ctx.proc, unit);
          }
        }
      }
      return;
    }
    case 'enable':
      if (rest.some(r => /^-[a-zA-Z]*[nfd]/.test(words.option(r) ?? ''))) {
        throw new Unresolvable('enable -n/-f/-d changes which names are builtins: not modelled');
      }
      return;
    default:
      return;
  }
}

/**
 * Skips a builtin's leading options: flags matching `flags`, the options in
 * `withArgument` with their argument, and a `--` that ends them. Returns the index of the
 * first operand and the flag letters seen.
 */
function leadingOptions(a: Analysis, rest: Item[], flags: RegExp, withArgument: string[]): { index: number; flags: string } {
  let seen = '';
  let i = 0;
  for (; i < rest.length; i++) {
    const t = a.words.option(rest[i]);
    if (t === undefined) break;
    if (t === '--') return { index: i + 1, flags: seen };
    if (withArgument.includes(t)) {
      i++;
      continue;
    }
    if (!flags.test(t)) break;
    seen += t.slice(1);
  }
  return { index: i, flags: seen };
}
