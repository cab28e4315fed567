// The embeddable Alertmanager: alert store, dispatcher, inhibitor, silences, notification log
// and the notification pipeline, built from an Alertmanager configuration.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { nopLogger, type Logger } from '../util/log.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import type { AlertmanagerConfig } from './config/index.js';
import { Dispatcher, Route, type AggrGroup } from './dispatch/index.js';
import { Inhibitor } from './inhibit/index.js';
import { NotificationLog } from './nflog/index.js';
import type { NotifyContext } from './notify/context.js';
import { IntegrationMetrics } from './notify/metrics.js';
import {
  dedupStage, fanoutStage, multiStage, muteStage, retryStage, setNotifiesStage, timeActiveStage, timeMuteStage,
  type Integration, type RetryOptions, type Stage,
} from './notify/pipeline.js';
import { buildIntegrations } from './notify/registry.js';
import type { NotificationTemplater } from './notify/templates.js';
import { loadTemplateFiles } from './notify/templating.js';
import { Silences } from './silence/index.js';
import { AlertHistory } from './history/index.js';
import { AlertStore, Marker } from './store/index.js';
import { openStateStore, type StateStore } from '../state/index.js';
import { importJsonSnapshots } from './persist.js';
import { fingerprint } from './fingerprint.js';
import { isValidLabelName, type Alert, type LabelSet, type PostableAlert } from './types.js';

export interface AlertmanagerOptions {
  config: AlertmanagerConfig;
  /** Where silences and the notification log are snapshotted (none: memory only). */
  storagePath?: string;
  logger?: Logger;
  externalUrl?: string;
  /** How long silences and nflog entries are kept after they end (data.retention, default 120h). */
  retentionMs?: number;
  clock?: Clock;
  /** Notification template engine (defaults to Vigil's Go-template engine when available). */
  templater?: NotificationTemplater;
  /** Retry/backoff knobs (tests shorten them). */
  retry?: Partial<RetryOptions>;
  /** Resolved alerts are dropped from the store this often (Alertmanager's --alerts.gc-interval). */
  alertsGcIntervalMs?: number;
  maintenanceIntervalMs?: number;
  /** Replaces integration construction (tests inject recording integrations). */
  integrations?: typeof buildIntegrations;
}

export interface PutResult {
  accepted: number;
  /** One message per rejected alert (Alertmanager's validation wording). */
  errors: string[];
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = (): void => { clearTimeout(t); reject(new Error('aborted')); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

// Batches from one Prometheus share timestamps: remember the last few parses.
const timeCache = new Map<string, number>();
function parseTime(s: string | undefined, field: string): number {
  if (s === undefined || s === '') return 0;
  let t = timeCache.get(s);
  if (t !== undefined) return t;
  t = s.startsWith('0001-01-01T00:00:00') ? 0 : Date.parse(s);
  if (Number.isNaN(t)) throw new Error(`${field}: not a valid RFC 3339 date-time: ${JSON.stringify(s)}`);
  if (timeCache.size >= 64) timeCache.clear();
  timeCache.set(s, t);
  return t;
}

function sortedCopy(o: LabelSet): LabelSet {
  const keys = Object.keys(o);
  let sorted = true;
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) { sorted = false; break; }
  if (sorted) return o;
  keys.sort();
  const out: LabelSet = {};
  for (const k of keys) out[k] = o[k]!;
  return out;
}

const validNames = new Set<string>();
function validName(k: string): boolean {
  if (validNames.has(k)) return true;
  if (!isValidLabelName(k)) return false;
  if (validNames.size < 10_000) validNames.add(k);
  return true;
}

export class Alertmanager {
  readonly store: AlertStore;
  readonly marker = new Marker();
  readonly silences: Silences;
  readonly nflog: NotificationLog;
  readonly history: AlertHistory;
  readonly metrics = new IntegrationMetrics();
  readonly startedAt: number;
  readonly clock: Clock;
  readonly log: Logger;
  readonly externalUrl: string;
  config!: AlertmanagerConfig;
  route!: Route;
  private inhibitor!: Inhibitor;
  private dispatcher: Dispatcher | null = null;
  private pipelines = new Map<string, Stage>();
  /** Pending timers by purpose (each purpose has at most one). */
  private timers = new Map<string, TimerHandle>();
  private templater!: NotificationTemplater;
  private readonly retry: RetryOptions;
  private unsubInhibit: (() => void) | null = null;
  private stopped = false;
  private received = { firing: 0, resolved: 0, invalid: 0 };
  private persistPending = false;
  /** The embedded state store (with a storage path). */
  private state: StateStore | undefined;

  constructor(private readonly opts: AlertmanagerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? nopLogger;
    this.externalUrl = opts.externalUrl ?? '';
    this.startedAt = this.clock.now();
    const now = (): number => this.clock.now();
    const retention = opts.retentionMs ?? 120 * 3600_000;
    if (opts.storagePath) {
      mkdirSync(opts.storagePath, { recursive: true });
      // One database per storage path; a locked or too-new database fails startup clearly.
      this.state = openStateStore({ file: join(opts.storagePath, 'state.db'), logger: this.log });
      const loadError = (msg: string): void => this.log.error('importing alerting state failed', { err: msg });
      const imported = importJsonSnapshots(this.state, opts.storagePath, loadError);
      if (imported && imported.silences + imported.nflog + imported.history > 0) this.log.info('imported JSON alerting state into the state store', { file: this.state.file, ...imported });
    }
    // A created or expired silence is committed to the store before the API acknowledges it.
    this.silences = new Silences(now, retention, this.state?.silences);
    this.nflog = new NotificationLog(now, retention, this.state?.nflog, (e) => this.log.error('writing notification log failed', { err: e }));
    this.history = new AlertHistory(now, retention, this.state?.history);
    this.silences.load();
    this.nflog.load();
    this.history.load();
    this.store = new AlertStore(now);
    this.store.subscribe((a) => this.history.observe(a));
    this.retry = {
      initialMs: 500,
      maxIntervalMs: 60_000,
      multiplier: 1.5,
      timeoutMs: (ctx: NotifyContext) => Math.max(10_000, ctx.groupIntervalMs),
      sleep,
      ...opts.retry,
    };
    try {
      this.applyConfig(opts.config);
    } catch (e) {
      // Release the database (and its lock) when the instance never starts.
      this.state?.close();
      throw e;
    }
    this.every('gc', opts.alertsGcIntervalMs ?? 30 * 60_000, () => {
      for (const fp of this.store.gc()) this.marker.delete(fp);
      this.inhibitor.gc();
    });
    this.every('maintenance', opts.maintenanceIntervalMs ?? 15 * 60_000, () => this.snapshot());
  }

  private every(name: string, ms: number, fn: () => void): void {
    const run = (): void => {
      if (this.stopped) return;
      try {
        fn();
      } catch (e) {
        this.log.error('maintenance failed', { err: e as Error });
      }
      this.timers.set(name, this.clock.setTimer(ms, run));
    };
    this.timers.set(name, this.clock.setTimer(ms, run));
  }

  /** Applies a (new) configuration: rebuilds routes, inhibition and receivers; keeps alerts,
   * silences and the notification log, as Alertmanager's reload does. */
  applyConfig(cfg: AlertmanagerConfig): void {
    // Template files are part of the configuration: a broken one rejects the whole (re)load,
    // as in Alertmanager, before anything changes.
    const templater = this.opts.templater ?? loadTemplateFiles(cfg);
    this.templater = templater;
    const receivers = new Map<string, Integration[]>();
    for (const r of cfg.receivers) {
      receivers.set(r.name, (this.opts.integrations ?? buildIntegrations)(r, { externalUrl: this.externalUrl, templater: this.templater, baseDir: cfg.baseDir, logger: this.log }));
      if (r.unsupported.length) this.log.warn('receiver uses integrations Vigil does not deliver to', { receiver: r.name, kinds: r.unsupported.join(',') });
    }
    this.dispatcher?.stop();
    this.unsubInhibit?.();
    this.config = cfg;
    this.route = new Route(cfg.route, null);
    this.inhibitor = new Inhibitor(cfg.inhibitRules, () => this.clock.now());
    this.unsubInhibit = this.store.subscribe((a) => this.inhibitor.observe(a));
    this.pipelines.clear();
    const now = (): number => this.clock.now();
    const common: Stage[] = [
      muteStage((a) => this.inhibited(a)),
      timeActiveStage(cfg.timeIntervals),
      timeMuteStage(cfg.timeIntervals),
      muteStage((a) => this.silenced(a)),
    ];
    for (const [name, integs] of receivers) {
      const fan = fanoutStage(
        integs.map((ig) => {
          const recv = { groupName: name, integration: ig.name, idx: ig.index };
          return multiStage([
            dedupStage(ig, this.nflog, recv, now),
            retryStage(ig, name, this.metrics, this.log, this.retry),
            setNotifiesStage(this.nflog, recv),
            async (ctx, alerts) => {
              // Record deliveries in the alert history (resolved ones only when they were sent).
              for (const a of alerts) if (ig.sendResolved || ctx.firing?.includes(a.fingerprint)) this.history.noteNotification(a.fingerprint, name);
              return alerts;
            },
          ]);
        }),
      );
      this.pipelines.set(name, multiStage([...common, fan]));
    }
    this.dispatcher = new Dispatcher(this.route, this.store, this.clock, (g, alerts, t) => this.flush(g, alerts, t), this.log);
    this.dispatcher.start();
  }

  private inhibited(a: Alert): boolean {
    const by = this.inhibitor.inhibitedBy(a.labels, a.fingerprint);
    this.marker.setInhibited(a.fingerprint, by);
    return by.length > 0;
  }

  private silenced(a: Alert): boolean {
    const by = this.silences.mutedBy(a.labels);
    this.marker.setSilenced(a.fingerprint, by);
    return by.length > 0;
  }

  /** Refreshes and returns an alert's suppression status (as the API does before listing). */
  alertStatus(a: Alert): ReturnType<Marker['status']> {
    this.inhibited(a);
    this.silenced(a);
    return this.marker.status(a.fingerprint);
  }

  private async flush(g: AggrGroup, alerts: Alert[], now: number): Promise<boolean> {
    const pipeline = this.pipelines.get(g.route.opts.receiver);
    if (!pipeline) {
      this.log.error('stage for receiver missing', { receiver: g.route.opts.receiver });
      return false;
    }
    const ctx: NotifyContext = {
      now,
      groupKey: g.groupKey,
      groupLabels: g.labels,
      receiver: g.route.opts.receiver,
      repeatIntervalMs: g.route.opts.repeatIntervalMs,
      groupIntervalMs: g.route.opts.groupIntervalMs,
      muteTimeIntervals: g.route.opts.muteTimeIntervals,
      activeTimeIntervals: g.route.opts.activeTimeIntervals,
      signal: g.abort.signal,
    };
    try {
      await pipeline(ctx, alerts);
      this.persistSoon();
      return true;
    } catch (e) {
      if (!g.abort.signal.aborted) this.log.error('Notify for alerts failed', { num_alerts: alerts.length, err: (e as Error).message });
      return false;
    }
  }

  /** Writes the notification log and history shortly after notifications (batched). */
  private persistSoon(): void {
    if (this.persistPending || !this.opts.storagePath || this.stopped) return;
    this.persistPending = true;
    this.timers.set(
      'persist',
      this.clock.setTimer(2000, () => {
        this.persistPending = false;
        if (this.stopped) return;
        try {
          this.history.flush();
        } catch (e) {
          this.log.error('writing alerting state failed', { err: e as Error });
        }
      }),
    );
  }

  /** Validates and stores alerts as POST /api/v2/alerts does; valid ones are kept even when
   * others in the batch are rejected. */
  putAlerts(postables: readonly PostableAlert[]): PutResult {
    const now = this.clock.now();
    const resolveTimeout = this.config.global.resolveTimeoutMs;
    const valid: Alert[] = [];
    const errors: string[] = [];
    for (const p of postables) {
      try {
        const a = this.toAlert(p, now, resolveTimeout);
        valid.push(a);
        if (a.endsAt > now) this.received.firing++;
        else this.received.resolved++;
      } catch (e) {
        errors.push((e as Error).message);
        this.received.invalid++;
      }
    }
    this.store.put(valid);
    return { accepted: valid.length, errors };
  }

  private toAlert(p: PostableAlert, now: number, resolveTimeout: number): Alert {
    if (p === null || typeof p !== 'object') throw new Error('alert must be an object');
    const labels: LabelSet = {};
    const rawLabels = p.labels ?? {};
    if (typeof rawLabels !== 'object') throw new Error('labels must be an object');
    let n = 0;
    for (const k in rawLabels) {
      const v = (rawLabels as Record<string, unknown>)[k];
      if (typeof v !== 'string') throw new Error(`invalid label set: invalid value for label "${k}"`);
      if (v === '') continue;
      if (!validName(k)) throw new Error(`invalid label set: invalid name "${k}"`);
      labels[k] = v;
      n++;
    }
    if (n === 0) throw new Error('at least one label pair required');
    // Keep label maps in sorted key order: every JSON output (API, webhook) then matches Go's
    // sorted map encoding without re-sorting.
    const annotations: LabelSet = {};
    const rawAnn = p.annotations ?? {};
    for (const k in rawAnn) {
      const v = (rawAnn as Record<string, unknown>)[k];
      if (!validName(k)) throw new Error(`invalid annotations: invalid name "${k}"`);
      if (typeof v !== 'string') throw new Error(`invalid annotations: invalid value for "${k}"`);
      annotations[k] = v;
    }
    let startsAt = parseTime(p.startsAt, 'startsAt');
    let endsAt = parseTime(p.endsAt, 'endsAt');
    let timeout = false;
    if (!startsAt) startsAt = endsAt || now;
    if (!endsAt) {
      timeout = true;
      endsAt = now + resolveTimeout;
    }
    if (endsAt < startsAt) throw new Error('start time must be before end time');
    return { labels: sortedCopy(labels), annotations: sortedCopy(annotations), startsAt, endsAt, generatorURL: typeof p.generatorURL === 'string' ? p.generatorURL : '', updatedAt: now, timeout, fingerprint: fingerprint(labels) };
  }

  /** Receivers of the routes an alert's labels match. */
  receiversFor(ls: LabelSet): string[] {
    return this.route.match(ls).map((r) => r.opts.receiver);
  }

  groups(): AggrGroup[] {
    return this.dispatcher?.allGroups() ?? [];
  }

  /** Prometheus text exposition of Alertmanager's main metrics (for /metrics). */
  metricsText(): string {
    const now = this.clock.now();
    const states = { active: 0, suppressed: 0, unprocessed: 0 };
    for (const a of this.store.list()) {
      if (a.endsAt !== 0 && a.endsAt <= now) continue;
      states[this.marker.status(a.fingerprint).state]++;
    }
    const sil = { active: 0, pending: 0, expired: 0 };
    for (const x of this.silences.list()) sil[now < x.startsAt ? 'pending' : now < x.endsAt ? 'active' : 'expired']++;
    let out = '# HELP alertmanager_alerts How many alerts by state.\n# TYPE alertmanager_alerts gauge\n';
    for (const [k, v] of Object.entries(states)) out += `alertmanager_alerts{state="${k}"} ${v}\n`;
    out += '# HELP alertmanager_alerts_received_total The total number of received alerts.\n# TYPE alertmanager_alerts_received_total counter\n';
    out += `alertmanager_alerts_received_total{status="firing"} ${this.received.firing}\nalertmanager_alerts_received_total{status="resolved"} ${this.received.resolved}\n`;
    out += `# HELP alertmanager_alerts_invalid_total The total number of received alerts that were invalid.\n# TYPE alertmanager_alerts_invalid_total counter\nalertmanager_alerts_invalid_total ${this.received.invalid}\n`;
    out += '# HELP alertmanager_silences How many silences by state.\n# TYPE alertmanager_silences gauge\n';
    for (const [k, v] of Object.entries(sil)) out += `alertmanager_silences{state="${k}"} ${v}\n`;
    out += `# HELP alertmanager_dispatcher_aggregation_groups Number of active aggregation groups\n# TYPE alertmanager_dispatcher_aggregation_groups gauge\nalertmanager_dispatcher_aggregation_groups ${this.groups().length}\n`;
    out += `# HELP alertmanager_nflog_entries Entries in the notification log.\n# TYPE alertmanager_nflog_entries gauge\nalertmanager_nflog_entries ${this.nflog.size}\n`;
    return out + this.metrics.expose();
  }

  /** Retention and pending writes: drops state past data.retention (memory and store) and
   * writes batched alert-history changes. Silences and nflog entries are written as they change. */
  snapshot(): void {
    if (this.state && !this.state.isOpen) return;
    try {
      this.silences.gc();
      this.nflog.gc();
      this.history.compact();
      this.history.flush();
    } catch (e) {
      this.log.error('writing alerting state failed', { err: e as Error });
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.dispatcher?.stop();
    this.unsubInhibit?.();
    this.snapshot();
    this.state?.close();
  }
}
