// `remote_write` entries as in prometheus.yml (2.42 defaults), validated with file:line errors.
import { createHash } from 'node:crypto';
import type { CfgNode } from '../../config/node.js';
import { parseRelabelConfigs, type RelabelConfig } from '../../relabel/index.js';

export interface QueueConfig {
  /** Samples buffered per shard before new samples are dropped (counted). */
  capacity: number;
  maxShards: number;
  minShards: number;
  maxSamplesPerSend: number;
  batchSendDeadlineMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  retryOnHttp429: boolean;
}

export interface TLSConfig {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  serverName?: string;
  insecureSkipVerify: boolean;
  minVersion?: 'TLS10' | 'TLS11' | 'TLS12' | 'TLS13';
}

export interface RemoteWriteConfig {
  url: string;
  /** Unique name used in metrics and logs (hash of the config when not set). */
  name: string;
  remoteTimeoutMs: number;
  headers: Record<string, string>;
  basicAuth?: { username: string; password?: string; passwordFile?: string };
  /** `authorization` section (type defaults to Bearer) or legacy bearer_token(_file). */
  authorization?: { type: string; credentials?: string; credentialsFile?: string };
  tls: TLSConfig;
  writeRelabelConfigs: RelabelConfig[];
  queue: QueueConfig;
  metadata: { send: boolean; sendIntervalMs: number; maxSamplesPerSend: number };
  sendExemplars: boolean;
  /** Forward native histogram samples (Prometheus's send_native_histograms, default false). */
  sendNativeHistograms?: boolean;
}

export const DEFAULT_QUEUE: QueueConfig = {
  capacity: 2500,
  maxShards: 200,
  minShards: 1,
  maxSamplesPerSend: 500,
  batchSendDeadlineMs: 5000,
  minBackoffMs: 30,
  maxBackoffMs: 5000,
  retryOnHttp429: false,
};

const FIELDS = [
  'url', 'name', 'remote_timeout', 'headers', 'basic_auth', 'authorization', 'bearer_token', 'bearer_token_file',
  'tls_config', 'write_relabel_configs', 'queue_config', 'metadata_config', 'send_exemplars', 'send_native_histograms',
  'follow_redirects', 'enable_http2', 'proxy_url', 'sigv4', 'oauth2', 'azuread',
];
const UNSUPPORTED = ['sigv4', 'oauth2', 'azuread', 'proxy_url'];
const RESERVED_HEADERS = ['authorization', 'host', 'content-encoding', 'content-length', 'content-type', 'user-agent', 'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'www-authenticate', 'accept-encoding', 'x-prometheus-remote-write-version', 'x-prometheus-remote-read-version', 'x-prometheus-scrape-timeout-seconds', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

function positiveInt(n: CfgNode, def: number): number {
  const v = n.int(def);
  if (v <= 0) throw n.error(`must be a positive integer, got ${v}`);
  return v;
}

function parseQueue(n: CfgNode): QueueConfig {
  n.allowOnly(['capacity', 'max_shards', 'min_shards', 'max_samples_per_send', 'batch_send_deadline', 'min_backoff', 'max_backoff', 'retry_on_http_429', 'sample_age_limit']);
  const q: QueueConfig = {
    capacity: positiveInt(n.get('capacity'), DEFAULT_QUEUE.capacity),
    maxShards: positiveInt(n.get('max_shards'), DEFAULT_QUEUE.maxShards),
    minShards: positiveInt(n.get('min_shards'), DEFAULT_QUEUE.minShards),
    maxSamplesPerSend: positiveInt(n.get('max_samples_per_send'), DEFAULT_QUEUE.maxSamplesPerSend),
    batchSendDeadlineMs: n.get('batch_send_deadline').duration(DEFAULT_QUEUE.batchSendDeadlineMs),
    minBackoffMs: n.get('min_backoff').duration(DEFAULT_QUEUE.minBackoffMs),
    maxBackoffMs: n.get('max_backoff').duration(DEFAULT_QUEUE.maxBackoffMs),
    retryOnHttp429: n.get('retry_on_http_429').bool(DEFAULT_QUEUE.retryOnHttp429),
  };
  if (q.minShards > q.maxShards) throw n.get('min_shards').error(`min_shards (${q.minShards}) must not exceed max_shards (${q.maxShards})`);
  if (q.minBackoffMs > q.maxBackoffMs) throw n.get('min_backoff').error('min_backoff must not exceed max_backoff');
  if (q.batchSendDeadlineMs <= 0) throw n.get('batch_send_deadline').error('must be greater than 0');
  return q;
}

function parseTLS(n: CfgNode): TLSConfig {
  n.allowOnly(['ca_file', 'cert_file', 'key_file', 'server_name', 'insecure_skip_verify', 'min_version', 'ca', 'cert', 'key']);
  for (const k of ['ca', 'cert', 'key']) if (n.has(k)) throw n.get(k).error(`inline ${k} is not supported; use ${k}_file`);
  const t: TLSConfig = { insecureSkipVerify: n.get('insecure_skip_verify').bool(false) };
  const s = (k: string) => n.get(k).optStr();
  if (s('ca_file')) t.caFile = s('ca_file');
  if (s('cert_file')) t.certFile = s('cert_file');
  if (s('key_file')) t.keyFile = s('key_file');
  if (s('server_name')) t.serverName = s('server_name');
  if (!!t.certFile !== !!t.keyFile) throw n.error('cert_file and key_file must be set together');
  const mv = s('min_version');
  if (mv !== undefined) {
    if (!['TLS10', 'TLS11', 'TLS12', 'TLS13'].includes(mv)) throw n.get('min_version').error(`unknown TLS version ${JSON.stringify(mv)}`);
    t.minVersion = mv as TLSConfig['minVersion'];
  }
  return t;
}

/** One remote_write entry. */
export function parseRemoteWriteConfig(n: CfgNode): RemoteWriteConfig {
  if (!n.isMap()) throw n.error('expected a mapping (a remote_write entry)');
  n.allowOnly(FIELDS);
  for (const k of UNSUPPORTED) if (n.has(k)) throw n.get(k).error(`${k} is not supported by Vigil's remote_write`);
  const urlNode = n.get('url');
  const url = urlNode.str();
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw urlNode.error(`invalid URL ${JSON.stringify(url)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw urlNode.error(`unsupported scheme ${JSON.stringify(u.protocol.slice(0, -1))} (want http or https)`);

  const headers = n.get('headers').strMap();
  for (const h of Object.keys(headers)) if (RESERVED_HEADERS.includes(h.toLowerCase())) throw n.get('headers').get(h).error(`${h} is a reserved header. It must not be changed`);

  const cfg: RemoteWriteConfig = {
    url,
    name: n.get('name').str(''),
    remoteTimeoutMs: n.get('remote_timeout').duration(30_000),
    headers,
    tls: parseTLS(n.get('tls_config')),
    writeRelabelConfigs: parseRelabelConfigs(n.get('write_relabel_configs')),
    queue: parseQueue(n.get('queue_config')),
    metadata: { send: true, sendIntervalMs: 60_000, maxSamplesPerSend: 500 },
    sendExemplars: n.get('send_exemplars').bool(false),
    sendNativeHistograms: n.get('send_native_histograms').bool(false),
  };
  const md = n.get('metadata_config');
  md.allowOnly(['send', 'send_interval', 'max_samples_per_send']);
  cfg.metadata = { send: md.get('send').bool(true), sendIntervalMs: md.get('send_interval').duration(60_000), maxSamplesPerSend: md.get('max_samples_per_send').int(500) };

  const ba = n.get('basic_auth');
  const auth = n.get('authorization');
  const bt = n.get('bearer_token'), btf = n.get('bearer_token_file');
  const set = [!ba.isNull(), !auth.isNull(), !bt.isNull() || !btf.isNull()].filter(Boolean).length;
  if (set > 1) throw n.error('at most one of basic_auth, authorization and bearer_token/bearer_token_file must be configured');
  if (!ba.isNull()) {
    ba.allowOnly(['username', 'password', 'password_file']);
    const password = ba.get('password').optStr(), passwordFile = ba.get('password_file').optStr();
    if (password !== undefined && passwordFile !== undefined) throw ba.error('at most one of basic_auth password & password_file must be configured');
    cfg.basicAuth = { username: ba.get('username').str('') };
    if (password !== undefined) cfg.basicAuth.password = password;
    if (passwordFile !== undefined) cfg.basicAuth.passwordFile = passwordFile;
  }
  if (!auth.isNull()) {
    auth.allowOnly(['type', 'credentials', 'credentials_file']);
    const type = auth.get('type').str('Bearer');
    if (type.toLowerCase() === 'basic') throw auth.get('type').error('authorization type cannot be set to "basic", use "basic_auth" instead');
    const c = auth.get('credentials').optStr(), cf = auth.get('credentials_file').optStr();
    if (c !== undefined && cf !== undefined) throw auth.error('at most one of authorization credentials & credentials_file must be configured');
    cfg.authorization = { type };
    if (c !== undefined) cfg.authorization.credentials = c;
    if (cf !== undefined) cfg.authorization.credentialsFile = cf;
  }
  if (!bt.isNull() || !btf.isNull()) {
    if (!bt.isNull() && !btf.isNull()) throw n.error('at most one of bearer_token & bearer_token_file must be configured');
    cfg.authorization = { type: 'Bearer' };
    if (!bt.isNull()) cfg.authorization.credentials = bt.str();
    else cfg.authorization.credentialsFile = btf.str();
  }
  if (cfg.name === '') cfg.name = createHash('sha256').update(JSON.stringify({ url, headers, q: cfg.queue, r: n.get('write_relabel_configs').toJS() ?? null })).digest('hex').slice(0, 6);
  return cfg;
}

/** The `remote_write` list; names must be unique (as Prometheus requires). */
export function parseRemoteWriteConfigs(node: CfgNode): RemoteWriteConfig[] {
  const out: RemoteWriteConfig[] = [];
  const seen = new Set<string>();
  for (const item of node.items()) {
    const c = parseRemoteWriteConfig(item);
    if (seen.has(c.name)) throw item.error(`found multiple remote write configs with job name ${JSON.stringify(c.name)}`);
    seen.add(c.name);
    out.push(c);
  }
  return out;
}
