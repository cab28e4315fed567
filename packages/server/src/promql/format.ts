// Printing an AST back to PromQL text (as Prometheus's String()) and to the JSON shape of
// /api/v1/parse_query.
import { formatDuration } from '../config/duration.js';
import { METRIC_NAME } from '../model/labels.js';
import type { Matcher } from '../model/matchers.js';
import type { DurationExpr, Expr, VectorMatching } from './ast.js';
import { FUNCTIONS } from './functable.js';
import { goQuote } from './strings.js';
import { formatFloatF } from './goformat.js';

/** Number literals print as Go's strconv.FormatFloat(v, 'f', -1, 64), as Prometheus does. */
export function formatNumber(v: number): string {
  return formatFloatF(v);
}

function fmtDur(d: DurationExpr): string {
  if (d.kind === 'const' && !d.expr) return d.ms < 0 ? '-' + formatDuration(-d.ms) : formatDuration(d.ms);
  return formatExpr(d.expr!);
}

function fmtOffset(d: DurationExpr): string {
  // A bare number/duration offset prints as a duration; expressions keep their (parenthesised) form.
  if (d.kind === 'const' && !d.expr) return d.ms < 0 ? '-' + formatDuration(-d.ms) : formatDuration(d.ms);
  const e = d.expr!;
  return e.type === 'ParenExpr' || e.type === 'NumberLiteral' || e.type === 'DurationFunc' || e.type === 'Call' ? formatExpr(e) : `(${formatExpr(e)})`;
}

function matcherString(m: Matcher): string {
  const name = /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(m.name) ? m.name : goQuote(m.name);
  return `${name}${m.type}${goQuote(m.value)}`;
}

function atStr(at: number | null, atMod: 'start' | 'end' | null): string {
  if (atMod) return ` @ ${atMod}()`;
  if (at !== null) return ` @ ${(at / 1000).toFixed(3)}`;
  return '';
}

function offsetStr(offset: DurationExpr | null): string {
  if (!offset || (offset.kind === 'const' && offset.ms === 0 && !offset.expr)) return '';
  return ` offset ${fmtOffset(offset)}`;
}

function atOffset(at: number | null, atMod: 'start' | 'end' | null, offset: DurationExpr | null): string {
  return atStr(at, atMod) + offsetStr(offset);
}

function selectorBody(name: string, matchers: Matcher[]): string {
  const legacy = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name);
  const rest = matchers.filter((m) => !(name !== '' && m.name === METRIC_NAME && m.type === '=' && m.value === name));
  const parts = rest.map(matcherString).sort();
  if (name !== '' && !legacy) return `{${[goQuote(name), ...parts].join(',')}}`;
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}

function grouping(ls: string[]): string {
  return '(' + ls.map((l) => (/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(l) ? l : goQuote(l))).join(', ') + ')';
}

function matchingString(m: VectorMatching | null, setOp: boolean): string {
  if (!m) return '';
  let s = '';
  if (m.on || m.matchingLabels.length) {
    s += ` ${m.on ? 'on' : 'ignoring'} (${m.matchingLabels.join(', ')})`;
    if (!setOp && (m.card === 'many-to-one' || m.card === 'one-to-many')) s += ` ${m.card === 'many-to-one' ? 'group_left' : 'group_right'} (${m.include.join(', ')})`;
  }
  if (m.fillLeft != null && m.fillRight != null && m.fillLeft === m.fillRight) s += ` fill(${formatNumber(m.fillLeft)})`;
  else {
    if (m.fillLeft != null) s += ` fill_left(${formatNumber(m.fillLeft)})`;
    if (m.fillRight != null) s += ` fill_right(${formatNumber(m.fillRight)})`;
  }
  return s;
}

/** Formats an expression as PromQL text (single line, Prometheus's canonical spacing). */
export function formatExpr(e: Expr): string {
  switch (e.type) {
    case 'NumberLiteral':
      if (e.dur !== undefined) return e.val < 0 ? '-' + formatDuration(Math.round(-e.val * 1000)) : formatDuration(Math.round(e.val * 1000));
      return formatNumber(e.val);
    case 'StringLiteral': return goQuote(e.val);
    case 'VectorSelector': return selectorBody(e.name, e.matchers) + atStr(e.at, e.atMod) + (e.smoothed ? ' smoothed' : '') + offsetStr(e.offset);
    case 'MatrixSelector': {
      const vs = e.vs;
      return `${selectorBody(vs.name, vs.matchers)}[${fmtDur(e.range)}]${e.anchored ? ' anchored' : e.smoothed ? ' smoothed' : ''}${atOffset(vs.at, vs.atMod, vs.offset)}`;
    }
    case 'SubqueryExpr':
      return `${formatExpr(e.expr)}[${fmtDur(e.range)}:${e.step ? fmtDur(e.step) : ''}]${atOffset(e.at, e.atMod, e.offset)}`;
    case 'Call': return `${e.func}(${e.args.map(formatExpr).join(', ')})`;
    case 'AggregateExpr': {
      let s = e.op;
      if (e.without) s += ` without ${grouping(e.grouping)} `;
      else if (e.grouping.length) s += ` by ${grouping(e.grouping)} `;
      return `${s}(${e.param ? formatExpr(e.param) + ', ' : ''}${formatExpr(e.expr)})`;
    }
    case 'BinaryExpr': {
      const setOp = e.op === 'and' || e.op === 'or' || e.op === 'unless';
      return `${formatExpr(e.lhs)} ${e.op}${e.returnBool ? ' bool' : ''}${matchingString(e.matching, setOp)} ${formatExpr(e.rhs)}`;
    }
    case 'UnaryExpr': return `${e.op}${formatExpr(e.expr)}`;
    case 'ParenExpr': return `(${formatExpr(e.expr)})`;
    case 'DurationFunc': return `${e.func}()`;
  }
}

const MAX_LINE = 100;
const ind = (level: number) => '  '.repeat(level);

/** Prometheus's Prettify: expressions longer than 100 characters are split over lines. */
export function prettyExpr(e: Expr, level = 0): string {
  const str = formatExpr(e);
  const split = str.length > MAX_LINE;
  switch (e.type) {
    case 'AggregateExpr': {
      if (!split) return ind(level) + str;
      let s = ind(level) + e.op;
      if (e.without) s += ` without ${grouping(e.grouping)} `;
      else if (e.grouping.length) s += ` by ${grouping(e.grouping)} `;
      s += '(\n';
      if (e.param) s += `${prettyExpr(e.param, level + 1)},\n`;
      return s + `${prettyExpr(e.expr, level + 1)}\n${ind(level)})`;
    }
    case 'BinaryExpr': {
      if (!split) return ind(level) + str;
      const setOp = e.op === 'and' || e.op === 'or' || e.op === 'unless';
      return `${prettyExpr(e.lhs, level + 1)}\n${ind(level)}${e.op}${e.returnBool ? ' bool' : ''}${matchingString(e.matching, setOp)}\n${prettyExpr(e.rhs, level + 1)}`;
    }
    case 'Call':
      if (!split) return ind(level) + str;
      return `${ind(level)}${e.func}(\n${e.args.map((a) => prettyExpr(a, level + 1)).join(',\n')}\n${ind(level)})`;
    case 'ParenExpr':
      if (!split) return ind(level) + str;
      return `${ind(level)}(\n${prettyExpr(e.expr, level + 1)}\n${ind(level)})`;
    case 'SubqueryExpr':
      if (!split) return str;
      return prettyExpr(e.expr, level) + str.slice(formatExpr(e.expr).length);
    case 'UnaryExpr':
      return `${ind(level)}${e.op}${prettyExpr(e.expr, level).trim()}`;
    default:
      return ind(level) + str;
  }
}

const typeName = (t: string) => (t === 'vector' ? 'vector' : t === 'matrix' ? 'matrix' : t);

function durMs(d: DurationExpr | null): number {
  return d && d.kind === 'const' ? d.ms : 0;
}

/** The AST as /api/v1/parse_query returns it. */
export function exprToJSON(e: Expr): unknown {
  switch (e.type) {
    case 'NumberLiteral': return { type: 'numberLiteral', val: formatFloatF(e.val) };
    case 'StringLiteral': return { type: 'stringLiteral', val: e.val };
    case 'VectorSelector':
      return {
        type: 'vectorSelector', name: e.name, offset: durMs(e.offset),
        matchers: e.matchers.map((m) => ({ type: m.type, name: m.name, value: m.value })),
        timestamp: e.atMod ? null : e.at, startOrEnd: e.atMod ?? null,
      };
    case 'MatrixSelector':
      return {
        type: 'matrixSelector', name: e.vs.name, range: durMs(e.range), offset: durMs(e.vs.offset),
        matchers: e.vs.matchers.map((m) => ({ type: m.type, name: m.name, value: m.value })),
        timestamp: e.vs.atMod ? null : e.vs.at, startOrEnd: e.vs.atMod ?? null,
      };
    case 'SubqueryExpr':
      return {
        type: 'subquery', expr: exprToJSON(e.expr), range: durMs(e.range), offset: durMs(e.offset), step: durMs(e.step),
        timestamp: e.atMod ? null : e.at, startOrEnd: e.atMod ?? null,
      };
    case 'Call': {
      const sig = FUNCTIONS[e.func];
      return {
        type: 'call',
        func: { name: e.func, argTypes: (sig?.args ?? []).map(typeName), variadic: sig?.variadic ? -1 : sig?.optional ?? 0, returnType: typeName(sig?.ret ?? 'scalar') },
        args: e.args.map(exprToJSON),
      };
    }
    case 'AggregateExpr':
      return { type: 'aggregation', op: e.op, expr: exprToJSON(e.expr), param: e.param ? exprToJSON(e.param) : null, grouping: e.hasGrouping ? e.grouping : null, without: e.without };
    case 'BinaryExpr':
      return {
        type: 'binaryExpr', op: e.op, lhs: exprToJSON(e.lhs), rhs: exprToJSON(e.rhs),
        matching: e.matching ? { card: e.matching.card, labels: e.matching.explicit ? e.matching.matchingLabels : null, on: e.matching.on, include: e.matching.include.length ? e.matching.include : null } : null,
        bool: e.returnBool,
      };
    case 'UnaryExpr': return { type: 'unaryExpr', op: e.op, expr: exprToJSON(e.expr) };
    case 'ParenExpr': return { type: 'parenExpr', expr: exprToJSON(e.expr) };
    case 'DurationFunc': return { type: 'call', func: { name: e.func, argTypes: [], variadic: 0, returnType: 'scalar' }, args: [] };
  }
}
