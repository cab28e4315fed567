import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import {
  Registry, HttpMetrics, metricsHandler, normalizePath, DbMetrics, CacheMetrics, ActiveUsers, domainEvents, instrumentAsync,
  Histogram, Pushgateway, pushToVigil, GrpcMetrics, parseSql, Counter, OPENMETRICS_CONTENT_TYPE,
} from './index.js';

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const srv = createServer(handler);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => srv.close(() => r())) };
}

test('normalizePath replaces ids, keeps words', () => {
  assert.equal(normalizePath('/users/123/orders/550e8400-e29b-41d4-a716-446655440000?x=1'), '/users/:id/orders/:id');
  assert.equal(normalizePath('/objects/5f2b9c1e8d3a4b0012345678/v2/api'), '/objects/:id/v2/api');
  assert.equal(normalizePath('/static/app.js'), '/static/app.js');
});

test('node:http wrapper: counters, durations, in-flight, route templates, /metrics negotiation', async () => {
  const r = new Registry();
  const m = new HttpMetrics({ registry: r, routes: ['/users/:id'], maxRoutes: 3 });
  const scrape = metricsHandler(r);
  const srv = await listen(
    m.wrap((req, res) => {
      if (req.url === '/metrics') return scrape(req, res);
      res.statusCode = req.url!.startsWith('/users/') ? 200 : 404;
      res.setHeader('Content-Length', 2);
      res.end('ok');
    }),
  );
  try {
    for (const p of ['/users/1', '/users/2', '/users/3', '/nope/7', '/a', '/b', '/c']) await (await fetch(srv.url + p)).text();
    const res = await fetch(srv.url + '/metrics');
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    assert.match(text, /^http_requests_total\{method="GET",route="\/users\/:id",status="200"\} 3$/m);
    assert.match(text, /^http_requests_total\{method="GET",route="\/nope\/:id",status="404"\} 1$/m);
    assert.match(text, /^http_requests_total\{method="GET",route="<other>",status="404"\} 2$/m, 'cap on distinct routes');
    assert.match(text, /^http_request_duration_seconds_count\{method="GET",route="\/users\/:id",status="200"\} 3$/m);
    assert.match(text, /^http_response_size_bytes_sum\{method="GET",route="\/users\/:id",status="200"\} 6$/m);
    assert.match(text, /^http_requests_in_progress\{method="GET"\} 0$/m);
    assert.doesNotMatch(text, /route="\/metrics"/);
    // Big enough bodies are gzipped for clients that accept it (fetch decodes transparently).
    const { request } = await import('node:http');
    const enc = await new Promise<string | undefined>((resolve, reject) => {
      const req = request(srv.url + '/metrics', { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        res.resume();
        resolve(res.headers['content-encoding']);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(enc, 'gzip');
    const om = await fetch(srv.url + '/metrics', { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
    assert.equal(om.headers.get('content-type'), OPENMETRICS_CONTENT_TYPE);
    assert.ok((await om.text()).endsWith('# EOF\n'));
  } finally {
    await srv.close();
  }
});

test('Express-style middleware uses req.baseUrl + req.route.path; Fastify hooks use routeOptions.url', async () => {
  const r = new Registry();
  const m = new HttpMetrics({ registry: r });
  const mw = m.express();
  const srv = await listen((req, res) => {
    mw(req, res, () => {
      // What Express's router does once a route matched.
      if (req.url!.startsWith('/api/items/')) Object.assign(req, { baseUrl: '/api', route: { path: '/items/:id' } });
      res.statusCode = 201;
      res.end();
    });
  });
  try {
    await (await fetch(srv.url + '/api/items/42', { method: 'POST', body: 'abc' })).text();
    await (await fetch(srv.url + '/unknown')).text();
  } finally {
    await srv.close();
  }
  const hooks: Record<string, (...a: unknown[]) => unknown> = {};
  m.fastify({ addHook: (name: string, fn: (...a: never[]) => unknown) => (hooks[name] = fn as (...a: unknown[]) => unknown) });
  const raw = Object.assign(new EventEmitter(), { method: 'GET', url: '/v1/orders/9', headers: {} }) as unknown as IncomingMessage;
  const request = { raw, routeOptions: { url: '/v1/orders/:orderId' } };
  const reply = { raw: { statusCode: 200, headersSent: true, getHeader: () => undefined } };
  await new Promise<void>((res) => hooks.onRequest!(request, reply, res));
  await new Promise<void>((res) => hooks.onResponse!(request, reply, res));
  const text = await r.metrics();
  assert.match(text, /^http_requests_total\{method="POST",route="\/api\/items\/:id",status="201"\} 1$/m);
  assert.match(text, /^http_request_size_bytes_count\{method="POST",route="\/api\/items\/:id"\} 1$/m);
  assert.match(text, /^http_requests_total\{method="GET",route="<unmatched>",status="201"\} 1$/m);
  assert.match(text, /^http_requests_total\{method="GET",route="\/v1\/orders\/:orderId",status="200"\} 1$/m);
});

test('db: pg-like client wrapped (promise and callback), errors counted, pool gauges', async () => {
  const r = new Registry();
  const db = new DbMetrics({ registry: r });
  const client = {
    query(text: string | { text: string }, cb?: (err: unknown, res?: unknown) => void): Promise<unknown> | void {
      const sql = typeof text === 'string' ? text : text.text;
      if (cb) return void setTimeout(() => cb(null, { rows: [] }), 1);
      return sql.includes('boom') ? Promise.reject(new Error('boom')) : Promise.resolve({ rows: [1] });
    },
  };
  db.instrumentClient(client);
  await client.query('SELECT * FROM users WHERE id = $1');
  await client.query({ text: 'insert into "public"."orders" (a) values (1)' });
  await assert.rejects(Promise.resolve(client.query('update users set boom = 1')));
  await new Promise<void>((res) => client.query('DELETE FROM sessions', () => res()));
  db.observePool('main', { totalCount: 10, idleCount: 7, waitingCount: 1 });
  const text = await r.metrics();
  assert.match(text, /^db_query_duration_seconds_count\{operation="select",table="users"\} 1$/m);
  assert.match(text, /^db_query_duration_seconds_count\{operation="insert",table="public.orders"\} 1$/m);
  assert.match(text, /^db_query_duration_seconds_count\{operation="delete",table="sessions"\} 1$/m);
  assert.match(text, /^db_query_errors_total\{operation="update",table="users"\} 1$/m);
  assert.match(text, /^db_pool_connections\{pool="main",state="idle"\} 7$/m);
  assert.deepEqual(parseSql('/* hint */ WITH x AS (SELECT 1) SELECT * FROM x JOIN y'), { operation: 'select', table: 'x' });
});

test('cache: redis-like client hits/misses and hit ratio; business helpers; instrumentAsync', async () => {
  const r = new Registry();
  const cache = new CacheMetrics({ registry: r });
  const store: Record<string, string> = { a: '1' };
  const redis = {
    async get(k: string) {
      return store[k] ?? null;
    },
    async mGet(ks: string[]) {
      return ks.map((k) => store[k] ?? null);
    },
  };
  cache.instrumentClient(redis, 'sessions');
  await redis.get('a');
  await redis.get('b');
  await redis.mGet(['a', 'a', 'x']);
  await new Promise((res) => setImmediate(res));
  const users = new ActiveUsers({ registry: r, windows: [60, 3600] });
  users.seen('u1');
  users.seen('u2');
  users.seen('u1');
  const events = domainEvents({ registry: r });
  events.record('order_placed');
  events.record('order_placed', {}, 2);
  const h = new Histogram({ name: 'job_seconds', help: 'h', labelNames: ['job', 'result'], registers: [r] });
  await instrumentAsync(async () => 1, h, { job: 'x' });
  await assert.rejects(instrumentAsync(async () => Promise.reject(new Error('no')), h, { job: 'x' }));
  const text = await r.metrics();
  assert.match(text, /^cache_requests_total\{cache="sessions",result="hit"\} 3$/m);
  assert.match(text, /^cache_requests_total\{cache="sessions",result="miss"\} 2$/m);
  assert.match(text, /^cache_hit_ratio\{cache="sessions"\} 0.6$/m);
  assert.match(text, /^active_users\{window="1m"\} 2$/m);
  assert.match(text, /^domain_events_total\{event="order_placed"\} 3$/m);
  assert.match(text, /^job_seconds_count\{job="x",result="success"\} 1$/m);
  assert.match(text, /^job_seconds_count\{job="x",result="error"\} 1$/m);
});

test('push: Pushgateway paths and methods; JSON import retried after a 503', async () => {
  const seen: { method: string; url: string; body: string }[] = [];
  let failures = 1;
  const srv = await listen((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body });
      if (req.url === '/api/v1/import' && failures-- > 0) {
        res.statusCode = 503;
        return res.end('busy');
      }
      res.statusCode = req.url === '/bad/api/v1/import' ? 400 : 200;
      res.end();
    });
  });
  try {
    const r = new Registry();
    new Counter({ name: 'batch_rows_total', help: 'h', labelNames: ['table'], registers: [r] }).inc({ table: 't' }, 5);
    const gw = new Pushgateway(srv.url, { backoffMs: 10 }, r);
    await gw.push({ jobName: 'nightly', groupings: { instance: 'a/b' } });
    await gw.pushAdd({ jobName: 'nightly' });
    await gw.delete({ jobName: 'nightly' });
    assert.deepEqual(seen.map((s) => s.method + ' ' + s.url), ['PUT /metrics/job/nightly/instance/a%2Fb', 'POST /metrics/job/nightly', 'DELETE /metrics/job/nightly']);
    assert.match(seen[0]!.body, /^batch_rows_total\{table="t"\} 5$/m);
    assert.throws(() => gw.push({} as never), /jobName/);
    seen.length = 0;
    await pushToVigil({ url: srv.url, registry: r, labels: { job: 'nightly' }, backoffMs: 10, timestampMs: 1000 });
    assert.equal(seen.length, 2, 'one retry after 503');
    assert.deepEqual(JSON.parse(seen[1]!.body.trim()), { metric: { __name__: 'batch_rows_total', table: 't', job: 'nightly' }, values: [5], timestamps: [1000] });
    seen.length = 0;
    await assert.rejects(pushToVigil({ url: srv.url + '/bad', registry: r, backoffMs: 10 }), /status 400/);
    assert.equal(seen.length, 1, 'no retry on 4xx');
  } finally {
    await srv.close();
  }
});

test('gRPC: wrapped unary and server-streaming handlers use go-grpc-prometheus names and codes', async () => {
  const r = new Registry();
  const g = new GrpcMetrics({ registry: r });
  const def = {
    GetUser: { path: '/acme.Users/GetUser', requestStream: false, responseStream: false },
    ListUsers: { path: '/acme.Users/ListUsers', requestStream: false, responseStream: true },
  };
  const impl = g.wrapService(def, {
    GetUser(call: { request: { id: number } }, cb: (err: unknown, v?: unknown) => void) {
      if (call.request.id < 0) cb({ code: 5, message: 'not found' });
      else cb(null, { id: call.request.id });
    },
    ListUsers(call: EventEmitter & { write(x: unknown): boolean; end(): void }) {
      call.write({ id: 1 });
      call.write({ id: 2 });
      call.end();
    },
  } as Record<string, (...a: never[]) => unknown>);
  await new Promise<void>((res) => (impl.GetUser as unknown as (c: unknown, cb: () => void) => void)({ request: { id: 1 } }, res));
  await new Promise<void>((res) => (impl.GetUser as unknown as (c: unknown, cb: () => void) => void)({ request: { id: -1 } }, res));
  const stream = Object.assign(new EventEmitter(), { write: () => true, end(this: EventEmitter) { this.emit('finish'); } });
  (impl.ListUsers as unknown as (c: unknown) => void)(stream);
  const text = await r.metrics();
  assert.match(text, /^grpc_server_handled_total\{grpc_type="unary",grpc_service="acme.Users",grpc_method="GetUser",grpc_code="OK"\} 1$/m);
  assert.match(text, /^grpc_server_handled_total\{grpc_type="unary",grpc_service="acme.Users",grpc_method="GetUser",grpc_code="NotFound"\} 1$/m);
  assert.match(text, /^grpc_server_handled_total\{grpc_type="server_stream",grpc_service="acme.Users",grpc_method="ListUsers",grpc_code="OK"\} 1$/m);
  assert.match(text, /^grpc_server_msg_sent_total\{grpc_type="server_stream",grpc_service="acme.Users",grpc_method="ListUsers"\} 2$/m);
  assert.match(text, /^grpc_server_handling_seconds_count\{grpc_type="unary",grpc_service="acme.Users",grpc_method="GetUser"\} 2$/m);
});
