// Renders integration fields through the notification templates; a template error fails the
// notification for good (retrying would not help) and names the field.
import type { NotifyContext } from './context.js';
import { NotifyError } from './context.js';
import { buildTemplateData, type TemplateData } from './data.js';
import type { NotificationTemplater } from './templates.js';
import type { Alert } from '../types.js';

export class Renderer {
  readonly data: TemplateData;
  constructor(
    private readonly t: NotificationTemplater,
    ctx: NotifyContext,
    alerts: Alert[],
    externalUrl: string,
  ) {
    this.data = buildTemplateData(ctx.receiver, ctx.groupLabels, alerts, ctx.now, externalUrl);
  }
  text(field: string, tmpl: string): string {
    try {
      return this.t.execute(tmpl, this.data);
    } catch (e) {
      throw new NotifyError(`template ${field}: ${(e as Error).message}`, false);
    }
  }
  html(field: string, tmpl: string): string {
    try {
      return this.t.executeHTML(tmpl, this.data);
    } catch (e) {
      throw new NotifyError(`template ${field}: ${(e as Error).message}`, false);
    }
  }
}

/** Truncates to n runes with an ellipsis, as Alertmanager's notify.TruncateInRunes. */
export function truncateRunes(s: string, n: number): string {
  const r = Array.from(s);
  if (r.length <= n) return s;
  return r.slice(0, n - 1).join('') + '…';
}
