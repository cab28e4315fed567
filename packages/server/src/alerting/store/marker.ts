// Per-alert suppression status (silencedBy / inhibitedBy), as the API reports it.
export interface AlertMarkStatus {
  state: 'unprocessed' | 'active' | 'suppressed';
  silencedBy: string[];
  inhibitedBy: string[];
}

export class Marker {
  private m = new Map<string, { silencedBy: string[]; inhibitedBy: string[]; seen: boolean }>();

  private entry(fp: string) {
    let e = this.m.get(fp);
    if (!e) {
      e = { silencedBy: [], inhibitedBy: [], seen: false };
      this.m.set(fp, e);
    }
    return e;
  }
  setSilenced(fp: string, ids: string[]): void {
    const e = this.entry(fp);
    e.silencedBy = ids;
    e.seen = true;
  }
  setInhibited(fp: string, ids: string[]): void {
    const e = this.entry(fp);
    e.inhibitedBy = ids;
    e.seen = true;
  }
  status(fp: string): AlertMarkStatus {
    const e = this.m.get(fp);
    if (!e || !e.seen) return { state: 'unprocessed', silencedBy: [], inhibitedBy: [] };
    const suppressed = e.silencedBy.length > 0 || e.inhibitedBy.length > 0;
    return { state: suppressed ? 'suppressed' : 'active', silencedBy: [...e.silencedBy], inhibitedBy: [...e.inhibitedBy] };
  }
  delete(fp: string): void {
    this.m.delete(fp);
  }
}
