// Exposition parsers: Prometheus text 0.0.4 and OpenMetrics 1.0, chosen by Content-Type.
export { ParseError, type EntryType, type MetricType, type Parser } from './types.js';
export { BaseParser } from './base.js';
export { PromTextParser } from './promtext.js';
export { OpenMetricsParser } from './openmetrics.js';
export {
  SCRAPE_ACCEPT_HEADER, SCRAPE_ACCEPT_TEXT_ONLY, contentTypeFor, formatOf, mediaType, negotiateFormat, newParser,
  type ExpositionFormat,
} from './negotiate.js';
export { parseGoFloat, parseDecimalAt, intern } from './scan.js';
export { parseAll, type ParsedSample, type ParsedFamily } from './collect.js';
