// One SDK in one process: `node worker.mjs <vigil|prom-client|otel> <case>` prints one JSON line.
// Hot-path cases report ns/op (best of several timed rounds); render cases report ms and bytes.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const [sdkName, caseName, arg] = process.argv.slice(2);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(repo + '/package.json');

async function load() {
  if (sdkName === 'vigil') return await import(repo + '/packages/sdk/dist/index.js');
  if (sdkName === 'prom-client') return require('prom-client');
  throw new Error('unknown sdk ' + sdkName);
}

const ROUNDS = 5;
// Process CPU time (user + system, in ns), not wall time: on a shared machine wall time mostly
// measures waiting for a core. GC work on helper threads is included, as it should be.
const WALL = process.env.BENCH_CLOCK === 'wall';
function cpuNs() {
  if (WALL) return Number(process.hrtime.bigint());
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}
function timeOps(fn, ops) {
  fn(Math.min(ops, 200000)); // warm up
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = cpuNs();
    fn(ops);
    best = Math.min(best, (cpuNs() - t0) / ops);
  }
  return best;
}

// 100 label combinations: 5 methods x 20 routes.
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
const combos = [];
for (let i = 0; i < 100; i++) combos.push({ method: METHODS[i % 5], route: '/api/r' + Math.floor(i / 5) });

async function otelCase() {
  const { MeterProvider } = require('@opentelemetry/sdk-metrics');
  const { PrometheusExporter, PrometheusSerializer } = require('@opentelemetry/exporter-prometheus');
  const exporter = new PrometheusExporter({ preventServerStart: true });
  // Raise OTel's default 2000-series cardinality limit so the render case exports every series.
  const provider = new MeterProvider({ readers: [exporter], views: [{ instrumentName: '*', aggregationCardinalityLimit: 1_000_000 }] });
  const meter = provider.getMeter('bench');
  const serializer = new PrometheusSerializer();
  const render = async () => {
    const { resourceMetrics } = await exporter.collect();
    return serializer.serialize(resourceMetrics);
  };
  return { meter, render };
}

async function httpCase(makeHandler) {
  const { createServer } = await import('node:http');
  const { spawn } = await import('node:child_process');
  const base = (req, res) => {
    res.statusCode = 200;
    res.setHeader('Content-Length', 2);
    res.end('ok');
  };
  const inner = makeHandler(base);
  let served = 0;
  const srv = createServer((req, res) => {
    served++;
    inner(req, res);
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const cpu0 = cpuNs();
  const port = srv.address().port;
  const ms = Number(process.env.BENCH_HTTP_MS ?? 3000);
  const child = spawn(process.execPath, [fileURLToPath(new URL('./loadgen.mjs', import.meta.url)), String(port), String(ms), '16'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((r) => child.on('exit', r));
  // Server-process CPU per request: unlike req/s and latency, not skewed by other load on the machine.
  const cpuUsPerReq = WALL ? undefined : (cpuNs() - cpu0) / 1000 / Math.max(1, served);
  srv.close();
  return { ...JSON.parse(out), cpuUsPerReq };
}

const routeOf = (url) => url.replace(/\/\d+(?=\/|$|\?)/g, '/:id');

// In-process cost of the instrumentation per request: fake req/res objects, handler that ends
// the response at once, 'close' emitted as node:http would. ns per request.
async function middlewareCase(makeHandler) {
  const { EventEmitter } = await import('node:events');
  class Res extends EventEmitter {
    statusCode = 200;
    headersSent = false;
    writableFinished = false;
    destroyed = false;
    headers = {};
    setHeader(k, v) { this.headers[k.toLowerCase()] = v; }
    getHeader(k) { return this.headers[k.toLowerCase()]; }
    end() { this.headersSent = true; this.writableFinished = true; this.emit('finish'); this.emit('close'); }
  }
  const base = (req, res) => { res.setHeader('Content-Length', 2); res.end(); };
  const h = makeHandler(base);
  const reqs = Array.from({ length: 1000 }, (_, i) => ({ method: i % 10 ? 'GET' : 'POST', url: '/api/items/' + i, headers: {} }));
  return { nsPerOp: timeOps((n) => { for (let i = 0; i < n; i++) h(reqs[i % 1000], new Res()); }, 300_000) };
}

// The hand-written lower bound the issue describes: a Map trie per label value, no validation,
// no exposition features. Shows how close the real SDKs get to what the runtime allows.
async function runFloor() {
  const N = 2_000_000;
  const trie = () => new Map();
  const get2 = (root, a, b, make) => {
    let m = root.get(a);
    if (m === undefined) root.set(a, (m = new Map()));
    let c = m.get(b);
    if (c === undefined) m.set(b, (c = make()));
    return c;
  };
  const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  switch (caseName) {
    case 'counter_bound': {
      const ch = { v: 0 };
      return { nsPerOp: timeOps((n) => { for (let i = 0; i < n; i++) ch.v++; }, N * 5) };
    }
    case 'counter_labels': {
      const root = trie();
      return { nsPerOp: timeOps((n) => { for (let i = 0; i < n; i++) { const l = combos[i % 100]; get2(root, l.method, l.route, () => ({ v: 0 })).v++; } }, N) };
    }
    case 'histogram_labels': {
      const root = trie();
      const make = () => ({ counts: new Float64Array(12), sum: 0 });
      return {
        nsPerOp: timeOps((n) => {
          for (let i = 0; i < n; i++) {
            const l = combos[i % 100];
            const h = get2(root, l.method, l.route, make);
            const v = (i % 1000) / 997;
            let j = 0;
            while (j < 11 && v > BOUNDS[j]) j++;
            h.counts[j]++;
            h.sum += v;
          }
        }, N),
      };
    }
    case 'gauge_set': {
      const g = { v: 0 };
      return { nsPerOp: timeOps((n) => { for (let i = 0; i < n; i++) g.v = i; }, N * 5) };
    }
    case 'render': {
      const series = Number(arg);
      const list = [];
      for (let i = 0; i < series; i++) list.push({ lb: '{a="v' + (i % 100) + '",b="x' + Math.floor(i / 100) + '"}', v: i });
      let best = Infinity;
      let bytes = 0;
      for (let r = 0; r < 5; r++) {
        const t0 = cpuNs();
        let s = '# HELP r_total h\n# TYPE r_total counter\n';
        for (const c of list) s += 'r_total' + c.lb + ' ' + c.v + '\n';
        bytes = Buffer.byteLength(s);
        best = Math.min(best, (cpuNs() - t0) / 1e6);
      }
      return { ms: best, bytes, heapPerSeries: null };
    }
  }
  return { nsPerOp: null };
}

async function main() {
  let r;
  if (sdkName === 'floor') r = await runFloor();
  else
  if (caseName === 'http' && sdkName === 'none') r = await httpCase((h) => h);
  else if (caseName === 'middleware' && sdkName === 'none') r = await middlewareCase((h) => h);
  else if (sdkName === 'otel') r = await runOtel();
  else r = await runProm(await load());
  process.stdout.write(JSON.stringify(r) + '\n');
}

async function runProm(m) {
  const reg = new m.Registry();
  const N = 2_000_000;
  switch (caseName) {
    case 'counter_bound': {
      const c = new m.Counter({ name: 'c_total', help: 'h', labelNames: ['method'], registers: [reg] });
      const ch = c.labels('GET');
      return { nsPerOp: timeOps((n) => { for (let i = 0; i < n; i++) ch.inc(); }, N * 5) };
    }
    case 'counter_labels': {
      const c = new m.Counter({ name: 'c_total', help: 'h', labelNames: ['method', 'route'], registers: [reg] });
      return { nsPerOp: timeOps((n) => { for (let i = 0; i < n; i++) c.inc(combos[i % 100]); }, N) };
    }
    case 'counter_positional': {
      const c = new m.Counter({ name: 'c_total', help: 'h', labelNames: ['method', 'route'], registers: [reg] });
      return { nsPerOp: timeOps((n) => { for (let i = 0; i < n; i++) { const l = combos[i % 100]; c.labels(l.method, l.route).inc(); } }, N) };
    }
    case 'histogram_labels': {
      const h = new m.Histogram({ name: 'h_seconds', help: 'h', labelNames: ['method', 'route'], registers: [reg] });
      return { nsPerOp: timeOps((n) => { for (let i = 0; i < n; i++) h.observe(combos[i % 100], (i % 1000) / 997); }, N) };
    }
    case 'gauge_set': {
      const g = new m.Gauge({ name: 'g', help: 'h', registers: [reg] });
      return { nsPerOp: timeOps((n) => { for (let i = 0; i < n; i++) g.set(i); }, N * 5) };
    }
    case 'summary_observe': {
      const s = new m.Summary({ name: 's_seconds', help: 'h', registers: [reg], maxAgeSeconds: 600, ageBuckets: 5 });
      return { nsPerOp: timeOps((n) => { for (let i = 0; i < n; i++) s.observe((i % 1000) / 997); }, sdkName === 'vigil' ? N : 200_000) };
    }
    case 'middleware':
    case 'http': {
      const harness = caseName === 'http' ? httpCase : middlewareCase;
      if (sdkName === 'vigil') {
        const hm = new m.HttpMetrics({ registry: reg, routes: ['/api/items/:id'] });
        return await harness((h) => hm.wrap(h));
      }
      // prom-client ships no middleware: the same three metrics, wired the usual way.
      const labelNames = ['method', 'route', 'status'];
      const total = new m.Counter({ name: 'http_requests_total', help: 'h', labelNames, registers: [reg] });
      const dur = new m.Histogram({ name: 'http_request_duration_seconds', help: 'h', labelNames, registers: [reg] });
      const inflight = new m.Gauge({ name: 'http_requests_in_progress', help: 'h', labelNames: ['method'], registers: [reg] });
      return await harness((h) => (req, res) => {
        const end = dur.startTimer();
        inflight.inc({ method: req.method });
        res.once('finish', () => {
          const labels = { method: req.method, route: routeOf(req.url), status: res.statusCode };
          inflight.dec({ method: req.method });
          total.inc(labels);
          end(labels);
        });
        h(req, res);
      });
    }
    case 'render': {
      const series = Number(arg);
      const c = new m.Counter({ name: 'r_total', help: 'h', labelNames: ['a', 'b'], registers: [reg] });
      const before = (globalThis.gc?.(), process.memoryUsage().heapUsed);
      for (let i = 0; i < series; i++) c.inc({ a: 'v' + (i % 100), b: 'x' + Math.floor(i / 100) }, i);
      const after = (globalThis.gc?.(), process.memoryUsage().heapUsed);
      let text = await reg.metrics();
      let best = Infinity;
      let bytes = 0;
      for (let r = 0; r < 5; r++) {
        const t0 = cpuNs();
        text = await reg.metrics();
        bytes = Buffer.byteLength(text); // flattens the string, as writing it to a socket would
        best = Math.min(best, (cpuNs() - t0) / 1e6);
      }
      return { ms: best, bytes, heapPerSeries: (after - before) / series };
    }
  }
  throw new Error('unknown case ' + caseName);
}

async function runOtel() {
  const { meter, render } = await otelCase();
  const N = 2_000_000;
  switch (caseName) {
    case 'counter_bound': {
      // OTel has no bound instruments; the closest is add() with one fixed attribute object.
      const c = meter.createCounter('c');
      const a = { method: 'GET' };
      return { nsPerOp: timeOps((n) => { for (let i = 0; i < n; i++) c.add(1, a); }, N / 2) };
    }
    case 'counter_labels': {
      const c = meter.createCounter('c');
      return { nsPerOp: timeOps((n) => { for (let i = 0; i < n; i++) c.add(1, combos[i % 100]); }, N / 2) };
    }
    case 'histogram_labels': {
      const h = meter.createHistogram('h', { advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] } });
      return { nsPerOp: timeOps((n) => { for (let i = 0; i < n; i++) h.record((i % 1000) / 997, combos[i % 100]); }, N / 2) };
    }
    case 'gauge_set': {
      const g = meter.createGauge ? meter.createGauge('g') : null;
      if (!g) return { nsPerOp: null };
      return { nsPerOp: timeOps((n) => { for (let i = 0; i < n; i++) g.record(i); }, N / 2) };
    }
    case 'summary_observe':
      return { nsPerOp: null }; // OTel has no summary instrument
    case 'counter_positional':
      return { nsPerOp: null }; // no positional API in OTel
    case 'middleware':
    case 'http': {
      const harness = caseName === 'http' ? httpCase : middlewareCase;
      const total = meter.createCounter('http_requests_total');
      const dur = meter.createHistogram('http_request_duration_seconds');
      const inflight = meter.createUpDownCounter('http_requests_in_progress');
      return await harness((h) => (req, res) => {
        const t0 = performance.now();
        inflight.add(1, { method: req.method });
        res.once('finish', () => {
          const attrs = { method: req.method, route: routeOf(req.url), status: res.statusCode };
          inflight.add(-1, { method: req.method });
          total.add(1, attrs);
          dur.record((performance.now() - t0) / 1000, attrs);
        });
        h(req, res);
      });
    }
    case 'render': {
      const series = Number(arg);
      const c = meter.createCounter('r', { description: 'h' });
      const before = (globalThis.gc?.(), process.memoryUsage().heapUsed);
      for (let i = 0; i < series; i++) c.add(i, { a: 'v' + (i % 100), b: 'x' + Math.floor(i / 100) });
      const after = (globalThis.gc?.(), process.memoryUsage().heapUsed);
      let text = await render();
      let best = Infinity;
      let bytes = 0;
      for (let r = 0; r < 3; r++) {
        const t0 = cpuNs();
        text = await render();
        bytes = Buffer.byteLength(text);
        best = Math.min(best, (cpuNs() - t0) / 1e6);
      }
      return { ms: best, bytes, heapPerSeries: (after - before) / series };
    }
  }
  throw new Error('unknown case ' + caseName);
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ error: String(e?.message ?? e) }) + '\n');
});
