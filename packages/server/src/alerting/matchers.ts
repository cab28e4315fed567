// Alertmanager's matcher syntax (pkg/labels): `name op value` where the value may be quoted
// (OpenMetrics escapes) or bare; lists are comma-separated, optionally wrapped in {}.
import { newMatcher, matches, type Matcher, type MatchType } from '../model/index.js';
import type { LabelSet } from './types.js';

const MATCHER_RE = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*([\s\S]*?)\s*$/;

export class MatcherParseError extends Error {}

const JS_TO_GO_REGEX_ERRORS: [RegExp, string][] = [
  [/Unterminated group/i, 'missing closing )'],
  [/Unmatched '\)'/i, 'unexpected )'],
  [/Nothing to repeat/i, 'missing argument to repetition operator'],
  [/Unterminated character class/i, 'missing closing ]'],
  [/Invalid escape|\\ at end of pattern/i, 'invalid escape sequence'],
  [/numbers out of order/i, 'invalid repeat count'],
];

/** A JS RegExp compile error worded like Go's regexp package ("error parsing regexp: …"). */
export function goRegexError(pattern: string, e: unknown): string {
  const msg = (e as Error).message;
  for (const [re, go] of JS_TO_GO_REGEX_ERRORS) if (re.test(msg)) return `error parsing regexp: ${go}: \`${pattern}\``;
  return `error parsing regexp: ${msg.replace(/^.*: /, '')}: \`${pattern}\``;
}

export function parseMatcher(s: string): Matcher {
  const m = MATCHER_RE.exec(s);
  if (!m) throw new MatcherParseError(`bad matcher format: ${s}`);
  let raw = m[3]!;
  let expectQuote = false;
  if (raw.startsWith('"')) {
    raw = raw.slice(1);
    expectQuote = true;
  }
  let value = '';
  let escaped = false;
  const chars = Array.from(raw);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (escaped) {
      escaped = false;
      if (c === 'n') value += '\n';
      else if (c === '"' || c === '\\') value += c;
      else value += '\\' + c;
      continue;
    }
    if (c === '\\') {
      if (i < chars.length - 1) { escaped = true; continue; }
      value += '\\';
    } else if (c === '"') {
      if (!expectQuote || i < chars.length - 1) throw new MatcherParseError(`matcher value contains unescaped double quote: ${m[3]}`);
      expectQuote = false;
    } else value += c;
  }
  if (expectQuote) throw new MatcherParseError(`matcher value contains unescaped double quote: ${m[3]}`);
  try {
    return newMatcher(m[2] as MatchType, m[1]!, value);
  } catch (e) {
    throw new MatcherParseError(goRegexError(value, e));
  }
}

export function parseMatchers(input: string): Matcher[] {
  let s = input;
  if (s.startsWith('{')) s = s.slice(1);
  if (s.endsWith('}')) s = s.slice(0, -1);
  const tokens: string[] = [];
  let tok = '';
  let inQuotes = false, escaped = false;
  for (const c of s) {
    if (c === ',' && !inQuotes) { tokens.push(tok); tok = ''; continue; }
    if (c === '"') { if (!escaped) inQuotes = !inQuotes; else escaped = false; }
    else if (c === '\\') escaped = !escaped;
    else escaped = false;
    tok += c;
  }
  if (tok.trim() !== '') tokens.push(tok.trim());
  return tokens.map(parseMatcher);
}

const TYPE_ORDER: Record<MatchType, number> = { '=': 0, '!=': 1, '=~': 2, '!~': 3 };

/** Sorts as pkg/labels Matchers.Less: name, value, then type. */
export function sortMatchers(ms: Matcher[]): Matcher[] {
  return ms.sort((a, b) =>
    a.name !== b.name ? (a.name < b.name ? -1 : 1) : a.value !== b.value ? (a.value < b.value ? -1 : 1) : TYPE_ORDER[a.type] - TYPE_ORDER[b.type],
  );
}

function omEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function amMatcherString(m: Matcher): string {
  return `${m.name}${m.type}"${omEscape(m.value)}"`;
}

export function amMatchersString(ms: readonly Matcher[]): string {
  return '{' + ms.map(amMatcherString).join(',') + '}';
}

/** All matchers hold for the label set (a missing label is the empty string). */
export function matchesLabelSet(ms: readonly Matcher[], ls: LabelSet): boolean {
  for (const m of ms) if (!matches(m, ls[m.name] ?? '')) return false;
  return true;
}
