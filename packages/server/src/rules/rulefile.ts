// Prometheus rule files: parsing with strict keys and validation whose messages read like
// promtool's (`file: line:col: group "g", rule 1, "name": reason`).
import { readFileSync } from 'node:fs';
import { parseDocument, isMap, isSeq, isScalar, LineCounter, type Node as YNode, type Pair } from 'yaml';
import { parseDuration } from '../config/duration.js';
import { parseExpr } from '../promql/parser.js';
import { checkAlertTemplate } from './template.js';

export interface RuleConfig {
  record?: string;
  alert?: string;
  expr: string;
  forMs: number;
  keepFiringForMs: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** 1-based position of the rule in its group. */
  index: number;
}

export interface RuleGroupConfig {
  name: string;
  file: string;
  /** Evaluation interval; undefined = the global evaluation_interval. */
  intervalMs?: number;
  /** Max alerts / series per evaluation; 0 = no limit. */
  limit: number;
  queryOffsetMs?: number;
  labels: Record<string, string>;
  rules: RuleConfig[];
}

export interface RuleFileParseOptions {
  /** Accept unknown keys (promtool's --ignore-unknown-fields). */
  ignoreUnknownFields?: boolean;
}

/** A rule-file error list; `errors` are full lines ready to print, each prefixed by the file. */
export class RuleFileError extends Error {
  constructor(
    readonly file: string,
    readonly errors: string[],
  ) {
    super(errors.join('\n'));
    this.name = 'RuleFileError';
  }
}

const GROUP_FIELDS = ['name', 'interval', 'limit', 'query_offset', 'labels', 'rules'];
const RULE_FIELDS = ['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'];
const TOP_FIELDS = ['groups'];

const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface Pos {
  line: number;
  col: number;
}

class Doc {
  constructor(readonly lc: LineCounter) {}
  pos(n: YNode | null | undefined): Pos {
    const r = (n as { range?: [number, number, number] } | null | undefined)?.range;
    if (!r) return { line: 0, col: 0 };
    const p = this.lc.linePos(r[0]);
    return { line: p.line, col: p.col };
  }
}

function pairKey(p: Pair): string {
  return String(isScalar(p.key) ? p.key.value : p.key);
}

function mapPairs(n: YNode | null | undefined): Pair[] {
  if (n == null) return [];
  if (isScalar(n) && n.value === null) return [];
  if (!isMap(n)) return [];
  return n.items as Pair[];
}

function getPair(n: YNode | null | undefined, key: string): Pair | undefined {
  return mapPairs(n).find((p) => pairKey(p) === key);
}

function scalarStr(n: unknown): string | undefined {
  if (n == null) return undefined;
  if (isScalar(n)) {
    if (n.value === null) return undefined;
    // The text as written: YAML would turn 0x10 into 16, Go decodes it into a string verbatim.
    const src = (n as { source?: unknown }).source;
    return typeof src === 'string' ? src : String(n.value);
  }
  return undefined;
}

function isNullNode(n: unknown): boolean {
  return n == null || (isScalar(n) && n.value === null);
}

/** Parses rule-file text; throws RuleFileError listing every problem found. */
export function parseRuleFile(text: string, file: string, opts: RuleFileParseOptions = {}): RuleGroupConfig[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, version: '1.1' });
  const d = new Doc(lc);
  // Prometheus decodes the file twice (strictly into RuleGroups, loosely into yaml.Node lists
  // for positions) and reports both failures, so some errors appear twice, as there.
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.pos ? lc.linePos(e.pos[0]).line : 0;
    const msg = `${file}: yaml: line ${line}: ${e.message.split('\n')[0]}`;
    throw new RuleFileError(file, [msg, msg]);
  }
  const root = doc.contents as YNode | null;
  if (isNullNode(root)) return [];
  // Structure and types, like yaml.UnmarshalStrict: unknown fields are collected and reported together.
  const unknown: string[] = [];
  const typeErrs: string[] = [];
  const expectMap = (n: YNode | null | undefined, what: string): boolean => {
    if (isNullNode(n) || isMap(n)) return true;
    typeErrs.push(`line ${d.pos(n).line}: cannot unmarshal ${describe(n)} into ${what}`);
    return false;
  };
  const checkKeys = (n: YNode | null | undefined, allowed: string[], type: string) => {
    if (opts.ignoreUnknownFields) return;
    for (const p of mapPairs(n)) {
      const k = pairKey(p);
      if (!allowed.includes(k)) unknown.push(`line ${d.pos(p.key as YNode).line}: field ${k} not found in type ${type}`);
    }
  };
  if (!expectMap(root, 'rulefmt.RuleGroups')) {
    throw new RuleFileError(file, [`${file}: yaml: unmarshal errors:\n  ${typeErrs.join('\n  ')}`, `${file}: yaml: unmarshal errors:\n  line ${d.pos(root).line}: cannot unmarshal ${describe(root)} into rulefmt.ruleGroups`]);
  }
  checkKeys(root, TOP_FIELDS, 'rulefmt.RuleGroups');
  const groupsNode = getPair(root, 'groups')?.value as YNode | undefined;
  const groupNodes: YNode[] = [];
  if (!isNullNode(groupsNode)) {
    if (!isSeq(groupsNode)) typeErrs.push(`line ${d.pos(groupsNode).line}: cannot unmarshal ${describe(groupsNode)} into []rulefmt.RuleGroup`);
    else for (const g of groupsNode.items) groupNodes.push(g as YNode);
  }
  for (const g of groupNodes) {
    if (!expectMap(g, 'rulefmt.RuleGroup')) continue;
    checkKeys(g, GROUP_FIELDS, 'rulefmt.RuleGroup');
    const rules = getPair(g, 'rules')?.value as YNode | undefined;
    if (!isNullNode(rules) && !isSeq(rules)) typeErrs.push(`line ${d.pos(rules).line}: cannot unmarshal ${describe(rules)} into []rulefmt.RuleNode`);
    if (isSeq(rules)) {
      for (const r of rules.items) {
        if (!expectMap(r as YNode, 'rulefmt.RuleNode')) continue;
        checkKeys(r as YNode, RULE_FIELDS, 'rulefmt.RuleNode');
        for (const k of ['labels', 'annotations']) {
          const m = getPair(r as YNode, k)?.value as YNode | undefined;
          if (!isNullNode(m) && !isMap(m)) typeErrs.push(`line ${d.pos(m).line}: cannot unmarshal ${describe(m)} into map[string]string`);
          for (const p of mapPairs(m)) if (!isNullNode(p.value) && !isScalar(p.value)) typeErrs.push(`line ${d.pos(p.value as YNode).line}: cannot unmarshal ${describe(p.value as YNode)} into string`);
        }
      }
    }
    const gl = getPair(g, 'labels')?.value as YNode | undefined;
    if (!isNullNode(gl) && !isMap(gl)) typeErrs.push(`line ${d.pos(gl).line}: cannot unmarshal ${describe(gl)} into map[string]string`);
  }
  const structural = [...typeErrs, ...unknown];
  if (structural.length) {
    const errs = [`${file}: yaml: unmarshal errors:\n  ${structural.join('\n  ')}`];
    if (!isNullNode(groupsNode) && !isSeq(groupsNode)) errs.push(`${file}: yaml: unmarshal errors:\n  line ${d.pos(groupsNode).line}: cannot unmarshal ${describe(groupsNode)} into []yaml.Node`);
    throw new RuleFileError(file, errs);
  }

  // Durations fail the whole file first (as model.Duration's unmarshaler does).
  const dur = (n: YNode | null | undefined): number | undefined => {
    const s = scalarStr(n);
    if (s === undefined) return undefined;
    try {
      return parseDuration(s);
    } catch {
      throw new RuleFileError(file, [`${file}: not a valid duration string: ${JSON.stringify(s)}`]);
    }
  };

  const errs: string[] = [];
  const groups: RuleGroupConfig[] = [];
  const seen = new Set<string>();
  for (const g of groupNodes) {
    const name = scalarStr(getPair(g, 'name')?.value) ?? '';
    const gpos = d.pos(g);
    if (name === '') errs.push(`${gpos.line}:${gpos.col}: Groupname must not be empty`);
    if (seen.has(name)) errs.push(`${gpos.line}:${gpos.col}: groupname: "${name}" is repeated in the same file`);
    seen.add(name);
    const limitStr = scalarStr(getPair(g, 'limit')?.value);
    let limit = 0;
    if (limitStr !== undefined) {
      limit = Number(limitStr);
      if (!Number.isInteger(limit)) throw new RuleFileError(file, [`${file}: yaml: unmarshal errors:\n  line ${d.pos(getPair(g, 'limit')!.value as YNode).line}: cannot unmarshal !!str \`${limitStr}\` into int`]);
    }
    const group: RuleGroupConfig = {
      name,
      file,
      intervalMs: dur(getPair(g, 'interval')?.value as YNode),
      limit,
      queryOffsetMs: dur(getPair(g, 'query_offset')?.value as YNode),
      labels: strMap(getPair(g, 'labels')?.value as YNode),
      rules: [],
    };
    const rulesNode = getPair(g, 'rules')?.value as YNode | undefined;
    const ruleNodes = isSeq(rulesNode) ? (rulesNode.items as YNode[]) : [];
    ruleNodes.forEach((rn, i) => {
      const recordP = getPair(rn, 'record'), alertP = getPair(rn, 'alert'), exprP = getPair(rn, 'expr');
      const record = scalarStr(recordP?.value) ?? '';
      const alert = scalarStr(alertP?.value) ?? '';
      const expr = scalarStr(exprP?.value) ?? '';
      const forMs = dur(getPair(rn, 'for')?.value as YNode) ?? 0;
      const kffMs = dur(getPair(rn, 'keep_firing_for')?.value as YNode) ?? 0;
      const labels = strMap(getPair(rn, 'labels')?.value as YNode);
      const annotations = strMap(getPair(rn, 'annotations')?.value as YNode);
      const ruleName = alert !== '' ? alert : record;
      const at = (n: Pair | undefined) => {
        const p = d.pos(n?.value as YNode);
        return `${p.line}:${p.col}: `;
      };
      const prefix = (loc: string) => `${loc}group ${JSON.stringify(name)}, rule ${i + 1}, ${JSON.stringify(ruleName)}: `;
      if (record !== '' && alert !== '') errs.push(prefix(at(recordP) + at(alertP)) + "only one of 'record' and 'alert' must be set");
      if (record === '' && alert === '') errs.push(prefix(at(recordP)) + "one of 'record' or 'alert' must be set");
      if (expr === '') errs.push(prefix(at(exprP)) + "field 'expr' must be set in rule");
      else {
        try {
          parseExpr(expr);
        } catch (e) {
          errs.push(prefix(at(exprP)) + `could not parse expression: ${(e as Error).message}`);
        }
      }
      if (record !== '') {
        if (Object.keys(annotations).length > 0) errs.push(prefix(at(recordP)) + "invalid field 'annotations' in recording rule");
        if (forMs !== 0) errs.push(prefix(at(recordP)) + "invalid field 'for' in recording rule");
        if (kffMs !== 0) errs.push(prefix(at(recordP)) + "invalid field 'keep_firing_for' in recording rule");
        if (!METRIC_NAME_RE.test(record)) errs.push(prefix(at(recordP)) + `invalid recording rule name: ${record}`);
      }
      for (const [k, v] of Object.entries(labels)) {
        if (!LABEL_NAME_RE.test(k) || k === '__name__') errs.push(prefix('') + `invalid label name: ${k}`);
        if (!isValidUTF8(v)) errs.push(prefix('') + `invalid label value: ${v}`);
      }
      for (const k of Object.keys(annotations)) if (!LABEL_NAME_RE.test(k)) errs.push(prefix('') + `invalid annotation name: ${k}`);
      if (alert !== '') {
        for (const [k, v] of Object.entries(labels)) {
          const e = checkAlertTemplate(v, alert);
          if (e) errs.push(prefix('') + `label ${JSON.stringify(k)}: ${e}`);
        }
        for (const [k, v] of Object.entries(annotations)) {
          const e = checkAlertTemplate(v, alert);
          if (e) errs.push(prefix('') + `annotation ${JSON.stringify(k)}: ${e}`);
        }
      }
      const rule: RuleConfig = { expr, forMs, keepFiringForMs: kffMs, labels, annotations, index: i + 1 };
      if (record !== '') rule.record = record;
      if (alert !== '') rule.alert = alert;
      group.rules.push(rule);
    });
    groups.push(group);
  }
  if (errs.length) throw new RuleFileError(file, errs.map((e) => `${file}: ${e}`));
  return groups;
}

function isValidUTF8(s: string): boolean {
  return !/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));
}

function strMap(n: YNode | null | undefined): Record<string, string> {
  const o: Record<string, string> = {};
  for (const p of mapPairs(n)) o[pairKey(p)] = scalarStr(p.value) ?? '';
  return o;
}

function describe(n: YNode | null | undefined): string {
  if (isMap(n)) return '!!map';
  if (isSeq(n)) return '!!seq';
  if (isScalar(n)) {
    const v = n.value;
    const tag = typeof v === 'number' ? (Number.isInteger(v) ? '!!int' : '!!float') : typeof v === 'boolean' ? '!!bool' : '!!str';
    return `${tag} \`${String(v)}\``;
  }
  return 'value';
}

/** Reads and parses a rule file from disk. */
export function loadRuleFile(path: string, opts: RuleFileParseOptions = {}): RuleGroupConfig[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RuleFileError(path, [`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? `open ${path}: no such file or directory` : (e as Error).message}`]);
  }
  return parseRuleFile(text, path, opts);
}
