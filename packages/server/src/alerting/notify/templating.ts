// Notification templates on Vigil's Go text/template engine: the default templates, the
// configuration's template files (globs), and Alertmanager's template functions.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { parseTemplate } from '../../template/parse.js';
import { executeTree, type FuncMap, type FuncSpec } from '../../template/exec.js';
import type { Tree } from '../../template/ast.js';
import { sprintf } from '../../template/fmt.js';
import { BUILTINS } from '../../template/builtins.js';
import { GoTime } from '../../template/values.js';
import type { Logger } from '../../util/log.js';
import type { AlertmanagerConfig } from '../config/index.js';
import { DEFAULT_TEMPLATES } from './default-templates.js';
import type { TemplateData } from './data.js';
import type { NotificationTemplater } from './templates.js';

/** A Go time.Duration value for templates (prints as "1h2m3.5s"). */
export class GoDuration {
  constructor(readonly ns: bigint) {}
  String(): string {
    return formatGoDuration(this.ns);
  }
  Seconds(): number {
    return Number(this.ns) / 1e9;
  }
}

export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1000000000n) {
    const [unit, div] = u < 1000n ? ['ns', 1n] : u < 1000000n ? ['µs', 1000n] : ['ms', 1000000n];
    out = trimFrac(Number(u) / Number(div)) + unit;
  } else {
    const h = u / 3600000000000n;
    u -= h * 3600000000000n;
    const m = u / 60000000000n;
    u -= m * 60000000000n;
    const s = trimFrac(Number(u) / 1e9) + 's';
    out = (h > 0n ? `${h}h` : '') + (h > 0n || m > 0n ? `${m}m` : '') + s;
  }
  return neg ? '-' + out : out;
}

function trimFrac(x: number): string {
  return String(Number(x.toFixed(9)));
}

const SAFE_OPEN = '\u0001safe:', SAFE_CLOSE = '\u0002';

export function escapeHtml(s: string): string {
  // Values marked with safeHtml pass through unescaped.
  let out = '';
  let i = 0;
  while (i < s.length) {
    const o = s.indexOf(SAFE_OPEN, i);
    const plain = o < 0 ? s.slice(i) : s.slice(i, o);
    out += plain.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
    if (o < 0) break;
    const c = s.indexOf(SAFE_CLOSE, o);
    out += s.slice(o + SAFE_OPEN.length, c < 0 ? s.length : c);
    i = c < 0 ? s.length : c + 1;
  }
  return out;
}

function stripSafe(s: string): string {
  return s.split(SAFE_OPEN).join('').split(SAFE_CLOSE).join('');
}




function toGoTime(v: unknown): GoTime {
  if (v instanceof GoTime) return v;
  if (v instanceof Date) return new GoTime(v.getTime());
  throw new Error('expected a time value');
}

function zoneOffsetSec(ms: number, zone: string): number {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 1000);
}

// Zone abbreviations as Go prints them (from tzdata) where ICU only knows "GMT+8":
// [standard, daylight].
const CET = ['CET', 'CEST'], EET = ['EET', 'EEST'];
const ZONE_ABBREV: Record<string, string[]> = {
  'Asia/Shanghai': ['CST'], 'Asia/Chongqing': ['CST'], 'Asia/Harbin': ['CST'], 'Asia/Taipei': ['CST'], 'Asia/Macau': ['CST'], 'PRC': ['CST'],
  'Asia/Hong_Kong': ['HKT'], 'Asia/Tokyo': ['JST'], 'Asia/Seoul': ['KST'], 'Asia/Kolkata': ['IST'], 'Asia/Calcutta': ['IST'],
  'Asia/Jerusalem': ['IST', 'IDT'], 'Asia/Karachi': ['PKT'], 'Asia/Manila': ['PST'], 'Asia/Jakarta': ['WIB'],
  'Europe/London': ['GMT', 'BST'], 'Europe/Dublin': ['GMT', 'IST'], 'Europe/Lisbon': ['WET', 'WEST'], 'Europe/Moscow': ['MSK'],
  'Europe/Berlin': CET, 'Europe/Paris': CET, 'Europe/Amsterdam': CET, 'Europe/Brussels': CET, 'Europe/Madrid': CET, 'Europe/Rome': CET,
  'Europe/Vienna': CET, 'Europe/Zurich': CET, 'Europe/Stockholm': CET, 'Europe/Oslo': CET, 'Europe/Copenhagen': CET, 'Europe/Warsaw': CET,
  'Europe/Prague': CET, 'Europe/Budapest': CET, 'Europe/Belgrade': CET,
  'Europe/Athens': EET, 'Europe/Helsinki': EET, 'Europe/Kiev': EET, 'Europe/Kyiv': EET, 'Europe/Bucharest': EET, 'Europe/Sofia': EET,
  'Africa/Johannesburg': ['SAST'], 'Africa/Cairo': EET, 'Africa/Lagos': ['WAT'], 'Africa/Nairobi': ['EAT'],
  'Australia/Sydney': ['AEST', 'AEDT'], 'Australia/Melbourne': ['AEST', 'AEDT'], 'Australia/Brisbane': ['AEST'],
  'Australia/Adelaide': ['ACST', 'ACDT'], 'Australia/Perth': ['AWST'], 'Pacific/Auckland': ['NZST', 'NZDT'],
  UTC: ['UTC'], 'Etc/UTC': ['UTC'],
};

function zoneAbbrev(ms: number, zone: string): string {
  const known = ZONE_ABBREV[zone];
  if (known) {
    if (known.length === 1) return known[0]!;
    // Daylight time when the offset now differs from the offset in January or July, whichever is smaller.
    const y = new Date(ms).getUTCFullYear();
    const std = Math.min(zoneOffsetSec(Date.UTC(y, 0, 15), zone), zoneOffsetSec(Date.UTC(y, 6, 15), zone));
    return zoneOffsetSec(ms, zone) === std ? known[0]! : known[1]!;
  }
  const s = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' }).formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? zone;
  // ICU's "GMT+8" / "GMT+5:30" is what tzdata spells "+08" / "+0530".
  const m = /^GMT([+-])(\d{1,2})(?::(\d\d))?$/.exec(s);
  if (m) return `${m[1]}${m[2]!.padStart(2, '0')}${m[3] ?? ''}`;
  return s === 'GMT' && zone !== 'GMT' && !zone.startsWith('Europe/') ? 'GMT' : s;
}

/** Prometheus/Alertmanager humanizeDuration over seconds. */
export function humanizeDuration(v: unknown): string {
  const x = typeof v === 'string' ? Number(v) : Number(v as number);
  if (Number.isNaN(x) || !Number.isFinite(x)) return sprintf('%.4g', [x]);
  if (Math.abs(x) >= 1) {
    const sign = x < 0 ? '-' : '';
    let s = Math.abs(x);
    const days = Math.floor(s / 86400);
    const hours = Math.floor(s / 3600) % 24;
    const minutes = Math.floor(s / 60) % 60;
    const secs = Math.floor(s) % 60;
    s = secs;
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${s}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${s}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${s}s`;
    return sign + sprintf('%.4g', [Math.abs(x)]) + 's';
  }
  if (x === 0) return '0s';
  const prefixes = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
  let y = x;
  for (const p of prefixes) {
    y *= 1000;
    if (Math.abs(y) >= 1) return sprintf('%.4g', [y]) + p + 's';
  }
  return sprintf('%.4g', [y]) + 'ys';
}

export function alertmanagerFuncs(): FuncMap {
  const f: Record<string, FuncSpec> = {
    // Alertmanager's additions.
    toUpper: { fn: (s: string) => s.toUpperCase(), params: ['string'] },
    toLower: { fn: (s: string) => s.toLowerCase(), params: ['string'] },
    title: { fn: (s: string) => s.replace(/(^|[^\p{L}\p{N}_])(\p{L})/gu, (_m, p: string, c: string) => p + c.toUpperCase()), params: ['string'] },
    trimSpace: { fn: (s: string) => s.trim(), params: ['string'] },
    join: { fn: (sep: string, s: unknown) => (Array.isArray(s) ? s.map(String).join(sep) : ''), params: ['string', 'any'] },
    match: {
      fn: (re: string, s: string) => {
        try {
          return new RegExp(re, 's').test(s);
        } catch (e) {
          throw new Error(`error parsing regexp: ${(e as Error).message}`);
        }
      },
      params: ['string', 'string'],
    },
    reReplaceAll: { fn: (pattern: string, repl: string, text: string) => text.replace(new RegExp(pattern, 'gs'), repl.replace(/\$\{?(\w+)\}?/g, '$$<$1>').replace(/\$<(\d+)>/g, '$$$1')), params: ['string', 'string', 'string'] },
    safeHtml: { fn: (s: string) => SAFE_OPEN + s + SAFE_CLOSE, params: ['string'] },
    stringSlice: { fn: (...s: string[]) => s, params: ['string'], variadic: true },
    toJson: { fn: (v: unknown) => JSON.stringify(v instanceof GoTime ? new Date(v.ms).toISOString() : v) ?? 'null', params: ['any'] },
    since: { fn: (t: unknown) => new GoDuration(BigInt(Date.now() - toGoTime(t).ms) * 1000000n), params: ['any'] },
    humanizeDuration: { fn: humanizeDuration, params: ['any'] },
    date: { fn: (layout: string, t: unknown) => toGoTime(t).Format(layout), params: ['string', 'any'] },
    tz: {
      fn: (name: string, t: unknown) => {
        const g = toGoTime(t);
        try {
          return new GoTime(g.ms, g.extraNs, zoneOffsetSec(g.ms, name), zoneAbbrev(g.ms, name));
        } catch {
          throw new Error(`unknown time zone ${name}`);
        }
      },
      params: ['string', 'any'],
    },
  };
  return f;
}

/** Expands `templates:` globs (relative to the config file's directory). */
export function expandTemplateGlobs(patterns: readonly string[], baseDir: string): string[] {
  const out: string[] = [];
  for (const pat of patterns) {
    const full = isAbsolute(pat) ? pat : join(baseDir, pat);
    const dir = dirname(full), base = basename(full);
    if (!/[*?[]/.test(base)) {
      try {
        if (statSync(full).isFile()) out.push(full);
      } catch {
        /* Go's filepath.Glob yields nothing for a missing literal path */
      }
      continue;
    }
    const re = new RegExp('^' + base.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names.sort()) if (re.test(n) && statSync(join(dir, n)).isFile()) out.push(join(dir, n));
  }
  return out;
}

export class TemplateSet implements NotificationTemplater {
  private trees = new Map<string, Tree>();
  private readonly funcs: FuncMap;
  private seq = 0;

  constructor() {
    this.funcs = alertmanagerFuncs();
    this.add('default.tmpl', DEFAULT_TEMPLATES);
  }

  private hasFunc = (n: string): boolean => n in this.funcs || n in BUILTINS;

  /** Parses a template text, adding its {{define}}s; throws on syntax errors. */
  add(name: string, text: string): void {
    const parsed = parseTemplate(name, text, this.hasFunc);
    for (const [k, t] of parsed) if (k !== name || !this.trees.has(k)) this.trees.set(k, t);
  }

  private run(text: string, data: TemplateData, escape?: (s: string) => string): string {
    if (!text.includes('{{')) return text;
    const name = `__inline_${this.seq++}`;
    const parsed = parseTemplate(name, text, this.hasFunc);
    const main = parsed.get(name);
    if (!main) return '';
    const lookup = (n: string): Tree | undefined => (n !== name ? parsed.get(n) : undefined) ?? this.trees.get(n);
    const funcs = (n: string): FuncSpec | undefined => (this.funcs[n] as FuncSpec | undefined) ?? BUILTINS[n];
    return executeTree(main, data, { missingKey: 'default', escapeOutput: escape, lookup, funcs });
  }

  execute(text: string, data: TemplateData): string {
    return stripSafe(this.run(text, data));
  }

  executeHTML(text: string, data: TemplateData): string {
    return stripSafe(this.run(text, data, escapeHtml));
  }
}

/** Loads the configuration's template files into a new set; throws naming the bad file. */
export function loadTemplateFiles(cfg: AlertmanagerConfig): TemplateSet {
  const set = new TemplateSet();
  for (const f of expandTemplateGlobs(cfg.templates, cfg.baseDir)) {
    set.add(basename(f), readFileSync(f, 'utf8'));
  }
  return set;
}

/** The templater for a configuration; falls back to the defaults (logged) when files fail. */
export function defaultTemplater(cfg: AlertmanagerConfig, log?: Logger): TemplateSet {
  try {
    return loadTemplateFiles(cfg);
  } catch (e) {
    log?.error('loading notification templates failed; using the defaults', { err: (e as Error).message });
    return new TemplateSet();
  }
}
