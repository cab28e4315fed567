// Fetches one target's exposition: auth, TLS, gzip, redirects, a body size limit and a timeout,
// with Prometheus's request headers and error wording.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { gunzip, gunzipSync } from 'node:zlib';
import { VERSION } from '../version.js';
import { SCRAPE_ACCEPT_HEADER } from '../textparse/index.js';
import type { HTTPClientConfig } from './config.js';

export interface ScrapeResponse {
  body: Buffer;
  contentType: string;
}

class DeadlineError extends Error {
  constructor() {
    super('scrape timeout');
  }
}

export class ScrapeHTTPError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScrapeHTTPError';
  }
}

const STATUS_TEXT = http.STATUS_CODES;
/** Compressed bodies up to this size are inflated on the main thread. */
const SYNC_GUNZIP_MAX = 1024 * 1024;

function readSecretFile(path: string): string {
  return readFileSync(path, 'utf8').trim();
}

export class HTTPScraper {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly httpsAgent: https.Agent;

  constructor(
    private readonly cfg: HTTPClientConfig,
    private readonly bodySizeLimit = 0,
    private readonly accept = SCRAPE_ACCEPT_HEADER,
    private readonly compression = true,
  ) {
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 4 });
  }

  private headers(timeoutMs: number): Record<string, string> {
    const h: Record<string, string> = {
      Accept: this.accept,
      'Accept-Encoding': this.compression ? 'gzip' : 'identity',
      'User-Agent': `Vigil/${VERSION}`,
      'X-Prometheus-Scrape-Timeout-Seconds': String(timeoutMs / 1000),
      ...this.cfg.headers,
    };
    const ba = this.cfg.basicAuth;
    if (ba) {
      const pw = ba.passwordFile ? readSecretFile(ba.passwordFile) : ba.password ?? '';
      h.Authorization = 'Basic ' + Buffer.from(`${ba.username}:${pw}`).toString('base64');
    }
    const au = this.cfg.authorization;
    if (au) {
      const cred = au.credentialsFile ? readSecretFile(au.credentialsFile) : au.credentials ?? '';
      h.Authorization = `${au.type} ${cred}`;
    }
    return h;
  }

  private tlsOptions(): https.RequestOptions {
    const t = this.cfg.tls;
    const o: https.RequestOptions = { rejectUnauthorized: !t.insecureSkipVerify };
    if (t.ca || t.caFile) o.ca = t.ca ?? readFileSync(t.caFile!);
    if (t.cert || t.certFile) o.cert = t.cert ?? readFileSync(t.certFile!);
    if (t.key || t.keyFile) o.key = t.key ?? readFileSync(t.keyFile!);
    if (t.serverName) o.servername = t.serverName;
    return o;
  }

  /** GETs the URL; rejects with a Prometheus-like message on any failure. */
  async scrape(url: string, timeoutMs: number, signal?: AbortSignal): Promise<ScrapeResponse> {
    // A plain timer (cleared when done) instead of AbortSignal.timeout, which would fire, build
    // a DOMException and dispatch an event after every scrape.
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new DeadlineError()), timeoutMs);
    const onParent = () => ac.abort(signal!.reason);
    if (signal) {
      if (signal.aborted) onParent();
      else signal.addEventListener('abort', onParent, { once: true });
    }
    try {
      let target = url;
      for (let hop = 0; ; hop++) {
        const r = await this.once(target, timeoutMs, ac.signal, url);
        if ('redirect' in r) {
          if (!this.cfg.followRedirects || hop >= 10) throw new ScrapeHTTPError(`server returned HTTP status ${r.status} ${STATUS_TEXT[r.status] ?? ''}`.trim());
          target = new URL(r.redirect, target).toString();
          continue;
        }
        return r;
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onParent);
    }
  }

  private once(url: string, timeoutMs: number, signal: AbortSignal, orig: string): Promise<ScrapeResponse | { redirect: string; status: number }> {
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const isHTTPS = u.protocol === 'https:';
      let opts: https.RequestOptions;
      try {
        opts = { method: 'GET', headers: this.headers(timeoutMs), agent: isHTTPS ? this.httpsAgent : this.httpAgent, ...(isHTTPS ? this.tlsOptions() : {}) };
      } catch (e) {
        reject(new ScrapeHTTPError(`Get ${JSON.stringify(orig)}: ${(e as Error).message}`));
        return;
      }
      const fail = (msg: string) => reject(new ScrapeHTTPError(msg));
      const onAbort = () => {
        req.destroy();
        fail(signal.reason instanceof DeadlineError ? `Get ${JSON.stringify(orig)}: context deadline exceeded` : `Get ${JSON.stringify(orig)}: context canceled`);
      };
      if (signal.aborted) {
        fail(`Get ${JSON.stringify(orig)}: context deadline exceeded`);
        return;
      }
      const req = (isHTTPS ? https : http).request(u, opts, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          signal.removeEventListener('abort', onAbort);
          resolve({ redirect: res.headers.location, status });
          return;
        }
        if (status !== 200) {
          res.resume();
          signal.removeEventListener('abort', onAbort);
          fail(`server returned HTTP status ${status} ${STATUS_TEXT[status] ?? ''}`.trim());
          return;
        }
        const gz = /gzip/i.test(String(res.headers['content-encoding'] ?? ''));
        const contentType = String(res.headers['content-type'] ?? '');
        const chunks: Buffer[] = [];
        let size = 0;
        const limit = this.bodySizeLimit;
        res.on('data', (c: Buffer) => {
          size += c.length;
          // The limit applies to the decompressed body; compressed data is smaller still.
          if (limit > 0 && size > limit) {
            req.destroy();
            signal.removeEventListener('abort', onAbort);
            fail('body size limit exceeded');
            return;
          }
          chunks.push(c);
        });
        res.on('error', (e: Error) => {
          signal.removeEventListener('abort', onAbort);
          fail(`error reading body: ${e.message}`);
        });
        res.on('end', () => {
          signal.removeEventListener('abort', onAbort);
          const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
          if (!gz) return resolve({ body: raw, contentType });
          // One-shot decompression bounded by the body size limit (a zip bomb stops there), with
          // large output chunks. Typical bodies inflate synchronously: measured, a thread-pool
          // round trip costs several times the inflate itself; big ones go to the pool.
          // A gzip stream ends with its inflated size mod 2^32 (ISIZE): an output chunk one byte
          // larger inflates in one buffer, with no growth through several chunks and final copy
          // (half the memory churn per scrape). Only a hint: a wrong or multi-member ISIZE still
          // inflates correctly, in more chunks, bounded by maxOutputLength.
          const isize = raw.length >= 18 ? raw.readUInt32LE(raw.length - 4) : 0;
          const chunkSize = Math.min(Math.max(isize > 0 ? isize + 1 : raw.length * 8, 64 * 1024), 8 * 1024 * 1024);
          const opts = limit > 0 ? { maxOutputLength: limit, chunkSize } : { chunkSize };
          const done = (err: Error | null, body?: Buffer) => {
            if (err) {
              if (err instanceof RangeError || (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') fail('body size limit exceeded');
              else fail(`error decompressing gzip body: ${err.message}`);
              return;
            }
            resolve({ body: body!, contentType });
          };
          if (raw.length > SYNC_GUNZIP_MAX) gunzip(raw, opts, done);
          else {
            let body: Buffer;
            try {
              body = gunzipSync(raw, opts);
            } catch (e) {
              return done(e as Error);
            }
            done(null, body);
          }
        });
      });
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (e) => {
        signal.removeEventListener('abort', onAbort);
        if (!signal.aborted) fail(`Get ${JSON.stringify(orig)}: ${e.message}`);
      });
      req.end();
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
