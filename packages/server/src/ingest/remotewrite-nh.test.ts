// remote_write native histograms: integer histograms (delta-encoded, as Prometheus sends them)
// and float histograms are stored and queryable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PbWriter } from '../protobuf/writer.js';
import { WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from '../protobuf/reader.js';
import { writeLabels } from '../protobuf/prompb.js';
import { writePbHistogram } from '../protobuf/prompbhist.js';
import { FloatHistogram } from '../model/histogram.js';
import { openTSDB } from '../tsdb/index.js';
import { Engine } from '../promql/index.js';
import { MemAppendable } from './memappendable.js';
import { snappyCompress } from './snappy.js';
import { startIngestServer } from './testutil.js';

const zz = (x: number) => ((x << 1) ^ (x >> 31)) >>> 0;

/** An integer histogram exactly as Prometheus's remote write encodes it (packed sint64 deltas). */
function intHistogram(w: PbWriter, t: number): void {
  w.tag(4, WIRE_LEN).fork();
  w.tag(1, WIRE_VARINT).uint32(12); // count_int
  w.tag(3, WIRE_FIXED64).double(30.5); // sum
  w.tag(4, WIRE_VARINT).uint32(zz(1)); // schema 1
  w.tag(5, WIRE_FIXED64).double(0.001); // zero threshold
  w.tag(6, WIRE_VARINT).uint32(2); // zero_count_int
  // positive spans: [offset 0, length 2], [offset 1, length 1] -> indices 0, 1, 3
  for (const [o, l] of [[0, 2], [1, 1]] as const) {
    w.tag(11, WIRE_LEN).fork();
    w.tag(1, WIRE_VARINT).uint32(zz(o));
    w.tag(2, WIRE_VARINT).uint32(l);
    w.ldelim();
  }
  // counts 3, 5, 2 as deltas 3, +2, -3 (packed sint64)
  w.tag(12, WIRE_LEN).fork();
  for (const d of [3, 2, -3]) w.uint32(zz(d));
  w.ldelim();
  w.tag(15, WIRE_VARINT).int64(t);
  w.ldelim();
}

function request(): Uint8Array {
  const w = new PbWriter();
  w.tag(1, WIRE_LEN).fork();
  writeLabels(w, 1, [{ name: '__name__', value: 'rpc_seconds' }, { name: 'job', value: 'api' }]);
  intHistogram(w, 60_000);
  const f = new FloatHistogram();
  f.schema = -53; f.customValues = [0.1, 1]; f.count = 4; f.sum = 2; f.pIdx = [0, 2]; f.pCnt = [3, 1];
  writePbHistogram(w, 4, 120_000, f);
  w.ldelim();
  return w.finish();
}

async function post(base: string, body: Uint8Array) {
  const r = await fetch(base + '/api/v1/write', {
    method: 'POST', body: snappyCompress(body),
    headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
  });
  return { status: r.status, text: await r.text() };
}

test('remote_write: native histograms stored in the TSDB and queryable', async () => {
  const db = await openTSDB({ compactionIntervalMs: 0 });
  const srv = await startIngestServer(db);
  try {
    const r = await post(srv.base, request());
    assert.equal(r.status, 204, r.text);
    const eng = new Engine();
    const at1 = await eng.instantQuery(db, 'rpc_seconds', 60_000);
    assert.equal(at1.value.type, 'vector');
    const h = (at1.value as { samples: { h?: FloatHistogram }[] }).samples[0]!.h!;
    assert.equal(h.count, 12);
    assert.equal(h.schema, 1);
    assert.equal(h.zeroCount, 2);
    assert.deepEqual(h.pIdx, [0, 1, 3]);
    assert.deepEqual(h.pCnt, [3, 5, 2]);
    const q = await eng.instantQuery(db, 'histogram_quantile(0.5, rpc_seconds)', 120_000);
    const v = (q.value as { samples: { v: number }[] }).samples[0]!.v;
    // 4 observations, 3 in (-Inf, 0.1]: the median lies in the first custom bucket (linear from 0).
    assert.ok(Math.abs(v - 0.1 * (2 / 3)) < 1e-12, String(v));
  } finally {
    await srv.close();
    await db.close();
  }
});

test('remote_write: histograms to a storage without native histogram support are 400 with a clear message', async () => {
  const mem = new MemAppendable();
  const srv = await startIngestServer(mem);
  try {
    const r = await post(srv.base, request());
    assert.equal(r.status, 400);
    assert.match(r.text, /native histogram samples are not supported by this storage \(series rpc_seconds\{job="api"\}\)/);
  } finally {
    await srv.close();
  }
});
