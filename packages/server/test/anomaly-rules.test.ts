// The shipped example alerting rules on anomaly outputs load and behave as documented, in
// Prometheus's promtool and in Vigil's own rule tester.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { findPeer } from '../src/testing/peers.js';
import { vigilBin } from './helpers/vigil-process.js';

function examples(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++, d = dirname(d)) if (existsSync(join(d, 'docs', 'examples', 'anomaly-rules.yml'))) return join(d, 'docs', 'examples');
  throw new Error('docs/examples not found');
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, encoding: 'utf8', timeout: 60_000 }, (e, out, err) => resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out: out + err }));
  });
}

const promtool = findPeer('promtool');

test('promtool checks and unit-tests the example anomaly rules', { skip: promtool.skip }, async () => {
  const dir = examples();
  const c = await run(promtool.path!, ['check', 'rules', 'anomaly-rules.yml'], dir);
  assert.equal(c.code, 0, c.out);
  const t = await run(promtool.path!, ['test', 'rules', 'anomaly-rules.test.yml'], dir);
  assert.equal(t.code, 0, t.out);
});

test('vigil checks and unit-tests the example anomaly rules', async () => {
  const dir = examples();
  const c = await run(process.execPath, [vigilBin(), 'check', 'rules', 'anomaly-rules.yml'], dir);
  assert.equal(c.code, 0, c.out);
  const t = await run(process.execPath, [vigilBin(), 'test', 'rules', 'anomaly-rules.test.yml'], dir);
  assert.equal(t.code, 0, t.out);
  assert.match(t.out, /SUCCESS/);
});
