#!/usr/bin/env node
// Scrape benchmark.
//  1. Parser throughput: Vigil's text and OpenMetrics parsers over a large exposition
//     (lines/s, samples/s, CPU-seconds per million samples).
//  2. Scrape ingestion side by side: Debian's Prometheus, VictoriaMetrics and Vigil (ScrapeManager into its
//     on-disk TSDB, in a child process) scrape the same targets served by a static exporter
//     process (values change every scrape, gzip). Each server's CPU is read over the same
//     steady-state window: Prometheus from its process_cpu_seconds_total, Vigil from
//     process.cpuUsage(); samples from prometheus_tsdb_head_samples_appended_total / the
//     appender count; VictoriaMetrics (-promscrape.config) likewise from vm_rows_added_to_storage_total.
//     The servers run one after the other, never together.
// Needs a build (`npm run build`). Flags: --targets N (10) --series N (5000 per target)
// --seconds N (20, measured) --warmup N (6) --interval 1s --skip-prometheus --parse-only
// --skip-breakdown (no extra Vigil run with samples discarded) --skip-victoria --rounds N (median)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import net from 'node:net';
import { gzipSync } from 'node:zlib';

const root = new URL('../../', import.meta.url).pathname;
const dist = join(root, 'packages/server/dist/src');
if (!existsSync(join(dist, 'scrape/index.js'))) {
  console.error('bench scrape: packages/server is not built; run `npm run build` first');
  process.exit(1);
}
const args = process.argv.slice(2);
const flag = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const TARGETS = Number(flag('targets', '10'));
const SERIES = Number(flag('series', '5000'));
const SECONDS = Number(flag('seconds', '20'));
const WARMUP = Number(flag('warmup', '6'));
const INTERVAL = flag('interval', '1s');
const ROUNDS = Number(flag('rounds', '1'));

/** A realistic exposition: node_exporter-like families with labels, HELP/TYPE every family. */
function exposition(n, tick, om = false) {
  const out = [];
  const fams = Math.ceil(n / 20);
  let i = 0;
  for (let f = 0; f < fams && i < n; f++) {
    const name = `bench_family_${f}_requests_total`;
    out.push(`# HELP ${name} Requests handled by the bench service family ${f}.`, `# TYPE ${name} counter`);
    for (let k = 0; k < 20 && i < n; k++, i++) {
      const v = tick * ((i % 97) + 1) + (i % 13) * 0.25;
      out.push(`${name}{method="${k % 2 ? 'GET' : 'POST'}",code="${200 + (k % 5)}",handler="/api/v1/item/${k}"} ${v}`);
    }
  }
  if (om) out.push('# EOF');
  return out.join('\n') + '\n';
}

// ---- static exporter (child process mode) ----
if (args[0] === '--exporter') {
  const n = Number(args[1]);
  let tick = 0;
  const srv = http.createServer((req, res) => {
    tick++;
    const body = gzipSync(Buffer.from(exposition(n, tick)), { level: 1 });
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4', 'Content-Encoding': 'gzip', 'Content-Length': body.length });
    res.end(body);
  });
  srv.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: srv.address().port }) + '\n'));
  process.on('SIGTERM', () => process.exit(0));
  await new Promise(() => {});
}

// ---- Vigil worker (child process mode) ----
if (args[0] === '--vigil') {
  const [, yml, dir, warmS, measS] = args;
  const { CfgNode } = await import(join(dist, 'config/node.js'));
  const { ScrapeManager, parseGlobalConfig, parseScrapeConfigs } = await import(join(dist, 'scrape/index.js'));
  const { openTSDB } = await import(join(dist, 'tsdb/index.js'));
  // dir "none": discard samples, to split scrape cost from storage cost.
  const db = dir.endsWith('/none') ? null : await openTSDB({ dir });
  const { RecordingAppendable } = await import(join(dist, 'scrape/index.js'));
  const sink = db ?? new RecordingAppendable(true);
  let appended = 0;
  const counting = {
    appender() {
      const a = sink.appender();
      return {
        append(ref, l, t, v) {
          appended++;
          return a.append(ref, l, t, v);
        },
        updateMetadata: a.updateMetadata?.bind(a),
        commit: () => a.commit(),
        rollback: () => a.rollback(),
      };
    },
  };
  const rootNode = CfgNode.parse(yml, 'bench.yml');
  const m = new ScrapeManager({ appendable: counting });
  m.applyConfig({ scrapeConfigs: parseScrapeConfigs(rootNode.get('scrape_configs'), parseGlobalConfig(rootNode.get('global'))) });
  await new Promise((r) => setTimeout(r, Number(warmS) * 1000));
  // VIGIL_BENCH_PROFILE=file.cpuprofile: profile the measured window only.
  let session;
  if (process.env.VIGIL_BENCH_PROFILE) {
    const { Session } = await import('node:inspector');
    session = new Session();
    session.connect();
    await new Promise((r) => session.post('Profiler.enable', () => session.post('Profiler.start', r)));
  }
  const c0 = process.cpuUsage(), a0 = appended;
  await new Promise((r) => setTimeout(r, Number(measS) * 1000));
  const c1 = process.cpuUsage(c0), a1 = appended;
  if (session) {
    const { writeFileSync } = await import('node:fs');
    await new Promise((r) => session.post('Profiler.stop', (_e, res) => (writeFileSync(process.env.VIGIL_BENCH_PROFILE, JSON.stringify(res.profile)), r())));
  }
  const up = m.targets().active.filter((t) => t.target.health === 'up').length;
  const rss = process.memoryUsage().rss;
  await m.stop();
  await db?.close();
  process.stdout.write(JSON.stringify({ cpu: (c1.user + c1.system) / 1e6, samples: a1 - a0, up, rss }) + '\n');
  process.exit(0);
}

// ---- 1. parser throughput ----
const tp = await import(join(dist, 'textparse/index.js'));
function parseBench(label, body, ct, reps, known, order) {
  const lines = body.split('\n').length - 1;
  let samples = 0;
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (let r = 0; r < reps; r++) {
    const p = tp.newParser(body, ct);
    if (known) p.knownSeries = known;
    if (order) p.order = order;
    for (;;) {
      const e = p.next();
      if (e === 'eof') break;
      if (e === 'series') {
        // As the scrape loop does: find the series' cache entry.
        if ((known && p.knownEntry()) === undefined) (known ?? lookup).get(p.series());
        p.value();
        p.timestamp();
        samples++;
      }
    }
  }
  const wall = (performance.now() - w0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  return { label, linesPerSec: (lines * reps) / cpu, samplesPerSec: samples / cpu, wallSamplesPerSec: samples / wall, cpuPerM: (cpu / samples) * 1e6 };
}
const big = exposition(100_000, 7);
const bigOM = exposition(100_000, 7, true);
// The scrape loop hands the parser its series cache; repeated series skip label scanning.
const known = new Map();
for (const p = tp.newParser(big, 'text/plain'); ; ) {
  const e = p.next();
  if (e === 'eof') break;
  if (e === 'series') known.set(p.series(), { ref: known.size });
}
const lookup = known;
parseBench('warmup', big, 'text/plain', 2);
const pr = [
  parseBench('text 0.0.4 (full scan + cache lookup)', big, 'text/plain; version=0.0.4', 8),
  parseBench('text 0.0.4 (cached series, hash lookup)', big, 'text/plain; version=0.0.4', 8, known),
  parseBench('text 0.0.4 (cached series in last order)', big, 'text/plain; version=0.0.4', 8, known, { keys: [...known.keys()], values: [...known.values()] }),
  parseBench('OpenMetrics 1.0 (full scan + cache lookup)', bigOM, 'application/openmetrics-text; version=1.0.0', 8),
  parseBench('OpenMetrics 1.0 (cached series in last order)', bigOM, 'application/openmetrics-text; version=1.0.0', 8, known, { keys: [...known.keys()], values: [...known.values()] }),
];
console.log('\nParser throughput (100k series exposition, 8 passes; per sample: series cache lookup, value(), timestamp())');
console.log('| format | lines per CPU-s | samples per CPU-s | CPU-s per 1M samples |');
console.log('|---|---:|---:|---:|');
for (const r of pr) console.log(`| ${r.label} | ${(r.linesPerSec / 1e6).toFixed(2)}M | ${(r.samplesPerSec / 1e6).toFixed(2)}M | ${r.cpuPerM.toFixed(3)} |`);
if (args.includes('--parse-only')) process.exit(0);

// ---- 2. side by side scrape ingestion ----
async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}
function startChild(argv) {
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i >= 0) resolve(JSON.parse(buf.slice(0, i)));
    });
    child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
  return { child, first };
}
async function stopProc(p) {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const done = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
  if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}
async function promMetric(base, name) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
  return line ? Number(line.split(' ').pop()) : NaN;
}

const exp = startChild([new URL(import.meta.url).pathname, '--exporter', String(SERIES)]);
const { port: ePort } = await exp.first;
const targets = Array.from({ length: TARGETS }, (_, i) => `'127.0.0.1:${ePort}'`);
// Distinct targets: same exporter, one job per target so every series set is separate.
const yml = `global:\n  scrape_interval: ${INTERVAL}\n  scrape_timeout: ${INTERVAL}\nscrape_configs:\n` +
  targets.map((t, i) => `  - job_name: bench_${i}\n    static_configs:\n      - targets: [${t}]\n`).join('');
const results = [];
const work = mkdtempSync(join(tmpdir(), 'vigil-bench-scrape-'));
try {
  for (let round = 0; round < ROUNDS; round++) {
    const promPath = ['/usr/bin/prometheus'].find((p) => existsSync(p));
    if (promPath && !args.includes('--skip-prometheus')) {
      writeFileSync(join(work, 'prometheus.yml'), yml);
      const port = await freePort();
      const p = spawn(promPath, [`--config.file=${join(work, 'prometheus.yml')}`, `--storage.tsdb.path=${join(work, `prom-${round}`)}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
      const base = `http://127.0.0.1:${port}`;
      try {
        const dl = Date.now() + 20_000;
        for (;;) {
          try {
            if ((await fetch(`${base}/-/ready`)).ok) break;
          } catch {}
          if (Date.now() > dl) throw new Error('prometheus did not start');
          await new Promise((r) => setTimeout(r, 100));
        }
        await new Promise((r) => setTimeout(r, WARMUP * 1000));
        const c0 = await promMetric(base, 'process_cpu_seconds_total');
        const t0 = Date.now() / 1000;
        await new Promise((r) => setTimeout(r, SECONDS * 1000));
        const c1 = await promMetric(base, 'process_cpu_seconds_total');
        const t1 = Date.now() / 1000;
        const rss = await promMetric(base, 'process_resident_memory_bytes');
        // Samples appended in the window: scraped samples after relabeling + 5 report series per scrape.
        const w = Math.round(t1 - t0);
        const q = `sum(sum_over_time(scrape_samples_post_metric_relabeling[${w}s])) + 5 * sum(count_over_time(up[${w}s]))`;
        const qr = await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}&time=${t1}`)).json();
        const samples = Number(qr.data?.result?.[0]?.value?.[1]);
        results.push({ name: 'Prometheus 2.42', cpu: c1 - c0, samples, rss });
      } finally {
        await stopProc(p);
      }
    }
    const vmPath = ['/usr/bin/victoria-metrics'].find((p) => existsSync(p));
    if (vmPath && !args.includes('--skip-victoria')) {
      writeFileSync(join(work, 'vm.yml'), yml);
      const port = await freePort();
      const p = spawn(vmPath, [`-promscrape.config=${join(work, 'vm.yml')}`, `-storageDataPath=${join(work, `vm-${round}`)}`, `-httpListenAddr=127.0.0.1:${port}`], { stdio: 'ignore' });
      const base = `http://127.0.0.1:${port}`;
      try {
        const dl = Date.now() + 20_000;
        for (;;) {
          try {
            if ((await fetch(`${base}/health`)).ok) break;
          } catch {}
          if (Date.now() > dl) throw new Error('victoria-metrics did not start');
          await new Promise((r) => setTimeout(r, 100));
        }
        await new Promise((r) => setTimeout(r, WARMUP * 1000));
        const c0 = await promMetric(base, 'process_cpu_seconds_total');
        const s0 = await promMetric(base, 'vm_rows_added_to_storage_total');
        await new Promise((r) => setTimeout(r, SECONDS * 1000));
        const c1 = await promMetric(base, 'process_cpu_seconds_total');
        const s1 = await promMetric(base, 'vm_rows_added_to_storage_total');
        const rss = await promMetric(base, 'process_resident_memory_bytes');
        results.push({ name: 'VictoriaMetrics 1.79', cpu: c1 - c0, samples: s1 - s0, rss });
      } finally {
        await stopProc(p);
      }
    }
    const v = startChild([new URL(import.meta.url).pathname, '--vigil', yml, join(work, `vigil-${round}`), String(WARMUP), String(SECONDS)]);
    const r = await v.first;
    results.push({ name: 'Vigil', cpu: r.cpu, samples: r.samples, rss: r.rss });
    await stopProc(v.child);
    if (!args.includes('--skip-breakdown')) {
      const v2 = startChild([new URL(import.meta.url).pathname, '--vigil', yml, join(work, 'none'), String(WARMUP), String(SECONDS)]);
      const r2 = await v2.first;
      results.push({ name: 'Vigil, scrape only (samples discarded)', cpu: r2.cpu, samples: r2.samples, rss: r2.rss, extra: true });
      await stopProc(v2.child);
    }
  }
} finally {
  await stopProc(exp.child);
  rmSync(work, { recursive: true, force: true });
}
// Several rounds: report each server's median CPU per sample (the machine may be shared).
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const names = [...new Set(results.map((r) => r.name))];
const runs = results.splice(0);
for (const name of names) {
  const rs = runs.filter((r) => r.name === name);
  const m = med(rs.map((r) => r.cpu / r.samples));
  const pick = rs.find((r) => r.cpu / r.samples === m);
  results.push({ ...pick, rounds: rs.map((r) => ((r.cpu / r.samples) * 1e6).toFixed(2)) });
}
if (ROUNDS > 1) console.log(`median of ${ROUNDS} rounds (per round: ${results.map((r) => `${r.name} ${r.rounds.join('/')}`).join('; ')})`);
console.log(`\nScrape ingestion: ${TARGETS} targets x ${SERIES} series, interval ${INTERVAL}, gzip, values change every scrape;`);
console.log(`${WARMUP}s warm-up, ${SECONDS}s measured; storage: each server's own on-disk TSDB with WAL`);
console.log('| server | samples/s | CPU-s per 1M samples | RSS MiB |');
console.log('|---|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.name} | ${(r.samples / SECONDS).toFixed(0)} | ${((r.cpu / r.samples) * 1e6).toFixed(2)} | ${(r.rss / 2 ** 20).toFixed(0)} |`);
}
const per = (r) => r && r.cpu / r.samples;
const vig = results.find((r) => r.name === 'Vigil');
for (const peer of results.filter((r) => !r.name.startsWith('Vigil'))) {
  console.log(`Vigil CPU per sample / ${peer.name}: ${(per(vig) / per(peer)).toFixed(2)}x`);
}
process.exit(0);
