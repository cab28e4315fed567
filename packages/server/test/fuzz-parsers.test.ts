// Fuzzing the parsers that take outside input: random mutations of valid inputs must end in a
// clear, typed error (or a result) — never an unexpected exception type, never a hang.
// Bounded: a fixed seed and a fixed number of cases per parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExpr, PromQLParseError } from '../src/promql/index.js';
import { parseConfigText } from '../src/config/config.js';
import { ConfigError } from '../src/config/node.js';
import { parseFullConfig } from '../src/app/services.js';
import { decodeWriteRequest, encodeWriteRequest } from '../src/protobuf/prompb.js';
import { parseInfluxLine, LineError } from '../src/ingest/index.js';
import { loadAlertmanagerConfig } from '../src/alerting/index.js';
import { parseRuleFile, RuleFileError } from '../src/rules/index.js';
import { labelsOf } from '../src/model/labels.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

const ALPHABET = ' (){}[]",=~!:@^*/%+-.0123456789abcxyz_\\\'`\n\t#$|&<>';

function mutateText(src: string, r: () => number): string {
  let s = src;
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const i = Math.floor(r() * (s.length + 1));
    const op = r();
    if (op < 0.4) s = s.slice(0, i) + s.slice(i + 1 + Math.floor(r() * 3));
    else if (op < 0.8) s = s.slice(0, i) + ALPHABET[Math.floor(r() * ALPHABET.length)]! + s.slice(i);
    else s = s.slice(0, i) + s.slice(Math.floor(r() * s.length), Math.floor(r() * s.length)) + s.slice(i);
  }
  return s;
}

function mutateBytes(src: Uint8Array, r: () => number): Uint8Array {
  const b = Uint8Array.from(src);
  const n = 1 + Math.floor(r() * 6);
  for (let k = 0; k < n; k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
  return r() < 0.3 ? b.subarray(0, Math.floor(r() * b.length)) : b;
}

function fuzz<T>(name: string, seeds: T[], mutate: (x: T, r: () => number) => T, run: (x: T) => unknown, allowed: (e: unknown) => boolean, cases = 3000): void {
  test(`fuzz: ${name}`, () => {
    const r = rng(0xC0FFEE);
    let errors = 0;
    for (let i = 0; i < cases; i++) {
      const input = mutate(seeds[i % seeds.length]!, r);
      try {
        run(input);
      } catch (e) {
        errors++;
        if (!allowed(e)) assert.fail(`${name}: unexpected ${(e as Error)?.name}: ${(e as Error)?.message} for input ${JSON.stringify(input instanceof Uint8Array ? [...input] : input)}`);
        assert.ok(String((e as Error).message).length > 0, 'errors say what is wrong');
      }
    }
    assert.ok(errors > 0, 'the mutations produce bad input');
  });
}

fuzz(
  'PromQL parser',
  [
    'sum by (job) (rate(http_requests_total{status=~"5..",method!="GET"}[5m] offset 1m)) / on(job) group_left sum(up)',
    'histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m] @ end())))',
    'max_over_time(rate(a[1m])[30m:1m]) > bool 2 ^ 3 ^ 2',
    'label_replace(up, "a", "$1", "instance", "(.*):.*") unless topk(3, -up) or vector(1)',
    '{__name__=~"node_.+", "quoted.name"="v"} offset -5m',
    'count_values("x", 1e3 + 0x1F - Inf * NaN) + 1h30m',
  ],
  mutateText,
  (q) => parseExpr(q),
  (e) => e instanceof PromQLParseError,
);

const promYml = `global:
  scrape_interval: 15s
  external_labels: {region: eu}
scrape_configs:
  - job_name: node
    scrape_interval: 30s
    static_configs: [{targets: ["localhost:9100"], labels: {env: prod}}]
    relabel_configs:
      - source_labels: [__address__]
        regex: "(.*):.*"
        target_label: host
        replacement: "$1"
remote_write:
  - url: http://127.0.0.1:8428/api/v1/write
    queue_config: {max_shards: 4}
hostagent: {enabled: true}
`;
fuzz(
  'vigil.yml / prometheus.yml loader',
  [promYml],
  mutateText,
  (text) => parseFullConfig(parseConfigText(text, 'fuzz.yml')),
  (e) => e instanceof ConfigError,
  1500,
);

fuzz(
  'Alertmanager config loader',
  [`route:\n  receiver: a\n  group_by: [alertname]\n  routes:\n    - matchers: ['severity="page"']\n      receiver: b\nreceivers:\n  - name: a\n  - name: b\n    webhook_configs: [{url: "http://x/"}]\ninhibit_rules:\n  - source_matchers: [a=b]\n    target_matchers: [c=~d]\n    equal: [e]\n`],
  mutateText,
  (text) => loadAlertmanagerConfig(text, 'am.yml'),
  (e) => e instanceof ConfigError || (e instanceof Error && /am\.yml/.test(e.message)),
  1500,
);

fuzz(
  'rule files',
  [`groups:\n  - name: g\n    interval: 30s\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n      - alert: Down\n        expr: up == 0\n        for: 5m\n        labels: {severity: page}\n        annotations: {summary: "{{ $labels.instance }} down"}\n`],
  mutateText,
  (text) => parseRuleFile(text, 'r.yml'),
  (e) => e instanceof RuleFileError,
  1500,
);

fuzz(
  'remote_write protobuf',
  [encodeWriteRequest([{ labels: labelsOf('__name__', 'up', 'job', 'a', 'instance', 'b:1'), t: [1000, 2000], v: [1, 0] }])],
  mutateBytes,
  (b) => decodeWriteRequest(b),
  (e) => e instanceof Error && e.name !== 'TypeError' && e.name !== 'RangeError',
);

fuzz(
  'Influx line protocol',
  ['cpu,host=a,region=eu\\ west usage_idle=98.5,usage_user=1i,ok=true,msg="x y" 1700000000000000000', 'mem used=12u 1'],
  mutateText,
  (l) => parseInfluxLine(l),
  (e) => e instanceof LineError,
);
