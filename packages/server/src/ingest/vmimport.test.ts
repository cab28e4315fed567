import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsOf } from '../model/labels.js';
import { MemAppendable } from './memappendable.js';
import { startIngestServer } from './testutil.js';

test('/api/v1/import: JSON lines stored; bad lines named; extra_label applied', async () => {
  const mem = new MemAppendable();
  const srv = await startIngestServer(mem);
  try {
    const body = [
      '{"metric":{"__name__":"up","job":"node","instance":"a:9100"},"values":[1,0,1],"timestamps":[1000,2000,3000]}',
      '{"metric":{"__name__":"temp","job":"node"},"values":[1.5,"NaN"],"timestamps":[1000,2000]}',
      '{"metric":{"__name__":"bad"},"values":[1,2],"timestamps":[1000]}',
      'not json',
      '{"metric":{"__name__":"x"},"values":[true],"timestamps":[1000]}',
    ].join('\n');
    const r = await fetch(srv.base + '/api/v1/import?extra_label=env=prod', { method: 'POST', body });
    assert.equal(r.status, 400);
    const text = await r.text();
    assert.match(text, /line 3: 2 values but 1 timestamps/);
    assert.match(text, /line 4: invalid JSON/);
    assert.match(text, /line 5: sample 0: invalid value true/);
    assert.equal(r.headers.get('x-vigil-samples-accepted'), '5');
    const up = mem.get(labelsOf('__name__', 'up', 'job', 'node', 'instance', 'a:9100', 'env', 'prod'))!;
    assert.deepEqual([...up.v.subarray(0, 3)], [1, 0, 1]);
    assert.ok(Number.isNaN(mem.get(labelsOf('__name__', 'temp', 'job', 'node', 'env', 'prod'))!.v[1]));
    const ok = await fetch(srv.base + '/api/v1/import', { method: 'POST', body: '{"metric":{"__name__":"y"},"values":[2],"timestamps":[5000]}\n' });
    assert.equal(ok.status, 204);
  } finally {
    await srv.close();
  }
});

test('/api/v1/import/prometheus: text exposition, metadata, bad line skipped', async () => {
  const mem = new MemAppendable();
  const srv = await startIngestServer(mem);
  try {
    const body = '# HELP reqs Requests.\n# TYPE reqs counter\nreqs{code="200"} 5 1000\nreqs{code="500" 7\nreqs{code="404"} 2 1000\nlatest 3\n';
    const r = await fetch(srv.base + '/api/v1/import/prometheus?timestamp=9000', { method: 'POST', body, headers: { 'Content-Type': 'text/plain' } });
    assert.equal(r.status, 400);
    assert.match(await r.text(), /line 4:/);
    assert.equal(mem.get(labelsOf('__name__', 'reqs', 'code', '200'))!.v[0], 5);
    assert.equal(mem.get(labelsOf('__name__', 'reqs', 'code', '404'))!.v[0], 2);
    assert.equal(mem.get(labelsOf('__name__', 'latest'))!.t[0], 9000);
    assert.equal(mem.metadata.get('reqs')!.type, 'counter');
    assert.equal(mem.metadata.get('reqs')!.help, 'Requests.');
  } finally {
    await srv.close();
  }
});
