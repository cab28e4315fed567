// Differential test against a real Prometheus (Debian 2.42) evaluating the same rule file:
// evaluation timestamps share the same per-group offset, and /api/v1/rules and /api/v1/alerts
// carry the same alerts (labels, templated annotations, state, value) in the same JSON shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPeer } from '../src/testing/peers.js';
import { RuleManager } from '../src/rules/manager.js';
import { MemStorage } from '../src/rules/memstorage.js';
import { engineQueryFunc } from '../src/rules/query.js';
import { registerRuleRoutes } from '../src/rules/api.js';
import { Engine } from '../src/promql/engine.js';
import { Router, type Req } from '../src/web/router.js';
import type { ServerResponse } from 'node:http';

const prom = findPeer('prometheus');

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
    s.on('error', rej);
  });
}

const RULES = `groups:
  - name: diff-check
    interval: 2s
    rules:
      - record: vigil_diff_rec
        expr: vector(2.5) * 2
        labels:
          source: rule
      - alert: VigilDiffAlert
        expr: label_replace(vector(0.123456), "instance", "host-1:9100", "", "")
        labels:
          severity: '{{ if gt $value 0.1 }}high{{ else }}low{{ end }}'
        annotations:
          summary: 'value {{ $value }} / {{ $value | humanizePercentage }} on {{ $labels.instance | reReplaceAll ":.*" "" }}'
          printf: '{{ printf "%.3f|%5.1e|%x" $value 1234.5 255 }} {{ humanize 1234567.0 }} {{ humanizeDuration 3725 }}'
      - alert: VigilDiffPending
        expr: vector(1)
        for: 1h
`;

async function getJSON(url: string): Promise<{ data: Record<string, unknown> }> {
  const r = await fetch(url);
  return (await r.json()) as { data: Record<string, unknown> };
}

function callRoute(router: Router, path: string): Promise<{ data: Record<string, unknown> }> {
  const u = new URL('http://x' + path);
  const m = router.match('GET', u.pathname);
  if (!m || !('handler' in m)) throw new Error('no route ' + path);
  return new Promise((resolve) => {
    let body = '';
    const res = { writeHead: () => res, end: (t: string) => { body = t; resolve(JSON.parse(body)); } } as unknown as ServerResponse;
    const req = { method: 'GET', path: u.pathname, query: u.searchParams, params: {}, form: async () => u.searchParams } as unknown as Req;
    void m.handler(req, res);
  });
}

/** Drops wall-clock fields that legitimately differ between two runs. */
function normalise(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'evaluationTime' || k === 'lastEvaluation' || k === 'activeAt' || k === 'file') o[k] = typeof x;
      else o[k] = normalise(x);
    }
    return o;
  }
  return v;
}

test('rule evaluation agrees with a real Prometheus', { skip: prom.skip, timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-prom-rules-'));
  const rulesPath = join(dir, 'rules.yml');
  writeFileSync(rulesPath, RULES);
  writeFileSync(join(dir, 'prometheus.yml'), `global:\n  evaluation_interval: 2s\nrule_files:\n  - ${rulesPath}\n`);
  const port = await freePort();
  const child = spawn(prom.path!, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  try {
    // Wait until the group has evaluated at least three times.
    let samples: [number, string][] = [];
    for (let i = 0; i < 60 && samples.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 500));
      try {
        const q = await getJSON(`${base}/api/v1/query?query=${encodeURIComponent('vigil_diff_rec[30s]')}`);
        const res = (q.data.result as { values: [number, string][] }[]) ?? [];
        samples = res[0]?.values ?? [];
      } catch {
        /* not up yet */
      }
    }
    assert.ok(samples.length >= 3, 'Prometheus evaluated the group');
    const promAlerts = await getJSON(`${base}/api/v1/alerts`);
    const promRules = await getJSON(`${base}/api/v1/rules`);
    if (process.env.VIGIL_DEBUG) console.log(JSON.stringify(promAlerts), JSON.stringify(promRules));

    // Vigil evaluates the same file at the timestamps it computes itself.
    const storage = new MemStorage();
    const mgr = new RuleManager({ query: engineQueryFunc(new Engine(), storage), appendable: storage });
    await mgr.update([rulesPath]);
    const g = mgr.groups()[0]!;
    const tsMs = Math.round(samples[samples.length - 1]![0] * 1000);
    // Same per-group offset within the interval as Prometheus.
    assert.equal(g.evalTimestamp(tsMs + 1500), tsMs);
    for (let i = 2; i >= 0; i--) await g.eval(tsMs - i * 2000);
    const router = new Router();
    registerRuleRoutes(router, { ruleManager: mgr });
    const ourAlerts = await callRoute(router, '/api/v1/alerts');
    const ourRules = await callRoute(router, '/api/v1/rules');
    const sortAlerts = (a: { data: Record<string, unknown> }) => (a.data.alerts as { labels: { alertname: string } }[]).sort((x, y) => (x.labels.alertname < y.labels.alertname ? -1 : 1));
    assert.deepEqual(normalise(sortAlerts(ourAlerts)), normalise(sortAlerts(promAlerts)));
    assert.deepEqual(normalise(ourRules.data), normalise(promRules.data));
    // Recorded values and labels are the same.
    const rec = await storage.querier(0, tsMs).select({ start: tsMs, end: tsMs }, [{ type: '=', name: '__name__', value: 'vigil_diff_rec' }]);
    assert.equal(rec[0]!.samples().v[0], Number(samples[0]![1]));
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
});
