import { test } from 'node:test';
import assert from 'node:assert/strict';
import { amMatchersString, parseMatcher, parseMatchers, sortMatchers } from './matchers.js';
import { fingerprint } from './fingerprint.js';

test('matcher syntax: quoted, unquoted, regex, negation, braces, escapes', () => {
  const ms = parseMatchers('{foo = "bar", dings!=bums, x=~"a|b",y!~c.*, q="She said: \\"Hi, all\\"", }');
  assert.deepEqual(ms.map((m) => [m.name, m.type, m.value]), [
    ['foo', '=', 'bar'], ['dings', '!=', 'bums'], ['x', '=~', 'a|b'], ['y', '!~', 'c.*'], ['q', '=', 'She said: "Hi, all"'],
  ]);
  assert.equal(parseMatcher('a=').value, '');
  assert.equal(parseMatcher('a="x\\ny"').value, 'x\ny');
  assert.throws(() => parseMatcher('a="b'), /unescaped double quote/);
  assert.throws(() => parseMatcher('0a=b'), /bad matcher format/);
  assert.throws(() => parseMatcher('a=~"("'), /error parsing regexp/);
  assert.equal(amMatchersString(sortMatchers(parseMatchers('b=1,a=~"x",a="x"'))), '{a="x",a=~"x",b="1"}');
});

function fnvRef(ls: Record<string, string>): string {
  let h = 0xcbf29ce484222325n;
  const add = (b: number) => { h ^= BigInt(b); h = (h * 0x100000001b3n) & 0xffffffffffffffffn; };
  for (const k of Object.keys(ls).sort()) {
    for (const b of Buffer.from(k)) add(b);
    add(0xff);
    for (const b of Buffer.from(ls[k]!)) add(b);
    add(0xff);
  }
  return h.toString(16).padStart(16, '0');
}

test('fingerprint is FNV-1a 64 over sorted labels (matches a BigInt reference)', () => {
  for (const ls of <Record<string, string>[]>[{}, { alertname: 'x' }, { a: 'b', c: 'd', zeta: 'ünïcødé ✓' }, { job: 'node', instance: 'h:9100', severity: 'critical' }]) {
    assert.equal(fingerprint(ls), fnvRef(ls));
  }
  assert.equal(fingerprint({}), 'cbf29ce484222325');
});
