// End-to-end durability of remote_write through the WAL (storage/remote/walwatcher.ts):
// (1) Debian's VictoriaMetrics is stopped in the middle of a run and started again: every
//     sample committed to Vigil's on-disk TSDB arrives, values exact, no gaps;
// (2) the built `vigil` server forwards to Debian's Prometheus (remote-write receiver), which is
//     stopped and restarted while samples keep being pushed into Vigil;
// (3) the built `vigil` server is killed with SIGKILL while its receiver is down; after a
//     restart (receiver up) every sample Vigil acknowledged to its own senders arrives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPeer } from '../src/testing/peers.js';
import { CfgNode } from '../src/config/node.js';
import { labelsOf } from '../src/model/labels.js';
import { openTSDB } from '../src/tsdb/index.js';
import { RemoteWriteManager, fanoutAppendable, parseRemoteWriteConfigs } from '../src/storage/remote/index.js';
import { encodeWriteRequest } from '../src/protobuf/prompb.js';
import { snappyCompress } from '../src/ingest/snappy.js';
import { freePort, startVigil } from './helpers/vigil-process.js';

const vm = findPeer('victoria-metrics');
const prom = findPeer('prometheus');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startVM(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(vm.path!, [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${dir}`, '-loggerLevel=ERROR'], { stdio: ['ignore', 'ignore', 'ignore'] });
  const end = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return child;
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null || Date.now() > end) throw new Error('victoria-metrics did not start');
    await sleep(100);
  }
}

async function stopProc(c: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise((r) => c.once('exit', r));
  c.kill(signal);
  await exited;
}

/** Series key -> sorted distinct timestamps and their values, from VictoriaMetrics's export API. */
async function exportVM(port: number, match: string): Promise<Map<string, Map<number, number>>> {
  await fetch(`http://127.0.0.1:${port}/internal/force_flush`);
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/export?match[]=${encodeURIComponent(match)}`);
  const out = new Map<string, Map<number, number>>();
  for (const line of (await r.text()).split('\n')) {
    if (!line) continue;
    const o = JSON.parse(line) as { metric: Record<string, string>; values: number[]; timestamps: number[] };
    const key = Object.entries(o.metric).sort().map(([k, v]) => `${k}=${v}`).join(',');
    const m = out.get(key) ?? new Map<number, number>();
    o.timestamps.forEach((t, i) => m.set(t, o.values[i]!));
    out.set(key, m);
  }
  return out;
}

async function waitForVM(port: number, match: string, want: (m: Map<string, Map<number, number>>) => boolean, ms: number): Promise<Map<string, Map<number, number>>> {
  const end = Date.now() + ms;
  for (;;) {
    const got = await exportVM(port, match);
    if (want(got) || Date.now() > end) return got;
    await sleep(250);
  }
}

function missing(got: Map<string, Map<number, number>>, key: string, ts: number[]): number[] {
  const m = got.get(key);
  return m ? ts.filter((t) => !m.has(t)) : ts;
}

test('remote_write via the WAL: VictoriaMetrics stopped mid-run and restarted, nothing lost', { skip: vm.skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rwal-vm-'));
  const port = await freePort();
  let child: ChildProcess | undefined = await startVM(port, join(dir, 'vm'));
  const db = await openTSDB({ dir: join(dir, 'data'), compactionIntervalMs: 0 });
  const mgr = new RemoteWriteManager(undefined, { wal: db, walPollMs: 50 });
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 600_000;
  const jobs = ['a', 'b', 'c'];
  const app = fanoutAppendable(db, mgr);
  const write = async (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const a = app.appender();
      for (const job of jobs) a.append(0, labelsOf('__name__', 'vigil_rwal', 'job', job), t0 + i * 1000, i * 0.25 + (job === 'b' ? 1e6 : 0));
      await a.commit();
    }
  };
  try {
    assert.equal(mgr.walMode, true);
    await mgr.applyConfig(parseRemoteWriteConfigs(CfgNode.parse(`remote_write:
  - url: http://127.0.0.1:${port}/api/v1/write
    name: vm
    queue_config: {max_samples_per_send: 60, batch_send_deadline: 100ms, min_backoff: 50ms, max_backoff: 300ms, capacity: 200}
`, 'vigil.yml').get('remote_write')));
    await write(0, 60);
    assert.ok(await mgr.flush(20_000), 'first part delivered');
    await stopProc(child); // receiver outage in the middle of the run
    child = undefined;
    await write(60, 260); // more than the queue's in-memory capacity
    for (const end = Date.now() + 10_000; mgr.stats()[0]!.failedRequests === 0 && Date.now() < end;) await sleep(50);
    const mid = mgr.stats()[0]!;
    assert.ok(mid.failedRequests > 0, 'sends failed during the outage');
    assert.equal(mid.samplesDropped, 0);
    child = await startVM(port, join(dir, 'vm'));
    await write(260, 300);
    assert.ok(await mgr.flush(30_000), 'flush after the receiver came back');
    const ts = Array.from({ length: 300 }, (_, i) => t0 + i * 1000);
    const got = await waitForVM(port, '{__name__="vigil_rwal"}', (g) => jobs.every((j) => missing(g, `__name__=vigil_rwal,job=${j}`, ts).length === 0), 15_000);
    for (const job of jobs) {
      const key = `__name__=vigil_rwal,job=${job}`;
      assert.deepEqual(missing(got, key, ts), [], `job=${job}: no gaps`);
      const m = got.get(key)!;
      assert.equal(m.size, 300);
      for (let i = 0; i < 300; i++) assert.equal(m.get(t0 + i * 1000), i * 0.25 + (job === 'b' ? 1e6 : 0));
    }
    const st = mgr.stats()[0]!;
    assert.equal(st.samplesDropped + st.samplesFailed, 0);
    assert.equal(st.walSamplesRead, 900);
  } finally {
    await mgr.stop();
    await db.close();
    await stopProc(child);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('remote_write via the WAL: vigil killed with SIGKILL while the receiver is down loses no acknowledged sample', { skip: vm.skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rwal-kill-'));
  const vmPort = await freePort();
  const port = await freePort();
  writeFileSync(join(dir, 'vigil.yml'), `global:
  scrape_interval: 1h
remote_write:
  - url: http://127.0.0.1:${vmPort}/api/v1/write
    name: vm
    queue_config: {max_samples_per_send: 500, batch_send_deadline: 2s, min_backoff: 50ms, max_backoff: 200ms, capacity: 1000}
`);
  const args = ['--config.file', join(dir, 'vigil.yml'), '--storage.tsdb.path', join(dir, 'data'), '--web.listen-address', `127.0.0.1:${port}`, '--log.level', 'error'];
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 900_000;
  const acked: number[] = [];
  let vigil = await startVigil(args);
  let child: ChildProcess | undefined;
  try {
    // The receiver is down: Vigil acknowledges pushes (they are in its WAL) but cannot forward them.
    for (let i = 0; i < 40; i++) {
      const t = Array.from({ length: 5 }, (_, k) => t0 + (i * 5 + k) * 1000);
      const body = snappyCompress(encodeWriteRequest(['x', 'y'].map((s) => ({ labels: labelsOf('__name__', 'vigil_rwal_kill', 's', s), t, v: t.map((x) => (x - t0) / 1000) }))));
      const r = await fetch(`${vigil.url}/api/v1/write`, { method: 'POST', body, headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf' } });
      assert.equal(r.status, 204, await r.text());
      acked.push(...t);
    }
    await vigil.stop('SIGKILL'); // right after the last acknowledgement: within one batch_send_deadline

    child = await startVM(vmPort, join(dir, 'vm'));
    vigil = await startVigil(args);
    const got = await waitForVM(vmPort, '{__name__="vigil_rwal_kill"}', (g) => ['x', 'y'].every((s) => missing(g, `__name__=vigil_rwal_kill,s=${s}`, acked).length === 0), 30_000);
    for (const s of ['x', 'y']) {
      const key = `__name__=vigil_rwal_kill,s=${s}`;
      assert.deepEqual(missing(got, key, acked), [], `s=${s}: every acknowledged sample arrived`);
      for (const t of acked) assert.equal(got.get(key)!.get(t), (t - t0) / 1000);
    }
    // the acknowledged position moves on once the receiver took everything
    const pos = () => JSON.parse(readFileSync(join(dir, 'data', 'remote_write', 'vm', 'position.json'), 'utf8')) as { segment: number; offset: number };
    const end = Date.now() + 5000;
    while (pos().segment < 2 && Date.now() < end) await sleep(100);
    assert.ok(pos().segment >= 2, `position after restart: ${JSON.stringify(pos())}`);
    const metrics = await (await fetch(`${vigil.url}/metrics`)).text();
    assert.match(metrics, /^vigil_remote_storage_wal_samples_read_total\{remote_name="vm",[^}]*\} [1-9]/m);
    assert.match(metrics, /^vigil_remote_storage_samples_dropped_total\{remote_name="vm",[^}]*\} 0$/m);
  } finally {
    await vigil.stop();
    await stopProc(child);
    rmSync(dir, { recursive: true, force: true });
  }
});

async function startProm(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(prom.path!, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'prom')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver', '--log.level=error'], { stdio: ['ignore', 'ignore', 'ignore'] });
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/-/ready`)).ok) return child;
    } catch {
      /* starting */
    }
    if (child.exitCode !== null || Date.now() > end) throw new Error('prometheus did not start');
    await sleep(100);
  }
}

test('remote_write via the WAL from the vigil server to Debian Prometheus: receiver restarted mid-run, nothing lost', { skip: prom.skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rwal-prom-'));
  const promPort = await freePort();
  const port = await freePort();
  writeFileSync(join(dir, 'prometheus.yml'), 'global: {}\n');
  writeFileSync(join(dir, 'vigil.yml'), `remote_write:
  - url: http://127.0.0.1:${promPort}/api/v1/write
    name: prom
    queue_config: {max_samples_per_send: 100, batch_send_deadline: 100ms, min_backoff: 50ms, max_backoff: 300ms}
`);
  let rx: ChildProcess | undefined = await startProm(promPort, dir);
  const vigil = await startVigil(['--config.file', join(dir, 'vigil.yml'), '--storage.tsdb.path', join(dir, 'data'), '--web.listen-address', `127.0.0.1:${port}`, '--log.level', 'error']);
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 300_000;
  const push = async (from: number, to: number) => {
    for (let i = from; i < to; i += 10) {
      const t = Array.from({ length: 10 }, (_, k) => t0 + (i + k) * 1000);
      const body = snappyCompress(encodeWriteRequest(['a', 'b'].map((pod) => ({ labels: labelsOf('__name__', 'vigil_rwal_prom', 'pod', pod), t, v: t.map((x) => (x - t0) / 1000 + (pod === 'b' ? 0.5 : 0)) }))));
      const r = await fetch(`${vigil.url}/api/v1/write`, { method: 'POST', body, headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf' } });
      assert.equal(r.status, 204, await r.text());
    }
  };
  const query = async () => {
    const q = new URL(`http://127.0.0.1:${promPort}/api/v1/query`);
    q.searchParams.set('query', 'vigil_rwal_prom[5m]');
    q.searchParams.set('time', String((t0 + 299_000) / 1000));
    const body = (await (await fetch(q)).json()) as { data: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
    return body.data.result;
  };
  try {
    await push(0, 100);
    await sleep(500);
    await stopProc(rx); // receiver outage while Vigil keeps ingesting
    rx = undefined;
    await push(100, 200);
    await sleep(400);
    rx = await startProm(promPort, dir);
    await push(200, 250);
    let res = await query();
    for (const end = Date.now() + 20_000; Date.now() < end && !(res.length === 2 && res.every((s) => s.values.length === 250)); await sleep(250)) res = await query();
    assert.equal(res.length, 2);
    for (const s of res) {
      const off = s.metric.pod === 'b' ? 0.5 : 0;
      assert.equal(s.values.length, 250, `pod=${s.metric.pod}: every sample, no gaps`);
      s.values.forEach(([t, v], i) => {
        assert.equal(Math.round(t * 1000), t0 + i * 1000);
        assert.equal(Number(v), i + off);
      });
    }
    const metrics = await (await fetch(`${vigil.url}/metrics`)).text();
    assert.match(metrics, /^vigil_remote_storage_samples_retried_total\{remote_name="prom",[^}]*\} [1-9]/m, 'sends failed during the outage');
  } finally {
    await vigil.stop();
    await stopProc(rx);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('remote_write via the WAL: samples re-sent after a restart do not make Debian Prometheus drop new ones', { skip: prom.skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rwal-resend-'));
  const promPort = await freePort();
  writeFileSync(join(dir, 'prometheus.yml'), 'global: {}\n');
  const rx = await startProm(promPort, dir);
  const cfg = () => parseRemoteWriteConfigs(CfgNode.parse(`remote_write:
  - url: http://127.0.0.1:${promPort}/api/v1/write
    name: prom
    queue_config: {max_samples_per_send: 1000, batch_send_deadline: 100ms, min_backoff: 50ms, max_backoff: 300ms}
`, 'vigil.yml').get('remote_write'));
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 300_000;
  const write = async (db: Awaited<ReturnType<typeof openTSDB>>, mgr: RemoteWriteManager, from: number, to: number) => {
    const app = fanoutAppendable(db, mgr);
    for (let i = from; i < to; i++) {
      const a = app.appender();
      for (const pod of ['a', 'b']) a.append(0, labelsOf('__name__', 'vigil_rwal_resend', 'pod', pod), t0 + i * 1000, i);
      await a.commit();
    }
  };
  let db = await openTSDB({ dir: join(dir, 'data'), compactionIntervalMs: 0 });
  let mgr = new RemoteWriteManager(undefined, { wal: db, walPollMs: 50 });
  try {
    await mgr.applyConfig(cfg());
    await write(db, mgr, 0, 100);
    assert.ok(await mgr.flush(20_000));
    await mgr.stop();
    await db.close();
    // a crash just before the acknowledged position was saved: the whole WAL is read again
    writeFileSync(join(dir, 'data', 'remote_write', 'prom', 'position.json'), '{"segment": 1, "offset": 0}');
    db = await openTSDB({ dir: join(dir, 'data'), compactionIntervalMs: 0 });
    mgr = new RemoteWriteManager(undefined, { wal: db, walPollMs: 50 });
    await write(db, mgr, 100, 200); // re-sent and new samples share batches
    await mgr.applyConfig(cfg());
    assert.ok(await mgr.flush(20_000));
    const q = new URL(`http://127.0.0.1:${promPort}/api/v1/query`);
    q.searchParams.set('query', 'vigil_rwal_resend[5m]');
    q.searchParams.set('time', String((t0 + 299_000) / 1000));
    const res = ((await (await fetch(q)).json()) as { data: { result: { metric: Record<string, string>; values: [number, string][] }[] } }).data.result;
    assert.equal(res.length, 2);
    for (const s of res) {
      assert.equal(s.values.length, 200, `pod=${s.metric.pod}: all samples`);
      s.values.forEach(([t, v], i) => {
        assert.equal(Math.round(t * 1000), t0 + i * 1000);
        assert.equal(Number(v), i);
      });
    }
  } finally {
    await mgr.stop();
    await db.close();
    await stopProc(rx);
    rmSync(dir, { recursive: true, force: true });
  }
});
