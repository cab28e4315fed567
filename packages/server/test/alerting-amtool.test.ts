// amtool (Debian's prometheus-alertmanager) against Vigil: alerts, silences, status, routing,
// and check-config agreement with `vigil check alertmanager`. Where it helps, the same amtool
// command runs against the real Alertmanager and the outputs are compared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPeer } from '../src/testing/peers.js';
import { checkAlertmanagerFile } from '../src/cli/commands/alertmanager.js';
import { loadAlertmanagerConfig } from '../src/alerting/index.js';
import { Route } from '../src/alerting/dispatch/index.js';
import { startRealAlertmanager, startVigilAlertmanager } from './alerting-helpers.js';
import { freePort, startVigil } from './helpers/vigil-process.js';

const amtool = findPeer('amtool');
const alertmanager = findPeer('alertmanager');

function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(amtool.path!, args, { encoding: 'utf8', timeout: 20_000 }, (e, out, err) => {
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out, err });
    });
  });
}

const CFG = `
route:
  receiver: default
  group_by: [alertname]
  routes:
    - matchers: [severity="critical"]
      receiver: pager
      continue: true
    - matchers: ['team=~"db|storage"', 'env!="dev"']
      receiver: db
      routes:
        - match: {severity: warning}
          receiver: db-warn
    - match_re: {service: 'api-.*'}
      receiver: api
receivers:
  - name: default
  - name: pager
  - name: db
  - name: db-warn
  - name: api
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [instance]
`;

type GA = { labels: Record<string, string>; annotations: Record<string, string>; fingerprint: string; receivers: { name: string }[]; status: { state: string; silencedBy: string[]; inhibitedBy: string[] } };

test('amtool alert add/query and silence add/query/expire agree between Vigil and Alertmanager', { skip: amtool.skip ?? alertmanager.skip, timeout: 60_000 }, async () => {
  const real = await startRealAlertmanager(alertmanager.path!, CFG);
  const vigil = await startVigilAlertmanager(CFG);
  try {
    const both = async (args: string[]) => Promise.all([run([`--alertmanager.url=${real.url}`, ...args]), run([`--alertmanager.url=${vigil.url}`, ...args])]);
    for (const labels of [
      ['alertname=Disk', 'severity=critical', 'instance=db1', 'team=db', 'env=prod'],
      ['alertname=Disk', 'severity=warning', 'instance=db1', 'team=db', 'env=prod'],
      ['alertname=Latency', 'severity=warning', 'instance=api1', 'service=api-gw'],
      ['alertname=Other', 'instance=x'],
    ]) {
      const [r, v] = await both(['alert', 'add', ...labels, '--annotation=summary=test alert']);
      assert.equal(r.code, 0, r.err);
      assert.equal(v.code, 0, v.err);
    }
    const norm = (s: string) => (JSON.parse(s) as GA[]).map((a) => ({ labels: a.labels, annotations: a.annotations, fingerprint: a.fingerprint, receivers: a.receivers, state: a.status.state, inhibited: a.status.inhibitedBy.length }));
    let [r, v] = await both(['alert', 'query', '-o', 'json']);
    assert.equal(v.code, 0, v.err);
    assert.deepEqual(norm(v.out), norm(r.out));
    assert.equal(norm(v.out).length, 3, 'inhibited alert hidden by default');
    [r, v] = await both(['alert', 'query', '-o', 'json', '--inhibited', '--active']);
    assert.deepEqual(norm(v.out), norm(r.out));
    assert.equal(norm(v.out).length, 4);
    assert.ok(norm(v.out).some((a) => a.inhibited === 1), 'warning on db1 inhibited by the critical');
    // Simple (table) output is identical too, apart from start times.
    [r, v] = await both(['alert', 'query', 'alertname=~"Disk|Latency"', '--inhibited']);
    const dropTimes = (s: string) => s.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \w+/g, 'T');
    assert.equal(dropTimes(v.out), dropTimes(r.out));
    // Silences.
    [r, v] = await both(['silence', 'add', 'alertname=Other', 'instance=~"x|y"', '-c', 'maintenance', '-a', 'tester', '-d', '1h']);
    assert.equal(v.code, 0, v.err);
    assert.match(v.out.trim(), /^[0-9a-f-]{36}$/);
    const vid = v.out.trim(), rid = r.out.trim();
    [r, v] = await both(['silence', 'query', '-o', 'json', 'alertname=Other']);
    const sn = (s: string) => (JSON.parse(s) as { matchers: unknown; createdBy: string; comment: string; status: unknown }[]).map((x) => ({ m: x.matchers, c: x.createdBy, k: x.comment, s: x.status }));
    assert.deepEqual(sn(v.out), sn(r.out));
    [r, v] = await both(['alert', 'query', '-o', 'json', '--silenced', 'alertname=Other']);
    assert.equal((JSON.parse(v.out) as GA[])[0]!.status.silencedBy[0], vid);
    assert.equal((JSON.parse(r.out) as GA[])[0]!.status.silencedBy[0], rid);
    const [re, ve] = await Promise.all([run([`--alertmanager.url=${real.url}`, 'silence', 'expire', rid]), run([`--alertmanager.url=${vigil.url}`, 'silence', 'expire', vid])]);
    assert.equal(ve.code, 0, ve.err);
    assert.equal(re.code, 0, re.err);
    [r, v] = await both(['silence', 'query', '-o', 'json', '--expired']);
    assert.deepEqual(sn(v.out), sn(r.out));
    assert.equal((JSON.parse(v.out) as { status: { state: string } }[])[0]!.status.state, 'expired');
    // Expiring an unknown silence fails in both.
    [r, v] = await both(['silence', 'expire', '00000000-0000-0000-0000-000000000000']);
    assert.notEqual(v.code, 0);
    assert.notEqual(r.code, 0);
    // /api/v2/alerts/groups and /api/v2/status: same shapes and content as Alertmanager.
    const get = async (u: string) => (await fetch(u)).json() as Promise<unknown>;
    type G = { labels: Record<string, string>; receiver: { name: string }; alerts: GA[] };
    const gnorm = (gs: G[]) => gs.map((g) => ({ labels: g.labels, receiver: g.receiver, alerts: g.alerts.map((x) => [x.fingerprint, x.status.state, x.receivers]) }));
    const [rg, vg] = (await Promise.all([get(`${real.url}/api/v2/alerts/groups`), get(`${vigil.url}/api/v2/alerts/groups`)])) as [G[], G[]];
    assert.deepEqual(gnorm(vg), gnorm(rg));
    const [rs, vs] = (await Promise.all([get(`${real.url}/api/v2/status`), get(`${vigil.url}/api/v2/status`)])) as Record<string, Record<string, unknown>>[];
    assert.deepEqual(Object.keys(vs!).sort(), Object.keys(rs!).sort());
    assert.deepEqual(Object.keys(vs!.versionInfo!).sort(), Object.keys(rs!.versionInfo!).sort());
    assert.equal(vs!.cluster!.status, rs!.cluster!.status);
    const [rr, vr] = await Promise.all([get(`${real.url}/api/v2/receivers`), get(`${vigil.url}/api/v2/receivers`)]);
    assert.deepEqual(vr, rr);
    for (const bad of ['filter=foo%3D%22bar', 'receiver=(']) {
      const [r1, r2] = await Promise.all([fetch(`${real.url}/api/v2/alerts?${bad}`), fetch(`${vigil.url}/api/v2/alerts?${bad}`)]);
      assert.equal(r2.status, r1.status, bad);
    }
    // Status and the routing tree fetched from the server's config.
    [r, v] = await both(['config', 'routes']);
    assert.equal(v.out, r.out);
    // amtool sees a matching Alertmanager version (no version-mismatch warning), and silence
    // update edits in place.
    assert.doesNotMatch(v.err, /different/);
    const up = await run([`--alertmanager.url=${vigil.url}`, 'silence', 'update', vid, '--duration', '2h', '-c', 'extended']);
    assert.equal(up.code, 0, up.err);
    [r, v] = await both(['cluster', 'show']);
    assert.equal(v.code, 0, v.err);
    assert.match(v.out, /Cluster Status:\s+disabled/);
  } finally {
    await Promise.all([real.stop(), vigil.stop()]);
  }
});

test('amtool config routes test agrees with Vigil route matching', { skip: amtool.skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-routes-'));
  try {
    const file = join(dir, 'am.yml');
    writeFileSync(file, CFG);
    const root = new Route(loadAlertmanagerConfig(CFG, file).route, null);
    const sets = [
      ['alertname=x'], ['severity=critical'], ['severity=critical', 'team=db'], ['team=db', 'env=prod'], ['team=db', 'env=dev'],
      ['team=storage', 'severity=warning'], ['team=dbx'], ['service=api-1'], ['service=api'], ['severity=critical', 'service=api-2'],
      ['team=db', 'severity=warning', 'env=dev', 'service=api-x'],
    ];
    for (const s of sets) {
      const r = await run(['config', 'routes', 'test', `--config.file=${file}`, ...s]);
      assert.equal(r.code, 0, r.err);
      const labels = Object.fromEntries(s.map((kv) => kv.split('=') as [string, string]));
      assert.equal(root.match(labels).map((x) => x.opts.receiver).join(','), r.out.trim(), `labels ${s.join(' ')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const VALID: Record<string, string> = {
  minimal: 'route:\n  receiver: a\nreceivers:\n  - name: a\n',
  full: CFG,
  legacyAndTimes: `
global: {resolve_timeout: 10m, smtp_smarthost: 'mail:25', smtp_from: 'a@b.c', slack_api_url: 'https://hooks.example/x', wechat_api_secret: s, wechat_api_corp_id: c}
route:
  receiver: a
  group_by: ['...']
  group_wait: 10s
  routes:
    - match: {a: b}
      match_re: {c: 'd|e'}
      receiver: b
      mute_time_intervals: [old]
      active_time_intervals: [new]
receivers:
  - name: a
    email_configs: [{to: 'x@y.z', headers: {Subject: hi}, send_resolved: true}]
    webhook_configs: [{url: 'http://h/x', max_alerts: 5, http_config: {basic_auth: {username: u, password: p}}}]
  - name: b
    slack_configs: [{channel: '#c', fields: [{title: t, value: v, short: true}], actions: [{type: button, text: go, url: 'http://x'}]}]
    wechat_configs: [{message_type: markdown, to_user: '@all'}]
mute_time_intervals:
  - name: old
    time_intervals: [{weekdays: [saturday, sunday]}]
time_intervals:
  - name: new
    time_intervals:
      - times: [{start_time: '09:00', end_time: '17:30'}]
        weekdays: ['monday:friday']
        days_of_month: ['1:10', '-7:-1']
        months: ['january:march', 'december']
        years: ['2023:2030']
        location: 'Asia/Shanghai'
inhibit_rules:
  - source_match: {s: crit}
    target_match_re: {s: 'warn|info'}
    equal: [instance]
`,
  pagerduty: 'route:\n  receiver: a\nreceivers:\n  - name: a\n    pagerduty_configs: [{routing_key: abc}]\n',
  templates: 'route:\n  receiver: a\nreceivers:\n  - name: a\ntemplates: ["good.tmpl"]\n',
  month13: 'route:\n  receiver: a\nreceivers:\n  - name: a\ntime_intervals:\n  - name: t\n    time_intervals: [{months: ["13"]}]\n',
  bothPasswords: 'route:\n  receiver: a\nreceivers:\n  - name: a\n    email_configs: [{to: x@y, from: a@b, smarthost: "h:25", auth_password: p, auth_password_file: /f}]\n',
  telegram: 'route:\n  receiver: a\nreceivers:\n  - name: a\n    telegram_configs: [{bot_token: t, chat_id: 1}]\n',
  emptyGroupBy: 'route:\n  receiver: a\n  group_by: []\n  routes: [{}]\nreceivers:\n  - name: a\n',
  globalOpsgenie: 'global:\n  opsgenie_api_key: k\nroute:\n  receiver: a\nreceivers:\n  - name: a\n    opsgenie_configs: [{}]\n',
};

const INVALID: Record<string, string> = {
  undefinedReceiver: 'route:\n  receiver: nope\nreceivers:\n  - name: a\n',
  noRootReceiver: 'route:\n  group_by: [a]\nreceivers:\n  - name: a\n',
  rootMatchers: 'route:\n  receiver: a\n  matchers: [a=b]\nreceivers:\n  - name: a\n',
  rootContinue: 'route:\n  receiver: a\n  continue: true\nreceivers:\n  - name: a\n',
  duplicateReceiver: 'route:\n  receiver: a\nreceivers:\n  - name: a\n  - name: a\n',
  unknownField: 'route:\n  receiver: a\n  recevier: b\nreceivers:\n  - name: a\n',
  badMatcher: 'route:\n  receiver: a\n  routes: [{receiver: a, matchers: ["a=\\"b"]}]\nreceivers:\n  - name: a\n',
  badRegex: 'route:\n  receiver: a\n  routes: [{receiver: a, match_re: {a: "("}}]\nreceivers:\n  - name: a\n',
  groupByMixed: 'route:\n  receiver: a\n  group_by: ["...", a]\nreceivers:\n  - name: a\n',
  zeroInterval: 'route:\n  receiver: a\n  group_interval: 0s\nreceivers:\n  - name: a\n',
  badDuration: 'route:\n  receiver: a\n  group_wait: 5x\nreceivers:\n  - name: a\n',
  badWeekday: 'route:\n  receiver: a\nreceivers:\n  - name: a\ntime_intervals:\n  - name: t\n    time_intervals: [{weekdays: [funday]}]\n',
  undefinedInterval: 'route:\n  receiver: a\n  routes: [{receiver: a, mute_time_intervals: [x]}]\nreceivers:\n  - name: a\n',
  emailNoTo: 'global: {smtp_smarthost: "m:25", smtp_from: "a@b"}\nroute:\n  receiver: a\nreceivers:\n  - name: a\n    email_configs: [{from: x@y}]\n',
  emailNoSmarthost: 'route:\n  receiver: a\nreceivers:\n  - name: a\n    email_configs: [{to: x@y, from: a@b}]\n',
  webhookNoUrl: 'route:\n  receiver: a\nreceivers:\n  - name: a\n    webhook_configs: [{send_resolved: true}]\n',
  slackNoUrl: 'route:\n  receiver: a\nreceivers:\n  - name: a\n    slack_configs: [{channel: x}]\n',
  wechatType: 'global: {wechat_api_secret: s, wechat_api_corp_id: c}\nroute:\n  receiver: a\nreceivers:\n  - name: a\n    wechat_configs: [{message_type: html}]\n',
  badEqual: 'route:\n  receiver: a\nreceivers:\n  - name: a\ninhibit_rules:\n  - equal: ["0x"]\n',
  badYaml: 'route:\n  receiver: a\n   bad: [\n',
  empty: '',
  dayOutOfRange: 'route:\n  receiver: a\nreceivers:\n  - name: a\ntime_intervals:\n  - name: t\n    time_intervals: [{days_of_month: ["32"]}]\n',
  timesNoEnd: 'route:\n  receiver: a\nreceivers:\n  - name: a\ntime_intervals:\n  - name: t\n    time_intervals: [{times: [{start_time: "10:00"}]}]\n',
  smarthostNoPort: 'global: {smtp_smarthost: "mail", smtp_from: "a@b"}\nroute:\n  receiver: a\nreceivers:\n  - name: a\n',
  inhibitUnknown: 'route:\n  receiver: a\nreceivers:\n  - name: a\ninhibit_rules:\n  - source_matchers: [a=b]\n    targets: [c=d]\n',
  badTemplate: 'route:\n  receiver: a\nreceivers:\n  - name: a\ntemplates: ["bad.tmpl"]\n',
  pagerdutyNoKey: 'route:\n  receiver: a\nreceivers:\n  - name: a\n    pagerduty_configs: [{}]\n',
  pushoverNoToken: 'route:\n  receiver: a\nreceivers:\n  - name: a\n    pushover_configs: [{user_key: u}]\n',
  webexNoAuth: 'route:\n  receiver: a\nreceivers:\n  - name: a\n    webex_configs: [{room_id: r}]\n',
  duplicateGroupBy: 'route:\n  receiver: a\n  routes: [{receiver: a, group_by: [a, a]}]\nreceivers:\n  - name: a\n',
  badMatchName: 'route:\n  receiver: a\n  routes: [{receiver: a, match: {"a-b": c}}]\nreceivers:\n  - name: a\n',
  badTime: 'route:\n  receiver: a\nreceivers:\n  - name: a\ntime_intervals:\n  - name: t\n    time_intervals: [{times: [{start_time: "9:00", end_time: "10:00"}]}]\n',
  duplicateInterval: 'route:\n  receiver: a\nreceivers:\n  - name: a\nmute_time_intervals:\n  - name: t\ntime_intervals:\n  - name: t\n',
  badSlackUrl: 'route:\n  receiver: a\nreceivers:\n  - name: a\n    slack_configs: [{api_url: "ftp://x/y"}]\n',
  boolAsString: 'route:\n  receiver: a\nreceivers:\n  - name: a\n    webhook_configs: [{url: "http://x", send_resolved: "yes"}]\n',
  badLocation: 'route:\n  receiver: a\nreceivers:\n  - name: a\ntime_intervals:\n  - name: t\n    time_intervals: [{location: "Mars/Olympus"}]\n',
};

test('vigil check alertmanager agrees with amtool check-config', { skip: amtool.skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-checkcfg-'));
  try {
    writeFileSync(join(dir, 'good.tmpl'), '{{ define "my.title" }}[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}{{ end }}\n');
    writeFileSync(join(dir, 'bad.tmpl'), '{{ define "broken" }}{{ if .Status }}unterminated\n');
    const disagreements: string[] = [];
    const cases = [...Object.entries(VALID).map(([k, v]) => [k, v, true] as const), ...Object.entries(INVALID).map(([k, v]) => [k, v, false] as const)];
    await Promise.all(
      cases.map(async ([name, text, expectOk]) => {
        const file = join(dir, `${name}.yml`);
        writeFileSync(file, text);
        const r = await run(['check-config', file]);
        const v = checkAlertmanagerFile(file);
        const amOk = r.code === 0;
        if (amOk !== expectOk) disagreements.push(`${name}: amtool says ${amOk ? 'valid' : 'invalid'}, the test expected otherwise: ${r.out}${r.err}`);
        if (v.ok !== amOk) disagreements.push(`${name}: amtool ${amOk ? 'accepts' : 'rejects'}, vigil ${v.ok ? 'accepts' : 'rejects'}: ${v.report.trim()} | amtool: ${(r.out + r.err).trim()}`);
        if (!v.ok) assert.match(v.report, /FAILED: /);
      }),
    );
    assert.deepEqual(disagreements, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('`vigil alertmanager` honours --web.config.file basic auth (amtool with http.config.file)', { skip: amtool.skip, timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-amweb-'));
  const file = join(dir, 'alertmanager.yml');
  writeFileSync(file, CFG);
  // bcrypt hash of "secret"
  writeFileSync(join(dir, 'web.yml'), "basic_auth_users:\n  admin: '$2b$04$eOmqMGykaWvJ0yBzzTCLIOHZMlf.yFmKFADYA55mURJLXAphNauxi'\n");
  writeFileSync(join(dir, 'http.yml'), 'basic_auth: {username: admin, password: secret}\n');
  const port = await freePort();
  const p = await startVigil([`--config.file=${file}`, '--web.listen-address', `127.0.0.1:${port}`, `--storage.path=${join(dir, 'data')}`, `--web.config.file=${join(dir, 'web.yml')}`], { command: ['alertmanager'] });
  try {
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/v2/status`)).status, 401);
    const r = await run([`--alertmanager.url=http://127.0.0.1:${port}`, `--http.config.file=${join(dir, 'http.yml')}`, 'alert', 'add', 'alertname=Auth']);
    assert.equal(r.code, 0, r.err);
    const denied = await run([`--alertmanager.url=http://127.0.0.1:${port}`, 'alert', 'query']);
    assert.notEqual(denied.code, 0);
  } finally {
    await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('`vigil alertmanager` runs as a drop-in: Alertmanager flags, amtool, reload, bad config kept out', { skip: amtool.skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-amcli-'));
  const file = join(dir, 'alertmanager.yml');
  writeFileSync(file, CFG);
  const port = await freePort();
  const p = await startVigil(
    [`--config.file=${file}`, '--web.listen-address', `127.0.0.1:${port}`, `--storage.path=${join(dir, 'data')}`, '--data.retention=24h', '--log.level=info', '--cluster.listen-address=0.0.0.0:9094'],
    { command: ['alertmanager'] },
  );
  try {
    assert.match(p.stderr(), /clustering flags are accepted but ignored/);
    const url = `--alertmanager.url=http://127.0.0.1:${port}`;
    let r = await run([url, 'alert', 'add', 'alertname=Cli', 'severity=critical']);
    assert.equal(r.code, 0, r.err);
    r = await run([url, 'alert', 'query', '-o', 'json']);
    const alerts = JSON.parse(r.out) as GA[];
    assert.deepEqual(alerts.map((x) => x.receivers.map((y) => y.name)), [['pager']]);
    const hist = (await (await fetch(`http://127.0.0.1:${port}/api/v1/vigil/alerts/history?filter=alertname%3DCli`)).json()) as { status: string; data: { alertname: string; state: string; severity: string }[] };
    assert.equal(hist.status, 'success');
    assert.deepEqual(hist.data.map((h) => [h.alertname, h.state, h.severity]), [['Cli', 'firing', 'critical']]);
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/v1/vigil/alerts/history?state=bogus`)).status, 400);
    r = await run([url, 'silence', 'add', 'alertname=Cli', '-c', 'c', '-a', 'a']);
    assert.equal(r.code, 0, r.err);
    // A broken config is rejected on reload; the old one keeps serving.
    writeFileSync(file, 'route:\n  receiver: missing\nreceivers:\n  - name: a\n');
    let res = await fetch(`http://127.0.0.1:${port}/-/reload`, { method: 'POST' });
    assert.equal(res.status, 500);
    assert.match(await res.text(), /undefined receiver "missing"/);
    r = await run([url, 'config', 'routes', 'test', 'severity=critical']);
    assert.equal(r.out.trim(), 'pager');
    writeFileSync(file, 'route:\n  receiver: only\nreceivers:\n  - name: only\n');
    res = await fetch(`http://127.0.0.1:${port}/-/reload`, { method: 'POST' });
    assert.equal(res.status, 200);
    r = await run([url, 'alert', 'query', '-o', 'json', '--silenced']);
    assert.deepEqual((JSON.parse(r.out) as GA[]).map((x) => x.receivers.map((y) => y.name)), [['only']]);
    // Alertmanager's metrics, in valid exposition format (checked by promtool when present).
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /^alertmanager_alerts\{state="suppressed"\} 1$/m);
    assert.match(metrics, /^alertmanager_silences\{state="active"\} 1$/m);
    assert.match(metrics, /^alertmanager_alerts_received_total\{status="firing"\} 1$/m);
    // Bad JSON gets a 400 with a message.
    res = await fetch(`http://127.0.0.1:${port}/api/v2/alerts`, { method: 'POST', body: '{not json', headers: { 'Content-Type': 'application/json' } });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /parsing alerts body/);
    // Silences survive even a kill -9 (written before the API acknowledges them).
    assert.equal(await p.stop('SIGKILL'), null);
    // They live in the SQLite state database (no JSON snapshot files any more).
    assert.ok(existsSync(join(dir, 'data', 'state.db')));
    assert.ok(!existsSync(join(dir, 'data', 'silences.json')));
    const p2 = await startVigil([`--config.file=${file}`, '--web.listen-address', `127.0.0.1:${port}`, `--storage.path=${join(dir, 'data')}`], { command: ['alertmanager'] });
    try {
      r = await run([url, 'silence', 'query', '-o', 'json']);
      assert.equal((JSON.parse(r.out) as unknown[]).length, 1);
    } finally {
      await p2.stop();
    }
  } finally {
    await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
