// Row shapes of the state store. Times are Unix milliseconds. These mirror the alerting
// module's records structurally, so the store does not depend on alerting/.

export interface SilenceMatcherRow { name: string; value: string; isRegex: boolean; isEqual: boolean }

export interface SilenceRow {
  id: string;
  matchers: SilenceMatcherRow[];
  startsAt: number;
  endsAt: number;
  updatedAt: number;
  createdBy: string;
  comment: string;
}

export interface NflogReceiverRow { groupName: string; integration: string; idx: number }

export interface NflogRow {
  groupKey: string;
  receiver: NflogReceiverRow;
  firingAlerts: string[];
  resolvedAlerts: string[];
  timestamp: number;
  expiresAt: number;
}

export interface HistoryRow {
  /** Assigned by the store on insert. */
  id?: number;
  fingerprint: string;
  alertname: string;
  severity: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number;
  /** Latest known end (a future time while firing). */
  endsAt: number;
  /** Successful deliveries per receiver. */
  notifications: Record<string, number>;
}
