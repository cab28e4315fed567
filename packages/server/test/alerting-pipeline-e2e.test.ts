// The whole alerting path inside one `vigil serve`: a rule fires, the notifier hands the alert
// to the embedded Alertmanager, which routes it to a webhook; amtool-compatible API v2 sees it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVigil, freePort } from './helpers/vigil-process.js';

test('rule → embedded Alertmanager → webhook, in one process', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-alert-e2e-'));
  const hooks: { receiver: string; status: string; alerts: { labels: Record<string, string>; annotations: Record<string, string> }[] }[] = [];
  const sink = http.createServer((req, res) => {
    let b = '';
    req.on('data', (c) => (b += c));
    req.on('end', () => {
      hooks.push(JSON.parse(b));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const hookPort = (sink.address() as { port: number }).port;
  writeFileSync(join(dir, 'rules.yml'), [
    'groups:',
    '  - name: e2e',
    '    interval: 1s',
    '    rules:',
    '      - alert: AlwaysFiring',
    '        expr: vector(42)',
    '        labels: {severity: page}',
    '        annotations: {summary: "value is {{ $value }}"}',
  ].join('\n'));
  writeFileSync(join(dir, 'am.yml'), [
    'route:',
    '  receiver: hook',
    '  group_by: [alertname]',
    '  group_wait: 1s',
    '  group_interval: 2s',
    'receivers:',
    '  - name: hook',
    `    webhook_configs: [{url: "http://127.0.0.1:${hookPort}/hook"}]`,
  ].join('\n'));
  writeFileSync(join(dir, 'vigil.yml'), [
    'global: {evaluation_interval: 1s}',
    'rule_files: [rules.yml]',
    'alerting:',
    '  alertmanager_config_file: am.yml',
  ].join('\n'));
  const port = await freePort();
  const v = await startVigil(['--config.file', join(dir, 'vigil.yml'), '--storage.tsdb.path', join(dir, 'data'), '--web.listen-address', `127.0.0.1:${port}`]);
  try {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && hooks.length === 0) await new Promise((r) => setTimeout(r, 250));
    assert.ok(hooks.length > 0, `no webhook call; vigil log:\n${v.stderr()}`);
    const h = hooks[0]!;
    assert.equal(h.receiver, 'hook');
    assert.equal(h.status, 'firing');
    assert.equal(h.alerts[0]!.labels.alertname, 'AlwaysFiring');
    assert.equal(h.alerts[0]!.labels.severity, 'page');
    assert.equal(h.alerts[0]!.annotations.summary, 'value is 42');
    const alerts = (await (await fetch(`${v.url}/api/v2/alerts`)).json()) as { labels: Record<string, string>; status: { state: string } }[];
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.status.state, 'active');
    const promAlerts = (await (await fetch(`${v.url}/api/v1/alerts`)).json()) as { data: { alerts: { state: string }[] } };
    assert.equal(promAlerts.data.alerts[0]!.state, 'firing');
    // As in Prometheus, ALERTS series are written once for-state restoration ran (after the
    // group's second evaluation).
    let series: { data: { result: { metric: Record<string, string> }[] } } = { data: { result: [] } };
    for (let i = 0; i < 40 && series.data.result.length === 0; i++) {
      series = (await (await fetch(`${v.url}/api/v1/query?query=ALERTS`)).json()) as typeof series;
      if (series.data.result.length === 0) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(series.data.result[0]!.metric.alertstate, 'firing');
  } finally {
    await v.stop();
    sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without an embedded Alertmanager, /api/v2 says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-alert-e2e-'));
  writeFileSync(join(dir, 'vigil.yml'), 'global: {}\n');
  const port = await freePort();
  const v = await startVigil(['--config.file', join(dir, 'vigil.yml'), '--storage.tsdb.path', join(dir, 'data'), '--web.listen-address', `127.0.0.1:${port}`]);
  try {
    const r = await fetch(`${v.url}/api/v2/status`);
    assert.equal(r.status, 404);
    assert.match(await r.text(), /no embedded Alertmanager/);
  } finally {
    await v.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
