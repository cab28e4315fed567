import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PROFILES, parseProfiles, probationRows, scaledSigmoid, scoreFileAt, scoreProfile, type ScoredFile } from './scorer.js';
import { findNabDev, loadWindows, windowsToRows } from './labels.js';
import { listNabFiles, readCsvSeries } from './csv.js';

const [STD, LOWFP, LOWFN] = DEFAULT_PROFILES as [typeof DEFAULT_PROFILES[0], typeof DEFAULT_PROFILES[0], typeof DEFAULT_PROFILES[0]];
const close = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test('scaled sigmoid landmarks', () => {
  close(scaledSigmoid(-1), 0.98661, 1e-5);
  close(scaledSigmoid(-0.5), 0.84828, 1e-5);
  close(scaledSigmoid(0), 0);
  close(scaledSigmoid(1), -0.98661, 1e-5);
  assert.equal(scaledSigmoid(3.0001), -1);
});

test('probation is 15% capped at 750', () => {
  assert.equal(probationRows(4032), 604);
  assert.equal(probationRows(1882), 282);
  assert.equal(probationRows(22695), 750);
});

// README worked example: n = 4032, one window rows 2787..3189, one detection.
function single(row: number): ScoredFile {
  const scores = new Float64Array(4032);
  scores[row] = 1;
  return { name: 'x', scores, windows: [[2787, 3189]] };
}

test('single-file worked examples, all three profiles', () => {
  const cases: [number, number, number, number][] = [
    [2787, 1.0, 1.0, 1.0],
    [2988, 0.860672, 0.860672, 0.860672],
    [3189, 0.006288, 0.006288, 0.006288],
    [3209, -1.013611, -1.027223, -2.013611],
    [3689, -1.109563, -1.219126, -2.109563],
    [700, -1.11, -1.22, -2.11],
    [600, -1.0, -1.0, -2.0],
  ];
  for (const [row, s, lfp, lfn] of cases) {
    close(scoreFileAt(single(row), STD, 0.5).raw, s);
    close(scoreFileAt(single(row), LOWFP, 0.5).raw, lfp);
    close(scoreFileAt(single(row), LOWFN, 0.5).raw, lfn);
  }
});

test('only the earliest detection in a window counts; later ones are free', () => {
  const f = single(2988);
  (f.scores as Float64Array)[3000] = 1;
  (f.scores as Float64Array)[3100] = 1;
  close(scoreFileAt(f, STD, 0.5).raw, 0.860672);
});

test('threshold sweep picks the best threshold and normalises', () => {
  // Window detected early at score 0.9, a false alarm at 0.95, noise at 0.2 everywhere else.
  const scores = new Float64Array(4032).fill(0.2);
  scores[2787] = 0.9;
  scores[1000] = 0.95;
  const r = scoreProfile([{ name: 'a', scores, windows: [[2787, 3189]] }], STD);
  assert.equal(r.threshold, 0.9);
  close(r.raw, 1 - 0.11);
  close(r.score, (100 * (0.89 + 1)) / 2);
  assert.equal(r.tp, 1);
  assert.equal(r.fp, 1);
  // With FP cost 0.5 the false alarm still pays: 1 - 0.5 > -1.
  const r2 = scoreProfile([{ name: 'a', scores, windows: [[2787, 3189]] }], { name: 'x', tp: 1, fp: 0.5, fn: 1 });
  assert.equal(r2.threshold, 0.9);
  // Cost 10: never firing is best (Infinity, score 0).
  const r3 = scoreProfile([{ name: 'a', scores, windows: [[2787, 3189]] }], { name: 'x', tp: 1, fp: 10, fn: 1 });
  assert.equal(r3.threshold, Infinity);
  assert.equal(r3.score, 0);
});

test('ties go to the higher threshold and a file without windows only costs', () => {
  const a = new Float64Array(1000).fill(0.5);
  const r = scoreProfile([{ name: 'a', scores: a, windows: [] }], STD);
  assert.equal(r.threshold, Infinity);
  close(r.raw, 0);
});

test('perfect detector scores 100 and profiles parse', () => {
  const scores = new Float64Array(4032);
  scores[2787] = 1;
  for (const p of DEFAULT_PROFILES) close(scoreProfile([{ name: 'a', scores, windows: [[2787, 3189]] }], p).score, 100);
  const ps = parseProfiles('{"standard":{"CostMatrix":{"tpWeight":1,"fnWeight":1,"fpWeight":0.11,"tnWeight":1}}}');
  assert.deepEqual(ps, [{ name: 'standard', tp: 1, fp: 0.11, fn: 1 }]);
});

const nab = findNabDev();
test('whole dev set: detections at the labelled instants (README reference)', { skip: nab ? false : 'nab-dev not found' }, () => {
  const dir = nab!;
  const windows = loadWindows(dir);
  const labels = JSON.parse(readFileSync(join(dir, 'labels', 'combined_labels.json'), 'utf8')) as Record<string, string[]>;
  const profiles = parseProfiles(readFileSync(join(dir, 'config', 'profiles.json'), 'utf8'));
  const files: ScoredFile[] = [];
  for (const rel of listNabFiles(join(dir, 'data'))) {
    const s = readCsvSeries(join(dir, 'data', rel));
    const scores = new Float64Array(s.v.length);
    const want = new Set((labels[rel] ?? []).map((x) => x.slice(0, 19)));
    for (let i = 0; i < s.stamps.length; i++) if (want.has(s.stamps[i]!)) scores[i] = 1;
    files.push({ name: rel, scores, windows: windowsToRows(s.stamps, windows.get(rel) ?? [], rel) });
  }
  const res = profiles.map((p) => scoreProfile(files, p));
  for (const r of res) close(r.raw, 21.054281, 1e-5);
  close(res[0]!.score, 92.11, 0.005);
  close(res[1]!.score, 92.11, 0.005);
  close(res[2]!.score, 94.74, 0.005);
  assert.equal(res[0]!.windows, 25);
});
