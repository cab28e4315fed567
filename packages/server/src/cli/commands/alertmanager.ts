// `vigil alertmanager`: a drop-in for the Alertmanager binary (its flags, API v2, reload), and
// `vigil check alertmanager FILE...` (amtool check-config's job).
import { readFileSync } from 'node:fs';
import type { Command } from '../command.js';
import { flagsHelp, parseFlags, str, list, type FlagSpec } from '../flags.js';
import { parseDuration } from '../../config/duration.js';
import { VERSION } from '../../version.js';
import { createLogger, type LogLevel } from '../../util/log.js';
import { HttpServer } from '../../web/server.js';
import { loadWebConfig, type WebConfig } from '../../web/webconfig.js';
import { Router, sendText } from '../../web/router.js';
import { Alertmanager, loadAlertmanagerConfig, type AlertmanagerConfig } from '../../alerting/index.js';
import { registerAlertmanagerRoutes } from '../../alerting/api/index.js';
import { loadTemplateFiles } from '../../alerting/notify/templating.js';

const FLAGS: FlagSpec[] = [
  { name: 'config.file', help: 'Alertmanager configuration file name.', default: 'alertmanager.yml' },
  { name: 'web.listen-address', help: 'Address to listen on for the web interface and API.', default: '127.0.0.1:9095' },
  { name: 'web.external-url', help: 'The URL under which Alertmanager is externally reachable.', default: '' },
  { name: 'web.route-prefix', help: 'Prefix for the internal routes of web endpoints.', default: '' },
  { name: 'web.config.file', help: 'Path to a web configuration file (TLS, basic auth), as Alertmanager.', default: '' },
  { name: 'web.get-concurrency', help: 'Accepted for compatibility; ignored.', default: '0' },
  { name: 'web.timeout', help: 'Accepted for compatibility; ignored.', default: '0' },
  { name: 'storage.path', help: 'Base path for data storage (silences, notification log).', default: 'data/' },
  { name: 'data.retention', help: 'How long to keep data for.', default: '120h' },
  { name: 'data.maintenance-interval', help: 'Interval between garbage collection and snapshotting to disk.', default: '15m' },
  { name: 'alerts.gc-interval', help: 'Interval between alert GC.', default: '30m' },
  { name: 'log.level', help: 'Only log messages with the given severity or above: debug, info, warn, error.', default: 'info' },
  { name: 'log.format', help: 'Output format of log messages: logfmt, json.', default: 'logfmt' },
  { name: 'cluster.listen-address', help: 'Accepted and ignored: Vigil runs a single instance (no gossip).', default: '' },
  { name: 'cluster.advertise-address', help: 'Accepted and ignored.', default: '' },
  { name: 'cluster.peer', help: 'Accepted and ignored.', type: 'list' },
  { name: 'cluster.peer-timeout', help: 'Accepted and ignored.', default: '' },
  { name: 'cluster.gossip-interval', help: 'Accepted and ignored.', default: '' },
  { name: 'cluster.pushpull-interval', help: 'Accepted and ignored.', default: '' },
  { name: 'cluster.settle-timeout', help: 'Accepted and ignored.', default: '' },
  { name: 'help', help: 'Show help.', type: 'bool' },
  { name: 'version', help: 'Show version.', type: 'bool' },
];

function loadConfig(file: string): AlertmanagerConfig {
  const text = readFileSync(file, 'utf8');
  const cfg = loadAlertmanagerConfig(text, file);
  loadTemplateFiles(cfg); // template errors fail the load, as in Alertmanager
  return cfg;
}

export const alertmanagerCommand: Command = {
  path: ['alertmanager'],
  summary: 'run as a drop-in Alertmanager (Alertmanager flags, API v2)',
  async run(argv) {
    const p = parseFlags(argv, FLAGS);
    if (p.values.help) {
      process.stdout.write(`usage: vigil alertmanager [flags]\n\nFlags:\n${flagsHelp(FLAGS)}\n`);
      return 0;
    }
    if (p.values.version) {
      process.stdout.write(`vigil alertmanager, version ${VERSION} (Alertmanager API v2 compatible)\n`);
      return 0;
    }
    const level = str(p, 'log.level') as LogLevel;
    if (!['debug', 'info', 'warn', 'error'].includes(level)) {
      process.stderr.write(`vigil alertmanager: invalid --log.level ${JSON.stringify(level)}\n`);
      return 2;
    }
    const log = createLogger({ level, format: str(p, 'log.format') === 'json' ? 'json' : 'logfmt' }, { component: 'alertmanager' });
    if (str(p, 'cluster.listen-address') !== '' || list(p, 'cluster.peer').length > 0) {
      log.warn('clustering flags are accepted but ignored: Vigil runs as a single Alertmanager instance');
    }
    let webConfig: WebConfig | undefined;
    if (str(p, 'web.config.file')) {
      try {
        webConfig = loadWebConfig(str(p, 'web.config.file'));
      } catch (e) {
        log.error('Loading web configuration file failed', { file: str(p, 'web.config.file'), err: (e as Error).message });
        return 1;
      }
    }
    const file = str(p, 'config.file');
    let cfg: AlertmanagerConfig;
    let retentionMs: number, gcMs: number, maintMs: number;
    try {
      retentionMs = parseDuration(str(p, 'data.retention'));
      gcMs = parseDuration(str(p, 'alerts.gc-interval'));
      maintMs = parseDuration(str(p, 'data.maintenance-interval'));
      cfg = loadConfig(file);
    } catch (e) {
      log.error('Loading configuration file failed', { file, err: (e as Error).message });
      return 1;
    }
    const externalUrl = str(p, 'web.external-url') || `http://${str(p, 'web.listen-address').replace(/^:/, 'localhost:')}`;
    const am = new Alertmanager({
      config: cfg,
      storagePath: str(p, 'storage.path'),
      logger: log,
      externalUrl,
      retentionMs,
      alertsGcIntervalMs: gcMs,
      maintenanceIntervalMs: maintMs,
    });
    const reload = (): string | null => {
      try {
        const next = loadConfig(file);
        am.applyConfig(next);
        log.info('Completed loading of configuration file', { file });
        return null;
      } catch (e) {
        log.error('Loading configuration file failed', { file, err: (e as Error).message });
        return (e as Error).message;
      }
    };
    const router = new Router();
    // As Alertmanager: without --web.route-prefix, routes live under the external URL's path.
    let prefix = str(p, 'web.route-prefix');
    if (prefix === '' && str(p, 'web.external-url')) {
      try {
        prefix = new URL(str(p, 'web.external-url')).pathname;
      } catch {
        log.error('invalid --web.external-url', { url: str(p, 'web.external-url') });
        am.stop();
        return 1;
      }
    }
    prefix = prefix.replace(/\/+$/, '');
    if (prefix !== '' && !prefix.startsWith('/')) prefix = '/' + prefix;
    registerAlertmanagerRoutes(router, { am, prefix });
    router.get(`${prefix}/-/healthy`, (_q, res) => sendText(res, 200, 'OK'));
    router.get(`${prefix}/-/ready`, (_q, res) => sendText(res, 200, 'OK'));
    router.add(['POST', 'PUT'], `${prefix}/-/reload`, (_q, res) => {
      const err = reload();
      if (err) sendText(res, 500, `failed to reload config: ${err}`);
      else sendText(res, 200, '');
    });
    router.get(`${prefix}/metrics`, (_q, res) => sendText(res, 200, am.metricsText(), 'text/plain; version=0.0.4; charset=utf-8'));
    const server = new HttpServer({ router, logger: log, webConfig, publicPaths: [`${prefix}/-/healthy`, `${prefix}/-/ready`] });
    try {
      const addr = await server.listen(str(p, 'web.listen-address'));
      log.info('Listening', { address: `${addr.address}:${addr.port}` });
    } catch (e) {
      log.error('listen failed', { err: (e as Error).message });
      am.stop();
      return 1;
    }
    return await new Promise<number>((resolve) => {
      const onHup = (): void => void reload();
      const onTerm = (): void => {
        log.info('Received termination signal, exiting gracefully');
        process.off('SIGHUP', onHup);
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onTerm);
        am.stop();
        void server.close().then(() => resolve(0));
      };
      process.on('SIGHUP', onHup);
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onTerm);
    });
  },
};

/** Validates one Alertmanager config file (and its templates): a report, and whether it passed. */
export function checkAlertmanagerFile(file: string): { ok: boolean; report: string } {
  try {
    const cfg = loadConfig(file);
    let report = `Checking '${file}'  SUCCESS\nFound:\n - global config\n - route\n - ${cfg.inhibitRules.length} inhibit rules\n - ${cfg.receivers.length} receivers\n - ${cfg.templates.length} templates\n`;
    for (const r of cfg.receivers) {
      if (r.unsupported.length) report += `  note: receiver "${r.name}": ${r.unsupported.join(', ')} are accepted but not delivered by Vigil\n`;
    }
    return { ok: true, report };
  } catch (e) {
    return { ok: false, report: `Checking '${file}'  FAILED: ${(e as Error).message}\n` };
  }
}

export const checkAlertmanagerCommand: Command = {
  path: ['check', 'alertmanager'],
  summary: 'check Alertmanager configuration files (as amtool check-config)',
  async run(argv) {
    const p = parseFlags(argv, [{ name: 'help', help: 'show help', type: 'bool' }]);
    if (p.values.help || p.positional.length === 0) {
      process.stdout.write('usage: vigil check alertmanager FILE...\n');
      return p.values.help ? 0 : 2;
    }
    let failed = 0;
    for (const file of p.positional) {
      const r = checkAlertmanagerFile(file);
      if (!r.ok) failed++;
      process.stdout.write(r.report + '\n');
    }
    if (failed) process.stdout.write(`vigil: error: failed to validate ${failed} file(s)\n`);
    return failed ? 1 : 0;
  },
};
