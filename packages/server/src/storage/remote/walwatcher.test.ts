import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfgNode } from '../../config/node.js';
import { labelsOf } from '../../model/labels.js';
import { STALE_NAN } from '../../model/sample.js';
import { openTSDB, type TSDB } from '../../tsdb/index.js';
import { startTestReceiver, type TestReceiver } from '../../testing/remotereceiver.js';
import { parseRemoteWriteConfigs } from './config.js';
import { RemoteWriteManager } from './manager.js';
import { fanoutAppendable } from './fanout.js';
import { FloatHistogram } from '../../model/histogram.js';
import { newMatcher } from '../../model/matchers.js';
import { startIngestServer } from '../../ingest/testutil.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function configs(url: string, name = 'q') {
  return parseRemoteWriteConfigs(CfgNode.parse(`remote_write:
  - url: ${url}
    name: ${name}
    queue_config: {max_samples_per_send: 50, batch_send_deadline: 50ms, min_backoff: 10ms, max_backoff: 100ms, capacity: 100}
`, 'test.yml').get('remote_write'));
}

async function waitFor(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Appends `n` commits of one sample for each of `series` series, at t = t0 + i*1000. */
async function appendRun(db: TSDB, mgr: RemoteWriteManager, from: number, to: number, series = 3): Promise<void> {
  const app = fanoutAppendable(db, mgr);
  for (let i = from; i < to; i++) {
    const a = app.appender();
    for (let s = 0; s < series; s++) a.append(0, labelsOf('__name__', 'wal_m', 's', String(s)), 1_000_000 + i * 1000, i === 5 && s === 0 ? STALE_NAN : i * 10 + s);
    await a.commit();
  }
}

function assertComplete(rx: TestReceiver, n: number, series = 3): void {
  assert.equal(rx.series.size, series);
  for (let s = 0; s < series; s++) {
    const m = rx.series.get(`__name__="wal_m",s="${s}"`);
    assert.ok(m, `series ${s} received`);
    const missing: number[] = [];
    for (let i = 0; i < n; i++) if (!m.has(1_000_000 + i * 1000)) missing.push(i);
    assert.deepEqual(missing, [], `series ${s}: no gaps`);
    assert.equal(m.size, n);
  }
  // values bit-exact, the staleness marker included
  assert.equal(rx.series.get('__name__="wal_m",s="0"')!.get(1_005_000), '7ff0000000000002');
  const f = new Float64Array([70 + 1]);
  assert.equal(rx.series.get('__name__="wal_m",s="1"')!.get(1_007_000), Buffer.from(f.buffer).readBigUInt64LE(0).toString(16));
}

test('wal watcher: samples are read from the WAL, an outage loses nothing, position persisted after acks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-walw-'));
  const rx = await startTestReceiver();
  const db = await openTSDB({ dir, compactionIntervalMs: 0 });
  const mgr = new RemoteWriteManager(undefined, { wal: db, walPollMs: 20 });
  try {
    assert.equal(mgr.walMode, true);
    await mgr.applyConfig(configs(rx.url));
    await appendRun(db, mgr, 0, 100);
    await waitFor('first half', () => rx.received >= 300);
    rx.failWith = 503;
    await appendRun(db, mgr, 100, 250);
    await waitFor('refused sends', () => rx.rejected > 0);
    await sleep(100);
    const pos = JSON.parse(readFileSync(join(dir, 'remote_write', 'q', 'position.json'), 'utf8')) as { segment: number; offset: number };
    assert.ok(rx.rejected > 0, 'receiver refused during the outage');
    rx.failWith = 0;
    await waitFor('all samples', () => [...rx.series.values()].every((m) => m.size === 250));
    assertComplete(rx, 250);
    await waitFor('position saved', () => {
      const p = JSON.parse(readFileSync(join(dir, 'remote_write', 'q', 'position.json'), 'utf8')) as { segment: number; offset: number };
      return p.offset > pos.offset || p.segment > pos.segment;
    });
    assert.equal(mgr.stats()[0]!.samplesDropped, 0);
    assert.equal(mgr.walStats()[0]!.samplesRead, 750);
  } finally {
    await mgr.stop();
    await db.close();
    await rx.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wal watcher: a restart while the receiver is down resends from the saved position; checkpoints keep unread segments', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-walw-'));
  const rx = await startTestReceiver();
  rx.failWith = 503;
  const opts = { dir, compactionIntervalMs: 0, walSegmentBytes: 4096, blockRangeMs: 20_000 };
  let db = await openTSDB(opts);
  let mgr = new RemoteWriteManager(undefined, { wal: db, walPollMs: 20 });
  try {
    await mgr.applyConfig(configs(rx.url));
    await appendRun(db, mgr, 0, 60); // 60s of data: head compaction + checkpoint (range 20s)
    await waitFor('samples read and retried', () => mgr.walStats()[0]!.samplesRead >= 100 && mgr.stats()[0]!.samplesRetried > 0);
    await db.compact();
    assert.ok(db.stats().checkpoints > 0, 'a checkpoint was written');
    const segs = readdirSync(join(dir, 'wal')).filter((f) => /^\d{8}$/.test(f)).map(Number);
    assert.ok(Math.min(...segs) <= 1, `first segment kept for the watcher (have ${segs.join(',')})`);
    await mgr.stop();
    await db.close();
    db = await openTSDB(opts);
    mgr = new RemoteWriteManager(undefined, { wal: db, walPollMs: 20 });
    await mgr.applyConfig(configs(rx.url));
    await appendRun(db, mgr, 60, 80);
    rx.failWith = 0;
    await waitFor('all samples after restart', () => rx.series.size === 3 && [...rx.series.values()].every((m) => m.size === 80));
    assertComplete(rx, 80);
    assert.equal(mgr.walStats()[0]!.unknownSeriesSamples, 0);
    // once acknowledged, the next checkpoint may delete the old segments
    await waitFor('position past the old segments', () => mgr.walStats()[0]!.ackedSegment > Math.min(...segs));
  } finally {
    await mgr.stop();
    await db.close();
    await rx.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wal watcher: reading pauses while the writer holds maxPending samples (memory bounded during an outage)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-walw-'));
  const rx = await startTestReceiver();
  rx.failWith = 503;
  const db = await openTSDB({ dir, compactionIntervalMs: 0 });
  const mgr = new RemoteWriteManager(undefined, { wal: db, walPollMs: 20 });
  try {
    await mgr.applyConfig(configs(rx.url)); // capacity 100, batches of 50
    await appendRun(db, mgr, 0, 200);
    await waitFor('reading up to the limit', () => mgr.walStats()[0]!.samplesRead >= 100 && rx.rejected > 0);
    await sleep(200);
    const read = mgr.walStats()[0]!.samplesRead;
    assert.ok(read >= 100 && read < 300, `read ${read} of 600 samples while the receiver is down`);
    assert.ok(mgr.stats()[0]!.pending <= 150);
    rx.failWith = 0;
    await waitFor('all samples', () => rx.series.size === 3 && [...rx.series.values()].every((m) => m.size === 200));
    assertComplete(rx, 200);
  } finally {
    await mgr.stop();
    await db.close();
    await rx.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wal watcher: native histograms are read from the WAL and sent (send_native_histograms)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-walw-'));
  const remote = await openTSDB({ compactionIntervalMs: 0 });
  const rx = await startIngestServer(remote);
  const db = await openTSDB({ dir, compactionIntervalMs: 0 });
  const mgr = new RemoteWriteManager(undefined, { wal: db, walPollMs: 20 });
  try {
    await mgr.applyConfig(parseRemoteWriteConfigs(CfgNode.parse(`remote_write:\n  - url: ${rx.base}/api/v1/write\n    name: nh\n    send_native_histograms: true\n    queue_config: {batch_send_deadline: 50ms}\n`, 'x.yml').get('remote_write')));
    const app = fanoutAppendable(db, mgr).appender();
    const ls = labelsOf('__name__', 'lat', 'job', 'x');
    for (let k = 0; k < 5; k++) {
      const h = new FloatHistogram();
      h.schema = 2; h.count = 10 + k; h.sum = k; h.zeroThreshold = 1e-3; h.zeroCount = 1;
      h.pIdx = [-1, 0, 3]; h.pCnt = [1, 8 + k, 1]; h.nIdx = []; h.nCnt = [];
      app.appendHistogram!(0, ls, 1000 * k, h);
    }
    app.append(0, labelsOf('__name__', 'up'), 1000, 1);
    await app.commit();
    assert.ok(await mgr.flush(10_000));
    const q = remote.querier(0, 10_000);
    const ss = await q.select({ start: 0, end: 10_000 }, [newMatcher('=', '__name__', 'lat')]);
    const up = await q.select({ start: 0, end: 10_000 }, [newMatcher('=', '__name__', 'up')]);
    q.close();
    const got = [...(ss[0]?.histograms?.().h ?? [])];
    assert.equal(got.length, 5);
    assert.deepEqual([got[4]!.count, got[4]!.pCnt], [14, [1, 12, 1]]);
    assert.equal(up.length, 1);
    assert.equal(mgr.walStats()[0]!.histogramsRead, 5);
  } finally {
    await mgr.stop();
    await db.close();
    await rx.close();
    await remote.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wal watcher: series dropped from the head are forgotten once a checkpoint shows them gone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-walw-'));
  const rx = await startTestReceiver();
  const db = await openTSDB({ dir, compactionIntervalMs: 0, blockRangeMs: 10_000 });
  const mgr = new RemoteWriteManager(undefined, { wal: db, walPollMs: 20 });
  try {
    await mgr.applyConfig(configs(rx.url));
    const app = fanoutAppendable(db, mgr);
    // 50 short-lived series at t < 10s, then one long-lived series up to 40s
    let a = app.appender();
    for (let i = 0; i < 50; i++) a.append(0, labelsOf('__name__', 'churn', 'i', String(i)), 1000, i);
    await a.commit();
    const steady = async (from: number, to: number) => {
      for (let t = from; t <= to; t++) {
        a = app.appender();
        a.append(0, labelsOf('__name__', 'steady'), t * 1000, t);
        await a.commit();
      }
    };
    await steady(0, 14); // head spans < 1.5 block ranges: no compaction yet
    assert.ok(await mgr.flush(10_000));
    assert.equal(mgr.walStats()[0]!.series, 51);
    await steady(15, 40); // compaction persists [0,10s),...: the churn series leave the head; checkpoint
    await db.compact();
    assert.ok(db.stats().checkpoints > 0);
    a = app.appender();
    a.append(0, labelsOf('__name__', 'steady'), 41_000, 41);
    await a.commit();
    assert.ok(await mgr.flush(10_000));
    assert.equal(mgr.walStats()[0]!.series, 1);
    assert.equal(rx.received, 50 + 42);
  } finally {
    await mgr.stop();
    await db.close();
    await rx.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wal watcher: a dead receiver cannot make the WAL grow beyond keepMaxBytes (unread segments lost, counted)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-walw-'));
  const rx = await startTestReceiver();
  rx.failWith = 503;
  const db = await openTSDB({ dir, compactionIntervalMs: 0, walSegmentBytes: 2048, blockRangeMs: 20_000 });
  db.wal!.keepMaxBytes = 2500; // about one segment
  const mgr = new RemoteWriteManager(undefined, { wal: db, walPollMs: 20 });
  try {
    await mgr.applyConfig(configs(rx.url));
    await appendRun(db, mgr, 0, 150);
    await db.compact();
    const segs = readdirSync(join(dir, 'wal')).filter((f) => /^\d{8}$/.test(f));
    assert.equal(mgr.walStats()[0]!.ackedSegment, 1, 'nothing acknowledged: segment 1 still needed');
    assert.ok(!segs.includes('00000001'), `segment 1 deleted anyway (bound exceeded): ${segs.join(',')}`);
    rx.failWith = 0;
    await appendRun(db, mgr, 150, 160);
    assert.ok(await mgr.flush(10_000));
    const ws = mgr.walStats()[0]!;
    assert.ok(ws.segmentsLost > 0, 'lost segments counted');
    const m = rx.series.get('__name__="wal_m",s="0"')!;
    for (let i = 150; i < 160; i++) assert.ok(m.has(1_000_000 + i * 1000), `sample ${i} after the loss arrives`);
  } finally {
    await mgr.stop();
    await db.close();
    await rx.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wal watcher: 4xx answers drop (counted) and move on; an unreadable position.json resends from the oldest segment', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-walw-'));
  const rx = await startTestReceiver();
  rx.failWith = 400;
  let db = await openTSDB({ dir, compactionIntervalMs: 0 });
  let mgr = new RemoteWriteManager(undefined, { wal: db, walPollMs: 20 });
  const posFile = join(dir, 'remote_write', 'q', 'position.json');
  try {
    await mgr.applyConfig(configs(rx.url));
    await appendRun(db, mgr, 0, 20);
    assert.ok(await mgr.flush(10_000));
    assert.equal(mgr.stats()[0]!.samplesFailed, 60);
    assert.ok(mgr.walStats()[0]!.ackedOffset > 0, 'refused samples are not retried forever');
    await mgr.stop();
    await db.close();
    writeFileSync(posFile, '{"segment": "x"');
    rx.failWith = 0;
    db = await openTSDB({ dir, compactionIntervalMs: 0 });
    mgr = new RemoteWriteManager(undefined, { wal: db, walPollMs: 20 });
    await mgr.applyConfig(configs(rx.url));
    assert.ok(await mgr.flush(10_000));
    assertComplete(rx, 20);
  } finally {
    await mgr.stop();
    await db.close();
    await rx.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wal watcher: queues configured at startup get what was committed before the config was applied; later ones start at the end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-walw-'));
  const rx = await startTestReceiver();
  const rx2 = await startTestReceiver();
  const db = await openTSDB({ dir, compactionIntervalMs: 0 });
  const mgr = new RemoteWriteManager(undefined, { wal: db, walPollMs: 20 });
  try {
    await appendRun(db, mgr, 0, 10); // e.g. pushes that arrive before the first config load
    await mgr.applyConfig(configs(rx.url));
    await appendRun(db, mgr, 10, 20);
    assert.ok(await mgr.flush(10_000));
    assertComplete(rx, 20);
    await mgr.applyConfig([...configs(rx.url), ...configs(rx2.url, 'late')]);
    await appendRun(db, mgr, 20, 25);
    assert.ok(await mgr.flush(10_000));
    assert.equal(rx2.received, 15, 'a queue added later gets only new samples');
  } finally {
    await mgr.stop();
    await db.close();
    await rx.close();
    await rx2.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wal watcher: samples re-sent after a restart that a strict receiver refuses do not take new samples down with them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-walw-'));
  const rx = await startTestReceiver();
  rx.strictOrder = true;
  const cfg = () => parseRemoteWriteConfigs(CfgNode.parse(`remote_write:\n  - url: ${rx.url}\n    name: q\n    queue_config: {max_samples_per_send: 500, batch_send_deadline: 50ms, min_backoff: 10ms, max_backoff: 100ms}\n`, 'x.yml').get('remote_write'));
  let db = await openTSDB({ dir, compactionIntervalMs: 0 });
  let mgr = new RemoteWriteManager(undefined, { wal: db, walPollMs: 20 });
  try {
    await mgr.applyConfig(cfg());
    await appendRun(db, mgr, 0, 20);
    assert.ok(await mgr.flush(10_000));
    await mgr.stop();
    await db.close();
    // as after a crash right before the position was saved: everything is read again
    writeFileSync(join(dir, 'remote_write', 'q', 'position.json'), '{"segment": 1, "offset": 0}');
    db = await openTSDB({ dir, compactionIntervalMs: 0 });
    mgr = new RemoteWriteManager(undefined, { wal: db, walPollMs: 20 });
    await appendRun(db, mgr, 20, 40); // before the queue starts: one batch mixes old and new samples
    await mgr.applyConfig(cfg());
    assert.ok(await mgr.flush(10_000));
    assertComplete(rx, 40);
    assert.ok(rx.rejected > 0, 'the mixed batch was refused');
    const st = mgr.stats()[0]!;
    assert.ok(st.samplesFailed > 0 && st.samplesFailed <= 60, `only re-sent samples dropped (${st.samplesFailed})`);
  } finally {
    await mgr.stop();
    await db.close();
    await rx.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wal watcher: records it does not send (exemplars) are read past', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-walw-'));
  const rx = await startTestReceiver();
  const db = await openTSDB({ dir, compactionIntervalMs: 0, maxExemplars: 100 });
  const mgr = new RemoteWriteManager(undefined, { wal: db, walPollMs: 20 });
  try {
    await mgr.applyConfig(configs(rx.url));
    const app = fanoutAppendable(db, mgr);
    for (let i = 0; i < 10; i++) {
      const a = app.appender();
      for (let s = 0; s < 3; s++) {
        const ls = labelsOf('__name__', 'wal_m', 's', String(s));
        const v = i === 5 && s === 0 ? STALE_NAN : i * 10 + s;
        a.append(0, ls, 1_000_000 + i * 1000, v);
        a.appendExemplar?.(0, ls, { labels: labelsOf('trace_id', `t${i}`), value: 1, ts: 1_000_000 + i * 1000 });
      }
      await a.commit();
    }
    assert.ok(await mgr.flush(10_000));
    assertComplete(rx, 10);
    assert.equal(mgr.walStats()[0]!.corruptRecords, 0);
  } finally {
    await mgr.stop();
    await db.close();
    await rx.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wal watcher: in-memory TSDB keeps the in-memory path', async () => {
  const db = await openTSDB({});
  const mgr = new RemoteWriteManager(undefined, { wal: db });
  assert.equal(mgr.walMode, false);
  const rx = await startTestReceiver();
  try {
    await mgr.applyConfig(configs(rx.url));
    await appendRun(db, mgr, 0, 10);
    await mgr.flush(5000);
    assertComplete(rx, 10);
  } finally {
    await mgr.stop();
    await rx.close();
  }
});
