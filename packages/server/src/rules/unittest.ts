// Rule unit tests in promtool's format (`promtool test rules`): input series, rule evaluation at
// evaluation_interval steps, alert checks and PromQL checks, output and exit codes as promtool.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parseDocument, isMap, isSeq, isScalar, LineCounter, type Node as YNode, type Pair } from 'yaml';
import { parseDuration, formatDuration } from '../config/duration.js';
import { STALE_NAN } from '../model/sample.js';
import { compareLabels, sortLabels, type Labels } from '../model/labels.js';
import { Engine } from '../promql/index.js';
import { formatFloat, quoteGo } from '../template/index.js';
import { AlertingRule } from './alerting.js';
import type { Group } from './group.js';
import { glob } from './glob.js';
import { RuleManager } from './manager.js';
import { MemStorage } from './memstorage.js';
import { engineQueryFunc } from './query.js';
import { RuleFileError } from './rulefile.js';
import { expandValues, parseSeriesDesc, parseSeriesLine, SeriesParseError, type Slot } from './series.js';
import type { FloatHistogram } from '../model/histogram.js';
import { histogramTestExpression } from '../promql/histnotation.js';

export interface UnitTestOptions {
  /** Regexes selecting test groups by name (joined with |); empty = all. */
  run?: string[];
  ignoreUnknownFields?: boolean;
  /** Where output lines go (stdout / stderr). */
  out?: (s: string) => void;
  err?: (s: string) => void;
  /** Called after each test group with its errors (for JUnit reports). */
  onGroup?: (name: string, errors: string[]) => void;
  /** Write a JUnit XML report here (one testsuite per file, one testcase per group). */
  junitPath?: string;
}

interface InputSeries {
  labels: Labels;
  slots: Slot[];
}
interface AlertCase {
  evalTimeMs: number;
  evalTimeText: string;
  alertname: string;
  expAlerts: { labels: Record<string, string>; annotations: Record<string, string> }[];
}
interface ExprCase {
  expr: string;
  evalTimeMs: number;
  evalTimeText: string;
  expSamples: { labels: string; value: number; histogram?: string }[];
}
interface TestGroup {
  name: string;
  intervalMs: number;
  startMs: number;
  inputs: InputSeries[];
  alerts: AlertCase[];
  exprs: ExprCase[];
  externalLabels: Record<string, string>;
  externalURL: string;
}
interface TestFile {
  ruleFiles: string[];
  evalIntervalMs: number;
  groupEvalOrder: string[];
  fuzzy: boolean;
  tests: TestGroup[];
}

class FileError extends Error {}

/** Go's time.Duration.String for a millisecond duration. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let a = Math.abs(ms);
  let out = '';
  if (a < 1000) out = `${a}ms`;
  else {
    const h = Math.floor(a / 3600e3);
    a -= h * 3600e3;
    const m = Math.floor(a / 60e3);
    a -= m * 60e3;
    const s = a / 1000;
    const sStr = formatFloat(s, 'f', -1);
    out = h > 0 ? `${h}h${m}m${sStr}s` : m > 0 ? `${m}m${sStr}s` : `${sStr}s`;
  }
  return (neg ? '-' : '') + out;
}

/** Prometheus labels.String(): {a="b", c="d"} including __name__. */
function labelsString(ls: Labels): string {
  return '{' + ls.map((l) => `${l.name}=${quoteGo(l.value)}`).join(', ') + '}';
}

/** labels.FromMap: keeps empty values (unlike labelsFromObject), sorted by name. */
function mapLabels(o: Record<string, string>): Labels {
  return sortLabels(Object.entries(o).map(([name, value]) => ({ name, value })));
}

function indentLines(lines: string, indent: string): string {
  return lines.split('\n').join('\n' + indent);
}

type LA = { labels: Labels; annotations: Labels };
function laString(la: LA[]): string {
  if (la.length === 0) return '[]';
  const one = (x: LA) => `Labels:${labelsString(x.labels)}\nAnnotations:${labelsString(x.annotations)}`;
  let s = '[\n0:' + indentLines('\n' + one(la[0]!), '  ');
  la.slice(1).forEach((x, i) => (s += ',\n' + (i + 1) + ':' + indentLines('\n' + one(x), '  ')));
  return s + '\n]';
}

function sortLA(a: LA[]): LA[] {
  return a.sort((x, y) => compareLabels(x.labels, y.labels) || compareLabels(x.annotations, y.annotations));
}

function laEqual(a: LA[], b: LA[]): boolean {
  return a.length === b.length && a.every((x, i) => compareLabels(x.labels, b[i]!.labels) === 0 && x.labels.length === b[i]!.labels.length && compareLabels(x.annotations, b[i]!.annotations) === 0);
}

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
function nextFloat(x: number, up: boolean): number {
  if (Number.isNaN(x) || !Number.isFinite(x)) return x;
  if (x === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  f64[0] = x;
  i64[0]! += (x > 0) === up ? 1n : -1n;
  return f64[0]!;
}

function floatsEqual(a: number, b: number, fuzzy: boolean): boolean {
  if (a === b) return true;
  if (!fuzzy) return false;
  return nextFloat(a, true) === b || nextFloat(a, false) === b;
}

// ---- parsing the test file ----

class Reader {
  constructor(
    readonly lc: LineCounter,
    readonly unknown: string[],
  ) {}
  line(n: unknown): number {
    const r = (n as { range?: [number, number, number] } | null)?.range;
    return r ? this.lc.linePos(r[0]).line : 0;
  }
  pairs(n: unknown, allowed: string[], type: string): Map<string, YNode> {
    const m = new Map<string, YNode>();
    if (n == null || (isScalar(n) && n.value === null)) return m;
    if (!isMap(n)) throw new FileError(`yaml: unmarshal errors:\n  line ${this.line(n)}: cannot unmarshal into ${type}`);
    for (const p of n.items as Pair[]) {
      const k = String(isScalar(p.key) ? p.key.value : p.key);
      if (!allowed.includes(k)) this.unknown.push(`line ${this.line(p.key)}: field ${k} not found in type ${type}`);
      m.set(k, p.value as YNode);
    }
    return m;
  }
  seq(n: unknown): YNode[] {
    if (n == null || (isScalar(n) && n.value === null)) return [];
    if (!isSeq(n)) throw new FileError(`yaml: unmarshal errors:\n  line ${this.line(n)}: cannot unmarshal into a list`);
    return n.items as YNode[];
  }
  str(n: unknown): string {
    if (n == null) return '';
    if (!isScalar(n)) throw new FileError(`yaml: unmarshal errors:\n  line ${this.line(n)}: cannot unmarshal into string`);
    if (n.value === null) return '';
    // Keep the text as written (YAML would read 0x10 as 16; Go decodes it into a string as is).
    const src = (n as { source?: unknown }).source;
    return typeof src === 'string' ? src : String(n.value);
  }
  dur(n: unknown): number | undefined {
    const s = this.str(n);
    if (s === '') return undefined;
    try {
      return parseDuration(s);
    } catch {
      throw new FileError(`not a valid duration string: ${JSON.stringify(s)}`);
    }
  }
  strMap(n: unknown): Record<string, string> {
    const o: Record<string, string> = {};
    if (n == null || (isScalar(n) && n.value === null)) return o;
    if (!isMap(n)) throw new FileError(`yaml: unmarshal errors:\n  line ${this.line(n)}: cannot unmarshal into map[string]string`);
    for (const p of n.items as Pair[]) o[String(isScalar(p.key) ? p.key.value : p.key)] = this.str(p.value);
    return o;
  }
}

function parseTestFile(text: string, file: string): TestFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new FileError(`yaml: line ${e.pos ? lc.linePos(e.pos[0]).line : 0}: ${e.message.split('\n')[0]}`);
  }
  const unknown: string[] = [];
  const r = new Reader(lc, unknown);
  const top = r.pairs(doc.contents, ['rule_files', 'evaluation_interval', 'group_eval_order', 'tests', 'fuzzy_compare'], 'main.unitTestFile');
  const evalIntervalMs = r.dur(top.get('evaluation_interval')) || 60e3;
  const tf: TestFile = {
    ruleFiles: r.seq(top.get('rule_files')).map((n) => r.str(n)),
    evalIntervalMs,
    groupEvalOrder: r.seq(top.get('group_eval_order')).map((n) => r.str(n)),
    fuzzy: r.str(top.get('fuzzy_compare')) === 'true',
    tests: [],
  };
  for (const tn of r.seq(top.get('tests'))) {
    const t = r.pairs(tn, ['name', 'interval', 'start_timestamp', 'input_series', 'alert_rule_test', 'promql_expr_test', 'external_labels', 'external_url'], 'main.testGroup');
    let startMs = 0;
    const st = r.str(t.get('start_timestamp'));
    if (st !== '') {
      if (/^-?\d+(\.\d+)?$/.test(st)) startMs = Math.round(Number(st) * 1000);
      else {
        const d = Date.parse(st);
        if (Number.isNaN(d)) throw new FileError(`cannot parse start_timestamp ${JSON.stringify(st)}`);
        startMs = d;
      }
    }
    const tg: TestGroup = {
      name: r.str(t.get('name')),
      intervalMs: r.dur(t.get('interval')) || evalIntervalMs,
      startMs,
      inputs: [],
      alerts: [],
      exprs: [],
      externalLabels: r.strMap(t.get('external_labels')),
      externalURL: r.str(t.get('external_url')),
    };
    for (const sn of r.seq(t.get('input_series'))) {
      const s = r.pairs(sn, ['series', 'values'], 'main.series');
      const desc = r.str(s.get('series'));
      try {
        tg.inputs.push(parseSeriesLine(desc, r.str(s.get('values'))));
      } catch (e) {
        throw new FileError(e instanceof SeriesParseError ? e.message : `series ${desc}: ${(e as Error).message}`);
      }
    }
    for (const an of r.seq(t.get('alert_rule_test'))) {
      const a = r.pairs(an, ['eval_time', 'alertname', 'exp_alerts'], 'main.alertTestCase');
      const evalTimeMs = r.dur(a.get('eval_time')) ?? 0;
      tg.alerts.push({
        evalTimeMs,
        evalTimeText: formatDuration(evalTimeMs),
        alertname: r.str(a.get('alertname')),
        expAlerts: r.seq(a.get('exp_alerts')).map((en) => {
          const e = r.pairs(en, ['exp_labels', 'exp_annotations'], 'main.alert');
          return { labels: r.strMap(e.get('exp_labels')), annotations: r.strMap(e.get('exp_annotations')) };
        }),
      });
    }
    for (const pn of r.seq(t.get('promql_expr_test'))) {
      const p = r.pairs(pn, ['expr', 'eval_time', 'exp_samples'], 'main.promqlTestCase');
      const evalTimeMs = r.dur(p.get('eval_time')) ?? 0;
      tg.exprs.push({
        expr: r.str(p.get('expr')),
        evalTimeMs,
        evalTimeText: formatDuration(evalTimeMs),
        expSamples: r.seq(p.get('exp_samples')).map((sn) => {
          const s = r.pairs(sn, ['labels', 'value', 'histogram'], 'main.sample');
          const hv = r.str(s.get('histogram'));
          const vs = r.str(s.get('value'));
          return { labels: r.str(s.get('labels')), value: vs === '' ? 0 : parseYamlFloat(vs), histogram: hv || undefined };
        }),
      });
    }
    tf.tests.push(tg);
  }
  if (unknown.length) throw new FileError(`yaml: unmarshal errors:\n  ${unknown.join('\n  ')}`);
  return tf;
}

function parseYamlFloat(s: string): number {
  const t = s.toLowerCase();
  if (t === '.inf' || t === '+.inf' || t === 'inf' || t === '+inf') return Infinity;
  if (t === '-.inf' || t === '-inf') return -Infinity;
  if (t === '.nan' || t === 'nan') return NaN;
  const n = Number(s);
  if (Number.isNaN(n)) throw new FileError(`yaml: unmarshal errors:\n  cannot unmarshal !!str \`${s}\` into float64`);
  return n;
}

// ---- running ----

async function runGroup(tf: TestFile, tg: TestGroup, ruleFiles: string[], opts: UnitTestOptions): Promise<string[]> {
  const storage = new MemStorage();
  const engine = new Engine({ lookbackDeltaMs: 5 * 60e3, maxSamples: 50_000_000, noStepSubqueryIntervalMs: tf.evalIntervalMs, timeoutMs: 100e3 });
  const query = engineQueryFunc(engine, storage);
  const mgr = new RuleManager({
    query,
    appendable: storage,
    externalLabels: tg.externalLabels,
    externalURL: tg.externalURL,
    evaluationIntervalMs: tg.intervalMs,
    parse: { ignoreUnknownFields: opts.ignoreUnknownFields },
  });
  let groups: Group[];
  try {
    groups = mgr.buildGroups(mgr.loadFiles(ruleFiles), false);
  } catch (e) {
    if (e instanceof RuleFileError) return e.errors;
    return [(e as Error).message];
  }
  const order = new Map(tf.groupEvalOrder.map((n, i) => [n, i]));
  groups = groups.map((g, i) => [g, i] as const).sort((a, b) => (order.get(a[0].name) ?? 0) - (order.get(b[0].name) ?? 0) || a[1] - b[1]).map((x) => x[0]);

  const mint = tg.startMs;
  let maxEval = 0;
  for (const a of tg.alerts) maxEval = Math.max(maxEval, a.evalTimeMs);
  for (const e of tg.exprs) maxEval = Math.max(maxEval, e.evalTimeMs);
  const maxt = mint + maxEval;

  const errs: string[] = [];
  for (const a of tg.alerts) {
    if (a.alertname === '') {
      return [`an item under alert_rule_test misses required attribute alertname at eval_time ${a.evalTimeText}${tg.name ? ` (in TestGroup ${tg.name})` : ''}`];
    }
  }
  const alertTimes = [...new Set(tg.alerts.map((a) => a.evalTimeMs))].sort((x, y) => x - y);
  let curr = 0;
  // Input samples are appended as time advances (like promtool's lazy loader).
  const cursors = tg.inputs.map(() => 0);
  const loadTill = async (ts: number) => {
    const app = storage.appender();
    tg.inputs.forEach((s, k) => {
      while (cursors[k]! < s.slots.length) {
        const t = mint + cursors[k]! * tg.intervalMs;
        if (t > ts) break;
        const v = s.slots[cursors[k]!];
        if (typeof v === 'object') app.appendHistogram!(0, s.labels, t, v);
        else if (v !== undefined) app.append(0, s.labels, t, v === 'stale' ? STALE_NAN : v);
        cursors[k]!++;
      }
    });
    await app.commit();
  };
  for (let ts = mint; ts <= maxt; ts += tf.evalIntervalMs) {
    await loadTill(ts);
    const evalErrs: string[] = [];
    for (const g of groups) {
      await g.eval(ts);
      for (const r of g.rules) if (r.lastError) evalErrs.push(`    rule: ${r.name}, time: ${goDuration(ts - mint)}, err: ${r.lastError}`);
    }
    errs.push(...evalErrs);
    if (evalErrs.length) return errs;
    while (curr < alertTimes.length && ts - mint <= alertTimes[curr]! && alertTimes[curr]! < ts + tf.evalIntervalMs - mint) {
      const t = alertTimes[curr]!;
      const cases = tg.alerts.filter((a) => a.evalTimeMs === t);
      const names = new Set(cases.map((c) => c.alertname));
      const got = new Map<string, LA[]>();
      for (const g of groups) {
        for (const r of g.rules) {
          if (!(r instanceof AlertingRule) || !names.has(r.name)) continue;
          const list = got.get(r.name) ?? [];
          for (const a of r.activeAlerts()) if (a.state === 'firing') list.push({ labels: a.labels, annotations: a.annotations });
          got.set(r.name, list);
        }
      }
      for (const c of cases) {
        const gotAlerts = sortLA([...(got.get(c.alertname) ?? [])]);
        const exp = sortLA(c.expAlerts.map((e) => ({ labels: mapLabels({ ...e.labels, alertname: c.alertname }), annotations: mapLabels(e.annotations) })));
        if (!laEqual(exp, gotAlerts)) {
          const name = tg.name ? `    name: ${tg.name},\n` : '';
          errs.push(`${name}    alertname: ${c.alertname}, time: ${c.evalTimeText}, \n        exp:${indentLines(laString(exp), '            ')}, \n        got:${indentLines(laString(gotAlerts), '            ')}`);
        }
      }
      curr++;
    }
  }
  await loadTill(maxt);
  outer: for (const c of tg.exprs) {
    // Histogram samples compare by their canonical test expression, as promtool does.
    let got: { labels: Labels; v: number; hist: string }[];
    try {
      got = (await query(c.expr, mint + c.evalTimeMs)).map((s) => {
        const h = (s as { h?: FloatHistogram }).h;
        return { labels: s.labels, v: h ? 0 : s.v, hist: h ? histogramTestExpression(h) : '' };
      });
    } catch (e) {
      errs.push(`    expr: ${quoteGo(c.expr)}, time: ${c.evalTimeText}, err: ${(e as Error).message}`);
      continue;
    }
    const exp: { labels: Labels; v: number; hist: string }[] = [];
    for (const s of c.expSamples) {
      try {
        let hist = '';
        if (s.histogram !== undefined) {
          const vals = expandValues(s.histogram);
          if (vals.length !== 1) throw new Error(`expected 1 value, got ${vals.length}`);
          const h = vals[0];
          if (typeof h !== 'object') throw new Error(`expected histogram, got ${String(h)}`);
          hist = histogramTestExpression(h);
        }
        exp.push({ labels: parseSeriesDesc(s.labels), v: s.value, hist });
      } catch (e) {
        errs.push(`    expr: ${quoteGo(c.expr)}, time: ${c.evalTimeText}, err: labels ${quoteGo(s.labels)}: ${(e as Error).message}`);
        continue outer;
      }
    }
    const byLabels = (a: { labels: Labels }, b: { labels: Labels }) => compareLabels(a.labels, b.labels);
    exp.sort(byLabels);
    got.sort(byLabels);
    const equal = exp.length === got.length && exp.every((e, i) => compareLabels(e.labels, got[i]!.labels) === 0 && e.labels.length === got[i]!.labels.length && floatsEqual(e.v, got[i]!.v, tf.fuzzy) && e.hist === got[i]!.hist);
    if (!equal) {
      const str = (xs: { labels: Labels; v: number; hist: string }[]) => (xs.length === 0 ? 'nil' : xs.map((x) => `${labelsString(x.labels)} ${x.hist || formatFloat(x.v, 'E', -1)}`).join(', '));
      errs.push(`    expr: ${quoteGo(c.expr)}, time: ${c.evalTimeText},\n        exp: ${str(exp)}\n        got: ${str(got)}`);
    }
  }
  return errs;
}

/** Runs one test file; returns the error texts (empty = SUCCESS). */
export async function ruleUnitTestFile(file: string, opts: UnitTestOptions = {}): Promise<string[]> {
  let tf: TestFile;
  try {
    tf = parseTestFile(readFileSync(file, 'utf8'), file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [`open ${file}: no such file or directory`];
    return [(e as Error).message];
  }
  const seenOrder = new Set<string>();
  for (const g of tf.groupEvalOrder) {
    if (seenOrder.has(g)) return [`group name repeated in evaluation order: ${g}`];
    seenOrder.add(g);
  }
  const dir = dirname(file);
  const ruleFiles: string[] = [];
  for (const p of tf.ruleFiles) {
    const m = glob(p, isAbsolute(p) ? '/' : dir);
    if (m.length === 0) (opts.err ?? ((s) => process.stderr.write(s)))(`  WARNING: no file match pattern ${isAbsolute(p) ? p : join(dir, p)}\n`);
    ruleFiles.push(...m);
  }
  const runRe = opts.run && opts.run.length ? new RegExp(opts.run.join('|')) : undefined;
  const errs: string[] = [];
  for (const tg of tf.tests) {
    if (runRe && !runRe.test(tg.name)) continue;
    const ge = await runGroup(tf, tg, ruleFiles, opts);
    opts.onGroup?.(tg.name, ge);
    errs.push(...ge);
  }
  return errs;
}

/** promtool test rules: prints per-file results; resolves to the exit code (0 ok, 1 failed). */
export async function rulesUnitTest(files: string[], opts: UnitTestOptions = {}): Promise<number> {
  const out = opts.out ?? ((s: string) => process.stdout.write(s));
  const err = opts.err ?? ((s: string) => process.stderr.write(s));
  let failed = false;
  const suites: string[] = [];
  for (const f of files) {
    out(`Unit Testing:  ${f}\n`);
    const cases: string[] = [];
    const started = new Date();
    const errs = await ruleUnitTestFile(f, {
      ...opts,
      out,
      err,
      onGroup: (name, ge) => {
        opts.onGroup?.(name, ge);
        cases.push(`    <testcase name="${xmlEscape(name)}">${ge.length ? `\n      <failure message="${xmlEscape(ge.join('\n'))}"></failure>\n    ` : ''}</testcase>`);
      },
    });
    const fileErr = errs.length > 0 && cases.length === 0;
    const failures = cases.filter((c) => c.includes('<failure')).length;
    suites.push(
      `  <testsuite name="${xmlEscape(f)}" tests="${cases.length}" failures="${failures}" errors="${fileErr ? 1 : 0}" skipped="0" timestamp="${started.toISOString()}">\n` +
        (fileErr ? `    <error message="${xmlEscape(errs.join('\n'))}"></error>\n` : '') +
        cases.map((c) => c + '\n').join('') +
        '  </testsuite>',
    );
    if (errs.length) {
      err('  FAILED:\n');
      for (const e of errs) {
        err(e + '\n');
        out('\n');
      }
      failed = true;
    } else out('  SUCCESS\n');
    out('\n');
  }
  if (opts.junitPath) writeFileSync(opts.junitPath, `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('\n')}\n</testsuites>\n`);
  return failed ? 1 : 0;
}

function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/\n/g, '&#xA;');
}
