// The data model handed to notification templates and the webhook payload (template.Data).
import { GoTime } from '../../template/values.js';
import { alertStatus, compareAlerts, type Alert, type LabelSet } from '../types.js';

export interface TemplateAlert {
  Status: 'firing' | 'resolved';
  Labels: KV;
  Annotations: KV;
  StartsAt: GoTime;
  EndsAt: GoTime;
  GeneratorURL: string;
  Fingerprint: string;
}

export interface TemplateData {
  Receiver: string;
  Status: 'firing' | 'resolved';
  Alerts: TemplateAlerts;
  GroupLabels: KV;
  CommonLabels: KV;
  CommonAnnotations: KV;
  ExternalURL: string;
}

export interface Pair { Name: string; Value: string }

/** Sorted label pairs with Go's Pairs methods. */
export class Pairs extends Array<Pair> {
  Names(): string[] {
    return this.map((p) => p.Name);
  }
  Values(): string[] {
    return this.map((p) => p.Value);
  }
  static override get [Symbol.species]() {
    return Array;
  }
}

/** Marks KV as a Go map for the template engine (range, len, index, field access by key). */
const GO_MAP = Symbol.for('vigil.template.map');

/** A label/annotation map with Alertmanager's template methods. */
export class KV {
  [key: string]: unknown;
  declare readonly [GO_MAP]: true;
  constructor(obj: LabelSet) {
    for (const k of Object.keys(obj)) this[k] = obj[k];
  }
  private keysSorted(): string[] {
    return Object.keys(this).sort();
  }
  /** Sorted by name, with alertname first (as Alertmanager). */
  SortedPairs(): Pairs {
    const keys = this.keysSorted();
    const i = keys.indexOf('alertname');
    if (i > 0) {
      keys.splice(i, 1);
      keys.unshift('alertname');
    }
    const out = new Pairs();
    for (const k of keys) out.push({ Name: k, Value: String(this[k]) });
    return out;
  }
  Names(): string[] {
    return this.SortedPairs().map((p) => p.Name);
  }
  Values(): string[] {
    return this.SortedPairs().map((p) => p.Value);
  }
  Remove(keys: string[]): KV {
    const o: LabelSet = {};
    for (const k of Object.keys(this)) if (!keys.includes(k)) o[k] = String(this[k]);
    return new KV(o);
  }
  toJSON(): LabelSet {
    const o: LabelSet = {};
    for (const k of this.keysSorted()) o[k] = String(this[k]);
    return o;
  }
}

Object.defineProperty(KV.prototype, GO_MAP, { value: true });

export class TemplateAlerts extends Array<TemplateAlert> {
  Firing(): TemplateAlert[] {
    return this.filter((a) => a.Status === 'firing');
  }
  Resolved(): TemplateAlert[] {
    return this.filter((a) => a.Status === 'resolved');
  }
  static override get [Symbol.species]() {
    return Array;
  }
}

/** Go's regexp.QuoteMeta, which Alertmanager applies to the receiver name. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

export function buildTemplateData(receiver: string, groupLabels: LabelSet, alerts: Alert[], now: number, externalURL: string): TemplateData {
  const list = new TemplateAlerts();
  let anyFiring = false;
  for (const a of alerts) {
    const st = alertStatus(a, now);
    if (st === 'firing') anyFiring = true;
    list.push({
      Status: st,
      Labels: new KV(a.labels),
      Annotations: new KV(a.annotations),
      StartsAt: new GoTime(a.startsAt),
      // Not-yet-reached end times are not exposed (zero time).
      EndsAt: new GoTime(st === 'resolved' ? a.endsAt : GO_ZERO_TIME),
      GeneratorURL: a.generatorURL,
      Fingerprint: a.fingerprint,
    });
  }
  const common = (pick: (a: Alert) => LabelSet): LabelSet => {
    if (alerts.length === 0) return {};
    const c: LabelSet = { ...pick(alerts[0]!) };
    for (const a of alerts.slice(1)) for (const k of Object.keys(c)) if (pick(a)[k] !== c[k]) delete c[k];
    return c;
  };
  return {
    Receiver: quoteMeta(receiver),
    Status: anyFiring ? 'firing' : 'resolved',
    Alerts: list,
    GroupLabels: new KV(groupLabels),
    CommonLabels: new KV(common((a) => a.labels)),
    CommonAnnotations: new KV(common((a) => a.annotations)),
    ExternalURL: externalURL,
  };
}

/** Go's zero time.Time (0001-01-01T00:00:00Z) in epoch ms. */
export const GO_ZERO_TIME = -62135596800000;

/** Go's time.Time JSON form (RFC 3339 with trimmed fractional seconds). */
export function goTime(d: GoTime | number): string {
  const ms = typeof d === 'number' ? d : d.ms;
  if (ms === GO_ZERO_TIME) return '0001-01-01T00:00:00Z';
  const iso = new Date(ms).toISOString(); // 2024-01-01T00:00:00.000Z
  return iso.replace(/\.(\d+)Z$/, (_m, f: string) => {
    const t = f.replace(/0+$/, '');
    return t ? `.${t}Z` : 'Z';
  });
}

/** Go's json.Encoder escapes <, > and & for HTML safety; the webhook payload keeps that. */
export function goJSON(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

export function sortAlerts(alerts: Alert[]): Alert[] {
  return alerts.sort(compareAlerts);
}
