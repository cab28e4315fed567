import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { labelsOf } from '../model/labels.js';
import { MemAppendable } from './memappendable.js';
import { influxTimestampMs, parseInfluxLine } from './influx.js';
import { startIngestServer } from './testutil.js';

test('line protocol parsing: escapes, types, strings skipped', () => {
  const p = parseInfluxLine('cpu\\ load,host=server\\ 01,region=us\\,west usage=0.5,count=3i,big=18446744073709551615u,ok=true,msg="hello, \\"world\\" x=1",neg=-1.5e3 1700000000000000000');
  assert.equal(p.measurement, 'cpu load');
  assert.deepEqual(p.tags, [{ name: 'host', value: 'server 01' }, { name: 'region', value: 'us,west' }]);
  assert.deepEqual(p.fields.map((f) => [f.key, f.value]), [['usage', 0.5], ['count', 3], ['big', 18446744073709551615], ['ok', 1], ['neg', -1500]]);
  assert.equal(p.skipped, 1);
  assert.equal(p.ts, '1700000000000000000');
  assert.equal(parseInfluxLine('m v=F').fields[0]!.value, 0);
  assert.equal(parseInfluxLine('m v=1').ts, '');
  assert.throws(() => parseInfluxLine('m'), /missing fields/);
  assert.throws(() => parseInfluxLine('m v=abc'), /invalid value "abc" for field "v"/);
  assert.throws(() => parseInfluxLine('m v=1.5i'), /invalid integer/);
  assert.throws(() => parseInfluxLine('m,t v=1'), /missing tag value/);
  assert.throws(() => parseInfluxLine('m v="x'), /unterminated/);
  assert.throws(() => parseInfluxLine('m v=1 12x'), /invalid timestamp/);
});

test('precision conversion is exact', () => {
  assert.equal(influxTimestampMs('1700000000123999999', 'ns'), 1700000000123);
  assert.equal(influxTimestampMs('1700000000123999', 'us'), 1700000000123);
  assert.equal(influxTimestampMs('1700000000123', 'ms'), 1700000000123);
  assert.equal(influxTimestampMs('1700000000', 's'), 1700000000000);
  assert.equal(influxTimestampMs('-1', 'ns'), -1);
  assert.equal(influxTimestampMs('2', 'h'), 7200000);
});

test('/write and /api/v2/write: samples stored; bad lines named, rest kept', async () => {
  const mem = new MemAppendable();
  const srv = await startIngestServer(mem);
  try {
    const body = [
      '# comment',
      'cpu,host=a,cpu=cpu0 usage_user=12.5,usage_idle=80i 1700000000000000000',
      'cpu,host=a,cpu=cpu0 usage_user=13.5 1700000010000000000',
      'mem,host=a used_percent=42.1,status="ok" 1700000000000000000',
      'broken line here',
      'disk.io,host=a,dev-name=sda reads=5u 1700000000000000000',
      '',
    ].join('\n');
    let r = await fetch(srv.base + '/write?db=telegraf', { method: 'POST', body });
    assert.equal(r.status, 400);
    const j = (await r.json()) as { error: string };
    assert.match(j.error, /partial write: 1 samples rejected, 5 accepted: line 5: missing value for field "line": "broken line here"/);
    const u = mem.get(labelsOf('__name__', 'cpu_usage_user', 'host', 'a', 'cpu', 'cpu0'))!;
    assert.deepEqual([...u.t.subarray(0, u.n)], [1700000000000, 1700000010000]);
    assert.deepEqual([...u.v.subarray(0, u.n)], [12.5, 13.5]);
    assert.equal(mem.get(labelsOf('__name__', 'cpu_usage_idle', 'host', 'a', 'cpu', 'cpu0'))!.v[0], 80);
    assert.equal(mem.get(labelsOf('__name__', 'mem_used_percent', 'host', 'a'))!.v[0], 42.1);
    assert.equal(mem.get(labelsOf('__name__', 'disk_io_reads', 'host', 'a', 'dev_name', 'sda'))!.v[0], 5);

    r = await fetch(srv.base + '/api/v2/write?org=o&bucket=b&precision=s', { method: 'POST', body: gzipSync('net,host=b bytes=7i 1700000000'), headers: { 'Content-Encoding': 'gzip' } });
    assert.equal(r.status, 204);
    assert.equal(mem.get(labelsOf('__name__', 'net_bytes', 'host', 'b'))!.t[0], 1700000000000);
    r = await fetch(srv.base + '/api/v2/write?precision=xs', { method: 'POST', body: 'net v=1 1' });
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as { message: string }).message, /invalid precision "xs"/);
    // no timestamp: server time
    const before = Date.now();
    r = await fetch(srv.base + '/write', { method: 'POST', body: 'now v=1' });
    assert.equal(r.status, 204);
    assert.ok(mem.get(labelsOf('__name__', 'now_v'))!.t[0]! >= before);
    assert.equal((await fetch(srv.base + '/ping')).status, 204);
    const st = srv.routes.stats().influx;
    assert.equal(st.samplesAccepted, 7);
    assert.equal(st.samplesRejected, 1);
    assert.equal(st.failedRequests, 2);
  } finally {
    await srv.close();
  }
});

test('size limit: 413 with an Influx-shaped error', async () => {
  const mem = new MemAppendable();
  const srv = await startIngestServer(mem, { maxBodyBytes: 100 });
  try {
    const r = await fetch(srv.base + '/api/v2/write', { method: 'POST', body: 'm v=1\n'.repeat(50) });
    assert.equal(r.status, 413);
    assert.match(((await r.json()) as { message: string }).message, /exceeds the limit of 100 bytes/);
  } finally {
    await srv.close();
  }
});
