/**
 * Demo data of the establishment space for the demo establishment (the real Lycée des métiers Raspail,
 * fictitious people): its fiche (presentation, two contacts, websites), verified bank details (a
 * Trésor public account, as EPLE have; fictitious account number with valid RIB key and IBAN) and,
 * for the current campaign, a handful of envelopes and allocations from demo employers so that
 * « Attributions reçues » shows named and anonymous employers. Idempotent: nothing is overwritten.
 */
import { and, asc, eq, inArray, isNull, like, notInArray, sql } from 'drizzle-orm';
import type { AppContext } from '../app-context.js';
import { makeValidFrenchIban } from '../domain/iban.js';
import {
  attributions,
  coordonneesBancaires,
  enveloppes,
  etablissementProfils,
  etablissements,
  refEtablissements,
  refFormations,
} from '../infra/db/schema.js';
import { alreadySeeded, referentielLycee } from './lookups.js';
import { DEMO_COMPANIES } from './registry.js';
import { currentCampaignYear } from '../modules/espace-etablissement/access.js';

const LYCEE = DEMO_COMPANIES.lyceeRaspail;

export const DEMO_PROFIL = {
  presentation:
    'Le lycée des métiers Raspail, à Paris 14e, forme aux métiers de l’énergie, du génie climatique, de l’électrotechnique et de la maintenance des systèmes, du baccalauréat au BTS, par la voie scolaire et par l’apprentissage.\n\n' +
    'Le solde de la taxe d’apprentissage finance l’équipement de nos plateaux techniques (pompes à chaleur, systèmes frigorifiques, armoires électriques communicantes) et les projets menés avec les entreprises partenaires. Merci de votre soutien.',
  contacts: [
    {
      fonction: 'Responsable relation entreprise',
      nom: 'Mme Isabelle Roussel',
      courriel: 'relations.entreprises@lycee-raspail.example',
      telephone: '01 45 40 12 34',
    },
    { fonction: 'Adjoint gestionnaire', nom: 'M. Karim Benali', courriel: 'gestion@lycee-raspail.example', telephone: '01 45 40 12 35' },
  ],
  sites: [
    { libelle: 'Annuaire de l’éducation', url: 'https://www.education.gouv.fr/annuaire' },
    { libelle: 'Académie de Paris', url: 'https://www.ac-paris.fr/' },
  ],
};

/** Trésor public (banque 10071, BIC TRPUFRP1): EPLE hold their account there; the account number is fictitious. */
export const DEMO_IBAN = makeValidFrenchIban('10071', '75000', '00001003975');
export const DEMO_BIC = 'TRPUFRP1';

export async function seedDemoEspaceEtablissement(ctx: AppContext, log: (line: string) => void = () => undefined): Promise<void> {
  const now = ctx.clock.now();
  await seedProfile(ctx, now);
  await seedBankDetails(ctx, now);
  const annee = await currentCampaignYear(ctx.db);
  const lycee = annee ? await referentielLycee(ctx.db, annee) : null;
  if (!annee || !lycee) {
    log(
      '  espace établissement : fiche et coordonnées bancaires du lycée Raspail (pas d’attribution : le lycée n’est pas dans le référentiel)',
    );
    return;
  }
  const plan = allocationPlan(lycee, await allocationTargets(ctx, annee, lycee));
  const added = await seedAllocations(ctx, annee, await demoEmployers(ctx), plan, now);
  log(
    `  espace établissement : fiche, coordonnées bancaires vérifiées et ${added} attribution(s) de démonstration pour le lycée Raspail (campagne ${annee})`,
  );
}

async function seedProfile(ctx: AppContext, now: Date): Promise<void> {
  await ctx.db
    .insert(etablissementProfils)
    .values({
      siret: LYCEE.siret,
      presentation: DEMO_PROFIL.presentation,
      contacts: DEMO_PROFIL.contacts,
      sites: DEMO_PROFIL.sites,
      updatedAt: now,
    })
    .onConflictDoNothing();
}

async function seedBankDetails(ctx: AppContext, now: Date): Promise<void> {
  if (await alreadySeeded(ctx.db, coordonneesBancaires, eq(coordonneesBancaires.siret, LYCEE.siret))) return;
  await ctx.db
    .insert(coordonneesBancaires)
    .values({
      siret: LYCEE.siret,
      iban: DEMO_IBAN,
      bic: DEMO_BIC,
      titulaire: 'LYCEE DES METIERS RASPAIL',
      statut: 'verifiee',
      createdAt: now,
      verifieeLe: now,
    })
    .onConflictDoNothing();
}

/** Two of the lycée's formations, and another establishment of the referential. */
async function allocationTargets(
  ctx: AppContext,
  annee: number,
  lyceeId: number,
): Promise<{ f1: number | null; f2: number | null; other: number | null }> {
  const formations = await ctx.db
    .select({ id: refFormations.id })
    .from(refFormations)
    .where(and(eq(refFormations.etablissementId, lyceeId), eq(refFormations.annee, annee)))
    .orderBy(asc(refFormations.id))
    .limit(2);
  const [other] = await ctx.db
    .select({ id: refEtablissements.id })
    .from(refEtablissements)
    .where(and(eq(refEtablissements.annee, annee), isNull(refEtablissements.parentId), sql`${refEtablissements.siret} <> ${LYCEE.siret}`))
    .orderBy(asc(refEtablissements.id))
    .limit(1);
  const f1 = formations[0]?.id ?? null;
  return { f1, f2: formations[1]?.id ?? f1, other: other?.id ?? null };
}

/** The fixed employer companies, then the first three active sièges of generated companies, those in the registry. */
async function demoEmployers(ctx: AppContext): Promise<string[]> {
  const fixed = [DEMO_COMPANIES.boulangerieMoutin.siret, DEMO_COMPANIES.cabinetDurand.siret, DEMO_COMPANIES.gipMds.siret];
  const generated = await ctx.db
    .select({ siret: etablissements.siret })
    .from(etablissements)
    .where(
      and(
        like(etablissements.siren, '999%'),
        eq(etablissements.estSiege, true),
        eq(etablissements.etatAdministratif, 'A'),
        notInArray(etablissements.siret, fixed),
        sql`${etablissements.siren} not like '99900%'`,
      ),
    )
    .orderBy(asc(etablissements.siret))
    .limit(3);
  const employers = [...fixed, ...generated.map((g) => g.siret)];
  const known = new Set(
    (await ctx.db.select({ siret: etablissements.siret }).from(etablissements).where(inArray(etablissements.siret, employers))).map(
      (r) => r.siret,
    ),
  );
  // an employer keeps its rank in the plan even when it is missing from the registry
  return employers.map((siret) => (known.has(siret) ? siret : ''));
}

type PlanLine = [number, number | null, number, 'validee' | 'enregistree'];

/** Crédits à répartir (cents), partage de coordonnées, allocations: [target, formation, basis points, statut], per employer. */
function allocationPlan(
  lycee: number,
  { f1, f2, other }: { f1: number | null; f2: number | null; other: number | null },
): { credits: bigint; partage: boolean; lines: PlanLine[] }[] {
  return [
    // BOULANGERIE MOUTIN (a demo account): chosen, not yet « enregistrées », so its Synthèse has work left
    {
      credits: 128_456n,
      partage: true,
      lines: [[lycee, null, 3000, 'enregistree'], ...(f1 ? [[lycee, f1, 2000, 'enregistree'] as PlanLine] : [])],
    },
    { credits: 412_389n, partage: true, lines: [[lycee, null, 2500, 'enregistree']] },
    {
      credits: 2_015_733n,
      partage: false,
      lines: [[lycee, f2, 1500, 'validee'], ...(other ? [[other, null, 3333, 'validee'] as PlanLine] : [])],
    },
    { credits: 87_311n, partage: true, lines: [[lycee, null, 10000, 'validee']] },
    { credits: 1_543_002n, partage: false, lines: [[lycee, f1, 3333, 'enregistree']] },
    { credits: 23_477n, partage: true, lines: [[lycee, f2, 1250, 'validee']] },
  ];
}

/** Each employer's placeholder envelope and its allocations (nothing overwritten); returns how many allocations were added. */
async function seedAllocations(
  ctx: AppContext,
  annee: number,
  employers: string[],
  plan: ReturnType<typeof allocationPlan>,
  now: Date,
): Promise<number> {
  let added = 0;
  for (const [i, siret] of employers.entries()) {
    const p = plan[i];
    if (!p || !siret) continue;
    await ctx.db.transaction(async (tx) => {
      await tx
        .insert(enveloppes)
        .values({
          annee,
          siret,
          collecteur: 'URSSAF',
          soldeCents: p.credits,
          creditsCents: p.credits,
          partageCoordonnees: p.partage,
          updatedAt: now,
        })
        .onConflictDoNothing();
      for (const [etablissementId, formationId, pointsBase, statut] of p.lines) {
        const r = await tx
          .insert(attributions)
          .values({ annee, siretEmployeur: siret, etablissementId, formationId, pointsBase, statut, updatedAt: now })
          .onConflictDoNothing()
          .returning({ id: attributions.id });
        added += r.length;
      }
    });
  }
  return added;
}
