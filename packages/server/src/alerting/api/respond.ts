// Responses as go-swagger writes them for Alertmanager: Go's JSON encoding (HTML-safe escapes),
// handler payloads with a trailing newline, validation errors as {code, message}.
import type { ServerResponse } from 'node:http';
import type { Req } from '../../web/router.js';
import { goJSON } from '../notify/data.js';

/** JSON as go-swagger writes it: Go's encoder (HTML-safe escapes) with a trailing newline. */
export function amJSON(res: ServerResponse, status: number, body: unknown): void {
  const text = goJSON(body) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A response without a body (and without a Content-Type), as go-swagger sends for empty payloads. */
export function empty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Length': 0 });
  res.end();
}

export function badRequest(res: ServerResponse, message: string, status = 400): void {
  amJSON(res, status, message);
}

/** go-swagger's own validation errors (no trailing newline, unlike handler payloads). */
export function swaggerError(res: ServerResponse, status: number, code: number, message: string): void {
  const text = goJSON({ code, message });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export async function jsonBody(req: Req, res: ServerResponse, what: string): Promise<unknown | undefined> {
  const buf = await req.body();
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (e) {
    swaggerError(res, 400, 400, `parsing ${what} body from "" failed, because ${(e as Error).message}`);
    return undefined;
  }
}
