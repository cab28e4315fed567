// Field parsers shared by the global section and the receivers: URLs and host:port addresses.
import type { CfgNode } from '../../config/node.js';

export function urlField(n: CfgNode): string | undefined {
  const s = n.optStr();
  if (s === undefined) return undefined;
  // Alertmanager reads back its own redacted output ("<secret>") as a valid secret URL.
  if (s === '<secret>') return s;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw n.error(`invalid URL`); // never echo: URLs may carry keys
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw n.error(`unsupported scheme "${u.protocol.replace(/:$/, '')}" for URL`);
  if (!u.host) throw n.error('missing host for URL');
  return s;
}

export function hostPort(n: CfgNode): string {
  const s = n.str('');
  if (s === '') return '';
  const m = /^(\[[^\]]*\]|[^:]*):(\d*)$/.exec(s);
  if (!m) throw n.error(`address ${s}: missing port in address`);
  if (m[2] === '') throw n.error(`address "${s}": port cannot be empty`);
  return s;
}
