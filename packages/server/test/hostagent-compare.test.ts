// Vigil's host agent against Debian's real prometheus-node-exporter on the same machine, scraped
// at the same moment: same metric names, same label sets, values within tolerance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPeer } from '../src/testing/peers.js';
import { HostAgent } from '../src/hostagent/index.js';
import { parseAll, type ParsedSample } from '../src/textparse/index.js';
import { labelsToString, type Labels } from '../src/model/labels.js';
import { startNodeExporter } from './peer-helpers.js';

const ne = findPeer('node_exporter');

// Families of the collectors both implement (node_exporter collectors cpu, stat, meminfo,
// loadavg, filesystem, diskstats, netdev, uname, time).
const OVERLAP = /^node_(cpu_seconds_total|cpu_guest_seconds_total|memory_[A-Za-z0-9_]+|load(1|5|15)|filesystem_[a-z_]+|disk_[a-z_]+|network_(receive|transmit)_[a-z]+_total|uname_info|time_seconds|time_zone_offset_seconds|time_clocksource_(available|current)_info|boot_time_seconds|context_switches_total|forks_total|intr_total|procs_(running|blocked))$/;
const EXCLUDE = /^node_memory_numa_/;

// Values that must be equal in both (static for the duration of the test).
const STATIC = /^node_(uname_info|boot_time_seconds|memory_(MemTotal|SwapTotal|Hugepagesize|HugePages_Total|VmallocTotal|CommitLimit|DirectMap[0-9a-zA-Z]+)_?(bytes)?|filesystem_(size_bytes|files|readonly|device_error)|time_zone_offset_seconds|time_clocksource_(available|current)_info|disk_info)$/;

/** Absolute tolerance for values that move while the two scrapes run. */
function tolerance(name: string, a: number, b: number): number {
  const rel = 0.05 * Math.max(Math.abs(a), Math.abs(b));
  let abs = 1000;
  if (/seconds_total$/.test(name)) abs = 10; // CPU and disk time on a busy 2-core box
  if (/bytes/.test(name)) abs = 64 * 1024 * 1024;
  if (/^node_load/.test(name)) abs = 1.5;
  if (name === 'node_time_seconds') abs = 10;
  if (/^node_procs_/.test(name)) abs = 20;
  if (/^node_(context_switches|intr|forks)_total$/.test(name)) abs = 200_000;
  return Math.max(rel, abs);
}

function byFamily(samples: ParsedSample[]): Map<string, Map<string, { labels: Labels; value: number }>> {
  const out = new Map<string, Map<string, { labels: Labels; value: number }>>();
  for (const s of samples) {
    if (!OVERLAP.test(s.name) || EXCLUDE.test(s.name)) continue;
    const labels = s.labels.filter((l) => l.value !== '');
    let m = out.get(s.name);
    if (!m) out.set(s.name, (m = new Map()));
    m.set(labelsToString(labels), { labels, value: s.value });
  }
  return out;
}

test('host agent matches node_exporter: names, label sets, values', { skip: ne.skip, timeout: 60_000 }, async () => {
  const peer = await startNodeExporter(ne.path!);
  try {
    const agent = new HostAgent();
    const [neText, vigilText] = await Promise.all([
      fetch(`http://127.0.0.1:${peer.port}/metrics`).then((r) => r.text()),
      agent.collect(),
    ]);
    const theirs = byFamily(parseAll(neText).samples);
    const ours = byFamily(parseAll(vigilText).samples);
    assert.ok(theirs.size > 20, `node_exporter exposed ${theirs.size} overlapping families`);
    assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort(), 'same metric names');
    const problems: string[] = [];
    for (const [name, t] of theirs) {
      const o = ours.get(name)!;
      const tk = [...t.keys()].sort(), ok = [...o.keys()].sort();
      if (JSON.stringify(tk) !== JSON.stringify(ok)) {
        problems.push(`${name}: label sets differ:\n  node_exporter ${tk.join(' | ')}\n  vigil         ${ok.join(' | ')}`);
        continue;
      }
      for (const [k, { value: a }] of t) {
        const b = o.get(k)!.value;
        if (STATIC.test(name)) {
          if (a !== b) problems.push(`${name} ${k}: node_exporter ${a} != vigil ${b}`);
        } else if (Math.abs(a - b) > tolerance(name, a, b)) {
          problems.push(`${name} ${k}: node_exporter ${a} vs vigil ${b} (tolerance ${tolerance(name, a, b)})`);
        }
      }
    }
    assert.deepEqual(problems, []);
    // Counters move forward between two collections.
    const again = byFamily(parseAll(await agent.collect()).samples);
    for (const name of ['node_cpu_seconds_total', 'node_context_switches_total']) {
      for (const [k, { value }] of ours.get(name)!) assert.ok(again.get(name)!.get(k)!.value >= value, `${name} ${k} is monotone`);
    }
  } finally {
    await peer.stop();
  }
});
