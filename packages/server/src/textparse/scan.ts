// Character-level helpers shared by both exposition parsers: number parsing with Go's
// strconv.ParseFloat acceptance rules, label-value unescaping, and string interning.
import type { Label } from '../model/labels.js';

export const NL = 10, SP = 32, TAB = 9, HASH = 35, LBRACE = 123, RBRACE = 125, COMMA = 44, EQ = 61, QUOTE = 34, BSLASH = 92;

/** First character of a legacy metric name: [a-zA-Z_:]. */
export function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
}
/** Later characters of a legacy metric name: [a-zA-Z0-9_:]. */
export function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 58;
}
/** Label names exclude ':'. */
export function isLabelStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
export function isLabelChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/**
 * Parses a float as Prometheus does (Go's strconv.ParseFloat without the Go 1.13 additions):
 * decimal, "NaN", "Inf"/"Infinity" with an optional sign (any case); no hex, no underscores.
 * Returns undefined when the token is not a number.
 */
export function parseGoFloat(tok: string): number | undefined {
  // Fast path: plain decimal, which Number() parses exactly like Go.
  let plain = tok.length > 0;
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || c === 46 || c === 45 || c === 43 || c === 101 || c === 69)) {
      plain = false;
      break;
    }
  }
  if (plain) {
    const v = Number(tok);
    if (v !== v) return undefined;
    if (v === Infinity || v === -Infinity) return undefined; // Go reports out-of-range
    return v;
  }
  // Prometheus keeps to pre-Go-1.13 float syntax: no hex floats, no digit separators.
  if (/[pP_]/.test(tok)) return undefined;
  const low = tok.toLowerCase();
  switch (low) {
    case 'nan': case '+nan': case '-nan':
      return NaN;
    case 'inf': case '+inf': case 'infinity': case '+infinity':
      return Infinity;
    case '-inf': case '-infinity':
      return -Infinity;
  }
  return undefined;
}

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Parses the decimal number s[a:b] in place when that is exact without a string: at most 15
 * significant digits and a power-of-ten scale within 1e±22 (Clinger's fast path: one correctly
 * rounded multiply or divide of two exact doubles). Returns undefined otherwise (use parseGoFloat).
 */
export function parseDecimalAt(s: string, a: number, b: number): number | undefined {
  let i = a;
  let neg = false;
  let c = s.charCodeAt(i);
  if (c === 45 || c === 43) {
    neg = c === 45;
    c = s.charCodeAt(++i);
  }
  let mant = 0, digits = 0, scale = 0, any = false;
  while (i < b && c >= 48 && c <= 57) {
    any = true;
    if (mant !== 0 || c !== 48) {
      mant = mant * 10 + (c - 48);
      digits++;
    }
    c = s.charCodeAt(++i);
  }
  if (i < b && c === 46) {
    c = s.charCodeAt(++i);
    while (i < b && c >= 48 && c <= 57) {
      any = true;
      if (mant !== 0 || c !== 48) {
        mant = mant * 10 + (c - 48);
        digits++;
      }
      scale--;
      c = s.charCodeAt(++i);
    }
  }
  if (!any) return undefined;
  if (i < b && (c === 101 || c === 69)) {
    c = s.charCodeAt(++i);
    let eneg = false;
    if (c === 45 || c === 43) {
      eneg = c === 45;
      c = s.charCodeAt(++i);
    }
    let ex = 0, ed = 0;
    while (i < b && c >= 48 && c <= 57) {
      ex = ex * 10 + (c - 48);
      if (++ed > 4) return undefined;
      c = s.charCodeAt(++i);
    }
    if (ed === 0) return undefined;
    scale += eneg ? -ex : ex;
  }
  if (i !== b || digits > 15) return undefined;
  let v: number;
  if (mant === 0) v = 0;
  else if (scale >= 0) {
    if (scale > 22) return undefined;
    v = mant * POW10[scale]!;
  } else {
    if (scale < -22) return undefined;
    v = mant / POW10[-scale]!;
  }
  return neg ? -v : v;
}

/** Parses a text-format timestamp: decimal digits only (Prometheus's lexer takes no sign). */
export function parseIntStrict(tok: string): number | undefined {
  let i = 0;
  const n = tok.length;
  if (n === 0) return undefined;
  for (; i < n; i++) {
    const c = tok.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const v = Number(tok);
  return Number.isSafeInteger(v) ? v : undefined;
}

/** Undoes label-value escaping: \\ \" \n; any other backslash pair is kept as written. */
export function unescapeLabelValue(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length - 1; i++) {
    if (s.charCodeAt(i) !== BSLASH) continue;
    const c = s.charCodeAt(i + 1);
    const rep = c === BSLASH ? '\\' : c === QUOTE ? '"' : c === 110 ? '\n' : null;
    if (rep === null) {
      i++;
      continue;
    }
    out += s.slice(last, i) + rep;
    last = i + 2;
    i++;
  }
  return out + s.slice(last);
}

/** Unescapes HELP text: \\ and \n (text format); OpenMetrics also escapes \" (`quotes`). */
export function unescapeHelp(s: string, quotes = false): string {
  if (s.indexOf('\\') < 0) return s;
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length - 1; i++) {
    if (s.charCodeAt(i) !== BSLASH) continue;
    const c = s.charCodeAt(i + 1);
    const rep = c === BSLASH ? '\\' : c === 110 ? '\n' : quotes && c === 34 ? '"' : null;
    if (rep === null) continue;
    out += s.slice(last, i) + rep;
    last = i + 2;
    i++;
  }
  return out + s.slice(last);
}

// Interning keeps one copy of each metric and label name, and detaches the strings from the
// scraped body (a sliced string would otherwise keep the whole body alive).
const pool = new Map<string, string>();
const POOL_MAX = 200_000;
export function intern(s: string): string {
  const hit = pool.get(s);
  if (hit !== undefined) return hit;
  if (pool.size >= POOL_MAX) pool.clear();
  // Flatten: a fresh copy not referencing the parent string.
  const own = (' ' + s).slice(1);
  pool.set(own, own);
  return own;
}

/** Sorts labels by name in place and returns them (insertion sort: label sets are small). */
export function sortLabelsInPlace(ls: Label[]): Label[] {
  for (let i = 1; i < ls.length; i++) {
    const x = ls[i]!;
    let j = i - 1;
    while (j >= 0 && ls[j]!.name > x.name) {
      ls[j + 1] = ls[j]!;
      j--;
    }
    ls[j + 1] = x;
  }
  return ls;
}
