import { openSync, writeSync, closeSync } from "node:fs";
// A deterministic data set for differential PromQL tests: counters with resets, gauges,
// classic histograms; 15 s scrapes whose timestamps sit off the whole-second grid, so
// Prometheus 2.x (left-closed ranges) and 3.x (left-open) select the same samples.
export interface GenSeries {
  name: string;
  labels: Record<string, string>;
  t: number[]; // ms
  v: number[];
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export interface Dataset {
  series: GenSeries[];
  startMs: number;
  endMs: number;
}

export interface DatasetOptions {
  startMs?: number;
  hours?: number;
  seed?: number;
  /** Number of scraped instances (default 3). */
  instances?: number;
  /** Extra high-cardinality counter `http_path_requests_total` with this many paths per instance (default 0). */
  paths?: number;
}

export function generateDataset(opts: DatasetOptions = {}): Dataset {
  const startMs = opts.startMs ?? 1_700_000_000_000;
  const endMs = startMs + (opts.hours ?? 2) * 3600e3;
  const r = rng(opts.seed ?? 42);
  const series: GenSeries[] = [];
  const times = (offsetMs: number) => {
    const t: number[] = [];
    for (let x = startMs + offsetMs; x <= endMs; x += 15000) t.push(x);
    return t;
  };
  const instances = Array.from({ length: opts.instances ?? 3 }, (_, i) => `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}:9100`);
  instances.forEach((inst, ii) => {
    const off = 1237 + ii * 3331; // ms: never a whole second
    // counters with occasional resets
    for (const method of ['GET', 'POST']) {
      for (const status of ['200', '404', '500']) {
        const t = times(off);
        let c = Math.floor(r() * 1000);
        const rate = (method === 'GET' ? 20 : 5) * (status === '200' ? 1 : 0.1) * (1 + ii);
        const v = t.map(() => {
          if (r() < 0.004) c = 0;
          c += Math.round(rate * 15 * (0.5 + r()));
          return c;
        });
        series.push({ name: 'http_requests_total', labels: { job: 'api', instance: inst, method, status }, t, v });
      }
    }
    // gauges
    for (const mode of ['user', 'system', 'idle']) {
      const t = times(off + 77);
      let c = r() * 100;
      const v = t.map(() => (c += (mode === 'idle' ? 12 : 2) * r()));
      series.push({ name: 'node_cpu_seconds_total', labels: { job: 'node', instance: inst, cpu: '0', mode }, t, v });
    }
    {
      const t = times(off + 150);
      let g = 4e9 + r() * 1e9;
      const v = t.map((_, i) => (g += (r() - 0.5) * 5e7 + Math.sin(i / 40) * 1e7));
      series.push({ name: 'node_memory_MemAvailable_bytes', labels: { job: 'node', instance: inst }, t, v });
      const t2 = times(off + 190);
      const v2 = t2.map((_, i) => Math.round((Math.sin(i / 25 + ii) + 1) * 50 + r() * 10) / 100);
      series.push({ name: 'node_load1', labels: { job: 'node', instance: inst }, t: t2, v: v2 });
    }
    // a classic histogram
    const les = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '+Inf'];
    const t = times(off + 400);
    const counts = les.map(() => 0);
    let sum = 0, count = 0;
    const bucketV = les.map(() => [] as number[]);
    const sumV: number[] = [], countV: number[] = [];
    for (let i = 0; i < t.length; i++) {
      const n = 5 + Math.floor(r() * 20 * (1 + ii));
      for (let k = 0; k < n; k++) {
        const x = Math.exp(r() * 6 - 6.5);
        sum += x;
        count++;
        les.forEach((le, j) => {
          if (le === '+Inf' || x <= Number(le)) counts[j]!++;
        });
      }
      les.forEach((_, j) => bucketV[j]!.push(counts[j]!));
      sumV.push(Math.round(sum * 1e6) / 1e6);
      countV.push(count);
    }
    les.forEach((le, j) =>
      series.push({ name: 'http_request_duration_seconds_bucket', labels: { job: 'api', instance: inst, le }, t, v: bucketV[j]! }),
    );
    series.push({ name: 'http_request_duration_seconds_sum', labels: { job: 'api', instance: inst }, t, v: sumV });
    series.push({ name: 'http_request_duration_seconds_count', labels: { job: 'api', instance: inst }, t, v: countV });
    for (let p = 0; p < (opts.paths ?? 0); p++) {
      const tp = times(off + 600);
      let c = 0;
      const w = 1 + (p % 7);
      series.push({ name: 'http_path_requests_total', labels: { job: 'api', instance: inst, path: `/api/v1/item/${p}` }, t: tp, v: tp.map(() => (c += Math.round(w * 15 * r()))) });
    }
  });
  return { series, startMs, endMs };
}

function fmtLabels(l: Record<string, string>): string {
  const parts = Object.keys(l)
    .sort()
    .map((k) => `${k}="${l[k]!.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** OpenMetrics text with families grouped and samples in time order (what promtool expects). */
export function toOpenMetrics(ds: Dataset): string {
  const byName = new Map<string, GenSeries[]>();
  for (const s of ds.series) {
    const a = byName.get(s.name) ?? [];
    a.push(s);
    byName.set(s.name, a);
  }
  const out: string[] = [];
  for (const [name, ss] of byName) {
    out.push(`# TYPE ${name} unknown`);
    for (const s of ss) {
      const l = fmtLabels(s.labels);
      for (let i = 0; i < s.t.length; i++) out.push(`${name}${l} ${s.v[i]} ${(s.t[i]! / 1000).toFixed(3)}`);
    }
  }
  out.push('# EOF', '');
  return out.join('\n');
}

/** Streams the OpenMetrics text to a file (large data sets exceed V8's string limit). */
export function writeOpenMetrics(ds: Dataset, file: string): void {
  const fd = openSync(file, 'w');
  try {
    const byName = new Map<string, GenSeries[]>();
    for (const s of ds.series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
    for (const [name, ss] of byName) {
      writeSync(fd, `# TYPE ${name} unknown\n`);
      for (const s of ss) {
        const l = fmtLabels(s.labels);
        const lines: string[] = [];
        for (let i = 0; i < s.t.length; i++) lines.push(`${name}${l} ${s.v[i]} ${(s.t[i]! / 1000).toFixed(3)}\n`);
        writeSync(fd, lines.join(''));
      }
    }
    writeSync(fd, '# EOF\n');
  } finally {
    closeSync(fd);
  }
}
