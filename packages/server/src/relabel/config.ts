// relabel_configs entries as in prometheus.yml, with Prometheus's defaults and validation messages.
import type { CfgNode } from '../config/node.js';
import { compileAnchoredRE2 } from './regex.js';

export type RelabelAction =
  | 'replace' | 'keep' | 'drop' | 'keepequal' | 'dropequal' | 'hashmod'
  | 'labelmap' | 'labeldrop' | 'labelkeep' | 'lowercase' | 'uppercase';

const ACTIONS: readonly RelabelAction[] = [
  'replace', 'keep', 'drop', 'keepequal', 'dropequal', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep', 'lowercase', 'uppercase',
];

export interface RelabelConfig {
  readonly sourceLabels: readonly string[];
  readonly separator: string;
  /** The pattern as written (without anchors). */
  readonly regexSource: string;
  /** Anchored compiled regex. */
  readonly regex: RegExp;
  readonly modulus: number;
  readonly targetLabel: string;
  readonly replacement: string;
  readonly action: RelabelAction;
}

export interface RelabelConfigInput {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  modulus?: number;
  target_label?: string;
  replacement?: string;
  action?: string;
}

const DEFAULT_REGEX = '(.*)';
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// Target labels with $ references: names built from letters/underscores and ${x} / $x pieces.
const RELABEL_TARGET = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

const FIELDS = ['source_labels', 'separator', 'regex', 'modulus', 'target_label', 'replacement', 'action'];

export class RelabelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RelabelConfigError';
  }
}

/** Builds and validates one rule from plain values; throws RelabelConfigError like Prometheus. */
export function newRelabelConfig(input: RelabelConfigInput): RelabelConfig {
  const rawAction = input.action ?? 'replace';
  const action = rawAction.toLowerCase() as RelabelAction;
  if (!ACTIONS.includes(action)) throw new RelabelConfigError(`unknown relabel action ${JSON.stringify(rawAction)}`);
  if (rawAction === '') throw new RelabelConfigError('relabel action cannot be empty');
  for (const l of input.source_labels ?? []) {
    if (!LABEL_NAME.test(l)) throw new RelabelConfigError(`${JSON.stringify(l)} is not a valid label name`);
  }
  const regexSource = input.regex ?? DEFAULT_REGEX;
  let regex: RegExp;
  try {
    regex = compileAnchoredRE2(regexSource);
  } catch (e) {
    throw new RelabelConfigError((e as Error).message);
  }
  const c: RelabelConfig = {
    sourceLabels: input.source_labels ?? [],
    separator: input.separator ?? ';',
    regexSource,
    regex,
    modulus: input.modulus ?? 0,
    targetLabel: input.target_label ?? '',
    replacement: input.replacement ?? '$1',
    action,
  };
  validate(c, input);
  return c;
}

function validate(c: RelabelConfig, input: RelabelConfigInput): void {
  const a = c.action;
  const err = (m: string) => new RelabelConfigError(m);
  if (c.modulus === 0 && a === 'hashmod') throw err('relabel configuration for hashmod requires non-zero modulus');
  if (['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(a) && c.targetLabel === '') {
    throw err(`relabel configuration for ${a} action requires 'target_label' value`);
  }
  const t = c.targetLabel;
  if (a === 'replace' && !t.includes('$') && !LABEL_NAME.test(t)) throw err(`${JSON.stringify(t)} is invalid 'target_label' for ${a} action`);
  if (a === 'replace' && t.includes('$') && !RELABEL_TARGET.test(t)) throw err(`${JSON.stringify(t)} is invalid 'target_label' for ${a} action`);
  const simple = a === 'lowercase' || a === 'uppercase' || a === 'keepequal' || a === 'dropequal';
  if (simple && !LABEL_NAME.test(t)) throw err(`${JSON.stringify(t)} is invalid 'target_label' for ${a} action`);
  if (simple && c.replacement !== '$1') throw err(`'replacement' can not be set for ${a} action`);
  if (a === 'labelmap' && !RELABEL_TARGET.test(c.replacement)) throw err(`${JSON.stringify(c.replacement)} is invalid 'replacement' for ${a} action`);
  if (a === 'hashmod' && !LABEL_NAME.test(t)) throw err(`${JSON.stringify(t)} is invalid 'target_label' for ${a} action`);
  if (a === 'keepequal' || a === 'dropequal') {
    if (c.regexSource !== DEFAULT_REGEX || c.modulus !== 0 || c.separator !== ';' || c.replacement !== '$1') {
      throw err(`${a} action requires only 'source_labels' and \`target_label\`, and no other fields`);
    }
  }
  if (a === 'labeldrop' || a === 'labelkeep') {
    if (input.source_labels !== undefined || t !== '' || c.modulus !== 0 || c.separator !== ';' || c.replacement !== '$1') {
      throw err(`${a} action requires only 'regex', and no other fields`);
    }
  }
}

/** Parses a relabel_configs list; errors name the file, line and field path. */
export function parseRelabelConfigs(node: CfgNode): RelabelConfig[] {
  return node.items().map((item) => {
    if (!item.isMap()) throw item.error('expected a mapping (a relabel rule)');
    item.allowOnly(FIELDS);
    const input: RelabelConfigInput = {};
    const sl = item.get('source_labels');
    if (!sl.isNull()) input.source_labels = sl.strList();
    const opt = (k: string) => item.get(k).optStr();
    const sep = opt('separator'), re = opt('regex'), tl = opt('target_label'), rep = opt('replacement'), act = opt('action');
    if (sep !== undefined) input.separator = sep;
    if (re !== undefined) input.regex = re;
    if (tl !== undefined) input.target_label = tl;
    if (rep !== undefined) input.replacement = rep;
    if (act !== undefined) input.action = act;
    const mod = item.get('modulus');
    if (!mod.isNull()) {
      const m = mod.int();
      if (m < 0) throw mod.error(`modulus must be a non-negative integer, got ${m}`);
      input.modulus = m;
    }
    try {
      return newRelabelConfig(input);
    } catch (e) {
      if (e instanceof RelabelConfigError) throw item.error(e.message);
      throw e;
    }
  });
}
