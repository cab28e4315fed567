// relabel_configs engine (scrape, metric, write and alert relabeling), Prometheus semantics.
export {
  newRelabelConfig, parseRelabelConfigs, RelabelConfigError,
  type RelabelAction, type RelabelConfig, type RelabelConfigInput,
} from './config.js';
export { relabel, processMap, hashMod } from './process.js';
export { compileAnchoredRE2, translateRE2, expandTemplate, RegexError } from './regex.js';
