/**
 * Variables, resolved flow-insensitively: a variable can hold the container's environment
 * value (`options.env`) and the value of any assignment to it that may run in the same
 * process (or that its parent exported), so a name used as a command yields every
 * command it may name.
 */
import { isSplat, needsSplit, placeName } from './syntax';
import { dedupeHeads, displayPath, product, splitFields } from './text';
import { Assignment, Ctx, Head, Item, Lookup, Unresolvable } from './types';
import type { Values } from './values';

export function lookupVariable(values: Values, name: string, ctx: Ctx, description: string): Lookup {
  const { proc, unit } = ctx;
  if (name === 'BASH_SOURCE') return { heads: [{ val: { text: unit.file, via: [] }, rest: [] }], mayBeUnset: false, mayBeEmpty: false, known: true };
  if (name === '0') {
    if (proc.dollar0 === undefined) throw new Unresolvable(`${description} is not known here`);
    return { heads: [{ val: { text: proc.dollar0, via: [] }, rest: [] }], mayBeUnset: false, mayBeEmpty: false, known: true };
  }
  if (/^[0-9]+$/.test(name) || ['@', '*', '#', '?', '$', '!', '-'].includes(name)) {
    throw new Unresolvable(`${description} is set at run time (an argument or a status): its value is not known statically`);
  }
  const env = values.options.env[name];
  if (proc.resolving.has(name)) {
    // a reference to itself in its own assignment: the value it had before, the environment's
    return env === undefined
      ? { heads: [], mayBeUnset: true, mayBeEmpty: true, known: false }
      : { heads: [{ val: { text: env, via: [] }, rest: [] }], mayBeUnset: false, mayBeEmpty: env === '', known: true };
  }
  const memo = proc.memo.get(name);
  if (memo instanceof Unresolvable) throw memo;
  if (memo) return memo;
  let result: Lookup;
  try {
    result = computeLookup(values, name, ctx, env);
  } catch (e) {
    if (e instanceof Unresolvable && proc.resolving.size === 0) proc.memo.set(name, e);
    throw e;
  }
  // A value worked out inside a cycle of variables saw only the environment's value of
  // the variable being resolved: keep only values worked out from the top.
  if (proc.resolving.size === 0) proc.memo.set(name, result);
  return result;
}

function computeLookup(values: Values, name: string, ctx: Ctx, env: string | undefined): Lookup {
  const { proc } = ctx;
  const assignments = proc.assignments(name);
  const where = (a: Assignment) => `${displayPath(a.ctx.unit.file)}:${a.line}`;
  const dynamic = assignments.find(a => a.kind === 'dynamic');
  if (dynamic) throw new Unresolvable(`$${name} is set by ${dynamic.how} at ${where(dynamic)}: its value is not known statically`);
  const nameref = proc.namerefs.find(p => proc.runs(p.unit, p.node));
  if (assignments.length && nameref) {
    throw new Unresolvable(`the scripts use a nameref (declare -n, ${placeName(nameref)}), which may assign $${name}: not modelled`);
  }
  const heads: Head[] = [];
  let mayBeUnset = env === undefined;
  let mayBeEmpty = env === '';
  // An append gives the first element only to an array that may be empty before it.
  const mayBeEmptyArray = (env === undefined && !assignments.some(a => a.kind !== 'empty' && !a.append))
    || assignments.some(a => a.kind === 'empty' || (a.kind === 'array' && !a.append && !a.nodes.length));
  if (env !== undefined) heads.push({ val: { text: env, via: [] }, rest: [] });
  const appends = assignments.filter(a => a.kind === 'array' && a.append);
  const appended: Item[] = appends.length ? [{ kind: 'opaque', why: `${name} is appended to at ${where(appends[0])}` }] : [];
  proc.resolving.add(name);
  try {
    for (const a of assignments) {
      const fromAssignment = (f: () => Head[]) => {
        try {
          return f();
        } catch (e) {
          if (e instanceof Unresolvable) throw new Unresolvable(`$${name} is assigned at ${where(a)} a value that cannot be known: ${e.message}`);
          throw e;
        }
      };
      switch (a.kind) {
        case 'empty':
          mayBeUnset = true;
          mayBeEmpty = true;
          break;
        case 'scalar':
        case 'element':
          if (a.append) throw new Unresolvable(`$${name} is appended to at ${where(a)}: not modelled`);
          for (const v of fromAssignment(() => product(a.nodes.map(n => (n.isNamed ? values.evaluate(n, a.ctx) : [{ text: n.text, via: [] }]))).map(val => ({ val, rest: [] })))) {
            if (v.val.text === '') mayBeUnset = mayBeEmpty = true;
            heads.push(v);
          }
          break;
        case 'array': {
          if (a.append) break;
          if (!a.nodes.length) {
            mayBeUnset = mayBeEmpty = true;
            break;
          }
          const hs = fromAssignment(() => values.heads(a.nodes.map(n => ({ kind: 'node', node: n, ctx: a.ctx }))));
          if (!hs.length) mayBeUnset = mayBeEmpty = true;
          for (const h of hs) heads.push({ val: h.val, rest: [...h.rest, ...appended] });
          break;
        }
        case 'for':
          for (const n of a.nodes) {
            if (isSplat(n)) throw new Unresolvable(`$${name} loops over ${n.text} at ${where(a)}: not modelled`);
            const vals = fromAssignment(() => values.evaluate(n, a.ctx).map(val => ({ val, rest: [] })));
            for (const v of vals) {
              const words = needsSplit(n) ? splitFields(v.val.text) : [v.val.text];
              for (const w of words) heads.push({ val: { text: w, via: v.val.via }, rest: [] });
            }
          }
          break;
        default:
          break;
      }
    }
    if (mayBeEmptyArray) {
      for (const a of appends) {
        const hs = values.heads(a.nodes.map(n => ({ kind: 'node', node: n, ctx: a.ctx })));
        for (const h of hs) heads.push({ val: h.val, rest: [...h.rest, ...appended] });
      }
    }
  } finally {
    proc.resolving.delete(name);
  }
  return { heads: dedupeHeads(heads), mayBeUnset, mayBeEmpty, known: env !== undefined || assignments.length > 0 };
}
