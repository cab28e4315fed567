import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelsKey, labelsOf, labelsToObject, type Labels } from '../model/labels.js';
import { newMatcher } from '../model/matchers.js';
import { AppendError } from '../storage/interface.js';
import { ExemplarStore, parseExemplarsConfig, type ExemplarQueryResult } from './exemplars.js';
import { parseConfigText } from '../config/config.js';
import { openTSDB } from './index.js';

const A = labelsOf('__name__', 'req_total', 'job', 'a');
const B = labelsOf('__name__', 'req_total', 'job', 'b');
const C = labelsOf('__name__', 'other', 'job', 'a');
const tr = (id: string) => labelsOf('trace_id', id);
const all = [[newMatcher('=~', '__name__', '.+')]];

function flat(r: ExemplarQueryResult[]) {
  return r.map((s) => ({ series: labelsToObject(s.seriesLabels), ex: s.exemplars.map((e) => [e.labels[0]?.value ?? '', e.value, e.ts]) }));
}

test('ring: oldest exemplars are evicted across series; per-series chains stay consistent', () => {
  const s = new ExemplarStore(4);
  s.add(A, { labels: tr('a1'), value: 1, ts: 1000 });
  s.add(B, { labels: tr('b1'), value: 2, ts: 1000 });
  s.add(A, { labels: tr('a2'), value: 3, ts: 2000 });
  s.add(B, { labels: tr('b2'), value: 4, ts: 2000 });
  assert.equal(s.stats().exemplarsInStorage, 4);
  // Slot 0 (a1) is overwritten by c1, then slot 1 (b1) by a3.
  s.add(C, { labels: tr('c1'), value: 5, ts: 3000 });
  s.add(A, { labels: tr('a3'), value: 6, ts: 3000 });
  assert.deepEqual(flat(s.select(0, 10_000, all)), [
    { series: { __name__: 'other', job: 'a' }, ex: [['c1', 5, 3000]] },
    { series: { __name__: 'req_total', job: 'a' }, ex: [['a2', 3, 2000], ['a3', 6, 3000]] },
    { series: { __name__: 'req_total', job: 'b' }, ex: [['b2', 4, 2000]] },
  ]);
  // Evicting a series' last exemplar removes the series.
  s.add(C, { labels: tr('c2'), value: 7, ts: 4000 }); // evicts a2
  s.add(C, { labels: tr('c3'), value: 8, ts: 5000 }); // evicts b2
  assert.deepEqual(flat(s.select(0, 10_000, all)).map((x) => x.series.job + x.series.__name__), ['aother', 'areq_total']);
  assert.equal(s.stats().seriesWithExemplars, 2);
  assert.equal(s.stats().exemplarsInStorage, 4);
  // Many wraps keep the bound and the newest exemplars.
  for (let i = 0; i < 103; i++) s.add(i % 2 ? A : B, { labels: tr(`x${i}`), value: i, ts: 10_000 + i });
  const r = s.select(0, Infinity, all);
  assert.equal(r.reduce((n, x) => n + x.exemplars.length, 0), 4);
  assert.deepEqual(flat(r), [
    { series: { __name__: 'req_total', job: 'a' }, ex: [['x99', 99, 10_099], ['x101', 101, 10_101]] },
    { series: { __name__: 'req_total', job: 'b' }, ex: [['x100', 100, 10_100], ['x102', 102, 10_102]] },
  ]);
});

test('ring of one slot and a single series', () => {
  const s = new ExemplarStore(1);
  for (let i = 1; i <= 5; i++) s.add(A, { labels: tr(`t${i}`), value: i, ts: i });
  assert.deepEqual(flat(s.select(0, 10, all)), [{ series: { __name__: 'req_total', job: 'a' }, ex: [['t5', 5, 5]] }]);
  const z = new ExemplarStore(0);
  assert.equal(z.add(A, { labels: tr('x'), value: 1, ts: 1 }), false);
  assert.deepEqual(z.select(0, 10, all), []);
});

test('dedup and out-of-order: equal to newest is a no-op, older or same time is rejected and counted', () => {
  const s = new ExemplarStore(10);
  assert.equal(s.add(A, { labels: tr('a'), value: 1, ts: 1000 }), true);
  assert.equal(s.add(A, { labels: tr('a'), value: 1, ts: 1000 }), false); // duplicate
  assert.equal(s.stats().outOfOrderExemplars, 0);
  assert.equal(s.add(A, { labels: tr('b'), value: 1, ts: 1000 }), false); // same ts, different labels
  assert.equal(s.add(A, { labels: tr('a'), value: 1, ts: 999 }), false);
  assert.equal(s.stats().outOfOrderExemplars, 2);
  assert.equal(s.add(B, { labels: tr('a'), value: 1, ts: 500 }), true); // other series: independent
  assert.throws(() => s.validate(labelsKey(A), A, { labels: tr('z'), value: 1, ts: 10 }, false), (e) => e instanceof AppendError);
  assert.equal(s.stats().exemplarsInStorage, 2);
});

test('exemplars without an exposed timestamp (ts from the sample) are stored once while unchanged', () => {
  const s = new ExemplarStore(10);
  assert.equal(s.add(A, { labels: tr('a'), value: 1, ts: 1000, hasTs: false }), true);
  assert.equal(s.add(A, { labels: tr('a'), value: 1, ts: 2000, hasTs: false }), false); // re-scraped: duplicate
  assert.equal(s.add(A, { labels: tr('a'), value: 1, ts: 3000 }), true); // now with its own ts: new
  assert.equal(s.add(A, { labels: tr('a'), value: 2, ts: 4000, hasTs: false }), true);
  assert.equal(s.stats().outOfOrderExemplars, 0);
  assert.deepEqual(flat(s.select(0, 1e9, all))[0]!.ex, [['a', 1, 1000], ['a', 1, 3000], ['a', 2, 4000]]);
});

test('select: time range (inclusive), matcher sets OR-ed, matchers AND-ed, sorted by series labels', () => {
  const s = new ExemplarStore(100);
  for (let t = 1000; t <= 5000; t += 1000) {
    s.add(B, { labels: tr(`b${t}`), value: t, ts: t });
    s.add(A, { labels: tr(`a${t}`), value: t, ts: t });
    s.add(C, { labels: tr(`c${t}`), value: t, ts: t });
  }
  let r = flat(s.select(2000, 3000, [[newMatcher('=', '__name__', 'req_total')]]));
  assert.deepEqual(r, [
    { series: { __name__: 'req_total', job: 'a' }, ex: [['a2000', 2000, 2000], ['a3000', 3000, 3000]] },
    { series: { __name__: 'req_total', job: 'b' }, ex: [['b2000', 2000, 2000], ['b3000', 3000, 3000]] },
  ]);
  r = flat(s.select(0, 1e9, [[newMatcher('=', '__name__', 'req_total'), newMatcher('!=', 'job', 'a')], [newMatcher('=~', '__name__', 'oth.*')]]));
  assert.deepEqual(r.map((x) => labelsToObject(labelsOf('n', x.series.__name__!, 'j', x.series.job!))), [{ n: 'other', j: 'a' }, { n: 'req_total', j: 'b' }]);
  assert.deepEqual(s.select(6000, 7000, all), []);
  assert.deepEqual(s.select(0, 999, all), []);
  // Missing label matches as the empty string.
  assert.equal(s.select(0, 1e9, [[newMatcher('=', 'absent', '')]]).length, 3);
});

test('TSDB appender: staged until commit, label length limit 128 UTF-8 characters, rollback drops', async () => {
  const db = await openTSDB({ maxExemplars: 10 });
  let app = db.appender();
  const ref = app.append(0, A, 1000, 1);
  app.appendExemplar(ref, A, { labels: tr('x'), value: 0.5, ts: 1000 });
  assert.deepEqual(db.queryExemplars(0, 5000, all), []);
  await app.commit();
  assert.deepEqual(flat(db.queryExemplars(0, 5000, all)), [{ series: { __name__: 'req_total', job: 'a' }, ex: [['x', 0.5, 1000]] }]);
  app = db.appender();
  app.append(ref, A, 2000, 2);
  // 't' + 127 two-byte characters = 128 characters (254 bytes): accepted.
  app.appendExemplar(ref, A, { labels: labelsOf('t', 'é'.repeat(127)), value: 1, ts: 2000 });
  await app.commit();
  app = db.appender();
  app.append(ref, A, 3000, 2);
  assert.throws(() => app.appendExemplar(ref, A, { labels: labelsOf('t', 'é'.repeat(128)), value: 1, ts: 3000 }), /longer than 128/);
  assert.throws(() => app.appendExemplar(ref, A, { labels: tr('old'), value: 1, ts: 1500 }), /out of order exemplar/);
  assert.throws(() => app.appendExemplar(0, B, { labels: tr('q'), value: 1, ts: 1500 }), /unknown series/);
  app.appendExemplar(0, A, { labels: labelsOf('empty', '', 'trace_id', 'y'), value: 2, ts: 3000 }); // by labels, empty dropped
  app.rollback();
  assert.equal(db.queryExemplars(0, 5000, all)[0]!.exemplars.length, 2);
  app = db.appender();
  app.append(ref, A, 3000, 2);
  app.appendExemplar(0, A, { labels: labelsOf('empty', '', 'trace_id', 'y'), value: 2, ts: 3000 });
  await app.commit();
  const last = db.queryExemplars(0, 5000, all)[0]!.exemplars.at(-1)!;
  assert.deepEqual(labelsToObject(last.labels), { trace_id: 'y' });
  const st = db.stats();
  assert.deepEqual([st.maxExemplars, st.exemplarsInStorage, st.seriesWithExemplars, st.exemplarsAppended], [10, 3, 1, 3]);
  await db.close();
});

test('WAL: exemplars survive restart, through a checkpoint too, with ring order and bounds', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ex-'));
  try {
    const series = (i: number): Labels => labelsOf('__name__', 'lat', 'i', String(i));
    let db = await openTSDB({ dir, maxExemplars: 50, compactionIntervalMs: 0, blockRangeMs: 3_600_000 });
    const base = 1_700_000_000_000;
    for (let k = 0; k < 20; k++) {
      const app = db.appender();
      for (let i = 0; i < 5; i++) {
        const t = base + k * 15_000;
        const r = app.append(0, series(i), t, k);
        app.appendExemplar(r, series(i), { labels: tr(`${i}-${k}`), value: k + i / 10, ts: t });
      }
      await app.commit();
    }
    // An exemplar-only commit (the sample is an exact duplicate) must be durable too.
    {
      const app = db.appender();
      const t = base + 19 * 15_000;
      const r = app.append(0, series(0), t, 19);
      app.appendExemplar(r, series(0), { labels: tr('late'), value: 99, ts: t + 1 });
      await app.commit();
    }
    const before = db.queryExemplars(0, Infinity, all);
    assert.equal(before.reduce((n, s) => n + s.exemplars.length, 0), 50);
    await db.close();
    db = await openTSDB({ dir, maxExemplars: 50, compactionIntervalMs: 0, blockRangeMs: 3_600_000 });
    assert.deepEqual(db.queryExemplars(0, Infinity, all), before);
    // Push samples past the block range so the head is persisted and the WAL checkpointed.
    for (let k = 0; k < 3; k++) {
      const app = db.appender();
      const t = base + 3 * 3_600_000 + k * 1000;
      const r = app.append(0, series(1), t, 1);
      app.appendExemplar(r, series(1), { labels: tr(`after-${k}`), value: 7, ts: t });
      await app.commit();
    }
    await db.compact();
    assert.ok(db.stats().checkpoints >= 1, 'a checkpoint was written');
    const after = db.queryExemplars(0, Infinity, all);
    await db.close();
    db = await openTSDB({ dir, maxExemplars: 50, compactionIntervalMs: 0, blockRangeMs: 3_600_000 });
    assert.deepEqual(db.queryExemplars(0, Infinity, all), after);
    assert.equal(db.exemplarStats().exemplarsInStorage, 50);
    await db.close();
    // A smaller ring on restart keeps the newest.
    db = await openTSDB({ dir, maxExemplars: 5, compactionIntervalMs: 0 });
    const small = db.queryExemplars(0, Infinity, all);
    assert.equal(small.reduce((n, s) => n + s.exemplars.length, 0), 5);
    assert.ok(small.some((s) => s.exemplars.some((e) => e.labels[0]!.value === 'after-2')));
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('resize keeps the newest exemplars; storage.exemplars.max_exemplars parses as Prometheus', () => {
  const s = new ExemplarStore(6);
  for (let i = 0; i < 6; i++) s.add(i % 2 ? A : B, { labels: tr(`t${i}`), value: i, ts: 1000 + i });
  s.resize(3);
  assert.deepEqual(flat(s.select(0, 1e9, all)), [
    { series: { __name__: 'req_total', job: 'a' }, ex: [['t3', 3, 1003], ['t5', 5, 1005]] },
    { series: { __name__: 'req_total', job: 'b' }, ex: [['t4', 4, 1004]] },
  ]);
  s.resize(10);
  s.add(A, { labels: tr('t6'), value: 6, ts: 1006 });
  assert.equal(s.stats().exemplarsInStorage, 4);
  assert.equal(s.stats().maxExemplars, 10);
  s.resize(0);
  assert.deepEqual(s.select(0, 1e9, all), []);
  assert.equal(s.add(A, { labels: tr('t7'), value: 7, ts: 1007 }), false);

  const cfg = (y: string) => parseConfigText(y, 'p.yml').root.get('storage');
  assert.equal(parseExemplarsConfig(cfg('global: {}\n')), undefined);
  assert.equal(parseExemplarsConfig(cfg('storage:\n  exemplars:\n    max_exemplars: 500\n')), 500);
  assert.equal(parseExemplarsConfig(cfg('storage:\n  exemplars: {}\n')), 100000);
  assert.throws(() => parseExemplarsConfig(cfg('storage:\n  exemplars:\n    max_exemplars: -1\n')), /p\.yml:3.*storage\.exemplars\.max_exemplars.*negative/s);
  assert.throws(() => parseExemplarsConfig(cfg('storage:\n  exemplars:\n    max: 1\n')), /field max not found/);
});

test('a too-old sample creates no series, so its exemplar finds none (as Prometheus)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ex-old-'));
  try {
    const db = await openTSDB({ dir, compactionIntervalMs: 0, blockRangeMs: 3_600_000 });
    let app = db.appender();
    app.append(0, A, 10_000_000, 1);
    await app.commit();
    app = db.appender();
    assert.throws(() => app.append(0, B, 1000, 1), /out of bounds/);
    assert.equal(db.head.numSeries, 1);
    assert.throws(() => app.appendExemplar(0, B, { labels: tr('x'), value: 1, ts: 1000 }), /unknown series/);
    // An out-of-order sample of an existing series still lets its exemplar through.
    assert.throws(() => app.append(0, A, 9_000_000, 1), /out of order/);
    app.appendExemplar(0, A, { labels: tr('y'), value: 1, ts: 9_000_000 });
    await app.commit();
    assert.equal(db.queryExemplars(0, Infinity, all).length, 1);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
