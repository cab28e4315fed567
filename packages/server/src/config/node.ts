// A typed view of a YAML document for validation: every error names file, line and field path,
// e.g. `vigil.yml:12: scrape_configs[0].scrape_interval: not a valid duration "15x"`.
import { parseDocument, isMap, isSeq, isScalar, LineCounter, type Node as YNode } from 'yaml';
import { parseDuration } from './duration.js';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${field ? `${field}: ` : ''}${reason}`);
    this.name = 'ConfigError';
  }
}

interface Ctx {
  file: string;
  lc: LineCounter;
}

/** Wraps a YAML node with its path; accessors validate and throw ConfigError. */
export class CfgNode {
  constructor(
    private readonly ctx: Ctx,
    readonly node: YNode | null | undefined,
    readonly path: string,
  ) {}

  static parse(text: string, file: string): CfgNode {
    const lc = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const line = e.pos ? lc.linePos(e.pos[0]).line : 0;
      throw new ConfigError(file, line, '', `YAML: ${e.message.split('\n')[0]}`);
    }
    return new CfgNode({ file, lc }, doc.contents as YNode | null, '');
  }

  get line(): number {
    const r = (this.node as { range?: [number, number, number] } | null)?.range;
    return r ? this.ctx.lc.linePos(r[0]).line : 0;
  }
  get file(): string {
    return this.ctx.file;
  }

  error(reason: string): ConfigError {
    return new ConfigError(this.ctx.file, this.line, this.path, reason);
  }

  isNull(): boolean {
    return this.node == null || (isScalar(this.node) && this.node.value === null);
  }
  isMap(): boolean {
    return isMap(this.node);
  }
  isSeq(): boolean {
    return isSeq(this.node);
  }

  private childPath(key: string | number): string {
    return typeof key === 'number' ? `${this.path}[${key}]` : this.path ? `${this.path}.${key}` : key;
  }

  /** Keys of a mapping (error if not a mapping; null/absent gives []). */
  keys(): string[] {
    if (this.isNull()) return [];
    if (!isMap(this.node)) throw this.error('expected a mapping');
    return this.node.items.map((p) => String(isScalar(p.key) ? p.key.value : p.key));
  }

  /** Errors on keys not in `allowed`, as Prometheus does ("field x not found"). */
  allowOnly(allowed: readonly string[]): this {
    if (this.isNull()) return this;
    if (!isMap(this.node)) throw this.error('expected a mapping');
    for (const p of this.node.items) {
      const k = String(isScalar(p.key) ? p.key.value : p.key);
      if (!allowed.includes(k)) {
        const kn = new CfgNode(this.ctx, p.key as YNode, this.childPath(k));
        throw kn.error(`field ${k} not found (known: ${allowed.join(', ')})`);
      }
    }
    return this;
  }

  get(key: string): CfgNode {
    if (this.isNull()) return new CfgNode(this.ctx, null, this.childPath(key));
    if (!isMap(this.node)) throw this.error('expected a mapping');
    const pair = this.node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
    return new CfgNode(this.ctx, (pair?.value as YNode | undefined) ?? null, this.childPath(key));
  }

  has(key: string): boolean {
    return !this.get(key).isNull();
  }

  items(): CfgNode[] {
    if (this.isNull()) return [];
    if (!isSeq(this.node)) throw this.error('expected a list');
    return this.node.items.map((n, i) => new CfgNode(this.ctx, n as YNode, this.childPath(i)));
  }

  /** Mapping entries as [key, node] pairs. */
  entries(): [string, CfgNode][] {
    return this.keys().map((k) => [k, this.get(k)]);
  }

  scalar(): unknown {
    if (this.isNull()) return undefined;
    if (!isScalar(this.node)) throw this.error('expected a single value');
    return this.node.value;
  }

  str(def?: string): string {
    const v = this.scalar();
    if (v === undefined) {
      if (def === undefined) throw this.error('missing required field');
      return def;
    }
    if (typeof v === 'object') throw this.error('expected a string');
    return String(v);
  }

  optStr(): string | undefined {
    return this.isNull() ? undefined : this.str();
  }

  num(def?: number): number {
    const v = this.scalar();
    if (v === undefined) {
      if (def === undefined) throw this.error('missing required field');
      return def;
    }
    const n = typeof v === 'number' ? v : Number(v);
    if (typeof v === 'boolean' || Number.isNaN(n)) throw this.error(`expected a number, got ${JSON.stringify(v)}`);
    return n;
  }

  int(def?: number): number {
    const n = this.num(def);
    if (!Number.isInteger(n)) throw this.error(`expected an integer, got ${n}`);
    return n;
  }

  bool(def?: boolean): boolean {
    const v = this.scalar();
    if (v === undefined) {
      if (def === undefined) throw this.error('missing required field');
      return def;
    }
    if (typeof v !== 'boolean') throw this.error(`expected true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  /** A Prometheus duration ("1h30m", "15s"); returns milliseconds. */
  duration(def?: string | number): number {
    const v = this.scalar();
    if (v === undefined) {
      if (def === undefined) throw this.error('missing required field');
      return typeof def === 'number' ? def : parseDuration(def);
    }
    try {
      return parseDuration(String(v));
    } catch (e) {
      throw this.error((e as Error).message);
    }
  }

  strList(): string[] {
    return this.items().map((n) => n.str());
  }

  /** A map of string to string (e.g. labels, headers). */
  strMap(): Record<string, string> {
    const o: Record<string, string> = {};
    for (const [k, n] of this.entries()) o[k] = n.str('');
    return o;
  }

  /** Plain JS value of the subtree (no validation). */
  toJS(): unknown {
    if (this.node == null) return undefined;
    return (this.node as { toJSON(): unknown }).toJSON();
  }
}
