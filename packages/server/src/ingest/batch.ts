// Appending one request's samples: validates label sets, keeps going past bad samples (each
// counted and, up to a limit, named in the response), and never drops good ones silently.
import { labelsToString, METRIC_NAME, type Label, type Labels } from '../model/labels.js';
import { AppendError, type Appender, type Exemplar, type MetricMetadata, type SeriesRef } from '../storage/interface.js';
import type { FloatHistogram } from '../model/histogram.js';

/** Sorts, drops empty values, rejects empty or duplicate names. Returns an error string if invalid. */
export function normalizeLabels(ls: Label[]): Labels | string {
  let sorted = true;
  let empties = false;
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (l.value === '') empties = true;
    if (i > 0 && ls[i - 1]!.name >= l.name) sorted = false;
  }
  let out: Label[] = ls;
  if (empties) out = out.filter((l) => l.value !== '');
  if (!sorted) {
    if (out === ls) out = ls.slice();
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  if (out.length === 0) return 'series has no labels';
  for (let i = 0; i < out.length; i++) {
    const l = out[i]!;
    if (l.name === '') return `empty label name in ${labelsToString(out)}`;
    if (i > 0 && out[i - 1]!.name === l.name) return `duplicate label name ${JSON.stringify(l.name)} in ${labelsToString(out)}`;
  }
  return out;
}

export class BatchAppend {
  accepted = 0;
  rejected = 0;
  exemplarsAccepted = 0;
  exemplarsRejected = 0;
  metadata = 0;
  /** Error messages, at most `maxErrors`; `errorCount` counts all. */
  readonly errors: string[] = [];
  errorCount = 0;
  /** True once any rejection is bad data (400) rather than e.g. storage full. */
  badData = false;
  storageFull = false;

  constructor(
    readonly app: Appender,
    readonly maxErrors = 10,
  ) {}

  error(msg: string, samples = 0): void {
    this.rejected += samples;
    this.errorCount++;
    if (this.errors.length < this.maxErrors) this.errors.push(msg);
  }

  /** Appends samples [start, end) of t/v to one series; returns the last ref. */
  series(labels: Labels, t: Float64Array, v: Float64Array, start: number, end: number, ref: SeriesRef = 0): SeriesRef {
    let firstErr = true;
    for (let i = start; i < end; i++) {
      try {
        ref = this.app.append(ref, labels, t[i]!, v[i]!);
        this.accepted++;
      } catch (e) {
        if (!(e instanceof AppendError)) throw e;
        if (e.kind === 'storage_full') this.storageFull = true;
        else this.badData = true;
        // name each series once, count every sample
        if (firstErr) this.error(`${e.message} (series ${labelsToString(labels)}, timestamp ${t[i]})`, 1);
        else this.rejected++;
        firstErr = false;
      }
    }
    return ref;
  }

  /** Appends one native histogram sample (bad data if the storage cannot hold histograms). */
  histogram(labels: Labels, t: number, h: FloatHistogram, ref: SeriesRef = 0): SeriesRef {
    if (!this.app.appendHistogram) {
      this.invalid(`native histogram samples are not supported by this storage (series ${labelsToString(labels)})`, 1);
      return ref;
    }
    try {
      ref = this.app.appendHistogram(ref, labels, t, h);
      this.accepted++;
    } catch (e) {
      if (!(e instanceof AppendError)) throw e;
      if (e.kind === 'storage_full') this.storageFull = true;
      else this.badData = true;
      this.error(`${e.message} (series ${labelsToString(labels)}, timestamp ${t})`, 1);
    }
    return ref;
  }

  /** Appends a single sample. */
  one(labels: Labels, t: number, v: number, ref: SeriesRef = 0): SeriesRef {
    try {
      ref = this.app.append(ref, labels, t, v);
      this.accepted++;
    } catch (e) {
      if (!(e instanceof AppendError)) throw e;
      if (e.kind === 'storage_full') this.storageFull = true;
      else this.badData = true;
      this.error(`${e.message} (series ${labelsToString(labels)}, timestamp ${t})`, 1);
    }
    return ref;
  }

  /** Rejects samples of an invalid series (bad labels etc.) as bad data. */
  invalid(msg: string, samples: number): void {
    this.badData = true;
    this.error(msg, samples);
  }

  exemplar(ref: SeriesRef, labels: Labels, ex: Exemplar): void {
    if (!this.app.appendExemplar) return;
    try {
      this.app.appendExemplar(ref, labels, ex);
      this.exemplarsAccepted++;
    } catch {
      this.exemplarsRejected++; // as Prometheus: exemplar errors never fail the request
    }
  }

  meta(name: string, m: MetricMetadata): void {
    this.metadata++;
    this.app.updateMetadata?.(name, m);
  }

  /** One-line summary for responses and logs. */
  summary(): string {
    const more = this.errorCount > this.errors.length ? `; and ${this.errorCount - this.errors.length} more errors` : '';
    return `${this.rejected} samples rejected, ${this.accepted} accepted: ${this.errors.join('; ')}${more}`;
  }
}

export function metricNameOf(ls: Labels): string {
  for (const l of ls) if (l.name === METRIC_NAME) return l.value;
  return '';
}
