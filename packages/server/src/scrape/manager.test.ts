import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { CfgNode } from '../config/node.js';
import { labelsToObject } from '../model/labels.js';
import { isStaleNaN } from '../model/sample.js';
import { Router } from '../web/router.js';
import {
  RecordingAppendable, ScrapeManager, parseGlobalConfig, parseScrapeConfigs, registerTargetRoutes, targetsResponse,
  type ScrapeConfig,
} from './index.js';

interface Served {
  body: string;
  contentType?: string;
  status?: number;
  delayMs?: number;
  gzip?: boolean;
}

async function exporter(initial: Served): Promise<{ port: number; set(s: Served): void; requests: http.IncomingHttpHeaders[]; close(): Promise<void> }> {
  let cur = initial;
  const requests: http.IncomingHttpHeaders[] = [];
  const srv = http.createServer((req, res) => {
    requests.push(req.headers);
    const s = cur;
    const send = () => {
      let body: Buffer = Buffer.from(s.body);
      const h: Record<string, string> = { 'Content-Type': s.contentType ?? 'text/plain; version=0.0.4' };
      if (s.gzip) {
        body = gzipSync(body);
        h['Content-Encoding'] = 'gzip';
      }
      res.writeHead(s.status ?? 200, h);
      res.end(body);
    };
    if (s.delayMs) setTimeout(send, s.delayMs);
    else send();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as AddressInfo).port,
    set: (s) => (cur = s),
    requests,
    close: () => new Promise((r) => { srv.closeAllConnections(); srv.close(() => r()); }),
  };
}

function configs(yml: string): ScrapeConfig[] {
  const root = CfgNode.parse(yml, 'test.yml');
  return parseScrapeConfigs(root.get('scrape_configs'), parseGlobalConfig(root.get('global')));
}

function job(port: number, extra = '', name = 'app'): string {
  return `  - job_name: ${name}\n    scrape_interval: 1h\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n        labels: {env: test}\n${extra}`;
}

function lastBitsStale(s: { v: Float64Array; n: number }): boolean {
  return s.n > 0 && isStaleNaN(s.v[s.n - 1]!);
}

test('scrape: target labels, report series, metadata, exemplars, gzip', async () => {
  const ex = await exporter({
    body: '# HELP reqs Requests.\n# TYPE reqs counter\nreqs_total{code="200"} 5 # {trace_id="t1"} 1\n# EOF\n',
    contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
    gzip: true,
  });
  const rec = new RecordingAppendable();
  const m = new ScrapeManager({ appendable: rec });
  try {
    m.applyConfig({ scrapeConfigs: configs('scrape_configs:\n' + job(ex.port)) });
    await m.scrapeAllNow();
    const inst = `127.0.0.1:${ex.port}`;
    const s = rec.find({ __name__: 'reqs_total' });
    assert.equal(s.length, 1);
    assert.deepEqual(labelsToObject(s[0]!.labels), { __name__: 'reqs_total', code: '200', env: 'test', instance: inst, job: 'app' });
    assert.equal(s[0]!.v[0], 5);
    assert.equal(rec.last({ __name__: 'up', job: 'app', instance: inst, env: 'test' }), 1);
    assert.equal(rec.last({ __name__: 'scrape_samples_scraped' }), 1);
    assert.equal(rec.last({ __name__: 'scrape_samples_post_metric_relabeling' }), 1);
    assert.equal(rec.last({ __name__: 'scrape_series_added' }), 1);
    assert.ok(rec.last({ __name__: 'scrape_duration_seconds' })! >= 0);
    assert.deepEqual(rec.metadata.get('reqs'), { type: 'counter', help: 'Requests.', unit: '' });
    assert.equal(rec.exemplars[0]!.ex.labels[0]!.value, 't1');
    const h = ex.requests[0]!;
    assert.match(h.accept!, /^application\/openmetrics-text;version=1\.0\.0/);
    assert.equal(h['accept-encoding'], 'gzip');
    assert.equal(h['x-prometheus-scrape-timeout-seconds'], '10');
    // second scrape: no new series
    await m.scrapeAllNow();
    assert.equal(rec.last({ __name__: 'scrape_series_added' }), 0);
    assert.equal(s[0]!.n, 2);
  } finally {
    await m.stop();
    await ex.close();
  }
});

test('scrape: honor_labels, exported_ prefix, honor_timestamps, metric relabeling', async () => {
  const body = 'm{job="other",instance="x",exported_job="y"} 1 1000\nkeep_me 2\ndrop_me 3\n';
  const ex = await exporter({ body });
  const rec = new RecordingAppendable();
  const m = new ScrapeManager({ appendable: rec });
  try {
    const relabel = '    metric_relabel_configs:\n      - source_labels: [__name__]\n        regex: drop_.*\n        action: drop\n';
    m.applyConfig({
      scrapeConfigs: configs(
        'scrape_configs:\n' + job(ex.port, relabel + '    honor_timestamps: false\n', 'plain') + job(ex.port, '    honor_labels: true\n', 'honor'),
      ),
    });
    await m.scrapeAllNow();
    const inst = `127.0.0.1:${ex.port}`;
    const plain = rec.find({ __name__: 'm', env: 'test', job: 'plain' });
    assert.equal(plain.length, 1);
    assert.deepEqual(labelsToObject(plain[0]!.labels), {
      __name__: 'm', env: 'test', job: 'plain', instance: inst, exported_job: 'y', exported_exported_job: 'other', exported_instance: 'x',
    });
    assert.notEqual(plain[0]!.t[0], 1000, 'honor_timestamps: false uses the scrape time');
    const honored = rec.find({ __name__: 'm', job: 'other' });
    assert.equal(honored.length, 1);
    assert.deepEqual(labelsToObject(honored[0]!.labels), { __name__: 'm', env: 'test', job: 'other', instance: 'x', exported_job: 'y' });
    assert.equal(honored[0]!.t[0], 1000);
    assert.equal(rec.find({ __name__: 'drop_me', job: 'plain' }).length, 0);
    assert.equal(rec.find({ __name__: 'drop_me', job: 'honor' }).length, 1);
    assert.equal(rec.last({ __name__: 'scrape_samples_scraped', job: 'plain' }), 3);
    assert.equal(rec.last({ __name__: 'scrape_samples_post_metric_relabeling', job: 'plain' }), 2);
  } finally {
    await m.stop();
    await ex.close();
  }
});

test('scrape: staleness markers when a series disappears and when the scrape fails', async () => {
  const ex = await exporter({ body: 'a 1\nb 2\n' });
  const rec = new RecordingAppendable();
  const m = new ScrapeManager({ appendable: rec });
  try {
    m.applyConfig({ scrapeConfigs: configs('scrape_configs:\n' + job(ex.port)) });
    await m.scrapeAllNow();
    ex.set({ body: 'a 1\n' });
    await m.scrapeAllNow();
    const b = rec.find({ __name__: 'b' })[0]!;
    assert.equal(b.n, 2);
    assert.ok(lastBitsStale(b), 'b got a staleness marker (STALE_NAN bits)');
    assert.ok(!lastBitsStale(rec.find({ __name__: 'a' })[0]!));
    ex.set({ body: 'oops{\n' });
    await m.scrapeAllNow();
    assert.ok(lastBitsStale(rec.find({ __name__: 'a' })[0]!), 'a failed scrape marks everything stale');
    assert.equal(rec.last({ __name__: 'up' }), 0);
    const t = m.targets().active[0]!.target;
    assert.equal(t.health, 'down');
    assert.match(t.lastError, /line 1: /);
  } finally {
    await m.stop();
    await ex.close();
  }
});

test('scrape: limits fail the scrape like Prometheus (up=0, nothing from it stored)', async () => {
  const ex = await exporter({ body: 'a 1\nb 2\nc 3\n' });
  const rec = new RecordingAppendable();
  const m = new ScrapeManager({ appendable: rec });
  try {
    m.applyConfig({
      scrapeConfigs: configs(
        'scrape_configs:\n' +
          job(ex.port, '    sample_limit: 2\n', 'samples') +
          job(ex.port, '    label_limit: 3\n', 'labels') +
          job(ex.port, '    body_size_limit: 5B\n', 'body') +
          job(ex.port, '    label_value_length_limit: 3\n', 'vlen'),
      ),
    });
    await m.scrapeAllNow();
    const err = (j: string) => m.targets().active.find((a) => a.scrapePool === j)!.target.lastError;
    assert.equal(err('samples'), 'sample limit exceeded');
    assert.match(err('labels'), /^label_limit exceeded \(metric: a, number of labels: 4, limit: 3\)$/);
    assert.equal(err('body'), 'body size limit exceeded');
    assert.match(err('vlen'), /label_value_length_limit exceeded/);
    for (const j of ['samples', 'labels', 'body', 'vlen']) {
      assert.equal(rec.last({ __name__: 'up', job: j }), 0, j);
      assert.equal(rec.find({ __name__: 'a', job: j }).filter((x) => x.n > 0).length, 0, j);
    }
    assert.equal(rec.last({ __name__: 'scrape_samples_scraped', job: 'samples' }), 3);
  } finally {
    await m.stop();
    await ex.close();
  }
});

test('scrape: timeout, HTTP errors, auth headers', async () => {
  const ex = await exporter({ body: 'a 1\n', delayMs: 1500 });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-scrape-'));
  writeFileSync(join(dir, 'pw'), 'secret\n');
  const rec = new RecordingAppendable();
  const m = new ScrapeManager({ appendable: rec });
  try {
    const yml =
      'scrape_configs:\n' +
      job(ex.port, `    scrape_timeout: 300ms\n    basic_auth: {username: bob, password_file: ${join(dir, 'pw')}}\n`, 'slow');
    m.applyConfig({ scrapeConfigs: configs(yml) });
    const t0 = Date.now();
    await m.scrapeAllNow();
    assert.ok(Date.now() - t0 < 1400, 'timed out early');
    const t = m.targets().active[0]!.target;
    assert.match(t.lastError, /context deadline exceeded/);
    assert.equal(rec.last({ __name__: 'up' }), 0);
    assert.equal(ex.requests[0]!.authorization, 'Basic ' + Buffer.from('bob:secret').toString('base64'));
    ex.set({ body: 'x', status: 503 });
    await m.scrapeAllNow();
    assert.equal(t.lastError, 'server returned HTTP status 503 Service Unavailable');
  } finally {
    await m.stop();
    await ex.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('manager: reload keeps unchanged targets, removal writes staleness, file_sd is watched', async () => {
  const ex1 = await exporter({ body: 'one 1\n' });
  const ex2 = await exporter({ body: 'two 2\n' });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-filesd-'));
  const rec = new RecordingAppendable();
  const m = new ScrapeManager({ appendable: rec });
  try {
    writeFileSync(join(dir, 'a.json'), JSON.stringify([{ targets: [`127.0.0.1:${ex2.port}`], labels: { team: 'x' } }]));
    const base = 'scrape_configs:\n' + job(ex1.port, '', 'one');
    const withFile = base + `  - job_name: files\n    scrape_interval: 1h\n    file_sd_configs:\n      - files: ['${dir}/*.json', '${dir}/*.yml']\n`;
    m.applyConfig({ scrapeConfigs: configs(withFile) });
    await m.scrapeAllNow();
    const one = m.targets().active.find((a) => a.scrapePool === 'one')!.target;
    const files = m.targets().active.find((a) => a.scrapePool === 'files')!.target;
    assert.deepEqual(labelsToObject(files.publicLabels), { instance: `127.0.0.1:${ex2.port}`, job: 'files', team: 'x' });
    assert.equal(labelsToObject(files.discoveredLabels).__meta_filepath, join(dir, 'a.json'));
    assert.equal(one.health, 'up');
    // Reload with the same config plus a new job: existing targets keep their state.
    m.applyConfig({ scrapeConfigs: configs(withFile + job(ex1.port, '', 'three')) });
    assert.equal(m.targets().active.find((a) => a.scrapePool === 'one')!.target, one);
    // A YAML file adds a target, written atomically; the watcher picks it up.
    writeFileSync(join(dir, 'tmp'), `- targets: ['127.0.0.1:${ex1.port}']\n  labels: {team: y}\n`);
    renameSync(join(dir, 'tmp'), join(dir, 'b.yml'));
    const deadline = Date.now() + 3000;
    while (m.targets().active.filter((a) => a.scrapePool === 'files').length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 30));
    assert.equal(m.targets().active.filter((a) => a.scrapePool === 'files').length, 2);
    // A broken file keeps its previous targets.
    writeFileSync(join(dir, 'a.json'), '[{"targets": [');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(m.targets().active.filter((a) => a.scrapePool === 'files').length, 2);
    // Dropping job "files" marks its series stale.
    m.applyConfig({ scrapeConfigs: configs(base) });
    const deadline2 = Date.now() + 2000;
    const two = () => rec.find({ __name__: 'two' })[0]!;
    while (!lastBitsStale(two()) && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 20));
    assert.ok(lastBitsStale(two()));
    assert.ok(lastBitsStale(rec.find({ __name__: 'up', job: 'files', team: 'x' })[0]!), 'report series go stale too');
    assert.ok(!lastBitsStale(rec.find({ __name__: 'one', job: 'one' })[0]!));
  } finally {
    await m.stop();
    await ex1.close();
    await ex2.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loops run on schedule, spread by target hash', async () => {
  const ex = await exporter({ body: 'a 1\n' });
  const rec = new RecordingAppendable();
  const m = new ScrapeManager({ appendable: rec });
  try {
    m.applyConfig({ scrapeConfigs: configs(`scrape_configs:\n  - job_name: fast\n    scrape_interval: 100ms\n    static_configs:\n      - targets: ['127.0.0.1:${ex.port}']\n`) });
    await new Promise((r) => setTimeout(r, 650));
    const n = rec.find({ __name__: 'a' })[0]?.n ?? 0;
    assert.ok(n >= 4 && n <= 7, `scraped ${n} times in 650ms at 100ms`);
  } finally {
    await m.stop();
    await ex.close();
  }
});

test('/api/v1/targets: shape, state filter, dropped targets', async () => {
  const ex = await exporter({ body: 'a 1\n' });
  const m = new ScrapeManager({ appendable: new RecordingAppendable() });
  try {
    const drop = '    relabel_configs:\n      - source_labels: [__address__]\n        regex: .*:1\n        action: drop\n';
    m.applyConfig({
      scrapeConfigs: configs(`scrape_configs:\n  - job_name: j\n    scrape_interval: 1h\n    static_configs:\n      - targets: ['127.0.0.1:${ex.port}', 'gone:1']\n${drop}`),
    });
    await m.scrapeAllNow();
    const data = targetsResponse(m, '');
    assert.equal(data.activeTargets.length, 1);
    const a = data.activeTargets[0]!;
    assert.deepEqual(Object.keys(a).sort(), [
      'discoveredLabels', 'globalUrl', 'health', 'labels', 'lastError', 'lastScrape', 'lastScrapeDuration', 'scrapeInterval', 'scrapePool', 'scrapeTimeout', 'scrapeUrl',
    ]);
    assert.equal(a.health, 'up');
    assert.equal(a.scrapeInterval, '1h');
    assert.equal(a.scrapeTimeout, '10s');
    assert.equal(a.scrapeUrl, `http://127.0.0.1:${ex.port}/metrics`);
    assert.match(a.lastScrape, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(a.discoveredLabels, {
      __address__: `127.0.0.1:${ex.port}`, __metrics_path__: '/metrics', __scheme__: 'http', __scrape_interval__: '1h', __scrape_timeout__: '10s', job: 'j',
    });
    assert.equal(data.droppedTargets.length, 1);
    assert.equal(data.droppedTargets[0]!.discoveredLabels.__address__, 'gone:1');
    assert.equal(targetsResponse(m, 'active').droppedTargets.length, 0);
    assert.equal(targetsResponse(m, 'dropped').activeTargets.length, 0);
    const router = new Router();
    registerTargetRoutes(router, { scrapeManager: m });
    const r = router.match('GET', '/api/v1/targets');
    assert.ok(r && 'handler' in r);
    assert.ok(router.match('GET', '/api/v1/targets/metadata'));
  } finally {
    await m.stop();
    await ex.close();
  }
});

test('scrape: body_size_limit applies to the decompressed body (gzip bomb)', async () => {
  const ex = await exporter({ body: 'a 1\n' + '# padding\n'.repeat(20000), gzip: true });
  const rec = new RecordingAppendable();
  const m = new ScrapeManager({ appendable: rec });
  try {
    m.applyConfig({ scrapeConfigs: configs('scrape_configs:\n' + job(ex.port, '    body_size_limit: 10KB\n', 'gz') + job(ex.port, '', 'gzok')) });
    await m.scrapeAllNow();
    const t = (j: string) => m.targets().active.find((a) => a.scrapePool === j)!.target;
    assert.equal(t('gz').lastError, 'body size limit exceeded');
    assert.equal(t('gzok').health, 'up');
    assert.equal(rec.last({ __name__: 'a', job: 'gzok' }), 1);
  } finally {
    await m.stop();
    await ex.close();
  }
});

test('scrape: enable_compression: false asks for identity encoding', async () => {
  const ex = await exporter({ body: 'a 1\n' });
  const m = new ScrapeManager({ appendable: new RecordingAppendable() });
  try {
    m.applyConfig({ scrapeConfigs: configs('scrape_configs:\n' + job(ex.port, '    enable_compression: false\n', 'plain')) });
    await m.scrapeAllNow();
    assert.equal(ex.requests[0]!['accept-encoding'], 'identity');
    assert.equal(m.targets().active[0]!.target.health, 'up');
  } finally {
    await m.stop();
    await ex.close();
  }
});
