import { test } from 'node:test';
import assert from 'node:assert/strict';
import cluster from 'node:cluster';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry } from './index.js';

test('aggregate: sums by series; per-metric aggregators; omit', async () => {
  const workers = [1, 2, 3].map((i) => {
    const r = new Registry();
    new Counter({ name: 'req_total', help: 'h', labelNames: ['code'], registers: [r] }).inc({ code: 200 }, i);
    new Gauge({ name: 'max_mem', help: 'h', aggregator: 'max', registers: [r] }).set(i * 10);
    new Gauge({ name: 'ver', help: 'h', aggregator: 'first', registers: [r] }).set(i);
    new Gauge({ name: 'hidden', help: 'h', aggregator: 'omit', registers: [r] }).set(1);
    const h = new Histogram({ name: 'lat', help: 'h', buckets: [1], registers: [r] });
    h.observe(i / 2);
    return r.getMetricsAsJSON();
  });
  const text = await AggregatorRegistry.aggregate(await Promise.all(workers)).metrics();
  assert.match(text, /^req_total\{code="200"\} 6$/m);
  assert.match(text, /^max_mem 30$/m);
  assert.match(text, /^ver 1$/m);
  assert.doesNotMatch(text, /hidden/);
  assert.match(text, /^lat_bucket\{le="1"\} 2$/m);
  assert.match(text, /^lat_bucket\{le="\+Inf"\} 3$/m);
  assert.match(text, /^lat_count 3$/m);
});

test('clusterMetrics: the primary aggregates live workers over IPC', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sdk-cluster-'));
  // Compiled tests import dist/index.js; under tsx (npm run test:fast) workers load the sources through tsx too.
  const fromSrc = import.meta.url.endsWith('.ts');
  const sdk = new URL(fromSrc ? './index.ts' : './index.js', import.meta.url).href;
  const script = join(dir, 'worker.mjs');
  writeFileSync(
    script,
    `import { Counter } from ${JSON.stringify(sdk)};
     const c = new Counter({ name: 'jobs_total', help: 'Jobs.', labelNames: ['kind'] });
     c.inc({ kind: 'a' }, Number(process.env.N));
     process.send({ ready: true });`,
  );
  cluster.setupPrimary({ exec: script, silent: true, execArgv: fromSrc ? ['--import', 'tsx'] : [] });
  const agg = new AggregatorRegistry();
  const ws = [2, 5].map((n) => cluster.fork({ N: String(n) }));
  try {
    await Promise.all(ws.map((w) => new Promise<void>((res) => w.once('message', () => res()))));
    const text = await agg.clusterMetrics();
    assert.match(text, /^jobs_total\{kind="a"\} 7$/m);
  } finally {
    for (const w of ws) w.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
