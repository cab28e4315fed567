// @vigil/sdk push clients into Vigil's own receivers (/api/v1/import and /api/v1/write).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Registry, pushToVigil, pushRemoteWrite } from '@vigil/sdk';
import { labelsOf } from '../src/model/labels.js';
import { MemAppendable } from '../src/ingest/memappendable.js';
import { startIngestServer } from '../src/ingest/testutil.js';

function registry(): Registry {
  const r = new Registry();
  new Counter({ name: 'job_rows_total', help: 'Rows.', labelNames: ['table'], registers: [r] }).inc({ table: 'orders' }, 42);
  new Gauge({ name: 'job_ratio', help: 'Ratio.', registers: [r] }).set(0.125);
  new Gauge({ name: 'job_nan', help: 'NaN gauge.', registers: [r] }).set(NaN);
  return r;
}

test('pushToVigil (JSON import) and pushRemoteWrite land in Vigil', async () => {
  const mem = new MemAppendable();
  const srv = await startIngestServer(mem);
  try {
    const a = await pushToVigil({ url: srv.base, registry: registry(), labels: { job: 'import' }, timestampMs: 1000 });
    assert.equal(a.status, 204);
    const b = await pushRemoteWrite({ url: srv.base + '/api/v1/write', registry: registry(), labels: { job: 'rw' }, timestampMs: 2000 });
    assert.equal(b.status, 204);
    const rows = mem.get(labelsOf('__name__', 'job_rows_total', 'table', 'orders', 'job', 'import'))!;
    assert.equal(rows.v[0], 42);
    assert.equal(rows.t[0], 1000);
    assert.equal(mem.get(labelsOf('__name__', 'job_ratio', 'job', 'rw'))!.v[0], 0.125);
    assert.ok(Number.isNaN(mem.get(labelsOf('__name__', 'job_nan', 'job', 'rw'))!.v[0]), 'remote_write keeps NaN');
    assert.equal(mem.get(labelsOf('__name__', 'job_nan', 'job', 'import')), undefined, 'JSON import skips NaN');
    assert.equal(srv.routes.stats().remote_write.samplesAccepted, 3);
  } finally {
    await srv.close();
  }
});
