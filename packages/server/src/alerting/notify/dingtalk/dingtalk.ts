// DingTalk (钉钉) custom robot: markdown or text messages to the robot webhook, signed with
// HMAC-SHA256 when a secret is set (timestamp + sign query parameters).
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DingtalkConfig } from '../../config/index.js';
import type { Alert } from '../../types.js';
import { NotifyError, type NotifyContext } from '../context.js';
import { checkStatus, httpSend, redactUrl } from '../http.js';
import type { Integration } from '../pipeline.js';
import { Renderer } from '../render.js';
import type { NotificationTemplater } from '../templates.js';

/** DingTalk's robot signature: base64(HMAC-SHA256(secret, "<timestamp>\n<secret>")). */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

export class DingtalkIntegration implements Integration {
  readonly name = 'dingtalk';
  readonly sendResolved: boolean;
  constructor(
    private readonly cfg: DingtalkConfig,
    readonly index: number,
    private readonly templater: NotificationTemplater,
    private readonly externalUrl: string,
  ) {
    this.sendResolved = cfg.sendResolved;
  }

  message(ctx: NotifyContext, alerts: Alert[]): Record<string, unknown> {
    const r = new Renderer(this.templater, ctx, alerts, this.externalUrl);
    const at = { atMobiles: this.cfg.atMobiles, isAtAll: this.cfg.atAll };
    let text = r.text('message', this.cfg.message);
    if (this.cfg.messageType === 'markdown') {
      // Mentions only notify when the number also appears in the markdown text.
      if (this.cfg.atMobiles.length) text += '\n\n' + this.cfg.atMobiles.map((m) => `@${m}`).join(' ');
      return { msgtype: 'markdown', markdown: { title: r.text('title', this.cfg.title), text }, at };
    }
    return { msgtype: 'text', text: { content: text }, at };
  }

  async notify(ctx: NotifyContext, alerts: Alert[]): Promise<void> {
    const raw = this.cfg.url ?? readFileSync(this.cfg.urlFile!, 'utf8').trim();
    const u = new URL(raw);
    if (this.cfg.secret) {
      const ts = Date.now();
      u.searchParams.set('timestamp', String(ts));
      u.searchParams.set('sign', dingtalkSign(this.cfg.secret, ts));
    }
    const res = await httpSend('POST', u.toString(), JSON.stringify(this.message(ctx, alerts)), this.cfg.http, ctx.signal);
    checkStatus(res, redactUrl(raw));
    const j = JSON.parse(res.body || '{}') as { errcode?: number; errmsg?: string };
    // 130101: sending too fast (rate limited) — worth retrying.
    if (j.errcode) throw new NotifyError(`dingtalk: ${j.errmsg ?? 'error'} (errcode ${j.errcode})`, j.errcode === 130101);
  }
}
