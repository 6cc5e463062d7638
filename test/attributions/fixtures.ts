/**
 * Fixtures of the employer-space tests: the 2025 referential (the lycée Raspail with a composante and
 * four formations, another establishment, an organisation of the liste nationale; last year's rows for
 * « Répliquer les fléchages »), employer companies with « SOLTéA - Employeurs » open, their envelopes,
 * a tiers-déclarant with clients, and the clock inside a phase of the 2025 campaign.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { AppContext } from '../../src/app-context.js';
import { parisStartOfDay } from '../../src/domain/jours.js';
import { makeValidSiren, makeValidSiret } from '../../src/domain/identifiers.js';
import { searchKey } from '../../src/domain/text.js';
import type { Db } from '../../src/infra/db/index.js';
import {
  attributions,
  choixEmployeurs,
  enveloppes,
  entreprises,
  espaces,
  etablissements,
  refEtablissements,
  refFormations,
} from '../../src/infra/db/schema.js';
import type { Harness } from '../harness.js';
import { createCompany, registryCompanies, seedReferentiel, type Referentiel, type TestPerson } from '../espace-etablissement/fixtures.js';

export const ANNEE = 2025;
/** 10 June 2025, 10:00 Paris: period 1 of the 2025 campaign (26 May – 27 June) */
export const IN_PERIOD_1 = new Date('2025-06-10T08:00:00Z');
export const BEFORE_OPENING = new Date('2025-05-20T08:00:00Z');
export const BETWEEN_PERIODS = new Date('2025-07-01T08:00:00Z');
export const IN_PERIOD_2 = new Date('2025-09-15T08:00:00Z');
export const AFTER_CLOSING = new Date('2025-10-30T08:00:00Z');

export interface World extends Referentiel {
  nationalId: number;
  nationalSiret: string;
  /** last year's formation of the lycée (same diploma as formationIds[0]) */
  lastYearFormationId: number;
  lastYearLyceeId: number;
}

/** The 2025 referential plus a national-list organisation and last year's lycée formation. */
export async function seedWorld(db: Db, now: Date, otherSiret: string): Promise<World> {
  const ref = await seedReferentiel(db, now, otherSiret, ANNEE);
  const nationalSiret = makeValidSiret(makeValidSiren('77766655'), '0001');
  const [nat] = await db
    .insert(refEtablissements)
    .values({
      annee: ANNEE,
      cle: nationalSiret,
      siret: nationalSiret,
      nom: 'FONDATION NATIONALE DES METIERS',
      nomRecherche: searchKey('FONDATION NATIONALE DES METIERS'),
      categorie: '13°',
      liste: 'nationale',
      commune: 'Paris',
      departement: '75',
      region: '11',
      updatedAt: now,
    })
    .returning({ id: refEtablissements.id });
  const [lastYear] = await db
    .select({ id: refEtablissements.id })
    .from(refEtablissements)
    .where(
      and(
        eq(refEtablissements.annee, ANNEE - 1),
        eq(refEtablissements.siret, ref.formationIds.length ? await lyceeSiret(db, ref.lyceeId) : ''),
      ),
    );
  const [f0] = await db.select().from(refFormations).where(eq(refFormations.id, ref.formationIds[0]!));
  const [lf] = await db
    .insert(refFormations)
    .values({
      annee: ANNEE - 1,
      etablissementId: lastYear!.id,
      diplomeId: f0!.diplomeId,
      codeCommune: f0!.codeCommune,
      commune: f0!.commune,
      updatedAt: now,
    })
    .returning({ id: refFormations.id });
  return { ...ref, nationalId: nat!.id, nationalSiret, lastYearFormationId: lf!.id, lastYearLyceeId: lastYear!.id };
}

async function lyceeSiret(db: Db, id: number): Promise<string> {
  const [r] = await db.select({ siret: refEtablissements.siret }).from(refEtablissements).where(eq(refEtablissements.id, id));
  return r!.siret;
}

export async function envelope(
  db: Db,
  siret: string,
  creditsCents: bigint,
  now: Date,
  extra: Partial<typeof enveloppes.$inferInsert> = {},
) {
  await db
    .insert(enveloppes)
    .values({ annee: ANNEE, siret, collecteur: 'URSSAF', soldeCents: creditsCents, creditsCents, updatedAt: now, ...extra });
}

/** A company whose people are habilitated (open) to « SOLTéA - Employeurs » on `sirets`. */
export async function employerCompany(
  ctx: AppContext,
  company: { siren: string; siret: string },
  people: { nom: string; role: 'administrateur' | 'declarant' }[],
  sirets?: string[],
) {
  return createCompany(ctx, {
    siren: company.siren,
    siret: company.siret,
    people,
    code: 'SOLTEA_EMPLOYEURS',
    declarationAddedHoursAgo: 48,
    ...(sirets ? { sirets } : {}),
  });
}

/** Makes an espace a tiers-déclarant's. */
export async function makeTiers(db: Db, espaceId: string) {
  await db.update(espaces).set({ kind: 'tiers_declarant' }).where(eq(espaces.id, espaceId));
}

export async function linesOf(db: Db, siret: string, annee = ANNEE) {
  return db
    .select()
    .from(attributions)
    .where(and(eq(attributions.annee, annee), eq(attributions.siretEmployeur, siret)))
    .orderBy(asc(attributions.id));
}

export async function choixOf(db: Db, siret: string) {
  const [r] = await db
    .select()
    .from(choixEmployeurs)
    .where(and(eq(choixEmployeurs.annee, ANNEE), eq(choixEmployeurs.siret, siret)));
  return r ?? null;
}

/** A second SIRET for a registry company (an établissement secondaire), inserted in the registry. */
export async function secondSiret(db: Db, siren: string, nic = '00029'): Promise<string> {
  const siret = makeValidSiret(siren, nic.slice(0, 4));
  await db
    .insert(etablissements)
    .values({ siret, siren, denomination: 'ETABLISSEMENT SECONDAIRE', estSiege: false, etatAdministratif: 'A' })
    .onConflictDoNothing();
  return siret;
}

export async function companyName(db: Db, siren: string) {
  const [r] = await db.select({ n: entreprises.raisonSociale }).from(entreprises).where(eq(entreprises.siren, siren));
  return r?.n ?? '';
}

export const startOf = (jour: string) => parisStartOfDay(jour);
export type { TestPerson, Harness };
export { registryCompanies };
