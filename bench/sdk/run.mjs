#!/usr/bin/env node
// @vigil/sdk vs prom-client 15 vs @opentelemetry/sdk-metrics, side by side; each SDK and case
// runs in its own process (worker.mjs). Needs `npm run build` first.
//   node bench/sdk/run.mjs [--quick] [--wall] [--no-http] [--no-otel] [--no-floor] [--json]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const repo = fileURLToPath(new URL('../..', import.meta.url));
const worker = fileURLToPath(new URL('./worker.mjs', import.meta.url));
if (!existsSync(repo + '/packages/sdk/dist/index.js')) {
  console.error('bench sdk: packages/sdk/dist missing; run `npm run build` first');
  process.exit(1);
}
const require = createRequire(repo + '/package.json');
const has = (m) => {
  try {
    require.resolve(m);
    return true;
  } catch {
    return false;
  }
};
const sdks = ['vigil'];
if (has('prom-client')) sdks.push('prom-client');
else console.error('prom-client not installed: comparing nothing (npm install -D prom-client)');
if (!args.includes('--no-otel') && has('@opentelemetry/sdk-metrics') && has('@opentelemetry/exporter-prometheus')) sdks.push('otel');

const clock = args.includes('--wall') ? 'wall' : 'cpu';
function run(sdk, c, extra = [], env = {}) {
  const r = spawnSync(process.execPath, ['--expose-gc', worker, sdk, c, ...extra], { encoding: 'utf8', env: { ...process.env, BENCH_CLOCK: clock, ...env }, timeout: 120_000 });
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return { error: (r.stderr || r.stdout || 'no output').slice(0, 200) };
  }
}

const results = [];
const hot = [
  ['counter.inc (bound child)', 'counter_bound'],
  ['counter.inc (per-call labels, 100 combos)', 'counter_labels'],
  ["counter.labels('GET', route).inc() (positional, per call)", 'counter_positional'],
  ['histogram.observe (per-call labels, default buckets)', 'histogram_labels'],
  ['gauge.set', 'gauge_set'],
  ['summary.observe (10m window)', 'summary_observe'],
];
// Hand-written lower bound (no SDK): shown for reference in the hot-path and render tables.
if (!args.includes('--no-floor')) sdks.push('floor');
const fmtOps = (ns) => (ns == null ? 'n/a' : (1000 / ns).toFixed(ns < 10 ? 0 : 2) + 'M');
console.log(
  clock === 'wall'
    ? 'hot path: ops/s, wall clock (best of 5 rounds), higher is better'
    : 'hot path: ops per CPU-second (best of 5 rounds; process CPU time, robust to a shared machine; --wall for wall clock), higher is better',
);
console.log(pad('operation', 52) + sdks.map((s) => pad(s, 14)).join('') + 'vigil/prom-client');
for (const [label, c] of hot) {
  const row = {};
  for (const s of sdks) row[s] = run(s, c).nsPerOp ?? null;
  const ratio = row['prom-client'] && row.vigil ? (row['prom-client'] / row.vigil).toFixed(1) + 'x' : '';
  console.log(pad(label, 52) + sdks.map((s) => pad(fmtOps(row[s]), 14)).join('') + ratio);
  results.push({ case: c, nsPerOp: row });
}

console.log('\nexposition render: CPU ms (best of 5, includes UTF-8 encoding), bytes, heap bytes per series');
for (const n of quick ? [10000] : [10000, 100000]) {
  const row = {};
  for (const s of sdks) row[s] = run(s, 'render', [String(n)]);
  const ratio = row['prom-client']?.ms && row.vigil?.ms ? (row['prom-client'].ms / row.vigil.ms).toFixed(1) + 'x' : '';
  console.log(
    pad(`render ${n} series`, 24) +
      sdks.map((s) => pad(row[s].error ? 'error' : `${row[s].ms.toFixed(1)}ms ${(row[s].bytes / 1024).toFixed(0)}KiB` + (row[s].heapPerSeries == null ? '' : ` ${Math.round(row[s].heapPerSeries)}B/series`), 34)).join('') +
      ratio,
  );
  results.push({ case: 'render', series: n, ...row });
}

{
  const row = {};
  for (const s of ['none', ...sdks.filter((x) => x !== 'floor')]) row[s] = run(s, 'middleware').nsPerOp;
  const base = row.none;
  console.log('\nHTTP middleware CPU per request (in-process, fake req/res; instrumentation cost = total - none)');
  console.log(['none', ...sdks.filter((x) => x !== 'floor')].map((s) => `${s} ${Math.round(row[s])} ns` + (s === 'none' ? '' : ` (+${Math.round(row[s] - base)} ns)`)).join('   '));
  results.push({ case: 'middleware', nsPerOp: row });
}

if (!args.includes('--no-http')) {
  const ms = quick ? 1500 : 3000;
  console.log(`\nHTTP middleware (node:http on loopback, 16 connections, ${ms} ms, best of 2): req/s and p99`);
  const row = {};
  for (const s of ['none', ...sdks.filter((x) => x !== 'floor')]) {
    let best = null;
    for (let i = 0; i < 2; i++) {
      const r = run(s, 'http', [], { BENCH_HTTP_MS: String(ms) });
      if (!best || (r.rps ?? 0) > best.rps) best = r;
    }
    row[s] = best;
    console.log(
      pad(s === 'none' ? 'no instrumentation' : s, 24) +
        `${Math.round(best.rps ?? 0)} req/s  p50 ${best.p50Ms?.toFixed(2)} ms  p99 ${best.p99Ms?.toFixed(2)} ms  server CPU ${best.cpuUsPerReq?.toFixed(1)} µs/req`,
    );
  }
  results.push({ case: 'http', ...row });
}
console.log('\nnote: the machine may be shared; compare ratios within one run. Node ' + process.version);
if (args.includes('--json')) console.log(JSON.stringify(results));

function pad(s, n) {
  s = String(s);
  return s.length >= n ? s + ' ' : s + ' '.repeat(n - s.length);
}
