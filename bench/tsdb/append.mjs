// Child process of run.mjs: in-process append throughput and head memory per series.
//   node --expose-gc bench/tsdb/append.mjs SERIES SAMPLES_PER_SERIES
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const { openTSDB } = await import(join(here, '../../packages/server/dist/src/tsdb/index.js'));

const N = Number(process.argv[2] ?? 100000);
const S = Number(process.argv[3] ?? 20);
const BATCH = 1000;
const gc = globalThis.gc ?? (() => {});
const mem = () => { gc(); gc(); const m = process.memoryUsage(); if (process.env.MEMDEBUG) console.error(m); return m.heapUsed + m.arrayBuffers; };

const labels = new Array(N);
for (let i = 0; i < N; i++) {
  const host = i % 1000, m = Math.floor(i / 1000) % 50;
  labels[i] = [
    { name: '__name__', value: `app_metric_${m}_total` },
    { name: 'instance', value: `host-${host}:9100` },
    { name: 'job', value: 'bench' },
    { name: 'series', value: String(i) },
    { name: 'zone', value: `zone-${host % 8}` },
  ];
}
const refs = new Float64Array(N);
const dir = mkdtempSync(join(tmpdir(), 'vigil-append-'));
const db = await openTSDB({ dir, compactionIntervalMs: 0 });
const before = mem();
const t0 = 1_800_000_000_000;
let v = 0;
const create0 = performance.now();
for (let i = 0; i < N; i += BATCH) {
  const a = db.appender();
  for (let j = i; j < Math.min(N, i + BATCH); j++) refs[j] = a.append(0, labels[j], t0, v++);
  await a.commit();
}
const createMs = performance.now() - create0;
const app0 = performance.now();
for (let s = 1; s < S; s++) {
  const t = t0 + s * 15000;
  for (let i = 0; i < N; i += BATCH) {
    const a = db.appender();
    const e = Math.min(N, i + BATCH);
    for (let j = i; j < e; j++) a.append(refs[j], labels[j], t, (v += 3));
    await a.commit();
  }
}
const appendMs = performance.now() - app0;
const after = mem();
// Keep the inputs alive until after the measurement (V8 may free dead top-level bindings).
if (labels.length !== N || refs.length !== N) throw new Error('unreachable');
const st = db.stats();
process.stdout.write(JSON.stringify({
  series: N, samplesPerSeries: S,
  createSeriesPerSec: Math.round(N / (createMs / 1000)),
  appendSamplesPerSec: Math.round((N * (S - 1)) / (appendMs / 1000)),
  headBytesPerSeries: Math.round((after - before) / N),
  headSeries: st.headSeries, headChunks: st.headChunks, walBytes: st.walBytes,
}) + '\n');
await db.close();
rmSync(dir, { recursive: true, force: true });
