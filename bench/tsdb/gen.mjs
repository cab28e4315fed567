// Deterministic, realistic mixed data set: per host, node_exporter-like gauges and counters,
// HTTP request counters by method/path/status and classic latency histograms.
// Values are generated step by step (all series at one scrape), so the same data can be fed
// to Vigil in time order and written as OpenMetrics for promtool window by window.

const CPU_MODES = ['guest', 'idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'];
const METHODS = ['GET', 'POST', 'PUT'];
const PATHS = ['/', '/api/v1/users', '/api/v1/orders', '/api/v1/items', '/login', '/logout', '/static/app.js', '/healthz'];
const STATUS = ['200', '404', '500'];
const LE = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];

// Series kinds
const K_CNT_F2 = 0; // float counter, 2 decimals (cpu seconds)
const K_CNT_INT = 1; // integer counter (bytes, packets, requests)
const K_GAUGE_PAGES = 2; // integer gauge, page multiples (memory)
const K_GAUGE_F2 = 3; // float gauge, 2 decimals, mean reverting (load)
const K_GAUGE_RARE = 4; // integer gauge that rarely changes (sizes, totals)
const K_CNT_F3 = 5; // float counter, 3 decimals (io time)
const K_TIME = 6; // node_time_seconds (scrape time, ms precision)
const K_HIST = 7; // member of a histogram group (buckets, sum, count) — driven by the group

function lbl(obj) {
  return Object.keys(obj).sort().map((k) => ({ name: k, value: obj[k] }));
}

export function makeDataset({ series = 10000, intervalMs = 15000, start = Date.UTC(2026, 0, 1), jitter = true } = {}) {
  const labels = [];
  const kind = [];
  const rate = [];
  const host = [];
  const hist = []; // per series: [groupIndex, role] role 0..11 bucket, 12 sum, 13 count
  const groups = []; // histogram groups: {first, path factor}
  let h = 0;
  while (labels.length < series) {
    const inst = `host-${String(h).padStart(3, '0')}:9100`;
    const add = (name, extra, k, r) => {
      labels.push(lbl({ __name__: name, instance: inst, job: 'node', ...extra }));
      kind.push(k); rate.push(r); host.push(h); hist.push(null);
    };
    for (let c = 0; c < 8; c++) for (const m of CPU_MODES) add('node_cpu_seconds_total', { cpu: String(c), mode: m }, K_CNT_F2, m === 'idle' ? 0.7 : m === 'user' ? 0.15 : m === 'system' ? 0.05 : m === 'guest' || m === 'steal' ? 0 : 0.005);
    for (const m of ['Active', 'Inactive', 'Buffers', 'Cached', 'Dirty', 'MemAvailable', 'MemFree', 'Shmem', 'Slab', 'SwapCached', 'AnonPages', 'Mapped', 'PageTables', 'KernelStack', 'Writeback']) add(`node_memory_${m}_bytes`, {}, K_GAUGE_PAGES, 1e6);
    for (const m of ['MemTotal', 'SwapTotal', 'HugePages_Total', 'Hugepagesize', 'CommitLimit']) add(`node_memory_${m}_bytes`, {}, K_GAUGE_RARE, 0);
    for (const l of ['1', '5', '15']) add(`node_load${l}`, {}, K_GAUGE_F2, l === '1' ? 0.3 : 0.1);
    for (const mp of ['/', '/boot', '/var', '/home']) {
      const fs = { device: `/dev/sda${mp.length}`, fstype: 'ext4', mountpoint: mp };
      add('node_filesystem_avail_bytes', fs, K_GAUGE_PAGES, 4e5);
      add('node_filesystem_free_bytes', fs, K_GAUGE_PAGES, 4e5);
      add('node_filesystem_size_bytes', fs, K_GAUGE_RARE, 0);
      add('node_filesystem_files', fs, K_GAUGE_RARE, 0);
      add('node_filesystem_files_free', fs, K_GAUGE_RARE, 0.01);
    }
    for (const d of ['eth0', 'eth1', 'lo', 'docker0']) {
      add('node_network_receive_bytes_total', { device: d }, K_CNT_INT, d === 'eth0' ? 2e5 : 3e3);
      add('node_network_transmit_bytes_total', { device: d }, K_CNT_INT, d === 'eth0' ? 1e5 : 2e3);
      add('node_network_receive_packets_total', { device: d }, K_CNT_INT, d === 'eth0' ? 300 : 5);
      add('node_network_transmit_packets_total', { device: d }, K_CNT_INT, d === 'eth0' ? 200 : 4);
      add('node_network_receive_errs_total', { device: d }, K_CNT_INT, 0.0005);
    }
    for (const d of ['sda', 'sdb', 'nvme0n1']) {
      add('node_disk_reads_completed_total', { device: d }, K_CNT_INT, 20);
      add('node_disk_writes_completed_total', { device: d }, K_CNT_INT, 40);
      add('node_disk_read_bytes_total', { device: d }, K_CNT_INT, 8e4);
      add('node_disk_written_bytes_total', { device: d }, K_CNT_INT, 2e5);
      add('node_disk_io_time_seconds_total', { device: d }, K_CNT_F3, 0.02);
    }
    add('node_time_seconds', {}, K_TIME, 0);
    const app = `host-${String(h).padStart(3, '0')}:8080`;
    for (const m of METHODS) for (const p of PATHS) for (const s of STATUS) {
      labels.push(lbl({ __name__: 'http_requests_total', instance: app, job: 'api', method: m, path: p, status: s }));
      kind.push(K_CNT_INT);
      rate.push((m === 'GET' ? 5 : 0.8) * (s === '200' ? 1 : s === '404' ? 0.05 : 0.01) * (p === '/healthz' ? 0.2 : 1));
      host.push(h); hist.push(null);
    }
    for (const p of PATHS) {
      const g = groups.length;
      groups.push({ first: labels.length, rate: p === '/static/app.js' ? 3 : 1.5, scale: 0.02 + 0.1 * ((p.length * 7) % 5) / 5 });
      for (let i = 0; i < LE.length; i++) {
        labels.push(lbl({ __name__: 'http_request_duration_seconds_bucket', instance: app, job: 'api', path: p, le: LE[i] }));
        kind.push(K_HIST); rate.push(0); host.push(h); hist.push([g, i]);
      }
      labels.push(lbl({ __name__: 'http_request_duration_seconds_sum', instance: app, job: 'api', path: p }));
      kind.push(K_HIST); rate.push(0); host.push(h); hist.push([g, 12]);
      labels.push(lbl({ __name__: 'http_request_duration_seconds_count', instance: app, job: 'api', path: p }));
      kind.push(K_HIST); rate.push(0); host.push(h); hist.push([g, 13]);
    }
    h++;
  }
  const n = labels.length;
  const hosts = h;
  const kindA = Uint8Array.from(kind);
  const rateA = Float64Array.from(rate);
  const hostA = Uint32Array.from(host);
  const val = new Float64Array(n);
  const base = new Float64Array(n);
  const rng = new Uint32Array(n + groups.length);
  for (let i = 0; i < rng.length; i++) rng[i] = (Math.imul(i + 1, 2654435761) ^ 0x9e3779b9) >>> 0 || 1;
  const rnd = (i) => {
    let x = rng[i];
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    rng[i] = x;
    return x / 4294967296;
  };
  // Initial values.
  for (let i = 0; i < n; i++) {
    const r = rnd(i);
    switch (kindA[i]) {
      case K_CNT_F2: val[i] = Math.round(r * 1e6) / 100; break;
      case K_CNT_F3: val[i] = Math.round(r * 1e7) / 1000; break;
      case K_CNT_INT: val[i] = Math.floor(r * 1e9 * (rateA[i] > 100 ? 1 : 1e-4)); break;
      case K_GAUGE_PAGES: base[i] = val[i] = Math.floor(r * 4e6) * 4096; break;
      case K_GAUGE_F2: base[i] = val[i] = Math.round(r * 400) / 100; break;
      case K_GAUGE_RARE: val[i] = Math.floor(r * 1e6) * 4096; break;
      default: val[i] = 0;
    }
  }
  const hostOff = new Float64Array(hosts);
  // Offsets keep every scrape inside its aligned 2h window despite jitter.
  for (let i = 0; i < hosts; i++) hostOff[i] = 1000 + ((i * 7919) % (intervalMs - 2000));
  const sumScratch = new Float64Array(LE.length);
  const poisson = (i, lambda) => {
    if (lambda <= 0) return 0;
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * (rnd(i) + rnd(i) + rnd(i) - 1.5) * 2));
    const L = Math.exp(-lambda);
    let k = 0, p = 1;
    do { k++; p *= rnd(i); } while (p > L);
    return k - 1;
  };
  const intervalS = intervalMs / 1000;

  /** Timestamp (ms) of step k for a host. */
  function ts(hostIdx, k) {
    let t = start + k * intervalMs + hostOff[hostIdx];
    // Prometheus snaps scrape timestamps within 2ms of the schedule; occasionally a scrape is
    // late by more than that (2% here, 3-30 ms).
    if (jitter) { const hsh = (Math.imul(hostIdx + 1, 0x9e3779b1) ^ Math.imul(k + 1, 0x85ebca6b)) >>> 0; if (hsh % 50 === 0) t += 3 + (hsh >>> 8) % 28; }
    return t;
  }

  /** Advances every series by one step; results in `val`. */
  function step(k) {
    for (let i = 0; i < n; i++) {
      const kd = kindA[i];
      if (kd === K_HIST) continue;
      switch (kd) {
        case K_CNT_F2: val[i] = Math.round((val[i] + rateA[i] * intervalS * (0.5 + rnd(i))) * 100) / 100; break;
        case K_CNT_F3: val[i] = Math.round((val[i] + rateA[i] * intervalS * 2 * rnd(i)) * 1000) / 1000; break;
        case K_CNT_INT: val[i] += poisson(i, rateA[i] * intervalS); break;
        case K_GAUGE_PAGES: {
          const x = val[i] + Math.round((rnd(i) - 0.5) * rateA[i] / 4096) * 4096 + Math.round((base[i] - val[i]) * 0.01 / 4096) * 4096;
          val[i] = x > 0 ? x : base[i];
          break;
        }
        case K_GAUGE_F2: val[i] = Math.max(0, Math.round((val[i] + (rnd(i) - 0.5) * rateA[i] + (base[i] - val[i]) * 0.05) * 100) / 100); break;
        case K_GAUGE_RARE: if (rnd(i) < 0.002 + rateA[i]) val[i] += Math.round((rnd(i) - 0.5) * 100) * 4096; break;
        case K_TIME: val[i] = ts(hostA[i], k) / 1000; break;
      }
    }
    for (let g = 0; g < groups.length; g++) {
      const G = groups[g];
      const req = poisson(n + g, G.rate * intervalS);
      sumScratch.fill(0);
      let lat = 0;
      for (let r = 0; r < req; r++) {
        const u = rnd(n + g);
        const l = G.scale * -Math.log(1 - u * 0.999) ;
        lat += l;
        for (let b = 0; b < LE.length - 1; b++) if (l <= Number(LE[b])) { sumScratch[b]++; break; }
      }
      let cum = 0;
      for (let b = 0; b < LE.length; b++) {
        cum += b === LE.length - 1 ? req - sumScratch.reduce((a, x) => a + x, 0) + sumScratch[b] : sumScratch[b];
        val[G.first + b] += cum;
      }
      val[G.first + 12] += lat; // float sum: arbitrary binary fractions, like real _sum series
      val[G.first + 13] += req;
    }
  }

  return { n, hosts, labels, host: hostA, val, ts, step, intervalMs, start };
}

/** OpenMetrics text for one sample. */
export function omLine(prefix, v, tMs) {
  const s = Math.floor(tMs / 1000), ms = tMs - s * 1000;
  const vs = Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v);
  return `${prefix} ${vs} ${s}.${String(ms).padStart(3, '0')}\n`;
}

export function omPrefix(ls) {
  let name = '';
  const parts = [];
  for (const l of ls) {
    if (l.name === '__name__') name = l.value;
    else parts.push(`${l.name}="${l.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  }
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}
