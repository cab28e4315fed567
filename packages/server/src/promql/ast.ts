// PromQL abstract syntax tree. Positions are character offsets into the query text.
import type { Matcher } from '../model/matchers.js';
import { FUNCTIONS } from './functable.js';

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export interface PosRange {
  start: number;
  end: number;
}

/** A duration that is either a constant or (experimental) an expression over step()/range(). */
export type DurationExpr =
  | { kind: 'const'; ms: number; expr?: Expr }
  | { kind: 'expr'; expr: Expr; text?: string };

export interface NumberLiteral extends PosRange {
  type: 'NumberLiteral';
  val: number;
  /** Original spelling when it was a duration used as a number (e.g. `5m`). */
  dur?: string;
}

export interface StringLiteral extends PosRange {
  type: 'StringLiteral';
  val: string;
}

export interface VectorSelector extends PosRange {
  type: 'VectorSelector';
  name: string;
  matchers: Matcher[];
  offset: DurationExpr | null;
  /** Absolute evaluation time in ms for `@ <ts>`. */
  at: number | null;
  atMod: 'start' | 'end' | null;
  /** Resolved offset in ms (filled in by the engine's preparation step). */
  offsetMs?: number;
  /** Experimental `smoothed` instant selector: interpolates between neighbouring samples. */
  smoothed?: boolean;
}

export interface MatrixSelector extends PosRange {
  type: 'MatrixSelector';
  vs: VectorSelector;
  range: DurationExpr;
  anchored?: boolean;
  smoothed?: boolean;
  rangeMs?: number;
}

export interface SubqueryExpr extends PosRange {
  type: 'SubqueryExpr';
  expr: Expr;
  range: DurationExpr;
  step: DurationExpr | null;
  offset: DurationExpr | null;
  at: number | null;
  atMod: 'start' | 'end' | null;
  rangeMs?: number;
  stepMs?: number;
  offsetMs?: number;
}

export interface Call extends PosRange {
  type: 'Call';
  func: string;
  args: Expr[];
}

export type AggOp =
  | 'sum' | 'min' | 'max' | 'avg' | 'group' | 'stddev' | 'stdvar' | 'count' | 'count_values'
  | 'bottomk' | 'topk' | 'quantile' | 'limitk' | 'limit_ratio';

export interface AggregateExpr extends PosRange {
  type: 'AggregateExpr';
  op: AggOp;
  expr: Expr;
  param: Expr | null;
  grouping: string[];
  without: boolean;
  /** Whether `by`/`without` was written (for formatting). */
  hasGrouping: boolean;
}

export type BinOp =
  | '+' | '-' | '*' | '/' | '%' | '^' | 'atan2'
  | '==' | '!=' | '>' | '<' | '>=' | '<='
  /** Native histogram trim: keep observations below (`</`) or above (`>/`) a value. */
  | '</' | '>/'
  | 'and' | 'or' | 'unless';

export interface VectorMatching {
  card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  matchingLabels: string[];
  on: boolean;
  include: string[];
  /** Whether on()/ignoring() was written. */
  explicit: boolean;
  fillLeft?: number | null;
  fillRight?: number | null;
}

export interface BinaryExpr extends PosRange {
  type: 'BinaryExpr';
  op: BinOp;
  lhs: Expr;
  rhs: Expr;
  matching: VectorMatching | null;
  returnBool: boolean;
}

export interface UnaryExpr extends PosRange {
  type: 'UnaryExpr';
  op: '+' | '-';
  expr: Expr;
}

export interface ParenExpr extends PosRange {
  type: 'ParenExpr';
  expr: Expr;
}

/** Marker for `step()` / `range()` inside duration expressions. */
export interface DurationFunc extends PosRange {
  type: 'DurationFunc';
  func: 'step' | 'range' | 'start' | 'end';
}

export type Expr =
  | NumberLiteral | StringLiteral | VectorSelector | MatrixSelector | SubqueryExpr
  | Call | AggregateExpr | BinaryExpr | UnaryExpr | ParenExpr | DurationFunc;

export function isComparisonOp(op: BinOp): boolean {
  return op === '==' || op === '!=' || op === '>' || op === '<' || op === '>=' || op === '<=';
}

export function isSetOp(op: BinOp): boolean {
  return op === 'and' || op === 'or' || op === 'unless';
}

/** Static result type of an expression. */
export function exprType(e: Expr): ValueType {
  switch (e.type) {
    case 'NumberLiteral': return 'scalar';
    case 'StringLiteral': return 'string';
    case 'VectorSelector': return 'vector';
    case 'MatrixSelector': return 'matrix';
    case 'SubqueryExpr': return 'matrix';
    case 'Call': return funcReturnType(e.func);
    case 'AggregateExpr': return 'vector';
    case 'BinaryExpr': return exprType(e.lhs) === 'scalar' && exprType(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'UnaryExpr': return exprType(e.expr);
    case 'ParenExpr': return exprType(e.expr);
    case 'DurationFunc': return 'scalar';
  }
}

function funcReturnType(f: string): ValueType {
  return FUNCTIONS[f]?.ret ?? 'vector';
}

export function unwrapParens(e: Expr): Expr {
  while (e.type === 'ParenExpr') e = e.expr;
  return e;
}
