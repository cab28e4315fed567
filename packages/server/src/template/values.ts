// How JS values stand for Go values inside templates.
//   string → string, boolean → bool, number → float64, bigint → int (Go's ints: len, range
//   indexes, integer constants), null → nil, undefined → "no value" (an invalid reflect.Value),
//   arrays → slices, Map and plain objects → maps (keys sorted when ranged or printed),
//   class instances → structs (fields are properties, methods are callable as .Method args),
//   functions → funcs (usable with `call`). Objects marked with GO_MAP are maps even when they
//   are class instances, so a map type can carry methods (Alertmanager's KV.SortedPairs).

/** Marks an object (usually a class prototype) as a Go map rather than a struct. */
export const GO_MAP: unique symbol = Symbol.for('vigil.template.map');
/** Optional Go type name of an object, used by %T and in error messages. */
export const GO_TYPE: unique symbol = Symbol.for('vigil.template.type');
/** Optional zero value for missing keys of a map object (default ""). */
export const GO_MAP_ZERO: unique symbol = Symbol.for('vigil.template.mapZero');

export type Kind = 'invalid' | 'nil' | 'bool' | 'int' | 'float' | 'string' | 'slice' | 'map' | 'struct' | 'func';

export function isPlainObject(v: object): boolean {
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

export function isMapValue(v: unknown): v is object {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  if (v instanceof Map) return true;
  return isPlainObject(v) || (v as Record<symbol, unknown>)[GO_MAP] === true;
}

export function kindOf(v: unknown): Kind {
  switch (typeof v) {
    case 'undefined':
      return 'invalid';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
    case 'function':
      return 'func';
    case 'object':
      if (v === null) return 'nil';
      if (Array.isArray(v)) return 'slice';
      if (isMapValue(v)) return 'map';
      return 'struct';
  }
  return 'struct';
}

/** Go type name for %T and errors. */
export function typeName(v: unknown): string {
  if (typeof v === 'object' && v !== null) {
    const t = (v as Record<symbol, unknown>)[GO_TYPE];
    if (typeof t === 'string') return t;
  }
  switch (kindOf(v)) {
    case 'invalid':
      return '<invalid>';
    case 'nil':
      return '<nil>';
    case 'bool':
      return 'bool';
    case 'int':
      return 'int';
    case 'float':
      return 'float64';
    case 'string':
      return 'string';
    case 'func':
      return 'func';
    case 'slice': {
      const a = v as unknown[];
      if (a.length > 0 && a.every((x) => typeof x === 'string')) return '[]string';
      if (a.length > 0 && a.every((x) => typeof x === 'number')) return '[]float64';
      return '[]interface {}';
    }
    case 'map': {
      const vals = mapEntries(v as object).map((e) => e[1]);
      if (vals.every((x) => typeof x === 'string')) return 'map[string]string';
      return 'map[string]interface {}';
    }
    default:
      return (v as object).constructor?.name ?? 'struct';
  }
}

/** Entries of a map value, sorted by key (Go sorts map keys for printing and range). */
export function mapEntries(m: object): [string | number | bigint | boolean, unknown][] {
  let entries: [string | number | bigint | boolean, unknown][];
  if (m instanceof Map) entries = [...(m as Map<string, unknown>).entries()];
  else entries = Object.keys(m).map((k) => [k, (m as Record<string, unknown>)[k]]);
  entries.sort((a, b) => compareKeys(a[0], b[0]));
  return entries;
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return String(a) < String(b) ? -1 : 1;
}

export function mapLen(m: object): number {
  return m instanceof Map ? m.size : Object.keys(m).length;
}

/** Looks up a key; `undefined` when absent. */
export function mapGet(m: object, key: unknown): unknown {
  if (m instanceof Map) return m.get(key);
  if (typeof key !== 'string') return undefined;
  return Object.prototype.hasOwnProperty.call(m, key) ? (m as Record<string, unknown>)[key] : undefined;
}

/** The zero value of a map's element type (missingkey=zero). */
export function mapZero(m: object): unknown {
  // A map may declare its element zero (e.g. 0n for map[string]int, undefined for interface{}).
  if (GO_MAP_ZERO in m) return (m as Record<symbol, unknown>)[GO_MAP_ZERO];
  return '';
}

/** Go's template truth: false, 0, nil, empty string/slice/map and "no value" are false. */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return false;
    case 'bool':
      return v as boolean;
    case 'int':
      return (v as bigint) !== 0n;
    case 'float':
      return (v as number) !== 0;
    case 'string':
      return (v as string).length > 0;
    case 'slice':
      return (v as unknown[]).length > 0;
    case 'map':
      return mapLen(v as object) > 0;
    default:
      return true;
  }
}

/** A Go time.Time: instant in ms plus extra nanoseconds, shown in UTC unless an offset is given. */
export class GoTime {
  readonly [GO_TYPE] = 'time.Time';
  constructor(
    readonly ms: number,
    /** Nanoseconds beyond the millisecond (0..999999). */
    readonly extraNs = 0,
    /** Zone offset east of UTC in seconds, and its name. */
    readonly offsetSec = 0,
    readonly zone = 'UTC',
  ) {}

  static fromUnixNano(ns: bigint): GoTime {
    const ms = ns / 1000000n;
    let rem = ns - ms * 1000000n;
    let m = Number(ms);
    if (rem < 0n) {
      rem += 1000000n;
      m -= 1;
    }
    return new GoTime(m, Number(rem));
  }

  Unix(): bigint {
    return BigInt(Math.floor(this.ms / 1000));
  }
  UnixNano(): bigint {
    return BigInt(this.ms) * 1000000n + BigInt(this.extraNs);
  }
  UnixMilli(): bigint {
    return BigInt(this.ms);
  }
  UTC(): GoTime {
    return new GoTime(this.ms, this.extraNs);
  }
  IsZero(): boolean {
    return this.ms === -62135596800000 && this.extraNs === 0;
  }
  Format(layout: string): string {
    return formatGoTime(this, layout);
  }
  String(): string {
    return formatGoTime(this, '2006-01-02 15:04:05.999999999 -0700 MST');
  }
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const LAYOUT_TOKENS = [
  'January', 'Jan', 'Monday', 'Mon', 'MST',
  '2006', '-070000', '-07:00:00', '-0700', '-07:00', '-07',
  'Z070000', 'Z07:00:00', 'Z0700', 'Z07:00', 'Z07',
  '01', '02', '03', '04', '05', '06', '002', '__2', '_2', '15', '1', '2', '3', '4', '5',
  'PM', 'pm',
];

/** Formats a GoTime with a Go reference-time layout ("2006-01-02T15:04:05Z07:00"). */
export function formatGoTime(t: GoTime, layout: string): string {
  const d = new Date(t.ms + t.offsetSec * 1000);
  const Y = d.getUTCFullYear(), M = d.getUTCMonth(), D = d.getUTCDate();
  const h = d.getUTCHours(), mi = d.getUTCMinutes(), s = d.getUTCSeconds();
  const ns = d.getUTCMilliseconds() * 1000000 + t.extraNs;
  const wd = d.getUTCDay();
  const start = Date.UTC(Y, 0, 1);
  const yday = Math.floor((Date.UTC(Y, M, D) - start) / 86400000) + 1;
  const p2 = (n: number) => String(n).padStart(2, '0');
  const off = t.offsetSec;
  const zoneFmt = (tok: string): string => {
    if (tok.startsWith('Z') && off === 0) return 'Z';
    const sign = off < 0 ? '-' : '+';
    const a = Math.abs(off);
    const hh = p2(Math.floor(a / 3600)), mm = p2(Math.floor((a % 3600) / 60)), ss = p2(a % 60);
    const body = tok.replace(/^Z/, '-');
    switch (body) {
      case '-070000': return sign + hh + mm + ss;
      case '-07:00:00': return `${sign}${hh}:${mm}:${ss}`;
      case '-0700': return sign + hh + mm;
      case '-07:00': return `${sign}${hh}:${mm}`;
      default: return sign + hh;
    }
  };
  let out = '';
  let i = 0;
  outer: while (i < layout.length) {
    // Fractional seconds: ".000" / ",999" after a seconds field.
    const fm = /^[.,](0+|9+)(?![0-9])/.exec(layout.slice(i));
    if (fm) {
      const n = fm[1]!.length;
      let frac = String(ns).padStart(9, '0').slice(0, Math.min(n, 9));
      if (fm[1]![0] === '9') {
        frac = frac.replace(/0+$/, '');
        if (frac) out += layout[i] + frac;
      } else out += layout[i] + frac;
      i += fm[0].length;
      continue;
    }
    for (const tok of LAYOUT_TOKENS) {
      if (!layout.startsWith(tok, i)) continue;
      // "Jan" must not be the start of a longer word like "January" (handled by order); "Mon" vs "Monday" likewise.
      switch (tok) {
        case 'January': out += MONTHS[M]; break;
        case 'Jan': out += MONTHS[M]!.slice(0, 3); break;
        case 'Monday': out += DAYS[wd]; break;
        case 'Mon': out += DAYS[wd]!.slice(0, 3); break;
        case 'MST': out += t.zone || zoneFmt('-0700'); break;
        case '2006': out += String(Y).padStart(4, '0'); break;
        case '06': out += p2(Y % 100); break;
        case '01': out += p2(M + 1); break;
        case '1': out += String(M + 1); break;
        case '02': out += p2(D); break;
        case '_2': out += String(D).padStart(2, ' '); break;
        case '2': out += String(D); break;
        case '002': out += String(yday).padStart(3, '0'); break;
        case '__2': out += String(yday).padStart(3, ' '); break;
        case '15': out += p2(h); break;
        case '03': out += p2(h % 12 === 0 ? 12 : h % 12); break;
        case '3': out += String(h % 12 === 0 ? 12 : h % 12); break;
        case '04': out += p2(mi); break;
        case '4': out += String(mi); break;
        case '05': out += p2(s); break;
        case '5': out += String(s); break;
        case 'PM': out += h >= 12 ? 'PM' : 'AM'; break;
        case 'pm': out += h >= 12 ? 'pm' : 'am'; break;
        default: out += zoneFmt(tok);
      }
      i += tok.length;
      continue outer;
    }
    out += layout[i];
    i++;
  }
  return out;
}
