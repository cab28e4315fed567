import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PbReader, PbWriter, ProtoError, nanosToMs, decodeWriteRequest, encodeWriteRequest, decodeReadRequest, encodeReadRequest, encodeReadResponse, decodeReadResponse } from './index.js';
import { STALE_NAN, isStaleNaN, sameBits } from '../model/sample.js';

test('varints round-trip across 32/53-bit boundaries and negatives', () => {
  const vals = [0, 1, 127, 128, 300, 2 ** 28 - 1, 2 ** 28, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 1700000000123, 2 ** 53 - 1, -1, -2, -1700000000123, -(2 ** 31), -(2 ** 53 - 1)];
  const w = new PbWriter(4);
  for (const v of vals) w.int64(v);
  const r = new PbReader(w.finish());
  for (const v of vals) assert.equal(r.int64(), v);
  assert.ok(r.eof());
});

test('known encodings: 300 is ac 02, -1 is ten bytes', () => {
  assert.deepEqual([...new PbWriter().int64(300).finish()], [0xac, 0x02]);
  const neg = new PbWriter().int64(-1).finish();
  assert.deepEqual([...neg], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
});

test('zigzag sint64 and sint32', () => {
  const vals = [0, -1, 1, -2, 2147483647, -2147483648, 1e15, -1e15];
  const w = new PbWriter();
  for (const v of vals) w.sint64(v);
  const r = new PbReader(w.finish());
  for (const v of vals) assert.equal(r.sint64(), v);
  assert.deepEqual([...new PbWriter().sint64(-1).finish()], [1]);
  assert.equal(new PbReader(Uint8Array.of(3)).sint32(), -2);
});

test('doubles keep NaN payloads (staleness marker) and -0', () => {
  const w = new PbWriter();
  w.double(STALE_NAN).double(-0).double(Infinity);
  const r = new PbReader(w.finish());
  const dst = new Float64Array(3);
  r.doubleInto(dst, 0);
  r.doubleInto(dst, 1);
  r.doubleInto(dst, 2);
  assert.ok(isStaleNaN(dst[0]!));
  assert.ok(sameBits(dst[1]!, -0));
  assert.equal(dst[2], Infinity);
});

test('nested messages with long payloads get multi-byte lengths', () => {
  const w = new PbWriter(8);
  w.tag(1, 2).fork();
  w.tag(2, 2).fork();
  w.string('x'.repeat(300));
  w.ldelim();
  w.stringField(3, 'tail');
  w.ldelim();
  const r = new PbReader(w.finish());
  assert.equal(r.tag(), 0x0a);
  const end = r.lenEnd();
  assert.equal(end, r.buf.length);
  assert.equal(r.tag(), 0x12);
  const e2 = r.lenEnd();
  assert.equal(r.string(), 'x'.repeat(300));
  assert.equal(r.pos, e2);
  assert.equal(r.tag(), 0x1a);
  assert.equal(r.string(), 'tail');
});

test('fixed64 nanoseconds convert exactly to ms', () => {
  const w = new PbWriter();
  w.fixed64MsToNanos(1700000000123);
  w.fixed64(1700000000123999999); // rounds in float; check floor via hi/lo path below
  const r = new PbReader(w.finish());
  assert.equal(r.fixed64NanosToMs(), 1700000000123);
  // 1_700_000_000_123_999_999 ns: exact floor is ...123
  const big = 1700000000123999999n;
  assert.equal(nanosToMs(Number(big >> 32n), Number(big & 0xffffffffn)), 1700000000123);
  const big2 = 1700000000124000000n;
  assert.equal(nanosToMs(Number(big2 >> 32n), Number(big2 & 0xffffffffn)), 1700000000124);
});

test('utf-8 strings round-trip', () => {
  const s = ['', 'a', 'häßlich', '日本語', 'x'.repeat(40) + 'é'];
  const w = new PbWriter();
  for (const x of s) w.string(x);
  const r = new PbReader(w.finish());
  for (const x of s) assert.equal(r.string(), x);
});

test('WriteRequest round-trip with metadata and exemplars', () => {
  const t = new Float64Array([1000, 2000, 3000]);
  const v = new Float64Array([1.5, 0, -7]);
  v[1] = STALE_NAN; // not via an array literal: V8 canonicalises NaN in double arrays
  const bytes = encodeWriteRequest(
    [
      { labels: [{ name: '__name__', value: 'up' }, { name: 'job', value: 'a' }], t, v, start: 0, end: 2 },
      { labels: [{ name: '__name__', value: 'x' }], t, v, start: 2, end: 3, exemplars: [{ labels: [{ name: 'trace_id', value: 'abc' }], value: 3, timestamp: 3000 }] },
    ],
    [{ type: 'counter', metricFamilyName: 'x', help: 'help text', unit: 'seconds' }],
  );
  const req = decodeWriteRequest(bytes);
  assert.equal(req.series.length, 2);
  assert.equal(req.samples, 3);
  assert.deepEqual(req.series[0]!.labels, [{ name: '__name__', value: 'up' }, { name: 'job', value: 'a' }]);
  assert.deepEqual([req.series[0]!.start, req.series[0]!.end, req.series[1]!.start, req.series[1]!.end], [0, 2, 2, 3]);
  assert.deepEqual([...req.t.subarray(0, 3)], [1000, 2000, 3000]);
  assert.equal(req.v[0], 1.5);
  assert.ok(isStaleNaN(req.v[1]!));
  assert.deepEqual(req.series[1]!.exemplars, [{ labels: [{ name: 'trace_id', value: 'abc' }], value: 3, timestamp: 3000 }]);
  assert.deepEqual(req.metadata, [{ type: 'counter', metricFamilyName: 'x', help: 'help text', unit: 'seconds' }]);
});

test('WriteRequest decodes hand-assembled bytes (field order independent, unknown fields skipped)', () => {
  // TimeSeries{labels{name:"a",value:"b"}, samples{timestamp:5, value:2.0}}, unknown field 9 varint
  const sample = [0x10, 0x05, 0x09, 0, 0, 0, 0, 0, 0, 0, 0x40];
  const label = [0x0a, 0x01, 0x61, 0x12, 0x01, 0x62];
  const ts = [0x0a, label.length, ...label, 0x12, sample.length, ...sample, 0x48, 0x01];
  const bytes = Uint8Array.from([0x0a, ts.length, ...ts]);
  const req = decodeWriteRequest(bytes);
  assert.deepEqual(req.series[0]!.labels, [{ name: 'a', value: 'b' }]);
  assert.equal(req.t[0], 5);
  assert.equal(req.v[0], 2);
});

test('truncated or corrupt input throws ProtoError', () => {
  const good = encodeWriteRequest([{ labels: [{ name: '__name__', value: 'up' }], t: [1], v: [1] }]);
  for (let cut = 1; cut < good.length; cut++) {
    assert.throws(() => decodeWriteRequest(good.subarray(0, cut)), ProtoError, `cut at ${cut}`);
  }
  assert.throws(() => decodeWriteRequest(Uint8Array.of(0x0f)), ProtoError);
});

test('remote read request/response round-trip', () => {
  const bytes = encodeReadRequest({
    queries: [{ startTimestampMs: 1, endTimestampMs: 2, matchers: [{ type: '=~', name: 'job', value: 'a.*' }], hints: { stepMs: 0, func: 'rate', startMs: 1, endMs: 2, grouping: ['x'], by: true, rangeMs: 300000 } }],
    acceptedResponseTypes: [0],
  });
  const rr = decodeReadRequest(bytes);
  assert.equal(rr.queries[0]!.matchers[0]!.type, '=~');
  assert.equal(rr.queries[0]!.hints!.func, 'rate');
  assert.equal(rr.queries[0]!.hints!.rangeMs, 300000);
  assert.deepEqual(rr.queries[0]!.hints!.grouping, ['x']);
  const resp = decodeReadResponse(encodeReadResponse([[{ labels: [{ name: '__name__', value: 'up' }], t: [10, 20], v: [1, 0] }], []]));
  assert.equal(resp.length, 2);
  assert.equal(resp[0]!.samples, 2);
  assert.equal(resp[1]!.series.length, 0);
});

test('single-sample series with pre-encoded labels decode like the general encoder', async () => {
  const { encodeLabelsField, writeSingleSampleSeries } = await import('./prompb.js');
  const labels = [{ name: '__name__', value: 'x'.repeat(200) }, { name: 'job', value: 'ä' }];
  const enc = encodeLabelsField(labels);
  const w = new PbWriter(16);
  const ts = [1700000000123, 0, -5000, 1];
  ts.forEach((t, i) => writeSingleSampleSeries(w, enc, t, i === 1 ? STALE_NAN : i * 1.5));
  const req = decodeWriteRequest(w.finish());
  assert.equal(req.series.length, 4);
  for (let i = 0; i < 4; i++) {
    assert.deepEqual(req.series[i]!.labels, labels);
    assert.equal(req.t[i], ts[i]);
  }
  assert.ok(isStaleNaN(req.v[1]!));
  assert.equal(req.v[3], 4.5);
});
