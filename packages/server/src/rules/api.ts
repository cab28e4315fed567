// Prometheus HTTP API for rules: GET /api/v1/rules and GET /api/v1/alerts, same JSON shapes.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { apiError, apiSuccess, type Req, type Router } from '../web/router.js';
import { formatFloat } from '../template/index.js';
import type { Labels } from '../model/labels.js';
import { matches, type Matcher } from '../model/matchers.js';
import { parseMetricSelector } from '../promql/index.js';
import { AlertingRule, type Alert } from './alerting.js';
import type { RuleManager } from './manager.js';

export interface RuleRoutesDeps {
  ruleManager: RuleManager;
}

/** Go's time.Time JSON (RFC 3339 with trimmed fractional seconds; zero time when never). */
export function goTimeJSON(ms: number): string {
  if (!ms) return '0001-01-01T00:00:00Z';
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d{3})Z$/, (_m, f: string) => (f === '000' ? 'Z' : `.${f.replace(/0+$/, '')}Z`));
}

function labelsJSON(ls: Labels | Record<string, string>): Record<string, string> {
  if (!Array.isArray(ls)) {
    const o: Record<string, string> = {};
    for (const k of Object.keys(ls).sort()) if ((ls as Record<string, string>)[k] !== '') o[k] = (ls as Record<string, string>)[k]!;
    return o;
  }
  const o: Record<string, string> = {};
  for (const l of ls as Labels) o[l.name] = l.value;
  return o;
}

export interface ApiAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  activeAt: string;
  keepFiringSince?: string;
  value: string;
}

export function apiAlert(a: Alert): ApiAlert {
  const out: ApiAlert = {
    labels: labelsJSON(a.labels),
    annotations: labelsJSON(a.annotations),
    state: a.state,
    activeAt: goTimeJSON(a.activeAt),
    value: formatFloat(a.value, 'e', -1),
  };
  if (a.keepFiringSince) out.keepFiringSince = goTimeJSON(a.keepFiringSince);
  return out;
}

function rulesHandler(deps: RuleRoutesDeps) {
  return async (req: Req, res: ServerResponse) => {
    const q = await req.form();
    const typ = (q.get('type') ?? '').toLowerCase();
    if (typ !== '' && typ !== 'alert' && typ !== 'record') {
      apiError(res, 'bad_data', `invalid parameter "type": not supported value ${JSON.stringify(typ)}`);
      return;
    }
    const names = new Set(q.getAll('rule_name[]'));
    const groupNames = new Set(q.getAll('rule_group[]'));
    const files = new Set(q.getAll('file[]'));
    const excl = (q.get('exclude_alerts') ?? '').toLowerCase();
    if (excl !== '' && excl !== 'true' && excl !== 'false' && excl !== '1' && excl !== '0') {
      apiError(res, 'bad_data', `invalid parameter "exclude_alerts": strconv.ParseBool: parsing ${JSON.stringify(excl)}: invalid syntax`);
      return;
    }
    const excludeAlerts = excl === 'true' || excl === '1';
    // match[]: label selectors on the rules' configured labels (Prometheus 3).
    let selectors: Matcher[][] = [];
    try {
      selectors = q.getAll('match[]').map((m) => parseMetricSelector(m));
    } catch (e) {
      apiError(res, 'bad_data', `invalid parameter "match[]": ${(e as Error).message}`);
      return;
    }
    const matchesRule = (labels: Record<string, string>) =>
      selectors.length === 0 || selectors.some((ms) => ms.every((m) => matches(m, labels[m.name] ?? '')));
    const ruleFilter = typ !== '' || names.size > 0 || selectors.length > 0;
    // Pagination (Prometheus 3): group_limit, and group_next_token = sha1("file;group").
    const limitStr = q.get('group_limit');
    const nextToken = q.get('group_next_token') ?? '';
    let maxGroups = 0;
    if (limitStr !== null && limitStr !== '') {
      maxGroups = Number(limitStr);
      if (!Number.isInteger(maxGroups) || maxGroups <= 0) {
        apiError(res, 'bad_data', `invalid parameter "group_limit": group_limit needs to be greater than 0`);
        return;
      }
    }
    if (nextToken && !maxGroups) {
      apiError(res, 'bad_data', `invalid parameter "group_limit": group_limit needs to be present in order to paginate over the groups`);
      return;
    }
    let foundToken = nextToken === '';
    let groupNextToken: string | undefined;
    const groups: unknown[] = [];
    for (const g of deps.ruleManager.groups()) {
      if (groupNames.size && !groupNames.has(g.name)) continue;
      if (files.size && !files.has(g.file)) continue;
      if (!foundToken) {
        if (groupToken(g.file, g.name) !== nextToken) continue;
        foundToken = true;
      }
      if (maxGroups > 0 && groups.length === maxGroups) {
        groupNextToken = groupToken(g.file, g.name);
        break;
      }
      const rules: unknown[] = [];
      for (const r of g.rules) {
        if (names.size && !names.has(r.name)) continue;
        if (!matchesRule(r.labels)) continue;
        if (r instanceof AlertingRule) {
          if (typ === 'record') continue;
          const rule: Record<string, unknown> = {
            state: r.state(),
            name: r.name,
            query: r.expr,
            duration: r.holdMs / 1000,
            keepFiringFor: r.keepFiringForMs / 1000,
            labels: labelsJSON(r.labels),
            annotations: labelsJSON(r.annotations),
          };
          if (!excludeAlerts) rule.alerts = r.activeAlerts().map(apiAlert);
          rule.health = r.health;
          if (r.lastError) rule.lastError = r.lastError;
          rule.evaluationTime = r.evaluationTimeMs / 1000;
          rule.lastEvaluation = goTimeJSON(r.lastEvaluation);
          rule.type = 'alerting';
          rules.push(rule);
        } else {
          if (typ === 'alert') continue;
          const rule: Record<string, unknown> = { name: r.name, query: r.expr };
          const ls = labelsJSON(r.labels);
          if (Object.keys(ls).length) rule.labels = ls;
          rule.health = r.health;
          if (r.lastError) rule.lastError = r.lastError;
          rule.evaluationTime = r.evaluationTimeMs / 1000;
          rule.lastEvaluation = goTimeJSON(r.lastEvaluation);
          rule.type = 'recording';
          rules.push(rule);
        }
      }
      if (ruleFilter && rules.length === 0) continue;
      groups.push({
        name: g.name,
        file: g.file,
        rules,
        interval: g.intervalMs / 1000,
        limit: g.limit,
        evaluationTime: g.evaluationTimeMs / 1000,
        lastEvaluation: goTimeJSON(g.lastEvaluation),
      });
    }
    if (!foundToken) {
      apiError(res, 'bad_data', `invalid parameter "group_next_token": invalid group_next_token '${nextToken}'. were rule groups changed?`);
      return;
    }
    apiSuccess(res, groupNextToken ? { groups, groupNextToken } : { groups });
  };
}

function groupToken(file: string, name: string): string {
  return createHash('sha1').update(`${file};${name}`).digest('hex');
}

function alertsHandler(deps: RuleRoutesDeps) {
  return (_req: Req, res: ServerResponse) => {
    const alerts: ApiAlert[] = [];
    for (const r of deps.ruleManager.alertingRules()) for (const a of r.activeAlerts()) alerts.push(apiAlert(a));
    apiSuccess(res, { alerts });
  };
}

/** Registers GET/POST /api/v1/rules and GET /api/v1/alerts. */
export function registerRuleRoutes(router: Router, deps: RuleRoutesDeps): void {
  router.get('/api/v1/rules', rulesHandler(deps));
  router.post('/api/v1/rules', rulesHandler(deps));
  router.get('/api/v1/alerts', alertsHandler(deps));
}
