// The notification log: what was last sent per (receiver, integration, group), used by the
// dedup stage; snapshotted to disk so a restart does not re-send.
import { readSnapshot, writeFileAtomic } from '../persist.js';

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
    private readonly file?: string,
  ) {}

  query(r: NflogReceiver, gkey: string): NflogEntry | undefined {
    return this.entries.get(key(r, gkey));
  }

  log(r: NflogReceiver, gkey: string, firing: string[], resolved: string[], expiryMs: number): void {
    const now = this.now();
    const expiresAt = expiryMs > 0 ? now + expiryMs : now + this.retentionMs;
    this.entries.set(key(r, gkey), { groupKey: gkey, receiver: r, firingAlerts: firing, resolvedAlerts: resolved, timestamp: now, expiresAt });
  }

  gc(): number {
    const now = this.now();
    let n = 0;
    for (const [k, e] of this.entries) if (e.expiresAt <= now) { this.entries.delete(k); n++; }
    return n;
  }

  get size(): number {
    return this.entries.size;
  }

  load(onError: (msg: string) => void = () => {}): void {
    if (!this.file) return;
    const list = readSnapshot<NflogEntry[]>(this.file, onError);
    if (!list) return;
    for (const e of list) this.entries.set(key(e.receiver, e.groupKey), e);
    this.gc();
  }


  snapshot(): void {
    if (!this.file) return;
    this.gc();
    writeFileAtomic(this.file, JSON.stringify([...this.entries.values()]));
  }
}

export function isSubset(sub: Iterable<string>, of: Set<string>): boolean {
  for (const x of sub) if (!of.has(x)) return false;
  return true;
}
