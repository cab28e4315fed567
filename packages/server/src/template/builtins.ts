// text/template's predefined functions: and, or (evaluated lazily by exec), not, len, index,
// slice, print, printf, println, html, js, urlquery, call, eq, ne, lt, le, gt, ge.
import type { FuncSpec } from './exec.js';
import { sprint, sprintf, sprintln } from './fmt.js';
import { isTrue, kindOf, mapGet, mapLen, mapZero, typeName } from './values.js';

type Basic = 'bool' | 'int' | 'float' | 'string' | 'invalid' | 'other';

function basicKind(v: unknown): Basic {
  const k = kindOf(v);
  if (k === 'bool' || k === 'int' || k === 'float' || k === 'string') return k;
  if (k === 'invalid' || k === 'nil') return 'invalid';
  return 'other';
}

const errBadComparison = 'incompatible types for comparison';
const errBadComparisonType = 'invalid type for comparison';
const errNoComparison = 'missing argument for comparison';

function eqFn(a: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new Error(errNoComparison);
  const k1 = basicKind(a);
  for (const b of rest) {
    const k2 = basicKind(b);
    let truth = false;
    if (k1 !== k2) {
      if (k1 !== 'invalid' && k2 !== 'invalid') throw new Error(errBadComparison);
    } else if (k1 === 'other') {
      const ka = kindOf(a), kb = kindOf(b);
      if (ka === 'slice' || ka === 'map' || ka === 'func' || kb === 'slice' || kb === 'map' || kb === 'func') {
        const bad = ka === 'slice' || ka === 'map' || ka === 'func' ? a : b;
        throw new Error(`non-comparable type ${sprint([bad])}: ${typeName(bad)}`);
      }
      truth = a === b;
    } else if (k1 === 'invalid') {
      truth = true;
    } else {
      truth = a === b;
    }
    if (truth) return true;
  }
  return false;
}

function ltFn(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  if (k1 === 'invalid' || k1 === 'other') throw new Error(errBadComparisonType);
  const k2 = basicKind(b);
  if (k2 === 'invalid' || k2 === 'other') throw new Error(errBadComparisonType);
  if (k1 !== k2) throw new Error(errBadComparison);
  if (k1 === 'bool') throw new Error(errBadComparisonType);
  return (a as number) < (b as number);
}

function indexArg(i: unknown, cap: number): number {
  if (typeof i === 'bigint') {
    if (i < 0n || i > BigInt(cap)) throw new Error(`index out of range: ${i}`);
    return Number(i);
  }
  if (i === undefined || i === null) throw new Error('cannot index slice/array with nil');
  throw new Error(`cannot index slice/array with type ${typeName(i)}`);
}

function indexFn(item: unknown, ...idx: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('index of untyped nil');
  for (const i of idx) {
    if (item === null) throw new Error('index of nil pointer');
    switch (kindOf(item)) {
      case 'slice': {
        const a = item as unknown[];
        const x = indexArg(i, a.length);
        if (x === a.length) throw new Error('reflect: slice index out of range');
        item = a[x];
        break;
      }
      case 'string': {
        const b = Buffer.from(item as string, 'utf8');
        const x = indexArg(i, b.length);
        if (x === b.length) throw new Error('reflect: string index out of range');
        item = BigInt(b[x]!);
        break;
      }
      case 'map': {
        if (i !== undefined && i !== null && typeof i !== 'string' && !(item instanceof Map)) throw new Error(`value has type ${typeName(i)}; should be string`);
        const v = mapGet(item as object, i);
        item = v === undefined ? mapZero(item as object) : v;
        break;
      }
      default:
        throw new Error(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function sliceFn(item: unknown, ...idx: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('slice of untyped nil');
  if (idx.length > 3) throw new Error(`too many slice indexes: ${idx.length}`);
  const k = kindOf(item);
  let len: number;
  let bytes: Buffer | undefined;
  if (k === 'string') {
    if (idx.length === 3) throw new Error('cannot 3-index slice a string');
    bytes = Buffer.from(item as string, 'utf8');
    len = bytes.length;
  } else if (k === 'slice') len = (item as unknown[]).length;
  else throw new Error(`can't slice item of type ${typeName(item)}`);
  const ix = [0, len, len];
  idx.forEach((v, i) => (ix[i] = indexArg(v, len)));
  if (ix[0]! > ix[1]!) throw new Error(`invalid slice index: ${ix[0]} > ${ix[1]}`);
  if (idx.length === 3 && ix[1]! > ix[2]!) throw new Error(`invalid slice index: ${ix[1]} > ${ix[2]}`);
  if (bytes) return bytes.subarray(ix[0], ix[1]).toString('utf8');
  return (item as unknown[]).slice(ix[0], ix[1]);
}

function lenFn(item: unknown): bigint {
  switch (kindOf(item)) {
    case 'string':
      return BigInt(Buffer.byteLength(item as string, 'utf8'));
    case 'slice':
      return BigInt((item as unknown[]).length);
    case 'map':
      return BigInt(mapLen(item as object));
    case 'nil':
      throw new Error('len of nil pointer');
    case 'invalid':
      throw new Error('len of untyped nil');
  }
  throw new Error(`len of type ${typeName(item)}`);
}

/** The text of html/js/urlquery's arguments: a lone string as is, otherwise fmt.Sprint. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === undefined ? '<no value>' : a)));
}

export function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => ({ '\0': '\uFFFD', '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    switch (ch) {
      case '\\': out += '\\\\'; continue;
      case "'": out += "\\'"; continue;
      case '"': out += '\\"'; continue;
      case '<': out += '\\u003C'; continue;
      case '>': out += '\\u003E'; continue;
      case '&': out += '\\u0026'; continue;
      case '=': out += '\\u003D'; continue;
    }
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20) out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
    else if (cp < 0x80 || /[\p{L}\p{M}\p{N}\p{P}\p{S}\u0020]/u.test(ch)) out += ch;
    else out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

/** Go's url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function callFn(fn: unknown, ...args: unknown[]): unknown {
  if (fn === null || fn === undefined) throw new Error('call of nil');
  if (typeof fn !== 'function') throw new Error(`non-function of type ${typeName(fn)}`);
  return (fn as (...a: unknown[]) => unknown)(...args);
}

export const BUILTINS: Record<string, FuncSpec> = {
  // and/or are short-circuited by exec; these entries make the parser accept the names.
  and: { fn: () => undefined, params: ['value', 'value'], variadic: true },
  or: { fn: () => undefined, params: ['value', 'value'], variadic: true },
  not: { fn: (a: unknown) => !isTrue(a), params: ['value'] },
  len: { fn: lenFn, params: ['value'] },
  index: { fn: indexFn, params: ['value', 'value'], variadic: true },
  slice: { fn: sliceFn, params: ['value', 'value'], variadic: true },
  print: { fn: (...a: unknown[]) => sprint(a), params: ['any'], variadic: true },
  printf: { fn: (f: string, ...a: unknown[]) => sprintf(f, a), params: ['string', 'any'], variadic: true },
  println: { fn: (...a: unknown[]) => sprintln(a), params: ['any'], variadic: true },
  html: { fn: (...a: unknown[]) => htmlEscape(evalArgs(a)), params: ['any'], variadic: true },
  js: { fn: (...a: unknown[]) => jsEscape(evalArgs(a)), params: ['any'], variadic: true },
  urlquery: { fn: (...a: unknown[]) => queryEscape(evalArgs(a)), params: ['any'], variadic: true },
  call: { fn: callFn, params: ['value', 'value'], variadic: true },
  eq: { fn: eqFn, params: ['value', 'value'], variadic: true },
  ne: { fn: (a: unknown, b: unknown) => !eqFn(a, b), params: ['value', 'value'] },
  lt: { fn: ltFn, params: ['value', 'value'] },
  le: { fn: (a: unknown, b: unknown) => ltFn(a, b) || eqFn(a, b), params: ['value', 'value'] },
  gt: { fn: (a: unknown, b: unknown) => !(ltFn(a, b) || eqFn(a, b)), params: ['value', 'value'] },
  ge: { fn: (a: unknown, b: unknown) => !ltFn(a, b), params: ['value', 'value'] },
};
