/**
 * Which items of a `case` statement may run. When the word is exactly "$VAR" or "${VAR}"
 * (quoted or not) and VAR is in the container's environment, its possible values are that
 * value and the value of every assignment to VAR that may run; for each, the items bash
 * takes: the first whose pattern matches, then the following ones through `;&` (run) and
 * `;;&` (test again). Every item may run when a value or a pattern cannot be known, when
 * VAR may be assigned in a way that is not followed (arithmetic, a nameref, a name built
 * at run time), or when nocasematch is set.
 */
import type { Node } from 'web-tree-sitter';
import { isNode, plainVariable } from './syntax';
import { Ctx, Unresolvable } from './types';
import { Values } from './values';

export function caseItems(statement: Node, ctx: Ctx, values: Values): Set<number> {
  const items = statement.namedChildren.filter(isNode).filter(c => c.type === 'case_item');
  const all = new Set(items.keys());
  const name = plainVariable(statement.childForFieldName('value'));
  const { proc } = ctx;
  if (!name || values.options.env[name] === undefined) return all;
  if (proc.nocasematch || proc.untracked.any || proc.untracked.names.has(name) || proc.anyRuns(proc.namerefs)) return all;
  let words: Set<string>;
  let patterns: RegExp[][][];
  try {
    const lookup = values.lookup(name, ctx, `$${name}`);
    words = new Set(lookup.heads.map(h => h.val.text));
    if (lookup.mayBeUnset || lookup.mayBeEmpty) words.add('');
    // item → its patterns → the regular expressions of the values each pattern may have
    patterns = items.map(item => item.childrenForFieldName('value').filter(isNode).map(p => values.patterns([p], ctx).map(r => new RegExp(`^(?:${r})$`))));
  } catch (e) {
    if (e instanceof Unresolvable) return all;
    throw e;
  }
  const taken = new Set<number>();
  for (const word of words) {
    const seen = new Set<number>();
    const test = (from: number): void => {
      for (let k = from; k < items.length; k++) {
        const alternatives = patterns[k].map(regexes => regexes.map(r => r.test(word)));
        if (alternatives.some(matches => matches.some(Boolean))) run(k);
        if (alternatives.some(matches => matches.every(Boolean))) return;
      }
    };
    const run = (k: number): void => {
      if (k >= items.length || seen.has(k)) return;
      seen.add(k);
      taken.add(k);
      const end = terminator(items[k]);
      if (end === ';&') run(k + 1);
      else if (end === ';;&') test(k + 1);
    };
    test(0);
  }
  return taken;
}

function terminator(item: Node): string | undefined {
  return item.children.filter(isNode).reverse().find(c => [';;', ';&', ';;&'].includes(c.type))?.type;
}
