// The storage seam. Producers (scrape, push receivers, rules, insight) write through Appender;
// consumers (PromQL, web API, remote read) read through Querier. Nothing else touches TSDB internals.

import type { Labels } from '../model/labels.js';
import type { Matcher } from '../model/matchers.js';
import type { SampleArrays } from '../model/sample.js';
import type { FloatHistogram } from '../model/histogram.js';

/** Opaque per-series reference an Appender hands back to speed up later appends. 0 = unknown. */
export type SeriesRef = number;

export interface Appender {
  /**
   * Stages one float sample. Throws an AppendError (out of order, too old, duplicate with a
   * different value, invalid labels) that names the series; other staged samples are unaffected.
   * Returns the series reference to pass next time for the same label set.
   */
  append(ref: SeriesRef, labels: Labels, t: number, v: number): SeriesRef;
  /**
   * Stages one native histogram sample (float histogram semantics). Optional: storages without
   * native-histogram support leave it out. Same errors and return value as `append`.
   */
  appendHistogram?(ref: SeriesRef, labels: Labels, t: number, h: FloatHistogram): SeriesRef;
  /**
   * Stages one float sample with its start timestamp `st` (ms; the "created" time of a cumulative
   * counter, or the start of a delta sample's interval; 0 = unknown, same as `append`). Optional:
   * storages without start-timestamp support leave it out (callers then use `append`).
   */
  appendST?(ref: SeriesRef, labels: Labels, t: number, v: number, st: number): SeriesRef;
  /** `appendHistogram` with a start timestamp, as `appendST`. */
  appendHistogramST?(ref: SeriesRef, labels: Labels, t: number, h: FloatHistogram, st: number): SeriesRef;
  /** Metadata (HELP/TYPE/UNIT) for a metric family; optional to keep. */
  updateMetadata?(metricName: string, meta: MetricMetadata): void;
  /** Exemplar for a series; optional to keep. */
  appendExemplar?(ref: SeriesRef, labels: Labels, ex: Exemplar): void;
  /** Makes staged samples durable under the WAL sync policy; resolves once acknowledged. */
  commit(): Promise<void>;
  /** Drops staged samples. */
  rollback(): void;
}

export interface Appendable {
  appender(): Appender;
}

export interface MetricMetadata {
  type: 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown';
  help: string;
  unit: string;
}

export interface Exemplar {
  labels: Labels;
  value: number;
  ts?: number;
  /**
   * False when `ts` was filled in from the sample's timestamp (the exposition gave none). As in
   * Prometheus, two such exemplars are equal regardless of ts, so a re-scraped one is stored once.
   */
  hasTs?: boolean;
}

export type AppendErrorKind =
  | 'out_of_order'
  | 'out_of_bounds' // too old for the head
  | 'duplicate_sample_for_timestamp'
  | 'invalid_labels'
  | 'storage_full';

export class AppendError extends Error {
  constructor(
    readonly kind: AppendErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'AppendError';
  }
}

export interface SelectHints {
  /** Inclusive time range in ms the caller needs samples for. */
  start: number;
  end: number;
  /** Query step, if any (for downsampled reads). */
  step?: number;
  /** Function the selector sits in, e.g. "rate" (hint only). */
  func?: string;
}

/** One series in a select result; samples are decoded lazily. */
export interface Series {
  readonly labels: Labels;
  /** Samples with start <= t <= end, in time order; timestamps in ms. */
  samples(): SampleArrays;
  /** Native histogram samples with start <= t <= end, in time order (absent: none). */
  histograms?(): HistogramSamples;
  /**
   * Start timestamps (ms, 0 = unknown) parallel to `samples()`; absent or undefined when the
   * series has none in range (the common case: callers skip all start-timestamp work then).
   */
  startTimestamps?(): Float64Array | undefined;
}

/** Decoded native histogram samples of one series. */
export interface HistogramSamples {
  readonly t: Float64Array;
  readonly h: readonly FloatHistogram[];
  /** Start timestamps (ms, 0 = unknown) parallel to `h`; absent when none. */
  readonly st?: Float64Array;
}

export interface Querier {
  /** Series matching all matchers (at least one must not match the empty string), sorted by labels. */
  select(hints: SelectHints, matchers: readonly Matcher[]): Promise<Series[]>;
  /** Label names present on series matching the matchers (all series if none), sorted. */
  labelNames(matchers?: readonly Matcher[]): Promise<string[]>;
  /** Values of label `name` on series matching the matchers, sorted. */
  labelValues(name: string, matchers?: readonly Matcher[]): Promise<string[]>;
  close(): void;
}

export interface Queryable {
  /** A querier over [mint, maxt] (ms, inclusive). */
  querier(mint: number, maxt: number): Querier;
}

export interface Storage extends Appendable, Queryable {
  close(): Promise<void>;
}
