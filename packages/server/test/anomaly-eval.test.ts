// End to end: `vigil anomaly eval` writes NAB-layout results without reading labels, and on the
// NAB dev set the best detector clears the floor (standard ≥ 50, beats the windowed Gaussian on
// every profile) when scored by `vigil anomaly score`'s code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { findNabDev, loadProfiles, loadWindows, readResults, reportFor } from '../src/insight/nab/index.js';

/** Runs the CLI in a child process (same loader as this test), capturing its output. */
function vigil(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const main = new URL('../src/cli/main.js', import.meta.url).href;
  const code = `import(${JSON.stringify(main)}).then((m) => m.run(${JSON.stringify(args)})).then((c) => { process.exitCode = c; })`;
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--test'));
  return new Promise((resolve) => {
    execFile(process.execPath, [...execArgv, '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 120_000, maxBuffer: 16 << 20 }, (e, out, err) => {
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err });
    });
  });
}

test('anomaly eval writes OUT/<detector>/<category>/<detector>_<name>.csv', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-anomaly-'));
  try {
    const data = join(dir, 'data');
    mkdirSync(join(data, 'catA'), { recursive: true });
    const rows = ['timestamp,value'];
    for (let i = 0; i < 500; i++) {
      const t = new Date(Date.UTC(2024, 0, 1) + i * 300_000).toISOString().slice(0, 19).replace('T', ' ');
      rows.push(`${t},${i === 400 ? '1e3' : (10 + Math.sin(i / 20)).toFixed(4)}`);
    }
    writeFileSync(join(data, 'catA', 'one.csv'), rows.join('\n') + '\n');
    const out = join(dir, 'out');
    const r = await vigil(['anomaly', 'eval', '--data', data, '--out', out, '--detector', 'ensemble', '--detector', 'ewma', '--quiet']);
    assert.equal(r.code, 0, r.err);
    for (const d of ['ensemble', 'ewma']) {
      const p = join(out, d, 'catA', `${d}_one.csv`);
      const lines = readFileSync(p, 'utf8').trim().split('\n');
      assert.equal(lines[0], 'timestamp,value,anomaly_score');
      assert.equal(lines.length, 501);
      assert.equal(lines[401]!.split(',')[1], '1e3', 'values are copied as written');
      for (const l of lines.slice(1)) {
        const s = Number(l.split(',')[2]);
        assert.ok(s >= 0 && s <= 1);
      }
      assert.ok(Number(lines[401]!.split(',')[2]) > 0.9, `${d} flags the spike`);
    }
    // An output folder inside the data folder is not read back; a header-only file is fine.
    writeFileSync(join(data, 'catA', 'empty.csv'), 'timestamp,value\n');
    const again = await vigil(['anomaly', 'eval', '--data', data, '--out', join(data, 'results'), '--detector', 'ewma', '--quiet']);
    assert.equal(again.code, 0, again.err);
    const again2 = await vigil(['anomaly', 'eval', '--data', data, '--out', join(data, 'results'), '--detector', 'ewma', '--quiet']);
    assert.match(again2.out, /wrote 2 result files/);
    assert.equal(readFileSync(join(data, 'results', 'ewma', 'catA', 'ewma_empty.csv'), 'utf8'), 'timestamp,value,anomaly_score\n');
    // Bad input: a clear error naming file and line, exit code 1.
    writeFileSync(join(data, 'catA', 'bad.csv'), 'timestamp,value\n2024-01-01 00:00:00,1\nyesterday,2\n');
    const bad = await vigil(['anomaly', 'eval', '--data', data, '--out', out, '--detector', 'ewma', '--quiet']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /bad\.csv:3: bad timestamp "yesterday"/);
    const unk = await vigil(['anomaly', 'eval', '--data', data, '--out', out, '--detector', 'magic']);
    assert.equal(unk.code, 2);
    assert.match(unk.err, /unknown detector "magic"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const nab = findNabDev();
test('NAB dev set: ensemble ≥ 50 (standard) and beats the windowed Gaussian on every profile', { skip: nab ? false : 'nab-dev not found' }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'vigil-nab-'));
  try {
    const r = await vigil(['anomaly', 'eval', '--data', join(nab!, 'data'), '--out', out, '--detector', 'ensemble', '--detector', 'gaussian', '--quiet']);
    assert.equal(r.code, 0, r.err);
    assert.ok(existsSync(join(out, 'ensemble', 'realKnownCause', 'ensemble_nyc_taxi.csv')));
    const windows = loadWindows(nab!);
    const profiles = loadProfiles(nab!);
    const ens = reportFor('ensemble', readResults(out, 'ensemble', windows), profiles);
    const gau = reportFor('gaussian', readResults(out, 'gaussian', windows), profiles);
    assert.ok(ens.results[0]!.score >= 50, `standard ${ens.results[0]!.score}`);
    for (let i = 0; i < profiles.length; i++) assert.ok(ens.results[i]!.score > gau.results[i]!.score, profiles[i]!.name);
    // The published windowed-Gaussian standard score on these files is 12.07.
    assert.ok(Math.abs(gau.results[0]!.score - 12.07) < 0.01, `gaussian ${gau.results[0]!.score}`);
    const sc = await vigil(['anomaly', 'score', '--results', out, '--labels', nab!]);
    assert.equal(sc.code, 0);
    assert.match(sc.out, /detector\s+standard\s+reward_low_FP_rate\s+reward_low_FN_rate/);
    assert.match(sc.out, new RegExp(`^ensemble\\s+${ens.results[0]!.score.toFixed(2)}\\s`, 'm'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('anomaly explain (offline) names the detector, expected range and observed value', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-explain-'));
  try {
    const rows = ['timestamp,value'];
    for (let i = 0; i < 2000; i++) {
      const t = new Date(Date.UTC(2024, 0, 1) + i * 300_000).toISOString().slice(0, 19).replace('T', ' ');
      rows.push(`${t},${i === 1500 ? 500 : 100 + 10 * Math.sin((2 * Math.PI * i) / 288) + ((i * 7) % 5)}`);
    }
    const f = join(dir, 'x.csv');
    writeFileSync(f, rows.join('\n') + '\n');
    const r = await vigil(['anomaly', 'explain', '--data', f, '--top', '1']);
    assert.equal(r.code, 0, r.err);
    const line = /\{"row".*\}/.exec(r.out)![0];
    const e = JSON.parse(line);
    assert.equal(e.row, 1500);
    assert.equal(e.detector, 'ensemble');
    assert.equal(e.observed, 500);
    assert.equal(e.score, 1);
    assert.ok(e.expected.hi < 500 && e.expected.lo < e.expected.hi);
    const at = await vigil(['anomaly', 'explain', '--data', f, '--detector', 'ewma', '--at', '2024-01-01 00:50:00']);
    assert.equal(JSON.parse(/\{"row".*\}/.exec(at.out)![0]).row, 10);
    const miss = await vigil(['anomaly', 'explain', '--data', f, '--at', '1999-01-01 00:00:00']);
    assert.equal(miss.code, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
