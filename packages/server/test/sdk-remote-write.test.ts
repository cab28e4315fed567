// @vigil/sdk's remote_write client: its snappy and protobuf are read back by Vigil's decoders
// (native and pure-TS snappy), and real receivers (Prometheus 2.42, VictoriaMetrics) store the
// pushed values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Counter, Gauge, Histogram, Registry, encodeWriteRequest, snappyCompress, pushRemoteWrite } from '@vigil/sdk';
import { snappyUncompress, snappyUncompressTS } from '../src/ingest/snappy.js';
import { decodeWriteRequest } from '../src/protobuf/index.js';
import { findPeer } from '../src/testing/peers.js';
import { freePort } from './peer-helpers.js';

function sampleRegistry(): Registry {
  const r = new Registry();
  new Counter({ name: 'batch_rows_total', help: 'Rows.', labelNames: ['table'], registers: [r] }).inc({ table: 'üsers' }, 1200);
  new Gauge({ name: 'batch_last_success_seconds', help: 'Last success.', registers: [r] }).set(1.7e9 + 0.25);
  const h = new Histogram({ name: 'batch_step_seconds', help: 'Steps.', buckets: [0.1, 1], registers: [r] });
  h.observe(0.05);
  h.observe(3);
  return r;
}

test('snappy compressor round-trips through native and pure-TS decoders', () => {
  const inputs: Uint8Array[] = [new Uint8Array(0), new TextEncoder().encode('a'), new TextEncoder().encode('abcabcabcabcabcabcabcabc'.repeat(50))];
  let x = 1;
  const rnd = new Uint8Array(200_000);
  for (let i = 0; i < rnd.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    rnd[i] = i % 3 === 0 ? x >>> 24 : 65 + (i % 7); // partly compressible, crosses 64 KiB blocks
  }
  inputs.push(rnd);
  for (const input of inputs) {
    const c = snappyCompress(input);
    assert.deepEqual(new Uint8Array(snappyUncompress(c)), input);
    assert.deepEqual(new Uint8Array(snappyUncompressTS(c)), input);
  }
  assert.ok(snappyCompress(inputs[2]!).length < inputs[2]!.length / 5, 'repetitive input compresses');
});

test("WriteRequest decodes with Vigil's receiver decoder: sorted labels, bit-exact values, metadata", async () => {
  const metrics = await sampleRegistry().getMetricsAsJSON();
  const wr = decodeWriteRequest(encodeWriteRequest(metrics, { job: 'nightly' }, 1_700_000_000_123));
  const byName = new Map<string, number>();
  for (const s of wr.series) {
    const names = s.labels.map((l) => l.name);
    assert.deepEqual(names, [...names].sort(), 'labels sorted');
    assert.ok(s.labels.some((l) => l.name === 'job' && l.value === 'nightly'));
    assert.equal(wr.t[s.start], 1_700_000_000_123);
    const key = s.labels.filter((l) => l.name !== 'job').map((l) => `${l.name}=${l.value}`).join(',');
    byName.set(key, wr.v[s.start]!);
  }
  assert.equal(byName.get('__name__=batch_rows_total,table=üsers'), 1200);
  assert.equal(byName.get('__name__=batch_last_success_seconds'), 1.7e9 + 0.25);
  assert.equal(byName.get('__name__=batch_step_seconds_bucket,le=+Inf'), 2);
  assert.equal(byName.get('__name__=batch_step_seconds_bucket,le=0.1'), 1);
  assert.equal(byName.get('__name__=batch_step_seconds_sum'), 3.05);
  assert.deepEqual(
    wr.metadata.map((m) => [m.metricFamilyName, m.type]),
    [['batch_rows_total', 'counter'], ['batch_last_success_seconds', 'gauge'], ['batch_step_seconds', 'histogram']],
  );
});

async function waitFor(fn: () => Promise<boolean>, what: string, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if (await fn()) return;
    } catch {
      /* not ready */
    }
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`${what}: ${log().slice(-1500)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const done = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await Promise.race([done, new Promise((r) => setTimeout(r, 3000))]);
  if (proc.exitCode === null) proc.kill('SIGKILL');
}

const prom = findPeer('prometheus');
test('pushRemoteWrite into a real Prometheus remote-write receiver', { skip: prom.skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sdk-rw-'));
  const port = await freePort();
  writeFileSync(join(dir, 'p.yml'), 'global: {}\n');
  const proc = spawn(prom.path!, [`--config.file=${join(dir, 'p.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/-/ready`)).ok, 'prometheus not ready', proc, () => log);
    const res = await pushRemoteWrite({ url: `${base}/api/v1/write`, registry: sampleRegistry(), labels: { job: 'nightly' }, backoffMs: 50 });
    assert.ok(res.status === 204 || res.status === 200, String(res.status));
    const q = async (expr: string) => {
      const body = (await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as { data: { result: { value: [number, string] }[] } };
      return body.data.result[0]?.value[1];
    };
    assert.equal(await q('batch_rows_total{job="nightly",table="üsers"}'), '1200');
    assert.equal(await q('batch_step_seconds_bucket{le="+Inf"}'), '2');
    assert.equal(await q('batch_last_success_seconds'), '1700000000.25');
  } finally {
    await stop(proc);
    rmSync(dir, { recursive: true, force: true });
  }
});

const vm = findPeer('victoria-metrics');
test('pushRemoteWrite into VictoriaMetrics', { skip: vm.skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sdk-vm-'));
  const port = await freePort();
  const proc = spawn(vm.path!, [`-storageDataPath=${join(dir, 'data')}`, `-httpListenAddr=127.0.0.1:${port}`, '-search.latencyOffset=0s'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/health`)).ok, 'victoria-metrics not ready', proc, () => log);
    await pushRemoteWrite({ url: `${base}/api/v1/write`, registry: sampleRegistry(), labels: { job: 'nightly' }, backoffMs: 50 });
    await waitFor(
      async () => {
        await fetch(`${base}/internal/force_flush`);
        const body = (await (await fetch(`${base}/api/v1/export?match[]=${encodeURIComponent('{__name__=~"batch_.*"}')}`)).text()).trim();
        return body.split('\n').filter(Boolean).length === 7 && body.includes('"table":"üsers"') && body.includes('[1200]');
      },
      'series not exported by victoria-metrics',
      proc,
      () => log,
    );
  } finally {
    await stop(proc);
    rmSync(dir, { recursive: true, force: true });
  }
});
