// The same global/scrape_configs sections checked by Debian's `promtool check config` and by
// Vigil's parser: both accept or both reject each file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPeer } from '../src/testing/peers.js';
import { CfgNode } from '../src/config/node.js';
import { parseGlobalConfig, parseScrapeConfigs } from '../src/scrape/index.js';

const promtool = findPeer('promtool');

const job = (body: string) => `scrape_configs:\n  - job_name: j\n${body}`;
const CASES: Record<string, string> = {
  minimal: job('    static_configs:\n      - targets: [a:1]\n'),
  full: job(
    [
      '    scrape_interval: 30s',
      '    scrape_timeout: 5s',
      '    metrics_path: /m',
      '    scheme: https',
      '    params: {a: [b]}',
      '    honor_labels: true',
      '    honor_timestamps: false',
      '    basic_auth: {username: u, password: p}',
      '    tls_config: {insecure_skip_verify: true, server_name: x}',
      '    follow_redirects: false',
      '    sample_limit: 10',
      '    label_limit: 10',
      '    label_name_length_limit: 10',
      '    label_value_length_limit: 10',
      '    body_size_limit: 10MB',
      '    target_limit: 3',
      '    static_configs:',
      '      - targets: [a:1, b:2]',
      '        labels: {x: y}',
      '    file_sd_configs:',
      '      - files: [t/*.json, t.yml]',
      '        refresh_interval: 1m',
      '    relabel_configs:',
      '      - {source_labels: [a], target_label: b}',
      '      - {action: labelmap, regex: __meta_(.+)}',
      '      - {action: hashmod, source_labels: [a], target_label: s, modulus: 3}',
      '      - {action: keepequal, source_labels: [a], target_label: b}',
      '      - {action: lowercase, source_labels: [a], target_label: c}',
      '    metric_relabel_configs:',
      '      - {action: drop, source_labels: [__name__], regex: go_.*}',
      '',
    ].join('\n'),
  ),
  global_only: 'global:\n  scrape_interval: 15s\n  scrape_timeout: 5s\n  evaluation_interval: 1m\n  external_labels: {a: b}\n',
  bearer: job('    bearer_token: x\n'),
  authorization: job('    authorization: {type: Token, credentials: x}\n'),
  dup_job: 'scrape_configs:\n  - job_name: j\n  - job_name: j\n',
  timeout_gt_interval: job('    scrape_interval: 5s\n    scrape_timeout: 10s\n'),
  global_timeout_gt_interval: 'global:\n  scrape_interval: 5s\n  scrape_timeout: 10s\n',
  unknown_field: job('    scrape_intervall: 5s\n'),
  bad_duration: job('    scrape_interval: 5 s\n'),
  empty_job_name: 'scrape_configs:\n  - job_name: ""\n',
  bad_relabel_action: job('    relabel_configs:\n      - action: nope\n'),
  hashmod_no_modulus: job('    relabel_configs:\n      - {action: hashmod, source_labels: [a], target_label: b}\n'),
  replace_no_target: job('    relabel_configs:\n      - {action: replace, source_labels: [a]}\n'),
  bad_regex: job('    relabel_configs:\n      - {source_labels: [a], target_label: b, regex: "(a"}\n'),
  labeldrop_with_source: job('    relabel_configs:\n      - {action: labeldrop, regex: a, source_labels: [b]}\n'),
  bad_label_name: job('    static_configs:\n      - targets: [a:1]\n        labels: {"a-b": c}\n'),
  url_target: job('    static_configs:\n      - targets: ["http://a:1/metrics"]\n'),
  url_target_relabeled: job('    static_configs:\n      - targets: ["http://a:1/metrics"]\n    relabel_configs:\n      - {target_label: __address__, replacement: "a:1"}\n'),
  file_sd_bad_name: job('    file_sd_configs:\n      - files: [targets.txt]\n'),
  bearer_and_file: job('    bearer_token: x\n    bearer_token_file: y\n'),
  basic_and_bearer: job('    basic_auth: {username: u}\n    bearer_token: x\n'),
  authorization_basic: job('    authorization: {type: Basic, credentials: x}\n'),
  password_and_file: job('    basic_auth: {username: u, password: p, password_file: f}\n'),
  bad_external_label: 'global:\n  external_labels: {"a-b": c}\n',
  bad_scheme: job('    scheme: ftp\n'),
  negative_limit: job('    sample_limit: -1\n'),
  bad_body_size: job('    body_size_limit: 10XB\n'),
  other_sd: job('    dns_sd_configs:\n      - names: [a.example]\n        type: A\n        port: 9100\n'),
  keepequal_with_regex: job('    relabel_configs:\n      - {action: keepequal, source_labels: [a], target_label: b, regex: x}\n'),
  lowercase_with_replacement: job('    relabel_configs:\n      - {action: lowercase, source_labels: [a], target_label: b, replacement: x}\n'),
  target_label_dollar: job('    relabel_configs:\n      - {source_labels: [a], regex: "(.*)", target_label: "x_${1}"}\n'),
  target_label_bad: job('    relabel_configs:\n      - {source_labels: [a], target_label: "0x"}\n'),
};

test('promtool check config and Vigil agree on accepting global/scrape_configs', { skip: promtool.skip, timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-promtool-cfg-'));
  try {
    const diff: string[] = [];
    for (const [name, yml] of Object.entries(CASES)) {
      const file = join(dir, `${name}.yml`);
      writeFileSync(file, yml);
      const r = spawnSync(promtool.path!, ['check', 'config', '--syntax-only', file], { encoding: 'utf8' });
      const theirs = r.status === 0;
      let ours = true, why = '';
      try {
        const root = CfgNode.parse(yml, file);
        parseScrapeConfigs(root.get('scrape_configs'), parseGlobalConfig(root.get('global')));
      } catch (e) {
        ours = false;
        why = (e as Error).message;
      }
      if (theirs !== ours) diff.push(`${name}: promtool ${theirs ? 'ok' : 'rejects'} (${(r.stdout + r.stderr).trim().split('\n').pop()}) vs vigil ${ours ? 'ok' : `rejects (${why})`}`);
    }
    assert.deepEqual(diff, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
