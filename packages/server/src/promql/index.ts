// PromQL: parser, formatter and evaluation engine (reads only through storage's Querier).
export * from './ast.js';
export { parseExpr, parseMetricSelector, type ParseOptions } from './parser.js';
export { PromQLParseError, QueryError, type QueryErrorKind } from './errors.js';
export { Engine, type EngineOptions, type QueryOptions } from './engine.js';
export type { Value, Sample, MatrixSeries, QueryResult } from './value.js';
export { FUNCTIONS } from './functable.js';
export { formatExpr, prettyExpr, exprToJSON, formatNumber } from './format.js';
