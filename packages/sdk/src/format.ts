// Text exposition helpers shared by the metric types: number formatting and escaping.

/** Formats a sample value the way both Prometheus text 0.0.4 and OpenMetrics accept it. */
export function fmtNum(v: number): string {
  if (v - v === 0) return '' + v; // finite
  return v !== v ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

const LABEL_ESC = /[\\\n"]/;

export function escapeLabelValue(s: string): string {
  if (!LABEL_ESC.test(s)) return s;
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** HELP text: 0.0.4 escapes backslash and newline; OpenMetrics also escapes double quotes. */
export function escapeHelp(s: string, openMetrics: boolean): string {
  const r = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return openMetrics ? r.replace(/"/g, '\\"') : r;
}

/**
 * `a="x",b="y"` for the non-empty values (an empty value means "label absent" in Prometheus).
 * Built with join: the result is one flat string (a chain of `+` would keep a tree of cons
 * strings alive for as long as the series lives, twice the memory).
 */
export function innerLabels(names: readonly string[], values: readonly string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < names.length; i++) {
    const v = values[i]!;
    if (v !== '') parts.push(names[i] + '="' + escapeLabelValue(v) + '"');
  }
  return parts.join(',');
}

export function labelsOf(map: Readonly<Record<string, string | number>>): string {
  let s = '';
  for (const k in map) {
    const v = map[k];
    if (v === undefined) continue;
    if (s !== '') s += ',';
    s += k + '="' + escapeLabelValue(String(v)) + '"';
  }
  return s;
}
