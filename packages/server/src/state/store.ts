// The embedded state store: one SQLite database (WAL journal, synchronous=FULL, so every
// committed transaction is on disk when the call returns) holding silences, the notification
// log, alert history and small metadata. The connection keeps an exclusive lock for its whole
// life, so a second process opening the same file gets a clear "in use" error instead of two
// writers; the lock is the kernel's and goes away with the process, even after kill -9.
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { nopLogger, type Logger } from '../util/log.js';
import { LATEST_VERSION, migrate, schemaVersion } from './migrations.js';
import { SilenceRepo } from './silences.js';
import { NflogRepo } from './nflog.js';
import { HistoryRepo } from './history.js';

export class StateStoreError extends Error {}

export interface StateStoreOptions {
  /** The database file, e.g. `<storage.path>/state.db`. */
  file: string;
  logger?: Logger;
  /** Busy wait for the lock held by another connection (default 200 ms). */
  lockTimeoutMs?: number;
}

/** Error codes meaning the file is not a usable database (moved aside, started fresh). */
const DAMAGED = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CORRUPT_VTAB', 'SQLITE_IOERR_SHORT_READ', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_IOERR_READ']);

function code(e: unknown): string {
  return String((e as { code?: unknown }).code ?? '');
}

export class StateStore {
  readonly silences: SilenceRepo;
  readonly nflog: NflogRepo;
  readonly history: HistoryRepo;
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly db: Database.Database,
  ) {
    this.silences = new SilenceRepo(db);
    this.nflog = new NflogRepo(db);
    this.history = new HistoryRepo(db);
  }

  /**
   * Opens (creating and migrating as needed) the database. A corrupt or unreadable file is
   * moved aside to `<file>.corrupt-<ms>` (with its -wal/-shm), logged, and a fresh database is
   * started; a file locked by another process or written by a newer schema is an error.
   */
  static open(opts: StateStoreOptions): StateStore {
    const log = opts.logger ?? nopLogger;
    mkdirSync(dirname(opts.file), { recursive: true });
    try {
      return StateStore.tryOpen(opts);
    } catch (e) {
      if (e instanceof StateStoreError || !DAMAGED.has(code(e)) || !existsSync(opts.file)) throw wrap(e, opts.file);
      const aside = `${opts.file}.corrupt-${Date.now()}`;
      try {
        renameSync(opts.file, aside);
        for (const ext of ['-wal', '-shm']) if (existsSync(opts.file + ext)) renameSync(opts.file + ext, aside + ext);
      } catch (re) {
        throw new StateStoreError(`state database ${opts.file} is unreadable (${(e as Error).message}) and could not be moved aside: ${(re as Error).message}`);
      }
      log.error('state database unreadable; moved aside, starting with an empty one', { file: opts.file, movedTo: aside, err: (e as Error).message });
      try {
        return StateStore.tryOpen(opts);
      } catch (e2) {
        throw wrap(e2, opts.file);
      }
    }
  }

  private static tryOpen(opts: StateStoreOptions): StateStore {
    const db = new Database(opts.file, { timeout: opts.lockTimeoutMs ?? 200 });
    try {
      // Exclusive locking before WAL: no shared-memory file, and the lock below is held until close.
      db.pragma('locking_mode = EXCLUSIVE');
      const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
      if (mode !== 'wal') throw new StateStoreError(`state database ${opts.file}: cannot use WAL journal (got ${mode})`);
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      try {
        db.exec('BEGIN EXCLUSIVE; COMMIT');
      } catch (e) {
        if (code(e).startsWith('SQLITE_BUSY') || code(e).startsWith('SQLITE_LOCKED')) {
          throw new StateStoreError(`state database ${opts.file} is in use by another process (or another store in this one); stop it first`);
        }
        throw e;
      }
      const check = db.pragma('quick_check', { simple: true }) as string;
      if (check !== 'ok') {
        const err = new Error(`integrity check failed: ${check}`) as Error & { code: string };
        err.code = 'SQLITE_CORRUPT';
        throw err;
      }
      migrate(db, opts.file);
      return new StateStore(opts.file, db);
    } catch (e) {
      db.close();
      if (code(e).startsWith('SQLITE_BUSY')) throw new StateStoreError(`state database ${opts.file} is in use by another process (or another store in this one); stop it first`);
      throw e;
    }
  }

  get schemaVersion(): number {
    return schemaVersion(this.db);
  }

  static readonly latestSchemaVersion = LATEST_VERSION;

  getMeta(key: string): string | undefined {
    const r = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return r?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Runs `fn` in one transaction (all of its writes commit together or not at all). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

function wrap(e: unknown, file: string): Error {
  if (e instanceof StateStoreError) return e;
  const msg = (e as Error).message;
  return new StateStoreError(msg.includes(file) ? msg : `state database ${file}: ${msg}`);
}

export function openStateStore(opts: StateStoreOptions): StateStore {
  return StateStore.open(opts);
}
