import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FloatHistogram } from '../../model/histogram.js';
import { formatFloatF } from '../../promql/goformat.js';
import { histogramJSON } from './histjson.js';
import { sendQueryResult, valueToJSON } from './query.js';
import type { ServerResponse } from 'node:http';
import type { Value } from '../../promql/index.js';

function exp(): FloatHistogram {
  // schema 0: positive buckets 1 (1,2] and 2 (2,4]; negative bucket 0 [-1,-0.5); zero bucket.
  const h = new FloatHistogram();
  h.count = 10; h.sum = 12.5; h.zeroThreshold = 0.001; h.zeroCount = 2;
  h.pIdx = [1, 2, 3]; h.pCnt = [3, 0, 4];
  h.nIdx = [0]; h.nCnt = [1];
  return h;
}

test('histogram JSON: populated buckets only, Prometheus boundary rules and order', () => {
  assert.equal(histogramJSON(exp(), formatFloatF),
    '{"count":"10","sum":"12.5","buckets":[[1,"-1","-0.5","1"],[3,"-0.001","0.001","2"],[0,"1","2","3"],[0,"4","8","4"]]}');
  const empty = new FloatHistogram();
  assert.equal(histogramJSON(empty, formatFloatF), '{"count":"0","sum":"0"}');
});

test('histogram JSON: custom buckets', () => {
  const h = new FloatHistogram();
  h.schema = -53; h.customValues = [5, 10]; h.count = 4; h.sum = 5;
  h.pIdx = [0, 1, 2]; h.pCnt = [1, 2, 1];
  assert.equal(histogramJSON(h, formatFloatF), '{"count":"4","sum":"5","buckets":[[0,"-Inf","5","1"],[0,"5","10","2"],[0,"10","+Inf","1"]]}');
});

test('valueToJSON: histogram samples and histogram points in matrices', () => {
  const h = exp();
  const v = valueToJSON({ type: 'vector', samples: [{ labels: [{ name: 'a', value: 'b' }], t: 1500, v: 0, h }] });
  assert.deepEqual((v.result as { histogram: [number, { count: string }] }[])[0]!.histogram[1].count, '10');
  const m = valueToJSON({ type: 'matrix', series: [{ labels: [], t: Float64Array.from([1000, 2000]), v: Float64Array.from([7, 0]), h: [undefined, h] }] });
  const s = (m.result as { values: unknown[]; histograms: [number, unknown][] }[])[0]!;
  assert.deepEqual(s.values, [[1, '7']]);
  assert.equal(s.histograms[0]![0], 2);
});

test('the streaming writer (sendQueryResult) renders histograms exactly as valueToJSON', () => {
  const h = exp();
  const values: Value[] = [
    { type: 'vector', samples: [{ labels: [{ name: 'a', value: 'b' }], t: 1500, v: 0, h }, { labels: [{ name: 'a', value: 'c' }], t: 1500, v: 2 }] },
    { type: 'matrix', series: [{ labels: [], t: Float64Array.from([1000, 2000]), v: Float64Array.from([7, 0]), h: [undefined, h] }, { labels: [{ name: 'x', value: 'y' }], t: Float64Array.from([1000]), v: Float64Array.from([0]), h: [h] }] },
  ];
  for (const v of values) {
    let body = '';
    const res = { req: undefined, writeHead: () => res, end: (b: Buffer) => { body = b.toString(); }, hasHeader: () => false } as unknown as ServerResponse;
    sendQueryResult(res, v, [], []);
    assert.deepEqual(JSON.parse(body), { status: 'success', data: valueToJSON(v) });
  }
});
