// InfluxDB line protocol: `measurement[,tag=v...] field=v[,field=v...] [timestamp]`.
// Each numeric or boolean field becomes a sample of `<measurement>_<field>` with the tags as
// labels; string fields are skipped (counted). Served at /write (1.x) and /api/v2/write.
import type { ServerResponse } from 'node:http';
import type { Req } from '../web/router.js';
import type { Label, Labels } from '../model/labels.js';
import type { BatchAppend } from './batch.js';
import { normalizeLabels } from './batch.js';
import { IngestHttpError } from './body.js';
import { countBatch, readDecoded, receiverHandler, withBatch, type ReceiverCtx } from './receiver.js';

export interface InfluxPoint {
  measurement: string;
  tags: Label[];
  fields: { key: string; value: number }[];
  /** Fields skipped because they hold strings. */
  skipped: number;
  /** Timestamp as written (integer text), or '' for "now". */
  ts: string;
  /** End of the series key (measurement and tags as written) in the line. */
  seriesEnd: number;
}

export class LineError extends Error {}

/** Reads up to an unescaped delimiter; returns [text, index of delimiter or end]. */
function scan(line: string, i: number, stops: string, what: string): [string, number] {
  let out = '';
  let start = i;
  for (; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      const n = line[i + 1]!;
      if (n === ',' || n === ' ' || n === '=' || n === '\\' || n === '"') {
        out += line.slice(start, i) + n;
        i++;
        start = i + 1;
        continue;
      }
    }
    if (stops.includes(c)) break;
  }
  out += line.slice(start, i);
  if (out === '' && what) throw new LineError(`missing ${what}`);
  return [out, i];
}

function parseFieldValue(raw: string, key: string): number | undefined {
  const last = raw[raw.length - 1];
  if (last === 'i' || last === 'u') {
    const body = raw.slice(0, -1);
    if (!(last === 'i' ? /^[-+]?\d+$/ : /^\d+$/).test(body)) throw new LineError(`invalid ${last === 'i' ? 'integer' : 'unsigned'} value ${JSON.stringify(raw)} for field ${JSON.stringify(key)}`);
    return Number(body);
  }
  switch (raw) {
    case 't': case 'T': case 'true': case 'True': case 'TRUE': return 1;
    case 'f': case 'F': case 'false': case 'False': case 'FALSE': return 0;
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw new LineError(`invalid value ${JSON.stringify(raw)} for field ${JSON.stringify(key)}`);
  return Number(raw);
}

/** Parses one non-empty, non-comment line. Throws LineError naming the problem. */
export function parseInfluxLine(line: string): InfluxPoint {
  let [measurement, i] = scan(line, 0, ', ', 'measurement');
  const tags: Label[] = [];
  while (line[i] === ',') {
    let k: string, v: string;
    [k, i] = scan(line, i + 1, '=, ', 'tag key');
    if (line[i] !== '=') throw new LineError(`missing tag value for tag ${JSON.stringify(k)}`);
    [v, i] = scan(line, i + 1, ', ', '');
    if (v === '') throw new LineError(`missing tag value for tag ${JSON.stringify(k)}`);
    tags.push({ name: k, value: v });
  }
  if (line[i] !== ' ') throw new LineError('missing fields');
  const seriesEnd = i;
  while (line[i] === ' ') i++;
  const fields: { key: string; value: number }[] = [];
  let skipped = 0;
  for (;;) {
    let k: string;
    [k, i] = scan(line, i, '=, ', 'field key');
    if (line[i] !== '=') throw new LineError(`missing value for field ${JSON.stringify(k)}`);
    i++;
    if (line[i] === '"') {
      // string field: skip to the closing unescaped quote
      let j = i + 1;
      for (; j < line.length; j++) {
        if (line[j] === '\\') j++;
        else if (line[j] === '"') break;
      }
      if (j >= line.length) throw new LineError(`unterminated string value for field ${JSON.stringify(k)}`);
      skipped++;
      i = j + 1;
    } else {
      let j = i;
      while (j < line.length && line[j] !== ',' && line[j] !== ' ') j++;
      const raw = line.slice(i, j);
      if (raw === '') throw new LineError(`missing value for field ${JSON.stringify(k)}`);
      fields.push({ key: k, value: parseFieldValue(raw, k)! });
      i = j;
    }
    if (line[i] === ',') {
      i++;
      continue;
    }
    break;
  }
  let ts = '';
  if (i < line.length) {
    if (line[i] !== ' ') throw new LineError(`unexpected character ${JSON.stringify(line[i])} after fields`);
    while (line[i] === ' ') i++;
    ts = line.slice(i).trimEnd();
    if (ts !== '' && !/^-?\d+$/.test(ts)) throw new LineError(`invalid timestamp ${JSON.stringify(ts)}`);
  }
  return { measurement, tags, fields, skipped, ts, seriesEnd };
}

const PRECISION_DIGITS: Record<string, number> = { n: 6, ns: 6, u: 3, us: 3, 'µ': 3, ms: 0 };
const PRECISION_MULT: Record<string, number> = { s: 1000, m: 60000, h: 3600000 };

/** Converts a timestamp in `precision` units to integer ms (exact; floor for sub-ms units). */
export function influxTimestampMs(ts: string, precision: string): number {
  const drop = PRECISION_DIGITS[precision];
  if (drop !== undefined) {
    if (drop === 0) return Number(ts);
    // positive timestamps: dropping digits is an exact floor division
    if (ts[0] !== '-') return ts.length <= drop ? 0 : Number(ts.slice(0, ts.length - drop));
    const big = BigInt(ts);
    const d = drop === 6 ? 1000000n : 1000n;
    let q = big / d;
    if (big < 0n && q * d !== big) q -= 1n;
    return Number(q);
  }
  const mult = PRECISION_MULT[precision];
  if (mult === undefined) throw new IngestHttpError(400, `invalid precision ${JSON.stringify(precision)}: use ns, us, ms, s${precision.length === 1 ? ', m, h' : ''}`);
  return Number(ts) * mult;
}

function sanitizeMetric(s: string): string {
  let out = s.replace(/[^a-zA-Z0-9_:]/g, '_');
  if (/^[0-9]/.test(out)) out = '_' + out;
  return out;
}

function sanitizeLabel(s: string): string {
  let out = s.replace(/[^a-zA-Z0-9_]/g, '_');
  if (/^[0-9]/.test(out)) out = '_' + out;
  return out;
}

const seriesCache = new Map<string, Labels | string>();

export interface InfluxResult {
  lines: number;
  badLines: number;
  skippedStrings: number;
}

/** Appends every valid line of `text`; bad lines are named in `b`'s errors. */
export function appendInflux(b: BatchAppend, text: string, precision: string, nowMs: number): InfluxResult {
  const res: InfluxResult = { lines: 0, badLines: 0, skippedStrings: 0 };
  if (!(precision in PRECISION_DIGITS) && !(precision in PRECISION_MULT)) influxTimestampMs('0', precision); // throws 400
  let lineNo = 0;
  let pos = 0;
  while (pos <= text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    let line = text.slice(pos, nl);
    pos = nl + 1;
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed[0] === '#') continue;
    res.lines++;
    let p: InfluxPoint;
    let t: number;
    try {
      p = parseInfluxLine(trimmed);
      t = p.ts === '' ? nowMs : influxTimestampMs(p.ts, precision);
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      res.badLines++;
      b.invalid(`line ${lineNo}: ${e.message}: ${JSON.stringify(trimmed.length > 200 ? trimmed.slice(0, 200) + '…' : trimmed)}`, 1);
      continue;
    }
    res.skippedStrings += p.skipped;
    const skey = trimmed.slice(0, p.seriesEnd);
    let tagLabels: Label[] | undefined;
    for (const f of p.fields) {
      // label sets are cached by series key + field as written (they repeat line after line)
      const ck = skey + '\xff' + f.key;
      let ls = seriesCache.get(ck);
      if (ls === undefined) {
        tagLabels ??= p.tags.map((tg) => ({ name: sanitizeLabel(tg.name), value: tg.value }));
        ls = normalizeLabels([{ name: '__name__', value: `${sanitizeMetric(p.measurement)}_${sanitizeMetric(f.key)}` }, ...tagLabels]);
        if (seriesCache.size >= 200_000) seriesCache.clear();
        seriesCache.set(ck, ls);
      }
      if (typeof ls === 'string') {
        b.invalid(`line ${lineNo}: ${ls}`, 1);
        continue;
      }
      b.one(ls, t, f.value);
    }
  }
  return res;
}

function influxError(res: ServerResponse, v2: boolean, status: number, msg: string): void {
  const body = JSON.stringify(v2 ? { code: status === 413 ? 'request too large' : 'invalid', message: msg } : { error: msg });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Influxdb-Error': msg.slice(0, 512) });
  res.end(body);
}

export function influxHandler(ctx: ReceiverCtx, v2: boolean) {
  return receiverHandler(ctx, 'influx', async (req: Req, res: ServerResponse) => {
    const precision = req.query.get('precision') || 'ns';
    let text: string;
    try {
      text = (await readDecoded(ctx, 'influx', req)).toString('utf8');
    } catch (e) {
      if (e instanceof IngestHttpError) {
        influxError(res, v2, e.status, e.message);
        return;
      }
      throw e;
    }
    const now = Date.now();
    let r: InfluxResult = { lines: 0, badLines: 0, skippedStrings: 0 };
    let b: BatchAppend;
    try {
      b = await withBatch(ctx, (b) => {
        r = appendInflux(b, text, precision, now);
      });
    } catch (e) {
      if (e instanceof IngestHttpError) {
        influxError(res, v2, e.status, e.message);
        return;
      }
      throw e;
    }
    countBatch(ctx, 'influx', b);
    const headers = { 'X-Vigil-Samples-Accepted': String(b.accepted), 'X-Vigil-Samples-Rejected': String(b.rejected) };
    if (b.errorCount === 0) {
      res.writeHead(204, headers);
      res.end();
      return;
    }
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    influxError(res, v2, b.badData ? 400 : 503, `partial write: ${b.summary()}`);
  });
}
