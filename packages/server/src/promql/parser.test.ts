import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExpr, PromQLParseError, formatExpr, prettyExpr } from './index.js';

// Error texts recorded from Prometheus 2.42 (`/api/v1/query`) for the same inputs.
const PROMETHEUS_ERRORS: [string, string][] = [
  ["sum(", "1:5: parse error: unclosed left parenthesis"],
  ["foo{", "1:5: parse error: unexpected end of input inside braces"],
  ["foo{a=\"b\"", "1:10: parse error: unexpected end of input inside braces"],
  ["1 > 2", "1:3: parse error: comparisons between scalars must use BOOL modifier"],
  ["rate(foo)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector"],
  ["foo[5m] + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types"],
  ["foo bar", "1:5: parse error: unexpected identifier \"bar\""],
  ["sum by (a) (x) by (b)", "1:16: parse error: unexpected <by>"],
  ["foo offset", "1:11: parse error: unexpected end of input in offset, expected duration"],
  ["x[5m", "1:5: parse error: unclosed left bracket"],
  [")", "1:2: parse error: unexpected right parenthesis ')'"],
  ["foo{a~\"b\"}", "1:6: parse error: unexpected character inside braces: '~'"],
  ["foo{a=b}", "1:7: parse error: unexpected identifier \"b\" in label matching, expected string"],
  ["unknownfn(x)", "1:1: parse error: unknown function with name \"unknownfn\""],
  ["rate(x[5m], 1)", "1:1: parse error: expected 1 argument(s) in call to \"rate\", got 2"],
  ["topk(x)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1"],
  ["\"a\" + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types"],
  ["foo[5m:1m][1m]", "1:11: parse error: ranges only allowed for vector selectors"],
  ["{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"],
  ["{a=\"\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"],
  ["1 and 2", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression"],
  ["x and on(a) group_left y", "1:1: parse error: no grouping allowed for \"and\" operation"],
  ["x @ foo", "1:5: parse error: unexpected identifier \"foo\" in @, expected timestamp"],
  ["x[0s]", "1:3: parse error: duration must be greater than 0"],
  ["1 +", "1:4: parse error: unexpected end of input"],
  ["(1", "1:3: parse error: unclosed left parenthesis"],
  ["sum without (a) (x, y)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 2"],
  ["count_values(1, x)", "1:14: parse error: expected type string in aggregation parameter, got scalar"],
  ["label_replace(x, \"a\", \"b\", \"c\")", "1:1: parse error: expected 5 argument(s) in call to \"label_replace\", got 4"],
  ["x == bool", "1:10: parse error: unexpected end of input"],
  ["histogram_quantile(\"a\", x)", "1:20: parse error: expected type scalar in call to function \"histogram_quantile\", got string"],
  ["x offset 5m offset 1m", "1:1: parse error: offset may not be set multiple times"],
  ["abs(\"x\")", "1:5: parse error: expected type instant vector in call to function \"abs\", got string"],
  ["-\"a\"", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\""],
  ["foo{a=~\"(\"}", "1:5: parse error: error parsing regexp: missing closing ): `^(?:()$`"],
  ["vector(x)", "1:8: parse error: expected type scalar in call to function \"vector\", got instant vector"],
  ["sum(x", "1:6: parse error: unclosed left parenthesis"],
  ["count by (a) (x) without (b)", "1:18: parse error: unexpected <without>"],
  ["sum(x) without", "1:15: parse error: unexpected end of input in grouping opts, expected \"(\""],
  ["x unless bool y", "1:3: parse error: bool modifier can only be used on comparison operators"],
  ["x ^ bool y", "1:3: parse error: bool modifier can only be used on comparison operators"],
  ["foo @ start(", "1:13: parse error: unclosed left parenthesis"],
  ["x{a=\"b\" c=\"d\"}", "1:9: parse error: unexpected identifier \"c\" in label matching, expected \",\" or \"}\""],
  ["x{a=\"b\",,}", "1:9: parse error: unexpected \",\" in label matching, expected identifier or \"}\""],
  ["1.5.2", "1:4: parse error: unexpected number \".2\""],
  ["0x", "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"0x\": invalid syntax"],
  ["`raw` + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types"],
  ["'single' + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types"],
  ["\"unterminated", "1:1: parse error: unterminated quoted string"],
  ["round(x, 1, 2)", "1:1: parse error: expected at most 2 argument(s) in call to \"round\", got 3"],
  ["time(1)", "1:1: parse error: expected 0 argument(s) in call to \"time\", got 1"],
  ["absent_over_time(x)", "1:18: parse error: expected type range vector in call to function \"absent_over_time\", got instant vector"],
  ["predict_linear(x[5m])", "1:1: parse error: expected 2 argument(s) in call to \"predict_linear\", got 1"],
  ["sort_desc(x[5m])", "1:11: parse error: expected type instant vector in call to function \"sort_desc\", got range vector"],
  ["sum by (a b) (x)", "1:11: parse error: unexpected identifier \"b\" in grouping opts, expected \",\" or \")\""],
  ["on(a) x", "1:1: parse error: unexpected <on>"],
  ["x + on(a) group_left(b) group_right(c) y", "1:25: parse error: unexpected <group_right>"],
  ["x + on(a) group_left(a) y", "1:3: parse error: label \"a\" must not occur in ON and GROUP clause at once"],
  ["x[5m] offset 1m [5m]", "1:17: parse error: ranges only allowed for vector selectors"],
  ["x @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times"],
  ["(x)[5m]", "1:4: parse error: ranges only allowed for vector selectors"],
];

test('parse errors read like Prometheus', () => {
  for (const [q, want] of PROMETHEUS_ERRORS) {
    assert.throws(() => parseExpr(q), (e: unknown) => {
      assert.ok(e instanceof PromQLParseError, `${q}: not a PromQLParseError`);
      assert.equal(e.message, want, q);
      return true;
    });
  }
});

test('literals and precedence', () => {
  const num = (q: string) => {
    const e = parseExpr(q);
    assert.equal(e.type, 'NumberLiteral', q);
    return (e as { val: number }).val;
  };
  assert.equal(num('0x1F'), 31);
  assert.equal(num('1e3'), 1000);
  assert.equal(num('.5'), 0.5);
  assert.equal(num('-Inf'), -Infinity);
  assert.ok(Number.isNaN(num('nan')));
  assert.equal(num('1h30m'), 5400);
  assert.equal(num('-2'), -2);
  const neg = parseExpr('-2 ^ 2');
  assert.equal(neg.type, 'UnaryExpr', 'unary minus binds looser than ^');
  const e = parseExpr('a ^ b ^ c');
  assert.equal(e.type === 'BinaryExpr' && e.rhs.type, 'BinaryExpr', '^ is right-associative');
  const f = parseExpr('a - b - c');
  assert.equal(f.type === 'BinaryExpr' && f.lhs.type, 'BinaryExpr', '- is left-associative');
  const g = parseExpr('a or b and c');
  assert.equal(g.type === 'BinaryExpr' && g.op, 'or');
  const u = parseExpr('-a * b');
  assert.equal(u.type === 'BinaryExpr' && u.op, '*', 'unary minus binds tighter than *');
  const s = parseExpr('"a\\tb\\x41\\u00e9"');
  assert.equal(s.type === 'StringLiteral' && s.val, 'a\tbA\u00e9');
  const q = parseExpr("'it\\'s'");
  assert.equal(q.type === 'StringLiteral' && q.val, "it's");
  const r = parseExpr('`a\\tb`');
  assert.equal(r.type === 'StringLiteral' && r.val, 'a\\tb');
});

test('selectors: UTF-8 names, offsets, @, subqueries', () => {
  const e = parseExpr('{"foo.bar", "a-b"=~"x.*"} offset -5m');
  assert.ok(e.type === 'VectorSelector');
  assert.equal(e.name, 'foo.bar');
  assert.deepEqual(e.offset, { kind: 'const', ms: -300000 });
  assert.equal(e.matchers[1]!.name, 'a-b');
  const a = parseExpr('rate(x[5m] @ end())');
  assert.ok(a.type === 'Call' && a.args[0]!.type === 'MatrixSelector' && a.args[0]!.vs.atMod === 'end');
  const sq = parseExpr('max_over_time(x[1h:5m] @ 100 offset 3m)');
  assert.ok(sq.type === 'Call' && sq.args[0]!.type === 'SubqueryExpr');
  const d = parseExpr('x[26m+4m]');
  assert.ok(d.type === 'MatrixSelector');
  assert.ok(d.range.kind === 'const' && d.range.ms === 1800000);
});

test('formatExpr round-trips', () => {
  const cases: [string, string][] = [
    ['sum(rate(foo{c=~"x",a="b"}[5m] offset 1m)) by (job)', 'sum by (job) (rate(foo{a="b",c=~"x"}[5m] offset 1m))'],
    ['a+on(x)group_left(y)b', 'a + on (x) group_left (y) b'],
    ['x[26m+4m]', 'x[26m + 4m]'],
    ['x offset (1h-30m)', 'x offset (1h - 30m)'],
    ['x > bool 90s', 'x > bool 1m30s'],
    ['x[1h:5m]@100', 'x[1h:5m] @ 100.000'],
    ['topk(3,x)>bool 2', 'topk(3, x) > bool 2'],
    ['-x unless ignoring(a) y', '-x unless ignoring (a) y'],
    ['1000000', '1000000'],
    ['1e-7', '0.0000001'],
    ['{"foo.bar"}', '{"foo.bar"}'],
    ['x offset -5m', 'x offset -5m'],
    ['count_values("v", x)', 'count_values("v", x)'],
  ];
  for (const [q, want] of cases) {
    assert.equal(formatExpr(parseExpr(q)), want, q);
    assert.equal(formatExpr(parseExpr(want)), want, `${want} is stable`);
  }
});

test('prettyExpr splits long expressions like Prometheus format_query', () => {
  // Outputs recorded from Prometheus's /api/v1/format_query.
  const cases: [string, string][] = [
    ['sum(rate(foo{a="b",c=~"x"}[5m] offset 1m)) by (job)', 'sum by (job) (rate(foo{a="b",c=~"x"}[5m] offset 1m))'],
    ['a + on(x) group_left(y) b', 'a + on (x) group_left (y) b'],
    [
      'sum by (job, instance, path, method) (rate(http_requests_total{job="api-server", path=~"/api/.*"}[5m])) / on(job) group_left sum by (job) (rate(http_requests_total[5m]))',
      '  sum by (job, instance, path, method) (\n    rate(http_requests_total{job="api-server",path=~"/api/.*"}[5m])\n  )\n/ on (job) group_left ()\n  sum by (job) (rate(http_requests_total[5m]))',
    ],
    [
      'histogram_quantile(0.99, sum by (le, job) (rate(http_request_duration_seconds_bucket{job=~"api|web|worker", handler!="/metrics"}[5m])))',
      'histogram_quantile(\n  0.99,\n  sum by (le, job) (\n    rate(http_request_duration_seconds_bucket{handler!="/metrics",job=~"api|web|worker"}[5m])\n  )\n)',
    ],
    [
      '-(sum(rate(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa[5m])) + sum(rate(bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb[5m])))',
      '-(\n    sum(rate(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa[5m]))\n  +\n    sum(rate(bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb[5m]))\n)',
    ],
    [
      'max_over_time(sum by (job) (rate(http_requests_total{job="api-server", path=~"/api/.*", method="GET"}[5m]))[1h:5m])',
      'max_over_time(\nsum by (job) (rate(http_requests_total{job="api-server",method="GET",path=~"/api/.*"}[5m]))[1h:5m]\n)',
    ],
  ];
  for (const [q, want] of cases) assert.equal(prettyExpr(parseExpr(q)), want, q);
});
