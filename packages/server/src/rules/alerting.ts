// An alerting rule and its alerts' state machine, following Prometheus: a new result element
// creates a pending alert; it fires once active for `for`; when it disappears a firing alert is
// resolved (kept 15m so the resolution is sent), a pending one is dropped; keep_firing_for keeps
// a firing alert firing for that long after its condition cleared.
import { METRIC_NAME, labelsKey, labelsToObject, sortLabels, withLabel, type Label, type Labels } from '../model/labels.js';
import { alertTemplateData, expandAlertTemplate, type TemplateQueryFunc } from './template.js';
import type { AlertState, QueryFunc, RuleHealth, VectorSample } from './types.js';
import type { Logger } from '../util/log.js';

/** Resolved alerts are kept this long so Alertmanager hears about the resolution. */
export const RESOLVED_RETENTION_MS = 15 * 60e3;

export interface Alert {
  state: AlertState;
  labels: Labels;
  annotations: Labels;
  value: number;
  activeAt: number;
  firedAt: number; // 0 = never
  resolvedAt: number; // 0 = not resolved
  lastSentAt: number; // -Infinity = never sent
  validUntil: number;
  keepFiringSince: number; // 0 = not keeping
}

export interface AlertEvalContext {
  externalLabels: Record<string, string>;
  externalURL: string;
  logger?: Logger;
}

export class AlertingRule {
  readonly kind = 'alerting';
  health: RuleHealth = 'unknown';
  lastError = '';
  lastEvaluation = 0;
  evaluationTimeMs = 0;
  /** Active alerts by label-set key. */
  active = new Map<string, Alert>();
  /** False until for-state restoration ran (no ALERTS series are written before). */
  restored: boolean;

  constructor(
    readonly name: string,
    readonly expr: string,
    readonly holdMs: number,
    readonly keepFiringForMs: number,
    readonly labels: Record<string, string>,
    readonly annotations: Record<string, string>,
    restored = true,
  ) {
    this.restored = restored;
  }

  identity(): string {
    return 'alert\x00' + this.name + '\x00' + JSON.stringify(Object.entries(this.labels).sort());
  }

  /** The rule's static labels as a label set. */
  private staticLabels(): Labels {
    const ls: Label[] = [];
    for (const [k, v] of Object.entries(this.labels)) if (v !== '') ls.push({ name: k, value: v });
    return sortLabels(ls);
  }

  private seriesSample(a: Alert, metric: string, tsMs: number, v: number, withState: boolean): VectorSample {
    let ls = this.staticLabels();
    for (const l of a.labels) ls = withLabel(ls, l.name, l.value);
    ls = withLabel(ls, METRIC_NAME, metric);
    if (withState) ls = withLabel(ls, 'alertstate', a.state);
    return { labels: ls, t: tsMs, v };
  }

  /** ALERTS_FOR_STATE series labels for an alert (used when restoring). */
  forStateLabels(a: Alert): Labels {
    return this.seriesSample(a, 'ALERTS_FOR_STATE', 0, 0, false).labels;
  }

  async eval(tsMs: number, queryTsMs: number, query: QueryFunc, limit: number, ctx: AlertEvalContext): Promise<VectorSample[]> {
    const res = await query(this.expr, queryTsMs);
    const tq: TemplateQueryFunc = (e, t) => query(e, t);
    const fresh = new Map<string, Alert>();
    for (const smpl of res) {
      const l = labelsToObject(smpl.labels);
      const data = alertTemplateData(l, ctx.externalLabels, ctx.externalURL, smpl.v);
      const expand = async (text: string): Promise<string> => {
        try {
          return await expandAlertTemplate(text, this.name, data, { tsMs, query: tq, externalURL: ctx.externalURL });
        } catch (e) {
          ctx.logger?.warn('Expanding alert template failed', { alert: this.name, err: (e as Error).message });
          return `<error expanding template: ${(e as Error).message}>`;
        }
      };
      let ls: Labels = smpl.labels.filter((x) => x.name !== METRIC_NAME);
      for (const [k, v] of Object.entries(this.labels)) ls = withLabel(ls, k, await expand(v));
      ls = withLabel(ls, 'alertname', this.name);
      const ann: Label[] = [];
      for (const [k, v] of Object.entries(this.annotations)) {
        ann.push({ name: k, value: await expand(v) });
      }
      const key = labelsKey(ls);
      if (fresh.has(key)) throw new Error('vector contains metrics with the same labelset after applying alert labels');
      fresh.set(key, {
        state: 'pending', labels: ls, annotations: sortLabels(ann), value: smpl.v, activeAt: tsMs,
        firedAt: 0, resolvedAt: 0, lastSentAt: -Infinity, validUntil: 0, keepFiringSince: 0,
      });
    }
    for (const [k, a] of fresh) {
      const old = this.active.get(k);
      if (old && old.state !== 'inactive') {
        old.value = a.value;
        old.annotations = a.annotations;
        continue;
      }
      this.active.set(k, a);
    }
    const vec: VectorSample[] = [];
    let numActivePending = 0;
    for (const [k, a] of this.active) {
      if (!fresh.has(k)) {
        let keepFiring = false;
        if (a.state === 'firing' && this.keepFiringForMs > 0) {
          if (a.keepFiringSince === 0) a.keepFiringSince = tsMs;
          if (tsMs - a.keepFiringSince < this.keepFiringForMs) keepFiring = true;
        }
        if (a.state === 'pending' || (a.resolvedAt !== 0 && tsMs - a.resolvedAt > RESOLVED_RETENTION_MS)) this.active.delete(k);
        if (a.state !== 'inactive' && !keepFiring) {
          a.state = 'inactive';
          a.resolvedAt = tsMs;
        }
        if (!keepFiring) continue;
      } else {
        a.keepFiringSince = 0;
      }
      numActivePending++;
      if (a.state === 'pending' && tsMs - a.activeAt >= this.holdMs) {
        a.state = 'firing';
        a.firedAt = tsMs;
      }
      if (this.restored) {
        // With a query offset the series are written at the (offset) query time, as Prometheus does.
        vec.push(this.seriesSample(a, 'ALERTS', queryTsMs, 1, true));
        vec.push(this.seriesSample(a, 'ALERTS_FOR_STATE', queryTsMs, Math.floor(a.activeAt / 1000), false));
      }
    }
    if (limit > 0 && numActivePending > limit) {
      this.active = new Map();
      throw new Error(`exceeded limit of ${limit} with ${numActivePending} alerts`);
    }
    return vec;
  }

  /** Alerts to (re)send now, marking them sent (Prometheus's needsSending/sendAlerts). */
  alertsToSend(tsMs: number, resendDelayMs: number, intervalMs: number): Alert[] {
    const out: Alert[] = [];
    for (const a of this.active.values()) {
      if (a.state === 'pending') continue;
      const needs = a.resolvedAt > a.lastSentAt || a.lastSentAt + resendDelayMs < tsMs;
      if (!needs) continue;
      a.lastSentAt = tsMs;
      a.validUntil = tsMs + 4 * Math.max(resendDelayMs, intervalMs);
      out.push({ ...a });
    }
    return out;
  }

  /** Current alerts that are pending or firing (for the API and unit tests). */
  activeAlerts(): Alert[] {
    return [...this.active.values()].filter((a) => a.state !== 'inactive');
  }

  /** The most severe state among this rule's alerts. */
  state(): AlertState {
    let s: AlertState = 'inactive';
    for (const a of this.active.values()) {
      if (a.state === 'firing') return 'firing';
      if (a.state === 'pending') s = 'pending';
    }
    return s;
  }
}
