// Native histograms forwarded by remote_write (send_native_histograms) to a receiver that
// stores them: Vigil to Vigil through the fanout appender.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CfgNode } from '../../config/node.js';
import { labelsOf } from '../../model/labels.js';
import { newMatcher } from '../../model/matchers.js';
import { FloatHistogram } from '../../model/histogram.js';
import { openTSDB } from '../../tsdb/index.js';
import { startIngestServer } from '../../ingest/testutil.js';
import { parseRemoteWriteConfigs } from './config.js';
import { RemoteWriter } from './queue.js';
import { fanoutAppendable } from './fanout.js';

function hist(n: number): FloatHistogram {
  const h = new FloatHistogram();
  h.schema = 2; h.count = n; h.sum = n / 2; h.zeroThreshold = 1e-3; h.zeroCount = 1;
  h.pIdx = [-1, 0, 3]; h.pCnt = [1, n - 3, 1]; h.nIdx = [2]; h.nCnt = [0];
  return h;
}

async function run(send: boolean): Promise<FloatHistogram[]> {
  const remote = await openTSDB({ compactionIntervalMs: 0 });
  const rx = await startIngestServer(remote);
  const local = await openTSDB({ compactionIntervalMs: 0 });
  const [c] = parseRemoteWriteConfigs(CfgNode.parse(`remote_write:\n  - url: ${rx.base}/api/v1/write\n    send_native_histograms: ${send}\n    queue_config: {batch_send_deadline: 50ms}\n`, 'prometheus.yml').get('remote_write'));
  const w = new RemoteWriter(c!);
  try {
    const app = fanoutAppendable(local, w).appender();
    const ls = labelsOf('__name__', 'lat', 'job', 'x');
    for (let k = 0; k < 5; k++) app.appendHistogram!(0, ls, 1000 * k, hist(10 + k));
    app.append(0, labelsOf('__name__', 'up'), 1000, 1);
    await app.commit();
    assert.ok(await w.flush(10_000));
    const q = remote.querier(0, 10_000);
    const ss = await q.select({ start: 0, end: 10_000 }, [newMatcher('=', '__name__', 'lat')]);
    q.close();
    return [...(ss[0]?.histograms?.().h ?? [])];
  } finally {
    await w.stop(1000);
    await rx.close();
    await remote.close();
    await local.close();
  }
}

test('remote_write sends native histograms with send_native_histograms: true', async () => {
  const got = await run(true);
  assert.equal(got.length, 5);
  assert.deepEqual([got[4]!.schema, got[4]!.count, got[4]!.zeroCount], [2, 14, 1]);
  assert.deepEqual(got[4]!.pIdx, [-1, 0, 3]);
  assert.deepEqual(got[4]!.pCnt, [1, 11, 1]);
});

test('remote_write leaves native histograms out by default', async () => {
  assert.equal((await run(false)).length, 0);
});
