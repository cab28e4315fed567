#!/usr/bin/env node
// TSDB benchmark: Vigil vs Prometheus 2.42 and VictoriaMetrics (Debian) on the same generated data set.
//   node bench/tsdb/run.mjs [--series=10000] [--hours=24] [--quick] [--no-prometheus] [--no-vm] [--no-append]
// Needs a build (npm run build). Prints a table; bounded to a few minutes on 2 cores.
import { mkdtempSync, rmSync, readdirSync, statSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { makeDataset, omLine, omPrefix } from './gen.mjs';

const here = new URL('.', import.meta.url).pathname;
const dist = join(here, '../../packages/server/dist/src/tsdb/index.js');
if (!existsSync(dist)) { console.error('build first: npm run build'); process.exit(1); }
const { openTSDB } = await import(dist);

const args = Object.fromEntries(process.argv.slice(2).map((a) => { const [k, v] = a.replace(/^--/, '').split('='); return [k, v ?? 'true']; }));
const quick = args.quick === 'true';
const SERIES = Number(args.series ?? (quick ? 2000 : 10000));
const HOURS = Number(args.hours ?? (quick ? 8 : 24));
const INTERVAL = 15000;
const STEPS = (HOURS * 3600000) / INTERVAL;
const WINDOW = 7200000 / INTERVAL; // steps per 2h
const withProm = args.prometheus !== 'false' && args['no-prometheus'] !== 'true';
const withAppend = args['no-append'] !== 'true';
const withVM = args['no-vm'] !== 'true';
const which = (b) => { try { return execFileSync('sh', ['-c', `command -v ${b}`], { encoding: 'utf8' }).trim(); } catch { return ''; } };
const promtool = which('promtool'), prometheus = which('prometheus'), vmBin = which('victoria-metrics');

const work = mkdtempSync(join(tmpdir(), 'vigil-bench-tsdb-'));
const rows = [];
const log = (...a) => console.error('[tsdb-bench]', ...a);

function dirBytes(d) {
  let n = 0;
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}
/** Bytes and samples of all blocks (ULID dirs with meta.json) under d. */
function blockTotals(d) {
  let bytes = 0, samples = 0, blocks = 0;
  const levels = [];
  for (const e of readdirSync(d, { withFileTypes: true })) {
    if (!e.isDirectory() || !/^[0-9A-Z]{26}$/.test(e.name)) continue;
    const m = JSON.parse(readFileSync(join(d, e.name, 'meta.json'), 'utf8'));
    bytes += dirBytes(join(d, e.name));
    samples += m.stats.numSamples;
    blocks++;
    levels.push(`${Math.round((m.maxTime - m.minTime) / 3600000)}h`);
  }
  return { bytes, samples, blocks, ranges: levels.sort().join(' ') };
}

// ---------------------------------------------------------------- data set, Vigil ingest, promtool
const start = Math.floor((Date.now() - (HOURS + 2) * 3600000) / 7200000) * 7200000;
const ds = makeDataset({ series: SERIES, intervalMs: INTERVAL, start });
log(`data set: ${ds.n} series x ${STEPS} steps (${HOURS}h @15s) = ${(ds.n * STEPS / 1e6).toFixed(1)}M samples; work dir ${work}`);
const vdir = join(work, 'vigil');
const pdir = join(work, 'prom');
// Same compaction ceiling as Prometheus with its default 15d retention (10% = 36h).
const db = await openTSDB({ dir: vdir, compactionIntervalMs: 0, retentionMs: 0, maxBlockRangeMs: 36 * 3600000 });
const prefixes = ds.labels.map(omPrefix);
const vm = withVM && vmBin ? await startVM() : null;
let vmMs = 0;
const refs = new Float64Array(ds.n);
const hostSeries = Array.from({ length: ds.hosts }, () => []);
for (let i = 0; i < ds.n; i++) hostSeries[ds.host[i]].push(i);
const mat = new Float64Array(ds.n * WINDOW);
let ingestMs = 0, promtoolMs = 0, genMs = 0, omBytes = 0;
const promJobs = new Set();
function runPromtool(f) {
  return new Promise((res) => {
    const p0 = performance.now();
    const p = spawn(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', '-q', f, pdir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (b) => (err += b));
    p.on('exit', (code) => {
      promtoolMs += performance.now() - p0;
      rmSync(f, { force: true });
      if (code !== 0) { log('promtool failed:', err.slice(0, 500)); process.exit(1); }
      res();
    });
  });
}
for (let w = 0; w * WINDOW < STEPS; w++) {
  const steps = Math.min(WINDOW, STEPS - w * WINDOW);
  for (let s = 0; s < steps; s++) {
    const k = w * WINDOW + s;
    let g0 = performance.now();
    ds.step(k);
    for (let i = 0; i < ds.n; i++) mat[i * WINDOW + s] = ds.val[i];
    genMs += performance.now() - g0;
    const t0 = performance.now();
    for (let h = 0; h < ds.hosts; h++) {
      const a = db.appender();
      const t = ds.ts(h, k);
      for (const i of hostSeries[h]) refs[i] = a.append(refs[i], ds.labels[i], t, ds.val[i]);
      await a.commit();
    }
    ingestMs += performance.now() - t0;
  }
  const c0 = performance.now();
  await db.compact();
  ingestMs += performance.now() - c0;
  if (withProm && promtool) {
    // Series-major OpenMetrics for this 2h window.
    const f = join(work, `w${w}.om`);
    const fd = openSync(f, 'w');
    let buf = '';
    for (let i = 0; i < ds.n; i++) {
      const h = ds.host[i];
      for (let s = 0; s < steps; s++) buf += omLine(prefixes[i], mat[i * WINDOW + s], ds.ts(h, w * WINDOW + s));
      if (buf.length > 1 << 22) { omBytes += writeSync(fd, buf); buf = ''; }
    }
    buf += '# EOF\n';
    omBytes += writeSync(fd, buf);
    closeSync(fd);
    // promtool runs in the background (two at a time) while Vigil ingests the next window.
    while (promJobs.size >= 2) await Promise.race(promJobs);
    const job = runPromtool(f).finally(() => promJobs.delete(job));
    promJobs.add(job);
  }
  if (vm) {
    // Prometheus text with ms timestamps to VictoriaMetrics' import API, ~16 MB per request.
    const v0 = performance.now();
    let body = '';
    for (let i = 0; i < ds.n; i++) {
      const h = ds.host[i];
      for (let s = 0; s < steps; s++) body += `${prefixes[i]} ${mat[i * WINDOW + s]} ${ds.ts(h, w * WINDOW + s)}\n`;
      if (body.length > 16 << 20) { await vmPost(vm, body); body = ''; }
    }
    if (body) await vmPost(vm, body);
    vmMs += performance.now() - v0;
  }
  log(`window ${w + 1}/${Math.ceil(STEPS / WINDOW)} done`);
}
await Promise.all(promJobs);
// Final compaction rounds (the server's timer would do this).
for (let i = 0; i < 5; i++) await db.compact();
const vst = db.stats();
const vb = blockTotals(vdir);
const totalSamples = ds.n * STEPS;
rows.push(['ingest (generate excluded)', `${(totalSamples / (ingestMs / 1000) / 1e6).toFixed(2)}M samples/s incl. WAL+compaction`, promtoolMs > 0 ? `promtool ${((totalSamples) / (promtoolMs / 1000) / 1e6).toFixed(2)}M samples/s (2 in parallel)` : '-', '']);

let prom2h = null, promC = null;
if (withProm && promtool) {
  prom2h = blockTotals(pdir);
  if (prometheus) promC = await compactWithPrometheus(pdir);
}
let vmRes = null;
if (vm) vmRes = await finishVM(vm, totalSamples);
const bps = (t) => (t ? (t.bytes / t.samples).toFixed(3) : '-');
rows.push(['bytes/sample, 2h blocks', `Vigil n/a`, prom2h ? `${bps(prom2h)} (${prom2h.blocks} blocks)` : '-', '']);
rows.push([
  'bytes/sample after compaction',
  `${bps(vb)} (${vb.ranges}; ${(vb.samples / 1e6).toFixed(1)}M samples in blocks)`,
  promC ? `${bps(promC)} (${promC.ranges}; ${(promC.samples / 1e6).toFixed(1)}M)` : '-',
  promC ? `${(vb.bytes / vb.samples / (promC.bytes / promC.samples)).toFixed(2)}x` : prom2h ? `${(vb.bytes / vb.samples / (prom2h.bytes / prom2h.samples)).toFixed(2)}x (vs 2h)` : '',
]);

if (vmRes) rows.push(['VictoriaMetrics bytes/sample (merged)', `data ${(vmRes.data / totalSamples).toFixed(3)}, +indexdb ${((vmRes.data + vmRes.index) / totalSamples).toFixed(3)}`, '', `Vigil/VM ${(vb.bytes / vb.samples / ((vmRes.data + vmRes.index) / totalSamples)).toFixed(2)}x`]);

// ---------------------------------------------------------------- select throughput
const maxT = ds.ts(0, STEPS - 1) + 60000;
const { newMatcher } = await import(join(here, '../../packages/server/dist/src/model/matchers.js'));
async function selectRate(rangeMs, reps) {
  let best = Infinity, n = 0;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const q = db.querier(maxT - rangeMs, maxT);
    const ss = await q.select({ start: maxT - rangeMs, end: maxT }, [newMatcher('=~', '__name__', '.+')]);
    n = 0;
    for (const s of ss) n += s.samples().t.length;
    q.close();
    best = Math.min(best, performance.now() - t0);
  }
  return { n, rate: n / (best / 1000) };
}
const s1 = await selectRate(3600000, 3);
rows.push([`select 1h, ${ds.n} series`, `${(s1.rate / 1e6).toFixed(1)}M samples/s (${(s1.n / 1e6).toFixed(2)}M samples)`, '-', '']);
const s24 = await selectRate(HOURS * 3600000, 1);
rows.push([`select ${HOURS}h, ${ds.n} series`, `${(s24.rate / 1e6).toFixed(1)}M samples/s (${(s24.n / 1e6).toFixed(1)}M samples)`, '-', '']);
await db.close();

// ---------------------------------------------------------------- append throughput & head memory
if (withAppend) {
  for (const [n, s] of quick ? [[100000, 10]] : [[100000, 30], [1000000, 8]]) {
    const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=6000', join(here, 'append.mjs'), String(n), String(s)], { encoding: 'utf8' });
    if (r.status !== 0) { log(`append bench ${n} failed`, r.stderr.slice(0, 400)); continue; }
    const j = JSON.parse(r.stdout.trim().split('\n').pop());
    rows.push([`append, ${n / 1000}k series (1 core, WAL on)`, `${(j.appendSamplesPerSec / 1e6).toFixed(2)}M samples/s; new series ${(j.createSeriesPerSec / 1e3).toFixed(0)}k/s`, '-', '']);
    rows.push([`head memory, ${n / 1000}k series`, `${j.headBytesPerSeries} B/series (${s} samples each)`, '-', '']);
  }
}

// ---------------------------------------------------------------- report
const w0 = Math.max(...rows.map((r) => r[0].length)), w1 = Math.max(...rows.map((r) => r[1].length)), w2 = Math.max(...rows.map((r) => r[2].length));
console.log(`\nTSDB bench: ${ds.n} series, ${HOURS}h at 15s (${(totalSamples / 1e6).toFixed(1)}M samples), OpenMetrics ${(omBytes / 1e9).toFixed(2)} GB`);
console.log(`${'metric'.padEnd(w0)} | ${'Vigil'.padEnd(w1)} | ${'Prometheus 2.42'.padEnd(w2)} | Vigil/Prom`);
console.log(`${'-'.repeat(w0)}-+-${'-'.repeat(w1)}-+-${'-'.repeat(w2)}-+-----------`);
for (const r of rows) console.log(`${r[0].padEnd(w0)} | ${r[1].padEnd(w1)} | ${r[2].padEnd(w2)} | ${r[3]}`);
console.log(`Vigil stats: ${JSON.stringify({ blocks: vst.blocks, compactions: vst.compactions, headCompactions: vst.headCompactions, compactionDurationsMs: vst.compactionDurationsMs.slice(-5) })}`);
if (args.keep !== 'true') rmSync(work, { recursive: true, force: true });

async function startVM() {
  const port = await freePort();
  const d = join(work, 'vm');
  const p = spawn(vmBin, [`-storageDataPath=${d}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=100y', '-loggerLevel=ERROR'], { stdio: ['ignore', 'ignore', 'pipe'] });
  p.stderr.on('data', () => {});
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${url}/health`)).ok) return { p, url, d }; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  p.kill('SIGKILL');
  log('victoria-metrics did not start; skipping it');
  return null;
}
async function vmPost(vm, body) {
  const r = await fetch(`${vm.url}/api/v1/import/prometheus`, { method: 'POST', body });
  if (!r.ok) throw new Error(`victoria-metrics import: ${r.status} ${await r.text()}`);
}
/** Flushes and force-merges VictoriaMetrics, then measures its data and index sizes. */
async function finishVM(vm, expected) {
  await fetch(`${vm.url}/internal/force_flush`).catch(() => {});
  await new Promise((r) => setTimeout(r, 3000));
  // Check that everything arrived.
  const q = await fetch(`${vm.url}/api/v1/series/count`).then((r) => r.json()).catch(() => null);
  log('victoria-metrics series:', JSON.stringify(q?.data ?? null), 'samples sent', expected);
  const months = new Set();
  for (let t = start; t <= start + HOURS * 3600000; t += 86400000) { const d = new Date(t); months.add(`${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`); }
  for (const m of months) await fetch(`${vm.url}/internal/force_merge?partition_prefix=${m}`).catch(() => {});
  let last = -1;
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 3000));
    const sz = dirBytes(join(vm.d, 'data'));
    if (sz === last) break;
    last = sz;
  }
  const res = { data: dirBytes(join(vm.d, 'data')), index: dirBytes(join(vm.d, 'indexdb')) };
  vm.p.kill('SIGTERM');
  await new Promise((r) => (vm.p.exitCode !== null ? r() : vm.p.on('exit', r)));
  return res;
}

async function freePort() {
  return new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
}

/** Runs prometheus on the promtool output until its compactor has merged the 2h blocks. */
async function compactWithPrometheus(d) {
  const cfg = join(work, 'prom.yml');
  writeFileSync(cfg, 'global:\n  scrape_interval: 1h\n');
  const port = await freePort();
  const p = spawn(prometheus, [`--config.file=${cfg}`, `--storage.tsdb.path=${d}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=3650d'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errText = '';
  p.stderr.on('data', (b) => { errText += b.toString(); if (errText.length > 1e6) errText = errText.slice(-1e5); });
  const t0 = Date.now();
  let last = '', stableSince = Date.now();
  log('running prometheus to compact the 2h blocks (its compactor starts after ~1 min)...');
  while (Date.now() - t0 < 240000) {
    await new Promise((r) => setTimeout(r, 2000));
    const t = blockTotals(d);
    const sig = `${t.blocks}:${t.ranges}`;
    if (sig !== last) { last = sig; stableSince = Date.now(); }
    const compacted = /compact blocks/.test(errText) || t.ranges.split(' ').some((r) => r !== '2h');
    if (compacted && Date.now() - stableSince > 15000) break;
    if (p.exitCode !== null) break;
  }
  p.kill('SIGTERM');
  await new Promise((r) => (p.exitCode !== null ? r() : p.on('exit', r)));
  return blockTotals(d);
}
