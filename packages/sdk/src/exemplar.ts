// Exemplars: validated once when recorded, pre-formatted so rendering stays a concatenation.
import type { Exemplar } from './types.js';
import { escapeLabelValue, fmtNum } from './format.js';
import { checkLabelName } from './validate.js';

/** Stored exemplar: the public shape plus its formatted label set. */
export interface StoredExemplar extends Exemplar {
  text: string;
}

export function makeExemplar(labelSet: Record<string, string | number>, value: number): StoredExemplar {
  const parts: string[] = [];
  let runes = 0;
  for (const k in labelSet) {
    checkLabelName('(exemplar)', k);
    const v = String(labelSet[k]);
    runes += [...k].length + [...v].length;
    parts.push(k + '="' + escapeLabelValue(v) + '"');
  }
  const text = parts.join(',');
  // OpenMetrics caps an exemplar's label set at 128 UTF-8 characters.
  if (runes > 128) throw new RangeError(`Exemplar label set is ${runes} characters; OpenMetrics allows at most 128`);
  return { labelSet, value, timestamp: Date.now() / 1000, text };
}

export function renderExemplar(e: StoredExemplar | undefined | null): string {
  if (!e) return '';
  return ' # {' + e.text + '} ' + fmtNum(e.value) + ' ' + e.timestamp.toFixed(3);
}
