// Metric and label names as Prometheus 3's OTLP receiver translates them by default
// (UnderscoreEscapingWithSuffixes): invalid characters become word breaks, unit suffixes from
// UCUM units, `_total` for monotonic counters, `_ratio` for unit-"1" gauges.

const UNIT: Record<string, string> = {
  d: 'days', h: 'hours', min: 'minutes', s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', TiBy: 'tibibytes',
  KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes', TBy: 'terabytes',
  m: 'meters', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams',
  Cel: 'celsius', Hz: 'hertz', '1': '', '%': 'percent',
};
const PER_UNIT: Record<string, string> = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year' };

export type NamingType = 'counter' | 'gauge' | 'other';

function validMetricChar(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === ':';
}

/** Splits on runs of characters that are not [a-zA-Z0-9:] (by code point). */
function tokens(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const c of s) {
    if (validMetricChar(c)) cur += c;
    else if (cur) {
      out.push(cur);
      cur = '';
    }
  }
  if (cur) out.push(cur);
  return out;
}

function cleanUnit(u: string): string {
  let s = '';
  for (const c of u) s += validMetricChar(c) ? c : '_';
  return s.replace(/__+/g, '_').replace(/^_/, '');
}

/** Main and per-unit suffixes ("By/s" -> ["bytes", "per_second"]); `{...}` annotations are ignored. */
export function unitSuffixes(unit: string): [string, string] {
  const slash = unit.indexOf('/');
  const main = (slash < 0 ? unit : unit.slice(0, slash)).trim();
  const per = slash < 0 ? '' : unit.slice(slash + 1).trim();
  let m = '', p = '';
  if (main !== '' && !/[{}]/.test(main)) m = UNIT[main] ?? main;
  if (per !== '' && !/[{}]/.test(per)) {
    const pp = PER_UNIT[per] ?? per;
    if (pp !== '') p = 'per_' + pp;
  }
  return [cleanUnit(m), cleanUnit(p)];
}

/** The unit as Prometheus metadata shows it ("s" -> "seconds", "By/s" -> "bytes_per_second"). */
export function promUnit(unit: string): string {
  const [m, p] = unitSuffixes(unit);
  return (m && p ? `${m}_${p}` : m || p).replace(/^_|_$/g, '');
}

/** Builds the Prometheus metric name; throws when nothing valid is left. */
export function metricName(name: string, unit: string, type: NamingType): string {
  let toks = tokens(name);
  let [main, per] = unitSuffixes(unit);
  if (toks.includes(main)) main = '';
  if (per === 'per_') per = '';
  else {
    per = per.replace(/_$/, '');
    if (toks.includes(per)) per = '';
  }
  if (per !== '') main = main.replace(/_$/, '');
  if (main !== '') toks.push(main);
  if (per !== '') toks.push(per);
  if (type === 'counter') toks = [...toks.filter((t) => t !== 'total'), 'total'];
  if (unit === '1' && type === 'gauge') toks = [...toks.filter((t) => t !== 'ratio'), 'ratio'];
  let out = toks.join('_');
  if (out !== '' && out[0]! >= '0' && out[0]! <= '9') out = '_' + out;
  if (out === '' || (out !== name && /^_+$/.test(out))) throw new Error(`normalization for metric ${JSON.stringify(name)} resulted in an empty or invalid name`);
  return out;
}

/** Label name as Prometheus's NormalizeLabel: invalid chars to `_`, `key_` before a digit, `key` before a single `_`. */
export function labelName(key: string): string {
  if (key === '') return key;
  let s = '';
  for (const c of key) s += (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_' ? c : '_';
  if (s[0]! >= '0' && s[0]! <= '9') return 'key_' + s;
  if (s.startsWith('_') && !s.startsWith('__')) return 'key' + s;
  return s;
}
