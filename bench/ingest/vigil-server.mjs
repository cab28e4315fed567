#!/usr/bin/env node
// Child process for the ingest benchmark: Vigil's push receivers over its on-disk TSDB, nothing
// else, so /proc CPU and RSS of this process are the receiver's cost.
//   node vigil-server.mjs <listen host:port> <data dir>
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const dist = join(new URL('../../packages/server/dist/src', import.meta.url).pathname);
const imp = (p) => import(pathToFileURL(join(dist, p)).href);
const [{ Router }, { HttpServer }, { registerIngestRoutes }, { openTSDB }] = await Promise.all([
  imp('web/router.js'), imp('web/server.js'), imp('ingest/index.js'), imp('tsdb/index.js'),
]);
const [listen, dir] = process.argv.slice(2);
const db = await openTSDB({ dir, compactionIntervalMs: 0 });
const router = new Router();
const routes = registerIngestRoutes(router, { appendable: db });
router.get('/-/healthy', (_q, res) => { res.writeHead(200); res.end('ok'); });
router.get('/bench/stats', (_q, res) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify({ ingest: routes.stats(), tsdb: db.stats?.() })); });
const srv = new HttpServer({ router, maxRequestBytes: 256 << 20 });
await srv.listen(listen);
process.stdout.write('ready\n');
const stop = async () => { await srv.close(); await db.close(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
