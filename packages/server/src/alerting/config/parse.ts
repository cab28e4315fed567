// Loads an Alertmanager configuration (alertmanager.yml as is) from a CfgNode, with
// Alertmanager's defaults and validation; errors name file:line and field.
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { CfgNode, ConfigError } from '../../config/node.js';
import { newMatcher, type Matcher } from '../../model/index.js';
import { isValidLabelName } from '../types.js';
import { goRegexError, parseMatchers } from '../matchers.js';
import { defaultHttpConfig, parseHttpConfig, parseTls } from './http.js';
import {
  parseClock, parseDayOfMonthRange, parseMonthRange, parseWeekdayRange, parseYearRange, validateLocation,
  type TimeInterval,
} from './timeinterval.js';
import type {
  AlertmanagerConfig, DingtalkConfig, EmailConfig, GlobalConfig, HttpClientConfig, InhibitRuleConfig, ReceiverConfig,
  RouteConfig, SlackConfig, WebhookConfig, WechatConfig, WecomRobotConfig, HttpSenderConfig,
} from './types.js';

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
const UNSUPPORTED_KINDS = [
  'discord_configs', 'pagerduty_configs', 'opsgenie_configs', 'pushover_configs', 'victorops_configs', 'sns_configs',
  'telegram_configs', 'webex_configs',
];
const RECEIVER_KEYS = ['name', 'webhook_configs', 'email_configs', 'slack_configs', 'wechat_configs', 'dingtalk_configs', 'wecom_robot_configs', 'http_sender_configs', ...UNSUPPORTED_KINDS];

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

function urlField(n: CfgNode): string | undefined {
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

function hostPort(n: CfgNode): string {
  const s = n.str('');
  if (s === '') return '';
  const m = /^(\[[^\]]*\]|[^:]*):(\d*)$/.exec(s);
  if (!m) throw n.error(`address ${s}: missing port in address`);
  if (m[2] === '') throw n.error(`address "${s}": port cannot be empty`);
  return s;
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

function parseReceiver(n: CfgNode, g: GlobalConfig, globalNode: CfgNode): ReceiverConfig {
  n.allowOnly(RECEIVER_KEYS);
  const name = n.get('name').str('');
  if (name === '') throw n.error('missing name in receiver');
  const r: ReceiverConfig = {
    name,
    webhook: n.get('webhook_configs').items().map((c) => parseWebhook(c, g)),
    email: n.get('email_configs').items().map((c) => parseEmail(c, g)),
    slack: n.get('slack_configs').items().map((c) => parseSlack(c, g)),
    wechat: n.get('wechat_configs').items().map((c) => parseWechat(c, g)),
    dingtalk: n.get('dingtalk_configs').items().map((c) => parseDingtalk(c, g)),
    wecomRobot: n.get('wecom_robot_configs').items().map((c) => parseWecomRobot(c, g)),
    httpSender: n.get('http_sender_configs').items().map((c) => parseHttpSender(c, g)),
    unsupported: UNSUPPORTED_KINDS.filter((k) => n.get(k).items().length > 0),
  };
  for (const k of r.unsupported) for (const c of n.get(k).items()) checkUnsupported(k, c, globalNode);
  return r;
}

function http(n: CfgNode, g: GlobalConfig): HttpClientConfig {
  return parseHttpConfig(n.get('http_config'), g.http);
}

function parseWebhook(n: CfgNode, g: GlobalConfig): WebhookConfig {
  n.allowOnly(['send_resolved', 'http_config', 'url', 'max_alerts']);
  const url = n.get('url');
  if (url.isNull()) throw n.error('missing URL in webhook config');
  let u: URL;
  try {
    u = new URL(url.str());
  } catch {
    throw url.error('scheme required for webhook url');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw url.error('scheme required for webhook url');
  const maxAlerts = n.get('max_alerts').int(0);
  if (maxAlerts < 0) throw n.get('max_alerts').error('max_alerts cannot be negative');
  return { sendResolved: n.get('send_resolved').bool(true), url: url.str(), maxAlerts, http: http(n, g) };
}

export const DEFAULT_EMAIL_SUBJECT = '{{ template "email.default.subject" . }}';
export const DEFAULT_EMAIL_HTML = '{{ template "email.default.html" . }}';

function parseEmail(n: CfgNode, g: GlobalConfig): EmailConfig {
  n.allowOnly([
    'send_resolved', 'to', 'from', 'hello', 'smarthost', 'auth_username', 'auth_password', 'auth_password_file', 'auth_secret',
    'auth_identity', 'headers', 'html', 'text', 'require_tls', 'tls_config',
  ]);
  const to = n.get('to').str('');
  if (to === '') throw n.error('missing to address in email config');
  const headers: Record<string, string> = {};
  for (const [k, v] of n.get('headers').entries()) {
    const norm = k.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join('-');
    if (norm in headers) throw v.error(`duplicate header "${norm}" in email config`);
    headers[norm] = v.str('');
  }
  if (!('Subject' in headers)) headers.Subject = DEFAULT_EMAIL_SUBJECT;
  if (!('To' in headers)) headers.To = to;
  const smarthost = hostPort(n.get('smarthost')) || g.smtpSmarthost;
  if (smarthost === '') throw n.error('no global SMTP smarthost set');
  const from = n.get('from').str('') || g.smtpFrom;
  if (from === '') throw n.error('no global SMTP from set');
  if (!('From' in headers)) headers.From = from;
  const c: EmailConfig = {
    sendResolved: n.get('send_resolved').bool(false),
    to,
    from,
    smarthost,
    hello: n.get('hello').str('') || g.smtpHello,
    authUsername: n.get('auth_username').str('') || g.smtpAuthUsername,
    authPassword: n.get('auth_password').str(''),
    authPasswordFile: n.get('auth_password_file').str(''),
    authSecret: n.get('auth_secret').str('') || g.smtpAuthSecret,
    authIdentity: n.get('auth_identity').str('') || g.smtpAuthIdentity,
    headers,
    html: n.get('html').str(DEFAULT_EMAIL_HTML),
    text: n.get('text').str(''),
    requireTls: n.get('require_tls').bool(g.smtpRequireTls),
    tls: parseTls(n.get('tls_config')),
  };
  // (Alertmanager 0.25 accepts both auth_password and auth_password_file; the inline one wins.)
  if (!c.authPassword && !c.authPasswordFile) {
    c.authPassword = g.smtpAuthPassword;
    c.authPasswordFile = g.smtpAuthPasswordFile;
  }
  return c;
}

function parseSlack(n: CfgNode, g: GlobalConfig): SlackConfig {
  n.allowOnly([
    'send_resolved', 'http_config', 'api_url', 'api_url_file', 'channel', 'username', 'color', 'title', 'title_link', 'pretext',
    'text', 'fields', 'short_fields', 'footer', 'fallback', 'callback_id', 'icon_emoji', 'icon_url', 'image_url', 'thumb_url',
    'link_names', 'mrkdwn_in', 'actions',
  ]);
  let apiUrl = urlField(n.get('api_url'));
  let apiUrlFile = n.get('api_url_file').optStr();
  if (apiUrl && apiUrlFile) throw n.error('at most one of api_url & api_url_file must be configured');
  if (!apiUrl && !apiUrlFile) {
    if (!g.slackApiUrl && !g.slackApiUrlFile) throw n.error('no global Slack API URL set either inline or in a file');
    apiUrl = g.slackApiUrl;
    apiUrlFile = g.slackApiUrlFile;
  }
  const fields = n.get('fields').items().map((f) => {
    f.allowOnly(['title', 'value', 'short']);
    const title = f.get('title').str('');
    const value = f.get('value').str('');
    if (title === '') throw f.error('missing title in Slack field configuration');
    if (value === '') throw f.error('missing value in Slack field configuration');
    return { title, value, short: f.has('short') ? f.get('short').bool() : undefined };
  });
  const actions = n.get('actions').items().map((a) => {
    a.allowOnly(['type', 'text', 'url', 'style', 'name', 'value', 'confirm']);
    const type = a.get('type').str(''), text = a.get('text').str('');
    if (type === '') throw a.error('missing type in Slack action configuration');
    if (text === '') throw a.error('missing text in Slack action configuration');
    const url = a.get('url').optStr(), name = a.get('name').optStr();
    if (!url && !name) throw a.error('missing name or url in Slack action configuration');
    return { type, text, url, name, style: a.get('style').optStr(), value: a.get('value').optStr() };
  });
  return {
    sendResolved: n.get('send_resolved').bool(false),
    apiUrl,
    apiUrlFile,
    channel: n.get('channel').str(''),
    username: n.get('username').str('{{ template "slack.default.username" . }}'),
    color: n.get('color').str('{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}'),
    title: n.get('title').str('{{ template "slack.default.title" . }}'),
    titleLink: n.get('title_link').str('{{ template "slack.default.titlelink" . }}'),
    pretext: n.get('pretext').str('{{ template "slack.default.pretext" . }}'),
    text: n.get('text').str('{{ template "slack.default.text" . }}'),
    footer: n.get('footer').str('{{ template "slack.default.footer" . }}'),
    fallback: n.get('fallback').str('{{ template "slack.default.fallback" . }}'),
    callbackId: n.get('callback_id').str('{{ template "slack.default.callbackid" . }}'),
    iconEmoji: n.get('icon_emoji').str('{{ template "slack.default.iconemoji" . }}'),
    iconUrl: n.get('icon_url').str('{{ template "slack.default.iconurl" . }}'),
    imageUrl: n.get('image_url').str(''),
    thumbUrl: n.get('thumb_url').str(''),
    linkNames: n.get('link_names').bool(false),
    shortFields: n.get('short_fields').bool(false),
    mrkdwnIn: n.has('mrkdwn_in') ? n.get('mrkdwn_in').strList() : ['fallback', 'pretext', 'text'],
    fields,
    actions,
    http: http(n, g),
  };
}

function parseWechat(n: CfgNode, g: GlobalConfig): WechatConfig {
  n.allowOnly(['send_resolved', 'http_config', 'api_secret', 'corp_id', 'message', 'api_url', 'to_user', 'to_party', 'to_tag', 'agent_id', 'message_type']);
  let apiUrl = urlField(n.get('api_url')) ?? g.wechatApiUrl;
  if (!apiUrl.endsWith('/')) apiUrl += '/';
  const apiSecret = n.get('api_secret').str('') || g.wechatApiSecret;
  if (!apiSecret) throw n.error('no global Wechat ApiSecret set');
  const corpId = n.get('corp_id').str('') || g.wechatApiCorpId;
  if (!corpId) throw n.error('no global Wechat CorpID set');
  const mt = n.get('message_type').str('text');
  if (mt !== 'text' && mt !== 'markdown') throw n.get('message_type').error(`weChat message type "${mt}" does not match valid options text|markdown`);
  return {
    sendResolved: n.get('send_resolved').bool(false),
    apiSecret,
    corpId,
    apiUrl,
    message: n.get('message').str('{{ template "wechat.default.message" . }}'),
    messageType: mt,
    toUser: n.get('to_user').str('{{ template "wechat.default.to_user" . }}'),
    toParty: n.get('to_party').str('{{ template "wechat.default.to_party" . }}'),
    toTag: n.get('to_tag').str('{{ template "wechat.default.to_tag" . }}'),
    agentId: n.get('agent_id').str('{{ template "wechat.default.agent_id" . }}'),
    http: http(n, g),
  };
}

function robotUrl(n: CfgNode): { url?: string; urlFile?: string } {
  const url = urlField(n.get('url'));
  const urlFile = n.get('url_file').optStr();
  if (url && urlFile) throw n.error('at most one of url & url_file must be configured');
  if (!url && !urlFile) throw n.error('one of url or url_file must be configured');
  return { url, urlFile };
}

function parseDingtalk(n: CfgNode, g: GlobalConfig): DingtalkConfig {
  n.allowOnly(['send_resolved', 'http_config', 'url', 'url_file', 'secret', 'message_type', 'title', 'message', 'at_mobiles', 'at_all']);
  const mt = n.get('message_type').str('markdown');
  if (mt !== 'markdown' && mt !== 'text') throw n.get('message_type').error(`message_type must be markdown or text, got "${mt}"`);
  return {
    sendResolved: n.get('send_resolved').bool(true),
    ...robotUrl(n),
    secret: n.get('secret').str(''),
    messageType: mt,
    title: n.get('title').str('{{ template "dingtalk.default.title" . }}'),
    message: n.get('message').str('{{ template "dingtalk.default.message" . }}'),
    atMobiles: n.get('at_mobiles').strList(),
    atAll: n.get('at_all').bool(false),
    http: http(n, g),
  };
}

function parseWecomRobot(n: CfgNode, g: GlobalConfig): WecomRobotConfig {
  n.allowOnly(['send_resolved', 'http_config', 'url', 'url_file', 'message_type', 'message', 'mentioned_mobiles']);
  const mt = n.get('message_type').str('markdown');
  if (mt !== 'markdown' && mt !== 'text') throw n.get('message_type').error(`message_type must be markdown or text, got "${mt}"`);
  return {
    sendResolved: n.get('send_resolved').bool(true),
    ...robotUrl(n),
    messageType: mt,
    message: n.get('message').str('{{ template "wecom.default.message" . }}'),
    mentionedMobiles: n.get('mentioned_mobiles').strList(),
    http: http(n, g),
  };
}

function parseHttpSender(n: CfgNode, g: GlobalConfig): HttpSenderConfig {
  n.allowOnly(['send_resolved', 'http_config', 'url', 'method', 'headers', 'query', 'body', 'content_type']);
  const url = urlField(n.get('url'));
  if (!url) throw n.error('missing url in http_sender config');
  const method = n.get('method').str('POST').toUpperCase();
  if (method !== 'GET' && method !== 'POST' && method !== 'PUT') throw n.get('method').error(`method must be GET, POST or PUT, got "${method}"`);
  return {
    sendResolved: n.get('send_resolved').bool(true),
    url,
    method,
    headers: n.get('headers').strMap(),
    query: n.get('query').strMap(),
    body: n.get('body').str(method === 'GET' ? '' : '{{ template "http_sender.default.body" . }}'),
    contentType: n.get('content_type').str('application/json'),
    http: http(n, g),
  };
}

/** The required fields of integrations Vigil accepts but does not deliver to, with
 * Alertmanager's messages, so `vigil check alertmanager` agrees with amtool. */
function checkUnsupported(kind: string, c: CfgNode, global: CfgNode): void {
  const has = (k: string) => c.has(k);
  const g = (k: string) => global.has(k);
  switch (kind) {
    case 'pagerduty_configs':
      if (!has('routing_key') && !has('service_key') && !has('routing_key_file') && !has('service_key_file')) throw c.error('missing service or routing key in PagerDuty config');
      if (has('routing_key') && has('routing_key_file')) throw c.error('at most one of routing_key & routing_key_file must be configured');
      if (has('service_key') && has('service_key_file')) throw c.error('at most one of service_key & service_key_file must be configured');
      break;
    case 'opsgenie_configs':
      if (has('api_key') && has('api_key_file')) throw c.error('at most one of api_key & api_key_file must be configured');
      if (!has('api_key') && !has('api_key_file') && !g('opsgenie_api_key') && !g('opsgenie_api_key_file')) throw c.error('no global OpsGenie API Key set either inline or in a file');
      break;
    case 'victorops_configs':
      if (!has('routing_key')) throw c.error('missing Routing key in VictorOps config');
      if (has('api_key') && has('api_key_file')) throw c.error('at most one of api_key & api_key_file must be configured');
      if (!has('api_key') && !has('api_key_file') && !g('victorops_api_key') && !g('victorops_api_key_file')) throw c.error('no global VictorOps API Key set');
      break;
    case 'pushover_configs':
      if (!has('user_key')) throw c.error('missing user key in Pushover config');
      if (!has('token')) throw c.error('missing token in Pushover config');
      break;
    case 'telegram_configs':
      if (!has('bot_token')) throw c.error('missing bot_token on telegram_config');
      if (!has('chat_id')) throw c.error('missing chat_id on telegram_config');
      break;
    case 'discord_configs':
      if (!has('webhook_url')) throw c.error('no discord webhook URL provided');
      break;
    case 'sns_configs':
      if (!has('target_arn') && !has('topic_arn') && !has('phone_number')) throw c.error('must provide either a Target ARN, Topic ARN, or Phone Number for SNS config');
      break;
    case 'webex_configs':
      if (!has('room_id')) throw c.error('missing room_id on webex_config');
      if (!c.get('http_config').has('authorization')) throw c.error('missing webex_configs.http_config.authorization');
      break;
  }
}
