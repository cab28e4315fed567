// prometheus.Histogram (remote write 1.0 / remote read): native histogram samples. Integer
// histograms (count_int, zero_count_int, delta-encoded bucket counts) and float histograms
// (count_float, absolute bucket counts) both decode to a FloatHistogram.
import { FloatHistogram, type CounterResetHint, type Span } from '../model/histogram.js';
import { PbReader, ProtoError, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './reader.js';
import type { PbWriter } from './writer.js';

export interface PbHistogramSample {
  t: number;
  h: FloatHistogram;
}

const HINTS: CounterResetHint[] = ['unknown', 'reset', 'not_reset', 'gauge'];

function decodeSpan(r: PbReader, end: number): Span {
  const s: Span = { offset: 0, length: 0 };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x08: s.offset = r.sint32(); break;
      case 0x10: s.length = r.uint32(); break;
      default: r.skip(tag & 7);
    }
  }
  return s;
}

/** Repeated scalar field, packed or not. */
function repeated(r: PbReader, tag: number, out: number[], read: () => number): void {
  if ((tag & 7) === WIRE_LEN) {
    const e = r.lenEnd();
    while (r.pos < e) out.push(read());
    r.pos = e;
  } else out.push(read());
}

/** Decodes one Histogram message body [r.pos, end). */
export function decodePbHistogram(r: PbReader, end: number): PbHistogramSample {
  const h = new FloatHistogram();
  let t = 0, intCounts = false;
  const nSpans: Span[] = [], pSpans: Span[] = [];
  const nDeltas: number[] = [], pDeltas: number[] = [], nCounts: number[] = [], pCounts: number[] = [], cv: number[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    const field = tag >>> 3;
    switch (field) {
      case 1: h.count = r.uint64(); intCounts = true; break;
      case 2: h.count = r.double(); break;
      case 3: h.sum = r.double(); break;
      case 4: h.schema = r.sint32(); break;
      case 5: h.zeroThreshold = r.double(); break;
      case 6: h.zeroCount = r.uint64(); break;
      case 7: h.zeroCount = r.double(); break;
      case 8: case 11: {
        const e = r.lenEnd();
        (field === 8 ? nSpans : pSpans).push(decodeSpan(r, e));
        r.pos = e;
        break;
      }
      case 9: repeated(r, tag, nDeltas, () => r.sint64()); break;
      case 10: repeated(r, tag, nCounts, () => r.double()); break;
      case 12: repeated(r, tag, pDeltas, () => r.sint64()); break;
      case 13: repeated(r, tag, pCounts, () => r.double()); break;
      case 14: h.hint = HINTS[r.uint32()] ?? 'unknown'; break;
      case 15: t = r.int64(); break;
      case 16: repeated(r, tag, cv, () => r.double()); break;
      default: r.skip(tag & 7);
    }
  }
  const counts = (deltas: number[], abs: number[]): number[] => {
    if (abs.length || !deltas.length) return abs;
    const out: number[] = new Array(deltas.length);
    let c = 0;
    for (let i = 0; i < deltas.length; i++) out[i] = c += deltas[i]!;
    return out;
  };
  void intCounts;
  h.pIdx = FloatHistogram.indicesOf(pSpans);
  h.pCnt = counts(pDeltas, pCounts);
  h.nIdx = FloatHistogram.indicesOf(nSpans);
  h.nCnt = counts(nDeltas, nCounts);
  if (h.pIdx.length !== h.pCnt.length) throw new ProtoError(`histogram: positive spans cover ${h.pIdx.length} buckets but ${h.pCnt.length} counts were sent`);
  if (h.nIdx.length !== h.nCnt.length) throw new ProtoError(`histogram: negative spans cover ${h.nIdx.length} buckets but ${h.nCnt.length} counts were sent`);
  if (cv.length) h.customValues = cv;
  return { t, h };
}

/** Writes one Histogram message (float form) as field `field` of the enclosing message. */
export function writePbHistogram(w: PbWriter, field: number, t: number, h: FloatHistogram): void {
  w.tag(field, WIRE_LEN).fork();
  w.tag(2, WIRE_FIXED64).double(h.count);
  w.tag(3, WIRE_FIXED64).double(h.sum);
  w.tag(4, WIRE_VARINT).uint32(((h.schema << 1) ^ (h.schema >> 31)) >>> 0);
  w.tag(5, WIRE_FIXED64).double(h.zeroThreshold);
  w.tag(7, WIRE_FIXED64).double(h.zeroCount);
  const side = (spansField: number, countsField: number, idx: number[], cnt: number[]) => {
    for (const s of FloatHistogram.spansOf(idx)) {
      w.tag(spansField, WIRE_LEN).fork();
      w.tag(1, WIRE_VARINT).uint32(((s.offset << 1) ^ (s.offset >> 31)) >>> 0);
      w.tag(2, WIRE_VARINT).uint32(s.length);
      w.ldelim();
    }
    if (cnt.length) {
      w.tag(countsField, WIRE_LEN).fork();
      for (const c of cnt) w.double(c);
      w.ldelim();
    }
  };
  side(8, 10, h.nIdx, h.nCnt);
  side(11, 13, h.pIdx, h.pCnt);
  if (h.hint !== 'unknown') w.tag(14, WIRE_VARINT).uint32(HINTS.indexOf(h.hint));
  w.int64Field(15, t);
  if (h.customValues?.length) {
    w.tag(16, WIRE_LEN).fork();
    for (const c of h.customValues) w.double(c);
    w.ldelim();
  }
  w.ldelim();
}
