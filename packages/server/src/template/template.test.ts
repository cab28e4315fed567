import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTemplate, TemplateSet, TemplateParseError, TemplateExecError, sprintf, formatFloat, GoTime, GO_MAP } from './index.js';

const r = (t: string, d: unknown = {}, o = {}) => renderTemplate(t, d, o);

test('floats print as Go %v (strconv g, shortest)', () => {
  const cases: [number, string][] = [
    [0.1, '0.1'], [1e6, '1e+06'], [100000, '100000'], [1e-5, '1e-05'], [0.0001, '0.0001'],
    [123456789, '1.23456789e+08'], [1, '1'], [-2.5, '-2.5'], [NaN, 'NaN'], [Infinity, '+Inf'], [-Infinity, '-Inf'],
    [1e21, '1e+21'], [5e-324, '5e-324'], [0, '0'], [-0, '-0'], [99999.5, '99999.5'], [1234567, '1.234567e+06'],
  ];
  for (const [v, want] of cases) assert.equal(r('{{ .V }}', { V: v }), want, `value ${v}`);
});

test('printf verbs, flags, width and precision', () => {
  assert.equal(sprintf('%.2f|%d|%s|%q|%v|%x|%X|%o|%b', [3.14159, 42n, 'hi', 'q\n', 1.5, 255n, 255n, 8n, 5n]), '3.14|42|hi|"q\\n"|1.5|ff|FF|10|101');
  assert.equal(sprintf('%5.1f|%-5s|%05d|%+d|% d|%8.3e|%g|%G', [2.25, 'ab', 42n, 3n, 3n, 123456.789, 0.000012345, 1e-10]), '  2.2|ab   |00042|+3| 3|1.235e+05|1.2345e-05|1E-10');
  // Exact ties round half to even, as strconv does.
  assert.equal(sprintf('%.0f %.0f %.0f %.2f %.1f', [0.5, 1.5, 2.5, 0.125, 0.35]), '0 2 2 0.12 0.3');
  assert.equal(sprintf('%.4g %.3g %.1f %08.3f %-8.2f|', [1234.5678, 0.0001234, -0.05, -3.14159, 2.0]), '1235 0.000123 -0.1 -003.142 2.00    |');
  assert.equal(sprintf('%x %X %s %10s|%-10s|%.2s', ['hi', 'hi', 'héllo', 'x', 'y', 'abc']), '6869 6869 héllo          x|y         |ab');
  assert.equal(sprintf('%t %v %c %U %%', [true, false, 65n, 0x1f600n]), 'true false A U+1F600 %');
  assert.equal(sprintf('%d %s', [1.5, 3n]), '%!d(float64=1.5) %!s(int=3)');
  assert.equal(sprintf('%d %d', [1n]), '1 %!d(MISSING)');
  assert.equal(sprintf('x', [1n, 'a']), 'x%!(EXTRA int=1, string=a)');
  assert.equal(sprintf('%*d|%.*f', [5n, 42n, 2n, 3.14159]), '   42|3.14');
  assert.equal(sprintf('%v %v %s', [['a', 'b'], { b: '2', a: '1' }, null]), '[a b] map[a:1 b:2] %!s(<nil>)');
  assert.equal(sprintf('%6.2f%%', [99.5]), ' 99.50%');
  assert.equal(sprintf('%.3f', [1.0005]), '1.000'); // 1.0005 is slightly below the tie in binary
  assert.equal(sprintf('%e', [0]), '0.000000e+00');
  assert.equal(sprintf('%v', [1e100]), '1e+100');
});

test('formatFloat matches strconv for e/f/g with precision', () => {
  assert.equal(formatFloat(1e20, 'f', -1), '100000000000000000000');
  assert.equal(formatFloat(123.456, 'e', 3), '1.235e+02');
  assert.equal(formatFloat(0.000001, 'g', -1), '1e-06');
  assert.equal(formatFloat(2.5, 'f', 0), '2');
  assert.equal(formatFloat(9.9999, 'f', 2), '10.00');
  assert.equal(formatFloat(1, 'g', 4), '1');
  assert.equal(formatFloat(100, 'g', 2), '1e+02');
});

test('variables, assignment, scoping', () => {
  assert.equal(r('{{ $x := 1 }}{{ $x }} {{ $x = 2.5 }}{{ $x }}'), '1 2.5');
  assert.equal(r('{{ $x := "a" }}{{ if true }}{{ $x := "b" }}{{ $x }}{{ end }}{{ $x }}'), 'ba');
  assert.equal(r('{{ $x := "a" }}{{ if true }}{{ $x = "b" }}{{ end }}{{ $x }}'), 'b');
  assert.equal(r('{{ $.A }}{{ with .B }}{{ $.A }}{{ . }}{{ end }}', { A: 'x', B: 'y' }), 'xxy');
  assert.throws(() => r('{{ $nope }}'), /undefined variable "\$nope"/);
});

test('control structures: if/else if, with/else, range over slices and sorted maps', () => {
  assert.equal(r('{{ if eq .A "x" }}X{{ else if eq .A "y" }}Y{{ else }}N{{ end }}', { A: 'y' }), 'Y');
  assert.equal(r('{{ with .M }}{{ .a }}{{ else }}none{{ end }}', { M: {} }), 'none');
  assert.equal(r('{{ with $x := .M }}{{ $x.a }}{{ end }}', { M: { a: '1' } }), '1');
  assert.equal(r('{{- range $k, $v := .L }} {{ $k }}={{ $v }} {{- end }}', { L: { b: '2', a: '1' } }), ' a=1 b=2');
  assert.equal(r('{{ range $i, $e := .S }}{{ $i }}{{ $e }}{{ end }}', { S: ['a', 'b'] }), '0a1b');
  assert.equal(r('{{ range .S }}{{ . }}{{ else }}empty{{ end }}', { S: [] }), 'empty');
  assert.equal(r('{{ range .S }}{{ if eq . "b" }}{{ break }}{{ end }}{{ . }}{{ end }}', { S: ['a', 'b', 'c'] }), 'a');
  assert.equal(r('{{ range .S }}{{ if eq . "b" }}{{ continue }}{{ end }}{{ . }}{{ end }}', { S: ['a', 'b', 'c'] }), 'ac');
  assert.equal(r('{{ range 3 }}{{ . }}{{ end }}'), '012');
  assert.equal(r('{{ range .M }}{{ . }}{{ end }}', { M: new Map([['z', 1], ['a', 2]]) }), '21');
});

test('trim markers and comments', () => {
  assert.equal(r('a  {{- "b" -}}  c'), 'abc');
  assert.equal(r('a {{- /* hidden */ -}} b'), 'ab');
  assert.equal(r('{{/* c */}}x'), 'x');
  assert.equal(r('{{ 3 -}} \n {{- 4 }}'), '34');
  assert.equal(r('{{-3}}'), '-3');
});

test('define, template, block and redefinition', () => {
  assert.equal(r('{{ define "t" }}[{{ . }}]{{ end }}{{ template "t" "x" }}{{ block "b" 3 }}<{{.}}>{{end}}'), '[x]<3>');
  const s = new TemplateSet().parse('base', '{{ define "x" }}old{{ end }}{{ template "x" }}');
  assert.equal(s.execute('base', null), 'old');
  const c = s.clone().parse('over', '{{ define "x" }}new{{ end }}');
  assert.equal(c.execute('base', null), 'new');
  assert.equal(s.execute('base', null), 'old');
  assert.throws(() => r('{{ template "missing" }}'), /template "missing" not defined/);
});

test('builtins: len, index, slice, print, escapes, comparisons, and/or', () => {
  assert.equal(r('{{ len .S }} {{ index .S 1 }} {{ slice .S 1 2 }} {{ len "héllo" }}', { S: ['a', 'b', 'c'] }), '3 b [b] 6');
  assert.equal(r('{{ index .M "a" }}|{{ index .M "zz" }}|', { M: { a: 'x' } }), 'x||');
  assert.equal(r('{{ print 1 2 "a" 3.0 }}{{ println "x" 1 }}'), '1 2a3x 1\n');
  assert.equal(r(`{{ html "<a href='x'>" }} {{ js "a'b<" }} {{ urlquery "a b&c" }}`), '&lt;a href=&#39;x&#39;&gt; a\\\'b\\u003C a+b%26c');
  assert.equal(r('{{ gt .V 1.0 }} {{ and 1 0 }} {{ or 0 "" "x" }} {{ not true }} {{ ne "a" "b" }} {{ le 2 2 }} {{ eq 1 2 3 1 }}', { V: 2.0 }), 'true 0 x false true true true');
  assert.equal(r('{{ if and .A .B }}y{{ else }}n{{ end }}', { A: true }), 'n');
  assert.equal(r('{{ call .G "z" }}', { G: (s: string) => s + '!' }), 'z!');
  assert.throws(() => r('{{ .F 2 }}', { F: 'x' }), /F is not a method but has arguments/);
  // Go refuses to compare float64 with an int constant.
  assert.throws(() => r('{{ gt .V 1 }}', { V: 2.0 }), /error calling gt: incompatible types for comparison/);
  assert.throws(() => r('{{ index .S 5 }}', { S: ['a'] }), /index out of range: 5/);
});

test('missing keys: default, zero, error', () => {
  assert.equal(r('{{ .Missing }}'), '<no value>');
  assert.equal(r('{{ .Missing }}', {}, { missingKey: 'zero' }), '');
  assert.throws(() => r('{{ .Missing }}', {}, { missingKey: 'error' }), /map has no entry for key "Missing"/);
});

test('structs, methods and map types with methods', () => {
  class KV {
    constructor(o: Record<string, string>) {
      Object.assign(this, o);
    }
    Names(): string[] {
      return Object.keys(this).sort();
    }
  }
  (KV.prototype as unknown as Record<symbol, boolean>)[GO_MAP] = true;
  class Data {
    Labels = new KV({ b: '2', a: '1' });
    Greet(name: string): string {
      return 'hi ' + name;
    }
  }
  assert.equal(r('{{ .Labels.a }} {{ .Labels.Names }} {{ .Greet "bob" }} {{ range .Labels }}{{ . }}{{ end }}', new Data()), '1 [a b] hi bob 12');
  assert.throws(() => r('{{ .Nope }}', new Data()), /can't evaluate field Nope in type Data/);
});

test('GoTime prints like time.Time and formats Go layouts', () => {
  const t = new GoTime(Date.UTC(2021, 0, 2, 3, 4, 5, 120));
  assert.equal(r('{{ . }}', t), '2021-01-02 03:04:05.12 +0000 UTC');
  assert.equal(t.Format('2006-01-02T15:04:05Z07:00'), '2021-01-02T03:04:05Z');
  assert.equal(t.Format('Jan _2 3:04PM .000'), 'Jan  2 3:04AM .120');
});

test('parse errors name template and line; unsupported syntax fails at parse time', () => {
  const cases: [string, RegExp][] = [
    ['{{ nope }}', /^template: t:1: function "nope" not defined$/],
    ['{{ if }}', /^template: t:1: missing value for if$/],
    ['x\n{{ .X', /^template: t:2: unclosed action$/],
    ['{{ if true }}', /^template: t:1: unexpected EOF$/],
    ['{{ end }}', /unexpected \{\{end\}\}/],
    ['{{ break }}', /\{\{break\}\} outside \{\{range\}\}/],
    ['{{ "a" | "b" }}', /non executable command in pipeline stage 2/],
    ['{{ /* x */ }}', /unrecognized character in action|unexpected/],
    ['{{ 3x }}', /bad number syntax/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => new TemplateSet().parse('t', text), (e: unknown) => e instanceof TemplateParseError && re.test((e as Error).message), text);
  }
});

test('exec errors name template, line, column and the failing command', () => {
  assert.throws(
    () => r('a\n{{ .X.Y }}', { X: 'str' }, { name: 't' }),
    (e: unknown) => e instanceof TemplateExecError && (e as Error).message === 'template: t:2:5: executing "t" at <.X.Y>: can\'t evaluate field Y in type string',
  );
  const s = new TemplateSet({ funcs: { boom: { fn: () => { throw new Error('bad'); }, params: [] } } }).parse('t', '{{ boom }}');
  assert.throws(() => s.execute('t', null), /executing "t" at <boom>: error calling boom: bad/);
  const s2 = new TemplateSet({ funcs: { up: { fn: (x: string) => x.toUpperCase(), params: ['string'] } } }).parse('t', '{{ up .V }}');
  assert.throws(() => s2.execute('t', { V: 1.5 }), /wrong type for value; expected string; got float64/);
  assert.throws(() => new TemplateSet({ funcs: { up: { fn: (x: string) => x, params: ['string'] } } }).parse('t', '{{ up 1 2 }}').execute('t', null), /wrong number of args for up: want 1 got 2/);
});

test('async functions are awaited by executeAsync and rejected by execute', async () => {
  const s = new TemplateSet({ funcs: { q: { fn: async (x: string) => `<${x}>`, params: ['string'] } } }).parse('t', '{{ q "a" | printf "%s!" }}');
  assert.equal(await s.executeAsync('t', null), '<a>!');
  assert.throws(() => s.execute('t', null), /executeAsync/);
});
