// State and label-set scanning shared by the text and OpenMetrics parsers. A label set is
// validated in one pass and remembered as offsets into the body; label objects are built only
// when labels() is called.
import type { Label, Labels } from '../model/labels.js';
import type { Exemplar } from '../storage/interface.js';
import { ParseError, type EntryType, type MetricType, type Parser } from './types.js';
import {
  BSLASH, COMMA, EQ, NL, QUOTE, RBRACE, SP, TAB,
  intern, isLabelChar, isLabelStart, isNameChar, isNameStart, sortLabelsInPlace, unescapeLabelValue,
} from './scan.js';

const F_QUOTED_NAME = 1, F_ESC_NAME = 2, F_ESC_VALUE = 4;

export abstract class BaseParser implements Parser {
  protected readonly s: string;
  protected pos = 0;
  protected lineNo = 0;

  // Current series.
  protected seriesStart = 0;
  protected seriesEnd = 0;
  protected nameStart = -1;
  protected nameEnd = -1;
  protected nameFlags = 0;
  protected nlab = 0;
  protected lab = new Int32Array(5 * 16);
  protected val = 0;
  protected ts: number | undefined = undefined;
  protected ex: Exemplar | undefined = undefined;

  // Current metadata entry.
  protected metaName = '';
  protected helpText = '';
  protected typeVal: MetricType = 'unknown';
  protected unitVal = '';

  constructor(input: string | Uint8Array) {
    this.s = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  }

  abstract next(): EntryType;

  /**
   * Raw series texts the caller has seen and validated before (a scrape loop's series cache),
   * with the caller's value for each. A line whose series text is known skips label scanning:
   * it must be exactly that text followed by a value (and timestamp), which parse exactly as
   * the full path would. labels() still works (it scans on demand).
   */
  knownSeries: { get(key: string): unknown } | undefined;
  /**
   * The series keys (and knownSeries values) of the previous scrape in exposition order. Targets
   * usually expose the same series in the same order, so a line is first compared against the
   * expected key in place (no hashing).
   */
  order: { keys: readonly string[]; values: readonly unknown[] } | undefined;
  protected orderIdx = 0;
  protected lazy = false;
  protected hitValue: unknown = undefined;
  protected hitKey: string | undefined = undefined;

  /** The knownSeries value of the current series when a fast path took it, else undefined. */
  knownEntry(): unknown {
    return this.lazy ? this.hitValue : undefined;
  }
  /** The expected key (from `order`) the current series matched, else undefined. */
  orderKey(): string | undefined {
    return this.lazy ? this.hitKey : undefined;
  }

  /** Scans the name and label set of the series starting at p (after a fast-path hit). */
  protected abstract scanSeries(p: number): number;

  protected hit(p: number, seriesEnd: number, v: number, t: number | undefined, next: number, hv: unknown, key: string | undefined): true {
    this.hitValue = hv;
    this.hitKey = key;
    this.seriesStart = p;
    this.seriesEnd = seriesEnd;
    this.val = v;
    this.ts = t;
    this.lazy = true;
    this.pos = next;
    return true;
  }

  series(): string {
    return this.s.slice(this.seriesStart, this.seriesEnd);
  }
  metricName(): string {
    if (this.lazy) this.rescan();
    if (this.nameStart < 0) return this.metaName;
    return this.nameOf(this.nameStart, this.nameEnd, this.nameFlags);
  }
  private rescan(): void {
    this.lazy = false;
    this.scanSeries(this.seriesStart);
  }
  value(): number {
    return this.val;
  }
  timestamp(): number | undefined {
    return this.ts;
  }
  help(): string {
    return this.helpText;
  }
  type(): MetricType {
    return this.typeVal;
  }
  unit(): string {
    return this.unitVal;
  }
  exemplar(): Exemplar | undefined {
    return this.ex;
  }
  line(): number {
    return this.lineNo;
  }

  labels(): Labels {
    if (this.lazy) this.rescan();
    const out: Label[] = [{ name: '__name__', value: this.metricName() }];
    this.appendLabels(out, this.lab, this.nlab);
    return sortLabelsInPlace(out);
  }

  protected appendLabels(out: Label[], lab: Int32Array, n: number): void {
    const s = this.s;
    for (let i = 0; i < n; i++) {
      const o = i * 5;
      const f = lab[o + 4]!;
      const name = this.nameOf(lab[o]!, lab[o + 1]!, f);
      let value = s.slice(lab[o + 2]!, lab[o + 3]!);
      if (f & F_ESC_VALUE) value = unescapeLabelValue(value);
      // Short values repeat across series (GET, 200, /api/...): share one copy.
      out.push({ name, value: value.length <= 48 ? intern(value) : (' ' + value).slice(1) });
    }
  }

  private nameOf(a: number, b: number, f: number): string {
    let n = this.s.slice(a, b);
    if (f & F_ESC_NAME) n = unescapeLabelValue(n);
    return intern(n);
  }

  protected fail(cause: string): never {
    throw new ParseError(this.lineNo, cause);
  }

  /** Describes the character at p for error messages. */
  protected at(p: number): string {
    if (p >= this.s.length) return 'end of input';
    const c = this.s.charCodeAt(p);
    if (c === NL) return 'end of line';
    return JSON.stringify(this.s.slice(p, Math.min(p + 12, this.s.indexOf('\n', p) < 0 ? this.s.length : this.s.indexOf('\n', p))));
  }

  protected skipWS(p: number): number {
    const s = this.s;
    let c = s.charCodeAt(p);
    while (c === SP || c === TAB) c = s.charCodeAt(++p);
    return p;
  }

  /** Scans a quoted string starting at p (the opening quote); returns the position after it. */
  protected scanQuoted(p: number, what: string): number {
    const s = this.s, n = s.length;
    let esc = false;
    p++;
    for (;;) {
      if (p >= n) this.fail(`unterminated quoted ${what}`);
      const c = s.charCodeAt(p);
      if (c === QUOTE) break;
      if (c === NL) {
        if (!this.newlineInQuotes) this.fail(`unterminated quoted ${what} (newline inside quotes)`);
        this.lineNo++;
      }
      if (c === BSLASH) {
        esc = true;
        p++;
        if (p >= n || s.charCodeAt(p) === NL) this.fail(`invalid escape at end of ${what}`);
      }
      p++;
    }
    this.lastEsc = esc;
    return p + 1;
  }
  protected lastEsc = false;

  /** The metric name of a HELP/TYPE/UNIT line at p (legacy or quoted); sets `scanEnd` past it. */
  protected scanMetaName(p: number, kw: string): string {
    const s = this.s;
    let name: string;
    const c0 = s.charCodeAt(p);
    if (c0 === QUOTE) {
      const q = this.scanQuoted(p, 'metric name');
      name = s.slice(p + 1, q - 1);
      if (this.lastEsc) name = unescapeLabelValue(name);
      p = q;
    } else if (isNameStart(c0)) {
      const st = p;
      while (isNameChar(s.charCodeAt(p))) p++;
      name = s.slice(st, p);
    } else {
      this.fail(`invalid metric name in ${kw} line: ${this.at(p)}`);
    }
    this.scanEnd = p;
    return name;
  }
  protected scanEnd = 0;
  /** The text format's lexer lets a raw newline into a quoted value; OpenMetrics does not. */
  protected newlineInQuotes = false;

  /**
   * Scans a label set; p is just after '{'. Records labels into `lab` (and the metric name if
   * given in quoted form). Returns the position after '}'. `ws` allows blanks between tokens.
   */
  protected scanLabels(p: number, ws: boolean, forExemplar: boolean): number {
    const s = this.s;
    let n = 0;
    let lab = forExemplar ? this.exLab : this.lab;
    for (let first = true; ; first = false) {
      if (ws) p = this.skipWS(p);
      let c = s.charCodeAt(p);
      if (c === RBRACE && (first || ws)) {
        p++;
        break;
      }
      let ns: number, ne: number, f = 0;
      if (c === QUOTE) {
        const end = this.scanQuoted(p, 'label name');
        ns = p + 1;
        ne = end - 1;
        f = F_QUOTED_NAME | (this.lastEsc ? F_ESC_NAME : 0);
        if (ne === ns) this.fail('empty quoted label name');
        p = end;
      } else if (isLabelStart(c)) {
        ns = p;
        do c = s.charCodeAt(++p);
        while (isLabelChar(c));
        ne = p;
      } else {
        this.fail(`expected label name, got ${this.at(p)}`);
      }
      if (ws) p = this.skipWS(p);
      c = s.charCodeAt(p);
      if (c !== EQ) {
        // {"metric.name", a="b"}: a lone quoted string is the metric name (UTF-8 syntax).
        if (f & F_QUOTED_NAME && !forExemplar && this.nameStart < 0 && (c === COMMA || c === RBRACE)) {
          this.nameStart = ns;
          this.nameEnd = ne;
          this.nameFlags = f;
          p++;
          if (c === RBRACE) break;
          continue;
        }
        this.fail(`expected "=" after label name, got ${this.at(p)}`);
      }
      p++;
      if (ws) p = this.skipWS(p);
      if (s.charCodeAt(p) !== QUOTE) this.fail(`expected quoted label value, got ${this.at(p)}`);
      const end = this.scanQuoted(p, 'label value');
      if (n * 5 + 5 > lab.length) {
        const g = new Int32Array(lab.length * 2);
        g.set(lab);
        lab = g;
        if (forExemplar) this.exLab = g;
        else this.lab = g;
      }
      const o = n * 5;
      lab[o] = ns;
      lab[o + 1] = ne;
      lab[o + 2] = p + 1;
      lab[o + 3] = end - 1;
      lab[o + 4] = f | (this.lastEsc ? F_ESC_VALUE : 0);
      n++;
      p = end;
      if (ws) p = this.skipWS(p);
      c = s.charCodeAt(p);
      if (c === COMMA) {
        p++;
        continue;
      }
      if (c === RBRACE) {
        p++;
        break;
      }
      // Prometheus's text lexer does not require the comma between labels.
      if (ws && (isLabelStart(c) || c === QUOTE)) continue;
      this.fail(`expected "," or "}" after label value, got ${this.at(p)}`);
    }
    if (forExemplar) this.exN = n;
    else this.nlab = n;
    return p;
  }
  protected exLab = new Int32Array(5 * 4);
  protected exN = 0;

  protected exemplarLabels(): Labels {
    const out: Label[] = [];
    this.appendLabels(out, this.exLab, this.exN);
    return sortLabelsInPlace(out);
  }

  /** Reads a token up to a blank or newline. */
  protected tokenEnd(p: number): number {
    const s = this.s, n = s.length;
    while (p < n) {
      const c = s.charCodeAt(p);
      if (c === SP || c === TAB || c === NL) break;
      p++;
    }
    return p;
  }
}
