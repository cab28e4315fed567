// The notification log: what was last sent per (receiver, integration, group), used by the
// dedup stage; written to the state store as it is logged so a restart does not re-send.
import type { NflogRepo } from '../../state/index.js';

export interface NflogReceiver { groupName: string; integration: string; idx: number }

export interface NflogEntry {
  groupKey: string;
  receiver: NflogReceiver;
  firingAlerts: string[];
  resolvedAlerts: string[];
  timestamp: number;
  expiresAt: number;
}

function key(r: NflogReceiver, gkey: string): string {
  return `${r.groupName}\x00${r.integration}\x00${r.idx}\x00${gkey}`;
}

export class NotificationLog {
  private entries = new Map<string, NflogEntry>();

  constructor(
    private readonly now: () => number,
    private readonly retentionMs: number,
    private readonly repo?: NflogRepo,
    /** Told when a store write fails (the entry is still kept in memory). */
    private readonly onWriteError: (e: Error) => void = () => {},
  ) {}

  query(r: NflogReceiver, gkey: string): NflogEntry | undefined {
    return this.entries.get(key(r, gkey));
  }

  log(r: NflogReceiver, gkey: string, firing: string[], resolved: string[], expiryMs: number): void {
    const now = this.now();
    const expiresAt = expiryMs > 0 ? now + expiryMs : now + this.retentionMs;
    const e: NflogEntry = { groupKey: gkey, receiver: r, firingAlerts: firing, resolvedAlerts: resolved, timestamp: now, expiresAt };
    this.entries.set(key(r, gkey), e);
    try {
      this.repo?.put(e);
    } catch (err) {
      this.onWriteError(err as Error);
    }
  }

  gc(): number {
    const now = this.now();
    let n = 0;
    for (const [k, e] of this.entries) if (e.expiresAt <= now) { this.entries.delete(k); n++; }
    this.repo?.deleteExpired(now);
    return n;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Loads the entries kept in the store (dropping expired ones). */
  load(): void {
    if (!this.repo) return;
    for (const e of this.repo.all()) this.entries.set(key(e.receiver, e.groupKey), e);
    this.gc();
  }
}

export function isSubset(sub: Iterable<string>, of: Set<string>): boolean {
  for (const x of sub) if (!of.has(x)) return false;
  return true;
}
