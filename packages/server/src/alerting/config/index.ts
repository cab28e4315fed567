export * from './types.js';
export { loadAlertmanagerConfig, parseAlertmanagerConfig, DEFAULT_GROUP_WAIT, DEFAULT_GROUP_INTERVAL, DEFAULT_REPEAT_INTERVAL } from './parse.js';
export { intervalContains, anyIntervalContains, type TimeInterval } from './timeinterval.js';
