// What a notification flush carries through the pipeline (Alertmanager keeps it in a context).
import type { LabelSet } from '../types.js';

export interface NotifyContext {
  /** The flush tick's time: the one time reference for the whole pipeline. */
  now: number;
  groupKey: string;
  groupLabels: LabelSet;
  receiver: string;
  repeatIntervalMs: number;
  /** The group's group_interval (bounds how long one flush may retry). */
  groupIntervalMs: number;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
  signal: AbortSignal;
  /** Set by the dedup stage. */
  firing?: string[];
  resolved?: string[];
}

/** A failed delivery; `retry` says whether trying again may help (5xx, network) or not (4xx). */
export class NotifyError extends Error {
  constructor(message: string, readonly retry: boolean) {
    super(message);
  }
}
