// Label sets: sorted by name, plain values. Hot paths compare by `labelsKey`, a string that is
// unique per label set (names and values cannot contain \xff in valid UTF-8 text).

export interface Label {
  readonly name: string;
  readonly value: string;
}

/** A label set, sorted by name, no empty values, no duplicate names. */
export type Labels = readonly Label[];

export const METRIC_NAME = '__name__';
const SEP = '\xff';

/** Builds a sorted label set from an object; empty values are dropped (as in Prometheus). */
export function labelsFromObject(obj: Record<string, string>): Labels {
  const out: Label[] = [];
  for (const name of Object.keys(obj)) {
    const value = obj[name];
    if (value !== undefined && value !== '') out.push({ name, value });
  }
  return sortLabels(out);
}

/** Builds a label set from alternating name/value strings. */
export function labelsOf(...nv: string[]): Labels {
  const out: Label[] = [];
  for (let i = 0; i + 1 < nv.length; i += 2) if (nv[i + 1] !== '') out.push({ name: nv[i]!, value: nv[i + 1]! });
  return sortLabels(out);
}

export function sortLabels(ls: Label[]): Labels {
  return ls.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function labelsToObject(ls: Labels): Record<string, string> {
  const o: Record<string, string> = {};
  for (const l of ls) o[l.name] = l.value;
  return o;
}

/** Unique string identity of a label set. */
export function labelsKey(ls: Labels): string {
  let s = '';
  for (const l of ls) s += l.name + SEP + l.value + SEP;
  return s;
}

export function getLabel(ls: Labels, name: string): string {
  for (const l of ls) if (l.name === name) return l.value;
  return '';
}

export function hasLabel(ls: Labels, name: string): boolean {
  for (const l of ls) if (l.name === name) return true;
  return false;
}

export function labelsEqual(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.name !== b[i]!.name || a[i]!.value !== b[i]!.value) return false;
  return true;
}

/** Orders label sets as Prometheus does (labels.Compare): name by name, then value, then length. */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!, y = b[i]!;
    if (x.name !== y.name) return x.name < y.name ? -1 : 1;
    if (x.value !== y.value) return x.value < y.value ? -1 : 1;
  }
  return a.length - b.length;
}

/** Returns a copy with `name` set to `value` (removed when value is empty). */
export function withLabel(ls: Labels, name: string, value: string): Labels {
  const out: Label[] = [];
  let done = false;
  for (const l of ls) {
    if (!done && l.name >= name) {
      if (value !== '') out.push({ name, value });
      done = true;
      if (l.name === name) continue;
    }
    out.push(l);
  }
  if (!done && value !== '') out.push({ name, value });
  return out;
}

export function withoutLabels(ls: Labels, names: readonly string[]): Labels {
  return ls.filter((l) => !names.includes(l.name));
}

/** Prometheus-style text form: name{a="b", c="d"}. */
export function labelsToString(ls: Labels): string {
  let name = '';
  const parts: string[] = [];
  for (const l of ls) {
    if (l.name === METRIC_NAME) name = l.value;
    else parts.push(`${l.name}=${JSON.stringify(l.value)}`);
  }
  return parts.length === 0 && name ? name : `${name}{${parts.join(', ')}}`;
}

/** 64-bit-ish FNV-1a hash of the key, as a JS number (53 bits); for sharding, not identity. */
export function labelsHash(ls: Labels): number {
  let h1 = 0x811c9dc5, h2 = 0x01000193;
  const s = labelsKey(ls);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return (h2 & 0x1fffff) * 0x100000000 + h1;
}

const NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export function isValidLegacyLabelName(name: string): boolean {
  return NAME_RE.test(name);
}
