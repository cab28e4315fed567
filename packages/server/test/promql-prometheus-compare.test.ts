// Comparison of Vigil's PromQL engine + query API (in process, over the real in-memory TSDB)
// with Debian's Prometheus 2.42 on the same generated data (promtool create-blocks-from
// openmetrics). Sample timestamps sit off the step grid so 2.x left-closed and 3.x left-open
// ranges select the same samples. Known 2.x->3.x differences are excluded by the query
// generator (no delayed-name-removal cases, no experimental functions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { findPeer } from '../src/testing/peers.js';
import { labelsFromObject } from '../src/model/labels.js';
import { Engine } from '../src/promql/index.js';
import { openTSDB } from '../src/tsdb/index.js';
import { Router } from '../src/web/router.js';
import { HttpServer } from '../src/web/server.js';
import { registerQueryRoutes } from '../src/web/api/query.js';
import { generateDataset, toOpenMetrics } from './differential/dataset.js';
import { generateQueries } from './differential/queries.js';
import { compareResponses } from './differential/compare.js';
import { freePort } from './helpers/vigil-process.js';

const prom = findPeer('prometheus');
const promtool = findPeer('promtool');

async function waitReady(url: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if ((await fetch(`${url}/-/ready`)).status === 200) return;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready`);
}

async function query(base: string, params: Record<string, string>, range: boolean): Promise<unknown> {
  const r = await fetch(`${base}/api/v1/${range ? 'query_range' : 'query'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return r.json();
}

test('PromQL engine vs Prometheus 2.42 on the same data', { skip: prom.skip ?? promtool.skip, timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-promql-cmp-'));
  const ds = generateDataset({ hours: 2, seed: 7 });
  const om = join(dir, 'data.om');
  writeFileSync(om, toOpenMetrics(ds));
  const promData = join(dir, 'prom');
  execFileSync(promtool.path!, ['tsdb', 'create-blocks-from', 'openmetrics', om, promData], { stdio: 'pipe' });
  writeFileSync(join(dir, 'prom.yml'), 'global: {}\n');
  const pport = await freePort();
  const pp = spawn(prom.path!, [
    `--config.file=${join(dir, 'prom.yml')}`, `--storage.tsdb.path=${promData}`, `--web.listen-address=127.0.0.1:${pport}`,
    '--storage.tsdb.retention.time=100y', '--query.lookback-delta=5m',
  ], { stdio: 'ignore' });
  const db = await openTSDB({ compactionIntervalMs: 0 });
  const app = db.appender();
  for (const s of ds.series) {
    const ls = labelsFromObject({ ...s.labels, __name__: s.name });
    for (let i = 0; i < s.t.length; i++) app.append(0, ls, s.t[i]!, s.v[i]!);
  }
  await app.commit();
  const router = new Router();
  registerQueryRoutes(router, { engine: new Engine(), queryable: db });
  const server = new HttpServer({ router });
  const addr = await server.listen('127.0.0.1:0');
  const vbase = `http://127.0.0.1:${addr.port}`;
  try {
    const pbase = `http://127.0.0.1:${pport}`;
    await waitReady(pbase);
    // A bounded sample of the generated queries keeps this suite well under a minute.
    const all = generateQueries();
    const queries = process.env.VIGIL_CMP_ALL ? all : all.filter((_, i) => i % 2 === 0);
    const s0 = ds.startMs / 1000;
    const instants = [s0 + 1800, s0 + 5400.5];
    const ranges = [{ start: s0 + 600, end: s0 + 3600, step: '60' }, { start: s0 + 3000, end: s0 + 7200, step: '317' }];
    let pass = 0, total = 0;
    const failures: string[] = [];
    for (const expr of queries) {
      const ordered = /^(sort|sort_desc)\(/.test(expr);
      const cases: [Record<string, string>, boolean][] = [
        ...instants.map((time) => [{ query: expr, time: String(time) }, false] as [Record<string, string>, boolean]),
        ...ranges.map((r) => [{ query: expr, start: String(r.start), end: String(r.end), step: r.step }, true] as [Record<string, string>, boolean]),
      ];
      for (const [params, range] of cases) {
        total++;
        const [pr, vr] = await Promise.all([query(pbase, params, range), query(vbase, params, range)]);
        const diff = compareResponses(pr as never, vr as never, ordered && !range);
        if (diff === null) pass++;
        else failures.push(`${range ? 'range' : 'instant'} ${JSON.stringify(params)}: ${diff}`);
      }
    }
    const rate = (100 * pass) / total;
    t.diagnostic(`promql vs prometheus 2.42: ${pass}/${total} evaluations agree (${rate.toFixed(1)}%) over ${queries.length} queries`);
    for (const f of failures.slice(0, 30)) t.diagnostic('DIFF ' + f);
    assert.deepEqual(failures, []);
  } finally {
    pp.kill('SIGTERM');
    await server.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
