import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText, defaultConfigText } from './config.js';
import { ConfigError } from './node.js';
import { parseDuration, formatDuration } from './duration.js';

test('prometheus.yml top level loads; unknown field names file, line and field', () => {
  const ok = parseConfigText('global:\n  scrape_interval: 15s\nscrape_configs: []\nrule_files: ["a.yml"]\n', 'p.yml');
  assert.deepEqual(ok.ruleFiles, ['a.yml']);
  assert.equal(ok.hostagent.enabled, false);
  assert.throws(
    () => parseConfigText('global: {}\nscrape_confgs: []\n', 'p.yml'),
    (e: unknown) => e instanceof ConfigError && e.line === 2 && /p\.yml:2: scrape_confgs: field scrape_confgs not found/.test(e.message),
  );
});

test('type errors name the field path', () => {
  assert.throws(
    () => parseConfigText('hostagent:\n  enabled: maybe\n', 'v.yml'),
    (e: unknown) => e instanceof ConfigError && e.message.startsWith('v.yml:2: hostagent.enabled: expected true or false'),
  );
  assert.throws(() => parseConfigText('hostagent:\n  scrape_interval: 15x\n', 'v.yml'), /hostagent\.scrape_interval: not a valid duration/);
  assert.throws(() => parseConfigText('a: [\n', 'v.yml'), /v\.yml:\d+: YAML/);
});

test('default config turns on the host agent and self monitoring', () => {
  const c = parseConfigText(defaultConfigText(), '<default>');
  assert.equal(c.hostagent.enabled, true);
  assert.equal(c.selfMonitoring, true);
});

test('durations', () => {
  assert.equal(parseDuration('1h30m'), 5400e3);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('0'), 0);
  assert.throws(() => parseDuration('1m1h'), /out of order/);
  assert.throws(() => parseDuration('1.5h'), /not a valid duration/);
  assert.equal(formatDuration(90e3), '1m30s');
  assert.equal(formatDuration(0), '0s');
});

test('scrape_config_files: globbed files add jobs; duplicate job names across files are errors', async () => {
  const { mkdtempSync, writeFileSync, mkdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { loadConfigFile } = await import('./config.js');
  const { parseFullConfig } = await import('../app/services.js');
  const d = mkdtempSync(join(tmpdir(), 'vigil-scf-'));
  writeFileSync(join(d, 'p.yml'), 'scrape_config_files: ["sc/*.yml"]\nscrape_configs:\n  - job_name: a\n    static_configs: [{targets: ["x:1"]}]\n');
  mkdirSync(join(d, 'sc'));
  writeFileSync(join(d, 'sc', 'one.yml'), 'scrape_configs:\n  - job_name: b\n    static_configs: [{targets: ["y:1"]}]\n');
  assert.deepEqual(parseFullConfig(loadConfigFile(join(d, 'p.yml'))).scrapeConfigs.map((c) => c.jobName), ['a', 'b']);
  writeFileSync(join(d, 'sc', 'two.yml'), 'scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ["z:1"]}]\n');
  assert.throws(() => parseFullConfig(loadConfigFile(join(d, 'p.yml'))), /two\.yml:2: scrape_configs\[0\]\.job_name: found multiple scrape configs with job name "a"/);
});
