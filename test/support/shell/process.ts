/**
 * A bash process (a script with the files it sources and the code it evals) and what may
 * run in it.
 *
 * Code runs when its unit is brought in by code that runs, every function around it is
 * called from code that runs, and every `case` item around it is one that the case's
 * word can select. Those three depend on each other (a function is called from a case
 * item, a case word's values come from assignments in functions), so the analysis works
 * in rounds: each round reads the liveness the previous one found (`live`) and records
 * what it finds (`found`), starting from nothing but the process's top-level code, until a
 * round finds what it read. Any such fixpoint contains every execution: whatever runs is
 * reached from code that ran, by a call, a value or an inclusion that the round records.
 */
import type { Node } from 'web-tree-sitter';
import { ArgRunner, Assignment, Lookup, Place, Unit, Unresolvable } from './types';

/** The functions called and the case items taken in a process, as one round found them. */
export class Liveness {
  readonly functions = new Set<string>();
  /** Case statement (`caseKey`) → the indexes of its items that may run. */
  readonly items = new Map<string, Set<number>>();

  take(caseStatement: string, items: Iterable<number>): void {
    const set = this.items.get(caseStatement) ?? new Set<number>();
    for (const i of items) set.add(i);
    this.items.set(caseStatement, set);
  }

  equals(other: Liveness): boolean {
    const sameSet = (a: ReadonlySet<unknown>, b: ReadonlySet<unknown> | undefined) => !!b && a.size === b.size && [...a].every(x => b.has(x));
    return sameSet(this.functions, other.functions)
      && this.items.size === other.items.size
      && [...this.items].every(([key, set]) => sameSet(set, other.items.get(key)));
  }
}

/** Identifies a case statement of a unit. */
export function caseKey(unit: Unit, statement: Node): string {
  return `${unit.key}@${statement.startIndex}`;
}

/** Assignments the analyser does not follow; a case on such a variable is not narrowed. */
export interface Untracked {
  /** Variables assigned in arithmetic, by `{var}>` redirections, or declared -i. */
  names: Set<string>;
  /** Some variable whose name is not known statically is assigned (`read "$v"`, `declare "$n=…"`). */
  any: boolean;
}

/** What a child process inherits: exported functions (their definitions) and variables. */
export interface Inheritance {
  functions: ReadonlyMap<string, Place[]>;
  vars: ReadonlyMap<string, Assignment[]>;
  untracked: Untracked;
}

export class Process {
  readonly units: Unit[] = [];
  private readonly unitsByKey = new Map<string, Unit>();
  /** Function name → its definitions (function_definition nodes). */
  readonly definitions = new Map<string, Place[]>();
  /** Function name → the `export -f` / `declare -fx` that export it. */
  readonly exportedFunctions = new Map<string, Place[]>();
  readonly vars = new Map<string, Assignment[]>();
  /** Variable name → the declarations that export it. */
  readonly exportedVars = new Map<string, Place[]>();
  /** The `set -a` commands. */
  readonly allExport: Place[] = [];
  /** The `shopt -s expand_aliases` commands. */
  readonly aliases: Place[] = [];
  /** The `declare -n` declarations. */
  readonly namerefs: Place[] = [];
  readonly untracked: Untracked;
  /** `shopt … nocasematch` appears: case patterns may match regardless of case. */
  nocasematch = false;
  /** Functions that run their arguments, and how. */
  readonly argRunners = new Map<string, Map<string, ArgRunner>>();
  /** Grows when a unit, an anchor or an argument runner is added: the rounds go on. */
  generation = 0;
  live = new Liveness();
  found = new Liveness();
  /** Variable lookups of the current round. */
  readonly memo = new Map<string, Lookup | Unresolvable>();
  readonly resolving = new Set<string>();
  private readonly aroundMemo = new Map<string, boolean>();
  private readonly unitMemo = new Map<Unit, boolean>();

  constructor(
    readonly key: string,
    /** `$0`, when known. */
    readonly dollar0: string | undefined,
    readonly inherited: Inheritance,
  ) {
    this.untracked = { names: new Set(inherited.untracked.names), any: inherited.untracked.any };
  }

  /** Adds a unit, or the anchor of a unit already added; false if nothing was new. */
  addUnit(unit: Unit): boolean {
    const known = this.unitsByKey.get(unit.key);
    if (!known) {
      if (unit.anchors) unit.anchors = [...unit.anchors]; // its own list: more anchors may join it
      this.unitsByKey.set(unit.key, unit);
      this.units.push(unit);
      this.changed();
      return true;
    }
    if (!known.anchors) return false;
    if (!unit.anchors) {
      known.anchors = undefined;
      this.changed();
      return false;
    }
    const anchors = known.anchors;
    const added = unit.anchors.filter(a => !anchors.some(k => k.unit === a.unit && k.node.id === a.node.id));
    if (added.length) {
      anchors.push(...added);
      this.changed();
    }
    return false;
  }

  /** Starts a collection round: it reads what the last one found. */
  nextRound(): void {
    this.live = this.found;
    this.found = new Liveness();
    this.forget();
  }

  /** Something a lookup or liveness answer depends on changed. */
  changed(): void {
    this.generation++;
    this.forget();
  }

  private forget(): void {
    this.memo.clear();
    this.aroundMemo.clear();
    this.unitMemo.clear();
  }

  /** Whether the code at `node` (default: the unit's root) may run. */
  runs(unit: Unit, node: Node = unit.root): boolean {
    return this.around(unit, node) && this.unitRuns(unit, new Set());
  }

  /** Whether some place in the list may run. */
  anyRuns(places: readonly Place[] | undefined): boolean {
    return (places ?? []).some(p => this.runs(p.unit, p.node));
  }

  /** Every function and case item between the node and its unit's root may run. */
  private around(unit: Unit, node: Node): boolean {
    const key = `${unit.key}#${node.id}`;
    const known = this.aroundMemo.get(key);
    if (known !== undefined) return known;
    let result = true;
    for (let n = node; result && n.id !== unit.root.id && n.parent; n = n.parent) {
      const parent = n.parent;
      if (parent.type === 'function_definition') {
        result = this.live.functions.has(parent.childForFieldName('name')?.text ?? '');
      } else if (parent.type === 'case_item' && parent.parent) {
        const index = parent.parent.namedChildren.filter(c => c?.type === 'case_item').findIndex(c => c!.id === parent.id);
        result = this.live.items.get(caseKey(unit, parent.parent))?.has(index) ?? false;
      }
    }
    this.aroundMemo.set(key, result);
    return result;
  }

  /** Whether some chain of anchors leads from the unit to code that always runs. */
  private unitRuns(unit: Unit, visiting: Set<Unit>): boolean {
    if (!unit.anchors) return true;
    const known = this.unitMemo.get(unit);
    if (known !== undefined) return known;
    if (visiting.has(unit)) return false;
    visiting.add(unit);
    const result = unit.anchors.some(a => this.around(a.unit, a.node) && this.unitRuns(a.unit, visiting));
    visiting.delete(unit);
    // Inside a cycle of units a "no" may depend on a unit still being decided: keep it only at the top.
    if (result || visiting.size === 0) this.unitMemo.set(unit, result);
    return result;
  }

  /** Whether the name is a function here: defined by code that may run, or inherited. */
  isFunction(name: string): boolean {
    return this.ownFunction(name) || this.inherited.functions.has(name);
  }

  ownFunction(name: string): boolean {
    return this.anyRuns(this.definitions.get(name));
  }

  define(name: string, place: Place): void {
    push(this.definitions, name, place);
  }

  assign(name: string, a: Assignment): void {
    push(this.vars, name, a);
  }

  /** The assignments of a variable that may run here, the inherited ones first. */
  assignments(name: string): Assignment[] {
    return [...(this.inherited.vars.get(name) ?? []), ...(this.vars.get(name) ?? []).filter(a => this.runs(a.ctx.unit, a.place))];
  }

  /** What a child process inherits, with the liveness this process settled on. */
  exports(): Inheritance {
    const defs = (name: string) => (this.definitions.get(name) ?? []).filter(p => this.runs(p.unit, p.node));
    const functions = new Map([...this.inherited.functions].filter(([name]) => !this.ownFunction(name)));
    for (const [name, places] of this.exportedFunctions) {
      if (!this.anyRuns(places)) continue;
      const own = defs(name);
      const definitions = own.length ? own : this.inherited.functions.get(name);
      if (definitions) functions.set(name, definitions);
    }
    const allExport = this.anyRuns(this.allExport);
    const vars = new Map(this.inherited.vars);
    for (const name of this.vars.keys()) {
      if (allExport || this.anyRuns(this.exportedVars.get(name)) || this.inherited.vars.has(name)) vars.set(name, this.assignments(name));
    }
    return { functions, vars, untracked: { names: new Set(this.untracked.names), any: this.untracked.any } };
  }
}

/** Appends to the list of a key. */
export function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key) ?? [];
  list.push(value);
  map.set(key, list);
}
