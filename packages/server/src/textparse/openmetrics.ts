// OpenMetrics 1.0 text format: single-space separators, HELP/TYPE/UNIT metadata, timestamps in
// (float) seconds, exemplars after " # ", and a mandatory "# EOF" terminator.
import { BaseParser } from './base.js';
import { HASH, LBRACE, NL, SP, intern, isNameChar, isNameStart, parseDecimalAt, parseGoFloat, unescapeHelp } from './scan.js';
import type { EntryType, MetricType } from './types.js';

const OM_TYPES: Record<string, MetricType> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  gaugehistogram: 'gaugehistogram',
  summary: 'summary',
  info: 'info',
  stateset: 'stateset',
  unknown: 'unknown',
};


export class OpenMetricsParser extends BaseParser {
  private done = false;

  next(): EntryType {
    const s = this.s, n = s.length;
    const p = this.pos;
    if (this.done) return 'eof';
    if (p >= n) {
      this.lineNo++;
      this.fail('data does not end with # EOF');
    }
    this.lineNo++;
    this.ex = undefined;
    this.lazy = false;
    const c = s.charCodeAt(p);
    if (c === NL) this.fail('unexpected empty line');
    if (c === HASH) return this.comment(p);
    const ord = this.order;
    if (ord !== undefined) {
      // The expected key, or the one after it (a series vanished since the last scrape).
      const i = this.orderIdx;
      if (i < ord.keys.length && this.inOrder(p, ord, i)) return 'series';
      if (i + 1 < ord.keys.length && this.inOrder(p, ord, i + 1)) return 'series';
    }
    return this.sample(p);
  }

  /** Line = expected key + " " + value [+ " " + timestamp] + newline; exemplars take the full path. */
  private inOrder(p: number, ord: { keys: readonly string[]; values: readonly unknown[] }, i: number): boolean {
    const s = this.s;
    const k = ord.keys[i]!;
    if (s.slice(p, p + k.length) !== k) return false;
    let q = p + k.length;
    if (s.charCodeAt(q) !== SP) return false;
    q++;
    let te = q;
    let c = s.charCodeAt(te);
    while (c !== SP && c !== NL && te < s.length) c = s.charCodeAt(++te);
    if (te === q || c !== SP && c !== NL) return false;
    const v = parseDecimalAt(s, q, te) ?? parseGoFloat(s.slice(q, te));
    if (v === undefined) return false;
    let t: number | undefined;
    if (c === SP) {
      q = te + 1;
      if (s.charCodeAt(q) === HASH) return false;
      te = q;
      c = s.charCodeAt(te);
      while (c !== SP && c !== NL && te < s.length) c = s.charCodeAt(++te);
      if (c !== NL || te === q) return false;
      const f = parseDecimalAt(s, q, te) ?? parseGoFloat(s.slice(q, te));
      if (f === undefined || !Number.isFinite(f)) return false;
      t = Math.trunc(f * 1000);
    }
    this.orderIdx = i + 1;
    return this.hit(p, p + k.length, v, t, te + 1, ord.values[i], k);
  }

  protected scanSeries(p: number): number {
    const s = this.s;
    this.seriesStart = p;
    this.nameStart = -1;
    this.nlab = 0;
    let c = s.charCodeAt(p);
    if (isNameStart(c)) {
      this.nameStart = p;
      do c = s.charCodeAt(++p);
      while (isNameChar(c));
      this.nameEnd = p;
      this.nameFlags = 0;
      if (c === LBRACE) p = this.scanLabels(p + 1, false, false);
    } else if (c === LBRACE) {
      p = this.scanLabels(p + 1, false, false);
      if (this.nameStart < 0) this.fail('metric name missing in label set');
    } else {
      this.fail(`${this.at(p)} is not a valid start of a sample line`);
    }
    this.seriesEnd = p;
    return p;
  }

  private lineEnd(p: number): number {
    const e = this.s.indexOf('\n', p);
    if (e < 0) this.fail('data does not end with # EOF');
    return e;
  }

  private comment(p: number): EntryType {
    const s = this.s;
    this.nameStart = -1;
    if (s.startsWith('# EOF', p)) {
      const after = p + 5;
      if (after === s.length || (s.charCodeAt(after) === NL && after + 1 === s.length)) {
        this.done = true;
        this.pos = s.length;
        return 'eof';
      }
      if (s.charCodeAt(after) === NL) this.fail('unexpected data after # EOF');
    }
    const end = this.lineEnd(p);
    this.pos = end + 1;
    if (s.charCodeAt(p + 1) !== SP) this.fail('invalid comment: expected "# HELP", "# TYPE", "# UNIT" or "# EOF"');
    const kw = s.slice(p + 2, p + 6);
    if ((kw !== 'HELP' && kw !== 'TYPE' && kw !== 'UNIT') || s.charCodeAt(p + 6) !== SP) {
      this.fail('invalid comment: expected "# HELP", "# TYPE", "# UNIT" or "# EOF"');
    }
    p += 7;
    const name = this.scanMetaName(p, kw);
    p = this.scanEnd;
    this.metaName = intern(name);
    if (p >= end) this.fail(`expected text in ${kw}`);
    if (s.charCodeAt(p) !== SP) this.fail(`invalid metric name in ${kw} line: ${this.at(p)}`);
    const text = s.slice(p + 1, end);
    if (kw === 'HELP') {
      this.helpText = unescapeHelp(text, true);
      return 'help';
    }
    if (kw === 'TYPE') {
      const t = OM_TYPES[text];
      if (t === undefined) this.fail(`invalid metric type ${JSON.stringify(text)}`);
      this.typeVal = t;
      return 'type';
    }
    if (text !== '' && !name.endsWith(text)) this.fail(`unit ${JSON.stringify(text)} not a suffix of metric ${JSON.stringify(name)}`);
    this.unitVal = text;
    return 'unit';
  }

  private sample(p: number): EntryType {
    const s = this.s;
    const end = this.lineEnd(p);
    p = this.scanSeries(p);
    if (s.charCodeAt(p) !== SP) this.fail(`expected a space before the value, got ${this.at(p)}`);
    p++;
    let e = this.tokenEnd(p);
    const v = e > p ? parseDecimalAt(s, p, e) ?? parseGoFloat(s.slice(p, e)) : undefined;
    if (v === undefined) this.fail(`invalid value ${JSON.stringify(s.slice(p, e))}`);
    this.val = v;
    this.ts = undefined;
    p = e;
    if (p < end) {
      if (s.charCodeAt(p) !== SP) this.fail(`unexpected ${this.at(p)} after the value`);
      p++;
      if (s.charCodeAt(p) !== HASH) {
        e = this.tokenEnd(p);
        this.ts = this.seconds(p, e, 'timestamp');
        p = e;
        if (p < end) {
          if (s.charCodeAt(p) !== SP) this.fail(`unexpected ${this.at(p)} after the timestamp`);
          p++;
        }
      }
      if (p < end) p = this.exemplarAt(p, end);
    }
    if (p !== end) this.fail(`unexpected ${this.at(p)} at end of sample`);
    this.pos = end + 1;
    return 'series';
  }

  /** Parses " # {labels} value [timestamp]" starting at the '#'. */
  private exemplarAt(p: number, end: number): number {
    const s = this.s;
    if (s.charCodeAt(p) !== HASH || s.charCodeAt(p + 1) !== SP || s.charCodeAt(p + 2) !== LBRACE) {
      this.fail(`expected exemplar "# {...}", got ${this.at(p)}`);
    }
    // Label sets over OpenMetrics's 128 characters parse (as in Prometheus); the exemplar storage
    // refuses them, so the scrape itself never fails for it.
    p = this.scanLabels(p + 3, false, true);
    if (s.charCodeAt(p) !== SP) this.fail(`expected a space before the exemplar value, got ${this.at(p)}`);
    p++;
    let e = this.tokenEnd(p);
    const v = e > p ? parseGoFloat(s.slice(p, e)) : undefined;
    if (v === undefined) this.fail(`invalid exemplar value ${JSON.stringify(s.slice(p, e))}`);
    let ts: number | undefined;
    p = e;
    if (p < end && s.charCodeAt(p) === SP) {
      e = this.tokenEnd(p + 1);
      ts = this.seconds(p + 1, e, 'exemplar timestamp');
      p = e;
    }
    this.ex = ts === undefined ? { labels: this.exemplarLabels(), value: v } : { labels: this.exemplarLabels(), value: v, ts };
    return p;
  }

  /** OpenMetrics timestamps are float seconds; Prometheus keeps integer milliseconds. */
  private seconds(a: number, b: number, what: string): number {
    const tok = this.s.slice(a, b);
    const f = b > a ? parseGoFloat(tok) : undefined;
    if (f === undefined || !Number.isFinite(f)) this.fail(`invalid ${what} ${JSON.stringify(tok)}`);
    return Math.trunc(f * 1000);
  }
}
