// Prometheus remote_write 1.0 receiver: POST /api/v1/write, snappy-compressed protobuf WriteRequest.
// Status codes follow Prometheus: 204 stored; 400 bad data (corrupt body, invalid labels,
// out-of-order/duplicate samples; senders do not retry 4xx); 413 too large; 415 remote_write 2.0
// or an unknown encoding; 500 storage failure (senders retry). Unlike Prometheus 2.42, which
// rolls back the whole batch on one out-of-order sample, the valid samples are kept and the 400
// message names the rejected ones.
import type { ServerResponse } from 'node:http';
import type { Req } from '../web/router.js';
import { decodeWriteRequest, type PbWriteRequest } from '../protobuf/prompb.js';
import type { BatchAppend } from './batch.js';
import { normalizeLabels } from './batch.js';
import { SeriesCache } from './seriescache.js';
import type { Labels } from '../model/labels.js';
import { IngestHttpError } from './body.js';
import { batchStatus, countBatch, readDecoded, receiverHandler, sendPlain, withBatch, type ReceiverCtx } from './receiver.js';

export const REMOTE_WRITE_VERSION = '0.1.0';

export function appendWriteRequest(b: BatchAppend, wr: PbWriteRequest, cache?: SeriesCache): void {
  for (const ts of wr.series) {
    const n = ts.end - ts.start;
    const hit = cache?.get(ts.labelsHash, ts.labels);
    let ls: Labels | string;
    let ref = 0;
    if (hit) {
      ls = hit.labels;
      ref = hit.ref;
    } else ls = normalizeLabels(ts.labels);
    if (typeof ls === 'string') {
      b.invalid(`invalid series: ${ls}`, n + ts.histograms);
      continue;
    }
    if (n > 0) {
      ref = b.series(ls, wr.t, wr.v, ts.start, ts.end, ref);
      if (cache && ref !== 0 && (!hit || hit.ref !== ref)) cache.set(ts.labelsHash, ts.labels, ls, ref);
    }
    if (ts.hist) for (const x of ts.hist) ref = b.histogram(ls, x.t, x.h, ref);
    for (const ex of ts.exemplars) {
      const exl = normalizeLabels(ex.labels.slice());
      b.exemplar(ref, ls, { labels: typeof exl === 'string' ? [] : exl, value: ex.value, ts: ex.timestamp });
    }
  }
  for (const m of wr.metadata) {
    if (m.metricFamilyName === '') continue;
    b.meta(m.metricFamilyName, { type: m.type, help: m.help, unit: m.unit });
  }
}

export function remoteWriteHandler(ctx: ReceiverCtx) {
  const cache = new SeriesCache();
  return receiverHandler(ctx, 'remote_write', async (req: Req, res: ServerResponse) => {
    const ct = String(req.raw.headers['content-type'] ?? '');
    if (/proto=io\.prometheus\.write\.v2\.Request/i.test(ct)) throw new IngestHttpError(415, 'remote write 2.0 (io.prometheus.write.v2.Request) is not supported; send remote write 1.0 (prometheus.WriteRequest)');
    const enc = String(req.raw.headers['content-encoding'] ?? 'snappy').toLowerCase();
    if (enc !== 'snappy') throw new IngestHttpError(415, `unsupported Content-Encoding ${JSON.stringify(enc)}: remote write needs snappy`);
    const body = await readDecoded(ctx, 'remote_write', req, 'snappy');
    const wr = decodeWriteRequest(body);
    const b = await withBatch(ctx, (b) => appendWriteRequest(b, wr, cache));
    countBatch(ctx, 'remote_write', b);
    const headers = { 'X-Prometheus-Remote-Write-Samples-Written': String(b.accepted) };
    const status = batchStatus(b);
    if (status === 204) {
      res.writeHead(204, headers);
      res.end();
    } else sendPlain(res, status, b.summary(), headers);
  });
}
