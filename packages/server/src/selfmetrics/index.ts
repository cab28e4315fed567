// Vigil's own metrics, exposed through @vigil/sdk at /metrics: process/runtime defaults, HTTP
// request metrics, and the stats() of each subsystem (TSDB, ingest, scrape, remote write, rules,
// notifications ...) read at scrape time through collect callbacks.
export { createSelfMetrics, registerSelfMetricsRoute, adoptExposition, type SelfMetrics, type SelfMetricsOptions, type StatsSpec } from './selfmetrics.js';
export { TSDB_STATS, INGEST_STATS, REMOTE_WRITE_STATS, SCRAPE_STATS } from './presets.js';
