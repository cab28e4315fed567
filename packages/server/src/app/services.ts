// Builds and connects Vigil's subsystems: storage at the bottom, producers (scrape, push, rules,
// insight) writing through one Appendable, consumers (PromQL, APIs) reading through the TSDB's
// Queryable. `applyConfig` validates a whole vigil.yml before changing anything.
import { dirname, join, resolve } from 'node:path';
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { Router, sendText, type Req } from '../web/router.js';
import type { ServerResponse } from 'node:http';
import type { Logger } from '../util/log.js';
import type { Appendable } from '../storage/interface.js';
import type { VigilConfig } from '../config/config.js';
import { CfgNode } from '../config/node.js';
import { DEFAULT_MAX_EXEMPLARS, openTSDB, parseExemplarsConfig, registerTSDBRoutes, type TSDB } from '../tsdb/index.js';
import { Engine, parseMetricSelector } from '../promql/index.js';
import { registerQueryRoutes } from '../web/api/query.js';
import { registerMiscRoutes } from '../web/api/misc.js';
import { ScrapeManager, parseGlobalConfig, parseScrapeConfigs, registerTargetRoutes, type GlobalConfig, type InternalScrapeConfig } from '../scrape/index.js';
import { HostAgent, hostAgentScrapeConfig, registerHostAgentRoutes } from '../hostagent/index.js';
import { registerIngestRoutes, otlp } from '../ingest/index.js';
import { RemoteWriteManager, fanoutAppendable, parseRemoteWriteConfigs, registerRemoteReadRoute, type RemoteWriteConfig } from '../storage/remote/index.js';
import { RuleManager, engineQueryFunc, glob, registerRuleRoutes } from '../rules/index.js';
import { Alertmanager, loadAlertmanagerConfig, parseAlertmanagerConfig, type AlertmanagerConfig } from '../alerting/index.js';
import { registerAlertmanagerRoutes } from '../alerting/api/index.js';
import { Notifier, parseAlertingSection, type AlertingSection } from '../notifier/index.js';
import { InsightManager, parseAnomalyConfig, registerInsightRoutes, type AnomalyConfig } from '../insight/index.js';
import { createSelfMetrics, registerSelfMetricsRoute, INGEST_STATS, REMOTE_WRITE_STATS, TSDB_STATS, type SelfMetrics } from '../selfmetrics/index.js';
import { labelsToObject } from '../model/labels.js';

export interface ServiceOptions {
  dataDir: string;
  retentionMs: number;
  retentionBytes: number;
  walSync: string;
  /** --storage.tsdb.max-exemplars (default 100000). */
  maxExemplars?: number;
  lookbackDeltaMs: number;
  queryTimeoutMs: number;
  maxSamples: number;
  enableAdmin: boolean;
  externalUrl: string;
  resendDelayMs: number;
  /** --alertmanager.config.file */
  alertmanagerConfigFile?: string;
  alertmanagerStoragePath?: string;
  logger: Logger;
}

/** Everything derived from one vigil.yml, parsed and validated before anything is applied. */
export interface ParsedConfig {
  global: GlobalConfig;
  scrapeConfigs: ReturnType<typeof parseScrapeConfigs>;
  remoteWrite: RemoteWriteConfig[];
  alerting: AlertingSection;
  ruleFiles: string[];
  anomaly: AnomalyConfig;
  embeddedAM?: AlertmanagerConfig;
  otlp: ReturnType<typeof otlp.parseOtlpConfig>;
  /** storage.exemplars.max_exemplars (overrides --storage.tsdb.max-exemplars when set). */
  maxExemplars?: number;
}

export function parseFullConfig(cfg: VigilConfig, amFlagFile?: string): ParsedConfig {
  const root = cfg.root;
  const global = parseGlobalConfig(root.get('global'));
  const base = cfg.file.startsWith('<') ? process.cwd() : dirname(cfg.file);
  const scrapeConfigs = parseScrapeConfigs(root.get('scrape_configs'), global);
  // scrape_config_files (Prometheus 2.43+): files holding a `scrape_configs:` list; job names
  // must be unique across all of them.
  const jobs = new Set(scrapeConfigs.map((c) => c.jobName));
  for (const pat of root.get('scrape_config_files').strList()) {
    for (const f of glob(pat, base)) {
      const fileRoot = CfgNode.parse(readFileSync(f, 'utf8'), f);
      fileRoot.allowOnly(['scrape_configs']);
      const items = fileRoot.get('scrape_configs').items();
      const more = parseScrapeConfigs(fileRoot.get('scrape_configs'), global);
      more.forEach((c, i) => {
        if (jobs.has(c.jobName)) throw items[i]!.get('job_name').error(`found multiple scrape configs with job name ${JSON.stringify(c.jobName)}`);
        jobs.add(c.jobName);
      });
      scrapeConfigs.push(...more);
    }
  }
  const remoteWrite = parseRemoteWriteConfigs(root.get('remote_write'));
  const alerting = parseAlertingSection(root.get('alerting'));
  const ruleFiles: string[] = [];
  for (const pat of cfg.ruleFiles) ruleFiles.push(...glob(pat, base));
  const anomaly = parseAnomalyConfig(root.get('anomaly'));
  let embeddedAM: AlertmanagerConfig | undefined;
  const amFile = amFlagFile || (alerting.embeddedConfigFile && resolve(base, alerting.embeddedConfigFile));
  if (amFile) embeddedAM = loadAlertmanagerConfig(readFileSync(amFile, 'utf8'), amFile);
  else if (alerting.embeddedConfig) embeddedAM = parseAlertmanagerConfig(alerting.embeddedConfig);
  const maxExemplars = parseExemplarsConfig(root.get('storage'));
  return { global, scrapeConfigs, remoteWrite, alerting, ruleFiles, anomaly, embeddedAM, otlp: otlp.parseOtlpConfig(root.get('otlp')), maxExemplars };
}

export class Services {
  tsdb!: TSDB;
  appendable!: Appendable;
  engine!: Engine;
  scrape!: ScrapeManager;
  hostAgent = new HostAgent();
  remoteWrite!: RemoteWriteManager;
  rules!: RuleManager;
  notifier!: Notifier;
  alertmanager?: Alertmanager;
  private amRouter?: Router;
  private otlpOptions: ReturnType<typeof otlp.parseOtlpConfig> = otlp.parseOtlpConfig(CfgNode.parse('', '<none>'));
  insight!: InsightManager;
  self!: SelfMetrics;
  private selfAddress = '';
  private configured = false;

  constructor(private readonly o: ServiceOptions) {}

  async open(router: Router): Promise<void> {
    const log = this.o.logger;
    this.tsdb = await openTSDB({
      dir: this.o.dataDir,
      retentionMs: this.o.retentionMs,
      retentionBytes: this.o.retentionBytes || undefined,
      walSync: this.o.walSync as never,
      maxExemplars: this.o.maxExemplars,
      logger: log.child({ component: 'tsdb' }),
    });
    // With a data directory the queues read the TSDB's WAL (durable); the fanout then only passes metadata.
    this.remoteWrite = new RemoteWriteManager(log.child({ component: 'remote' }), { dataDir: this.o.dataDir, wal: this.tsdb });
    this.appendable = fanoutAppendable(this.tsdb, this.remoteWrite);
    this.engine = new Engine({ lookbackDeltaMs: this.o.lookbackDeltaMs, timeoutMs: this.o.queryTimeoutMs, maxSamples: this.o.maxSamples });
    this.scrape = new ScrapeManager({ appendable: this.appendable, logger: log.child({ component: 'scrape' }) });
    this.notifier = new Notifier({ logger: log.child({ component: 'notifier' }) });
    const query = engineQueryFunc(this.engine, this.tsdb);
    this.rules = new RuleManager({
      query,
      appendable: this.appendable,
      queryable: this.tsdb,
      onAlerts: (alerts) => this.notifier.send(alerts),
      externalURL: this.o.externalUrl,
      resendDelayMs: this.o.resendDelayMs,
      logger: log.child({ component: 'rules' }),
    });
    this.insight = new InsightManager(parseAnomalyConfig(CfgNode.parse('', '<none>')), {
      query,
      appendable: this.appendable,
      dataDir: this.o.dataDir,
      logger: log.child({ component: 'insight' }),
    });
    this.self = createSelfMetrics();
    this.self.addStats(TSDB_STATS, () => this.tsdb.stats());
    this.self.addStats(REMOTE_WRITE_STATS, () => this.remoteWrite.stats());
    // addStats discovers fields from the (still empty) queue list at this point: also expose the queue's own text.
    this.self.addExposition(() => this.remoteWrite.exposition());

    // API queries are timed for /metrics (vigil_query_duration_seconds{type}); rules use the engine directly.
    const engine = this.engine;
    const timed = Object.assign(Object.create(engine) as Engine, {
      instantQuery: (...a: Parameters<Engine['instantQuery']>) => this.self.timeQuery('instant', () => engine.instantQuery(...a)),
      rangeQuery: (...a: Parameters<Engine['rangeQuery']>) => this.self.timeQuery('range', () => engine.rangeQuery(...a)),
    });
    registerQueryRoutes(router, { engine: timed, queryable: this.tsdb, lookbackDeltaMs: this.o.lookbackDeltaMs });
    registerTSDBRoutes(router, { tsdb: this.tsdb, parseMatchers: parseMetricSelector, enableAdmin: this.o.enableAdmin });
    registerTargetRoutes(router, { scrapeManager: this.scrape });
    registerMiscRoutes(router, { alertmanagerUrls: () => this.notifier.targetUrls(), exemplars: (start, end, sets) => this.tsdb.queryExemplars(start, end, sets) });
    registerRuleRoutes(router, { ruleManager: this.rules });
    registerHostAgentRoutes(router, { hostAgent: this.hostAgent });
    registerInsightRoutes(router, { insight: this.insight });
    const ingest = registerIngestRoutes(router, { appendable: this.appendable, logger: log.child({ component: 'ingest' }), otlp: () => this.otlpOptions });
    registerRemoteReadRoute(router, { queryable: this.tsdb });
    this.self.addStats(INGEST_STATS, () => ingest.stats());
    registerSelfMetricsRoute(router, this.self);
    this.registerOwnMetrics();
    // Alertmanager API v2 on the same address, answered once an embedded Alertmanager runs.
    const toAlertmanager = (req: Req, res: ServerResponse) => {
      const found = this.amRouter?.match(req.method, req.path);
      if (!found) return sendText(res, 404, 'no embedded Alertmanager is configured (--alertmanager.config.file or alerting.alertmanager_config_file)\n');
      if ('allowed' in found) return sendText(res, 405, `method ${req.method} not allowed\n`);
      Object.assign(req.params, found.params);
      return found.handler(req, res);
    };
    router.add(['GET', 'HEAD', 'POST', 'PUT', 'DELETE'], '/api/v2/*', toAlertmanager);
    router.get('/api/v1/vigil/alerts/history', toAlertmanager);
  }

  /** Scrape, rule and notification figures for Vigil's own /metrics (TSDB/ingest/remote are above). */
  private registerOwnMetrics(): void {
    this.self.addExposition(() => this.scrape.metricsText());
    this.self.addExposition(() => this.alertmanager?.metricsText() ?? '');
    this.self.addStats(
      {
        subsystem: 'rule_group',
        labels: ['file', 'group'],
        millis: ['lastEvaluationDuration', 'lastEvaluationTimestamp'],
        help: { lastEvaluationDuration: 'Duration of the last rule group evaluation.', rules: 'Rules in the group.', intervalSeconds: 'Evaluation interval.' },
      },
      () => this.rules.groups().map((g) => ({ file: g.file, group: g.name, rules: g.rules.length, intervalSeconds: g.intervalMs / 1000, lastEvaluationDuration: g.evaluationTimeMs, lastEvaluationTimestamp: g.lastEvaluation })),
    );
    this.self.addStats(
      {
        subsystem: 'notifications',
        counters: ['sent', 'errors', 'dropped'],
        help: { sent: 'Alerts sent to Alertmanagers.', errors: 'Failed alert sends.', dropped: 'Alerts dropped because the queue was full.', queueLength: 'Alerts waiting to be sent.' },
      },
      () => ({ ...this.notifier.stats, queueLength: this.notifier.queueLength, alertmanagers: this.notifier.targetUrls().length }),
    );
  }

  /** Called once the HTTP server listens, so the self-scrape job knows its own address. */
  setSelfAddress(addr: string): void {
    this.selfAddress = addr;
  }

  async applyConfig(cfg: VigilConfig): Promise<void> {
    const p = parseFullConfig(cfg, this.o.alertmanagerConfigFile);
    const ext = labelsToObject(p.global.externalLabels);
    const scrapeConfigs: InternalScrapeConfig[] = [...p.scrapeConfigs];
    if (cfg.hostagent.enabled) {
      scrapeConfigs.push(hostAgentScrapeConfig(this.hostAgent, p.global, { jobName: 'node', instance: hostname(), intervalMs: cfg.hostagent.intervalMs }));
    }
    if (cfg.selfMonitoring) {
      const self = hostAgentScrapeConfig(this.hostAgent, p.global, { jobName: 'vigil', instance: this.selfAddress || 'localhost' });
      scrapeConfigs.push({
        ...self,
        metricsPath: '/metrics',
        internalSource: async () => ({ body: Buffer.from(await this.self.render()), contentType: this.self.registry.contentType }),
      });
    }
    // Embedded Alertmanager: start, reconfigure, or stop.
    if (p.embeddedAM) {
      if (this.alertmanager) this.alertmanager.applyConfig(p.embeddedAM);
      else {
        this.alertmanager = new Alertmanager({
          config: p.embeddedAM,
          storagePath: this.o.alertmanagerStoragePath || join(this.o.dataDir, 'alertmanager'),
          logger: this.o.logger.child({ component: 'alertmanager' }),
          externalUrl: this.o.externalUrl,
        });
        this.amRouter = new Router();
        registerAlertmanagerRoutes(this.amRouter, { am: this.alertmanager });
      }
    } else if (this.alertmanager) {
      this.alertmanager.stop();
      this.alertmanager = undefined;
      this.amRouter = undefined;
    }
    const am = this.alertmanager;
    this.notifier.setTargets(p.alerting.targets, ext);
    this.notifier.setLocal(am ? (alerts) => void am.putAlerts(alerts) : undefined);
    this.rules.opts.externalLabels = ext;
    this.rules.opts.evaluationIntervalMs = p.global.evaluationIntervalMs;
    this.otlpOptions = p.otlp;
    this.tsdb.setMaxExemplars(p.maxExemplars ?? this.o.maxExemplars ?? DEFAULT_MAX_EXEMPLARS);
    this.scrape.applyConfig({ scrapeConfigs, global: p.global });
    // Vigil's own jobs (host agent, self) are in-process and cheap: scrape them at once on the
    // first start so a fresh Vigil shows data immediately; exporters keep their spread offsets.
    if (!this.configured) void this.scrape.scrapePoolsNow(scrapeConfigs.filter((c) => c.internalSource).map((c) => c.jobName)).catch(() => {});
    this.configured = true;
    await this.remoteWrite.applyConfig(p.remoteWrite, p.global.externalLabels);
    await this.rules.update(p.ruleFiles);
    this.rules.start();
    this.insight.reload(p.anomaly);
    this.insight.start();
  }

  async close(): Promise<void> {
    await this.scrape?.stop(false);
    await this.rules?.stop();
    await this.insight?.stop();
    await this.notifier?.drain();
    this.alertmanager?.stop();
    await this.remoteWrite?.stop();
    this.self?.stop();
    await this.tsdb?.close();
  }
}

