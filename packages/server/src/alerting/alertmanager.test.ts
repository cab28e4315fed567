import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Alertmanager } from './alertmanager.js';
import { ManualClock } from './clock.js';
import { loadAlertmanagerConfig } from './config/index.js';
import type { NotifyContext } from './notify/context.js';
import { NotifyError } from './notify/context.js';
import type { Integration } from './notify/pipeline.js';
import type { Alert } from './types.js';

interface Sent { receiver: string; groupKey: string; at: number; firing: string[]; resolved: string[] }

function harness(yaml: string, opts: { fail?: (n: number) => NotifyError | null; storagePath?: string } = {}) {
  const clock = new ManualClock(Date.UTC(2024, 0, 3, 12, 0, 0));
  const sent: Sent[] = [];
  let calls = 0;
  const am = new Alertmanager({
    config: loadAlertmanagerConfig(yaml, 'am.yml'),
    clock,
    storagePath: opts.storagePath,
    retry: { initialMs: 1, maxIntervalMs: 2, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    integrations: (r) =>
      r.webhook.map((w, i): Integration => ({
        name: 'webhook',
        index: i,
        sendResolved: w.sendResolved,
        async notify(ctx: NotifyContext, alerts: Alert[]) {
          const err = opts.fail?.(++calls) ?? null;
          if (err) throw err;
          sent.push({
            receiver: ctx.receiver,
            groupKey: ctx.groupKey,
            at: clock.now(),
            firing: alerts.filter((a) => !(a.endsAt && a.endsAt <= ctx.now)).map((a) => a.labels.alertname + '/' + (a.labels.instance ?? '')),
            resolved: alerts.filter((a) => a.endsAt && a.endsAt <= ctx.now).map((a) => a.labels.alertname + '/' + (a.labels.instance ?? '')),
          });
        },
      })),
  });
  return { am, clock, sent };
}

const BASE = `
route:
  receiver: default
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 1h
  routes:
    - matchers: [severity="critical"]
      receiver: pager
      continue: true
    - matchers: [severity=~"critical|warning"]
      receiver: chat
receivers:
  - name: default
    webhook_configs: [{url: 'http://127.0.0.1:9/x'}]
  - name: pager
    webhook_configs: [{url: 'http://127.0.0.1:9/x', send_resolved: false}]
  - name: chat
    webhook_configs: [{url: 'http://127.0.0.1:9/x'}]
inhibit_rules:
  - source_matchers: [severity=critical]
    target_matchers: [severity=warning]
    equal: [instance]
`;

test('group_wait, group_interval, repeat_interval, continue and resolve', async () => {
  const { am, clock, sent } = harness('global:\n  resolve_timeout: 1d\n' + BASE);
  am.putAlerts([{ labels: { alertname: 'A', severity: 'critical', instance: 'i1' } }]);
  await clock.advance(29_000);
  assert.equal(sent.length, 0, 'nothing before group_wait');
  await clock.advance(1_000);
  assert.deepEqual(sent.map((s) => [s.receiver, s.groupKey]), [
    ['pager', '{}/{severity="critical"}:{alertname="A"}'],
    ['chat', '{}/{severity=~"critical|warning"}:{alertname="A"}'],
  ]);
  // A new alert in the group goes out at the next group_interval tick, not before.
  am.putAlerts([{ labels: { alertname: 'A', severity: 'critical', instance: 'i2' } }]);
  await clock.advance(4 * 60_000);
  assert.equal(sent.length, 2);
  await clock.advance(60_000);
  assert.equal(sent.length, 4, JSON.stringify(sent));
  assert.deepEqual(sent[2]!.firing, ['A/i1', 'A/i2']);
  // Unchanged group: nothing until repeat_interval (1h) has passed since the last send.
  await clock.advance(50 * 60_000);
  assert.equal(sent.length, 4);
  await clock.advance(15 * 60_000);
  assert.equal(sent.length, 6, 'repeat after 1h');
  // Resolve one: chat (send_resolved) hears it, pager (send_resolved false) does not.
  am.putAlerts([{ labels: { alertname: 'A', severity: 'critical', instance: 'i2' }, endsAt: new Date(clock.now()).toISOString() }]);
  await clock.advance(5 * 60_000);
  const last = sent.slice(6);
  assert.deepEqual(last.map((s) => s.receiver), ['chat']);
  assert.deepEqual(last[0]!.resolved, ['A/i2']);
  am.stop();
});

test('inhibition, silences and resolve_timeout', async () => {
  const { am, clock, sent } = harness(BASE);
  am.putAlerts([
    { labels: { alertname: 'Crit', severity: 'critical', instance: 'i1' } },
    { labels: { alertname: 'Warn', severity: 'warning', instance: 'i1' } },
    { labels: { alertname: 'Warn', severity: 'warning', instance: 'i2' } },
    { labels: { alertname: 'Other', team: 'x' } },
  ]);
  am.silences.set({ id: '', matchers: [{ name: 'team', value: 'x|y', isRegex: true, isEqual: true }], startsAt: clock.now(), endsAt: clock.now() + 3600_000, createdBy: 't', comment: 'c' });
  await clock.advance(30_000);
  const warn = sent.filter((s) => s.groupKey.endsWith('{alertname="Warn"}'));
  assert.equal(warn.length, 1);
  assert.deepEqual(warn[0]!.firing, ['Warn/i2'], 'i1 inhibited by the critical on the same instance');
  assert.equal(sent.filter((s) => s.receiver === 'default').length, 0, 'silenced');
  const st = am.alertStatus(am.store.list().next().value as Alert);
  assert.ok(st.state === 'active' || st.state === 'suppressed');
  // resolve_timeout (5m default): without re-posts the alerts resolve, chat gets resolved ones.
  await clock.advance(6 * 60_000);
  const resolvedMsgs = sent.filter((s) => s.resolved.length > 0);
  assert.ok(resolvedMsgs.some((s) => s.receiver === 'chat' && s.resolved.includes('Warn/i2')));
  am.stop();
});

test('retry with backoff on 5xx, give up on 4xx; nflog persists across restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-am-'));
  try {
    const cfg = 'route:\n  receiver: r\n  group_wait: 1s\nreceivers:\n  - name: r\n    webhook_configs: [{url: "http://127.0.0.1:9/x"}]\n';
    const h = harness(cfg, { fail: (n) => (n <= 2 ? new NotifyError('boom', true) : null), storagePath: dir });
    h.am.putAlerts([{ labels: { alertname: 'X' } }]);
    await h.clock.advance(1000);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(h.sent.length, 1, 'delivered on the third attempt');
    assert.equal(h.am.metrics.get('requests_failed', 'webhook'), 2);
    h.am.stop();
    // A restarted instance with the same storage does not notify the same group again.
    const h2 = harness(cfg, { storagePath: dir });
    h2.am.putAlerts([{ labels: { alertname: 'X' } }]);
    await h2.clock.advance(1000);
    assert.equal(h2.sent.length, 0, 'deduplicated through the persisted notification log');
    h2.am.stop();
    const h3 = harness(cfg, { fail: () => new NotifyError('bad request', false) });
    h3.am.putAlerts([{ labels: { alertname: 'Y' } }]);
    await h3.clock.advance(1000);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(h3.am.metrics.get('requests', 'webhook'), 1, 'no retry after a 4xx');
    h3.am.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('time intervals mute and activate routes', async () => {
  const cfg = `
global:
  resolve_timeout: 1d
route:
  receiver: r
  group_wait: 1s
  group_interval: 1m
  routes:
    - matchers: [kind=muted]
      receiver: r
      mute_time_intervals: [noon]
    - matchers: [kind=active]
      receiver: r
      active_time_intervals: [night]
receivers:
  - name: r
    webhook_configs: [{url: "http://127.0.0.1:9/x"}]
time_intervals:
  - name: noon
    time_intervals: [{times: [{start_time: "11:00", end_time: "13:00"}]}]
  - name: night
    time_intervals: [{times: [{start_time: "00:00", end_time: "06:00"}]}]
`;
  const { am, clock, sent } = harness(cfg); // clock starts 12:00 UTC
  am.putAlerts([{ labels: { alertname: 'M', kind: 'muted' } }, { labels: { alertname: 'N', kind: 'active' } }, { labels: { alertname: 'P' } }]);
  await clock.advance(1000);
  assert.deepEqual(sent.map((s) => s.firing[0]), ['P/']);
  await clock.advance(60 * 60_000); // 13:00: noon mute over
  assert.ok(sent.some((s) => s.firing[0] === 'M/'));
  assert.ok(!sent.some((s) => s.firing[0] === 'N/'));
  am.stop();
});

test('putAlerts validates as Alertmanager and keeps the valid ones', () => {
  const { am } = harness(BASE);
  const r = am.putAlerts([
    { labels: {} },
    { labels: { alertname: 'ok' } },
    { labels: { 'bad-name': 'x' } },
    { labels: { a: 'b' }, startsAt: '2024-01-03T13:00:00Z', endsAt: '2024-01-03T12:30:00Z' },
  ]);
  assert.equal(r.accepted, 1);
  assert.deepEqual(r.errors, ['at least one label pair required', 'invalid label set: invalid name "bad-name"', 'start time must be before end time']);
  am.stop();
});

test('alert history: episodes with resolve time, duration and notifications; survives restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-hist-'));
  try {
    const cfg = 'global:\n  resolve_timeout: 1h\nroute:\n  receiver: r\n  group_wait: 1s\n  group_interval: 10s\nreceivers:\n  - name: r\n    webhook_configs: [{url: "http://127.0.0.1:9/x"}]\n';
    const h = harness(cfg, { storagePath: dir });
    h.am.putAlerts([{ labels: { alertname: 'Disk', severity: 'critical', instance: 'a' } }]);
    await h.clock.advance(5_000);
    h.am.putAlerts([{ labels: { alertname: 'Disk', severity: 'critical', instance: 'a' }, endsAt: new Date(h.clock.now()).toISOString() }]);
    await h.clock.advance(10_000);
    await h.clock.advance(60_000);
    h.am.putAlerts([{ labels: { alertname: 'Disk', severity: 'critical', instance: 'a' } }]);
    await h.clock.advance(20_000);
    const hist = h.am.history.query();
    assert.equal(hist.length, 2, 'two episodes');
    const [second, first] = hist;
    assert.equal(first!.state, 'resolved');
    assert.equal(first!.durationSeconds, 5);
    assert.equal(first!.severity, 'critical');
    assert.equal(first!.notificationsSent, 2, 'firing + resolved');
    assert.equal(second!.state, 'firing');
    assert.equal(second!.notificationsSent, 1);
    h.am.stop();
    const h2 = harness(cfg, { storagePath: dir });
    await h2.clock.advance(200_000);
    assert.equal(h2.am.history.query({ state: 'resolved' }).length, 1);
    assert.equal(h2.am.history.query({ match: (ls) => ls.instance === 'a' }).length, 2);
    h2.am.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a broken template file rejects a reload and keeps the running configuration', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-tmpl-'));
  try {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'good.tmpl'), '{{ define "t" }}ok{{ end }}');
    writeFileSync(join(dir, 'bad.tmpl'), '{{ define "t" }}{{ if }}{{ end }}');
    const good = loadAlertmanagerConfig('route: {receiver: a}\nreceivers: [{name: a}]\ntemplates: ["good.tmpl"]\n', join(dir, 'am.yml'));
    const bad = loadAlertmanagerConfig('route: {receiver: b}\nreceivers: [{name: b}]\ntemplates: ["*.tmpl"]\n', join(dir, 'am.yml'));
    const am = new Alertmanager({ config: good, clock: new ManualClock() });
    assert.throws(() => am.applyConfig(bad), /template: bad\.tmpl:1/);
    assert.equal(am.route.opts.receiver, 'a');
    am.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt state file is moved aside and the instance starts with empty state', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-corrupt-'));
  try {
    const { writeFileSync, readdirSync } = await import('node:fs');
    writeFileSync(join(dir, 'silences.json'), '[{"id": "x", trunc');
    const logs: string[] = [];
    const { createLogger } = await import('../util/log.js');
    const am = new Alertmanager({
      config: loadAlertmanagerConfig('route: {receiver: a}\nreceivers: [{name: a}]\n', 'am.yml'),
      clock: new ManualClock(),
      storagePath: dir,
      logger: createLogger({ level: 'error', write: (l) => logs.push(l) }),
    });
    assert.equal(am.silences.list().length, 0);
    assert.match(logs.join('\n'), /silences\.json is corrupt/);
    assert.ok(readdirSync(dir).some((f) => f.startsWith('silences.json.corrupt-')));
    am.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
