/** A command of `npm run cli -- <command>`: modules export these, src/cli.ts registers them. */
export interface CliCommand {
  usage: string;
  help: string;
  /** returns the process exit code */
  run: (args: string[]) => Promise<number>;
}
