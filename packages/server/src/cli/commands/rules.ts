// `vigil check rules FILE...` and `vigil test rules FILE...`, with promtool's output and exit codes.
import type { Command } from '../command.js';
import { parseFlags, flagsHelp, bool, list, str, UsageError, type FlagSpec } from '../flags.js';
import { loadRuleFile, RuleFileError, type RuleGroupConfig } from '../../rules/rulefile.js';
import { rulesUnitTest } from '../../rules/unittest.js';

const checkFlags: FlagSpec[] = [
  { name: 'lint', help: 'linting checks to apply: "duplicate-rules" or "none"', default: 'duplicate-rules' },
  { name: 'lint-fatal', help: 'make lint errors exit with exit code 3', type: 'bool', default: false },
  { name: 'ignore-unknown-fields', help: 'ignore unknown fields in the rule files', type: 'bool', default: false },
  { name: 'help', help: 'show help', type: 'bool', default: false },
];

const testFlags: FlagSpec[] = [
  { name: 'run', help: 'run only test groups whose name matches this regular expression (repeatable)', type: 'list' },
  { name: 'ignore-unknown-fields', help: 'ignore unknown fields in the rule files', type: 'bool', default: false },
  { name: 'junit', help: 'write a JUnit XML report to this file', default: '' },
  { name: 'help', help: 'show help', type: 'bool', default: false },
];

interface Dup {
  metric: string;
  labels: [string, string][];
}

function duplicates(groups: RuleGroupConfig[]): Dup[] {
  const rules: Dup[] = [];
  for (const g of groups) for (const r of g.rules) rules.push({ metric: r.alert ?? r.record ?? '', labels: Object.entries(r.labels).filter(([, v]) => v !== '').sort((a, b) => (a[0] < b[0] ? -1 : 1)) });
  const key = (d: Dup) => JSON.stringify([d.metric, d.labels]);
  rules.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const out: Dup[] = [];
  for (let i = 1; i < rules.length; i++) {
    if (key(rules[i - 1]!) === key(rules[i]!) && (out.length === 0 || key(out[out.length - 1]!) !== key(rules[i]!))) out.push(rules[i]!);
  }
  return out;
}

export const checkRulesCommand: Command = {
  path: ['check', 'rules'],
  summary: 'check that rule files are valid (like promtool check rules)',
  async run(argv) {
    const f = parseFlags(argv, checkFlags);
    if (bool(f, 'help')) {
      process.stdout.write(`Usage: vigil check rules [flags] FILE...\n\n${flagsHelp(checkFlags)}\n`);
      return 0;
    }
    if (f.positional.length === 0) throw new UsageError('no rule files given');
    const lint = str(f, 'lint');
    if (lint !== 'duplicate-rules' && lint !== 'none' && lint !== 'all') throw new UsageError(`unknown --lint value ${JSON.stringify(lint)}`);
    let failed = false, hasErrors = false;
    for (const file of f.positional) {
      process.stdout.write(`Checking ${file}\n`);
      let groups: RuleGroupConfig[];
      try {
        groups = loadRuleFile(file, { ignoreUnknownFields: bool(f, 'ignore-unknown-fields') });
      } catch (e) {
        process.stderr.write('  FAILED:\n');
        process.stderr.write((e instanceof RuleFileError ? e.errors : [(e as Error).message]).join('\n') + '\n');
        failed = hasErrors = true;
        process.stdout.write('\n');
        continue;
      }
      const dups = lint === 'none' ? [] : duplicates(groups);
      if (dups.length) {
        let msg = `${dups.length} duplicate rule(s) found.\n`;
        for (const d of dups) {
          msg += `Metric: ${d.metric}\nLabel(s):\n`;
          for (const [k, v] of d.labels) msg += `\t${k}: ${v}\n`;
        }
        msg += 'Might cause inconsistency while recording expressions';
        process.stderr.write(`  FAILED:\nlint error ${msg}\n`);
        failed = true;
      } else {
        const n = groups.reduce((a, g) => a + g.rules.length, 0);
        process.stdout.write(`  SUCCESS: ${n} rules found\n`);
      }
      process.stdout.write('\n');
    }
    if (failed && hasErrors) return 1;
    if (failed && bool(f, 'lint-fatal')) return 3;
    return 0;
  },
};

export const testRulesCommand: Command = {
  path: ['test', 'rules'],
  summary: 'run rule unit tests (promtool test rules format)',
  async run(argv) {
    const f = parseFlags(argv, testFlags);
    if (bool(f, 'help')) {
      process.stdout.write(`Usage: vigil test rules [flags] TEST-FILE...\n\n${flagsHelp(testFlags)}\n`);
      return 0;
    }
    if (f.positional.length === 0) throw new UsageError('no test files given');
    return rulesUnitTest(f.positional, { run: list(f, 'run'), ignoreUnknownFields: bool(f, 'ignore-unknown-fields'), junitPath: str(f, 'junit') || undefined });
  },
};

export const rulesCommands: Command[] = [checkRulesCommand, testRulesCommand];
