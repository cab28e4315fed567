import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDetector, detectorNames, restoreDetector, IsolationForest, ParamError, SortedWindow } from './index.js';

const STEP = 300_000; // 5 min
const T0 = Date.UTC(2024, 0, 1);

/** Deterministic noisy daily sine, 5-minute samples. */
function series(n: number, seed = 7): Float64Array {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 2 * rnd();
  return v;
}

test('every detector is causal: a prefix run gives the same scores', () => {
  const v = series(2000);
  for (const name of detectorNames()) {
    const a = createDetector(name), b = createDetector(name);
    const full: number[] = [], pre: number[] = [];
    for (let i = 0; i < v.length; i++) full.push(a.update(T0 + i * STEP, v[i]! + (i > 1500 ? 100 : 0)));
    for (let i = 0; i <= 1500; i++) pre.push(b.update(T0 + i * STEP, v[i]!));
    assert.deepEqual(full.slice(0, 1501), pre, name);
  }
});

test('every detector survives a restart: JSON round trip continues identically', () => {
  const v = series(3000, 3);
  for (const name of detectorNames()) {
    const a = createDetector(name);
    for (let i = 0; i < 1700; i++) a.update(T0 + i * STEP, v[i]!);
    const b = restoreDetector(JSON.parse(JSON.stringify(a.toJSON())));
    for (let i = 1700; i < 3000; i++) {
      const x = v[i]! + (i === 2500 ? 80 : 0);
      assert.equal(b.update(T0 + i * STEP, x), a.update(T0 + i * STEP, x), `${name} at ${i}`);
    }
    assert.deepEqual(b.explain(), a.explain(), name);
  }
});

test('scores stay in [0,1] and non-finite input is ignored', () => {
  for (const name of detectorNames()) {
    const d = createDetector(name);
    for (let i = 0; i < 1000; i++) {
      const s = d.update(T0 + i * STEP, i % 97 === 0 ? NaN : i % 13 === 0 ? 1e9 : i);
      assert.ok(s >= 0 && s <= 1, `${name}: ${s}`);
    }
  }
});

test('point detectors flag a spike and not ordinary noise', () => {
  for (const name of ['gaussian', 'robust_z', 'ewma', 'seasonal']) {
    // Seasonal learns the daily sine; the others get the flat noisy series they are made for.
    const v = name === 'seasonal' ? series(3000, 11) : series(3000, 11).map((x, i) => x - 20 * Math.sin((2 * Math.PI * i) / 288));
    const d = createDetector(name);
    let maxNormal = 0, spike = 0;
    for (let i = 0; i < 3000; i++) {
      const s = d.update(T0 + i * STEP, v[i]! + (i === 2600 ? 30 : 0));
      if (i === 2600) spike = s;
      else if (i > 1500 && i < 2600) maxNormal = Math.max(maxNormal, s);
    }
    assert.ok(spike > 0.8, `${name}: spike ${spike}`);
    assert.ok(spike > maxNormal, `${name}: spike ${spike} <= normal ${maxNormal}`);
  }
});

test('seasonal flags a value normal overall but wrong for the time of day', () => {
  const v = series(288 * 8, 5);
  const d = createDetector('seasonal');
  let normalMax = 0, odd = 0;
  for (let i = 0; i < v.length; i++) {
    // At the daily trough (i % 288 = 216), write the daily peak value instead.
    const wrong = i === 288 * 7 + 216;
    const s = d.update(T0 + i * STEP, wrong ? 70 : v[i]!);
    if (wrong) odd = s;
    else if (i > 288 * 5) normalMax = Math.max(normalMax, s);
  }
  assert.ok(odd > 0.9 && odd > normalMax, `odd ${odd} normal ${normalMax}`);
  assert.ok(d.explain().expected !== undefined);
});

test('cusum alarms on a small persistent level shift', () => {
  let x = 1;
  const rnd = () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
  const d = createDetector('cusum');
  let first = -1, before = 0;
  for (let i = 0; i < 3000; i++) {
    const s = d.update(T0 + i * STEP, 10 + rnd() + (i >= 2000 ? 0.6 : 0)); // shift ~2σ of uniform noise
    if (i < 2000 && i > 500) before = Math.max(before, s);
    if (i >= 2000 && s >= 0.5 && first < 0) first = i;
  }
  assert.ok(first >= 2000 && first < 2100, `first alarm ${first}`);
  assert.ok(before < 0.5, `false alarm before shift: ${before}`);
});

test('ensemble alarms once at the onset of an incident (suppression) and explains', () => {
  const v = series(4000, 9);
  const d = createDetector('ensemble');
  const alarms: number[] = [];
  for (let i = 0; i < 4000; i++) {
    const s = d.update(T0 + i * STEP, v[i]! + (i >= 3000 && i < 3050 ? 200 : 0));
    if (s >= 0.5 && i > 1000) alarms.push(i);
  }
  assert.ok(alarms.includes(3000), `alarms ${alarms}`);
  assert.ok(alarms.filter((i) => i > 3000 && i < 3050).length === 0, `repeats ${alarms}`);
  d.update(T0 + 4000 * STEP, 1000);
  const e = d.explain();
  assert.equal(e.detector, 'ensemble');
  assert.equal(e.observed, 1000);
  assert.ok(e.components && 'spatial' in e.components);
});

test('isolation forest scores an unusual combination above ordinary points', () => {
  const f = new IsolationForest(2, { seed: 42 });
  let x = 5;
  const rnd = () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const p = new Float64Array(2);
  for (let i = 0; i < 2000; i++) {
    const a = rnd();
    p[0] = a; p[1] = a + 0.05 * rnd(); // the two metrics move together
    f.update(i, p);
  }
  p[0] = 0.5; p[1] = 0.52;
  const normal = f.update(2000, p);
  p[0] = 0.1; p[1] = 0.9; // each in range, together impossible
  const odd = f.update(2001, p);
  assert.ok(odd > normal + 0.1, `odd ${odd} normal ${normal}`);
  const g = new IsolationForest(2, { seed: 42 });
  g.load(JSON.parse(JSON.stringify(f.toJSON())).state);
  p[0] = 0.3; p[1] = 0.31;
  assert.equal(g.update(2002, p), f.update(2002, p));
});

test('bad names and parameters are clear errors', () => {
  assert.throws(() => createDetector('nope'), /unknown detector "nope"/);
  assert.throws(() => createDetector('ewma', { alpha: 5 }), ParamError);
  assert.throws(() => createDetector('ewma', { bogus: 1 }), /unknown parameter bogus/);
  assert.throws(() => restoreDetector({ detector: 'ewma', params: {}, state: { last: {} } }), /missing/);
});

test('sorted window median and MAD match a direct computation', () => {
  const w = new SortedWindow(31);
  const vals: number[] = [];
  let x = 3;
  for (let i = 0; i < 200; i++) {
    const v = Math.floor(((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32) * 100);
    w.push(v);
    vals.push(v);
    const win = vals.slice(-31).sort((a, b) => a - b);
    const med = win.length % 2 ? win[(win.length - 1) / 2]! : (win[win.length / 2 - 1]! + win[win.length / 2]!) / 2;
    assert.equal(w.median(), med);
    const dev = win.map((y) => Math.abs(y - med)).sort((a, b) => a - b);
    assert.equal(w.mad(med), dev[(dev.length - 1) >> 1]);
  }
});

test('scores do not depend on the units or level of the series', () => {
  const v = series(4000, 21);
  for (const name of detectorNames()) {
    const a = createDetector(name), b = createDetector(name);
    let diff = 0;
    for (let i = 0; i < v.length; i++) {
      const x = v[i]! + (i === 3000 ? 50 : 0) + (i > 3500 ? 15 : 0);
      const sa = a.update(T0 + i * STEP, x);
      const sb = b.update(T0 + i * STEP, 1000 * x - 1e6);
      diff = Math.max(diff, Math.abs(sa - sb));
    }
    assert.ok(diff < 1e-3, `${name}: max score difference ${diff}`);
  }
});
