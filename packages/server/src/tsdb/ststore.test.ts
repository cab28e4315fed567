import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTSDB, type TSDB } from './db.js';
import { labelsOf } from '../model/labels.js';
import { newMatcher } from '../model/matchers.js';
import { FloatHistogram } from '../model/histogram.js';
import { ByteReader, ByteWriter } from './bytes.js';
import { decodeSTList, encodeSTList } from './ststore.js';

const H = 3600_000;
const M = 60_000;
const tmp = () => mkdtempSync(join(tmpdir(), 'vigil-st-'));

async function read(db: TSDB, name: string, mint = 0, maxt = 10 * H) {
  const q = db.querier(mint, maxt);
  const ss = await q.select({ start: mint, end: maxt }, [newMatcher('=', '__name__', name)]);
  q.close();
  return ss.map((s) => {
    const hs = s.histograms?.();
    return { t: Array.from(s.samples().t), st: s.startTimestamps?.() && Array.from(s.startTimestamps()!), ht: hs && Array.from(hs.t), hst: hs?.st && Array.from(hs.st) };
  });
}

function hist(count: number): FloatHistogram {
  const h = new FloatHistogram();
  h.count = count;
  h.sum = count;
  return h;
}

test('start timestamp record codec round-trips (negative offsets, ST after T)', () => {
  const w = new ByteWriter();
  const list = [{ labels: labelsOf('__name__', 'a', 'x', 'y'), t: [1000, 61_000, 121_000], st: [500, 62_000, -5] }];
  encodeSTList(w, list);
  const got: [number, number][] = [];
  decodeSTList(new ByteReader(w.result()), (ls, t, st) => { assert.equal(ls.length, 2); got.push([t, st]); });
  assert.deepEqual(got, [[1000, 500], [61_000, 62_000], [121_000, -5]]);
});

test('series without start timestamps expose none; sparse ones line up with samples', async () => {
  const db = await openTSDB({ compactionIntervalMs: 0 });
  const a = db.appender();
  const plain = labelsOf('__name__', 'plain'), c = labelsOf('__name__', 'c');
  for (let i = 0; i < 5; i++) a.append(0, plain, i * M, i);
  await a.commit();
  assert.equal((await read(db, 'plain'))[0]!.st, undefined);
  const b = db.appender();
  b.appendST!(0, c, 0, 1, -30_000);
  b.append(0, c, M, 2); // no start timestamp: reads as 0
  b.appendST!(0, c, 2 * M, 3, M + 1);
  b.appendST!(0, c, 3 * M, 4, 0); // 0 = unknown, stores nothing
  await b.commit();
  assert.deepEqual(await read(db, 'c'), [{ t: [0, M, 2 * M, 3 * M], st: [-30_000, 0, M + 1, 0], ht: undefined, hst: undefined }]);
  // A window without entries: no start timestamps at all.
  assert.equal((await read(db, 'c', 3 * M, 4 * M))[0]!.st, undefined);
  assert.equal((await read(db, 'plain'))[0]!.st, undefined);
  // Rollback drops staged start timestamps with the samples.
  const r = db.appender();
  r.appendST!(0, c, 4 * M, 5, 4 * M - 1);
  r.rollback();
  assert.deepEqual((await read(db, 'c'))[0]!.st, [-30_000, 0, M + 1, 0]);
  await db.close();
});

test('start timestamps survive WAL replay, head persistence into files, and restarts', async () => {
  const dir = tmp();
  try {
    const opts = { dir, compactionIntervalMs: 0, blockRangeMs: H, maxBlockRangeMs: H };
    let db = await openTSDB(opts);
    const c = labelsOf('__name__', 'c_total', 'job', 'a'), hl = labelsOf('__name__', 'lat', 'job', 'a');
    const a = db.appender();
    for (let m = 0; m < 150; m++) {
      a.appendST!(0, c, m * M, m, m * M - 500);
      a.appendHistogramST!(0, hl, m * M, hist(m), m * M - 700);
    }
    await a.commit();
    const check = async () => {
      const [f] = await read(db, 'c_total');
      assert.equal(f!.t.length, 150);
      assert.deepEqual(f!.st, f!.t.map((t) => t - 500));
      const [h] = await read(db, 'lat');
      assert.equal(h!.ht!.length, 150);
      assert.deepEqual(h!.hst, h!.ht!.map((t) => t - 700));
    };
    await check();
    await db.close();
    db = await openTSDB(opts); // WAL replay
    await check();
    await db.compact(); // the first hour moves to a block and a .st file
    assert.ok(existsSync(join(dir, 'starttimestamps')) && readdirSync(join(dir, 'starttimestamps')).some((f) => f.endsWith('.st')));
    await check();
    await db.close();
    db = await openTSDB(opts); // checkpoint + files
    await check();
    // Deleting a range forgets its start timestamps too, durably.
    await db.deleteSeries([newMatcher('=', '__name__', 'c_total')], 10 * M, 100 * M);
    const [f] = await read(db, 'c_total');
    assert.deepEqual(f!.st, f!.t.map((t) => t - 500));
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('histogram-only stores persist their start timestamps with their own ranges', async () => {
  const dir = tmp();
  try {
    const opts = { dir, compactionIntervalMs: 0, blockRangeMs: H, maxBlockRangeMs: H };
    let db = await openTSDB(opts);
    const hl = labelsOf('__name__', 'otlp_lat');
    const a = db.appender();
    for (let m = 0; m < 200; m++) a.appendHistogramST!(0, hl, m * M, hist(m), m * M - 1000);
    await a.commit();
    await db.compact();
    assert.ok(readdirSync(join(dir, 'starttimestamps')).some((f) => f === `0-${H}.st`));
    const check = async () => {
      const [h] = await read(db, 'otlp_lat');
      assert.equal(h!.ht!.length, 200);
      assert.deepEqual(h!.hst, h!.ht!.map((t) => t - 1000));
    };
    await check();
    await db.close();
    db = await openTSDB(opts);
    await check();
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
