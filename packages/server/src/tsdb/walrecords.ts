// WAL record payloads. Frame: u8 type | u32 LE payload length | u32 LE crc32(payload) | payload.
import type { Label, Labels } from '../model/labels.js';
import type { MetricMetadata } from '../storage/interface.js';
import { ByteReader, ByteWriter } from './bytes.js';

export const REC_SERIES = 1;
export const REC_SAMPLES = 2;
export const REC_TOMBSTONES = 3;
export const REC_METADATA = 4;
export const REC_CHUNK = 5;
export const FRAME_HEADER = 9;

export const METADATA_TYPES: MetricMetadata['type'][] = ['unknown', 'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset'];

export function encodeSeries(w: ByteWriter, ref: number, ls: Labels): void {
  w.uvarint(ref);
  w.uvarint(ls.length);
  for (const l of ls) { w.str(l.name); w.str(l.value); }
}

export function decodeSeries(r: ByteReader, fn: (ref: number, ls: Labels) => void): void {
  while (!r.done) {
    const ref = r.uvarint();
    const n = r.uvarint();
    const ls: Label[] = [];
    for (let i = 0; i < n; i++) ls.push({ name: r.str(), value: r.str() });
    fn(ref, ls);
  }
}

export function decodeSamples(r: ByteReader, fn: (ref: number, t: number, v: number) => void): void {
  const base = r.varint();
  while (!r.done) {
    const ref = r.uvarint();
    const t = base + r.varint();
    fn(ref, t, r.f64());
  }
}

export function decodeTombstones(r: ByteReader, fn: (ref: number, mint: number, maxt: number) => void): void {
  while (!r.done) fn(r.uvarint(), r.varint(), r.varint());
}

export function encodeMetadata(w: ByteWriter, metric: string, m: MetricMetadata): void {
  w.str(metric);
  w.u8(Math.max(0, METADATA_TYPES.indexOf(m.type)));
  w.str(m.unit);
  w.str(m.help);
}

export function decodeMetadata(r: ByteReader, fn: (metric: string, m: MetricMetadata) => void): void {
  while (!r.done) {
    const metric = r.str();
    const type = METADATA_TYPES[r.u8()] ?? 'unknown';
    const unit = r.str();
    fn(metric, { type, unit, help: r.str() });
  }
}

export interface ChunkRecord {
  ref: number;
  minT: number;
  maxT: number;
  n: number;
  lastV: number;
  bytes: Uint8Array;
}

export function encodeChunk(w: ByteWriter, c: ChunkRecord): void {
  w.uvarint(c.ref);
  w.varint(c.minT);
  w.varint(c.maxT);
  w.uvarint(c.n);
  w.f64(c.lastV);
  w.uvarint(c.bytes.length);
  w.bytes(c.bytes);
}

export function decodeChunk(r: ByteReader): ChunkRecord {
  const ref = r.uvarint(), minT = r.varint(), maxT = r.varint(), n = r.uvarint(), lastV = r.f64();
  const len = r.uvarint();
  return { ref, minT, maxT, n, lastV, bytes: r.bytes(len) };
}
