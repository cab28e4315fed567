// Backfill: OpenMetrics text → blocks (like `promtool tsdb create-blocks-from openmetrics`).
// Samples are accumulated per series as Gorilla chunks (~1-2 bytes/sample in memory), then
// written into one block per aligned window of `blockDurationMs`.
import * as fs from 'node:fs';
import type { Labels } from '../model/labels.js';
import { labelsToString } from '../model/labels.js';
import { OpenMetricsParser, ParseError } from '../textparse/index.js';
import { BlockWriter } from './block.js';
import { newXorState, xorAppend, xorDecode, XOR_MAX_SAMPLE_BITS, type XorState } from './xor.js';

export interface ImportOptions {
  blockDurationMs?: number;
  /** Import valid lines even when some lines are bad (default: write nothing on errors). */
  skipInvalid?: boolean;
  /** Stop collecting errors after this many. */
  maxErrors?: number;
  quality?: number;
  /** Split input into pieces of about this many bytes for parsing (strings have a size limit). */
  pieceBytes?: number;
}

export interface ImportResult {
  samples: number;
  series: number;
  blocks: { dir: string; minTime: number; maxTime: number; samples: number; series: number }[];
  errors: string[];
  minTime: number;
  maxTime: number;
}

interface Acc {
  labels: Labels;
  buf: Uint8Array;
  st: XorState;
  minT: number;
}

const ROOM = Math.ceil(XOR_MAX_SAMPLE_BITS / 8) + 1;

/** Imports an OpenMetrics file (path) into blocks under outDir. */
export async function importOpenMetrics(file: string, outDir: string, opts: ImportOptions = {}): Promise<ImportResult> {
  return importPieces(filePieces(file, opts.pieceBytes ?? PIECE_BYTES), outDir, opts, file);
}

export async function importOpenMetricsBuffer(data: Uint8Array, outDir: string, opts: ImportOptions = {}, name = 'input'): Promise<ImportResult> {
  return importPieces(bufferPieces(data, opts.pieceBytes ?? PIECE_BYTES), outDir, opts, name);
}

const PIECE_BYTES = 64 * 1024 * 1024;

interface Piece {
  bytes: Uint8Array;
  last: boolean;
}

/** Pieces of whole lines from memory. */
function* bufferPieces(data: Uint8Array, pieceBytes: number): Generator<Piece> {
  if (data.length === 0) yield { bytes: data, last: true };
  for (let start = 0; start < data.length; ) {
    let end = Math.min(data.length, start + pieceBytes);
    while (end < data.length && data[end - 1] !== 0x0a) end++;
    yield { bytes: data.subarray(start, end), last: end >= data.length };
    start = end;
  }
}

/** Pieces of whole lines read from a file (files may exceed what one Buffer or string holds). */
function* filePieces(path: string, pieceBytes: number): Generator<Piece> {
  const fd = fs.openSync(path, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    let carry: Uint8Array = new Uint8Array(0);
    let pos = 0;
    for (;;) {
      const want = Math.min(pieceBytes, size - pos);
      const buf = Buffer.allocUnsafe(carry.length + want);
      buf.set(carry, 0);
      let got = 0;
      while (got < want) {
        const n = fs.readSync(fd, buf, carry.length + got, want - got, pos + got);
        if (n === 0) break;
        got += n;
      }
      pos += got;
      const total = carry.length + got;
      const last = pos >= size || got === 0;
      let end = total;
      if (!last) {
        const nl = buf.lastIndexOf(0x0a, total - 1);
        if (nl >= 0) end = nl + 1;
      }
      yield { bytes: buf.subarray(0, end), last };
      if (last) return;
      carry = Uint8Array.prototype.slice.call(buf, end, total);
    }
  } finally {
    fs.closeSync(fd);
  }
}

async function importPieces(src: Iterable<Piece>, outDir: string, opts: ImportOptions, name: string): Promise<ImportResult> {
  const blockDur = opts.blockDurationMs ?? 2 * 3600 * 1000;
  const maxErrors = opts.maxErrors ?? 50;
  const errors: string[] = [];
  const byKey = new Map<string, Acc>();
  let samples = 0, minTime = Infinity, maxTime = -Infinity;
  let lineBase = 0;

  const err = (line: number, msg: string) => {
    if (errors.length < maxErrors) errors.push(`${name}:${line}: ${msg}`);
  };

  for (const piece of src) {
    let text = Buffer.from(piece.bytes.buffer, piece.bytes.byteOffset, piece.bytes.length).toString('utf8');
    const last = piece.last;
    if (!last || !/(^|\n)# EOF\n?$/.test(text)) {
      if (last) err(lineBase + countLines(text) + 1, 'data does not end with # EOF');
      if (text.length && !text.endsWith('\n')) text += '\n';
      text += '# EOF\n';
    }
    let pos = 0;
    while (pos < text.length) {
      const p = new OpenMetricsParser(pos === 0 ? text : text.slice(pos));
      const lineOff = pos === 0 ? 0 : countLines(text.slice(0, pos));
      try {
        for (;;) {
          const e = p.next();
          if (e === 'eof') break;
          if (e !== 'series') continue;
          const t = p.timestamp();
          const line = lineBase + lineOff + p.line();
          if (t === undefined) { err(line, `sample without timestamp for ${p.series()}`); continue; }
          const key = p.series();
          let acc = byKey.get(key);
          if (!acc) {
            acc = { labels: p.labels(), buf: new Uint8Array(64), st: newXorState(), minT: t };
            byKey.set(key, acc);
          }
          const v = p.value();
          if (acc.st.n > 0 && t <= acc.st.t) {
            if (t === acc.st.t) {
              if (!sameBits(v, acc.st.vHi, acc.st.vLo)) err(line, `duplicate sample for timestamp ${t} with a different value for ${labelsToString(acc.labels)}`);
            } else err(line, `out of order sample for ${labelsToString(acc.labels)}: timestamp ${t} is before ${acc.st.t}`);
            continue;
          }
          const need = ((acc.st.bits + 7) >>> 3) + ROOM;
          if (need > acc.buf.length) {
            const nb = new Uint8Array(Math.max(need, acc.buf.length * 2));
            nb.set(acc.buf);
            acc.buf = nb;
          }
          xorAppend(acc.buf, 0, acc.st, t, v);
          samples++;
          if (t < minTime) minTime = t;
          if (t > maxTime) maxTime = t;
        }
        pos = text.length;
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        const line = lineBase + lineOff + e.line;
        err(line, e.cause_);
        if (errors.length >= maxErrors) break;
        // Resume after the bad line.
        const rel = nthLineEnd(text, pos, e.line);
        if (rel < 0) break;
        pos = rel;
      }
    }
    lineBase += countLines(text) - 1;
    if (errors.length >= maxErrors) break;
  }

  const result: ImportResult = { samples, series: byKey.size, blocks: [], errors, minTime, maxTime };
  if ((errors.length && !opts.skipInvalid) || samples === 0) return result;

  fs.mkdirSync(outDir, { recursive: true });
  const writers = new Map<number, BlockWriter>();
  const counts = new Map<number, number>();
  try {
    let maxN = 0;
    for (const a of byKey.values()) if (a.st.n > maxN) maxN = a.st.n;
    const tt = new Float64Array(maxN), vv = new Float64Array(maxN);
    let i = 0;
    for (const a of byKey.values()) {
      const n = xorDecode(a.buf, 0, (a.st.bits + 7) >>> 3, a.st.n, tt, vv, 0, -Infinity, Infinity);
      let j = 0;
      while (j < n) {
        const w = Math.floor(tt[j]! / blockDur);
        let k = j;
        while (k < n && Math.floor(tt[k]! / blockDur) === w) k++;
        let bw = writers.get(w);
        if (!bw) writers.set(w, (bw = new BlockWriter(outDir, w * blockDur, (w + 1) * blockDur, { quality: opts.quality })));
        bw.add(a.labels, tt.slice(j, k), vv.slice(j, k));
        counts.set(w, (counts.get(w) ?? 0) + (k - j));
        j = k;
      }
      a.buf = new Uint8Array(0);
      if (++i % 2000 === 0) await new Promise((r) => setImmediate(r));
    }
    for (const [w, bw] of [...writers].sort((x, y) => x[0] - y[0])) {
      const { dir, meta } = bw.finish();
      result.blocks.push({ dir, minTime: meta.minTime, maxTime: meta.maxTime, samples: counts.get(w)!, series: meta.stats.numSeries });
    }
  } catch (e) {
    for (const bw of writers.values()) bw.abort();
    throw e;
  }
  return result;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
function sameBits(v: number, hi: number, lo: number): boolean {
  f64[0] = v;
  return u32[1] === hi && u32[0] === lo;
}

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Offset just after the `n`-th line (1-based) counted from `from`, or -1. */
function nthLineEnd(s: string, from: number, n: number): number {
  let p = from;
  for (let i = 0; i < n; i++) {
    const e = s.indexOf('\n', p);
    if (e < 0) return -1;
    p = e + 1;
  }
  return p;
}
