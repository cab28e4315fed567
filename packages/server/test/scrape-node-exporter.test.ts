// End to end: the scrape manager scrapes Debian's real node_exporter (and Vigil's host agent)
// into a real on-disk TSDB; up=1, series present, staleness markers after the target goes away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPeer } from '../src/testing/peers.js';
import { CfgNode } from '../src/config/node.js';
import { newMatcher } from '../src/model/matchers.js';
import { isStaleNaN } from '../src/model/sample.js';
import { labelsToObject } from '../src/model/labels.js';
import { openTSDB } from '../src/tsdb/index.js';
import { HostAgent, hostAgentScrapeConfig } from '../src/hostagent/index.js';
import { ScrapeManager, parseGlobalConfig, parseScrapeConfigs, targetsResponse } from '../src/scrape/index.js';
import { startNodeExporter } from './peer-helpers.js';

const ne = findPeer('node_exporter');

test('scrape real node_exporter into the TSDB; staleness on removal', { skip: ne.skip, timeout: 60_000 }, async () => {
  const peer = await startNodeExporter(ne.path!);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-scrape-'));
  const db = await openTSDB({ dir });
  const m = new ScrapeManager({ appendable: db });
  try {
    const yml = `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: ['127.0.0.1:${peer.port}']\n        labels: {dc: lab}\n    metric_relabel_configs:\n      - source_labels: [__name__]\n        regex: go_.*\n        action: drop\n`;
    const root = CfgNode.parse(yml, 'e2e.yml');
    const global = parseGlobalConfig(root.get('global'));
    const scs = parseScrapeConfigs(root.get('scrape_configs'), global);
    const host = hostAgentScrapeConfig(new HostAgent(), global, { instance: 'vigil-self', jobName: 'vigil-self-job' });
    m.applyConfig({ scrapeConfigs: [...scs, host] });
    // Let the loops run on their own schedule for a few intervals.
    const deadline = Date.now() + 12000;
    const inst = `127.0.0.1:${peer.port}`;
    const count = async (name: string, job: string) => {
      const q = db.querier(0, Date.now() + 1000);
      try {
        const ss = await q.select({ start: 0, end: Date.now() + 1000 }, [newMatcher('=', '__name__', name), newMatcher('=', 'job', job)]);
        return ss.length ? ss[0]!.samples().v.length : 0;
      } finally {
        q.close();
      }
    };
    while (((await count('up', 'node')) < 3 || (await count('up', 'vigil-self-job')) < 3) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300)); // let in-flight scrapes commit
    const q = db.querier(0, Date.now() + 1000);
    const hints = { start: 0, end: Date.now() + 1000 };
    const up = await q.select(hints, [newMatcher('=', '__name__', 'up')]);
    assert.equal(up.length, 2);
    for (const s of up) {
      const v = s.samples().v;
      assert.ok(v.length >= 3, `${JSON.stringify(labelsToObject(s.labels))} scraped ${v.length} times`);
      // On a loaded machine a scrape can time out now and then; most must succeed.
      const ok = Array.from(v).filter((x) => x === 1).length;
      assert.ok(ok >= 2 && ok >= v.length - 1, `up=1 on ${ok} of ${v.length} scrapes`);
    }
    const cpu = await q.select(hints, [newMatcher('=', '__name__', 'node_cpu_seconds_total'), newMatcher('=', 'job', 'node')]);
    assert.ok(cpu.length >= 8, `node_cpu_seconds_total series: ${cpu.length}`);
    assert.deepEqual(Object.keys(labelsToObject(cpu[0]!.labels)).sort(), ['__name__', 'cpu', 'dc', 'instance', 'job', 'mode']);
    assert.equal(labelsToObject(cpu[0]!.labels).instance, inst);
    const go = await q.select(hints, [newMatcher('=~', '__name__', 'go_.*'), newMatcher('=', 'job', 'node')]);
    assert.equal(go.length, 0, 'metric_relabel_configs dropped go_* series');
    const hostMem = await q.select(hints, [newMatcher('=', '__name__', 'node_memory_MemTotal_bytes')]);
    assert.equal(hostMem.length, 2, 'node_exporter and the host agent both report MemTotal');
    assert.equal(hostMem[0]!.samples().v[0], hostMem[1]!.samples().v[0]);
    const scraped = await q.select(hints, [newMatcher('=', '__name__', 'scrape_samples_scraped'), newMatcher('=', 'job', 'node')]);
    const post = await q.select(hints, [newMatcher('=', '__name__', 'scrape_samples_post_metric_relabeling'), newMatcher('=', 'job', 'node')]);
    assert.ok(post[0]!.samples().v[0]! < scraped[0]!.samples().v[0]!);
    q.close();
    const t = targetsResponse(m, 'active').activeTargets.find((a) => a.scrapePool === 'node')!;
    assert.equal(t.health, 'up');
    assert.equal(t.lastError, '');
    // Remove the node job: its series get staleness markers.
    m.applyConfig({ scrapeConfigs: [host] });
    const staleBy = Date.now() + 5000;
    for (;;) {
      const q2 = db.querier(0, Date.now() + 1000);
      const after = await q2.select({ start: 0, end: Date.now() + 1000 }, [newMatcher('=', 'job', 'node'), newMatcher('=~', '__name__', 'up|node_load1')]);
      q2.close();
      assert.equal(after.length, 2);
      const stale = after.map((s) => {
        const v = s.samples().v;
        return isStaleNaN(v[v.length - 1]!);
      });
      if (stale.every(Boolean)) break;
      assert.ok(Date.now() < staleBy, `series of the removed job end with staleness markers: ${stale}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await m.stop();
    await db.close();
    await peer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
