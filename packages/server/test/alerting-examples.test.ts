// The shipped docs/examples/alertmanager.yml: valid for Alertmanager's amtool and for Vigil,
// routes as documented (amtool's routing and Vigil's agree), and its inhibition works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPeer } from '../src/testing/peers.js';
import { Alertmanager, ManualClock, loadAlertmanagerConfig } from '../src/alerting/index.js';
import type { Integration } from '../src/alerting/notify/pipeline.js';

const amtool = findPeer('amtool');

function exampleFile(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(d, 'docs', 'examples', 'alertmanager.yml');
    if (existsSync(p)) return p;
    d = dirname(d);
  }
  throw new Error('docs/examples/alertmanager.yml not found');
}

function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => execFile(amtool.path!, args, { encoding: 'utf8' }, (e, out, err) => resolve({ code: e ? 1 : 0, out, err })));
}

test('example alertmanager.yml: valid for amtool and Vigil, documented routing', { skip: amtool.skip }, async () => {
  const file = exampleFile();
  const r = await run(['check-config', file]);
  assert.equal(r.code, 0, r.out + r.err);
  const cfg = loadAlertmanagerConfig(readFileSync(file, 'utf8'), file);
  const am = new Alertmanager({ config: cfg, clock: new ManualClock() });
  try {
    for (const [labels, want] of [
      [['alertname=Down', 'severity=critical'], 'pager,chat'],
      [['alertname=Slow', 'severity=warning'], 'chat'],
      [['alertname=Note', 'severity=info'], 'chat'],
      [['alertname=Other'], 'chat'],
    ] as const) {
      const t = await run(['config', 'routes', 'test', `--config.file=${file}`, ...labels]);
      assert.equal(t.out.trim(), want);
      assert.equal(am.receiversFor(Object.fromEntries(labels.map((l) => l.split('=') as [string, string]))).join(','), want);
    }
  } finally {
    am.stop();
  }
});

test('example alertmanager.yml: a critical inhibits the warning of the same alertname and instance', async () => {
  const file = exampleFile();
  const clock = new ManualClock(Date.UTC(2024, 0, 3, 12)); // a Wednesday noon
  const sent: { receiver: string; alerts: string[] }[] = [];
  const am = new Alertmanager({
    config: loadAlertmanagerConfig(readFileSync(file, 'utf8'), file),
    clock,
    integrations: (r) => [{
      name: 'webhook', index: 0, sendResolved: true,
      async notify(ctx, alerts) { sent.push({ receiver: ctx.receiver, alerts: alerts.map((a) => `${a.labels.alertname}/${a.labels.instance}/${a.labels.severity}`) }); },
    } satisfies Integration].filter(() => r.name !== ''),
  });
  try {
    am.putAlerts([
      { labels: { alertname: 'HighLatency', instance: 'web-1', severity: 'critical' } },
      { labels: { alertname: 'HighLatency', instance: 'web-1', severity: 'warning' } },
      { labels: { alertname: 'HighLatency', instance: 'web-2', severity: 'warning' } },
    ]);
    await clock.advance(31_000);
    const chat = sent.filter((s) => s.receiver === 'chat').flatMap((s) => s.alerts).sort();
    assert.deepEqual(chat, ['HighLatency/web-1/critical', 'HighLatency/web-2/warning']);
    assert.deepEqual(sent.filter((s) => s.receiver === 'pager').flatMap((s) => s.alerts), ['HighLatency/web-1/critical']);
  } finally {
    am.stop();
  }
});
