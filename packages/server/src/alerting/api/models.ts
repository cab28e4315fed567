// API v2 models (Alertmanager's OpenAPI shapes, field order included).
import type { Alertmanager } from '../alertmanager.js';
import { silenceState, type Silence, type SilenceMatcher } from '../silence/index.js';
import type { Alert } from '../types.js';

export interface GettableAlert {
  annotations: Record<string, string>;
  endsAt: string;
  fingerprint: string;
  receivers: { name: string }[];
  startsAt: string;
  status: { inhibitedBy: string[]; silencedBy: string[]; state: 'unprocessed' | 'active' | 'suppressed' };
  updatedAt: string;
  generatorURL?: string;
  labels: Record<string, string>;
}

export interface GettableSilence {
  id: string;
  status: { state: 'expired' | 'active' | 'pending' };
  updatedAt: string;
  comment: string;
  createdBy: string;
  endsAt: string;
  matchers: SilenceMatcher[];
  startsAt: string;
}

export const iso = (t: number): string => new Date(t).toISOString();

/** The Alertmanager release this API matches. */
export const ALERTMANAGER_API_VERSION = '0.25.0';

export function toGettableAlert(am: Alertmanager, a: Alert, receivers: string[]): GettableAlert {
  const st = am.marker.status(a.fingerprint);
  const out: GettableAlert = {
    annotations: a.annotations,
    endsAt: iso(a.endsAt),
    fingerprint: a.fingerprint,
    receivers: receivers.map((name) => ({ name })),
    startsAt: iso(a.startsAt),
    status: { inhibitedBy: st.inhibitedBy, silencedBy: st.silencedBy, state: st.state },
    updatedAt: iso(a.updatedAt),
    ...(a.generatorURL ? { generatorURL: a.generatorURL } : {}),
    labels: a.labels,
  };
  return out;
}

export function toGettableSilence(s: Silence, now: number): GettableSilence {
  return {
    id: s.id,
    status: { state: silenceState(s, now) },
    updatedAt: iso(s.updatedAt),
    comment: s.comment,
    createdBy: s.createdBy,
    endsAt: iso(s.endsAt),
    matchers: s.matchers.map((m) => ({ isEqual: m.isEqual, isRegex: m.isRegex, name: m.name, value: m.value })),
    startsAt: iso(s.startsAt),
  };
}
