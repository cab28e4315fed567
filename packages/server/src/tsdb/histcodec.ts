// Binary encoding of native histogram samples for the WAL (record type 6) and `.hist` files
// (format: docs/tsdb-format.md, "Native histograms").
import type { Labels } from '../model/labels.js';
import { CUSTOM_BUCKETS_SCHEMA, FloatHistogram, type CounterResetHint } from '../model/histogram.js';
import type { ByteReader, ByteWriter } from './bytes.js';
import { decodeSideList, encodeSideList } from './sidehead.js';

const HINTS: CounterResetHint[] = ['unknown', 'reset', 'not_reset', 'gauge'];

export function encodeHistogram(w: ByteWriter, h: FloatHistogram): void {
  w.u8(HINTS.indexOf(h.hint));
  w.varint(h.schema);
  w.f64(h.zeroThreshold);
  w.f64(h.zeroCount);
  w.f64(h.count);
  w.f64(h.sum);
  for (const [idx, cnt] of [[h.pIdx, h.pCnt], [h.nIdx, h.nCnt]] as const) {
    w.uvarint(idx.length);
    let prev = 0;
    for (let i = 0; i < idx.length; i++) {
      w.varint(idx[i]! - prev);
      prev = idx[i]!;
      w.f64(cnt[i]!);
    }
  }
  if (h.schema === CUSTOM_BUCKETS_SCHEMA) {
    const cv = h.customValues ?? [];
    w.uvarint(cv.length);
    for (const x of cv) w.f64(x);
  }
}

export function decodeHistogram(r: ByteReader): FloatHistogram {
  const h = new FloatHistogram();
  h.hint = HINTS[r.u8()] ?? 'unknown';
  h.schema = r.varint();
  h.zeroThreshold = r.f64();
  h.zeroCount = r.f64();
  h.count = r.f64();
  h.sum = r.f64();
  for (let side = 0; side < 2; side++) {
    const n = r.uvarint();
    const idx: number[] = new Array(n), cnt: number[] = new Array(n);
    let prev = 0;
    for (let i = 0; i < n; i++) {
      prev += r.varint();
      idx[i] = prev;
      cnt[i] = r.f64();
    }
    if (side === 0) { h.pIdx = idx; h.pCnt = cnt; } else { h.nIdx = idx; h.nCnt = cnt; }
  }
  if (h.schema === CUSTOM_BUCKETS_SCHEMA) {
    const n = r.uvarint();
    const cv: number[] = new Array(n);
    for (let i = 0; i < n; i++) cv[i] = r.f64();
    h.customValues = cv;
  }
  return h;
}

/** One record/file body: uvarint #series, then per series: labels, uvarint #samples, (varint t, histogram)*. */
export function encodeSeriesList(w: ByteWriter, list: { labels: Labels; t: number[]; h: readonly FloatHistogram[] }[]): void {
  encodeSideList(w, list, (w, s, i) => encodeHistogram(w, s.h[i]!));
}

export function decodeSeriesList(r: ByteReader, fn: (labels: Labels, t: number, h: FloatHistogram) => void): void {
  decodeSideList(r, decodeHistogram, fn);
}
