#!/usr/bin/env node
// Anomaly benchmark: every detector over the NAB dev set (../shared/anomaly/nab-dev, or
// $VIGIL_SHARED/anomaly/nab-dev), scored with Vigil's NAB scorer (three profiles, precision and
// recall on labelled windows, false alarms per day), plus cost: CPU per series per evaluation and
// memory per series with many live series (synthetic streams, one child process per detector).
// Needs a build (`npm run build`). Flags: --series=N (default 100000), --updates=N (default 32),
// --skip-cost, --detector=NAME (repeatable), --loco (leave-one-category-out check of the
// ensemble parameters).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { existsSync } from 'node:fs';

const root = new URL('../../', import.meta.url).pathname;
const distIndex = join(root, 'packages/server/dist/src/insight/index.js');
if (!existsSync(distIndex)) {
  console.error('bench anomaly: packages/server is not built; run `npm run build` first');
  process.exit(1);
}
const ins = await import(distIndex);

const args = process.argv.slice(2);
// Flags as `--name value` or `--name=value` (the latter survives bench/run.mjs's dispatcher).
const flagList = (name) =>
  args.flatMap((a, i) => (a === `--${name}` ? [args[i + 1]] : a.startsWith(`--${name}=`) ? [a.slice(name.length + 3)] : []));
const flag = (name, def) => flagList(name)[0] ?? def;

// Child mode: build N series of one detector, feed synthetic samples round-robin, report cost.
if (args[0] === '--cost-worker') {
  const [, det, nStr, uStr] = args;
  const n = Number(nStr), updates = Number(uStr);
  global.gc?.();
  const m0 = process.memoryUsage();
  if (det === 'manager') await managerCost(n, updates, m0);
  const ds = new Array(n);
  for (let i = 0; i < n; i++) ds[i] = ins.createDetector(det);
  const t0 = Date.UTC(2024, 0, 1);
  let x = 12345;
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  for (let u = 0; u < updates; u++) {
    const t = t0 + u * 60_000;
    for (let i = 0; i < n; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      ds[i].update(t, 100 + 10 * Math.sin(u / 10 + i) + x / 2 ** 32);
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - w0;
  global.gc?.();
  const m1 = process.memoryUsage();
  const bytes = m1.heapUsed - m0.heapUsed + (m1.arrayBuffers - m0.arrayBuffers);
  const snap = JSON.stringify(ds[0].toJSON()).length;
  process.stdout.write(JSON.stringify({ det, n, updates, usPerUpdate: ((cpu.user + cpu.system) / (n * updates)), wallMs: wall, bytesPerSeries: bytes / n, snapshotBytes: snap, keep: ds.length }) + '\n');
  process.exit(0);
}

// The whole per-series path of a live job: query result → detector + threshold band → append
// (to a no-op appender), for n series of one job with the default ensemble.
async function managerCost(n, updates, m0) {
  const { CfgNode } = await import(join(root, 'packages/server/dist/src/config/node.js'));
  const cfg = ins.parseAnomalyConfig(CfgNode.parse('anomaly:\n  jobs:\n    - name: bench\n      expr: x\n      max_series: 1000000\n', 'bench.yml').get('anomaly'));
  const samples = [];
  for (let i = 0; i < n; i++) samples.push({ labels: [{ name: '__name__', value: 'x' }, { name: 'id', value: String(i) }], v: 0 });
  let x = 12345;
  const query = async (_e, ts) => {
    const u = (ts - Date.UTC(2024, 0, 1)) / 60_000;
    for (let i = 0; i < n; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      samples[i].v = 100 + 10 * Math.sin(u / 10 + i) + x / 2 ** 32;
    }
    return samples;
  };
  const app = { append: () => 0, commit: async () => {}, rollback: () => {} };
  const m = new ins.InsightManager(cfg, { query, appendable: { appender: () => app } });
  // The first evaluation creates the series' state; time the steady state after it.
  await m.evaluate('bench', Date.UTC(2024, 0, 1));
  const cpu0 = process.cpuUsage();
  for (let u = 1; u <= updates; u++) await m.evaluate('bench', Date.UTC(2024, 0, 1) + u * 60_000);
  const cpu = process.cpuUsage(cpu0);
  global.gc?.();
  const m1 = process.memoryUsage();
  const bytes = m1.heapUsed - m0.heapUsed + (m1.arrayBuffers - m0.arrayBuffers);
  process.stdout.write(JSON.stringify({ det: 'manager', n, updates, usPerUpdate: (cpu.user + cpu.system) / (n * updates), bytesPerSeries: bytes / n, snapshotBytes: 0, series: m.status()[0].series }) + '\n');
  process.exit(0);
}

const nab = ins.findNabDev();
if (!nab) {
  console.error('bench anomaly: nab-dev not found (set VIGIL_SHARED or keep ../shared next to the repo)');
  process.exit(1);
}
const detectors = flagList('detector').length ? flagList('detector') : ins.detectorNames();
const windows = ins.loadWindows(nab);
const profiles = ins.loadProfiles(nab);
const rels = ins.listNabFiles(join(nab, 'data'));
const data = rels.map((rel) => {
  const s = ins.readCsvSeries(join(nab, 'data', rel));
  return { rel, s, windows: ins.windowsToRows(s.stamps, windows.get(rel) ?? [], rel) };
});
const rows = data.reduce((a, d) => a + d.s.v.length, 0);
console.log(`NAB dev set: ${nab}\n${data.length} files, ${rows} rows, ${data.reduce((a, d) => a + d.windows.length, 0)} windows; threshold optimised per profile (exhaustive)\n`);

const reports = [];
const nabCpu = {};
for (const det of detectors) {
  const c0 = process.cpuUsage();
  const files = data.map(({ rel, s, windows }) => ({ name: rel, scores: ins.scoreSeries(det, {}, s), windows, t: s.t }));
  const c = process.cpuUsage(c0);
  nabCpu[det] = (c.user + c.system) / rows;
  reports.push(ins.reportFor(det, files, profiles));
}
console.log(ins.formatReports(reports));
console.log('\nprecision = detected windows / (detected windows + detections outside windows), at the standard threshold;');
console.log('recall = detected windows / windows; false alarms/day over the scored part of every file.');
console.log('Reference (same files and scorer, from NAB results/): ARTime 67.12/58.12/72.74, HTM 61.30/54.31/66.20, windowed Gaussian 12.07/4.81/16.04.');

if (args.includes('--loco')) loco();
if (args.includes('--skip-cost')) process.exit(0);
const series = Number(flag('series', '100000'));
const updates = Number(flag('updates', '32'));
console.log(`\nCost: ${series} live series per detector (iforest: ${Math.min(series, 10000)}), ${updates} evaluations each, synthetic values; one process per detector`);
const head = ['detector', 'µs/sample (NAB run)', 'µs/series/eval (at scale)', 'bytes/series (live)', 'snapshot bytes/series'];
const out = [head];
for (const det of [...detectors, ...(flagList('detector').length ? [] : ['manager'])]) {
  const n = det === 'iforest' ? Math.min(series, 10000) : series;
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=6144', new URL(import.meta.url).pathname, '--cost-worker', det, String(n), String(updates)], { encoding: 'utf8' });
  if (r.status !== 0) {
    out.push([det, det in nabCpu ? nabCpu[det].toFixed(2) : '-', 'failed', (r.stderr || '').split('\n').find((l) => /Error/.test(l)) ?? 'exit ' + r.status, '']);
    continue;
  }
  const j = JSON.parse(r.stdout.trim().split('\n').pop());
  const label = det === 'manager' ? 'job: ensemble+band+append' : det;
  out.push([label, det in nabCpu ? nabCpu[det].toFixed(2) : '-', j.usPerUpdate.toFixed(2), Math.round(j.bytesPerSeries).toString(), j.snapshotBytes ? String(j.snapshotBytes) : '-']);
}
const w = head.map((_, i) => Math.max(...out.map((r) => r[i].length)));
for (const [k, r] of out.entries()) {
  console.log(r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  '));
  if (k === 0) console.log(w.map((n) => '-'.repeat(n)).join('  '));
}

// Overfitting check for the ensemble's tunable parameters: choose the best grid point on two
// categories, score the third with it, and score the three held-out parts together.
function loco() {
  const grid = { lh_min_sd: [0.04, 0.05, 0.06], suppress: [150, 200, 300], spatial_tolerance: [0.05, 0.1, 0.15] };
  let configs = [{}];
  for (const [k, vs] of Object.entries(grid)) configs = configs.flatMap((c) => vs.map((v) => ({ ...c, [k]: v })));
  const runs = configs.map((p) => ({ p, files: data.map(({ rel, s, windows }) => ({ name: rel, cat: rel.split('/')[0], scores: ins.scoreSeries('ensemble', p, s), windows })) }));
  const cats = [...new Set(data.map((d) => d.rel.split('/')[0]))];
  console.log(`\nLeave-one-category-out (ensemble, ${configs.length}-point grid over ${Object.keys(grid).join(', ')}):`);
  for (const prof of profiles) {
    const held = [];
    const picks = [];
    for (const c of cats) {
      let best = -Infinity, bi = 0;
      runs.forEach((r, i) => {
        const v = ins.scoreProfile(r.files.filter((f) => f.cat !== c), prof).score;
        if (v > best + 1e-9) { best = v; bi = i; }
      });
      picks.push(`${c}→${JSON.stringify(runs[bi].p)}`);
      held.push(...runs[bi].files.filter((f) => f.cat === c));
    }
    const full = Math.max(...runs.map((r) => ins.scoreProfile(r.files, prof).score));
    console.log(`  ${prof.name.padEnd(20)} held-out ${ins.scoreProfile(held, prof).score.toFixed(2)}   best-on-all ${full.toFixed(2)}   picks: ${picks.join('; ')}`);
  }
}
