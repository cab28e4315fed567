// `vigil import openmetrics`, `vigil tsdb snapshot` and `vigil tsdb stats`, run in process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importOpenMetricsCommand } from '../src/cli/commands/import.js';
import { tsdbSnapshotCommand, tsdbStatsCommand } from '../src/cli/commands/tsdb.js';
import { openTSDB } from '../src/tsdb/index.js';
import { newMatcher } from '../src/model/matchers.js';

async function quiet<T>(fn: () => Promise<T>): Promise<{ r: T; out: string; err: string }> {
  const ow = process.stdout.write.bind(process.stdout), ew = process.stderr.write.bind(process.stderr);
  let out = '', err = '';
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { r: await fn(), out, err };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
}

test('import → snapshot → stats → restore', async () => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
  const f = join(d, 'in.om');
  let text = '# TYPE up gauge\n';
  for (let i = 0; i < 600; i++) text += `up{job="a"} 1 ${1_700_000_000 + i * 30}\n`;
  writeFileSync(f, text + '# EOF\n');
  const data = join(d, 'data');
  const imp = await quiet(() => importOpenMetricsCommand.run([f, data]));
  assert.equal(imp.r, 0, imp.err);
  assert.match(imp.out, /imported 600 samples of 1 series into \d+ block/);

  const bad = join(d, 'bad.om');
  writeFileSync(bad, 'up 1 100\nup{ 2 200\n# EOF\n');
  const impBad = await quiet(() => importOpenMetricsCommand.run([bad, join(d, 'data2')]));
  assert.equal(impBad.r, 1);
  assert.match(impBad.err, new RegExp(`${bad.replace(/[.]/g, '\\.')}:2: `));

  const snap = join(d, 'snap');
  const s = await quiet(() => tsdbSnapshotCommand.run(['--storage.tsdb.path', data, snap]));
  assert.equal(s.r, 0, s.err);
  assert.ok(readdirSync(snap).length >= 1);

  const st = await quiet(() => tsdbStatsCommand.run([`--storage.tsdb.path=${snap}`]));
  assert.equal(st.r, 0, st.err);
  const j = JSON.parse(st.out) as { blocks: { numSamples: number }[] };
  assert.equal(j.blocks.reduce((a, b) => a + b.numSamples, 0), 600);

  const missing = await quiet(() => tsdbStatsCommand.run(['--storage.tsdb.path', join(d, 'nope')]));
  assert.equal(missing.r, 1);
  assert.match(missing.err, /does not exist/);

  const db = await openTSDB({ dir: snap, compactionIntervalMs: 0, retentionMs: 0 });
  const q = db.querier(0, Infinity);
  const ss = await q.select({ start: 0, end: Infinity }, [newMatcher('=', '__name__', 'up')]);
  assert.equal(ss[0]!.samples().t.length, 600);
  q.close();
  await db.close();
  rmSync(d, { recursive: true, force: true });
});
