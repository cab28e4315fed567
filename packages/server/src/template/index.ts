// Go text/template engine shared by rule templates (rules/) and notification templates
// (alerting/). Function maps are pluggable: each user adds its own funcs to a TemplateSet.
export { TemplateSet, renderTemplate, type TemplateSetOptions } from './template.js';
export { TemplateParseError } from './parse.js';
export { TemplateExecError, funcSpec, type FuncMap, type FuncSpec, type TemplateFunc, type ParamType, type CustomParam, type MissingKey } from './exec.js';
export { sprint, sprintf, sprintln, formatFloat, formatValue } from './fmt.js';
export { htmlEscape, jsEscape, queryEscape } from './builtins.js';
export { quoteGo, unquoteGo } from './quote.js';
export { GO_MAP, GO_MAP_ZERO, GO_TYPE, GoTime, formatGoTime, isTrue, kindOf, typeName } from './values.js';
