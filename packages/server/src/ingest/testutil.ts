// Test helpers: an HTTP server with the ingest routes over an in-memory store.
import { HttpServer } from '../web/server.js';
import { Router } from '../web/router.js';
import type { Appendable } from '../storage/interface.js';
import { registerIngestRoutes, type IngestRoutes } from './index.js';
import type { IngestLimits } from './limits.js';

export async function startIngestServer(appendable: Appendable, limits?: Partial<IngestLimits>): Promise<{ base: string; routes: IngestRoutes; close(): Promise<void> }> {
  const router = new Router();
  const routes = registerIngestRoutes(router, { appendable, limits });
  const srv = new HttpServer({ router, maxRequestBytes: 256 << 20 });
  const a = await srv.listen('127.0.0.1:0');
  return { base: `http://127.0.0.1:${a.port}`, routes, close: () => srv.close() };
}
