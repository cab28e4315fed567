// HTTP delivery for integrations, honouring http_config (auth, TLS). Errors never include the
// URL's query string or path secrets: webhook URLs often embed tokens.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import type { HttpClientConfig } from '../config/index.js';
import { NotifyError } from './context.js';
import { VERSION } from '../../version.js';

export interface HttpResponse { status: number; body: string }

export const USER_AGENT = `Alertmanager/${VERSION} (Vigil)`;

/** scheme://host/… with path and query hidden, for logs and errors. */
export function redactUrl(u: string): string {
  try {
    const p = new URL(u);
    return `${p.protocol}//${p.host}/<redacted>`;
  } catch {
    return '<invalid url>';
  }
}

function readSecretFile(f: string): string {
  return readFileSync(f, 'utf8').trim();
}

export function authHeader(cfg: HttpClientConfig): string | undefined {
  if (cfg.basicAuth) {
    const pw = cfg.basicAuth.password ?? (cfg.basicAuth.passwordFile ? readSecretFile(cfg.basicAuth.passwordFile) : '');
    return 'Basic ' + Buffer.from(`${cfg.basicAuth.username}:${pw}`).toString('base64');
  }
  if (cfg.authorization) {
    const cred = cfg.authorization.credentials ?? (cfg.authorization.credentialsFile ? readSecretFile(cfg.authorization.credentialsFile) : '');
    return `${cfg.authorization.type} ${cred}`;
  }
  if (cfg.bearerToken) return `Bearer ${cfg.bearerToken}`;
  if (cfg.bearerTokenFile) return `Bearer ${readSecretFile(cfg.bearerTokenFile)}`;
  return undefined;
}

// Keep-alive agents with a bound on parallel sockets: a burst of group flushes queues on a
// few reused connections instead of opening one TCP connection per notification.
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 32 });
const httpsAgents = new Map<string, HttpsAgent>();
function httpsAgent(key: string, make: () => HttpsAgent): HttpsAgent {
  let a = httpsAgents.get(key);
  if (!a) {
    a = make();
    httpsAgents.set(key, a);
  }
  return a;
}

export function httpSend(
  method: 'GET' | 'POST',
  url: string,
  body: string | undefined,
  cfg: HttpClientConfig,
  signal: AbortSignal,
  contentType = 'application/json',
): Promise<HttpResponse> {
  return httpSendWith(method, url, body, cfg, signal, contentType, {});
}

/** Like httpSend, with any method and extra headers (they may override the defaults). */
export function httpSendWith(
  method: string,
  url: string,
  body: string | undefined,
  cfg: HttpClientConfig,
  signal: AbortSignal,
  contentType: string,
  extraHeaders: Record<string, string>,
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new NotifyError('invalid URL', false));
      return;
    }
    const headers: Record<string, string> = { 'User-Agent': USER_AGENT };
    if (body !== undefined) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const auth = authHeader(cfg);
    if (auth) headers.Authorization = auth;
    Object.assign(headers, extraHeaders);
    const isHttps = u.protocol === 'https:';
    const tls = cfg.tls;
    const agent = isHttps
      ? httpsAgent(JSON.stringify(tls), () => new HttpsAgent({
          keepAlive: true,
          maxSockets: 32,
          rejectUnauthorized: !tls.insecureSkipVerify,
          ca: tls.caFile ? readFileSync(tls.caFile) : undefined,
          cert: tls.certFile ? readFileSync(tls.certFile) : undefined,
          key: tls.keyFile ? readFileSync(tls.keyFile) : undefined,
          servername: tls.serverName,
        }))
      : httpAgent;
    const opts = { method, headers, signal, agent };
    const req = (isHttps ? httpsRequest : httpRequest)(u, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => { if (chunks.length < 64) chunks.push(c); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 1024) }));
      res.on('error', (e) => reject(new NotifyError(`reading response from ${redactUrl(url)}: ${e.message}`, true)));
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => reject(new NotifyError(`${method} ${redactUrl(url)}: ${e.message}`, true)));
    req.end(body);
  });
}

/** Alertmanager's default retrier: 2xx ok, 5xx retried, anything else fails for good. */
export function checkStatus(r: HttpResponse, what: string): void {
  if (r.status >= 200 && r.status < 300) return;
  throw new NotifyError(`unexpected status code ${r.status}: ${what}: ${r.body.trim()}`, r.status >= 500);
}
