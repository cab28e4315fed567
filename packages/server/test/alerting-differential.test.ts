// Differential suite against Debian's real Alertmanager 0.25: one configuration with a route
// subtree per scenario (isolated by a `scenario` label), the same alert/silence timeline posted
// to both through /api/v2, and the webhook deliveries compared: receiver, group key, status,
// group/common labels, alert sets and statuses, count, and time (within a tolerance).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPeer } from '../src/testing/peers.js';
import { runDifferential, type A, type L, type Step } from './alerting-helpers.js';

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

test('webhook deliveries match Alertmanager 0.25 across 27 scenarios', { skip: am.skip, timeout: 60_000 }, async () => {
  const { real } = await runDifferential(am.path!, CONFIG, STEPS, RUN_FOR, (scenario) => scenario === 'timeout');
  // The scenarios really exercised what they claim.
  const count = (p: string) => real.filter((c) => c.path === p).length;
  assert.ok(real.length >= 25, `real Alertmanager delivered only ${real.length} notifications`);
  assert.equal(count('/repeat'), 2, 'repeat_interval re-sent once');
  assert.equal(count('/dedup'), 1, 're-posting does not re-notify');
  assert.equal(count('/time-muted'), 0);
  assert.ok(count('/time-active') >= 1);
  assert.ok(real.some((c) => c.path === '/max-alerts' && c.body.truncatedAlerts === 1));
});
