// WeChat Work group robot (企业微信群机器人): markdown or text to the robot webhook key URL.
import { readFileSync } from 'node:fs';
import type { WecomRobotConfig } from '../../config/index.js';
import type { Alert } from '../../types.js';
import { NotifyError, type NotifyContext } from '../context.js';
import { checkStatus, httpSend, redactUrl } from '../http.js';
import type { Integration } from '../pipeline.js';
import { Renderer, truncateRunes } from '../render.js';
import type { NotificationTemplater } from '../templates.js';

export class WecomRobotIntegration implements Integration {
  readonly name = 'wecom_robot';
  readonly sendResolved: boolean;
  constructor(
    private readonly cfg: WecomRobotConfig,
    readonly index: number,
    private readonly templater: NotificationTemplater,
    private readonly externalUrl: string,
  ) {
    this.sendResolved = cfg.sendResolved;
  }

  message(ctx: NotifyContext, alerts: Alert[]): Record<string, unknown> {
    const r = new Renderer(this.templater, ctx, alerts, this.externalUrl);
    // The robot API caps content at 4096 bytes; stay well inside it.
    const content = truncateRunes(r.text('message', this.cfg.message), 1300);
    if (this.cfg.messageType === 'markdown') return { msgtype: 'markdown', markdown: { content } };
    return { msgtype: 'text', text: { content, mentioned_mobile_list: this.cfg.mentionedMobiles } };
  }

  async notify(ctx: NotifyContext, alerts: Alert[]): Promise<void> {
    const url = this.cfg.url ?? readFileSync(this.cfg.urlFile!, 'utf8').trim();
    const res = await httpSend('POST', url, JSON.stringify(this.message(ctx, alerts)), this.cfg.http, ctx.signal);
    checkStatus(res, redactUrl(url));
    const j = JSON.parse(res.body || '{}') as { errcode?: number; errmsg?: string };
    if (j.errcode) throw new NotifyError(`wecom robot: ${j.errmsg ?? 'error'} (errcode ${j.errcode})`, j.errcode === 45009);
  }
}
