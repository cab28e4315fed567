// Second differential timeline against Alertmanager 0.25: configuration reload (no re-notify;
// re-routing), fan-out to several webhooks of one receiver, receiver names with regexp
// characters, alerts posted already resolved, two-sided inhibition, silencing after a
// notification and repeat after expiry, per-value grouping, partial common annotations, alert
// ordering, send_resolved false with mixed alerts, and flapping within one group interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPeer } from '../src/testing/peers.js';
import { runDifferential, type A, type L, type Step } from './alerting-helpers.js';

const am = findPeer('alertmanager');

const CONFIG = (changed: boolean) => (hook: string): string => `
route:
  receiver: root
  group_by: [alertname]
  group_wait: 1s
  group_interval: 3s
  repeat_interval: 1h
  routes:
  - matchers: [scenario="reload"]
    receiver: reload
  - matchers: [scenario="reroute"]
    receiver: ${changed ? 'reroute-new' : 'reroute-old'}
  - matchers: [scenario="fanout"]
    receiver: fanout
  - matchers: [scenario="oddname"]
    receiver: 'team.db+(x)'
  - matchers: [scenario="past"]
    receiver: past
  - matchers: [scenario="twosided"]
    receiver: twosided
  - matchers: [scenario="late-silence"]
    receiver: late-silence
    repeat_interval: 4s
  - matchers: [scenario="regions"]
    receiver: regions
    group_by: [region]
  - matchers: [scenario="annotations"]
    receiver: annotations
  - matchers: [scenario="ordering"]
    receiver: ordering
  - matchers: [scenario="quiet-mixed"]
    receiver: quiet-mixed
  - matchers: [scenario="flap"]
    receiver: flap
${changed ? '  - matchers: [scenario="added"]\n    receiver: root\n' : ''}receivers:
  - name: root
    webhook_configs: [{url: '${hook}/root'}]
  - name: reload
    webhook_configs: [{url: '${hook}/reload'}]
  - name: reroute-old
    webhook_configs: [{url: '${hook}/reroute-old'}]
  - name: reroute-new
    webhook_configs: [{url: '${hook}/reroute-new'}]
  - name: fanout
    webhook_configs: [{url: '${hook}/fanout-a'}, {url: '${hook}/fanout-b', send_resolved: false}]
  - name: 'team.db+(x)'
    webhook_configs: [{url: '${hook}/oddname'}]
  - name: past
    webhook_configs: [{url: '${hook}/past'}]
  - name: twosided
    webhook_configs: [{url: '${hook}/twosided'}]
  - name: late-silence
    webhook_configs: [{url: '${hook}/late-silence'}]
  - name: regions
    webhook_configs: [{url: '${hook}/regions'}]
  - name: annotations
    webhook_configs: [{url: '${hook}/annotations'}]
  - name: ordering
    webhook_configs: [{url: '${hook}/ordering'}]
  - name: quiet-mixed
    webhook_configs: [{url: '${hook}/quiet-mixed', send_resolved: false}]
  - name: flap
    webhook_configs: [{url: '${hook}/flap'}]
# Inhibition here is two-sided only: after a reload Alertmanager's inhibitor refills its
# source cache asynchronously, so a one-sided rule would race with the first flush.
inhibit_rules:
  - source_matchers: [scenario="twosided", 'severity=~"critical|warning"']
    target_matchers: [scenario="twosided", 'severity=~"critical|warning"']
    equal: [instance]
`;

const a = (scenario: string, alertname: string, extra: L = {}, more: Partial<A> = {}): A => ({ labels: { scenario, alertname, ...extra }, annotations: { summary: `${alertname} ${Object.values(extra).join(' ')}`.trim() }, ...more });

const STEPS: Step[] = [
  {
    at: 0.1,
    alerts: [
      a('reload', 'Reload'),
      a('reroute', 'Reroute'),
      a('fanout', 'Fan', { instance: 'i1' }), a('fanout', 'Fan', { instance: 'i2' }),
      a('oddname', 'Odd'),
      a('past', 'Past', {}, { startsAt: -10, endsAt: 'now' }),
      a('twosided', 'Two', { severity: 'critical', instance: 'i1' }), a('twosided', 'Two', { severity: 'warning', instance: 'i1' }),
      a('late-silence', 'Late'),
      a('regions', 'Reg', { region: 'eu' }), a('regions', 'Reg', { region: 'us' }), a('regions', 'Reg', { region: 'ap' }), a('regions', 'Reg2', { region: 'eu' }),
      { labels: { scenario: 'annotations', alertname: 'Ann', instance: 'i1' }, annotations: { summary: 'same', description: 'one', runbook: 'http://rb' } },
      { labels: { scenario: 'annotations', alertname: 'Ann', instance: 'i2' }, annotations: { summary: 'same', description: 'two' } },
      a('ordering', 'Ord', { instance: 'b' }), a('ordering', 'Ord', { job: 'z', instance: 'a' }), a('ordering', 'Ord', { job: 'a', instance: 'c' }),
      a('ordering', 'Ord', { zone: '1' }), a('ordering', 'Ord', { job: 'a', instance: 'a' }), a('ordering', 'Ord', { instance: 'a', x: 'y' }),
      a('quiet-mixed', 'Quiet', { instance: 'i1' }), a('quiet-mixed', 'Quiet', { instance: 'i2' }),
      a('flap', 'Flap'),
    ],
  },
  // Reload between notifications: nothing changed since the first flush, so the immediate
  // re-flush Alertmanager does after a reload must not notify (it fills groups asynchronously).
  { at: 1.8, reload: CONFIG(true) },
  {
    at: 2.5,
    alerts: [
      a('fanout', 'Fan', { instance: 'i2' }, { endsAt: 'now' }),
      a('quiet-mixed', 'Quiet', { instance: 'i2' }, { endsAt: 'now' }), a('quiet-mixed', 'Quiet', { instance: 'i3' }),
      a('flap', 'Flap', {}, { endsAt: 'now' }),
    ],
  },
  { at: 2.5, silence: 'late', matchers: [{ name: 'scenario', value: 'late-silence', isRegex: false, isEqual: true }] },
  { at: 3.3, alerts: [a('flap', 'Flap', {}, { startsAt: 3.3 })] },
  { at: 8.5, expire: 'late' },
];

test('webhook deliveries match Alertmanager 0.25: reload, fan-out, inhibition, silences, ordering', { skip: am.skip, timeout: 60_000 }, async () => {
  const { real } = await runDifferential(am.path!, CONFIG(false), STEPS, 12.5);
  const count = (p: string) => real.filter((c) => c.path === p).length;
  assert.equal(count('/reload'), 1, 'a reload does not re-notify an unchanged group');
  assert.equal(count('/reroute-new'), 1, 'after the reload the alert goes to the new receiver');
  assert.equal(count('/past'), 0, 'an alert that arrives resolved is never notified');
  assert.equal(count('/late-silence'), 2, 'silenced repeat skipped; repeats after the silence expired');
  assert.ok(count('/fanout-a') >= 2 && count('/fanout-b') >= 1);
  assert.equal(real.find((c) => c.path === '/oddname')!.body.receiver, 'team\\.db\\+\\(x\\)');
  assert.equal(real.find((c) => c.path === '/twosided')!.body.alerts.length, 2, 'alerts matching both sides do not inhibit each other');
});
