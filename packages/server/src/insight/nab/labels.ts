// NAB labels (combined_windows.json) and locating the shared dev set. The data stays in the shared
// folder (`<repo>/../shared/anomaly/nab-dev`, or $VIGIL_SHARED/anomaly/nab-dev); it is never copied.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type WindowStamps = readonly (readonly [string, string])[];

/** `{"<category>/<file>.csv": [[start, end], ...]}` */
export function parseWindows(json: string): Map<string, WindowStamps> {
  const o = JSON.parse(json) as Record<string, unknown>;
  const out = new Map<string, WindowStamps>();
  for (const [file, ws] of Object.entries(o)) {
    if (!Array.isArray(ws)) throw new Error(`windows: ${file}: expected a list of [start, end]`);
    out.set(
      file,
      ws.map((w, i) => {
        if (!Array.isArray(w) || w.length !== 2 || typeof w[0] !== 'string' || typeof w[1] !== 'string') {
          throw new Error(`windows: ${file}[${i}]: expected [start, end] timestamps`);
        }
        return [w[0], w[1]] as const;
      }),
    );
  }
  return out;
}

/** Drops a trailing fraction (".000000") so label stamps compare with CSV stamps. */
function stampKey(s: string): string {
  const dot = s.indexOf('.');
  return (dot >= 0 ? s.slice(0, dot) : s).trim();
}

/** Window edges as row indices (first row with the edge's timestamp). */
export function windowsToRows(stamps: readonly string[], windows: WindowStamps, file = ''): [number, number][] {
  const first = new Map<string, number>();
  for (let i = 0; i < stamps.length; i++) {
    const k = stampKey(stamps[i]!);
    if (!first.has(k)) first.set(k, i);
  }
  return windows.map(([a, b]) => {
    const l = first.get(stampKey(a));
    const r = first.get(stampKey(b));
    if (l === undefined || r === undefined) throw new Error(`windows: ${file}: edge ${l === undefined ? a : b} is not a row of the data`);
    return [l, r];
  });
}

/** Finds the NAB dev set: $VIGIL_SHARED/anomaly/nab-dev, else `<repo>/../shared/anomaly/nab-dev`. */
export function findNabDev(): string | undefined {
  const env = process.env.VIGIL_SHARED;
  if (env) {
    const p = resolve(env, 'anomaly', 'nab-dev');
    return existsSync(p) ? p : undefined;
  }
  const starts = [process.cwd(), dirname(fileURLToPath(import.meta.url))];
  for (const s of starts) {
    let d = resolve(s);
    for (;;) {
      const p = join(d, '..', 'shared', 'anomaly', 'nab-dev');
      if (existsSync(join(p, 'labels', 'combined_windows.json'))) return resolve(p);
      const up = dirname(d);
      if (up === d) break;
      d = up;
    }
  }
  return undefined;
}

export function loadWindows(nabDir: string, which = 'combined_windows.json'): Map<string, WindowStamps> {
  return parseWindows(readFileSync(join(nabDir, 'labels', which), 'utf8'));
}
