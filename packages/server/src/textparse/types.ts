// The pull-style parser seam shared by the Prometheus text and OpenMetrics parsers. A scrape loop
// calls next() per entry and reads the current entry through accessors, so a sample costs no
// object allocation unless the caller asks for its labels (on a series-cache miss).
import type { Labels } from '../model/labels.js';
import type { Exemplar, MetricMetadata } from '../storage/interface.js';

export type EntryType = 'series' | 'help' | 'type' | 'unit' | 'comment' | 'eof';

export type MetricType = MetricMetadata['type'];

export class ParseError extends Error {
  constructor(
    readonly line: number,
    readonly cause_: string,
  ) {
    super(`line ${line}: ${cause_}`);
    this.name = 'ParseError';
  }
}

export interface Parser {
  /** Advances to the next entry; throws ParseError naming the line and cause. */
  next(): EntryType;
  /** Raw text of the current series (name and label set as written); a stable cache key. */
  series(): string;
  /** Metric name of the current series, or of the current HELP/TYPE/UNIT entry. */
  metricName(): string;
  /** Sample value of the current series (bit-exact, NaN payloads kept as written). */
  value(): number;
  /** Explicit timestamp of the current series in ms, or undefined. */
  timestamp(): number | undefined;
  /** Label set of the current series, sorted, with __name__. Allocates; call on cache misses. */
  labels(): Labels;
  /** Text of the current HELP entry (unescaped). */
  help(): string;
  /** Type of the current TYPE entry. */
  type(): MetricType;
  /** Unit of the current UNIT entry. */
  unit(): string;
  /** Exemplar attached to the current series (OpenMetrics only). */
  exemplar(): Exemplar | undefined;
  /** 1-based line number of the current entry. */
  line(): number;
}
