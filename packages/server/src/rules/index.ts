// Rules: Prometheus rule files, recording/alerting rule evaluation, alert state, template
// expansion, rule unit tests (promtool format) and the rules/alerts HTTP API.
export { RuleManager, type RuleManagerOptions } from './manager.js';
export { Group, toPostable, tableLink, type Rule, type GroupOptions } from './group.js';
export { AlertingRule, RESOLVED_RETENTION_MS, type Alert } from './alerting.js';
export { RecordingRule } from './recording.js';
export { parseRuleFile, loadRuleFile, RuleFileError, type RuleConfig, type RuleGroupConfig, type RuleFileParseOptions } from './rulefile.js';
export { expandAlertTemplate, checkAlertTemplate, promTemplateFuncs, alertTemplateData, TemplateSample, ALERT_TEMPLATE_DEFS } from './template.js';
export { engineQueryFunc, type InstantQueryEngine } from './query.js';
export { rulesUnitTest, ruleUnitTestFile, type UnitTestOptions } from './unittest.js';
export { registerRuleRoutes, apiAlert, goTimeJSON, type RuleRoutesDeps, type ApiAlert } from './api.js';
export { MemStorage } from './memstorage.js';
export { glob } from './glob.js';
export type { QueryFunc, VectorSample, PostableAlert, OnAlerts, AlertState, RuleHealth } from './types.js';
