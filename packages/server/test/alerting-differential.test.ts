// Differential suite against Debian's real Alertmanager 0.25: one configuration with a route
// subtree per scenario (isolated by a `scenario` label), the same alert/silence timeline posted
// to both through /api/v2, and the webhook deliveries compared: receiver, group key, status,
// group/common labels, alert sets and statuses, count, and time (within a tolerance).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPeer } from '../src/testing/peers.js';
import { CaptureServer, postJSON, startRealAlertmanager, startVigilAlertmanager, type Captured } from './alerting-helpers.js';

const am = findPeer('alertmanager');

const RECEIVERS: { name: string; opts?: string }[] = [
  { name: 'root' }, { name: 'grouping' }, { name: 'group-all' }, { name: 'group-none' }, { name: 'group-wait' },
  { name: 'group-interval' }, { name: 'repeat' }, { name: 'continue-pager' }, { name: 'continue-chat' }, { name: 'first-a' },
  { name: 'first-b' }, { name: 'nested-parent' }, { name: 'nested-child' }, { name: 'legacy' }, { name: 'negative' },
  { name: 'inhibit' }, { name: 'inhibit-all' }, { name: 'inhibit-release' }, { name: 'silence-re' }, { name: 'silence-neg' },
  { name: 'silence-expire' }, { name: 'resolve' }, { name: 'resolve-quiet', opts: 'send_resolved: false' }, { name: 'refire' },
  { name: 'dedup' }, { name: 'timeout' }, { name: 'old-start' }, { name: 'max-alerts', opts: 'max_alerts: 2' },
  { name: 'time-muted' }, { name: 'time-active' }, { name: 'group-missing' },
];

const CONFIG = (hook: string): string => `
global:
  resolve_timeout: 5s
route:
  receiver: root
  group_by: [alertname]
  group_wait: 1s
  group_interval: 3s
  repeat_interval: 1h
  routes:
  - matchers: [scenario="grouping"]
    receiver: grouping
  - matchers: [scenario="group-all"]
    receiver: group-all
    group_by: ['...']
  - matchers: [scenario="group-none"]
    receiver: group-none
    group_by: []
  - matchers: [scenario="group-wait"]
    receiver: group-wait
    group_wait: 2s
  - matchers: [scenario="group-interval"]
    receiver: group-interval
  - matchers: [scenario="repeat"]
    receiver: repeat
    repeat_interval: 5s
  - matchers: [scenario="continue", severity="critical"]
    receiver: continue-pager
    continue: true
  - matchers: [scenario="continue"]
    receiver: continue-chat
  - matchers: [scenario="first-match", team="db"]
    receiver: first-a
  - matchers: [scenario="first-match"]
    receiver: first-b
  - matchers: [scenario="nested"]
    receiver: nested-parent
    group_by: [service]
    routes:
    - matchers: [severity="critical"]
      receiver: nested-child
    - matchers: [severity=~"warn.*"]
      group_by: [alertname, instance]
  - match: {scenario: legacy, team: frontend}
    match_re: {service: '^(web|api)$'}
    receiver: legacy
  - matchers: ['scenario="negative"', 'env!="prod"', 'service!~"db.*"']
    receiver: negative
  - matchers: [scenario="inhibit"]
    receiver: inhibit
  - matchers: [scenario="inhibit-all"]
    receiver: inhibit-all
  - matchers: [scenario="inhibit-release"]
    receiver: inhibit-release
  - matchers: [scenario="silence-re"]
    receiver: silence-re
  - matchers: [scenario="silence-neg"]
    receiver: silence-neg
  - matchers: [scenario="silence-expire"]
    receiver: silence-expire
  - matchers: [scenario="resolve"]
    receiver: resolve
  - matchers: [scenario="resolve-quiet"]
    receiver: resolve-quiet
  - matchers: [scenario="refire"]
    receiver: refire
  - matchers: [scenario="dedup"]
    receiver: dedup
  - matchers: [scenario="timeout"]
    receiver: timeout
  - matchers: [scenario="old-start"]
    receiver: old-start
    group_wait: 10s
  - matchers: [scenario="max-alerts"]
    receiver: max-alerts
  - matchers: [scenario="time"]
    receiver: time-muted
    mute_time_intervals: [always]
    continue: true
  - matchers: [scenario="time"]
    receiver: time-muted
    active_time_intervals: [never]
    continue: true
  - matchers: [scenario="time"]
    receiver: time-active
    active_time_intervals: [always]
  - matchers: [scenario="group-missing"]
    receiver: group-missing
    group_by: [cluster]
receivers:
${RECEIVERS.map((r) => `  - name: ${r.name}\n    webhook_configs:\n      - url: '${hook}/${r.name}'\n${r.opts ? `        ${r.opts}\n` : ''}`).join('')}
inhibit_rules:
  - source_matchers: [scenario="inhibit", severity="critical"]
    target_matchers: [scenario="inhibit", severity="warning"]
    equal: [instance]
  - source_match: {scenario: inhibit-all, alertname: Outage}
    target_matchers: [scenario="inhibit-all", alertname!="Outage"]
  - source_matchers: [scenario="inhibit-release", severity="critical"]
    target_matchers: [scenario="inhibit-release", severity="warning"]
    equal: [instance]
time_intervals:
  - name: always
    time_intervals: [{weekdays: ['sunday:saturday']}]
  - name: never
    time_intervals: [{years: ['2000']}]
`;

type L = Record<string, string>;
interface A { labels: L; annotations?: L; startsAt?: number; endsAt?: 'far' | 'now' | 'none' }
type Step = { at: number; alerts: A[] } | { at: number; silence: string; matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[] } | { at: number; expire: string };

const a = (scenario: string, alertname: string, extra: L = {}, more: Partial<A> = {}): A => ({ labels: { scenario, alertname, ...extra }, annotations: { summary: `${alertname} ${Object.values(extra).join(' ')}`.trim() }, ...more });
const eq = (name: string, value: string, isRegex = false, isEqual = true) => ({ name, value, isRegex, isEqual });

const STEPS: Step[] = [
  { at: 0, silence: 're', matchers: [eq('scenario', 'silence-re'), eq('instance', 'i[12]', true)] },
  { at: 0, silence: 'neg', matchers: [eq('scenario', 'silence-neg'), eq('team', 'db', false, false)] },
  { at: 0, silence: 'exp', matchers: [eq('scenario', 'silence-expire')] },
  {
    at: 0.1,
    alerts: [
      a('grouping', 'GrpA', { instance: 'i1' }), a('grouping', 'GrpA', { instance: 'i2' }), a('grouping', 'GrpB', { instance: 'i1' }),
      a('group-all', 'All', { instance: 'i1' }), a('group-all', 'All', { instance: 'i2' }),
      a('group-none', 'NoneA'), a('group-none', 'NoneB', { job: 'x' }),
      a('group-wait', 'Wait', { instance: 'i1' }),
      a('group-interval', 'Intv', { instance: 'i1' }),
      a('repeat', 'Rep'),
      a('continue', 'Cont', { severity: 'critical' }), a('continue', 'Cont2', { severity: 'warning' }),
      a('first-match', 'First', { team: 'db' }), a('first-match', 'First', { team: 'web' }),
      a('nested', 'NestCrit', { severity: 'critical', service: 's1' }), a('nested', 'NestWarn', { severity: 'warning', service: 's1', instance: 'i1' }),
      a('nested', 'NestWarn', { severity: 'warning', service: 's1', instance: 'i2' }), a('nested', 'NestInfo', { severity: 'info', service: 's1' }),
      a('legacy', 'Leg', { team: 'frontend', service: 'web' }), a('legacy', 'LegNo', { team: 'frontend', service: 'webx' }),
      a('negative', 'Neg', { env: 'dev', service: 'api' }), a('negative', 'NegProd', { env: 'prod', service: 'api' }), a('negative', 'NegDb', { env: 'dev', service: 'db1' }),
      a('inhibit', 'InhCrit', { severity: 'critical', instance: 'i1' }), a('inhibit', 'InhWarn', { severity: 'warning', instance: 'i1' }), a('inhibit', 'InhWarn', { severity: 'warning', instance: 'i2' }),
      a('inhibit-all', 'Outage'), a('inhibit-all', 'Symptom', { instance: 'i1' }), a('inhibit-all', 'Symptom', { instance: 'i2' }),
      a('inhibit-release', 'RelCrit', { severity: 'critical', instance: 'i1' }), a('inhibit-release', 'RelWarn', { severity: 'warning', instance: 'i1' }),
      a('silence-re', 'SilRe', { instance: 'i1' }), a('silence-re', 'SilRe', { instance: 'i2' }), a('silence-re', 'SilRe', { instance: 'i3' }),
      a('silence-neg', 'SilNeg', { team: 'db' }), a('silence-neg', 'SilNeg', { team: 'web' }),
      a('silence-expire', 'SilExp'),
      a('resolve', 'Res', { instance: 'i1' }), a('resolve', 'Res', { instance: 'i2' }),
      a('resolve-quiet', 'ResQ', { instance: 'i1' }), a('resolve-quiet', 'ResQ', { instance: 'i2' }),
      a('refire', 'Refire'),
      a('dedup', 'Dedup'),
      a('timeout', 'Timeout', {}, { endsAt: 'none' }),
      a('old-start', 'Old', {}, { startsAt: -60 }),
      a('max-alerts', 'Max', { instance: 'i3' }), a('max-alerts', 'Max', { instance: 'i1' }), a('max-alerts', 'Max', { instance: 'i2' }),
      a('time', 'Time'),
      a('group-missing', 'Miss', { cluster: 'c1' }), a('group-missing', 'Miss', { instance: 'i1' }), a('group-missing', 'Miss2', { instance: 'i2' }),
      a('unrouted', 'Unrouted'),
    ],
  },
  { at: 0.6, alerts: [a('group-wait', 'Wait', { instance: 'i2' })] },
  {
    at: 2.5,
    alerts: [
      a('group-interval', 'Intv', { instance: 'i2' }),
      a('inhibit-release', 'RelCrit', { severity: 'critical', instance: 'i1' }, { endsAt: 'now' }),
      a('resolve', 'Res', { instance: 'i2' }, { endsAt: 'now' }),
      a('resolve-quiet', 'ResQ', { instance: 'i2' }, { endsAt: 'now' }),
      a('refire', 'Refire', {}, { endsAt: 'now' }),
      a('dedup', 'Dedup'),
    ],
  },
  { at: 2.5, expire: 'exp' },
  { at: 5.5, alerts: [a('refire', 'Refire', {}, { startsAt: 5.5 }), a('dedup', 'Dedup')] },
];
const RUN_FOR = 11;

interface Norm { path: string; t: number; body: string }

function normalize(c: Captured, t0: number): Norm {
  const b = c.body;
  const scenario = b.commonLabels.scenario ?? b.alerts[0]?.labels.scenario;
  const alerts = b.alerts.map((x) => ({
    ...x,
    endsAt: scenario === 'timeout' && x.endsAt !== '0001-01-01T00:00:00Z' ? '<timeout>' : x.endsAt,
  }));
  return { path: c.path, t: (c.at - t0) / 1000, body: JSON.stringify({ ...b, alerts }) };
}

test('webhook deliveries match Alertmanager 0.25 across 27 scenarios', { skip: am.skip, timeout: 60_000 }, async () => {
  const capReal = new CaptureServer(), capVigil = new CaptureServer();
  const hookReal = await capReal.start(), hookVigil = await capVigil.start();
  const EXT = 'http://alertmanager.example:9093';
  const real = await startRealAlertmanager(am.path!, CONFIG(hookReal), [`--web.external-url=${EXT}`]);
  const vigil = await startVigilAlertmanager(CONFIG(hookVigil), { externalUrl: EXT });
  const ids: Record<string, [string, string]> = {};
  try {
    const t0 = Date.now();
    const iso = (offsetSec: number) => new Date(t0 + offsetSec * 1000).toISOString();
    for (const step of STEPS) {
      const wait = t0 + step.at * 1000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if ('alerts' in step) {
        const now = new Date().toISOString();
        const body = step.alerts.map((x) => ({
          labels: x.labels,
          annotations: x.annotations,
          startsAt: iso(x.startsAt ?? 0),
          ...(x.endsAt === 'none' ? {} : { endsAt: x.endsAt === 'now' ? now : iso(3600) }),
          generatorURL: 'http://prom.example/graph',
        }));
        const [r1, r2] = await Promise.all([postJSON(`${real.url}/api/v2/alerts`, body), postJSON(`${vigil.url}/api/v2/alerts`, body)]);
        assert.equal(r1.status, 200, r1.text);
        assert.equal(r2.status, 200, r2.text);
      } else if ('silence' in step) {
        const body = { matchers: step.matchers, startsAt: iso(-1), endsAt: iso(3600), createdBy: 'diff', comment: step.silence };
        const [r1, r2] = await Promise.all([postJSON(`${real.url}/api/v2/silences`, body), postJSON(`${vigil.url}/api/v2/silences`, body)]);
        assert.equal(r1.status, 200, r1.text);
        assert.equal(r2.status, 200, r2.text);
        ids[step.silence] = [(JSON.parse(r1.text) as { silenceID: string }).silenceID, (JSON.parse(r2.text) as { silenceID: string }).silenceID];
      } else {
        const [idReal, idVigil] = ids[step.expire]!;
        const [r1, r2] = await Promise.all([fetch(`${real.url}/api/v2/silence/${idReal}`, { method: 'DELETE' }), fetch(`${vigil.url}/api/v2/silence/${idVigil}`, { method: 'DELETE' })]);
        assert.equal(r1.status, 200);
        assert.equal(r2.status, 200);
      }
    }
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + RUN_FOR * 1000 - Date.now())));
    const byPath = (cs: Captured[]) => {
      const m = new Map<string, Norm[]>();
      for (const c of cs) {
        const n = normalize(c, t0);
        const k = `${n.path} ${JSON.parse(n.body).groupKey as string}`;
        m.set(k, [...(m.get(k) ?? []), n]);
      }
      return m;
    };
    const R = byPath(capReal.received), V = byPath(capVigil.received);
    assert.ok(capReal.received.length >= 25, `real Alertmanager delivered only ${capReal.received.length} notifications:\n${real.log()}`);
    const keys = [...new Set([...R.keys(), ...V.keys()])].sort();
    const problems: string[] = [];
    for (const k of keys) {
      const r = R.get(k) ?? [], v = V.get(k) ?? [];
      if (r.length !== v.length) {
        problems.push(`${k}: Alertmanager sent ${r.length} (at ${r.map((x) => x.t.toFixed(1)).join(',')}), Vigil sent ${v.length} (at ${v.map((x) => x.t.toFixed(1)).join(',')})`);
        continue;
      }
      r.forEach((x, i) => {
        const y = v[i]!;
        if (x.body !== y.body) problems.push(`${k} #${i}:\n  alertmanager: ${x.body}\n  vigil:        ${y.body}`);
        if (Math.abs(x.t - y.t) > 0.8) problems.push(`${k} #${i}: sent at ${x.t.toFixed(2)}s by Alertmanager, ${y.t.toFixed(2)}s by Vigil`);
      });
    }
    assert.deepEqual(problems, []);
    // The scenarios really exercised what they claim.
    const count = (p: string) => capReal.received.filter((c) => c.path === p).length;
    assert.equal(count('/repeat'), 2, 'repeat_interval re-sent once');
    assert.equal(count('/dedup'), 1, 're-posting does not re-notify');
    assert.equal(count('/time-muted'), 0);
    assert.ok(count('/time-active') >= 1);
    assert.ok(capReal.received.some((c) => c.path === '/max-alerts' && c.body.truncatedAlerts === 1));
  } finally {
    await Promise.all([real.stop(), vigil.stop(), capReal.close(), capVigil.close()]);
  }
});
