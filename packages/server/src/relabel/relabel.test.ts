import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CfgNode } from '../config/node.js';
import { labelsFromObject, labelsToObject } from '../model/labels.js';
import { compileAnchoredRE2, expandTemplate, hashMod, newRelabelConfig, parseRelabelConfigs, relabel, type RelabelConfigInput } from './index.js';

function run(input: Record<string, string>, rules: RelabelConfigInput[]): Record<string, string> | null {
  const out = relabel(labelsFromObject(input), rules.map(newRelabelConfig));
  return out && labelsToObject(out);
}

test('replace: defaults, capture groups, target expansion, deletion', () => {
  const base = { a: 'foo', b: 'bar', c: 'baz' };
  assert.deepEqual(run(base, [{ source_labels: ['a'], regex: 'f(.*)', target_label: 'd', replacement: 'ch${1}-ch${1}' }]), { ...base, d: 'choo-choo' });
  assert.deepEqual(run(base, [{ source_labels: ['a', 'b'], regex: 'f(.*);(.*)r', target_label: 'a', replacement: 'b${1}${2}m' }]), { a: 'boobam', b: 'bar', c: 'baz' });
  // no match: unchanged
  assert.deepEqual(run(base, [{ source_labels: ['a'], regex: 'no-match', target_label: 'x' }]), base);
  // anchored: 'o' does not match 'foo'
  assert.deepEqual(run(base, [{ source_labels: ['a'], regex: 'o', target_label: 'x' }]), base);
  // default regex (.*) and replacement $1 copy a label
  assert.deepEqual(run(base, [{ source_labels: ['c'], target_label: 'd' }]), { ...base, d: 'baz' });
  // empty result deletes the target
  assert.deepEqual(run(base, [{ source_labels: ['x'], target_label: 'a' }]), { b: 'bar', c: 'baz' });
  // target label built from groups
  assert.deepEqual(run(base, [{ source_labels: ['a'], regex: '(f)(.*)', target_label: '${1}_$2', replacement: 'v' }]), { ...base, f_oo: 'v' });
  // invalid expanded target label: no change
  assert.deepEqual(run(base, [{ source_labels: ['a'], regex: '(.*)', target_label: '${1}', replacement: 'v' }]), { ...base, foo: 'v' });
  assert.deepEqual(run({ a: '1x' }, [{ source_labels: ['a'], regex: '(.*)', target_label: '${1}', replacement: 'v' }]), { a: '1x' });
  // named groups (Go (?P<name>) syntax) and $name
  assert.deepEqual(run(base, [{ source_labels: ['a'], regex: '(?P<first>f)(?P<rest>.*)', target_label: 'd', replacement: '$rest-${first}' }]), { ...base, d: 'oo-f' });
});

test('Go Expand semantics', () => {
  const m = /^(a)(b)?(?<n>c)$/.exec('ac')!;
  assert.equal(expandTemplate('$1x', m), ''); // $1x is the group named "1x"
  assert.equal(expandTemplate('${1}x', m), 'ax');
  assert.equal(expandTemplate('$$1', m), '$1');
  assert.equal(expandTemplate('$2|$9|$n', m), '||c');
  assert.equal(expandTemplate('${1', m), '${1');
  assert.equal(expandTemplate('$-', m), '$-');
  assert.equal(expandTemplate('$01', m), '');
});

test('keep, drop, keepequal, dropequal', () => {
  const base = { a: 'foo', b: 'bar' };
  assert.equal(run(base, [{ source_labels: ['a'], regex: 'f.*', action: 'drop' }]), null);
  assert.deepEqual(run(base, [{ source_labels: ['a'], regex: 'x.*', action: 'drop' }]), base);
  assert.equal(run(base, [{ source_labels: ['a'], regex: 'x.*', action: 'keep' }]), null);
  assert.deepEqual(run(base, [{ source_labels: ['a'], regex: 'f.*', action: 'Keep' }]), base);
  // missing label is the empty string
  assert.equal(run(base, [{ source_labels: ['zz'], regex: '.+', action: 'keep' }]), null);
  assert.equal(run({ a: 'x', b: 'x' }, [{ source_labels: ['a'], target_label: 'b', action: 'dropequal' }]), null);
  assert.deepEqual(run({ a: 'x', b: 'y' }, [{ source_labels: ['a'], target_label: 'b', action: 'dropequal' }]), { a: 'x', b: 'y' });
  assert.equal(run({ a: 'x', b: 'y' }, [{ source_labels: ['a'], target_label: 'b', action: 'keepequal' }]), null);
});

test('hashmod matches Prometheus (md5, last 8 bytes big-endian)', () => {
  assert.equal(hashMod('baz', 1000), '976');
  assert.deepEqual(run({ c: 'baz' }, [{ source_labels: ['c'], target_label: 'd', action: 'hashmod', modulus: 1000 }]), { c: 'baz', d: '976' });
  assert.equal(hashMod('foo', 1000), '696');
  assert.equal(hashMod('', 1000), '958');
});

test('labelmap, labeldrop, labelkeep, lowercase, uppercase', () => {
  const meta = { __meta_kubernetes_pod_label_app: 'web', __meta_kubernetes_pod_label_tier: 'fe', job: 'j' };
  assert.deepEqual(run(meta, [{ action: 'labelmap', regex: '__meta_kubernetes_pod_label_(.+)' }]), { ...meta, app: 'web', tier: 'fe' });
  assert.deepEqual(run(meta, [{ action: 'labelmap', regex: '__meta_(kubernetes)_pod_label_(.+)', replacement: '${1}_$2' }]), {
    ...meta, kubernetes_app: 'web', kubernetes_tier: 'fe',
  });
  assert.deepEqual(run(meta, [{ action: 'labeldrop', regex: '__meta_.*' }]), { job: 'j' });
  assert.deepEqual(run(meta, [{ action: 'labelkeep', regex: '__meta_.*_app' }]), { __meta_kubernetes_pod_label_app: 'web' });
  assert.deepEqual(run({ a: 'AbC' }, [{ source_labels: ['a'], target_label: 'l', action: 'lowercase' }]), { a: 'AbC', l: 'abc' });
  assert.deepEqual(run({ a: 'AbC' }, [{ source_labels: ['a'], target_label: 'u', action: 'uppercase' }]), { a: 'AbC', u: 'ABC' });
});

test('validation errors as Prometheus words them', () => {
  const bad: [RelabelConfigInput, RegExp][] = [
    [{ action: 'explode' }, /unknown relabel action "explode"/],
    [{ action: 'hashmod', target_label: 'x' }, /requires non-zero modulus/],
    [{ action: 'replace' }, /replace action requires 'target_label' value/],
    [{ action: 'replace', target_label: '0bad' }, /"0bad" is invalid 'target_label' for replace action/],
    [{ action: 'lowercase', target_label: 'x', replacement: 'y' }, /'replacement' can not be set for lowercase action/],
    [{ action: 'labelmap', replacement: '-x' }, /"-x" is invalid 'replacement' for labelmap action/],
    [{ action: 'keepequal', target_label: 'x', regex: 'a' }, /keepequal action requires only 'source_labels' and `target_label`/],
    [{ action: 'labeldrop', regex: 'a', source_labels: ['b'] }, /labeldrop action requires only 'regex'/],
    [{ source_labels: ['a-b'], target_label: 'x' }, /"a-b" is not a valid label name/],
    [{ regex: '(a', target_label: 'x' }, /error parsing regexp/],
    [{ regex: '(a)\\1', target_label: 'x' }, /invalid escape sequence/],
    [{ regex: '(?=a)', target_label: 'x' }, /invalid or unsupported Perl syntax/],
  ];
  for (const [input, re] of bad) assert.throws(() => newRelabelConfig(input), re, JSON.stringify(input));
});

test('RE2 translation', () => {
  assert.ok(compileAnchoredRE2('(?i)FOO').test('foo'));
  assert.ok(compileAnchoredRE2('[[:digit:]]+').test('123'));
  assert.ok(!compileAnchoredRE2('[[:digit:]]+').test('12a'));
  assert.ok(compileAnchoredRE2('\\Qa.b\\E').test('a.b'));
  assert.ok(!compileAnchoredRE2('\\Qa.b\\E').test('axb'));
  assert.ok(compileAnchoredRE2('a|b').test('b'));
  assert.ok(!compileAnchoredRE2('a|b').test('ab'));
  assert.ok(!compileAnchoredRE2('.*').test('a\nb')); // RE2: . does not match newline without (?s)
  assert.ok(compileAnchoredRE2('(?s).*').test('a\nb'));
  assert.ok(compileAnchoredRE2('\\p{Greek}+').test('αβ'));
});

test('parseRelabelConfigs from YAML names file, line and field', () => {
  const root = CfgNode.parse(
    ['relabel_configs:', '  - source_labels: [__address__]', '    target_label: instance', '  - action: hashmod', '    target_label: shard', '    modulus: 0', ''].join('\n'),
    'p.yml',
  );
  assert.throws(() => parseRelabelConfigs(root.get('relabel_configs')), /p\.yml:4: relabel_configs\[1\]: relabel configuration for hashmod requires non-zero modulus/);
  const ok = CfgNode.parse('r:\n  - source_labels: [a]\n    regex: (.+)\n    target_label: b\n    action: Replace\n  - regex: tmp_.*\n    action: labeldrop\n', 'x.yml');
  const cfgs = parseRelabelConfigs(ok.get('r'));
  assert.equal(cfgs.length, 2);
  assert.equal(cfgs[0]!.action, 'replace');
  assert.equal(cfgs[1]!.action, 'labeldrop');
  const unk = CfgNode.parse('r:\n  - source_labels: [a]\n    targt_label: b\n', 'x.yml');
  assert.throws(() => parseRelabelConfigs(unk.get('r')), /x\.yml:3: r\[0\]\.targt_label: field targt_label not found/);
});
