import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { spawnSync } from 'node:child_process';
import { Router, type Req } from '../web/router.js';
import { findPeer } from '../testing/peers.js';
import { parseAll } from '../textparse/index.js';
import { createSelfMetrics, registerSelfMetricsRoute, TSDB_STATS, INGEST_STATS, REMOTE_WRITE_STATS } from './index.js';

async function get(router: Router, accept?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const m = router.match('GET', '/metrics');
  assert.ok(m && 'handler' in m);
  let status = 0;
  let headers: Record<string, unknown> = {};
  let body = '';
  const res = {
    writeHead(s: number, h: Record<string, unknown>) {
      status = s;
      headers = h;
      return res;
    },
    end(b?: string) {
      body = b ?? '';
    },
  } as unknown as ServerResponse;
  const req = { method: 'GET', path: '/metrics', raw: { headers: accept ? { accept } : {} } } as unknown as Req;
  await m.handler(req, res);
  return { status, headers, body };
}

test('self metrics: subsystem stats read at scrape time, defaults, HTTP, /metrics route', async () => {
  const sm = createSelfMetrics();
  try {
    let appended = 100;
    sm.addStats(TSDB_STATS, () => ({ headSeries: 12, samplesAppended: appended, headMinTime: 1_700_000_000_000, compactionDurationsMs: [1, 2] }) as never);
    sm.addStats(INGEST_STATS, () => ({ remote_write: { requests: 3, samplesAccepted: 30 }, otlp: { requests: 1, samplesAccepted: 2 } }) as never);
    sm.addStats(REMOTE_WRITE_STATS, () => [{ name: 'vm', url: 'http://vm:8428/api/v1/write', samplesSent: 7, shards: 2, lastError: '' }] as never);
    sm.addExposition(() => '# HELP vigil_extra Extra.\n# TYPE vigil_extra gauge\nvigil_extra 1\n');
    // A family the registry already has is dropped (a repeated family would fail the scrape).
    sm.addExposition(() => '# HELP vigil_tsdb_head_series Dup.\n# TYPE vigil_tsdb_head_series gauge\nvigil_tsdb_head_series 99\n# HELP vigil_jobs_total Jobs.\n# TYPE vigil_jobs_total counter\nvigil_jobs_total{x="y"} 4\n');
    const router = new Router();
    registerSelfMetricsRoute(router, sm);
    const done = sm.http.begin({ method: 'GET', url: '/api/v1/query', headers: {} } as never);
    done({ statusCode: 200, headersSent: true, getHeader: () => undefined } as never, '/api/v1/query');

    await sm.timeQuery('instant', async () => 1);
    await assert.rejects(sm.timeQuery('range', async () => Promise.reject(new Error('bad query'))));
    let r = await get(router);
    assert.match(r.body, /^vigil_query_duration_seconds_count\{type="instant",result="success"\} 1$/m);
    assert.match(r.body, /^vigil_query_duration_seconds_count\{type="range",result="error"\} 1$/m);
    assert.equal(r.status, 200);
    assert.equal(r.headers['Content-Type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.match(r.body, /^vigil_tsdb_head_series 12$/m);
    assert.match(r.body, /^# TYPE vigil_tsdb_samples_appended_total counter$/m);
    assert.match(r.body, /^vigil_tsdb_samples_appended_total 100$/m);
    assert.match(r.body, /^vigil_tsdb_head_min_time_seconds 1700000000$/m);
    assert.match(r.body, /^vigil_ingest_samples_accepted_total\{receiver="remote_write"\} 30$/m);
    assert.match(r.body, /^vigil_remote_write_samples_sent_total\{name="vm",url="http:\/\/vm:8428\/api\/v1\/write"\} 7$/m);
    assert.match(r.body, /^vigil_remote_write_shards\{name="vm",url="http:\/\/vm:8428\/api\/v1\/write"\} 2$/m);
    assert.match(r.body, /^vigil_http_requests_total\{method="GET",route="\/api\/v1\/query",status="200"\} 1$/m);
    assert.match(r.body, /^process_resident_memory_bytes \d+$/m);
    assert.match(r.body, /^vigil_extra 1$/m);
    assert.doesNotMatch(r.body, /vigil_tsdb_head_series 99/);
    assert.equal(r.body.match(/^# TYPE vigil_tsdb_head_series /gm)?.length, 1);
    appended = 250;
    r = await get(router);
    assert.match(r.body, /^vigil_tsdb_samples_appended_total 250$/m, 'read again at each scrape');

    const om = await get(router, 'application/openmetrics-text;version=1.0.0,text/plain;q=0.5');
    assert.equal(om.headers['Content-Type'], 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    assert.match(om.body, /^# TYPE vigil_jobs counter\n^vigil_jobs_total\{x="y"\} 4\n# EOF\n$/m);
    assert.match(om.body, /^# HELP vigil_jobs Jobs\.$/m);
    // Both bodies parse with Vigil's own scrape parsers (what the self-scrape job uses).
    assert.ok(parseAll(om.body, String(om.headers['Content-Type'])).samples.length > 20);
    assert.ok(parseAll(r.body, String(r.headers['Content-Type'])).samples.length > 20);

    const peer = findPeer('promtool');
    if (peer.path) {
      const chk = spawnSync(peer.path, ['check', 'metrics'], { input: r.body, encoding: 'utf8' });
      assert.equal(chk.status, 0, chk.stdout + chk.stderr);
    }
  } finally {
    sm.stop();
  }
});
