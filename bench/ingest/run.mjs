#!/usr/bin/env node
// remote_write ingestion benchmark: Vigil vs VictoriaMetrics vs Prometheus (Debian peers) on
// the same pre-encoded, snappy-compressed WriteRequests. Each server runs alone (one after the
// other) on loopback; we measure sustained samples/s, server CPU-seconds per million samples
// (utime+stime from /proc) and RSS per active series after the run.
//
//   node bench/ingest/run.mjs [--series N] [--rounds R] [--warmup W] [--batch B] [--concurrency C] [--only vigil,vm,prometheus]
//
// Defaults are bounded for a shared 2-core machine (20k series x 6 rounds = 120k samples);
// the issue's figures use --series 100000 (or 1000000) --rounds 10. Needs `npm run build` first.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const SERIES = Number(arg('series', 20000));
const ROUNDS = Number(arg('rounds', 6));
const BATCH = Number(arg('batch', 2000));
const CONC = Number(arg('concurrency', 4));
const ONLY = arg('only', 'vigil,vm,prometheus').split(',');
// Rounds sent before measuring: series creation and JIT warm-up are excluded, so the table
// shows sustained ingestion into existing series (as at a steady 15s scrape interval).
const WARMUP = Number(arg('warmup', 1));
const INTERVAL = 15_000;

const repo = new URL('../..', import.meta.url).pathname;
const dist = join(repo, 'packages/server/dist/src');
if (!existsSync(join(dist, 'ingest/index.js'))) {
  console.error('bench ingest: build first (npm run build)');
  process.exit(1);
}
const { encodeWriteRequest } = await import(pathToFileURL(join(dist, 'protobuf/prompb.js')).href);
const { snappyCompress } = await import(pathToFileURL(join(dist, 'ingest/snappy.js')).href);

const which = (bin) => { try { return execFileSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).trim(); } catch { return ''; } };
const freePort = () => new Promise((res, rej) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); s.on('error', rej); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const CLK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(parts[11]) + Number(parts[12])) / CLK; // utime + stime
}
function rssBytes(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

// ---- payloads: realistic label sets (node_exporter-like), counters and gauges ----
const METRICS = Array.from({ length: 200 }, (_, i) => [`bench_metric_${i}_${i % 3 === 0 ? 'total' : 'bytes'}`, i % 3 === 0]);
function seriesLabels(i) {
  const [name] = METRICS[i % METRICS.length];
  const inst = Math.floor(i / METRICS.length);
  return [
    { name: '__name__', value: name },
    { name: 'instance', value: `host-${Math.floor(inst / 10)}.example.internal:9100` },
    { name: 'job', value: 'node' },
    { name: 'mode', value: ['user', 'system', 'idle', 'iowait', 'irq'][inst % 5] },
    { name: 'region', value: ['eu-west-1', 'us-east-1', 'ap-south-1'][inst % 3] },
    { name: 'shard', value: String(inst % 10) },
  ];
}
console.log(`encoding ${SERIES} series x ${WARMUP}+${ROUNDS} rounds (${SERIES * ROUNDS} measured samples, batches of ${BATCH})...`);
const labels = Array.from({ length: SERIES }, (_, i) => seriesLabels(i));
const t0 = Math.floor(Date.now() / INTERVAL) * INTERVAL - (ROUNDS + WARMUP) * INTERVAL;
const rounds = [];
let rawBytes = 0, wireBytes = 0;
for (let r = 0; r < ROUNDS + WARMUP; r++) {
  const payloads = [];
  for (let s = 0; s < SERIES; s += BATCH) {
    const batch = [];
    for (let i = s; i < Math.min(SERIES, s + BATCH); i++) {
      const counter = METRICS[i % METRICS.length][1];
      const v = new Float64Array(1);
      v[0] = counter ? (i % 1000) * 100 + r * (i % 37) : Math.round(Math.sin(i + r) * 1e6) / 100;
      batch.push({ labels: labels[i], t: [t0 + r * INTERVAL], v });
    }
    const raw = encodeWriteRequest(batch).slice();
    rawBytes += raw.length;
    const c = snappyCompress(raw);
    wireBytes += c.length;
    payloads.push(c);
  }
  rounds.push(payloads);
}
console.log(`payloads: ${(rawBytes / 1e6).toFixed(1)} MB protobuf, ${(wireBytes / 1e6).toFixed(1)} MB snappy`);

async function post(url, body) {
  const r = await fetch(url, { method: 'POST', body, headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf', 'X-Prometheus-Remote-Write-Version': '0.1.0' } });
  const text = r.status === 204 ? '' : await r.text();
  if (r.status >= 300) throw new Error(`HTTP ${r.status}: ${text.slice(0, 300)}`);
}

async function waitUp(url, child, ms = 30000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    try { if ((await fetch(url)).ok) return; } catch {}
    await sleep(100);
  }
  throw new Error(`not ready: ${url}`);
}

async function runTarget(name, start) {
  const dir = mkdtempSync(join(tmpdir(), `vigil-bench-ingest-${name}-`));
  const port = await freePort();
  const { child, writeUrl, readyUrl } = start(port, dir);
  let err = '';
  child.stderr?.on('data', (c) => { err = (err + c).slice(-2000); });
  try {
    await waitUp(readyUrl, child);
    const sendRound = async (payloads) => {
      let next = 0;
      await Promise.all(Array.from({ length: CONC }, async () => {
        while (next < payloads.length) await post(writeUrl, payloads[next++]);
      }));
    };
    for (const payloads of rounds.slice(0, WARMUP)) await sendRound(payloads);
    await sleep(300);
    const pid = child.pid;
    const cpu0 = cpuSeconds(pid);
    const w0 = process.hrtime.bigint();
    let samples = 0;
    for (const payloads of rounds.slice(WARMUP)) {
      await sendRound(payloads);
      samples += SERIES;
    }
    const wall = Number(process.hrtime.bigint() - w0) / 1e9;
    const cpu = cpuSeconds(pid) - cpu0;
    const rss = rssBytes(pid);
    return { name, samples, wall, cpu, rss, sps: samples / wall, cpuPerM: (cpu / samples) * 1e6, rssPerSeries: rss / SERIES };
  } catch (e) {
    return { name, error: `${e.message}${err ? ` (stderr: ${err.trim().split('\n').pop()})` : ''}` };
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10000).then(() => child.kill('SIGKILL'))]);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const targets = {
  vigil: (port, dir) => ({
    child: spawn(process.execPath, [join(repo, 'bench/ingest/vigil-server.mjs'), `127.0.0.1:${port}`, join(dir, 'data')], { stdio: ['ignore', 'ignore', 'pipe'] }),
    writeUrl: `http://127.0.0.1:${port}/api/v1/write`,
    readyUrl: `http://127.0.0.1:${port}/-/healthy`,
  }),
  vm: (port, dir) => ({
    child: spawn(which('victoria-metrics'), [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${join(dir, 'vm')}`, '-loggerLevel=ERROR'], { stdio: ['ignore', 'ignore', 'pipe'] }),
    writeUrl: `http://127.0.0.1:${port}/api/v1/write`,
    readyUrl: `http://127.0.0.1:${port}/health`,
  }),
  prometheus: (port, dir) => {
    writeFileSync(join(dir, 'prometheus.yml'), 'global: {}\n');
    return {
      child: spawn(which('prometheus'), [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver', '--log.level=error'], { stdio: ['ignore', 'ignore', 'pipe'] }),
      writeUrl: `http://127.0.0.1:${port}/api/v1/write`,
      readyUrl: `http://127.0.0.1:${port}/-/ready`,
    };
  },
};

const results = [];
for (const name of ONLY) {
  if (name !== 'vigil' && !which(name === 'vm' ? 'victoria-metrics' : name)) { console.log(`${name}: not installed, skipped`); continue; }
  process.stdout.write(`running ${name}... `);
  const r = await runTarget(name, targets[name]);
  console.log(r.error ? `error: ${r.error}` : 'done');
  results.push(r);
}

const fmt = (x, d = 0) => (x === undefined ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
console.log(`\nremote_write ingestion: ${SERIES} active series, ${ROUNDS} measured rounds after ${WARMUP} warm-up, batch ${BATCH}, ${CONC} concurrent senders`);
console.log('| server | samples/s | CPU-s per 1M samples | RSS MB | RSS bytes/series |');
console.log('|---|---:|---:|---:|---:|');
for (const r of results) {
  if (r.error) console.log(`| ${r.name} | error: ${r.error} | | | |`);
  else console.log(`| ${r.name} | ${fmt(r.sps)} | ${fmt(r.cpuPerM, 2)} | ${fmt(r.rss / 1048576, 1)} | ${fmt(r.rssPerSeries)} |`);
}
const v = results.find((r) => r.name === 'vigil' && !r.error);
for (const o of results.filter((r) => r.name !== 'vigil' && !r.error)) {
  if (!v) break;
  console.log(`vigil/${o.name}: throughput x${(v.sps / o.sps).toFixed(2)}, CPU per sample x${(v.cpuPerM / o.cpuPerM).toFixed(2)}, RSS per series x${(v.rssPerSeries / o.rssPerSeries).toFixed(2)} (lower CPU/RSS ratios are better)`);
}
if (results.some((r) => r.error)) process.exit(1);
