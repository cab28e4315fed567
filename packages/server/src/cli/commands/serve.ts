import type { Command } from '../command.js';
import { parseFlags, flagsHelp } from '../flags.js';
import { serveFlags } from '../../app/flags.js';
import { App } from '../../app/app.js';
import { ConfigError } from '../../config/node.js';

export const serveCommand: Command = {
  path: ['serve'],
  summary: 'run the Vigil server (scrape, store, query, alert)',
  async run(argv) {
    const p = parseFlags(argv, serveFlags);
    if (p.values.help) {
      process.stdout.write(`usage: vigil serve [flags]\n\n${flagsHelp(serveFlags)}\n`);
      return 0;
    }
    const app = new App({ flags: p.values });
    try {
      await app.start();
    } catch (e) {
      const msg = e instanceof ConfigError ? `error loading config: ${e.message}` : (e as Error).message;
      app.log.error('startup failed', { err: msg });
      await app.stop();
      return 1;
    }
    process.on('SIGHUP', () => void app.reload().catch(() => {}));
    await new Promise<void>((resolve) => {
      const onStop = (sig: string) => {
        app.log.info('received signal, exiting gracefully', { signal: sig });
        resolve();
      };
      process.once('SIGTERM', () => onStop('SIGTERM'));
      process.once('SIGINT', () => onStop('SIGINT'));
    });
    await app.stop();
    return 0;
  },
};
