// Errors raised by the parser and the engine, with Prometheus's wording.

/** A parse error at a character offset; message reads like Prometheus: "1:5: parse error: ...". */
export class PromQLParseError extends Error {
  readonly line: number;
  readonly col: number;
  constructor(
    readonly query: string,
    readonly pos: number,
    readonly detail: string,
  ) {
    const { line, col } = lineCol(query, pos);
    super(`${line}:${col}: parse error: ${detail}`);
    this.name = 'PromQLParseError';
    this.line = line;
    this.col = col;
  }
}

export function lineCol(query: string, pos: number): { line: number; col: number } {
  let line = 1, lastNl = -1;
  for (let i = 0; i < pos && i < query.length; i++) if (query.charCodeAt(i) === 10) { line++; lastNl = i; }
  return { line, col: pos - lastNl };
}

export type QueryErrorKind = 'execution' | 'timeout' | 'canceled' | 'bad_data' | 'too_many_samples';

/** An error during evaluation (maps to the API's errorType). */
export class QueryError extends Error {
  constructor(
    readonly kind: QueryErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

export const ERR_TOO_MANY_SAMPLES = 'query processing would load too many samples into memory in query execution';
