// The file-system seam. All TSDB writes go through `io`, so tests can inject faults such as
// ENOSPC (disk full) without a special file system.
import * as fs from 'node:fs';

export const io = {
  openSync: fs.openSync,
  writeSync: (fd: number, buf: Uint8Array, off: number, len: number, pos?: number | null): number => fs.writeSync(fd, buf, off, len, pos),
  fdatasyncSync: fs.fdatasyncSync,
  fdatasync: fs.fdatasync,
  ftruncateSync: fs.ftruncateSync,
  closeSync: fs.closeSync,
  writeFileSync: (path: string, data: Uint8Array | string): void => {
    const fd = io.openSync(path, 'w');
    try {
      const b = typeof data === 'string' ? Buffer.from(data) : data;
      let o = 0;
      while (o < b.length) o += io.writeSync(fd, b, o, b.length - o, null);
      io.fdatasyncSync(fd);
    } finally {
      io.closeSync(fd);
    }
  },
};

/** Writes all of buf at the fd's position. */
export function writeAll(fd: number, buf: Uint8Array): void {
  let o = 0;
  while (o < buf.length) o += io.writeSync(fd, buf, o, buf.length - o, null);
}

/** fsync a directory so renames/creates in it are durable. */
export function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  } catch {
    /* best effort (not supported everywhere) */
  }
}

/** Human-readable cause for an fs error. */
export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err && err.code === 'ENOSPC') return 'no space left on device (ENOSPC)';
  if (err && err.code === 'EDQUOT') return 'disk quota exceeded (EDQUOT)';
  return err?.message ?? String(e);
}
