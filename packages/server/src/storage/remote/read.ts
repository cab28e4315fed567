// Prometheus remote read endpoint (POST /api/v1/read): snappy-compressed ReadRequest in,
// SAMPLES ReadResponse out, answered from any Queryable (Vigil's TSDB). Lets a Prometheus or
// another engine read Vigil's data with `remote_read`.
import type { ServerResponse } from 'node:http';
import type { Req, Router } from '../../web/router.js';
import type { Queryable } from '../interface.js';
import { matchesEmpty, newMatcher, type Matcher } from '../../model/matchers.js';
import { decodeReadRequest, encodeReadResponse, type TimeSeriesInput } from '../../protobuf/prompb.js';
import { ProtoError } from '../../protobuf/reader.js';
import { snappyCompress, snappyUncompress, snappyUncompressedLength } from '../../ingest/snappy.js';
import type { Logger } from '../../util/log.js';
import { nopLogger } from '../../util/log.js';

export interface RemoteReadDeps {
  queryable: Queryable;
  logger?: Logger;
  /** Largest number of samples one request may return (default 50M, as Prometheus). */
  maxSamples?: number;
  maxBodyBytes?: number;
}

function plain(res: ServerResponse, status: number, msg: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(msg + '\n');
}

export function registerRemoteReadRoute(router: Router, deps: RemoteReadDeps): void {
  const log = deps.logger ?? nopLogger;
  const maxSamples = deps.maxSamples ?? 50_000_000;
  const maxBody = deps.maxBodyBytes ?? 32 << 20;
  router.post('/api/v1/read', async (req: Req, res: ServerResponse) => {
    let body: Buffer;
    try {
      body = await req.body();
      if (snappyUncompressedLength(body) > maxBody) return plain(res, 413, 'read request too large');
      body = snappyUncompress(body);
    } catch (e) {
      return plain(res, 400, `snappy: ${(e as Error).message}`);
    }
    let rr;
    try {
      rr = decodeReadRequest(body);
    } catch (e) {
      if (e instanceof ProtoError) return plain(res, 400, `invalid protobuf: ${e.message}`);
      throw e;
    }
    const results: TimeSeriesInput[][] = [];
    let total = 0;
    for (const q of rr.queries) {
      let matchers: Matcher[];
      try {
        matchers = q.matchers.map((m) => newMatcher(m.type, m.name, m.value));
      } catch (e) {
        return plain(res, 400, (e as Error).message);
      }
      if (matchers.every(matchesEmpty)) {
        return plain(res, 400, 'remote read: at least one matcher must not match the empty string');
      }
      const querier = deps.queryable.querier(q.startTimestampMs, q.endTimestampMs);
      try {
        const hints = { start: q.startTimestampMs, end: q.endTimestampMs, ...(q.hints?.stepMs ? { step: q.hints.stepMs } : {}), ...(q.hints?.func ? { func: q.hints.func } : {}) };
        const series = await querier.select(hints, matchers);
        const out: TimeSeriesInput[] = [];
        for (const s of series) {
          const sm = s.samples();
          const hs = s.histograms?.();
          total += sm.t.length + (hs ? hs.t.length : 0);
          if (total > maxSamples) return plain(res, 400, `remote read: exceeded sample limit (${maxSamples})`);
          if (hs && hs.t.length) out.push({ labels: s.labels, t: sm.t, v: sm.v, hist: Array.from(hs.t, (t, i) => ({ t, h: hs.h[i]! })) });
          else out.push({ labels: s.labels, t: sm.t, v: sm.v });
        }
        results.push(out);
      } finally {
        querier.close();
      }
    }
    const payload = snappyCompress(encodeReadResponse(results));
    log.debug('remote read', { queries: rr.queries.length, samples: total });
    res.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'Content-Length': payload.length });
    res.end(payload);
  });
}
