// Host collectors with node_exporter's metric names, labels, help texts and default filters:
// cpu, stat (boot time, context switches, forks, interrupts, procs), meminfo, loadavg,
// filesystem, diskstats, netdev, uname, time. Each reads /proc and /sys (paths configurable so
// tests and containers can point elsewhere).
import { readFile, readdir, statfs } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { ExpositionWriter } from './exposition.js';

export interface CollectorContext {
  procPath: string;
  sysPath: string;
  /** Prefix for statfs on mount points (e.g. /host when the host's root is mounted there). */
  rootfsPath: string;
  /** Regexes as in node_exporter's flags. */
  mountPointsExclude: RegExp;
  fsTypesExclude: RegExp;
  diskDeviceExclude: RegExp;
  netDeviceExclude: RegExp;
  /** How long a statfs may take before the mount is reported with device_error=1. */
  statfsTimeoutMs: number;
}

export type Collector = (ctx: CollectorContext, w: ExpositionWriter) => Promise<void>;

const USER_HZ = 100;

async function readText(path: string): Promise<string> {
  return readFile(path, 'utf8');
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

/** /proc/stat per-CPU lines -> node_cpu_seconds_total and node_cpu_guest_seconds_total. */
export const cpuCollector: Collector = async (ctx, w) => {
  const text = await readText(join(ctx.procPath, 'stat'));
  const cpus: { cpu: string; f: number[] }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu') || line.startsWith('cpu ')) continue;
    const parts = line.trim().split(/\s+/);
    cpus.push({ cpu: parts[0]!.slice(3), f: parts.slice(1).map(Number) });
  }
  w.family_('node_cpu_guest_seconds_total', 'Seconds the CPUs spent in guests (VMs) for each mode.', 'counter');
  for (const c of cpus) {
    w.sample({ cpu: c.cpu, mode: 'nice' }, (c.f[9] ?? 0) / USER_HZ);
    w.sample({ cpu: c.cpu, mode: 'user' }, (c.f[8] ?? 0) / USER_HZ);
  }
  w.family_('node_cpu_seconds_total', 'Seconds the CPUs spent in each mode.', 'counter');
  for (const c of cpus) {
    const sorted = CPU_MODES.map((m, i) => [m, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    for (const [mode, i] of sorted) w.sample({ cpu: c.cpu, mode }, (c.f[i] ?? 0) / USER_HZ);
  }
};

/** /proc/stat totals: boot time, context switches, forks, interrupts, running/blocked procs. */
export const statCollector: Collector = async (ctx, w) => {
  const text = await readText(join(ctx.procPath, 'stat'));
  const get = (key: string) => {
    const line = text.split('\n').find((l) => l.startsWith(key + ' '));
    return line ? Number(line.split(/\s+/)[1]) : undefined;
  };
  const put = (name: string, help: string, type: 'counter' | 'gauge', v: number | undefined) => v !== undefined && w.single(name, help, type, v);
  put('node_boot_time_seconds', 'Node boot time, in unixtime.', 'gauge', get('btime'));
  put('node_context_switches_total', 'Total number of context switches.', 'counter', get('ctxt'));
  put('node_forks_total', 'Total number of forks.', 'counter', get('processes'));
  put('node_intr_total', 'Total number of interrupts serviced.', 'counter', get('intr'));
  put('node_procs_blocked', 'Number of processes blocked waiting for I/O to complete.', 'gauge', get('procs_blocked'));
  put('node_procs_running', 'Number of processes in runnable state.', 'gauge', get('procs_running'));
};

/** /proc/meminfo -> node_memory_<Field>[_bytes], "Active(anon)" spelled Active_anon. */
export const meminfoCollector: Collector = async (ctx, w) => {
  const text = await readText(join(ctx.procPath, 'meminfo'));
  const fields: [string, number][] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 2 || !parts[0]!.endsWith(':')) continue;
    let key = parts[0]!.slice(0, -1).replace(/\((.*)\)/, '_$1');
    let v = Number(parts[1]);
    if (Number.isNaN(v)) continue;
    if (parts.length === 3) {
      v *= 1024;
      key += '_bytes';
    }
    fields.push([key, v]);
  }
  fields.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [key, v] of fields) w.single(`node_memory_${key}`, `Memory information field ${key}.`, 'gauge', v);
};

export const loadavgCollector: Collector = async (ctx, w) => {
  const parts = (await readText(join(ctx.procPath, 'loadavg'))).trim().split(/\s+/);
  w.single('node_load1', '1m load average.', 'gauge', Number(parts[0]));
  w.single('node_load15', '15m load average.', 'gauge', Number(parts[2]));
  w.single('node_load5', '5m load average.', 'gauge', Number(parts[1]));
};

/** Octal escapes in /proc mounts (\040 for space). */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

interface FsStat {
  labels: { device: string; fstype: string; mountpoint: string };
  ro: boolean;
  st?: { size: number; free: number; avail: number; files: number; ffree: number };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('statfs timed out')), ms);
    p.then((v) => (clearTimeout(t), resolve(v)), (e: unknown) => (clearTimeout(t), reject(e)));
  });
}

/** Mounts (from /proc/1/mounts, else /proc/mounts) -> statfs -> node_filesystem_*. */
export const filesystemCollector: Collector = async (ctx, w) => {
  let text: string;
  try {
    text = await readText(join(ctx.procPath, '1', 'mounts'));
  } catch {
    text = await readText(join(ctx.procPath, 'mounts'));
  }
  const seen = new Set<string>();
  const mounts: FsStat[] = [];
  for (const line of text.split('\n')) {
    const parts = line.split(' ');
    if (parts.length < 4) continue;
    const device = unescapeMount(parts[0]!), mountpoint = unescapeMount(parts[1]!), fstype = parts[2]!;
    if (ctx.mountPointsExclude.test(mountpoint) || ctx.fsTypesExclude.test(fstype)) continue;
    const key = `${device}\x00${mountpoint}\x00${fstype}`;
    if (seen.has(key)) continue;
    seen.add(key);
    mounts.push({ labels: { device, fstype, mountpoint }, ro: parts[3]!.split(',').includes('ro') });
  }
  await Promise.all(
    mounts.map(async (m) => {
      try {
        const s = await withTimeout(statfs(join(ctx.rootfsPath, m.labels.mountpoint)), ctx.statfsTimeoutMs);
        m.st = { size: s.blocks * s.bsize, free: s.bfree * s.bsize, avail: s.bavail * s.bsize, files: s.files, ffree: s.ffree };
      } catch {
        /* reported as device_error */
      }
    }),
  );
  const fam = (name: string, help: string, f: (m: FsStat) => number | undefined) => {
    w.family_(name, help, 'gauge');
    for (const m of mounts) {
      const v = f(m);
      if (v !== undefined) w.sample(m.labels, v);
    }
  };
  fam('node_filesystem_avail_bytes', 'Filesystem space available to non-root users in bytes.', (m) => m.st?.avail);
  fam('node_filesystem_device_error', 'Whether an error occurred while getting statistics for the given device.', (m) => (m.st ? 0 : 1));
  fam('node_filesystem_files', 'Filesystem total file nodes.', (m) => m.st?.files);
  fam('node_filesystem_files_free', 'Filesystem total free file nodes.', (m) => m.st?.ffree);
  fam('node_filesystem_free_bytes', 'Filesystem free space in bytes.', (m) => m.st?.free);
  fam('node_filesystem_readonly', 'Filesystem read-only status.', (m) => (m.st ? (m.ro ? 1 : 0) : undefined));
  fam('node_filesystem_size_bytes', 'Filesystem size in bytes.', (m) => m.st?.size);
};

// /proc/diskstats columns after the device name, with node_exporter's names and scaling.
const DISK_FIELDS: [string, string, 'counter' | 'gauge', number][] = [
  ['node_disk_reads_completed_total', 'The total number of reads completed successfully.', 'counter', 1],
  ['node_disk_reads_merged_total', 'The total number of reads merged.', 'counter', 1],
  ['node_disk_read_bytes_total', 'The total number of bytes read successfully.', 'counter', 512],
  ['node_disk_read_time_seconds_total', 'The total number of seconds spent by all reads.', 'counter', 0.001],
  ['node_disk_writes_completed_total', 'The total number of writes completed successfully.', 'counter', 1],
  ['node_disk_writes_merged_total', 'The number of writes merged.', 'counter', 1],
  ['node_disk_written_bytes_total', 'The total number of bytes written successfully.', 'counter', 512],
  ['node_disk_write_time_seconds_total', 'This is the total number of seconds spent by all writes.', 'counter', 0.001],
  ['node_disk_io_now', 'The number of I/Os currently in progress.', 'gauge', 1],
  ['node_disk_io_time_seconds_total', 'Total seconds spent doing I/Os.', 'counter', 0.001],
  ['node_disk_io_time_weighted_seconds_total', 'The weighted # of seconds spent doing I/Os.', 'counter', 0.001],
  ['node_disk_discards_completed_total', 'The total number of discards completed successfully.', 'counter', 1],
  ['node_disk_discards_merged_total', 'The total number of discards merged.', 'counter', 1],
  ['node_disk_discarded_sectors_total', 'The total number of sectors discarded successfully.', 'counter', 1],
  ['node_disk_discard_time_seconds_total', 'This is the total number of seconds spent by all discards.', 'counter', 0.001],
  ['node_disk_flush_requests_total', 'The total number of flush requests completed successfully', 'counter', 1],
  ['node_disk_flush_requests_time_seconds_total', 'This is the total number of seconds spent by all flush requests.', 'counter', 0.001],
];

/** udev properties of a block device (E:KEY=value lines), for node_disk_info. */
async function udevProps(major: string, minor: string): Promise<Record<string, string>> {
  const text = await readOptional(`/run/udev/data/b${major}:${minor}`);
  const out: Record<string, string> = {};
  for (const line of (text ?? '').split('\n')) {
    if (!line.startsWith('E:')) continue;
    const eq = line.indexOf('=');
    if (eq > 2) out[line.slice(2, eq)] = line.slice(eq + 1);
  }
  return out;
}

export const diskstatsCollector: Collector = async (ctx, w) => {
  const text = await readText(join(ctx.procPath, 'diskstats'));
  const disks: { dev: string; major: string; minor: string; f: number[] }[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 14) continue;
    const dev = parts[2]!;
    if (ctx.diskDeviceExclude.test(dev)) continue;
    disks.push({ dev, major: parts[0]!, minor: parts[1]!, f: parts.slice(3).map(Number) });
  }
  disks.sort((a, b) => (a.dev < b.dev ? -1 : 1));
  const order = DISK_FIELDS.map((d, i) => [d, i] as const).sort((a, b) => (a[0][0] < b[0][0] ? -1 : 1));
  for (const [[name, help, type, scale], i] of order) {
    if (!disks.some((d) => d.f.length > i)) continue;
    w.family_(name, help, type);
    for (const d of disks) if (d.f.length > i) w.sample({ device: d.dev }, d.f[i]! * scale);
  }
  w.family_('node_disk_info', 'Info of /sys/block/<block_device>.', 'gauge');
  for (const d of disks) {
    const u = await udevProps(d.major, d.minor);
    w.sample({
      device: d.dev, major: d.major, minor: d.minor, model: u.ID_MODEL ?? '', path: u.ID_PATH ?? '', revision: u.ID_REVISION ?? '',
      serial: u.ID_SERIAL_SHORT || u.SCSI_IDENT_SERIAL || '', wwn: u.ID_WWN ?? '',
    }, 1);
  }
};

// sysfs statistics file -> node_exporter's (netlink, non-detailed) statistic name.
const NET_STATS: [string, string][] = [
  ['rx_bytes', 'receive_bytes'], ['rx_compressed', 'receive_compressed'], ['rx_dropped', 'receive_drop'], ['rx_errors', 'receive_errs'],
  ['rx_fifo_errors', 'receive_fifo'], ['rx_frame_errors', 'receive_frame'], ['multicast', 'receive_multicast'],
  ['rx_nohandler', 'receive_nohandler'], ['rx_packets', 'receive_packets'], ['tx_bytes', 'transmit_bytes'],
  ['tx_carrier_errors', 'transmit_carrier'], ['collisions', 'transmit_colls'], ['tx_compressed', 'transmit_compressed'],
  ['tx_dropped', 'transmit_drop'], ['tx_errors', 'transmit_errs'], ['tx_fifo_errors', 'transmit_fifo'], ['tx_packets', 'transmit_packets'],
];
// /proc/net/dev columns, when sysfs is not available.
const PROC_NET_COLS = ['receive_bytes', 'receive_packets', 'receive_errs', 'receive_drop', 'receive_fifo', 'receive_frame', 'receive_compressed', 'receive_multicast',
  'transmit_bytes', 'transmit_packets', 'transmit_errs', 'transmit_drop', 'transmit_fifo', 'transmit_colls', 'transmit_carrier', 'transmit_compressed'];

export const netdevCollector: Collector = async (ctx, w) => {
  const stats = new Map<string, Map<string, number>>();
  const classDir = join(ctx.sysPath, 'class', 'net');
  let devs: string[] = [];
  try {
    devs = (await readdir(classDir)).filter((d) => !ctx.netDeviceExclude.test(d));
  } catch {
    devs = [];
  }
  for (const dev of devs) {
    const m = new Map<string, number>();
    for (const [file, name] of NET_STATS) {
      const v = await readOptional(join(classDir, dev, 'statistics', file));
      if (v !== undefined && v !== '') m.set(name, Number(v));
    }
    if (m.size > 0) stats.set(dev, m);
  }
  if (stats.size === 0) {
    const text = await readText(join(ctx.procPath, 'net', 'dev'));
    for (const line of text.split('\n').slice(2)) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const dev = line.slice(0, i).trim();
      if (ctx.netDeviceExclude.test(dev)) continue;
      const vals = line.slice(i + 1).trim().split(/\s+/).map(Number);
      stats.set(dev, new Map(PROC_NET_COLS.map((n, k) => [n, vals[k] ?? 0])));
    }
  }
  const devNames = [...stats.keys()].sort();
  const names = new Set<string>();
  for (const m of stats.values()) for (const k of m.keys()) names.add(k);
  for (const stat of [...names].sort()) {
    w.family_(`node_network_${stat}_total`, `Network device statistic ${stat}.`, 'counter');
    for (const dev of devNames) {
      const v = stats.get(dev)!.get(stat);
      if (v !== undefined) w.sample({ device: dev }, v);
    }
  }
};

export const unameCollector: Collector = async (ctx, w) => {
  const domainname = (await readOptional(join(ctx.procPath, 'sys', 'kernel', 'domainname'))) ?? '(none)';
  w.family_('node_uname_info', 'Labeled system information as provided by the uname system call.', 'gauge').sample(
    { domainname, machine: os.machine(), nodename: os.hostname(), release: os.release(), sysname: os.type(), version: os.version() },
    1,
  );
};

/** The local zone's abbreviation, as Go's time.Now().Zone() reports it where possible. */
function zoneName(): string {
  const tz = process.env.TZ ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!tz || tz === 'UTC' || tz === 'Etc/UTC' || tz === 'Universal' || tz === 'Zulu') return 'UTC';
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(new Date()).find((p) => p.type === 'timeZoneName');
  return part?.value ?? tz;
}

export const timeCollector: Collector = async (ctx, w) => {
  w.single('node_time_seconds', 'System time in seconds since epoch (1970).', 'gauge', Date.now() / 1000);
  w.family_('node_time_zone_offset_seconds', 'System time zone offset in seconds.', 'gauge').sample({ time_zone: zoneName() }, -new Date().getTimezoneOffset() * 60);
  const csDir = join(ctx.sysPath, 'devices', 'system', 'clocksource');
  let devices: string[] = [];
  try {
    devices = (await readdir(csDir)).filter((d) => /^clocksource\d+$/.test(d)).sort();
  } catch {
    return;
  }
  const avail: Record<string, string>[] = [], cur: Record<string, string>[] = [];
  for (const d of devices) {
    const device = d.slice('clocksource'.length);
    const a = await readOptional(join(csDir, d, 'available_clocksource'));
    const c = await readOptional(join(csDir, d, 'current_clocksource'));
    for (const cs of (a ?? '').split(/\s+/).filter(Boolean)) avail.push({ clocksource: cs, device });
    if (c) cur.push({ clocksource: c, device });
  }
  if (avail.length) {
    w.family_('node_time_clocksource_available_info', "Available clocksources read from '/sys/devices/system/clocksource'.", 'gauge');
    for (const l of avail) w.sample(l, 1);
  }
  if (cur.length) {
    w.family_('node_time_clocksource_current_info', "Current clocksource read from '/sys/devices/system/clocksource'.", 'gauge');
    for (const l of cur) w.sample(l, 1);
  }
};

export const COLLECTORS: Record<string, Collector> = {
  cpu: cpuCollector,
  diskstats: diskstatsCollector,
  filesystem: filesystemCollector,
  loadavg: loadavgCollector,
  meminfo: meminfoCollector,
  netdev: netdevCollector,
  stat: statCollector,
  time: timeCollector,
  uname: unameCollector,
};
