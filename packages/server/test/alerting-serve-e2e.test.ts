// End to end inside `vigil serve`: an alerting rule fires, the embedded Alertmanager routes it,
// and both a webhook sink and a real SMTP server (smtp-server on loopback, STARTTLS + AUTH)
// receive it with the rendered annotations — within one evaluation interval + group_wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { CaptureServer } from './alerting-helpers.js';
import { freePort, startVigil } from './helpers/vigil-process.js';

test('vigil serve: rule -> embedded Alertmanager -> webhook and SMTP', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-serve-am-'));
  const sink = new CaptureServer();
  const hook = await sink.start();
  const mails: string[] = [];
  const smtp = new SMTPServer({
    onAuth: (a, _s, cb) => (a.username === 'vigil' && a.password === 'pw' ? cb(null, { user: 'vigil' }) : cb(new Error('denied'))),
    onData(stream, _s, cb) {
      let d = '';
      stream.on('data', (c: Buffer) => (d += c.toString()));
      stream.on('end', () => { mails.push(d); cb(); });
    },
    logger: false,
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  const smtpPort = (smtp.server.address() as { port: number }).port;
  writeFileSync(join(dir, 'rules.yml'), `
groups:
  - name: e2e
    interval: 1s
    rules:
      - alert: DiskAlmostFull
        expr: label_replace(vector(93), "instance", "db-1", "", "")
        labels: {severity: critical}
        annotations:
          summary: 'Disk on {{ $labels.instance }} is {{ $value }}% full'
`);
  writeFileSync(join(dir, 'am.yml'), `
global:
  smtp_smarthost: '127.0.0.1:${smtpPort}'
  smtp_from: 'vigil@example.org'
  smtp_auth_username: vigil
  smtp_auth_password: pw
route:
  receiver: ops
  group_by: [alertname]
  group_wait: 1s
receivers:
  - name: ops
    webhook_configs: [{url: '${hook}/ops'}]
    email_configs: [{to: 'ops@example.org', tls_config: {insecure_skip_verify: true}}]
`);
  writeFileSync(join(dir, 'vigil.yml'), `
global: {evaluation_interval: 1s, scrape_interval: 1m}
rule_files: [rules.yml]
`);
  const port = await freePort();
  const t0 = Date.now();
  const p = await startVigil([
    `--config.file=${join(dir, 'vigil.yml')}`, `--alertmanager.config.file=${join(dir, 'am.yml')}`, '--web.listen-address', `127.0.0.1:${port}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
  ]);
  try {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (sink.received.length === 0 || mails.length === 0)) await new Promise((r) => setTimeout(r, 100));
    assert.ok(sink.received.length > 0, `no webhook delivery; vigil log:\n${p.stderr().slice(-2000)}`);
    assert.ok(mails.length > 0, 'no email delivered');
    const got = sink.received[0]!;
    const elapsed = got.at - t0;
    assert.equal(got.body.alerts[0]!.annotations.summary, 'Disk on db-1 is 93% full');
    assert.equal(got.body.alerts[0]!.labels.alertname, 'DiskAlmostFull');
    assert.ok(elapsed < 10_000, `delivered ${elapsed}ms after start`);
    // From the evaluation that fired it to the webhook: within evaluation interval + group_wait.
    const sinceFiring = got.at - Date.parse(got.body.alerts[0]!.startsAt);
    assert.ok(sinceFiring < 1000 + 1000 + 500, `delivered ${sinceFiring}ms after the alert fired`);
    assert.match(mails[0]!, /Subject: \[FIRING:1\] DiskAlmostFull/);
    assert.match(mails[0]!.replace(/=\r?\n/g, ''), /Disk on db-1 is 93% full/);
    // The API v2 of the embedded Alertmanager is served on Vigil's own address.
    const list = (await (await fetch(`http://127.0.0.1:${port}/api/v2/alerts`)).json()) as { labels: Record<string, string> }[];
    assert.ok(list.some((a) => a.labels.alertname === 'DiskAlmostFull'));
  } finally {
    await p.stop();
    await sink.close();
    await new Promise<void>((r) => smtp.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});
