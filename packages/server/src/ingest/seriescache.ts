// Receiver-side series cache for remote_write: remembers, per label-bytes hash, the normalized
// label set and the SeriesRef the appender returned, so a series seen before skips label
// normalization and the storage's hash lookup. A hit requires the very same (immutable, cached)
// Label objects as last time, so a hash collision can only cause a miss, never a wrong series.
import type { Label, Labels } from '../model/labels.js';
import type { SeriesRef } from '../storage/interface.js';

interface Entry {
  raw: readonly Label[];
  labels: Labels;
  ref: SeriesRef;
}

export class SeriesCache {
  private m = new Map<number, Entry>();

  constructor(private readonly maxEntries = 2_000_000) {}

  get size(): number {
    return this.m.size;
  }

  /** The cached entry when `raw` holds exactly the same Label objects. */
  get(hash: number, raw: readonly Label[]): Entry | undefined {
    const e = this.m.get(hash);
    if (e === undefined || e.raw.length !== raw.length) return undefined;
    for (let i = 0; i < raw.length; i++) if (e.raw[i] !== raw[i]) return undefined;
    return e;
  }

  set(hash: number, raw: readonly Label[], labels: Labels, ref: SeriesRef): void {
    if (this.m.size >= this.maxEntries) this.m.clear(); // bounded memory: start over
    this.m.set(hash, { raw, labels, ref });
  }
}
