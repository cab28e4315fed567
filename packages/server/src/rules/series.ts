// The promtool / PromQL test notation for series: `metric{label="value", ...}` descriptors and
// expanding value sequences (`1+1x10`, `_x3`, `stale`, `Inf`).
import { METRIC_NAME, sortLabels, type Label, type Labels } from '../model/labels.js';
import { unquoteGo } from '../template/index.js';
import type { FloatHistogram } from '../model/histogram.js';
import { expandHistogramItem } from '../promql/histnotation.js';

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
  const [labels, end] = parseSeriesPrefix(text);
  let i = end;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  if (i < text.length) throw new SeriesParseError(i + 1, `unexpected character: '${text[i]}'`);
  return labels;
}

/** A series line as promtool builds it: `<descriptor> <values>`; errors carry the column. */
export function parseSeriesLine(series: string, values: string): { labels: Labels; slots: Slot[] } {
  const line = `${series} ${values}`;
  const [labels, end] = parseSeriesPrefix(line);
  return { labels, slots: expandValues(line.slice(end), end) };
}

function tokenDesc(c: string | undefined): string {
  if (c === undefined) return 'end of input';
  if (/[0-9.]/.test(c)) return `number "${c}"`;
  if (/[a-zA-Z_]/.test(c)) return `identifier "${c}"`;
  return JSON.stringify(c);
}

/** Parses the descriptor at the start of `text`; returns the labels and where it ended. */
function parseSeriesPrefix(text: string): [Labels, number] {
  const s = text;
  let i = 0;
  const ws = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const out: Label[] = [];
  ws();
  if (i >= s.length) return [[], i];
  NAME.lastIndex = i;
  const m = NAME.exec(s);
  if (m) {
    out.push({ name: METRIC_NAME, value: m[0] });
    i = NAME.lastIndex;
  }
  ws();
  if (s[i] === '{' && s[i + 1] !== '{') {
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
      if (q !== '"' && q !== "'" && q !== '`') throw new SeriesParseError(i + 1, `unexpected ${tokenDesc(q)} in label set, expected string`);
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
  return [sortLabels(out), i];
}

/**
 * One slot of an expanded sequence: a value, undefined for `_` (no sample), or 'stale' for a
 * staleness marker (kept symbolic: V8 may canonicalise NaN payloads stored in plain arrays).
 */
export type Slot = number | undefined | 'stale' | FloatHistogram;

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

function badItem(item: string, col: number): SeriesParseError {
  if (/^[a-zA-Z]/.test(item)) return new SeriesParseError(col, `unexpected identifier "${/^[a-zA-Z_][a-zA-Z0-9_]*/.exec(item)![0]}" in series values, expected number or "stale"`);
  // Find the first character the value grammar cannot take.
  const num = /^(?:[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+|[iI]nf|[nN]a[nN])/;
  let k = /^[+-]/.test(item) ? 1 : 0;
  const n1 = num.exec(item.slice(k));
  scan: if (n1) {
    k += n1[0].length;
    if (item[k] === '+' || item[k] === '-') {
      k++;
      const n2 = num.exec(item.slice(k));
      if (!n2) break scan;
      k += n2[0].length;
    }
    if (item[k] === 'x') {
      k++;
      const d = /^[0-9]+/.exec(item.slice(k));
      if (d) k += d[0].length;
    }
  }
  const c = item[k];
  return new SeriesParseError(col + k, c === undefined ? 'unexpected end of input in series values' : `unexpected ${JSON.stringify(c)} in series values`);
}

/**
 * Expands a value sequence; histograms (`{{...}}`) are not supported and throw. `offset` is the
 * column where `text` starts in the series line (for error positions).
 */
export function expandValues(text: string, offset = 0): Slot[] {
  const out: Slot[] = [];
  // Items are separated by spaces; `{{…}}` histograms (which contain spaces) are one item,
  // possibly followed by `+{{…}}xN`, `-{{…}}xN` or `xN`.
  const re = /\{\{[^}]*\}\}(?:[+-]\{\{[^}]*\}\})?(?:x[0-9]+)?|\S+/g;
  let mm: RegExpExecArray | null;
  while ((mm = re.exec(text)) !== null) {
    const item = mm[0];
    const col = offset + mm.index + 1;
    if (item.startsWith('{{')) {
      try {
        for (const x of expandHistogramItem(item)) out.push(x.h);
      } catch (e) {
        throw new SeriesParseError(col, (e as Error).message);
      }
      continue;
    }
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
    if (!m) throw badItem(item, col);
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
