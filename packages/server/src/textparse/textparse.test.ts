import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsToObject } from '../model/labels.js';
import { STALE_NAN } from '../model/sample.js';
import {
  OpenMetricsParser, ParseError, PromTextParser, SCRAPE_ACCEPT_HEADER, formatOf, negotiateFormat, newParser, parseAll, parseDecimalAt, parseGoFloat,
} from './index.js';

const OM = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

test('text format: metadata, labels, escapes, timestamps, special values', () => {
  const body = [
    '# HELP http_requests_total The total number\\nof requests \\\\ ok.',
    '# TYPE http_requests_total counter',
    '# a plain comment',
    'http_requests_total{method="post",code="200"} 1027 1395066363000',
    'http_requests_total{method="post",code="400"}    3   1395066363000',
    '',
    'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
    'metric_without_timestamp_and_labels 12.47',
    'something_weird{problem="division by zero"} +Inf 3982045',
    'nan_metric NaN',
    'neg_inf -Inf',
    'trailing_comma{a="1",} 2',
    '{"my.dotted.metric", "label.with.dots"="x"} 5',
    '',
  ].join('\n');
  const { samples, metadata } = parseAll(body, 'text/plain; version=0.0.4');
  assert.equal(samples.length, 9);
  assert.deepEqual(metadata.get('http_requests_total'), {
    name: 'http_requests_total', type: 'counter', help: 'The total number\nof requests \\ ok.', unit: '',
  });
  assert.deepEqual(labelsToObject(samples[0]!.labels), { __name__: 'http_requests_total', method: 'post', code: '200' });
  assert.equal(samples[0]!.timestamp, 1395066363000);
  assert.equal(samples[1]!.value, 3);
  assert.deepEqual(labelsToObject(samples[2]!.labels), {
    __name__: 'msdos_file_access_time_seconds', path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"',
  });
  assert.equal(samples[3]!.timestamp, undefined);
  assert.equal(samples[4]!.value, Infinity);
  assert.equal(samples[4]!.timestamp, 3982045);
  assert.ok(Number.isNaN(samples[5]!.value));
  assert.equal(samples[6]!.value, -Infinity);
  assert.deepEqual(labelsToObject(samples[7]!.labels), { __name__: 'trailing_comma', a: '1' });
  assert.deepEqual(labelsToObject(samples[8]!.labels), { __name__: 'my.dotted.metric', 'label.with.dots': 'x' });
  // labels come out sorted by name
  assert.deepEqual(samples[0]!.labels.map((l) => l.name), ['__name__', 'code', 'method']);
});

test('text format: series() is the raw series text, stable as a cache key', () => {
  const p = new PromTextParser('a{x="1"} 1\na 2 100\n');
  assert.equal(p.next(), 'series');
  assert.equal(p.series(), 'a{x="1"}');
  assert.equal(p.next(), 'series');
  assert.equal(p.series(), 'a');
  assert.equal(p.timestamp(), 100);
  assert.equal(p.next(), 'eof');
});

test('text format: errors name the line and cause', () => {
  const cases: [string, number, RegExp][] = [
    ['ok 1\nbad{a="b} 1\n', 3, /unterminated quoted label value/],
    ['ok 1\n  indented 1\n', 2, /unexpected blank at the start of a line/],
    ['x 1 -5\n', 1, /invalid timestamp "-5"/],
    ['ok 1\nno_value', 2, /expected a value, got end of input/],
    ['x{a=b} 1\n', 1, /expected quoted label value/],
    ['x 1 2 3\n', 1, /unexpected/],
    ['x abc\n', 1, /invalid value "abc"/],
    ['x 1 1.5\n', 1, /invalid timestamp "1.5"/],
    ['# TYPE x blob\n', 1, /invalid metric type "blob"/],
    ['\n\n{a="b"} 1\n', 3, /metric name missing/],
    ['x{1a="b"} 1\n', 1, /expected label name/],
    ['x 0x10\n', 1, /invalid value/],
  ];
  for (const [body, line, re] of cases) {
    assert.throws(() => parseAll(body), (e: unknown) => {
      assert.ok(e instanceof ParseError, `not a ParseError for ${JSON.stringify(body)}: ${String(e)}`);
      assert.equal(e.line, line, `line for ${JSON.stringify(body)}: ${e.message}`);
      assert.match(e.message, re);
      return true;
    });
  }
});

test('Go float syntax', () => {
  assert.equal(parseGoFloat('1e3'), 1000);
  assert.equal(parseGoFloat('+Inf'), Infinity);
  assert.equal(parseGoFloat('inf'), Infinity);
  assert.equal(parseGoFloat('-Infinity'), -Infinity);
  assert.ok(Number.isNaN(parseGoFloat('nan')!));
  assert.equal(parseGoFloat('0x1p-2'), undefined); // Prometheus rejects hex floats
  assert.equal(parseGoFloat('.5'), 0.5);
  assert.equal(parseGoFloat('0x10'), undefined);
  assert.equal(parseGoFloat('1_000'), undefined);
  assert.equal(parseGoFloat(''), undefined);
  assert.equal(parseGoFloat('1e500'), undefined);
});

test('OpenMetrics: metadata, units, timestamps in seconds, exemplars, EOF', () => {
  const body = [
    '# TYPE foo_seconds counter',
    '# UNIT foo_seconds seconds',
    '# HELP foo_seconds Time spent.',
    'foo_seconds_total{a="b"} 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67 1520879606.1',
    'foo_seconds_created{a="b"} 1520430000.123',
    '# TYPE hist histogram',
    'hist_bucket{le="0.5"} 3 # {id="x"} 0.3',
    'hist_bucket{le="+Inf"} 4',
    'hist_count 4',
    'hist_sum 1.5',
    '# TYPE state stateset',
    'state{state="a"} 1',
    '# EOF',
    '',
  ].join('\n');
  const { samples, metadata } = parseAll(body, OM);
  assert.equal(samples.length, 7);
  assert.deepEqual(metadata.get('foo_seconds'), { name: 'foo_seconds', type: 'counter', unit: 'seconds', help: 'Time spent.' });
  assert.equal(samples[0]!.timestamp, 1520879607789);
  assert.deepEqual(samples[0]!.exemplar, { labels: [{ name: 'trace_id', value: 'KOO5S4vxi0o' }], value: 0.67, ts: 1520879606100 });
  assert.deepEqual(samples[2]!.exemplar, { labels: [{ name: 'id', value: 'x' }], value: 0.3 });
  assert.equal(samples[3]!.exemplar, undefined);
  assert.equal(metadata.get('state')!.type, 'stateset');
});

test('OpenMetrics: strictness errors', () => {
  const cases: [string, RegExp][] = [
    ['a 1\n', /does not end with # EOF/],
    ['a 1\n\n# EOF\n', /empty line/],
    ['a  1\n# EOF\n', /invalid value/],
    ['# random comment\n# EOF\n', /invalid comment/],
    ['# EOF\na 1\n', /after # EOF/],
    ['# UNIT foo_bytes seconds\n# EOF\n', /not a suffix/],
    ['a 1 # {x="y"}\n# EOF\n', /exemplar value/],
    ['# TYPE a untyped\n# EOF\n', /invalid metric type/],
  ];
  for (const [body, re] of cases) {
    assert.throws(() => parseAll(body, OM), (e: unknown) => e instanceof ParseError && re.test(e.message), body);
  }
  // Exemplar label sets over 128 characters parse (the storage refuses them, as in Prometheus).
  assert.equal(parseAll('a_total 1 # {x="' + 'y'.repeat(200) + '"} 1\n# EOF\n', OM).samples[0]!.exemplar!.labels[0]!.value.length, 200);
  // "# EOF" without the final newline is fine.
  assert.equal(parseAll('a 1\n# EOF', OM).samples.length, 1);
});

test('content negotiation', () => {
  assert.match(SCRAPE_ACCEPT_HEADER, /^application\/openmetrics-text;version=1\.0\.0,/);
  assert.equal(formatOf('application/openmetrics-text; version=1.0.0; charset=utf-8'), 'openmetrics');
  assert.equal(formatOf('text/plain; version=0.0.4'), 'text');
  assert.equal(formatOf(undefined), 'text');
  assert.equal(formatOf('application/json'), 'text');
  assert.ok(newParser('', OM) instanceof OpenMetricsParser);
  assert.ok(newParser('', 'text/plain') instanceof PromTextParser);
  assert.equal(negotiateFormat(SCRAPE_ACCEPT_HEADER), 'openmetrics');
  assert.equal(negotiateFormat('text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5'), 'text');
  assert.equal(negotiateFormat(undefined), 'text');
});

test('values stay bit-exact through value() (staleness payload)', () => {
  // A parser yields what was written; a NaN written as text is the canonical NaN, not STALE_NAN.
  const p = new PromTextParser('x NaN\n');
  p.next();
  const v = new Float64Array([p.value()]);
  const stale = new Float64Array([STALE_NAN]);
  assert.notDeepEqual(new Uint32Array(v.buffer), new Uint32Array(stale.buffer));
});

// Fuzz: random mutations of valid bodies must either parse or throw ParseError, and finish fast.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 4294967296;
  };
}
const ALPHABET = ['{', '}', '"', '\\', '\n', ' ', '\t', '=', ',', '#', 'a', '_', '1', '.', 'e', '+', '-', 'Inf', 'NaN', '# EOF', '# TYPE ', '# HELP ', '# UNIT ', '\u00e9', '\ud83d\ude00', '\u0000'];

test('fuzz: mutated inputs only ever throw ParseError', () => {
  const seeds = [
    '# HELP a_total help \\n x\n# TYPE a_total counter\na_total{x="1",y="2\\"q"} 1 1000\nb NaN\n{"c.d", e="f"} -Inf\n',
    '# TYPE foo counter\n# UNIT foo_seconds seconds\nfoo_total{a="b"} 1 1.5 # {t="x"} 1 2\n# EOF\n',
  ];
  const r = rng(42);
  const t0 = Date.now();
  let parsed = 0, failed = 0;
  for (let i = 0; i < 4000; i++) {
    let s = seeds[i % 2]!;
    const muts = 1 + Math.floor(r() * 4);
    for (let m = 0; m < muts; m++) {
      const at = Math.floor(r() * (s.length + 1));
      const op = r();
      if (op < 0.4) s = s.slice(0, at) + ALPHABET[Math.floor(r() * ALPHABET.length)]! + s.slice(at);
      else if (op < 0.7) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 3));
      else s = s.slice(0, at) + s.slice(Math.floor(r() * s.length));
    }
    for (const ct of ['text/plain', OM]) {
      try {
        parseAll(s, ct);
        parsed++;
      } catch (e) {
        if (!(e instanceof ParseError)) assert.fail(`non-ParseError ${String(e)} for ${JSON.stringify(s)}`);
        assert.ok(e.line >= 1, `line number for ${JSON.stringify(s)}`);
        failed++;
      }
    }
  }
  assert.ok(parsed > 0 && failed > 0);
  assert.ok(Date.now() - t0 < 10_000, 'fuzz took too long');
});

test('Buffer input with multi-byte UTF-8', () => {
  const { samples } = parseAll(Buffer.from('m{l="ünïcødé ✓"} 1\n'));
  assert.equal(samples[0]!.labels[1]!.value, 'ünïcødé ✓');
});

test('knownSeries fast path gives exactly what the full parse gives', () => {
  const r = rng(7);
  const bodies = [
    'a 1\na 2 100\nb{x="1 2"} 3\nb{x="1 2"} 4 5\ninf 1 2\nNaN NaN\n{"q.r", s="t"} 6\nc {d="e"} 7 8\n  g\t9\t10  \n',
    'm{a="x} 1"} 2\nm{a="x} 1"} 3 4\nm{a="# {"} 5\nm{a="\\"1 2\\""} 6 7\n',
  ];
  for (let i = 0; i < 300; i++) {
    let body = bodies[i % 2]!;
    if (i >= 2) {
      const at = Math.floor(r() * body.length);
      body = body.slice(0, at) + ALPHABET[Math.floor(r() * ALPHABET.length)]! + body.slice(at);
    }
    const run = (known?: Map<string, number>, order?: string[]) => {
      const p = new PromTextParser(body);
      p.knownSeries = known;
      if (order) p.order = { keys: order, values: order.map(() => 1) };
      const out: unknown[] = [];
      try {
        for (let e = p.next(); e !== 'eof'; e = p.next()) {
          if (e === 'series') out.push([p.series(), p.metricName(), labelsToObject(p.labels()), p.value(), p.timestamp()]);
        }
      } catch (e) {
        out.push(String(e));
      }
      return out;
    };
    const full = run();
    const keys = new Map(full.filter(Array.isArray).map((x) => [(x as string[])[0]!, 1] as const));
    assert.deepEqual(run(keys), full, body);
    // With the previous order too (as given, shuffled, and shifted by one).
    const ks = [...keys.keys()];
    for (const order of [ks, [...ks].reverse(), ks.slice(1), ['zz', ...ks]]) {
      assert.deepEqual(run(keys, order), full, body);
    }
  }
});

test('in-place decimal parsing is bit-exact with Number()', () => {
  const r = rng(99);
  const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(r() * 10))).join('');
  const f64 = new Float64Array(2);
  const u = new Uint32Array(f64.buffer);
  let fast = 0;
  for (let i = 0; i < 20000; i++) {
    let tok = (r() < 0.2 ? '-' : '') + digits(1 + Math.floor(r() * 12));
    if (r() < 0.6) tok += '.' + digits(Math.floor(r() * 8));
    if (r() < 0.3) tok += (r() < 0.5 ? 'e' : 'E') + (r() < 0.5 ? '-' : '+') + digits(1 + Math.floor(r() * 2));
    const s = `x ${tok}\n`;
    const v = parseDecimalAt(s, 2, 2 + tok.length);
    if (v === undefined) continue;
    fast++;
    f64[0] = v;
    f64[1] = Number(tok);
    assert.ok(u[0] === u[2] && u[1] === u[3], `${tok}: ${v} vs ${Number(tok)}`);
  }
  assert.ok(fast > 10000);
  assert.equal(parseDecimalAt('1234567890123456', 0, 16), undefined); // 16 digits: not exact, fall back
  assert.equal(parseDecimalAt('abc', 0, 3), undefined);
});

test('OpenMetrics order fast path gives exactly what the full parse gives', () => {
  const r = rng(11);
  const base = '# TYPE a counter\na_total{x="1"} 1 1.5\na_total{x="2"} 2 # {t="q"} 1\nb 3\nb{c="# {"} 4 2.25\n{"d.e"} NaN\n# EOF\n';
  for (let i = 0; i < 300; i++) {
    let body = base;
    if (i > 0) {
      const at = Math.floor(r() * body.length);
      body = body.slice(0, at) + ALPHABET[Math.floor(r() * ALPHABET.length)]! + body.slice(at);
    }
    const run = (order?: string[]) => {
      const p = new OpenMetricsParser(body);
      if (order) p.order = { keys: order, values: order.map(() => 1) };
      const out: unknown[] = [];
      try {
        for (let e = p.next(); e !== 'eof'; e = p.next()) {
          if (e === 'series') out.push([p.series(), p.metricName(), labelsToObject(p.labels()), p.value(), p.timestamp(), p.exemplar(), p.line()]);
        }
      } catch (e) {
        out.push(String(e));
      }
      return out;
    };
    const full = run();
    const ks = full.filter(Array.isArray).map((x) => (x as string[])[0]!);
    for (const order of [ks, [...ks].reverse(), ks.slice(1), ['zz', ...ks]]) assert.deepEqual(run(order), full, body);
  }
});

test('text format: a last line without a newline is accepted (as Prometheus 2.42 does)', () => {
  const { samples } = parseAll('a 1\nb 2 100');
  assert.equal(samples.length, 2);
  assert.equal(samples[1]!.timestamp, 100);
});
