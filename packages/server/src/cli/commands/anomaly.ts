// `vigil anomaly eval|score|explain`: run detectors over NAB-layout CSVs, score results against
// labels with Vigil's NAB scorer, and explain individual scores.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../command.js';
import { flagsHelp, list, parseFlags, str, UsageError, type FlagSpec } from '../flags.js';
import { createDetector, detectorNames, type Params } from '../../insight/detectors/index.js';
import { evalDirectory } from '../../insight/eval.js';
import { findNabDev, formatReports, loadProfiles, loadWindows, readCsvSeries, readResults, reportFor, parseNaiveTimestamp } from '../../insight/nab/index.js';

/** `--param ensemble.suppress=100` or `--param suppress=100` (applies to every detector). */
function parseParams(items: string[], detectors: string[]): Record<string, Params> {
  const out: Record<string, Params> = {};
  for (const d of detectors) out[d] = {};
  for (const it of items) {
    const m = /^(?:([a-z_]+)\.)?([a-z_]+)=(.*)$/.exec(it);
    if (!m) throw new UsageError(`--param ${JSON.stringify(it)}: expected [detector.]name=value`);
    const raw = m[3]!;
    const val = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
    for (const d of m[1] ? [m[1]] : detectors) {
      if (!out[d]) throw new UsageError(`--param ${it}: detector ${d} is not selected`);
      out[d]![m[2]!] = val;
    }
  }
  return out;
}

function help(path: string, specs: FlagSpec[], text: string): number {
  process.stdout.write(`Usage: vigil anomaly ${path} [flags]\n\n${text}\n\nFlags:\n${flagsHelp(specs)}\n`);
  return 0;
}

const evalFlags: FlagSpec[] = [
  { name: 'data', help: 'directory of NAB-layout CSVs: DIR/<category>/<name>.csv with header timestamp,value' },
  { name: 'out', help: 'results directory; writes OUT/<detector>/<category>/<detector>_<name>.csv' },
  { name: 'detector', type: 'list', help: `detector to run (repeatable; default: all of ${detectorNames().join(', ')})` },
  { name: 'param', type: 'list', help: 'detector parameter, [detector.]name=value (repeatable)' },
  { name: 'quiet', type: 'bool', help: 'no per-file progress' },
  { name: 'help', type: 'bool', help: 'show this help' },
];

export const anomalyEvalCommand: Command = {
  path: ['anomaly', 'eval'],
  summary: 'run anomaly detectors over CSV series (NAB layout) and write scored results',
  async run(argv) {
    const f = parseFlags(argv, evalFlags);
    if (f.values.help) return help('eval', evalFlags, 'Streams each series in file order through the detectors the server runs. Never reads labels.');
    const data = str(f, 'data'), out = str(f, 'out');
    if (!data) throw new UsageError('--data is required');
    if (!out) throw new UsageError('--out is required');
    if (!existsSync(data) || !statSync(data).isDirectory()) throw new UsageError(`--data ${data}: not a directory`);
    const dets = list(f, 'detector').length ? list(f, 'detector') : detectorNames();
    for (const d of dets) if (!detectorNames().includes(d)) throw new UsageError(`unknown detector ${JSON.stringify(d)} (known: ${detectorNames().join(', ')})`);
    const params = parseParams(list(f, 'param'), dets);
    try {
      const r = evalDirectory({
        data, out, detectors: dets, params,
        onFile: f.values.quiet ? undefined : (d, rel, rows, ms) => process.stderr.write(`${d} ${rel}: ${rows} rows, ${ms.toFixed(0)} ms\n`),
      });
      process.stdout.write(`wrote ${r.written.length} result files (${r.files} series × ${dets.length} detectors, ${r.rows} rows) under ${out}\n`);
      return 0;
    } catch (e) {
      process.stderr.write(`vigil anomaly eval: ${(e as Error).message}\n`);
      return 1;
    }
  },
};

const scoreFlags: FlagSpec[] = [
  { name: 'results', help: 'results directory written by `vigil anomaly eval` (or NAB results/)' },
  { name: 'labels', help: 'NAB folder with labels/combined_windows.json and config/profiles.json (default: ../shared/anomaly/nab-dev)' },
  { name: 'detector', type: 'list', help: 'detector(s) to score (default: every folder under --results)' },
  { name: 'help', type: 'bool', help: 'show this help' },
];

export const anomalyScoreCommand: Command = {
  path: ['anomaly', 'score'],
  summary: 'score anomaly results with the NAB rules (three profiles, precision/recall)',
  async run(argv) {
    const f = parseFlags(argv, scoreFlags);
    if (f.values.help) return help('score', scoreFlags, 'Prints NAB scores (standard, reward_low_FP_rate, reward_low_FN_rate) per detector.');
    const results = str(f, 'results');
    if (!results) throw new UsageError('--results is required');
    const nab = str(f, 'labels') || findNabDev();
    if (!nab) throw new UsageError('--labels is required (no ../shared/anomaly/nab-dev found)');
    const windows = loadWindows(nab);
    const profiles = loadProfiles(nab);
    const { readdirSync } = await import('node:fs');
    const dets = list(f, 'detector').length ? list(f, 'detector') : readdirSync(results).filter((d) => statSync(join(results, d)).isDirectory()).sort();
    const reports = [];
    for (const d of dets) {
      const files = readResults(results, d, windows);
      if (files.length === 0) {
        process.stderr.write(`vigil anomaly score: no labelled result files for ${d} under ${results}\n`);
        continue;
      }
      reports.push(reportFor(d, files, profiles));
    }
    process.stdout.write(formatReports(reports) + '\n');
    return reports.length ? 0 : 1;
  },
};

const explainFlags: FlagSpec[] = [
  { name: 'data', help: 'a CSV file (timestamp,value) to explain offline' },
  { name: 'detector', help: 'detector to run', default: 'ensemble' },
  { name: 'param', type: 'list', help: 'detector parameter name=value (repeatable)' },
  { name: 'at', help: 'timestamp (YYYY-MM-DD HH:MM:SS) to explain; default: the top --top scores' },
  { name: 'top', help: 'how many highest-scoring samples to explain', default: '5' },
  { name: 'url', help: 'ask a running server instead: base URL, e.g. http://127.0.0.1:9090' },
  { name: 'series', help: 'with --url: the series selector, e.g. vigil_anomaly_score{job="api"} or the source series' },
  { name: 'help', type: 'bool', help: 'show this help' },
];

export const anomalyExplainCommand: Command = {
  path: ['anomaly', 'explain'],
  summary: 'explain anomaly scores: detector, expected range, observed value',
  async run(argv) {
    const f = parseFlags(argv, explainFlags);
    if (f.values.help) return help('explain', explainFlags, 'Offline over a CSV (--data), or from a running server (--url, --series).');
    const url = str(f, 'url');
    if (url) {
      const series = str(f, 'series');
      if (!series) throw new UsageError('--series is required with --url');
      const res = await fetch(`${url.replace(/\/$/, '')}/api/v1/vigil/anomaly/explain?series=${encodeURIComponent(series)}`);
      const body = await res.text();
      process.stdout.write(body.endsWith('\n') ? body : body + '\n');
      return res.ok ? 0 : 1;
    }
    const data = str(f, 'data');
    if (!data) throw new UsageError('--data or --url is required');
    const det = str(f, 'detector');
    const params = parseParams(list(f, 'param'), [det])[det]!;
    let s;
    try {
      s = readCsvSeries(data);
    } catch (e) {
      process.stderr.write(`vigil anomaly explain: ${(e as Error).message}\n`);
      return 1;
    }
    const d = createDetector(det, params);
    const at = str(f, 'at');
    const atMs = at ? parseNaiveTimestamp(at) : NaN;
    if (at && Number.isNaN(atMs)) throw new UsageError(`--at ${JSON.stringify(at)}: expected YYYY-MM-DD HH:MM:SS`);
    const top = Math.max(1, Number(str(f, 'top')) || 5);
    const best: { i: number; e: ReturnType<typeof d.explain> }[] = [];
    for (let i = 0; i < s.v.length; i++) {
      const sc = d.update(s.t[i]!, s.v[i]!);
      if (at) {
        if (s.t[i] === atMs) {
          best.push({ i, e: d.explain() });
          break;
        }
        continue;
      }
      if (best.length < top || sc > best[best.length - 1]!.e.score) {
        best.push({ i, e: d.explain() });
        best.sort((a, b) => b.e.score - a.e.score);
        if (best.length > top) best.pop();
      }
    }
    if (at && best.length === 0) {
      process.stderr.write(`vigil anomaly explain: no row at ${at} in ${data}\n`);
      return 1;
    }
    for (const { i, e } of best) process.stdout.write(JSON.stringify({ row: i, timestamp: s.stamps[i], ...e }) + '\n');
    return 0;
  },
};

export const anomalyCommands: Command[] = [anomalyEvalCommand, anomalyScoreCommand, anomalyExplainCommand];
