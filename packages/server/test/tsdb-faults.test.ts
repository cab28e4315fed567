// Bad input on disk: a corrupt WAL segment, truncated block files and a full disk (ENOSPC
// injected through the TSDB's fs seam). Each must give a clear error and keep the rest.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTSDB, tsdbIO, type TSDB } from '../src/tsdb/index.js';
import { labelsOf } from '../src/model/labels.js';
import { newMatcher } from '../src/model/matchers.js';
import { createLogger } from '../src/util/log.js';
import { AppendError } from '../src/storage/interface.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-fault-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function capture() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }) };
}

async function write(db: TSDB, from: number, to: number, series = 10): Promise<void> {
  const refs: number[] = [];
  for (let t = from; t < to; t += 15000) {
    const a = db.appender();
    for (let s = 0; s < series; s++) refs[s] = a.append(refs[s] ?? 0, labelsOf('__name__', 'm', 's', String(s)), t, t / 1000 + s);
    await a.commit();
  }
}

async function count(db: TSDB, name = 'm'): Promise<Map<string, number>> {
  const q = db.querier(-Infinity, Infinity);
  const ss = await q.select({ start: -Infinity, end: Infinity }, [newMatcher('=', '__name__', name)]);
  const out = new Map(ss.map((s) => [s.labels.find((l) => l.name === 's')!.value, s.samples().t.length]));
  q.close();
  return out;
}

test('corrupt WAL segment: reported, cut, later segments and writes still work', async () => {
  const dir = tmp();
  let db = await openTSDB({ dir, walSegmentBytes: 4 * 1024, compactionIntervalMs: 0 });
  await write(db, 0, 200 * 15000);
  await db.close();
  const walDir = join(dir, 'wal');
  const segs = readdirSync(walDir).filter((f) => /^\d+$/.test(f)).sort();
  assert.ok(segs.length >= 4, `segments: ${segs}`);
  // Flip bytes in the middle of the second segment.
  const victim = join(walDir, segs[1]!);
  const buf = readFileSync(victim);
  for (let i = 0; i < 16; i++) buf[Math.floor(buf.length / 2) + i] ^= 0xff;
  writeFileSync(victim, buf);
  const { lines, logger } = capture();
  db = await openTSDB({ dir, walSegmentBytes: 8 * 1024, compactionIntervalMs: 0, logger });
  const st = db.stats();
  assert.equal(st.walCorruptions, 1);
  assert.ok(lines.some((l) => /WAL corruption/.test(l) && l.includes(segs[1]!) && /checksum|torn|undecodable|unknown/.test(l)), lines.join('\n'));
  assert.ok(statSync(victim).size < buf.length, 'corrupt tail cut off');
  const c = await count(db);
  assert.equal(c.size, 10);
  for (const n of c.values()) {
    assert.ok(n > 0 && n < 200, `partial data kept: ${n}`);
    assert.ok(n >= 200 - (200 * 10 * 20) / (4 * 1024) * 2, `most data kept: ${n}`);
  }
  // Still accepts writes, and a second open is clean.
  await write(db, 200 * 15000, 210 * 15000);
  await db.close();
  db = await openTSDB({ dir, compactionIntervalMs: 0 });
  assert.equal(db.stats().walCorruptions, 0);
  await db.close();
});

test('torn WAL tail (partial record) is cut without losing earlier records', async () => {
  const dir = tmp();
  let db = await openTSDB({ dir, compactionIntervalMs: 0 });
  await write(db, 0, 50 * 15000);
  await db.close();
  const walDir = join(dir, 'wal');
  const last = readdirSync(walDir).filter((f) => /^\d+$/.test(f)).sort().filter((f) => statSync(join(walDir, f)).size > 0).pop()!;
  const size = statSync(join(walDir, last)).size;
  truncateSync(join(walDir, last), size - 7);
  db = await openTSDB({ dir, compactionIntervalMs: 0 });
  assert.equal(db.stats().walCorruptions, 1);
  const c = await count(db);
  for (const n of c.values()) assert.ok(n >= 49, `${n}`);
  await db.close();
});

test('truncated block files: that block is skipped with a clear error, the rest is served', async () => {
  const dir = tmp();
  let db = await openTSDB({ dir, compactionIntervalMs: 0, blockRangeMs: 3600_000, maxBlockRangeMs: 3600_000 });
  await write(db, 0, 6 * 3600_000);
  await db.compact();
  const blocks = db.blocks.map((b) => b.meta.ulid);
  assert.ok(blocks.length >= 3, `${blocks}`);
  const before = await count(db);
  await db.close();
  const chunkFile = join(dir, blocks[0]!, 'chunks', '000001');
  truncateSync(chunkFile, statSync(chunkFile).size - 10);
  const indexFile = join(dir, blocks[1]!, 'index');
  truncateSync(indexFile, statSync(indexFile).size - 100);
  const { lines, logger } = capture();
  db = await openTSDB({ dir, compactionIntervalMs: 0, blockRangeMs: 3600_000, logger });
  assert.equal(db.stats().corruptBlocks, 2);
  assert.ok(lines.some((l) => l.includes(blocks[0]!) && /chunks\/000001.*expected/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => l.includes(blocks[1]!) && /index/.test(l)), lines.join('\n'));
  const after = await count(db);
  for (const [k, n] of after) assert.equal(n, before.get(k)! - 2 * 240, 'two 1h blocks of 240 samples missing, the rest kept');
  await db.close();
});

test('damaged chunk page inside a block fails the query with an error naming the block', async () => {
  const dir = tmp();
  let db = await openTSDB({ dir, compactionIntervalMs: 0, blockRangeMs: 3600_000 });
  await write(db, 0, 4 * 3600_000);
  await db.compact();
  const id = db.blocks[0]!.meta.ulid;
  await db.close();
  const f = join(dir, id, 'chunks', '000001');
  const b = readFileSync(f);
  b[b.length - 20] ^= 0x55;
  writeFileSync(f, b);
  db = await openTSDB({ dir, compactionIntervalMs: 0, blockRangeMs: 3600_000 });
  const q = db.querier(0, Infinity);
  const ss = await q.select({ start: 0, end: Infinity }, [newMatcher('=', '__name__', 'm')]);
  assert.throws(() => ss[0]!.samples(), (e: Error) => e.message.includes(id) && /checksum/.test(e.message));
  q.close();
  await db.close();
});

test('disk full: commit fails with a clear error, nothing half-written, recovers when space returns', async () => {
  const dir = tmp();
  const { lines, logger } = capture();
  let db = await openTSDB({ dir, compactionIntervalMs: 0, logger });
  await write(db, 0, 20 * 15000);
  const orig = tsdbIO.writeSync;
  let budget = 100; // bytes the "disk" still takes
  tsdbIO.writeSync = (fd, buf, off, len, pos) => {
    if (budget <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const n = Math.min(len, budget);
    budget -= n;
    return orig(fd, buf, off, n, pos);
  };
  try {
    const a = db.appender();
    for (let s = 0; s < 10; s++) a.append(0, labelsOf('__name__', 'm', 's', String(s)), 20 * 15000, 1);
    await assert.rejects(a.commit(), (e: unknown) => e instanceof AppendError && e.kind === 'storage_full' && /no space left on device/.test(e.message));
    assert.ok(lines.some((l) => /commit failed/.test(l)));
    // New series are refused while the disk is full.
    const b = db.appender();
    assert.throws(() => b.append(0, labelsOf('__name__', 'other'), 20 * 15000, 1), (e: unknown) => e instanceof AppendError && e.kind === 'storage_full');
    // Head compaction to a block fails too; the head keeps its data.
    await write(db, 21 * 15000, 22 * 15000).catch(() => {});
  } finally {
    tsdbIO.writeSync = orig;
  }
  const c = await count(db);
  for (const n of c.values()) assert.equal(n, 20, 'failed commit not visible');
  await write(db, 20 * 15000, 30 * 15000);
  await db.close();
  db = await openTSDB({ dir, compactionIntervalMs: 0 });
  const c2 = await count(db);
  for (const n of c2.values()) assert.equal(n, 30);
  await db.close();
});

test('disk full during block write: compaction fails, head data kept, retry succeeds', async () => {
  const dir = tmp();
  const { lines, logger } = capture();
  const db = await openTSDB({ dir, compactionIntervalMs: 0, blockRangeMs: 3600_000, logger });
  await write(db, 0, 3 * 3600_000);
  const orig = tsdbIO.writeFileSync;
  const origW = tsdbIO.writeSync;
  tsdbIO.writeSync = () => { throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }); };
  try {
    await assert.rejects(db.compact(), /ENOSPC|no space/);
  } finally {
    tsdbIO.writeSync = origW;
    tsdbIO.writeFileSync = orig;
  }
  assert.ok(lines.some((l) => /compaction failed/.test(l)));
  assert.equal(db.stats().blocks, 0);
  assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')), 'no temp block left');
  const c = await count(db);
  for (const n of c.values()) assert.equal(n, 720);
  await db.compact();
  assert.ok(db.stats().blocks >= 1);
  const c2 = await count(db);
  for (const n of c2.values()) assert.equal(n, 720);
  await db.close();
});

test('a Prometheus data directory is refused, not "repaired"', async (t) => {
  const { findPeer } = await import('../src/testing/peers.js');
  const { spawnSync } = await import('node:child_process');
  const peer = findPeer('promtool');
  if (!peer.path) return t.skip(peer.skip);
  const dir = tmp();
  const om = join(dir, 'in.om');
  writeFileSync(om, 'up 1 1700000000\n# EOF\n');
  const r = spawnSync(peer.path, ['tsdb', 'create-blocks-from', 'openmetrics', '-q', om, join(dir, 'prom')]);
  assert.equal(r.status, 0, String(r.stderr));
  // What a Prometheus server leaves behind besides blocks.
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'prom', 'chunks_head'));
  mkdirSync(join(dir, 'prom', 'wal'));
  writeFileSync(join(dir, 'prom', 'wal', '00000000'), Buffer.alloc(100, 7));
  await assert.rejects(openTSDB({ dir: join(dir, 'prom') }), /looks like a Prometheus data directory/);
  assert.equal(statSync(join(dir, 'prom', 'wal', '00000000')).size, 100, 'their WAL untouched');
});
