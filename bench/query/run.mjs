#!/usr/bin/env node
// Query latency, side by side: the same generated data (node/HTTP counters, gauges, classic
// histograms, a high-cardinality path counter) imported into Vigil (`vigil import openmetrics`)
// and into Debian's Prometheus 2.42 (`promtool tsdb create-blocks-from openmetrics`); a
// dashboard/alert query set over 1h and 24h ranges runs interleaved against both; prints the
// median latency per query and the ratio Vigil/Prometheus.
//   node bench/query/run.mjs [--instances 10] [--paths 50] [--hours 24] [--reps 7]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';

const repo = new URL('../../', import.meta.url).pathname;
const arg = (n, d) => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const instances = arg('instances', 10), paths = arg('paths', 50), hours = arg('hours', 24), reps = arg('reps', 7);
const { generateDataset, writeOpenMetrics } = await import(join(repo, 'packages/server/dist/test/differential/dataset.js'));

const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
async function waitReady(url) {
  for (let i = 0; i < 600; i++) {
    try { if ((await fetch(`${url}/-/ready`)).status === 200) return; } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready`);
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-query-'));
const procs = [];
try {
  const ds = generateDataset({ hours, instances, paths });
  const samples = ds.series.reduce((n, s) => n + s.t.length, 0);
  console.log(`data: ${ds.series.length} series, ${samples} samples over ${hours}h`);
  const om = join(dir, 'data.om');
  writeOpenMetrics(ds, om);
  execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, join(dir, 'prom')], { stdio: 'ignore' });
  execFileSync(process.execPath, [join(repo, 'packages/server/bin/vigil.js'), 'import', 'openmetrics', om, join(dir, 'vigil')], { stdio: 'ignore' });
  rmSync(om);
  writeFileSync(join(dir, 'empty.yml'), 'global: {}\n');
  const pp = await freePort(), vp = await freePort();
  procs.push(spawn('prometheus', [`--config.file=${join(dir, 'empty.yml')}`, `--storage.tsdb.path=${join(dir, 'prom')}`, `--web.listen-address=127.0.0.1:${pp}`, '--storage.tsdb.retention.time=100y'], { stdio: 'ignore' }));
  procs.push(spawn(process.execPath, [join(repo, 'packages/server/bin/vigil.js'), 'serve', `--config.file=${join(dir, 'empty.yml')}`, `--storage.tsdb.path=${join(dir, 'vigil')}`, `--web.listen-address=127.0.0.1:${vp}`, '--storage.tsdb.retention.time=100y', '--log.level=warn'], { stdio: 'ignore' }));
  const P = `http://127.0.0.1:${pp}`, V = `http://127.0.0.1:${vp}`;
  await Promise.all([waitReady(P), waitReady(V)]);

  const queries = [
    'sum by (instance) (rate(http_requests_total[5m]))',
    'sum(rate(http_path_requests_total[5m]))',
    'topk(5, sum by (path) (rate(http_path_requests_total[5m])))',
    'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))',
    'histogram_quantile(0.9, sum by (le, instance) (rate(http_request_duration_seconds_bucket[5m])))',
    'avg_over_time(node_load1[10m])',
    'max_over_time(node_memory_MemAvailable_bytes[1h])',
    'sum(rate(http_path_requests_total{path=~"/api/v1/item/1.*"}[5m]))',
    'count by (job) (http_path_requests_total)',
    'sum without (path) (increase(http_path_requests_total[1h]))',
    'node_load1 > 0.5',
    'rate(http_requests_total{status=~"5.."}[5m]) / ignoring(status) group_left sum without (status) (rate(http_requests_total[5m]))',
  ];
  const endS = ds.endMs / 1000;
  const windows = [{ name: '1h', range: 3600, step: 15 }, { name: '24h', range: 86400, step: 300 }].filter((w) => w.range <= hours * 3600);
  const run = async (base, q, w) => {
    const body = new URLSearchParams({ query: q, start: String(endS - w.range), end: String(endS), step: String(w.step) });
    const t0 = process.hrtime.bigint();
    const r = await fetch(`${base}/api/v1/query_range`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const j = await r.json();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (j.status !== 'success') throw new Error(`${base} ${q}: ${j.error}`);
    return ms;
  };
  const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
  const rows = [];
  for (const w of windows) {
    for (const q of queries) {
      for (let i = 0; i < 3; i++) { await run(P, q, w); await run(V, q, w); } // warm-up, same for both (JIT, caches)
      const pt = [], vt = [];
      for (let i = 0; i < reps; i++) {
        if (i % 2) { pt.push(await run(P, q, w)); vt.push(await run(V, q, w)); }
        else { vt.push(await run(V, q, w)); pt.push(await run(P, q, w)); }
      }
      rows.push({ w: w.name, q, p: median(pt), v: median(vt) });
    }
  }
  console.log(`\n| range | query | Prometheus ms | Vigil ms | Vigil/Prometheus |\n|---|---|---:|---:|---:|`);
  for (const r of rows) console.log(`| ${r.w} | \`${r.q}\` | ${r.p.toFixed(1)} | ${r.v.toFixed(1)} | ${(r.v / r.p).toFixed(2)} |`);
  const ratios = rows.map((r) => r.v / r.p);
  console.log(`\nmedian ratio ${median(ratios).toFixed(2)}, worst ${Math.max(...ratios).toFixed(2)} (${rows.length} query/range pairs, ${reps} interleaved reps each)`);
} finally {
  for (const p of procs) p.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dir, { recursive: true, force: true });
}
