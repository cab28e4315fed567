// End-to-end: Debian's real Prometheus 2.42 scrapes itself and remote-writes to Vigil's
// receiver; the series Vigil stored must match what Prometheus holds (labels and values).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPeer } from '../src/testing/peers.js';
import { openTSDB } from '../src/tsdb/index.js';
import { newMatcher } from '../src/model/matchers.js';
import { startIngestServer } from '../src/ingest/testutil.js';
import { getLabel, type Labels } from '../src/model/labels.js';
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

async function series(db: Awaited<ReturnType<typeof openTSDB>>, name: string): Promise<{ labels: Labels; t: Float64Array; v: Float64Array }[]> {
  const q = db.querier(0, Date.now() + 60_000);
  try {
    const ss = await q.select({ start: 0, end: Date.now() + 60_000 }, [newMatcher('=', '__name__', name)]);
    return ss.map((s) => ({ labels: s.labels, ...s.samples() }));
  } finally {
    q.close();
  }
}

test('remote_write from Debian Prometheus 2.42 arrives with correct labels, values and metadata', { skip: prom.skip, timeout: 60_000 }, async () => {
  const db = await openTSDB({});
  const srv = await startIngestServer(db);
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
    // wait for a few scrapes of `up` and for metadata
    const up = await until('up samples from prometheus', 30_000, async () => {
      const s = await series(db, 'up');
      return s.length === 1 && s[0]!.t.length >= 3 ? s[0] : undefined;
    });
    assert.deepEqual(
      up.labels.map((l) => `${l.name}=${l.value}`),
      ['__name__=up', `instance=127.0.0.1:${port}`, 'job=self', 'replica=r1'],
    );
    for (const v of up.v) assert.equal(v, 1);
    await until('metadata', 15_000, () => (db.metadata.has('prometheus_http_requests_total') ? true : undefined));
    assert.equal(db.metadata.get('prometheus_http_requests_total')!.type, 'counter');

    // Compare a gauge's samples with what Prometheus itself stored over the same range.
    const name = 'scrape_samples_scraped';
    const got = await until(name, 15_000, async () => {
      const s = await series(db, name);
      return s.length === 1 && s[0]!.t.length >= 2 ? s[0] : undefined;
    });
    const lastT = got.t[got.t.length - 1]!;
    const q = new URL(`http://127.0.0.1:${port}/api/v1/query`);
    q.searchParams.set('query', `${name}[5m]`);
    q.searchParams.set('time', String(lastT / 1000));
    const body = (await (await fetch(q)).json()) as { data: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
    const theirs = new Map(body.data.result[0]!.values.map(([t, v]) => [Math.round(t * 1000), Number(v)]));
    let compared = 0;
    for (let i = 0; i < got.t.length; i++) {
      if (!theirs.has(got.t[i]!)) continue;
      assert.equal(got.v[i], theirs.get(got.t[i]!), `value at ${got.t[i]}`);
      compared++;
    }
    assert.ok(compared >= 2, `compared ${compared} samples`);
    const all = await (async () => {
      const qq = db.querier(0, Date.now() + 60_000);
      try {
        return await qq.select({ start: 0, end: Date.now() + 60_000 }, [newMatcher('=~', '__name__', '.+')]);
      } finally {
        qq.close();
      }
    })();
    assert.ok(all.length > 100, `series received: ${all.length}`);
    for (const s of all) assert.equal(getLabel(s.labels, 'replica'), 'r1');
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
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
