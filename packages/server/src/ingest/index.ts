// Push receivers: Prometheus remote_write, OTLP/HTTP metrics, Influx line protocol,
// VictoriaMetrics JSON-lines import, Prometheus text import. See docs/ingestion.md.
import type { Router } from '../web/router.js';
import { receiverCtx, type IngestDeps } from './receiver.js';
import { remoteWriteHandler } from './remotewrite.js';
import { otlpHandler } from './otlp/handler.js';
import type { OtlpOptions } from './otlp/convert.js';
import { influxHandler } from './influx.js';
import { promImportHandler, vmImportHandler } from './vmimport.js';
import { IngestStats, type ReceiverName, type ReceiverStats } from './stats.js';

export { DEFAULT_LIMITS, type IngestLimits } from './limits.js';
export { IngestStats, type ReceiverName, type ReceiverStats } from './stats.js';
export { MemAppendable, type MemSeries } from './memappendable.js';
export { snappyCompress, snappyUncompress, snappyImplementation } from './snappy.js';
export { appendWriteRequest, REMOTE_WRITE_VERSION } from './remotewrite.js';
export type { IngestDeps } from './receiver.js';
export * as otlp from './otlp/index.js';
export { parseInfluxLine, appendInflux, influxTimestampMs, LineError, type InfluxPoint } from './influx.js';
export { appendVmJsonLines, appendPromText, extraLabels } from './vmimport.js';
export { BatchAppend, normalizeLabels } from './batch.js';

export interface IngestRoutes {
  /** Counters per receiver (requests, accepted/rejected samples, bytes). */
  stats(): Record<ReceiverName, ReceiverStats>;
  /** The same counters in Prometheus text format, for Vigil's own /metrics. */
  exposition(): string;
}

export interface IngestRouteDeps extends IngestDeps {
  /** The `otlp:` section (parseOtlpConfig); read per request, so config reloads apply. */
  otlp?: () => OtlpOptions;
}

/** Registers every push receiver on `router`. */
export function registerIngestRoutes(router: Router, deps: IngestRouteDeps): IngestRoutes {
  const stats = deps.stats ?? new IngestStats();
  const ctx = receiverCtx({ ...deps, stats });
  router.post('/api/v1/write', remoteWriteHandler(ctx));
  router.post('/api/v1/otlp/v1/metrics', otlpHandler(ctx, deps.otlp));
  router.post('/write', influxHandler(ctx, false));
  router.post('/api/v2/write', influxHandler(ctx, true));
  // Influx clients (Telegraf) probe /ping before writing.
  router.add(['GET', 'HEAD'], '/ping', (_req, res) => {
    res.writeHead(204, { 'X-Influxdb-Version': '1.8-vigil' });
    res.end();
  });
  router.post('/api/v1/import', vmImportHandler(ctx));
  router.post('/api/v1/import/prometheus', promImportHandler(ctx));
  return { stats: () => stats.snapshot(), exposition: () => stats.exposition() };
}
