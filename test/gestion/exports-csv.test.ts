/**
 * The CSV exports of « Gérer les déclarants », « Gérer les établissements » and « Demande en attente »
 * (the company's own rows only, administrators only), and a client company's type in a portefeuille,
 * from the registry's count of open établissements (« Ajouter une entreprise » with its « Annuler »).
 */
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_COMPANIES } from '../../src/demo/registry.js';
import { entreprises, portefeuilles } from '../../src/infra/db/schema.js';
import { SEED_DIR } from '../../src/infra/files.js';
import { importRegistry } from '../../src/modules/entreprises/import-registry.js';
import { readCsv } from '../../src/shared/csv.js';
import { Client, createHarness, type Harness } from '../harness.js';
import { activeDeclarant, newPerson, registerCandidat, signedInAdministrator, stopHarness, type Person } from '../accounts/helpers.js';

const { gipMds: GIP, cabinetDurand: CD, boulangerieMoutin: BM } = DEMO_COMPANIES;
const L_ENFANT_BLEU = '400485504';

let h: Harness;
type Admin = Awaited<ReturnType<typeof signedInAdministrator>>;
let A: Admin; // GIP MDS, multi-établissements
let B: Admin; // another company
let aCandidat: Person;
let bCandidat: Person;
let aDeclarant: Client;

const rowsOf = async (c: Client, url: string) => {
  const r = await c.get(url);
  expect(r.statusCode, `${url}: ${r.body.slice(0, 300)}`).toBe(200);
  expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
  expect(r.body.startsWith('\uFEFF')).toBe(true);
  return readCsv(r.body).records.map((x) => x.cells);
};

beforeAll(async () => {
  h = await createHarness({ registryCount: 30 });
  A = await signedInAdministrator(h, { siret: GIP.siret });
  B = await signedInAdministrator(h);
  aCandidat = newPerson(GIP.siret);
  bCandidat = newPerson(B.person.siret);
  await registerCandidat(h, aCandidat);
  await registerCandidat(h, bCandidat);
  aDeclarant = (await activeDeclarant(h, A.espaceId, GIP.siret, { nom: 'Declarant', prenom: 'Seul' })).client;
}, 120_000);
afterAll(async () => stopHarness(h));

describe('CSV exports of the lists', () => {
  it('« Gérer les déclarants »: every person of the company with role and state, nobody else’s', async () => {
    const rows = await rowsOf(A.client, '/gestion/declarants.csv');
    expect(rows[0]).toEqual(['nom', 'prenom', 'courriel', 'telephone', 'role', 'etat']);
    const json = (await A.client.get('/gestion/declarants', 'application/json')).json() as { declarants: { email: string }[] };
    expect(rows.slice(1).map((r) => r[2])).toEqual(json.declarants.map((d) => d.email));
    expect(rows).toContainEqual([A.person.nom, A.person.prenom, A.person.email, A.person.telephone, 'Administrateur', 'Actif']);
    expect(rows.find((r) => r[2] === aCandidat.email)?.[5]).toBe('Demande en attente');
    expect(rows.find((r) => r[0] === 'Declarant')?.slice(4)).toEqual(['Déclarant', 'Actif']);
    for (const other of [B.person.email, bCandidat.email]) expect(rows.some((r) => r.includes(other))).toBe(false);
    const page = await A.client.get('/gestion/declarants');
    expect(page.body).toContain('href="/gestion/declarants.csv"');
  });

  it('« Gérer les établissements »: the company’s établissements in the page’s order, with their declarations', async () => {
    const rows = await rowsOf(A.client, '/gestion/etablissements.csv');
    expect(rows[0]).toEqual(['siret', 'nom', 'adresse', 'code postal', 'commune', 'siege', 'etat', 'declarations']);
    const json = (await A.client.get('/gestion/etablissements', 'application/json')).json() as {
      etablissements: { siret: string; siege: boolean; ferme: boolean; declarations: number }[];
    };
    expect(rows.slice(1).map((r) => r[0])).toEqual(json.etablissements.map((e) => e.siret));
    expect(rows.length - 1).toBeGreaterThan(1);
    for (const e of json.etablissements) {
      const r = rows.find((x) => x[0] === e.siret)!;
      expect([r[5], r[6], r[7]]).toEqual([e.siege ? 'oui' : 'non', e.ferme ? 'Fermé' : 'Actif', String(e.declarations)]);
    }
    expect(rows.some((r) => r[0]!.startsWith(B.person.siret.slice(0, 9)))).toBe(false);
    expect((await A.client.get('/gestion/etablissements')).body).toContain('href="/gestion/etablissements.csv"');
  });

  it('« Demande en attente »: the company’s requests, nobody else’s', async () => {
    const rows = await rowsOf(A.client, '/menu/demandes.csv');
    expect(rows[0]).toEqual(['demande', 'demandeur', 'courriel', 'siret', 'statut', 'date de la demande']);
    expect(rows.slice(1)).toHaveLength(1);
    expect(rows[1]!.slice(0, 5)).toEqual([
      'Demande d’administration',
      `${aCandidat.prenom} ${aCandidat.nom}`,
      aCandidat.email,
      GIP.siret,
      'En attente',
    ]);
    expect(rows[1]![5]).toBe(new Date(rows[1]![5]!).toISOString());
    const b = await rowsOf(B.client, '/menu/demandes.csv');
    expect(b.slice(1).map((r) => r[2])).toEqual([bCandidat.email]);
    expect((await A.client.get('/menu/demandes')).body).toContain('href="/menu/demandes.csv"');
  });

  it('a déclarant gets 403 and no data; a visitor is sent to the login page', async () => {
    for (const url of ['/gestion/declarants.csv', '/gestion/etablissements.csv', '/menu/demandes.csv']) {
      const r = await aDeclarant.get(url);
      expect(r.statusCode, url).toBe(403);
      expect(r.body).not.toContain(aCandidat.email);
      const v = await new Client(h).get(url);
      expect(v.statusCode, url).toBe(303);
    }
  });
});

describe('a client company’s type in a portefeuille', () => {
  it('comes from the registry’s count of open établissements, not only from those the registry file lists', async () => {
    // L'ENFANT BLEU: 4 open établissements in SIRENE; the recherche-entreprises document lists only its siège
    await importRegistry(h.ctx.db, [join(SEED_DIR, 'registry', `search-${L_ENFANT_BLEU}.json`)], { now: h.clock.now() });
    const [e] = await h.ctx.db.select().from(entreprises).where(eq(entreprises.siren, L_ENFANT_BLEU));
    expect(e!.nombreEtablissementsOuverts).toBe(4);

    const tiers = await signedInAdministrator(h, {
      siret: CD.siret,
      profile: { kind: 'tiers_declarant', organisationType: 'expert_comptable' },
    });
    expect((await tiers.client.get('/gestion/portefeuilles')).statusCode).toBe(200);
    const [def] = await h.ctx.db
      .select()
      .from(portefeuilles)
      .where(and(eq(portefeuilles.espaceId, tiers.espaceId), eq(portefeuilles.isDefault, true)));
    const page = await tiers.client.get(`/gestion/portefeuilles/${def!.id}`);
    // « Ajouter une entreprise »: « Annuler » (back to the composition) and « Valider »
    expect(page.body).toMatch(new RegExp(`<a class="[^"]*" href="/gestion/portefeuilles/${def!.id}">Annuler</a>`));
    for (const siren of [L_ENFANT_BLEU, BM.siren, GIP.siren]) {
      const r = await tiers.client.form(`/gestion/portefeuilles/${def!.id}/entreprises`, { siren });
      expect(r.statusCode, r.body).toBe(303);
    }
    const list = (await tiers.client.get(`/gestion/portefeuilles/${def!.id}`, 'application/json')).json() as {
      entreprises: { siren: string; type: string; activeCount: number }[];
    };
    const type = Object.fromEntries(list.entreprises.map((x) => [x.siren, x.type]));
    expect(type).toEqual({
      [L_ENFANT_BLEU]: 'Multi-établissements',
      [BM.siren]: 'Mono-établissement',
      [GIP.siren]: 'Multi-établissements',
    });
    expect(list.entreprises.find((x) => x.siren === L_ENFANT_BLEU)!.activeCount).toBe(1);
    const recap = readCsv((await tiers.client.get('/gestion/portefeuilles/recapitulatif.csv')).body).records.map((x) => x.cells);
    expect(recap.find((r) => r[1] === L_ENFANT_BLEU)?.[3]).toBe('Multi-établissements');
  });
});
