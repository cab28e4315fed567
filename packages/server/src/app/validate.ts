// Full validation of a loaded vigil.yml: every section through its owning module's parser,
// rule files included. Used by `vigil check config`.
import type { VigilConfig } from '../config/config.js';
import { parseFullConfig } from './services.js';
import { loadRuleFile } from '../rules/index.js';

/** Throws on the first problem (ConfigError / RuleFileError name file, line, field); returns notes. */
export async function validateConfig(cfg: VigilConfig): Promise<string[]> {
  const p = parseFullConfig(cfg);
  const notes: string[] = [];
  for (const f of p.ruleFiles) {
    const groups = loadRuleFile(f);
    notes.push(`SUCCESS: ${f}: ${groups.reduce((n, g) => n + g.rules.length, 0)} rules found`);
  }
  if (p.scrapeConfigs.length) notes.push(`${p.scrapeConfigs.length} scrape config(s)`);
  for (const w of p.global.warnings ?? []) notes.push(`WARNING: ${w}`);
  for (const sc of p.scrapeConfigs) for (const w of sc.warnings ?? []) notes.push(`WARNING: ${w}`);
  return notes;
}
