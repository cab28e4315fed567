// The scrape loop's compact series cache: identity by final label set (duplicates), label objects
// shared between series, and staleness, across cache pruning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CfgNode } from '../config/node.js';
import { labelsToObject } from '../model/labels.js';
import { isStaleNaN } from '../model/sample.js';
import { RecordingAppendable, ScrapeLoop, Target, parseGlobalConfig, parseScrapeConfigs } from './index.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } } as never;

function loop(extra: string, body: () => string) {
  const yml = `scrape_configs:\n  - job_name: j\n${extra}    static_configs:\n      - targets: ['127.0.0.1:9']\n`;
  const root = CfgNode.parse(yml, 'x.yml');
  const cfg = parseScrapeConfigs(root.get('scrape_configs'), parseGlobalConfig(root.get('global')))[0]!;
  const t = new Target(
    [
      { name: '__address__', value: '127.0.0.1:9' }, { name: '__metrics_path__', value: '/metrics' }, { name: '__scheme__', value: 'http' },
      { name: '__scrape_interval__', value: '1s' }, { name: '__scrape_timeout__', value: '1s' }, { name: 'instance', value: '127.0.0.1:9' }, { name: 'job', value: 'j' },
    ],
    [],
    {},
  );
  const rec = new RecordingAppendable();
  let now = 1_700_000_000_000;
  const fetcher = async () => ({ body: Buffer.from(body()), contentType: 'text/plain; version=0.0.4' });
  const l = new ScrapeLoop(t, cfg, rec, fetcher, quiet, () => now);
  return { l, rec, tick: () => (now += 1000) };
}

test('loop: raw texts with the same final labels are one series (duplicates), across cache pruning', async () => {
  let round = 0;
  // b vanishes in rounds 20..24 (staleness) and comes back; `a` is exposed twice in different forms.
  const body = () =>
    `a{x="1",y="2"} ${round}\na{y="2",x="1"} 99\na{x="1",y="2",} 98\n` + (round >= 20 && round < 25 ? '' : `b{x="1"} ${round}\n`);
  const { l, rec, tick } = loop('', body);
  for (round = 0; round < 40; round++) {
    tick();
    await l.scrapeOnce();
  }
  assert.equal(l.target.lastError, '');
  const a = rec.find({ __name__: 'a' });
  assert.equal(a.length, 1);
  assert.deepEqual(labelsToObject(a[0]!.labels), { __name__: 'a', x: '1', y: '2', instance: '127.0.0.1:9', job: 'j' });
  assert.equal(a[0]!.n, 40);
  assert.deepEqual([...a[0]!.v.subarray(0, 40)], Array.from({ length: 40 }, (_, i) => i), 'the first exposition of a series wins');
  assert.equal(l.stats.duplicate, 80);
  const b = rec.find({ __name__: 'b' })[0]!;
  assert.equal(b.n, 36, '35 samples and one staleness marker');
  assert.ok(isStaleNaN(b.v[20]!));
  // Label objects are shared between series (one pool per loop).
  const job = (s: typeof b) => s.labels.find((x) => x.name === 'job');
  assert.equal(job(a[0]!), job(b));
});

test('loop: metric relabeling that merges two series counts the second as a duplicate', async () => {
  const relabel = '    metric_relabel_configs:\n      - regex: z\n        action: labeldrop\n';
  let round = 0;
  const { l, rec, tick } = loop(relabel, () => `m{z="1"} ${round}\nm{z="2"} 7\nn 1\n`);
  for (round = 0; round < 20; round++) {
    tick();
    await l.scrapeOnce();
  }
  const m = rec.find({ __name__: 'm' });
  assert.equal(m.length, 1);
  assert.deepEqual(labelsToObject(m[0]!.labels), { __name__: 'm', instance: '127.0.0.1:9', job: 'j' });
  assert.equal(m[0]!.n, 20);
  assert.equal(m[0]!.v[19], 19);
  assert.equal(l.stats.duplicate, 20);
  assert.equal(rec.last({ __name__: 'scrape_samples_post_metric_relabeling' }), 3);
});
