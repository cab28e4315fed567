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
