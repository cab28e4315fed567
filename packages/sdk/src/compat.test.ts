// The same usage scenarios run against prom-client 15 and @vigil/sdk; outputs must match after
// normalising what legitimately differs (label order within a line, prom-client's "Nan",
// summary quantiles, which must both sit within the sketch's stated error bound).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as vigil from './index.js';

const require = createRequire(import.meta.url);
let prom: typeof vigil | undefined;
try {
  prom = require('prom-client') as typeof vigil;
} catch {
  prom = undefined;
}
const skip = prom ? false : 'prom-client is not installed (npm install -D prom-client)';

type Mod = typeof vigil;

/** Sorts labels inside each sample line and sorts lines within each family. */
function normalise(text: string): string {
  const out: string[] = [];
  let family: string[] = [];
  const flush = () => {
    out.push(...family.sort());
    family = [];
  };
  for (let line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP')) flush();
    if (line.startsWith('#')) {
      out.push(line);
      continue;
    }
    line = line.replace(/ Nan$/, ' NaN');
    const m = /^([^{ ]+)(?:\{(.*)\})? (.*)$/.exec(line);
    if (!m) throw new Error('unparsable line ' + line);
    const labels = (m[2] ?? '').match(/[a-zA-Z_]\w*="(?:[^"\\]|\\.)*"/g) ?? [];
    const kept = labels.filter((l) => !l.endsWith('=""')).sort();
    family.push(m[1] + (kept.length ? '{' + kept.join(',') + '}' : '') + ' ' + m[3]);
  }
  flush();
  return out.join('\n');
}

async function both(scenario: (m: Mod) => Promise<string> | string): Promise<[string, string]> {
  const a = await scenario(prom!);
  const b = await scenario(vigil);
  return [normalise(a), normalise(b)];
}

test('counters: labels by object/position/number, inc values, remove, reset', { skip }, async () => {
  const [a, b] = await both(async (m) => {
    const r = new m.Registry();
    const c = new m.Counter({ name: 'http_requests_total', help: 'Total requests.', labelNames: ['method', 'status'], registers: [r] });
    c.inc({ method: 'GET', status: 200 });
    c.inc({ status: '200', method: 'GET' }, 2.5);
    c.labels('POST', '201').inc();
    c.labels({ method: 'PUT', status: 404 }).inc(7);
    c.inc({ method: 'DELETE', status: 500 });
    c.remove('DELETE', '500');
    const solo = new m.Counter({ name: 'jobs_total', help: 'Jobs.', registers: [r] });
    solo.inc();
    solo.inc(4);
    const gone = new m.Counter({ name: 'gone_total', help: 'Reset.', labelNames: ['x'], registers: [r] });
    gone.inc({ x: 'y' });
    gone.reset();
    const partial = new m.Counter({ name: 'partial_total', help: 'Partial labels.', labelNames: ['a', 'b'], registers: [r] });
    partial.inc({ a: 'only' });
    return r.metrics();
  });
  assert.equal(b, a);
});

test('gauges: set/inc/dec, bound children, NaN and infinities, escaping', { skip }, async () => {
  const [a, b] = await both(async (m) => {
    const r = new m.Registry();
    const g = new m.Gauge({ name: 'queue_depth', help: 'Depth with "quotes"\nand \\ backslash.', labelNames: ['queue'], registers: [r] });
    g.set({ queue: 'a' }, 10);
    g.inc({ queue: 'a' }, 5);
    g.dec({ queue: 'a' }, 2);
    g.labels('b').set(NaN);
    g.labels('c').set(Infinity);
    g.labels('d').set(-Infinity);
    g.labels('e\\"\nf').inc();
    g.labels('g').dec();
    const solo = new m.Gauge({ name: 'temp', help: 'Temp.', registers: [r] });
    solo.set(-3.25);
    return r.metrics();
  });
  assert.equal(b, a);
});

test('histograms: default and custom buckets, labels, zero, linear/exponential helpers', { skip }, async () => {
  assert.deepEqual(vigil.linearBuckets(0.1, 0.2, 5), prom!.linearBuckets(0.1, 0.2, 5));
  assert.deepEqual(vigil.exponentialBuckets(0.001, 2.5, 8), prom!.exponentialBuckets(0.001, 2.5, 8));
  const [a, b] = await both(async (m) => {
    const r = new m.Registry();
    const h = new m.Histogram({ name: 'req_duration_seconds', help: 'Duration.', labelNames: ['route'], registers: [r] });
    for (let i = 0; i < 200; i++) h.observe({ route: '/r' + (i % 4) }, (i * 0.37) % 12);
    h.labels('/bound').observe(0.005);
    h.labels('/bound').observe(0.0051);
    h.zero({ route: '/zero' });
    const c = new m.Histogram({ name: 'size_bytes', help: 'Size.', buckets: m.exponentialBuckets(1, 10, 5), registers: [r] });
    for (const v of [0, 1, 9, 10, 11, 1e4, 1e5, 3e5]) c.observe(v);
    return r.metrics();
  });
  assert.equal(b, a);
});

test('summaries: count/sum equal, quantiles both within the 1% bound of the exact value', { skip }, async () => {
  const data = Array.from({ length: 5000 }, (_, i) => ((i * 7919) % 5000) / 100 + 1);
  const sorted = [...data].sort((x, y) => x - y);
  const pct = [0.01, 0.5, 0.9, 0.99];
  const get = async (m: Mod) => {
    const r = new m.Registry();
    const s = new m.Summary({ name: 'payload_bytes', help: 'Payload.', percentiles: pct, labelNames: ['kind'], registers: [r] });
    for (const v of data) s.observe({ kind: 'k' }, v);
    return (await r.getMetricsAsJSON())[0]!.values;
  };
  const va = await get(prom!);
  const vb = await get(vigil);
  const pick = (vs: typeof va, name?: string, q?: number) =>
    vs.find((v) => (name ? v.metricName === name : v.labels.quantile === q))!.value;
  assert.equal(pick(vb, 'payload_bytes_count'), pick(va, 'payload_bytes_count'));
  assert.ok(Math.abs(pick(vb, 'payload_bytes_sum') - pick(va, 'payload_bytes_sum')) < 1e-6);
  for (const q of pct) {
    const exact = sorted[Math.floor(q * (sorted.length - 1))]!;
    const ours = pick(vb, undefined, q);
    const theirs = pick(va, undefined, q);
    assert.ok(Math.abs(ours - exact) <= 0.01 * exact, `vigil q=${q}: ${ours} vs exact ${exact}`);
    assert.ok(Math.abs(ours - theirs) <= 0.02 * exact, `q=${q}: vigil ${ours} vs prom-client ${theirs}`);
  }
});

test('collect callbacks (sync and async), default labels, merge, single metric, JSON', { skip }, async () => {
  const [a, b] = await both(async (m) => {
    const r1 = new m.Registry();
    const r2 = new m.Registry();
    let n = 0;
    new m.Gauge({ name: 'sync_value', help: 'Sync.', registers: [r1], collect() { this.set(++n * 10); } });
    new m.Gauge({
      name: 'async_value',
      help: 'Async.',
      labelNames: ['src'],
      registers: [r2],
      async collect() {
        await new Promise((res) => setTimeout(res, 2));
        this.set({ src: 'db' }, 99);
      },
    });
    const c = new m.Counter({ name: 'evt_total', help: 'Events.', labelNames: ['env'], registers: [r2] });
    c.inc({ env: 'staging' });
    c.inc();
    r2.setDefaultLabels({ env: 'prod', region: 'eu' });
    const merged = m.Registry.merge([r1, r2]);
    // Rendered before getMetricsAsJSON: prom-client's JSON export writes default labels back into its series.
    const text = await merged.metrics();
    const single = await r1.getSingleMetricAsString('sync_value');
    const json = JSON.stringify((await r2.getMetricsAsJSON()).map((x) => ({ ...x, values: x.values.map((v) => ({ value: v.value, labels: Object.entries(v.labels).sort() })) })));
    return text + '\n' + single + '\n# JSON ' + json;
  });
  assert.equal(b, a);
});

test('OpenMetrics registries: counter families without _total, _total samples, # EOF', { skip }, async () => {
  const [a, b] = await both(async (m) => {
    const r = new m.Registry(m.Registry.OPENMETRICS_CONTENT_TYPE);
    const c = new m.Counter({ name: 'om_requests_total', help: 'Requests.', labelNames: ['code'], registers: [r] });
    c.inc({ code: 200 }, 3);
    new m.Gauge({ name: 'om_gauge', help: 'G.', registers: [r] }).set(1);
    return r.metrics();
  });
  assert.equal(b, a);
});

test('both reject the same bad configurations', { skip }, () => {
  const bad: Record<string, unknown>[] = [
    { name: 'bad-name', help: 'h' },
    { name: '0starts_with_digit', help: 'h' },
    { name: 'ok', help: 'h', labelNames: ['bad-label'] },
    { name: 'ok' },
    { help: 'no name' },
  ];
  for (const m of [prom!, vigil]) {
    for (const cfg of bad) {
      assert.throws(() => new m.Counter({ ...(cfg as { name: string; help: string }), registers: [new m.Registry()] }), Error, `${JSON.stringify(cfg)} accepted`);
    }
    const r = new m.Registry();
    const h = new m.Histogram({ name: 'h', help: 'h', labelNames: ['x'], registers: [r] });
    assert.throws(() => h.observe({ y: 'z' } as never, 1), /Added label "y"/);
    assert.throws(() => new m.Histogram({ name: 'h2', help: 'h', labelNames: ['le'], registers: [r] }), /le/);
    assert.throws(() => new m.Counter({ name: 'h', help: 'dup', registers: [r] }), /already been registered/);
    const c = new m.Counter({ name: 'c', help: 'h', registers: [r] });
    assert.throws(() => c.inc(-1), /decrease/);
  }
});

test('get() JSON of counters, gauges and histograms matches', { skip }, async () => {
  const shape = async (m: Mod) => {
    const r = new m.Registry();
    const c = new m.Counter({ name: 'c_total', help: 'C.', labelNames: ['a'], registers: [r] });
    c.inc({ a: 'x' }, 2);
    const g = new m.Gauge({ name: 'g', help: 'G.', registers: [r] });
    g.set(4);
    const h = new m.Histogram({ name: 'h', help: 'H.', labelNames: ['a'], buckets: [1, 2], registers: [r] });
    h.observe({ a: 'y' }, 1.5);
    const norm = (o: Awaited<ReturnType<typeof c.get>>) => ({
      ...o,
      values: o.values.map((v) => ({ value: v.value, metricName: v.metricName, labels: Object.entries(v.labels).sort() })).sort((p, q) => JSON.stringify(p).localeCompare(JSON.stringify(q))),
    });
    return [norm(await c.get()), norm(await g.get()), norm(await h.get())];
  };
  assert.deepEqual(await shape(vigil), await shape(prom!));
});

test('startTimer on gauges, histograms and summaries records elapsed seconds under merged labels', { skip }, async () => {
  const [a, b] = await both(async (m) => {
    const r = new m.Registry();
    const g = new m.Gauge({ name: 'g_seconds', help: 'G.', labelNames: ['a', 'b'], registers: [r] });
    const h = new m.Histogram({ name: 'h_seconds', help: 'H.', labelNames: ['a', 'b'], buckets: [10], registers: [r] });
    const s = new m.Summary({ name: 's_seconds', help: 'S.', labelNames: ['a', 'b'], percentiles: [0.5], registers: [r] });
    const eg = g.startTimer({ a: '1' });
    const eh = h.startTimer({ a: '1' });
    const es = s.startTimer({ a: '1' });
    const d = [eg({ b: '2' }), eh({ b: '2' }), es({ b: '2' })];
    assert.ok(d.every((x) => x >= 0 && x < 1));
    // Elapsed times differ between runs: mask the values that hold them before comparing.
    return (await r.metrics()).replace(/^((?:g_seconds|s_seconds)(?:\{[^}]*\})?|(?:h|s)_seconds_sum\{[^}]*\}) \S+$/gm, '$1 <elapsed>');
  });
  assert.equal(b, a);
});

test('AggregatorRegistry.aggregate gives the same result as prom-client', { skip }, async () => {
  const input = async () => {
    const per = [];
    for (const i of [1, 2, 3]) {
      const r = new vigil.Registry();
      new vigil.Counter({ name: 'req_total', help: 'h', labelNames: ['code'], registers: [r] }).inc({ code: 200 }, i);
      new vigil.Gauge({ name: 'mem', help: 'h', aggregator: 'average', registers: [r] }).set(i * 3);
      new vigil.Histogram({ name: 'lat', help: 'h', buckets: [1, 2], registers: [r] }).observe(i / 2);
      per.push(await r.getMetricsAsJSON());
    }
    return per;
  };
  const p = prom as unknown as { AggregatorRegistry: { aggregate(x: unknown): { metrics(): Promise<string> } } };
  const a = normalise(await p.AggregatorRegistry.aggregate(await input()).metrics());
  const b = normalise(await vigil.AggregatorRegistry.aggregate(await input()).metrics());
  assert.equal(b, a);
});

test('collectDefaultMetrics registers the same metric names and types as prom-client', { skip }, async () => {
  const names = async (m: Mod) => {
    const r = new m.Registry();
    const h = m.collectDefaultMetrics({ register: r, prefix: 'app_' }) as { stop?: () => void } | undefined;
    const list = r.getMetricsAsArray().map((x) => `${x.name} ${x.type}`).sort();
    const labels = (await r.getMetricsAsJSON()).find((x) => x.name === 'app_nodejs_heap_space_size_used_bytes')?.values.map((v) => Object.keys(v.labels).join(','));
    h?.stop?.();
    return { list, labels: [...new Set(labels)] };
  };
  const a = await names(prom!);
  const b = await names(vigil);
  assert.deepEqual(b.list, a.list);
  assert.deepEqual(b.labels, a.labels);
});
