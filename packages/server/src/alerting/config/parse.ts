// Loads an Alertmanager configuration (alertmanager.yml as is) from a CfgNode, with
// Alertmanager's defaults and validation; errors name file:line and field.
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { CfgNode, ConfigError } from '../../config/node.js';
import { newMatcher, type Matcher } from '../../model/index.js';
import { isValidLabelName } from '../types.js';
import { goRegexError, parseMatchers } from '../matchers.js';
import { defaultHttpConfig, parseHttpConfig } from './http.js';
import { hostPort, urlField } from './fields.js';
import { parseReceiver } from './receivers.js';
import {
  parseClock, parseDayOfMonthRange, parseMonthRange, parseWeekdayRange, parseYearRange, validateLocation,
  type TimeInterval,
} from './timeinterval.js';
import type { AlertmanagerConfig, GlobalConfig, InhibitRuleConfig, ReceiverConfig, RouteConfig } from './types.js';

const TOP_KEYS = ['global', 'route', 'inhibit_rules', 'receivers', 'templates', 'mute_time_intervals', 'time_intervals'];
const GLOBAL_KEYS = [
  'resolve_timeout', 'http_config', 'smtp_from', 'smtp_hello', 'smtp_smarthost', 'smtp_auth_username', 'smtp_auth_password',
  'smtp_auth_password_file', 'smtp_auth_secret', 'smtp_auth_identity', 'smtp_require_tls', 'slack_api_url', 'slack_api_url_file',
  'pagerduty_url', 'opsgenie_api_url', 'opsgenie_api_key', 'opsgenie_api_key_file', 'wechat_api_url', 'wechat_api_secret',
  'wechat_api_corp_id', 'victorops_api_url', 'victorops_api_key', 'victorops_api_key_file', 'telegram_api_url', 'webex_api_url',
];
const ROUTE_KEYS = [
  'receiver', 'group_by', 'match', 'match_re', 'matchers', 'mute_time_intervals', 'active_time_intervals', 'continue', 'routes',
  'group_wait', 'group_interval', 'repeat_interval',
];

export const DEFAULT_GROUP_WAIT = 30_000;
export const DEFAULT_GROUP_INTERVAL = 300_000;
export const DEFAULT_REPEAT_INTERVAL = 4 * 3600_000;

/** Parses alertmanager.yml text; `file` names it in errors. */
export function loadAlertmanagerConfig(text: string, file: string): AlertmanagerConfig {
  const root = CfgNode.parse(text, file);
  const cfg = parseAlertmanagerConfig(root);
  cfg.original = text;
  cfg.baseDir = dirname(file);
  return cfg;
}

/** Parses an Alertmanager configuration subtree (a whole file, or a section of vigil.yml). */
export function parseAlertmanagerConfig(n: CfgNode): AlertmanagerConfig {
  if (n.isNull()) throw n.error('no route provided in config');
  n.allowOnly(TOP_KEYS);
  const global = parseGlobal(n.get('global'));
  const timeIntervals = new Map<string, TimeInterval[]>();
  for (const key of ['mute_time_intervals', 'time_intervals']) {
    for (const tn of n.get(key).items()) {
      tn.allowOnly(['name', 'time_intervals']);
      const name = tn.get('name').str('');
      if (name === '') throw tn.error(key === 'time_intervals' ? 'missing name in time interval' : 'missing name in mute time interval');
      if (timeIntervals.has(name)) throw tn.get('name').error(`${key === 'time_intervals' ? 'time interval' : 'mute time interval'} "${name}" is not unique`);
      timeIntervals.set(name, tn.get('time_intervals').items().map(parseTimeInterval));
    }
  }
  const receivers: ReceiverConfig[] = [];
  const names = new Set<string>();
  for (const rn of n.get('receivers').items()) {
    const r = parseReceiver(rn, global, n.get('global'));
    if (names.has(r.name)) throw rn.get('name').error(`notification config name "${r.name}" is not unique`);
    names.add(r.name);
    receivers.push(r);
  }
  const routeNode = n.get('route');
  if (routeNode.isNull()) throw n.error('no route provided in config');
  const route = parseRoute(routeNode);
  if (route.continue) throw routeNode.error('cannot have continue in root route');
  if (!route.receiver) throw routeNode.error('root route must specify a default receiver');
  if (route.matchers.length > 0) throw routeNode.error('root route must not have any matchers');
  if (route.muteTimeIntervals.length > 0) throw routeNode.error('root route must not have any mute time intervals');
  if (route.activeTimeIntervals.length > 0) throw routeNode.error('root route must not have any active time intervals');
  checkRouteRefs(routeNode, route, names, timeIntervals);
  const inhibitRules = n.get('inhibit_rules').items().map(parseInhibitRule);
  const templates = n.get('templates').strList();
  return { global, route, inhibitRules, receivers, templates, timeIntervals, original: stringify(n.toJS() ?? {}), baseDir: n.file ? dirname(n.file) : '.' };
}

function checkRouteRefs(node: CfgNode, r: RouteConfig, receivers: Set<string>, tis: Map<string, unknown>): void {
  const kids = node.get('routes').items();
  r.routes.forEach((c, i) => checkRouteRefs(kids[i]!, c, receivers, tis));
  if (r.receiver && !receivers.has(r.receiver)) throw node.get('receiver').error(`undefined receiver "${r.receiver}" used in route`);
  for (const [key, list] of [['active_time_intervals', r.activeTimeIntervals], ['mute_time_intervals', r.muteTimeIntervals]] as const) {
    for (const t of list) if (!tis.has(t)) throw node.get(key).error(`undefined time interval "${t}" used in route`);
  }
}

function parseGlobal(n: CfgNode): GlobalConfig {
  n.allowOnly(GLOBAL_KEYS);
  const g: GlobalConfig = {
    resolveTimeoutMs: n.get('resolve_timeout').duration('5m'),
    http: parseHttpConfig(n.get('http_config'), defaultHttpConfig()),
    smtpFrom: n.get('smtp_from').str(''),
    smtpHello: n.get('smtp_hello').str('localhost'),
    smtpSmarthost: hostPort(n.get('smtp_smarthost')),
    smtpAuthUsername: n.get('smtp_auth_username').str(''),
    smtpAuthPassword: n.get('smtp_auth_password').str(''),
    smtpAuthPasswordFile: n.get('smtp_auth_password_file').str(''),
    smtpAuthSecret: n.get('smtp_auth_secret').str(''),
    smtpAuthIdentity: n.get('smtp_auth_identity').str(''),
    smtpRequireTls: n.get('smtp_require_tls').bool(true),
    slackApiUrl: urlField(n.get('slack_api_url')),
    slackApiUrlFile: n.get('slack_api_url_file').optStr(),
    wechatApiUrl: urlField(n.get('wechat_api_url')) ?? 'https://qyapi.weixin.qq.com/cgi-bin/',
    wechatApiSecret: n.get('wechat_api_secret').str(''),
    wechatApiCorpId: n.get('wechat_api_corp_id').str(''),
  };
  for (const k of ['pagerduty_url', 'opsgenie_api_url', 'victorops_api_url', 'telegram_api_url', 'webex_api_url']) urlField(n.get(k));
  if (g.slackApiUrl && g.slackApiUrlFile) throw n.error('at most one of slack_api_url & slack_api_url_file must be configured');
  if (n.has('opsgenie_api_key') && n.has('opsgenie_api_key_file')) throw n.error('at most one of opsgenie_api_key & opsgenie_api_key_file must be configured');
  if (n.has('victorops_api_key') && n.has('victorops_api_key_file')) throw n.error('at most one of victorops_api_key & victorops_api_key_file must be configured');
  if (g.smtpAuthPassword && g.smtpAuthPasswordFile) throw n.error('at most one of smtp_auth_password & smtp_auth_password_file must be configured');
  return g;
}

function labelNameList(n: CfgNode): string[] {
  return n.items().map((i) => {
    const s = i.str();
    if (!isValidLabelName(s)) throw i.error(`"${s}" is not a valid label name`);
    return s;
  });
}

/** Legacy match / match_re maps plus new-style matcher strings. */
function collectMatchers(eqNode: CfgNode, reNode: CfgNode, listNode: CfgNode): Matcher[] {
  const out: Matcher[] = [];
  for (const [k, v] of eqNode.entries()) {
    if (!isValidLabelName(k)) throw v.error(`invalid label name "${k}"`);
    out.push(newMatcher('=', k, v.str('')));
  }
  for (const [k, v] of reNode.entries()) {
    if (!isValidLabelName(k)) throw v.error(`invalid label name "${k}"`);
    if (v.isNull()) throw v.error(`invalid regexp value for "${k}"`);
    try {
      // Alertmanager builds these from the compiled regexp's String(), so the matcher value
      // (visible in route keys and group keys) carries the anchoring wrapper.
      const src = v.str();
      try {
        newMatcher('=~', k, src);
      } catch (e) {
        throw new Error(goRegexError(src, e));
      }
      out.push(newMatcher('=~', k, `^(?:${src})$`));
    } catch (e) {
      throw v.error((e as Error).message);
    }
  }
  for (const ln of listNode.items()) {
    try {
      out.push(...parseMatchers(ln.str()));
    } catch (e) {
      throw ln.error((e as Error).message);
    }
  }
  return out;
}

function parseRoute(n: CfgNode): RouteConfig {
  n.allowOnly(ROUTE_KEYS);
  const r: RouteConfig = {
    receiver: n.get('receiver').optStr() || undefined,
    groupByAll: false,
    matchers: collectMatchers(n.get('match'), n.get('match_re'), n.get('matchers')),
    continue: n.get('continue').bool(false),
    routes: [],
    muteTimeIntervals: n.get('mute_time_intervals').strList(),
    activeTimeIntervals: n.get('active_time_intervals').strList(),
  };
  const gb = n.get('group_by');
  if (!gb.isNull()) {
    const labels: string[] = [];
    for (const item of gb.items()) {
      const l = item.str();
      if (l === '...') r.groupByAll = true;
      else {
        if (!isValidLabelName(l)) throw item.error(`invalid label name "${l}" in group_by list`);
        if (labels.includes(l)) throw item.error(`duplicated label "${l}" in group_by`);
        labels.push(l);
      }
    }
    if (labels.length > 0 && r.groupByAll) throw gb.error('cannot have wildcard group_by (`...`) and other other labels at the same time');
    // An empty list inherits the parent's grouping, as in Alertmanager (its GroupBy stays nil).
    if (!r.groupByAll && labels.length > 0) r.groupBy = labels;
  }
  if (n.has('group_wait')) r.groupWaitMs = n.get('group_wait').duration();
  if (n.has('group_interval')) {
    r.groupIntervalMs = n.get('group_interval').duration();
    if (r.groupIntervalMs === 0) throw n.get('group_interval').error('group_interval cannot be zero');
  }
  if (n.has('repeat_interval')) {
    r.repeatIntervalMs = n.get('repeat_interval').duration();
    if (r.repeatIntervalMs === 0) throw n.get('repeat_interval').error('repeat_interval cannot be zero');
  }
  r.routes = n.get('routes').items().map(parseRoute);
  return r;
}

function parseInhibitRule(n: CfgNode): InhibitRuleConfig {
  n.allowOnly(['source_match', 'source_match_re', 'source_matchers', 'target_match', 'target_match_re', 'target_matchers', 'equal']);
  return {
    sourceMatchers: collectMatchers(n.get('source_match'), n.get('source_match_re'), n.get('source_matchers')),
    targetMatchers: collectMatchers(n.get('target_match'), n.get('target_match_re'), n.get('target_matchers')),
    equal: labelNameList(n.get('equal')),
  };
}

function parseTimeInterval(n: CfgNode): TimeInterval {
  n.allowOnly(['times', 'weekdays', 'days_of_month', 'months', 'years', 'location']);
  const ti: TimeInterval = {};
  const each = <T>(key: string, f: (s: string) => T): T[] | undefined => {
    const node = n.get(key);
    if (node.isNull()) return undefined;
    return node.items().map((i) => {
      try {
        return f(i.str());
      } catch (e) {
        if (e instanceof ConfigError) throw e;
        throw i.error((e as Error).message);
      }
    });
  };
  const times = n.get('times');
  if (!times.isNull()) {
    ti.times = times.items().map((t) => {
      t.allowOnly(['start_time', 'end_time']);
      const s = t.get('start_time').str(''), e = t.get('end_time').str('');
      if (s === '' || e === '') throw t.error('both start and end times must be provided');
      let sm: number, em: number;
      try {
        sm = parseClock(s);
        em = parseClock(e);
      } catch (err) {
        throw t.error((err as Error).message);
      }
      if (sm >= em) throw t.error('start time cannot be equal or greater than end time');
      return { startMinute: sm, endMinute: em };
    });
  }
  ti.weekdays = each('weekdays', parseWeekdayRange);
  ti.daysOfMonth = each('days_of_month', parseDayOfMonthRange);
  ti.months = each('months', parseMonthRange);
  ti.years = each('years', parseYearRange);
  const loc = n.get('location');
  if (!loc.isNull()) {
    const s = loc.str();
    try {
      validateLocation(s);
    } catch (e) {
      throw loc.error((e as Error).message);
    }
    ti.location = s;
  }
  for (const k of Object.keys(ti) as (keyof TimeInterval)[]) if (ti[k] === undefined) delete ti[k];
  return ti;
}
