// Prometheus text exposition format 0.0.4 (and the quoted UTF-8 name syntax Prometheus 3 reads:
// {"my.metric", "my.label"="v"}). Blanks between tokens are tolerated as in Prometheus's lexer;
// a last line without its newline is accepted, as in Prometheus.
import { BaseParser } from './base.js';
import { HASH, LBRACE, NL, QUOTE, RBRACE as RBRACE_, SP, TAB, intern, isNameChar, isNameStart, parseDecimalAt, parseGoFloat, parseIntStrict, unescapeHelp } from './scan.js';
import type { EntryType, MetricType } from './types.js';

const TEXT_TYPES: Record<string, MetricType> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  summary: 'summary',
  untyped: 'unknown',
};

export class PromTextParser extends BaseParser {
  protected override newlineInQuotes = true;

  next(): EntryType {
    const s = this.s, n = s.length;
    for (;;) {
      const start = this.pos;
      if (start >= n) return 'eof';
      this.lineNo++;
      const p = this.skipWS(start);
      const c = s.charCodeAt(p);
      if (c === NL) {
        this.pos = p + 1;
        continue;
      }
      if (p >= n) {
        this.pos = p;
        return 'eof';
      }
      // Blank-only lines are fine; a line starting with blanks is not (as in Prometheus).
      if (p !== start) this.fail(`unexpected blank at the start of a line, before ${this.at(p)}`);
      if (c === HASH) {
        this.lazy = false;
        return this.comment(p + 1);
      }
      return this.sample(p);
    }
  }

  private lineEnd(p: number): number {
    const e = this.s.indexOf('\n', p);
    return e < 0 ? this.s.length : e;
  }

  private comment(p: number): EntryType {
    const s = this.s;
    const end = this.lineEnd(p);
    this.pos = end + 1;
    this.nameStart = -1;
    const c = s.charCodeAt(p);
    if (c !== SP && c !== TAB) return 'comment';
    p = this.skipWS(p);
    const kw = s.slice(p, p + 4);
    if ((kw !== 'HELP' && kw !== 'TYPE') || (s.charCodeAt(p + 4) !== SP && s.charCodeAt(p + 4) !== TAB)) return 'comment';
    p = this.skipWS(p + 4);
    const name = this.scanMetaName(p, kw);
    p = this.scanEnd;
    const c1 = s.charCodeAt(p);
    if (p < end && c1 !== SP && c1 !== TAB) this.fail(`invalid metric name in ${kw} line: ${this.at(p)}`);
    this.metaName = intern(name);
    // Exactly one blank separates the name from the text; further blanks belong to the text.
    if (p < end) p++;
    if (kw === 'HELP') {
      this.helpText = unescapeHelp(s.slice(Math.min(p, end), end));
      return 'help';
    }
    // The type is the rest of the line, trailing blanks included (as Prometheus reads it).
    const word = s.slice(Math.min(p, end), end);
    const t = TEXT_TYPES[word];
    if (t === undefined) this.fail(`invalid metric type ${JSON.stringify(word)}`);
    this.typeVal = t;
    return 'type';
  }

  /** Fast path for a known series; returns true when the line was consumed. */
  private known(p: number): boolean {
    const s = this.s;
    const ord = this.order;
    if (ord !== undefined) {
      // The expected key, or the one after it (a series vanished since the last scrape).
      const i = this.orderIdx;
      if (i < ord.keys.length && this.inOrder(p, ord, i)) return true;
      if (i + 1 < ord.keys.length && this.inOrder(p, ord, i + 1)) return true;
    }
    const e = s.indexOf('\n', p);
    if (e < 0) return false;
    let end = e;
    let c = s.charCodeAt(end - 1);
    while (end > p && (c === SP || c === TAB)) c = s.charCodeAt(--end - 1);
    let a = end;
    c = s.charCodeAt(a - 1);
    while (a > p && c !== SP && c !== TAB) c = s.charCodeAt(--a - 1);
    let b = a;
    while (b > p && (c === SP || c === TAB)) c = s.charCodeAt(--b - 1);
    if (b === a || b === p) return false;
    const known = this.knownSeries!;
    // "series value timestamp": only when the token before the last could be a value (a
    // series ends with '}', '"' or a name; values never end with those but NaN/Inf are names).
    const last = s.charCodeAt(b - 1);
    if (last !== RBRACE_ && last !== QUOTE) {
      let cc = b;
      while (cc > p && c !== SP && c !== TAB) c = s.charCodeAt(--cc - 1);
      let d = cc;
      while (d > p && (c === SP || c === TAB)) c = s.charCodeAt(--d - 1);
      if (d < cc && d > p) {
        const hv = known.get(s.slice(p, d));
        if (hv !== undefined) {
          const v = parseGoFloat(s.slice(cc, b));
          const t = parseIntStrict(s.slice(a, end));
          if (v !== undefined && t !== undefined) return this.hit(p, d, v, t, e + 1, hv, undefined);
        }
      }
    }
    const hv = known.get(s.slice(p, b));
    if (hv !== undefined) {
      const v = parseGoFloat(s.slice(a, end));
      if (v !== undefined) return this.hit(p, b, v, undefined, e + 1, hv, undefined);
    }
    return false;
  }

  /** Line = expected key + blanks + value [+ blanks + timestamp] + blanks + newline. */
  private inOrder(p: number, ord: { keys: readonly string[]; values: readonly unknown[] }, i: number): boolean {
    const s = this.s;
    const k = ord.keys[i]!;
    // slice + === is a memcmp in V8; startsWith compares char by char (several times slower).
    if (s.slice(p, p + k.length) !== k) return false;
    let q = p + k.length;
    let c = s.charCodeAt(q);
    if (c !== SP && c !== TAB) return false;
    q = this.skipWS(q);
    let te = q;
    c = s.charCodeAt(te);
    while (c !== SP && c !== TAB && c !== NL && te < s.length) c = s.charCodeAt(++te);
    if (te === q) return false;
    const v = parseDecimalAt(s, q, te) ?? parseGoFloat(s.slice(q, te));
    if (v === undefined) return false;
    let t: number | undefined;
    q = this.skipWS(te);
    if (s.charCodeAt(q) !== NL) {
      te = q;
      c = s.charCodeAt(te);
      while (c !== SP && c !== TAB && c !== NL && te < s.length) c = s.charCodeAt(++te);
      if (te === q) return false;
      t = parseIntStrict(s.slice(q, te));
      if (t === undefined) return false;
      q = this.skipWS(te);
      if (s.charCodeAt(q) !== NL) return false;
    }
    const e = q;
    this.orderIdx = i + 1;
    return this.hit(p, p + k.length, v, t, e + 1, ord.values[i], k);
  }

  /** Scans the metric name and label set at p; returns the position after them. */
  protected scanSeries(p: number): number {
    const s = this.s;
    this.seriesStart = p;
    this.nameStart = -1;
    this.nlab = 0;
    const c = s.charCodeAt(p);
    if (isNameStart(c)) {
      this.nameStart = p;
      do p++;
      while (isNameChar(s.charCodeAt(p)));
      this.nameEnd = p;
      this.nameFlags = 0;
      this.seriesEnd = p;
      const q = this.skipWS(p);
      if (s.charCodeAt(q) === LBRACE) {
        p = this.scanLabels(q + 1, true, false);
        this.seriesEnd = p;
      }
    } else if (c === LBRACE) {
      p = this.scanLabels(p + 1, true, false);
      this.seriesEnd = p;
      if (this.nameStart < 0) this.fail('metric name missing in label set');
    } else {
      this.fail(`${this.at(p)} is not a valid start of a sample line`);
    }
    return p;
  }

  private sample(p: number): EntryType {
    const s = this.s, n = s.length;
    this.lazy = false;
    if (this.knownSeries !== undefined && this.known(p)) return 'series';
    p = this.scanSeries(p);
    let c = s.charCodeAt(p);
    // After a label set the value may follow without a blank (Prometheus's lexer allows it).
    if (c !== SP && c !== TAB && !(s.charCodeAt(p - 1) === RBRACE_ && p < n && c !== NL)) {
      this.fail(p >= n ? 'expected a value, got end of input' : `expected a blank before the value, got ${this.at(p)}`);
    }
    p = this.skipWS(p);
    let e = this.tokenEnd(p);
    if (e === p) this.fail(p >= n ? 'expected a value, got end of input' : 'expected a value, got end of line');
    const v = parseDecimalAt(s, p, e) ?? parseGoFloat(s.slice(p, e));
    if (v === undefined) this.fail(`invalid value ${JSON.stringify(s.slice(p, e))}`);
    this.val = v;
    this.ts = undefined;
    p = this.skipWS(e);
    if (p < n && s.charCodeAt(p) !== NL) {
      e = this.tokenEnd(p);
      const t = parseIntStrict(s.slice(p, e));
      if (t === undefined) this.fail(`invalid timestamp ${JSON.stringify(s.slice(p, e))}`);
      this.ts = t;
      p = this.skipWS(e);
    }
    // A last line without its newline is accepted, as Prometheus does.
    if (p < n && s.charCodeAt(p) !== NL) this.fail(`unexpected ${this.at(p)} after the sample`);
    this.pos = p + 1;
    return 'series';
  }
}
