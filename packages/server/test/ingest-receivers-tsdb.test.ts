// Push receivers over Vigil's real (in-memory) TSDB: what is acknowledged can be queried back,
// bad samples in a batch are reported while the good ones are stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTSDB, type TSDB } from '../src/tsdb/index.js';
import { newMatcher } from '../src/model/matchers.js';
import { labelsToString } from '../src/model/labels.js';
import { isStaleNaN } from '../src/model/sample.js';
import { encodeWriteRequest } from '../src/protobuf/prompb.js';
import { snappyCompress, otlp } from '../src/ingest/index.js';
import { startIngestServer } from '../src/ingest/testutil.js';

const L = (o: Record<string, string>) => Object.entries(o).map(([name, value]) => ({ name, value }));

async function read(db: TSDB, name: string): Promise<Map<string, { t: number[]; v: Float64Array }>> {
  const q = db.querier(0, 2e13);
  try {
    const out = new Map<string, { t: number[]; v: Float64Array }>();
    for (const s of await q.select({ start: 0, end: 2e13 }, [newMatcher('=', '__name__', name)])) {
      const x = s.samples();
      out.set(labelsToString(s.labels), { t: [...x.t], v: x.v });
    }
    return out;
  } finally {
    q.close();
  }
}

test('remote_write into the TSDB: out-of-order rejected with 400, the rest stored and queryable', async () => {
  const db = await openTSDB({});
  const srv = await startIngestServer(db);
  try {
    const post = (body: Uint8Array) => fetch(srv.base + '/api/v1/write', { method: 'POST', body: snappyCompress(body), headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf' } });
    let r = await post(encodeWriteRequest([{ labels: L({ __name__: 'rw', job: 'a' }), t: [10_000, 20_000], v: [1, 2] }]));
    assert.equal(r.status, 204);
    const v = new Float64Array([5, 0]);
    v[1] = (await import('../src/model/sample.js')).STALE_NAN;
    r = await post(
      encodeWriteRequest([
        { labels: L({ __name__: 'rw', job: 'a' }), t: [15_000, 30_000], v: [9, 3] },
        { labels: L({ __name__: 'rw', job: 'b' }), t: [10_000, 20_000], v },
      ]),
    );
    assert.equal(r.status, 400);
    assert.match(await r.text(), /1 samples rejected, 3 accepted: .*out of order.*rw\{job="a"\}/);
    const got = await read(db, 'rw');
    assert.deepEqual(got.get('rw{job="a"}')!.t, [10_000, 20_000, 30_000]);
    assert.equal(got.get('rw{job="b"}')!.v[0], 5);
    assert.ok(isStaleNaN(got.get('rw{job="b"}')!.v[1]!), 'staleness marker stored bit-exact');
  } finally {
    await srv.close();
    await db.close();
  }
});

test('OTLP and Influx into the TSDB', async () => {
  const db = await openTSDB({});
  const srv = await startIngestServer(db);
  try {
    const T = 1_700_000_000_000;
    const req: otlp.OtlpRequest = {
      resources: [{
        attrs: [{ key: 'service.name', value: 'api' }, { key: 'service.instance.id', value: 'i-1' }, { key: 'cloud.region', value: 'eu' }],
        scopes: [{ name: 's', version: '', metrics: [
          { name: 'http.server.request.duration', description: 'd', unit: 's', kind: 'histogram', temporality: 2, monotonic: false, points: [{ ...otlp.newPoint(), timeMs: T, count: 3, sum: 0.6, hasSum: true, bounds: [0.1, 1], bucketCounts: [1, 2, 0] }] },
        ] }],
      }],
    };
    const r = await fetch(srv.base + '/api/v1/otlp/v1/metrics', { method: 'POST', body: otlp.encodeOtlpRequest(req), headers: { 'Content-Type': 'application/x-protobuf' } });
    assert.equal(r.status, 200);
    const b = await read(db, 'http_server_request_duration_seconds_bucket');
    assert.deepEqual([...b.keys()].sort(), [
      'http_server_request_duration_seconds_bucket{instance="i-1", job="api", le="+Inf"}',
      'http_server_request_duration_seconds_bucket{instance="i-1", job="api", le="0.1"}',
      'http_server_request_duration_seconds_bucket{instance="i-1", job="api", le="1"}',
    ]);
    assert.equal(b.get('http_server_request_duration_seconds_bucket{instance="i-1", job="api", le="1"}')!.v[0], 3);
    const ti = await read(db, 'target_info');
    assert.ok(ti.has('target_info{cloud_region="eu", instance="i-1", job="api"}'));

    const ir = await fetch(srv.base + '/api/v2/write?precision=ms', { method: 'POST', body: `weather,city=paris temp=12.5,humidity=80i ${T}\n` });
    assert.equal(ir.status, 204);
    assert.equal((await read(db, 'weather_temp')).get('weather_temp{city="paris"}')!.v[0], 12.5);
    assert.equal((await read(db, 'weather_humidity')).get('weather_humidity{city="paris"}')!.t[0], T);
  } finally {
    await srv.close();
    await db.close();
  }
});
