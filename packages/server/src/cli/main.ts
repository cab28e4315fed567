// `vigil` entry point: picks the longest command path that prefixes argv.
import { commands } from './commands/index.js';
import { UsageError } from './flags.js';
import { VERSION } from '../version.js';

function usage(): string {
  const lines = commands.map((c) => `  ${c.path.join(' ').padEnd(28)} ${c.summary}`);
  return `vigil ${VERSION} — metrics collection, storage, PromQL, alerting\n\nUsage: vigil <command> [flags]\n\nCommands:\n${lines.join('\n')}\n\nRun \`vigil <command> --help\` for a command's flags.\n`;
}

export async function run(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(usage());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version' || argv[0] === 'version') {
    process.stdout.write(`vigil version ${VERSION}\n`);
    return 0;
  }
  let best: (typeof commands)[number] | undefined;
  for (const c of commands) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  if (!best) {
    process.stderr.write(`vigil: unknown command ${JSON.stringify(argv.join(' '))}\n\n${usage()}`);
    return 2;
  }
  try {
    return await best.run(argv.slice(best.path.length));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`vigil ${best.path.join(' ')}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
