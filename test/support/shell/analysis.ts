/**
 * The walk: processes, their units, and every command node of the code that may run,
 * decoded into the commands it can run.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Node, Parser } from 'web-tree-sitter';
import { builtin } from './builtins';
import { caseItems } from './cases';
import { BUILTINS, IMPLICIT_FUNCTIONS, KEYWORDS, SHELLS } from './names';
import { Sources } from './parse';
import { caseKey, Process } from './process';
import { external } from './programs';
import { scanUnit } from './scan';
import { isNode, visit } from './syntax';
import { displayPath, splitWords } from './text';
import { AnalysisOptions, AnalysisProblem, ArgRunner, At, CommandUse, Ctx, Head, How, Item, Mode, Place, Unit, Unresolvable } from './types';
import { Values } from './values';
import { Words } from './words';

/** Rounds of collection after which a process that still changes is a problem. */
const MAX_ROUNDS = 100;

/** Thrown when a script has something in command position that cannot be known statically. */
export class ShellAnalysisError extends Error {
  constructor(readonly problems: AnalysisProblem[]) {
    super(problems.map(p => `${displayPath(p.file)}:${p.line}: ${p.message}`).join('\n'));
    this.name = 'ShellAnalysisError';
  }
}

export class Analysis {
  readonly values: Values;
  readonly words: Words;
  private readonly sources: Sources;
  private readonly uses: CommandUse[] = [];
  private readonly useKeys = new Set<string>();
  private readonly problems = new Map<string, AnalysisProblem>();
  private readonly processes = new Map<string, Process>();

  constructor(parser: Parser, readonly options: AnalysisOptions) {
    this.sources = new Sources(parser);
    this.values = new Values(options);
    this.words = new Words(this.values);
  }

  run(entry: string): CommandUse[] {
    this.runProcess(`file:${entry}`, () => this.fileUnit(entry, undefined), entry, undefined);
    if (this.problems.size > 0) {
      throw new ShellAnalysisError([...this.problems.values()]);
    }
    // By file (in the order they were first reported from), then line; stable otherwise.
    const files = [...new Set(this.uses.map(u => u.file))];
    return this.uses
      .map((use, index) => ({ use, index }))
      .sort((a, b) => files.indexOf(a.use.file) - files.indexOf(b.use.file) || a.use.line - b.use.line || a.index - b.index)
      .map(x => x.use);
  }

  dispose(): void {
    this.sources.dispose();
  }

  // ----- units

  /** The unit of a whole file, or undefined (problem recorded) if it cannot be read or parsed. */
  fileUnit(file: string, from: { file: string; line: number } | undefined, anchors?: Place[]): Unit | undefined {
    const key = `file:${file}`;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      const at = from ?? { file, line: 1 };
      this.problem(at.file, at.line, `cannot read ${file}: ${(e as Error).message}`);
      return undefined;
    }
    const parsed = this.sources.parse(key, text, file, 0);
    if ('problem' in parsed) {
      this.problem(parsed.problem.file, parsed.problem.line, parsed.problem.message);
      return undefined;
    }
    return { key, file, root: parsed.root, lineOffset: 0, anchors };
  }

  /** The unit of a string of code found at `line` of `file`. */
  codeUnit(code: string, file: string, line: number, what: string, anchors?: Place[]): Unit | undefined {
    const key = `code:${file}:${line}:${code}`;
    const parsed = this.sources.parse(key, code, file, line - 1);
    if ('problem' in parsed) {
      this.problem(parsed.problem.file, parsed.problem.line, `${what}: ${parsed.problem.message}`);
      return undefined;
    }
    return { key, file, root: parsed.root, lineOffset: line - 1, anchors };
  }

  addUnit(proc: Process, unit: Unit): void {
    if (!proc.addUnit(unit)) return;
    scanUnit(unit, proc);
    const heredocs = this.sources.heredocUnits(unit);
    for (const p of heredocs.problems) this.problem(p.file, p.line, p.message);
    for (const sub of heredocs.units) this.addUnit(proc, sub);
  }

  // ----- processes

  /** Analyses a process: collection rounds until nothing changes (see Process), then the report. */
  runProcess(key: string, entry: () => Unit | undefined, dollar0: string | undefined, parent: Process | undefined): void {
    if (this.processes.has(key)) return;
    const inherited = parent?.exports() ?? { functions: new Map(), vars: new Map(), untracked: { names: new Set<string>(), any: false } };
    const proc = new Process(key, dollar0, inherited);
    this.processes.set(key, proc);
    const unit = entry();
    if (!unit) return;
    this.addUnit(proc, unit);
    let settled = false;
    for (let round = 0; round < MAX_ROUNDS && !settled; round++) {
      proc.nextRound();
      const before = proc.generation;
      for (const u of [...proc.units]) this.walk(u, proc, 'collect');
      for (const name of IMPLICIT_FUNCTIONS) if (proc.isFunction(name)) proc.found.functions.add(name);
      settled = proc.generation === before && proc.found.equals(proc.live);
    }
    if (!settled) {
      this.problem(unit.file, unit.lineOffset + 1, `the analysis does not settle after ${MAX_ROUNDS} rounds`);
      return;
    }
    proc.nextRound();
    for (let i = 0; i < proc.units.length; i++) this.walk(proc.units[i], proc, 'report');
  }

  // ----- reporting

  problem(file: string, line: number, message: string): void {
    const key = `${file}:${line}: ${message}`;
    if (!this.problems.has(key)) this.problems.set(key, { file, line, message });
  }

  /** Reports a command run at the command being decoded (in the report pass only). */
  use(command: string, at: At, via: string[]): void {
    if (at.mode === 'report') this.report(command, at.ctx.unit.file, at.line, via);
  }

  private report(command: string, file: string, line: number, via: string[]): void {
    const chain = via.filter((v, i) => v !== via[i - 1]).join(' → ');
    const key = `${command}\0${file}\0${line}\0${chain}`;
    if (this.useKeys.has(key)) return;
    this.useKeys.add(key);
    this.uses.push(chain ? { command, file, line, via: chain } : { command, file, line });
  }

  // ----- walking

  /** Decodes every command of the unit that may run: bodies of functions not called and case items not taken are skipped. */
  private walk(unit: Unit, proc: Process, mode: Mode): void {
    if (!proc.runs(unit)) return;
    const ctx: Ctx = { unit, proc };
    const step = (node: Node): boolean => {
      switch (node.type) {
        case 'heredoc_body':
          return false;
        case 'command':
          this.command(node, ctx, mode);
          return true;
        case 'function_definition':
          return proc.live.functions.has(node.childForFieldName('name')?.text ?? '');
        case 'case_statement': {
          const key = caseKey(unit, node);
          if (mode === 'collect') proc.found.take(key, caseItems(node, ctx, this.values));
          const taken = proc.live.items.get(key);
          let index = 0;
          for (const child of node.children.filter(isNode)) {
            if (child.type !== 'case_item') visit(child, step);
            else if (taken?.has(index++)) visit(child, step);
          }
          return false;
        }
        default:
          return true;
      }
    };
    visit(unit.root, step);
  }

  private command(node: Node, ctx: Ctx, mode: Mode): void {
    const nameNode = node.childForFieldName('name')?.namedChild(0);
    if (!nameNode) return;
    const line = ctx.unit.lineOffset + node.startPosition.row + 1;
    const items: Item[] = [nameNode, ...node.childrenForFieldName('argument').filter(isNode)].map(n => ({ kind: 'node', node: n, ctx }));
    const at: At = { ctx, line, mode, node };
    try {
      if (ctx.proc.anyRuns(ctx.proc.aliases)) throw new Unresolvable('the script turns on expand_aliases: aliases are not modelled');
      for (const head of this.values.heads(items)) this.classify(head, at, [], {});
    } catch (e) {
      if (!(e instanceof Unresolvable)) throw e;
      if (mode === 'report') this.problem(ctx.unit.file, line, e.message);
    }
  }

  /**
   * Handles one possible command line `head.val.text head.rest…`. Throws Unresolvable for
   * what cannot be known.
   */
  classify(head: Head, at: At, via: string[], how: How): void {
    const name = head.val.text;
    const chain = [...via, ...head.val.via];
    if (head.positional !== undefined) {
      this.argRunner(head.positional, at, chain, how);
      return;
    }
    if (name === '') return;
    if (!how.external) {
      if (KEYWORDS.has(name)) {
        if (name === 'time') {
          let rest = head.rest;
          while (rest.length && ['-p', '--'].includes(this.words.option(rest[0]) ?? '')) rest = rest.slice(1);
          for (const h of this.values.heads(rest)) this.classify(h, at, [...chain, 'time'], how);
          return;
        }
        if (name === 'coproc') {
          if (head.rest.length && ['{', '('].includes(this.words.option(head.rest[0]) ?? '')) {
            throw new Unresolvable('coproc with a compound command is not modelled');
          }
          for (const h of this.values.heads(head.rest)) this.classify(h, at, [...chain, 'coproc'], how);
          return;
        }
        throw new Unresolvable(`unexpected reserved word "${name}" in command position`);
      }
      const proc = at.ctx.proc;
      if (!how.noFunctions && !how.builtinOnly && proc.isFunction(name)) {
        if (at.mode === 'collect') this.call(name, proc);
        for (const runner of proc.argRunners.get(name)?.values() ?? []) {
          for (const h of this.values.heads(head.rest.slice(runner.skip))) this.classify(h, at, [...chain, name, ...runner.via], runner.how);
        }
        return;
      }
      if (BUILTINS.has(name)) {
        builtin(this, name, head.rest, at, chain);
        return;
      }
      if (how.builtinOnly) return;
    }
    if (name.includes('/')) {
      this.runPath(name, head.rest, at, chain);
      return;
    }
    this.use(name, at, chain);
    external(this, name, head.rest, at, chain);
  }

  /** A call of a function: its body may run; an inherited one becomes a unit of this process. */
  private call(name: string, proc: Process): void {
    proc.found.functions.add(name);
    if (proc.ownFunction(name)) return;
    for (const def of proc.inherited.functions.get(name) ?? []) {
      this.addUnit(proc, { key: `function:${def.unit.key}@${def.node.startIndex}`, file: def.unit.file, root: def.node, lineOffset: def.unit.lineOffset });
    }
  }

  /**
   * "$@" (or "$1", "${@:2}") in command position: inside a function, the function runs its
   * arguments, and its callers' arguments are analysed as commands; elsewhere an error.
   */
  private argRunner(position: number, at: At, via: string[], how: How): void {
    let fn: Node | null = at.node.parent;
    while (fn && fn.type !== 'function_definition') fn = fn.parent;
    const name = fn?.childForFieldName('name')?.text;
    if (!fn || !name) throw new Unresolvable('"$@" runs the arguments of the script, which are not known statically');
    if (via.includes(name)) return; // recursion
    let shifts = 0;
    const body = fn.childForFieldName('body');
    if (body) {
      visit(body, n => {
        if (n.type === 'function_definition') return false;
        if (n.type === 'command' && n.childForFieldName('name')?.text === 'shift') {
          const args = n.childrenForFieldName('argument').filter(isNode);
          if (args.length === 0) shifts += 1;
          else if (args.length === 1 && /^[0-9]+$/.test(args[0].text)) shifts += Number(args[0].text);
          else throw new Unresolvable(`${name} shifts its arguments by ${args.map(a => a.text).join(' ')}: not modelled`);
        }
        return true;
      });
    }
    const runner: ArgRunner = { skip: position + shifts, via, how };
    const key = JSON.stringify(runner);
    const proc = at.ctx.proc;
    const runners = proc.argRunners.get(name) ?? new Map<string, ArgRunner>();
    if (!runners.has(key)) {
      runners.set(key, runner);
      proc.argRunners.set(name, runners);
      proc.changed();
    }
  }

  /** A command run by path: one of our scripts (analysed), or a program reported as that path. */
  private runPath(written: string, rest: Item[], at: At, via: string[]): void {
    const local = this.options.resolveScript(path.posix.normalize(written));
    if (local) {
      this.runScript(local, at, true);
      return;
    }
    this.use(written, at, via);
    external(this, path.posix.basename(written), rest, at, via);
  }

  /** Analyses a script of ours run as a process of its own; `direct`: run by path, so its #! line counts. */
  runScript(local: string, at: At, direct: boolean): void {
    if (at.mode !== 'report') return;
    const file = path.resolve(local);
    if (direct && !this.shebang(local, at)) return;
    this.runProcess(`file:${file}`, () => this.fileUnit(file, { file: at.ctx.unit.file, line: at.line }), file, at.ctx.proc);
  }

  /** Reports the interpreter of a script run directly; returns false if it is not a shell script. */
  private shebang(local: string, at: At): boolean {
    let first: string;
    try {
      first = fs.readFileSync(local, 'utf8').split('\n', 1)[0];
    } catch (e) {
      this.problem(at.ctx.unit.file, at.line, `cannot read ${local}: ${(e as Error).message}`);
      return false;
    }
    if (!first.startsWith('#!')) {
      this.problem(at.ctx.unit.file, at.line, `${displayPath(local)} is run directly but has no #! line`);
      return false;
    }
    const line = first.slice(2).trim();
    const space = line.search(/\s/);
    const interpreter = space < 0 ? line : line.slice(0, space);
    const argument = space < 0 ? '' : line.slice(space).trim();
    const via = [`#!${line}`];
    const file = path.resolve(local);
    let program = path.posix.basename(interpreter);
    this.report(program, file, 1, via);
    if (program === 'env') {
      let words = argument ? [argument] : [];
      if (/^-S/.test(argument)) words = splitWords(argument.replace(/^-S\s*/, ''));
      while (words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) words.shift();
      if (!words.length || words[0].startsWith('-')) {
        this.problem(file, 1, `the #! line "${first}" is not understood`);
        return false;
      }
      program = path.posix.basename(words[0]);
      this.report(words[0].includes('/') ? words[0] : program, file, 1, via);
    }
    if (!SHELLS.has(program)) {
      this.problem(file, 1, `${displayPath(local)} is run by ${program}, not a shell: its commands cannot be analysed`);
      return false;
    }
    return true;
  }

  /** The line of a word, when it is in the unit of the command; else the command's line. */
  lineOf(item: Item, at: At): number {
    return item.kind === 'node' && item.ctx.unit === at.ctx.unit ? at.ctx.unit.lineOffset + item.node.startPosition.row + 1 : at.line;
  }
}
