// PromQL lexer: turns query text into tokens. Keywords are recognised by the parser from IDENT
// tokens (case-insensitively), because label names and metric names may look like keywords.
import { PromQLParseError } from './errors.js';
import { unquoteBody } from './strings.js';

export type TokKind = 'NUM' | 'DUR' | 'STR' | 'IDENT' | 'OP' | 'EOF';

export interface Token {
  kind: TokKind;
  /** Source text (for OP: the operator or punctuation). */
  text: string;
  pos: number;
  end: number;
  /** NUM: value; DUR: milliseconds. */
  num?: number;
  /** STR: decoded value. */
  str?: string;
}

// `</` and `>/` are the native-histogram trim operators.
const OPS2 = ['==', '!=', '<=', '>=', '=~', '!~', '</', '>/'];
const OPS1 = '+-*/%^<>=(){}[],:@';
const DUR_UNITS: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3, y: 31536000e3 };
const UNIT_ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined) => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
const isAlnum = (c: string | undefined) => isAlpha(c) || isDigit(c);

/** Parses a Go-style integer/float literal as Prometheus does (ParseInt base 0, then ParseFloat). */
export function parseNumberLiteral(s: string): number {
  const t = s.toLowerCase();
  if (/^[+-]?inf(inity)?$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return NaN;
  if (/^0x[0-9a-f]+$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^0o[0-7]+$/.test(t)) return parseInt(t.slice(2), 8);
  if (/^0b[01]+$/.test(t)) return parseInt(t.slice(2), 2);
  if (/^0[0-7]+$/.test(t)) return parseInt(t.slice(1), 8);
  if (/^0x[0-9a-f]*(\.[0-9a-f]*)?p[+-]?\d+$/.test(t)) {
    const m = /^0x([0-9a-f]*)(?:\.([0-9a-f]*))?p([+-]?\d+)$/.exec(t)!;
    const mant = parseInt((m[1] || '0') + (m[2] || ''), 16) / 16 ** (m[2]?.length ?? 0);
    return mant * 2 ** Number(m[3]);
  }
  if (/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) return Number(t);
  throw new Error(`bad number or duration syntax: "${s}"`);
}

/** Parses a Prometheus duration string ("1h30m") into ms; returns null when not a duration. */
export function parseDurationMs(s: string): number | null {
  const re = /(\d+)(ms|y|w|d|h|m|s)/y;
  let pos = 0, total = 0, last = -1;
  if (s === '') return null;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return null;
    const idx = UNIT_ORDER.indexOf(m[2]!);
    if (idx <= last) return null;
    last = idx;
    total += Number(m[1]) * DUR_UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  return total;
}

export function lex(q: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  const n = q.length;
  const err = (pos: number, msg: string): never => {
    throw new PromQLParseError(q, pos, msg);
  };
  let braceDepth = 0;
  while (i < n) {
    const c = q[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    if (c === '#') {
      while (i < n && q[i] !== '\n') i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === '.' && isDigit(q[i + 1]))) {
      // Number or duration. Scan greedily over alphanumerics and dots / exponent signs.
      let j = i;
      if (c === '0' && (q[i + 1] === 'x' || q[i + 1] === 'X')) {
        j += 2;
        while (j < n && /[0-9a-fA-F_.pP]/.test(q[j]!)) {
          if ((q[j] === 'p' || q[j] === 'P') && (q[j + 1] === '+' || q[j + 1] === '-')) j++;
          j++;
        }
      } else {
        while (j < n && (isAlnum(q[j]) || q[j] === '.')) {
          if ((q[j] === 'e' || q[j] === 'E') && (q[j + 1] === '+' || q[j + 1] === '-') && isDigit(q[j + 2]) && /^[\d.]+$/.test(q.slice(i, j))) j++;
          j++;
        }
      }
      const text = q.slice(i, j);
      const d = /^\d/.test(text) && /[a-zA-Z]$/.test(text) && !/^0[xXoObB]/.test(text) ? parseDurationMs(text) : null;
      if (d !== null) toks.push({ kind: 'DUR', text, pos: start, end: j, num: d });
      else {
        let v: number;
        try {
          v = parseNumberLiteral(text);
        } catch {
          if (/^\d+[a-zA-Z]/.test(text) && /^(\d+[a-zA-Z]+)+$/.test(text) && !/^0[xX]/.test(text)) err(start, `unexpected character in duration expression: ${JSON.stringify(text)}`);
          const dots = text.split('.');
          if (dots.length > 2) {
            const firstEnd = dots[0]!.length + 1 + dots[1]!.length;
            return err(start + firstEnd, `unexpected number "${text.slice(firstEnd)}"`);
          }
          return err(start, `error parsing number: strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
        }
        toks.push({ kind: 'NUM', text, pos: start, end: j, num: v });
      }
      i = j;
      continue;
    }
    if (isAlpha(c)) {
      let j = i + 1;
      while (j < n && (isAlnum(q[j]) || q[j] === ':')) j++;
      const text = q.slice(i, j);
      const low = text.toLowerCase();
      if (braceDepth === 0 && (low === 'inf' || low === 'nan')) toks.push({ kind: 'NUM', text, pos: start, end: j, num: low === 'inf' ? Infinity : NaN });
      else toks.push({ kind: 'IDENT', text, pos: start, end: j });
      i = j;
      continue;
    }
    if (c === ':' && isAlpha(q[i + 1]) && braceDepth === 0 && toks.length && toks[toks.length - 1]!.text !== '[' && !isSubqueryColon(toks)) {
      // Metric names may start with a colon-prefixed recording-rule style name (rare).
      let j = i + 1;
      while (j < n && (isAlnum(q[j]) || q[j] === ':')) j++;
      toks.push({ kind: 'IDENT', text: q.slice(i, j), pos: start, end: j });
      i = j;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < n && q[j] !== c) {
        if (q[j] === '\\' && c !== '`') j++;
        else if (q[j] === '\n' && c !== '`') err(start, 'unterminated quoted string');
        j++;
      }
      if (j >= n) err(start, 'unterminated quoted string');
      let val: string;
      try {
        val = unquoteBody(q.slice(i + 1, j), c);
      } catch (e) {
        return err(start, (e as Error).message);
      }
      toks.push({ kind: 'STR', text: q.slice(i, j + 1), pos: start, end: j + 1, str: val });
      i = j + 1;
      continue;
    }
    const two = q.slice(i, i + 2);
    if (OPS2.includes(two)) {
      toks.push({ kind: 'OP', text: two, pos: start, end: i + 2 });
      i += 2;
      continue;
    }
    if (OPS1.includes(c)) {
      if (c === '{') braceDepth++;
      if (c === '}') braceDepth = Math.max(0, braceDepth - 1);
      toks.push({ kind: 'OP', text: c, pos: start, end: i + 1 });
      i++;
      continue;
    }
    if (c === '!') err(start, 'unexpected character after \'!\': ' + JSON.stringify(q[i + 1] ?? ''));
    err(start, `unexpected character${braceDepth > 0 ? ' inside braces' : ''}: ${JSON.stringify(c).replace(/^"|"$/g, "'")}`);
  }
  toks.push({ kind: 'EOF', text: '', pos: n, end: n });
  return toks;
}

function isSubqueryColon(toks: Token[]): boolean {
  // Inside [...] a colon separates range and step; detect an unclosed '['.
  let depth = 0;
  for (let k = toks.length - 1; k >= 0; k--) {
    const t = toks[k]!.text;
    if (toks[k]!.kind !== 'OP') continue;
    if (t === ']') depth++;
    else if (t === '[') {
      if (depth === 0) return true;
      depth--;
    }
  }
  return false;
}
