/**
 * A command of `npm run cli -- <command>`: each module declares its commands with {@link defineCommand}
 * (src/cli.ts registers them). The declaration names the arguments and the options once; from it come
 * the usage line, the `--help` text and the parsing, with `node:util` `parseArgs`. An unknown option, an
 * option without its value, a missing or extra argument is a usage error: the French message and the
 * usage on stderr, exit code 2, before the command runs (so the database is never opened for it).
 */
import { parseArgs } from 'node:util';

export interface CliOption {
  type: 'string' | 'boolean';
  /** the value's name in the usage: `--frais-operateur <euros>` */
  value?: string;
  /** what to give after the option, for « Indiquez … après --x. » (default « sa valeur ») */
  what?: string;
  /** the option must be given (shown without brackets in the usage) */
  required?: boolean;
  help: string;
}

export interface CliArgument {
  name: string;
  optional?: boolean;
  /** the last argument may be repeated: `<fichiers…>` */
  many?: boolean;
  /** the message when it is missing (default: « Argument manquant : <name>. ») */
  missing?: string;
}

export interface CommandSpec<O extends Record<string, CliOption> = Record<string, CliOption>> {
  name: string;
  arguments?: readonly CliArgument[];
  options?: O;
  help: string;
}

export type OptionValues<O extends Record<string, CliOption>> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

export interface ParsedArgs<O extends Record<string, CliOption> = Record<string, CliOption>> {
  positionals: string[];
  values: OptionValues<O>;
  /** the arguments as given (for functions that take them whole, like the tests do) */
  argv: readonly string[];
}

export interface CliCommand extends CommandSpec {
  usage: string;
  /** parses `argv` (a usage error prints its message and returns 2) and runs the command */
  run: (argv: string[]) => Promise<number>;
}

/** Exit codes, the same for every command (said by --help). */
export const EXIT_CODES =
  'Codes de sortie : 0 fait ; 1 refusé ou en échec (le rapport dit pourquoi, rien n’est écrit à moitié) ; 2 commande ou arguments incorrects.';

const optionUsage = (name: string, o: CliOption) => `--${name}${o.type === 'string' ? ` <${o.value ?? 'valeur'}>` : ''}`;

/** `name <arg> [optional] [--option <value>]`, from the declaration. */
export function usageOf(spec: CommandSpec): string {
  const args = (spec.arguments ?? []).map((a) => {
    const n = `${a.name}${a.many ? '…' : ''}`;
    return a.optional ? `[${n}]` : `<${n}>`;
  });
  const options = Object.entries(spec.options ?? {}).map(([k, o]) => (o.required ? optionUsage(k, o) : `[${optionUsage(k, o)}]`));
  return [spec.name, ...args, ...options].join(' ');
}

/** The text of `<command> --help`. */
export function helpOf(spec: CommandSpec): string {
  const options = Object.entries(spec.options ?? {}).map(([k, o]) => [optionUsage(k, o), o.help] as const);
  options.push(['-h, --help', 'cette aide, sans ouvrir la base']);
  const width = Math.max(...options.map(([u]) => u.length));
  return [
    `Usage : npm run -s cli -- ${usageOf(spec)}`,
    '',
    spec.help,
    '',
    'Options :',
    ...options.map(([u, h]) => `  ${u.padEnd(width)}  ${h}`),
    '',
    EXIT_CODES,
  ].join('\n');
}

/** True when `--help` or `-h` is among the arguments (before a `--`): the help is printed instead of running. */
export function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/**
 * The arguments parsed by `parseArgs` against the declaration, or the French message of a usage error.
 * Parsed without `strict` so that each error gets its own message (and a value may start with « - »,
 * like a negative amount the command then refuses with a clearer reason).
 */
export function parseCommandArgs<O extends Record<string, CliOption>>(
  spec: CommandSpec<O>,
  argv: readonly string[],
): ({ ok: true } & ParsedArgs<O>) | { ok: false; message: string } {
  const declared: Record<string, CliOption> = spec.options ?? {};
  const { tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(Object.entries(declared).map(([k, o]) => [k, { type: o.type }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') positionals.push(t.value);
    if (t.kind !== 'option') continue;
    const o = Object.hasOwn(declared, t.name) ? declared[t.name] : undefined;
    if (!o) return { ok: false, message: unknownOption(t.rawName, declared) };
    if (o.type === 'boolean') {
      if (t.value !== undefined) return { ok: false, message: `L’option ${t.rawName} ne prend pas de valeur.` };
      values[t.name] = true;
    } else {
      if (t.value === undefined || (!t.inlineValue && t.value.startsWith('--')))
        return { ok: false, message: `Indiquez ${o.what ?? 'sa valeur'} après ${t.rawName}.` };
      values[t.name] = t.value;
    }
  }
  const args = spec.arguments ?? [];
  for (const [i, a] of args.entries())
    if (!a.optional && positionals.length <= i) return { ok: false, message: a.missing ?? `Argument manquant : <${a.name}>.` };
  const max = args.at(-1)?.many ? Infinity : args.length;
  if (positionals.length > max) return { ok: false, message: `Argument en trop : ${positionals[max]}.` };
  for (const [k, o] of Object.entries(declared))
    if (o.required && values[k] === undefined) return { ok: false, message: `Indiquez ${optionUsage(k, o)}.` };
  return { ok: true, positionals, values: values as OptionValues<O>, argv };
}

function unknownOption(raw: string, declared: Record<string, CliOption>): string {
  const list = Object.entries(declared).map(([k, o]) => optionUsage(k, o));
  if (list.length === 0) return `Option inconnue : ${raw} (cette commande n’a pas d’option).`;
  return `Option inconnue : ${raw} (option${list.length > 1 ? 's' : ''} : ${list.join(', ')}).`;
}

/**
 * A command from its declaration and what it does with the parsed arguments. `run(argv)` answers a
 * usage error itself (message and usage on stderr, 2); `src/cli.ts` answers `--help` before it.
 */
export function defineCommand<const O extends Record<string, CliOption> = Record<string, never>>(
  spec: CommandSpec<O>,
  run: (args: ParsedArgs<O>) => Promise<number>,
): CliCommand {
  const usage = usageOf(spec);
  return {
    ...spec,
    usage,
    run: async (argv) => {
      const parsed = parseCommandArgs(spec, argv);
      if (!parsed.ok) {
        console.error(`${parsed.message}\nUsage : npm run -s cli -- ${usage}   (« ${spec.name} --help » pour l’aide)`);
        return 2;
      }
      return run(parsed);
    },
  };
}

/** A module's commands by name (what src/cli.ts registers). */
export function commandGroup(...commands: CliCommand[]): Record<string, CliCommand> {
  return Object.fromEntries(commands.map((c) => [c.name, c]));
}
