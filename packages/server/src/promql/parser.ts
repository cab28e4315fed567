// Recursive-descent / precedence-climbing PromQL parser producing the AST in ast.ts.
import { newMatcher, type Matcher, type MatchType } from '../model/matchers.js';
import {
  exprType, unwrapParens, isComparisonOp, isSetOp,
  type AggOp, type BinOp, type DurationExpr, type Expr, type MatrixSelector, type NumberLiteral,
  type SubqueryExpr, type ValueType, type VectorMatching, type VectorSelector,
} from './ast.js';
import { PromQLParseError } from './errors.js';
import { FUNCTIONS } from './functable.js';
import { lex, type Token } from './lexer.js';

export const AGGREGATORS: ReadonlySet<string> = new Set([
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values',
  'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio',
]);
const PARAM_AGGS = new Set(['count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);

const PREC: Record<string, number> = {
  or: 1, and: 2, unless: 2,
  '==': 3, '!=': 3, '<=': 3, '<': 3, '>=': 3, '>': 3, '</': 3, '>/': 3,
  '+': 4, '-': 4,
  '*': 5, '/': 5, '%': 5, atan2: 5,
  '^': 6,
};
const KEYWORDS = new Set(['and', 'or', 'unless', 'atan2', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset']);

export interface ParseOptions {
  /** Allow experimental functions/aggregators/syntax (default true, as Prometheus 3 with flags). */
  experimental?: boolean;
}

const typeName = (t: ValueType): string =>
  t === 'vector' ? 'instant vector' : t === 'matrix' ? 'range vector' : t;

class Parser {
  private toks: Token[];
  private i = 0;
  private parenDepth = 0;
  /** info()'s second argument may be a selector whose matchers all match the empty string. */
  private relaxSelectors = false;
  constructor(
    private q: string,
    private opts: ParseOptions,
  ) {
    this.toks = lex(q);
  }

  err(pos: number, msg: string): never {
    throw new PromQLParseError(this.q, pos, msg);
  }
  peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }
  next(): Token {
    return this.toks[this.i++]!;
  }
  isOp(t: Token, s: string): boolean {
    return t.kind === 'OP' && t.text === s;
  }
  isKw(t: Token, s: string): boolean {
    return t.kind === 'IDENT' && t.text.toLowerCase() === s;
  }
  expectOp(s: string, ctx: string): Token {
    const t = this.next();
    if (!this.isOp(t, s)) this.unexpected(t, ctx, `"${s}"`);
    return t;
  }
  describe(t: Token): string {
    if (t.kind === 'EOF') return 'end of input';
    if (t.kind === 'NUM') return `number "${t.text}"`;
    if (t.kind === 'DUR') return `duration "${t.text}"`;
    if (t.kind === 'STR') return `string ${t.text.startsWith('"') ? t.text : JSON.stringify(t.str)}`;
    if (t.kind === 'IDENT') {
      const low = t.text.toLowerCase();
      if (low === 'and' || low === 'or' || low === 'unless' || low === 'atan2') return `<op:${low}>`;
      if (AGGREGATORS.has(low)) return `<aggr:${low}>`;
      if (KEYWORDS.has(low)) return `<${low}>`;
      return `identifier "${t.text}"`;
    }
    switch (t.text) {
      case '(': return '"("';
      case ')': return '")"';
      case '{': return '"{"';
      case '}': return '"}"';
      case '[': return '"["';
      case ']': return '"]"';
      case ',': return '","';
      case ':': return '":"';
      case '@': return '"@"';
      case '=': return '"="';
    }
    return `<op:${t.text}>`;
  }
  unexpected(t: Token, ctx?: string, expected?: string): never {
    if (t.kind === 'EOF' && this.parenDepth > 0 && ctx === undefined) this.err(t.pos, 'unclosed left parenthesis');
    let msg = `unexpected ${this.describe(t)}`;
    if (ctx) msg += ` in ${ctx}`;
    if (expected) msg += `, expected ${expected}`;
    this.err(t.pos, msg);
  }

  parseTop(): Expr {
    if (this.peek().kind === 'EOF') this.err(0, 'no expression found in input');
    const e = this.parseExpr(0);
    const t = this.peek();
    if (t.kind !== 'EOF') {
      if (this.isOp(t, ')')) this.err(t.end, 'unexpected right parenthesis \')\'');
      if (this.isOp(t, ']')) this.err(t.end, 'unexpected right bracket \']\'');
      if (this.isOp(t, '}')) this.err(t.end, 'unexpected right brace \'}\'');
      this.unexpected(t);
    }
    return e;
  }

  binOpAt(t: Token): BinOp | null {
    if (t.kind === 'OP' && t.text in PREC) return t.text as BinOp;
    if (t.kind === 'IDENT') {
      const l = t.text.toLowerCase();
      if (l === 'and' || l === 'or' || l === 'unless' || l === 'atan2') return l;
    }
    return null;
  }

  parseExpr(minPrec: number): Expr {
    let lhs = this.parseUnary();
    for (;;) {
      const t = this.peek();
      const op = this.binOpAt(t);
      if (!op) break;
      const prec = PREC[op]!;
      if (prec < minPrec) break;
      this.next();
      const { returnBool, matching } = this.parseBinModifiers(op);
      const rhs = this.parseExpr(op === '^' ? prec : prec + 1);
      lhs = this.makeBinary(op, lhs, rhs, returnBool, matching, t.pos);
    }
    return lhs;
  }

  parseLabelList(ctx: string): string[] {
    this.expectOp('(', ctx);
    const out: string[] = [];
    for (;;) {
      const t = this.next();
      if (this.isOp(t, ')')) break;
      if (t.kind === 'IDENT' && !t.text.includes(':')) out.push(t.text);
      else if (t.kind === 'STR') out.push(t.str!);
      else this.unexpected(t, 'grouping opts', '")" or identifier');
      const s = this.next();
      if (this.isOp(s, ')')) break;
      if (!this.isOp(s, ',')) this.unexpected(s, 'grouping opts', '"," or ")"');
    }
    return out;
  }

  parseFillValue(): number {
    this.expectOp('(', 'fill modifier');
    let sign = 1;
    if (this.isOp(this.peek(), '-')) { this.next(); sign = -1; } else if (this.isOp(this.peek(), '+')) this.next();
    const t = this.next();
    if (t.kind !== 'NUM' && t.kind !== 'DUR') this.unexpected(t, 'fill modifier', 'number');
    this.expectOp(')', 'fill modifier');
    return sign * (t.kind === 'DUR' ? t.num! / 1000 : t.num!);
  }

  parseBinModifiers(op: BinOp): { returnBool: boolean; matching: VectorMatching } {
    let returnBool = false;
    const matching: VectorMatching = {
      card: isSetOp(op) ? 'many-to-many' : 'one-to-one', matchingLabels: [], on: false, include: [], explicit: false,
    };
    if (this.isKw(this.peek(), 'bool')) {
      this.next();
      returnBool = true;
    }
    const t = this.peek();
    if (this.isKw(t, 'on') || this.isKw(t, 'ignoring')) {
      this.next();
      matching.on = t.text.toLowerCase() === 'on';
      matching.explicit = true;
      matching.matchingLabels = this.parseLabelList('grouping opts');
      const g = this.peek();
      if (this.isKw(g, 'group_left') || this.isKw(g, 'group_right')) {
        this.next();
        matching.card = g.text.toLowerCase() === 'group_left' ? 'many-to-one' : 'one-to-many';
        if (this.isOp(this.peek(), '(')) matching.include = this.parseLabelList('grouping opts');
      }
    } else if (this.isKw(t, 'group_left') || this.isKw(t, 'group_right')) {
      this.err(t.pos, `unexpected <${t.text.toLowerCase()}>`);
    }
    // Experimental fill modifiers.
    for (;;) {
      const f = this.peek();
      const fl = f.kind === 'IDENT' ? f.text.toLowerCase() : '';
      if ((fl === 'fill' || fl === 'fill_left' || fl === 'fill_right') && this.isOp(this.peek(1), '(')) {
        this.next();
        const v = this.parseFillValue();
        if (fl === 'fill' || fl === 'fill_left') matching.fillLeft = v;
        if (fl === 'fill' || fl === 'fill_right') matching.fillRight = v;
        continue;
      }
      break;
    }
    return { returnBool, matching };
  }

  makeBinary(op: BinOp, lhs: Expr, rhs: Expr, returnBool: boolean, matching: VectorMatching, pos: number): Expr {
    const lt = exprType(lhs), rt = exprType(rhs);
    const e: Expr = { type: 'BinaryExpr', op, lhs, rhs, matching: null, returnBool, start: lhs.start, end: rhs.end };
    if (returnBool && !isComparisonOp(op)) this.err(pos, 'bool modifier can only be used on comparison operators');
    if ((lt !== 'scalar' && lt !== 'vector') || (rt !== 'scalar' && rt !== 'vector')) {
      const bad = lt !== 'scalar' && lt !== 'vector' ? lhs : rhs;
      this.err(bad.start, 'binary expression must contain only scalar and instant vector types');
    }
    if (isComparisonOp(op) && !returnBool && lt === 'scalar' && rt === 'scalar') this.err(pos, 'comparisons between scalars must use BOOL modifier');
    if (isSetOp(op)) {
      if (lt === 'scalar' || rt === 'scalar') this.err(lhs.start, `set operator "${op}" not allowed in binary scalar expression`);
      if (matching.card === 'many-to-one' || matching.card === 'one-to-many') this.err(lhs.start, `no grouping allowed for "${op}" operation`);
    }
    if (lt === 'vector' && rt === 'vector') {
      e.matching = matching;
      if (matching.card !== 'one-to-one' && matching.card !== 'many-to-many' && matching.on) {
        for (const l of matching.include) if (matching.matchingLabels.includes(l)) this.err(pos, `label "${l}" must not occur in ON and GROUP clause at once`);
      }
    } else if (matching.explicit || matching.card === 'many-to-one' || matching.card === 'one-to-many') {
      this.err(lhs.start, 'vector matching only allowed between instant vectors');
    } else if (matching.fillLeft !== undefined || matching.fillRight !== undefined) {
      this.err(lhs.start, 'filling only allowed between instant vectors');
    }
    return e;
  }

  parseUnary(): Expr {
    const t = this.peek();
    if (this.isOp(t, '-') || this.isOp(t, '+')) {
      this.next();
      const operand = this.parseExpr(PREC['^']!);
      const ot = exprType(operand);
      if (operand.type === 'NumberLiteral') {
        if (t.text === '-') operand.val = -operand.val;
        if (operand.dur !== undefined && t.text === '-') operand.dur = '-' + operand.dur;
        operand.start = t.pos;
        return operand;
      }
      if (ot !== 'scalar' && ot !== 'vector') this.err(t.pos, `unary expression only allowed on expressions of type scalar or instant vector, got "${ot === 'matrix' ? 'range vector' : ot}"`);
      return { type: 'UnaryExpr', op: t.text as '+' | '-', expr: operand, start: t.pos, end: operand.end };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  parsePrimary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'NUM':
        return { type: 'NumberLiteral', val: t.num!, start: t.pos, end: t.end };
      case 'DUR':
        return { type: 'NumberLiteral', val: t.num! / 1000, dur: t.text, start: t.pos, end: t.end };
      case 'STR':
        if (this.isOp(this.peek(), '{')) this.unexpected(this.peek());
        return { type: 'StringLiteral', val: t.str!, start: t.pos, end: t.end };
      case 'OP':
        if (t.text === '(') {
          this.parenDepth++;
          if (this.isOp(this.peek(), ')')) this.unexpected(this.peek(), 'paren expression');
          const e = this.parseExpr(0);
          const c = this.next();
          if (!this.isOp(c, ')')) {
            if (c.kind === 'EOF') this.err(c.pos, 'unclosed left parenthesis');
            this.unexpected(c, 'paren expression', '")"');
          }
          this.parenDepth--;
          return { type: 'ParenExpr', expr: e, start: t.pos, end: c.end };
        }
        if (t.text === '{') return this.parseSelector('', t.pos);
        if (t.text === ')') this.err(t.end, 'unexpected right parenthesis \')\'');
        return this.unexpected(t);
      case 'IDENT':
        return this.parseIdentExpr(t);
      case 'EOF':
        if (this.parenDepth > 0) this.err(t.pos, 'unclosed left parenthesis');
        return this.err(t.pos, 'unexpected end of input');
    }
  }

  parseIdentExpr(t: Token): Expr {
    const low = t.text.toLowerCase();
    const nt = this.peek();
    if (AGGREGATORS.has(low) && (this.isOp(nt, '(') || this.isKw(nt, 'by') || this.isKw(nt, 'without'))) return this.parseAggregate(t, low as AggOp);
    if (this.isOp(nt, '(') && KEYWORDS.has(low)) this.unexpected(t);
    if (this.isOp(nt, '(')) {
      if (low === 'step' || low === 'range' || low === 'min_of' || low === 'max_of' || low === 'start' || low === 'end') return this.parseDurationCall(t);
      if (!(t.text in FUNCTIONS)) this.err(t.pos, `unknown function with name "${t.text}"`);
      return this.parseCall(t);
    }
    if (KEYWORDS.has(low) || AGGREGATORS.has(low)) this.unexpected(t);
    if (this.isOp(nt, '{')) {
      this.next();
      return this.parseSelector(t.text, t.pos);
    }
    return this.finishSelector(t.text, [], t.pos, t.end);
  }

  parseDurationCall(t: Token): Expr {
    const low = t.text.toLowerCase();
    this.expectOp('(', 'duration expression');
    if (low === 'step' || low === 'range' || low === 'start' || low === 'end') {
      const c = this.expectOp(')', `${low}()`);
      return { type: 'DurationFunc', func: low, start: t.pos, end: c.end };
    }
    const args: Expr[] = [this.parseExpr(0)];
    this.expectOp(',', `${low}()`);
    args.push(this.parseExpr(0));
    const c = this.expectOp(')', `${low}()`);
    return { type: 'Call', func: low, args, start: t.pos, end: c.end };
  }

  parseCall(t: Token): Expr {
    const name = t.text;
    const sig = FUNCTIONS[name]!;
    if (sig.experimental && this.opts.experimental === false) this.err(t.pos, `function "${name}" is not enabled`);
    this.next(); // (
    this.parenDepth++;
    const args: Expr[] = [];
    if (!this.isOp(this.peek(), ')')) {
      for (;;) {
        const relax = this.relaxSelectors;
        if (name === 'info' && args.length === 1) this.relaxSelectors = true;
        try {
          args.push(this.parseExpr(0));
        } finally {
          this.relaxSelectors = relax;
        }
        const s = this.peek();
        if (this.isOp(s, ',')) {
          this.next();
          if (this.isOp(this.peek(), ')')) break; // trailing comma
          continue;
        }
        if (this.isOp(s, ')')) break;
        if (s.kind === 'EOF') this.err(s.pos, 'unclosed left parenthesis');
        this.unexpected(s, 'function call', '")" or ","');
      }
    }
    const c = this.next();
    this.parenDepth--;
    const e: Expr = { type: 'Call', func: name, args, start: t.pos, end: c.end };
    this.checkCall(e.func, args, t.pos);
    return e;
  }

  checkCall(name: string, args: Expr[], pos: number): void {
    const sig = FUNCTIONS[name]!;
    const n = args.length;
    const min = sig.args.length - (sig.optional ?? 0);
    if (sig.variadic) {
      if (n < sig.args.length - (name === 'label_join' || name.startsWith('sort_by') ? 1 : 0)) this.err(pos, `expected at least ${sig.args.length - (name === 'label_join' || name.startsWith('sort_by') ? 1 : 0)} argument(s) in call to "${name}", got ${n}`);
    } else if (n < min || n > sig.args.length) {
      const exp = sig.optional ? (n < min ? `at least ${min}` : `at most ${sig.args.length}`) : String(sig.args.length);
      this.err(pos, `expected ${exp} argument(s) in call to "${name}", got ${n}`);
    }
    for (let k = 0; k < n; k++) {
      const want = sig.args[Math.min(k, sig.args.length - 1)]!;
      const got = exprType(args[k]!);
      if (got !== want) {
        this.err(args[k]!.start, `expected type ${typeName(want)} in call to function "${name}", got ${typeName(got)}`);
      }
    }
  }

  parseAggregate(t: Token, op: AggOp): Expr {
    if ((op === 'limitk' || op === 'limit_ratio') && this.opts.experimental === false) this.err(t.pos, `limitk() and limit_ratio() are experimental and must be enabled with --enable-feature=promql-experimental-functions`);
    let grouping: string[] = [];
    let without = false, hasGrouping = false;
    const mod = () => {
      const m = this.peek();
      if (this.isKw(m, 'by') || this.isKw(m, 'without')) {
        this.next();
        without = m.text.toLowerCase() === 'without';
        hasGrouping = true;
        grouping = this.parseLabelList('grouping opts');
        return true;
      }
      return false;
    };
    const before = mod();
    const open = this.next();
    if (!this.isOp(open, '(')) this.unexpected(open, 'aggregation', '"("');
    this.parenDepth++;
    const args: Expr[] = [];
    if (!this.isOp(this.peek(), ')')) {
      for (;;) {
        args.push(this.parseExpr(0));
        const s = this.peek();
        if (this.isOp(s, ',')) {
          this.next();
          if (this.isOp(this.peek(), ')')) break;
          continue;
        }
        if (this.isOp(s, ')')) break;
        if (s.kind === 'EOF') this.err(s.pos, 'unclosed left parenthesis');
        this.unexpected(s, 'aggregation', '")" or ","');
      }
    }
    const close = this.next();
    this.parenDepth--;
    let end = close.end;
    if (!before && mod()) end = this.toks[this.i - 1]!.end;
    else if (before && (this.isKw(this.peek(), 'by') || this.isKw(this.peek(), 'without'))) this.unexpected(this.peek());
    const want = PARAM_AGGS.has(op) ? 2 : 1;
    if (args.length !== want) this.err(t.pos, `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`);
    const expr = args[want - 1]!;
    const param = want === 2 ? args[0]! : null;
    const et = exprType(expr);
    if (et !== 'vector') this.err(expr.start, `expected type instant vector in aggregation expression, got ${typeName(et)}`);
    if (param) {
      const pt = exprType(param);
      const wantT = op === 'count_values' ? 'string' : 'scalar';
      if (pt !== wantT) this.err(param.start, `expected type ${typeName(wantT)} in aggregation parameter, got ${typeName(pt)}`);
    }
    return { type: 'AggregateExpr', op, expr, param, grouping, without, hasGrouping, start: t.pos, end };
  }

  parseSelector(name: string, start: number): Expr {
    const matchers: Matcher[] = [];
    let metricName = name;
    for (;;) {
      const t = this.next();
      if (this.isOp(t, '}')) {
        return this.finishSelector(metricName, matchers, start, t.end);
      }
      let lname: string;
      if (t.kind === 'IDENT') lname = t.text;
      else if (t.kind === 'STR') {
        const after = this.peek();
        if (this.isOp(after, ',') || this.isOp(after, '}')) {
          // A bare quoted string in braces is the metric name (UTF-8 names).
          if (metricName !== '') this.err(t.pos, `metric name must not be set twice: "${metricName}" or "${t.str}"`);
          metricName = t.str!;
          if (this.isOp(after, ',')) this.next();
          continue;
        }
        lname = t.str!;
      } else if (t.kind === 'EOF') this.err(t.pos, 'unexpected end of input inside braces');
      else this.unexpected(t, 'label matching', 'identifier or "}"');
      const opTok = this.next();
      if (opTok.kind !== 'OP' || !['=', '!=', '=~', '!~'].includes(opTok.text)) {
        if (opTok.kind === 'EOF') this.err(opTok.pos, 'unexpected end of input inside braces');
        this.unexpected(opTok, 'label matching', 'label matching operator');
      }
      const v = this.next();
      if (v.kind !== 'STR') this.unexpected(v, 'label matching', 'string');
      let m: Matcher;
      try {
        m = newMatcher(opTok.text as MatchType, lname, v.str!);
      } catch (e) {
        return this.err(t.pos, goRegexpError(v.str!, (e as Error).message));
      }
      matchers.push(m);
      const s = this.next();
      if (this.isOp(s, '}')) return this.finishSelector(metricName, matchers, start, s.end);
      if (!this.isOp(s, ',')) {
        if (s.kind === 'EOF') this.err(s.pos, 'unexpected end of input inside braces');
        this.unexpected(s, 'label matching', '"," or "}"');
      }
    }
  }

  finishSelector(name: string, matchers: Matcher[], start: number, end: number): VectorSelector {
    const all = matchers.slice();
    if (name !== '') {
      for (const m of all) if (m.name === '__name__') this.err(start, `metric name must not be set twice: "${name}" or "${m.value}"`);
      all.unshift(newMatcher('=', '__name__', name));
    }
    if (!this.relaxSelectors && !all.some((m) => !(m.re ? m.re.test('') === (m.type === '=~') : (m.type === '=') === (m.value === '')))) {
      this.err(start, 'vector selector must contain at least one non-empty matcher');
    }
    return { type: 'VectorSelector', name, matchers: all, offset: null, at: null, atMod: null, start, end };
  }

  /** Parses a duration expression inside [...] or after offset; returns const when possible. */
  parseDurationExpr(full: boolean): DurationExpr {
    const t = this.peek();
    let e: Expr;
    if (full) e = this.parseExpr(0);
    else {
      // After `offset`: a signed atom only.
      let sign = 1;
      if (this.isOp(t, '-') || this.isOp(t, '+')) {
        this.next();
        if (t.text === '-') sign = -1;
      }
      const a = this.peek();
      let atom: Expr;
      if (a.kind === 'DUR' || a.kind === 'NUM') {
        this.next();
        atom = { type: 'NumberLiteral', val: a.kind === 'DUR' ? a.num! / 1000 : a.num!, dur: a.kind === 'DUR' ? a.text : undefined, start: a.pos, end: a.end };
      } else if (this.isOp(a, '(')) {
        this.next();
        const inner = this.parseExpr(0);
        const c = this.expectOp(')', 'offset');
        atom = { type: 'ParenExpr', expr: inner, start: a.pos, end: c.end };
      } else if (a.kind === 'IDENT' && ['step', 'range', 'min_of', 'max_of'].includes(a.text.toLowerCase()) && this.isOp(this.peek(1), '(')) {
        this.next();
        atom = this.parseDurationCall(a);
      } else return this.unexpected(a, 'offset', 'duration');
      e = sign < 0 ? (atom.type === 'NumberLiteral' ? { ...atom, val: -atom.val, dur: atom.dur ? '-' + atom.dur : undefined, start: t.pos } : { type: 'UnaryExpr', op: '-', expr: atom, start: t.pos, end: atom.end }) : atom;
    }
    this.checkDurationExpr(e);
    if (e.type === 'NumberLiteral') {
      return { kind: 'const', ms: durMs(e.val, this, e.start) };
    }
    // Constant expressions are folded; the expression is kept for printing.
    if (!hasDurationFunc(e)) return { kind: 'const', ms: durMs(evalDurationSeconds(e, 0, 0), this, e.start), expr: e };
    return { kind: 'expr', expr: e, text: this.q.slice(e.start, e.end) };
  }

  checkDurationExpr(e: Expr): void {
    switch (e.type) {
      case 'NumberLiteral': case 'DurationFunc': return;
      case 'ParenExpr': case 'UnaryExpr': return this.checkDurationExpr(e.expr);
      case 'BinaryExpr':
        if (!['+', '-', '*', '/', '%', '^'].includes(e.op)) this.err(e.start, `unexpected <op:${e.op}> in duration expression`);
        this.checkDurationExpr(e.lhs);
        this.checkDurationExpr(e.rhs);
        return;
      case 'Call':
        if (e.func === 'min_of' || e.func === 'max_of') { e.args.forEach((a) => this.checkDurationExpr(a)); return; }
    }
    this.err(e.start, 'unexpected expression in duration expression');
  }

  parsePostfix(e: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (this.isOp(t, '[')) {
        this.next();
        if (this.peek().kind === 'EOF') this.err(this.peek().pos, 'unclosed left bracket');
        const rangeTok = this.peek();
        const range = this.parseDurationExpr(true);
        const s = this.next();
        if (s.kind === 'EOF') this.err(s.pos, 'unclosed left bracket');
        if (this.isOp(s, ':')) {
          let step: DurationExpr | null = null;
          if (!this.isOp(this.peek(), ']')) step = this.parseDurationExpr(true);
          const c = this.next();
          if (!this.isOp(c, ']')) this.unexpected(c, 'subquery selector', '"]"');
          const et = exprType(e);
          if (et !== 'vector') this.err(e.start, `subquery is only allowed on instant vector, got ${typeName(et)} instead`);
          if (range.kind === 'const' && range.ms <= 0) this.err(rangeTok.pos, `duration must be greater than 0`);
          const sq: SubqueryExpr = { type: 'SubqueryExpr', expr: e, range, step, offset: null, at: null, atMod: null, start: e.start, end: c.end };
          e = sq;
          continue;
        }
        if (!this.isOp(s, ']')) this.unexpected(s, 'matrix selector', '"]"');
        if (e.type !== 'VectorSelector') this.err(t.pos, 'ranges only allowed for vector selectors');
        if (e.offset || e.at !== null || e.atMod) this.err(t.pos, 'no offset modifiers allowed before range');
        if (range.kind === 'const' && range.ms <= 0) this.err(rangeTok.pos, 'duration must be greater than 0');
        const ms: MatrixSelector = { type: 'MatrixSelector', vs: e, range, start: e.start, end: s.end };
        e = ms;
        continue;
      }
      // Experimental extended range selectors: `anchored` / `smoothed` after a range selector.
      if (this.isKw(t, 'smoothed') && e.type === 'VectorSelector' && !e.smoothed) {
        this.next();
        e.smoothed = true;
        e.end = t.end;
        continue;
      }
      if ((this.isKw(t, 'anchored') || this.isKw(t, 'smoothed')) && e.type === 'MatrixSelector') {
        this.next();
        if (e.anchored || e.smoothed) this.err(t.pos, 'anchored or smoothed may only be set once');
        if (t.text.toLowerCase() === 'anchored') e.anchored = true;
        else e.smoothed = true;
        e.end = t.end;
        continue;
      }
      if (this.isKw(t, 'offset')) {
        this.next();
        const d = this.parseDurationExpr(false);
        const target = this.modTarget(e, t.pos, 'offset');
        if (target.offset) this.err(e.start, 'offset may not be set multiple times');
        target.offset = d;
        e.end = this.toks[this.i - 1]!.end;
        continue;
      }
      if (this.isOp(t, '@')) {
        this.next();
        const target = this.modTarget(e, t.pos, '@');
        if (target.at !== null || target.atMod) this.err(e.start, '@ <timestamp> may not be set multiple times');
        let sign = 1;
        const a0 = this.peek();
        if (this.isOp(a0, '-') || this.isOp(a0, '+')) { this.next(); if (a0.text === '-') sign = -1; }
        const a = this.next();
        if (a.kind === 'NUM' || a.kind === 'DUR') {
          const sec = sign * (a.kind === 'DUR' ? a.num! / 1000 : a.num!);
          if (!Number.isFinite(sec)) this.err(a.pos, `timestamp out of bounds for @ modifier: ${sec}`);
          target.at = Math.round(sec * 1000);
        } else if ((this.isKw(a, 'start') || this.isKw(a, 'end')) && sign === 1) {
          this.expectOp('(', '@ modifier');
          if (this.peek().kind === 'EOF') this.err(this.peek().pos, 'unclosed left parenthesis');
          this.expectOp(')', '@ modifier');
          target.atMod = a.text.toLowerCase() as 'start' | 'end';
        } else this.unexpected(a, '@', 'timestamp');
        e.end = this.toks[this.i - 1]!.end;
        continue;
      }
      return e;
    }
  }

  modTarget(e: Expr, pos: number, what: string): VectorSelector | SubqueryExpr {
    if (e.type === 'VectorSelector' || e.type === 'SubqueryExpr') return e;
    if (e.type === 'MatrixSelector') return e.vs;
    if (what === 'offset') this.err(pos, 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery');
    return this.err(pos, '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery');
  }
}

function durMs(sec: number, p: Parser, pos: number): number {
  const ms = Math.round(sec * 1000);
  if (!Number.isFinite(ms) || Math.abs(ms) > 2 ** 53) p.err(pos, `duration out of range`);
  return ms;
}

export function hasDurationFunc(e: Expr): boolean {
  switch (e.type) {
    case 'DurationFunc': return true;
    case 'ParenExpr': case 'UnaryExpr': return hasDurationFunc(e.expr);
    case 'BinaryExpr': return hasDurationFunc(e.lhs) || hasDurationFunc(e.rhs);
    case 'Call': return e.args.some(hasDurationFunc);
    default: return false;
  }
}

/** Evaluates a duration expression in seconds, given the query step and range in ms. */
export function evalDurationSeconds(e: Expr, stepMs: number, rangeMs: number): number {
  switch (e.type) {
    case 'NumberLiteral': return e.val;
    case 'DurationFunc':
      if (e.func === 'start' || e.func === 'end') throw new Error(`${e.func}() is not allowed in duration expressions`);
      return (e.func === 'step' ? stepMs : rangeMs) / 1000;
    case 'ParenExpr': return evalDurationSeconds(e.expr, stepMs, rangeMs);
    case 'UnaryExpr': return e.op === '-' ? -evalDurationSeconds(e.expr, stepMs, rangeMs) : evalDurationSeconds(e.expr, stepMs, rangeMs);
    case 'Call': {
      const a = evalDurationSeconds(e.args[0]!, stepMs, rangeMs), b = evalDurationSeconds(e.args[1]!, stepMs, rangeMs);
      return e.func === 'min_of' ? Math.min(a, b) : Math.max(a, b);
    }
    case 'BinaryExpr': {
      const a = evalDurationSeconds(e.lhs, stepMs, rangeMs), b = evalDurationSeconds(e.rhs, stepMs, rangeMs);
      switch (e.op) {
        case '+': return a + b;
        case '-': return a - b;
        case '*': return a * b;
        case '/': return a / b;
        case '%': return a % b;
        case '^': return a ** b;
      }
    }
  }
  throw new Error('invalid duration expression');
}

/** Parses a PromQL expression. Throws PromQLParseError. */
export function parseExpr(query: string, opts: ParseOptions = {}): Expr {
  return new Parser(query, opts).parseTop();
}

/** Parses a series selector (for match[] parameters): must be an instant vector selector. */
export function parseMetricSelector(query: string): Matcher[] {
  const e = unwrapParens(parseExpr(query));
  if (e.type !== 'VectorSelector' || e.offset || e.at !== null || e.atMod) {
    throw new PromQLParseError(query, 0, `expected type instant vector selector`);
  }
  return e.matchers;
}

export type { NumberLiteral };

/** Approximates Go's regexp error text for a JS RegExp syntax error. */
function goRegexpError(src: string, jsMsg: string): string {
  const m = /: ([^:]+)$/.exec(jsMsg)?.[1] ?? jsMsg;
  const map: [RegExp, string][] = [
    [/Unterminated group/, 'missing closing )'],
    [/Unmatched '\)'/, 'unexpected )'],
    [/Nothing to repeat/, 'missing argument to repetition operator'],
    [/Unterminated character class/, 'missing closing ]'],
    [/Invalid escape|\\ at end of pattern/, 'invalid escape sequence'],
    [/numbers out of order/, 'invalid repeat count'],
  ];
  for (const [re, go] of map) if (re.test(m)) return `error parsing regexp: ${go}: \`^(?:${src})$\``;
  return `error parsing regexp: ${m}: \`^(?:${src})$\``;
}
