/**
 * The demo's envelopes: `seed/enveloppes/enveloppes-2024.csv` and `enveloppes-2025.csv` (written by
 * `npm run cli -- generate-demo-envelopes`, see enveloppes-generator.ts) imported like an operator would, with
 * the operator's fee **scaled to the demo**: the 2023 arrêté's fee (11,225,424 €) in the proportion of
 * the demo's net due to the 466.5 M€ collected nationally in 2023 (docs/regles.md#solde-et-enveloppe), i.e. about
 * 2.4 % of what is due, shared pro rata like the real one.
 *
 * Idempotent (the import is: the same files again change nothing) and tolerant of envelope rows another
 * demo seed inserted first (the import replaces rows no import made, keeping « partage de coordonnées »).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppContext } from '../app-context.js';
import { OPERATOR_FEE_2023_CENTS } from '../domain/enveloppe.js';
import { type Cents } from '../domain/money.js';
import { formatEuros } from '../shared/format.js';
import { SEED_DIR } from '../infra/files.js';
import { DEMO_ENVELOPE_YEARS } from './enveloppes-generator.js';
import { prepareEnvelopeImport } from '../modules/enveloppes/format.js';
import { importEnveloppes } from '../modules/enveloppes/import.js';

export const SEED_ENVELOPES_DIR = join(SEED_DIR, 'enveloppes');
/** collected nationally for the 2023 campaign (docs/regles.md#solde-et-enveloppe): 466.5 M€ */
export const NATIONAL_COLLECTED_2023_CENTS: Cents = 46_650_000_000n;

/** The 2023 fee in the proportion of `netCents` to the national amount collected, rounded half-up. */
export function scaledOperatorFee(netCents: Cents): Cents {
  return (OPERATOR_FEE_2023_CENTS * netCents * 2n + NATIONAL_COLLECTED_2023_CENTS) / (2n * NATIONAL_COLLECTED_2023_CENTS);
}

export async function seedDemoEnveloppes(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  log: (line: string) => void = () => undefined,
  dir: string = SEED_ENVELOPES_DIR,
): Promise<void> {
  for (const annee of DEMO_ENVELOPE_YEARS) {
    const fichier = join(dir, `enveloppes-${annee}.csv`);
    const content = await readFile(fichier);
    const dry = prepareEnvelopeImport({ annee, files: [{ fichier, content }], operatorFeeCents: 0n });
    const fee = scaledOperatorFee(dry.batch?.totals.netCents ?? 0n);
    const r = await importEnveloppes(ctx.db, annee, [{ fichier, content }], { now: ctx.clock.now(), operatorFeeCents: fee });
    if (!r.ok)
      throw new Error(
        `Enveloppes de démonstration ${annee} : ${r.rejected
          .slice(0, 3)
          .map((x) => `${x.fichier}:${x.line} ${x.message}`)
          .join(' ; ')}`,
      );
    const e = r.envelopes;
    log(
      `  enveloppes ${annee} : ${e.inserted + e.updated + e.unchanged} SIRET (${e.inserted} ajoutées, ${e.updated} mises à jour), ` +
        `${formatEuros(r.totals.creditsCents)} de crédits à répartir, frais de l’opérateur ${formatEuros(r.operatorFee?.feeCents ?? 0n)}`,
    );
  }
}
