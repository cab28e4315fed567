// The promtool / PromQL test notation for series: `metric{label="value", ...}` descriptors and
// expanding value sequences (`1+1x10`, `_x3`, `stale`, `Inf`).
import { METRIC_NAME, sortLabels, type Label, type Labels } from '../model/labels.js';
import { unquoteGo } from '../template/index.js';

export class SeriesParseError extends Error {
  constructor(
    readonly col: number,
    reason: string,
  ) {
    super(`1:${col}: parse error: ${reason}`);
    this.name = 'SeriesParseError';
  }
}

const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LNAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;

/** Parses `name{a="b"}`, `{a="b"}` or `name`; '' gives no labels. */
export function parseSeriesDesc(text: string): Labels {
  const s = text;
  let i = 0;
  const ws = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const out: Label[] = [];
  ws();
  if (i >= s.length) return [];
  NAME.lastIndex = i;
  const m = NAME.exec(s);
  if (m) {
    out.push({ name: METRIC_NAME, value: m[0] });
    i = NAME.lastIndex;
  }
  ws();
  if (s[i] === '{') {
    i++;
    for (;;) {
      ws();
      if (s[i] === '}') {
        i++;
        break;
      }
      LNAME.lastIndex = i;
      const ln = LNAME.exec(s);
      if (!ln) {
        if (i >= s.length) throw new SeriesParseError(i + 1, 'unexpected end of input inside braces');
        throw new SeriesParseError(i + 1, `unexpected character inside braces: ${JSON.stringify(s[i]).replace(/"/g, "'")}`);
      }
      i = LNAME.lastIndex;
      ws();
      if (s[i] !== '=') throw new SeriesParseError(i + 1, `unexpected character inside braces: '${s[i] ?? ''}'`);
      i++;
      ws();
      const q = s[i];
      if (q !== '"' && q !== "'" && q !== '`') throw new SeriesParseError(i + 1, `unexpected character after "=": '${q ?? ''}'`);
      let j = i + 1;
      while (j < s.length && s[j] !== q) j += s[j] === '\\' && q !== '`' ? 2 : 1;
      if (j >= s.length) throw new SeriesParseError(i + 1, 'unterminated quoted string');
      let lit = s.slice(i, j + 1);
      if (q === "'") lit = '"' + lit.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"') + '"';
      let value: string;
      try {
        value = unquoteGo(lit);
      } catch {
        throw new SeriesParseError(i + 1, `invalid quoted string ${lit}`);
      }
      i = j + 1;
      if (ln[0] === METRIC_NAME && out.some((l) => l.name === METRIC_NAME)) throw new SeriesParseError(i, 'metric name set twice');
      if (out.some((l) => l.name === ln[0])) throw new SeriesParseError(i, `duplicate label name ${ln[0]}`);
      if (value !== '') out.push({ name: ln[0], value });
      ws();
      if (s[i] === ',') {
        i++;
        continue;
      }
      if (s[i] === '}') {
        i++;
        break;
      }
      if (i >= s.length) throw new SeriesParseError(i + 1, 'unexpected end of input inside braces');
      throw new SeriesParseError(i + 1, `unexpected character inside braces: '${s[i]}'`);
    }
  }
  ws();
  if (i < s.length) throw new SeriesParseError(i + 1, `unexpected character: '${s[i]}'`);
  return sortLabels(out);
}

/**
 * One slot of an expanded sequence: a value, undefined for `_` (no sample), or 'stale' for a
 * staleness marker (kept symbolic: V8 may canonicalise NaN payloads stored in plain arrays).
 */
export type Slot = number | undefined | 'stale';

const NUM = '[+-]?(?:(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[iI][nN][fF]|[nN][aA][nN])';
const ITEM = new RegExp(`^(${NUM})(?:([+-])(${NUM}))?x([0-9]+)$`);
const SINGLE = new RegExp(`^${NUM}$`);

function num(s: string): number {
  const t = s.toLowerCase().replace(/^\+/, '');
  if (t === 'inf') return Infinity;
  if (t === '-inf') return -Infinity;
  if (t === 'nan' || t === '-nan') return NaN;
  return Number(s);
}

/** Expands a value sequence; histograms (`{{...}}`) are not supported and throw. */
export function expandValues(text: string): Slot[] {
  const out: Slot[] = [];
  for (const item of text.trim().split(/\s+/).filter(Boolean)) {
    if (item.startsWith('{{')) throw new Error('native histogram samples are not supported');
    if (item === '_') {
      out.push(undefined);
      continue;
    }
    const skip = /^_x([0-9]+)$/.exec(item);
    if (skip) {
      for (let k = 0; k < Number(skip[1]); k++) out.push(undefined);
      continue;
    }
    if (item === 'stale') {
      out.push('stale');
      continue;
    }
    if (SINGLE.test(item)) {
      out.push(num(item));
      continue;
    }
    const m = ITEM.exec(item);
    if (!m) throw new Error(`invalid value sequence item ${JSON.stringify(item)}`);
    let v = num(m[1]!);
    const step = m[3] === undefined ? 0 : m[2] === '-' ? -num(m[3]) : num(m[3]);
    const n = Number(m[4]);
    out.push(v);
    for (let k = 0; k < n; k++) {
      v += step;
      out.push(v);
    }
  }
  return out;
}
