// End-to-end: the `vigil serve` process — startup, health, reload (good and bad), shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVigil, freePort } from './helpers/vigil-process.js';

test('serve: health, ready, reload keeps running config on error, SIGTERM exits cleanly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  const cfg = join(dir, 'vigil.yml');
  writeFileSync(cfg, 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
  const port = await freePort();
  const v = await startVigil(['--config.file', cfg, '--storage.tsdb.path', join(dir, 'data'), '--web.listen-address', `127.0.0.1:${port}`]);
  try {
    assert.equal((await fetch(`${v.url}/-/healthy`)).status, 200);
    assert.equal((await fetch(`${v.url}/-/ready`)).status, 200);
    const c1 = (await (await fetch(`${v.url}/api/v1/status/config`)).json()) as { data: { yaml: string } };
    assert.match(c1.data.yaml, /scrape_configs: \[\]/);

    writeFileSync(cfg, 'global:\n  scrape_interval: 15s\nscrape_configs: []\nrule_files: []\n');
    assert.equal((await fetch(`${v.url}/-/reload`, { method: 'POST' })).status, 200);
    const c2 = (await (await fetch(`${v.url}/api/v1/status/config`)).json()) as { data: { yaml: string } };
    assert.match(c2.data.yaml, /rule_files/);

    writeFileSync(cfg, 'global:\n  scrape_interval: 15s\nhostagent:\n  enabled: maybe\n');
    const bad = await fetch(`${v.url}/-/reload`, { method: 'POST' });
    assert.equal(bad.status, 500);
    assert.match(await bad.text(), /vigil\.yml:4: hostagent\.enabled/);
    const ri = (await (await fetch(`${v.url}/api/v1/status/runtimeinfo`)).json()) as { data: { reloadConfigSuccess: boolean } };
    assert.equal(ri.data.reloadConfigSuccess, false);
    const c3 = (await (await fetch(`${v.url}/api/v1/status/config`)).json()) as { data: { yaml: string } };
    assert.match(c3.data.yaml, /rule_files/, 'previous config stays in force');

    process.kill(v.pid, 'SIGHUP'); // bad file again: logged, server keeps serving
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await fetch(`${v.url}/-/healthy`)).status, 200);
  } finally {
    const code = await v.stop();
    assert.equal(code, 0);
  }
  assert.match(v.stderr(), /see you next time/);
});

test('serve: a bad config file at startup exits non-zero naming file, line and field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  const cfg = join(dir, 'vigil.yml');
  writeFileSync(cfg, 'scrape_configs: []\nbogus: 1\n');
  const port = await freePort();
  const v = await startVigil(['--config.file', cfg, '--storage.tsdb.path', join(dir, 'data'), '--web.listen-address', `127.0.0.1:${port}`], { waitReady: false });
  const code = await v.exited;
  assert.equal(code, 1);
  assert.match(v.stderr(), /vigil\.yml:2: bogus: field bogus not found/);
});

test('serve with no config watches its host and itself; data survives a restart', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const args = ['--storage.tsdb.path', data, '--web.listen-address', `127.0.0.1:${port}`];
  const q = async (v: { url: string }, query: string, time?: number) => {
    const body = new URLSearchParams({ query, ...(time ? { time: String(time) } : {}) });
    const r = (await (await fetch(`${v.url}/api/v1/query`, { method: 'POST', body })).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    return r.data.result;
  };
  let v = await startVigil(args);
  let seenAt = 0;
  try {
    const deadline = Date.now() + 40_000;
    let up: Awaited<ReturnType<typeof q>> = [];
    while (Date.now() < deadline) {
      up = await q(v, 'up == 1');
      if (up.length === 2) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.deepEqual(up.map((s) => s.metric.job).sort(), ['node', 'vigil']);
    assert.ok((await q(v, 'count(node_cpu_seconds_total)'))[0]!.value[1] !== '0');
    assert.ok(Number((await q(v, 'node_memory_MemTotal_bytes'))[0]!.value[1]) > 0);
    assert.ok((await q(v, 'vigil_tsdb_head_series')).length === 1);
    seenAt = Date.now() / 1000;
  } finally {
    assert.equal(await v.stop(), 0);
  }
  v = await startVigil(args);
  try {
    const up = await q(v, 'up', seenAt);
    assert.equal(up.length, 2, 'samples written before the restart are queryable after it');
  } finally {
    assert.equal(await v.stop(), 0);
  }
});
