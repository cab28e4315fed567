// What every push receiver shares: dependencies, body reading, error-to-status mapping and stats.
import type { ServerResponse } from 'node:http';
import type { Req } from '../web/router.js';
import { AppendError, type Appendable } from '../storage/interface.js';
import type { Logger } from '../util/log.js';
import { nopLogger } from '../util/log.js';
import { ProtoError } from '../protobuf/reader.js';
import { BatchAppend } from './batch.js';
import { IngestHttpError, decodeBody, readBody } from './body.js';
import { resolveLimits, type IngestLimits } from './limits.js';
import { IngestStats, type ReceiverName } from './stats.js';

export interface IngestDeps {
  appendable: Appendable;
  logger?: Logger;
  limits?: Partial<IngestLimits>;
  /** Shared counters; one is created when absent. */
  stats?: IngestStats;
}

export interface ReceiverCtx {
  readonly appendable: Appendable;
  readonly logger: Logger;
  readonly limits: IngestLimits;
  readonly stats: IngestStats;
}

export function receiverCtx(d: IngestDeps): ReceiverCtx {
  return { appendable: d.appendable, logger: d.logger ?? nopLogger, limits: resolveLimits(d.limits), stats: d.stats ?? new IngestStats() };
}

/** Reads and decompresses the body by Content-Encoding (or `forceEncoding`) within the limits. */
export async function readDecoded(ctx: ReceiverCtx, name: ReceiverName, req: Req, forceEncoding?: string): Promise<Buffer> {
  const raw = await readBody(req.raw, ctx.limits.maxBodyBytes);
  ctx.stats.byReceiver[name].bytesReceived += raw.length;
  const hdr = req.raw.headers['content-encoding'];
  return decodeBody(raw, forceEncoding ?? (Array.isArray(hdr) ? hdr[0] : hdr), ctx.limits.maxDecompressedBytes);
}

export function sendPlain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const body = text.endsWith('\n') || text === '' ? text : text + '\n';
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** Maps an error to a status: IngestHttpError keeps its own, bad wire data is 400, the rest 500. */
export function errorStatus(e: unknown): { status: number; message: string } {
  if (e instanceof IngestHttpError) return { status: e.status, message: e.message };
  if (e instanceof ProtoError) return { status: 400, message: `invalid protobuf: ${e.message}` };
  // storage refusing the whole commit (disk full, closed): retryable, like Prometheus's 5xx
  if (e instanceof AppendError && e.kind === 'storage_full') return { status: 503, message: e.message };
  return { status: 500, message: e instanceof Error ? e.message : String(e) };
}

/** Runs one request's appends in a fresh appender, committing what was valid. */
export async function withBatch(ctx: ReceiverCtx, fn: (b: BatchAppend) => void): Promise<BatchAppend> {
  const app = ctx.appendable.appender();
  const b = new BatchAppend(app, ctx.limits.maxReportedErrors);
  try {
    fn(b);
  } catch (e) {
    app.rollback();
    throw e;
  }
  await app.commit();
  return b;
}

export function countBatch(ctx: ReceiverCtx, name: ReceiverName, b: BatchAppend): void {
  const s = ctx.stats.byReceiver[name];
  s.samplesAccepted += b.accepted;
  s.samplesRejected += b.rejected;
  s.exemplarsAccepted += b.exemplarsAccepted;
  s.exemplarsRejected += b.exemplarsRejected;
  s.metadataReceived += b.metadata;
  if (b.errorCount > 0) ctx.logger.warn('push request had rejected samples', { receiver: name, rejected: b.rejected, accepted: b.accepted, first_error: b.errors[0] });
}

/** Status for a finished batch: 204 all good, 400 bad data, 507-ish storage full mapped to 503. */
export function batchStatus(b: BatchAppend): number {
  if (b.badData) return 400;
  if (b.storageFull) return 503;
  return 204;
}

/** Wraps a handler: counts requests and failures, turns thrown errors into plain-text answers. */
export function receiverHandler(ctx: ReceiverCtx, name: ReceiverName, fn: (req: Req, res: ServerResponse) => Promise<void>) {
  return async (req: Req, res: ServerResponse): Promise<void> => {
    const s = ctx.stats.byReceiver[name];
    s.requests++;
    try {
      await fn(req, res);
      if (res.statusCode >= 400) s.failedRequests++;
    } catch (e) {
      s.failedRequests++;
      const { status, message } = errorStatus(e);
      if (status >= 500) ctx.logger.error('push request failed', { receiver: name, err: message });
      else ctx.logger.debug('push request rejected', { receiver: name, status, err: message });
      sendPlain(res, status, message);
    }
  };
}
