// Applies relabel rules to a label set, with the semantics of Prometheus's relabel.Process.
import { createHash } from 'node:crypto';
import type { Label, Labels } from '../model/labels.js';
import type { RelabelConfig } from './config.js';
import { expandTemplate } from './regex.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The rule's regex matched against s (anchored); returns the match or null. */
function exec(re: RegExp, s: string): RegExpExecArray | null {
  re.lastIndex = 0;
  return re.exec(s);
}

/** Prometheus's hashmod: md5 of the value, last 8 bytes as a big-endian uint64, modulo. */
export function hashMod(value: string, modulus: number): string {
  const h = createHash('md5').update(value, 'utf8').digest();
  const x = h.readBigUint64BE(8);
  return (x % BigInt(modulus)).toString();
}

/**
 * Runs the rules in order over `labels`. Returns the new sorted label set (empty values removed),
 * or null when a rule drops it. The input is not modified.
 */
export function relabel(labels: Labels, cfgs: readonly RelabelConfig[]): Labels | null {
  if (cfgs.length === 0) return labels;
  const lb = new Map<string, string>();
  for (const l of labels) lb.set(l.name, l.value);
  if (!processMap(lb, cfgs)) return null;
  const out: Label[] = [];
  for (const [name, value] of lb) if (value !== '') out.push({ name, value });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Runs the rules over a mutable name→value map (empty value = absent). False = dropped. */
export function processMap(lb: Map<string, string>, cfgs: readonly RelabelConfig[]): boolean {
  for (const cfg of cfgs) if (!step(cfg, lb)) return false;
  return true;
}

function set(lb: Map<string, string>, name: string, value: string): void {
  if (value === '') lb.delete(name);
  else lb.set(name, value);
}

function step(cfg: RelabelConfig, lb: Map<string, string>): boolean {
  let val: string;
  const src = cfg.sourceLabels;
  if (src.length === 1) val = lb.get(src[0]!) ?? '';
  else {
    val = '';
    for (let i = 0; i < src.length; i++) {
      if (i > 0) val += cfg.separator;
      val += lb.get(src[i]!) ?? '';
    }
  }
  switch (cfg.action) {
    case 'drop':
      return exec(cfg.regex, val) === null;
    case 'keep':
      return exec(cfg.regex, val) !== null;
    case 'dropequal':
      return (lb.get(cfg.targetLabel) ?? '') !== val;
    case 'keepequal':
      return (lb.get(cfg.targetLabel) ?? '') === val;
    case 'replace': {
      const m = exec(cfg.regex, val);
      if (m === null) return true;
      const target = expandTemplate(cfg.targetLabel, m);
      if (!LABEL_NAME.test(target)) return true;
      set(lb, target, expandTemplate(cfg.replacement, m));
      return true;
    }
    case 'lowercase':
      set(lb, cfg.targetLabel, val.toLowerCase());
      return true;
    case 'uppercase':
      set(lb, cfg.targetLabel, val.toUpperCase());
      return true;
    case 'hashmod':
      set(lb, cfg.targetLabel, hashMod(val, cfg.modulus));
      return true;
    case 'labelmap': {
      // Iterate over a snapshot: names set here are not themselves remapped.
      for (const [name, value] of [...lb]) {
        const m = exec(cfg.regex, name);
        if (m !== null) set(lb, expandTemplate(cfg.replacement, m), value);
      }
      return true;
    }
    case 'labeldrop':
      for (const name of [...lb.keys()]) if (exec(cfg.regex, name) !== null) lb.delete(name);
      return true;
    case 'labelkeep':
      for (const name of [...lb.keys()]) if (exec(cfg.regex, name) === null) lb.delete(name);
      return true;
  }
}
