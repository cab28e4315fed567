import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAll } from '../textparse/index.js';
import { labelsToObject } from '../model/labels.js';
import { HostAgent, hostAgentScrapeConfig } from './index.js';
import { DEFAULT_GLOBAL } from '../scrape/config.js';
import { RecordingAppendable, ScrapeManager } from '../scrape/index.js';

function fixture(): string {
  const d = mkdtempSync(join(tmpdir(), 'vigil-proc-'));
  const proc = join(d, 'proc'), sys = join(d, 'sys');
  mkdirSync(join(proc, 'net'), { recursive: true });
  mkdirSync(join(proc, 'sys', 'kernel'), { recursive: true });
  mkdirSync(join(sys, 'class', 'net'), { recursive: true });
  writeFileSync(join(proc, 'stat'), [
    'cpu  300 2 100 1000 10 0 5 1 0 0',
    'cpu0 150 1 50 500 5 0 3 1 7 2',
    'cpu1 150 1 50 500 5 0 2 0 0 0',
    'intr 12345 1 2 3',
    'ctxt 999',
    'btime 1700000000',
    'processes 4242',
    'procs_running 3',
    'procs_blocked 1',
    '',
  ].join('\n'));
  writeFileSync(join(proc, 'meminfo'), 'MemTotal:       1000 kB\nActive(anon):     10 kB\nHugePages_Total:       0\n');
  writeFileSync(join(proc, 'loadavg'), '0.50 0.25 0.10 1/100 1234\n');
  writeFileSync(join(proc, 'mounts'), [
    '/dev/sda1 / ext4 rw,relatime 0 0',
    'proc /proc proc rw 0 0',
    'tmpfs /run tmpfs rw 0 0',
    '/dev/sdb1 /data\\040disk ext4 ro,relatime 0 0',
    '/dev/sda1 / ext4 rw,relatime 0 0',
    '',
  ].join('\n'));
  writeFileSync(join(proc, 'diskstats'), [
    '   8       0 sda 100 2 2000 50 30 4 800 60 0 70 110 0 0 0 0 5 9',
    '   8       1 sda1 1 1 1 1 1 1 1 1 0 1 1 0 0 0 0 0 0',
    '   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
    '',
  ].join('\n'));
  writeFileSync(join(proc, 'net', 'dev'), [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    '    lo:  100 1 0 0 0 0 0 0 100 1 0 0 0 0 0 0',
    '  eth0: 5000 50 1 2 0 0 0 3 7000 70 0 0 0 0 0 0',
    '',
  ].join('\n'));
  writeFileSync(join(proc, 'sys', 'kernel', 'domainname'), '(none)\n');
  return d;
}

test('collectors read /proc like node_exporter (names, units, filters)', async () => {
  const d = fixture();
  try {
    const agent = new HostAgent({ procPath: join(d, 'proc'), sysPath: join(d, 'sys'), rootfsPath: '/' });
    const { samples, metadata } = parseAll(await agent.collect());
    const get = (name: string, labels: Record<string, string> = {}) =>
      samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => labelsToObject(s.labels)[k] === v)).map((s) => s.value);
    assert.deepEqual(get('node_cpu_seconds_total', { cpu: '0', mode: 'user' }), [1.5]);
    assert.deepEqual(get('node_cpu_seconds_total', { cpu: '1', mode: 'idle' }), [5]);
    assert.deepEqual(get('node_cpu_guest_seconds_total', { cpu: '0', mode: 'user' }), [0.07]);
    assert.equal(get('node_cpu_seconds_total').length, 16);
    assert.deepEqual(get('node_boot_time_seconds'), [1700000000]);
    assert.deepEqual(get('node_context_switches_total'), [999]);
    assert.deepEqual(get('node_intr_total'), [12345]);
    assert.deepEqual(get('node_memory_MemTotal_bytes'), [1024000]);
    assert.deepEqual(get('node_memory_Active_anon_bytes'), [10240]);
    assert.deepEqual(get('node_memory_HugePages_Total'), [0]);
    assert.deepEqual(get('node_load1'), [0.5]);
    assert.deepEqual(get('node_load15'), [0.1]);
    // sda1 and loop0 are excluded by the default device filter; sectors are 512 bytes, ms -> s
    assert.deepEqual(get('node_disk_read_bytes_total'), [2000 * 512]);
    assert.deepEqual(get('node_disk_write_time_seconds_total'), [0.06]);
    assert.deepEqual(get('node_disk_flush_requests_total'), [5]);
    assert.deepEqual(get('node_network_receive_bytes_total', { device: 'eth0' }), [5000]);
    assert.deepEqual(get('node_network_receive_multicast_total', { device: 'eth0' }), [3]);
    assert.deepEqual(get('node_network_receive_bytes_total', { device: 'lo' }), []);
    // /proc, /run are excluded; duplicates collapse; octal escapes decoded; ro flag read
    const mps = samples.filter((s) => s.name === 'node_filesystem_device_error').map((s) => labelsToObject(s.labels).mountpoint);
    assert.deepEqual(mps, ['/', '/data disk']);
    assert.deepEqual(get('node_filesystem_device_error', { mountpoint: '/data disk' }), [1]);
    assert.ok(get('node_filesystem_size_bytes', { mountpoint: '/', fstype: 'ext4', device: '/dev/sda1' })[0]! > 0);
    assert.equal(metadata.get('node_cpu_seconds_total')!.type, 'counter');
    assert.equal(metadata.get('node_memory_MemTotal_bytes')!.help, 'Memory information field MemTotal_bytes.');
    assert.deepEqual(get('node_scrape_collector_success', { collector: 'meminfo' }), [1]);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a failing collector reports success=0 and does not affect the others', async () => {
  const agent = new HostAgent({ procPath: '/nonexistent', collectors: ['meminfo', 'uname'] });
  const { samples } = parseAll(await agent.collect());
  const ok = Object.fromEntries(samples.filter((s) => s.name === 'node_scrape_collector_success').map((s) => [labelsToObject(s.labels).collector, s.value]));
  assert.deepEqual(ok, { meminfo: 0, uname: 1 });
  assert.throws(() => new HostAgent({ collectors: ['nope'] }), /unknown host agent collector "nope"/);
});

test('host agent as an in-process scrape target', async () => {
  const rec = new RecordingAppendable();
  const m = new ScrapeManager({ appendable: rec });
  try {
    m.applyConfig({ scrapeConfigs: [hostAgentScrapeConfig(new HostAgent(), { ...DEFAULT_GLOBAL, warnings: [] }, { intervalMs: 3_600_000, instance: 'localhost' })] });
    await m.scrapeAllNow();
    assert.equal(rec.last({ __name__: 'up', job: 'node', instance: 'localhost' }), 1);
    assert.ok(rec.find({ __name__: 'node_memory_MemTotal_bytes', job: 'node' }).length === 1);
    // A reload rebuilding the same config keeps the running target and its state.
    const before = m.targets().active[0]!.target;
    const agent2 = new HostAgent();
    m.applyConfig({ scrapeConfigs: [hostAgentScrapeConfig(agent2, { ...DEFAULT_GLOBAL, warnings: [] }, { intervalMs: 3_600_000, instance: 'localhost' })] });
    assert.equal(m.targets().active[0]!.target, before);
    assert.equal(before.health, 'up');
  } finally {
    await m.stop();
  }
});

test('GET /hostagent/metrics serves the text format', async () => {
  const { createServer } = await import('node:http');
  const { Router } = await import('../web/router.js');
  const { registerHostAgentRoutes } = await import('./index.js');
  const router = new Router();
  registerHostAgentRoutes(router, { hostAgent: new HostAgent({ collectors: ['loadavg', 'uname'] }) });
  const srv = createServer((req, res) => {
    const m = router.match(req.method!, new URL(req.url!, 'http://x').pathname);
    if (m && 'handler' in m) void m.handler({} as never, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const r = await fetch(`http://127.0.0.1:${(srv.address() as import('node:net').AddressInfo).port}/hostagent/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    const { samples } = parseAll(await r.text());
    assert.ok(samples.some((s) => s.name === 'node_load1'));
    assert.ok(samples.some((s) => s.name === 'node_uname_info'));
  } finally {
    srv.closeAllConnections();
    await new Promise((r) => srv.close(r));
  }
});
