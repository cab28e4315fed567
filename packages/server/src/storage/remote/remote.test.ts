import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CfgNode } from '../../config/node.js';
import { labelsOf, labelsKey, type Labels } from '../../model/labels.js';
import { STALE_NAN, isStaleNaN } from '../../model/sample.js';
import { decodeWriteRequest } from '../../protobuf/prompb.js';
import { snappyUncompress } from '../../ingest/snappy.js';
import { MemAppendable } from '../../ingest/memappendable.js';
import { parseRemoteWriteConfigs, type RemoteWriteConfig } from './config.js';
import { RemoteWriter } from './queue.js';
import { fanoutAppendable } from './fanout.js';

function cfg(yaml: string): RemoteWriteConfig[] {
  return parseRemoteWriteConfigs(CfgNode.parse(yaml, 'prometheus.yml').get('remote_write'));
}

test('config: defaults as Prometheus 2.42, auth and queue fields', () => {
  const [c] = cfg(`remote_write:
  - url: http://127.0.0.1:8428/api/v1/write
    headers: {X-Scope-OrgID: team-a}
    bearer_token: s3cret
    write_relabel_configs:
      - source_labels: [__name__]
        regex: go_.*
        action: drop
    queue_config:
      max_samples_per_send: 1000
      batch_send_deadline: 1s
      retry_on_http_429: true
`);
  assert.equal(c!.remoteTimeoutMs, 30000);
  assert.deepEqual(c!.authorization, { type: 'Bearer', credentials: 's3cret' });
  assert.equal(c!.queue.capacity, 2500);
  assert.equal(c!.queue.maxShards, 200);
  assert.equal(c!.queue.maxSamplesPerSend, 1000);
  assert.equal(c!.queue.batchSendDeadlineMs, 1000);
  assert.equal(c!.queue.minBackoffMs, 30);
  assert.equal(c!.queue.maxBackoffMs, 5000);
  assert.equal(c!.queue.retryOnHttp429, true);
  assert.equal(c!.writeRelabelConfigs.length, 1);
  assert.equal(c!.name.length, 6);
  assert.deepEqual(c!.headers, { 'X-Scope-OrgID': 'team-a' });
});

test('config: errors name file, line and field', () => {
  assert.throws(() => cfg('remote_write:\n  - url: ftp://x/\n'), /prometheus\.yml:2: remote_write\[0\]\.url: unsupported scheme "ftp"/);
  assert.throws(() => cfg('remote_write:\n  - url: http://x/\n    headers:\n      Authorization: x\n'), /Authorization is a reserved header/);
  assert.throws(() => cfg('remote_write:\n  - url: http://x/\n    basic_auth: {username: a}\n    bearer_token: b\n'), /at most one of basic_auth, authorization and bearer_token/);
  assert.throws(() => cfg('remote_write:\n  - url: http://x/\n    queue_config: {capcity: 5}\n'), /:3: remote_write\[0\]\.queue_config\.capcity: field capcity not found/);
  assert.throws(() => cfg('remote_write:\n  - url: http://x/\n    queue_config: {min_shards: 5, max_shards: 2}\n'), /min_shards \(5\) must not exceed max_shards \(2\)/);
  assert.throws(() => cfg('remote_write:\n  - {url: "http://x/", name: a}\n  - {url: "http://y/", name: a}\n'), /multiple remote write configs with job name "a"/);
  assert.throws(() => cfg('remote_write:\n  - url: http://x/\n    sigv4: {}\n'), /sigv4 is not supported/);
  assert.throws(() => cfg('remote_write:\n  - url: http://x/\n    remote_timeout: 5x\n'), /remote_timeout: not a valid duration/);
});

interface Received {
  series: Map<string, { t: number[]; v: number[]; stale: boolean[] }>;
  statuses: number[];
  auth: (string | undefined)[];
  requests: number;
}

/** A receiver answering each request with the next scripted status (then 204). */
async function receiver(script: number[] = []): Promise<{ url: string; got: Received; close(): Promise<void> }> {
  const got: Received = { series: new Map(), statuses: [], auth: [], requests: 0 };
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.requests++;
      got.auth.push(req.headers.authorization);
      const status = script.shift() ?? 204;
      got.statuses.push(status);
      if (status === 204) {
        const wr = decodeWriteRequest(snappyUncompress(Buffer.concat(chunks)));
        for (const s of wr.series) {
          const k = labelsKey(s.labels);
          let e = got.series.get(k);
          if (!e) got.series.set(k, (e = { t: [], v: [], stale: [] }));
          for (let i = s.start; i < s.end; i++) {
            e.t.push(wr.t[i]!);
            e.v.push(wr.v[i]!);
            e.stale.push(isStaleNaN(wr.v[i]!)); // plain arrays canonicalise NaN; check bits here
          }
        }
      }
      res.writeHead(status, status === 429 ? { 'Retry-After': '0' } : {});
      res.end(status === 204 ? '' : `scripted ${status}`);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/api/v1/write`, got, close: () => new Promise((r) => { srv.closeAllConnections(); srv.close(() => r()); }) };
}

function writerCfg(url: string, extra = ''): RemoteWriteConfig {
  return cfg(`remote_write:
  - url: ${url}
    basic_auth: {username: u, password: p}
    queue_config: {max_samples_per_send: 10, batch_send_deadline: 50ms, min_backoff: 10ms, max_backoff: 40ms, capacity: 100}
${extra}`)[0]!;
}

async function appendSeries(app: ReturnType<typeof fanoutAppendable>, ls: Labels, from: number, n: number) {
  const a = app.appender();
  for (let i = 0; i < n; i++) a.append(0, ls, (from + i) * 1000, from + i);
  await a.commit();
}

test('queue: retries 5xx until delivered, keeps order, sends auth; 4xx drops with a count', async () => {
  const rx = await receiver([500, 503]);
  const w = new RemoteWriter(writerCfg(rx.url), { externalLabels: labelsOf('cluster', 'eu1') });
  const mem = new MemAppendable();
  const app = fanoutAppendable(mem, w);
  try {
    await appendSeries(app, labelsOf('__name__', 'x', 'job', 'a'), 1, 25);
    assert.ok(await w.flush(5000));
    const got = rx.got.series.get(labelsKey(labelsOf('__name__', 'x', 'job', 'a', 'cluster', 'eu1')))!;
    assert.deepEqual(got.t, Array.from({ length: 25 }, (_, i) => (i + 1) * 1000));
    assert.equal(rx.got.statuses.slice(0, 2).join(), '500,503');
    assert.equal(rx.got.auth[0], 'Basic ' + Buffer.from('u:p').toString('base64'));
    const st = w.stats();
    assert.equal(st.samplesSent, 25);
    assert.equal(st.samplesRetried, 20);
    assert.equal(st.samplesFailed, 0);
    assert.equal(mem.count(), 25, 'primary got them too');
  } finally {
    await w.stop();
    await rx.close();
  }

  const rx2 = await receiver([400, 429]);
  const w2 = new RemoteWriter(writerCfg(rx2.url));
  try {
    await appendSeries(fanoutAppendable(new MemAppendable(), w2), labelsOf('__name__', 'y'), 1, 20);
    assert.ok(await w2.flush(5000));
    const st = w2.stats();
    assert.equal(st.samplesFailed, 20, '400 and 429 (retry_on_http_429 off) drop their batches');
    assert.equal(st.samplesSent, 0);
    assert.match(st.lastError, /429/);
  } finally {
    await w2.stop();
    await rx2.close();
  }
});

test('queue: 429 retried when retry_on_http_429; staleness NaN bit-exact; write relabel drops', async () => {
  const rx = await receiver([429]);
  const c = writerCfg(rx.url, `    write_relabel_configs:
      - {source_labels: [__name__], regex: 'secret_.*', action: drop}
`);
  c.queue.retryOnHttp429 = true;
  const w = new RemoteWriter(c);
  try {
    const app = fanoutAppendable(new MemAppendable(), w);
    const a = app.appender();
    a.append(0, labelsOf('__name__', 'z'), 1000, 1);
    a.append(0, labelsOf('__name__', 'z'), 2000, STALE_NAN);
    a.append(0, labelsOf('__name__', 'secret_x'), 1000, 1);
    await a.commit();
    assert.ok(await w.flush(5000));
    const z = rx.got.series.get(labelsKey(labelsOf('__name__', 'z')))!;
    assert.equal(z.v[0], 1);
    assert.deepEqual(z.stale, [false, true]);
    assert.equal(rx.got.series.size, 1);
    assert.equal(w.stats().samplesRelabeledAway, 1);
    assert.equal(rx.got.statuses[0], 429);
  } finally {
    await w.stop();
    await rx.close();
  }
});

test('queue: bounded buffer drops and counts on overflow during an outage', async () => {
  const rx = await receiver(Array(1000).fill(500));
  const c = writerCfg(rx.url);
  c.queue.capacity = 30;
  const w = new RemoteWriter(c);
  try {
    await appendSeries(fanoutAppendable(new MemAppendable(), w), labelsOf('__name__', 'o'), 1, 100);
    const st = w.stats();
    assert.equal(st.samplesIn, 100);
    assert.ok(st.samplesDropped >= 60, `dropped ${st.samplesDropped}`);
    assert.ok(st.pending <= 30);
  } finally {
    await w.stop(200);
    await rx.close();
  }
});

test('fanout: rollback and failed commits forward nothing; rejected samples are not forwarded', async () => {
  const sent: number[] = [];
  const sink = { enqueue: (_l: readonly Labels[], t: Float64Array, _v: Float64Array, n: number) => sent.push(...t.subarray(0, n)) };
  const mem = new MemAppendable();
  const app = fanoutAppendable(mem, sink);
  let a = app.appender();
  a.append(0, labelsOf('__name__', 'f'), 1000, 1);
  a.rollback();
  a = app.appender();
  a.append(0, labelsOf('__name__', 'f'), 2000, 1);
  assert.throws(() => a.append(0, labelsOf('__name__', 'f'), 1500, 1), /out of order/);
  await a.commit();
  assert.deepEqual(sent, [2000]);
  mem.failCommit = new Error('disk');
  a = app.appender();
  a.append(0, labelsOf('__name__', 'f'), 3000, 1);
  await assert.rejects(a.commit(), /disk/);
  assert.deepEqual(sent, [2000]);
});

test('queue: reshard keeps per-series order', async () => {
  const rx = await receiver();
  const w = new RemoteWriter(writerCfg(rx.url));
  try {
    const app = fanoutAppendable(new MemAppendable(), w);
    await appendSeries(app, labelsOf('__name__', 'r', 'i', '1'), 1, 30);
    w.reshard(4);
    await appendSeries(app, labelsOf('__name__', 'r', 'i', '1'), 31, 30);
    await appendSeries(app, labelsOf('__name__', 'r', 'i', '2'), 1, 30);
    assert.ok(await w.flush(5000));
    assert.equal(w.stats().shards, 4);
    const s1 = rx.got.series.get(labelsKey(labelsOf('__name__', 'r', 'i', '1')))!;
    assert.deepEqual(s1.t, Array.from({ length: 60 }, (_, i) => (i + 1) * 1000));
  } finally {
    await w.stop();
    await rx.close();
  }
});

test('queue: metadata is sent every metadata_config.send_interval', async () => {
  const metas: string[] = [];
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      for (const m of decodeWriteRequest(snappyUncompress(Buffer.concat(chunks))).metadata) metas.push(`${m.metricFamilyName}:${m.type}:${m.help}`);
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/`;
  const w = new RemoteWriter(cfg(`remote_write:\n  - url: ${url}\n    metadata_config: {send_interval: 50ms}\n`)[0]!);
  try {
    const a = fanoutAppendable(new MemAppendable(), w).appender();
    a.updateMetadata!('http_requests_total', { type: 'counter', help: 'Requests.', unit: '' });
    await a.commit();
    for (let i = 0; i < 50 && metas.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(metas[0], 'http_requests_total:counter:Requests.');
    assert.ok(w.stats().metadataSent >= 1);
  } finally {
    await w.stop(100);
    srv.closeAllConnections();
    await new Promise((r) => srv.close(r));
  }
});
