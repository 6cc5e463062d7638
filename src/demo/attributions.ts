/**
 * The demo's employer side: BOULANGERIE MOUTIN allocated last campaign (2024, validated), so that
 * « Répliquer les fléchages » has something to bring back; its 2025 choices (from the establishment
 * space's seed) are saved but not yet « enregistrées ». Written as a person would, through
 * `changeChoices` at an instant of the 2024 campaign's first period. Idempotent.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { AppContext } from '../app-context.js';
import { parisStartOfDay } from '../domain/jours.js';
import { ManualClock } from '../infra/clock.js';
import { attributions, espaces, refEtablissements, refFormations, users } from '../infra/db/schema.js';
import { alreadySeeded, referentielLycee } from './lookups.js';
import { DEMO_COMPANIES } from './registry.js';
import { changeChoices } from '../modules/attributions/choix.js';

const LAST_YEAR = 2024;

export async function seedDemoAttributions(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  log: (line: string) => void = () => undefined,
): Promise<void> {
  const siret = DEMO_COMPANIES.boulangerieMoutin.siret;
  if (await alreadySeeded(ctx.db, attributions, and(eq(attributions.annee, LAST_YEAR), eq(attributions.siretEmployeur, siret)))) return;
  const [who] = await ctx.db
    .select({ id: users.id, espaceId: users.espaceId })
    .from(users)
    .innerJoin(espaces, eq(espaces.id, users.espaceId))
    .where(and(eq(espaces.siren, DEMO_COMPANIES.boulangerieMoutin.siren), eq(users.role, 'administrateur')))
    .limit(1);
  const lyceeId = await referentielLycee(ctx.db, LAST_YEAR);
  if (!who || lyceeId === null) return;
  const [formation] = await ctx.db
    .select({ id: refFormations.id })
    .from(refFormations)
    .where(eq(refFormations.etablissementId, lyceeId))
    .orderBy(asc(refFormations.id))
    .limit(1);
  // another establishment of Paris, habilitated both years (so it can be replicated)
  const [other] = await ctx.db
    .select({ id: refEtablissements.id })
    .from(refEtablissements)
    .where(
      and(
        eq(refEtablissements.annee, LAST_YEAR),
        isNull(refEtablissements.parentId),
        eq(refEtablissements.departement, '75'),
        sql`${refEtablissements.siret} <> ${DEMO_COMPANIES.lyceeRaspail.siret}`,
        sql`exists (select 1 from ref_etablissements n where n.annee = ${LAST_YEAR + 1} and n.cle = ${refEtablissements.cle})`,
      ),
    )
    .orderBy(asc(refEtablissements.nomRecherche))
    .limit(1);
  const items = [
    { target: { etablissementId: lyceeId, formationId: null }, bp: 4000 },
    ...(formation ? [{ target: { etablissementId: lyceeId, formationId: formation.id }, bp: 2500 }] : []),
    ...(other ? [{ target: { etablissementId: other.id, formationId: null }, bp: 2000 }] : []),
  ];
  // 12 June 2024, in the 2024 campaign's first period
  const clock = new ManualClock(new Date(parisStartOfDay('2024-06-12').getTime() + 10 * 3_600_000));
  const r = await changeChoices(
    { db: ctx.db, clock },
    {
      annee: LAST_YEAR,
      siret,
      actor: { userId: who.id, espaceId: who.espaceId },
      expectedVersion: null,
      change: { kind: 'remplacer', items, valider: true },
      source: 'demo',
    },
  );
  if (!r.ok) throw new Error(`Attributions de démonstration ${LAST_YEAR} : ${r.errors.map((e) => e.message).join(' ')}`);
  log(`  attributions ${LAST_YEAR} de BOULANGERIE MOUTIN : ${r.added} ligne(s) validée(s), à répliquer sur ${LAST_YEAR + 1}`);
}
