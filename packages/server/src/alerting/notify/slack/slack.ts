// Slack integration: incoming-webhook payload with one attachment rendered from templates.
import { readFileSync } from 'node:fs';
import type { SlackConfig } from '../../config/index.js';
import type { Alert } from '../../types.js';
import { NotifyError, type NotifyContext } from '../context.js';
import { checkStatus, httpSend, redactUrl } from '../http.js';
import type { Integration } from '../pipeline.js';
import { Renderer, truncateRunes } from '../render.js';
import type { NotificationTemplater } from '../templates.js';

export class SlackIntegration implements Integration {
  readonly name = 'slack';
  readonly sendResolved: boolean;
  constructor(
    private readonly cfg: SlackConfig,
    readonly index: number,
    private readonly templater: NotificationTemplater,
    private readonly externalUrl: string,
  ) {
    this.sendResolved = cfg.sendResolved;
  }

  payload(ctx: NotifyContext, alerts: Alert[]): Record<string, unknown> {
    const c = this.cfg;
    const r = new Renderer(this.templater, ctx, alerts, this.externalUrl);
    const att: Record<string, unknown> = {
      title: truncateRunes(r.text('title', c.title), 1024),
      title_link: r.text('title_link', c.titleLink),
      pretext: r.text('pretext', c.pretext),
      text: r.text('text', c.text),
      fallback: r.text('fallback', c.fallback),
      callback_id: r.text('callback_id', c.callbackId),
      footer: r.text('footer', c.footer),
      color: r.text('color', c.color),
      mrkdwn_in: c.mrkdwnIn,
    };
    if (c.imageUrl) att.image_url = r.text('image_url', c.imageUrl);
    if (c.thumbUrl) att.thumb_url = r.text('thumb_url', c.thumbUrl);
    if (c.fields.length) att.fields = c.fields.map((f) => ({ title: r.text('fields.title', f.title), value: r.text('fields.value', f.value), short: f.short ?? c.shortFields }));
    if (c.actions.length) {
      att.actions = c.actions.map((a) => ({
        type: r.text('actions.type', a.type),
        text: r.text('actions.text', a.text),
        ...(a.url ? { url: r.text('actions.url', a.url) } : {}),
        ...(a.style ? { style: r.text('actions.style', a.style) } : {}),
        ...(a.name ? { name: r.text('actions.name', a.name) } : {}),
        ...(a.value ? { value: r.text('actions.value', a.value) } : {}),
      }));
    }
    for (const k of Object.keys(att)) if (att[k] === '') delete att[k];
    const msg: Record<string, unknown> = {
      channel: r.text('channel', c.channel),
      username: r.text('username', c.username),
      icon_emoji: r.text('icon_emoji', c.iconEmoji),
      icon_url: r.text('icon_url', c.iconUrl),
      link_names: c.linkNames,
      attachments: [att],
    };
    for (const k of ['channel', 'username', 'icon_emoji', 'icon_url']) if (msg[k] === '') delete msg[k];
    return msg;
  }

  async notify(ctx: NotifyContext, alerts: Alert[]): Promise<void> {
    const url = this.cfg.apiUrl ?? (this.cfg.apiUrlFile ? readFileSync(this.cfg.apiUrlFile, 'utf8').trim() : '');
    if (!url) throw new NotifyError('no Slack API URL', false);
    const res = await httpSend('POST', url, JSON.stringify(this.payload(ctx, alerts)), this.cfg.http, ctx.signal);
    checkStatus(res, redactUrl(url));
    // Slack answers "ok" as text; anything else in a 200 is an error message.
    const body = res.body.trim();
    if (body && body !== 'ok' && !body.startsWith('{')) throw new NotifyError(`slack: ${body}`, false);
    if (body.startsWith('{')) {
      const j = JSON.parse(body) as { ok?: boolean; error?: string };
      if (j.ok === false) throw new NotifyError(`slack: ${j.error ?? 'error'}`, false);
    }
  }
}
