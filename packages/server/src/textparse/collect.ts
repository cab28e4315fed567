// Whole-body convenience parse for tests, tools and comparisons. Hot paths (scrape loops) use the
// pull Parser directly; this allocates an object per sample (and V8 may canonicalise NaN
// payloads held in object fields, so staleness markers are not guaranteed to survive here).
import type { Labels } from '../model/labels.js';
import type { Exemplar, MetricMetadata } from '../storage/interface.js';
import { newParser } from './negotiate.js';

export interface ParsedSample {
  labels: Labels;
  name: string;
  value: number;
  timestamp?: number;
  exemplar?: Exemplar;
}

export interface ParsedFamily extends MetricMetadata {
  name: string;
}

export function parseAll(body: string | Uint8Array, contentType?: string): { samples: ParsedSample[]; metadata: Map<string, ParsedFamily> } {
  const p = newParser(body, contentType);
  const samples: ParsedSample[] = [];
  const metadata = new Map<string, ParsedFamily>();
  const fam = (name: string): ParsedFamily => {
    let f = metadata.get(name);
    if (!f) metadata.set(name, (f = { name, type: 'unknown', help: '', unit: '' }));
    return f;
  };
  for (;;) {
    const e = p.next();
    if (e === 'eof') break;
    switch (e) {
      case 'series': {
        const s: ParsedSample = { labels: p.labels(), name: p.metricName(), value: p.value() };
        const t = p.timestamp();
        if (t !== undefined) s.timestamp = t;
        const ex = p.exemplar();
        if (ex) s.exemplar = ex;
        samples.push(s);
        break;
      }
      case 'help': fam(p.metricName()).help = p.help(); break;
      case 'type': fam(p.metricName()).type = p.type(); break;
      case 'unit': fam(p.metricName()).unit = p.unit(); break;
    }
  }
  return { samples, metadata };
}
