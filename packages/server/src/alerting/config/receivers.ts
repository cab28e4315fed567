// Receivers: each integration's fields, Alertmanager's defaults (and the global section's
// fallbacks), and its validation messages.
import type { CfgNode } from '../../config/node.js';
import { parseHttpConfig, parseTls } from './http.js';
import { hostPort, urlField } from './fields.js';
import type {
  DingtalkConfig, EmailConfig, GlobalConfig, HttpClientConfig, HttpSenderConfig, ReceiverConfig, SlackConfig, WebhookConfig,
  WechatConfig, WecomRobotConfig,
} from './types.js';

export const UNSUPPORTED_KINDS = [
  'discord_configs', 'pagerduty_configs', 'opsgenie_configs', 'pushover_configs', 'victorops_configs', 'sns_configs',
  'telegram_configs', 'webex_configs',
];
const RECEIVER_KEYS = ['name', 'webhook_configs', 'email_configs', 'slack_configs', 'wechat_configs', 'dingtalk_configs', 'wecom_robot_configs', 'http_sender_configs', ...UNSUPPORTED_KINDS];

export function parseReceiver(n: CfgNode, g: GlobalConfig, globalNode: CfgNode): ReceiverConfig {
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
