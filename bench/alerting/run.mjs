#!/usr/bin/env node
// Alerting benchmark: Vigil (`vigil alertmanager`) vs Debian's Alertmanager, same config, same load.
//  1. ingest: 10k distinct alerts over 1k groups via POST /api/v2/alerts (batches of 64, as
//     Prometheus's notifier sends, 4 in flight); fresh alerts, then re-posts (updates). alerts/s.
//  2. notification latency: POST of an alert into a new group (group_wait 0s) until the webhook
//     arrives; p50 / p99 over 200 alerts.
// The machine is shared, so each system runs --repeat times, interleaved, and the best run counts.
// Usage: node bench/alerting/run.mjs [--alerts=10000] [--groups=1000] [--rounds=3] [--repeat=2]
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as netServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const arg = (n, d) => Number((process.argv.find((a) => a.startsWith(`--${n}=`)) ?? `=${d}`).split('=')[1]);
const N = arg('alerts', 10000), GROUPS = arg('groups', 1000), ROUNDS = arg('rounds', 3), REPEAT = arg('repeat', 2), BATCH = 64, INFLIGHT = 4;
const repo = new URL('../../', import.meta.url).pathname;
const vigilBin = join(repo, 'packages/server/bin/vigil.js');
const amBin = ['/usr/bin/prometheus-alertmanager', '/usr/bin/alertmanager'].find((p) => existsSync(p));

function freePort() {
  return new Promise((res) => { const s = netServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
}

async function sink() {
  const arrivals = new Map();
  let count = 0;
  const s = createServer((req, res) => {
    let b = '';
    req.on('data', (c) => (b += c));
    req.on('end', () => {
      count++;
      if (req.url === '/latency') {
        const t = performance.now();
        for (const a of JSON.parse(b).alerts) if (!arrivals.has(a.labels.probe)) arrivals.set(a.labels.probe, t);
      }
      res.end();
    });
  });
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${s.address().port}`, arrivals, get count() { return count; }, close: () => new Promise((r) => s.close(r)) };
}

const config = (hook) => `
route:
  receiver: bulk
  group_by: [group]
  group_wait: 1s
  group_interval: 5m
  routes:
    - matchers: [kind="probe"]
      receiver: latency
      group_by: [probe]
      group_wait: 0s
receivers:
  - name: bulk
    webhook_configs: [{url: '${hook}/bulk'}]
  - name: latency
    webhook_configs: [{url: '${hook}/latency'}]
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [group]
`;

async function start(name, cmd, args, url) {
  const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  p.stderr.on('data', (c) => (log += c));
  const deadline = Date.now() + 30_000;
  for (;;) {
    try { if ((await fetch(`${url}/-/ready`)).ok) break; } catch { /* starting */ }
    if (Date.now() > deadline || p.exitCode !== null) { p.kill('SIGKILL'); throw new Error(`${name} did not start: ${log}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { p, stop: () => new Promise((r) => { if (p.exitCode !== null) return r(); p.once('exit', r); p.kill('SIGTERM'); }) };
}

function alerts(round) {
  const endsAt = new Date(Date.now() + 3600_000).toISOString();
  const out = [];
  for (let i = 0; i < N; i++) {
    out.push({
      labels: { alertname: 'BenchAlert', group: `g${i % GROUPS}`, instance: `host-${i}`, severity: i % 10 === 0 ? 'critical' : 'warning', job: 'bench' },
      annotations: { summary: `alert ${i} round ${round}` },
      endsAt,
    });
  }
  return out;
}

async function ingest(url, list) {
  const batches = [];
  for (let i = 0; i < list.length; i += BATCH) batches.push(JSON.stringify(list.slice(i, i + BATCH)));
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: INFLIGHT }, async () => {
    while (next < batches.length) {
      const b = batches[next++];
      const r = await fetch(`${url}/api/v2/alerts`, { method: 'POST', body: b, headers: { 'Content-Type': 'application/json' } });
      if (r.status !== 200) throw new Error(`POST failed: ${r.status} ${await r.text()}`);
    }
  }));
  return list.length / ((performance.now() - t0) / 1000);
}

async function latency(url, s, n = 200) {
  const sent = new Map();
  for (let i = 0; i < n; i++) {
    const probe = `p${i}`;
    sent.set(probe, performance.now());
    await fetch(`${url}/api/v2/alerts`, { method: 'POST', body: JSON.stringify([{ labels: { alertname: 'Probe', kind: 'probe', probe } }]), headers: { 'Content-Type': 'application/json' } });
    await new Promise((r) => setTimeout(r, 5));
  }
  const deadline = Date.now() + 10_000;
  while (s.arrivals.size < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const d = [...sent].filter(([p]) => s.arrivals.has(p)).map(([p, t]) => s.arrivals.get(p) - t).sort((a, b) => a - b);
  const q = (x) => d[Math.min(d.length - 1, Math.floor(x * d.length))] ?? NaN;
  return { p50: q(0.5), p99: q(0.99), delivered: d.length };
}

async function bench(name, mk) {
  const s = await sink();
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  writeFileSync(join(dir, 'am.yml'), config(s.url));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = await start(name, ...mk(dir, port), url);
  try {
    const rates = [];
    for (let r = 0; r < ROUNDS; r++) rates.push(await ingest(url, alerts(r)));
    await new Promise((r) => setTimeout(r, 1500)); // let group_wait flush the 1k groups
    const lat = await latency(url, s);
    return { name, fresh: rates[0], updates: Math.max(...rates.slice(1)), notifications: s.count, ...lat };
  } finally {
    await proc.stop();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!existsSync(join(repo, 'packages/server/dist/src/cli/main.js'))) {
  console.error('bench alerting: build first (npm run build)');
  process.exit(1);
}
const systems = [['vigil', (dir, port) => [process.execPath, [vigilBin, 'alertmanager', `--config.file=${join(dir, 'am.yml')}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.path=${join(dir, 'data')}`, '--log.level=error']]]];
if (amBin) systems.push(['alertmanager', (dir, port) => [amBin, [`--config.file=${join(dir, 'am.yml')}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.path=${join(dir, 'data')}`, '--cluster.listen-address=', '--log.level=error']]]);
else console.log('(alertmanager not installed: apt-get install prometheus-alertmanager)');
const best = new Map();
for (let rep = 0; rep < REPEAT; rep++) {
  for (const [name, mk] of systems) {
    const r = await bench(name, mk);
    const b = best.get(name);
    best.set(name, b ? { ...r, fresh: Math.max(b.fresh, r.fresh), updates: Math.max(b.updates, r.updates), p50: Math.min(b.p50, r.p50), p99: Math.min(b.p99, r.p99) } : r);
  }
}
const results = [...best.values()];
console.log(`\n${N} alerts over ${GROUPS} groups, batches of ${BATCH}, ${INFLIGHT} in flight, ${ROUNDS} rounds, best of ${REPEAT} interleaved runs\n`);
console.log('| system | fresh alerts/s | update alerts/s | notify latency p50 | p99 | webhook posts |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of results) console.log(`| ${r.name} | ${r.fresh.toFixed(0)} | ${r.updates.toFixed(0)} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | ${r.notifications} |`);
if (results.length === 2) {
  const [v, a] = results;
  console.log(`\nratio vigil/alertmanager: fresh ${(v.fresh / a.fresh).toFixed(2)}x, updates ${(v.updates / a.updates).toFixed(2)}x, p50 latency ${(v.p50 / a.p50).toFixed(2)}x`);
}
