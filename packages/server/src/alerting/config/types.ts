// Parsed Alertmanager configuration. Durations in milliseconds.
import type { Matcher } from '../../model/index.js';
import type { TimeInterval } from './timeinterval.js';

export interface HttpClientConfig {
  basicAuth?: { username: string; password?: string; passwordFile?: string };
  authorization?: { type: string; credentials?: string; credentialsFile?: string };
  bearerToken?: string;
  bearerTokenFile?: string;
  tls: { insecureSkipVerify: boolean; caFile?: string; certFile?: string; keyFile?: string; serverName?: string };
  proxyUrl?: string;
  followRedirects: boolean;
}

export interface GlobalConfig {
  resolveTimeoutMs: number;
  http: HttpClientConfig;
  smtpFrom: string;
  smtpHello: string;
  smtpSmarthost: string;
  smtpAuthUsername: string;
  smtpAuthPassword: string;
  smtpAuthPasswordFile: string;
  smtpAuthSecret: string;
  smtpAuthIdentity: string;
  smtpRequireTls: boolean;
  slackApiUrl?: string;
  slackApiUrlFile?: string;
  wechatApiUrl: string;
  wechatApiSecret: string;
  wechatApiCorpId: string;
  dingtalkApiUrl?: string;
}

export interface RouteConfig {
  receiver?: string;
  /** Explicit group_by labels (undefined when group_by was not given). */
  groupBy?: string[];
  groupByAll: boolean;
  matchers: Matcher[];
  continue: boolean;
  routes: RouteConfig[];
  groupWaitMs?: number;
  groupIntervalMs?: number;
  repeatIntervalMs?: number;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
}

export interface InhibitRuleConfig {
  sourceMatchers: Matcher[];
  targetMatchers: Matcher[];
  equal: string[];
}

export interface WebhookConfig {
  sendResolved: boolean;
  url?: string;
  urlFile?: string;
  maxAlerts: number;
  http: HttpClientConfig;
}

export interface EmailConfig {
  sendResolved: boolean;
  to: string;
  from: string;
  smarthost: string;
  hello: string;
  authUsername: string;
  authPassword: string;
  authPasswordFile: string;
  authSecret: string;
  authIdentity: string;
  headers: Record<string, string>;
  html: string;
  text: string;
  requireTls: boolean;
  tls: HttpClientConfig['tls'];
}

export interface SlackField { title: string; value: string; short?: boolean }
export interface SlackAction { type: string; text: string; url?: string; style?: string; name?: string; value?: string }

export interface SlackConfig {
  sendResolved: boolean;
  apiUrl?: string;
  apiUrlFile?: string;
  channel: string;
  username: string;
  color: string;
  title: string;
  titleLink: string;
  pretext: string;
  text: string;
  footer: string;
  fallback: string;
  callbackId: string;
  iconEmoji: string;
  iconUrl: string;
  imageUrl: string;
  thumbUrl: string;
  linkNames: boolean;
  shortFields: boolean;
  mrkdwnIn: string[];
  fields: SlackField[];
  actions: SlackAction[];
  http: HttpClientConfig;
}

export interface WechatConfig {
  sendResolved: boolean;
  apiSecret: string;
  corpId: string;
  apiUrl: string;
  message: string;
  messageType: 'text' | 'markdown';
  toUser: string;
  toParty: string;
  toTag: string;
  agentId: string;
  http: HttpClientConfig;
}

/** Vigil's own: DingTalk custom robot (webhook with optional HMAC-SHA256 sign secret). */
export interface DingtalkConfig {
  sendResolved: boolean;
  url?: string;
  urlFile?: string;
  secret: string;
  messageType: 'markdown' | 'text';
  title: string;
  message: string;
  atMobiles: string[];
  atAll: boolean;
  http: HttpClientConfig;
}

/** Vigil's own: WeChat Work group robot (webhook key URL, markdown or text). */
export interface WecomRobotConfig {
  sendResolved: boolean;
  url?: string;
  urlFile?: string;
  messageType: 'markdown' | 'text';
  message: string;
  mentionedMobiles: string[];
  http: HttpClientConfig;
}

/** Vigil's own: a generic templated HTTP request (SMS gateways, ticket systems, chat bots). */
export interface HttpSenderConfig {
  sendResolved: boolean;
  url: string;
  method: 'GET' | 'POST' | 'PUT';
  headers: Record<string, string>;
  query: Record<string, string>;
  body: string;
  contentType: string;
  http: HttpClientConfig;
}

export interface ReceiverConfig {
  name: string;
  webhook: WebhookConfig[];
  email: EmailConfig[];
  slack: SlackConfig[];
  wechat: WechatConfig[];
  dingtalk: DingtalkConfig[];
  wecomRobot: WecomRobotConfig[];
  httpSender: HttpSenderConfig[];
  /** Alertmanager integration kinds Vigil accepts in the file but cannot deliver to. */
  unsupported: string[];
}

export interface AlertmanagerConfig {
  global: GlobalConfig;
  route: RouteConfig;
  inhibitRules: InhibitRuleConfig[];
  receivers: ReceiverConfig[];
  templates: string[];
  timeIntervals: Map<string, TimeInterval[]>;
  /** Source text (for /api/v2/status config.original). */
  original: string;
  /** Directory of the file, for relative template / *_file paths. */
  baseDir: string;
}
