// Block chunk files (chunks/000001, ...): a header then compressed pages. Each page holds many
// encoded chunks (see dchunk.ts) back to back and is brotli-compressed as a whole, which is
// where most of the size win over per-chunk encoding comes from.
//   file:  "VGCK" u8 version(1) then pages
//   page:  u32 compressedLen | u32 rawLen | u32 crc32(compressed) | u8 codec (0 raw, 1 brotli) | bytes
// A chunk is addressed by (file, page offset, offset inside the decompressed page).
import * as fs from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants as zc, crc32 } from 'node:zlib';
import { io, writeAll } from './fsio.js';

export const CHUNK_MAGIC = Buffer.from('VGCK\x01', 'latin1');
export const PAGE_HEADER = 13;
export const PAGE_RAW_TARGET = 256 * 1024;
export const MAX_CHUNK_FILE = 512 * 1024 * 1024;

export interface ChunkRef {
  file: number;
  page: number;
  off: number;
}

export function chunkFileName(n: number): string {
  return String(n).padStart(6, '0');
}

export class BlockCorruptError extends Error {}

/** Streams encoded chunks into pages and pages into chunk files. */
export class ChunkFileWriter {
  private fd = -1;
  private file = 0;
  private fileSize = 0;
  private page = new Uint8Array(PAGE_RAW_TARGET * 2);
  private pageLen = 0;
  readonly files: { name: string; size: number }[] = [];

  constructor(
    private readonly dir: string,
    private readonly quality: number,
  ) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private openNext(): void {
    this.closeFile();
    this.file++;
    this.fd = io.openSync(join(this.dir, chunkFileName(this.file)), 'w');
    writeAll(this.fd, CHUNK_MAGIC);
    this.fileSize = CHUNK_MAGIC.length;
  }

  private closeFile(): void {
    if (this.fd < 0) return;
    io.fdatasyncSync(this.fd);
    io.closeSync(this.fd);
    this.files.push({ name: chunkFileName(this.file), size: this.fileSize });
    this.fd = -1;
  }

  /** Adds one encoded chunk; returns where it will live. */
  add(bytes: Uint8Array): ChunkRef {
    if (this.fd < 0) this.openNext();
    if (this.pageLen > 0 && this.pageLen + bytes.length > PAGE_RAW_TARGET) this.flushPage();
    if (this.pageLen + bytes.length > this.page.length) {
      const n = new Uint8Array((this.pageLen + bytes.length) * 2);
      n.set(this.page.subarray(0, this.pageLen));
      this.page = n;
    }
    const ref = { file: this.file, page: this.fileSize, off: this.pageLen };
    this.page.set(bytes, this.pageLen);
    this.pageLen += bytes.length;
    return ref;
  }

  private flushPage(): void {
    if (this.pageLen === 0) return;
    const raw = this.page.subarray(0, this.pageLen);
    let codec = 1;
    let body: Uint8Array = brotliCompressSync(raw, {
      params: {
        [zc.BROTLI_PARAM_QUALITY]: this.quality,
        [zc.BROTLI_PARAM_LGWIN]: 22,
        [zc.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    });
    if (body.length >= raw.length) { codec = 0; body = raw; }
    const h = Buffer.alloc(PAGE_HEADER);
    h.writeUInt32LE(body.length, 0);
    h.writeUInt32LE(raw.length, 4);
    h.writeUInt32LE(crc32(body), 8);
    h[12] = codec;
    writeAll(this.fd, h);
    writeAll(this.fd, body);
    this.fileSize += PAGE_HEADER + body.length;
    this.pageLen = 0;
    if (this.fileSize > MAX_CHUNK_FILE) this.openNext();
  }

  /** Flushes the last page and closes; returns files written. */
  finish(): { name: string; size: number }[] {
    if (this.fd >= 0) {
      this.flushPage();
      this.closeFile();
    }
    return this.files;
  }
}

/** Decompressed-page cache shared by all blocks (bounded by bytes). */
class PageCache {
  private map = new Map<string, Uint8Array>();
  private bytes = 0;
  constructor(private readonly max: number) {}
  get(k: string): Uint8Array | undefined {
    const v = this.map.get(k);
    if (v) { this.map.delete(k); this.map.set(k, v); }
    return v;
  }
  set(k: string, v: Uint8Array): void {
    this.map.set(k, v);
    this.bytes += v.length;
    for (const [key, val] of this.map) {
      if (this.bytes <= this.max) break;
      this.map.delete(key);
      this.bytes -= val.length;
    }
  }
  dropPrefix(prefix: string): void {
    for (const [k, v] of this.map) if (k.startsWith(prefix)) { this.map.delete(k); this.bytes -= v.length; }
  }
}

export const pageCache = new PageCache(64 * 1024 * 1024);

/** Reads pages of one block's chunk files on demand (positional reads, no full loads). */
export class ChunkFileReader {
  private fds = new Map<number, number>();
  constructor(
    private readonly dir: string,
    private readonly key: string,
  ) {}

  /**
   * Opens every chunk file now, so reads keep working after the block directory is deleted
   * (compaction or retention) while a query still holds the block.
   */
  openAll(count: number): void {
    for (let f = 1; f <= count; f++) this.fd(f);
  }

  private fd(file: number): number {
    let fd = this.fds.get(file);
    if (fd === undefined) {
      const p = join(this.dir, chunkFileName(file));
      try {
        fd = fs.openSync(p, 'r');
      } catch (e) {
        throw new BlockCorruptError(`block ${this.key}: cannot open chunk file ${p}: ${(e as Error).message}`);
      }
      this.fds.set(file, fd);
    }
    return fd;
  }

  /** The decompressed page that holds chunks at (file, page). */
  page(file: number, page: number): Uint8Array {
    const k = `${this.key}/${file}/${page}`;
    const hit = pageCache.get(k);
    if (hit) return hit;
    const fd = this.fd(file);
    const where = `block ${this.key} chunk file ${chunkFileName(file)} page at ${page}`;
    const h = Buffer.alloc(PAGE_HEADER);
    if (fs.readSync(fd, h, 0, PAGE_HEADER, page) !== PAGE_HEADER) throw new BlockCorruptError(`${where}: truncated page header`);
    const clen = h.readUInt32LE(0), rlen = h.readUInt32LE(4), crc = h.readUInt32LE(8), codec = h[12];
    const body = Buffer.allocUnsafe(clen);
    if (fs.readSync(fd, body, 0, clen, page + PAGE_HEADER) !== clen) throw new BlockCorruptError(`${where}: truncated page (file shorter than recorded)`);
    if (crc32(body) !== crc) throw new BlockCorruptError(`${where}: checksum mismatch`);
    let raw: Uint8Array;
    try {
      raw = codec === 1 ? brotliDecompressSync(body) : body;
    } catch (e) {
      throw new BlockCorruptError(`${where}: cannot decompress: ${(e as Error).message}`);
    }
    if (raw.length !== rlen) throw new BlockCorruptError(`${where}: page length mismatch`);
    pageCache.set(k, raw);
    return raw;
  }

  close(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
    pageCache.dropPrefix(this.key + '/');
  }
}
