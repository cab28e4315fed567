// `vigil serve` flags, named as Prometheus's where the concept is the same.
import type { FlagSpec } from '../cli/flags.js';

/** Default listen address: loopback, a port no Prometheus-stack component uses by default. */
export const DEFAULT_LISTEN = '127.0.0.1:9490';

// Prometheus flags with no Vigil meaning, accepted (with a warning) so that a Prometheus command
// line starts Vigil unchanged. "!" marks boolean flags.
const PROMETHEUS_ACCEPTED = [
  'web.console.templates', 'web.console.libraries', 'web.page-title', 'web.cors.origin', 'web.route-prefix', 'web.user-assets',
  'web.read-timeout', 'web.max-connections', '!web.enable-otlp-receiver', 'storage.tsdb.min-block-duration', 'storage.tsdb.max-block-duration',
  '!storage.tsdb.no-lockfile', '!storage.tsdb.allow-overlapping-blocks', '!storage.tsdb.wal-compression', 'storage.tsdb.head-chunks-write-queue-size',
  'storage.remote.flush-deadline', 'storage.remote.read-sample-limit', 'storage.remote.read-concurrent-limit', 'rules.alert.for-outage-tolerance',
  'rules.alert.for-grace-period', 'rules.max-concurrent-evals', 'alertmanager.notification-queue-capacity', 'alertmanager.drain-notification-queue-on-shutdown',
  'query.max-concurrency', 'enable-feature', 'scrape.adjust-timestamps', 'scrape.timestamp-tolerance', 'scrape.discovery-reload-interval', 'auto-gomemlimit.ratio',
];

export const serveFlags: FlagSpec[] = [
  { name: 'config.file', help: 'Vigil / Prometheus configuration file; none: watch this host and Vigil itself', default: '' },
  { name: 'web.listen-address', help: 'address to listen on for the UI, APIs and telemetry', default: DEFAULT_LISTEN },
  { name: 'web.config.file', help: 'web config (TLS, basic auth, bearer tokens) in Prometheus exporter-toolkit format', default: '' },
  { name: 'web.external-url', help: 'URL under which Vigil is reachable from outside (used in alerts and links)', default: '' },
  { name: 'web.enable-lifecycle', help: 'enable POST /-/reload and /-/quit', type: 'bool', default: true },
  { name: 'web.enable-admin-api', help: 'enable /api/v1/admin/* (snapshot, delete_series, clean_tombstones)', type: 'bool', default: false },
  { name: 'web.enable-remote-write-receiver', help: 'accepted for compatibility; the receiver is always on at /api/v1/write', type: 'bool', default: true },
  { name: 'web.max-request-bytes', help: 'largest request body accepted', default: '67108864' },
  { name: 'storage.tsdb.path', help: 'base path for metrics storage', default: './data' },
  { name: 'storage.tsdb.retention.time', help: 'how long to retain samples (e.g. 15d); 0 = default', default: '15d' },
  { name: 'storage.tsdb.retention', help: 'deprecated alias of --storage.tsdb.retention.time' },
  { name: 'storage.tsdb.retention.size', help: 'maximum bytes of blocks to retain (e.g. 512MB); 0 = off', default: '0' },
  { name: 'storage.tsdb.wal-sync', help: 'WAL sync policy: "batch" (acknowledged once written to the OS, fdatasync every second) or "fsync" (acknowledged after fdatasync); see docs/storage.md', default: 'batch' },
  { name: 'storage.tsdb.max-exemplars', help: 'exemplars kept in memory (a ring shared by all series, logged in the WAL); 0 = exemplar storage off', default: '100000' },
  { name: 'query.timeout', help: 'maximum time a query may take', default: '2m' },
  { name: 'query.max-samples', help: 'maximum samples a single query may load into memory', default: '50000000' },
  { name: 'query.lookback-delta', help: 'how far back to look for a sample of an instant vector', default: '5m' },
  { name: 'rules.alert.resend-delay', help: 'minimum time between resends of an alert to Alertmanager', default: '1m' },
  { name: 'alertmanager.config.file', help: 'run the embedded Alertmanager with this alertmanager.yml', default: '' },
  { name: 'alertmanager.storage.path', help: 'where the embedded Alertmanager keeps silences and its notification log', default: '' },
  { name: 'log.level', help: 'only log messages at or above this level: debug, info, warn, error', default: 'info' },
  { name: 'log.format', help: 'log format: logfmt or json', default: 'logfmt' },
  { name: 'help', help: 'show this help', type: 'bool' },
  ...PROMETHEUS_ACCEPTED.map((name) => ({ name, help: 'accepted for compatibility with Prometheus; has no effect in Vigil', type: name.startsWith('!') ? ('bool' as const) : ('string' as const) })).map((f) => ({ ...f, name: f.name.replace(/^!/, '') })),
];

/** Flags of `vigil serve` that only exist so a Prometheus command line keeps working. */
export function ignoredFlagsSet(values: Record<string, unknown>): string[] {
  return PROMETHEUS_ACCEPTED.map((n) => n.replace(/^!/, '')).filter((n) => values[n] !== undefined);
}

/** Parses sizes like "512MB", "1GiB", "0" (Prometheus units: B, KB, MB, GB, TB, PB, EB; base 1024). */
export function parseBytes(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGTPE]?i?B)?$/i.exec(s.trim());
  if (!m) throw new Error(`invalid size ${JSON.stringify(s)}: want e.g. 512MB`);
  const unit = (m[2] ?? 'B').toUpperCase().replace('I', '');
  const pow = ['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'].indexOf(unit);
  if (pow < 0) throw new Error(`invalid size unit in ${JSON.stringify(s)}`);
  return Math.round(Number(m[1]) * 1024 ** pow);
}
