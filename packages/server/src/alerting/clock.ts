// An injectable clock: real time in production, a manual one in tests so timer behaviour
// (group_wait, group_interval, repeat_interval, resolve_timeout) is deterministic and fast.
export interface TimerHandle { cancel(): void }

export interface Clock {
  now(): number;
  setTimer(ms: number, fn: () => void): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    if (ms <= 0) {
      // Due now (group_wait 0s, or an alert older than group_wait): skip setTimeout's 1ms floor.
      const im = setImmediate(fn);
      return { cancel: () => clearImmediate(im) };
    }
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

interface Pending { at: number; seq: number; fn: () => void; cancelled: boolean }

/** A clock that only moves when told; `advance` fires due timers in time order. */
export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Pending[] = [];
  constructor(start = Date.UTC(2024, 0, 1)) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  setTimer(ms: number, fn: () => void): TimerHandle {
    const p: Pending = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(p);
    return { cancel: () => { p.cancelled = true; } };
  }
  /** Moves time forward by `ms`, running each due timer and letting async work settle. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      this.timers = this.timers.filter((p) => !p.cancelled);
      let next: Pending | undefined;
      for (const p of this.timers) if (p.at <= end && (!next || p.at < next.at || (p.at === next.at && p.seq < next.seq))) next = p;
      if (!next) break;
      this.t = Math.max(this.t, next.at);
      next.cancelled = true;
      next.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
