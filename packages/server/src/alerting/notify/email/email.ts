// Email integration: SMTP via nodemailer with STARTTLS (required by default, as Alertmanager's
// require_tls), implicit TLS on port 465, AUTH (PLAIN/LOGIN/CRAM-MD5), HTML + text bodies and
// headers rendered from templates.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createTransport } from 'nodemailer';
import type { EmailConfig } from '../../config/index.js';
import type { Alert } from '../../types.js';
import { NotifyError, type NotifyContext } from '../context.js';
import type { Integration } from '../pipeline.js';
import { Renderer } from '../render.js';
import type { NotificationTemplater } from '../templates.js';

export class EmailIntegration implements Integration {
  readonly name = 'email';
  readonly sendResolved: boolean;
  constructor(
    private readonly cfg: EmailConfig,
    readonly index: number,
    private readonly templater: NotificationTemplater,
    private readonly externalUrl: string,
  ) {
    this.sendResolved = cfg.sendResolved;
  }

  async notify(ctx: NotifyContext, alerts: Alert[]): Promise<void> {
    const r = new Renderer(this.templater, ctx, alerts, this.externalUrl);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.cfg.headers)) headers[k] = r.text(`headers.${k}`, v);
    const to = r.text('to', this.cfg.to);
    const from = r.text('from', this.cfg.from);
    const html = this.cfg.html ? r.html('html', this.cfg.html) : '';
    const text = this.cfg.text ? r.text('text', this.cfg.text) : '';
    const i = this.cfg.smarthost.lastIndexOf(':');
    const host = this.cfg.smarthost.slice(0, i).replace(/^\[|\]$/g, '');
    const port = Number(this.cfg.smarthost.slice(i + 1));
    const password = this.cfg.authPassword || (this.cfg.authPasswordFile ? readFileSync(this.cfg.authPasswordFile, 'utf8').trim() : '');
    const tls = {
      rejectUnauthorized: !this.cfg.tls.insecureSkipVerify,
      servername: this.cfg.tls.serverName || (isIP(host) ? undefined : host),
      ca: this.cfg.tls.caFile ? readFileSync(this.cfg.tls.caFile) : undefined,
      cert: this.cfg.tls.certFile ? readFileSync(this.cfg.tls.certFile) : undefined,
      key: this.cfg.tls.keyFile ? readFileSync(this.cfg.tls.keyFile) : undefined,
    };
    const transport = createTransport({
      host,
      port,
      secure: port === 465,
      requireTLS: port !== 465 && this.cfg.requireTls,
      // Like Alertmanager, STARTTLS is used only when require_tls is set (then it is mandatory).
      ignoreTLS: port !== 465 && !this.cfg.requireTls,
      name: this.cfg.hello,
      auth: this.cfg.authUsername ? { user: this.cfg.authUsername, pass: password || this.cfg.authSecret } : undefined,
      tls,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    const { Subject, To: toHeader, From: fromHeader, ...rest } = headers;
    try {
      await transport.sendMail({
        from: fromHeader || from,
        to: toHeader || to,
        envelope: { from, to: to.split(',').map((s) => s.trim()).filter(Boolean) },
        subject: Subject ?? '',
        headers: rest,
        text: text || undefined,
        html: html || undefined,
      });
    } catch (e) {
      const err = e as { message: string; responseCode?: number };
      // Permanent SMTP rejections (5xx) are not retried; connection and 4xx problems are.
      const permanent = typeof err.responseCode === 'number' && err.responseCode >= 500;
      throw new NotifyError(`send email to ${to} via ${this.cfg.smarthost}: ${err.message}`, !permanent);
    } finally {
      transport.close();
    }
  }
}
