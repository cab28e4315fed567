// Silences: matchers over a time range, states pending/active/expired, update-or-replace as
// Alertmanager does (an edit that changes history expires the old silence and creates a new
// one), kept for data.retention after they end. With a state store every change is committed
// to it before the call returns, so an acknowledged silence survives a crash.
import { randomUUID } from 'node:crypto';
import type { SilenceRepo } from '../../state/index.js';
import { newMatcher, matches, type Matcher, type MatchType } from '../../model/index.js';
import { isValidLabelName, type LabelSet } from '../types.js';
import { goRegexError } from '../matchers.js';

export type SilenceState = 'pending' | 'active' | 'expired';

export interface SilenceMatcher { name: string; value: string; isRegex: boolean; isEqual: boolean }

export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: number;
  endsAt: number;
  updatedAt: number;
  createdBy: string;
  comment: string;
}

export class SilenceError extends Error {
  constructor(message: string, readonly notFound = false) {
    super(message);
  }
}

export function matcherType(m: SilenceMatcher): MatchType {
  return m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
}

export function silenceState(s: Silence, now: number): SilenceState {
  if (now < s.startsAt) return 'pending';
  if (now < s.endsAt) return 'active';
  return 'expired';
}

interface Stored { sil: Silence; compiled: Matcher[] }

function compile(s: Silence): Matcher[] {
  return s.matchers.map((m) => newMatcher(matcherType(m), m.name, m.value));
}

function validate(s: Silence): void {
  if (s.matchers.length === 0) throw new SilenceError('silence invalid: at least one matcher required');
  let allEmpty = true;
  s.matchers.forEach((m, i) => {
    if (!isValidLabelName(m.name)) throw new SilenceError(`silence invalid: invalid label matcher ${i}: invalid label name "${m.name}"`);
    let c: Matcher;
    try {
      c = newMatcher(matcherType(m), m.name, m.value);
    } catch (e) {
      throw new SilenceError(`silence invalid: invalid label matcher ${i}: invalid regular expression "${m.value}": ${goRegexError(m.value, e)}`);
    }
    // Only = and =~ can match the empty string for this check, as in Alertmanager.
    const me = m.isEqual && matches(c, '');
    allEmpty = allEmpty && me;
  });
  if (allEmpty) throw new SilenceError('silence invalid: at least one matcher must not match the empty string');
  if (!s.startsAt) throw new SilenceError('silence invalid: invalid zero start timestamp');
  if (!s.endsAt) throw new SilenceError('silence invalid: invalid zero end timestamp');
  if (s.endsAt < s.startsAt) throw new SilenceError('silence invalid: end time must not be before start time');
}

function sameMatchers(a: SilenceMatcher[], b: SilenceMatcher[]): boolean {
  return a.length === b.length && a.every((m, i) => m.name === b[i]!.name && m.value === b[i]!.value && m.isRegex === b[i]!.isRegex && m.isEqual === b[i]!.isEqual);
}

export class Silences {
  private st = new Map<string, Stored>();
  /** Bumped on every change so cached mute results can be invalidated. */
  version = 0;
  /** Called after every change (the owner persists acknowledged silences at once). */
  onChange?: () => void;

  constructor(
    private readonly now: () => number,
    private readonly retentionMs: number,
    private readonly repo?: SilenceRepo,
  ) {}

  get(id: string): Silence | undefined {
    return this.st.get(id)?.sil;
  }

  list(): Silence[] {
    return [...this.st.values()].map((s) => s.sil);
  }

  /** Creates or updates; returns the silence ID (a new one when history would change). */
  set(input: Omit<Silence, 'updatedAt'> & { id: string }): string {
    const now = this.now();
    const prev = input.id ? this.st.get(input.id)?.sil : undefined;
    if (input.id && !prev) throw new SilenceError('silence not found', true);
    const sil: Silence = { ...input, updatedAt: now };
    if (prev) {
      if (this.canUpdate(prev, sil, now)) {
        this.store(sil);
        return sil.id;
      }
      if (silenceState(prev, now) !== 'expired') this.expire(prev.id);
    }
    sil.id = randomUUID();
    if (sil.startsAt < now) sil.startsAt = now;
    this.store(sil);
    return sil.id;
  }

  private canUpdate(a: Silence, b: Silence, now: number): boolean {
    if (!sameMatchers(a.matchers, b.matchers)) return false;
    switch (silenceState(a, now)) {
      case 'active':
        return Math.floor(a.startsAt / 1000) === Math.floor(b.startsAt / 1000) && b.endsAt >= now;
      case 'pending':
        return b.startsAt >= now;
      default:
        return false;
    }
  }

  private store(sil: Silence): void {
    validate(sil);
    const compiled = compile(sil);
    // Durable first: if the write fails the change is not made and the caller gets the error.
    this.repo?.put(sil);
    this.st.set(sil.id, { sil, compiled });
    this.version++;
    this.onChange?.();
  }

  expire(id: string): void {
    const cur = this.st.get(id)?.sil;
    if (!cur) throw new SilenceError('silence not found', true);
    const now = this.now();
    const s = { ...cur, updatedAt: now };
    switch (silenceState(cur, now)) {
      case 'expired':
        return;
      case 'active':
        s.endsAt = now;
        break;
      case 'pending':
        s.startsAt = now;
        s.endsAt = now;
    }
    this.repo?.put(s);
    this.st.set(id, { sil: s, compiled: this.st.get(id)!.compiled });
    this.version++;
    this.onChange?.();
  }

  /** IDs of active silences whose matchers all match the labels. */
  mutedBy(ls: LabelSet): string[] {
    const now = this.now();
    const out: string[] = [];
    for (const { sil, compiled } of this.st.values()) {
      if (silenceState(sil, now) !== 'active') continue;
      if (compiled.every((m) => matches(m, ls[m.name] ?? ''))) out.push(sil.id);
    }
    return out.sort();
  }

  gc(): number {
    const now = this.now();
    let n = 0;
    for (const [id, { sil }] of this.st) if (sil.endsAt + this.retentionMs <= now) { this.st.delete(id); n++; }
    this.repo?.deleteEndedBefore(now - this.retentionMs);
    if (n) this.version++;
    return n;
  }

  /** Loads the silences kept in the store (dropping those past retention). */
  load(): void {
    if (!this.repo) return;
    for (const sil of this.repo.all()) this.st.set(sil.id, { sil, compiled: compile(sil) });
    this.gc();
    this.version++;
  }
}
