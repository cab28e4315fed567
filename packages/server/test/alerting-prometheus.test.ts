// End to end with a real Prometheus: its rule fires, its notifier posts to Vigil's
// /api/v2/alerts (alerting.alertmanagers), and Vigil routes and delivers to a webhook sink.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPeer } from '../src/testing/peers.js';
import { CaptureServer, startVigilAlertmanager } from './alerting-helpers.js';
import { freePort } from './helpers/vigil-process.js';

const prom = findPeer('prometheus');

test('a real Prometheus sends its alerts to Vigil, which delivers them', { skip: prom.skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-prom-am-'));
  const sink = new CaptureServer();
  const hook = await sink.start();
  const vigil = await startVigilAlertmanager(`
route:
  receiver: default
  group_by: [alertname]
  group_wait: 1s
  routes:
    - matchers: [severity="page"]
      receiver: pager
receivers:
  - name: default
  - name: pager
    webhook_configs: [{url: '${hook}/pager'}]
`);
  const port = await freePort();
  const vigilHost = new URL(vigil.url).host;
  writeFileSync(join(dir, 'rules.yml'), `
groups:
  - name: e2e
    interval: 1s
    rules:
      - alert: AlwaysFiring
        expr: vector(1) > 0
        labels: {severity: page}
        annotations: {summary: 'value is {{ $value }}'}
`);
  writeFileSync(join(dir, 'prometheus.yml'), `
global: {evaluation_interval: 1s, external_labels: {cluster: e2e}}
rule_files: [rules.yml]
alerting:
  alertmanagers:
    - api_version: v2
      static_configs: [{targets: ['${vigilHost}']}]
`);
  const p = spawn(prom.path!, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--rules.alert.resend-delay=1s', '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  p.stderr!.on('data', (c) => (log += c));
  try {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !sink.received.some((c) => c.path === '/pager')) await new Promise((r) => setTimeout(r, 100));
    const got = sink.received.find((c) => c.path === '/pager');
    assert.ok(got, `no notification reached the sink (vigil has ${vigil.am.store.size} alerts); prometheus log:\n${log.split('\n').filter((l) => /rule|group|notif|alertmanager|error/i.test(l)).slice(-30).join('\n')}`);
    const a = got.body.alerts[0]!;
    assert.equal(a.labels.alertname, 'AlwaysFiring');
    assert.equal(a.labels.cluster, 'e2e', 'external labels added by Prometheus');
    assert.equal(a.annotations.summary, 'value is 1');
    assert.equal(a.status, 'firing');
    assert.match(a.generatorURL, /^http:\/\/.*\/graph\?g0\.expr=/);
    assert.equal(got.body.receiver, 'pager');
    assert.equal(got.body.groupKey, '{}/{severity="page"}:{alertname="AlwaysFiring"}');
    // Vigil's API shows the alert with the receiver it routed to.
    const list = (await (await fetch(`${vigil.url}/api/v2/alerts`)).json()) as { labels: Record<string, string>; receivers: { name: string }[] }[];
    assert.deepEqual(list.map((x) => [x.labels.alertname, x.receivers[0]!.name]), [['AlwaysFiring', 'pager']]);
  } finally {
    p.kill('SIGTERM');
    await new Promise((r) => p.once('exit', r));
    await Promise.all([vigil.stop(), sink.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
});
