// Postings: sorted lists of series ids (Uint32Array) per label pair, set operations on them,
// and matcher resolution with Prometheus semantics (a matcher that matches "" also selects
// series lacking the label).

import type { Matcher } from '../model/matchers.js';

export const EMPTY = new Uint32Array(0);

/** Read side of an inverted index (head or block). */
export interface PostingsSource {
  /** Sorted values of a label name ([] when absent). */
  labelValues(name: string): readonly string[];
  /** Sorted series ids for name=value (may be a view; callers must not mutate). */
  postings(name: string, value: string): Uint32Array;
  /** All series ids, sorted. */
  allPostings(): Uint32Array;
}

export function intersect(a: Uint32Array, b: Uint32Array): Uint32Array {
  if (a.length > b.length) { const t = a; a = b; b = t; }
  if (a.length === 0) return EMPTY;
  const out = new Uint32Array(a.length);
  let n = 0, j = 0;
  const bl = b.length;
  if (b.length > a.length * 16) {
    // Galloping: a is much smaller.
    for (let i = 0; i < a.length && j < bl; i++) {
      const x = a[i]!;
      if (b[j]! < x) {
        let step = 1, hi = j + 1;
        while (hi < bl && b[hi]! < x) { j = hi; step *= 2; hi = j + step; }
        if (hi > bl) hi = bl;
        let lo = j;
        while (lo < hi) { const mid = (lo + hi) >>> 1; if (b[mid]! < x) lo = mid + 1; else hi = mid; }
        j = lo;
      }
      if (j < bl && b[j] === x) { out[n++] = x; j++; }
    }
  } else {
    let i = 0;
    while (i < a.length && j < bl) {
      const x = a[i]!, y = b[j]!;
      if (x === y) { out[n++] = x; i++; j++; } else if (x < y) i++; else j++;
    }
  }
  return out.subarray(0, n);
}

/** a minus b. */
export function subtract(a: Uint32Array, b: Uint32Array): Uint32Array {
  if (b.length === 0 || a.length === 0) return a;
  const out = new Uint32Array(a.length);
  let n = 0, j = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    while (j < b.length && b[j]! < x) j++;
    if (j < b.length && b[j] === x) continue;
    out[n++] = x;
  }
  return out.subarray(0, n);
}

export function union(lists: Uint32Array[]): Uint32Array {
  if (lists.length === 0) return EMPTY;
  if (lists.length === 1) return lists[0]!;
  if (lists.length === 2) {
    const a = lists[0]!, b = lists[1]!;
    const out = new Uint32Array(a.length + b.length);
    let i = 0, j = 0, n = 0;
    while (i < a.length && j < b.length) {
      const x = a[i]!, y = b[j]!;
      if (x === y) { out[n++] = x; i++; j++; } else if (x < y) { out[n++] = x; i++; } else { out[n++] = y; j++; }
    }
    while (i < a.length) out[n++] = a[i++]!;
    while (j < b.length) out[n++] = b[j++]!;
    return out.subarray(0, n);
  }
  let total = 0;
  for (const l of lists) total += l.length;
  const all = new Uint32Array(total);
  let o = 0;
  for (const l of lists) { all.set(l, o); o += l.length; }
  all.sort();
  let n = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[n - 1]) all[n++] = all[i]!;
  return all.subarray(0, n);
}

const META = /[\\^$.|?*+()[\]{}]/;

/** Values of `name` selected by m (m must not match ""), using direct lookups for literal alternations. */
function matchingValues(src: PostingsSource, m: Matcher, wantMatch: boolean): string[] {
  const values = src.labelValues(m.name);
  if (wantMatch && m.type === '=~' && !m.re!.flags.includes('i')) {
    const alts = m.value.split('|');
    if (alts.every((a) => !META.test(a))) {
      const set = new Set(alts);
      if (set.size < values.length / 4) return [...set].filter((v) => v !== '' && bsearch(values, v));
    }
  }
  const out: string[] = [];
  const re = m.re;
  for (const v of values) {
    let ok: boolean;
    switch (m.type) {
      case '=': ok = v === m.value; break;
      case '!=': ok = v !== m.value; break;
      default: ok = re!.test(v) === (m.type === '=~');
    }
    if (ok === wantMatch) out.push(v);
  }
  return out;
}

function bsearch(arr: readonly string[], v: string): boolean {
  let lo = 0, hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! < v) lo = mid + 1; else hi = mid;
  }
  return lo < arr.length && arr[lo] === v;
}

function matchesEmptyString(m: Matcher): boolean {
  switch (m.type) {
    case '=': return m.value === '';
    case '!=': return m.value !== '';
    case '=~': return m.re!.test('');
    case '!~': return !m.re!.test('');
  }
}

/** Series ids matching all matchers, sorted. */
export function postingsForMatchers(src: PostingsSource, ms: readonly Matcher[]): Uint32Array {
  const pos: Uint32Array[] = [];
  const neg: Uint32Array[] = [];
  for (const m of ms) {
    if (matchesEmptyString(m)) {
      // Selects series without the label plus those whose value matches: subtract the rest.
      if (m.type === '=~' && (m.value === '.*' || m.value === '(?s:.*)')) continue;
      const bad = matchingValues(src, m, false);
      if (bad.length) neg.push(union(bad.map((v) => src.postings(m.name, v))));
    } else if (m.type === '=') {
      pos.push(src.postings(m.name, m.value));
    } else {
      const good = matchingValues(src, m, true);
      pos.push(union(good.map((v) => src.postings(m.name, v))));
    }
  }
  pos.sort((a, b) => a.length - b.length);
  let res: Uint32Array;
  if (pos.length === 0) res = src.allPostings();
  else {
    res = pos[0]!;
    for (let i = 1; i < pos.length && res.length; i++) res = intersect(res, pos[i]!);
  }
  for (const n of neg) { if (!res.length) break; res = subtract(res, n); }
  return res;
}
