// Printing an AST back to PromQL text (as Prometheus's String()) and to the JSON shape of
// /api/v1/parse_query.
import { formatDuration } from '../config/duration.js';
import { METRIC_NAME } from '../model/labels.js';
import type { Matcher } from '../model/matchers.js';
import type { DurationExpr, Expr, VectorMatching } from './ast.js';
import { FUNCTIONS } from './functable.js';
import { goQuote } from './strings.js';
import { formatFloatF } from './goformat.js';

/** Go's %v for float64 (strconv 'g' shortest), as Prometheus prints number literals. */
export function formatNumber(v: number): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  // strconv 'g' with shortest precision: exponent form when exp < -4 || exp >= 21 is JSON's rule;
  // fmt's %v uses 6 as the threshold.
  const ex = v.toExponential();
  const exp = Number(ex.slice(ex.indexOf('e') + 1));
  let s = v === 0 ? '0' : exp < -4 || exp >= 6 ? ex : String(v);
  if (/e/.test(s) && !(exp < -4 || exp >= 6)) s = v.toFixed(Math.max(0, -exp + 20)).replace(/\.?0+$/, '');
  const m = /^(-?[\d.]+)e([+-])(\d+)$/.exec(s);
  if (m) return `${m[1]}e${m[2]}${m[3]!.padStart(2, '0')}`;
  return s;
}

function fmtDur(d: DurationExpr): string {
  if (d.kind === 'const') return d.ms < 0 ? '-' + formatDuration(-d.ms) : formatDuration(d.ms);
  return '(' + formatExpr(d.expr) + ')';
}

function matcherString(m: Matcher): string {
  const name = /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(m.name) ? m.name : goQuote(m.name);
  return `${name}${m.type}${goQuote(m.value)}`;
}

function atOffset(at: number | null, atMod: 'start' | 'end' | null, offset: DurationExpr | null): string {
  let s = '';
  if (atMod) s += ` @ ${atMod}()`;
  else if (at !== null) s += ` @ ${(at / 1000).toFixed(3)}`;
  if (offset && !(offset.kind === 'const' && offset.ms === 0)) s += ` offset ${fmtDur(offset)}`;
  return s;
}

function selectorBody(name: string, matchers: Matcher[]): string {
  const legacy = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name);
  const rest = matchers.filter((m) => !(name !== '' && m.name === METRIC_NAME && m.type === '=' && m.value === name));
  const parts = rest.map(matcherString);
  if (name !== '' && !legacy) return `{${[goQuote(name), ...parts].join(', ')}}`;
  return parts.length ? `${name}{${parts.join(', ')}}` : name;
}

function grouping(ls: string[]): string {
  return '(' + ls.map((l) => (/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(l) ? l : goQuote(l))).join(', ') + ')';
}

function matchingString(m: VectorMatching | null, setOp: boolean): string {
  if (!m) return '';
  let s = '';
  if (m.on || m.matchingLabels.length) s += ` ${m.on ? 'on' : 'ignoring'}${grouping(m.matchingLabels)}`;
  if (!setOp && (m.card === 'many-to-one' || m.card === 'one-to-many')) s += ` ${m.card === 'many-to-one' ? 'group_left' : 'group_right'}${grouping(m.include)}`;
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
    case 'NumberLiteral': return e.dur ?? formatNumber(e.val);
    case 'StringLiteral': return goQuote(e.val);
    case 'VectorSelector': return selectorBody(e.name, e.matchers) + (e.smoothed ? ' smoothed' : '') + atOffset(e.at, e.atMod, e.offset);
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
