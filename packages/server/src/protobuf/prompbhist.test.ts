import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FloatHistogram } from '../model/histogram.js';
import { decodeReadResponse, encodeReadResponse, encodeDecodedWriteRequest, decodeWriteRequest } from './prompb.js';
import { fanoutAppendable } from '../storage/remote/fanout.js';
import { openTSDB } from '../tsdb/index.js';
import { labelsOf } from '../model/labels.js';

function hist(): FloatHistogram {
  const h = new FloatHistogram();
  h.schema = -1; h.count = 9; h.sum = -3.5; h.zeroThreshold = 0.01; h.zeroCount = 2; h.hint = 'gauge';
  h.pIdx = [-2, -1, 4]; h.pCnt = [1, 2, 3]; h.nIdx = [0]; h.nCnt = [1];
  return h;
}

test('Histogram messages round-trip through remote read responses (float form)', () => {
  const h = hist();
  const buf = encodeReadResponse([[{ labels: labelsOf('__name__', 'x'), t: [1000], v: [5], hist: [{ t: 2000, h }] }]]);
  const [res] = decodeReadResponse(buf);
  const ts = res!.series[0]!;
  assert.equal(ts.histograms, 1);
  assert.equal(ts.hist![0]!.t, 2000);
  assert.deepEqual({ ...ts.hist![0]!.h }, { ...h });
  // and through a re-encoded write request
  const back = decodeWriteRequest(encodeDecodedWriteRequest(res!));
  assert.equal(back.series[0]!.hist?.[0]?.h.count, 9);
});

test('fanout appenders pass histograms to a primary storage that takes them', async () => {
  const db = await openTSDB({ compactionIntervalMs: 0 });
  const app = fanoutAppendable(db).appender();
  assert.ok(app.appendHistogram);
  app.appendHistogram!(0, labelsOf('__name__', 'x'), 1000, hist());
  await app.commit();
  const q = db.querier(0, 5000);
  const ss = await q.select({ start: 0, end: 5000 }, [{ name: '__name__', type: '=', value: 'x' } as never]);
  q.close();
  assert.equal(ss[0]?.histograms?.().h[0]?.count, 9);
  const noHist = fanoutAppendable({ appender: () => ({ append: () => 0, commit: async () => {}, rollback: () => {} }) }).appender();
  assert.equal(noHist.appendHistogram, undefined);
  await db.close();
});
