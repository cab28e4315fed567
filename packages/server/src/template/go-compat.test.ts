// Checks the engine against outputs recorded from Go 1.19's text/template (testdata/go-results.json,
// produced by testdata/gogen/main.go over testdata/cases.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TemplateSet, GO_MAP_ZERO, GO_TYPE, type MissingKey } from './index.js';

function dataDir(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (d !== '/' && !existsSync(join(d, 'packages'))) d = dirname(d);
  return join(d, 'packages', 'server', 'src', 'template', 'testdata');
}

interface Result {
  text: string;
  out: string;
  err?: string;
}

function typed<T extends object>(o: T, type: string, zero?: unknown, hasZero = false): T {
  Object.defineProperty(o, GO_TYPE, { value: type, enumerable: false });
  if (hasZero) Object.defineProperty(o, GO_MAP_ZERO, { value: zero, enumerable: false });
  return o;
}

class Data {
  readonly [GO_TYPE] = 'main.Data';
  Labels = typed({ instance: 'host:9100', job: 'node', b: '2', a: '1' }, 'map[string]string');
  Value = 0.12345;
  Int = 42n;
  Str = "héllo <b>&'\"";
  Strs = ['x', 'y', 'z'];
  Floats = [1, 2.5, 1e6, 1e-7];
  M = typed({ z: 26n, a: 1n, m: 13n }, 'map[string]int', 0n, true);
  Nested = typed({ k: typed({ x: '1' }, 'map[string]string') }, 'map[string]map[string]string', typed({}, 'map[string]string'), true);
  B = true;
  Nil = null;
  Empty: string[] = [];
  Any = typed({ f: 1.5, s: 'str', n: null }, 'map[string]interface {}', undefined, true);
  Greet(name: string): string {
    if (typeof name !== 'string') throw new Error(`wrong type for value; expected string; got ${typeof name}`);
    return 'hi ' + name;
  }
}

// Known, accepted differences (type names of Go values we model loosely, Go-internal panics).
const SKIP = new Set<string>([]);

const results: Result[] = JSON.parse(readFileSync(join(dataDir(), 'go-results.json'), 'utf8'));
const cases: { text: string; missingkey?: MissingKey }[] = JSON.parse(readFileSync(join(dataDir(), 'cases.json'), 'utf8'));

test('template engine matches Go text/template on recorded cases', () => {
  const bad: string[] = [];
  let outOk = 0, errOk = 0;
  results.forEach((r, i) => {
    if (SKIP.has(r.text)) return;
    const c = cases[i]!;
    let out = '', err: string | undefined;
    try {
      const s = new TemplateSet({
        missingKey: c.missingkey ?? 'default',
        funcs: {
          upper: { fn: (x: string) => x.toUpperCase(), params: ['string'] },
          fail: { fn: () => { throw new Error('boom'); }, params: [] },
          add: { fn: (a: number, b: number) => a + b, params: ['float64', 'float64'] },
        },
      });
      s.parse('t', c.text);
      out = s.execute('t', new Data());
    } catch (e) {
      err = (e as Error).message;
    }
    if (r.err === undefined) {
      if (err !== undefined || out !== r.out) bad.push(`${JSON.stringify(r.text)}${c.missingkey ? ` [${c.missingkey}]` : ''}\n   go:    ${JSON.stringify(r.out)}\n   vigil: ${err ? 'ERROR ' + err : JSON.stringify(out)}`);
      else outOk++;
    } else {
      if (err === undefined) bad.push(`${JSON.stringify(r.text)}\n   go:    ERROR ${r.err}\n   vigil: ${JSON.stringify(out)}`);
      else {
        errOk++;
        if (process.env.VIGIL_TEMPLATE_VERBOSE && err !== r.err) console.log(`msg differs: ${r.text}\n  go:    ${r.err}\n  vigil: ${err}`);
      }
    }
  });
  console.log(`go text/template compatibility: ${outOk + errOk}/${results.length} cases agree (${outOk} outputs, ${errOk} errors)`);
  assert.deepEqual(bad, []);
});
