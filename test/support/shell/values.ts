/**
 * The possible values of words: literals, quoting, parameter expansions, the few command
 * substitutions whose output is known (dirname, basename, cd && pwd…), and the possible
 * first words of a command line. What cannot be known throws Unresolvable.
 */
import * as path from 'path';
import type { Node } from 'web-tree-sitter';
import { describeExpansion, describeNode, isNode, lit, needsSplit, notSet, positionalOf, splatOf } from './syntax';
import {
  absolute, ansiC, dedupeHeads, dedupeVals, escapeRegex, globToRegex, MAX_VALUES, product, removePattern, splitFields, unescapeDoubleQuoted,
} from './text';
import { AnalysisOptions, Ctx, Head, Item, Lookup, Unresolvable, Val } from './types';
import { lookupVariable } from './variables';

export class Values {
  constructor(readonly options: AnalysisOptions) {}

  /** What a variable can hold in this process: environment, assignments, exported ones. */
  lookup(name: string, ctx: Ctx, description: string): Lookup {
    return lookupVariable(this, name, ctx, description);
  }

  /** Every possible first word of a command line, with the words after it. */
  heads(items: Item[]): Head[] {
    if (!items.length) return [];
    const [first, ...rest] = items;
    if (first.kind === 'lit') return [{ val: { text: first.text, via: first.via }, rest }];
    if (first.kind === 'opaque') throw new Unresolvable(first.why);
    const { node, ctx } = first;
    const out: Head[] = [];
    const position = positionalOf(node);
    if (position !== undefined) return [{ val: { text: node.text, via: [] }, rest, positional: position }];
    const splat = splatOf(node);
    if (splat) {
      const lookup = this.lookup(splat.name, ctx, splat.description);
      if (!lookup.known) throw new Unresolvable(notSet(splat.description, splat.name));
      for (const h of lookup.heads) {
        const val = { text: h.val.text, via: [splat.description, ...h.val.via] };
        if (splat.quoted) {
          out.push({ val, rest: [...h.rest, ...rest] });
        } else {
          out.push(...this.splitHead(val, [...h.rest, ...rest]));
        }
      }
      if (lookup.mayBeEmpty) out.push(...this.heads(rest));
      return dedupeHeads(out);
    }
    const split = needsSplit(node);
    for (const val of this.evaluate(node, ctx)) {
      if (split) out.push(...this.splitHead(val, rest));
      else if (val.text !== '') out.push({ val, rest });
    }
    return dedupeHeads(out);
  }

  /** Word splitting of an unquoted first word: an empty value leaves the next word first. */
  private splitHead(val: Val, rest: Item[]): Head[] {
    const words = splitFields(val.text);
    if (!words.length) return this.heads(rest);
    return [{ val: { text: words[0], via: val.via }, rest: [...words.slice(1).map(w => lit(w, val.via)), ...rest] }];
  }

  /** Every possible value of a word node (no word splitting). */
  evaluate(node: Node, ctx: Ctx): Val[] {
    switch (node.type) {
      case 'word':
        return [{ text: this.unquotedWord(node.text), via: [] }];
      case 'number':
      case 'variable_name':
      case 'string_content':
      case 'heredoc_content':
        return [{ text: node.text, via: [] }];
      case 'raw_string':
        return [{ text: node.text.slice(1, -1), via: [] }];
      case 'ansi_c_string':
        return [{ text: ansiC(node.text.slice(2, -1)), via: [] }];
      case 'translated_string': {
        const inner = node.namedChild(0);
        return inner ? this.evaluate(inner, ctx) : [{ text: '', via: [] }];
      }
      case 'string': {
        const parts: Val[][] = [];
        for (const child of node.children.filter(isNode)) {
          if (child.type === '"') continue;
          if (child.type === 'string_content') parts.push([{ text: unescapeDoubleQuoted(child.text), via: [] }]);
          else if (!child.isNamed) parts.push([{ text: child.text, via: [] }]);
          else parts.push(this.evaluate(child, ctx));
        }
        return product(parts);
      }
      case 'concatenation':
        return product(node.children.filter(isNode).map(child => (child.isNamed ? this.evaluate(child, ctx) : [{ text: child.text, via: [] }])));
      case 'simple_expansion':
      case 'expansion':
        return this.expansion(node, ctx);
      case 'command_substitution':
        return this.substitution(node, ctx);
      default:
        throw new Unresolvable(`${describeNode(node)} cannot be evaluated statically`);
    }
  }

  /**
   * A pattern (of `case`, or of `${x#pattern}`) as regular expression bodies, one for
   * each value it may have: quoted parts match literally, the rest as a glob.
   */
  patterns(nodes: Node[], ctx: Ctx): string[] {
    let out = [''];
    for (const node of nodes) {
      const part = this.patternPart(node, ctx);
      out = out.flatMap(a => part.map(b => a + b));
      if (out.length > MAX_VALUES) throw new Unresolvable('a pattern has too many possible values');
    }
    return [...new Set(out)];
  }

  private patternPart(node: Node, ctx: Ctx): string[] {
    switch (node.type) {
      case 'regex':
      case 'word':
      case 'extglob_pattern':
      case 'number':
        return [globToRegex(node.text)];
      case 'raw_string':
      case 'string':
      case 'ansi_c_string':
        return this.evaluate(node, ctx).map(v => escapeRegex(v.text));
      case 'simple_expansion':
      case 'expansion':
        return this.evaluate(node, ctx).map(v => globToRegex(v.text));
      case 'concatenation':
        return this.patterns(node.children.filter(isNode), ctx);
      default:
        if (!node.isNamed) return [globToRegex(node.text)];
        throw new Unresolvable(`the pattern ${node.text} is not modelled`);
    }
  }

  private unquotedWord(text: string): string {
    if (/^~/.test(text)) {
      const home = this.options.env.HOME;
      const m = /^~([^/]*)/.exec(text);
      if (m && m[1] === '' && home !== undefined) text = home + text.slice(1);
      else throw new Unresolvable(`the tilde in ${text} cannot be expanded (no HOME in env)`);
    }
    let out = '';
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '\\') {
        if (text[i + 1] === '\n') i++;
        else if (i + 1 < text.length) out += text[++i];
        continue;
      }
      if (c === '*' || c === '?' || (c === '[' && text.indexOf(']', i + 2) > i)) {
        throw new Unresolvable(`the glob ${text} cannot be expanded statically`);
      }
      if (c === '{' && /^\{[^}]*(,|\.\.)[^}]*\}/.test(text.slice(i))) {
        throw new Unresolvable(`the brace expansion ${text} is not modelled`);
      }
      out += c;
    }
    return out;
  }

  /** `$NAME`, `${NAME}`, `${NAME[0]}`, `${NAME:-word}`, `${NAME%pattern}` and friends. */
  private expansion(node: Node, ctx: Ctx): Val[] {
    const description = describeExpansion(node);
    const children = node.children.filter(isNode).filter(c => !['$', '${', '}'].includes(c.type));
    if (node.type === 'expansion' && children[0] && (children[0].type === '#' || children[0].type === '!')) {
      throw new Unresolvable(`${node.text} (length or indirection) cannot be used statically`);
    }
    const target = children[0];
    if (!target) throw new Unresolvable(`${node.text} cannot be evaluated`);
    let name: string;
    let index: string | undefined;
    if (target.type === 'subscript') {
      name = target.childForFieldName('name')?.text ?? '';
      index = target.childForFieldName('index')?.text;
    } else if (target.type === 'variable_name' || target.type === 'special_variable_name') {
      name = target.text;
    } else {
      throw new Unresolvable(`${node.text} cannot be evaluated`);
    }
    if (index !== undefined && index !== '0') {
      throw new Unresolvable(index === '@' || index === '*' ? `${node.text} may be several words` : `${node.text}: only element 0 of an array is modelled`);
    }
    const lookup = this.lookup(name, ctx, description);
    const operatorNode = children[1];
    if (!operatorNode) {
      if (!lookup.known) throw new Unresolvable(notSet(description, name));
      // Only ever made empty (`x=()`, `local x`, `unset x`): the empty string. Otherwise
      // the values assigned, as everywhere (an empty value before them is not followed).
      if (!lookup.heads.length && lookup.mayBeEmpty) return [{ text: '', via: [description] }];
      return lookup.heads.map(h => ({ text: h.val.text, via: [description, ...h.val.via] }));
    }
    const operator = operatorNode.type;
    const operand = children.slice(2);
    const vals = lookup.heads.map(h => ({ text: h.val.text, via: [description, ...h.val.via] }));
    const unset = lookup.mayBeUnset || !lookup.known;
    const word = () => (operand.length ? product(operand.map(o => (o.isNamed ? this.evaluate(o, ctx) : [{ text: o.text, via: [] }]))) : [{ text: '', via: [] }])
      .map(v => ({ text: v.text, via: [description, ...v.via] }));
    switch (operator) {
      case ':-':
      case ':=':
        return dedupeVals([...vals.filter(v => v.text !== ''), ...(unset || vals.some(v => v.text === '') ? word() : [])]);
      case '-':
      case '=':
        return dedupeVals([...vals, ...(unset ? word() : [])]);
      case ':?':
      case '?':
        if (!lookup.known) throw new Unresolvable(notSet(description, name));
        return vals;
      case ':+':
        return dedupeVals([...(vals.some(v => v.text !== '') ? word() : []), ...(unset || vals.some(v => v.text === '') ? [{ text: '', via: [] }] : [])]);
      case '+':
        return dedupeVals([...(vals.length ? word() : []), ...(unset ? [{ text: '', via: [] }] : [])]);
      case '#':
      case '##':
      case '%':
      case '%%': {
        if (!lookup.known) throw new Unresolvable(notSet(description, name));
        const patterns = this.patterns(operand, ctx);
        const out: Val[] = [];
        for (const v of vals) for (const p of patterns) out.push({ text: removePattern(v.text, p, operator), via: v.via });
        return dedupeVals(out);
      }
      case '^^':
      case ',,':
      case '^':
      case ',': {
        if (operand.length) throw new Unresolvable(`${node.text}: case modification with a pattern is not modelled`);
        if (!lookup.known) throw new Unresolvable(notSet(description, name));
        const f = (s: string) => (operator === '^^' ? s.toUpperCase() : operator === ',,' ? s.toLowerCase()
          : operator === '^' ? s.charAt(0).toUpperCase() + s.slice(1) : s.charAt(0).toLowerCase() + s.slice(1));
        return vals.map(v => ({ text: f(v.text), via: v.via }));
      }
      default:
        throw new Unresolvable(`${node.text}: the expansion operator ${operator} is not modelled`);
    }
  }

  /** `$(dirname X)`, `$(basename X)`, `$(cd X && pwd)`, `$(realpath X)`, `$(readlink -f X)`. */
  private substitution(node: Node, ctx: Ctx): Val[] {
    const statements = node.namedChildren.filter(isNode).filter(n => n.type !== 'comment');
    let commands: Node[] = [];
    if (statements.length === 1 && statements[0].type === 'list') {
      const list = statements[0];
      if (list.children.some(c => c?.type === '||')) commands = [];
      else commands = list.namedChildren.filter(isNode);
    } else {
      commands = statements;
    }
    const unwrap = (n: Node) => (n.type === 'redirected_statement' ? n.childForFieldName('body') ?? n : n);
    const words = (n: Node | undefined) => {
      const c = n ? unwrap(n) : undefined;
      if (!c || c.type !== 'command') return undefined;
      const nameNode = c.childForFieldName('name')?.namedChild(0);
      if (!nameNode || nameNode.type !== 'word') return undefined;
      return { name: nameNode.text, args: c.childrenForFieldName('argument').filter(isNode) };
    };
    const operand = (args: Node[], allowed: RegExp): Node | undefined => {
      const rest = args.filter(a => !(a.type === 'word' && (allowed.test(a.text) || a.text === '--')));
      return rest.length === 1 ? rest[0] : undefined;
    };
    const fail = () => new Unresolvable(`the output of ${node.text} cannot be known statically`);
    if (commands.length === 1) {
      const c = words(commands[0]);
      if (!c) throw fail();
      if (c.name === 'dirname' || c.name === 'basename' || c.name === 'realpath' || c.name === 'readlink') {
        const arg = c.name === 'basename' ? c.args.filter(a => a.text !== '--')[0] : operand(c.args, c.name === 'readlink' ? /^-[femsqnvz]+$/ : /^-[esqLPz]+$/);
        if (!arg || (c.name === 'readlink' && !c.args.some(a => /^-[a-z]*[fem]/.test(a.text)))) throw fail();
        if (c.name === 'basename' && c.args.filter(a => a.text !== '--').length !== 1) throw fail();
        return this.evaluate(arg, ctx).map(v => {
          const p = v.text;
          const text = c.name === 'dirname' ? path.posix.dirname(p) : c.name === 'basename' ? path.posix.basename(p) : absolute(p);
          return { text, via: v.via };
        });
      }
      throw fail();
    }
    if (commands.length === 2) {
      const cd = words(commands[0]);
      const pwd = words(commands[1]);
      if (cd?.name === 'cd' && pwd?.name === 'pwd' && pwd.args.every(a => /^-[LP]$/.test(a.text))) {
        const arg = operand(cd.args, /^-[LPe@]+$/);
        if (!arg) throw fail();
        return this.evaluate(arg, ctx).map(v => ({ text: absolute(v.text), via: v.via }));
      }
    }
    throw fail();
  }
}
