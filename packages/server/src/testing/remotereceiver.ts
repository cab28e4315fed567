// A minimal Prometheus remote_write receiver for tests: decodes every request and records the
// samples per series; can be switched to answer 503 (an outage) or to drop connections.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeWriteRequest } from '../protobuf/prompb.js';
import { snappyUncompress } from '../ingest/snappy.js';

export interface TestReceiver {
  url: string;
  /** Per series (labels as `a="b",...`): timestamp -> value bits as hex (last received). */
  series: Map<string, Map<number, string>>;
  /** Samples received in 2xx-answered requests (duplicates included). */
  received: number;
  requests: number;
  rejected: number;
  /** While set, requests get this status (e.g. 503) and are not recorded. */
  failWith: number;
  /**
   * Like Prometheus's receiver: a sample older than its series' newest (or at the same time with
   * another value) refuses the whole request with 400 "out of order sample".
   */
  strictOrder: boolean;
  close(): Promise<void>;
}

export async function startTestReceiver(port = 0): Promise<TestReceiver> {
  const bits = new Float64Array(1);
  const view = new DataView(bits.buffer);
  const rx: TestReceiver = { url: '', series: new Map(), received: 0, requests: 0, rejected: 0, failWith: 0, strictOrder: false, close: async () => {} };
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      rx.requests++;
      if (rx.failWith) {
        rx.rejected++;
        res.writeHead(rx.failWith).end('receiver unavailable (test)');
        return;
      }
      const wr = decodeWriteRequest(snappyUncompress(Buffer.concat(chunks)));
      if (rx.strictOrder) {
        const newest = new Map<string, number>();
        for (const s of wr.series) {
          const key = s.labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(',');
          const m = rx.series.get(key);
          for (let i = s.start; i < s.end; i++) {
            const t = wr.t[i]!;
            let last = newest.get(key);
            if (last === undefined) last = m && m.size ? Math.max(...m.keys()) : -Infinity;
            bits[0] = wr.v[i]!;
            const same = m?.get(t) === view.getBigUint64(0, true).toString(16);
            if (t < last || (t === last && !same && m?.has(t))) {
              rx.rejected++;
              res.writeHead(400).end(`out of order sample for series ${key} at ${t}`);
              return;
            }
            newest.set(key, Math.max(last, t));
          }
        }
      }
      for (const s of wr.series) {
        const key = s.labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(',');
        let m = rx.series.get(key);
        if (!m) rx.series.set(key, (m = new Map()));
        for (let i = s.start; i < s.end; i++) {
          bits[0] = wr.v[i]!;
          m.set(wr.t[i]!, view.getBigUint64(0, true).toString(16));
          rx.received++;
        }
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
  rx.url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/api/v1/write`;
  rx.close = () => new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); });
  return rx;
}
