// HTTP instrumentation for node:http, Express and Fastify, without depending on any of them.
// Labels use route templates ("/users/:id"), never raw paths, so ids cannot blow up cardinality.
import type { IncomingMessage, ServerResponse, RequestListener } from 'node:http';
import { gzip } from 'node:zlib';
import { Counter, type CounterChild } from './counter.js';
import { Gauge, type GaugeChild } from './gauge.js';
import { Histogram, type HistogramChild } from './histogram.js';
import { globalRegistry, negotiate, type Registry } from './registry.js';
import { exponentialBuckets } from './buckets.js';

export interface HttpMetricsOptions {
  registry?: Registry;
  /** Prepended to metric names (default ''). */
  prefix?: string;
  /** Duration buckets in seconds. */
  buckets?: number[];
  /** Size buckets in bytes (default 100 B .. ~100 MB). */
  sizeBuckets?: number[];
  /** Route templates to match raw paths against (node:http), e.g. ["/users/:id", "/files/*"]. */
  routes?: string[];
  /** Custom route resolver; return undefined to fall back to the built-in logic. */
  route?: (req: IncomingMessage) => string | undefined;
  /** Replace id-like path segments (numbers, UUIDs, hex, long tokens) with ":id" (default true). */
  normalizePaths?: boolean;
  /** At most this many distinct routes; later ones are reported as "<other>" (default 200). */
  maxRoutes?: number;
  /** Paths not measured (default ["/metrics"]). */
  exclude?: string[];
}


interface Bundle {
  requests: CounterChild;
  duration: HistogramChild;
  requestSize: HistogramChild;
  responseSize: HistogramChild | undefined;
}

const UNMATCHED = '<unmatched>';
const OTHER = '<other>';
const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{12,}|[A-Za-z0-9_-]{20,})$/i;

/** "/users/123/orders/9f8e..." -> "/users/:id/orders/:id" */
export function normalizePath(path: string): string {
  const q = path.indexOf('?');
  const p = q >= 0 ? path.slice(0, q) : path;
  if (!/\d/.test(p)) return p;
  return p
    .split('/')
    .map((s) => (s !== '' && ID_SEGMENT.test(s) && /\d/.test(s) ? ':id' : s))
    .join('/');
}

type Matcher = { template: string; re: RegExp };

function compileRoute(template: string): Matcher {
  const re = template
    .split('/')
    .map((seg) => (seg === '*' ? '.*' : seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return { template, re: new RegExp('^' + re + '/?$') };
}

export class HttpMetrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route' | 'status'>;
  readonly inProgress: Gauge<'method'>;
  readonly requestSize: Histogram<'method' | 'route'>;
  readonly responseSize: Histogram<'method' | 'route' | 'status'>;
  private readonly matchers: Matcher[];
  private readonly seen = new Set<string>();
  private readonly maxRoutes: number;
  private readonly exclude: Set<string>;

  constructor(private readonly opts: HttpMetricsOptions = {}) {
    const registers = [opts.registry ?? globalRegistry];
    const p = opts.prefix ?? '';
    this.requests = new Counter({ name: p + 'http_requests_total', help: 'HTTP requests handled, by method, route template and status code.', labelNames: ['method', 'route', 'status'], registers });
    this.duration = new Histogram({
      name: p + 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds, from request start to response end.',
      labelNames: ['method', 'route', 'status'],
      buckets: opts.buckets,
      registers,
    });
    this.inProgress = new Gauge({ name: p + 'http_requests_in_progress', help: 'HTTP requests being handled.', labelNames: ['method'], registers });
    const sizeBuckets = opts.sizeBuckets ?? exponentialBuckets(100, 10, 7);
    this.requestSize = new Histogram({ name: p + 'http_request_size_bytes', help: 'HTTP request body size (Content-Length).', labelNames: ['method', 'route'], buckets: sizeBuckets, registers });
    this.responseSize = new Histogram({
      name: p + 'http_response_size_bytes',
      help: 'HTTP response body size (Content-Length when set).',
      labelNames: ['method', 'route', 'status'],
      buckets: sizeBuckets,
      registers,
    });
    this.matchers = (opts.routes ?? []).map(compileRoute);
    this.maxRoutes = opts.maxRoutes ?? 200;
    this.exclude = new Set(opts.exclude ?? ['/metrics']);
  }

  /** The route label for a request: framework route, configured templates, or a normalised path. */
  routeOf(req: IncomingMessage, framework?: string): string {
    let r = framework ?? this.opts.route?.(req);
    if (r === undefined) {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q >= 0 ? url.slice(0, q) : url;
      for (const m of this.matchers) {
        if (m.re.test(path)) {
          r = m.template;
          break;
        }
      }
      if (r === undefined) r = this.opts.normalizePaths === false ? path : normalizePath(path);
    }
    if (!this.seen.has(r)) {
      if (this.seen.size >= this.maxRoutes) return OTHER;
      this.seen.add(r);
    }
    return r;
  }

  private skip(req: IncomingMessage): boolean {
    if (this.exclude.size === 0) return false;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    return this.exclude.has(q >= 0 ? url.slice(0, q) : url);
  }

  private readonly inProg = new Map<string, GaugeChild>();

  /** Starts measuring a request; `done(res, route)` records it (call once, when the response ends). */
  begin(req: IncomingMessage): (res: ServerResponse, route: string | undefined) => void {
    const method = req.method ?? 'GET';
    const start = performance.now();
    let inProg = this.inProg.get(method);
    if (inProg === undefined) this.inProg.set(method, (inProg = this.inProgress.labels({ method })));
    inProg.inc();
    let finished = false;
    return (res, route) => {
      if (finished) return;
      finished = true;
      inProg.dec();
      this.record(req, res, method, this.routeOf(req, route), start);
    };
  }

  private record(req: IncomingMessage, res: ServerResponse, method: string, route: string, start: number): void {
    // A response closed before it finished was aborted by the client: reported as 499, as nginx does.
    const status = res.writableFinished === false && res.headersSent === false && res.destroyed ? 499 : res.statusCode;
    const b = this.bundle(method, route, status);
    b.requests.inc();
    b.duration.observe((performance.now() - start) / 1000);
    const reqLen = req.headers['content-length'];
    if (reqLen !== undefined) b.requestSize.observe(Number(reqLen) || 0);
    const resLen = res.getHeader('content-length');
    if (resLen !== undefined) (b.responseSize ??= this.responseSize.labels({ method, route, status })).observe(Number(resLen) || 0);
  }

  /** The series of one method/route/status, found with one walk of small maps instead of four label lookups. */
  private bundle(method: string, route: string, status: number): Bundle {
    let byRoute = this.bundles.get(method);
    if (byRoute === undefined) this.bundles.set(method, (byRoute = new Map()));
    let byStatus = byRoute.get(route);
    if (byStatus === undefined) byRoute.set(route, (byStatus = new Map()));
    let b = byStatus.get(status);
    if (b === undefined) {
      const labels = { method, route, status };
      b = {
        requests: this.requests.labels(labels),
        duration: this.duration.labels(labels),
        requestSize: this.requestSize.labels({ method, route }),
        responseSize: undefined,
      };
      byStatus.set(status, b);
    }
    return b;
  }

  private readonly bundles = new Map<string, Map<string, Map<number, Bundle>>>();

  /** Wraps a node:http request listener. */
  wrap(listener: RequestListener): RequestListener {
    return (req, res) => {
      if (!this.skip(req)) {
        const done = this.begin(req);
        // 'close' follows 'finish' for completed responses and also fires for aborted ones.
        res.once('close', () => done(res, undefined));
      }
      return listener(req, res);
    };
  }

  /** Express middleware: `app.use(http.express())` before the routes. */
  express(): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
    return (req, res, next) => {
      if (this.skip(req)) return next();
      const done = this.begin(req);
      const end = () => {
        const x = req as IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };
        const p = x.route?.path;
        done(res, typeof p === 'string' ? (x.baseUrl ?? '') + p : p instanceof RegExp ? (x.baseUrl ?? '') + String(p) : UNMATCHED);
      };
      res.once('close', end);
      next();
    };
  }

  /**
   * Fastify: `http.fastify(app)` adds onRequest/onResponse hooks. The route is the matched
   * route's URL template (request.routeOptions.url, or routerPath on older versions).
   */
  fastify(app: FastifyLike): void {
    const key = Symbol('vigil.http');
    app.addHook('onRequest', (request: FastifyRequestLike, _reply: unknown, next?: () => void) => {
      if (!this.skip(request.raw)) (request as unknown as Record<symbol, unknown>)[key] = this.begin(request.raw);
      if (next) next();
      else return Promise.resolve();
    });
    app.addHook('onResponse', (request: FastifyRequestLike, reply: { raw: ServerResponse }, next?: () => void) => {
      const done = (request as unknown as Record<symbol, unknown>)[key] as ReturnType<HttpMetrics['begin']> | undefined;
      const tmpl = request.routeOptions?.url ?? request.routerPath;
      done?.(reply.raw, tmpl ?? UNMATCHED);
      if (next) next();
      else return Promise.resolve();
    });
  }
}

export interface FastifyRequestLike {
  raw: IncomingMessage;
  routeOptions?: { url?: string };
  routerPath?: string;
}
export interface FastifyLike {
  addHook(name: string, fn: (...args: never[]) => unknown): unknown;
}

export interface MetricsHandlerOptions {
  /** gzip bodies above this many bytes when the client accepts it (default 4096; false = never). */
  gzipAbove?: number | false;
}

/**
 * A `/metrics` handler (node:http, Express or any (req, res) framework): Prometheus text or
 * OpenMetrics by the Accept header, gzip when the scraper accepts it (Prometheus does).
 */
export function metricsHandler(registry: Registry = globalRegistry, opts: MetricsHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const gzipAbove = opts.gzipAbove ?? 4096;
  return (req, res) => {
    const ct = negotiate(req.headers.accept);
    registry.metrics(ct).then(
      (text) => {
        res.statusCode = 200;
        res.setHeader('Content-Type', ct);
        res.setHeader('Vary', 'Accept, Accept-Encoding');
        const body = Buffer.from(text);
        if (gzipAbove !== false && body.length > gzipAbove && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
          gzip(body, (err, z) => {
            if (err) {
              res.setHeader('Content-Length', body.length);
              return void res.end(req.method === 'HEAD' ? undefined : body);
            }
            res.setHeader('Content-Encoding', 'gzip');
            res.setHeader('Content-Length', z.length);
            res.end(req.method === 'HEAD' ? undefined : z);
          });
          return;
        }
        res.setHeader('Content-Length', body.length);
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        res.statusCode = 500;
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.end(`error collecting metrics: ${err instanceof Error ? err.message : String(err)}\n`);
      },
    );
  };
}

