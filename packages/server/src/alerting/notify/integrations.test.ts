import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHmac } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import { loadAlertmanagerConfig } from '../config/index.js';
import { fingerprint } from '../fingerprint.js';
import type { Alert } from '../types.js';
import type { NotifyContext } from './context.js';
import { buildIntegrations } from './registry.js';
import { TemplateSet } from './templating.js';
import { nopLogger } from '../../util/log.js';
import { buildTemplateData } from './data.js';

const NOW = Date.UTC(2024, 0, 1, 12);
function alert(labels: Record<string, string>, resolved = false): Alert {
  return {
    labels,
    annotations: { summary: `High latency on ${labels.instance} <p95>` },
    startsAt: NOW - 120_000,
    endsAt: resolved ? NOW - 1000 : 0,
    generatorURL: 'http://prom:9090/graph',
    updatedAt: NOW,
    timeout: false,
    fingerprint: fingerprint(labels),
  };
}
const ALERTS = [alert({ alertname: 'Latency', instance: 'web-1', severity: 'page' }), alert({ alertname: 'Latency', instance: 'web-2', severity: 'page' }, true)];
const ctx = (receiver: string): NotifyContext => ({
  now: NOW, groupKey: '{}:{alertname="Latency"}', groupLabels: { alertname: 'Latency' }, receiver, repeatIntervalMs: 3600_000, groupIntervalMs: 300_000,
  muteTimeIntervals: [], activeTimeIntervals: [], signal: new AbortController().signal,
});

interface Req { url: string; body: string; headers: IncomingMessage['headers'] }
async function httpSink(handler: (r: Req, res: ServerResponse) => void): Promise<{ url: string; reqs: Req[]; close(): Promise<void> }> {
  const reqs: Req[] = [];
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const r = { url: req.url ?? '', body, headers: req.headers };
      reqs.push(r);
      handler(r, res);
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(s.address() as { port: number }).port}`, reqs, close: () => new Promise((r) => s.close(() => r())) };
}

function integrationsFor(yaml: string) {
  const cfg = loadAlertmanagerConfig(yaml, 'am.yml');
  return buildIntegrations(cfg.receivers[0]!, { externalUrl: 'http://vigil:9095', templater: new TemplateSet(), baseDir: '.', logger: nopLogger });
}

test('default templates: subject, lists, KV methods and Alertmanager functions', () => {
  const t = new TemplateSet();
  const d = buildTemplateData('ops', { alertname: 'Latency' }, ALERTS, NOW, 'http://vigil');
  assert.equal(t.execute('{{ template "__subject" . }}', d), '[FIRING:1] Latency (page)');
  assert.equal(t.execute('{{ range .Alerts.Firing }}{{ .Labels.instance }}{{ end }}|{{ range .Alerts.Resolved }}{{ .Labels.instance }}{{ end }}', d), 'web-1|web-2');
  assert.equal(t.execute('{{ .CommonLabels.SortedPairs.Names | join "," }} {{ .CommonLabels.Remove (stringSlice "severity") | len }}', d), 'alertname,severity 1');
  assert.equal(t.execute('{{ toUpper "a" }}{{ toLower "B" }} {{ title "web api" }} {{ trimSpace "  x " }} {{ reReplaceAll "web-(\\\\d)" "node$1" "web-7" }} {{ match "^web" "web-1" }}', d), 'Ab Web Api x node7 true');
  assert.equal(t.execute('{{ (index .Alerts 0).StartsAt | date "2006-01-02T15:04" }} {{ humanizeDuration 90 }}', d), '2024-01-01T11:58 1m 30s');
  assert.equal(t.execute('{{ (index .Alerts 0).StartsAt | tz "Asia/Shanghai" }}|{{ (index .Alerts 0).StartsAt | tz "Europe/Berlin" | date "15:04 MST" }}|{{ (index .Alerts 0).StartsAt | tz "Asia/Singapore" | date "MST" }}', d), '2024-01-01 19:58:00 +0800 CST|12:58 CET|+08');
  assert.equal(t.executeHTML('<b>{{ (index .Alerts 0).Annotations.summary }}</b>{{ "<i>ok</i>" | safeHtml }}', d), '<b>High latency on web-1 &lt;p95&gt;</b><i>ok</i>');
  assert.throws(() => t.execute('{{ template "nope" . }}', d), /not defined/);
});

test('email over real SMTP with STARTTLS and AUTH: headers, HTML and text bodies', async () => {
  const received: { from: string; to: string[]; data: string; user: string; secure: boolean }[] = [];
  const smtp = new SMTPServer({
    authOptional: false,
    secure: false,
    hideSTARTTLS: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'alert' && auth.password === 's3cret') cb(null, { user: auth.username });
      else cb(new Error('bad credentials'));
    },
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString()));
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data, user: String(session.user), secure: session.secure });
        cb();
      });
    },
    logger: false,
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  const port = (smtp.server.address() as { port: number }).port;
  try {
    const [email] = integrationsFor(`
global:
  smtp_smarthost: '127.0.0.1:${port}'
  smtp_from: 'vigil@example.org'
  smtp_auth_username: alert
  smtp_auth_password: s3cret
route: {receiver: mail}
receivers:
  - name: mail
    email_configs:
      - to: 'oncall@example.org, lead@example.org'
        text: '{{ template "email.default.text" . }}'
        headers: {X-Team: '{{ .CommonLabels.severity }}'}
        tls_config: {insecure_skip_verify: true}
`);
    await email!.notify(ctx('mail'), ALERTS);
    assert.equal(received.length, 1);
    const m = received[0]!;
    assert.equal(m.secure, true, 'STARTTLS was used');
    assert.equal(m.user, 'alert');
    assert.equal(m.from, 'vigil@example.org');
    assert.deepEqual(m.to, ['oncall@example.org', 'lead@example.org']);
    assert.match(m.data, /^Subject: \[FIRING:1\] Latency \(page\)/m);
    assert.match(m.data, /^X-Team: page/m);
    assert.match(m.data, /Content-Type: text\/html/);
    assert.match(m.data, /Content-Type: text\/plain/);
    assert.match(m.data.replace(/=\r?\n/g, ''), /High latency on web-1 &lt;p95&gt;/);
    // Wrong password: the server rejects, the integration reports an error.
    const [bad] = integrationsFor(`
route: {receiver: mail}
receivers:
  - name: mail
    email_configs:
      - {to: 'x@example.org', from: 'v@example.org', smarthost: '127.0.0.1:${port}', auth_username: alert, auth_password: wrong, tls_config: {insecure_skip_verify: true}}
`);
    await assert.rejects(bad!.notify(ctx('mail'), ALERTS), /send email to x@example.org/);
  } finally {
    await new Promise<void>((r) => smtp.close(() => r()));
  }
});

test('email refuses to send in clear text when the server lacks STARTTLS (require_tls)', async () => {
  const smtp = new SMTPServer({ disabledCommands: ['STARTTLS', 'AUTH'], onData(s, _x, cb) { s.resume(); s.on('end', () => cb()); }, logger: false });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  const port = (smtp.server.address() as { port: number }).port;
  try {
    const [email] = integrationsFor(`route: {receiver: m}\nreceivers:\n  - name: m\n    email_configs: [{to: a@b.c, from: v@b.c, smarthost: '127.0.0.1:${port}'}]\n`);
    await assert.rejects(email!.notify(ctx('m'), ALERTS), /STARTTLS/i);
    const [plain] = integrationsFor(`route: {receiver: m}\nreceivers:\n  - name: m\n    email_configs: [{to: a@b.c, from: v@b.c, smarthost: '127.0.0.1:${port}', require_tls: false}]\n`);
    await plain!.notify(ctx('m'), ALERTS);
  } finally {
    await new Promise<void>((r) => smtp.close(() => r()));
  }
});

test('webhook payload is Alertmanager version 4', async () => {
  const sink = await httpSink((_r, res) => res.end());
  try {
    const [wh, bearer] = integrationsFor(`route: {receiver: w}\nreceivers:\n  - name: w\n    webhook_configs: [{url: '${sink.url}/hook', max_alerts: 1, http_config: {basic_auth: {username: u, password: p}}}, {url: '${sink.url}/hook2', http_config: {authorization: {credentials: tok}}}]\n`);
    await bearer!.notify(ctx('w'), ALERTS);
    assert.equal(sink.reqs[0]!.headers.authorization, 'Bearer tok');
    sink.reqs.length = 0;
    await wh!.notify(ctx('w'), ALERTS);
    const body = JSON.parse(sink.reqs[0]!.body);
    assert.deepEqual(Object.keys(body), ['receiver', 'status', 'alerts', 'groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL', 'version', 'groupKey', 'truncatedAlerts']);
    assert.equal(body.version, '4');
    assert.equal(body.truncatedAlerts, 1);
    assert.equal(body.alerts[0].startsAt, '2024-01-01T11:58:00Z');
    assert.equal(body.alerts[0].endsAt, '0001-01-01T00:00:00Z');
    assert.equal(body.alerts[0].fingerprint, fingerprint({ alertname: 'Latency', instance: 'web-1', severity: 'page' }));
    assert.match(sink.reqs[0]!.body, /\\u003cp95\\u003e/, 'Go JSON escapes < and >');
    assert.equal(sink.reqs[0]!.headers['content-type'], 'application/json');
    assert.equal(sink.reqs[0]!.headers.authorization, 'Basic ' + Buffer.from('u:p').toString('base64'));
  } finally {
    await sink.close();
  }
});

test('slack incoming webhook, wechat app API, dingtalk signed robot, wecom robot', async () => {
  const sink = await httpSink((r, res) => {
    if (r.url.startsWith('/slack')) return res.end('ok');
    if (r.url.startsWith('/cgi-bin/gettoken')) return res.end(JSON.stringify({ errcode: 0, access_token: 'TOKEN1', expires_in: 7200 }));
    if (r.url.startsWith('/cgi-bin/message/send')) return res.end(JSON.stringify({ errcode: 0, errmsg: 'ok' }));
    if (r.url.startsWith('/robot/send')) return res.end(JSON.stringify({ errcode: 0, errmsg: 'ok' }));
    if (r.url.startsWith('/cgi-bin/webhook/send')) return res.end(JSON.stringify({ errcode: 0, errmsg: 'ok' }));
    res.statusCode = 404;
    res.end();
  });
  try {
    const integs = integrationsFor(`
global:
  slack_api_url: '${sink.url}/slack/T000/B000/XXX'
  wechat_api_url: '${sink.url}/cgi-bin/'
  wechat_api_secret: 'sekrit'
  wechat_api_corp_id: 'corp1'
route: {receiver: chat}
receivers:
  - name: chat
    slack_configs: [{channel: '#ops', fields: [{title: sev, value: '{{ .CommonLabels.severity }}'}]}]
    wechat_configs: [{agent_id: '1000002', message_type: markdown}]
    dingtalk_configs: [{url: '${sink.url}/robot/send?access_token=abc', secret: 'SEC123', at_mobiles: ['13800000000']}]
    wecom_robot_configs: [{url: '${sink.url}/cgi-bin/webhook/send?key=k1', message_type: text}]
`);
    assert.deepEqual(integs.map((i) => i.name), ['slack', 'wechat', 'dingtalk', 'wecom_robot']);
    for (const i of integs) await i.notify(ctx('chat'), ALERTS);
    const find = (p: string) => sink.reqs.find((r) => r.url.startsWith(p))!;
    const slack = JSON.parse(find('/slack').body);
    assert.equal(slack.channel, '#ops');
    assert.equal(slack.username, 'Vigil');
    assert.equal(slack.attachments[0].title, '[FIRING:1] Latency (page)');
    assert.equal(slack.attachments[0].color, 'danger');
    assert.equal(slack.attachments[0].title_link, 'http://vigil:9095/#/alerts?receiver=chat');
    assert.deepEqual(slack.attachments[0].fields, [{ title: 'sev', value: 'page', short: false }]);
    assert.match(find('/cgi-bin/gettoken').url, /corpid=corp1&corpsecret=sekrit/);
    const wsend = find('/cgi-bin/message/send');
    assert.match(wsend.url, /access_token=TOKEN1/);
    const wmsg = JSON.parse(wsend.body);
    assert.equal(wmsg.msgtype, 'markdown');
    assert.equal(wmsg.agentid, '1000002');
    assert.equal(wmsg.touser, '@all');
    assert.match(wmsg.markdown.content, /^\[FIRING:1\] Latency \(page\)/);
    const dreq = find('/robot/send');
    const u = new URL(dreq.url, sink.url);
    const ts = u.searchParams.get('timestamp')!;
    assert.equal(u.searchParams.get('sign'), createHmac('sha256', 'SEC123').update(`${ts}\nSEC123`).digest('base64'));
    const dmsg = JSON.parse(dreq.body);
    assert.equal(dmsg.msgtype, 'markdown');
    assert.equal(dmsg.markdown.title, '[FIRING:1] Latency (page)');
    assert.match(dmsg.markdown.text, /High latency on web-1/);
    assert.deepEqual(dmsg.at, { atMobiles: ['13800000000'], isAtAll: false });
    const cmsg = JSON.parse(find('/cgi-bin/webhook/send').body);
    assert.equal(cmsg.msgtype, 'text');
    assert.match(cmsg.text.content, /Latency/);
  } finally {
    await sink.close();
  }
});

test('HTTP errors: 5xx retryable, 4xx not; secrets stay out of error messages', async () => {
  let status = 503;
  const sink = await httpSink((_r, res) => {
    res.statusCode = status;
    res.end('nope');
  });
  try {
    const [wh] = integrationsFor(`route: {receiver: w}\nreceivers:\n  - name: w\n    webhook_configs: [{url: '${sink.url}/hook/SECRETTOKEN?key=SECRETKEY'}]\n`);
    await assert.rejects(wh!.notify(ctx('w'), ALERTS), (e: Error & { retry?: boolean }) => e.retry === true && !/SECRET/.test(e.message));
    status = 400;
    await assert.rejects(wh!.notify(ctx('w'), ALERTS), (e: Error & { retry?: boolean }) => e.retry === false && /400/.test(e.message));
  } finally {
    await sink.close();
  }
});

test('generic HTTP sender: templated query, headers and body (SMS gateway style)', async () => {
  const sink = await httpSink((_r, res) => res.end('{"ok":true}'));
  try {
    const [sms, def] = integrationsFor(`
route: {receiver: sms}
receivers:
  - name: sms
    http_sender_configs:
      - url: '${sink.url}/sms/send?account=ops'
        method: POST
        headers: {X-Api-Key: k123}
        query: {to: '+8613800000000'}
        content_type: application/x-www-form-urlencoded
        body: 'text={{ range .Alerts.Firing }}{{ .Annotations.summary | urlquery }}{{ end }}'
      - url: '${sink.url}/generic'
`);
    await sms!.notify(ctx('sms'), ALERTS);
    await def!.notify(ctx('sms'), ALERTS);
    const [r1, r2] = sink.reqs;
    assert.equal(r1!.url, '/sms/send?account=ops&to=%2B8613800000000');
    assert.equal(r1!.headers['x-api-key'], 'k123');
    assert.equal(r1!.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(new URLSearchParams(r1!.body).get('text'), 'High latency on web-1 <p95>');
    const j = JSON.parse(r2!.body);
    assert.deepEqual(j, { status: 'firing', receiver: 'sms', text: '[FIRING:1] Latency', groupLabels: { alertname: 'Latency' }, commonLabels: { alertname: 'Latency', severity: 'page' }, commonAnnotations: {} });
  } finally {
    await sink.close();
  }
});

test('http_config.proxy_url: plain HTTP via the proxy and HTTPS through a CONNECT tunnel', async () => {
  const { connect: netConnect } = await import('node:net');
  const { execFileSync } = await import('node:child_process');
  const { createServer: createHttpsServer } = await import('node:https');
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const seen: string[] = [];
  // A minimal forward proxy: absolute-form requests are answered directly, CONNECT is tunnelled.
  const proxy = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} auth=${req.headers['proxy-authorization'] ?? ''}`);
    req.resume();
    req.on('end', () => res.end());
  });
  const tunnels: { destroy(): void }[] = [];
  proxy.on('connect', (req, client, head) => {
    seen.push(`CONNECT ${req.url}`);
    tunnels.push(client);
    const [host, port] = (req.url ?? '').split(':');
    const up = netConnect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    tunnels.push(up);
    up.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  const proxyUrl = `http://user:pw@127.0.0.1:${(proxy.address() as { port: number }).port}`;
  try {
    const [wh] = integrationsFor(`route: {receiver: w}\nreceivers:\n  - name: w\n    webhook_configs: [{url: 'http://hooks.example:8080/x', http_config: {proxy_url: '${proxyUrl}'}}]\n`);
    await wh!.notify(ctx('w'), ALERTS);
    assert.deepEqual(seen, [`POST http://hooks.example:8080/x auth=Basic ${Buffer.from('user:pw').toString('base64')}`]);
    let haveOpenssl = true;
    const dir = mkdtempSync(join(tmpdir(), 'vigil-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    } catch {
      haveOpenssl = false;
    }
    if (haveOpenssl) {
      let got = '';
      const tlsServer = createHttpsServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (req, res) => {
        req.on('data', (c) => (got += c));
        req.on('end', () => res.end());
      });
      await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', () => r()));
      const port = (tlsServer.address() as { port: number }).port;
      try {
        const [secure] = integrationsFor(`route: {receiver: w}\nreceivers:\n  - name: w\n    webhook_configs: [{url: 'https://127.0.0.1:${port}/hook', http_config: {proxy_url: '${proxyUrl}', tls_config: {insecure_skip_verify: true}}}]\n`);
        await secure!.notify(ctx('w'), ALERTS);
        assert.equal(seen[1], `CONNECT 127.0.0.1:${port}`);
        assert.equal(JSON.parse(got).version, '4');
      } finally {
        tlsServer.closeAllConnections();
        await new Promise<void>((r) => tlsServer.close(() => r()));
      }
    }
    rmSync(dir, { recursive: true, force: true });
  } finally {
    for (const t of tunnels) t.destroy();
    proxy.closeAllConnections();
    await new Promise<void>((r) => proxy.close(() => r()));
  }
});
