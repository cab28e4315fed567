// Generic HTTP sender (Vigil's own `http_sender_configs`): one templated request per
// notification — URL query parameters, headers and body are templates — for SMS gateways and
// other simple HTTP APIs. 2xx is success, 5xx and network errors are retried.
import type { HttpSenderConfig } from '../../config/index.js';
import type { Alert } from '../../types.js';
import type { NotifyContext } from '../context.js';
import { checkStatus, httpSendWith, redactUrl } from '../http.js';
import type { Integration } from '../pipeline.js';
import { Renderer } from '../render.js';
import type { NotificationTemplater } from '../templates.js';

export class HttpSenderIntegration implements Integration {
  readonly name = 'http_sender';
  readonly sendResolved: boolean;
  constructor(
    private readonly cfg: HttpSenderConfig,
    readonly index: number,
    private readonly templater: NotificationTemplater,
    private readonly externalUrl: string,
  ) {
    this.sendResolved = cfg.sendResolved;
  }

  request(ctx: NotifyContext, alerts: Alert[]): { url: string; headers: Record<string, string>; body?: string } {
    const r = new Renderer(this.templater, ctx, alerts, this.externalUrl);
    const u = new URL(this.cfg.url);
    for (const [k, v] of Object.entries(this.cfg.query)) u.searchParams.set(k, r.text(`query.${k}`, v));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.cfg.headers)) headers[k] = r.text(`headers.${k}`, v);
    const body = this.cfg.method === 'GET' ? undefined : r.text('body', this.cfg.body);
    return { url: u.toString(), headers, body };
  }

  async notify(ctx: NotifyContext, alerts: Alert[]): Promise<void> {
    const req = this.request(ctx, alerts);
    const res = await httpSendWith(this.cfg.method, req.url, req.body, this.cfg.http, ctx.signal, this.cfg.contentType, req.headers);
    checkStatus(res, redactUrl(this.cfg.url));
  }
}
