// WeChat Work (企业微信) application messages, Alertmanager's wechat_configs: a cached access
// token from {api_url}gettoken, then {api_url}message/send as text or markdown.
import type { WechatConfig } from '../../config/index.js';
import type { Alert } from '../../types.js';
import { NotifyError, type NotifyContext } from '../context.js';
import { checkStatus, httpSend, redactUrl } from '../http.js';
import type { Integration } from '../pipeline.js';
import { Renderer, truncateRunes } from '../render.js';
import type { NotificationTemplater } from '../templates.js';

interface WechatResponse { errcode?: number; errmsg?: string; access_token?: string }

export class WechatIntegration implements Integration {
  readonly name = 'wechat';
  readonly sendResolved: boolean;
  private token = '';
  private tokenAt = 0;
  constructor(
    private readonly cfg: WechatConfig,
    readonly index: number,
    private readonly templater: NotificationTemplater,
    private readonly externalUrl: string,
  ) {
    this.sendResolved = cfg.sendResolved;
  }

  private async accessToken(signal: AbortSignal): Promise<string> {
    // Tokens live 2h; refresh a little early.
    if (this.token && Date.now() - this.tokenAt < 7000_000) return this.token;
    const u = new URL('gettoken', this.cfg.apiUrl);
    u.searchParams.set('corpid', this.cfg.corpId);
    u.searchParams.set('corpsecret', this.cfg.apiSecret);
    const res = await httpSend('GET', u.toString(), undefined, this.cfg.http, signal);
    checkStatus(res, redactUrl(u.toString()));
    const j = JSON.parse(res.body) as WechatResponse;
    if (!j.access_token) throw new NotifyError(`wechat gettoken: ${j.errmsg ?? 'no access_token'} (errcode ${j.errcode ?? '?'})`, true);
    this.token = j.access_token;
    this.tokenAt = Date.now();
    return this.token;
  }

  message(ctx: NotifyContext, alerts: Alert[]): Record<string, unknown> {
    const r = new Renderer(this.templater, ctx, alerts, this.externalUrl);
    const content = truncateRunes(r.text('message', this.cfg.message), 2048);
    const msg: Record<string, unknown> = {
      touser: r.text('to_user', this.cfg.toUser),
      toparty: r.text('to_party', this.cfg.toParty),
      totag: r.text('to_tag', this.cfg.toTag),
      agentid: r.text('agent_id', this.cfg.agentId),
      msgtype: this.cfg.messageType,
      safe: '0',
    };
    msg[this.cfg.messageType] = { content };
    return msg;
  }

  async notify(ctx: NotifyContext, alerts: Alert[]): Promise<void> {
    const body = JSON.stringify(this.message(ctx, alerts));
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await this.accessToken(ctx.signal);
      const u = new URL('message/send', this.cfg.apiUrl);
      u.searchParams.set('access_token', token);
      const res = await httpSend('POST', u.toString(), body, this.cfg.http, ctx.signal);
      checkStatus(res, redactUrl(u.toString()));
      const j = JSON.parse(res.body || '{}') as WechatResponse;
      if (!j.errcode) return;
      // 42001: token expired; 40014: invalid token. Fetch a new one and try once more.
      if ((j.errcode === 42001 || j.errcode === 40014) && attempt === 0) {
        this.token = '';
        continue;
      }
      throw new NotifyError(`wechat: ${j.errmsg ?? 'error'} (errcode ${j.errcode})`, false);
    }
  }
}
