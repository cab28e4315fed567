import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Histogram, Summary, Registry, linearBuckets, exponentialBuckets, negotiate, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from './index.js';

const reg = () => new Registry();

test('counter: positional, object and bound labels share series; values validated', async () => {
  const r = reg();
  const c = new Counter({ name: 'req_total', help: 'Requests.', labelNames: ['method', 'code'], registers: [r] });
  c.inc({ method: 'GET', code: 200 });
  c.inc({ code: '200', method: 'GET' }, 2);
  c.labels('GET', '200').inc();
  c.labels({ method: 'POST', code: 500 }).inc(0.5);
  assert.equal(
    await r.metrics(),
    '# HELP req_total Requests.\n# TYPE req_total counter\nreq_total{method="GET",code="200"} 4\nreq_total{method="POST",code="500"} 0.5\n',
  );
  assert.throws(() => c.inc({ method: 'GET', code: 200 }, -1), /not possible to decrease/);
  assert.throws(() => c.inc({ method: 'GET', code: 200 }, NaN), /not a valid number/);
  assert.throws(() => c.inc({ method: 'GET', code: 200 }, '3' as unknown as number), /not a valid number/);
  assert.throws(() => c.inc({ methd: 'GET' } as never), /Added label "methd"/);
  assert.throws(() => c.labels('GET'), /Invalid number of arguments/);
  // null/undefined/missing label values are the same (empty) series, whichever path creates it.
  c.inc({ method: null as never, code: 1 });
  c.inc({ code: 1 });
  c.labels(undefined as never, 1).inc();
  assert.match(await r.metrics(), /^req_total\{code="1"\} 3$/m);
  c.remove({ code: 1 });
  c.remove('GET', 200);
  assert.deepEqual((await c.get()).values, [{ value: 0.5, labels: { method: 'POST', code: '500' } }]);
  c.reset();
  assert.deepEqual((await c.get()).values, []);
});

test('names and labels are validated at creation', () => {
  const r = reg();
  assert.throws(() => new Counter({ name: 'a-b', help: 'h', registers: [r] }), /Invalid metric name "a-b"/);
  assert.throws(() => new Counter({ name: 'a', help: '', registers: [r] }), /help/);
  assert.throws(() => new Counter({ name: 'a', help: 'h', labelNames: ['1x'], registers: [r] }), /Invalid label name "1x"/);
  assert.throws(() => new Counter({ name: 'a', help: 'h', labelNames: ['__x'], registers: [r] }), /reserved/);
  assert.throws(() => new Counter({ name: 'a', help: 'h', labelNames: ['x', 'x'], registers: [r] }), /Duplicate/);
  assert.throws(() => new Histogram({ name: 'h', help: 'h', labelNames: ['le'], registers: [r] }), /le is a reserved/);
  assert.throws(() => new Summary({ name: 's', help: 'h', labelNames: ['quantile'], registers: [r] }), /quantile is a reserved/);
  assert.throws(() => new Histogram({ name: 'h2', help: 'h', buckets: [1, 0.5], registers: [r] }), /strictly increasing/);
  assert.throws(() => new Gauge({ name: 'g_bytes', help: 'h', unit: 'seconds', registers: [r] }), /end with _seconds/);
  new Gauge({ name: 'dup', help: 'h', registers: [r] });
  assert.throws(() => new Gauge({ name: 'dup', help: 'h', registers: [r] }), /already been registered/);
});

test('gauge: set/inc/dec/setToCurrentTime/startTimer, NaN and Inf rendered', async () => {
  const r = reg();
  const g = new Gauge({ name: 'g', help: 'h', labelNames: ['k'], registers: [r] });
  g.set({ k: 'a' }, 5);
  g.inc({ k: 'a' }, 2);
  g.dec({ k: 'a' });
  g.labels('b').set(NaN);
  g.labels('c').set(-Infinity);
  g.labels('d').set(Infinity);
  const before = Date.now() / 1000;
  g.setToCurrentTime({ k: 'e' });
  const end = g.startTimer({ k: 'f' });
  const d = end();
  const text = await r.metrics();
  assert.match(text, /^g\{k="a"\} 6$/m);
  assert.match(text, /^g\{k="b"\} NaN$/m);
  assert.match(text, /^g\{k="c"\} -Inf$/m);
  assert.match(text, /^g\{k="d"\} \+Inf$/m);
  const e = Number(/^g\{k="e"\} (.*)$/m.exec(text)![1]);
  assert.ok(e >= before && e <= Date.now() / 1000 + 1);
  assert.ok(d >= 0 && d < 1);
  assert.throws(() => g.set({ k: 'a' }, 'x' as unknown as number), /not a valid number/);
});

test('histogram: cumulative buckets, sum, count, helpers, timers', async () => {
  const r = reg();
  const h = new Histogram({ name: 'lat_seconds', help: 'h', labelNames: ['route'], buckets: [0.1, 0.5, 1], registers: [r] });
  for (const v of [0.05, 0.1, 0.3, 0.7, 2]) h.observe({ route: '/x' }, v);
  h.labels('/y').observe(0.2);
  const text = await r.metrics();
  assert.equal(
    text,
    [
      '# HELP lat_seconds h',
      '# TYPE lat_seconds histogram',
      'lat_seconds_bucket{route="/x",le="0.1"} 2',
      'lat_seconds_bucket{route="/x",le="0.5"} 3',
      'lat_seconds_bucket{route="/x",le="1"} 4',
      'lat_seconds_bucket{route="/x",le="+Inf"} 5',
      'lat_seconds_sum{route="/x"} 3.15',
      'lat_seconds_count{route="/x"} 5',
      'lat_seconds_bucket{route="/y",le="0.1"} 0',
      'lat_seconds_bucket{route="/y",le="0.5"} 1',
      'lat_seconds_bucket{route="/y",le="1"} 1',
      'lat_seconds_bucket{route="/y",le="+Inf"} 1',
      'lat_seconds_sum{route="/y"} 0.2',
      'lat_seconds_count{route="/y"} 1',
      '',
    ].join('\n'),
  );
  assert.throws(() => h.observe({ route: '/x' }, NaN), /not a valid number/);
  const many = new Histogram({ name: 'many', help: 'h', buckets: linearBuckets(1, 1, 40), registers: [r] });
  for (let i = 0; i <= 41; i++) many.observe(i); // binary-search path
  const m = await many.get();
  assert.equal(m.values.find((v) => v.labels.le === 1)?.value, 2);
  assert.equal(m.values.find((v) => v.labels.le === 40)?.value, 41);
  assert.equal(m.values.find((v) => v.labels.le === '+Inf')?.value, 42);
  assert.deepEqual(linearBuckets(0, 0.5, 3), [0, 0.5, 1]);
  assert.deepEqual(exponentialBuckets(1, 2, 4), [1, 2, 4, 8]);
  assert.throws(() => exponentialBuckets(0, 2, 3), /positive start/);
  const end = h.startTimer({ route: '/t' });
  assert.ok(end() >= 0);
  h.zero({ route: '/z' });
  assert.match(await r.metrics(), /lat_seconds_count\{route="\/z"\} 0/);
});

test('summary: quantiles within the stated 1% relative error, sliding window expires', async () => {
  const r = reg();
  const s = new Summary({ name: 's', help: 'h', percentiles: [0, 0.1, 0.5, 0.9, 0.99, 1], registers: [r] });
  const data: number[] = [];
  let x = 12345;
  for (let i = 0; i < 20000; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const v = Math.exp((x / 2147483648) * 12 - 6) * (i % 7 === 0 ? -1 : 1);
    data.push(v);
    s.observe(v);
  }
  data.sort((a, b) => a - b);
  const got = await s.get();
  for (const q of [0, 0.1, 0.5, 0.9, 0.99, 1]) {
    const exact = data[Math.floor(q * (data.length - 1))]!;
    const est = got.values.find((v) => v.labels.quantile === q)!.value;
    assert.ok(Math.abs(est - exact) <= 0.01 * Math.abs(exact) + 1e-12, `q=${q}: ${est} vs ${exact}`);
  }
  assert.equal(got.values.find((v) => v.metricName === 's_count')!.value, 20000);

  const w = new Summary({ name: 'w', help: 'h', maxAgeSeconds: 1, ageBuckets: 2, percentiles: [0.5], registers: [r], pruneAgedBuckets: false });
  w.observe(10);
  assert.match(await r.metrics(), /^w\{quantile="0.5"\} (9\.9|10)/m);
  await new Promise((res) => setTimeout(res, 1100));
  assert.match(await r.metrics(), /^w\{quantile="0.5"\} NaN$/m);
  assert.match(await r.metrics(), /^w_count 1$/m);
});

test('collect callbacks (sync and async) run at scrape time with this = metric', async () => {
  const r = reg();
  let n = 0;
  new Gauge({
    name: 'sync_g',
    help: 'h',
    registers: [r],
    collect() {
      this.set(++n);
    },
  });
  new Gauge({
    name: 'async_g',
    help: 'h',
    labelNames: ['x'],
    registers: [r],
    async collect() {
      await new Promise((res) => setTimeout(res, 5));
      this.set({ x: 'y' }, 42);
    },
  });
  const text = await r.metrics();
  assert.match(text, /^sync_g 1$/m);
  assert.match(text, /^async_g\{x="y"\} 42$/m);
});

test('escaping of label values and help; empty label values omitted', async () => {
  const r = reg();
  const c = new Counter({ name: 'e_total', help: 'a\\b\nc "q"', labelNames: ['a', 'b'], registers: [r] });
  c.inc({ a: 'x"y\\z\nw' });
  const text = await r.metrics();
  assert.equal(text, '# HELP e_total a\\\\b\\nc "q"\n# TYPE e_total counter\ne_total{a="x\\"y\\\\z\\nw"} 1\n');
  assert.deepEqual((await c.get()).values[0]!.labels, { a: 'x"y\\z\nw' }, 'label values read back unescaped');
  c.remove({ a: 'x"y\\z\nw' });
  assert.equal((await c.get()).values.length, 0);
  c.inc({ a: 'x"y\\z\nw' });
  const om = await r.metrics(OPENMETRICS_CONTENT_TYPE);
  assert.equal(om, '# HELP e a\\\\b\\nc \\"q\\"\n# TYPE e counter\ne_total{a="x\\"y\\\\z\\nw"} 1\n# EOF\n');
});

test('OpenMetrics: _total, units, exemplars, _created, # EOF', async () => {
  const r = new Registry(OPENMETRICS_CONTENT_TYPE, { emitCreated: true });
  const c = new Counter({ name: 'jobs_total', help: 'Jobs.', enableExemplars: true, registers: [r] });
  c.inc({ value: 2, exemplarLabels: { trace_id: 'abc' } });
  const h = new Histogram({ name: 'rt_seconds', help: 'RT.', unit: 'seconds', buckets: [1], labelNames: ['m'], enableExemplars: true, registers: [r] });
  h.observe({ labels: { m: 'a' }, value: 0.5, exemplarLabels: { trace_id: 'def' } });
  const text = await r.metrics();
  assert.match(text, /^# TYPE jobs counter$/m);
  assert.match(text, /^jobs_total 2 # \{trace_id="abc"\} 2 \d+\.\d{3}$/m);
  assert.match(text, /^jobs_created \d+\.\d{3}$/m);
  assert.match(text, /^# UNIT rt_seconds seconds$/m);
  assert.match(text, /^rt_seconds_bucket\{m="a",le="1"\} 1 # \{trace_id="def"\} 0.5 \d+\.\d{3}$/m);
  assert.ok(text.endsWith('# EOF\n'));
  assert.throws(() => c.inc({ value: 1, exemplarLabels: { trace_id: 'x'.repeat(130) } }), /at most 128/);
  // The same registry renders 0.0.4 on request, without exemplars or _created.
  const plain = await r.metrics(PROMETHEUS_CONTENT_TYPE);
  assert.doesNotMatch(plain, /#\s\{|_created|# EOF/);
});

test('negotiate picks OpenMetrics only when asked for', () => {
  assert.equal(negotiate(undefined), PROMETHEUS_CONTENT_TYPE);
  assert.equal(negotiate('text/plain;version=0.0.4'), PROMETHEUS_CONTENT_TYPE);
  assert.equal(negotiate('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'), OPENMETRICS_CONTENT_TYPE);
  assert.equal(negotiate('application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5'), OPENMETRICS_CONTENT_TYPE);
  assert.equal(negotiate('application/openmetrics-text;q=0.2,text/plain'), PROMETHEUS_CONTENT_TYPE);
  assert.equal(negotiate('application/json'), PROMETHEUS_CONTENT_TYPE);
});

test('registry: default labels, merge, getSingleMetric, clear, resetMetrics', async () => {
  const a = reg();
  const b = reg();
  const ca = new Counter({ name: 'a_total', help: 'h', labelNames: ['env'], registers: [a] });
  new Gauge({ name: 'b', help: 'h', registers: [b] }).set(3);
  ca.inc({ env: 'own' });
  ca.inc({});
  a.setDefaultLabels({ env: 'prod', app: 'x' });
  const text = await a.metrics();
  assert.match(text, /^a_total\{env="own",app="x"\} 1$/m);
  assert.match(text, /^a_total\{env="prod",app="x"\} 1$/m);
  const m = Registry.merge([a, b]);
  assert.equal(m.getSingleMetric('b')?.type, 'gauge');
  assert.match(await m.metrics(), /^b 3$/m);
  assert.throws(() => Registry.merge([a, new Registry(OPENMETRICS_CONTENT_TYPE)]), /same content type/);
  assert.equal(await b.getSingleMetricAsString('b'), '# HELP b h\n# TYPE b gauge\nb 3');
  b.resetMetrics();
  assert.match(await b.metrics(), /^b 0$/m);
  b.clear();
  assert.equal(await b.metrics(), '');
  assert.throws(() => new Registry('text/html'), /unsupported/);
});

test('maxSeries caps label combinations into one <overflow> series', async () => {
  const r = reg();
  const warnings: string[] = [];
  const onWarn = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarn);
  try {
    const c = new Counter({ name: 'ids_total', help: 'h', labelNames: ['user', 'kind'], maxSeries: 3, registers: [r] });
    for (let i = 0; i < 10; i++) c.inc({ user: 'u' + i, kind: 'k' });
    c.inc({ user: 'u1', kind: 'k' }); // an existing series still counts on its own
    const text = await r.metrics();
    assert.match(text, /^ids_total\{user="u1",kind="k"\} 2$/m);
    assert.match(text, /^ids_total\{user="<overflow>",kind="<overflow>"\} 7$/m);
    assert.equal(text.split('\n').filter((l) => l.startsWith('ids_total{')).length, 4);
    await new Promise((res) => setImmediate(res));
    assert.equal(warnings.filter((w) => w.includes('ids_total reached maxSeries (3)')).length, 1);
    assert.throws(() => new Counter({ name: 'bad_total', help: 'h', maxSeries: 0, registers: [r] }), /maxSeries/);
  } finally {
    process.off('warning', onWarn);
  }
});
