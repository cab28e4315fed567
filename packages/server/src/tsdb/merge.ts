// Merging sample runs from several sources (blocks, head) into one time-ordered run. When two
// runs hold the same timestamp, the later run (newer source) wins.

export interface Run {
  t: Float64Array;
  v: Float64Array;
}

export function mergeRuns(runs: Run[]): Run {
  const rs = runs.filter((r) => r.t.length > 0);
  if (rs.length === 0) return { t: new Float64Array(0), v: new Float64Array(0) };
  if (rs.length === 1) return rs[0]!;
  let disjoint = true;
  const order = rs.map((_, i) => i).sort((a, b) => rs[a]!.t[0]! - rs[b]!.t[0]! || a - b);
  for (let i = 1; i < order.length; i++) {
    const p = rs[order[i - 1]!]!, c = rs[order[i]!]!;
    if (c.t[0]! <= p.t[p.t.length - 1]!) { disjoint = false; break; }
  }
  let total = 0;
  for (const r of rs) total += r.t.length;
  const t = new Float64Array(total), v = new Float64Array(total);
  const vu = new Uint32Array(v.buffer);
  if (disjoint) {
    let o = 0;
    for (const i of order) { t.set(rs[i]!.t, o); v.set(rs[i]!.v, o); o += rs[i]!.t.length; }
    return { t, v };
  }
  // k-way merge; k is small (a few blocks + head).
  const pos = new Int32Array(rs.length);
  const us = rs.map((r) => new Uint32Array(r.v.buffer, r.v.byteOffset, r.v.length * 2));
  let o = 0;
  for (;;) {
    let best = -1, bt = Infinity;
    for (let i = 0; i < rs.length; i++) {
      if (pos[i]! >= rs[i]!.t.length) continue;
      const x = rs[i]!.t[pos[i]!]!;
      if (x < bt || (x === bt)) { if (x < bt || i > best) { best = i; bt = x; } }
    }
    if (best < 0) break;
    for (let i = 0; i < rs.length; i++) if (i !== best && pos[i]! < rs[i]!.t.length && rs[i]!.t[pos[i]!] === bt) pos[i]!++;
    const p = pos[best]!++;
    t[o] = bt;
    vu[o * 2] = us[best]![p * 2]!;
    vu[o * 2 + 1] = us[best]![p * 2 + 1]!;
    o++;
  }
  return { t: t.subarray(0, o), v: v.subarray(0, o) };
}
