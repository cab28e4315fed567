// HTTP client for remote_write: one keep-alive agent per endpoint, TLS and auth from the config,
// credentials files re-read on each request (so rotated secrets apply without a reload).
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { VERSION } from '../../version.js';
import type { RemoteWriteConfig } from './config.js';

export interface SendResult {
  status: number;
  /** First bytes of the response body (for error messages). */
  body: string;
  /** Retry-After in ms, when the server sent one. */
  retryAfterMs?: number;
}

export interface RemoteClient {
  send(payload: Uint8Array, signal?: AbortSignal): Promise<SendResult>;
  close(): void;
}

function retryAfter(h: string | undefined): number | undefined {
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const d = Date.parse(h);
  return Number.isNaN(d) ? undefined : Math.max(0, d - Date.now());
}

export function newRemoteClient(cfg: RemoteWriteConfig): RemoteClient {
  const url = new URL(cfg.url);
  const isHttps = url.protocol === 'https:';
  const t = cfg.tls;
  const agent = isHttps
    ? new https.Agent({
        keepAlive: true,
        ca: t.caFile ? readFileSync(t.caFile) : undefined,
        cert: t.certFile ? readFileSync(t.certFile) : undefined,
        key: t.keyFile ? readFileSync(t.keyFile) : undefined,
        servername: t.serverName,
        rejectUnauthorized: !t.insecureSkipVerify,
        minVersion: t.minVersion ? (('TLSv1' + (t.minVersion === 'TLS10' ? '' : '.' + t.minVersion.slice(4))) as 'TLSv1.2') : undefined,
      })
    : new http.Agent({ keepAlive: true });

  const authHeader = (): string | undefined => {
    if (cfg.basicAuth) {
      const pw = cfg.basicAuth.passwordFile ? readFileSync(cfg.basicAuth.passwordFile, 'utf8').trim() : (cfg.basicAuth.password ?? '');
      return 'Basic ' + Buffer.from(`${cfg.basicAuth.username}:${pw}`).toString('base64');
    }
    if (cfg.authorization) {
      const c = cfg.authorization.credentialsFile ? readFileSync(cfg.authorization.credentialsFile, 'utf8').trim() : (cfg.authorization.credentials ?? '');
      return `${cfg.authorization.type} ${c}`;
    }
    return undefined;
  };

  return {
    send(payload, signal) {
      return new Promise<SendResult>((resolve, reject) => {
        const headers: Record<string, string | number> = {
          ...cfg.headers,
          'Content-Encoding': 'snappy',
          'Content-Type': 'application/x-protobuf',
          'User-Agent': `Vigil/${VERSION}`,
          'X-Prometheus-Remote-Write-Version': '0.1.0',
          'Content-Length': payload.length,
        };
        let auth: string | undefined;
        try {
          auth = authHeader();
        } catch (e) {
          reject(new Error(`reading credentials: ${(e as Error).message}`));
          return;
        }
        if (auth) headers.Authorization = auth;
        const req = (isHttps ? https : http).request(url, { method: 'POST', agent, headers, timeout: cfg.remoteTimeoutMs, signal }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            if (body.length < 1024) body += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.slice(0, 1024).trim(), retryAfterMs: retryAfter(res.headers['retry-after']) }));
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`remote write request timed out after ${cfg.remoteTimeoutMs}ms`)));
        req.on('error', reject);
        req.end(payload);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
