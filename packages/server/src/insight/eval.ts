// Offline evaluation: stream NAB-layout CSVs through the same detector code the server runs and
// write NAB-format results. Reads only data files, never labels.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { createDetector } from './detectors/registry.js';
import type { Params } from './detectors/types.js';
import { listNabFiles, readCsvSeries, type CsvSeries } from './nab/csv.js';

/** Scores one series row by row (file order), exactly as a live job would see it. */
export function scoreSeries(detector: string, params: Params, s: CsvSeries): Float64Array {
  const d = createDetector(detector, params);
  const out = new Float64Array(s.v.length);
  for (let i = 0; i < s.v.length; i++) out[i] = d.update(s.t[i]!, s.v[i]!);
  return out;
}

/** `<dir>/<detector>_<name>.csv` for a data file `<category>/<name>.csv`. */
export function resultPath(out: string, detector: string, rel: string): string {
  const parts = rel.split('/');
  const file = parts.pop()!;
  return join(out, detector, ...parts, `${detector}_${file}`);
}

export function formatResults(s: CsvSeries, scores: ArrayLike<number>): string {
  const lines = ['timestamp,value,anomaly_score'];
  for (let i = 0; i < s.stamps.length; i++) lines.push(`${s.stamps[i]},${s.vtext[i]},${scores[i]}`);
  return lines.join('\n') + '\n';
}

export interface EvalOptions {
  data: string;
  out: string;
  detectors: string[];
  params?: Record<string, Params>;
  onFile?: (detector: string, rel: string, rows: number, ms: number) => void;
}

export interface EvalSummary {
  files: number;
  rows: number;
  written: string[];
}

export function evalDirectory(o: EvalOptions): EvalSummary {
  // An output folder inside the data folder must not be read back as data.
  const outRel = relative(resolve(o.data), resolve(o.out)).split(sep).join('/');
  const inside = outRel !== '' && !outRel.startsWith('..') && !isAbsolute(outRel);
  const files = listNabFiles(o.data).filter((f) => !(inside && (f === outRel || f.startsWith(outRel + '/'))));
  if (files.length === 0) throw new Error(`no .csv files under ${o.data}`);
  // Parse everything first so a bad file fails before any output is written.
  const series = files.map((rel) => ({ rel, s: readCsvSeries(join(o.data, rel)) }));
  for (const d of o.detectors) createDetector(d, o.params?.[d] ?? {}); // validate names/params early
  const written: string[] = [];
  let rows = 0;
  for (const det of o.detectors) {
    for (const { rel, s } of series) {
      const t0 = performance.now();
      const scores = scoreSeries(det, o.params?.[det] ?? {}, s);
      const p = resultPath(o.out, det, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, formatResults(s, scores));
      written.push(p);
      rows += s.v.length;
      o.onFile?.(det, rel, s.v.length, performance.now() - t0);
    }
  }
  return { files: files.length, rows, written };
}
