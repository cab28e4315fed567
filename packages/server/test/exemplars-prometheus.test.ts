// Exemplars end to end: Debian's Prometheus 2.42 (--enable-feature=exemplar-storage) and `vigil
// serve` scrape the same OpenMetrics endpoint with the same prometheus.yml; their
// /api/v1/query_exemplars answers must agree (dedup of re-scraped exemplars, out-of-order ones
// dropped, explicit and scrape-time timestamps). Vigil's answer must survive a restart (WAL).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { findPeer } from '../src/testing/peers.js';
import { freePort, startVigil } from './helpers/vigil-process.js';

const prom = findPeer('prometheus');

// "trace_id" + 120 = 128 characters: the limit, accepted; one more is refused by the storage
// (the scrape itself succeeds, as in Prometheus).
const LONG = 'x'.repeat(120);

// Explicit sample timestamps near now: phase 2's sample goes back in time (out of order, rejected)
// while its exemplar is newer and still stored, as Prometheus does.
const T0 = Math.floor(Date.now() / 1000);

const PHASE1 = `# TYPE ets counter
ets_total 5 ${T0 + 10} # {trace_id="o1"} 1 ${T0}
# TYPE req counter
# HELP req Requests served.
req_total{path="/a"} 10 # {trace_id="a1"} 1.5 1600000000.123
req_total{path="/b"} 20 # {span_id="s1",trace_id="b1"} 2
# TYPE small counter
small_total 1 # {trace_id="${LONG}"} 1e-7 1600000002.5
# TYPE long counter
long_total 1 # {trace_id="${LONG}x"} 1 1600000002
# TYPE lat histogram
lat_bucket{le="0.1"} 1 # {trace_id="h1"} 0.05 1600000001
lat_bucket{le="1"} 3 # {trace_id="h2"} 0.5
lat_bucket{le="+Inf"} 4
lat_sum 2.5
lat_count 4
# EOF
`;

// Phase 2: a new exemplar with a later timestamp, an unchanged one without timestamp (a
// duplicate), an older explicit timestamp (out of order: dropped), a changed one without timestamp.
const PHASE2 = `# TYPE ets counter
ets_total 6 ${T0 + 5} # {trace_id="o2"} 2 ${T0 + 1}
# TYPE req counter
# HELP req Requests served.
req_total{path="/a"} 11 # {trace_id="a2"} 3 1600000010
req_total{path="/b"} 21 # {span_id="s1",trace_id="b1"} 2
# TYPE small counter
small_total 2 # {trace_id="${LONG}"} 1e-7 1600000002.5
# TYPE lat histogram
lat_bucket{le="0.1"} 1 # {trace_id="h0"} 0.01 1600000000.5
lat_bucket{le="1"} 4 # {trace_id="h3"} 0.7
lat_bucket{le="+Inf"} 5
lat_sum 3.2
lat_count 5
# EOF
`;

/** Exemplars exposed without a timestamp get the scrape's: compared as "scrape" only. */
const NO_TS = new Set(['b1', 'h2', 'h3']);

interface ExResult { seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string>; value: string; timestamp: number }[] }

function normalize(data: ExResult[], t0: number, t1: number): unknown {
  return data.map((s) => ({
    seriesLabels: s.seriesLabels,
    exemplars: s.exemplars.map((e) => {
      if (!NO_TS.has(e.labels.trace_id!)) return e;
      assert.ok(e.timestamp >= t0 && e.timestamp <= t1, `scrape-time exemplar timestamp ${e.timestamp} within the run`);
      return { ...e, timestamp: 'scrape' };
    }),
  }));
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/-/ready`)).status === 200) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready`);
}

async function exemplars(base: string, query: string, start: string, end: string): Promise<{ code: number; status: string; data: ExResult[] | null }> {
  const r = await fetch(`${base}/api/v1/query_exemplars?${new URLSearchParams({ query, start, end })}`);
  const text = await r.text();
  // Prometheus answers a query without selectors with 204 and no body.
  if (r.status === 204) return { code: 204, status: 'success', data: null };
  return { code: r.status, ...(JSON.parse(text) as { status: string; data: ExResult[] | null }) };
}

test('query_exemplars: Vigil answers as Prometheus 2.42 for the same scrapes, and after a restart', { skip: prom.skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-exemplars-'));
  const counts = { prometheus: 0, vigil: 0 };
  let phase = 1;
  const target = http.createServer((req, res) => {
    const who = /^Prometheus\//.test(req.headers['user-agent'] ?? '') ? 'prometheus' : 'vigil';
    counts[who]++;
    res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
    res.end(phase === 1 ? PHASE1 : PHASE2);
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const tport = (target.address() as AddressInfo).port;
  const cfg = join(dir, 'prometheus.yml');
  writeFileSync(cfg, `global:
  scrape_interval: 500ms
  scrape_timeout: 400ms
scrape_configs:
  - job_name: ex
    static_configs:
      - targets: ['127.0.0.1:${tport}']
`);
  const pport = await freePort();
  const vport = await freePort();
  let p: ChildProcess | undefined;
  let v: Awaited<ReturnType<typeof startVigil>> | undefined;
  const vigilArgs = ['--config.file', cfg, '--storage.tsdb.path', join(dir, 'vigil'), '--web.listen-address', `127.0.0.1:${vport}`, '--storage.tsdb.max-exemplars', '1000', '--log.level', 'warn'];
  try {
    const t0 = Date.now() / 1000 - 1;
    p = spawn(prom.path!, [
      `--config.file=${cfg}`, `--storage.tsdb.path=${join(dir, 'prom')}`, `--web.listen-address=127.0.0.1:${pport}`,
      '--enable-feature=exemplar-storage', '--log.level=warn',
    ], { stdio: 'ignore' });
    v = await startVigil(vigilArgs);
    await waitReady(`http://127.0.0.1:${pport}`, 20_000);
    const waitScrapes = async (n: number) => {
      const base = { ...counts };
      const deadline = Date.now() + 15_000;
      while ((counts.prometheus < base.prometheus + n || counts.vigil < base.vigil + n) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(counts.prometheus >= base.prometheus + n && counts.vigil >= base.vigil + n, `both scraped ${n} more times: ${JSON.stringify(counts)}`);
    };
    await waitScrapes(3);
    phase = 2;
    await waitScrapes(3);
    // Let the last scrapes' appends commit.
    await new Promise((r) => setTimeout(r, 300));
    const t1 = Date.now() / 1000 + 1;
    const end = String(Math.ceil(t1) + 60);
    const queries: [string, string, string][] = [
      ['{__name__=~"req_total|small_total|lat_bucket|long_total|ets_total"}', '0', end],
      ['sum(rate(req_total[1m])) / on() group_left small_total', '0', end],
      ['lat_bucket{le="1"}', '1600000000', end],
      ['req_total', '1600000000', '1600000005'],
      ['lat_bucket', String(Math.floor(t0) + 3600), String(Math.floor(t0) + 7200)],
      ['nothing_here', '0', end],
      ['vector(1)', '0', end],
    ];
    const promAnswers: unknown[] = [];
    for (const [q, s, e] of queries) {
      const pa = await exemplars(`http://127.0.0.1:${pport}`, q, s, e);
      const va = await exemplars(v.url, q, s, e);
      assert.equal(va.status, 'success', JSON.stringify(va));
      assert.equal(pa.status, "success", JSON.stringify(pa));
      assert.equal(va.code, pa.code, `HTTP status of ${q}`);
      const pn = pa.data === null ? null : normalize(pa.data, t0, t1);
      const vn = va.data === null ? null : normalize(va.data, t0, t1);
      assert.deepEqual(vn, pn, `query_exemplars ${q} [${s}, ${e}]`);
      promAnswers.push(pn);
    }
    // The comparison is not vacuous: the full answer holds what the exposition implies.
    const full = promAnswers[0] as { seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string> }[] }[];
    assert.deepEqual(full.map((s) => [s.seriesLabels.__name__, s.seriesLabels.le ?? s.seriesLabels.path ?? '', s.exemplars.map((e) => e.labels.trace_id!.slice(0, 2))]), [
      ['ets_total', '', ['o1', 'o2']],
      ['lat_bucket', '0.1', ['h1']],
      ['lat_bucket', '1', ['h2', 'h3']],
      ['req_total', '/a', ['a1', 'a2']],
      ['req_total', '/b', ['b1']],
      ['small_total', '', ['xx']],
    ]);
    // Bad input: same errors as Prometheus.
    for (const qs of ['query=foo{', 'query=', 'query=up&start=x', 'query=up&end=2020-01-01Tx', 'query=up&start=10&end=5', 'query=sum(']) {
      const pr = await fetch(`http://127.0.0.1:${pport}/api/v1/query_exemplars?${qs}`);
      const vr = await fetch(`${v.url}/api/v1/query_exemplars?${qs}`);
      assert.equal(vr.status, pr.status, qs);
      const pj = (await pr.json()) as { errorType: string; error: string }, vj = (await vr.json()) as { errorType: string; error: string };
      assert.deepEqual([vj.errorType, vj.error], [pj.errorType, pj.error], qs);
    }
    // Restart Vigil: exemplars come back from the WAL.
    const before = await exemplars(v.url, queries[0]![0], '0', end);
    assert.equal(await v.stop(), 0);
    target.close();
    v = await startVigil(vigilArgs);
    const after = await exemplars(v.url, queries[0]![0], '0', end);
    assert.deepEqual(after, before);
  } finally {
    p?.kill('SIGTERM');
    if (p && p.exitCode === null) await new Promise((r) => p!.once('exit', r));
    await v?.stop();
    target.closeAllConnections();
    target.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('remote_write: exemplars Prometheus 2.42 sends (send_exemplars) are stored and answered as Prometheus does', { skip: prom.skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-exemplars-rw-'));
  let phase = 1, scrapes = 0;
  const target = http.createServer((_req, res) => {
    scrapes++;
    res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
    res.end(phase === 1 ? PHASE1 : PHASE2);
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const tport = (target.address() as AddressInfo).port;
  const pport = await freePort();
  const vport = await freePort();
  // Vigil scrapes nothing: everything it has comes from Prometheus's remote_write.
  const vcfg = join(dir, 'vigil.yml');
  writeFileSync(vcfg, 'scrape_configs: []\n');
  const pcfg = join(dir, 'prometheus.yml');
  writeFileSync(pcfg, `global:
  scrape_interval: 500ms
  scrape_timeout: 400ms
scrape_configs:
  - job_name: ex
    static_configs:
      - targets: ['127.0.0.1:${tport}']
remote_write:
  - url: http://127.0.0.1:${vport}/api/v1/write
    send_exemplars: true
    queue_config: {max_shards: 1, batch_send_deadline: 200ms}
`);
  let p: ChildProcess | undefined;
  let v: Awaited<ReturnType<typeof startVigil>> | undefined;
  try {
    v = await startVigil(['--config.file', vcfg, '--storage.tsdb.path', join(dir, 'vigil'), '--web.listen-address', `127.0.0.1:${vport}`, '--log.level', 'warn']);
    p = spawn(prom.path!, [
      `--config.file=${pcfg}`, `--storage.tsdb.path=${join(dir, 'prom')}`, `--web.listen-address=127.0.0.1:${pport}`,
      '--enable-feature=exemplar-storage', '--log.level=warn',
    ], { stdio: 'ignore' });
    await waitReady(`http://127.0.0.1:${pport}`, 20_000);
    const waitScrapes = async (n: number) => {
      const want = scrapes + n, deadline = Date.now() + 15_000;
      while (scrapes < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(scrapes >= want, `Prometheus scraped ${n} more times`);
    };
    await waitScrapes(3);
    phase = 2;
    await waitScrapes(3);
    const q = '{__name__=~"req_total|small_total|lat_bucket|long_total|ets_total"}';
    const end = String(Math.ceil(Date.now() / 1000) + 60);
    // Remote write is asynchronous: wait (bounded) until the sent exemplars have arrived.
    const want = await exemplars(`http://127.0.0.1:${pport}`, q, '0', end);
    assert.equal(want.data?.reduce((n, s) => n + s.exemplars.length, 0), 9, JSON.stringify(want.data));
    let got = await exemplars(v.url, q, '0', end);
    const deadline = Date.now() + 15_000;
    while (JSON.stringify(got.data) !== JSON.stringify(want.data) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      got = await exemplars(v.url, q, '0', end);
    }
    // Timestamps included: Prometheus sends the stored ones (the scrape's where none was exposed).
    assert.deepEqual(got.data, want.data);
  } finally {
    p?.kill('SIGTERM');
    if (p && p.exitCode === null) await new Promise((r) => p!.once('exit', r));
    await v?.stop();
    target.closeAllConnections();
    target.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
