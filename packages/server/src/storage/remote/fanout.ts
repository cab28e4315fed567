// Appendable wrapper: samples go to the primary storage; once its commit succeeds, the same
// samples (only those it accepted) are handed to the remote sinks. A failed commit or a
// rollback forwards nothing, so remote receivers never see data the local TSDB refused.
import type { Labels } from '../../model/labels.js';
import type { Appendable, Appender, Exemplar, MetricMetadata, SeriesRef } from '../interface.js';
import type { FloatHistogram } from '../../model/histogram.js';
import type { RemoteSink } from './queue.js';

class FanoutAppender implements Appender {
  private labels: Labels[] = [];
  private t = new Float64Array(256);
  private v = new Float64Array(256);
  private n = 0;

  /** Native histograms: to the primary storage, then (after its commit) to the sinks. */
  private hist: { labels: Labels; t: number; h: FloatHistogram }[] = [];
  /** Present only when the primary storage takes native histograms. */
  appendHistogram?: (ref: SeriesRef, labels: Labels, t: number, h: FloatHistogram) => SeriesRef;

  constructor(
    private readonly inner: Appender,
    private readonly sinks: readonly RemoteSink[],
  ) {
    if (inner.appendHistogram) {
      this.appendHistogram = (ref, labels, t, h) => {
        const r = inner.appendHistogram!(ref, labels, t, h);
        this.hist.push({ labels, t, h });
        return r;
      };
    }
  }

  append(ref: SeriesRef, labels: Labels, t: number, v: number): SeriesRef {
    const r = this.inner.append(ref, labels, t, v); // throws: not staged for remote either
    if (this.n === this.t.length) {
      const nt = new Float64Array(this.n * 2), nv = new Float64Array(this.n * 2);
      nt.set(this.t);
      nv.set(this.v);
      this.t = nt;
      this.v = nv;
    }
    this.labels[this.n] = labels;
    this.t[this.n] = t;
    this.v[this.n] = v;
    this.n++;
    return r;
  }

  updateMetadata(name: string, meta: MetricMetadata): void {
    this.inner.updateMetadata?.(name, meta);
    for (const s of this.sinks) s.updateMetadata?.(name, meta);
  }

  appendExemplar(ref: SeriesRef, labels: Labels, ex: Exemplar): void {
    this.inner.appendExemplar?.(ref, labels, ex);
  }

  async commit(): Promise<void> {
    try {
      await this.inner.commit();
    } catch (e) {
      this.reset();
      throw e;
    }
    for (const s of this.sinks) s.enqueue(this.labels, this.t, this.v, this.n);
    if (this.hist.length) for (const s of this.sinks) s.enqueueHistograms?.(this.hist);
    this.reset();
  }

  rollback(): void {
    this.inner.rollback();
    this.reset();
  }

  private reset(): void {
    this.labels.length = 0;
    this.n = 0;
    this.hist = [];
  }
}

/** An Appendable that writes to `primary` and forwards committed samples to `sinks`. */
export function fanoutAppendable(primary: Appendable, ...sinks: RemoteSink[]): Appendable {
  return { appender: () => new FanoutAppender(primary.appender(), sinks) };
}
