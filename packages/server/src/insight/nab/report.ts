// Scoring a detector's results on labelled data and printing them as a table.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listNabFiles } from './csv.js';
import { windowsToRows, type WindowStamps } from './labels.js';
import { DEFAULT_PROFILES, detectionStats, parseProfiles, scoreProfile, type DetectionStats, type Profile, type ProfileResult, type ScoredFile } from './scorer.js';

export interface DetectorReport {
  detector: string;
  results: ProfileResult[];
  /** At the standard profile's threshold. */
  stats: DetectionStats;
}

export function reportFor(detector: string, files: readonly ScoredFile[], profiles: readonly Profile[] = DEFAULT_PROFILES): DetectorReport {
  const results = profiles.map((p) => scoreProfile(files, p));
  return { detector, results, stats: detectionStats(files, results[0]!.threshold) };
}

export function loadProfiles(nabDir: string): Profile[] {
  const p = join(nabDir, 'config', 'profiles.json');
  return existsSync(p) ? parseProfiles(readFileSync(p, 'utf8')) : [...DEFAULT_PROFILES];
}

/** Reads `<results>/<detector>/<category>/<detector>_<name>.csv` (anomaly_score column). */
export function readResults(resultsDir: string, detector: string, windows: Map<string, WindowStamps>): ScoredFile[] {
  const base = join(resultsDir, detector);
  const out: ScoredFile[] = [];
  for (const rel of listNabFiles(base)) {
    const parts = rel.split('/');
    const file = parts.pop()!;
    if (!file.startsWith(`${detector}_`)) continue;
    const dataRel = [...parts, file.slice(detector.length + 1)].join('/');
    const ws = windows.get(dataRel);
    if (!ws) continue;
    const text = readFileSync(join(base, rel), 'utf8');
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    const header = lines[0]!.split(',');
    const col = header.indexOf('anomaly_score');
    if (col < 0) throw new Error(`${join(base, rel)}: no anomaly_score column`);
    const stamps: string[] = [];
    const scores = new Float64Array(lines.length - 1);
    for (let i = 1; i < lines.length; i++) {
      const f = lines[i]!.split(',');
      stamps.push(f[0]!);
      scores[i - 1] = Number(f[col]);
    }
    const t = new Float64Array(stamps.map((x) => Date.parse(x.replace(' ', 'T') + 'Z')));
    out.push({ name: dataRel, scores, windows: windowsToRows(stamps, ws, dataRel), t });
  }
  return out;
}

export function formatReports(reports: readonly DetectorReport[]): string {
  if (reports.length === 0) return '';
  const profs = reports[0]!.results.map((r) => r.profile);
  const head = ['detector', ...profs, 'precision', 'recall', 'false_alarms/day', 'threshold'];
  const rows = reports.map((r) => [
    r.detector,
    ...r.results.map((x) => x.score.toFixed(2)),
    r.stats.precision.toFixed(3),
    `${r.stats.recall.toFixed(3)} (${r.stats.detectedWindows}/${r.stats.windows})`,
    r.stats.falseAlarmsPerDay.toFixed(3),
    Number.isFinite(r.stats.threshold) ? r.stats.threshold.toPrecision(4) : 'never',
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [fmt(head), fmt(w.map((n) => '-'.repeat(n))), ...rows.map(fmt)].join('\n');
}
