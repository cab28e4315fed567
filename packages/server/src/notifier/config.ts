// The `alerting:` section of prometheus.yml (where to send alerts), plus Vigil's
// `alertmanager_config_file` / `alertmanager_config` for the embedded Alertmanager.
import type { CfgNode } from '../config/node.js';

export interface AlertmanagerTarget {
  /** Base URL, e.g. http://127.0.0.1:9093 (path_prefix included). */
  url: string;
  timeoutMs: number;
  headers: Record<string, string>;
}

export interface AlertingSection {
  targets: AlertmanagerTarget[];
  /** Raw alert_relabel_configs node, applied by the relabel module when present. */
  alertRelabelConfigs?: CfgNode;
  /** Embedded Alertmanager: a file path, or the inline config node. */
  embeddedConfigFile?: string;
  embeddedConfig?: CfgNode;
}

export function parseAlertingSection(n: CfgNode): AlertingSection {
  n.allowOnly(['alertmanagers', 'alert_relabel_configs', 'alertmanager_config_file', 'alertmanager_config']);
  const targets: AlertmanagerTarget[] = [];
  for (const am of n.get('alertmanagers').items()) {
    am.allowOnly([
      'scheme', 'path_prefix', 'timeout', 'api_version', 'static_configs', 'file_sd_configs', 'relabel_configs',
      'alert_relabel_configs', 'basic_auth', 'authorization', 'bearer_token', 'bearer_token_file', 'tls_config',
      'follow_redirects', 'enable_http2', 'proxy_url', 'oauth2', 'sigv4', 'dns_sd_configs', 'kubernetes_sd_configs', 'http_headers',
    ]);
    const scheme = am.get('scheme').str('http');
    if (scheme !== 'http' && scheme !== 'https') throw am.get('scheme').error(`unknown scheme ${JSON.stringify(scheme)}`);
    const apiVersion = am.get('api_version').str('v2');
    if (apiVersion !== 'v2') throw am.get('api_version').error(`api_version ${apiVersion} is not supported (Alertmanager API v1 was removed); use v2`);
    const prefix = am.get('path_prefix').str('/').replace(/\/+$/, '');
    const timeoutMs = am.get('timeout').duration('10s');
    const headers: Record<string, string> = {};
    const ba = am.get('basic_auth');
    if (!ba.isNull()) {
      ba.allowOnly(['username', 'password', 'password_file', 'username_file']);
      headers.authorization = 'Basic ' + Buffer.from(`${ba.get('username').str('')}:${ba.get('password').str('')}`).toString('base64');
    }
    const auth = am.get('authorization');
    if (!auth.isNull()) {
      auth.allowOnly(['type', 'credentials', 'credentials_file']);
      headers.authorization = `${auth.get('type').str('Bearer')} ${auth.get('credentials').str('')}`;
    }
    if (am.has('bearer_token')) headers.authorization = `Bearer ${am.get('bearer_token').str()}`;
    for (const sc of am.get('static_configs').items()) {
      sc.allowOnly(['targets', 'labels']);
      for (const t of sc.get('targets').strList()) targets.push({ url: `${scheme}://${t}${prefix}`, timeoutMs, headers });
    }
  }
  return {
    targets,
    alertRelabelConfigs: n.has('alert_relabel_configs') ? n.get('alert_relabel_configs') : undefined,
    embeddedConfigFile: n.get('alertmanager_config_file').optStr(),
    embeddedConfig: n.has('alertmanager_config') ? n.get('alertmanager_config') : undefined,
  };
}
