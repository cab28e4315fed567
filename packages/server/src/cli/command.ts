// A CLI command: one file per command under cli/commands/, listed in cli/commands/index.ts.

export interface Command {
  /** Words that select the command, e.g. ['check', 'config']. */
  path: string[];
  summary: string;
  /** Runs the command with the remaining argv; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}
