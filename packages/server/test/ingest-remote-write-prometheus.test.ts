// End-to-end: Debian's real Prometheus 2.42 scrapes itself and remote-writes to Vigil's
// receiver; the series Vigil stored must match what Prometheus holds (labels and values).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPeer } from '../src/testing/peers.js';
import { MemAppendable } from '../src/ingest/index.js';
import { startIngestServer } from '../src/ingest/testutil.js';
import { labelsKey, labelsOf, getLabel } from '../src/model/labels.js';
import { freePort } from './helpers/vigil-process.js';

const prom = findPeer('prometheus');

async function until<T>(what: string, ms: number, fn: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('remote_write from Debian Prometheus 2.42 arrives with correct labels, values and metadata', { skip: prom.skip, timeout: 60_000 }, async () => {
  const mem = new MemAppendable();
  const srv = await startIngestServer(mem);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rw-prom-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:
  scrape_interval: 1s
  external_labels:
    replica: r1
scrape_configs:
  - job_name: self
    static_configs:
      - targets: ['127.0.0.1:${port}']
remote_write:
  - url: ${srv.base}/api/v1/write
    queue_config:
      batch_send_deadline: 500ms
      max_samples_per_send: 500
    metadata_config:
      send_interval: 1s
`,
  );
  const child = spawn(prom.path!, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  try {
    const upKey = labelsKey(labelsOf('__name__', 'up', 'instance', `127.0.0.1:${port}`, 'job', 'self', 'replica', 'r1'));
    // wait for a few scrapes of `up` and for metadata
    await until('up samples from prometheus', 30_000, () => ((mem.series.get(upKey)?.n ?? 0) >= 3 ? true : undefined));
    await until('metadata', 15_000, () => (mem.metadata.has('prometheus_http_requests_total') ? true : undefined));
    const up = mem.series.get(upKey)!;
    for (let i = 0; i < up.n; i++) assert.equal(up.v[i], 1);
    assert.deepEqual(mem.metadata.get('prometheus_http_requests_total')!.type, 'counter');

    // Compare a counter's samples with what Prometheus itself stored over the same range.
    const name = 'scrape_samples_scraped';
    const key = labelsKey(labelsOf('__name__', name, 'instance', `127.0.0.1:${port}`, 'job', 'self', 'replica', 'r1'));
    const got = await until('scrape_samples_scraped', 15_000, () => ((mem.series.get(key)?.n ?? 0) >= 2 ? mem.series.get(key) : undefined));
    const lastT = got.t[got.n - 1]!;
    const q = new URL(`http://127.0.0.1:${port}/api/v1/query`);
    q.searchParams.set('query', `${name}[5m]`);
    q.searchParams.set('time', String(lastT / 1000));
    const body = (await (await fetch(q)).json()) as { data: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
    const series = body.data.result[0]!;
    assert.equal(series.metric.job, 'self');
    const theirs = new Map(series.values.map(([t, v]) => [Math.round(t * 1000), Number(v)]));
    let compared = 0;
    for (let i = 0; i < got.n; i++) {
      const t = got.t[i]!;
      if (!theirs.has(t)) continue;
      assert.equal(got.v[i], theirs.get(t), `value at ${t}`);
      compared++;
    }
    assert.ok(compared >= 2, `compared ${compared} samples`);
    // every series carries the external label and a job
    for (const s of mem.series.values()) {
      assert.equal(getLabel(s.labels, 'replica'), 'r1');
      assert.ok(getLabel(s.labels, '__name__') !== '');
    }
    const st = srv.routes.stats().remote_write;
    assert.ok(st.samplesAccepted > 100, `accepted ${st.samplesAccepted}`);
    assert.equal(st.samplesRejected, 0);
  } catch (e) {
    throw new Error(`${(e as Error).message}\nprometheus stderr:\n${stderr.slice(-2000)}`);
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
