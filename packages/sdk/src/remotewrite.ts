// Prometheus remote_write 1.0 client for batch jobs: the registry's current values as a
// snappy-compressed protobuf WriteRequest, written by hand so the SDK keeps zero dependencies.
import { globalRegistry, type Registry } from './registry.js';
import type { MetricObject } from './types.js';
import { sendWithRetry, type PushResult, type RetryOptions } from './push.js';

// ---- protobuf (only what WriteRequest needs) ----

class PbWriter {
  buf = new Uint8Array(1024);
  len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  varint(v: number): void {
    this.ensure(10);
    // Non-negative values only (lengths, tags, timestamps after 1970).
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
  }
  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }
  bytes(field: number, b: Uint8Array): void {
    this.tag(field, 2);
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  double(field: number, v: number): void {
    this.tag(field, 1);
    this.ensure(8);
    new DataView(this.buf.buffer, this.buf.byteOffset).setFloat64(this.len, v, true);
    this.len += 8;
  }
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

const enc = new TextEncoder();

function label(name: string, value: string): Uint8Array {
  const w = new PbWriter();
  w.bytes(1, enc.encode(name));
  w.bytes(2, enc.encode(value));
  return w.finish();
}

function sample(value: number, tsMs: number): Uint8Array {
  const w = new PbWriter();
  w.double(1, value);
  w.tag(2, 0);
  w.varint(tsMs);
  return w.finish();
}

const META_TYPE: Record<MetricObject['type'], number> = { counter: 1, gauge: 2, histogram: 3, summary: 5 };

/** The WriteRequest protobuf for the given metrics, all samples stamped `tsMs`. */
export function encodeWriteRequest(metrics: MetricObject[], extraLabels: Record<string, string>, tsMs: number): Uint8Array {
  const w = new PbWriter();
  for (const m of metrics) {
    for (const v of m.values) {
      const labels: Record<string, string> = { __name__: v.metricName ?? m.name };
      for (const [k, x] of Object.entries(v.labels)) if (x !== '' && x !== undefined) labels[k] = typeof x === 'number' ? fmtLabelNumber(x) : String(x);
      Object.assign(labels, extraLabels);
      const ts = new PbWriter();
      for (const name of Object.keys(labels).sort()) ts.bytes(1, label(name, labels[name]!));
      ts.bytes(2, sample(v.value, tsMs));
      w.bytes(1, ts.finish());
    }
  }
  for (const m of metrics) {
    const md = new PbWriter();
    md.tag(1, 0);
    md.varint(META_TYPE[m.type] ?? 0);
    md.bytes(2, enc.encode(m.name));
    md.bytes(4, enc.encode(m.help));
    w.bytes(3, md.finish());
  }
  return w.finish();
}

function fmtLabelNumber(x: number): string {
  return x === Infinity ? '+Inf' : x === -Infinity ? '-Inf' : String(x);
}

// ---- snappy block format (compressor) ----

function emitLiteral(out: number[], src: Uint8Array, from: number, to: number): void {
  let n = to - from;
  while (n > 0) {
    const chunk = Math.min(n, 65536);
    const l = chunk - 1;
    if (l < 60) out.push(l << 2);
    else if (l < 256) out.push(60 << 2, l);
    else out.push(61 << 2, l & 0xff, l >> 8);
    for (let i = 0; i < chunk; i++) out.push(src[from + i]!);
    from += chunk;
    n -= chunk;
  }
}

function emitCopy(out: number[], offset: number, len: number): void {
  // 2-byte-offset copies of 4..64 bytes (offsets stay below 64 KiB: blocks are 64 KiB).
  while (len > 0) {
    let n = Math.min(len, 64);
    if (len - n > 0 && len - n < 4) n = len - 4; // leave at least 4 for the next copy
    out.push(((n - 1) << 2) | 2, offset & 0xff, offset >> 8);
    len -= n;
  }
}

/** Snappy block compression (greedy 4-byte hash matching within 64 KiB blocks). */
export function snappyCompress(src: Uint8Array): Uint8Array {
  const out: number[] = [];
  let n = src.length;
  do {
    out.push(n > 0x7f ? (n & 0x7f) | 0x80 : n);
    n = Math.floor(n / 0x80);
  } while (n > 0);
  const table = new Int32Array(1 << 14);
  for (let block = 0; block < src.length; block += 65536) {
    const end = Math.min(src.length, block + 65536);
    table.fill(-1);
    let lit = block;
    let i = block;
    while (i + 4 <= end) {
      const v = src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24);
      const h = Math.imul(v, 0x1e35a7bd) >>> 18;
      const cand = table[h]!;
      table[h] = i;
      if (cand >= block && i - cand < 65536 && src[cand] === src[i] && src[cand + 1] === src[i + 1] && src[cand + 2] === src[i + 2] && src[cand + 3] === src[i + 3]) {
        let len = 4;
        while (i + len < end && src[cand + len] === src[i + len]) len++;
        if (lit < i) emitLiteral(out, src, lit, i);
        emitCopy(out, i - cand, len);
        i += len;
        lit = i;
      } else i++;
    }
    if (lit < end) emitLiteral(out, src, lit, end);
  }
  return Uint8Array.from(out);
}

export interface RemoteWriteOptions extends RetryOptions {
  /** Full remote_write URL, e.g. http://vigil:9090/api/v1/write */
  url: string;
  registry?: Registry;
  /** Labels added to every series (e.g. {job: "nightly-export"}). */
  labels?: Record<string, string>;
  headers?: Record<string, string>;
  timestampMs?: number;
}

/** Pushes the registry's current values with remote_write 1.0, retrying on 5xx/429/network errors. */
export async function pushRemoteWrite(opts: RemoteWriteOptions): Promise<PushResult> {
  const metrics = await (opts.registry ?? globalRegistry).getMetricsAsJSON();
  const body = snappyCompress(encodeWriteRequest(metrics, opts.labels ?? {}, opts.timestampMs ?? Date.now()));
  return sendWithRetry(
    opts.url,
    {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-protobuf',
        'Content-Encoding': 'snappy',
        'X-Prometheus-Remote-Write-Version': '0.1.0',
        'User-Agent': 'vigil-sdk',
        ...opts.headers,
      },
      body,
    },
    opts,
  );
}
