// Atomic, durable state files: write to a temp file, fsync, rename over the old one, fsync the
// directory — a crash leaves either the old or the new snapshot, never a torn one.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeFileAtomic(file: string, data: string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  try {
    const dfd = openSync(dirname(file), 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    /* directories cannot be fsynced on every platform */
  }
}

/**
 * Reads a JSON snapshot. Missing: undefined. Unreadable or corrupt: the file is moved aside
 * (`<file>.corrupt-<time>`) and `onError` is told, so startup goes on with empty state
 * instead of failing.
 */
export function readSnapshot<T>(file: string, onError: (msg: string) => void): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    onError(`reading ${file}: ${(e as Error).message}`);
    return undefined;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    const aside = `${file}.corrupt-${Date.now()}`;
    try {
      renameSync(file, aside);
    } catch {
      /* leave it */
    }
    onError(`${file} is corrupt (${(e as Error).message}); moved to ${aside}, starting empty`);
    return undefined;
  }
}
