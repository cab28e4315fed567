// NAB-layout CSV series: `timestamp,value` with naive (UTC) `YYYY-MM-DD HH:MM:SS` timestamps.
// Values go into Float64Array so NaN payloads and -0 survive untouched.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface CsvSeries {
  /** Timestamps as written in the file (used for output and label matching). */
  stamps: string[];
  /** Timestamps in ms since the epoch (naive times read as UTC). */
  t: Float64Array;
  v: Float64Array;
  /** Values as written (so results files repeat them exactly). */
  vtext: string[];
}

export class CsvError extends Error {}

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;

/** Parses `YYYY-MM-DD HH:MM:SS[.ffffff]` as UTC; NaN when malformed. */
export function parseNaiveTimestamp(s: string): number {
  const m = TS_RE.exec(s.trim());
  if (!m) return NaN;
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, ms);
}

/** Parses CSV text; throws CsvError naming the file and line of the first bad row. */
export function parseCsvSeries(text: string, file = '<csv>'): CsvSeries {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').trim().toLowerCase().split(',');
  if (header[0] !== 'timestamp' || header[1] !== 'value') {
    throw new CsvError(`${file}:1: expected header "timestamp,value", got ${JSON.stringify(lines[0] ?? '')}`);
  }
  let n = 0;
  for (let i = 1; i < lines.length; i++) if (lines[i]!.trim() !== '') n++;
  const stamps: string[] = new Array(n);
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  const vtext: string[] = new Array(n);
  let k = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const comma = line.indexOf(',');
    if (comma < 0) throw new CsvError(`${file}:${i + 1}: expected "timestamp,value", got ${JSON.stringify(line)}`);
    const ts = line.slice(0, comma);
    const ms = parseNaiveTimestamp(ts);
    if (Number.isNaN(ms)) throw new CsvError(`${file}:${i + 1}: bad timestamp ${JSON.stringify(ts)}`);
    const vs = line.slice(comma + 1).trim();
    const val = vs === '' ? NaN : Number(vs);
    if (Number.isNaN(val) && !/^[+-]?nan$/i.test(vs)) throw new CsvError(`${file}:${i + 1}: bad value ${JSON.stringify(vs)}`);
    stamps[k] = ts;
    t[k] = ms;
    v[k] = val;
    vtext[k] = vs;
    k++;
  }
  return { stamps, t, v, vtext };
}

export function readCsvSeries(path: string): CsvSeries {
  return parseCsvSeries(readFileSync(path, 'utf8'), path);
}

/** Data files under `dir` in NAB layout, as `<category>/<name>.csv` paths relative to dir, sorted. */
export function listNabFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.csv')) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}
