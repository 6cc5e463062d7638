/**
 * Set-up and small readers of the two SOLTéA employer journeys: the 2025 referential of
 * test/attributions/fixtures.ts (the lycée Raspail, its composante and four formations, another
 * establishment, a national-list organisation, last year's rows), written directly in the database
 * with the clock in period 1 of the 2025 campaign; an employer with its envelopes and last year's
 * allocations; a tiers-déclarant with a portefeuille of two clients. The journeys walk everything else
 * in the browser.
 */
import { and, eq } from 'drizzle-orm';
import type { Locator, Page } from 'playwright-core';
import { makeValidSiren, makeValidSiret } from '../src/domain/identifiers.js';
import { searchKey } from '../src/domain/text.js';
import { attributions, enveloppes, habilitations, portefeuilles, refEtablissements, users } from '../src/infra/db/schema.js';
import { ensureDefaultPortefeuille } from '../src/modules/gestion/portefeuilles.js';
import { addClient } from '../src/modules/gestion/portefeuilles-clients.js';
import { setPortefeuilleDeclarations } from '../src/modules/gestion/portefeuilles-declarations.js';
import { ANNEE, envelope, IN_PERIOD_1, makeTiers, seedWorld, type World } from '../test/attributions/fixtures.js';
import { createCompany, LYCEE, registryCompanies, type TestPerson } from '../test/espace-etablissement/fixtures.js';
import { DEMO_COMPANIES, type Journey } from './support.js';

export { ANNEE, IN_PERIOD_1, LYCEE };
export type { TestPerson, World };

const HOUR = 3_600_000;

// ── readers ─────────────────────────────────────────────────────────────────────────────────────

/** Text with no-break spaces made plain and runs of white space collapsed. */
export const norm = (s: string | null | undefined) =>
  (s ?? '')
    .replace(/[\u00a0\u202f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** « 12 345,67 € » → 1234567 (cents). */
export function cents(text: string): number {
  const m = /(-?[\d\s\u00a0\u202f]+),(\d{2})\s*€/.exec(text);
  if (!m) throw new Error(`pas de montant en euros dans « ${text} »`);
  return Number(m[1]!.replace(/[^\d-]/g, '')) * 100 + Number(m[2]);
}

/** « 12,5 % » → 1250 (basis points). */
export function bp(text: string): number {
  const m = /(\d+)(?:,(\d{1,2}))?\s*%/.exec(norm(text));
  if (!m) throw new Error(`pas de pourcentage dans « ${text} »`);
  return Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}

export interface SyntheseRow {
  etablissement: string;
  formation: string;
  pourcentage: string;
  montant: string;
  statut: string;
}

/** The lines of the Synthèse table, as shown. */
export async function syntheseRows(page: Page): Promise<SyntheseRow[]> {
  const table = page.locator('table#synthese');
  if ((await table.count()) === 0) return [];
  return table.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const cells = [...tr.querySelectorAll('td')].map(
        (td) =>
          td.textContent
            ?.replace(/[\u00a0\u202f]/g, ' ')
            .replace(/\s+/g, ' ')
            .trim() ?? '',
      );
      return {
        etablissement: tr.querySelector('td a')?.textContent?.trim() ?? '',
        formation: cells[1] ?? '',
        pourcentage: cells[2] ?? '',
        montant: cells[3] ?? '',
        statut: cells[4] ?? '',
      };
    }),
  );
}

/** « Total attribué » and « Reste à attribuer » of the Synthèse's foot: [percentage, euros]. */
export async function syntheseFoot(page: Page): Promise<{ total: [string, string]; reste: [string, string] }> {
  const read = async (label: string): Promise<[string, string]> => {
    const cells = await page
      .locator('table#synthese tfoot tr', { has: page.locator('th', { hasText: label }) })
      .locator('td')
      .allTextContents();
    return [norm(cells[0]), norm(cells[1])];
  };
  return { total: await read('Total attribué'), reste: await read('Reste à attribuer') };
}

/** « Crédits à répartir » of the envelope table. */
export async function credits(page: Page): Promise<string> {
  return norm(
    await page
      .locator('tr', { has: page.locator('th', { hasText: 'Crédits à répartir' }) })
      .locator('td')
      .textContent(),
  );
}

/**
 * The amounts reconcile: each line is its share of the crédits (to the cent, largest remainder), the
 * lines add up to « Total attribué », and « Total attribué » + « Reste à attribuer » = the crédits.
 */
export async function expectReconciled(page: Page): Promise<{ rows: SyntheseRow[]; creditsCents: number; totalCents: number }> {
  const rows = await syntheseRows(page);
  const creditsCents = cents(await credits(page));
  const foot = await syntheseFoot(page);
  const totalCents = cents(foot.total[1]);
  const sum = rows.reduce((s, r) => s + cents(r.montant), 0);
  const problems: string[] = [];
  if (sum !== totalCents) problems.push(`somme des lignes ${sum} ≠ total attribué ${totalCents}`);
  if (totalCents + cents(foot.reste[1]) !== creditsCents)
    problems.push(`total ${totalCents} + reste ${cents(foot.reste[1])} ≠ crédits ${creditsCents}`);
  if (rows.reduce((s, r) => s + bp(r.pourcentage), 0) !== bp(foot.total[0])) problems.push(`somme des pourcentages ≠ ${foot.total[0]}`);
  for (const r of rows) {
    const exact = (creditsCents * bp(r.pourcentage)) / 10_000;
    if (Math.abs(cents(r.montant) - exact) >= 1)
      problems.push(`${r.etablissement} ${r.formation} : ${r.montant} au lieu de ${exact / 100} €`);
  }
  if (problems.length) throw new Error(`les montants de la synthèse ne concordent pas :\n  - ${problems.join('\n  - ')}`);
  return { rows, creditsCents, totalCents };
}

/** On the « Attribuer » page: the percentage field next to a target's checkbox. */
export async function percentField(box: Locator): Promise<Locator> {
  const id = await box.getAttribute('id');
  if (!id?.startsWith('cible-')) throw new Error(`case inattendue : ${id}`);
  return box.page().locator(`#pct_${id.slice('cible-'.length)}`);
}

// ── set-up ──────────────────────────────────────────────────────────────────────────────────────

export const BM = DEMO_COMPANIES.boulangerieMoutin;
export const CD = DEMO_COMPANIES.cabinetDurand;

export interface EmployerWorld {
  w: World;
  claire: TestPerson;
  /** 2025 crédits à répartir of the boulangerie */
  creditsCents: bigint;
  /** last year's establishment that is not habilitated any more */
  closedSiret: string;
}

/**
 * BOULANGERIE MOUTIN, « SOLTéA - Employeurs » open to Claire MOUTIN for two days; its 2025 envelope
 * (12 600,00 € of solde, 254,33 € of fees: 12 345,67 € to allocate) and its 2024 one; last year's
 * allocations, all validated: 40 % to the lycée, 15 % to a formation of the lycée, 10 % to an
 * establishment that is not habilitated in 2025. The clock: 10 June 2025 (period 1).
 */
export async function seedEmployerWorld(j: Journey): Promise<EmployerWorld> {
  const ctx = j.app.ctx;
  j.clock.set(IN_PERIOD_1);
  const now = j.clock.now();
  const [other] = await registryCompanies(ctx.db, 1);
  const w = await seedWorld(ctx.db, now, other!.siret);
  const co = await createCompany(ctx, {
    siren: BM.siren,
    siret: BM.siret,
    people: [{ nom: 'MOUTIN', prenom: 'Claire', role: 'administrateur', email: 'claire.moutin@boulangerie-moutin.example' }],
    code: 'SOLTEA_EMPLOYEURS',
    declarationAddedHoursAgo: 48,
  });
  const creditsCents = 12_345_67n;
  await envelope(ctx.db, BM.siret, creditsCents, now, { soldeCents: 12_600_00n, fraisCents: 254_33n });
  await envelope(ctx.db, BM.siret, 9_800_00n, now, { annee: ANNEE - 1, soldeCents: 9_950_00n, fraisCents: 150_00n });
  const closedSiret = makeValidSiret(makeValidSiren('55544433'), '0001');
  const [closed] = await ctx.db
    .insert(refEtablissements)
    .values({
      annee: ANNEE - 1,
      cle: closedSiret,
      siret: closedSiret,
      nom: 'CENTRE DE FORMATION FERME EN 2025',
      nomRecherche: searchKey('CENTRE DE FORMATION FERME EN 2025'),
      categorie: '2°',
      liste: 'regionale',
      commune: 'Tours',
      departement: '37',
      region: '24',
      updatedAt: now,
    })
    .returning({ id: refEtablissements.id });
  const lastYear = new Date('2024-06-20T10:00:00Z');
  const row = (etablissementId: number, formationId: number | null, pointsBase: number) => ({
    annee: ANNEE - 1,
    siretEmployeur: BM.siret,
    etablissementId,
    formationId,
    pointsBase,
    statut: 'validee',
    valideeLe: lastYear,
    validePeriode: 1,
    updatedAt: lastYear,
  });
  await ctx.db
    .insert(attributions)
    .values([row(w.lastYearLyceeId, null, 4000), row(w.lastYearLyceeId, w.lastYearFormationId, 1500), row(closed!.id, null, 1000)]);
  return { w, claire: co.people[0]!, creditsCents, closedSiret };
}

export interface TiersWorld {
  w: World;
  paul: TestPerson;
  /** client whose DSN the cabinet filed in April 2025 */
  client1: { siren: string; siret: string; raisonSociale: string };
  /** client whose DSN the cabinet last filed in October 2024 (more than six months ago) */
  client2: { siren: string; siret: string; raisonSociale: string };
  creditsCents: bigint;
}

/**
 * CABINET COMPTABLE DURAND, a tiers-déclarant: Paul DURAND administers it; its « Portefeuille par
 * défaut » has « SOLTéA - Employeurs » and two clients (companies of the test registry), Paul is
 * habilitated on their sièges. Client 1's envelope says the cabinet filed its DSN on 15 April 2025;
 * client 2's, on 1 October 2024. The portefeuille is composed two days before 10 June 2025 (the
 * 24-hour access delay is over), where the clock stays.
 */
export async function seedTiersWorld(j: Journey): Promise<TiersWorld> {
  const ctx = j.app.ctx;
  j.clock.set(new Date(IN_PERIOD_1.getTime() - 48 * HOUR));
  const now = j.clock.now();
  const companies = (await registryCompanies(ctx.db, 4)).filter((c) => c.siren !== CD.siren);
  const [other, client1, client2] = companies as [(typeof companies)[0], (typeof companies)[0], (typeof companies)[0]];
  const w = await seedWorld(ctx.db, now, other.siret);
  // the cabinet itself allocates nothing: no declaration on its own SIRET
  const co = await createCompany(ctx, {
    siren: CD.siren,
    siret: CD.siret,
    sirets: [],
    people: [{ nom: 'DURAND', prenom: 'Paul', role: 'administrateur', email: 'paul.durand@cabinet-durand.example' }],
  });
  await makeTiers(ctx.db, co.espaceId);
  const [admin] = await ctx.db.select().from(users).where(eq(users.id, co.people[0]!.id));
  await ensureDefaultPortefeuille(ctx, admin!);
  const [def] = await ctx.db
    .select()
    .from(portefeuilles)
    .where(and(eq(portefeuilles.espaceId, co.espaceId), eq(portefeuilles.isDefault, true)));
  await setPortefeuilleDeclarations(ctx, admin!, def!.id, ['SOLTEA_EMPLOYEURS']);
  for (const c of [client1, client2]) await addClient(ctx, admin!, def!.id, c.siren);
  await ctx.db.insert(habilitations).values(
    [client1, client2].map((c) => ({
      userId: admin!.id,
      siret: c.siret,
      declarationCode: 'SOLTEA_EMPLOYEURS',
      declarer: true,
      payer: false,
      grantedAt: now,
    })),
  );
  const creditsCents = 4_567_89n;
  await envelope(ctx.db, client1.siret, creditsCents, now, {
    declarantSiret: CD.siret,
    declarantNom: CD.raisonSociale,
    deposeLe: new Date('2025-04-15T10:00:00Z'),
  });
  await envelope(ctx.db, client2.siret, 2_000_00n, now, {
    declarantSiret: CD.siret,
    declarantNom: CD.raisonSociale,
    deposeLe: new Date('2024-10-01T10:00:00Z'),
  });
  j.clock.set(IN_PERIOD_1);
  return { w, paul: co.people[0]!, client1, client2, creditsCents };
}

/** The 2025 allocations of an employer SIRET in the database: [etablissementId, formationId, bp, statut]. */
export async function dbLines(j: Journey, siret: string, annee = ANNEE) {
  const rows = await j.app.ctx.db
    .select()
    .from(attributions)
    .where(and(eq(attributions.annee, annee), eq(attributions.siretEmployeur, siret)))
    .orderBy(attributions.id);
  return rows.map((r) => [r.etablissementId, r.formationId, r.pointsBase, r.statut] as const);
}

/** The envelope row (partage de coordonnées). */
export async function envelopeRow(j: Journey, siret: string) {
  const [r] = await j.app.ctx.db
    .select()
    .from(enveloppes)
    .where(and(eq(enveloppes.annee, ANNEE), eq(enveloppes.siret, siret)));
  return r ?? null;
}
