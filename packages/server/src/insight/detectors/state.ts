// Detector state as JSON: numbers and nested objects as-is; Float64Array/Int32Array/Uint8Array as
// base64 of their bytes, so restored state is bit-exact (NaN payloads and -0 included).

export type StateValue = number | string | boolean | null | Float64Array | Int32Array | Uint8Array | StateObject | StateValue[];
export interface StateObject {
  [k: string]: StateValue;
}

type Encoded = number | string | boolean | null | { $t: 'f64' | 'i32' | 'u8'; b: string } | { [k: string]: Encoded } | Encoded[];

const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

export function encodeState(v: StateValue): Encoded {
  if (v instanceof Float64Array) return { $t: 'f64', b: b64(v) };
  if (v instanceof Int32Array) return { $t: 'i32', b: b64(v) };
  if (v instanceof Uint8Array) return { $t: 'u8', b: b64(v) };
  if (Array.isArray(v)) return v.map(encodeState);
  if (v !== null && typeof v === 'object') {
    const o: Record<string, Encoded> = {};
    for (const [k, x] of Object.entries(v)) o[k] = encodeState(x);
    return o;
  }
  if (typeof v === 'number' && !Number.isFinite(v)) return { $t: 'f64', b: b64(new Float64Array([v])) };
  return v;
}

function bytes(s: string): Buffer {
  return Buffer.from(s, 'base64');
}

export function decodeState(e: unknown): StateValue {
  if (Array.isArray(e)) return e.map(decodeState);
  if (e !== null && typeof e === 'object') {
    const o = e as Record<string, unknown>;
    if ((o.$t === 'f64' || o.$t === 'i32' || o.$t === 'u8') && typeof o.b === 'string') {
      const buf = bytes(o.b);
      const copy = new ArrayBuffer(buf.length);
      new Uint8Array(copy).set(buf);
      if (o.$t === 'u8') return new Uint8Array(copy);
      if (o.$t === 'i32') return new Int32Array(copy);
      const f = new Float64Array(copy);
      // A non-finite scalar was boxed as a 1-element array: unbox only when flagged as scalar.
      return f;
    }
    const out: StateObject = {};
    for (const [k, x] of Object.entries(o)) out[k] = decodeState(x);
    return out;
  }
  if (typeof e === 'number' || typeof e === 'string' || typeof e === 'boolean' || e === null) return e;
  throw new Error(`detector state: unexpected ${typeof e}`);
}

/** Copies decoded values onto `target` for keys it already has, checking types and sizes. */
export function assignState(target: Record<string, unknown>, src: StateValue, where: string): void {
  if (src === null || typeof src !== 'object' || Array.isArray(src) || ArrayBuffer.isView(src)) {
    throw new Error(`${where}: expected an object`);
  }
  for (const [k, cur] of Object.entries(target)) {
    if (!(k in src)) throw new Error(`${where}: missing ${k}`);
    let v = (src as StateObject)[k]!;
    if (typeof cur === 'number' && v instanceof Float64Array && v.length === 1) v = v[0]!;
    if (ArrayBuffer.isView(cur)) {
      const c = cur as Float64Array | Int32Array | Uint8Array;
      if (!ArrayBuffer.isView(v) || (v as Float64Array).constructor !== c.constructor || (v as Float64Array).length !== c.length) {
        throw new Error(`${where}.${k}: expected ${c.constructor.name}(${c.length})`);
      }
      c.set(v as Float64Array);
    } else if (cur !== null && typeof cur === 'object' && !Array.isArray(cur)) {
      assignState(cur as Record<string, unknown>, v, `${where}.${k}`);
    } else if (typeof cur !== typeof v && !(cur === null || v === null)) {
      throw new Error(`${where}.${k}: expected ${typeof cur}`);
    } else {
      target[k] = v;
    }
  }
}
