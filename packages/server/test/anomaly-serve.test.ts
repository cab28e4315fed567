// The running server: an anomaly job from vigil.yml writes vigil_anomaly_score and threshold
// bands that the query API returns, the explain API describes them, and the detector state
// survives a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startVigil } from './helpers/vigil-process.js';

const CONFIG = `
global:
  scrape_interval: 1h
anomaly:
  jobs:
    - name: synthetic
      expr: 'label_replace(vector(100 + (time() % 10)), "src", "demo", "", "")'
      interval: 1s
      labels: {team: qa}
`;

async function getJSON(url: string): Promise<{ status: string; data: unknown }> {
  const r = await fetch(url);
  return (await r.json()) as { status: string; data: unknown };
}

async function waitFor<T>(f: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('vigil serve runs anomaly jobs, serves scores and explanations, keeps state across restarts', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-anomaly-serve-'));
  const cfg = join(dir, 'vigil.yml');
  writeFileSync(cfg, CONFIG);
  const args = async () => ['--config.file', cfg, '--storage.tsdb.path', join(dir, 'data'), '--web.listen-address', `127.0.0.1:${await freePort()}`];
  let v = await startVigil(await args());
  try {
    const q = encodeURIComponent('vigil_anomaly_score{detector="ensemble", src="demo"}');
    const samples = await waitFor(async () => {
      const r = await getJSON(`${v.url}/api/v1/query?query=${q}`);
      const res = (r.data as { result: { metric: Record<string, string>; value: [number, string] }[] }).result;
      return res.length ? res : undefined;
    }, 20_000);
    assert.deepEqual(samples[0]!.metric, { __name__: 'vigil_anomaly_score', detector: 'ensemble', src: 'demo', team: 'qa' });
    const s = Number(samples[0]!.value[1]);
    assert.ok(s >= 0 && s <= 1);
    const ex = await getJSON(`${v.url}/api/v1/vigil/anomaly/explain?series=${encodeURIComponent('{src="demo"}')}`);
    assert.equal(ex.status, 'success');
    const items = ex.data as { job: string; detector: string; observed: number; labels: Record<string, string> }[];
    assert.equal(items.length, 1);
    assert.equal(items[0]!.job, 'synthetic');
    assert.equal(items[0]!.detector, 'ensemble');
    assert.ok(items[0]!.observed >= 100 && items[0]!.observed < 110);
    const bad = await fetch(`${v.url}/api/v1/vigil/anomaly/explain?series=${encodeURIComponent('rate(')}`);
    assert.equal(bad.status, 400);
    const jobs = await getJSON(`${v.url}/api/v1/vigil/anomaly/jobs`);
    assert.equal((jobs.data as { name: string; series: number }[])[0]!.series, 1);
    assert.equal(await v.stop(), 0);
    const state = join(dir, 'data', 'insight', 'anomaly-state.json');
    assert.ok(existsSync(state), 'state saved on shutdown');
    const saved = readFileSync(state, 'utf8').split('\n').filter(Boolean);
    assert.equal(saved.length, 2);
    const n0 = (JSON.parse(saved[1]!) as { series: { det: { state: { last: { n: number } } } } }).series.det.state.last.n;
    // Restart: the restored detector continues counting from the saved state.
    v = await startVigil(await args());
    const restored = await waitFor(async () => {
      const r = await getJSON(`${v.url}/api/v1/vigil/anomaly/jobs`);
      const j = (r.data as { series: number; lastEvaluation: number }[])[0]!;
      return j.lastEvaluation > 0 ? j : undefined;
    }, 20_000);
    assert.equal(restored.series, 1);
    assert.equal(await v.stop(), 0);
    const after = readFileSync(state, 'utf8').split('\n').filter(Boolean);
    const n1 = (JSON.parse(after[1]!) as { series: { det: { state: { last: { n: number } } } } }).series.det.state.last.n;
    assert.ok(n1 > n0, `sample count continued: ${n0} -> ${n1}`);
  } finally {
    await v.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
