// `global` and `scrape_configs` sections of prometheus.yml, with Prometheus's defaults and
// validation. Fields Prometheus knows but Vigil does not act on (other service discoveries,
// native histogram knobs, proxies) load with a warning so existing files keep working.
import { dirname, isAbsolute, resolve } from 'node:path';
import type { CfgNode } from '../config/node.js';
import { formatDuration } from '../config/duration.js';
import type { Labels } from '../model/labels.js';
import { labelsFromObject } from '../model/labels.js';
import { parseRelabelConfigs, type RelabelConfig } from '../relabel/index.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface GlobalConfig {
  scrapeIntervalMs: number;
  scrapeTimeoutMs: number;
  evaluationIntervalMs: number;
  externalLabels: Labels;
  queryLogFile?: string;
  /** Defaults for every scrape config (0 = no limit). */
  bodySizeLimit: number;
  sampleLimit: number;
  labelLimit: number;
  labelNameLengthLimit: number;
  labelValueLengthLimit: number;
  targetLimit: number;
  warnings: string[];
}

export const DEFAULT_GLOBAL: Readonly<GlobalConfig> = Object.freeze({
  scrapeIntervalMs: 60_000,
  scrapeTimeoutMs: 10_000,
  evaluationIntervalMs: 60_000,
  externalLabels: [],
  bodySizeLimit: 0,
  sampleLimit: 0,
  labelLimit: 0,
  labelNameLengthLimit: 0,
  labelValueLengthLimit: 0,
  targetLimit: 0,
  warnings: [],
});

export interface BasicAuth {
  username: string;
  password?: string;
  passwordFile?: string;
}

export interface Authorization {
  type: string;
  credentials?: string;
  credentialsFile?: string;
}

export interface TLSConfig {
  ca?: string;
  caFile?: string;
  cert?: string;
  certFile?: string;
  key?: string;
  keyFile?: string;
  serverName?: string;
  insecureSkipVerify: boolean;
  minVersion?: string;
}

export interface HTTPClientConfig {
  basicAuth?: BasicAuth;
  /** bearer_token / bearer_token_file are folded into this, as in Prometheus. */
  authorization?: Authorization;
  tls: TLSConfig;
  followRedirects: boolean;
  headers: Record<string, string>;
}

export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
  /** Where the group came from, e.g. "static/0" or the file path + index. */
  source: string;
}

export interface FileSDConfig {
  files: string[];
  refreshIntervalMs: number;
}

export interface ScrapeConfig {
  jobName: string;
  scrapeIntervalMs: number;
  scrapeTimeoutMs: number;
  metricsPath: string;
  scheme: string;
  params: Record<string, string[]>;
  honorLabels: boolean;
  honorTimestamps: boolean;
  http: HTTPClientConfig;
  staticConfigs: TargetGroup[];
  fileSDConfigs: FileSDConfig[];
  relabelConfigs: RelabelConfig[];
  metricRelabelConfigs: RelabelConfig[];
  sampleLimit: number;
  labelLimit: number;
  labelNameLengthLimit: number;
  labelValueLengthLimit: number;
  /** Bytes; 0 = no limit. */
  bodySizeLimit: number;
  targetLimit: number;
  /** Ask targets for gzip (Prometheus's enable_compression, default true). */
  enableCompression: boolean;
  /** Known-but-unsupported fields that were ignored. */
  warnings: string[];
}

const LIMIT_FIELDS = ['body_size_limit', 'sample_limit', 'label_limit', 'label_name_length_limit', 'label_value_length_limit', 'target_limit'];

const GLOBAL_FIELDS = [
  'scrape_interval', 'scrape_timeout', 'evaluation_interval', 'external_labels', 'query_log_file', ...LIMIT_FIELDS,
];
const GLOBAL_IGNORED = [
  'keep_dropped_targets', 'scrape_protocols', 'metric_name_validation_scheme', 'metric_name_escaping_scheme', 'rule_query_offset',
  'scrape_failure_log_file', 'always_scrape_classic_histograms', 'convert_classic_histograms_to_nhcb', 'extra_scrape_metrics',
  'native_histogram_bucket_limit', 'native_histogram_min_bucket_factor', 'scrape_native_histograms',
];

/** Service discoveries Prometheus has and Vigil does not (yet): accepted, yield no targets. */
const OTHER_SD = [
  'azure_sd_configs', 'consul_sd_configs', 'digitalocean_sd_configs', 'docker_sd_configs', 'dockerswarm_sd_configs',
  'dns_sd_configs', 'ec2_sd_configs', 'eureka_sd_configs', 'gce_sd_configs', 'hetzner_sd_configs', 'http_sd_configs',
  'ionos_sd_configs', 'kubernetes_sd_configs', 'kuma_sd_configs', 'lightsail_sd_configs', 'linode_sd_configs',
  'marathon_sd_configs', 'nerve_sd_configs', 'nomad_sd_configs', 'openstack_sd_configs', 'ovhcloud_sd_configs',
  'puppetdb_sd_configs', 'scaleway_sd_configs', 'serverset_sd_configs', 'triton_sd_configs', 'uyuni_sd_configs',
  'vultr_sd_configs', 'stackit_sd_configs',
];
const SCRAPE_IGNORED = [
  'oauth2', 'proxy_url', 'no_proxy', 'proxy_from_environment', 'proxy_connect_header', 'enable_http2',
  'scrape_protocols', 'fallback_scrape_protocol', 'scrape_classic_histograms', 'always_scrape_classic_histograms',
  'convert_classic_histograms_to_nhcb', 'native_histogram_bucket_limit', 'native_histogram_min_bucket_factor',
  'keep_dropped_targets', 'track_timestamps_staleness', 'metric_name_validation_scheme',
  'metric_name_escaping_scheme', 'scrape_failure_log_file', 'scrape_native_histograms', 'extra_scrape_metrics',
];
const SCRAPE_FIELDS = [
  'job_name', 'scrape_interval', 'scrape_timeout', 'metrics_path', 'scheme', 'params', 'honor_labels', 'honor_timestamps',
  'basic_auth', 'authorization', 'bearer_token', 'bearer_token_file', 'tls_config', 'follow_redirects', 'http_headers',
  'static_configs', 'file_sd_configs', 'relabel_configs', 'metric_relabel_configs', 'enable_compression', ...LIMIT_FIELDS,
  ...SCRAPE_IGNORED, ...OTHER_SD,
];

const SIZE_UNITS: Record<string, number> = {
  '': 1, B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4, PB: 1024 ** 5,
  KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4, PiB: 1024 ** 5,
};

/** Parses a Prometheus byte size ("10MB", "512KiB", "0"), base 2 as in Prometheus. */
export function parseByteSize(s: string): number {
  let total = 0;
  const re = /(\d+(?:\.\d+)?)([KMGTP]i?B|B)?/y;
  let pos = 0;
  if (s.trim() === '') throw new Error('empty size');
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m || m[0] === '') throw new Error(`not a valid size ${JSON.stringify(s)} (use e.g. 10MB, 512KiB)`);
    total += Number(m[1]) * SIZE_UNITS[m[2] ?? '']!;
    pos = re.lastIndex;
  }
  return Math.floor(total);
}

function limit(node: CfgNode, def: number): number {
  if (node.isNull()) return def;
  const n = node.int();
  if (n < 0) throw node.error(`must be a non-negative integer, got ${n}`);
  return n;
}

function sizeLimit(node: CfgNode, def: number): number {
  if (node.isNull()) return def;
  const v = node.scalar();
  if (typeof v === 'number') return v;
  try {
    return parseByteSize(String(v));
  } catch (e) {
    throw node.error((e as Error).message);
  }
}

function positiveDuration(node: CfgNode, def: number): number {
  if (node.isNull()) return def;
  return node.duration();
}

/** Parses the `global` section (absent = defaults). */
export function parseGlobalConfig(node: CfgNode): GlobalConfig {
  const warnings: string[] = [];
  if (node.isNull()) return { ...DEFAULT_GLOBAL, externalLabels: [], warnings };
  node.allowOnly([...GLOBAL_FIELDS, ...GLOBAL_IGNORED]);
  for (const k of GLOBAL_IGNORED) if (node.has(k)) warnings.push(`global.${k} is not supported by Vigil and is ignored`);
  let scrapeIntervalMs = positiveDuration(node.get('scrape_interval'), 0);
  if (scrapeIntervalMs === 0) scrapeIntervalMs = DEFAULT_GLOBAL.scrapeIntervalMs;
  let scrapeTimeoutMs = positiveDuration(node.get('scrape_timeout'), 0);
  if (scrapeTimeoutMs > scrapeIntervalMs) throw node.get('scrape_timeout').error('global scrape timeout greater than scrape interval');
  if (scrapeTimeoutMs === 0) scrapeTimeoutMs = Math.min(DEFAULT_GLOBAL.scrapeTimeoutMs, scrapeIntervalMs);
  let evaluationIntervalMs = positiveDuration(node.get('evaluation_interval'), 0);
  if (evaluationIntervalMs === 0) evaluationIntervalMs = DEFAULT_GLOBAL.evaluationIntervalMs;
  const el = node.get('external_labels');
  const ext: Record<string, string> = {};
  for (const [k, v] of el.entries()) {
    if (!LABEL_NAME.test(k)) throw v.error(`${JSON.stringify(k)} is not a valid label name`);
    ext[k] = v.str('');
  }
  const g: GlobalConfig = {
    scrapeIntervalMs,
    scrapeTimeoutMs,
    evaluationIntervalMs,
    externalLabels: labelsFromObject(ext),
    bodySizeLimit: sizeLimit(node.get('body_size_limit'), 0),
    sampleLimit: limit(node.get('sample_limit'), 0),
    labelLimit: limit(node.get('label_limit'), 0),
    labelNameLengthLimit: limit(node.get('label_name_length_limit'), 0),
    labelValueLengthLimit: limit(node.get('label_value_length_limit'), 0),
    targetLimit: limit(node.get('target_limit'), 0),
    warnings,
  };
  const qlf = node.get('query_log_file').optStr();
  if (qlf !== undefined) g.queryLogFile = qlf;
  return g;
}

function resolvePath(node: CfgNode, p: string): string {
  if (isAbsolute(p) || !node.file) return p;
  return resolve(dirname(node.file), p);
}

function optFile(node: CfgNode): string | undefined {
  const s = node.optStr();
  return s === undefined || s === '' ? undefined : resolvePath(node, s);
}

/** The HTTP client part of a scrape config (common/config HTTPClientConfig). */
export function parseHTTPClientConfig(node: CfgNode): HTTPClientConfig {
  const http: HTTPClientConfig = { tls: { insecureSkipVerify: false }, followRedirects: true, headers: {} };
  const ba = node.get('basic_auth');
  if (!ba.isNull()) {
    ba.allowOnly(['username', 'username_file', 'password', 'password_file']);
    const b: BasicAuth = { username: ba.get('username').str('') };
    const pw = ba.get('password').optStr();
    const pf = optFile(ba.get('password_file'));
    if (pw && pf) throw ba.error('at most one of basic_auth password & password_file must be configured');
    if (pw) b.password = pw;
    if (pf) b.passwordFile = pf;
    http.basicAuth = b;
  }
  const bt = node.get('bearer_token').optStr();
  const btf = optFile(node.get('bearer_token_file'));
  if (bt && btf) throw node.error('at most one of bearer_token & bearer_token_file must be configured');
  if ((http.basicAuth || node.has('oauth2')) && (bt || btf)) {
    throw node.error('at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured');
  }
  const au = node.get('authorization');
  if (!au.isNull()) {
    au.allowOnly(['type', 'credentials', 'credentials_file']);
    if (bt || btf) throw au.error('authorization is not compatible with bearer_token & bearer_token_file');
    const cred = au.get('credentials').optStr();
    const cf = optFile(au.get('credentials_file'));
    if (cred && cf) throw au.error('at most one of authorization credentials & credentials_file must be configured');
    const type = au.get('type').str('').trim() || 'Bearer';
    if (type.toLowerCase() === 'basic') throw au.error('authorization type cannot be set to "basic", use "basic_auth" instead');
    if (http.basicAuth || node.has('oauth2')) throw au.error('at most one of basic_auth, oauth2 & authorization must be configured');
    const a: Authorization = { type };
    if (cred) a.credentials = cred;
    if (cf) a.credentialsFile = cf;
    http.authorization = a;
  } else if (bt) {
    http.authorization = { type: 'Bearer', credentials: bt };
  } else if (btf) {
    http.authorization = { type: 'Bearer', credentialsFile: btf };
  }
  const tls = node.get('tls_config');
  if (!tls.isNull()) {
    tls.allowOnly(['ca', 'ca_file', 'cert', 'cert_file', 'key', 'key_file', 'server_name', 'insecure_skip_verify', 'min_version', 'max_version']);
    const t = http.tls;
    const set = (k: keyof TLSConfig, v: string | undefined) => {
      if (v !== undefined && v !== '') (t as unknown as Record<string, unknown>)[k] = v;
    };
    set('ca', tls.get('ca').optStr());
    set('caFile', optFile(tls.get('ca_file')));
    set('cert', tls.get('cert').optStr());
    set('certFile', optFile(tls.get('cert_file')));
    set('key', tls.get('key').optStr());
    set('keyFile', optFile(tls.get('key_file')));
    set('serverName', tls.get('server_name').optStr());
    set('minVersion', tls.get('min_version').optStr());
    t.insecureSkipVerify = tls.get('insecure_skip_verify').bool(false);
    if (t.ca && t.caFile) throw tls.error('at most one of ca and ca_file must be configured');
    if (t.cert && t.certFile) throw tls.error('at most one of cert and cert_file must be configured');
    if (t.key && t.keyFile) throw tls.error('at most one of key and key_file must be configured');
    const hasCert = !!(t.cert || t.certFile), hasKey = !!(t.key || t.keyFile);
    if (hasCert && !hasKey) throw tls.error('exactly one of key or key_file must be configured when a client certificate is configured');
    if (hasKey && !hasCert) throw tls.error('exactly one of cert or cert_file must be configured when a client key is configured');
  }
  http.followRedirects = node.get('follow_redirects').bool(true);
  const hh = node.get('http_headers');
  for (const [name, h] of hh.entries()) {
    // Prometheus's http_headers: {Name: {values: [...]}}; secrets/files are not supported here.
    const vals = h.isMap() ? h.get('values').strList() : [h.str()];
    if (vals.length > 0) http.headers[name] = vals.join(', ');
  }
  return http;
}

function parseTargetGroup(node: CfgNode, source: string): TargetGroup {
  node.allowOnly(['targets', 'labels']);
  const targets = node.get('targets').strList();
  const labels: Record<string, string> = {};
  for (const [k, v] of node.get('labels').entries()) {
    if (!LABEL_NAME.test(k)) throw v.error(`${JSON.stringify(k)} is not a valid label name`);
    labels[k] = v.str('');
  }
  return { targets, labels, source };
}

/** URLs in static targets are an error unless relabeling could still fix them (as Prometheus checks). */
function checkStaticTargets(node: CfgNode): void {
  for (const g of node.get('static_configs').items()) {
    const tn = g.get('targets');
    for (const item of tn.items()) {
      const t = item.str();
      if (t.includes('/')) throw item.error(`${JSON.stringify(t)} is not a valid hostname`);
    }
  }
}

const FILE_SD_NAME = /^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$/;

function parseFileSD(node: CfgNode): FileSDConfig {
  node.allowOnly(['files', 'refresh_interval']);
  const filesNode = node.get('files');
  const files = filesNode.strList();
  if (files.length === 0) throw node.error('file service discovery config must contain at least one path name');
  for (const [i, f] of files.entries()) {
    if (!FILE_SD_NAME.test(f)) throw filesNode.items()[i]!.error(`path name ${JSON.stringify(f)} is not valid for file discovery`);
  }
  return { files: files.map((f) => resolvePath(node, f)), refreshIntervalMs: node.get('refresh_interval').duration('5m') };
}

/** Parses one scrape_configs entry. */
export function parseScrapeConfig(node: CfgNode, global: GlobalConfig): ScrapeConfig {
  if (!node.isMap()) throw node.error('expected a mapping (a scrape config)');
  node.allowOnly(SCRAPE_FIELDS);
  const jobName = node.get('job_name').str('');
  if (jobName === '') throw node.error('job_name is empty');
  const warnings: string[] = [];
  for (const k of SCRAPE_IGNORED) if (node.has(k)) warnings.push(`job ${jobName}: ${k} is not supported by Vigil and is ignored`);
  for (const k of OTHER_SD) if (node.has(k)) warnings.push(`job ${jobName}: ${k} is not supported by Vigil; it yields no targets`);
  let scrapeIntervalMs = positiveDuration(node.get('scrape_interval'), 0);
  if (scrapeIntervalMs === 0) scrapeIntervalMs = global.scrapeIntervalMs;
  let scrapeTimeoutMs = positiveDuration(node.get('scrape_timeout'), 0);
  if (scrapeTimeoutMs === 0) scrapeTimeoutMs = Math.min(global.scrapeTimeoutMs, scrapeIntervalMs);
  if (scrapeTimeoutMs > scrapeIntervalMs) {
    throw node.get('scrape_timeout').error(`scrape timeout greater than scrape interval for scrape config with job name ${JSON.stringify(jobName)}`);
  }
  // Prometheus 2.42 accepts any scheme here; targets with one it cannot use fail when scraped.
  const scheme = node.get('scheme').str('http');
  const metricsPath = node.get('metrics_path').str('/metrics');
  const params: Record<string, string[]> = {};
  for (const [k, v] of node.get('params').entries()) params[k] = v.strList();
  const staticConfigs = node.get('static_configs').items().map((g, i) => parseTargetGroup(g, `${i}`));
  if (node.get('relabel_configs').isNull() || node.get('relabel_configs').items().length === 0) checkStaticTargets(node);
  const fileSDConfigs = node.get('file_sd_configs').items().map(parseFileSD);
  return {
    jobName,
    scrapeIntervalMs,
    scrapeTimeoutMs,
    metricsPath,
    scheme,
    params,
    honorLabels: node.get('honor_labels').bool(false),
    honorTimestamps: node.get('honor_timestamps').bool(true),
    http: parseHTTPClientConfig(node),
    staticConfigs,
    fileSDConfigs,
    relabelConfigs: parseRelabelConfigs(node.get('relabel_configs')),
    metricRelabelConfigs: parseRelabelConfigs(node.get('metric_relabel_configs')),
    sampleLimit: limit(node.get('sample_limit'), global.sampleLimit),
    labelLimit: limit(node.get('label_limit'), global.labelLimit),
    labelNameLengthLimit: limit(node.get('label_name_length_limit'), global.labelNameLengthLimit),
    labelValueLengthLimit: limit(node.get('label_value_length_limit'), global.labelValueLengthLimit),
    bodySizeLimit: sizeLimit(node.get('body_size_limit'), global.bodySizeLimit),
    targetLimit: limit(node.get('target_limit'), global.targetLimit),
    enableCompression: node.get('enable_compression').bool(true),
    warnings,
  };
}

/** Parses the scrape_configs list; job names must be unique. */
export function parseScrapeConfigs(node: CfgNode, global: GlobalConfig = { ...DEFAULT_GLOBAL, warnings: [] }): ScrapeConfig[] {
  const out: ScrapeConfig[] = [];
  const seen = new Set<string>();
  for (const item of node.items()) {
    const sc = parseScrapeConfig(item, global);
    if (seen.has(sc.jobName)) throw item.get('job_name').error(`found multiple scrape configs with job name ${JSON.stringify(sc.jobName)}`);
    seen.add(sc.jobName);
    out.push(sc);
  }
  return out;
}

/** Human form of a scrape config's interval/timeout, as the targets API shows them. */
export function intervalString(ms: number): string {
  return formatDuration(ms);
}
