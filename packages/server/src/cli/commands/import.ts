// `vigil import openmetrics FILE [OUTDIR]`: backfill historical data as blocks.
import type { Command } from '../command.js';
import { bool, flagsHelp, parseFlags, str, UsageError, type FlagSpec } from '../flags.js';
import { parseDuration } from '../../config/duration.js';
import { importOpenMetrics } from '../../tsdb/import.js';

const flags: FlagSpec[] = [
  { name: 'max-block-duration', help: 'time range of each block written', default: '2h' },
  { name: 'skip-invalid', help: 'import the valid lines even if some lines are invalid', type: 'bool' },
  { name: 'quiet', help: 'do not list the blocks written', type: 'bool' },
  { name: 'help', help: 'show help', type: 'bool' },
];

export const importOpenMetricsCommand: Command = {
  path: ['import', 'openmetrics'],
  summary: 'backfill an OpenMetrics file into blocks (like promtool tsdb create-blocks-from openmetrics)',
  async run(argv) {
    const p = parseFlags(argv, flags);
    if (bool(p, 'help') || p.positional.length < 1 || p.positional.length > 2) {
      process.stdout.write(`usage: vigil import openmetrics FILE [OUTDIR (default: data)]\n\n${flagsHelp(flags)}\n`);
      return bool(p, 'help') ? 0 : 2;
    }
    let dur: number;
    try {
      dur = parseDuration(str(p, 'max-block-duration'));
    } catch (e) {
      throw new UsageError(`--max-block-duration: ${(e as Error).message}`);
    }
    if (!(dur > 0)) throw new UsageError('--max-block-duration must be positive');
    const [file, out = 'data'] = p.positional as [string, string?];
    let r;
    try {
      r = await importOpenMetrics(file, out, { blockDurationMs: dur, skipInvalid: bool(p, 'skip-invalid') });
    } catch (e) {
      process.stderr.write(`import failed: ${(e as Error).message}\n`);
      return 1;
    }
    for (const e of r.errors) process.stderr.write(`${e}\n`);
    if (r.errors.length && !bool(p, 'skip-invalid')) {
      process.stderr.write(`import failed: ${r.errors.length}${r.errors.length >= 50 ? '+' : ''} invalid line(s); nothing written (use --skip-invalid to import the valid lines)\n`);
      return 1;
    }
    if (!bool(p, 'quiet')) {
      for (const b of r.blocks) process.stdout.write(`BLOCK ULID ${b.dir.split('/').pop()} MIN TIME ${b.minTime} MAX TIME ${b.maxTime} SERIES ${b.series} SAMPLES ${b.samples}\n`);
    }
    process.stdout.write(`imported ${r.samples} samples of ${r.series} series into ${r.blocks.length} block(s) in ${out}\n`);
    return r.errors.length ? 1 : 0;
  },
};
