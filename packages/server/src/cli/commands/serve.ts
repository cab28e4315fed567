import type { Command } from '../command.js';

export const serveCommand: Command = {
  path: ['serve'],
  summary: 'run the Vigil server (scrape, store, query, alert)',
  async run() {
    process.stderr.write('serve: not implemented yet\n');
    return 1;
  },
};
