import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTSDB, type TSDB } from './db.js';
import { labelsOf } from '../model/labels.js';
import { newMatcher } from '../model/matchers.js';
import { FloatHistogram } from '../model/histogram.js';
import { AppendError } from '../storage/interface.js';
import { ByteReader, ByteWriter } from './bytes.js';
import { decodeHistogram, encodeHistogram } from './histstore.js';

const H = 3600_000;
const tmp = () => mkdtempSync(join(tmpdir(), 'vigil-tsdb-nh-'));

function hist(count: number, custom = false): FloatHistogram {
  const h = new FloatHistogram();
  h.count = count;
  h.sum = count * 1.5;
  if (custom) { h.schema = -53; h.customValues = [1, 5]; h.pIdx = [0, 2]; h.pCnt = [count - 1, 1]; }
  else { h.schema = 3; h.zeroThreshold = 1e-3; h.zeroCount = 1; h.pIdx = [-2, 5]; h.pCnt = [count - 2, 1]; h.nIdx = [0]; h.nCnt = [0.5]; }
  return h;
}

async function read(db: TSDB, name: string) {
  const q = db.querier(-Infinity, Infinity);
  const ss = await q.select({ start: -1e15, end: 1e15 }, [newMatcher('=', '__name__', name)]);
  q.close();
  return ss.map((s) => ({ floats: s.samples().t.length, hs: s.histograms?.() }));
}

test('histogram encoding round-trips (exponential and custom buckets)', () => {
  for (const h of [hist(7), hist(9, true)]) {
    h.hint = 'gauge';
    const w = new ByteWriter();
    encodeHistogram(w, h);
    const back = decodeHistogram(new ByteReader(w.result()));
    assert.deepEqual({ ...back }, { ...h });
  }
});

test('histogram samples: append rules, WAL replay, persisted files, mixed with floats', async () => {
  const dir = tmp();
  try {
    let db = await openTSDB({ dir, compactionIntervalMs: 0, blockRangeMs: H, maxBlockRangeMs: H });
    const ls = labelsOf('__name__', 'lat', 'job', 'a');
    let a = db.appender();
    for (let m = 0; m < 30; m++) a.appendHistogram!(0, ls, m * 60_000, hist(10 + m));
    a.append(0, labelsOf('__name__', 'lat', 'job', 'b'), 0, 1);
    await a.commit();
    a = db.appender();
    assert.throws(() => a.appendHistogram!(0, ls, 60_000, hist(1)), (e: unknown) => e instanceof AppendError && e.kind === 'out_of_order');
    assert.throws(() => a.appendHistogram!(0, [], 31 * 60_000, hist(1)), (e: unknown) => e instanceof AppendError && e.kind === 'invalid_labels');
    a.rollback();
    let got = await read(db, 'lat');
    const lq = db.querier(-Infinity, Infinity);
    assert.deepEqual(await lq.labelValues('job'), ['a', 'b']);
    lq.close();
    assert.equal(got.length, 2);
    assert.equal(got[0]!.hs!.h.length, 30);
    assert.equal(got[0]!.hs!.h[29]!.count, 39);
    // Stored counter-reset hints: first unknown, then not_reset.
    assert.equal(got[0]!.hs!.h[0]!.hint, 'unknown');
    assert.equal(got[0]!.hs!.h[1]!.hint, 'not_reset');
    await db.close();

    // WAL replay.
    db = await openTSDB({ dir, compactionIntervalMs: 0, blockRangeMs: H, maxBlockRangeMs: H });
    got = await read(db, 'lat');
    assert.equal(got[0]!.hs!.h.length, 30);
    assert.deepEqual(Array.from(got[0]!.hs!.t).slice(0, 2), [0, 60_000]);
    // Push the head far enough that the first hour is persisted (floats drive head compaction).
    a = db.appender();
    for (let m = 30; m < 200; m++) {
      a.appendHistogram!(0, ls, m * 60_000, hist(10 + m, m >= 100));
      a.append(0, labelsOf('__name__', 'up'), m * 60_000, 1);
    }
    await a.commit();
    await db.compact();
    const files = readdirSync(join(dir, 'histograms'));
    assert.ok(files.some((f) => f === `0-${H}.hist`), files.join(','));
    got = await read(db, 'lat');
    assert.equal(got[0]!.hs!.h.length, 200);
    await db.close();

    // Reopen: files + WAL checkpoint + segments give every sample exactly once.
    db = await openTSDB({ dir, compactionIntervalMs: 0, blockRangeMs: H, maxBlockRangeMs: H });
    got = await read(db, 'lat');
    const t = Array.from(got[0]!.hs!.t);
    assert.equal(t.length, 200);
    assert.ok(t.every((x, i) => i === 0 || x > t[i - 1]!));
    assert.equal(got[0]!.hs!.h[150]!.schema, -53);
    assert.deepEqual(got[0]!.hs!.h[150]!.customValues, [1, 5]);
    // A snapshot carries files and head histograms.
    const snap = join(dir, 'snap');
    await db.snapshot(snap);
    await db.close();
    assert.ok(existsSync(join(dir, 'histograms')));
    const sdb = await openTSDB({ dir: snap, compactionIntervalMs: 0, blockRangeMs: H, maxBlockRangeMs: H });
    got = await read(sdb, 'lat');
    assert.equal(got[0]!.hs!.h.length, 200);
    await sdb.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('in-memory TSDB keeps histograms too', async () => {
  const db = await openTSDB({ compactionIntervalMs: 0 });
  const a = db.appender();
  a.appendHistogram!(0, labelsOf('__name__', 'x'), 1000, hist(3));
  await a.commit();
  const got = await read(db, 'x');
  assert.equal(got.length, 1);
  assert.equal(got[0]!.floats, 0);
  assert.equal(got[0]!.hs!.h[0]!.count, 3);
  await db.close();
});

test('deleting histogram samples (head and files) survives a restart', async () => {
  const dir = tmp();
  try {
    let db = await openTSDB({ dir, compactionIntervalMs: 0, blockRangeMs: H, maxBlockRangeMs: H });
    const ls = labelsOf('__name__', 'lat', 'job', 'a');
    const a = db.appender();
    for (let m = 0; m < 200; m++) {
      a.appendHistogram!(0, ls, m * 60_000, hist(10 + m));
      a.append(0, labelsOf('__name__', 'up'), m * 60_000, 1);
    }
    await a.commit();
    await db.compact(); // first hour goes to a file
    // Delete 30m..150m: spans the persisted file and the head.
    await db.deleteSeries([newMatcher('=', 'job', 'a')], 30 * 60_000, 150 * 60_000);
    const check = async () => {
      const got = await read(db, 'lat');
      const t = Array.from(got[0]!.hs!.t);
      assert.equal(t.length, 200 - 121);
      assert.ok(t.every((x) => x < 30 * 60_000 || x > 150 * 60_000));
    };
    await check();
    await db.close();
    db = await openTSDB({ dir, compactionIntervalMs: 0, blockRangeMs: H, maxBlockRangeMs: H });
    await check();
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a histogram-only store persists its own ranges and checkpoints the WAL', async () => {
  const dir = tmp();
  try {
    let db = await openTSDB({ dir, compactionIntervalMs: 0, blockRangeMs: H, maxBlockRangeMs: H });
    const ls = labelsOf('__name__', 'otel_latency');
    const a = db.appender();
    for (let m = 0; m < 200; m++) a.appendHistogram!(0, ls, m * 60_000, hist(10 + m));
    await a.commit();
    await db.compact();
    assert.ok(readdirSync(join(dir, 'histograms')).includes(`0-${H}.hist`));
    assert.ok(readdirSync(join(dir, 'wal')).some((f) => f.startsWith('checkpoint.')));
    await db.close();
    db = await openTSDB({ dir, compactionIntervalMs: 0, blockRangeMs: H, maxBlockRangeMs: H });
    const got = await read(db, 'otel_latency');
    assert.equal(got[0]!.hs!.t.length, 200);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
