/**
 * What a unit defines, wherever it is written: functions, assignments to variables,
 * exports and the shell options that change how names resolve. Each is recorded with its
 * place, and counts only where that code may run (`Process.runs`).
 */
import type { Node } from 'web-tree-sitter';
import { Process, push } from './process';
import { isNode, visit } from './syntax';
import { Assignment, Ctx, Unit } from './types';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function scanUnit(unit: Unit, proc: Process): void {
  const ctx: Ctx = { unit, proc };
  const lineOf = (n: Node) => unit.lineOffset + n.startPosition.row + 1;
  visit(unit.root, node => {
    switch (node.type) {
      case 'heredoc_body':
        return false;
      case 'function_definition': {
        const name = node.childForFieldName('name');
        if (name) proc.define(name.text, { unit, node });
        return true;
      }
      case 'variable_assignment': {
        const parent = node.parent;
        if (parent?.type === 'command' && parent.childForFieldName('name')) return true; // `X=1 cmd`: the command's environment only
        if (parent?.type === 'c_style_for_statement' || parent?.type === 'declaration_command') return true;
        recordAssignment(node, ctx, false);
        return true;
      }
      case 'declaration_command':
        scanDeclaration(node, ctx);
        return true;
      case 'unset_command': {
        const words = node.namedChildren.filter(isNode);
        if (words.some(w => w.type === 'word' && /^-[a-zA-Z]*f/.test(w.text))) return true;
        for (const w of words) {
          if (w.type === 'variable_name') proc.assign(w.text, { kind: 'empty', append: false, nodes: [], ctx, place: node, line: lineOf(w) });
          else if (['string', 'raw_string', 'simple_expansion', 'expansion'].includes(w.type)) proc.untracked.any = true; // `unset "$name"`
        }
        return true;
      }
      case 'for_statement': {
        const variable = node.childForFieldName('variable');
        if (!variable) return true;
        const values = node.childrenForFieldName('value').filter(isNode);
        const keyword = node.child(0)?.type;
        if (values.length === 0 && !node.children.some(c => c?.type === 'in')) {
          proc.assign(variable.text, { kind: 'dynamic', append: false, nodes: [], ctx, place: node, line: lineOf(node), how: `"${keyword} ${variable.text}" over the arguments` });
        } else {
          proc.assign(variable.text, { kind: 'for', append: false, nodes: values, ctx, place: node, line: lineOf(node) });
        }
        return true;
      }
      case 'command':
        scanCommand(node, ctx);
        return true;
      case 'expansion': {
        // ${NAME:=word} and ${NAME=word} assign word; ${!ref:=word} assigns a variable not known here
        const children = node.children.filter(isNode).filter(c => !['${', '}'].includes(c.type));
        const assigns = children.findIndex(c => c.type === ':=' || c.type === '=');
        if (children[0]?.type === 'variable_name' && assigns === 1) {
          proc.assign(children[0].text, { kind: 'scalar', append: false, nodes: children.slice(2), ctx, place: node, line: lineOf(node) });
        } else if (children[0]?.type === '!' && assigns > 0) {
          proc.untracked.any = true;
        }
        return true;
      }
      case 'arithmetic_expansion':
      case 'c_style_for_statement':
        untrackArithmetic(node.text, proc);
        return true;
      case 'test_command': // [[ a -eq b ]] evaluates a and b as arithmetic
        if (/\s-(eq|ne|lt|le|gt|ge)\s/.test(node.text)) untrackArithmetic(node.text, proc);
        return true;
      case 'compound_statement':
        if (node.child(0)?.type === '((') untrackArithmetic(node.text, proc);
        return true;
      case 'subscript':
        untrackArithmetic(node.childForFieldName('index')?.text ?? '', proc);
        return true;
      default:
        return true;
    }
  });
}

/** Variables that arithmetic text may assign (`x=1`, `x+=2`, `x++`, `--x`); broad on purpose. */
function untrackArithmetic(text: string, proc: Process): void {
  const patterns = [
    /(?:^|[^A-Za-z0-9_$])([A-Za-z_][A-Za-z0-9_]*)\s*(?:\[[^\]]*\])?\s*(?:[-+*/%&|^]|<<|>>)?=(?!=)/g,
    /(?:\+\+|--)\s*([A-Za-z_][A-Za-z0-9_]*)/g,
    /([A-Za-z_][A-Za-z0-9_]*)\s*(?:\+\+|--)/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) proc.untracked.names.add(m[1]);
}

function recordAssignment(node: Node, ctx: Ctx, declared: boolean, nameref = false): void {
  const nameNode = node.childForFieldName('name');
  if (!nameNode) return;
  const line = ctx.unit.lineOffset + node.startPosition.row + 1;
  const append = node.children.some(c => c?.type === '+=');
  const value = node.childForFieldName('value');
  let name = nameNode.text;
  let kind: Assignment['kind'] = 'scalar';
  let nodes: Node[] = value ? [value] : [];
  if (nameNode.type === 'subscript') {
    name = nameNode.childForFieldName('name')?.text ?? name;
    const index = nameNode.childForFieldName('index');
    if (index && /^\s*[1-9][0-9]*\s*$/.test(index.text)) return; // a later element: never the first word
    kind = 'element';
  } else if (value?.type === 'array') {
    kind = 'array';
    nodes = value.namedChildren.filter(isNode).filter(n => n.type !== 'comment');
  }
  if (nameref) {
    ctx.proc.namerefs.push({ unit: ctx.unit, node });
    ctx.proc.assign(name, { kind: 'dynamic', append, nodes, ctx, place: node, line, how: 'a nameref (declare -n)' });
    return;
  }
  if (declared && !value && !node.children.some(c => c?.type === '=' || c?.type === '+=')) {
    kind = 'empty';
  }
  ctx.proc.assign(name, { kind, append, nodes, ctx, place: node, line });
}

/** declare, typeset, local, export, readonly. */
function scanDeclaration(node: Node, ctx: Ctx): void {
  const { proc, unit } = ctx;
  const keyword = node.child(0)?.type ?? '';
  const flags = node.namedChildren.filter(isNode).filter(n => n.type === 'word' && /^[-+][a-zA-Z]+$/.test(n.text)).map(n => n.text);
  const has = (letter: string) => flags.some(f => f.startsWith('-') && f.includes(letter));
  const functions = has('f') || has('F');
  const exported = keyword === 'export' || has('x');
  const nameref = keyword !== 'export' && keyword !== 'readonly' && has('n');
  const converted = ['l', 'u', 'c'].find(has);
  const line = (n: Node) => unit.lineOffset + n.startPosition.row + 1;
  const place = { unit, node };
  for (const child of node.namedChildren.filter(isNode)) {
    let name: string;
    if (child.type === 'variable_assignment') {
      const nameNode = child.childForFieldName('name');
      name = (nameNode?.type === 'subscript' ? nameNode.childForFieldName('name')?.text : nameNode?.text) ?? '';
      recordAssignment(child, ctx, true, nameref);
    } else if (child.type === 'variable_name' || (child.type === 'word' && NAME.test(child.text))) {
      name = child.text;
      if (functions) {
        if (exported) push(proc.exportedFunctions, name, place);
        continue;
      }
      if (nameref) {
        proc.namerefs.push(place);
        proc.assign(name, { kind: 'dynamic', append: false, nodes: [], ctx, place: node, line: line(child), how: 'a nameref (declare -n)' });
      } else if (keyword === 'local' || keyword === 'declare' || keyword === 'typeset') {
        proc.assign(name, { kind: 'empty', append: false, nodes: [], ctx, place: node, line: line(child) });
      }
    } else {
      // A flag, or a name built at run time (`declare "$n=v"`): then any variable may be assigned.
      if (!(child.type === 'word' && /^[-+]/.test(child.text)) && !functions) proc.untracked.any = true;
      continue;
    }
    if (exported) push(proc.exportedVars, name, place);
    if (has('i')) proc.untracked.names.add(name);
    if (converted) {
      proc.assign(name, { kind: 'dynamic', append: false, nodes: [], ctx, place: node, line: line(child), how: `declare -${converted} (its values are case-converted)` });
    }
  }
}

/** Variables that builtins (read, mapfile, printf -v, getopts, wait -p) set; set -a; shopt. */
function scanCommand(node: Node, ctx: Ctx): void {
  const { proc, unit } = ctx;
  const nameNode = node.childForFieldName('name')?.namedChild(0);
  if (!nameNode || nameNode.type !== 'word') return;
  const name = nameNode.text;
  const args = node.childrenForFieldName('argument').filter(isNode).map(a => a.text);
  const line = unit.lineOffset + node.startPosition.row + 1;
  for (const a of args) {
    const fd = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(a); // {var}>file: var gets a file descriptor
    if (fd) proc.untracked.names.add(fd[1]);
  }
  const dynamic = (variable: string, how: string) => {
    if (NAME.test(variable)) proc.assign(variable, { kind: 'dynamic', append: false, nodes: [], ctx, place: node, line, how });
    else proc.untracked.any = true;
  };
  const positionals = (withArg: string, optionName?: { letter: string; how: string }) => {
    const out: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === '--') {
        out.push(...args.slice(i + 1));
        break;
      }
      if (/^-[a-zA-Z]/.test(a)) {
        for (let j = 1; j < a.length; j++) {
          if (withArg.includes(a[j])) {
            const value = j + 1 < a.length ? a.slice(j + 1) : args[++i];
            if (optionName && a[j] === optionName.letter && value !== undefined) dynamic(value, optionName.how);
            break;
          }
        }
        continue;
      }
      out.push(a);
    }
    return out;
  };
  switch (name) {
    case 'read': {
      const names = positionals('adinNptu', { letter: 'a', how: 'read -a' });
      for (const v of names.length ? names : ['REPLY']) dynamic(v, 'read');
      break;
    }
    case 'mapfile':
    case 'readarray': {
      const names = positionals('dnOsuCc');
      dynamic(names[names.length - 1] ?? 'MAPFILE', name);
      break;
    }
    case 'printf':
      positionals('v', { letter: 'v', how: 'printf -v' });
      break;
    case 'getopts': {
      const names = positionals('');
      if (names[1]) dynamic(names[1], 'getopts');
      break;
    }
    case 'wait':
      positionals('p', { letter: 'p', how: 'wait -p' });
      break;
    case 'let':
      for (const a of args) untrackArithmetic(a, proc);
      break;
    case 'set':
      if (args.some(a => /^-[a-zA-Z]*a/.test(a)) || args.join(' ').includes('-o allexport')) proc.allExport.push({ unit, node });
      break;
    case 'shopt':
      if (args.some(a => /^-[a-z]*s/.test(a)) && args.includes('expand_aliases')) proc.aliases.push({ unit, node });
      if (args.some(a => a.includes('nocasematch'))) proc.nocasematch = true;
      break;
    default:
      break;
  }
}
