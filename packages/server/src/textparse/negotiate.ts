// Content negotiation as Prometheus's scraper does it: ask for OpenMetrics first, then the text
// format, then anything; pick the parser from the response's Content-Type.
import { OpenMetricsParser } from './openmetrics.js';
import { PromTextParser } from './promtext.js';
import type { Parser } from './types.js';

/** The Accept header Prometheus 2.x sends on scrapes. */
export const SCRAPE_ACCEPT_HEADER =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/** Accept header that asks only for the text format (for targets that mishandle OpenMetrics). */
export const SCRAPE_ACCEPT_TEXT_ONLY = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';

export type ExpositionFormat = 'openmetrics' | 'text';

/** Media type of a Content-Type header value, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined | null): string {
  if (!contentType) return '';
  const i = contentType.indexOf(';');
  return (i < 0 ? contentType : contentType.slice(0, i)).trim().toLowerCase();
}

/** Which format a response is in; unknown and missing types fall back to the text format. */
export function formatOf(contentType: string | undefined | null): ExpositionFormat {
  return mediaType(contentType) === 'application/openmetrics-text' ? 'openmetrics' : 'text';
}

/** A parser for a scraped body, chosen by its Content-Type. */
export function newParser(body: string | Uint8Array, contentType?: string | null): Parser {
  return formatOf(contentType) === 'openmetrics' ? new OpenMetricsParser(body) : new PromTextParser(body);
}

/** The Content-Type an exporter should send for a format. */
export function contentTypeFor(format: ExpositionFormat): string {
  return format === 'openmetrics' ? 'application/openmetrics-text; version=1.0.0; charset=utf-8' : 'text/plain; version=0.0.4; charset=utf-8';
}

/**
 * Server-side negotiation (for endpoints Vigil exposes): OpenMetrics when the client's Accept
 * header prefers it by q-value, the text format otherwise.
 */
export function negotiateFormat(accept: string | undefined | null): ExpositionFormat {
  if (!accept) return 'text';
  let om = -1, text = -1;
  for (const part of accept.split(',')) {
    const [mt, ...params] = part.split(';');
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=');
      if (k?.trim() === 'q' && v !== undefined) q = Number(v.trim()) || 0;
    }
    const m = (mt ?? '').trim().toLowerCase();
    if (m === 'application/openmetrics-text') om = Math.max(om, q);
    else if (m === 'text/plain' || m === '*/*' || m === 'text/*') text = Math.max(text, q);
  }
  return om > 0 && om >= text ? 'openmetrics' : 'text';
}
