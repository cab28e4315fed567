// The HTTP(S) server: listen address parsing, auth, request size limits, per-request abort
// signals, and error containment (a failing handler answers 500; the process keeps serving).
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { HttpError, Router, apiError, sendText, type Req } from './router.js';
import { Authenticator, emptyWebConfig, type WebConfig } from './webconfig.js';
import type { Logger } from '../util/log.js';
import { nopLogger } from '../util/log.js';

export interface HttpServerOptions {
  router: Router;
  webConfig?: WebConfig;
  /** Largest request body accepted, in bytes (413 beyond). */
  maxRequestBytes?: number;
  /** Paths served without authentication (e.g. health checks). */
  publicPaths?: string[];
  logger?: Logger;
  /** Called as a request starts; the returned function is called once it ends, with the route pattern. */
  instrument?: (req: http.IncomingMessage) => (res: http.ServerResponse, route: string | undefined) => void;
}

/** Parses "host:port", ":port" (all interfaces), "[::1]:port". */
export function parseListenAddress(addr: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!m) throw new Error(`invalid listen address ${JSON.stringify(addr)}: want host:port`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`invalid port in listen address ${JSON.stringify(addr)}`);
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port };
}

export class HttpServer {
  private server: http.Server;
  private auth: Authenticator;
  private readonly maxBytes: number;
  private readonly log: Logger;
  private webConfig: WebConfig;

  constructor(private readonly opts: HttpServerOptions) {
    this.webConfig = opts.webConfig ?? emptyWebConfig();
    this.auth = new Authenticator(this.webConfig);
    this.maxBytes = opts.maxRequestBytes ?? 64 * 1024 * 1024;
    this.log = opts.logger ?? nopLogger;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    const tls = this.webConfig.tls;
    this.server = tls
      ? https.createServer(
          {
            cert: tls.cert,
            key: tls.key,
            ca: tls.ca,
            minVersion: tls.minVersion,
            requestCert: tls.clientAuth !== 'NoClientCert',
            rejectUnauthorized: tls.clientAuth === 'RequireAndVerifyClientCert',
          },
          handler,
        )
      : http.createServer(handler);
    this.server.headersTimeout = 60_000;
    this.server.requestTimeout = 0; // long queries are bounded by --query.timeout instead
  }

  get tls(): boolean {
    return !!this.webConfig.tls;
  }

  async listen(address: string): Promise<AddressInfo> {
    const { host, port } = parseListenAddress(address);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections?.();
    });
  }

  private async handle(raw: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(raw.url ?? '/', 'http://x');
    let route: string | undefined;
    const done = this.opts.instrument?.(raw);
    if (done) res.once('close', () => done(res, route));
    const method = raw.method ?? 'GET';
    for (const [k, v] of Object.entries(this.webConfig.headers)) res.setHeader(k, v);
    if (!this.opts.publicPaths?.includes(url.pathname) && !this.auth.check(raw.headers.authorization)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="vigil"');
      sendText(res, 401, 'Unauthorized\n');
      raw.resume();
      return;
    }
    const ac = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) ac.abort(new Error('client went away'));
    });
    let bodyP: Promise<Buffer> | undefined;
    const body = () => (bodyP ??= readBody(raw, this.maxBytes));
    let formP: Promise<URLSearchParams> | undefined;
    const req: Req = {
      method,
      path: url.pathname,
      query: url.searchParams,
      params: {},
      raw,
      signal: ac.signal,
      body,
      form: () =>
        (formP ??= (async () => {
          const merged = new URLSearchParams(url.searchParams);
          const ct = raw.headers['content-type'] ?? '';
          if (method === 'POST' && ct.startsWith('application/x-www-form-urlencoded')) {
            for (const [k, v] of new URLSearchParams((await body()).toString('utf8'))) merged.append(k, v);
          }
          return merged;
        })()),
    };
    const found = this.opts.router.match(method, url.pathname);
    try {
      if (!found) throw new HttpError(404, `404 page not found`);
      if ('allowed' in found) {
        res.setHeader('Allow', [...new Set(found.allowed)].join(', '));
        throw new HttpError(405, `method ${method} not allowed`);
      }
      Object.assign(req.params, found.params);
      route = found.pattern;
      await found.handler(req, res);
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof HttpError) {
        if (url.pathname.startsWith('/api/v1/')) apiError(res, e.status === 413 || e.status < 500 ? 'bad_data' : 'internal', e.message, e.status);
        else sendText(res, e.status, e.message + '\n');
      } else {
        this.log.error('request failed', { path: url.pathname, err: e as Error });
        if (url.pathname.startsWith('/api/v1/')) apiError(res, 'internal', (e as Error).message ?? String(e));
        else sendText(res, 500, 'internal error\n');
      }
    }
    if (!bodyP && !raw.complete) raw.resume();
  }
}

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? -1);
    if (declared > max) {
      req.resume();
      reject(new HttpError(413, `request body of ${declared} bytes exceeds the limit of ${max} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, `request body exceeds the limit of ${max} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
