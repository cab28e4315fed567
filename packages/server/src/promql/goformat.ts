// Go's strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits, never an exponent.
export function formatFloatF(v: number): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const s = String(v);
  if (s.indexOf('e') < 0) return s;
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const sign = m[1]!, digits = m[2]! + (m[3] ?? ''), exp = Number(m[4]);
  if (exp >= 0) {
    const intLen = exp + 1;
    return sign + (digits.length <= intLen ? digits + '0'.repeat(intLen - digits.length) : digits.slice(0, intLen) + '.' + digits.slice(intLen));
  }
  return sign + '0.' + '0'.repeat(-exp - 1) + digits;
}

/** Go's strconv.AppendFloat(v, 'f' or, below 1e-6 and from 1e21 on, 'e', -1): Prometheus's JSON value format. */
export function formatValueJSON(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && Number.isFinite(v) && (a < 1e-6 || a >= 1e21)) {
    const m = /^(-?[\d.]+)e([+-])(\d+)$/.exec(v.toExponential());
    if (m) return `${m[1]}e${m[2]}${m[3]!.padStart(2, '0')}`;
  }
  return formatFloatF(v);
}
