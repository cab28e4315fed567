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
  info(msg: string, p: PosRange | null): void {
    this.infos.add(`PromQL info: ${msg}${this.pos(p)}`);
  }
}
