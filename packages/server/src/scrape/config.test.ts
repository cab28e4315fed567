import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CfgNode } from '../config/node.js';
import { labelsToObject } from '../model/labels.js';
import { parseByteSize, parseGlobalConfig, parseScrapeConfigs, populateTarget } from './index.js';

const PROM_YML = `
global:
  scrape_interval: 15s
  evaluation_interval: 30s
  external_labels:
    monitor: codelab
rule_files: []
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['localhost:9090']
  - job_name: node
    scrape_interval: 5s
    scrape_timeout: 2s
    metrics_path: /probe
    scheme: https
    params:
      module: [http_2xx]
    honor_labels: true
    honor_timestamps: false
    basic_auth:
      username: u
      password_file: secrets/pw
    tls_config:
      ca_file: /etc/ca.pem
      insecure_skip_verify: true
      server_name: node.example
    static_configs:
      - targets: ['a:9100', 'b']
        labels: {env: prod}
    file_sd_configs:
      - files: ['targets/*.json', 'more.yml']
        refresh_interval: 1m
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: go_.*
        action: drop
    sample_limit: 1000
    label_limit: 30
    label_name_length_limit: 200
    label_value_length_limit: 500
    body_size_limit: 10MB
    target_limit: 50
  - job_name: legacy
    bearer_token: abc
    kubernetes_sd_configs:
      - role: pod
`;

test('a typical prometheus.yml loads unchanged with Prometheus defaults', () => {
  const root = CfgNode.parse(PROM_YML, '/etc/vigil/prometheus.yml');
  const g = parseGlobalConfig(root.get('global'));
  assert.equal(g.scrapeIntervalMs, 15_000);
  assert.equal(g.scrapeTimeoutMs, 10_000);
  assert.equal(g.evaluationIntervalMs, 30_000);
  assert.deepEqual(labelsToObject(g.externalLabels), { monitor: 'codelab' });
  const scs = parseScrapeConfigs(root.get('scrape_configs'), g);
  assert.equal(scs.length, 3);
  const [p, n, l] = scs as [typeof scs[0], typeof scs[0], typeof scs[0]];
  assert.equal(p.scrapeIntervalMs, 15_000);
  assert.equal(p.scrapeTimeoutMs, 10_000);
  assert.equal(p.metricsPath, '/metrics');
  assert.equal(p.scheme, 'http');
  assert.equal(p.honorLabels, false);
  assert.equal(p.honorTimestamps, true);
  assert.equal(n.scrapeIntervalMs, 5000);
  assert.equal(n.scrapeTimeoutMs, 2000);
  assert.deepEqual(n.params, { module: ['http_2xx'] });
  assert.equal(n.http.basicAuth!.passwordFile, '/etc/vigil/secrets/pw');
  assert.equal(n.http.tls.insecureSkipVerify, true);
  assert.equal(n.http.tls.serverName, 'node.example');
  assert.deepEqual(n.fileSDConfigs, [{ files: ['/etc/vigil/targets/*.json', '/etc/vigil/more.yml'], refreshIntervalMs: 60_000 }]);
  assert.equal(n.metricRelabelConfigs[0]!.action, 'drop');
  assert.equal(n.bodySizeLimit, 10 * 1024 * 1024);
  assert.equal(n.sampleLimit, 1000);
  assert.equal(n.targetLimit, 50);
  assert.deepEqual(l.http.authorization, { type: 'Bearer', credentials: 'abc' });
  assert.match(l.warnings.join('\n'), /kubernetes_sd_configs is not supported/);
});

test('scrape timeout defaults to the interval when the interval is shorter than 10s', () => {
  const root = CfgNode.parse('scrape_configs:\n  - job_name: a\n    scrape_interval: 3s\n', 'p.yml');
  const [a] = parseScrapeConfigs(root.get('scrape_configs'), parseGlobalConfig(root.get('global')));
  assert.equal(a!.scrapeTimeoutMs, 3000);
  const g = parseGlobalConfig(CfgNode.parse('global:\n  scrape_interval: 5s\n', 'g.yml').get('global'));
  assert.equal(g.scrapeTimeoutMs, 5000);
});

test('config errors as Prometheus words them, with file and line', () => {
  const cases: [string, RegExp][] = [
    ['scrape_configs:\n  - job_name: a\n  - job_name: a\n', /p\.yml:3: scrape_configs\[1\]\.job_name: found multiple scrape configs with job name "a"/],
    ['scrape_configs:\n  - job_name: a\n    scrape_intervl: 5s\n', /p\.yml:3: .*field scrape_intervl not found/],
    ['scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 6s\n', /scrape timeout greater than scrape interval for scrape config with job name "a"/],
    ['scrape_configs:\n  - job_name: ""\n', /job_name is empty/],
    ['scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: [x.txt]\n', /path name "x.txt" is not valid for file discovery/],
    ['scrape_configs:\n  - job_name: a\n    bearer_token: x\n    bearer_token_file: y\n', /at most one of bearer_token & bearer_token_file/],
    ['scrape_configs:\n  - job_name: a\n    basic_auth: {username: u}\n    authorization: {credentials: x}\n', /at most one of basic_auth, oauth2 & authorization/],
    ['scrape_configs:\n  - job_name: a\n    authorization: {type: Basic, credentials: x}\n', /authorization type cannot be set to "basic"/],
    ['scrape_configs:\n  - job_name: a\n    scrape_interval: 5x\n', /not a valid duration/],
    ['scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [a]\n        labels: {"a-b": c}\n', /"a-b" is not a valid label name/],
    ['scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ["http://x:80/metrics"]\n', /p\.yml:4: .*"http:\/\/x:80\/metrics" is not a valid hostname/],
    ['scrape_configs:\n  - job_name: a\n    sample_limit: -1\n', /non-negative/],
    ['scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: hashmod\n        target_label: x\n', /p\.yml:4: .*requires non-zero modulus/],
  ];
  for (const [yml, re] of cases) {
    const root = CfgNode.parse(yml, 'p.yml');
    assert.throws(() => parseScrapeConfigs(root.get('scrape_configs'), parseGlobalConfig(root.get('global'))), re, yml);
  }
  assert.throws(() => parseGlobalConfig(CfgNode.parse('global:\n  scrape_interval: 5s\n  scrape_timeout: 6s\n', 'g.yml').get('global')), /global scrape timeout greater than scrape interval/);
});

test('a URL in static targets is fine when relabeling can fix it', () => {
  const root = CfgNode.parse('scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ["http://x/y"]\n    relabel_configs:\n      - target_label: __address__\n        replacement: x:1\n', 'p.yml');
  const [a] = parseScrapeConfigs(root.get('scrape_configs'));
  const r = populateTarget({ __address__: 'http://x/y' }, a!);
  assert.equal(r.kind, 'target');
});

test('byte sizes are base 2', () => {
  assert.equal(parseByteSize('1KB'), 1024);
  assert.equal(parseByteSize('1KiB'), 1024);
  assert.equal(parseByteSize('2MB'), 2 * 1024 * 1024);
  assert.equal(parseByteSize('100'), 100);
  assert.throws(() => parseByteSize('1XB'));
});

test('target labels: defaults, default port, instance, params, __meta_ removal, relabel drop', () => {
  const root = CfgNode.parse(
    [
      'scrape_configs:',
      '  - job_name: blackbox',
      '    params: {module: [http_2xx]}',
      '    relabel_configs:',
      '      - source_labels: [__address__]',
      '        target_label: __param_target',
      '      - source_labels: [__meta_x]',
      '        regex: drop',
      '        action: drop',
      '      - source_labels: [__meta_x]',
      '        target_label: from_meta',
      '',
    ].join('\n'),
    'p.yml',
  );
  const [cfg] = parseScrapeConfigs(root.get('scrape_configs'));
  const r = populateTarget({ __address__: 'example.com', __meta_x: 'kept' }, cfg!);
  assert.equal(r.kind, 'target');
  if (r.kind !== 'target') return;
  const t = r.target;
  assert.deepEqual(labelsToObject(t.publicLabels), { job: 'blackbox', instance: 'example.com:80', from_meta: 'kept' });
  assert.equal(t.url(), 'http://example.com:80/metrics?module=http_2xx&target=example.com');
  assert.equal(labelsToObject(t.discoveredLabels).__meta_x, 'kept');
  assert.equal(labelsToObject(t.discoveredLabels).__scrape_interval__, '1m');
  assert.equal(t.intervalMs, 60_000);
  const d = populateTarget({ __address__: 'x:1', __meta_x: 'drop' }, cfg!);
  assert.equal(d.kind, 'dropped');
  // offsets spread targets but stay inside the interval and are stable per target
  const o1 = t.offsetMs(1_000_000), o2 = t.offsetMs(1_000_000);
  assert.equal(o1, o2);
  assert.ok(o1 >= 0 && o1 <= 60_000);
});
