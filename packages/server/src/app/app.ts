// The assembled server: configuration, storage, HTTP, and the lifecycle (reload, shutdown).
// Modules are wired here and nowhere else, so each stays testable on its own.
import { Router, sendText } from '../web/router.js';
import { HttpServer } from '../web/server.js';
import { loadWebConfig } from '../web/webconfig.js';
import { createLogger, type Logger, type LogLevel } from '../util/log.js';
import { defaultConfigText, loadConfigFile, parseConfigText, type VigilConfig } from '../config/config.js';
import { registerStatusRoutes } from './status.js';
import { parseDuration } from '../config/duration.js';
import { parseBytes, ignoredFlagsSet } from './flags.js';
import { Services } from './services.js';

export interface AppOptions {
  flags: Record<string, string | boolean | string[]>;
  logger?: Logger;
}

/** A part of the server that follows the configuration. */
export interface Component {
  name: string;
  applyConfig?(cfg: VigilConfig): Promise<void> | void;
  stop?(): Promise<void> | void;
}

export class App {
  readonly log: Logger;
  readonly router = new Router();
  private http?: HttpServer;
  private config!: VigilConfig;
  private components: Component[] = [];
  private lastReloadOk = true;
  private lastConfigTime = new Date();
  private readonly startTime = new Date();
  private ready = false;
  private stopping?: Promise<void>;
  services?: Services;
  address = '';

  constructor(private readonly opts: AppOptions) {
    const f = opts.flags;
    this.log =
      opts.logger ??
      createLogger({ level: (String(f['log.level'] ?? 'info') as LogLevel) || 'info', format: f['log.format'] === 'json' ? 'json' : 'logfmt' });
  }

  flag(name: string): string {
    const v = this.opts.flags[name];
    return typeof v === 'string' ? v : v === true ? 'true' : v === false ? 'false' : '';
  }

  retentionMs(): number {
    const t = this.flag('storage.tsdb.retention') || this.flag('storage.tsdb.retention.time');
    return t === '' || t === '0' ? 15 * 24 * 3600e3 : parseDuration(t);
  }

  retentionBytes(): number {
    return parseBytes(this.flag('storage.tsdb.retention.size') || '0');
  }

  loadConfig(): VigilConfig {
    const file = this.flag('config.file');
    return file ? loadConfigFile(file) : parseConfigText(defaultConfigText(), '<default>');
  }

  addComponent(c: Component): void {
    this.components.push(c);
  }

  get currentConfig(): VigilConfig {
    return this.config;
  }

  async start(): Promise<void> {
    this.config = this.loadConfig();
    for (const f of ignoredFlagsSet(this.opts.flags)) this.log.warn('flag has no effect in Vigil (accepted for Prometheus compatibility)', { flag: `--${f}` });
    const walSync = this.flag('storage.tsdb.wal-sync') || 'batch';
    if (walSync !== 'batch' && walSync !== 'fsync') throw new Error(`invalid --storage.tsdb.wal-sync ${JSON.stringify(walSync)}: want batch or fsync`);
    const maxExemplars = Number(this.flag('storage.tsdb.max-exemplars') || '100000');
    if (!Number.isSafeInteger(maxExemplars) || maxExemplars < 0) throw new Error(`invalid --storage.tsdb.max-exemplars ${JSON.stringify(this.flag('storage.tsdb.max-exemplars'))}: want a non-negative integer`);
    const webCfgFile = this.flag('web.config.file');
    const webConfig = webCfgFile ? loadWebConfig(webCfgFile) : undefined;
    this.registerLifecycleRoutes();
    registerStatusRoutes(this.router, {
      startTime: this.startTime,
      flags: Object.fromEntries(Object.entries(this.opts.flags).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)])),
      configText: () => this.config.text,
      reloadConfigSuccess: () => this.lastReloadOk,
      lastConfigTime: () => this.lastConfigTime,
      storageRetention: this.flag('storage.tsdb.retention.time') || '15d',
      corruptionCount: () => 0,
    });
    this.services = new Services({
      dataDir: this.flag('storage.tsdb.path') || './data',
      retentionMs: this.retentionMs(),
      retentionBytes: this.retentionBytes(),
      walSync: this.flag('storage.tsdb.wal-sync') || 'batch',
      maxExemplars,
      lookbackDeltaMs: parseDuration(this.flag('query.lookback-delta') || '5m'),
      queryTimeoutMs: parseDuration(this.flag('query.timeout') || '2m'),
      maxSamples: Number(this.flag('query.max-samples')) || 50_000_000,
      enableAdmin: this.opts.flags['web.enable-admin-api'] === true,
      externalUrl: this.flag('web.external-url'),
      resendDelayMs: parseDuration(this.flag('rules.alert.resend-delay') || '1m'),
      alertmanagerConfigFile: this.flag('alertmanager.config.file') || undefined,
      alertmanagerStoragePath: this.flag('alertmanager.storage.path') || undefined,
      logger: this.log,
    });
    // Storage last to stop: components stop in reverse order of addition.
    this.components.unshift({ name: 'services', applyConfig: (c) => this.services!.applyConfig(c), stop: () => this.services!.close() });
    await this.services.open(this.router);
    this.http = new HttpServer({
      router: this.router,
      webConfig,
      maxRequestBytes: Number(this.flag('web.max-request-bytes')) || undefined,
      publicPaths: ['/-/healthy', '/-/ready'],
      logger: this.log.child({ component: 'web' }),
      instrument: (req) => this.services!.self.http.begin(req),
    });
    const addr = await this.http.listen(this.flag('web.listen-address'));
    this.address = `${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
    this.services.setSelfAddress(this.address);
    for (const c of this.components) await c.applyConfig?.(this.config);
    this.ready = true;
    this.log.info('server is ready to receive web requests', { address: this.address, tls: this.http.tls });
  }

  /** Re-reads the configuration; on any error the running configuration stays in force. */
  async reload(): Promise<void> {
    let next: VigilConfig;
    try {
      next = this.loadConfig();
      for (const c of this.components) await c.applyConfig?.(next);
    } catch (e) {
      this.lastReloadOk = false;
      this.log.error('loading configuration failed; keeping the previous one', { err: e as Error });
      throw e;
    }
    this.config = next;
    this.lastReloadOk = true;
    this.lastConfigTime = new Date();
    this.log.info('completed loading of configuration file', { file: next.file });
  }

  /** Graceful shutdown: stop taking requests, stop producers, then flush storage (last). */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.ready = false;
      await this.http?.close();
      for (const c of [...this.components].reverse()) {
        try {
          await c.stop?.();
        } catch (e) {
          this.log.error('stopping component failed', { component: c.name, err: e as Error });
        }
      }
      this.log.info('see you next time!');
    })();
    return this.stopping;
  }

  private registerLifecycleRoutes(): void {
    const r = this.router;
    r.get('/-/healthy', (_q, res) => sendText(res, 200, 'Vigil is Healthy.\n'));
    r.get('/-/ready', (_q, res) => (this.ready ? sendText(res, 200, 'Vigil is Ready.\n') : sendText(res, 503, 'Service Unavailable\n')));
    const lifecycle = this.opts.flags['web.enable-lifecycle'] !== false;
    r.add(['POST', 'PUT'], '/-/reload', async (_q, res) => {
      if (!lifecycle) return sendText(res, 403, 'Lifecycle API is not enabled.\n');
      try {
        await this.reload();
        sendText(res, 200, '');
      } catch (e) {
        sendText(res, 500, `failed to reload config: ${(e as Error).message}\n`);
      }
    });
    r.add(['POST', 'PUT'], '/-/quit', (_q, res) => {
      if (!lifecycle) return sendText(res, 403, 'Lifecycle API is not enabled.\n');
      sendText(res, 200, 'Requesting termination... Goodbye!\n');
      process.kill(process.pid, 'SIGTERM');
    });
  }
}
