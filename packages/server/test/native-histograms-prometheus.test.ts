// End-to-end native histograms with a real peer: Debian's Prometheus 2.42 (native-histograms
// feature on) scrapes a protobuf exposition with native histograms and remote-writes them to
// Vigil's receiver (TSDB). Both then answer the same PromQL queries over the same samples;
// the raw histogram JSON of /api/v1/query must be identical too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { findPeer } from '../src/testing/peers.js';
import { openTSDB } from '../src/tsdb/index.js';
import { newMatcher } from '../src/model/matchers.js';
import { startIngestServer } from '../src/ingest/testutil.js';
import { PbWriter } from '../src/protobuf/writer.js';
import { WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from '../src/protobuf/reader.js';
import { Engine } from '../src/promql/index.js';
import { valueToJSON } from '../src/web/api/query.js';
import { freePort } from './helpers/vigil-process.js';

const prom = findPeer('prometheus');
const zz = (x: number) => ((x << 1) ^ (x >> 31)) >>> 0;

/** One scrape: a native (integer) histogram per label set, growing with every scrape. */
function exposition(n: number): Uint8Array {
  const out = new PbWriter();
  const fam = new PbWriter();
  fam.tag(1, WIRE_LEN).string('rpc_duration_seconds');
  fam.tag(2, WIRE_LEN).string('RPC latency.');
  fam.tag(3, WIRE_VARINT).uint32(4); // HISTOGRAM
  for (const [svc, k] of [['a', 1], ['b', 3]] as const) {
    fam.tag(4, WIRE_LEN).fork();
    fam.tag(1, WIRE_LEN).fork().tag(1, WIRE_LEN).string('svc').tag(2, WIRE_LEN).string(svc).ldelim();
    fam.tag(7, WIRE_LEN).fork();
    // Buckets (schema 1): indices -1, 0, 1 | 4, 5 with counts growing per scrape; zero bucket.
    const counts = [1 * n * k, 2 * n, 3 * n, 1 * n, 2 * n * k];
    const zero = n;
    const total = counts.reduce((a, b) => a + b, 0) + zero;
    fam.tag(1, WIRE_VARINT).uint32(total); // sample_count
    fam.tag(2, WIRE_FIXED64).double(1.5 * total * k); // sample_sum
    fam.tag(5, WIRE_VARINT).uint32(zz(1)); // schema
    fam.tag(6, WIRE_FIXED64).double(0.001); // zero_threshold
    fam.tag(7, WIRE_VARINT).uint32(zero); // zero_count
    for (const [o, l] of [[-1, 3], [2, 2]] as const) {
      fam.tag(12, WIRE_LEN).fork().tag(1, WIRE_VARINT).uint32(zz(o)).tag(2, WIRE_VARINT).uint32(l).ldelim();
    }
    fam.tag(13, WIRE_LEN).fork();
    let prev = 0;
    for (const c of counts) { fam.uint32(zz(c - prev)); prev = c; }
    fam.ldelim();
    // One negative bucket (index 0: [-1, -0.7)).
    fam.tag(9, WIRE_LEN).fork().tag(1, WIRE_VARINT).uint32(zz(0)).tag(2, WIRE_VARINT).uint32(1).ldelim();
    fam.tag(10, WIRE_LEN).fork().uint32(zz(0)).ldelim();
    fam.ldelim();
    fam.ldelim();
  }
  const body = fam.finish();
  out.uint32(body.length);
  out.raw(body);
  return out.finish();
}

/**
 * Structural equality; numeric strings may differ in the last bits only. Prometheus takes
 * exponential bucket boundaries from a precomputed table whose entries are sometimes one ulp
 * below the correctly rounded 2^(i/2^s) that Vigil computes.
 */
function sameJSON(x: unknown, y: unknown, path: string): string | null {
  if (typeof x === 'string' && typeof y === 'string') {
    if (x === y) return null;
    const a = Number(x), b = Number(y);
    if (Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b))) return null;
    return `${path}: ${x} != ${y}`;
  }
  if (Array.isArray(x) && Array.isArray(y)) {
    if (x.length !== y.length) return `${path}: length ${x.length} != ${y.length}`;
    for (let i = 0; i < x.length; i++) { const d = sameJSON(x[i], y[i], `${path}[${i}]`); if (d) return d; }
    return null;
  }
  if (x && y && typeof x === 'object' && typeof y === 'object') {
    const kx = Object.keys(x).sort(), ky = Object.keys(y).sort();
    if (kx.join() !== ky.join()) return `${path}: keys ${kx} != ${ky}`;
    for (const k of kx) { const d = sameJSON((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`); if (d) return d; }
    return null;
  }
  return x === y ? null : `${path}: ${String(x)} != ${String(y)}`;
}

async function until<T>(what: string, ms: number, fn: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('native histograms: Prometheus 2.42 scrape -> remote_write -> Vigil; same query results', { skip: prom.skip, timeout: 90_000 }, async () => {
  let scrapes = 0;
  const target: Server = createServer((_req, res) => {
    scrapes++;
    res.writeHead(200, { 'Content-Type': 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited' });
    res.end(exposition(scrapes));
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const targetPort = (target.address() as AddressInfo).port;
  const db = await openTSDB({});
  const srv = await startIngestServer(db);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-nh-prom-'));
  const port = await freePort();
  writeFileSync(join(dir, 'prometheus.yml'), `global:
  scrape_interval: 1s
scrape_configs:
  - job_name: nh
    static_configs:
      - targets: ['127.0.0.1:${targetPort}']
remote_write:
  - url: ${srv.base}/api/v1/write
    send_native_histograms: true
    queue_config:
      batch_send_deadline: 500ms
`);
  const child = spawn(prom.path!, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', '--enable-feature=native-histograms'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  try {
    const sel = [newMatcher('=', '__name__', 'rpc_duration_seconds')];
    const last = await until('histograms in Vigil', 45_000, async () => {
      const q = db.querier(0, Date.now() + 60_000);
      try {
        const ss = await q.select({ start: 0, end: Date.now() + 60_000 }, sel);
        const ts = ss.map((s) => s.histograms?.().t ?? new Float64Array(0));
        return ss.length === 2 && ts.every((t) => t.length >= 6) ? Math.min(...ts.map((t) => t[t.length - 1]!)) : undefined;
      } finally {
        q.close();
      }
    });
    const eng = new Engine();
    // Not compared: histogram_quantile (2.x interpolates linearly inside exponential buckets,
    // 3.x and Vigil log-linearly), histogram_fraction (not in 2.42), histogram * scalar (2.42
    // leaves the histogram unscaled; 3.x scales it, as the conformance files expect).
    const queries = [
      'rpc_duration_seconds',
      'histogram_count(rpc_duration_seconds)',
      'histogram_sum(rpc_duration_seconds)',
      'sum(rpc_duration_seconds)',
      'histogram_count(increase(rpc_duration_seconds[4s]))',
      'sum by (svc) (rate(rpc_duration_seconds[4s]))',
    ];
    // Evaluate half a scrape interval after the last sample: with 1s scrapes a sample lands exactly
    // on the left edge of a [4s] window at `last`, which 2.x includes and 3.x (and Vigil) exclude.
    const at = last + 500;
    const t = at / 1000;
    let compared = 0;
    for (const qs of queries) {
      const u = new URL(`http://127.0.0.1:${port}/api/v1/query`);
      u.searchParams.set('query', qs);
      u.searchParams.set('time', String(t));
      const theirs = (await (await fetch(u)).json()) as { status: string; data: { result: { metric: Record<string, string> }[] } };
      assert.equal(theirs.status, 'success', qs);
      const ours = valueToJSON((await eng.instantQuery(db, qs, at)).value) as { result: { metric: Record<string, string> }[] };
      const key = (r: { metric: Record<string, string> }) => JSON.stringify(Object.entries(r.metric).sort());
      const a = [...theirs.data.result].sort((x, y) => key(x).localeCompare(key(y)));
      const b = [...ours.result].sort((x, y) => key(x).localeCompare(key(y)));
      assert.ok(a.length > 0, `${qs}: Prometheus returned nothing`);
      const diff = sameJSON(b, a, '');
      assert.equal(diff, null, `${qs}: ${diff}\nours: ${JSON.stringify(b)}\ntheirs: ${JSON.stringify(a)}`);
      compared++;
    }
    assert.equal(compared, queries.length);
    assert.equal(srv.routes.stats().remote_write.samplesRejected, 0);
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
    await new Promise((r) => target.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});
