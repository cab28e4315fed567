// Alert values as Alertmanager keeps them. Times are epoch milliseconds; 0 means unset.
import type { Labels } from '../model/index.js';

export type LabelSet = Record<string, string>;

export interface Alert {
  labels: LabelSet;
  annotations: LabelSet;
  startsAt: number;
  endsAt: number;
  generatorURL: string;
  updatedAt: number;
  /** True when endsAt was set from resolve_timeout (not given by the client). */
  timeout: boolean;
  /** Fingerprint of the labels, 16 hex digits (cached). */
  fingerprint: string;
}

/** An alert as posted to /api/v2/alerts (PostableAlert). */
export interface PostableAlert {
  labels: LabelSet;
  annotations?: LabelSet;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export function isResolvedAt(a: Alert, now: number): boolean {
  return a.endsAt !== 0 && a.endsAt <= now;
}

export function alertStatus(a: Alert, now: number): 'firing' | 'resolved' {
  return isResolvedAt(a, now) ? 'resolved' : 'firing';
}

/** Alertmanager's Alert.Merge: the younger alert wins, keeping the earliest start. */
export function mergeAlerts(a: Alert, o: Alert, now: number): Alert {
  if (o.updatedAt < a.updatedAt) return mergeAlerts(o, a, now);
  const res: Alert = { ...o };
  if (a.startsAt < o.startsAt) res.startsAt = a.startsAt;
  if (isResolvedAt(o, now)) {
    if (isResolvedAt(a, now) && a.endsAt > o.endsAt) res.endsAt = a.endsAt;
  } else if (a.endsAt > o.endsAt && !a.timeout) {
    res.endsAt = a.endsAt;
  }
  return res;
}

export function labelSetFromLabels(ls: Labels): LabelSet {
  const o: LabelSet = {};
  for (const l of ls) o[l.name] = l.value;
  return o;
}

export function sortedNames(ls: LabelSet): string[] {
  return Object.keys(ls).sort();
}

/** Go's model.LabelSet String(): {a="b", c="d"} sorted by name. */
export function labelSetString(ls: LabelSet): string {
  return '{' + sortedNames(ls).map((k) => `${k}=${JSON.stringify(ls[k])}`).join(', ') + '}';
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export function isValidLabelName(n: string): boolean {
  return LABEL_NAME.test(n);
}

/** Alertmanager's ordering of alerts in a notification: job, instance, then label sets. */
export function compareAlerts(a: Alert, b: Alert): number {
  for (const k of ['job', 'instance']) {
    const av = a.labels[k], bv = b.labels[k];
    if (av === undefined && bv === undefined) continue;
    if (av === undefined) return 1;
    if (bv === undefined) return -1;
    if (av !== bv) return av < bv ? -1 : 1;
  }
  return labelSetBefore(a.labels, b.labels) ? -1 : labelSetBefore(b.labels, a.labels) ? 1 : 0;
}

/** prometheus/common LabelSet.Before: shorter first, then over the union of names. */
export function labelSetBefore(a: LabelSet, b: LabelSet): boolean {
  const an = Object.keys(a), bn = Object.keys(b);
  if (an.length !== bn.length) return an.length < bn.length;
  const names = [...an, ...bn].sort();
  for (const k of names) {
    const x = a[k], y = b[k];
    if (x === undefined) return true;
    if (y === undefined) return false;
    if (x !== y) return x < y;
  }
  return false;
}
