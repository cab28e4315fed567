// Builds a receiver's integrations from its configuration (one folder per integration).
import type { Logger } from '../../util/log.js';
import type { ReceiverConfig } from '../config/index.js';
import { DingtalkIntegration } from './dingtalk/dingtalk.js';
import { EmailIntegration } from './email/email.js';
import type { Integration } from './pipeline.js';
import { SlackIntegration } from './slack/slack.js';
import type { NotificationTemplater } from './templates.js';
import { WebhookIntegration } from './webhook/webhook.js';
import { WechatIntegration } from './wechat/wechat.js';
import { WecomRobotIntegration } from './wecom/wecom.js';
import { HttpSenderIntegration } from './httpsender/httpsender.js';

export interface IntegrationDeps {
  externalUrl: string;
  templater: NotificationTemplater;
  baseDir: string;
  logger: Logger;
}

export function buildIntegrations(r: ReceiverConfig, deps: IntegrationDeps): Integration[] {
  const out: Integration[] = [];
  const { templater: t, externalUrl: u } = deps;
  r.webhook.forEach((c, i) => out.push(new WebhookIntegration(c, i, u)));
  r.email.forEach((c, i) => out.push(new EmailIntegration(c, i, t, u)));
  r.slack.forEach((c, i) => out.push(new SlackIntegration(c, i, t, u)));
  r.wechat.forEach((c, i) => out.push(new WechatIntegration(c, i, t, u)));
  r.dingtalk.forEach((c, i) => out.push(new DingtalkIntegration(c, i, t, u)));
  r.wecomRobot.forEach((c, i) => out.push(new WecomRobotIntegration(c, i, t, u)));
  r.httpSender.forEach((c, i) => out.push(new HttpSenderIntegration(c, i, t, u)));
  return out;
}
