/** Questions about tree-sitter-bash syntax nodes. */
import type { Node } from 'web-tree-sitter';
import { displayPath } from './text';
import { Item, Place } from './types';

export function isNode(n: Node | null): n is Node {
  return n !== null;
}

/** Depth-first visit; the callback returns false to skip a node's children. */
export function visit(root: Node, f: (n: Node) => boolean): void {
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (!f(node)) continue;
    const children = node.children.filter(isNode);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
}

export function lit(text: string, via: string[] = []): Item {
  return { kind: 'lit', text, via };
}

export function describeNode(node: Node): string {
  const names: Record<string, string> = {
    command_substitution: 'the command substitution',
    process_substitution: 'the process substitution',
    arithmetic_expansion: 'the arithmetic expansion',
    brace_expression: 'the brace expansion',
  };
  return `${names[node.type] ?? node.type} ${node.text}`;
}

export function describeExpansion(node: Node): string {
  const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(node.text);
  return m ? `$${m[1]}` : node.text;
}

export function notSet(description: string, name: string): string {
  return `${description}: $${name} is not in the container's environment (options.env) and no analysed script assigns it`;
}

/** The variable of a word that is exactly `$NAME`, `${NAME}`, `"$NAME"` or `"${NAME}"`. */
export function plainVariable(word: Node | null): string | undefined {
  let node = word;
  if (node?.type === 'string') {
    const parts = node.children.filter(isNode);
    node = parts.length === 3 ? parts[1] : null;
  }
  if (!node) return undefined;
  const shape = node.children.filter(isNode).map(c => c.type).join(' ');
  if ((node.type === 'simple_expansion' && shape === '$ variable_name') || (node.type === 'expansion' && shape === '${ variable_name }')) {
    return node.namedChildren[0]?.text;
  }
  return undefined;
}

/** `"${arr[@]}"` or `${arr[@]}` (also `[*]`): an array expanded to its words. */
export function splatOf(node: Node): { name: string; quoted: boolean; description: string } | undefined {
  let quoted = false;
  let expansion = node;
  if (node.type === 'string') {
    const inner = node.namedChildren.filter(isNode);
    if (inner.length !== 1 || node.children.filter(isNode).length !== 3) return undefined;
    expansion = inner[0];
    quoted = true;
  }
  if (expansion.type !== 'expansion') return undefined;
  const children = expansion.children.filter(isNode).filter(c => !['${', '}'].includes(c.type));
  if (children.length !== 1 || children[0].type !== 'subscript') return undefined;
  const index = children[0].childForFieldName('index')?.text;
  if (index !== '@' && index !== '*') return undefined;
  const name = children[0].childForFieldName('name')?.text ?? '';
  if (name === '' || /^[0-9@*]/.test(name)) return undefined;
  return { name, quoted, description: expansion.text };
}

/** `"$@"`, `"$*"`, `"${@:N}"`, `"$N"` (quoted or not): the function's arguments from a 0-based position on. */
export function positionalOf(node: Node): number | undefined {
  let expansion = node;
  if (node.type === 'string') {
    const inner = node.namedChildren.filter(isNode);
    if (inner.length !== 1 || node.children.filter(isNode).length !== 3) return undefined;
    expansion = inner[0];
  }
  if (expansion.type !== 'simple_expansion' && expansion.type !== 'expansion') return undefined;
  const children = expansion.children.filter(isNode).filter(c => !['$', '${', '}'].includes(c.type));
  const target = children[0];
  if (!target) return undefined;
  if (target.type === 'special_variable_name' && (target.text === '@' || target.text === '*')) {
    if (children.length === 1) return 0;
    if (children.length === 3 && children[1].type === ':' && /^[0-9]+$/.test(children[2].text)) return Math.max(0, Number(children[2].text) - 1);
    return undefined;
  }
  if (target.type === 'variable_name' && /^[1-9]$/.test(target.text) && children.length === 1) return Number(target.text) - 1;
  return undefined;
}

/** Whether a node contains an array expansion that may be several words. */
export function isSplat(node: Node): boolean {
  if (splatOf(node)) return true;
  let found = false;
  visit(node, n => {
    if (found || n.type === 'command_substitution') return false;
    if (n.type === 'subscript' && ['@', '*'].includes(n.childForFieldName('index')?.text ?? '')) found = true;
    if ((n.type === 'simple_expansion' || n.type === 'expansion') && n.namedChildren.some(c => c?.type === 'special_variable_name' && ['@', '*'].includes(c.text))) found = true;
    return true;
  });
  return found;
}

/** Whether a word undergoes word splitting (an unquoted expansion or substitution in it). */
export function needsSplit(node: Node): boolean {
  if (['simple_expansion', 'expansion', 'command_substitution'].includes(node.type)) return true;
  if (node.type === 'concatenation') return node.children.some(c => c !== null && ['simple_expansion', 'expansion', 'command_substitution'].includes(c.type));
  return false;
}

/** The literal text a word starts with, up to its first expansion. */
export function leadingLiteral(node: Node): string {
  if (['word', 'number'].includes(node.type)) return node.text;
  if (node.type === 'raw_string') return node.text.slice(1, -1);
  if (node.type === 'string') {
    let out = '';
    for (const c of node.namedChildren.filter(isNode)) {
      if (c.type !== 'string_content') break;
      out += c.text;
    }
    return out;
  }
  if (node.type === 'concatenation') {
    let out = '';
    for (const c of node.children.filter(isNode)) {
      const part = leadingLiteral(c);
      out += part;
      if (!['word', 'number', 'raw_string'].includes(c.type)) break;
    }
    return out;
  }
  return '';
}

/** `file:line` of a place, for messages. */
export function placeName(place: Place): string {
  return `${displayPath(place.unit.file)}:${place.unit.lineOffset + place.node.startPosition.row + 1}`;
}
