// @vigil/sdk output read back by Vigil's own exposition parsers (text 0.0.4 and OpenMetrics):
// every sample the SDK reports through getMetricsAsJSON must come back with the same name,
// labels and value (bit-exact), and metadata (type, help, unit) must survive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Histogram, Summary, Registry, collectDefaultMetrics, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from '@vigil/sdk';
import { parseAll } from '../src/textparse/index.js';

function build(): Registry {
  const r = new Registry(PROMETHEUS_CONTENT_TYPE, { emitCreated: true });
  const c = new Counter({ name: 'shop_orders_total', help: 'Orders "placed"\nwith \\ escapes.', labelNames: ['region', 'kind'], registers: [r], enableExemplars: true });
  c.inc({ labels: { region: 'eu', kind: 'a"b\\c\nd' }, value: 3, exemplarLabels: { trace_id: '4bf92f3577b34da6' } });
  c.inc({ labels: { region: 'üñí' } });
  const g = new Gauge({ name: 'shop_queue_seconds', help: 'Queue age.', unit: 'seconds', labelNames: ['q'], registers: [r] });
  g.set({ q: 'nan' }, NaN);
  g.set({ q: 'inf' }, Infinity);
  g.set({ q: 'ninf' }, -Infinity);
  g.set({ q: 'tiny' }, 5e-324);
  g.set({ q: 'big' }, 1.7976931348623157e308);
  g.set({ q: 'frac' }, 0.1 + 0.2);
  const h = new Histogram({ name: 'shop_latency_seconds', help: 'Latency.', labelNames: ['route'], registers: [r], enableExemplars: true });
  for (let i = 0; i < 50; i++) h.observe({ labels: { route: '/cart' }, value: i / 7, exemplarLabels: i === 3 ? { trace_id: 'x' } : {} });
  const s = new Summary({ name: 'shop_payload_bytes', help: 'Payload.', labelNames: ['route'], registers: [r] });
  for (let i = 1; i <= 100; i++) s.observe({ route: '/cart' }, i);
  return r;
}

const key = (name: string, labels: Record<string, string | number>) =>
  name + JSON.stringify(Object.entries(labels).map(([k, v]) => [k, String(v)]).filter(([, v]) => v !== '').sort());

for (const ct of [PROMETHEUS_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE]) {
  const om = ct === OPENMETRICS_CONTENT_TYPE;
  test(`Vigil's parser reads @vigil/sdk ${om ? 'OpenMetrics' : 'text 0.0.4'} output sample for sample`, async () => {
    const r = build();
    const text = await r.metrics(ct);
    const { samples, metadata } = parseAll(text, ct);
    const got = new Map<string, number>();
    for (const s of samples) {
      const labels: Record<string, string> = {};
      for (const l of s.labels) if (l.name !== '__name__') labels[l.name] = l.value;
      got.set(key(s.name, labels), s.value);
    }
    let n = 0;
    for (const m of await r.getMetricsAsJSON()) {
      for (const v of m.values) {
        let name = v.metricName ?? m.name;
        if (om && m.type === 'counter' && !name.endsWith('_total')) name += '_total';
        const k = key(name, v.labels);
        assert.ok(got.has(k), `missing ${k} in parsed output`);
        assert.ok(Object.is(got.get(k), v.value), `${k}: parsed ${got.get(k)} vs ${v.value}`);
        n++;
      }
    }
    assert.equal(n, 31);
    const fam = (name: string) => metadata.get(name);
    assert.equal(fam(om ? 'shop_orders' : 'shop_orders_total')?.type, 'counter');
    if (!om) assert.equal(fam('shop_orders_total')?.help, 'Orders "placed"\nwith \\ escapes.');
    assert.equal(fam('shop_latency_seconds')?.type, 'histogram');
    assert.equal(fam('shop_payload_bytes')?.type, 'summary');
    if (om) {
      assert.equal(fam('shop_queue_seconds')?.unit, 'seconds');
      const ex = samples.find((s) => s.name === 'shop_orders_total' && s.exemplar);
      assert.ok(ex?.exemplar, 'counter exemplar parsed');
      assert.ok(samples.some((s) => s.name === 'shop_orders_created'), '_created emitted');
      assert.ok(samples.some((s) => s.name === 'shop_latency_seconds_bucket' && s.exemplar), 'bucket exemplar parsed');
    }
  });
}

test("Vigil's parser reads the SDK's default process/runtime metrics in both formats", async () => {
  const r = new Registry();
  const h = collectDefaultMetrics({ register: r });
  try {
    for (const ct of [PROMETHEUS_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE]) {
      const { samples } = parseAll(await r.metrics(ct), ct);
      assert.ok(samples.some((s) => s.name === 'process_cpu_seconds_total'));
      assert.ok(samples.some((s) => s.name === 'nodejs_heap_space_size_used_bytes'));
    }
  } finally {
    h.stop();
  }
});

// OpenMetrics escapes `"` in HELP as \" (and Prometheus's OM parser unescapes it with the label
// value replacer); Vigil's OM parser currently keeps the backslash.
test('OpenMetrics HELP with a double quote round-trips', async () => {
  const r = build();
  const { metadata } = parseAll(await r.metrics(OPENMETRICS_CONTENT_TYPE), OPENMETRICS_CONTENT_TYPE);
  assert.equal(metadata.get('shop_orders')?.help, 'Orders "placed"\nwith \\ escapes.');
});
