import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { CfgNode } from '../config/node.js';
import { labelsOf, labelsToObject, getLabel, type Labels } from '../model/labels.js';
import { newMatcher } from '../model/matchers.js';
import type { Appendable, Appender } from '../storage/interface.js';
import { Router, type Req } from '../web/router.js';
import { parseAnomalyConfig, type AnomalyConfig } from './config.js';
import { InsightManager, type QuerySample } from './manager.js';
import { registerInsightRoutes } from './routes.js';
import { ThresholdBand } from './thresholds.js';

function cfg(yaml: string): AnomalyConfig {
  return parseAnomalyConfig(CfgNode.parse(yaml, 'vigil.yml').get('anomaly'));
}

test('anomaly config: defaults, seasonality hint, thresholds', () => {
  const c = cfg(`
anomaly:
  evaluation_interval: 30s
  jobs:
    - name: lat
      expr: rate(http_requests_total[5m])
      params: {suppress: 60}
      seasonality: weekly
      labels: {team: web}
    - name: svc
      expr: '{job="api"}'
      interval: 1m
      detector: iforest
      group_by: [instance]
      thresholds: {enabled: false}
    - name: flat
      expr: up
      seasonality: none
    - name: s
      expr: up
      detector: seasonal
      seasonality: weekly
`);
  assert.deepEqual(c.jobs[2]!.params, { components: 'ewma,cusum' });
  assert.equal(c.jobs[2]!.thresholds.seasonal, false);
  assert.deepEqual(c.jobs[3]!.params, { period: 7 * 86_400_000 });
  assert.equal(c.evaluationIntervalMs, 30_000);
  const [a, b] = c.jobs as [typeof c.jobs[0], typeof c.jobs[0]];
  assert.equal(a.intervalMs, 30_000);
  assert.equal(a.detector, 'ensemble');
  assert.deepEqual(a.params, { suppress: 60 });
  assert.equal(a.thresholds.upperQuantile, 0.99);
  assert.equal(a.thresholds.windowMs, 7 * 86_400_000);
  assert.equal(a.thresholds.seasonal, true);
  assert.deepEqual(a.labels, { team: 'web' });
  assert.equal(b.detector, 'iforest');
  assert.deepEqual(b.groupBy, ['instance']);
  assert.equal(b.thresholds.enabled, false);
});

test('anomaly config errors name the line and field', () => {
  const bad: [string, RegExp][] = [
    ['anomaly:\n  jobs:\n    - name: x\n      expr: "rate(x[5m]"\n', /vigil.yml:4: anomaly\.jobs\[0\]\.expr: invalid PromQL/],
    ['anomaly:\n  jobs:\n    - name: x\n      expr: up\n      detector: magic\n', /vigil.yml:5: anomaly\.jobs\[0\]\.detector: unknown detector "magic"/],
    ['anomaly:\n  jobs:\n    - name: x\n      expr: up\n      params: {alpha: 7}\n      detector: ewma\n', /jobs\[0\]\.params: detector ewma: parameter alpha/],
    ['anomaly:\n  jobs:\n    - name: x\n      expr: up\n      interval: 5x\n', /jobs\[0\]\.interval/],
    ['anomaly:\n  jobs:\n    - name: x\n      expr: up\n    - name: x\n      expr: up\n', /duplicate job name "x"/],
    ['anomaly:\n  jobs:\n    - name: x\n      expr: up\n      thresholds: {upper_quantile: 2}\n', /upper_quantile: must be between 0 and 1/],
    ['anomaly:\n  jobs:\n    - name: x\n      expr: up\n      seasonality: hourly\n', /seasonality: must be one of/],
    ['anomaly:\n  jobs:\n    - name: x\n      exp: up\n', /field exp not found/],
  ];
  for (const [y, re] of bad) assert.throws(() => cfg(y), re);
  assert.deepEqual(cfg('global: {}\n'), { evaluationIntervalMs: 60_000, jobs: [] });
  assert.throws(() => cfg('anomaly: [1]\n'), /vigil.yml:1: anomaly: expected a mapping/);
});

class MemAppendable implements Appendable {
  samples: { labels: Labels; t: number; v: number }[] = [];
  appender(): Appender {
    const staged: { labels: Labels; t: number; v: number }[] = [];
    return {
      append: (_r, labels, t, v) => {
        staged.push({ labels, t, v });
        return 0;
      },
      commit: async () => {
        this.samples.push(...staged);
      },
      rollback: () => {
        staged.length = 0;
      },
    };
  }
  of(metric: string, extra: Record<string, string> = {}) {
    return this.samples.filter(
      (s) => getLabel(s.labels, '__name__') === metric && Object.entries(extra).every(([k, v]) => getLabel(s.labels, k) === v),
    );
  }
}

const STEP = 60_000;
const T0 = Date.UTC(2024, 0, 1);
const val = (i: number, inst: string) => 100 + 30 * Math.sin((2 * Math.PI * i) / 1440) + ((i * 7919 + inst.length * 31) % 13) - 6 + (inst === 'a' && i === 3000 ? 300 : 0);
const query = async (_e: string, ts: number): Promise<QuerySample[]> => {
  const i = (ts - T0) / STEP;
  return ['a', 'bb'].map((inst) => ({ labels: labelsOf('__name__', 'latency', 'instance', inst), v: val(i, inst) }));
};
const JOB = `
anomaly:
  jobs:
    - name: lat
      expr: latency
      interval: 1m
      labels: {team: web}
`;

test('manager writes scores and bands as series with the source labels', async () => {
  const app = new MemAppendable();
  const m = new InsightManager(cfg(JOB), { query, appendable: app });
  for (let i = 0; i < 3100; i++) await m.evaluate('lat', T0 + i * STEP);
  const sc = app.of('vigil_anomaly_score', { instance: 'a' });
  assert.equal(sc.length, 3100);
  assert.deepEqual(labelsToObject(sc[0]!.labels), { __name__: 'vigil_anomaly_score', detector: 'ensemble', instance: 'a', team: 'web' });
  for (const s of app.of('vigil_anomaly_score')) assert.ok(s.v >= 0 && s.v <= 1);
  const spike = sc.find((s) => s.t === T0 + 3000 * STEP)!;
  assert.ok(spike.v >= 0.5, `spike score ${spike.v}`);
  const up = app.of('vigil_threshold_upper', { instance: 'bb' });
  const lo = app.of('vigil_threshold_lower', { instance: 'bb' });
  assert.ok(up.length > 2000 && up.length === lo.length);
  assert.equal(getLabel(up[0]!.labels, 'detector'), '');
  // Late in the run, ordinary values sit inside the band most of the time.
  let inside = 0, total = 0;
  for (let k = 0; k < up.length; k++) {
    const t = up[k]!.t;
    if (t < T0 + 2000 * STEP) continue;
    const v = val((t - T0) / STEP, 'bb');
    total++;
    if (v <= up[k]!.v && v >= lo[k]!.v) inside++;
    assert.ok(up[k]!.v >= lo[k]!.v);
  }
  assert.ok(inside / total > 0.9, `inside ${inside}/${total}`);
  const st = m.status()[0]!;
  assert.equal(st.series, 2);
  assert.equal(st.lastError, '');
});

test('state survives a restart and continues exactly; a corrupt file is ignored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-insight-'));
  try {
    const a1 = new MemAppendable(), a2 = new MemAppendable(), a3 = new MemAppendable();
    const ref = new InsightManager(cfg(JOB), { query, appendable: a1 });
    const m1 = new InsightManager(cfg(JOB), { query, appendable: a2, dataDir: dir, persistEveryMs: 0 });
    for (let i = 0; i < 1500; i++) {
      await ref.evaluate('lat', T0 + i * STEP);
      await m1.evaluate('lat', T0 + i * STEP);
    }
    await m1.stop();
    const m2 = new InsightManager(cfg(JOB), { query, appendable: a3, dataDir: dir, persistEveryMs: 0 });
    m2.loadState();
    for (let i = 1500; i < 3100; i++) {
      await ref.evaluate('lat', T0 + i * STEP);
      await m2.evaluate('lat', T0 + i * STEP);
    }
    const tail = (a: MemAppendable) => a.samples.filter((s) => s.t >= T0 + 1500 * STEP).map((s) => [labelsToObject(s.labels), s.t, s.v]);
    assert.deepEqual(tail(a3), tail(a1));
    // A changed detector setting starts fresh rather than loading incompatible state.
    const m3 = new InsightManager(cfg(JOB.replace('interval: 1m', 'interval: 1m\n      detector: ewma')), { query, appendable: new MemAppendable(), dataDir: dir });
    m3.loadState();
    assert.equal(m3.status()[0]!.series, 0);
    const file = join(dir, 'insight', 'anomaly-state.json');
    const good = readFileSync(file, 'utf8').split('\n');
    assert.equal(good.filter(Boolean).length, 3, 'header + one line per series');
    // One damaged line costs only that series.
    writeFileSync(file, [good[0], good[1]!.slice(0, 50), good[2], ''].join('\n'));
    const warns0: string[] = [];
    const log0 = { debug() {}, info() {}, warn: (msg: string) => warns0.push(msg), error() {}, child() { return log0; } };
    const m5 = new InsightManager(cfg(JOB), { query, appendable: new MemAppendable(), dataDir: dir, logger: log0 });
    m5.loadState();
    assert.equal(m5.status()[0]!.series, 1);
    assert.match(warns0.join(), /skipped unreadable anomaly state entries/);
    writeFileSync(file, '{not json');
    const warns: string[] = [];
    const log = { debug() {}, info() {}, warn: (msg: string) => warns.push(msg), error() {}, child() { return log; } };
    const m4 = new InsightManager(cfg(JOB), { query, appendable: new MemAppendable(), dataDir: dir, logger: log });
    m4.loadState();
    assert.equal(m4.status()[0]!.series, 0);
    assert.match(warns.join(), /unreadable anomaly state/);
    assert.ok(readFileSync(join(dir, 'insight', 'anomaly-state.json'), 'utf8').startsWith('{not'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failing query is recorded and the job keeps going', async () => {
  let fail = true;
  const m = new InsightManager(cfg(JOB), {
    query: async (e, ts) => {
      if (fail) throw new Error('boom');
      return query(e, ts);
    },
    appendable: new MemAppendable(),
  });
  await m.evaluate('lat', T0);
  assert.equal(m.status()[0]!.lastError, 'boom');
  fail = false;
  await m.evaluate('lat', T0 + STEP);
  assert.equal(m.status()[0]!.lastError, '');
  assert.equal(m.status()[0]!.series, 2);
});

test('iforest job scores one vector per group', async () => {
  const app = new MemAppendable();
  const c = cfg(`
anomaly:
  jobs:
    - name: svc
      expr: '{job="api"}'
      detector: iforest
      group_by: [instance]
`);
  const q = async (_e: string, ts: number): Promise<QuerySample[]> => {
    const i = (ts - T0) / STEP;
    const load = 50 + 40 * Math.sin(i / 37);
    const odd = i >= 1500; // an incident: the combination stays unusual for a few evaluations
    return [
      { labels: labelsOf('__name__', 'cpu', 'instance', 'x', 'job', 'api'), v: load },
      { labels: labelsOf('__name__', 'latency', 'instance', 'x', 'job', 'api'), v: odd ? 10 : load * 2 + (i % 5) },
    ];
  };
  const m = new InsightManager(c, { query: q, appendable: app });
  for (let i = 0; i <= 1510; i++) await m.evaluate('svc', T0 + i * STEP);
  const sc = app.of('vigil_anomaly_score');
  assert.deepEqual(labelsToObject(sc[0]!.labels), { __name__: 'vigil_anomaly_score', detector: 'iforest', instance: 'x' });
  const during = Math.max(...sc.slice(-11).map((s) => s.v));
  const before = Math.max(...sc.slice(-300, -11).map((s) => s.v));
  assert.ok(during > before, `incident ${during} vs ordinary max ${before}`);
  const ex = m.explain([newMatcher('=', 'instance', 'x')]);
  assert.equal(ex.length, 1);
  assert.equal(Object.keys(ex[0]!.dimensions!).length, 2);
});

test('explain API returns detector, expected range and observed value', async () => {
  const m = new InsightManager(cfg(JOB), { query, appendable: new MemAppendable() });
  for (let i = 0; i < 400; i++) await m.evaluate('lat', T0 + i * STEP);
  const r = new Router();
  registerInsightRoutes(r, { insight: m });
  const call = async (qs: string) => {
    const hit = r.match('GET', '/api/v1/vigil/anomaly/explain');
    assert.ok(hit && 'handler' in hit);
    let status = 0, body = '';
    const res = { writeHead: (s: number) => { status = s; }, end: (b: string) => { body = b; } } as unknown as ServerResponse;
    const query = new URLSearchParams(qs);
    const req = { method: 'GET', path: '', query, params: {}, form: async () => query } as unknown as Req;
    await hit.handler(req, res);
    return { status, json: JSON.parse(body) };
  };
  const ok = await call('series=' + encodeURIComponent('latency{instance="a"}'));
  assert.equal(ok.status, 200);
  assert.equal(ok.json.data.length, 1);
  const it = ok.json.data[0];
  assert.equal(it.detector, 'ensemble');
  assert.equal(it.labels.instance, 'a');
  assert.equal(it.observed, val(399, 'a'));
  assert.ok(it.expected.lo <= it.expected.hi);
  assert.ok(it.band.lower <= it.band.upper);
  const byOut = await call('series=' + encodeURIComponent('vigil_anomaly_score{detector="ensemble"}'));
  assert.equal(byOut.json.data.length, 2);
  const bad = await call('series=' + encodeURIComponent('rate(x[5m]'));
  assert.equal(bad.status, 400);
  assert.equal(bad.json.errorType, 'bad_data');
  assert.equal((await call('')).status, 400);
});

test('threshold band: seasonal profile plus residual percentiles', () => {
  const b = new ThresholdBand({ windowMs: 7 * 86_400_000, upperQuantile: 0.99, lowerQuantile: 0.01, periodMs: 86_400_000 });
  let last;
  for (let i = 0; i < 14 * 1440; i++) {
    const t = T0 + i * STEP;
    const hour = Math.floor(i / 60) % 24;
    last = b.update(t, (hour >= 9 && hour < 17 ? 1000 : 100) + ((i * 37) % 21) - 10);
  }
  const day = b.band(T0 + 14 * 1440 * STEP + 12 * 3_600_000)!;
  const night = b.band(T0 + 14 * 1440 * STEP + 2 * 3_600_000)!;
  assert.ok(last);
  assert.ok(day.lower > 900 && day.upper < 1100 && day.upper > 1005, JSON.stringify(day));
  assert.ok(night.lower > 0 && night.upper < 200, JSON.stringify(night));
  const c = new ThresholdBand({ windowMs: 7 * 86_400_000, upperQuantile: 0.99, lowerQuantile: 0.01, periodMs: 86_400_000 });
  c.load(JSON.parse(JSON.stringify(b.toJSON())));
  assert.deepEqual(c.band(T0 + 3_600_000), b.band(T0 + 3_600_000));
});

test('reload keeps learnt state for unchanged jobs and applies new output labels', async () => {
  const app = new MemAppendable();
  const m = new InsightManager(cfg(JOB), { query, appendable: app });
  for (let i = 0; i < 50; i++) await m.evaluate('lat', T0 + i * STEP);
  m.reload(cfg(JOB.replace('team: web', 'team: ops')));
  assert.equal(m.status()[0]!.series, 2);
  await m.evaluate('lat', T0 + 50 * STEP);
  const last = app.samples[app.samples.length - 1]!;
  assert.equal(getLabel(last.labels, 'team'), 'ops');
  m.reload(cfg(JOB.replace('interval: 1m', 'interval: 1m\n      detector: ewma')));
  assert.equal(m.status()[0]!.series, 0);
  m.reload(cfg('anomaly:\n  jobs: []\n'));
  assert.equal(m.status().length, 0);
});

test('start evaluates jobs on their interval and stop saves state', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-insight-run-'));
  try {
    const app = new MemAppendable();
    const times: number[] = [];
    const m = new InsightManager(cfg(JOB.replace('interval: 1m', 'interval: 50ms')), {
      query: async (e, ts) => {
        times.push(ts);
        return query(e, T0 + times.length * STEP);
      },
      appendable: app,
      dataDir: dir,
    });
    m.start();
    await new Promise((r) => setTimeout(r, 200));
    // A reload mid-run keeps exactly one evaluation chain per job.
    m.reload(cfg(JOB.replace('interval: 1m', 'interval: 50ms')));
    await new Promise((r) => setTimeout(r, 300));
    await m.stop();
    const n = times.length;
    assert.equal(new Set(times).size, n, 'no evaluation ran twice for one timestamp');
    assert.ok(n <= 12, `evaluations: ${n}`);
    assert.ok(n >= 3, `evaluations: ${n}`);
    for (const t of times) assert.equal(t % 50, 0, 'evaluations sit on the interval grid');
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(times.length, n, 'no evaluations after stop');
    assert.ok(readFileSync(join(dir, 'insight', 'anomaly-state.json'), 'utf8').includes('"job":"lat"'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
