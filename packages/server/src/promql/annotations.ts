// Warnings and infos attached to a query result, formatted as Prometheus does:
// "PromQL warning: <msg> (<line>:<col>)" with the position of the sub-expression.
import { lineCol } from './errors.js';
import type { PosRange } from './ast.js';

export class Annotations {
  readonly warnings = new Set<string>();
  readonly infos = new Set<string>();
  constructor(private readonly query: string) {}

  private pos(p: PosRange | null): string {
    if (!p) return '';
    const { line, col } = lineCol(this.query, p.start);
    return ` (${line}:${col})`;
  }
  warn(msg: string, p: PosRange | null): void {
    this.warnings.add(`PromQL warning: ${msg}${this.pos(p)}`);
  }
  private counted?: Map<string, { count: number; pos: string; text: string }>;
  /**
   * A warning merged by message across steps and series, as Prometheus merges its start-time
   * overlap warning: repeats become "(N occurrences)"; the first position is kept.
   */
  warnCounted(msg: string, p: PosRange | null): void {
    this.counted ??= new Map();
    const e = this.counted.get(msg);
    if (!e) {
      const pos = this.pos(p), text = `PromQL warning: ${msg}${pos}`;
      this.counted.set(msg, { count: 1, pos, text });
      this.warnings.add(text);
      return;
    }
    this.warnings.delete(e.text);
    e.count++;
    e.text = `PromQL warning: ${msg} (${e.count} occurrences)${e.pos}`;
    this.warnings.add(e.text);
  }
  info(msg: string, p: PosRange | null): void {
    this.infos.add(`PromQL info: ${msg}${this.pos(p)}`);
  }
}
