// The head: in-memory series registry (interned labels, inverted index) and per-series
// Gorilla chunks in a slab arena. Per-series and per-chunk state live in typed arrays indexed
// by series ref / chunk id, so a million series cost a few hundred bytes each and no per-sample
// objects. Validation (order, bounds) is the appender's job; the head only stores.

import type { Label, Labels } from '../model/labels.js';
import { compareLabels } from '../model/labels.js';
import type { Matcher } from '../model/matchers.js';
import { ChunkArena, MAX_SLOT_BYTES } from './arena.js';
import { EMPTY, postingsForMatchers, type PostingsSource } from './postings.js';
import { newXorState, xorAppend, xorDecode, XOR_MAX_SAMPLE_BITS } from './xor.js';

export const SAMPLES_PER_CHUNK = 120;
const SAMPLE_ROOM = Math.ceil(XOR_MAX_SAMPLE_BITS / 8) + 1;
const GEN = 2 ** 32;

class PostingsList {
  arr = new Uint32Array(2);
  len = 0;
  sorted = true;
  add(ref: number): void {
    if (this.len === this.arr.length) {
      const n = new Uint32Array(this.arr.length * 2);
      n.set(this.arr);
      this.arr = n;
    }
    if (this.len > 0 && this.arr[this.len - 1]! > ref) this.sorted = false;
    this.arr[this.len++] = ref;
  }
  view(): Uint32Array {
    if (!this.sorted) {
      this.arr.subarray(0, this.len).sort();
      this.sorted = true;
    }
    return this.arr.subarray(0, this.len);
  }
}

/** One series' samples decoded from the head. */
export interface HeadSeries {
  ref: number;
  labels: Labels;
  t: Float64Array;
  v: Float64Array;
}

/** 30-bit FNV-1a over names and values; collisions are resolved by comparing label sets. */
export function hashLabels(ls: Labels): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    const n = l.name, v = l.value;
    for (let j = 0; j < n.length; j++) h = Math.imul(h ^ n.charCodeAt(j), 0x01000193);
    h = Math.imul(h ^ 0xff, 0x01000193);
    for (let j = 0; j < v.length; j++) h = Math.imul(h ^ v.charCodeAt(j), 0x01000193);
    h = Math.imul(h ^ 0xfe, 0x01000193);
  }
  return h >>> 2;
}

function grow<T extends Float64Array | Uint32Array | Int32Array | Uint8Array | Uint16Array>(a: T, cap: number): T {
  const n = new (a.constructor as new (n: number) => T)(cap);
  n.set(a);
  return n;
}

export class Head implements PostingsSource {
  // Interned label strings.
  private syms: string[] = [''];
  private symIds = new Map<string, number>([['', 0]]);

  // Per-series state, indexed by ref (ref 0 is never used).
  private cap = 0;
  private nextRef = 1;
  private freeRefs: number[] = [];
  numSeries = 0;
  private sGen = new Uint8Array(0);
  private sAlive = new Uint8Array(0);
  /** Samples staged in appenders but not committed yet; such series survive truncation. */
  sPending = new Uint32Array(0);
  /** Set once the series record is in the WAL. */
  sLogged = new Uint8Array(0);
  private sLabOff = new Uint32Array(0);
  private sLabLen = new Uint8Array(0);
  private sHash = new Uint32Array(0);
  sLastT = new Float64Array(0);
  sLastV = new Float64Array(0);
  private sLastVU = new Uint32Array(0);
  private sDelta = new Float64Array(0);
  private sLead = new Uint8Array(0);
  private sTrail = new Uint8Array(0);
  /** Newest chunk id, -1 when none. Older chunks chain through cPrev. */
  private sHead = new Int32Array(0);

  private labPool = new Uint32Array(1024);
  private labLen = 0;
  /** Open-addressing table: slot -> ref (0 empty, -1 deleted); probes compare hash, then labels. */
  private htab = new Int32Array(1024);
  /** Occupied slots, deleted ones included. */
  private hused = 0;

  // Chunks.
  private arena = new ChunkArena();
  private ccap = 0;
  private nextChunk = 0;
  private freeChunks: number[] = [];
  numChunks = 0;
  private cSlot = new Int32Array(0);
  private cMinT = new Float64Array(0);
  private cMaxT = new Float64Array(0);
  private cN = new Uint16Array(0);
  private cBits = new Uint32Array(0);
  private cPrev = new Int32Array(0);
  /** 1 = closed for appends (installed from a checkpoint). */
  private cFull = new Uint8Array(0);

  // Inverted index keyed by symbol ids.
  /** nameId -> valueId -> postings; a single series is stored as its bare ref (saves ~130 B per unique value). */
  private index = new Map<number, Map<number, PostingsList | number>>();
  private all = new PostingsList();
  private valuesCache = new Map<string, string[]>();

  minT = Infinity;
  maxT = -Infinity;
  samplesAppended = 0;
  chunksCreated = 0;
  chunksRemoved = 0;
  private st = newXorState();

  constructor(readonly chunkRange: number) {}

  // ---- symbols and labels ----

  private intern(s: string): number {
    let id = this.symIds.get(s);
    if (id === undefined) {
      id = this.syms.length;
      this.syms.push(s);
      this.symIds.set(s, id);
    }
    return id;
  }

  labels(ref: number): Labels {
    const off = this.sLabOff[ref]!, n = this.sLabLen[ref]!;
    const out: Label[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = { name: this.syms[this.labPool[off + 2 * i]!]!, value: this.syms[this.labPool[off + 2 * i + 1]!]! };
    return out;
  }

  private sameLabels(ref: number, ls: Labels): boolean {
    if (this.sLabLen[ref] !== ls.length) return false;
    const off = this.sLabOff[ref]!;
    for (let i = 0; i < ls.length; i++) {
      if (this.syms[this.labPool[off + 2 * i]!] !== ls[i]!.name || this.syms[this.labPool[off + 2 * i + 1]!] !== ls[i]!.value) return false;
    }
    return true;
  }

  /** Internal ref for a label set, or 0. */
  lookup(ls: Labels, hash = hashLabels(ls)): number {
    const t = this.htab, mask = t.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const r = t[i]!;
      if (r === 0) return 0;
      if (r > 0 && this.sHash[r] === hash && this.sameLabels(r, ls)) return r;
    }
  }

  private hinsert(ref: number, hash: number): void {
    if ((this.hused + 1) * 2 > this.htab.length) {
      const live = this.numSeries + 1;
      this.hrehash(live * 4 > this.htab.length ? this.htab.length * 2 : this.htab.length);
    }
    const t = this.htab, mask = t.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const r = t[i]!;
      if (r <= 0) {
        if (r === 0) this.hused++;
        t[i] = ref;
        return;
      }
    }
  }

  private hremove(ref: number): void {
    const t = this.htab, mask = t.length - 1;
    for (let i = this.sHash[ref]! & mask; ; i = (i + 1) & mask) {
      const r = t[i]!;
      if (r === 0) return;
      if (r === ref) { t[i] = -1; return; }
    }
  }

  private hrehash(size: number): void {
    const old = this.htab;
    this.htab = new Int32Array(size);
    this.hused = 0;
    const mask = size - 1;
    for (let j = 0; j < old.length; j++) {
      const ref = old[j]!;
      if (ref <= 0) continue;
      let i = this.sHash[ref]! & mask;
      while (this.htab[i] !== 0) i = (i + 1) & mask;
      this.htab[i] = ref;
      this.hused++;
    }
  }

  /** External ref (with generation) for an internal ref; stable until the series is removed. */
  extRef(ref: number): number {
    return this.sGen[ref]! * GEN + ref;
  }

  /** Internal ref for an external one, or 0 if unknown/stale. */
  fromExtRef(x: number): number {
    const ref = x % GEN;
    if (ref <= 0 || ref >= this.nextRef || this.sAlive[ref] !== 1) return 0;
    return this.sGen[ref] === (x - ref) / GEN ? ref : 0;
  }

  isAlive(ref: number): boolean {
    return ref > 0 && ref < this.nextRef && this.sAlive[ref] === 1;
  }

  /** Largest ref handed out so far + 1. */
  get refLimit(): number {
    return this.nextRef;
  }

  private growSeries(min: number): void {
    let cap = Math.max(1024, this.cap * 2);
    while (cap < min) cap *= 2;
    this.sGen = grow(this.sGen, cap);
    this.sAlive = grow(this.sAlive, cap);
    this.sLogged = grow(this.sLogged, cap);
    this.sPending = grow(this.sPending, cap);
    this.sLabOff = grow(this.sLabOff, cap);
    this.sLabLen = grow(this.sLabLen, cap);
    this.sHash = grow(this.sHash, cap);
    this.sLastT = grow(this.sLastT, cap);
    this.sLastV = grow(this.sLastV, cap);
    this.sLastVU = new Uint32Array(this.sLastV.buffer);
    this.sDelta = grow(this.sDelta, cap);
    this.sLead = grow(this.sLead, cap);
    this.sTrail = grow(this.sTrail, cap);
    const h = new Int32Array(cap).fill(-1);
    h.set(this.sHead);
    this.sHead = h;
    this.cap = cap;
  }

  /** Creates the series (labels must be sorted and valid). `ref` forces a ref (WAL replay). */
  create(ls: Labels, hash = hashLabels(ls), forceRef = 0): number {
    let ref: number;
    if (forceRef > 0) {
      ref = forceRef;
      if (ref >= this.cap) this.growSeries(ref + 1);
      if (this.sAlive[ref]) throw new Error(`series ref ${ref} already in use`);
      if (ref >= this.nextRef) this.nextRef = ref + 1;
      const fi = this.freeRefs.indexOf(ref);
      if (fi >= 0) this.freeRefs.splice(fi, 1);
    } else {
      ref = this.freeRefs.pop() ?? this.nextRef++;
      if (ref >= this.cap) this.growSeries(ref + 1);
    }
    this.sAlive[ref] = 1;
    this.sLogged[ref] = 0;
    this.sPending[ref] = 0;
    this.sLastT[ref] = -Infinity;
    this.sHead[ref] = -1;
    if (this.labLen + ls.length * 2 > this.labPool.length) {
      let c = this.labPool.length * 2;
      while (c < this.labLen + ls.length * 2) c *= 2;
      this.labPool = grow(this.labPool, c);
    }
    this.sLabOff[ref] = this.labLen;
    this.sLabLen[ref] = ls.length;
    for (const l of ls) {
      const n = this.intern(l.name), v = this.intern(l.value);
      this.labPool[this.labLen++] = n;
      this.labPool[this.labLen++] = v;
      let byValue = this.index.get(n);
      if (!byValue) this.index.set(n, (byValue = new Map()));
      const pl = byValue.get(v);
      if (pl === undefined) {
        byValue.set(v, ref);
        this.valuesCache.delete(l.name);
      } else if (typeof pl === 'number') {
        const list = new PostingsList();
        list.add(pl);
        list.add(ref);
        byValue.set(v, list);
      } else pl.add(ref);
    }
    this.all.add(ref);
    this.sHash[ref] = hash;
    this.hinsert(ref, hash);
    this.numSeries++;
    return ref;
  }

  // ---- samples ----

  lastT(ref: number): number {
    return this.sLastT[ref]!;
  }
  lastV(ref: number): number {
    return this.sLastV[ref]!;
  }
  /** True when v has exactly the bits of the series' last value. */
  sameAsLast(ref: number, v: number): boolean {
    const u = this.sLastVU;
    scratchF[0] = v;
    return scratchU[0] === u[ref * 2] && scratchU[1] === u[ref * 2 + 1];
  }

  private growChunks(): void {
    const cap = Math.max(1024, this.ccap * 2);
    this.cSlot = grow(this.cSlot, cap);
    this.cMinT = grow(this.cMinT, cap);
    this.cMaxT = grow(this.cMaxT, cap);
    this.cN = grow(this.cN, cap);
    this.cBits = grow(this.cBits, cap);
    this.cPrev = grow(this.cPrev, cap);
    this.cFull = grow(this.cFull, cap);
    this.ccap = cap;
  }

  private newChunk(ref: number, t: number): number {
    let c = this.freeChunks.pop();
    if (c === undefined) {
      c = this.nextChunk++;
      if (c >= this.ccap) this.growChunks();
    }
    this.cSlot[c] = this.arena.alloc(64);
    this.cMinT[c] = t;
    this.cMaxT[c] = t;
    this.cN[c] = 0;
    this.cBits[c] = 0;
    this.cFull[c] = 0;
    this.cPrev[c] = this.sHead[ref]!;
    this.sHead[ref] = c;
    this.sLead[ref] = 255;
    this.numChunks++;
    this.chunksCreated++;
    return c;
  }

  /** Stores a sample already validated as newer than the series' last one. */
  append(ref: number, t: number, v: number): void {
    let c = this.sHead[ref]!;
    const range = this.chunkRange;
    if (c < 0 || this.cN[c]! >= SAMPLES_PER_CHUNK || this.cFull[c] === 1 || Math.floor(t / range) !== Math.floor(this.cMinT[c]! / range)) {
      c = this.newChunk(ref, t);
    }
    let slot = this.cSlot[c]!;
    const bits = this.cBits[c]!;
    const need = ((bits + 7) >>> 3) + SAMPLE_ROOM;
    if (need > this.arena.size(slot)) {
      const nslot = this.arena.alloc(Math.min(need * 2, MAX_SLOT_BYTES));
      const used = (bits + 7) >>> 3;
      const ob = this.arena.base(slot);
      this.arena.page(nslot).set(this.arena.page(slot).subarray(ob, ob + used), this.arena.base(nslot));
      this.arena.release(slot);
      this.cSlot[c] = slot = nslot;
    }
    const st = this.st;
    const n = this.cN[c]!;
    st.bits = bits;
    st.n = n;
    st.t = this.cMaxT[c]!;
    st.delta = this.sDelta[ref]!;
    st.vLo = this.sLastVU[ref * 2]!;
    st.vHi = this.sLastVU[ref * 2 + 1]!;
    st.leading = this.sLead[ref]!;
    st.trailing = this.sTrail[ref]!;
    xorAppend(this.arena.page(slot), this.arena.base(slot), st, t, v);
    this.cBits[c] = st.bits;
    this.cN[c] = st.n;
    this.cMaxT[c] = t;
    this.sDelta[ref] = st.delta;
    this.sLead[ref] = st.leading;
    this.sTrail[ref] = st.trailing;
    this.sLastT[ref] = t;
    this.sLastVU[ref * 2] = st.vLo;
    this.sLastVU[ref * 2 + 1] = st.vHi;
    if (t < this.minT) this.minT = t;
    if (t > this.maxT) this.maxT = t;
    this.samplesAppended++;
  }

  /**
   * Installs an encoded chunk (checkpoint replay) as the series' newest chunk; the next
   * append starts a fresh chunk.
   */
  installChunk(ref: number, minT: number, maxT: number, n: number, bytes: Uint8Array, lastV: number): void {
    const c = this.newChunk(ref, minT);
    const slot = this.arena.alloc(Math.max(bytes.length, 1));
    this.arena.release(this.cSlot[c]!);
    this.cSlot[c] = slot;
    this.arena.page(slot).set(bytes, this.arena.base(slot));
    this.cMaxT[c] = maxT;
    this.cN[c] = n;
    this.cFull[c] = 1;
    this.cBits[c] = bytes.length * 8;
    this.sLastT[ref] = maxT;
    scratchF[0] = lastV;
    this.sLastVU[ref * 2] = scratchU[0]!;
    this.sLastVU[ref * 2 + 1] = scratchU[1]!;
    if (minT < this.minT) this.minT = minT;
    if (maxT > this.maxT) this.maxT = maxT;
  }

  private chunkSamples(c: number): number {
    return this.cN[c]!;
  }

  /** Encoded chunks of a series, oldest first, for checkpoints. */
  chunksOf(ref: number, mint: number): { minT: number; maxT: number; n: number; bytes: Uint8Array }[] {
    const out = [];
    for (let c = this.sHead[ref]!; c >= 0; c = this.cPrev[c]!) {
      if (this.cMaxT[c]! < mint) break;
      const slot = this.cSlot[c]!, b = this.arena.base(slot);
      out.push({ minT: this.cMinT[c]!, maxT: this.cMaxT[c]!, n: this.chunkSamples(c), bytes: this.arena.page(slot).slice(b, b + ((this.cBits[c]! + 7) >>> 3)) });
    }
    return out.reverse();
  }

  /** True when some chunk of `ref` overlaps [mint, maxt]. */
  overlaps(ref: number, mint: number, maxt: number): boolean {
    for (let c = this.sHead[ref]!; c >= 0; c = this.cPrev[c]!) {
      if (this.cMaxT[c]! < mint) return false;
      if (this.cMinT[c]! <= maxt) return true;
    }
    return false;
  }

  /** Upper bound of samples of `ref` in [mint, maxt], and the first such chunk's minT. */
  countSamples(ref: number, mint: number, maxt: number): { n: number; minT: number } {
    let n = 0, minT = Infinity;
    for (let c = this.sHead[ref]!; c >= 0; c = this.cPrev[c]!) {
      if (this.cMaxT[c]! < mint) break;
      if (this.cMinT[c]! > maxt) continue;
      n += this.cN[c]!;
      minT = this.cMinT[c]!;
    }
    return { n, minT };
  }

  /** Decodes samples of `ref` in [mint, maxt] into t/v at `off`; returns the new offset. */
  decodeInto(ref: number, mint: number, maxt: number, t: Float64Array, v: Float64Array, off: number): number {
    let nch = 0;
    for (let c = this.sHead[ref]!; c >= 0; c = this.cPrev[c]!) {
      if (this.cMaxT[c]! < mint) break;
      if (this.cMinT[c]! <= maxt) nch++;
    }
    const ids = new Int32Array(nch);
    let k = nch;
    for (let c = this.sHead[ref]!; c >= 0 && k > 0; c = this.cPrev[c]!) if (this.cMinT[c]! <= maxt) ids[--k] = c;
    for (let i = 0; i < nch; i++) {
      const c = ids[i]!, slot = this.cSlot[c]!;
      off = xorDecode(this.arena.page(slot), this.arena.base(slot), (this.cBits[c]! + 7) >>> 3, this.cN[c]!, t, v, off, mint, maxt);
    }
    return off;
  }

  /** Decodes samples of `ref` with mint <= t <= maxt (null when none). */
  samples(ref: number, mint: number, maxt: number): { t: Float64Array; v: Float64Array } | null {
    let total = 0, nch = 0;
    for (let c = this.sHead[ref]!; c >= 0; c = this.cPrev[c]!) {
      if (this.cMaxT[c]! < mint) break;
      if (this.cMinT[c]! > maxt) continue;
      total += this.chunkSamples(c);
      nch++;
    }
    if (total === 0) return null;
    const ids = new Int32Array(nch);
    let k = nch;
    for (let c = this.sHead[ref]!; c >= 0 && k > 0; c = this.cPrev[c]!) {
      if (this.cMinT[c]! > maxt) continue;
      ids[--k] = c;
    }
    const t = new Float64Array(total), v = new Float64Array(total);
    let o = 0;
    for (let i = 0; i < nch; i++) {
      const c = ids[i]!, slot = this.cSlot[c]!;
      o = xorDecode(this.arena.page(slot), this.arena.base(slot), (this.cBits[c]! + 7) >>> 3, this.chunkSamples(c), t, v, o, mint, maxt);
    }
    if (o === 0) return null;
    return o === total ? { t, v } : { t: t.subarray(0, o), v: v.subarray(0, o) };
  }

  // ---- index ----

  labelValues(name: string): readonly string[] {
    let vs = this.valuesCache.get(name);
    if (vs) return vs;
    const id = this.symIds.get(name);
    const byValue = id === undefined ? undefined : this.index.get(id);
    vs = [];
    if (byValue) for (const [v, pl] of byValue) if (typeof pl === 'number' || pl.len > 0) vs.push(this.syms[v]!);
    vs.sort();
    this.valuesCache.set(name, vs);
    return vs;
  }

  labelNames(): string[] {
    const out: string[] = [];
    for (const [n, byValue] of this.index) {
      for (const pl of byValue.values()) if (typeof pl === 'number' || pl.len > 0) { out.push(this.syms[n]!); break; }
    }
    return out.sort();
  }

  postings(name: string, value: string): Uint32Array {
    const n = this.symIds.get(name), v = this.symIds.get(value);
    if (n === undefined || v === undefined) return EMPTY;
    const pl = this.index.get(n)?.get(v);
    if (pl === undefined) return EMPTY;
    return typeof pl === 'number' ? Uint32Array.of(pl) : pl.view();
  }

  allPostings(): Uint32Array {
    return this.all.view();
  }

  /** Refs of series matching all matchers, sorted by ref. */
  match(ms: readonly Matcher[]): Uint32Array {
    return postingsForMatchers(this, ms);
  }

  /** Refs sorted by their label sets. */
  sortByLabels(refs: Uint32Array): Uint32Array {
    const ls = new Map<number, Labels>();
    for (const r of refs) ls.set(r, this.labels(r));
    return Uint32Array.from(refs).sort((a, b) => compareLabels(ls.get(a)!, ls.get(b)!));
  }

  /** Postings counts for /api/v1/status/tsdb. */
  indexStats(): { name: string; values: { value: string; count: number }[] }[] {
    const out = [];
    for (const [n, byValue] of this.index) {
      const values = [];
      for (const [v, pl] of byValue) {
        const count = typeof pl === 'number' ? 1 : pl.len;
        if (count > 0) values.push({ value: this.syms[v]!, count });
      }
      if (values.length) out.push({ name: this.syms[n]!, values });
    }
    return out;
  }

  // ---- truncation ----

  /**
   * Drops chunks whose samples are all < mint and removes series left without chunks.
   * Returns the removed refs; they stay unusable until `releaseRefs` (after a checkpoint).
   */
  truncate(mint: number): number[] {
    const removed: number[] = [];
    for (let ref = 1; ref < this.nextRef; ref++) {
      if (!this.sAlive[ref]) continue;
      let keepNewer = -1;
      let c = this.sHead[ref]!;
      while (c >= 0 && this.cMaxT[c]! >= mint) { keepNewer = c; c = this.cPrev[c]!; }
      // c and everything older goes.
      while (c >= 0) {
        const prev = this.cPrev[c]!;
        this.arena.release(this.cSlot[c]!);
        this.freeChunks.push(c);
        this.numChunks--;
        this.chunksRemoved++;
        c = prev;
      }
      if (keepNewer >= 0) this.cPrev[keepNewer] = -1;
      else this.sHead[ref] = -1;
      if (this.sHead[ref] === -1 && this.sPending[ref] === 0) removed.push(ref);
    }
    if (removed.length) this.removeSeries(removed);
    this.minT = Infinity;
    for (let ref = 1; ref < this.nextRef; ref++) {
      if (!this.sAlive[ref]) continue;
      let c = this.sHead[ref]!;
      while (c >= 0 && this.cPrev[c]! >= 0) c = this.cPrev[c]!;
      if (c >= 0 && this.cMinT[c]! < this.minT) this.minT = this.cMinT[c]!;
    }
    return removed;
  }

  private removeSeries(refs: number[]): void {
    const dead = new Uint8Array(this.nextRef);
    for (const r of refs) {
      dead[r] = 1;
      this.sAlive[r] = 0;
      this.sGen[r] = (this.sGen[r]! + 1) & 0xff;
      this.hremove(r);
      this.numSeries--;
    }
    const filter = (pl: PostingsList) => {
      let n = 0;
      for (let i = 0; i < pl.len; i++) if (!dead[pl.arr[i]!]) pl.arr[n++] = pl.arr[i]!;
      pl.len = n;
    };
    for (const [, byValue] of this.index) {
      for (const [v, pl] of byValue) {
        if (typeof pl === 'number') {
          if (dead[pl]) byValue.delete(v);
          continue;
        }
        filter(pl);
        if (pl.len === 0) byValue.delete(v);
        else if (pl.len === 1) byValue.set(v, pl.arr[0]!);
      }
    }
    filter(this.all);
    this.valuesCache.clear();
    // Compact the label pool.
    const pool = new Uint32Array(Math.max(1024, this.labLen));
    let o = 0;
    for (let ref = 1; ref < this.nextRef; ref++) {
      if (!this.sAlive[ref]) continue;
      const off = this.sLabOff[ref]!, n = this.sLabLen[ref]! * 2;
      pool.set(this.labPool.subarray(off, off + n), o);
      this.sLabOff[ref] = o;
      o += n;
    }
    this.labPool = pool;
    this.labLen = o;
    this.pendingFree.push(...refs);
  }

  private pendingFree: number[] = [];

  /** Makes refs removed by truncate reusable (call once the WAL no longer mentions them). */
  releaseRefs(): void {
    this.freeRefs.push(...this.pendingFree);
    this.pendingFree = [];
  }

  memoryUsage(): { chunkBytes: number; seriesBytes: number } {
    const a = this.arena.usage();
    const perSeries = 8 * 6 + 1 * 6 + 4 * 3;
    return { chunkBytes: a.allocatedBytes, seriesBytes: this.cap * perSeries + this.labPool.byteLength + this.ccap * 30 };
  }
}

const scratchF = new Float64Array(1);
const scratchU = new Uint32Array(scratchF.buffer);