import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTSDB, type TSDB } from './db.js';
import { labelsOf, labelsToString } from '../model/labels.js';
import { newMatcher } from '../model/matchers.js';
import { STALE_NAN, isStaleNaN } from '../model/sample.js';
import { AppendError } from '../storage/interface.js';

const H = 3600_000;
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-tsdb-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function all(db: TSDB, mint: number, maxt: number, ...ms: [string, string, string][]) {
  const q = db.querier(mint, maxt);
  const ss = await q.select({ start: mint, end: maxt }, ms.map(([n, t, v]) => newMatcher(t as '=', n, v)));
  const out = ss.map((s) => { const x = s.samples(); return { l: labelsToString(s.labels), t: Array.from(x.t), v: Array.from(x.v) }; });
  q.close();
  return out;
}

test('append rules: out of order, too old, duplicates', async () => {
  const db = await openTSDB({ dir: tmp(), compactionIntervalMs: 0 });
  const a = db.appender();
  const ls = labelsOf('__name__', 'up', 'job', 'a');
  const ref = a.append(0, ls, 10 * H, 1);
  await a.commit();
  assert.throws(() => a.append(ref, ls, 10 * H - 1, 1), (e: unknown) => e instanceof AppendError && e.kind === 'out_of_order' && /up\{job="a"\}/.test(e.message));
  assert.equal(a.append(ref, ls, 10 * H, 1), ref); // same ts, same value: no-op
  assert.throws(() => a.append(ref, ls, 10 * H, 2), (e: unknown) => e instanceof AppendError && e.kind === 'duplicate_sample_for_timestamp');
  assert.throws(() => a.append(0, labelsOf('__name__', 'x'), 8 * H, 1), (e: unknown) => e instanceof AppendError && e.kind === 'out_of_bounds');
  assert.throws(() => a.append(0, [], 10 * H, 1), (e: unknown) => e instanceof AppendError && e.kind === 'invalid_labels');
  const st = db.stats();
  assert.equal(st.outOfOrderSamples, 1);
  assert.equal(st.tooOldSamples, 1);
  assert.equal(st.duplicateSamples, 1);
  await db.close();
});

test('matchers: =, !=, =~, !~ with Prometheus empty-match semantics', async () => {
  const db = await openTSDB({});
  const a = db.appender();
  const mk = (...nv: string[]) => a.append(0, labelsOf(...nv), 1000, 1);
  mk('__name__', 'm', 'a', '1', 'b', 'x');
  mk('__name__', 'm', 'a', '2');
  mk('__name__', 'm', 'a', '3', 'b', 'y');
  mk('__name__', 'n', 'a', '1');
  await a.commit();
  const names = async (...ms: [string, string, string][]) => (await all(db, 0, 2000, ...ms)).map((s) => s.l);
  assert.deepEqual(await names(['__name__', '=', 'm'], ['b', '=', '']), ['m{a="2"}']);
  assert.deepEqual(await names(['__name__', '=', 'm'], ['b', '!=', '']), ['m{a="1", b="x"}', 'm{a="3", b="y"}']);
  assert.deepEqual(await names(['__name__', '=', 'm'], ['b', '!=', 'x']), ['m{a="2"}', 'm{a="3", b="y"}']);
  assert.deepEqual(await names(['__name__', '=~', 'm|n'], ['a', '=~', '1|3']), ['m{a="1", b="x"}', 'm{a="3", b="y"}', 'n{a="1"}']);
  assert.deepEqual(await names(['__name__', '=~', '.+'], ['b', '!~', 'x|']), ['m{a="3", b="y"}']);
  assert.deepEqual(await names(['__name__', '=~', 'm'], ['b', '=~', 'x|']), ['m{a="1", b="x"}', 'm{a="2"}']);
  assert.deepEqual(await names(['a', '=~', '[12]'], ['__name__', '!~', 'n']), ['m{a="1", b="x"}', 'm{a="2"}']);
  const q = db.querier(0, 2000);
  assert.deepEqual(await q.labelValues('a'), ['1', '2', '3']);
  assert.deepEqual(await q.labelNames([newMatcher('=', '__name__', 'n')]), ['__name__', 'a']);
  q.close();
  await db.close();
});

test('values stay bit-exact through head, WAL replay and blocks', async () => {
  const dir = tmp();
  const vals = [STALE_NAN, -0, Infinity, -Infinity, 1.5, 0.1 + 0.2, 42, NaN];
  let db = await openTSDB({ dir, compactionIntervalMs: 0 });
  const ls = labelsOf('__name__', 'weird');
  let a = db.appender();
  let ref = 0;
  for (let i = 0; i < 2000; i++) ref = a.append(ref, ls, i * 15000, vals[i % vals.length]!);
  await a.commit();
  const check = async (what: string) => {
    const [s] = await all(db, 0, 1e12, ['__name__', '=', 'weird']);
    assert.equal(s!.t.length, 2000, what);
    for (let i = 0; i < 2000; i++) {
      const want = vals[i % vals.length]!;
      const got = s!.v[i]!;
      assert.ok(Object.is(got, want) || (Number.isNaN(want) && Number.isNaN(got) && isStaleNaN(got) === isStaleNaN(want)), `${what} #${i}: ${got} vs ${want}`);
    }
  };
  await check('head');
  await db.close();
  db = await openTSDB({ dir, compactionIntervalMs: 0 });
  await check('replayed');
  await db.compact();
  assert.ok(db.stats().blocks >= 1, 'head persisted into blocks');
  await check('blocks + head');
  await db.close();
  db = await openTSDB({ dir, compactionIntervalMs: 0 });
  await check('reopened after checkpoint');
  a = db.appender();
  a.append(0, ls, 2000 * 15000, 7);
  await a.commit();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('blocks: compaction, overlap merge, retention, snapshot, delete', async () => {
  const dir = tmp();
  const db = await openTSDB({ dir, compactionIntervalMs: 0, retentionMs: 30 * H, maxBlockRangeMs: 18 * H });
  const a = db.appender();
  const refs: number[] = [];
  for (let h = 0; h < 60 * 240; h++) {
    const t = h * 15000;
    for (let s = 0; s < 20; s++) refs[s] = a.append(refs[s] ?? 0, labelsOf('__name__', 'c', 'i', String(s)), t, h * 10 + s);
    if (h % 240 === 0) { await a.commit(); await db.compact(); }
  }
  await a.commit();
  await db.compact();
  const st = db.stats();
  assert.ok(st.blocks >= 2 && st.compactions >= 1, JSON.stringify(st));
  assert.ok(st.retentionDeletedBlocks >= 1, 'old blocks deleted by retention');
  const minKept = Math.min(...db.blocks.map((b) => b.meta.minTime));
  const res = await all(db, 0, 1e12, ['__name__', '=', 'c'], ['i', '=', '3']);
  assert.equal(res.length, 1);
  const t = res[0]!.t;
  for (let i = 1; i < t.length; i++) assert.equal(t[i]! - t[i - 1]!, 15000);
  assert.equal(t[0], minKept);
  assert.equal(res[0]!.v[5], (t[5]! / 15000) * 10 + 3);

  // Snapshot then open the snapshot.
  const snap = join(tmp(), 'snap');
  await db.snapshot(snap);
  const db2 = await openTSDB({ dir: snap, compactionIntervalMs: 0, retentionMs: 0 });
  const res2 = await all(db2, 0, 1e12, ['__name__', '=', 'c'], ['i', '=', '3']);
  assert.deepEqual(res2, res);
  await db2.close();

  // Delete a range across blocks and head, then clean tombstones.
  const lo = t[10]!, hi = t[t.length - 5]!;
  await db.deleteSeries([newMatcher('=', 'i', '3')], lo, hi);
  let r3 = await all(db, 0, 1e12, ['i', '=', '3']);
  assert.equal(r3[0]!.t.length, 14);
  await db.cleanTombstones();
  r3 = await all(db, 0, 1e12, ['i', '=', '3']);
  assert.equal(r3[0]!.t.length, 14);
  assert.equal((await all(db, 0, 1e12, ['i', '=', '4']))[0]!.t.length, t.length);
  await db.close();
  assert.ok(readdirSync(dir).includes('wal'));
});

test('size retention deletes oldest blocks', async () => {
  const dir = tmp();
  const db = await openTSDB({ dir, compactionIntervalMs: 0, retentionMs: 0 });
  const a = db.appender();
  for (let h = 0; h < 12 * 240; h++) {
    for (let s = 0; s < 50; s++) a.append(0, labelsOf('__name__', 'g', 'i', String(s)), h * 15000, Math.random());
    if (h % 240 === 0) { await a.commit(); await db.compact(); }
  }
  await a.commit();
  await db.compact();
  const before = db.stats();
  db.retentionBytes = Math.floor(before.blockBytes / 2) + before.walBytes;
  db.applyRetention();
  const after = db.stats();
  assert.ok(after.blocks < before.blocks && after.blockBytes + after.walBytes <= db.retentionBytes, JSON.stringify({ before, after }));
  await db.close();
});

test("walSync 'fsync': commit resolves after fdatasync; concurrent commits share syncs", async () => {
  const { io } = await import('./fsio.js');
  const dir = tmp();
  const db = await openTSDB({ dir, walSync: 'fsync', compactionIntervalMs: 0 });
  const orig = io.fdatasync;
  let syncs = 0;
  let pending: (() => void)[] = [];
  io.fdatasync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    syncs++;
    pending.push(() => orig(fd, cb));
  }) as typeof io.fdatasync;
  try {
    let resolved = 0;
    const ps = [];
    for (let i = 0; i < 50; i++) {
      const a = db.appender();
      a.append(0, labelsOf('__name__', 'f', 'i', String(i)), 1000, i);
      ps.push(a.commit().then(() => resolved++));
    }
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(resolved, 0, 'nothing acknowledged before the fsync completes');
    while (resolved < 50) {
      const run = pending; pending = [];
      for (const f of run) f();
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(ps);
    assert.ok(syncs >= 1 && syncs <= 3, `group commit used ${syncs} fsyncs for 50 commits`);
  } finally {
    io.fdatasync = orig;
    await db.close();
  }
});

test('a query keeps reading blocks that retention deletes meanwhile', async () => {
  const dir = tmp();
  const db = await openTSDB({ dir, compactionIntervalMs: 0, blockRangeMs: H, maxBlockRangeMs: H });
  const a = db.appender();
  let ref = 0;
  for (let i = 0; i < 6 * 240; i++) { ref = a.append(ref, labelsOf('__name__', 'r'), i * 15000, i); if (i % 240 === 0) await a.commit(); }
  await a.commit();
  await db.compact();
  assert.ok(db.stats().blocks >= 3);
  const q = db.querier(0, Infinity);
  const ss = await q.select({ start: 0, end: Infinity }, [newMatcher('=', '__name__', 'r')]);
  db.retentionMs = 1;
  db.applyRetention();
  assert.equal(db.stats().blocks, 0);
  assert.equal(readdirSync(dir).filter((f) => /^[0-9A-Z]{26}$/.test(f)).length, 0, 'block dirs removed');
  const s = ss[0]!.samples();
  assert.equal(s.t.length, 6 * 240);
  q.close();
  await db.close();
});

test('randomized: appends, compactions, restarts, deletes agree with a model', async () => {
  const { tuning } = await import('./db.js');
  const saved = { ...tuning };
  // Yield often so appends interleave with block writing and checkpointing.
  tuning.persistYieldEvery = 3;
  tuning.checkpointYieldEvery = 3;
  const dir = tmp();
  let seed = Number(process.env.VIGIL_RND_SEED ?? 42);
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const opts = { dir, compactionIntervalMs: 0, blockRangeMs: H, maxBlockRangeMs: 3 * H, retentionMs: 0, walSegmentBytes: 64 * 1024 };
  let db = await openTSDB(opts);
  const model = new Map<string, Map<number, number>>();
  const names = Array.from({ length: 40 }, (_, i) => String(i));
  const lastT = new Map<string, number>();
  let now = 0;
  const check = async (what: string) => {
    const q = db.querier(-Infinity, Infinity);
    const ss = await q.select({ start: -Infinity, end: Infinity }, [newMatcher('=', '__name__', 'rnd')]);
    const got = new Map(ss.map((s) => [s.labels.find((l) => l.name === 'i')!.value, s.samples()]));
    for (const [k, m] of model) {
      const want = [...m].sort((a, b) => a[0] - b[0]);
      const s = got.get(k);
      if (want.length === 0) { assert.ok(!s || s.t.length === 0, `${what}: series ${k} should be empty`); continue; }
      assert.ok(s, `${what}: series ${k} missing`);
      assert.deepEqual(Array.from(s.t), want.map((x) => x[0]), `${what}: timestamps of ${k}`);
      assert.deepEqual(Array.from(s.v), want.map((x) => x[1]), `${what}: values of ${k}`);
    }
    q.close();
  };
  for (let step = 0; step < 400; step++) {
    now += Math.floor(rnd() * 60_000);
    const a = db.appender();
    for (const k of names) {
      if (rnd() < 0.5) continue;
      const t = now + Math.floor(rnd() * 1000);
      if (t <= (lastT.get(k) ?? -1)) continue;
      const v = rnd() < 0.5 ? Math.floor(rnd() * 100) : rnd();
      a.append(0, labelsOf('__name__', 'rnd', 'i', k), t, v);
      lastT.set(k, t);
      let m = model.get(k);
      if (!m) model.set(k, (m = new Map()));
      m.set(t, v);
    }
    await a.commit();
    const r = rnd();
    if (r < 0.05) await db.compact();
    else if (r < 0.08) void db.compact(); // runs while the next appends happen
    else if (r < 0.11) { await db.close(); db = await openTSDB(opts); await check(`reopen at step ${step}`); }
    else if (r < 0.13) {
      const k = names[Math.floor(rnd() * names.length)]!;
      // Deletes cover the past only: like Prometheus, a tombstone also hides later samples in its range.
      const lo = Math.floor(rnd() * now), hi = Math.min(lo + Math.floor(rnd() * 3 * H), now - 1000);
      await db.deleteSeries([newMatcher('=', 'i', k)], lo, hi);
      const m = model.get(k);
      if (m) for (const t of [...m.keys()]) if (t >= lo && t <= hi) m.delete(t);
    } else if (r < 0.14) await db.cleanTombstones();
  }
  await check('end');
  await db.compact();
  await check('after final compaction');
  assert.ok(db.stats().blocks >= 2, `blocks: ${db.stats().blocks}`);
  await db.close();
  db = await openTSDB(opts);
  await check('final reopen');
  await db.close();
  Object.assign(tuning, saved);
});

test('head truncation waits for open queriers that still read the head', async () => {
  const dir = tmp();
  const db = await openTSDB({ dir, compactionIntervalMs: 0, blockRangeMs: H });
  const a = db.appender();
  for (let i = 0; i < 8 * 240; i++) a.append(0, labelsOf('__name__', 'w'), i * 15000, i);
  await a.commit();
  const q = db.querier(0, Infinity);
  const [s] = await q.select({ start: 0, end: Infinity }, [newMatcher('=', '__name__', 'w')]);
  const p = db.compact(); // persists blocks, then wants to truncate the head
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(s!.samples().t.length, 8 * 240, 'the open querier still sees everything');
  q.close();
  await p;
  assert.ok(db.stats().blocks >= 1);
  const q2 = db.querier(0, Infinity);
  const [s2] = await q2.select({ start: 0, end: Infinity }, [newMatcher('=', '__name__', 'w')]);
  assert.equal(s2!.samples().t.length, 8 * 240);
  q2.close();
  await db.close();
});
