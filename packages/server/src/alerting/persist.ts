// Alerting state lives in the embedded state store (state/, SQLite). Earlier versions wrote
// JSON snapshot files (silences.json, nflog.json, history.json) under the storage path; on the
// first start with a store they are imported once, then left untouched.
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryRow, NflogRow, SilenceRow, StateStore } from '../state/index.js';

const IMPORT_KEY = 'alerting.json_import';

/** Imports the JSON snapshots under `dir` into `store` unless that was done before; returns
 * the counts imported (undefined when skipped). One transaction: all or nothing. */
export function importJsonSnapshots(store: StateStore, dir: string, onError: (msg: string) => void, now = Date.now()): { silences: number; nflog: number; history: number } | undefined {
  if (store.getMeta(IMPORT_KEY) !== undefined) return undefined;
  const silences = readSnapshot<SilenceRow[]>(join(dir, 'silences.json'), onError) ?? [];
  const nflog = readSnapshot<NflogRow[]>(join(dir, 'nflog.json'), onError) ?? [];
  const history = readSnapshot<HistoryRow[]>(join(dir, 'history.json'), onError) ?? [];
  const ok = <T>(list: T[], what: string): T[] => {
    if (Array.isArray(list)) return list;
    onError(`${join(dir, what)}: expected a JSON array; not imported`);
    return [];
  };
  const s = ok(silences, 'silences.json');
  const n = ok(nflog, 'nflog.json');
  const h = ok(history, 'history.json').map((e) => ({ ...e, id: undefined }));
  store.transaction(() => {
    store.silences.putMany(s);
    store.nflog.putMany(n);
    store.history.save(h);
    store.setMeta(IMPORT_KEY, JSON.stringify({ at: new Date(now).toISOString(), silences: s.length, nflog: n.length, history: h.length }));
  });
  return { silences: s.length, nflog: n.length, history: h.length };
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
