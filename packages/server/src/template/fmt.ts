// Go's fmt and strconv float formatting: Sprint, Sprintln, Sprintf with Go verbs and flags, and
// FormatFloat with exact decimal rounding (half-to-even on exact ties, as strconv does).
import { kindOf, mapEntries, typeName } from './values.js';
import { canBackquote, quoteGo } from './quote.js';

// ---- exact decimal digits of a double ----

interface Digits {
  d: string; // significant digits, no leading zeros ("" for zero)
  dp: number; // decimal point position: value = 0.d × 10^dp
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Exact decimal expansion of a finite non-negative double. */
function exactDigits(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  f64[0] = x;
  const lo = u32[0]!, hi = u32[1]!;
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  let s: string;
  let dp: number;
  if (e >= 0) {
    s = (mant << BigInt(e)).toString();
    dp = s.length;
  } else {
    s = (mant * 5n ** BigInt(-e)).toString();
    dp = s.length - -e;
  }
  const t = s.replace(/0+$/, '');
  return { d: t, dp };
}

/** Shortest digits that round-trip (what Go's 'g'/-1 and JS's toString both produce). */
function shortestDigits(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  const s = x.toExponential();
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s)!;
  const d = (m[1]! + (m[2] ?? '')).replace(/0+$/, '');
  return { d, dp: Number(m[3]) + 1 };
}

/** Rounds to nd significant digits, half to even on exact ties (strconv's decimal.Round). */
function roundDigits(x: Digits, nd: number): Digits {
  if (nd < 0) return { d: '', dp: x.dp };
  if (nd >= x.d.length) return x;
  const next = x.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (next === 5 && nd + 1 === x.d.length) up = nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = next >= 5;
  let d = x.d.slice(0, nd);
  let dp = x.dp;
  if (up) {
    // Propagate the carry.
    let i = d.length - 1;
    while (i >= 0 && d[i] === '9') i--;
    if (i < 0) {
      d = '1';
      dp++;
    } else {
      d = d.slice(0, i) + String.fromCharCode(d.charCodeAt(i) + 1);
    }
  }
  d = d.replace(/0+$/, '');
  return { d, dp };
}

function fmtE(digs: Digits, prec: number, e: string): string {
  let out = digs.d.length ? digs.d[0]! : '0';
  if (prec > 0) {
    out += '.';
    let i = 1;
    const m = Math.min(digs.d.length, prec + 1);
    if (i < m) {
      out += digs.d.slice(i, m);
      i = m;
    }
    for (; i <= prec; i++) out += '0';
  }
  out += e;
  let exp = digs.dp - 1;
  if (digs.d.length === 0) exp = 0;
  out += exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  out += exp < 10 ? '0' + exp : String(exp);
  return out;
}

function fmtF(digs: Digits, prec: number): string {
  let out = '';
  if (digs.dp > 0) {
    const m = Math.min(digs.d.length, digs.dp);
    out += digs.d.slice(0, m);
    for (let i = m; i < digs.dp; i++) out += '0';
  } else out += '0';
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = digs.dp + i - 1;
      out += j >= 0 && j < digs.d.length ? digs.d[j] : '0';
    }
  }
  return out;
}

/** strconv.FormatFloat(x, fmt, prec, 64) for fmt in e E f F g G b x X. */
export function formatFloat(x: number, fmt: string, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  const sign = neg ? '-' : '';
  if (fmt === 'x' || fmt === 'X') return sign + fmtX(a, prec, fmt);
  if (fmt === 'b') return sign + fmtB(a);
  const shortest = prec < 0;
  let digs: Digits;
  if (shortest) {
    digs = shortestDigits(a);
    switch (fmt) {
      case 'e': case 'E': prec = Math.max(digs.d.length - 1, 0); break;
      case 'f': case 'F': prec = Math.max(digs.d.length - digs.dp, 0); break;
      case 'g': case 'G': prec = digs.d.length; break;
    }
  } else {
    const ex = exactDigits(a);
    switch (fmt) {
      case 'e': case 'E': digs = roundDigits(ex, prec + 1); break;
      case 'f': case 'F': digs = roundDigits(ex, ex.dp + prec); break;
      default:
        if (prec === 0) prec = 1;
        digs = roundDigits(ex, prec);
    }
  }
  switch (fmt) {
    case 'e': case 'E':
      return sign + fmtE(digs, prec, fmt);
    case 'f': case 'F':
      return sign + fmtF(digs, prec);
    default: {
      let eprec = prec;
      if (eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
      if (shortest) eprec = 6;
      const exp = digs.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > digs.d.length) prec = digs.d.length;
        return sign + fmtE(digs, prec - 1, fmt === 'G' ? 'E' : 'e');
      }
      if (prec > digs.dp) prec = digs.d.length;
      return sign + fmtF(digs, Math.max(prec - digs.dp, 0));
    }
  }
}

function fmtB(a: number): string {
  f64[0] = a;
  const lo = u32[0]!, hi = u32[1]!;
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e = bexp - 1075;
  if (bexp === 0) e = -1074;
  else mant |= 1n << 52n;
  return `${mant}p${e >= 0 ? '+' : ''}${e}`;
}

function fmtX(a: number, prec: number, fmt: string): string {
  // %x of a float: 0x1.hhhhp±d (shortest when prec < 0).
  let mant = 0n, exp = 0;
  if (a !== 0) {
    f64[0] = a;
    const lo = u32[0]!, hi = u32[1]!;
    const bexp = (hi >>> 20) & 0x7ff;
    mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    if (bexp === 0) {
      exp = -1022;
      while ((mant & (1n << 52n)) === 0n) {
        mant <<= 1n;
        exp--;
      }
    } else {
      mant |= 1n << 52n;
      exp = bexp - 1023;
    }
  }
  // mant has 53 bits: 1.xxxx (52 fraction bits = 13 hex digits).
  let frac = mant & ((1n << 52n) - 1n);
  let lead = a === 0 ? 0n : 1n;
  let hex = frac.toString(16).padStart(13, '0');
  if (prec >= 0 && prec < 13) {
    const shift = BigInt((13 - prec) * 4);
    const full = (lead << 52n) | frac;
    const half = 1n << (shift - 1n);
    let q = full >> shift;
    const rem = full & ((1n << shift) - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
    if (q >> BigInt(prec * 4) >= 2n) {
      q >>= 1n;
      exp++;
    }
    lead = q >> BigInt(prec * 4);
    frac = q & ((1n << BigInt(prec * 4)) - 1n);
    hex = prec > 0 ? frac.toString(16).padStart(prec, '0') : '';
  } else {
    hex = hex.replace(/0+$/, '');
    if (prec > 13) hex = hex.padEnd(prec, '0');
  }
  let s = `0x${lead}${hex ? '.' + hex : ''}p${exp >= 0 ? '+' : '-'}${String(Math.abs(exp)).padStart(2, '0')}`;
  if (fmt === 'X') s = s.toUpperCase();
  return s;
}

// ---- fmt ----

interface Flags {
  /** %+v: field names in structs (Go's plusV; the sign flag is cleared). */
  plusV?: boolean;
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  wid?: number;
  prec?: number;
}

const NO_FLAGS: Flags = { plus: false, minus: false, sharp: false, space: false, zero: false };

function runeLen(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(s: string, f: Flags): string {
  if (f.wid === undefined) return s;
  const n = f.wid - runeLen(s);
  if (n <= 0) return s;
  if (f.minus) return s + ' '.repeat(n);
  return (f.zero ? '0' : ' ').repeat(n) + s;
}

/** Calls a Go-style String()/Error() method when the value has one. */
function stringerOf(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as { Error?: unknown; String?: unknown };
  if (typeof o.Error === 'function') return String((o.Error as () => unknown).call(v));
  if (typeof o.String === 'function') return String((o.String as () => unknown).call(v));
  return undefined;
}

/** A rune as text; invalid code points become U+FFFD as in Go. */
function runeString(n: bigint): string {
  if (n < 0n || n > 0x10ffffn || (n >= 0xd800n && n < 0xe000n)) return '\uFFFD';
  return String.fromCodePoint(Number(n));
}

function isPrintRune(cp: number): boolean {
  if (cp < 0x20 || cp === 0x7f || (cp >= 0xd800 && cp < 0xe000)) return false;
  return cp === 0x20 || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(String.fromCodePoint(cp));
}

function badVerb(verb: string, v: unknown): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${printValue(v, 'v', NO_FLAGS, 0)})`;
}

function fmtInteger(n: bigint, base: number, verb: string, f: Flags, upper = false): string {
  const neg = n < 0n;
  let digits = (neg ? -n : n).toString(base);
  if (upper) digits = digits.toUpperCase();
  if (f.prec !== undefined) {
    if (f.prec === 0 && n === 0n) digits = '';
    digits = digits.padStart(f.prec, '0');
  } else if (f.zero && !f.minus && f.wid !== undefined) {
    let w = f.wid;
    if (neg || f.plus || f.space) w--;
    digits = digits.padStart(w, '0');
  }
  if (f.sharp) {
    if (base === 16) digits = (upper ? '0X' : '0x') + digits;
    else if (base === 2) digits = '0b' + digits;
    else if (base === 8 && digits[0] !== '0') digits = '0' + digits;
  }
  if (verb === 'O') digits = '0o' + digits;
  if (neg) digits = '-' + digits;
  else if (f.plus) digits = '+' + digits;
  else if (f.space) digits = ' ' + digits;
  return pad(digits, { ...f, zero: false });
}

function fmtFloatVerb(x: number, verb: string, f: Flags): string {
  let fmt = verb;
  let prec = f.prec ?? -1;
  switch (verb) {
    case 'v':
      fmt = 'g';
      break;
    case 'F':
      fmt = 'f';
      break;
    case 'e': case 'E': case 'f':
      if (f.prec === undefined) prec = 6;
      break;
  }
  let num = formatFloat(x, fmt, prec);
  if (f.sharp && verb !== 'b') {
    // %#g keeps trailing zeros and always shows a decimal point.
    if ((fmt === 'g' || fmt === 'G') && !/[IN]/.test(num)) {
      let digits = f.prec === undefined ? 6 : f.prec;
      if (digits === 0) digits = 1;
      const m = /^([+-]?)([0-9.]+)([eE].*)?$/.exec(num);
      if (m) {
        let mant = m[2]!;
        if (!mant.includes('.')) mant += '.';
        const sig = mant.replace('.', '').replace(/^0+/, '').length;
        const have = sig === 0 ? mant.replace('.', '').length : sig;
        if (have < digits) mant += '0'.repeat(digits - have);
        num = m[1]! + mant + (m[3] ?? '');
      }
    } else if (!num.includes('.') && !/[IN]/.test(num)) {
      num = num.replace(/^([+-]?[0-9]+)/, '$1.');
    }
  }
  let signed = num[0] === '-' || num[0] === '+' ? num : '+' + num;
  if (f.space && signed[0] === '+' && !f.plus) signed = ' ' + signed.slice(1);
  if (signed[1] === 'I' || signed[1] === 'N') {
    if (signed[1] === 'N' && !f.space && !f.plus) signed = signed.slice(1);
    return pad(signed, { ...f, zero: false });
  }
  if (f.plus || signed[0] !== '+') {
    if (f.zero && !f.minus && f.wid !== undefined && f.wid > signed.length) {
      return signed[0] + '0'.repeat(f.wid - signed.length) + signed.slice(1);
    }
    return pad(signed, f);
  }
  return pad(signed.slice(1), f);
}

function fmtString(s: string, verb: string, f: Flags): string {
  switch (verb) {
    case 'v':
    case 's': {
      if (verb === 'v' && f.sharp) return pad(quoteGo(s), f);
      if (f.prec !== undefined) s = [...s].slice(0, f.prec).join('');
      return pad(s, f);
    }
    case 'q': {
      if (f.prec !== undefined) s = [...s].slice(0, f.prec).join('');
      if (f.sharp && canBackquote(s)) return pad('`' + s + '`', f);
      return pad(quoteGo(s, f.plus), f);
    }
    case 'x':
    case 'X': {
      let b = Buffer.from(s, 'utf8');
      if (f.prec !== undefined) b = b.subarray(0, f.prec);
      const parts: string[] = [];
      for (const byte of b) {
        let h = byte.toString(16).padStart(2, '0');
        if (verb === 'X') h = h.toUpperCase();
        parts.push(f.sharp ? (verb === 'X' ? '0X' : '0x') + h : h);
      }
      return pad(parts.join(f.space ? ' ' : ''), f);
    }
  }
  return badVerb(verb, s);
}

/** Formats one argument with a verb (printArg / printValue in Go's fmt). */
function printValue(v: unknown, verb: string, f: Flags, depth: number): string {
  if (verb === 'T') return pad(v === null || v === undefined ? '<nil>' : typeName(v), f);
  if (v === undefined) return verb === 'v' ? pad('<invalid reflect.Value>', f) : badVerb(verb, v);
  if (v === null) return verb === 'v' ? pad('<nil>', f) : badVerb(verb, v);
  // Stringer / error.
  if (depth >= 0 && (verb === 'v' || verb === 's' || verb === 'x' || verb === 'X' || verb === 'q') && !(verb === 'v' && f.sharp)) {
    const s = stringerOf(v);
    if (s !== undefined) return fmtString(s, verb, f);
  }
  if (verb === 'v' && f.sharp && (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean')) f = { ...f, sharp: false };
  switch (kindOf(v)) {
    case 'bool':
      if (verb === 'v' || verb === 't') return pad(v ? 'true' : 'false', f);
      return badVerb(verb, v);
    case 'int': {
      const n = v as bigint;
      switch (verb) {
        case 'v': case 'd': return fmtInteger(n, 10, verb, f);
        case 'b': return fmtInteger(n, 2, verb, f);
        case 'o': case 'O': return fmtInteger(n, 8, verb, f);
        case 'x': return fmtInteger(n, 16, verb, f);
        case 'X': return fmtInteger(n, 16, verb, f, true);
        case 'c': return pad(runeString(n), f);
        case 'q': return pad(quoteGo(runeString(n), f.plus, "'"), f);
        case 'U': {
          const u = n < 0n ? n + (1n << 64n) : n;
          let s = 'U+' + u.toString(16).toUpperCase().padStart(4, '0');
          if (f.sharp && u <= 0x10ffffn && isPrintRune(Number(u))) s += ` '${String.fromCodePoint(Number(u))}'`;
          return pad(s, f);
        }
      }
      return badVerb(verb, v);
    }
    case 'float': {
      switch (verb) {
        case 'v': case 'b': case 'g': case 'G': case 'x': case 'X': case 'f': case 'F': case 'e': case 'E':
          return fmtFloatVerb(v as number, verb, f);
      }
      return badVerb(verb, v);
    }
    case 'string':
      return fmtString(v as string, verb, f);
    case 'slice': {
      const a = v as unknown[];
      if (verb === 'v' && f.sharp) return `${typeName(v)}{${a.map((x) => printValue(x, verb, f, depth + 1)).join(', ')}}`;
      return '[' + a.map((x) => printValue(x, verb, f, depth + 1)).join(' ') + ']';
    }
    case 'map': {
      const es = mapEntries(v as object);
      return 'map[' + es.map(([k, x]) => `${printValue(k, verb, f, depth + 1)}:${printValue(x, verb, f, depth + 1)}`).join(' ') + ']';
    }
    case 'func':
      if (verb === 'v' || verb === 'p') return pad('0xc000010000', f);
      return badVerb(verb, v);
    default: {
      // struct: {field field} or {name:field ...} with %+v.
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      return '{' + keys.map((k) => (f.plusV && verb === 'v' ? `${k}:` : '') + printValue(o[k], verb, f, depth + 1)).join(' ') + '}';
    }
  }
}

/** fmt.Sprint: spaces between operands when neither is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  let prevString = false;
  args.forEach((a, i) => {
    const isString = typeof a === 'string';
    if (i > 0 && !isString && !prevString) out += ' ';
    out += printValue(a, 'v', NO_FLAGS, 0);
    prevString = isString;
  });
  return out;
}

/** fmt.Sprintln: spaces always, newline at the end. */
export function sprintln(args: readonly unknown[]): string {
  return args.map((a) => printValue(a, 'v', NO_FLAGS, 0)).join(' ') + '\n';
}

/** fmt.Sprintf with Go's verbs, flags, width, precision, `*` and explicit argument indexes. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  let goodArgNum = true;
  const end = format.length;
  let i = 0;
  const toInt = (v: unknown): number | undefined => {
    if (typeof v === 'bigint') return Number(v);
    return undefined;
  };
  const argIndex = (): void => {
    // [n] explicit argument index.
    if (i < end && format[i] === '[') {
      reordered = true;
      const close = format.indexOf(']', i);
      if (close < 0) {
        goodArgNum = false;
        return;
      }
      const n = Number(format.slice(i + 1, close));
      if (!/^[0-9]+$/.test(format.slice(i + 1, close)) || n < 1 || n > args.length) goodArgNum = false;
      else argNum = n - 1;
      i = close + 1;
    }
  };
  while (i < end) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const f: Flags = { plus: false, minus: false, sharp: false, space: false, zero: false };
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '#': f.sharp = true; break;
        case '0': f.zero = true; break;
        case '+': f.plus = true; break;
        case '-': f.minus = true; break;
        case ' ': f.space = true; break;
        default: break flags;
      }
    }
    goodArgNum = true;
    argIndex();
    // Width.
    if (i < end && format[i] === '*') {
      i++;
      const w = argNum < args.length ? toInt(args[argNum]) : undefined;
      argNum++;
      if (w === undefined) out += '%!(BADWIDTH)';
      else {
        f.wid = w;
        if (w < 0) {
          f.minus = true;
          f.wid = -w;
        }
      }
      argIndex();
    } else {
      const m = /^[0-9]+/.exec(format.slice(i));
      if (m) {
        f.wid = Number(m[0]);
        i += m[0].length;
      }
    }
    // Precision.
    if (i < end && format[i] === '.') {
      i++;
      argIndex();
      if (i < end && format[i] === '*') {
        i++;
        const p = argNum < args.length ? toInt(args[argNum]) : undefined;
        argNum++;
        if (p === undefined || p < 0) out += '%!(BADPREC)';
        else f.prec = p;
        argIndex();
      } else {
        const m = /^[0-9]+/.exec(format.slice(i));
        f.prec = m ? Number(m[0]) : 0;
        if (m) i += m[0].length;
      }
    }
    if (f.minus) f.zero = false;
    if (i >= end) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!goodArgNum) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argNum++];
    if (verb === 'v' && f.plus) {
      f.plus = false;
      f.plusV = true;
    }
    if (verb === 'w') {
      out += printValue(arg, 'v', f, 0);
      continue;
    }
    out += printValue(arg, verb, f, 0);
  }
  if (!reordered && argNum < args.length) {
    out += '%!(EXTRA ' + args.slice(argNum).map((a) => (a === null || a === undefined ? '<nil>' : `${typeName(a)}=${printValue(a, 'v', NO_FLAGS, 0)}`)).join(', ') + ')';
  }
  return out;
}

/** The %v form of one value. */
export function formatValue(v: unknown): string {
  return printValue(v, 'v', NO_FLAGS, 0);
}
