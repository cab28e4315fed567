// Parser for Prometheus's PromQL test-file language (see ../shared/conformance/promql/README.md).
import { labelsFromObject, type Labels } from '../../src/model/labels.js';
import { parseDurationMs } from '../../src/promql/lexer.js';
import { parseExpr } from '../../src/promql/parser.js';
import { unquoteBody } from '../../src/promql/strings.js';
import type { FloatHistogram } from '../../src/model/histogram.js';
import { expandHistogramItem } from '../../src/promql/histnotation.js';

export const STALE = Symbol('stale');
/** A native histogram slot; `hintStated`: the expectation spelled out counter_reset_hint. */
export interface HistSlot {
  h: FloatHistogram;
  hintStated: boolean;
}
/** One value slot: a float, a staleness marker, a native histogram, or omitted. */
export type Slot = number | typeof STALE | HistSlot | null;

export function isHistSlot(x: Slot | undefined): x is HistSlot {
  return typeof x === 'object' && x !== null;
}

export interface SeriesDef {
  labels: Labels;
  slots: Slot[];
  /** Start-timestamp offsets (ms, added to each sample's time) from an `@st` line; null = none. */
  st?: (number | null)[];
}

export type Cmd =
  | { kind: 'clear'; line: number }
  | { kind: 'load'; line: number; intervalMs: number; series: SeriesDef[]; nhcb: boolean; histNames: string[]; startTs: boolean }
  | EvalCmd;

export interface EvalCmd {
  kind: 'eval';
  line: number;
  query: string;
  instant: boolean;
  atMs: number;
  startMs: number;
  endMs: number;
  stepMs: number;
  fail: boolean;
  failMsg?: string;
  failRegex?: string;
  ordered: boolean;
  warn: 'none' | 'some' | 'no';
  info: 'none' | 'some' | 'no';
  warnMsgs: { exact?: string; regex?: string }[];
  infoMsgs: { exact?: string; regex?: string }[];
  rangeVector?: { startMs: number; endMs: number; stepMs: number };
  expectString?: string;
  scalar?: number;
  expected: SeriesDef[];
  /** Expected output contains native histograms. */
  hasHist: boolean;
}

export function dur(s: string): number {
  if (s === '0' || s === '-0') return 0;
  const neg = s.startsWith('-');
  const d = parseDurationMs(neg ? s.slice(1) : s);
  if (d === null) throw new Error(`bad duration ${JSON.stringify(s)}`);
  return neg ? -d : d;
}

/** A signed duration for `@st` offsets (`-1m`, `+1m`, `0`, `-0ms`). */
function signedDur(s: string): number {
  const neg = s.startsWith('-');
  const body = s.startsWith('-') || s.startsWith('+') ? s.slice(1) : s;
  const d = body === '0' ? 0 : parseDurationMs(body);
  if (d === null) throw new Error(`bad start timestamp offset ${JSON.stringify(s)}`);
  return neg ? -d : d;
}

/** The offsets of an `@st` line: `_`, `_xN`, `d`, `dxN`, `d+exN`, `d-exN` (N+1 items except `_xN`). */
export function parseSTOffsets(s: string): (number | null)[] {
  const out: (number | null)[] = [];
  for (const item of s.trim().split(/\s+/)) {
    if (item === '_') { out.push(null); continue; }
    const m = /^(.*)x(\d+)$/.exec(item);
    if (!m) { out.push(signedDur(item)); continue; }
    const n = Number(m[2]);
    if (m[1] === '_') { for (let i = 0; i < n; i++) out.push(null); continue; }
    const sm = /^([+-]?[^+-]+)(?:([+-])(.+))?$/.exec(m[1]!);
    if (!sm) throw new Error(`bad start timestamp item ${JSON.stringify(item)}`);
    let v = signedDur(sm[1]!);
    const step = sm[3] ? signedDur(sm[3]) * (sm[2] === '-' ? -1 : 1) : 0;
    for (let i = 0; i <= n; i++) { out.push(v); v += step; }
  }
  return out;
}

function parseFloatItem(s: string): number {
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf') return Infinity;
  if (l === '-inf') return -Infinity;
  if (l === 'nan' || l === '+nan' || l === '-nan') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) throw new Error(`bad value ${JSON.stringify(s)}`);
  return Number(s);
}

function tokenizeValues(s: string): string[] {
  // Split on spaces, keeping {{...}} groups (possibly with +/- and xN suffixes) together.
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) break;
    let j = i;
    let depth = 0;
    while (j < s.length) {
      if (s.startsWith('{{', j)) { depth++; j += 2; continue; }
      if (s.startsWith('}}', j)) { depth--; j += 2; continue; }
      if (depth === 0 && /\s/.test(s[j]!)) break;
      j++;
    }
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

export function parseValues(s: string): Slot[] {
  const out: Slot[] = [];
  for (const item of tokenizeValues(s)) {
    if (item.startsWith('{{')) {
      out.push(...expandHistogramItem(item));
      continue;
    }
    if (item === '_') { out.push(null); continue; }
    if (item.toLowerCase() === 'stale') { out.push(STALE); continue; }
    let m = /^_x(\d+)$/.exec(item);
    if (m) { for (let k = 0; k < Number(m[1]); k++) out.push(null); continue; }
    m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|[+-]?inf|nan)([+-])([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|[+-]?inf|nan)x(\d+)$/i.exec(item);
    if (m) {
      let v = parseFloatItem(m[1]!);
      const step = parseFloatItem(m[3]!) * (m[2] === '-' ? -1 : 1);
      const n = Number(m[4]);
      for (let k = 0; k <= n; k++) {
        out.push(v);
        v += step;
      }
      continue;
    }
    m = /^(.+)x(\d+)$/.exec(item);
    if (m) {
      const v = parseFloatItem(m[1]!);
      for (let k = 0; k <= Number(m[2]); k++) out.push(v);
      continue;
    }
    out.push(parseFloatItem(item));
  }
  return out;
}

/** Splits "<series> <values>" and parses the series descriptor. */
export function parseSeriesLine(line: string): { labels: Labels; rest: string } {
  let i = 0;
  if (line[0] !== '{') while (i < line.length && !/[\s{]/.test(line[i]!)) i++;
  if (line[i] === '{') {
    let q: string | null = null;
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (q) {
        if (c === '\\' && q !== '`') i++;
        else if (c === q) q = null;
      } else if (c === '"' || c === "'" || c === '`') q = c;
      else if (c === '}') { i++; break; }
    }
  }
  const desc = line.slice(0, i);
  if (desc.replace(/\s/g, '') === '{}') return { labels: [], rest: line.slice(i).trim() };
  const e = parseExpr(desc);
  if (e.type !== 'VectorSelector') throw new Error(`bad series ${desc}`);
  const obj: Record<string, string> = {};
  for (const m of e.matchers) obj[m.name] = m.value;
  return { labels: labelsFromObject(obj), rest: line.slice(i).trim() };
}

function parseExpectMsg(rest: string): { exact?: string; regex?: string } | null {
  const m = /^(msg|regex):\s?(.*)$/.exec(rest.trim());
  if (!m) return null;
  return m[1] === 'msg' ? { exact: m[2]!.trim() } : { regex: m[2]!.trim() };
}

export function parseTestFile(text: string): Cmd[] {
  const lines = text.split('\n').map((l) => {
    const t = l.trim();
    return t.startsWith('#') ? '' : t;
  });
  const cmds: Cmd[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (!l) { i++; continue; }
    const lineNo = i + 1;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && lines[j]) body.push(lines[j++]!);
    const word = l.split(/\s+/)[0]!.toLowerCase();
    if (word === 'clear') {
      // clear takes no body: the next line may start another command.
      cmds.push({ kind: 'clear', line: lineNo });
      i++;
      continue;
    }
    else if (word.startsWith('load')) cmds.push(parseLoad(l, body, lineNo));
    else if (word.startsWith('eval')) cmds.push(parseEval(l, body, lineNo));
    else throw new Error(`line ${lineNo}: unknown command ${word}`);
    i = j;
  }
  return cmds;
}

function parseLoad(head: string, body: string[], line: number): Cmd {
  const parts = head.split(/\s+/);
  const nhcb = parts[0]!.toLowerCase() === 'load_with_nhcb';
  const intervalMs = dur(parts[1]!);
  const byKey = new Map<string, SeriesDef>();
  const histNames = new Set<string>();
  let startTs = false;
  let pendingST: { labels: Labels; st: (number | null)[] } | null = null;
  for (const b of body) {
    const stm = /^(.*?)@st\s+(.*)$/.exec(b);
    if (stm && !/\s/.test(stm[1]!.replace(/\{.*\}$/, ''))) {
      startTs = true;
      pendingST = { labels: parseSeriesLine(stm[1]!).labels, st: parseSTOffsets(stm[2]!) };
      continue;
    }
    const { labels, rest } = parseSeriesLine(b);
    const slots = parseValues(rest);
    let st: (number | null)[] | undefined;
    if (pendingST) {
      if (JSON.stringify(pendingST.labels) !== JSON.stringify(labels)) throw new Error(`line ${line}: @st line not followed by the same series`);
      if (pendingST.st.length !== slots.length) throw new Error(`line ${line}: @st line has ${pendingST.st.length} items, the series ${slots.length}`);
      st = pendingST.st;
      pendingST = null;
    }
    const name = labels.find((x) => x.name === '__name__')?.value ?? '';
    if (slots.some(isHistSlot)) histNames.add(name);
    if (nhcb) {
      const base = name.replace(/_(bucket|count|sum)$/, '');
      if (base !== name) histNames.add(base);
    }
    byKey.set(JSON.stringify(labels), st ? { labels, slots, st } : { labels, slots });
  }
  return { kind: 'load', line, intervalMs, series: [...byKey.values()], nhcb, histNames: [...histNames], startTs };
}

function parseEval(head: string, body: string[], line: number): EvalCmd {
  const m = /^(eval(?:_fail|_ordered|_warn|_info)?)\s+(instant|range)\s+(.*)$/i.exec(head);
  if (!m) throw new Error(`line ${line}: bad eval ${head}`);
  const variant = m[1]!.toLowerCase();
  const cmd: EvalCmd = {
    kind: 'eval', line, query: '', instant: m[2] === 'instant', atMs: 0, startMs: 0, endMs: 0, stepMs: 0,
    fail: variant === 'eval_fail', ordered: variant === 'eval_ordered',
    warn: variant === 'eval_warn' ? 'some' : 'none', info: variant === 'eval_info' ? 'some' : 'none',
    warnMsgs: [], infoMsgs: [], expected: [], hasHist: false,
  };
  if (cmd.instant) {
    const im = /^at\s+(\S+)\s+(.*)$/.exec(m[3]!);
    if (!im) throw new Error(`line ${line}: bad instant eval`);
    cmd.atMs = dur(im[1]!);
    cmd.query = im[2]!;
  } else {
    const rm = /^from\s+(\S+)\s+to\s+(\S+)\s+step\s+(\S+)\s+(.*)$/.exec(m[3]!);
    if (!rm) throw new Error(`line ${line}: bad range eval`);
    cmd.startMs = dur(rm[1]!);
    cmd.endMs = dur(rm[2]!);
    cmd.stepMs = dur(rm[3]!);
    cmd.query = rm[4]!;
  }
  for (const b of body) {
    if (b.startsWith('expected_fail_message ')) { cmd.failMsg = b.slice('expected_fail_message '.length).trim(); break; }
    if (b.startsWith('expected_fail_regexp ')) { cmd.failRegex = b.slice('expected_fail_regexp '.length).trim(); break; }
    const em = /^expect\s+(\S+)(.*)$/.exec(b);
    if (em) {
      const what = em[1]!.replace(/:$/, ''), rest = em[2]!;
      switch (what) {
        case 'fail': {
          cmd.fail = true;
          const x = parseExpectMsg(rest);
          if (x?.exact !== undefined) cmd.failMsg = x.exact;
          if (x?.regex !== undefined) cmd.failRegex = x.regex;
          break;
        }
        case 'ordered': cmd.ordered = true; break;
        case 'warn': cmd.warn = 'some'; { const x = parseExpectMsg(rest); if (x) cmd.warnMsgs.push(x); } break;
        case 'info': cmd.info = 'some'; { const x = parseExpectMsg(rest); if (x) cmd.infoMsgs.push(x); } break;
        case 'no_warn': cmd.warn = 'no'; break;
        case 'no_info': cmd.info = 'no'; break;
        case 'range': {
          const rm = /^\s*vector\s+from\s+(\S+)\s+to\s+(\S+)\s+step\s+(\S+)/.exec(rest);
          if (!rm) throw new Error(`line ${line}: bad expect range vector`);
          cmd.rangeVector = { startMs: dur(rm[1]!), endMs: dur(rm[2]!), stepMs: dur(rm[3]!) };
          break;
        }
        case 'string': {
          const s = rest.trim();
          cmd.expectString = unquoteBody(s.slice(1, -1), s[0]!);
          break;
        }
        default: throw new Error(`line ${line}: unknown expect ${what}`);
      }
      continue;
    }
    if (/^[-+]?(\d|\.\d|inf|nan|0x)/i.test(b) && !b.includes('{')) {
      const t = b.trim();
      cmd.scalar = /^[-+]?0[xo]/i.test(t) ? (t.startsWith('-') ? -1 : 1) * Number(t.replace(/^[-+]/, '')) : parseFloatItem(t);
      continue;
    }
    const { labels, rest } = parseSeriesLine(b);
    if (rest.includes('{{')) cmd.hasHist = true;
    cmd.expected.push({ labels, slots: parseValues(rest) });
  }
  return cmd;
}
