/** Reading the words of a command line: single values, options, code given as text. */
import { isSplat, leadingLiteral, needsSplit } from './syntax';
import { MAX_VALUES } from './text';
import { Item, Unresolvable, Val } from './types';
import { Values } from './values';

export class Words {
  constructor(readonly values: Values) {}

  /** Every possible value of a word that must be one word. */
  of(item: Item): Val[] {
    if (item.kind === 'lit') return [{ text: item.text, via: item.via }];
    if (item.kind === 'opaque') throw new Unresolvable(item.why);
    if (isSplat(item.node)) throw new Unresolvable(`${item.node.text} may be several words`);
    return this.values.evaluate(item.node, item.ctx);
  }

  /** The possible values of a word that is code to run. */
  code(item: Item, what: string): Val[] {
    try {
      return this.of(item);
    } catch (e) {
      if (e instanceof Unresolvable) throw new Unresolvable(`${what} of text that cannot be known: ${e.message}`);
      throw e;
    }
  }

  /** The values of a word, or undefined when they cannot be known. */
  tryOf(item: Item): Val[] | undefined {
    try {
      return this.of(item);
    } catch (e) {
      if (e instanceof Unresolvable) return undefined;
      throw e;
    }
  }

  /**
   * The single value of a word where an option may stand; undefined for a quoted word
   * whose value is not known (taken as not an option). An unquoted expansion that is not
   * known, which may be any number of words, is an error.
   */
  option(item: Item | undefined): string | undefined {
    if (!item) return undefined;
    if (item.kind === 'lit') return item.text;
    if (item.kind === 'opaque') throw new Unresolvable(item.why);
    if (isSplat(item.node)) throw new Unresolvable(`cannot tell whether ${item.node.text} holds options`);
    const vals = this.tryOf(item);
    if (vals === undefined) {
      if (needsSplit(item.node) || leadingLiteral(item.node).startsWith('-')) {
        throw new Unresolvable(`cannot tell whether ${item.node.text} holds options`);
      }
      return undefined;
    }
    if (!vals.length) return undefined;
    if (vals.length !== 1) {
      if (vals.every(v => !v.text.startsWith('-'))) return vals[0].text;
      throw new Unresolvable(`${item.node.text} may or may not be an option`);
    }
    return vals[0].text;
  }

  /** The value of a word when known, for scanning a program's arguments; undefined otherwise. */
  tolerant(item: Item): string | undefined {
    if (item.kind === 'lit') return item.text;
    if (item.kind === 'opaque') return undefined;
    const vals = isSplat(item.node) ? undefined : this.tryOf(item);
    return vals && vals.length === 1 ? vals[0].text : undefined;
  }

  /** Words joined by spaces (eval's argument), every combination. */
  joined(items: Item[], what: string): string[] {
    let joined: string[] = [];
    items.forEach((item, index) => {
      const vals = this.code(item, what);
      joined = index === 0 ? vals.map(v => v.text) : joined.flatMap(prefix => vals.map(v => `${prefix} ${v.text}`));
      if (joined.length > MAX_VALUES) throw new Unresolvable(`${what} text has too many possible values`);
    });
    return [...new Set(joined)];
  }
}
