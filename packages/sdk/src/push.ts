// Push for batch jobs: a prom-client-compatible Pushgateway client and a client for Vigil's
// (VictoriaMetrics-compatible) JSON import, both with retries and backoff.
import { gzipSync } from 'node:zlib';
import { globalRegistry, PROMETHEUS_CONTENT_TYPE, type Registry } from './registry.js';

export interface RetryOptions {
  /** Attempts in total (default 3). */
  attempts?: number;
  /** First backoff delay in ms, doubled each retry (default 200). */
  backoffMs?: number;
  /** Per-request timeout in ms (default 10000). */
  timeoutMs?: number;
}

export interface PushResult {
  status: number;
  body: string;
}

export async function sendWithRetry(url: string, init: RequestInit, retry: RetryOptions): Promise<PushResult> {
  const attempts = Math.max(1, retry.attempts ?? 3);
  let delay = retry.backoffMs ?? 200;
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) {
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(retry.timeoutMs ?? 10_000) });
      const body = await res.text();
      if (res.status < 400) return { status: res.status, body };
      last = new Error(`push to ${url} failed with status ${res.status}: ${body.trim()}`);
      if (res.status < 500 && res.status !== 429) break; // the request itself is wrong: retrying cannot help
    } catch (e) {
      last = e;
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}

export interface PushgatewayParams {
  jobName: string;
  groupings?: Record<string, string>;
}

export interface PushgatewayOptions extends RetryOptions {
  headers?: Record<string, string>;
  requireJobName?: boolean;
  /** prom-client's request option: timeout in ms (same as timeoutMs). */
  timeout?: number;
}

/** Pushgateway client with prom-client's API: push (PUT), pushAdd (POST), delete. */
export class Pushgateway {
  constructor(
    private readonly gatewayUrl: string,
    private readonly options: PushgatewayOptions = {},
    private readonly registry: Registry = globalRegistry,
  ) {}

  private url(params: Partial<PushgatewayParams>): string {
    if (this.options.requireJobName !== false && !params.jobName) throw new Error('Missing jobName parameter');
    const base = this.gatewayUrl.replace(/\/+$/, '');
    let path = '/metrics';
    if (params.jobName) {
      path += '/job/' + encodeURIComponent(params.jobName);
      for (const [k, v] of Object.entries(params.groupings ?? {})) path += '/' + encodeURIComponent(k) + '/' + encodeURIComponent(v);
    }
    return base + path;
  }

  /** Throws synchronously on a missing jobName, like prom-client. */
  private use(method: string, params: Partial<PushgatewayParams>): Promise<PushResult> {
    return this.send(method, this.url(params));
  }

  private async send(method: string, url: string): Promise<PushResult> {
    const headers: Record<string, string> = { ...this.options.headers };
    let body: string | Buffer | undefined;
    if (method !== 'DELETE') {
      const text = await this.registry.metrics(PROMETHEUS_CONTENT_TYPE);
      headers['Content-Type'] = PROMETHEUS_CONTENT_TYPE;
      body = headers['Content-Encoding'] === 'gzip' ? gzipSync(text) : text;
    } else delete headers['Content-Encoding'];
    return sendWithRetry(url, { method, headers, body }, { ...this.options, timeoutMs: this.options.timeoutMs ?? this.options.timeout });
  }

  push(params: PushgatewayParams): Promise<PushResult> {
    return this.use('PUT', params);
  }
  pushAdd(params: PushgatewayParams): Promise<PushResult> {
    return this.use('POST', params);
  }
  delete(params: PushgatewayParams): Promise<PushResult> {
    return this.use('DELETE', params);
  }
}

export interface VigilPushOptions extends RetryOptions {
  /** Base URL of Vigil (or any VictoriaMetrics-compatible /api/v1/import), e.g. http://vigil:9090 */
  url: string;
  registry?: Registry;
  /** Labels added to every series (e.g. {job: "nightly-export"}). */
  labels?: Record<string, string>;
  headers?: Record<string, string>;
  /** Sample timestamp in ms (default now). */
  timestampMs?: number;
}

/**
 * Builds the JSON-lines body for /api/v1/import: one {"metric","values","timestamps"} object
 * per series. Non-finite values (NaN, ±Inf) cannot be written in JSON and are skipped.
 */
export async function importBody(registry: Registry, labels: Record<string, string> = {}, timestampMs = Date.now()): Promise<string> {
  const lines: string[] = [];
  for (const m of await registry.getMetricsAsJSON()) {
    for (const v of m.values) {
      if (!Number.isFinite(v.value)) continue;
      const name = v.metricName ?? m.name;
      const metric: Record<string, string> = { __name__: name };
      for (const [k, x] of Object.entries(v.labels)) metric[k] = String(x);
      Object.assign(metric, labels);
      lines.push(JSON.stringify({ metric, values: [v.value], timestamps: [timestampMs] }));
    }
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

/** Pushes the registry's current values to Vigil's JSON import, retrying on 5xx/429/network errors. */
export async function pushToVigil(opts: VigilPushOptions): Promise<PushResult> {
  const body = await importBody(opts.registry ?? globalRegistry, opts.labels, opts.timestampMs);
  const url = opts.url.replace(/\/+$/, '') + '/api/v1/import';
  return sendWithRetry(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...opts.headers }, body }, opts);
}
