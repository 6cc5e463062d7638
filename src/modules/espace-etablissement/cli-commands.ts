/** Operators' commands of the establishment space, registered by src/cli.ts. */
import type { AppContext } from '../../app-context.js';
import type { CliCommand } from '../../cli-command.js';
import { formatSiret, parseSiret } from '../../domain/identifiers.js';
import { systemClock } from '../../infra/clock.js';
import { loadConfig } from '../../infra/config.js';
import { migrateDatabase, openDatabase } from '../../infra/db/index.js';
import { createMailDeliverer } from '../../infra/mail.js';
import { setBankDetailsStatus } from './coordonnees-bancaires.js';

/** Parses the arguments of `bank-details-status`; pure, so the command's checks are tested without a database. */
export function parseBankStatusArgs(
  args: string[],
): { ok: true; siret: string; statut: 'verifiee' | 'rejetee'; motif: string } | { ok: false; message: string } {
  const [siretArg, statutArg, ...motifWords] = args;
  if (!siretArg || !statutArg) return { ok: false, message: 'Usage : bank-details-status <siret> <verifiee|rejetee> [motif…]' };
  const siret = parseSiret(siretArg);
  if (!siret.ok) return { ok: false, message: siret.message };
  const statut = statutArg.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
  if (statut !== 'verifiee' && statut !== 'rejetee')
    return { ok: false, message: `Statut inconnu « ${statutArg} » : indiquez verifiee ou rejetee.` };
  const motif = motifWords.join(' ').trim();
  if (statut === 'rejetee' && motif.length < 3)
    return { ok: false, message: 'Indiquez le motif du rejet après le statut : il est communiqué à l’établissement.' };
  return { ok: true, siret: siret.value, statut, motif };
}

/** Runs `bank-details-status` against an application context (the CLI builds one from the environment). */
export async function runBankStatus(ctx: AppContext, args: string[], out: (line: string) => void = console.log): Promise<number> {
  const p = parseBankStatusArgs(args);
  if (!p.ok) {
    out(p.message);
    return 2;
  }
  const r = await setBankDetailsStatus(ctx, { siret: p.siret, statut: p.statut, motif: p.motif, operatorUserId: null });
  if (!r.ok) {
    out(r.message);
    return 1;
  }
  out(
    `Coordonnées bancaires du SIRET ${formatSiret(p.siret)} : ${p.statut === 'verifiee' ? 'vérifiées' : `rejetées (motif : ${p.motif})`}. Les administrateurs de l’établissement sont prévenus.`,
  );
  return 0;
}

export const espaceEtablissementCommands: Record<string, CliCommand> = {
  'bank-details-status': {
    usage: 'bank-details-status <siret> <verifiee|rejetee> [motif…]',
    help: 'Donne le statut de vérification des coordonnées bancaires actuelles d’un établissement (vérifiées, ou rejetées avec un motif) ; l’établissement est prévenu par courriel.',
    run: async (args) => {
      const parsed = parseBankStatusArgs(args);
      if (!parsed.ok) {
        console.error(parsed.message);
        return 2;
      }
      const config = loadConfig();
      const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
      const mail = createMailDeliverer(database.db, systemClock, config.SMTP_URL, config.MAIL_FROM);
      try {
        await migrateDatabase(database);
        const ctx: AppContext = { db: database.db, dbKind: database.kind, config, clock: systemClock, mail };
        const code = await runBankStatus(ctx, args);
        await mail.flush();
        return code;
      } finally {
        await mail.stop();
        await database.close();
      }
    },
  },
};
