import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rulesUnitTest } from './unittest.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelsOf, labelsToString, type Labels } from '../model/labels.js';
import { isStaleNaN } from '../model/sample.js';
import { Router } from '../web/router.js';
import { AlertingRule, RESOLVED_RETENTION_MS } from './alerting.js';
import { RuleManager } from './manager.js';
import { glob } from './glob.js';
import { MemStorage } from './memstorage.js';
import { parseRuleFile, RuleFileError } from './rulefile.js';
import { registerRuleRoutes, goTimeJSON } from './api.js';
import type { PostableAlert, QueryFunc, VectorSample } from './types.js';
import { expandAlertTemplate, alertTemplateData, reReplaceAll, goTitle } from './template.js';

/** A query function backed by a table: expr → (ts → samples). */
function tableQuery(fn: (expr: string, ts: number) => VectorSample[]): QueryFunc {
  return async (expr, ts) => fn(expr, ts);
}

const MIN = 60e3;

test('alert states: inactive → pending → firing → resolved (kept 15m), pending dropped', async () => {
  let up = new Map<string, number>([['a', 0], ['b', 0]]);
  const q = tableQuery((_e, ts) => [...up].filter(([, v]) => v === 0).map(([inst]) => ({ labels: labelsOf('__name__', 'up', 'instance', inst), t: ts, v: 0 })));
  const rule = new AlertingRule('Down', 'up == 0', 3 * MIN, 0, { severity: 'page' }, { summary: '{{ $labels.instance }} is down' });
  const ctx = { externalLabels: {}, externalURL: '' };
  let vec = await rule.eval(0, 0, q, 0, ctx);
  assert.deepEqual(rule.activeAlerts().map((a) => a.state), ['pending', 'pending']);
  assert.equal(vec.length, 4); // ALERTS + ALERTS_FOR_STATE per alert
  assert.equal(labelsToString(vec[0]!.labels), 'ALERTS{alertname="Down", alertstate="pending", instance="a", severity="page"}');
  up = new Map([['a', 0], ['b', 1]]); // b recovers while pending: dropped at once
  await rule.eval(MIN, MIN, q, 0, ctx);
  assert.deepEqual(rule.activeAlerts().map((a) => a.labels.find((l) => l.name === 'instance')!.value), ['a']);
  vec = await rule.eval(3 * MIN, 3 * MIN, q, 0, ctx);
  const a = rule.activeAlerts()[0]!;
  assert.equal(a.state, 'firing');
  assert.equal(a.firedAt, 3 * MIN);
  assert.deepEqual(a.annotations, labelsOf('summary', 'a is down'));
  assert.equal(vec.find((s) => s.labels.some((l) => l.value === 'ALERTS_FOR_STATE'))!.v, 0);
  up = new Map([['a', 1]]);
  vec = await rule.eval(4 * MIN, 4 * MIN, q, 0, ctx);
  assert.equal(vec.length, 0);
  assert.equal(rule.activeAlerts().length, 0);
  assert.equal([...rule.active.values()][0]!.resolvedAt, 4 * MIN);
  // Resolved alerts are sent, then kept for 15m and dropped after.
  const sent = rule.alertsToSend(4 * MIN, MIN, MIN);
  assert.equal(sent.length, 1);
  await rule.eval(4 * MIN + RESOLVED_RETENTION_MS, 0, q, 0, ctx);
  assert.equal(rule.active.size, 1);
  await rule.eval(4 * MIN + RESOLVED_RETENTION_MS + 1, 0, q, 0, ctx);
  assert.equal(rule.active.size, 0);
});

test('keep_firing_for keeps a firing alert firing after its condition clears', async () => {
  let on = true;
  const q = tableQuery((_e, ts) => (on ? [{ labels: labelsOf('__name__', 'x'), t: ts, v: 1 }] : []));
  const rule = new AlertingRule('K', 'x > 0', 0, 2 * MIN, {}, {});
  const ctx = { externalLabels: {}, externalURL: '' };
  await rule.eval(0, 0, q, 0, ctx);
  assert.equal(rule.state(), 'firing');
  on = false;
  await rule.eval(MIN, MIN, q, 0, ctx);
  assert.equal(rule.state(), 'firing');
  assert.equal(rule.activeAlerts()[0]!.keepFiringSince, MIN);
  await rule.eval(2 * MIN, 2 * MIN, q, 0, ctx);
  assert.equal(rule.state(), 'firing');
  await rule.eval(3 * MIN, 3 * MIN, q, 0, ctx);
  assert.equal(rule.state(), 'inactive');
});

test('alert limit and duplicate label sets are evaluation errors', async () => {
  const q = tableQuery((_e, ts) => [1, 2].map((i) => ({ labels: labelsOf('__name__', 'x', 'i', String(i)), t: ts, v: 1 })));
  const rule = new AlertingRule('L', 'x', 0, 0, {}, {});
  await assert.rejects(rule.eval(0, 0, q, 1, { externalLabels: {}, externalURL: '' }), /exceeded limit of 1 with 2 alerts/);
  const dup = new AlertingRule('D', 'x', 0, 0, { i: 'same' }, {});
  await assert.rejects(dup.eval(0, 0, q, 0, { externalLabels: {}, externalURL: '' }), /same labelset after applying alert labels/);
});

function writeRules(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test('manager: recording rules append, stale markers, onAlerts in Alertmanager shape, reload keeps state', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
  try {
    const storage = new MemStorage();
    let series = ['a', 'b'];
    const q = tableQuery((expr, ts) => {
      if (expr === 'up') return series.map((i) => ({ labels: labelsOf('__name__', 'up', 'instance', i), t: ts, v: 0 }));
      if (expr === 'up == 0') return series.map((i) => ({ labels: labelsOf('__name__', 'up', 'instance', i), t: ts, v: 0 }));
      return [];
    });
    const sent: PostableAlert[][] = [];
    const mgr = new RuleManager({ query: q, appendable: storage, onAlerts: (a) => sent.push(a), externalLabels: { dc: 'x' }, externalURL: 'http://vigil:9090' });
    const f = writeRules(dir, 'r.yml', 'groups:\n- name: g\n  rules:\n  - record: rec:up\n    expr: up\n  - alert: Down\n    expr: up == 0\n    annotations:\n      s: "{{ $labels.instance }}@{{ $externalLabels.dc }}"\n');
    await mgr.update([f]);
    const g = mgr.groups()[0]!;
    await g.eval(0);
    series = ['a'];
    await g.eval(MIN);
    const qr = storage.querier(0, 10 * MIN);
    const rec = await qr.select({ start: 0, end: 10 * MIN }, [{ type: '=', name: '__name__', value: 'rec:up' }]);
    const b = rec.find((s) => s.labels.some((l) => l.value === 'b'))!;
    assert.ok(isStaleNaN(b.samples().v[1]!), 'series that disappeared gets a staleness marker');
    assert.deepEqual([g.stats.iterations, g.stats.evaluations, g.stats.evaluationFailures], [2, 4, 0]);
    // Alert fired at once (for: 0) and was sent in Alertmanager's postable shape.
    assert.ok(sent.length >= 1, JSON.stringify(sent));
    if (!sent[0]!.some((x) => x.labels.instance === "a")) assert.fail(JSON.stringify(sent));
    const first = sent[0]!.find((x) => x.labels.instance === 'a')!;
    assert.deepEqual(first.labels, { alertname: 'Down', instance: 'a', dc: 'x' });
    assert.deepEqual(first.annotations, { s: 'a@x' });
    assert.equal(first.startsAt, new Date(0).toISOString());
    assert.equal(first.generatorURL, 'http://vigil:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1');
    // The resolved alert for b is sent with endsAt = resolution time.
    const resolvedB = sent.flat().find((x) => x.labels.instance === 'b' && x.endsAt === new Date(MIN).toISOString());
    assert.ok(resolvedB, 'resolution of b sent');
    // Reload with a changed group: the alert's state carries over.
    const before = (mgr.alertingRules()[0]!).activeAlerts()[0]!;
    writeRules(dir, 'r.yml', 'groups:\n- name: g\n  interval: 30s\n  rules:\n  - record: rec:up\n    expr: up\n  - alert: Down\n    expr: up == 0\n    annotations:\n      s: "{{ $labels.instance }}@{{ $externalLabels.dc }}"\n');
    await mgr.update([f]);
    const after = mgr.alertingRules()[0]!.activeAlerts()[0]!;
    assert.equal(mgr.groups()[0]!.intervalMs, 30e3);
    assert.equal(after.activeAt, before.activeAt);
    assert.equal(after.state, 'firing');
    // A bad file is rejected and the running rules are kept.
    writeRules(dir, 'r.yml', 'groups:\n- name: g\n  rules:\n  - record: rec:up\n    expr: sum(\n');
    await assert.rejects(mgr.update([f]), RuleFileError);
    assert.equal(mgr.groups()[0]!.intervalMs, 30e3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('for-state is restored from ALERTS_FOR_STATE after a restart', async () => {
  const storage = new MemStorage();
  // The previous run had the alert active since t=1000s, last written at t=1300s.
  const app = storage.appender();
  const ls: Labels = labelsOf('__name__', 'ALERTS_FOR_STATE', 'alertname', 'Slow', 'instance', 'a');
  for (let t = 1000; t <= 1300; t += 60) app.append(0, ls, t * 1000, 1000);
  await app.commit();
  const q = tableQuery((_e, ts) => [{ labels: labelsOf('__name__', 'lat', 'instance', 'a'), t: ts, v: 5 }]);
  const mgr = new RuleManager({ query: q, appendable: storage, queryable: storage, forGracePeriodMs: 10 * MIN });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
  try {
    const f = writeRules(dir, 'r.yml', 'groups:\n- name: g\n  rules:\n  - alert: Slow\n    expr: lat > 1\n    for: 1h\n');
    await mgr.update([f]);
    const g = mgr.groups()[0]!;
    const rule = g.rules[0] as AlertingRule;
    assert.equal(rule.restored, false);
    const now = 1400e3;
    await g.eval(now);
    await g.restoreForState(now);
    assert.equal(rule.restored, true);
    const a = rule.activeAlerts()[0]!;
    // Spent 300s pending before going down at 1300s; 3300s remain, so activeAt shifts by the 100s downtime.
    assert.equal(a.activeAt, 1100e3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('group evaluation timestamps are aligned to the interval with a per-group offset', async () => {
  const mgr = new RuleManager({ query: async () => [] });
  const cfg = parseRuleFile('groups:\n- name: a\n  interval: 1m\n  rules: []\n- name: b\n  interval: 1m\n  rules: []\n', '/etc/rules.yml');
  const [a, b] = mgr.buildGroups(cfg, false);
  const now = Date.UTC(2024, 0, 1, 12, 0, 30);
  const ta = a!.evalTimestamp(now), tb = b!.evalTimestamp(now);
  assert.ok(ta <= now && now - ta < 60e3);
  assert.equal(a!.evalTimestamp(now + 60e3), ta + 60e3);
  assert.notEqual(ta % 60e3, tb % 60e3);
});

test('rule file validation names file, line, group and rule', () => {
  const text = 'groups:\n  - name: g1\n    rules:\n      - record: job:x\n        expr: sum(up\n      - alert: A\n        expr: up\n        annotations:\n          s: "{{ nope }}"\n';
  assert.throws(
    () => parseRuleFile(text, 'r.yml'),
    (e: unknown) =>
      e instanceof RuleFileError &&
      e.errors[0] === 'r.yml: 5:15: group "g1", rule 1, "job:x": could not parse expression: 1:7: parse error: unclosed left parenthesis' &&
      e.errors[1] === 'r.yml: group "g1", rule 2, "A": annotation "s": template: __alert_A:1: function "nope" not defined',
  );
  assert.throws(() => parseRuleFile('groups:\n- name: g\n  bogus: 1\n', 'r.yml'), /line 3: field bogus not found in type rulefmt.RuleGroup/);
  const ok = parseRuleFile('groups:\n- name: g\n  interval: 30s\n  limit: 5\n  query_offset: 1m\n  labels: {team: x}\n  rules:\n  - alert: A\n    expr: up\n    for: 5m\n    keep_firing_for: 1m\n', 'r.yml');
  assert.deepEqual([ok[0]!.intervalMs, ok[0]!.limit, ok[0]!.queryOffsetMs, ok[0]!.labels, ok[0]!.rules[0]!.forMs, ok[0]!.rules[0]!.keepFiringForMs], [30e3, 5, 60e3, { team: 'x' }, 300e3, 60e3]);
});

test('Prometheus template functions format like Go', async () => {
  const data = alertTemplateData({ instance: 'h:80' }, { dc: 'eu' }, 'http://p', 0.12345);
  const x = (t: string) => expandAlertTemplate(t, 'T', data, { tsMs: 0 });
  assert.equal(await x('{{ humanize 1234567.0 }} {{ humanize 0.000123 }} {{ humanize 0 }} {{ humanize 1e30 }}'), '1.235M 123u 0 1e+06Y');
  assert.equal(await x('{{ humanize1024 1048576.0 }} {{ humanize1024 512 }}'), '1Mi 512');
  assert.equal(await x('{{ humanizeDuration 3725.5 }}|{{ humanizeDuration 0.25 }}|{{ humanizeDuration 90061 }}|{{ humanizeDuration 1.5 }}'), '1h 2m 5s|250ms|1d 1h 1m 1s|1.5s');
  assert.equal(await x('{{ $value | humanizePercentage }} {{ humanizeTimestamp 1435065584.128 }}'), '12.35% 2015-06-23 13:19:44.128 +0000 UTC');
  assert.equal(await x('{{ "a" | toUpper }} {{ title "foo bar" }} {{ $externalLabels.dc }} {{ $externalURL }} {{ stripPort $labels.instance }} {{ parseDuration "1m30s" }}'), 'A Foo Bar eu http://p h 90');
  await assert.rejects(x('{{ humanize "x" }}'), /error executing template __alert_T: .*error calling humanize: strconv.ParseFloat: parsing "x": invalid syntax/);
  assert.equal(reReplaceAll('(\\w+)@(\\w+)', '${2}:$1', 'a@b c@d'), 'b:a d:c');
  assert.equal(goTitle('hello wORLD-x'), 'Hello WORLD-X');
  const withQuery = await expandAlertTemplate('{{ range query "up" }}{{ .Labels.i }}={{ .Value }} {{ end }}{{ with query "none" }}x{{ else }}empty{{ end }}', 'Q', data, {
    tsMs: 5000,
    query: async (e, t) => (e === 'up' ? [{ labels: labelsOf('i', '1'), v: t / 1000 }] : []),
  });
  assert.equal(withQuery, '1=5 empty');
});

test('GET /api/v1/rules and /api/v1/alerts have Prometheus shapes and filters', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
  try {
    const q = tableQuery((expr, ts) => (expr === 'up == 0' ? [{ labels: labelsOf('__name__', 'up', 'i', 'a'), t: ts, v: 0.5 }] : []));
    const mgr = new RuleManager({ query: q });
    const f = writeRules(dir, 'r.yml', 'groups:\n- name: g\n  rules:\n  - record: r:x\n    expr: up\n    labels: {k: v}\n  - alert: A\n    expr: up == 0\n    for: 1m\n    labels: {sev: warn}\n    annotations: {s: "{{ $value }}"}\n');
    await mgr.update([f]);
    await mgr.groups()[0]!.eval(1700000000000);
    const router = new Router();
    registerRuleRoutes(router, { ruleManager: mgr });
    const call = async (method: string, path: string) => {
      const u = new URL('http://x' + path);
      const m = router.match(method, u.pathname);
      assert.ok(m && 'handler' in m);
      let body = '';
      let status = 0;
      const res = { writeHead: (s: number) => { status = s; return res; }, end: (t: string) => { body = t; } } as unknown as import('node:http').ServerResponse;
      const req = { method, path: u.pathname, query: u.searchParams, params: {}, form: async () => u.searchParams } as unknown as import('../web/router.js').Req;
      await m.handler(req, res);
      return { status, json: JSON.parse(body) as { status: string; data: { groups: { rules: Record<string, unknown>[] }[]; alerts: Record<string, unknown>[] } } };
    };
    const all = await call('GET', '/api/v1/rules');
    assert.equal(all.status, 200);
    const grp = all.json.data.groups[0]! as unknown as Record<string, unknown>;
    assert.deepEqual(Object.keys(grp), ['name', 'file', 'rules', 'interval', 'limit', 'evaluationTime', 'lastEvaluation']);
    const [rec, alert] = (grp.rules as Record<string, unknown>[]);
    assert.deepEqual(Object.keys(rec!), ['name', 'query', 'labels', 'health', 'evaluationTime', 'lastEvaluation', 'type']);
    assert.deepEqual(Object.keys(alert!), ['state', 'name', 'query', 'duration', 'keepFiringFor', 'labels', 'annotations', 'alerts', 'health', 'evaluationTime', 'lastEvaluation', 'type']);
    assert.equal(alert!.state, 'pending');
    assert.deepEqual((alert!.alerts as unknown[])[0], { labels: { alertname: 'A', i: 'a', sev: 'warn' }, annotations: { s: '0.5' }, state: 'pending', activeAt: '2023-11-14T22:13:20Z', value: '5e-01' });
    const onlyRec = await call('GET', '/api/v1/rules?type=record');
    assert.deepEqual(onlyRec.json.data.groups[0]!.rules.map((r) => r.type), ['recording']);
    const none = await call('GET', '/api/v1/rules?rule_name[]=nope');
    assert.deepEqual(none.json.data.groups, []);
    const excl = await call('GET', '/api/v1/rules?type=alert&exclude_alerts=true');
    assert.equal('alerts' in excl.json.data.groups[0]!.rules[0]!, false);
    const sel = await call('GET', '/api/v1/rules?match[]=' + encodeURIComponent('{sev="warn"}'));
    assert.deepEqual(sel.json.data.groups[0]!.rules.map((r) => r.name), ['A']);
    const paged = await call('GET', '/api/v1/rules?group_limit=1');
    assert.equal(paged.json.data.groups.length, 1);
    assert.equal((paged.json.data as unknown as { groupNextToken?: string }).groupNextToken, undefined);
    assert.equal((await call('GET', '/api/v1/rules?group_limit=0')).status, 400);
    assert.equal((await call('GET', '/api/v1/rules?group_limit=1&group_next_token=abc')).status, 400);
    const bad = await call('GET', '/api/v1/rules?type=x');
    assert.equal(bad.status, 400);
    const alerts = await call('GET', '/api/v1/alerts');
    assert.equal(alerts.json.data.alerts.length, 1);
    assert.equal(goTimeJSON(1500), '1970-01-01T00:00:01.5Z');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('manager options changed after construction (config reload) apply at the next evaluation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
  try {
    const q = tableQuery((_e, ts) => [{ labels: labelsOf('__name__', 'x'), t: ts, v: 1 }]);
    const mgr = new RuleManager({ query: q, externalLabels: { dc: 'a' } });
    const f = writeRules(dir, 'r.yml', 'groups:\n- name: g\n  rules:\n  - alert: A\n    expr: x\n    annotations:\n      dc: "{{ $externalLabels.dc }}"\n');
    await mgr.update([f]);
    await mgr.groups()[0]!.eval(0);
    assert.deepEqual(mgr.alertingRules()[0]!.activeAlerts()[0]!.annotations, labelsOf('dc', 'a'));
    mgr.opts.externalLabels = { dc: 'b' };
    mgr.opts.evaluationIntervalMs = 15e3;
    await mgr.groups()[0]!.eval(60e3);
    assert.deepEqual(mgr.alertingRules()[0]!.activeAlerts()[0]!.annotations, labelsOf('dc', 'b'));
    await mgr.update([f]);
    assert.equal(mgr.groups()[0]!.intervalMs, 15e3, 'a new global interval rebuilds groups without their own interval');
    assert.equal(mgr.alertingRules()[0]!.activeAlerts().length, 1, 'alert state carried over');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rule_files globs expand like filepath.Glob', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-glob-'));
  try {
    for (const f of ['a.yml', 'b.yml', 'c.yaml', 'sub/d.yml', 'sub/e.yml']) {
      const p = join(dir, f);
      if (f.includes('/')) mkdirSync(join(dir, 'sub'), { recursive: true });
      writeFileSync(p, '');
    }
    assert.deepEqual(glob('*.yml', dir), [join(dir, 'a.yml'), join(dir, 'b.yml')]);
    assert.deepEqual(glob('*/?.yml', dir), [join(dir, 'sub/d.yml'), join(dir, 'sub/e.yml')]);
    assert.deepEqual(glob(join(dir, '[ab].yml')), [join(dir, 'a.yml'), join(dir, 'b.yml')]);
    assert.deepEqual(glob('c.yaml', dir), [join(dir, 'c.yaml')]);
    assert.deepEqual(glob('none-*.yml', dir), []);
    assert.deepEqual(RuleManager.expandFiles(['*.yml', 'a.yml', 'sub/*.yml'], dir), [join(dir, 'a.yml'), join(dir, 'b.yml'), join(dir, 'sub/d.yml'), join(dir, 'sub/e.yml')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vigil test rules writes a JUnit report (one suite per file, one case per group)', async () => {
  let root = dirname(fileURLToPath(import.meta.url));
  while (root !== '/' && !existsSync(join(root, 'packages'))) root = dirname(root);
  const data = join(root, 'packages', 'server', 'src', 'rules', 'testdata');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-junit-'));
  try {
    const out = join(dir, 'junit.xml');
    const code = await rulesUnitTest([join(data, 'states-test.yml'), join(data, 'fail-test.yml')], { junitPath: out, out: () => {}, err: () => {} });
    assert.equal(code, 1);
    const xml = readFileSync(out, 'utf8');
    assert.match(xml, /<testsuite name="[^"]*states-test.yml" tests="1" failures="0" errors="0"/);
    assert.match(xml, /<testsuite name="[^"]*fail-test.yml" tests="1" failures="1" errors="0"/);
    assert.match(xml, /<testcase name="wrong-expectations">\n\s+<failure message="[^"]*exceeded limit of 1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('query_offset: rules query and write at evaluation time minus the offset', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
  try {
    const seen: number[] = [];
    const q = tableQuery((_e, ts) => {
      seen.push(ts);
      return [{ labels: labelsOf('__name__', 'x'), t: ts, v: 1 }];
    });
    const storage = new MemStorage();
    const mgr = new RuleManager({ query: q, appendable: storage });
    const f = writeRules(dir, 'r.yml', 'groups:\n- name: g\n  query_offset: 30s\n  rules:\n  - record: r\n    expr: x\n  - alert: A\n    expr: x\n');
    await mgr.update([f]);
    await mgr.groups()[0]!.eval(600e3);
    assert.deepEqual(seen, [570e3, 570e3]);
    const a = mgr.alertingRules()[0]!.activeAlerts()[0]!;
    assert.equal(a.activeAt, 600e3);
    const qr = storage.querier(0, 1e9);
    const alerts = await qr.select({ start: 0, end: 1e9 }, [{ type: '=', name: '__name__', value: 'ALERTS' }]);
    assert.equal(alerts[0]!.samples().t[0], 570e3);
    const rec = await qr.select({ start: 0, end: 1e9 }, [{ type: '=', name: '__name__', value: 'r' }]);
    assert.equal(rec[0]!.samples().t[0], 570e3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('/api/v1/rules paginates with group_limit and group_next_token', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
  try {
    const mgr = new RuleManager({ query: async () => [] });
    const f = writeRules(dir, 'r.yml', 'groups:\n- name: a\n  rules: []\n- name: b\n  rules: []\n- name: c\n  rules: []\n');
    await mgr.update([f]);
    const router = new Router();
    registerRuleRoutes(router, { ruleManager: mgr });
    const get = async (qs: string) => {
      const u = new URL('http://x/api/v1/rules' + qs);
      const m = router.match('GET', u.pathname) as { handler: (req: unknown, res: unknown) => Promise<void> };
      let body = '';
      const res = { writeHead: () => res, end: (t: string) => { body = t; } };
      await m.handler({ query: u.searchParams, form: async () => u.searchParams }, res);
      return JSON.parse(body) as { data: { groups: { name: string }[]; groupNextToken?: string } };
    };
    const p1 = await get('?group_limit=2');
    assert.deepEqual(p1.data.groups.map((g) => g.name), ['a', 'b']);
    assert.match(p1.data.groupNextToken!, /^[0-9a-f]{40}$/);
    const p2 = await get(`?group_limit=2&group_next_token=${p1.data.groupNextToken}`);
    assert.deepEqual(p2.data.groups.map((g) => g.name), ['c']);
    assert.equal(p2.data.groupNextToken, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
