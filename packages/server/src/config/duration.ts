// Prometheus durations: [0-9]+(ms|s|m|h|d|w|y) units in decreasing order, e.g. "1h30m", "500ms".
const UNITS: Record<string, number> = {
  y: 365 * 24 * 3600e3,
  w: 7 * 24 * 3600e3,
  d: 24 * 3600e3,
  h: 3600e3,
  m: 60e3,
  s: 1e3,
  ms: 1,
};
const ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];

/** Parses a duration into milliseconds; throws naming the bad input. */
export function parseDuration(s: string): number {
  if (s === '0') return 0;
  const re = /(\d+)(ms|y|w|d|h|m|s)/y;
  let pos = 0, total = 0, last = -1;
  if (s === '') throw new Error('empty duration string');
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) throw new Error(`not a valid duration string: ${JSON.stringify(s)}`);
    const idx = ORDER.indexOf(m[2]!);
    if (idx <= last) throw new Error(`not a valid duration string: ${JSON.stringify(s)} (units out of order)`);
    last = idx;
    total += Number(m[1]) * UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  if (!Number.isSafeInteger(total)) throw new Error(`duration out of range: ${JSON.stringify(s)}`);
  return total;
}

/** Formats milliseconds as Prometheus does (e.g. 90000 -> "1m30s", 0 -> "0s"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let out = ms < 0 ? '-' : '';
  let r = Math.abs(ms);
  for (const u of ORDER) {
    const f = UNITS[u]!;
    if (r >= f) {
      out += Math.floor(r / f) + u;
      r %= f;
    }
  }
  return out;
}
