// Differential test: the same generated data loaded into Vigil (`vigil import openmetrics`) and
// into Debian's Prometheus 2.42 (`promtool tsdb create-blocks-from openmetrics`); a few hundred
// generated queries, instant and range, must give the same results (floats within 1e-9 relative).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { findPeer } from '../src/testing/peers.js';
import { generateDataset, toOpenMetrics } from './differential/dataset.js';
import { generateQueries } from './differential/queries.js';
import { compareResponses } from './differential/compare.js';
import { startVigil, freePort, vigilBin, waitReady, apiQuery } from './helpers/vigil-process.js';

const prom = findPeer('prometheus');
const promtool = findPeer('promtool');


test('PromQL differential: Vigil vs Prometheus 2.42 on the same data', { skip: prom.skip ?? promtool.skip, timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-diff-'));
  const ds = generateDataset({ hours: 3 });
  const om = join(dir, 'data.om');
  writeFileSync(om, toOpenMetrics(ds));
  const promData = join(dir, 'prom');
  execFileSync(promtool.path!, ['tsdb', 'create-blocks-from', 'openmetrics', om, promData], { stdio: 'pipe' });
  const vigilData = join(dir, 'vigil');
  execFileSync(process.execPath, [vigilBin(), 'import', 'openmetrics', om, vigilData], { stdio: 'pipe' });
  writeFileSync(join(dir, 'prom.yml'), 'global: {}\n');
  const pport = await freePort();
  const pp = spawn(prom.path!, [
    `--config.file=${join(dir, 'prom.yml')}`, `--storage.tsdb.path=${promData}`, `--web.listen-address=127.0.0.1:${pport}`,
    '--storage.tsdb.retention.time=100y', '--query.lookback-delta=5m',
  ], { stdio: 'ignore' });
  const vport = await freePort();
  const v = await startVigil(['--storage.tsdb.path', vigilData, '--web.listen-address', `127.0.0.1:${vport}`, '--storage.tsdb.retention.time', '100y', '--config.file', join(dir, 'prom.yml')]);
  try {
    const pbase = `http://127.0.0.1:${pport}`;
    await waitReady(pbase);
    const queries = generateQueries();
    const s0 = ds.startMs / 1000;
    // Evaluation times off the whole-second grid too: subquery steps are aligned to absolute
    // multiples, and 2.x includes a point on the left range boundary where 3.x does not.
    const instants = [s0 + 1800.25, s0 + 5400.5, s0 + 3 * 3600 - 1.75];
    const rangesQ = [
      { start: s0 + 600.125, end: s0 + 3600.125, step: '60' },
      { start: s0 + 3000.5, end: s0 + 3 * 3600, step: '317' },
    ];
    let pass = 0, total = 0;
    const failures: string[] = [];
    for (const expr of queries) {
      const ordered = /^(sort|sort_desc)\(/.test(expr);
      const cases: [Record<string, string>, boolean][] = [
        ...instants.map((time) => [{ query: expr, time: String(time) }, false] as [Record<string, string>, boolean]),
        ...rangesQ.map((r) => [{ query: expr, start: String(r.start), end: String(r.end), step: r.step }, true] as [Record<string, string>, boolean]),
      ];
      for (const [params, range] of cases) {
        total++;
        const [pr, vr] = await Promise.all([apiQuery(pbase, params, range), apiQuery(v.url, params, range)]);
        const diff = compareResponses(pr as never, vr as never, ordered && !range);
        if (diff === null) pass++;
        else if (failures.length < 400) failures.push(`${range ? 'range' : 'instant'} ${JSON.stringify(params)}: ${diff}`);
      }
    }
    const rate = (100 * pass) / total;
    t.diagnostic(`promql differential: ${pass}/${total} query evaluations agree (${rate.toFixed(1)}%) over ${queries.length} queries`);
    console.log(`promql differential: ${pass}/${total} agree (${rate.toFixed(1)}%)`);
    for (const f of failures.slice(0, 40)) console.log('  DIFF ' + f);
    assert.ok(rate >= Number(process.env.VIGIL_DIFF_MIN_PCT ?? 99), `only ${rate.toFixed(1)}% agree; first: ${failures[0]}`);
  } finally {
    pp.kill('SIGTERM');
    await v.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
