/**
 * Parsing with tree-sitter-bash (a real bash grammar, run as WebAssembly by
 * web-tree-sitter), and the repair of its misparses: tree-sitter-bash 0.25.1 misreads
 * some valid bash; the misreads known to hide commands are worked around (a newline it
 * does not take as the end of a command) or are problems (a word it splits in two,
 * backticks inside backticks).
 */
import * as fs from 'fs';
import { Language, Node, Parser, Tree } from 'web-tree-sitter';
import { isNode, visit } from './syntax';
import { countNewlines } from './text';
import { AnalysisProblem, Unit } from './types';

let parserPromise: Promise<Parser> | undefined;

/** The bash parser, loaded once per process (web-tree-sitter initializes asynchronously). */
export function bashParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    await Parser.init();
    // The bytes, not the path: given a path, web-tree-sitter reads it through a dynamic
    // import('fs/promises'), which jest's module sandbox refuses.
    const language = await Language.load(fs.readFileSync(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm')));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

export type Parsed = { root: Node } | { problem: AnalysisProblem };

/** Parses code once per key and keeps the trees until `dispose`. */
export class Sources {
  private readonly trees: Tree[] = [];
  private readonly parsed = new Map<string, Parsed>();

  constructor(private readonly parser: Parser) {}

  dispose(): void {
    for (const tree of this.trees) tree.delete();
  }

  /** The tree of `text`, found at line `lineOffset` + 1 of `file`, or the problem that stops it. */
  parse(key: string, text: string, file: string, lineOffset: number): Parsed {
    const known = this.parsed.get(key);
    if (known) return known;
    const result = this.parseRepaired(text, file, lineOffset);
    this.parsed.set(key, result);
    return result;
  }

  /**
   * Where the parser runs a simple command, pipeline or list on across a newline that
   * bash takes as the end of the command (tree-sitter-bash issues #228, #342, #347), a
   * `;` is put before that newline and the text parsed again (lines stay where they are).
   */
  private parseRepaired(source: string, file: string, lineOffset: number): Parsed {
    let text = source;
    for (let attempt = 0; attempt < 1000; attempt++) {
      const tree = this.parser.parse(text);
      if (!tree) return { problem: { file, line: lineOffset + 1, message: 'tree-sitter returned no tree' } };
      const wrong = misparse(tree.rootNode, text);
      const bad = firstError(tree.rootNode);
      if (bad && wrong?.kind !== 'newline') {
        tree.delete();
        return {
          problem: {
            file, line: lineOffset + bad.startPosition.row + 1,
            message: `bash syntax the parser does not accept near ${JSON.stringify(bad.text.slice(0, 40))}`,
          },
        };
      }
      if (!wrong) {
        this.trees.push(tree);
        return { root: tree.rootNode };
      }
      const line = lineOffset + countNewlines(text.slice(0, wrong.index)) + 1;
      tree.delete();
      if (wrong.kind === 'backtick') {
        return { problem: { file, line, message: 'backticks inside a `…` command substitution are misread or not seen by the parser; write it as $(…)' } };
      }
      if (wrong.kind === 'adjacent') {
        return { problem: { file, line, message: `the parser splits the word ${JSON.stringify(wrong.text)} in two (tree-sitter-bash bug); write it with braces or quotes, e.g. "\${NAME}"` } };
      }
      if (/[;&|]\s*$/.test(text.slice(0, wrong.index))) {
        return { problem: { file, line, message: 'the parser does not end the command at this newline (tree-sitter-bash bug)' } };
      }
      text = `${text.slice(0, wrong.index)};${text.slice(wrong.index)}`;
    }
    return { problem: { file, line: lineOffset + 1, message: 'too many misparsed newlines' } };
  }

  /**
   * tree-sitter-bash does not see every command substitution in a heredoc body (it misses
   * one that starts a later line, and those of a `<<-` body), so the bodies of unquoted
   * heredocs are scanned here: each `$(…)` and `` `…` `` becomes a unit of its own, which
   * runs when the heredoc does.
   */
  heredocUnits(unit: Unit): { units: Unit[]; problems: AnalysisProblem[] } {
    const units: Unit[] = [];
    const problems: AnalysisProblem[] = [];
    visit(unit.root, node => {
      if (node.type !== 'heredoc_redirect') return true;
      const start = node.children.find(c => c?.type === 'heredoc_start');
      const body = node.children.find(c => c?.type === 'heredoc_body');
      if (!start || !body || /['"\\]/.test(start.text)) return true;
      const text = body.text;
      const bodyLine = unit.lineOffset + body.startPosition.row + 1;
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (c === '\\') {
          i++;
          continue;
        }
        const substitution = (c === '$' && text[i + 1] === '(' && text[i + 2] !== '(') || c === '`';
        if (!substitution) continue;
        const line = bodyLine + countNewlines(text.slice(0, i));
        const parsed = this.parseSubstitution(`: ${text.slice(i)}`);
        if (!parsed) {
          problems.push({ file: unit.file, line, message: 'a command substitution in this heredoc cannot be parsed' });
          return true;
        }
        const key = `heredoc:${unit.key}:${line}:${i}`;
        units.push({ key, file: unit.file, root: parsed, lineOffset: line - 1, anchors: [{ unit, node }] });
        i += parsed.text.length - 1;
      }
      return true;
    });
    return { units, problems };
  }

  /** The command substitution that `: ` + text starts with, if it parses. */
  private parseSubstitution(code: string): Node | undefined {
    const tree = this.parser.parse(code);
    if (!tree) return undefined;
    this.trees.push(tree);
    const command = tree.rootNode.namedChild(0);
    let first = command?.type === 'command' ? command.childForFieldName('argument') : null;
    if (first?.type === 'concatenation') first = first.namedChild(0);
    if (!first || first.type !== 'command_substitution' || first.hasError || first.startPosition.row !== 0 || first.startPosition.column !== 2) {
      return undefined;
    }
    return first;
  }
}

function firstError(root: Node): Node | undefined {
  if (!root.hasError) return undefined;
  let found: Node | undefined;
  visit(root, n => {
    if (found) return false;
    if (n.type === 'ERROR' || n.isMissing) {
      found = n;
      return false;
    }
    return n.hasError;
  });
  return found ?? root;
}

/** Node types that bash ends at an unescaped newline that does not follow an operator. */
const ONE_LINE = new Set(['command', 'pipeline', 'list', 'variable_assignments', 'declaration_command', 'unset_command', 'redirected_statement', 'negated_command']);
const CONTINUES = new Set(['|', '|&', '&&', '||']);

type Misparse = { kind: 'newline' | 'adjacent' | 'backtick'; index: number; text: string };

/**
 * A place where the tree cannot be what bash reads: a newline inside a one-line construct
 * (not escaped, not after an operator), two words of a command with nothing between, or
 * backticks inside backticks.
 */
function misparse(root: Node, text: string): Misparse | undefined {
  let found: Misparse | undefined;
  visit(root, node => {
    if (found) return false;
    if (node.type === 'command_substitution' && node.text.startsWith('`')) {
      // bash ends `…` at the next backtick that is not escaped, and runs the escaped ones
      // inside as a nested substitution: the parser gets the first wrong (tree-sitter-bash
      // #278) and does not see the second.
      if (node.text.slice(1, -1).includes('`')) found = { kind: 'backtick', index: node.startIndex, text: node.text };
      return !found;
    }
    if (!ONE_LINE.has(node.type)) return true;
    const all = node.children.filter(isNode);
    const comments = all.filter(c => c.type === 'comment');
    const indexes = all.map((_c, i) => i).filter(i => all[i].type !== 'comment');
    for (let k = 0; k + 1 < indexes.length && !found; k++) {
      const a = all[indexes[k]];
      const b = all[indexes[k + 1]];
      if (containsHeredoc(a)) continue;
      // A comment between two parts ends its line: the newline is where the comment starts.
      const comment = comments.find(c => c.startIndex >= a.endIndex && c.endIndex <= b.startIndex);
      const gap = text.slice(a.endIndex, comment ? comment.startIndex : b.startIndex);
      const newline = comment ? { index: gap.length } : newlineIn(gap);
      if (newline && !CONTINUES.has(a.type)) {
        found = { kind: 'newline', index: a.endIndex + newline.index, text: '' };
      } else if (gap === '' && !comment && node.type === 'command' && isWordField(node, indexes[k]) && isWordField(node, indexes[k + 1])) {
        found = { kind: 'adjacent', index: a.startIndex, text: a.text + b.text };
      }
    }
    return true;
  });
  return found;
}

/** The first newline of a gap between words that is not escaped by a backslash. */
function newlineIn(gap: string): { index: number } | undefined {
  for (let i = 0; i < gap.length; i++) {
    if (gap[i] === '\\') i++;
    else if (gap[i] === '\n') return { index: i };
  }
  return undefined;
}

function isWordField(node: Node, index: number): boolean {
  const field = node.fieldNameForChild(index);
  return field === 'name' || field === 'argument';
}

function containsHeredoc(node: Node): boolean {
  let found = false;
  visit(node, n => {
    if (n.type === 'heredoc_redirect') found = true;
    return !found;
  });
  return found;
}
