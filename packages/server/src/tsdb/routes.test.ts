import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpServer } from '../web/server.js';
import { Router } from '../web/router.js';
import { parseMetricSelector } from '../promql/index.js';
import { openTSDB } from './db.js';
import { labelsOf } from '../model/labels.js';

test('TSDB HTTP routes: status, metadata, snapshot, delete_series', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-routes-'));
  const db = await openTSDB({ dir, compactionIntervalMs: 0 });
  const a = db.appender();
  for (let i = 0; i < 5; i++) a.append(0, labelsOf('__name__', 'up', 'job', 'j' + i), 1000, 1);
  a.updateMetadata('up', { type: 'gauge', help: 'Target up.', unit: '' });
  await a.commit();
  const router = new Router();
  const { registerTSDBRoutes } = await import('./routes.js');
  registerTSDBRoutes(router, { tsdb: db, parseMatchers: parseMetricSelector, enableAdmin: true });
  const s = new HttpServer({ router });
  const addr = await s.listen('127.0.0.1:0');
  const base = `http://127.0.0.1:${addr.port}`;
  try {
    const st = await (await fetch(`${base}/api/v1/status/tsdb?limit=3`)).json() as { data: { headStats: { numSeries: number }; seriesCountByMetricName: { name: string; value: number }[] } };
    assert.equal(st.data.headStats.numSeries, 5);
    assert.deepEqual(st.data.seriesCountByMetricName, [{ name: 'up', value: 5 }]);
    const md = await (await fetch(`${base}/api/v1/metadata`)).json() as { data: unknown };
    assert.deepEqual(md.data, { up: [{ type: 'gauge', help: 'Target up.', unit: '' }] });
    const snap = await (await fetch(`${base}/api/v1/admin/tsdb/snapshot`, { method: 'POST' })).json() as { data: { name: string } };
    assert.match(snap.data.name, /^\d{8}T\d{6}Z-[0-9a-f]{16}$/);
    assert.ok(existsSync(join(dir, 'snapshots', snap.data.name)));
    const del = await fetch(`${base}/api/v1/admin/tsdb/delete_series?match[]=up{job="j1"}`, { method: 'POST' });
    assert.equal(del.status, 204);
    const bad = await fetch(`${base}/api/v1/admin/tsdb/delete_series?match[]=up{`, { method: 'POST' });
    assert.equal(bad.status, 400);
    const q = db.querier(0, 2000);
    const ss = await q.select({ start: 0, end: 2000 }, parseMetricSelector('up'));
    assert.equal(ss.length, 4);
    q.close();
    const wr = await (await fetch(`${base}/api/v1/status/walreplay`)).json() as { data: { current: number } };
    assert.equal(typeof wr.data.current, 'number');
  } finally {
    await s.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
