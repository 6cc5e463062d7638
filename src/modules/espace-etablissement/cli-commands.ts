/** Operators' commands of the establishment space, registered by src/cli.ts. */
import type { CliCommand } from '../../cli-command.js';

export const espaceEtablissementCommands: Record<string, CliCommand> = {};
