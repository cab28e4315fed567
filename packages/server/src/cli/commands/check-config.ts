import type { Command } from '../command.js';
import { parseFlags } from '../flags.js';
import { loadConfigFile } from '../../config/config.js';
import { validateConfig } from '../../app/validate.js';

export const checkConfigCommand: Command = {
  path: ['check', 'config'],
  summary: 'check vigil.yml / prometheus.yml files for errors',
  async run(argv) {
    const p = parseFlags(argv, [{ name: 'help', help: 'show help', type: 'bool' }]);
    if (p.values.help || p.positional.length === 0) {
      process.stdout.write('usage: vigil check config FILE...\n');
      return p.values.help ? 0 : 2;
    }
    let failed = 0;
    for (const file of p.positional) {
      process.stdout.write(`Checking ${file}\n`);
      try {
        const cfg = loadConfigFile(file);
        const notes = await validateConfig(cfg);
        process.stdout.write(` SUCCESS: ${file} is valid Vigil/Prometheus config file syntax\n`);
        for (const n of notes) process.stdout.write(`  ${n}\n`);
      } catch (e) {
        failed++;
        process.stdout.write(`  FAILED: ${(e as Error).message}\n`);
      }
    }
    return failed ? 1 : 0;
  },
};
