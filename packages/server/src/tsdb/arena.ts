// Slab allocator for head chunk bytes: fixed-size slots in 1 MiB pages, one free list per size
// class. A slot id packs (index, class) into one number, so chunks cost no JS object each.

const CLASSES = [32, 64, 128, 256, 512, 1024, 2048, 4096];
const PAGE = 1 << 20;

export const MAX_SLOT_BYTES = CLASSES[CLASSES.length - 1]!;

export class ChunkArena {
  private pages: Uint8Array[][] = CLASSES.map(() => []);
  private free: number[][] = CLASSES.map(() => []);
  private next: number[] = CLASSES.map(() => 0);
  private used = 0;

  /** Slot id for at least `bytes` bytes (zeroed). */
  alloc(bytes: number): number {
    let cls = 0;
    while (CLASSES[cls]! < bytes) cls++;
    if (cls >= CLASSES.length) throw new RangeError(`chunk of ${bytes} bytes exceeds the largest slot`);
    let idx = this.free[cls]!.pop();
    if (idx === undefined) {
      idx = this.next[cls]!++;
      const per = PAGE / CLASSES[cls]!;
      if (Math.floor(idx / per) >= this.pages[cls]!.length) this.pages[cls]!.push(new Uint8Array(PAGE));
    }
    this.used += CLASSES[cls]!;
    return idx * 8 + cls;
  }

  release(id: number): void {
    const cls = id & 7, idx = (id - cls) / 8;
    const size = CLASSES[cls]!;
    const base = this.base(id);
    this.page(id).fill(0, base, base + size);
    this.free[cls]!.push(idx);
    this.used -= size;
  }

  size(id: number): number {
    return CLASSES[id & 7]!;
  }

  page(id: number): Uint8Array {
    const cls = id & 7;
    const per = PAGE / CLASSES[cls]!;
    return this.pages[cls]![Math.floor((id - cls) / 8 / per)]!;
  }

  base(id: number): number {
    const cls = id & 7;
    const size = CLASSES[cls]!;
    const per = PAGE / size;
    return (((id - cls) / 8) % per) * size;
  }

  /** Bytes in live slots and bytes of pages allocated. */
  usage(): { usedBytes: number; allocatedBytes: number } {
    let pages = 0;
    for (const p of this.pages) pages += p.length;
    return { usedBytes: this.used, allocatedBytes: pages * PAGE };
  }
}
