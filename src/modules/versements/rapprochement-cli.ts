/**
 * `npm run cli -- rapprochement <année> [--csv]` (registered by src/cli.ts): the campaign's
 * reconciliation (rapprochement.ts, docs/regles.md#rapprochement) printed in French, or as CSV on the
 * standard output. Exit code 0 when the identity holds with no difference, 1 otherwise.
 */
import type { AppContext } from '../../app-context.js';
import { commandGroup, defineCommand, parseCommandArgs } from '../../cli-command.js';
import { systemClock } from '../../infra/clock.js';
import { loadConfig } from '../../infra/config.js';
import { createMailDeliverer } from '../../infra/mail.js';
import { withDatabase } from '../../infra/command-line.js';
import { campaignYear } from './cli-commands.js';
import { rapprochementCsv, rapprochementText, reconcile } from './rapprochement.js';

const SPEC = {
  name: 'rapprochement',
  arguments: [{ name: 'année' }],
  options: { csv: { type: 'boolean', help: 'le même rapprochement en CSV sur la sortie standard' } },
  help: 'Rapprochement de la campagne : collecté = frais + versé + reliquat versé + reste au fonds, au centime, chaque écart listé (docs/regles.md#rapprochement). --csv : le même en CSV.',
} as const;

/** Runs the command on `ctx`; `out` receives what is printed (tests read it). */
export async function runRapprochement(ctx: AppContext, args: string[], out: (text: string) => void = console.log): Promise<number> {
  const parsed = parseCommandArgs(SPEC, args);
  const annee = parsed.ok ? campaignYear(parsed.positionals[0]) : null;
  const csv = parsed.ok && parsed.values.csv === true;
  if (annee === null) {
    console.error('Usage : rapprochement <année> [--csv] (par exemple : rapprochement 2025 --csv > rapprochement-2025.csv)');
    return 2;
  }
  const { view } = await reconcile(ctx, annee);
  if (csv) out(rapprochementCsv(view).replace(/\r\n$/, ''));
  else for (const l of rapprochementText(view)) out(l);
  return view.equilibre ? 0 : 1;
}

export const rapprochementCommands = commandGroup(
  defineCommand(SPEC, ({ argv }) =>
    withDatabase((db) => {
      const config = loadConfig();
      const ctx: AppContext = {
        db,
        dbKind: config.DATABASE_URL ? 'postgres' : 'pglite',
        config,
        clock: systemClock,
        mail: createMailDeliverer(db, systemClock, undefined, ''),
      };
      return runRapprochement(ctx, [...argv]);
    }),
  ),
);
