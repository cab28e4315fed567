import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAlertmanagerConfig } from './index.js';
import { intervalContains } from './timeinterval.js';

const GOOD = `
global:
  resolve_timeout: 1m
  smtp_smarthost: 'localhost:25'
  smtp_from: 'am@example.org'
  slack_api_url: 'https://hooks.slack.com/services/x'
route:
  receiver: default
  group_by: [alertname]
  routes:
    - matchers: ['severity="critical"', 'team=~"db|api"', 'env!=dev', '{region="eu"}']
      receiver: pager
      continue: true
    - match: {severity: warning}
      match_re: {service: '^(foo|bar)$'}
      receiver: chat
      group_by: ['...']
      mute_time_intervals: [nights]
receivers:
  - name: default
    webhook_configs: [{url: 'http://127.0.0.1:1/hook'}]
  - name: pager
    email_configs: [{to: 'oncall@example.org'}]
  - name: chat
    slack_configs: [{channel: '#alerts'}]
inhibit_rules:
  - source_matchers: [severity=critical]
    target_matchers: [severity=warning]
    equal: [alertname, instance]
  - source_match: {severity: critical}
    target_match_re: {severity: 'info|warning'}
time_intervals:
  - name: nights
    time_intervals:
      - times: [{start_time: '00:00', end_time: '06:00'}]
        weekdays: ['monday:friday']
        days_of_month: ['1:5', '-3:-1']
        months: ['january:march', '12']
        years: ['2020:2030']
        location: 'Europe/Berlin'
templates: ['*.tmpl']
`;

test('parses a full Alertmanager config with defaults', () => {
  const c = loadAlertmanagerConfig(GOOD, '/tmp/am.yml');
  assert.equal(c.global.resolveTimeoutMs, 60_000);
  assert.equal(c.route.receiver, 'default');
  const [pager, chat] = c.route.routes;
  assert.deepEqual(pager!.matchers.map((m) => `${m.name}${m.type}${m.value}`), ['severity=critical', 'team=~db|api', 'env!=dev', 'region=eu']);
  assert.equal(pager!.continue, true);
  assert.equal(chat!.groupByAll, true);
  assert.equal(chat!.matchers.length, 2);
  assert.equal(c.receivers[1]!.email[0]!.smarthost, 'localhost:25');
  assert.equal(c.receivers[1]!.email[0]!.from, 'am@example.org');
  assert.equal(c.receivers[1]!.email[0]!.headers.Subject, '{{ template "email.default.subject" . }}');
  assert.equal(c.receivers[2]!.slack[0]!.apiUrl, 'https://hooks.slack.com/services/x');
  assert.equal(c.receivers[0]!.webhook[0]!.sendResolved, true);
  assert.equal(c.inhibitRules.length, 2);
  assert.deepEqual(c.inhibitRules[0]!.equal, ['alertname', 'instance']);
  const ti = c.timeIntervals.get('nights')![0]!;
  assert.deepEqual(ti.daysOfMonth, [{ begin: 1, end: 5 }, { begin: -3, end: -1 }]);
  assert.deepEqual(ti.months, [{ begin: 1, end: 3 }, { begin: 12, end: 12 }]);
  assert.equal(ti.location, 'Europe/Berlin');
});

function err(yaml: string): string {
  try {
    loadAlertmanagerConfig(yaml, 'am.yml');
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

test('validation errors name file, line and the problem as Alertmanager does', () => {
  assert.match(err('route:\n  receiver: nope\nreceivers:\n  - name: a\n'), /^am\.yml:2: route\.receiver: undefined receiver "nope" used in route$/);
  assert.match(err('receivers:\n  - name: a\n'), /no route provided in config/);
  assert.match(err('route:\n  group_by: [a]\nreceivers:\n  - name: a\n'), /root route must specify a default receiver/);
  assert.match(err('route:\n  receiver: a\n  matchers: [x=y]\nreceivers:\n  - name: a\n'), /root route must not have any matchers/);
  assert.match(err('route:\n  receiver: a\n  continue: true\nreceivers:\n  - name: a\n'), /cannot have continue in root route/);
  assert.match(err('route:\n  receiver: a\nreceivers:\n  - name: a\n  - name: a\n'), /notification config name "a" is not unique/);
  assert.match(err('route:\n  receiver: a\n  routes:\n    - receiver: a\n      mute_time_intervals: [x]\nreceivers:\n  - name: a\n'), /am\.yml:5: .*undefined time interval "x" used in route/);
  assert.match(err('route:\n  receiver: a\n  group_by: [a, "..."]\nreceivers:\n  - name: a\n'), /cannot have wildcard group_by/);
  assert.match(err('route:\n  receiver: a\n  group_interval: 0s\nreceivers:\n  - name: a\n'), /group_interval cannot be zero/);
  assert.match(err('route:\n  receiver: a\n  bogus: 1\nreceivers:\n  - name: a\n'), /am\.yml:3: route\.bogus: field bogus not found/);
  assert.match(err('route:\n  receiver: a\n  routes: [{matchers: ["a=\\"b"]}]\nreceivers:\n  - name: a\n'), /unescaped double quote/);
  assert.match(err('route:\n  receiver: a\nreceivers:\n  - name: a\n    email_configs: [{to: x@y}]\n'), /no global SMTP smarthost set/);
  assert.match(err('route:\n  receiver: a\nreceivers:\n  - name: a\n    slack_configs: [{channel: x}]\n'), /no global Slack API URL set/);
  assert.match(err('route:\n  receiver: a\nreceivers:\n  - name: a\n    webhook_configs: [{send_resolved: true}]\n'), /missing URL in webhook config/);
  assert.match(err('route:\n  receiver: a\nreceivers:\n  - name: a\n    webhook_configs: [{url: "ftp://x/y"}]\n'), /scheme required for webhook url/);
  assert.match(err('route:\n  receiver: a\nreceivers:\n  - {}\n'), /missing name in receiver/);
  assert.match(err('route:\n  receiver: a\nreceivers:\n  - name: a\ntime_intervals:\n  - name: t\n    time_intervals: [{days_of_month: ["-1:5"]}]\n'), /end day must be negative if start day is negative/);
  assert.match(err('route:\n  receiver: a\nreceivers:\n  - name: a\ntime_intervals:\n  - name: t\n    time_intervals: [{times: [{start_time: "10:00", end_time: "09:00"}]}]\n'), /start time cannot be equal or greater than end time/);
  assert.match(err('route:\n  receiver: a\nreceivers:\n  - name: a\ntime_intervals:\n  - name: t\n    time_intervals: [{weekdays: ["funday"]}]\n'), /funday is not a valid weekday/);
  assert.match(err('route:\n  receiver: a\nreceivers:\n  - name: a\ninhibit_rules:\n  - equal: ["0bad"]\n'), /"0bad" is not a valid label name/);
});

test('time intervals: weekdays, negative days of month, location', () => {
  const ti = { times: [{ startMinute: 9 * 60, endMinute: 17 * 60 }], weekdays: [{ begin: 1, end: 5 }] };
  assert.equal(intervalContains(ti, Date.UTC(2024, 0, 3, 10, 0)), true); // Wednesday 10:00
  assert.equal(intervalContains(ti, Date.UTC(2024, 0, 6, 10, 0)), false); // Saturday
  assert.equal(intervalContains(ti, Date.UTC(2024, 0, 3, 17, 0)), false); // end exclusive
  const last = { daysOfMonth: [{ begin: -1, end: -1 }] };
  assert.equal(intervalContains(last, Date.UTC(2024, 1, 29, 12)), true); // leap February
  assert.equal(intervalContains(last, Date.UTC(2024, 1, 28, 12)), false);
  const berlin = { times: [{ startMinute: 0, endMinute: 60 }], location: 'Europe/Berlin' };
  assert.equal(intervalContains(berlin, Date.UTC(2024, 0, 2, 23, 30)), true); // 00:30 in Berlin
  assert.equal(intervalContains(berlin, Date.UTC(2024, 0, 2, 0, 30)), false);
});

test('status config text hides secrets and Vigil-only receivers', async () => {
  const { redactConfigText } = await import('./redact.js');
  const out = redactConfigText(`global:\n  smtp_auth_password: hunter2\nroute: {receiver: a}\nreceivers:\n  - name: a\n    slack_configs: [{api_url: 'https://hooks/TOKEN', channel: c}]\n    webhook_configs: [{url: 'http://x/y', http_config: {basic_auth: {username: u, password: pw}}}]\n    dingtalk_configs: [{url: 'https://robot?access_token=T', secret: S}]\n`);
  assert.doesNotMatch(out, /hunter2|TOKEN|pw\b|access_token|dingtalk/);
  assert.match(out, /smtp_auth_password: <secret>/);
  assert.match(out, /http:\/\/x\/y/);
  loadAlertmanagerConfig(out, 'redacted.yml');
});
