// Output buffer for rendering. Concatenating one huge string keeps every intermediate piece
// alive until the end (slow scavenges at 100k series); instead lines are joined in small
// batches and copied into a growing Buffer, so the pieces die young.
export class TextSink {
  private buf: Buffer;
  private off = 0;
  private pending = '';
  private n = 0;

  constructor(initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Appends text (usually one or more complete lines). */
  add(s: string): void {
    this.pending += s;
    if (++this.n === 128) this.flush();
  }

  private flush(): void {
    const s = this.pending;
    this.n = 0;
    if (s === '') return;
    const need = this.off + s.length * 3;
    if (need > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(next, 0, 0, this.off);
      this.buf = next;
    }
    this.off += this.buf.write(s, this.off, 'utf8');
    this.pending = '';
  }

  toBuffer(): Buffer {
    this.flush();
    return this.buf.subarray(0, this.off);
  }

  toString(): string {
    this.flush();
    return this.buf.toString('utf8', 0, this.off);
  }
}
