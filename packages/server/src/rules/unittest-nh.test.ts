// `vigil test rules` with native histogram input series and expected histogram samples
// (promtool's notation: `{{schema:… count:… buckets:[…]}}`, `+{{…}}xN` expansions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ruleUnitTestFile } from './unittest.js';

function files(rules: string, tests: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-nh-rules-'));
  writeFileSync(join(dir, 'rules.yml'), rules);
  writeFileSync(join(dir, 'test.yml'), tests);
  return { dir, file: join(dir, 'test.yml') };
}

const RULES = `groups:
- name: g
  rules:
  - record: job:rpc_seconds:rate1m
    expr: sum by (job) (rate(rpc_seconds[2m]))
  - record: job:rpc_seconds:p90
    expr: histogram_quantile(0.9, job:rpc_seconds:rate1m)
`;

test('rule unit tests: histogram input series, recorded histograms, expected histogram samples', async () => {
  const { dir, file } = files(RULES, `rule_files: [rules.yml]
evaluation_interval: 1m
tests:
- interval: 1m
  input_series:
  - series: 'rpc_seconds{job="api", instance="a"}'
    values: '{{schema:0 count:0 sum:0}}+{{schema:0 count:6 sum:9 buckets:[2 4]}}x5'
  promql_expr_test:
  - expr: rpc_seconds
    eval_time: 2m
    exp_samples:
    - labels: 'rpc_seconds{job="api", instance="a"}'
      histogram: '{{count:12 sum:18 buckets:[4 8] counter_reset_hint:not_reset}}'
  - expr: job:rpc_seconds:rate1m
    eval_time: 3m
    exp_samples:
    - labels: 'job:rpc_seconds:rate1m{job="api"}'
      histogram: '{{count:0.1 sum:0.15 buckets:[0.03333333333333333 0.06666666666666667] counter_reset_hint:gauge}}'
  - expr: histogram_count(rpc_seconds)
    eval_time: 5m
    exp_samples:
    - labels: '{job="api", instance="a"}'
      value: 30
`);
  try {
    const errs = await ruleUnitTestFile(file);
    assert.deepEqual(errs, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rule unit tests: a wrong expected histogram is reported in promtool notation', async () => {
  const { dir, file } = files(RULES, `rule_files: [rules.yml]
tests:
- interval: 1m
  input_series:
  - series: 'rpc_seconds{job="api"}'
    values: '{{schema:0 count:6 sum:9 buckets:[2 4]}}x2'
  promql_expr_test:
  - expr: rpc_seconds
    eval_time: 1m
    exp_samples:
    - labels: 'rpc_seconds{job="api"}'
      histogram: '{{count:6 sum:9 buckets:[2 5]}}'
`);
  try {
    const errs = await ruleUnitTestFile(file);
    assert.equal(errs.length, 1);
    assert.match(errs[0]!, /exp: \{__name__="rpc_seconds", job="api"\} \{\{count:6 sum:9 buckets:\[2 5\]\}\}/);
    assert.match(errs[0]!, /got: \{__name__="rpc_seconds", job="api"\} \{\{count:6 sum:9 counter_reset_hint:not_reset buckets:\[2 4\]\}\}/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
