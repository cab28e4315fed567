// Prometheus's template functions and expander for alert labels/annotations: the data is
// {Labels, ExternalLabels, ExternalURL, Value} and the text is prefixed with the convenience
// variables $labels, $externalLabels, $externalURL and $value, exactly as Prometheus does (so
// column numbers in error messages match).
import { TemplateSet, GoTime, GO_TYPE, sprintf, type CustomParam, type FuncMap } from '../template/index.js';
import { parseDuration } from '../config/duration.js';
import type { Labels } from '../model/labels.js';

/** One sample as a template sees it (Prometheus's template.sample). */
export class TemplateSample {
  readonly [GO_TYPE] = '*template.sample';
  constructor(
    readonly Labels: Record<string, string>,
    readonly Value: number,
  ) {}
}

export interface QuerySample {
  labels: Labels;
  v: number;
}

/** Runs an instant query for templates (`query` func); resolves to a vector. */
export type TemplateQueryFunc = (expr: string, tsMs: number) => Promise<QuerySample[]>;

export interface ExpandOptions {
  /** Evaluation time (ms). */
  tsMs: number;
  query?: TemplateQueryFunc;
  externalURL?: string;
}

export const ALERT_TEMPLATE_DEFS = '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';

function convertToFloat(i: unknown): number {
  if (typeof i === 'number') return i;
  if (typeof i === 'bigint') return Number(i);
  if (typeof i === 'string') {
    const s = i.trim() === i ? i : '';
    const v = parseGoFloat(s);
    if (v === undefined) throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(i)}: invalid syntax`);
    return v;
  }
  throw new Error(`can't convert ${i === null || i === undefined ? '<nil>' : typeof i === 'boolean' ? 'bool' : 'interface {}'} to float`);
}

function parseGoFloat(s: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s[0] === '-' ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(s)) return NaN;
  if (/^[+-]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?$/.test(s)) return Number(s.replace(/_/g, ''));
  if (/^[+-]?0[xX]/.test(s)) {
    const n = Number(s.replace(/^([+-]?)0[xX]/, '$10x'));
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

const fmt4g = (v: number, suffix = '') => sprintf('%.4g', [v]) + suffix;

function humanize(i: unknown): string {
  let v = convertToFloat(i);
  if (v === 0 || Number.isNaN(v) || !Number.isFinite(v)) return fmt4g(v);
  if (Math.abs(v) >= 1) {
    let prefix = '';
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return fmt4g(v, prefix);
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return fmt4g(v, prefix);
}

function humanize1024(i: unknown): string {
  let v = convertToFloat(i);
  if (Math.abs(v) <= 1 || Number.isNaN(v) || !Number.isFinite(v)) return fmt4g(v);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return fmt4g(v, prefix);
}

function humanizeDuration(i: unknown): string {
  let v = convertToFloat(i);
  if (Number.isNaN(v) || !Number.isFinite(v)) return fmt4g(v);
  if (v === 0) return fmt4g(v, 's');
  if (Math.abs(v) >= 1) {
    let sign = '';
    if (v < 0) {
      sign = '-';
      v = -v;
    }
    const d = Math.trunc(v);
    const seconds = d % 60, minutes = Math.trunc(d / 60) % 60, hours = Math.trunc(d / 3600) % 24, days = Math.trunc(d / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return sign + fmt4g(v, 's');
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return fmt4g(v, prefix + 's');
}

/** Prometheus's floatToTime: seconds → time at millisecond precision (model.Time). */
function floatToTime(v: number): GoTime {
  if (Number.isNaN(v) || !Number.isFinite(v)) throw new NaNOrInf();
  const ns = v * 1e9;
  if (ns > 9223372036854775807 || ns < -9223372036854775808) throw new Error(`${sprintf('%v', [v])} cannot be represented as a nanoseconds timestamp since it overflows int64`);
  const ms = Number(BigInt(Math.trunc(ns)) / 1000000n);
  return new GoTime(ms);
}
class NaNOrInf extends Error {}

// Go maps case rune by rune with Unicode's simple mappings: no 'ß' → "SS" (kept as is),
// 'İ' → 'i', and titlecase digraphs (ǅ) for strings.Title.
function upperRune(ch: string): string {
  const u = ch.toUpperCase();
  return [...u].length === 1 ? u : ch;
}
function lowerRune(ch: string): string {
  const l = ch.toLowerCase();
  return [...l].length === 1 ? l : String.fromCodePoint(l.codePointAt(0)!);
}
const TITLE_DIGRAPHS: Record<string, string> = { 'Ǆ': 'ǅ', 'ǅ': 'ǅ', 'ǆ': 'ǅ', 'Ǉ': 'ǈ', 'ǈ': 'ǈ', 'ǉ': 'ǈ', 'Ǌ': 'ǋ', 'ǋ': 'ǋ', 'ǌ': 'ǋ', 'Ǳ': 'ǲ', 'ǲ': 'ǲ', 'ǳ': 'ǲ' };
function titleRune(ch: string): string {
  return TITLE_DIGRAPHS[ch] ?? upperRune(ch);
}

/** strings.ToUpper / strings.ToLower. */
export function goToUpper(s: string): string {
  let out = '';
  for (const ch of s) out += upperRune(ch);
  return out;
}
export function goToLower(s: string): string {
  let out = '';
  for (const ch of s) out += lowerRune(ch);
  return out;
}

/** strings.Title: title-cases the first letter of each word. */
export function goTitle(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? titleRune(ch) : ch;
    prev = ch;
  }
  return out;
}
function isSeparator(c: string): boolean {
  if (/^[A-Za-z0-9_]$/.test(c)) return false;
  if (c.charCodeAt(0) < 0x80) return true;
  if (/\p{L}|\p{Nd}/u.test(c)) return false;
  return /\s/.test(c);
}

// POSIX classes as they appear inside brackets ("[[:alpha:]]" → "[a-zA-Z]").
const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F', digit: '0-9',
  graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-/:-@[-`{-~', space: '\\t\\n\\v\\f\\r ', upper: 'A-Z', word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

function toRegExp(pattern: string): RegExp {
  try {
    let flags = 'u';
    let body = pattern;
    const m = /^\(\?([imsU]+)\)/.exec(body);
    if (m) {
      body = body.slice(m[0].length);
      if (m[1]!.includes('i')) flags += 'i';
      if (m[1]!.includes('m')) flags += 'm';
      if (m[1]!.includes('s')) flags += 's';
    }
    // RE2 spellings JS lacks: (?P<name>...), \A, \z, \pL, [[:alpha:]].
    body = body
      .replace(/\(\?P</g, '(?<')
      .replace(/\\A/g, '^')
      .replace(/\\z/g, '$(?![\\s\\S])')
      .replace(/\\([pP])([A-Za-z])/g, '\\$1{$2}')
      .replace(/\[:(\^?)([a-z]+):\]/g, (all, neg: string, cls: string) => {
        const c = POSIX_CLASSES[cls];
        return !c || neg ? all : c;
      });
    return new RegExp(body, flags);
  } catch (e) {
    throw new Error(`error parsing regexp: ${(e as Error).message}`);
  }
}

/** Go's regexp replacement template: $1, ${1}, ${name}, $$. */
function expandReplacement(repl: string, m: RegExpExecArray): string {
  return repl.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_all, tok: string, braced?: string, bare?: string) => {
    if (tok === '$') return '$';
    const name = braced ?? bare!;
    if (/^\d+$/.test(name)) return m[Number(name)] ?? '';
    return m.groups?.[name] ?? '';
  });
}

export function reReplaceAll(pattern: string, repl: string, text: string): string {
  const re = toRegExp(pattern);
  const g = new RegExp(re.source, re.flags + 'g');
  let out = '';
  let last = 0;
  let prevEnd = -1;
  let m: RegExpExecArray | null;
  while ((m = g.exec(text)) !== null) {
    const empty = m[0].length === 0;
    // Like Go, an empty match right after the previous match is not a match.
    if (!(empty && m.index === prevEnd)) {
      out += text.slice(last, m.index) + expandReplacement(repl, m);
      last = m.index + m[0].length;
      prevEnd = last;
    }
    if (empty) g.lastIndex++;
  }
  return out + text.slice(last);
}

// Go types of Prometheus's template functions, checked like Go's reflect-based call.
const SAMPLE: CustomParam = { goType: '*template.sample', check: (v) => v instanceof TemplateSample, nullable: true };
const RESULT: CustomParam = { goType: 'template.queryResult', check: (v) => Array.isArray(v) && v.every((x) => x instanceof TemplateSample), nullable: true };

function asSample(s: unknown): TemplateSample | null {
  return s instanceof TemplateSample ? s : null;
}

function asResult(v: unknown): TemplateSample[] {
  return Array.isArray(v) ? (v as TemplateSample[]) : [];
}

function stripPort(hostPort: string): string {
  const m = /^\[([^\]]+)\]:(\d*)$/.exec(hostPort) ?? /^([^:]*):(\d*)$/.exec(hostPort);
  return m ? m[1]! : hostPort;
}

function stripDomain(hostPort: string): string {
  let host = hostPort, port = '';
  const m = /^\[([^\]]+)\]:(\d*)$/.exec(hostPort) ?? /^([^:]*):(\d*)$/.exec(hostPort);
  if (m) {
    host = m[1]!;
    port = m[2]!;
  }
  if (/^[0-9.]+$/.test(host) || host.includes(':')) return hostPort;
  const dot = host.indexOf('.');
  if (dot >= 0) host = host.slice(0, dot);
  return m ? `${host}:${port}` : host;
}

function exprLink(base: string, expr: string, tab: number): string {
  const q = `expr=${encodeURIComponent(expr).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())}`;
  return `/graph?g0.${q}&g0.tab=${tab}`.replace(/^/, base);
}

/** Prometheus's rule-template function map, bound to one evaluation. */
export function promTemplateFuncs(opts: ExpandOptions): FuncMap {
  const externalURL = opts.externalURL ?? '';
  let pathPrefix = '';
  try {
    pathPrefix = externalURL ? new URL(externalURL).pathname.replace(/\/$/, '') : '';
  } catch {
    pathPrefix = '';
  }
  return {
    query: {
      params: ['string'],
      fn: async (q: string) => {
        if (!opts.query) throw new Error('no query engine available');
        const v = await opts.query(q, opts.tsMs);
        return v.map((s) => {
          const l: Record<string, string> = {};
          for (const x of s.labels) l[x.name] = x.value;
          return new TemplateSample(l, s.v);
        });
      },
    },
    first: {
      params: [RESULT],
      fn: (v: unknown) => {
        const r = asResult(v);
        if (r.length > 0) return r[0];
        throw new Error('first() called on vector with no elements');
      },
    },
    label: { params: ['string', SAMPLE], fn: (l: string, s: unknown) => asSample(s)?.Labels[l] ?? '' },
    value: { params: [SAMPLE], fn: (s: unknown) => asSample(s)?.Value ?? 0 },
    strvalue: { params: [SAMPLE], fn: (s: unknown) => asSample(s)?.Labels['__value__'] ?? '' },
    args: {
      params: ['any'],
      variadic: true,
      fn: (...a: unknown[]) => {
        const o: Record<string, unknown> = {};
        a.forEach((x, i) => (o[`arg${i}`] = x));
        return o;
      },
    },
    reReplaceAll: { params: ['string', 'string', 'string'], fn: reReplaceAll },
    safeHtml: { params: ['string'], fn: (s: string) => s },
    match: { params: ['string', 'string'], fn: (p: string, s: string) => toRegExp(p).test(s) },
    title: { params: ['string'], fn: goTitle },
    toUpper: { params: ['string'], fn: goToUpper },
    toLower: { params: ['string'], fn: goToLower },
    graphLink: { params: ['string'], fn: (e: string) => exprLink('', e, 0) },
    tableLink: { params: ['string'], fn: (e: string) => exprLink('', e, 1) },
    sortByLabel: {
      params: ['string', RESULT],
      fn: (l: string, v: unknown) => {
        const r = asResult(v);
        // Stable sort by the label value, as sort.Stable does.
        return r.map((s, i) => [s, i] as const).sort((a, b) => {
          const x = a[0].Labels[l] ?? '', y = b[0].Labels[l] ?? '';
          return x < y ? -1 : x > y ? 1 : a[1] - b[1];
        }).map((p) => p[0]);
      },
    },
    humanize: { params: ['any'], fn: humanize },
    humanize1024: { params: ['any'], fn: humanize1024 },
    humanizeDuration: { params: ['any'], fn: humanizeDuration },
    humanizePercentage: { params: ['any'], fn: (i: unknown) => sprintf('%.4g%%', [convertToFloat(i) * 100]) },
    humanizeTimestamp: {
      params: ['any'],
      fn: (i: unknown) => {
        const v = convertToFloat(i);
        try {
          return floatToTime(v).String();
        } catch (e) {
          if (e instanceof NaNOrInf) return fmt4g(v);
          throw e;
        }
      },
    },
    toTime: { params: ['any'], fn: (i: unknown) => floatToTime(convertToFloat(i)) },
    toDuration: { params: ['any'], fn: (i: unknown) => convertToFloat(i) },
    now: { params: [], fn: () => opts.tsMs / 1000 },
    pathPrefix: { params: [], fn: () => pathPrefix },
    externalURL: { params: [], fn: () => externalURL },
    parseDuration: {
      params: ['string'],
      fn: (d: string) => parseDuration(d) / 1000,
    },
    stripPort: { params: ['string'], fn: stripPort },
    stripDomain: { params: ['string'], fn: stripDomain },
  };
}

/** Template data Prometheus hands to alert templates. */
export function alertTemplateData(labels: Record<string, string>, externalLabels: Record<string, string>, externalURL: string, value: number): Record<string, unknown> {
  return { Labels: labels, ExternalLabels: externalLabels, ExternalURL: externalURL, Value: value };
}

function newSet(opts: ExpandOptions): TemplateSet {
  return new TemplateSet({ funcs: promTemplateFuncs(opts), missingKey: 'zero' });
}

// Parsed templates that do not call `query` are cached and executed synchronously; their
// functions read the current evaluation's options from `ctx` (safe: no await in between).
interface Cached {
  set: TemplateSet;
  ctx: { opts: ExpandOptions };
}
const cache = new Map<string, Cached>();
const CACHE_MAX = 20000;

function cachedSet(name: string, text: string): Cached | null {
  const key = name + '\x00' + text;
  let c = cache.get(key);
  if (c) return c;
  const ctx = { opts: { tsMs: 0 } as ExpandOptions };
  const live: ExpandOptions = {
    get tsMs() { return ctx.opts.tsMs; },
    get query() { return ctx.opts.query; },
    get externalURL() { return ctx.opts.externalURL; },
  };
  const set = new TemplateSet({ funcs: promTemplateFuncs(live), missingKey: 'zero' });
  set.parse(name, ALERT_TEMPLATE_DEFS + text);
  if (cache.size >= CACHE_MAX) cache.clear();
  c = { set, ctx };
  cache.set(key, c);
  return c;
}

/**
 * Expands one alert label/annotation template. Throws with Prometheus's wording:
 * "error parsing template __alert_X: ..." or "error executing template __alert_X: ...".
 */
export async function expandAlertTemplate(text: string, alertName: string, data: Record<string, unknown>, opts: ExpandOptions): Promise<string> {
  const name = `__alert_${alertName}`;
  if (!/\bquery\b/.test(text)) {
    let c: Cached | null = null;
    try {
      c = cachedSet(name, text);
    } catch (e) {
      throw new Error(`error parsing template ${name}: ${(e as Error).message}`);
    }
    c!.ctx.opts = opts;
    try {
      return c!.set.execute(name, data);
    } catch (e) {
      throw new Error(`error executing template ${name}: ${(e as Error).message}`);
    }
  }
  const set = newSet(opts);
  try {
    set.parse(name, ALERT_TEMPLATE_DEFS + text);
  } catch (e) {
    throw new Error(`error parsing template ${name}: ${(e as Error).message}`);
  }
  try {
    return await set.executeAsync(name, data);
  } catch (e) {
    throw new Error(`error executing template ${name}: ${(e as Error).message}`);
  }
}

/** Parse-only check used at load time; returns the error text or null. */
export function checkAlertTemplate(text: string, alertName: string): string | null {
  try {
    newSet({ tsMs: 0 }).parse(`__alert_${alertName}`, ALERT_TEMPLATE_DEFS + text);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
