// The same prometheus.yml loaded by Debian's real Prometheus 2.42 and by Vigil: target labels
// before/after relabeling (all actions, hashmod included), dropped targets, and the label sets of
// scraped series (honor_labels, exported_ prefixes, metric_relabel_configs) must agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { findPeer } from '../src/testing/peers.js';
import { CfgNode } from '../src/config/node.js';
import { labelsToObject } from '../src/model/labels.js';
import { RecordingAppendable, ScrapeManager, parseGlobalConfig, parseScrapeConfigs, targetsResponse } from '../src/scrape/index.js';
import { freePort } from './peer-helpers.js';

const prom = findPeer('prometheus');

const EXPOSITION = [
  '# TYPE m counter',
  'm_total{job="exposed",instance="x",exported_job="y",path="/a"} 1',
  'm_total{path="/b"} 2',
  'drop_me 3',
  'Mixed_Case{v="AbC"} 4',
  '',
].join('\n');

function config(exporterPort: number): string {
  const t = `127.0.0.1:${exporterPort}`;
  return `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: relabel
    static_configs:
      - targets: ['${t}', 'host-a:9100', 'host-b', 'drop-me:1']
        labels: {team: Core, __meta_env: prod, __tmp_x: zzz}
    relabel_configs:
      - source_labels: [__address__]
        regex: drop-me:.*
        action: drop
      - source_labels: [__address__]
        regex: '([^:]+)(:\\d+)?'
        target_label: host
        replacement: 'h-\${1}'
      - source_labels: [__address__]
        target_label: shard
        modulus: 7
        action: hashmod
      - source_labels: [team]
        target_label: team_lc
        action: lowercase
      - source_labels: [team]
        target_label: team_uc
        action: uppercase
      - regex: __meta_(.+)
        action: labelmap
        replacement: meta_\${1}
      - source_labels: [team, __tmp_x]
        separator: '|'
        regex: '(.*)\\|(.*)'
        target_label: '\${2}_combined'
        replacement: '\${1}-$2'
      - source_labels: [team]
        regex: '(?i)CORE'
        target_label: ci_match
        replacement: 'yes$$-$1x-\${1}x'
      - source_labels: [__address__]
        regex: '([[:alpha:]]+)-(\\w)[^:]*(:\\d+)?'
        target_label: alpha
        replacement: '$2.$1'
      - source_labels: [__address__]
        regex: '(?P<h>[^:]+):(?P<p>\\d+)'
        target_label: named
        replacement: '$p@\${h}'
      - regex: __tmp_.*
        action: labeldrop
      - source_labels: [team_lc]
        target_label: team_copy
      - source_labels: [team_lc]
        target_label: team_copy
        action: keepequal
      - source_labels: [team_lc]
        target_label: team_uc
        action: dropequal
      - source_labels: [__address__]
        regex: 'host-.*|127.*'
        action: keep
        separator: ';'
  - job_name: shards
    static_configs:
      - targets: ['s1:1', 's2:1', 's3:1', 's4:1', 's5:1', 's6:1', 's7:1', 's8:1', 's9:1', 's10:1']
    relabel_configs:
      - source_labels: [__address__]
        target_label: __tmp_hash
        modulus: 3
        action: hashmod
      - source_labels: [__tmp_hash]
        regex: '0'
        action: keep
      - source_labels: [__address__]
        regex: '(.*):1'
        target_label: __address__
        replacement: '\${1}:9100'
      - source_labels: [__address__]
        target_label: __param_target
      - target_label: __metrics_path__
        replacement: /probe
  - job_name: scrape_plain
    static_configs:
      - targets: ['${t}']
        labels: {path: target-path}
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: drop_me
        action: drop
      - source_labels: [v]
        target_label: v_low
        action: lowercase
  - job_name: scrape_honor
    honor_labels: true
    static_configs:
      - targets: ['${t}']
`;
}

async function getJSON(url: string): Promise<any> {
  const r = await fetch(url);
  return r.json();
}

test('Prometheus 2.42 and Vigil agree on targets and scraped labels for the same prometheus.yml', { skip: prom.skip, timeout: 90_000 }, async () => {
  const exporter = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(EXPOSITION);
  });
  await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', r));
  const ePort = (exporter.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-prom-compat-'));
  const yml = config(ePort);
  writeFileSync(join(dir, 'prometheus.yml'), yml);
  const pPort = await freePort();
  const p = spawn(prom.path!, [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${pPort}`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const rec = new RecordingAppendable();
  const m = new ScrapeManager({ appendable: rec });
  try {
    const root = CfgNode.parse(yml, 'prometheus.yml');
    m.applyConfig({ scrapeConfigs: parseScrapeConfigs(root.get('scrape_configs'), parseGlobalConfig(root.get('global'))) });
    await m.scrapeAllNow();
    const base = `http://127.0.0.1:${pPort}`;
    // Wait for Prometheus to scrape the local exporter in both scrape jobs.
    const deadline = Date.now() + 30_000;
    let series: Record<string, string>[] = [];
    for (;;) {
      try {
        const s = await getJSON(`${base}/api/v1/series?match[]=${encodeURIComponent('{job=~"scrape_.*|exposed"}')}`);
        series = s.data ?? [];
        const jobs = new Set(series.filter((x) => x.__name__ === 'm_total').map((x) => x.job));
        if (jobs.has('scrape_plain') && jobs.has('scrape_honor') && jobs.has('exposed')) break;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline || p.exitCode !== null) throw new Error(`Prometheus did not scrape in time: ${stderr.slice(-800)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const theirs = await getJSON(`${base}/api/v1/targets`);
    const ours = targetsResponse(m, 'any');
    const norm = (a: { labels: Record<string, string>; discoveredLabels: Record<string, string>; scrapePool: string; scrapeUrl: string }) =>
      JSON.stringify({ pool: a.scrapePool, url: a.scrapeUrl, labels: a.labels, discovered: a.discoveredLabels });
    const tAct = (theirs.data.activeTargets as Parameters<typeof norm>[0][]).map(norm).sort();
    const oAct = ours.activeTargets.map(norm).sort();
    if (process.env.VIGIL_DEBUG) console.log(oAct, tAct, series.length, ours.droppedTargets.length);
    assert.ok(oAct.length >= 6, `active targets: ${oAct.length}`);
    assert.deepEqual(oAct, tAct, 'active targets: labels before and after relabeling');
    const dNorm = (d: { discoveredLabels: Record<string, string> }) => JSON.stringify(d.discoveredLabels);
    assert.deepEqual(ours.droppedTargets.map(dNorm).sort(), (theirs.data.droppedTargets as { discoveredLabels: Record<string, string> }[]).map(dNorm).sort(), 'dropped targets');
    // Scraped series label sets (Prometheus's report series aside).
    const REPORT = /^(up|scrape_.*)$/;
    const key = (o: Record<string, string>) => JSON.stringify(Object.entries(o).sort());
    const promSeries = series.filter((s) => !REPORT.test(s.__name__!)).map(key).sort();
    const vigilSeries = [...rec.series.values()]
      .filter((s) => s.n > 0)
      .map((s) => labelsToObject(s.labels))
      .filter((o) => !REPORT.test(o.__name__!) && /^(scrape_.*|exposed)$/.test(o.job ?? ''))
      .map(key)
      .sort();
    assert.deepEqual(vigilSeries, promSeries, 'scraped series labels');
  } finally {
    await m.stop();
    p.kill('SIGTERM');
    await new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)));
    exporter.closeAllConnections();
    await new Promise((r) => exporter.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});
