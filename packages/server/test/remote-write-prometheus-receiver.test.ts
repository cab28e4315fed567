// End-to-end: Vigil's remote_write queue delivering to Debian's real Prometheus 2.42 running
// with --web.enable-remote-write-receiver; the data read back through Prometheus's query API
// must equal what Vigil stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPeer } from '../src/testing/peers.js';
import { CfgNode } from '../src/config/node.js';
import { labelsOf } from '../src/model/labels.js';
import { openTSDB } from '../src/tsdb/index.js';
import { fanoutAppendable, parseRemoteWriteConfigs, RemoteWriter } from '../src/storage/remote/index.js';
import { freePort } from './helpers/vigil-process.js';

const prom = findPeer('prometheus');

test('remote_write to Debian Prometheus 2.42 (remote-write receiver): samples and metadata arrive', { skip: prom.skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rw-promrx-'));
  const port = await freePort();
  writeFileSync(join(dir, 'prometheus.yml'), 'global: {}\n');
  const child = spawn(prom.path!, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver', '--log.level=error'], { stdio: ['ignore', 'ignore', 'ignore'] });
  const base = `http://127.0.0.1:${port}`;
  const db = await openTSDB({});
  const [cfg] = parseRemoteWriteConfigs(CfgNode.parse(`remote_write:\n  - url: ${base}/api/v1/write\n    queue_config: {batch_send_deadline: 100ms, max_samples_per_send: 50}\n`, 'vigil.yml').get('remote_write'));
  const w = new RemoteWriter(cfg!, { externalLabels: labelsOf('source', 'vigil') });
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/-/ready`)).ok) break;
      } catch {
        /* starting */
      }
      if (i > 200) throw new Error('prometheus did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const app = fanoutAppendable(db, w);
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 120_000;
    const a = app.appender();
    for (let i = 0; i < 100; i++) a.append(0, labelsOf('__name__', 'vigil_forwarded', 'pod', `p${i % 4}`), t0 + Math.floor(i / 4) * 1000, i * 1.25);
    a.updateMetadata!('vigil_forwarded', { type: 'gauge', help: 'Forwarded by Vigil.', unit: '' });
    await a.commit();
    assert.ok(await w.flush(20_000));
    const q = new URL(`${base}/api/v1/query`);
    q.searchParams.set('query', 'vigil_forwarded[10m]');
    q.searchParams.set('time', String((t0 + 60_000) / 1000));
    const body = (await (await fetch(q)).json()) as { data: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
    const res = body.data.result;
    assert.equal(res.length, 4);
    for (const s of res) {
      assert.equal(s.metric.source, 'vigil');
      const p = Number(s.metric.pod!.slice(1));
      assert.equal(s.values.length, 25);
      s.values.forEach(([t, v], k) => {
        assert.equal(Math.round(t * 1000), t0 + k * 1000);
        assert.equal(Number(v), (k * 4 + p) * 1.25);
      });
    }
    assert.equal(w.stats().samplesSent, 100);
  } finally {
    await w.stop(1000);
    await db.close();
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
