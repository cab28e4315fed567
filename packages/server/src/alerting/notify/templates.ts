// Notification template expansion seam: integrations render their fields through this.
import type { TemplateData } from './data.js';

export interface NotificationTemplater {
  /** Expands one template text (e.g. `{{ template "slack.default.title" . }}`) against the data. */
  execute(text: string, data: TemplateData): string;
  /** Same, with HTML escaping of interpolated values (email HTML bodies). */
  executeHTML(text: string, data: TemplateData): string;
}
