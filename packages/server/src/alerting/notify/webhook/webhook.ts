// Webhook integration: Alertmanager's JSON payload, version "4", byte-compatible in shape.
import type { WebhookConfig } from '../../config/index.js';
import type { Alert } from '../../types.js';
import type { NotifyContext } from '../context.js';
import { buildTemplateData, goJSON, goTime, type TemplateData } from '../data.js';
import { checkStatus, httpSend, redactUrl } from '../http.js';
import type { Integration } from '../pipeline.js';

export interface WebhookMessage {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: {
    status: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
    endsAt: string;
    generatorURL: string;
    fingerprint: string;
  }[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
}

export function webhookMessage(data: TemplateData, groupKey: string, truncated: number): WebhookMessage {
  return {
    receiver: data.Receiver,
    status: data.Status,
    alerts: data.Alerts.map((a) => ({
      status: a.Status,
      labels: a.Labels.toJSON(),
      annotations: a.Annotations.toJSON(),
      startsAt: goTime(a.StartsAt),
      endsAt: goTime(a.EndsAt),
      generatorURL: a.GeneratorURL,
      fingerprint: a.Fingerprint,
    })),
    groupLabels: data.GroupLabels.toJSON(),
    commonLabels: data.CommonLabels.toJSON(),
    commonAnnotations: data.CommonAnnotations.toJSON(),
    externalURL: data.ExternalURL,
    version: '4',
    groupKey,
    truncatedAlerts: truncated,
  };
}

export class WebhookIntegration implements Integration {
  readonly name = 'webhook';
  readonly sendResolved: boolean;
  constructor(
    private readonly cfg: WebhookConfig,
    readonly index: number,
    private readonly externalURL: string,
  ) {
    this.sendResolved = cfg.sendResolved;
  }

  async notify(ctx: NotifyContext, alerts: Alert[]): Promise<void> {
    let list = alerts, truncated = 0;
    if (this.cfg.maxAlerts > 0 && alerts.length > this.cfg.maxAlerts) {
      list = alerts.slice(0, this.cfg.maxAlerts);
      truncated = alerts.length - this.cfg.maxAlerts;
    }
    const data = buildTemplateData(ctx.receiver, ctx.groupLabels, list, ctx.now, this.externalURL);
    const body = goJSON(webhookMessage(data, ctx.groupKey, truncated)) + '\n';
    const url = this.cfg.url!;
    const res = await httpSend('POST', url, body, this.cfg.http, ctx.signal);
    checkStatus(res, redactUrl(url));
  }
}
