// A small HTTP router: modules register handlers on paths with :params and a trailing *.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Req {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: Record<string, string>;
  readonly raw: IncomingMessage;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
  /** The request body, bounded by the server's size limit (413 beyond it). */
  body(): Promise<Buffer>;
  /** Query string merged with an application/x-www-form-urlencoded body (Prometheus API style). */
  form(): Promise<URLSearchParams>;
}

export type Handler = (req: Req, res: ServerResponse) => unknown;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export class Router {
  private routes: Route[] = [];

  add(method: string | string[], pattern: string, handler: Handler): this {
    for (const m of Array.isArray(method) ? method : [method]) {
      this.routes.push({ method: m.toUpperCase(), parts: pattern.split('/').filter(Boolean), handler });
    }
    return this;
  }
  get(p: string, h: Handler): this {
    return this.add(['GET', 'HEAD'], p, h);
  }
  post(p: string, h: Handler): this {
    return this.add('POST', p, h);
  }
  put(p: string, h: Handler): this {
    return this.add('PUT', p, h);
  }
  delete(p: string, h: Handler): this {
    return this.add('DELETE', p, h);
  }

  /** Finds a route; `allowed` lists methods that match the path when none match the method. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string>; pattern: string } | { allowed: string[] } | null {
    const segs = path.split('/').filter(Boolean);
    const allowed: string[] = [];
    for (const r of this.routes) {
      const params = matchParts(r.parts, segs);
      if (!params) continue;
      if (r.method === method) return { handler: r.handler, params, pattern: '/' + r.parts.join('/') };
      allowed.push(r.method);
    }
    return allowed.length ? { allowed } : null;
  }
}

function matchParts(parts: string[], segs: string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p === '*') {
      params['*'] = segs.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    const s = segs[i];
    if (s === undefined) return null;
    if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(s);
    else if (p !== s) return null;
  }
  return segs.length === parts.length ? params : null;
}

/** Writes a body, gzip-compressed when the client accepts it and it is worth it. */
export function sendBody(res: ServerResponse, status: number, body: string | Buffer, contentType: string): void {
  const headers: Record<string, string | number> = { 'Content-Type': contentType };
  let buf = typeof body === 'string' ? Buffer.from(body) : body;
  const ae = res.req?.headers['accept-encoding'];
  if (buf.length > 1024 && typeof ae === 'string' && /\bgzip\b/.test(ae) && !res.hasHeader('Content-Encoding')) {
    buf = gzipSync(buf, { level: 1 });
    headers['Content-Encoding'] = 'gzip';
    headers['Vary'] = 'Accept-Encoding';
  }
  headers['Content-Length'] = buf.length;
  res.writeHead(status, headers);
  res.end(res.req?.method === 'HEAD' ? undefined : buf);
}

export function sendJSON(res: ServerResponse, status: number, body: unknown): void {
  sendBody(res, status, JSON.stringify(body), 'application/json');
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  sendBody(res, status, text, contentType);
}

/** Prometheus API v1 envelope: {"status":"success","data":...}. */
export function apiSuccess(res: ServerResponse, data: unknown, warnings?: string[], infos?: string[]): void {
  const body: Record<string, unknown> = { status: 'success', data };
  if (warnings?.length) body.warnings = warnings;
  if (infos?.length) body.infos = infos;
  sendJSON(res, 200, body);
}

export type ApiErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal' | 'not_found' | 'unavailable';

const STATUS: Record<ApiErrorType, number> = {
  bad_data: 400,
  execution: 422,
  timeout: 503,
  canceled: 499,
  internal: 500,
  not_found: 404,
  unavailable: 503,
};

/** Prometheus API v1 error envelope with the status code Prometheus uses for the error type. */
export function apiError(res: ServerResponse, errorType: ApiErrorType, error: string, status = STATUS[errorType]): void {
  sendJSON(res, status, { status: 'error', errorType, error });
}
