// End-to-end: Vigil's remote_write queue delivering to Debian's real VictoriaMetrics, including
// a receiver outage in the middle of the run (the queue retries and nothing is lost while it
// fits in the buffer). Vigil's own TSDB (in-memory) is the primary storage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPeer } from '../src/testing/peers.js';
import { CfgNode } from '../src/config/node.js';
import { labelsOf } from '../src/model/labels.js';
import { newMatcher } from '../src/model/matchers.js';
import { openTSDB } from '../src/tsdb/index.js';
import { fanoutAppendable, parseRemoteWriteConfigs, RemoteWriter } from '../src/storage/remote/index.js';
import { freePort } from './helpers/vigil-process.js';

const vm = findPeer('victoria-metrics');

async function startVM(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(vm.path!, [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${dir}`, '-loggerLevel=ERROR'], { stdio: ['ignore', 'ignore', 'ignore'] });
  const end = Date.now() + 20_000;
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health`);
      if (r.ok) return child;
    } catch {
      /* not up yet */
    }
    if (Date.now() > end) throw new Error('victoria-metrics did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopProc(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  await exited;
}

async function exportVM(port: number, match: string): Promise<Map<string, { values: number[]; timestamps: number[] }>> {
  await fetch(`http://127.0.0.1:${port}/internal/force_flush`);
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/export?match[]=${encodeURIComponent(match)}`);
  const out = new Map<string, { values: number[]; timestamps: number[] }>();
  for (const line of (await r.text()).split('\n')) {
    if (!line) continue;
    const o = JSON.parse(line) as { metric: Record<string, string>; values: number[]; timestamps: number[] };
    const key = Object.entries(o.metric).sort().map(([k, v]) => `${k}=${v}`).join(',');
    out.set(key, { values: o.values, timestamps: o.timestamps });
  }
  return out;
}

test('remote_write to Debian VictoriaMetrics: exact samples, survives a receiver outage', { skip: vm.skip, timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rw-vm-'));
  const port = await freePort();
  let child = await startVM(port, join(dir, 'vm'));
  const [cfg] = parseRemoteWriteConfigs(
    CfgNode.parse(
      `remote_write:
  - url: http://127.0.0.1:${port}/api/v1/write
    name: vm
    write_relabel_configs:
      - {source_labels: [__name__], regex: 'vigil_rw_dropme', action: drop}
    queue_config: {max_samples_per_send: 100, batch_send_deadline: 100ms, min_backoff: 50ms, max_backoff: 300ms, capacity: 10000}
`,
      'vigil.yml',
    ).get('remote_write'),
  );
  const db = await openTSDB({});
  const w = new RemoteWriter(cfg!, { externalLabels: labelsOf('replica', 'vigil-1') });
  const app = fanoutAppendable(db, w);
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 600_000;
  const write = async (from: number, to: number) => {
    const a = app.appender();
    for (let i = from; i < to; i++) {
      for (const job of ['a', 'b', 'c']) a.append(0, labelsOf('__name__', 'vigil_rw_test', 'job', job), t0 + i * 1000, i * 0.5 + (job === 'b' ? 1e6 : 0));
      a.append(0, labelsOf('__name__', 'vigil_rw_dropme'), t0 + i * 1000, 1);
    }
    await a.commit();
  };
  try {
    await write(0, 50);
    assert.ok(await w.flush(20_000), 'first flush');

    // outage: receiver down while more samples are committed
    await stopProc(child);
    await write(50, 80);
    await new Promise((r) => setTimeout(r, 600));
    const mid = w.stats();
    assert.ok(mid.failedRequests > 0, 'sends failed during the outage');
    assert.ok(mid.pending + (mid.samplesIn - mid.samplesSent - mid.samplesRelabeledAway) > 0);
    child = await startVM(port, join(dir, 'vm'));
    assert.ok(await w.flush(30_000), 'flush after restart');

    const got = await exportVM(port, '{__name__=~"vigil_rw_.*"}');
    assert.equal(got.size, 3, `series: ${[...got.keys()].join(' | ')}`);
    // compare with Vigil's own TSDB
    const q = db.querier(t0, t0 + 100_000);
    const local = await q.select({ start: t0, end: t0 + 100_000 }, [newMatcher('=', '__name__', 'vigil_rw_test')]);
    q.close();
    assert.equal(local.length, 3);
    for (const s of local) {
      const job = s.labels.find((l) => l.name === 'job')!.value;
      const theirs = got.get(`__name__=vigil_rw_test,job=${job},replica=vigil-1`);
      assert.ok(theirs, `series job=${job} in VictoriaMetrics`);
      const mine = s.samples();
      assert.equal(theirs.timestamps.length, 80);
      assert.deepEqual(theirs.timestamps, [...mine.t]);
      assert.deepEqual(theirs.values, [...mine.v]);
    }
    const st = w.stats();
    assert.equal(st.samplesSent, 240);
    assert.equal(st.samplesRelabeledAway, 80);
    assert.equal(st.samplesDropped + st.samplesFailed, 0);
  } finally {
    await w.stop(1000);
    await db.close();
    await stopProc(child);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('remote_write to VictoriaMetrics with the on-disk queue: receiver outage plus a Vigil restart lose nothing', { skip: vm.skip, timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rw-vm-disk-'));
  const port = await freePort();
  let child = await startVM(port, join(dir, 'vm'));
  const [cfg] = parseRemoteWriteConfigs(
    CfgNode.parse(`remote_write:\n  - url: http://127.0.0.1:${port}/api/v1/write\n    name: vm\n    queue_config: {max_samples_per_send: 100, batch_send_deadline: 50ms, min_backoff: 50ms, max_backoff: 200ms, capacity: 200}\n`, 'vigil.yml').get('remote_write'),
  );
  const qdir = join(dir, 'queue');
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 900_000;
  const write = async (w: RemoteWriter, from: number, to: number) => {
    const a = fanoutAppendable(await dbP, w).appender();
    for (let i = from; i < to; i++) for (const k of ['x', 'y']) a.append(0, labelsOf('__name__', 'vigil_rw_disk', 'k', k), t0 + i * 1000, i);
    await a.commit();
  };
  const dbP = openTSDB({});
  let w = new RemoteWriter(cfg!, { dir: qdir });
  try {
    await write(w, 0, 100);
    assert.ok(await w.flush(20_000));
    await stopProc(child); // receiver outage
    await write(w, 100, 400); // more than the in-memory capacity
    await new Promise((r) => setTimeout(r, 300));
    await w.stop(200); // Vigil stops during the outage
    assert.equal(w.stats().samplesDropped, 0);
    assert.ok(w.stats().diskPendingSamples > 0);

    child = await startVM(port, join(dir, 'vm'));
    w = new RemoteWriter(cfg!, { dir: qdir }); // Vigil starts again: replays the on-disk queue
    await write(w, 400, 450);
    assert.ok(await w.flush(30_000));
    const got = await exportVM(port, '{__name__="vigil_rw_disk"}');
    for (const k of ['x', 'y']) {
      const s = got.get(`__name__=vigil_rw_disk,k=${k}`);
      assert.ok(s, `series k=${k}`);
      const order = s.timestamps.map((t, i) => [t, s.values[i]!] as const).sort((a, b) => a[0] - b[0]);
      assert.equal(order.length, 450);
      order.forEach(([t, v], i) => {
        assert.equal(t, t0 + i * 1000);
        assert.equal(v, i);
      });
    }
  } finally {
    await w.stop(1000);
    await (await dbP).close();
    await stopProc(child);
    rmSync(dir, { recursive: true, force: true });
  }
});
