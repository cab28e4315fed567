// Shared types of the rule engine.
import type { Labels } from '../model/labels.js';
import type { FloatHistogram } from '../model/histogram.js';

/** One instant-vector sample returned by a rule query. */
export interface VectorSample {
  labels: Labels;
  t: number;
  v: number;
  /** A native histogram result (then `v` is unused). */
  h?: FloatHistogram;
}

/**
 * Evaluates a PromQL expression at an instant (ms). Scalars come back as one sample with no
 * labels; other result types are errors ("rule result is not a vector or scalar").
 */
export type QueryFunc = (expr: string, tsMs: number) => Promise<VectorSample[]>;

export type AlertState = 'inactive' | 'pending' | 'firing';
export type RuleHealth = 'unknown' | 'ok' | 'err';

/** An alert as sent to Alertmanager (API v2 postable alert). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

/** Receives alerts that need (re)sending after each evaluation of an alerting rule. */
export type OnAlerts = (alerts: PostableAlert[], expr: string) => void;
