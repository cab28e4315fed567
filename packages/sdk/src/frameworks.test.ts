// The HTTP middleware inside real Express and Fastify apps (dev dependencies), on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { HttpMetrics, Registry, metricsHandler, negotiate } from './index.js';

const require = createRequire(import.meta.url);
function load(name: string): unknown {
  try {
    return require(name);
  } catch {
    return undefined;
  }
}
// Loosely typed on purpose: the SDK does not depend on either framework's types.
type Loose = (...a: unknown[]) => Loose & Record<string, Loose>;
const express = load('express') as Loose | undefined;
const fastify = load('fastify') as Loose | undefined;

test('Express: route templates from nested routers, 404s as <unmatched>, /metrics', { skip: express ? false : 'express not installed' }, async () => {
  const r = new Registry();
  const m = new HttpMetrics({ registry: r });
  const app = express!();
  app.use(m.express());
  const api = (express as unknown as { Router: () => Loose & Record<string, Loose> }).Router();
  api.get('/items/:id', (_req: unknown, res: { json(v: unknown): void }) => res.json({ ok: true }));
  api.post('/items', (_req: unknown, res: { status(n: number): { end(): void } }) => res.status(201).end());
  app.use('/api', api);
  app.get('/metrics', metricsHandler(r));
  const srv = (await new Promise((res) => {
    const s: unknown = app.listen(0, "127.0.0.1", () => res(s as Server));
  })) as Server;
  const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  try {
    for (const id of [1, 2, 3]) await (await fetch(`${base}/api/items/${id}`)).text();
    await (await fetch(`${base}/api/items`, { method: 'POST', body: 'x' })).text();
    await (await fetch(`${base}/nothing/here/42`)).text();
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /^http_requests_total\{method="GET",route="\/api\/items\/:id",status="200"\} 3$/m);
    assert.match(text, /^http_requests_total\{method="POST",route="\/api\/items",status="201"\} 1$/m);
    assert.match(text, /^http_requests_total\{method="GET",route="<unmatched>",status="404"\} 1$/m);
    assert.match(text, /^http_request_duration_seconds_count\{method="GET",route="\/api\/items\/:id",status="200"\} 3$/m);
  } finally {
    await new Promise<void>((res) => srv.close(() => res()));
  }
});

test('Fastify: hooks use the route URL template; 404s as <unmatched>', { skip: fastify ? false : 'fastify not installed' }, async () => {
  const r = new Registry();
  const m = new HttpMetrics({ registry: r });
  const app = fastify!() as unknown as {
    get(p: string, h: (req: { headers: Record<string, string> }, reply: { type(t: string): void }) => unknown): void;
    listen(o: { port: number; host: string }): Promise<string>;
    close(): Promise<void>;
  };
  m.fastify(app as never);
  app.get('/users/:id', async () => ({ ok: true }));
  app.get('/metrics', async (req, reply) => {
    const ct = negotiate(req.headers.accept);
    reply.type(ct);
    return r.metrics(ct);
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    for (const id of [7, 8]) await (await fetch(`${base}/users/${id}`)).text();
    await (await fetch(`${base}/missing`)).text();
    const res = await fetch(`${base}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
    const text = await res.text();
    assert.match(res.headers.get('content-type') ?? '', /openmetrics/);
    assert.match(text, /^http_requests_total\{method="GET",route="\/users\/:id",status="200"\} 2$/m);
    assert.match(text, /^http_requests_total\{method="GET",route="<unmatched>",status="404"\} 1$/m);
  } finally {
    await app.close();
  }
});
