// vigil.yml: a prometheus.yml superset. Prometheus's sections keep their meaning; Vigil's own
// features live under their own keys (hostagent, anomaly, alerting.alertmanager_config...).
// Section bodies are validated by the module that owns them; this file owns the top level.
import { readFileSync } from 'node:fs';
import { CfgNode, ConfigError } from './node.js';

/** Top-level keys: Prometheus's, then Vigil's additions. */
export const PROMETHEUS_KEYS = [
  'global', 'scrape_configs', 'scrape_config_files', 'rule_files', 'alerting', 'remote_write',
  'remote_read', 'storage', 'tracing', 'otlp', 'runtime',
] as const;
export const VIGIL_KEYS = ['hostagent', 'anomaly', 'self_monitoring'] as const;

export interface HostAgentConfig {
  enabled: boolean;
  /** Scrape interval of the built-in node job; defaults to the global scrape_interval. */
  intervalMs?: number;
}

export interface VigilConfig {
  file: string;
  /** The file's text as loaded (served by /api/v1/status/config). */
  text: string;
  root: CfgNode;
  ruleFiles: string[];
  hostagent: HostAgentConfig;
  selfMonitoring: boolean;
}

export function parseConfigText(text: string, file: string): VigilConfig {
  const root = CfgNode.parse(text, file);
  if (!root.isNull() && !root.isMap()) throw root.error('top level must be a mapping');
  root.allowOnly([...PROMETHEUS_KEYS, ...VIGIL_KEYS]);
  const ha = root.get('hostagent');
  ha.allowOnly(['enabled', 'scrape_interval']);
  const sm = root.get('self_monitoring');
  sm.allowOnly(['enabled']);
  return {
    file,
    text,
    root,
    ruleFiles: root.get('rule_files').strList(),
    hostagent: {
      enabled: ha.isNull() ? false : ha.get('enabled').bool(true),
      intervalMs: ha.get('scrape_interval').isNull() ? undefined : ha.get('scrape_interval').duration(),
    },
    selfMonitoring: sm.isNull() ? false : sm.get('enabled').bool(true),
  };
}

export function loadConfigFile(file: string): VigilConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, 0, '', `cannot read config file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseConfigText(text, file);
}

/**
 * The configuration used when no file is given: Vigil watches its own host (the built-in agent,
 * scraped as job "node") and itself (job "vigil").
 */
export function defaultConfigText(): string {
  return [
    '# Vigil default configuration (no --config.file given): watch this host and Vigil itself.',
    'global:',
    '  scrape_interval: 15s',
    '  evaluation_interval: 15s',
    'hostagent:',
    '  enabled: true',
    'self_monitoring:',
    '  enabled: true',
    '',
  ].join('\n');
}
