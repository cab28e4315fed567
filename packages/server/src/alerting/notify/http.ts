// HTTP delivery for integrations, honouring http_config (auth, TLS). Errors never include the
// URL's query string or path secrets: webhook URLs often embed tokens.
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
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
    const tlsOpts = {
      rejectUnauthorized: !tls.insecureSkipVerify,
      ca: tls.caFile ? readFileSync(tls.caFile) : undefined,
      cert: tls.certFile ? readFileSync(tls.certFile) : undefined,
      key: tls.keyFile ? readFileSync(tls.keyFile) : undefined,
      // SNI carries host names only (RFC 6066), never IP addresses.
      servername: tls.serverName || (isIP(u.hostname) ? undefined : u.hostname),
    };
    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => { if (chunks.length < 64) chunks.push(c); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 1024) }));
      res.on('error', (e) => reject(new NotifyError(`reading response from ${redactUrl(url)}: ${e.message}`, true)));
    };
    const send = (req: ClientRequest): void => {
      req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
      req.on('error', (e) => reject(new NotifyError(`${method} ${redactUrl(url)}: ${e.message}`, true)));
      req.end(body);
    };
    const proxy = cfg.proxyUrl ? new URL(cfg.proxyUrl) : undefined;
    if (proxy && !isHttps) {
      // Plain HTTP through a proxy: absolute-form request line.
      const h: Record<string, string> = { ...headers, Host: u.host };
      const pa = proxyAuth(proxy);
      if (pa) h['Proxy-Authorization'] = pa;
      send(httpRequest({ host: proxy.hostname, port: Number(proxy.port) || 80, path: u.href, method, headers: h, signal }, onResponse));
      return;
    }
    if (proxy && isHttps) {
      // HTTPS through a proxy: CONNECT tunnel, then TLS to the target inside it.
      openTunnel(proxy, u, signal).then(
        // No agent: with one, Node would ignore createConnection.
        (socket) => send(httpsRequest(u, { method, headers, signal, createConnection: () => tlsConnect({ socket, ...tlsOpts }) }, onResponse)),
        (e: Error) => reject(new NotifyError(`${method} ${redactUrl(url)} via proxy ${proxy.host}: ${e.message}`, true)),
      );
      return;
    }
    const agent = isHttps ? httpsAgent(JSON.stringify(tls), () => new HttpsAgent({ keepAlive: true, maxSockets: 32, ...tlsOpts, servername: tls.serverName })) : httpAgent;
    send((isHttps ? httpsRequest : httpRequest)(u, { method, headers, signal, agent }, onResponse));
  });
}

function proxyAuth(proxy: URL): string | undefined {
  if (!proxy.username) return undefined;
  return 'Basic ' + Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64');
}

function openTunnel(proxy: URL, target: URL, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Host: `${target.hostname}:${target.port || 443}` };
    const pa = proxyAuth(proxy);
    if (pa) headers['Proxy-Authorization'] = pa;
    const req = httpRequest({ host: proxy.hostname, port: Number(proxy.port) || 80, method: 'CONNECT', path: `${target.hostname}:${target.port || 443}`, headers, signal });
    req.setTimeout(30_000, () => req.destroy(new Error('proxy connect timeout')));
    req.on('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`proxy answered ${res.statusCode}`));
        return;
      }
      resolve(socket);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Alertmanager's default retrier: 2xx ok, 5xx retried, anything else fails for good. */
export function checkStatus(r: HttpResponse, what: string): void {
  if (r.status >= 200 && r.status < 300) return;
  throw new NotifyError(`unexpected status code ${r.status}: ${what}: ${r.body.trim()}`, r.status >= 500);
}
