// Executes parsed PromQL test files against Vigil's engine and storage and compares results.
import { labelsKey, labelsToString, compareLabels, type Labels } from '../../src/model/labels.js';
import { STALE_NAN, isStaleNaN } from '../../src/model/sample.js';
import type { Storage } from '../../src/storage/interface.js';
import { Engine, parseExpr, formatExpr, FUNCTIONS, type Value } from '../../src/promql/index.js';
import { hasDurationFunc } from '../../src/promql/parser.js';
import type { Expr } from '../../src/promql/ast.js';
import { matches, newMatcher, type Matcher } from '../../src/model/matchers.js';
import { FloatHistogram, CUSTOM_BUCKETS_SCHEMA, sameBounds } from '../../src/model/histogram.js';
import { MemStorage } from './memstorage.js';
import { STALE, parseTestFile, isHistSlot, type EvalCmd, type SeriesDef, type Slot } from './testfile.js';

export type Tier = 'core' | 'metadata' | 'native_histograms' | 'experimental';

export interface EvalOutcome {
  file: string;
  line: number;
  query: string;
  tier: Tier;
  ok: boolean;
  error?: string;
}

const EXPERIMENTAL_FILES = new Set(['duration_expression.test', 'extended_vectors.test', 'fill-modifier.test', 'info.test', 'limit.test', 'start_timestamps.test']);

function usesExperimental(e: Expr): boolean {
  switch (e.type) {
    case 'Call':
      if (FUNCTIONS[e.func]?.experimental || e.func === 'min_of' || e.func === 'max_of') return true;
      return e.args.some(usesExperimental);
    case 'AggregateExpr':
      if (e.op === 'limitk' || e.op === 'limit_ratio') return true;
      return usesExperimental(e.expr) || (e.param ? usesExperimental(e.param) : false);
    case 'BinaryExpr':
      if (e.matching && (e.matching.fillLeft != null || e.matching.fillRight != null)) return true;
      return usesExperimental(e.lhs) || usesExperimental(e.rhs);
    case 'MatrixSelector':
      return !!(e.anchored || e.smoothed) || e.range.kind === 'expr' || (e.vs.offset?.kind === 'expr');
    case 'VectorSelector':
      return e.offset?.kind === 'expr';
    case 'SubqueryExpr':
      return e.range.kind === 'expr' || e.step?.kind === 'expr' || e.offset?.kind === 'expr' || usesExperimental(e.expr);
    case 'UnaryExpr': case 'ParenExpr': return usesExperimental(e.expr);
    case 'DurationFunc': return true;
    default: return false;
  }
}

function selectors(e: Expr, out: Matcher[][]): void {
  switch (e.type) {
    case 'VectorSelector': out.push(e.matchers); return;
    case 'MatrixSelector': return selectors(e.vs, out);
    case 'SubqueryExpr': case 'UnaryExpr': case 'ParenExpr': return selectors(e.expr, out);
    case 'Call': e.args.forEach((a) => selectors(a, out)); return;
    case 'AggregateExpr': selectors(e.expr, out); if (e.param) selectors(e.param, out); return;
    case 'BinaryExpr': selectors(e.lhs, out); selectors(e.rhs, out); return;
    default: return;
  }
}

function metricNames(e: Expr, out: Set<string>): void {
  switch (e.type) {
    case 'VectorSelector':
      for (const m of e.matchers) if (m.name === '__name__') out.add(m.type + m.value);
      return;
    case 'MatrixSelector': return metricNames(e.vs, out);
    case 'SubqueryExpr': case 'UnaryExpr': case 'ParenExpr': return metricNames(e.expr, out);
    case 'Call': e.args.forEach((a) => metricNames(a, out)); return;
    case 'AggregateExpr': metricNames(e.expr, out); if (e.param) metricNames(e.param, out); return;
    case 'BinaryExpr': metricNames(e.lhs, out); metricNames(e.rhs, out); return;
    default: return;
  }
}

const MIN_NORMAL = 2.2250738585072014e-308;
export function floatEq(a: number, b: number): boolean {
  if (isStaleNaN(a) || isStaleNaN(b)) return isStaleNaN(a) && isStaleNaN(b);
  if (a !== a && b !== b) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < 1e-6 * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < 1e-6;
}

const fmt = (v: number) => (v !== v ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));

function checkAnnotations(cmd: EvalCmd, got: string[], expect: 'none' | 'some' | 'no', msgs: { exact?: string; regex?: string }[], what: string): string | null {
  if (expect === 'none') return null;
  if (expect === 'no') return got.length ? `unexpected ${what}: ${got.join('; ')}` : null;
  if (!got.length) return `expected ${what} annotation, got none`;
  if (!msgs.length) return null;
  const match = (g: string, m: { exact?: string; regex?: string }) => (m.exact !== undefined ? g === m.exact : new RegExp(m.regex!).test(g));
  for (const g of got) if (!msgs.some((m) => match(g, m))) return `unexpected ${what} ${JSON.stringify(g)}`;
  for (const m of msgs) if (!got.some((g) => match(g, m))) return `missing ${what} ${JSON.stringify(m.exact ?? m.regex)}`;
  void cmd;
  return null;
}

function compareResult(cmd: EvalCmd, v: Value): string | null {
  if (cmd.expectString !== undefined) {
    if (v.type !== 'string') return `expected string, got ${v.type}`;
    return v.v === cmd.expectString ? null : `expected string ${JSON.stringify(cmd.expectString)}, got ${JSON.stringify(v.v)}`;
  }
  if (cmd.scalar !== undefined) {
    if (v.type !== 'scalar') return `expected scalar, got ${v.type}`;
    return floatEq(v.v, cmd.scalar) ? null : `expected scalar ${fmt(cmd.scalar)}, got ${fmt(v.v)}`;
  }
  const exp = new Map<string, { labels: Labels; slots: Slot[]; pos: number }>();
  cmd.expected.forEach((s, i) => exp.set(labelsKey(s.labels), { ...s, pos: i }));
  if (cmd.instant && !cmd.rangeVector) {
    if (v.type === 'scalar' || v.type === 'string') return `expected vector, got ${v.type}`;
    if (v.type === 'matrix') return 'expected vector, got matrix';
    if (v.samples.length !== exp.size) return `expected ${exp.size} samples, got ${v.samples.length}: ${v.samples.map((s) => labelsToString(s.labels) + ' ' + fmt(s.v)).join(', ')}`;
    for (let i = 0; i < v.samples.length; i++) {
      const s = v.samples[i]!;
      const e = exp.get(labelsKey(s.labels));
      if (!e) return `unexpected series ${labelsToString(s.labels)} ${fmt(s.v)}`;
      if (cmd.ordered && e.pos !== i) return `wrong order: ${labelsToString(s.labels)} at ${i}, expected ${e.pos}`;
      const ev = e.slots[0];
      if (isHistSlot(ev) || s.h) {
        const d = compareHistPoint(ev, s.h);
        if (d) return `${labelsToString(s.labels)}: ${d}`;
        continue;
      }
      if (typeof ev !== 'number' && ev !== STALE) return `expected non-float for ${labelsToString(s.labels)}`;
      const want = ev === STALE ? STALE_NAN : ev;
      if (!floatEq(s.v, want)) return `${labelsToString(s.labels)}: expected ${fmt(want)}, got ${fmt(s.v)}`;
    }
    return null;
  }
  if (v.type !== 'matrix') return `expected matrix, got ${v.type}`;
  const start = cmd.rangeVector ? cmd.rangeVector.startMs : cmd.startMs;
  const step = cmd.rangeVector ? cmd.rangeVector.stepMs : cmd.stepMs;
  if (!cmd.rangeVector) {
    for (let i = 1; i < v.series.length; i++) if (compareLabels(v.series[i - 1]!.labels, v.series[i]!.labels) >= 0) return 'matrix not sorted by labels';
  }
  if (v.series.length !== exp.size) return `expected ${exp.size} series, got ${v.series.length}: ${v.series.map((s) => labelsToString(s.labels)).join(', ')}`;
  for (const s of v.series) {
    const e = exp.get(labelsKey(s.labels));
    if (!e) return `unexpected series ${labelsToString(s.labels)}`;
    const wantT: number[] = [], wantV: Slot[] = [];
    e.slots.forEach((x, k) => {
      if (x === null) return;
      wantT.push(start + k * step);
      wantV.push(x);
    });
    const got = Array.from(s.t).map((t, k) => `${t}:${s.h?.[k] ? `{{${s.h[k]}}}` : fmt(s.v[k]!)}`).join(' ');
    if (wantT.length !== s.t.length) return `${labelsToString(s.labels)}: expected ${wantT.length} points, got ${s.t.length} (${got})`;
    for (let k = 0; k < wantT.length; k++) {
      const w = wantV[k]!;
      if (wantT[k] !== s.t[k]) return `${labelsToString(s.labels)}: point ${k} expected at ${wantT[k]}, got ${got}`;
      if (isHistSlot(w) || s.h?.[k]) {
        const d = compareHistPoint(w, s.h?.[k]);
        if (d) return `${labelsToString(s.labels)}: point ${k}: ${d}`;
        continue;
      }
      const want = w === STALE ? STALE_NAN : (w as number);
      if (!floatEq(s.v[k]!, want)) return `${labelsToString(s.labels)}: point ${k} expected ${wantT[k]}:${fmt(want)}, got ${got}`;
    }
  }
  return null;
}

/** Histogram equality as Prometheus's test runner checks it (compacted, float tolerance). */
function compareHistPoint(w: Slot | undefined, got: FloatHistogram | undefined): string | null {
  if (!isHistSlot(w)) return `expected float ${w === STALE ? 'stale' : fmt(w as number)}, got histogram {{${got}}}`;
  if (!got) return `expected histogram {{${w.h}}}, got float`;
  const a = w.h.copy().compact(), b = got.copy().compact();
  const diff = `expected {{${a}}} schema ${a.schema} hint ${a.hint}, got {{${b}}} schema ${b.schema} hint ${b.hint}`;
  if (a.schema !== b.schema || a.zeroThreshold !== b.zeroThreshold) return diff;
  if (!floatEq(a.count, b.count) || !floatEq(a.sum, b.sum) || !floatEq(a.zeroCount, b.zeroCount)) return diff;
  if (a.usesCustomBuckets && !sameBounds(a.customValues ?? [], b.customValues ?? [])) return diff;
  const same = (ai: number[], ac: number[], bi: number[], bc: number[]) => ai.length === bi.length && ai.every((x, k) => x === bi[k] && floatEq(ac[k]!, bc[k]!));
  if (!same(a.pIdx, a.pCnt, b.pIdx, b.pCnt) || !same(a.nIdx, a.nCnt, b.nIdx, b.nCnt)) return diff;
  if (w.hintStated && a.hint !== b.hint) return diff;
  return null;
}

export interface RunOptions {
  newStorage: () => Promise<Storage>;
  crossCheck?: boolean;
}

export async function runTestFile(file: string, text: string, opts: RunOptions): Promise<EvalOutcome[]> {
  const cmds = parseTestFile(text);
  const engine = new Engine({ lookbackDeltaMs: 5 * 60e3, maxSamples: 10000, noStepSubqueryIntervalMs: 60e3 });
  let storage = await opts.newStorage();
  let histNames = new Set<string>();
  let histSeries: Labels[] = [];
  let startTs = false;
  const out: EvalOutcome[] = [];
  for (const c of cmds) {
    if (c.kind === 'clear') {
      await storage.close();
      storage = await opts.newStorage();
      histNames = new Set();
      histSeries = [];
      startTs = false;
      continue;
    }
    if (c.kind === 'load') {
      let app = storage.appender();
      const series = c.nhcb ? [...c.series, ...nhcbSeries(c.series)] : c.series;
      if (!app.appendHistogram && series.some((s) => s.slots.some(isHistSlot))) {
        // This storage cannot hold native histograms: evaluate the segment in memory instead.
        app.rollback();
        const mem = new MemStorage();
        await copyAll(storage, mem);
        await storage.close();
        storage = mem;
        app = storage.appender();
      }
      if (series.some((s) => s.st) && (!app.appendST || !app.appendHistogramST)) throw new Error('storage cannot hold start timestamps');
      for (const s of series) {
        s.slots.forEach((x, k) => {
          if (x === null) return;
          const t = k * c.intervalMs;
          const off = s.st?.[k];
          try {
            if (off != null) {
              if (isHistSlot(x)) app.appendHistogramST!(0, s.labels, t, x.h, t + off);
              else app.appendST!(0, s.labels, t, x === STALE ? STALE_NAN : x, t + off);
            } else if (isHistSlot(x)) app.appendHistogram!(0, s.labels, t, x.h);
            else app.append(0, s.labels, t, x === STALE ? STALE_NAN : x);
          } catch {
            /* out of order across loads: ignore */
          }
        });
      }
      await app.commit();
      for (const h of c.histNames) histNames.add(h);
      for (const s of series) if (s.slots.some(isHistSlot)) histSeries.push(s.labels);
      if (c.startTs) startTs = true;
      continue;
    }
    let tier: Tier = 'core';
    let parsed: Expr | null = null;
    try {
      parsed = parseExpr(c.query);
    } catch {
      /* reported below */
    }
    const names = new Set<string>();
    if (parsed) metricNames(parsed, names);
    const nh = c.hasHist || [...names].some((n) => n.startsWith('=~') ? [...histNames].some((h) => { try { return new RegExp(`^(?:${n.slice(2)})$`).test(h); } catch { return false; } }) : n.startsWith('=') && histNames.has(n.slice(1))) || /histogram_(count|sum|avg|stddev|stdvar|quantiles)\(/.test(c.query);
    const sels: Matcher[][] = [];
    if (parsed) selectors(parsed, sels);
    const touchesHist = sels.some((ms) => histSeries.some((ls) => ms.every((m) => matches(m, ls.find((l) => l.name === m.name)?.value ?? ''))));
    if (file === 'native_histograms.test' || nh || touchesHist) tier = 'native_histograms';
    else if (EXPERIMENTAL_FILES.has(file) || (parsed && usesExperimental(parsed)) || startTs) tier = 'experimental';
    else if (file === 'type_and_unit.test') tier = 'metadata';
    const res: EvalOutcome = { file, line: c.line, query: c.query, tier, ok: false };
    try {
      res.error = (await runEval(engine, storage, c)) ?? undefined;
      res.ok = !res.error;
    } catch (e) {
      res.error = `runner error: ${(e as Error).message}`;
    }
    out.push(res);
  }
  await storage.close();
  return out;
}

async function runEval(engine: Engine, storage: Storage, c: EvalCmd): Promise<string | null> {
  let result;
  try {
    result = c.instant ? await engine.instantQuery(storage, c.query, c.atMs) : await engine.rangeQuery(storage, c.query, c.startMs, c.endMs, c.stepMs);
  } catch (e) {
    const msg = (e as Error).message;
    if (!c.fail) return `unexpected error: ${msg}`;
    if (c.failMsg !== undefined && msg !== c.failMsg) return `expected error ${JSON.stringify(c.failMsg)}, got ${JSON.stringify(msg)}`;
    if (c.failRegex !== undefined && !new RegExp(c.failRegex).test(msg)) return `error ${JSON.stringify(msg)} does not match ${c.failRegex}`;
    return null;
  }
  if (c.fail) return 'expected failure, query succeeded';
  const err =
    checkAnnotations(c, result.warnings, c.warn, c.warnMsgs, 'warning') ??
    checkAnnotations(c, result.infos, c.info, c.infoMsgs, 'info') ??
    compareResult(c, result.value);
  if (err || !c.instant) return err;
  const inv = await stepInvariance(engine, storage, c);
  if (inv) return inv;
  if (c.rangeVector || c.expectString !== undefined || c.ordered || /\b(start|end|range|step)\(\)/.test(c.query)) return null;
  // Range-mode cross-check (as Prometheus's runner does): evaluate from T-1m to T+1m, step 1m,
  // and compare the point at T with the expectation.
  let rr;
  try {
    rr = await engine.rangeQuery(storage, c.query, c.atMs - 60e3, c.atMs + 60e3, 60e3);
  } catch (e) {
    return `range-mode cross-check failed: ${(e as Error).message}`;
  }
  if (rr.value.type !== 'matrix') return 'range-mode cross-check: expected matrix';
  for (let i = 1; i < rr.value.series.length; i++) if (compareLabels(rr.value.series[i - 1]!.labels, rr.value.series[i]!.labels) >= 0) return 'range-mode cross-check: matrix not sorted';
  let vec: Value;
  if (c.scalar !== undefined) {
    const s = rr.value.series[0];
    const k = s ? Array.from(s.t).indexOf(c.atMs) : -1;
    vec = { type: 'scalar', t: c.atMs, v: k >= 0 ? s!.v[k]! : NaN };
  } else {
    const samples = [];
    for (const s of rr.value.series) {
      const k = Array.from(s.t).indexOf(c.atMs);
      if (k >= 0) samples.push(s.h?.[k] ? { labels: s.labels, t: c.atMs, v: 0, h: s.h[k] } : { labels: s.labels, t: c.atMs, v: s.v[k]! });
    }
    vec = { type: 'vector', samples };
  }
  const e2 = compareResult({ ...c, ordered: false }, vec);
  return e2 ? `range-mode cross-check: ${e2}` : null;
}

const TIME_FUNCS = /\b(time|timestamp|predict_linear|days_in_month|day_of_month|day_of_week|day_of_year|hour|minute|month|year|start|end|range|step)\s*\(/;

/** Pins every selector/subquery without @ to the eval time (outside @-subqueries). */
function pinAt(e: Expr, at: number): void {
  switch (e.type) {
    case 'VectorSelector': if (e.at === null && !e.atMod) e.at = at; return;
    case 'MatrixSelector': return pinAt(e.vs, at);
    case 'SubqueryExpr':
      // Selectors inside a subquery that now has an @ are left alone.
      if (e.at === null && !e.atMod) e.at = at;
      return;
    case 'Call': e.args.forEach((a) => pinAt(a, at)); return;
    case 'AggregateExpr': pinAt(e.expr, at); if (e.param) pinAt(e.param, at); return;
    case 'BinaryExpr': pinAt(e.lhs, at); pinAt(e.rhs, at); return;
    case 'UnaryExpr': case 'ParenExpr': return pinAt(e.expr, at);
    default: return;
  }
}

/** Step-invariance re-runs (as Prometheus's runner does): @-pinned query at other times. */
async function stepInvariance(engine: Engine, storage: Storage, c: EvalCmd): Promise<string | null> {
  if (TIME_FUNCS.test(c.query)) return null;
  const e = parseExpr(c.query);
  pinAt(e, c.atMs);
  const text = formatExpr(e);
  const T = c.atMs;
  const times = T === 0 ? [-1000, 0, 1000] : [-10 * T, 0, T / 5, T, 10 * T];
  for (const t of times) {
    let r;
    try {
      r = await engine.instantQuery(storage, text, t);
    } catch (err) {
      return `step-invariance (${text} at ${t}): ${(err as Error).message}`;
    }
    const e2 = checkAnnotations(c, r.warnings, c.warn, c.warnMsgs.filter((m) => m.exact === undefined), 'warning') ?? compareResult(c, r.value);
    if (e2) return `step-invariance (${text} at ${t}): ${e2}`;
  }
  return null;
}

export { hasDurationFunc };

/** Copies every float sample of a storage (used when switching to in-memory storage). */
async function copyAll(from: Storage, to: MemStorage): Promise<void> {
  const q = from.querier(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  try {
    const all = await q.select({ start: -Number.MAX_SAFE_INTEGER, end: Number.MAX_SAFE_INTEGER }, [newMatcher('=~', '__name__', '.+')]);
    for (const s of all) {
      const sa = s.samples();
      const st = s.startTimestamps?.();
      for (let i = 0; i < sa.t.length; i++) to.add(s.labels, sa.t[i]!, sa.v[i]!, st?.[i] ?? 0);
      const hs = s.histograms?.();
      if (hs) for (let i = 0; i < hs.t.length; i++) to.addHistogram(s.labels, hs.t[i]!, hs.h[i]!, hs.st?.[i] ?? 0);
    }
  } finally {
    q.close();
  }
}

/**
 * load_with_nhcb: every classic histogram (X_bucket{le}, X_count, X_sum with the same other labels)
 * becomes, per timestamp, one native histogram with custom buckets named X (le removed).
 */
function nhcbSeries(series: SeriesDef[]): SeriesDef[] {
  interface Group { labels: Labels; buckets: { le: number; slots: Slot[] }[]; count?: Slot[]; sum?: Slot[] }
  const groups = new Map<string, Group>();
  const groupOf = (name: string, ls: Labels): Group => {
    const labels = ls.map((l) => (l.name === '__name__' ? { name: l.name, value: name } : l)).filter((l) => l.name !== 'le');
    const k = labelsKey(labels);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { labels, buckets: [] }));
    return g;
  };
  for (const s of series) {
    const name = s.labels.find((l) => l.name === '__name__')?.value ?? '';
    let m: RegExpExecArray | null;
    if ((m = /^(.*)_bucket$/.exec(name))) {
      const leS = s.labels.find((l) => l.name === 'le')?.value;
      if (leS === undefined) continue;
      const le = /^\+?inf$/i.test(leS) ? Infinity : Number(leS);
      if (leS.trim() === '' || Number.isNaN(le)) continue;
      groupOf(m[1]!, s.labels).buckets.push({ le, slots: s.slots });
    } else if ((m = /^(.*)_count$/.exec(name))) groupOf(m[1]!, s.labels).count = s.slots;
    else if ((m = /^(.*)_sum$/.exec(name))) groupOf(m[1]!, s.labels).sum = s.slots;
  }
  const out: SeriesDef[] = [];
  for (const g of groups.values()) {
    if (!g.buckets.length) continue;
    g.buckets.sort((a, b) => a.le - b.le);
    const bounds = g.buckets.map((b) => b.le).filter((x) => x !== Infinity);
    const len = Math.max(...g.buckets.map((b) => b.slots.length), g.count?.length ?? 0, g.sum?.length ?? 0);
    const slots: Slot[] = [];
    for (let k = 0; k < len; k++) {
      const num = (x: Slot | undefined) => (typeof x === 'number' ? x : undefined);
      const cum = g.buckets.map((b) => num(b.slots[k]));
      if (cum.every((x) => x === undefined)) { slots.push(null); continue; }
      const h = new FloatHistogram();
      h.schema = CUSTOM_BUCKETS_SCHEMA;
      h.customValues = bounds;
      let prev = 0;
      const hasInf = g.buckets[g.buckets.length - 1]!.le === Infinity;
      cum.forEach((c, i) => {
        const v = (c ?? prev) - prev;
        prev = c ?? prev;
        if (v !== 0) { h.pIdx.push(i); h.pCnt.push(v); }
      });
      h.count = num(g.count?.[k]) ?? (hasInf ? prev : prev);
      h.sum = num(g.sum?.[k]) ?? 0;
      slots.push({ h, hintStated: false });
    }
    out.push({ labels: g.labels, slots });
  }
  return out;
}
