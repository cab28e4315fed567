// Output checked by a real peer: `promtool check metrics` (Debian's prometheus package).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { Counter, Gauge, Histogram, Summary, Registry, collectDefaultMetrics, exponentialBuckets } from './index.js';

function promtool(): { path?: string; skip?: string } {
  for (const p of ['/usr/bin/promtool']) if (existsSync(p)) return { path: p };
  const w = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  if (w.status === 0 && w.stdout.trim()) return { path: w.stdout.trim() };
  const msg = 'promtool not found: install it with `apt-get install prometheus`';
  if (process.env.VIGIL_REQUIRE_PEERS === '1') throw new Error(msg + ' (required in CI)');
  return { skip: msg };
}
const peer = promtool();

function check(text: string): { status: number | null; out: string } {
  const r = spawnSync(peer.path!, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

function sample(r: Registry): void {
  const c = new Counter({ name: 'app_requests_total', help: 'Requests "served"\nby route \\ method.', labelNames: ['method', 'route', 'code'], registers: [r] });
  c.inc({ method: 'GET', route: '/users/:id', code: 200 }, 3);
  c.inc({ method: 'POST', route: '/weird"\\\nroute', code: 500 });
  c.inc({ method: 'GET', route: 'ünïcödé ✓' });
  const g = new Gauge({ name: 'app_temperature_celsius', help: 'Temp.', labelNames: ['room'], registers: [r] });
  g.set({ room: 'a' }, NaN);
  g.set({ room: 'b' }, -Infinity);
  g.set({ room: 'c' }, 1e-300);
  g.set({ room: 'd' }, 1.5e21);
  const h = new Histogram({ name: 'app_latency_seconds', help: 'Latency.', labelNames: ['route'], buckets: exponentialBuckets(0.0001, 3, 12), registers: [r] });
  for (let i = 0; i < 100; i++) h.observe({ route: '/r' + (i % 3) }, i / 50);
  const s = new Summary({ name: 'app_payload_bytes', help: 'Payload.', maxAgeSeconds: 60, registers: [r] });
  for (let i = 0; i < 100; i++) s.observe(i * 10);
  new Summary({ name: 'app_empty_bytes', help: 'No observations.', registers: [r] });
}

test('promtool accepts user metrics of every type (0.0.4) with no lint problems', { skip: peer.skip }, async () => {
  const r = new Registry();
  sample(r);
  r.setDefaultLabels({ service: 'api' });
  const res = check(await r.metrics());
  assert.equal(res.status, 0, res.out);
});

test('promtool accepts the default process/runtime metrics with no lint problems', { skip: peer.skip }, async () => {
  const r = new Registry();
  const h = collectDefaultMetrics({ register: r, labels: { app: 'x' } });
  try {
    const res = check(await r.metrics());
    assert.equal(res.status, 0, res.out);
  } finally {
    h.stop();
  }
});

test('default metrics: names, types and plausible values', async () => {
  const r = new Registry();
  const h = collectDefaultMetrics({ register: r, prefix: 'x_', gcDurationBuckets: [0.5, 1] });
  try {
    const text = await r.metrics();
    for (const [name, type] of [
      ['x_process_cpu_seconds_total', 'counter'],
      ['x_process_cpu_user_seconds_total', 'counter'],
      ['x_process_resident_memory_bytes', 'gauge'],
      ['x_process_start_time_seconds', 'gauge'],
      ['x_nodejs_eventloop_lag_seconds', 'gauge'],
      ['x_nodejs_eventloop_lag_p99_seconds', 'gauge'],
      ['x_nodejs_gc_duration_seconds', 'histogram'],
      ['x_nodejs_heap_size_used_bytes', 'gauge'],
      ['x_nodejs_heap_space_size_used_bytes', 'gauge'],
      ['x_nodejs_active_handles', 'gauge'],
      ['x_nodejs_active_handles_total', 'untyped'],
      ['x_nodejs_version_info', 'gauge'],
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} ${type}$`, 'm'), name);
    }
    const start = Number(/^x_process_start_time_seconds (\d+)$/m.exec(text)![1]);
    assert.ok(Math.abs(start - (Date.now() / 1000 - process.uptime())) < 2);
    const rss = Number(/^x_process_resident_memory_bytes (\d+)$/m.exec(text)![1]);
    assert.ok(rss > 1e6, String(rss));
    assert.match(text, /^x_nodejs_heap_space_size_used_bytes\{space="old"\} \d+$/m);
    assert.match(text, new RegExp(`^x_nodejs_version_info\\{version="${process.version}",major="\\d+",minor="\\d+",patch="\\d+"\\} 1$`, 'm'));
    assert.throws(() => collectDefaultMetrics({ register: r, prefix: 'x_' }), /already been registered/);
  } finally {
    h.stop();
  }
});
