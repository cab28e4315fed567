import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importOpenMetrics } from './import.js';
import { openTSDB } from './db.js';
import { newMatcher } from '../model/matchers.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-import-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('import openmetrics writes aligned blocks that a TSDB serves', async () => {
  const dir = tmp();
  let text = '# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\n';
  for (let i = 0; i < 1000; i++) text += `http_requests_total{code="200"} ${i * 3} ${1_700_000_000 + i * 30}\n`;
  for (let i = 0; i < 1000; i++) text += `http_requests_total{code="500"} ${i} ${1_700_000_000 + i * 30}.5\n`;
  text += '# TYPE temp gauge\ntemp NaN 1700000000\ntemp -0.5 1700000015\n# EOF\n';
  const f = join(dir, 'in.om');
  writeFileSync(f, text);
  const out = join(dir, 'data');
  const r = await importOpenMetrics(f, out, { pieceBytes: 20_000 });
  assert.deepEqual(r.errors, []);
  assert.equal(r.samples, 2002);
  assert.equal(r.series, 3);
  for (const b of r.blocks) assert.equal(b.minTime % 7_200_000, 0);
  const db = await openTSDB({ dir: out, compactionIntervalMs: 0, retentionMs: 0 });
  const q = db.querier(0, Infinity);
  const ss = await q.select({ start: 0, end: Infinity }, [newMatcher('=~', '__name__', 'http_requests_total|temp')]);
  assert.deepEqual(ss.map((s) => s.samples().t.length), [1000, 1000, 2]);
  assert.equal(ss[1]!.samples().t[1], 1_700_000_030_500);
  assert.ok(Number.isNaN(ss[2]!.samples().v[0]));
  q.close();
  await db.close();
});

test('import reports bad lines with file:line and writes nothing', async () => {
  const dir = tmp();
  const f = join(dir, 'bad.om');
  writeFileSync(f, 'a 1 100\na 2 99\nb{x="1"} zz 100\nc 3\nd 4 100\n# EOF\n');
  const r = await importOpenMetrics(f, join(dir, 'data'));
  assert.equal(r.blocks.length, 0);
  assert.ok(r.errors.some((e) => e.startsWith(`${f}:2:`) && /out of order/.test(e)), r.errors.join('\n'));
  assert.ok(r.errors.some((e) => e.startsWith(`${f}:3:`)), r.errors.join('\n'));
  assert.ok(r.errors.some((e) => e.startsWith(`${f}:4:`) && /timestamp/.test(e)), r.errors.join('\n'));
  const r2 = await importOpenMetrics(f, join(dir, 'data'), { skipInvalid: true });
  assert.equal(r2.samples, 2);
  assert.equal(r2.blocks.length, 1);
});

test('line numbers stay right across file pieces', async () => {
  const dir = tmp();
  const f = join(dir, 'big.om');
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) lines.push(i === 2500 ? 'broken{ 1 100' : `m{i="${i % 7}"} ${i} ${1_700_000_000 + i * 15}`);
  writeFileSync(f, lines.join('\n') + '\n# EOF\n');
  const r = await importOpenMetrics(f, join(dir, 'data'), { pieceBytes: 10_000 });
  assert.equal(r.errors.length, 1, r.errors.join('\n'));
  assert.ok(r.errors[0]!.startsWith(`${f}:2501:`), r.errors[0]);
  assert.equal(r.samples, 2999);
});
