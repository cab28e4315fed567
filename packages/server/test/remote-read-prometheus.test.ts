// End-to-end: Debian's Prometheus 2.42 reads Vigil's TSDB through `remote_read` pointed at
// Vigil's /api/v1/read; its query answers must carry Vigil's samples exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPeer } from '../src/testing/peers.js';
import { labelsOf } from '../src/model/labels.js';
import { openTSDB } from '../src/tsdb/index.js';
import { Router } from '../src/web/router.js';
import { HttpServer } from '../src/web/server.js';
import { registerRemoteReadRoute } from '../src/storage/remote/index.js';
import { encodeReadRequest, decodeReadResponse } from '../src/protobuf/prompb.js';
import { snappyCompress, snappyUncompress } from '../src/ingest/snappy.js';
import { freePort } from './helpers/vigil-process.js';

const prom = findPeer('prometheus');

test('remote read: Debian Prometheus 2.42 queries Vigil data through /api/v1/read', { skip: prom.skip, timeout: 60_000 }, async () => {
  const db = await openTSDB({});
  const router = new Router();
  registerRemoteReadRoute(router, { queryable: db });
  const srv = new HttpServer({ router });
  const addr = await srv.listen('127.0.0.1:0');
  const vigil = `http://127.0.0.1:${addr.port}`;
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 300_000;
  const a = db.appender();
  for (let i = 0; i < 60; i++) for (const pod of ['a', 'b']) a.append(0, labelsOf('__name__', 'vigil_rr', 'pod', pod), t0 + i * 5000, i * 10 + (pod === 'b' ? 1 : 0));
  await a.commit();

  // direct protocol check, including a bad request
  const raw = await fetch(`${vigil}/api/v1/read`, { method: 'POST', body: snappyCompress(encodeReadRequest({ queries: [{ startTimestampMs: t0, endTimestampMs: t0 + 20_000, matchers: [{ type: '=', name: '__name__', value: 'vigil_rr' }, { type: '=', name: 'pod', value: 'a' }] }], acceptedResponseTypes: [0] })) });
  assert.equal(raw.status, 200);
  const rr = decodeReadResponse(snappyUncompress(new Uint8Array(await raw.arrayBuffer())));
  assert.equal(rr[0]!.series.length, 1);
  assert.deepEqual([...rr[0]!.t.subarray(0, rr[0]!.samples)], [t0, t0 + 5000, t0 + 10000, t0 + 15000, t0 + 20000]);
  const bad = await fetch(`${vigil}/api/v1/read`, { method: 'POST', body: snappyCompress(encodeReadRequest({ queries: [{ startTimestampMs: 0, endTimestampMs: 1, matchers: [{ type: '=~', name: 'x', value: '.*' }] }], acceptedResponseTypes: [0] })) });
  assert.equal(bad.status, 400);

  const dir = mkdtempSync(join(tmpdir(), 'vigil-rr-'));
  const port = await freePort();
  writeFileSync(join(dir, 'prometheus.yml'), `remote_read:\n  - url: ${vigil}/api/v1/read\n    read_recent: true\n`);
  const child = spawn(prom.path!, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=error'], { stdio: ['ignore', 'ignore', 'ignore'] });
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/-/ready`)).ok) break;
      } catch {
        /* starting */
      }
      if (i > 200) throw new Error('prometheus did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const q = new URL(`http://127.0.0.1:${port}/api/v1/query`);
    q.searchParams.set('query', 'vigil_rr[5m]');
    q.searchParams.set('time', String((t0 + 295_000) / 1000));
    const body = (await (await fetch(q)).json()) as { status: string; data: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
    assert.equal(body.status, 'success');
    assert.equal(body.data.result.length, 2);
    for (const s of body.data.result) {
      const off = s.metric.pod === 'b' ? 1 : 0;
      assert.equal(s.values.length, 60);
      s.values.forEach(([t, v], i) => {
        assert.equal(Math.round(t * 1000), t0 + i * 5000);
        assert.equal(Number(v), i * 10 + off);
      });
    }
    const sum = new URL(`http://127.0.0.1:${port}/api/v1/query`);
    sum.searchParams.set('query', 'sum(vigil_rr)');
    sum.searchParams.set('time', String((t0 + 295_000) / 1000));
    const sb = (await (await fetch(sum)).json()) as { data: { result: { value: [number, string] }[] } };
    assert.equal(Number(sb.data.result[0]!.value[1]), 590 + 591);
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await srv.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
