// VictoriaMetrics-style imports: /api/v1/import (JSON lines, one series per line:
// {"metric":{...},"values":[...],"timestamps":[...]}) and /api/v1/import/prometheus (text
// exposition). Both take `extra_label=name=value` query args; bad lines are named, the rest kept.
import type { ServerResponse } from 'node:http';
import type { Req } from '../web/router.js';
import type { Label } from '../model/labels.js';
import type { MetricMetadata } from '../storage/interface.js';
import { ParseError, newParser } from '../textparse/index.js';
import type { BatchAppend } from './batch.js';
import { normalizeLabels } from './batch.js';
import { IngestHttpError } from './body.js';
import { batchStatus, countBatch, readDecoded, receiverHandler, sendPlain, withBatch, type ReceiverCtx } from './receiver.js';

/** `extra_label=name=value` query args (VictoriaMetrics), validated. */
export function extraLabels(q: URLSearchParams): Label[] {
  const out: Label[] = [];
  for (const s of q.getAll('extra_label')) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new IngestHttpError(400, `invalid extra_label ${JSON.stringify(s)}: want name=value`);
    out.push({ name: s.slice(0, eq), value: s.slice(eq + 1) });
  }
  return out;
}

function withExtra(ls: Label[], extra: readonly Label[]): Label[] {
  if (extra.length === 0) return ls;
  const names = new Set(extra.map((l) => l.name));
  return [...ls.filter((l) => !names.has(l.name)), ...extra];
}

function jsonValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    switch (v) {
      case 'NaN': return NaN;
      case 'Inf': case '+Inf': case 'Infinity': case '+Infinity': return Infinity;
      case '-Inf': case '-Infinity': return -Infinity;
    }
    const n = Number(v);
    if (v.trim() !== '' && !Number.isNaN(n)) return n;
  }
  return undefined;
}

/** Appends JSON lines; each bad line is rejected with its line number and reason. */
export function appendVmJsonLines(b: BatchAppend, text: string, extra: readonly Label[]): void {
  let pos = 0, lineNo = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const line = text.slice(pos, nl).trim();
    pos = nl + 1;
    lineNo++;
    if (line === '') continue;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch (e) {
      b.invalid(`line ${lineNo}: invalid JSON: ${(e as Error).message}`, 0);
      continue;
    }
    const rec = o as { metric?: unknown; values?: unknown; timestamps?: unknown };
    const values = rec.values, timestamps = rec.timestamps;
    if (typeof rec !== 'object' || rec === null || typeof rec.metric !== 'object' || rec.metric === null || Array.isArray(rec.metric)) {
      b.invalid(`line ${lineNo}: missing "metric" object`, Array.isArray(values) ? values.length : 0);
      continue;
    }
    if (!Array.isArray(values) || !Array.isArray(timestamps)) {
      b.invalid(`line ${lineNo}: "values" and "timestamps" must be arrays`, Array.isArray(values) ? values.length : 0);
      continue;
    }
    if (values.length !== timestamps.length) {
      b.invalid(`line ${lineNo}: ${values.length} values but ${timestamps.length} timestamps`, values.length);
      continue;
    }
    const labels: Label[] = [];
    let bad = '';
    for (const [k, v] of Object.entries(rec.metric as Record<string, unknown>)) {
      if (typeof v !== 'string') bad = `label ${JSON.stringify(k)} has a non-string value`;
      else labels.push({ name: k, value: v });
    }
    const ls = bad || normalizeLabels(withExtra(labels, extra));
    if (typeof ls === 'string') {
      b.invalid(`line ${lineNo}: ${ls}`, values.length);
      continue;
    }
    const n = values.length;
    const t = new Float64Array(n), v = new Float64Array(n);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const val = jsonValue(values[i]);
      const ts = timestamps[i];
      if (val === undefined || typeof ts !== 'number' || !Number.isInteger(ts)) {
        b.invalid(`line ${lineNo}: sample ${i}: ${val === undefined ? `invalid value ${JSON.stringify(values[i])}` : `invalid timestamp ${JSON.stringify(ts)}`}`, 1);
        continue;
      }
      t[k] = ts;
      v[k] = val;
      k++;
    }
    b.series(ls, t, v, 0, k);
  }
}

/** Appends Prometheus text exposition; a parse error rejects that line and parsing resumes after it. */
export function appendPromText(b: BatchAppend, text: string, contentType: string | undefined, extra: readonly Label[], nowMs: number): void {
  const meta = new Map<string, MetricMetadata>();
  const fam = (n: string): MetricMetadata => {
    let m = meta.get(n);
    if (!m) meta.set(n, (m = { type: 'unknown', help: '', unit: '' }));
    return m;
  };
  let offset = 0;
  let rest = text;
  for (;;) {
    const p = newParser(rest, contentType);
    try {
      for (let e = p.next(); e !== 'eof'; e = p.next()) {
        if (e === 'series') {
          const ls = normalizeLabels(withExtra([...p.labels()], extra));
          if (typeof ls === 'string') b.invalid(`line ${offset + p.line()}: ${ls}`, 1);
          else b.one(ls, p.timestamp() ?? nowMs, p.value());
        } else if (e === 'type') fam(p.metricName()).type = p.type();
        else if (e === 'help') fam(p.metricName()).help = p.help();
        else if (e === 'unit') fam(p.metricName()).unit = p.unit();
      }
      break;
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      b.invalid(`line ${offset + e.line}: ${e.cause_}`, 1);
      let cut = 0;
      for (let i = 0; i < e.line && cut >= 0; i++) {
        const nl = rest.indexOf('\n', cut);
        cut = nl < 0 ? -1 : nl + 1;
      }
      if (cut < 0 || cut >= rest.length) break;
      offset += e.line;
      rest = rest.slice(cut);
    }
  }
  for (const [n, m] of meta) b.meta(n, m);
}

export function vmImportHandler(ctx: ReceiverCtx) {
  return receiverHandler(ctx, 'vm_import', async (req: Req, res: ServerResponse) => {
    const extra = extraLabels(req.query);
    const text = (await readDecoded(ctx, 'vm_import', req)).toString('utf8');
    const b = await withBatch(ctx, (b) => appendVmJsonLines(b, text, extra));
    finish(ctx, 'vm_import', b, res);
  });
}

export function promImportHandler(ctx: ReceiverCtx) {
  return receiverHandler(ctx, 'prometheus_import', async (req: Req, res: ServerResponse) => {
    const extra = extraLabels(req.query);
    const ts = req.query.get('timestamp');
    const now = ts ? Number(ts) : Date.now();
    if (!Number.isFinite(now)) throw new IngestHttpError(400, `invalid timestamp ${JSON.stringify(ts)}`);
    const text = (await readDecoded(ctx, 'prometheus_import', req)).toString('utf8');
    const ct = req.raw.headers['content-type'];
    const b = await withBatch(ctx, (b) => appendPromText(b, text, ct, extra, now));
    finish(ctx, 'prometheus_import', b, res);
  });
}

function finish(ctx: ReceiverCtx, name: 'vm_import' | 'prometheus_import', b: BatchAppend, res: ServerResponse): void {
  countBatch(ctx, name, b);
  const headers = { 'X-Vigil-Samples-Accepted': String(b.accepted), 'X-Vigil-Samples-Rejected': String(b.rejected) };
  const status = batchStatus(b);
  if (status === 204) {
    res.writeHead(204, headers);
    res.end();
  } else sendPlain(res, status, b.summary(), headers);
}
