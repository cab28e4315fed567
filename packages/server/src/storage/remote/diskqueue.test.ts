import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfgNode } from '../../config/node.js';
import { labelsKey, labelsOf } from '../../model/labels.js';
import { decodeWriteRequest } from '../../protobuf/prompb.js';
import { snappyUncompress } from '../../ingest/snappy.js';
import { MemAppendable } from '../../ingest/memappendable.js';
import { DiskQueue } from './diskqueue.js';
import { parseRemoteWriteConfigs } from './config.js';
import { RemoteWriter } from './queue.js';
import { fanoutAppendable } from './fanout.js';

const batch = (i: number, size = 10) => ({ payload: Buffer.alloc(size, i), samples: i, maxT: i * 1000 });

test('disk queue: FIFO order, resume after reopen, size bound drops oldest (counted)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-dq-'));
  try {
    let q = new DiskQueue(dir, { segmentBytes: 64 });
    for (let i = 1; i <= 5; i++) q.append(batch(i));
    assert.equal(q.records, 5);
    assert.equal(q.samples, 15);
    let b = q.peek()!;
    assert.equal(b.samples, 1);
    q.ack(b);
    b = q.peek()!;
    assert.equal(b.samples, 2);
    q.close();
    // restart: unacknowledged batch 2 comes first again
    q = new DiskQueue(dir, { segmentBytes: 64 });
    assert.equal(q.records, 4);
    const seen: number[] = [];
    for (let x = q.peek(); x; x = q.peek()) {
      seen.push(x.samples);
      q.ack(x);
    }
    assert.deepEqual(seen, [2, 3, 4, 5]);
    assert.ok(q.empty);
    assert.equal(readdirSync(dir).filter((f) => f.endsWith('.seg')).length, 0, 'segments removed once drained');
    q.append(batch(6));
    assert.equal(q.peek()!.samples, 6);
    q.close();

    const dir2 = join(dir, 'bounded');
    const q2 = new DiskQueue(dir2, { segmentBytes: 60, maxBytes: 130 });
    for (let i = 1; i <= 10; i++) q2.append(batch(i));
    assert.ok(q2.sizeBytes <= 130 + 60, `size ${q2.sizeBytes}`);
    assert.ok(q2.droppedSamples > 0);
    const first = q2.peek()!;
    assert.ok(first.samples > 1, 'oldest dropped first');
    assert.equal(q2.samples + q2.droppedSamples, 55);
    q2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('disk queue: torn tail after a crash is ignored, corrupt records skipped and counted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-dq-'));
  try {
    let q = new DiskQueue(dir);
    q.append(batch(1));
    q.append(batch(2));
    q.close();
    const seg = readdirSync(dir).find((f) => f.endsWith('.seg'))!;
    appendFileSync(join(dir, seg), Buffer.from([50, 0, 0, 0, 1, 2])); // half-written record
    q = new DiskQueue(dir);
    assert.equal(q.records, 2);
    q.append(batch(3)); // goes to a new segment
    const seen: number[] = [];
    for (let x = q.peek(); x; x = q.peek()) {
      seen.push(x.samples);
      q.ack(x);
    }
    assert.deepEqual(seen, [1, 2, 3]);
    q.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writer with an on-disk queue: outage and restart lose nothing, order kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-dqw-'));
  let healthy = false;
  const got = new Map<string, number[]>();
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (!healthy) {
        res.writeHead(503);
        res.end('down');
        return;
      }
      const wr = decodeWriteRequest(snappyUncompress(Buffer.concat(chunks)));
      for (const s of wr.series) {
        const k = labelsKey(s.labels);
        const arr = got.get(k) ?? [];
        for (let i = s.start; i < s.end; i++) arr.push(wr.t[i]!);
        got.set(k, arr);
      }
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/api/v1/write`;
  const [cfg] = parseRemoteWriteConfigs(CfgNode.parse(`remote_write:\n  - url: ${url}\n    queue_config: {max_samples_per_send: 20, batch_send_deadline: 20ms, min_backoff: 10ms, max_backoff: 20ms, capacity: 50}\n`, 'x.yml').get('remote_write'));
  const write = async (w: RemoteWriter, from: number, to: number) => {
    const a = fanoutAppendable(new MemAppendable(), w).appender();
    for (let i = from; i < to; i++) a.append(0, labelsOf('__name__', 'd', 'k', String(i % 3)), 1000 + Math.floor(i / 3) * 1000, i);
    await a.commit();
  };
  try {
    let w = new RemoteWriter(cfg!, { dir: join(dir, 'q') });
    await write(w, 0, 150); // 3x the in-memory capacity: must go to disk, not be dropped
    await new Promise((r) => setTimeout(r, 300));
    await w.stop(100); // "restart" while the receiver is still down
    const st = w.stats();
    assert.equal(st.samplesDropped, 0);
    assert.equal(st.samplesSent, 0);
    assert.equal(st.diskPendingSamples, 150);

    healthy = true;
    w = new RemoteWriter(cfg!, { dir: join(dir, 'q') });
    await write(w, 150, 180);
    assert.ok(await w.flush(10_000));
    assert.equal(w.stats().samplesSent, 180);
    assert.equal(w.stats().diskPendingSamples, 0);
    await w.stop();
    for (let k = 0; k < 3; k++) {
      const ts = got.get(labelsKey(labelsOf('__name__', 'd', 'k', String(k))))!;
      assert.deepEqual(ts, Array.from({ length: 60 }, (_, i) => 1000 + i * 1000), `series k=${k} complete and in order`);
    }
  } finally {
    srv.closeAllConnections();
    await new Promise((r) => srv.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});
