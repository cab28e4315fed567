// Builds a receiver's integrations from its configuration.
import type { Logger } from '../../util/log.js';
import type { ReceiverConfig } from '../config/index.js';
import type { Integration } from './pipeline.js';
import type { NotificationTemplater } from './templates.js';
import { WebhookIntegration } from './webhook/webhook.js';

export interface IntegrationDeps {
  externalUrl: string;
  templater: NotificationTemplater;
  baseDir: string;
  logger: Logger;
}

export function buildIntegrations(r: ReceiverConfig, deps: IntegrationDeps): Integration[] {
  const out: Integration[] = [];
  r.webhook.forEach((c, i) => out.push(new WebhookIntegration(c, i, deps.externalUrl)));
  return out;
}
