// The rule manager on real timers over the in-memory TSDB and the PromQL engine: groups run on
// their interval, recording rules and ALERTS land in storage, alerts reach the onAlerts hook,
// and a restarted manager restores `for` state from ALERTS_FOR_STATE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTSDB } from '../tsdb/index.js';
import { Engine } from '../promql/index.js';
import { labelsOf } from '../model/labels.js';
import { RuleManager } from './manager.js';
import { engineQueryFunc } from './query.js';
import type { PostableAlert } from './types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('rule manager evaluates on its interval against the TSDB and restores for-state after a restart', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-live-'));
  const tsdb = await openTSDB({ compactionIntervalMs: 0 });
  try {
    const rules = join(dir, 'rules.yml');
    writeFileSync(rules, 'groups:\n- name: live\n  interval: 1s\n  rules:\n  - record: instance:up:copy\n    expr: up\n  - alert: Down\n    expr: up == 0\n    for: 2s\n    annotations:\n      summary: "{{ $labels.instance }} down"\n  - alert: LongDown\n    expr: up == 0\n    for: 1h\n');
    // Keep a fresh sample for `up` so the selector always sees it.
    const feed = setInterval(() => {
      const app = tsdb.appender();
      app.append(0, labelsOf('__name__', 'up', 'instance', 'a'), Date.now(), 0);
      void app.commit();
    }, 200);
    const app = tsdb.appender();
    app.append(0, labelsOf('__name__', 'up', 'instance', 'a'), Date.now() - 100, 0);
    await app.commit();
    const sent: PostableAlert[] = [];
    const engine = new Engine();
    const mk = () =>
      new RuleManager({ query: engineQueryFunc(engine, tsdb), appendable: tsdb, queryable: tsdb, onAlerts: (a) => sent.push(...a), forGracePeriodMs: 1000, outageToleranceMs: 3600e3 });
    const mgr = mk();
    await mgr.update([rules]);
    mgr.start();
    for (let i = 0; i < 200 && !sent.some((a) => a.labels.alertname === 'Down'); i++) await sleep(100);
    await mgr.stop();
    const down = sent.find((a) => a.labels.alertname === 'Down');
    assert.ok(down, 'Down fired and was sent');
    assert.deepEqual(down.annotations, { summary: 'a down' });
    const g = mgr.groups()[0]!;
    assert.equal(g.lastEvalTimestamp % 1000, g.evalTimestamp(g.lastEvalTimestamp + 500) % 1000, 'evaluations on the group offset');
    const now = Date.now();
    const q = tsdb.querier(now - 60e3, now);
    const rec = await q.select({ start: now - 60e3, end: now }, [{ type: '=', name: '__name__', value: 'instance:up:copy' }]);
    assert.equal(rec.length, 1);
    const alerts = await q.select({ start: now - 60e3, end: now }, [{ type: '=', name: '__name__', value: 'ALERTS' }]);
    assert.ok(alerts.some((s) => s.labels.some((l) => l.name === 'alertstate' && l.value === 'firing')));
    q.close();
    assert.ok(mgr.alertingRules().find((r) => r.name === 'LongDown')!.activeAlerts()[0]);
    // Pretend the previous run had LongDown pending for 10 minutes when it stopped.
    const stopT = Date.now();
    const longActive = Math.floor(stopT / 1000) * 1000 - 600e3;
    const hist = tsdb.appender();
    hist.append(0, labelsOf('__name__', 'ALERTS_FOR_STATE', 'alertname', 'LongDown', 'instance', 'a'), stopT, longActive / 1000);
    await hist.commit();

    // "Restart": a fresh manager over the same storage restores LongDown's activeAt.
    const mgr2 = mk();
    await mgr2.update([rules]);
    mgr2.start();
    const long2 = () => mgr2.alertingRules().find((r) => r.name === 'LongDown')!;
    for (let i = 0; i < 200 && !long2().restored; i++) await sleep(100);
    await mgr2.stop();
    clearInterval(feed);
    assert.equal(long2().restored, true);
    const restored = long2().activeAlerts()[0]!.activeAt;
    // Shifted forward only by the downtime (a few seconds), not restarted from the new start.
    assert.ok(restored >= longActive && restored < longActive + 60e3, `restored ${restored} vs ${longActive}`);
  } finally {
    await tsdb.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
