// The `{{schema:… sum:… count:… buckets:[…] …}}` native-histogram notation of PromQL test files
// and promtool rule unit tests (input series and expected samples).
import { FloatHistogram, type CounterResetHint } from '../model/histogram.js';
import { formatFloatG } from './aggregations.js';

function num(s: string): number {
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf') return Infinity;
  if (l === '-inf') return -Infinity;
  if (l === 'nan') return NaN;
  const v = Number(s);
  if (s === '' || Number.isNaN(v)) throw new Error(`bad histogram number ${JSON.stringify(s)}`);
  return v;
}

/** Parses the inside of one `{{…}}`. */
export function parseHistogram(body: string): FloatHistogram {
  const h = new FloatHistogram();
  const re = /([a-z_]+):\s*(\[[^\]]*\]|\S+)/g;
  const seen = new Set<string>();
  let m: RegExpExecArray | null;
  let pos: number[] = [], neg: number[] = [], off = 0, noff = 0;
  let rest = body;
  while ((m = re.exec(body))) {
    const [, k, v] = m as unknown as [string, string, string];
    if (seen.has(k)) throw new Error(`duplicate histogram field ${k}`);
    seen.add(k);
    rest = rest.replace(m[0], '');
    const list = () => v.replace(/^\[|\]$/g, '').trim().split(/\s+/).filter(Boolean).map(num);
    switch (k) {
      case 'schema': h.schema = Number(v); break;
      case 'sum': h.sum = num(v); break;
      case 'count': h.count = num(v); break;
      case 'z_bucket': h.zeroCount = num(v); break;
      case 'z_bucket_w': h.zeroThreshold = num(v); break;
      case 'buckets': pos = list(); break;
      case 'n_buckets': neg = list(); break;
      case 'offset': off = Number(v); break;
      case 'n_offset': noff = Number(v); break;
      case 'custom_values': h.customValues = list(); break;
      case 'counter_reset_hint': h.hint = ({ unknown: 'unknown', reset: 'reset', not_reset: 'not_reset', gauge: 'gauge' } as Record<string, CounterResetHint>)[v] ?? (() => { throw new Error(`bad counter_reset_hint ${v}`); })(); break;
      default: throw new Error(`unknown histogram field ${k}`);
    }
  }
  if (rest.trim()) throw new Error(`bad histogram ${JSON.stringify(body)}`);
  h.pIdx = pos.map((_, i) => off + i);
  h.pCnt = pos;
  h.nIdx = neg.map((_, i) => noff + i);
  h.nCnt = neg;
  return h;
}

/** True if the expectation spelled out a counter_reset_hint (only then is it compared). */
export function statesHint(body: string): boolean {
  return /counter_reset_hint:/.test(body);
}

/** Expands one value item that starts with `{{`: `{{A}}`, `{{A}}xN`, `{{A}}+{{B}}xN`, `{{A}}-{{B}}xN`. */
export function expandHistogramItem(item: string): { h: FloatHistogram; hintStated: boolean }[] {
  const m = /^\{\{(.*?)\}\}(?:([+-])\{\{(.*?)\}\})?(?:x(\d+))?$/.exec(item);
  if (!m) throw new Error(`bad histogram item ${JSON.stringify(item)}`);
  const a = parseHistogram(m[1]!);
  const stated = statesHint(m[1]!);
  const n = m[4] !== undefined ? Number(m[4]) : 0;
  if (m[2] && m[4] === undefined) throw new Error(`histogram expansion needs xN: ${item}`);
  const out: { h: FloatHistogram; hintStated: boolean }[] = [];
  let cur = a;
  for (let k = 0; k <= n; k++) {
    out.push({ h: cur, hintStated: stated });
    if (m[2]) {
      const nx = cur.copy();
      const b = parseHistogram(m[3]!);
      if (m[2] === '+') nx.add(b);
      else nx.sub(b);
      cur = nx;
    }
  }
  return out;
}

/**
 * Prometheus's TestExpression(): the canonical `{{…}}` text of a histogram (one span per side,
 * default fields left out), as promtool compares and prints expected and actual samples.
 */
export function histogramTestExpression(h: FloatHistogram): string {
  const g = formatFloatG;
  const res: string[] = [];
  if (h.schema !== 0) res.push(`schema:${h.schema}`);
  if (h.count !== 0) res.push(`count:${g(h.count)}`);
  if (h.sum !== 0) res.push(`sum:${g(h.sum)}`);
  if (h.zeroCount !== 0) res.push(`z_bucket:${g(h.zeroCount)}`);
  if (h.zeroThreshold !== 0) res.push(`z_bucket_w:${g(h.zeroThreshold)}`);
  if (h.usesCustomBuckets) res.push(`custom_values:[${(h.customValues ?? []).map(g).join(' ')}]`);
  if (h.hint !== 'unknown') res.push(`counter_reset_hint:${h.hint}`);
  const side = (idx: number[], cnt: number[], bk: string, ok: string) => {
    // One span from the first to the last populated bucket, gaps filled with zeros.
    let a = 0, b = idx.length - 1;
    while (a <= b && cnt[a] === 0) a++;
    while (b >= a && cnt[b] === 0) b--;
    if (a > b) return;
    if (idx[a] !== 0) res.push(`${ok}:${idx[a]}`);
    const out: string[] = [];
    for (let i = a; i <= b; i++) {
      if (i > a) for (let k = idx[i - 1]! + 1; k < idx[i]!; k++) out.push('0');
      out.push(g(cnt[i]!));
    }
    res.push(`${bk}:[${out.join(' ')}]`);
  };
  side(h.pIdx, h.pCnt, 'buckets', 'offset');
  side(h.nIdx, h.nCnt, 'n_buckets', 'n_offset');
  return '{{' + res.join(' ') + '}}';
}
