// The notification pipeline as small stages (Alertmanager's notify.go): mute by inhibition,
// time intervals and silences, then per integration: dedup against the notification log,
// send with retry and backoff, and record what was sent.
import type { Logger } from '../../util/log.js';
import { anyIntervalContains, type TimeInterval } from '../config/index.js';
import { isSubset, type NflogReceiver, type NotificationLog } from '../nflog/index.js';
import { isResolvedAt, type Alert } from '../types.js';
import { NotifyError, type NotifyContext } from './context.js';
import type { IntegrationMetrics } from './metrics.js';

export type Stage = (ctx: NotifyContext, alerts: Alert[]) => Promise<Alert[]>;

export interface Integration {
  /** Kind, e.g. "webhook" (nflog and metrics key). */
  readonly name: string;
  /** Position among the receiver's integrations of this kind. */
  readonly index: number;
  readonly sendResolved: boolean;
  notify(ctx: NotifyContext, alerts: Alert[]): Promise<void>;
}

export function multiStage(stages: Stage[]): Stage {
  return async (ctx, alerts) => {
    for (const s of stages) {
      if (alerts.length === 0) return alerts;
      alerts = await s(ctx, alerts);
    }
    return alerts;
  };
}

/** Runs stages concurrently; fails if any failed (after all finished). */
export function fanoutStage(stages: Stage[]): Stage {
  return async (ctx, alerts) => {
    const res = await Promise.allSettled(stages.map((s) => s(ctx, alerts)));
    const errs = res.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as Error).message);
    if (errs.length) throw new Error(errs.join('; '));
    return alerts;
  };
}

export function muteStage(mutes: (a: Alert) => boolean): Stage {
  return async (_ctx, alerts) => alerts.filter((a) => !mutes(a));
}

export function timeMuteStage(intervals: Map<string, TimeInterval[]>): Stage {
  return async (ctx, alerts) => {
    for (const name of ctx.muteTimeIntervals) if (anyIntervalContains(intervals.get(name) ?? [], ctx.now)) return [];
    return alerts;
  };
}

export function timeActiveStage(intervals: Map<string, TimeInterval[]>): Stage {
  return async (ctx, alerts) => {
    if (ctx.activeTimeIntervals.length === 0) return alerts;
    for (const name of ctx.activeTimeIntervals) if (anyIntervalContains(intervals.get(name) ?? [], ctx.now)) return alerts;
    return [];
  };
}

export function dedupStage(integ: Integration, nflog: NotificationLog, recv: NflogReceiver, now: () => number): Stage {
  return async (ctx, alerts) => {
    const firing: string[] = [];
    const resolved: string[] = [];
    for (const a of alerts) (isResolvedAt(a, ctx.now) ? resolved : firing).push(a.fingerprint);
    ctx.firing = firing;
    ctx.resolved = resolved;
    const entry = nflog.query(recv, ctx.groupKey);
    let needs: boolean;
    if (!entry) needs = firing.length > 0;
    else if (!isSubset(firing, new Set(entry.firingAlerts))) needs = true;
    else if (firing.length === 0) needs = entry.firingAlerts.length > 0;
    else if (integ.sendResolved && !isSubset(resolved, new Set(entry.resolvedAlerts))) needs = true;
    else needs = entry.timestamp < now() - ctx.repeatIntervalMs;
    return needs ? alerts : [];
  };
}

export interface RetryOptions {
  initialMs: number;
  maxIntervalMs: number;
  multiplier: number;
  /** The whole attempt is bounded by this (Alertmanager: the group interval, at least 10s). */
  timeoutMs: (ctx: NotifyContext) => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

export function retryStage(integ: Integration, receiver: string, metrics: IntegrationMetrics, log: Logger, opts: RetryOptions): Stage {
  return async (ctx, alerts) => {
    metrics.inc('notifications', integ.name);
    let sent = alerts;
    if (!integ.sendResolved) {
      if ((ctx.firing ?? []).length === 0) return alerts; // nothing to say; still logged by the next stage
      sent = alerts.filter((a) => !isResolvedAt(a, ctx.now));
    }
    const deadline = Date.now() + opts.timeoutMs(ctx);
    let wait = opts.initialMs;
    let lastErr = '';
    for (let attempt = 1; ; attempt++) {
      if (ctx.signal.aborted || (attempt > 1 && Date.now() >= deadline)) {
        metrics.inc('notifications_failed', integ.name);
        throw new Error(`${receiver}/${integ.name}[${integ.index}]: notify retry canceled after ${attempt - 1} attempts: ${lastErr || 'context canceled'}`);
      }
      const t0 = performance.now();
      try {
        await integ.notify(ctx, sent);
        metrics.observe(integ.name, (performance.now() - t0) / 1000);
        metrics.inc('requests', integ.name);
        if (attempt > 1) log.info('Notify success', { receiver, integration: `${integ.name}[${integ.index}]`, attempts: attempt });
        return alerts;
      } catch (e) {
        metrics.observe(integ.name, (performance.now() - t0) / 1000);
        metrics.inc('requests', integ.name);
        metrics.inc('requests_failed', integ.name);
        const msg = (e as Error).message;
        if (e instanceof NotifyError && !e.retry) {
          metrics.inc('notifications_failed', integ.name);
          throw new Error(`${receiver}/${integ.name}[${integ.index}]: notify retry canceled due to unrecoverable error after ${attempt} attempts: ${msg}`);
        }
        if (msg !== lastErr) log.warn('Notify attempt failed, will retry later', { receiver, integration: `${integ.name}[${integ.index}]`, attempts: attempt, err: msg });
        lastErr = msg;
      }
      const jitter = wait * (0.5 + Math.random());
      const remaining = deadline - Date.now();
      if (remaining <= 0) continue;
      await opts.sleep(Math.min(jitter, remaining), ctx.signal).catch(() => {});
      wait = Math.min(wait * opts.multiplier, opts.maxIntervalMs);
    }
  };
}

export function setNotifiesStage(nflog: NotificationLog, recv: NflogReceiver): Stage {
  return async (ctx, alerts) => {
    nflog.log(recv, ctx.groupKey, ctx.firing ?? [], ctx.resolved ?? [], 2 * ctx.repeatIntervalMs);
    return alerts;
  };
}
