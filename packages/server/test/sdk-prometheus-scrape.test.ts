// A real Prometheus (Debian's 2.42) scrapes an app instrumented with @vigil/sdk, once asking for
// OpenMetrics (its default Accept header) and once for text 0.0.4: the scrape must succeed
// (Prometheus fails the whole scrape on any exposition error) and the stored values must match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Summary, Registry, HttpMetrics, metricsHandler, collectDefaultMetrics, PROMETHEUS_CONTENT_TYPE } from '@vigil/sdk';
import { findPeer } from '../src/testing/peers.js';
import { freePort } from './peer-helpers.js';

const peer = findPeer('prometheus');

async function query(port: number, q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await r.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  assert.equal(body.status, 'success');
  return body.data.result;
}

test('Prometheus scrapes @vigil/sdk output in OpenMetrics and text format', { skip: peer.skip, timeout: 60_000 }, async () => {
  const r = new Registry(PROMETHEUS_CONTENT_TYPE, { emitCreated: true });
  const defaults = collectDefaultMetrics({ register: r });
  const orders = new Counter({ name: 'shop_orders_total', help: 'Orders "placed"\nby region \\ kind.', labelNames: ['region', 'kind'], registers: [r], enableExemplars: true });
  orders.inc({ labels: { region: 'eu', kind: 'a"b\\c\nd' }, value: 3, exemplarLabels: { trace_id: 'abc123' } });
  orders.inc({ labels: { region: 'üñí', kind: 'x' }, value: 1 });
  const g = new Gauge({ name: 'shop_queue_seconds', help: 'Queue age.', unit: 'seconds', labelNames: ['q'], registers: [r] });
  g.set({ q: 'a' }, 0.25);
  g.set({ q: 'inf' }, Infinity);
  const h = new Histogram({ name: 'shop_latency_seconds', help: 'Latency.', labelNames: ['route'], registers: [r], enableExemplars: true });
  for (let i = 0; i < 40; i++) h.observe({ labels: { route: '/cart' }, value: i / 10, exemplarLabels: i === 5 ? { trace_id: 'h5' } : {} });
  const s = new Summary({ name: 'shop_payload_bytes', help: 'Payload.', registers: [r], maxAgeSeconds: 600 });
  for (let i = 1; i <= 100; i++) s.observe(i);
  const http = new HttpMetrics({ registry: r });
  const scrape = metricsHandler(r);
  const accepts: string[] = [];
  const app = createServer(
    http.wrap((req, res) => {
      accepts.push(String(req.headers.accept));
      // Prometheus 2.42 always prefers OpenMetrics; the "text" job gets 0.0.4 via ?format=text.
      if (req.url?.includes('format=text')) delete req.headers.accept;
      scrape(req, res);
    }),
  );
  await new Promise<void>((res) => app.listen(0, '127.0.0.1', res));
  const appPort = (app.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sdk-prom-'));
  const promPort = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: om\n    static_configs: [{targets: ['127.0.0.1:${appPort}']}]\n` +
      `  - job_name: text\n    static_configs: [{targets: ['127.0.0.1:${appPort}']}]\n    params: {format: [text]}\n`,
  );
  const proc = spawn(
    peer.path!,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--enable-feature=exemplar-storage'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const deadline = Date.now() + 30_000;
    let up: Awaited<ReturnType<typeof query>> = [];
    for (;;) {
      try {
        up = await query(promPort, 'up');
        if (up.length === 2 && up.every((u) => u.value[1] === '1')) break;
      } catch {
        /* starting */
      }
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`scrapes not healthy: ${JSON.stringify(up)}\n${stderr.slice(-1500)}`);
      await new Promise((res) => setTimeout(res, 300));
    }
    assert.ok(accepts.some((a) => a.includes('application/openmetrics-text')), 'Prometheus asked for OpenMetrics');
    for (const job of ['om', 'text']) {
      const eu = await query(promPort, `shop_orders_total{job="${job}",region="eu"}`);
      assert.equal(eu.length, 1, job);
      assert.equal(eu[0]!.metric.kind, 'a"b\\c\nd');
      assert.equal(eu[0]!.value[1], '3');
      assert.equal((await query(promPort, `shop_orders_total{job="${job}",region="üñí"}`))[0]?.value[1], '1');
      assert.equal((await query(promPort, `shop_queue_seconds{job="${job}",q="inf"}`))[0]?.value[1], '+Inf');
      assert.equal((await query(promPort, `shop_latency_seconds_bucket{job="${job}",le="0.5"}`))[0]?.value[1], '6');
      assert.equal((await query(promPort, `shop_latency_seconds_count{job="${job}"}`))[0]?.value[1], '40');
      const p50 = Number((await query(promPort, `shop_payload_bytes{job="${job}",quantile="0.5"}`))[0]?.value[1]);
      assert.ok(Math.abs(p50 - 50) <= 0.5, String(p50));
      assert.ok(Number((await query(promPort, `process_resident_memory_bytes{job="${job}"}`))[0]?.value[1]) > 0);
    }
    const ex = await fetch(`http://127.0.0.1:${promPort}/api/v1/query_exemplars?query=${encodeURIComponent('shop_orders_total')}&start=0&end=${Date.now() / 1000 + 60}`);
    const exBody = JSON.stringify(await ex.json());
    assert.match(exBody, /abc123/, 'counter exemplar stored by Prometheus');
  } finally {
    proc.kill('SIGTERM');
    await new Promise((res) => setTimeout(res, 200));
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await new Promise<void>((res) => app.close(() => res()));
    defaults.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
