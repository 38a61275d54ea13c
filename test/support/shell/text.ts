/** String helpers: word splitting, quoting, globs, sets of possible values. */
import * as path from 'path';
import { Head, Unresolvable, Val } from './types';

/** The most values a word may have before the analyser gives up on it. */
export const MAX_VALUES = 256;

export function splitFields(text: string): string[] {
  return text.split(/[ \t\n]+/).filter(w => w !== '');
}

/** Splits a string into words the way env -S and ncat --exec do (blanks; simple quotes). */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/** `--name=value` as [name, value]; [name, undefined] without `=`. */
export function splitLong(option: string): [string, string | undefined] {
  const eq = option.indexOf('=');
  return eq < 0 ? [option, undefined] : [option.slice(0, eq), option.slice(eq + 1)];
}

/** Every concatenation of one value of each part. */
export function product(parts: Val[][]): Val[] {
  let out: Val[] = [{ text: '', via: [] }];
  for (const part of parts) {
    out = out.flatMap(a => part.map(b => ({ text: a.text + b.text, via: [...a.via, ...b.via] })));
    if (out.length > MAX_VALUES) throw new Unresolvable('a word has too many possible values');
  }
  return dedupeVals(out);
}

export function dedupeVals(vals: Val[]): Val[] {
  const seen = new Set<string>();
  return vals.filter(v => {
    const key = `${v.text}\0${v.via.join('\0')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function dedupeHeads(heads: Head[]): Head[] {
  const seen = new Map<string, Head>();
  for (const h of heads) {
    const key = `${h.val.text}\0${h.val.via.join('\0')}`;
    if (!seen.has(key)) seen.set(key, h);
  }
  return [...seen.values()];
}

export function unescapeDoubleQuoted(text: string): string {
  return text.replace(/\\([$`"\\\n])/g, (_m, c: string) => (c === '\n' ? '' : c));
}

/** The body of `$'…'` with its escapes replaced. */
export function ansiC(body: string): string {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };
  return body.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_m, e: string) => {
    if (e in simple) return simple[e];
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    throw new Unresolvable(`the escape \\${e} in $'…' is not modelled`);
  });
}

export function absolute(p: string): string {
  if (!p.startsWith('/')) throw new Unresolvable(`the relative path ${p} depends on the working directory`);
  return path.posix.normalize(p);
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * A bash glob pattern (unquoted text) as a regular expression body. Extended globs,
 * POSIX classes in brackets and a leading tilde are not modelled.
 */
export function globToRegex(glob: string): string {
  if (/[@!+*?]\(/.test(glob) || glob.startsWith('~')) throw new Unresolvable(`the pattern ${glob} is not modelled`);
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) out += escapeRegex(glob[++i]);
    else if (c === '*') out += '[\\s\\S]*';
    else if (c === '?') out += '[\\s\\S]';
    else if (c === '[') {
      const bracket = bracketExpression(glob, i);
      if (bracket) {
        out += bracket.regex;
        i = bracket.end;
      } else {
        out += '\\[';
      }
    } else out += escapeRegex(c);
  }
  return out;
}

/** The bracket expression of a glob that starts at `start`, or undefined if it is not closed. */
function bracketExpression(glob: string, start: number): { regex: string; end: number } | undefined {
  let i = start + 1;
  let negate = '';
  if (glob[i] === '!' || glob[i] === '^') {
    negate = '^';
    i++;
  }
  let set = '';
  for (let first = true; i < glob.length; i++, first = false) {
    let c = glob[i];
    if (c === ']' && !first) return { regex: `[${negate}${set}]`, end: i };
    if (c === '[' && /[:=.]/.test(glob[i + 1] ?? '')) throw new Unresolvable(`the bracket expression in ${glob} is not modelled`);
    const escaped = c === '\\' && i + 1 < glob.length;
    if (escaped) c = glob[++i];
    // Letters and digits as they are (an escaped one would be a class like \d); a dash
    // makes a range unless escaped; anything else escaped.
    set += /[a-zA-Z0-9]/.test(c) || (c === '-' && !escaped) ? c : `\\${c}`;
  }
  return undefined;
}

/** `${v#p}` (shortest prefix), `##` (longest prefix), `%` (shortest suffix), `%%` (longest suffix). */
export function removePattern(value: string, pattern: string, operator: string): string {
  const re = new RegExp(`^(?:${pattern})$`);
  const n = value.length;
  switch (operator) {
    case '#':
      for (let i = 0; i <= n; i++) if (re.test(value.slice(0, i))) return value.slice(i);
      return value;
    case '##':
      for (let i = n; i >= 0; i--) if (re.test(value.slice(0, i))) return value.slice(i);
      return value;
    case '%':
      for (let i = n; i >= 0; i--) if (re.test(value.slice(i))) return value.slice(0, i);
      return value;
    default:
      for (let i = 0; i <= n; i++) if (re.test(value.slice(i))) return value.slice(0, i);
      return value;
  }
}

export function countNewlines(s: string): number {
  return (s.match(/\n/g) ?? []).length;
}

/** A path relative to the working directory when it is inside it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
