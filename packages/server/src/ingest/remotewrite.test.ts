import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeWriteRequest } from '../protobuf/prompb.js';
import { labelsOf } from '../model/labels.js';
import { STALE_NAN, isStaleNaN } from '../model/sample.js';
import { MemAppendable } from './memappendable.js';
import { snappyCompress, snappyCompressTS, snappyUncompressTS, snappyUncompress } from './snappy.js';
import { startIngestServer } from './testutil.js';

const L = (...nv: string[]) => nv.reduce<{ name: string; value: string }[]>((a, x, i) => (i % 2 ? (a[a.length - 1]!.value = x, a) : [...a, { name: x, value: '' }]), []);

async function post(base: string, body: Uint8Array, headers: Record<string, string> = {}) {
  const r = await fetch(base + '/api/v1/write', {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0', ...headers },
  });
  return { status: r.status, text: await r.text(), written: r.headers.get('x-prometheus-remote-write-samples-written') };
}

test('snappy: pure-TS codec interoperates with the native one', () => {
  const inputs = [new Uint8Array(0), Buffer.from('a'), Buffer.from('abcabcabcabcabcabcabcabc'.repeat(100)), Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 7919) % 251))];
  for (const x of inputs) {
    assert.deepEqual(snappyUncompress(snappyCompressTS(x)), Buffer.from(x));
    assert.deepEqual(snappyUncompressTS(snappyCompress(x)), Buffer.from(x));
  }
  assert.throws(() => snappyUncompressTS(Uint8Array.of(10, 0x0c, 1, 2)), /corrupt/);
});

test('remote_write: samples, metadata, exemplars stored; 204', async () => {
  const mem = new MemAppendable();
  const srv = await startIngestServer(mem);
  try {
    const v = new Float64Array([1, 2, 0]);
    v[2] = STALE_NAN;
    const body = encodeWriteRequest(
      [
        { labels: L('__name__', 'http_requests_total', 'job', 'api'), t: [1000, 2000, 3000], v, exemplars: [{ labels: L('trace_id', 'abc'), value: 1, timestamp: 1000 }] },
        // unsorted labels and an empty value are normalised
        { labels: L('job', 'api', '__name__', 'up', 'empty', ''), t: [1000], v: [1] },
      ],
      [{ type: 'counter', metricFamilyName: 'http_requests_total', help: 'Requests.', unit: '' }],
    );
    const r = await post(srv.base, snappyCompress(body));
    assert.equal(r.status, 204, r.text);
    assert.equal(r.written, '4');
    const s = mem.get(labelsOf('__name__', 'http_requests_total', 'job', 'api'))!;
    assert.deepEqual([...s.t.subarray(0, s.n)], [1000, 2000, 3000]);
    assert.ok(isStaleNaN(s.v[2]!), 'staleness marker survives bit-exact');
    assert.equal(mem.get(labelsOf('__name__', 'up', 'job', 'api'))!.n, 1);
    assert.deepEqual(mem.metadata.get('http_requests_total'), { type: 'counter', help: 'Requests.', unit: '' });
    assert.equal(mem.exemplars.length, 1);
    const st = srv.routes.stats().remote_write;
    assert.equal(st.samplesAccepted, 4);
    assert.equal(st.requests, 1);
    assert.equal(st.metadataReceived, 1);
  } finally {
    await srv.close();
  }
});

test('remote_write: out-of-order and invalid series give 400 naming them; good samples kept', async () => {
  const mem = new MemAppendable();
  const srv = await startIngestServer(mem);
  try {
    await post(srv.base, snappyCompress(encodeWriteRequest([{ labels: L('__name__', 'a'), t: [5000], v: [1] }])));
    const body = encodeWriteRequest([
      { labels: L('__name__', 'a'), t: [4000, 6000], v: [9, 2] }, // 4000 is out of order
      { labels: L('__name__', 'b', 'x', '1', 'x', '2'), t: [1000], v: [1] }, // duplicate label name
      { labels: L('__name__', 'c'), t: [1000], v: [3] },
    ]);
    const r = await post(srv.base, snappyCompress(body));
    assert.equal(r.status, 400);
    assert.match(r.text, /2 samples rejected, 2 accepted/);
    assert.match(r.text, /out of order sample.*a.*timestamp 4000/);
    assert.match(r.text, /duplicate label name "x"/);
    assert.equal(r.written, '2');
    assert.deepEqual([...mem.get(labelsOf('__name__', 'a'))!.t.subarray(0, 2)], [5000, 6000]);
    assert.equal(mem.get(labelsOf('__name__', 'c'))!.n, 1);
    assert.equal(srv.routes.stats().remote_write.samplesRejected, 2);
  } finally {
    await srv.close();
  }
});

test('remote_write: corrupt bodies, size limits, v2 and bad encodings', async () => {
  const mem = new MemAppendable();
  const srv = await startIngestServer(mem, { maxBodyBytes: 4096, maxDecompressedBytes: 8192 });
  try {
    let r = await post(srv.base, Buffer.from('not snappy at all'));
    assert.equal(r.status, 400);
    assert.match(r.text, /snappy/);
    r = await post(srv.base, snappyCompress(Buffer.from([0x0a, 0x50, 0x01])));
    assert.equal(r.status, 400);
    assert.match(r.text, /invalid protobuf/);
    r = await post(srv.base, new Uint8Array(5000));
    assert.equal(r.status, 413);
    r = await post(srv.base, snappyCompress(new Uint8Array(10000)));
    assert.equal(r.status, 413);
    assert.match(r.text, /decompressed body of 10000 bytes exceeds the limit of 8192/);
    r = await post(srv.base, snappyCompress(new Uint8Array(0)), { 'Content-Type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request' });
    assert.equal(r.status, 415);
    r = await post(srv.base, snappyCompress(new Uint8Array(0)), { 'Content-Encoding': 'gzip' });
    assert.equal(r.status, 415);
    r = await post(srv.base, snappyCompress(new Uint8Array(0)));
    assert.equal(r.status, 204, 'server still serving; empty request is fine');
    assert.equal(srv.routes.stats().remote_write.failedRequests, 6);
  } finally {
    await srv.close();
  }
});

test('remote_write: storage failure on commit is a 500 (sender retries)', async () => {
  const mem = new MemAppendable();
  mem.failCommit = new Error('disk full');
  const srv = await startIngestServer(mem);
  try {
    const r = await post(srv.base, snappyCompress(encodeWriteRequest([{ labels: L('__name__', 'a'), t: [1], v: [1] }])));
    assert.equal(r.status, 500);
    assert.match(r.text, /disk full/);
  } finally {
    await srv.close();
  }
});
