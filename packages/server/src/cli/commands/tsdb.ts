// `vigil tsdb snapshot|stats`: offline tools over a data directory (opened read-only).
import type { Command } from '../command.js';
import { flagsHelp, parseFlags, str, bool, UsageError, type FlagSpec } from '../flags.js';
import { openTSDB, type TSDB } from '../../tsdb/index.js';
import { createLogger, type Logger } from '../../util/log.js';

async function open(dir: string, logger: Logger): Promise<TSDB | null> {
  try {
    return await openTSDB({ dir, readOnly: true, logger });
  } catch (e) {
    process.stderr.write(`cannot open ${dir}: ${(e as Error).message}\n`);
    return null;
  }
}

const PATH_FLAG: FlagSpec = { name: 'storage.tsdb.path', help: 'data directory', default: 'data' };
const HELP: FlagSpec = { name: 'help', help: 'show help', type: 'bool' };

const snapshotFlags: FlagSpec[] = [PATH_FLAG, { name: 'skip-head', help: 'only link existing blocks, do not write the head as a block', type: 'bool' }, HELP];
const statsFlags: FlagSpec[] = [PATH_FLAG, { name: 'limit', help: 'entries per cardinality list', default: '10' }, HELP];

export const tsdbSnapshotCommand: Command = {
  path: ['tsdb', 'snapshot'],
  summary: 'write a snapshot of a data directory (start a server on it to restore)',
  async run(argv) {
    const p = parseFlags(argv, snapshotFlags);
    if (bool(p, 'help') || p.positional.length !== 1) {
      process.stdout.write(`usage: vigil tsdb snapshot [--storage.tsdb.path=DIR] OUTDIR\n\n${flagsHelp(snapshotFlags)}\n`);
      return bool(p, 'help') ? 0 : 2;
    }
    const logger = createLogger({ level: 'warn' });
    const db = await open(str(p, 'storage.tsdb.path'), logger);
    if (!db) return 1;
    try {
      const r = await db.snapshot(p.positional[0]!, { skipHead: bool(p, 'skip-head') });
      process.stdout.write(`snapshot written to ${r.dir} (${r.blocks} blocks)\n`);
      return 0;
    } catch (e) {
      process.stderr.write(`snapshot failed: ${(e as Error).message}\n`);
      return 1;
    } finally {
      await db.close();
    }
  },
};

export const tsdbStatsCommand: Command = {
  path: ['tsdb', 'stats'],
  summary: 'print storage statistics and cardinality of a data directory (JSON)',
  async run(argv) {
    const p = parseFlags(argv, statsFlags);
    if (bool(p, 'help')) {
      process.stdout.write(`usage: vigil tsdb stats [--storage.tsdb.path=DIR]\n\n${flagsHelp(statsFlags)}\n`);
      return 0;
    }
    if (p.positional.length) throw new UsageError(`unexpected argument ${p.positional[0]}`);
    const limit = Number(str(p, 'limit'));
    if (!Number.isInteger(limit) || limit <= 0) throw new UsageError('--limit must be a positive integer');
    const db = await open(str(p, 'storage.tsdb.path'), createLogger({ level: 'warn' }));
    if (!db) return 1;
    try {
      const out = {
        stats: db.stats(),
        walReplay: db.walReplayStatus(),
        blocks: db.blocks.map((b) => ({
          ulid: b.meta.ulid, minTime: new Date(b.meta.minTime).toISOString(), maxTime: new Date(b.meta.maxTime).toISOString(),
          ...b.meta.stats, level: b.meta.compaction.level, bytes: b.sizeBytes(),
          bytesPerSample: b.meta.stats.numSamples ? +(b.sizeBytes() / b.meta.stats.numSamples).toFixed(3) : 0,
        })),
        head: db.headStats(limit),
      };
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      return 0;
    } finally {
      await db.close();
    }
  },
};

export const tsdbCommands: Command[] = [tsdbSnapshotCommand, tsdbStatsCommand];
