// Alertmanager-compatible alerting: configuration, routing, grouping, inhibition, silences,
// notification log and delivery, plus the API v2 routes.
export { Alertmanager, type AlertmanagerOptions, type PutResult } from './alertmanager.js';
export { loadAlertmanagerConfig, parseAlertmanagerConfig, type AlertmanagerConfig } from './config/index.js';
export { registerAlertmanagerRoutes, type AlertmanagerRouteDeps } from './api/index.js';
export { loadTemplateFiles, TemplateSet as NotificationTemplateSet } from './notify/templating.js';
export { ManualClock, systemClock, type Clock } from './clock.js';
export { fingerprint } from './fingerprint.js';
export { parseMatcher, parseMatchers } from './matchers.js';
export type { Alert, PostableAlert, LabelSet } from './types.js';
