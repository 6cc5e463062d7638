/**
 * « Attributions reçues » over HTTP: the empty state, then allocations of several employers to the
 * lycée, its composante and formations (and to another establishment): named employers only when they
 * share their identity, expected amounts that reconcile to the cent across establishments, totals,
 * the CSV (BOM, « ; », formulas neutralised), the JSON; and the demo seed (idempotent).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeValidSiren, makeValidSiret } from '../../src/domain/identifiers.js';
import {
  attributions,
  coordonneesBancaires,
  enveloppes,
  entreprises,
  etablissementProfils,
  etablissements,
} from '../../src/infra/db/schema.js';
import { seedDemoEspaceEtablissement } from '../../src/demo/espace-etablissement.js';
import { createHarness, type Client, type Harness } from '../harness.js';
import { stopHarness } from '../accounts/helpers.js';
import { ANNEE, createCompany, LYCEE, registryCompanies, seedReferentiel, signIn, type Referentiel, type TestPerson } from './fixtures.js';

let h: Harness;
let ref: Referentiel;
let c: Client;
let employers: { siren: string; siret: string; raisonSociale: string }[];
const BASE = `/soltea/etablissement/${LYCEE.siret}`;
const HOSTILE_SIREN = makeValidSiren('99977700');
const HOSTILE_SIRET = makeValidSiret(HOSTILE_SIREN, '0001');

beforeAll(async () => {
  h = await createHarness();
  const companies = await registryCompanies(h.ctx.db, 4);
  ref = await seedReferentiel(h.ctx.db, h.clock.now(), companies[3]!.siret);
  employers = companies.slice(0, 3);
  const co = await createCompany(h.ctx, {
    siren: LYCEE.siren,
    siret: LYCEE.siret,
    people: [{ nom: 'GARNIER', prenom: 'Nadia', role: 'administrateur' }],
  });
  c = await signIn(h, co.people[0] as TestPerson);
  await h.ctx.db
    .insert(entreprises)
    .values({ siren: HOSTILE_SIREN, raisonSociale: '=HYPERLINK("http://x.example";"clic")', etatAdministratif: 'A' });
  await h.ctx.db
    .insert(etablissements)
    .values({ siret: HOSTILE_SIRET, siren: HOSTILE_SIREN, denomination: '=HYPERLINK', estSiege: true, etatAdministratif: 'A' });
}, 120_000);
afterAll(async () => stopHarness(h));

describe('« Attributions reçues »', () => {
  it('empty state before any allocation (page, JSON, CSV with its header only)', async () => {
    const r = await c.get(`${BASE}/attributions`);
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Aucune attribution pour l’instant');
    expect(r.body).toContain('pour la campagne 2026');
    const j = JSON.parse((await c.get(`${BASE}/attributions`, 'application/json')).body);
    expect(j).toMatchObject({ campagne: 2026, totalCents: '0', attributions: [] });
    const csv = await c.get(`${BASE}/attributions.csv`);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body).toBe('\ufeffCampagne;Employeur;SIRET employeur;Bénéficiaire;Formation;Pourcentage;Montant attendu (€);Statut\r\n');
  });

  it('named only when the employer shares its identity; amounts reconcile over all the employer’s allocations', async () => {
    const now = h.clock.now();
    const [a, b, d] = employers as [(typeof employers)[0], (typeof employers)[0], (typeof employers)[0]];
    await h.ctx.db.insert(enveloppes).values([
      {
        annee: ANNEE,
        siret: a.siret,
        collecteur: 'URSSAF',
        soldeCents: 100_00n,
        creditsCents: 100_00n,
        partageCoordonnees: true,
        updatedAt: now,
      },
      {
        annee: ANNEE,
        siret: b.siret,
        collecteur: 'MSA',
        soldeCents: 1_000_01n,
        creditsCents: 1_000_01n,
        partageCoordonnees: false,
        updatedAt: now,
      },
      {
        annee: ANNEE,
        siret: HOSTILE_SIRET,
        collecteur: 'URSSAF',
        soldeCents: 50_00n,
        creditsCents: 50_00n,
        partageCoordonnees: true,
        updatedAt: now,
      },
      // last year: must not show
      {
        annee: ANNEE - 1,
        siret: a.siret,
        collecteur: 'URSSAF',
        soldeCents: 999_00n,
        creditsCents: 999_00n,
        partageCoordonnees: true,
        updatedAt: now,
      },
    ]);
    const at = (
      siretEmployeur: string,
      etablissementId: number,
      pointsBase: number,
      formationId: number | null = null,
      statut = 'validee',
      annee = ANNEE,
    ) => ({ annee, siretEmployeur, etablissementId, formationId, pointsBase, statut, updatedAt: now });
    await h.ctx.db.insert(attributions).values([
      at(a.siret, ref.lyceeId, 3333),
      at(a.siret, ref.otherId, 3333),
      at(a.siret, ref.composanteId, 3334, ref.formationIds[3]!),
      at(b.siret, ref.lyceeId, 2500, ref.formationIds[0]!, 'enregistree'),
      at(b.siret, ref.otherId, 7500),
      at(HOSTILE_SIRET, ref.lyceeId, 10_000),
      at(d.siret, ref.lyceeId, 1000), // no envelope yet
      at(a.siret, ref.otherId, 10_000, null, 'validee', ANNEE - 1),
    ]);
    const r = await c.get(`${BASE}/attributions`);
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain(a.raisonSociale);
    expect(r.body).toContain(a.siret.slice(9));
    expect(r.body).not.toContain(b.raisonSociale);
    expect(r.body).not.toContain(b.siret.slice(0, 9));
    expect(r.body).not.toContain(d.raisonSociale); // no envelope: no « partage » known, anonymous
    expect(r.body).toContain('Employeur (identité non partagée)');
    expect(r.body).toContain('UNITE DE FORMATION PAR APPRENTISSAGE RASPAIL');
    expect(r.body).toContain('Formation : BTS Électrotechnique');
    expect(r.body).toContain('Montant à venir');
    const j = JSON.parse((await c.get(`${BASE}/attributions`, 'application/json')).body) as {
      totalCents: string;
      employeurs: number;
      attributions: {
        employeur: { raisonSociale: string; siret?: string };
        pointsBase: number;
        montantCents: string | null;
        beneficiaire: string;
      }[];
    };
    // A: 100,00 € over 33.33 / 33.33 / 33.34 % → 33,33 + [33,33 elsewhere] + 33,34; B: 1 000,01 € × 25 % = 250,00 (largest remainder of 250,0025 + 750,0075)
    const amounts = j.attributions.map((x) => [x.employeur.raisonSociale, x.pointsBase, x.montantCents]);
    expect(amounts).toContainEqual([a.raisonSociale, 3333, '3333']);
    expect(amounts).toContainEqual([a.raisonSociale, 3334, '3334']);
    expect(amounts).toContainEqual(['Employeur (identité non partagée)', 2500, '25000']);
    expect(amounts).toContainEqual(['Employeur (identité non partagée)', 1000, null]);
    expect(amounts).toContainEqual(['=HYPERLINK("http://x.example";"clic")', 10_000, '5000']);
    expect(j.attributions).toHaveLength(5);
    expect(j.totalCents).toBe(String(3333 + 3334 + 25000 + 5000));
    expect(j.employeurs).toBe(4);
    expect(JSON.stringify(j)).not.toContain(b.siret);
    expect(JSON.stringify(j)).not.toContain(d.siret);
    expect(r.body).toContain('366,67');
  });

  it('CSV: BOM, « ; », formulas neutralised, anonymous employers without SIRET', async () => {
    const csv = await c.get(`${BASE}/attributions.csv`);
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="attributions-${LYCEE.siret}-2026.csv"`);
    const lines = csv.body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines).toHaveLength(6);
    expect(lines.some((l) => l.startsWith(`2026;"'=HYPERLINK(""http://x.example"";""clic"")";${HOSTILE_SIRET};`))).toBe(true);
    expect(lines.filter((l) => l.startsWith('2026;Employeur (identité non partagée);;'))).toHaveLength(2);
    expect(lines).toContain(
      `2026;${employers[0]!.raisonSociale};${employers[0]!.siret};UNITE DE FORMATION PAR APPRENTISSAGE RASPAIL;Certificat de spécialisation Technicien en énergies renouvelables option B énergie thermique;33,34 %;33,34;Validée`,
    );
    expect(csv.body).not.toContain(employers[1]!.siret);
  });
});

describe('demo seed', () => {
  it('fills the lycée’s fiche, verified bank details and allocations; running it again changes nothing', async () => {
    // the seed uses the demo companies of the registry: give them envelopes from a clean slate
    await h.ctx.db.delete(attributions);
    await h.ctx.db.delete(enveloppes);
    await seedDemoEspaceEtablissement(h.ctx);
    const snapshot = async () => ({
      profil: await h.ctx.db.select().from(etablissementProfils).where(eq(etablissementProfils.siret, LYCEE.siret)),
      bank: await h.ctx.db.select().from(coordonneesBancaires),
      env: (await h.ctx.db.select().from(enveloppes)).length,
      att: (await h.ctx.db.select().from(attributions)).map((x) => x.id),
    });
    const first = await snapshot();
    expect(first.profil[0]!.contacts).toHaveLength(2);
    expect(first.bank).toHaveLength(1);
    expect(first.bank[0]).toMatchObject({ statut: 'verifiee', bic: 'TRPUFRP1' });
    expect(first.env).toBeGreaterThanOrEqual(5);
    expect(first.att.length).toBeGreaterThanOrEqual(8);
    await seedDemoEspaceEtablissement(h.ctx);
    expect(await snapshot()).toEqual(first);
    const page = await c.get(`${BASE}/attributions`);
    expect(page.body).toContain('BOULANGERIE MOUTIN');
    expect(page.body).toContain('Employeur (identité non partagée)');
    const bank = await c.get(`${BASE}/coordonnees-bancaires`);
    expect(bank.body).toContain('Vérifiée');
  });
});
