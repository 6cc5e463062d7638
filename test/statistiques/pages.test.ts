/**
 * « Statistiques » of the operator's space and the public « Chiffres des campagnes » over HTTP
 * (docs/regles.md#statistiques), on a small campaign computed by hand: one Lyon employer with 1 000,00 € of
 * crédits (1,00 € of operator's fee, its funds received) gives 50 % to a Lyon establishment with verified
 * bank details and one formation (niveau 5), 20 % to a Paris establishment without bank details (nationale,
 * category 13°), both validated in period 1; wave 1 pays 500,00 € and leaves 200,00 € unpayable. The
 * figures on the page, in the JSON and in every CSV; the public page only for a campaign that is over,
 * without login, with the map of regions and the reliquat's split once computed.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsv } from '../../src/shared/csv.js';
import { createCompany, LYCEE, signIn } from '../espace-etablissement/fixtures.js';
import { Client, createHarness, type Harness } from '../harness.js';
import { newAgent, signInAgent } from '../operateur/helpers.js';
import { issuedWave } from '../versements/suivi-world.js';
import { ANNEE, WAVE_1_DAY, type World } from '../versements/world.js';
import { closeCampaign, seedStatsWorld } from './monde.js';

let h: Harness;
let w: World;
let gc: Client;

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/[\u202f\u00a0]/g, ' ')
    .replace(/\s+/g, ' ');
const cells = (body: string) => readCsv(body).records.map((r) => r.cells);

beforeAll(async () => {
  h = await createHarness();
  h.clock.set(WAVE_1_DAY);
  w = await seedStatsWorld(h.ctx.db);
  await issuedWave(h.ctx, w, 1);
  gc = await signInAgent(h, await newAgent(h, 'gestionnaire'));
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

describe('« Statistiques » (operator)', () => {
  it('shows the campaign’s figures, breakdowns and days computed by hand, with a chart beside each table', async () => {
    const page = await gc.get(`/operateur/statistiques?annee=${ANNEE}`);
    expect(page.statusCode).toBe(200);
    const t = text(page.body);
    expect(t).toContain('Statistiques de la campagne 2025');
    expect(t).toContain('1 SIRET employeur avec une enveloppe, 2 lignes d’attribution');
    expect(t).toContain('Collecté (fonds reçus des collecteurs Urssaf et MSA) 1 001,00 €');
    expect(t).toContain('Frais de gestion de l’opérateur 1,00 €');
    expect(t).toContain('Crédits à répartir 1 000,00 €');
    expect(t).toContain('Attribué par les employeurs 700,00 €');
    expect(t).toContain('Part des crédits à répartir attribuée 70 %');
    expect(t).toContain('Validé par les employeurs 700,00 €');
    expect(t).toContain('Versé aux établissements 500,00 €');
    expect(t).toContain('Non versable (parts en attente de re-désignation ou versées au reliquat) 200,00 €');
    expect(t).toContain('Reliquat à répartir Non calculé');
    expect(t).toContain('Auvergne-Rhône-Alpes 1 500,00 € 500,00 € 500,00 € 0,00 €');
    expect(t).toContain('Île-de-France 1 200,00 € 200,00 € 0,00 € 200,00 €');
    expect(t).toContain('69 Rhône 1 500,00 €');
    expect(t).toContain('13° ');
    expect(t).toContain('Liste nationale 1 200,00 €');
    expect(t).toContain('Niveau 5 (BTS, DUT, bac + 2) 1 500,00 €');
    expect(t).toContain('Établissement (sans formation désignée) 1 200,00 €');
    expect(t).toContain('11 juillet 2025 700,00 € 700,00 € 700,00 € 700,00 €');
    // every chart is an image with its title and description, before its table
    expect(page.body.match(/<svg[^>]*role="img"/g)?.length).toBe(7);
    expect(page.body).toContain('<title id="jours-graphique-titre">Attributions jour après jour, campagne 2025</title>');
    expect(page.body).toContain('href="/operateur/statistiques" aria-current="page"');
  });

  it('gives the same figures as JSON, amounts in cents as strings', async () => {
    const json = JSON.parse((await gc.get(`/operateur/statistiques?annee=${ANNEE}`, 'application/json')).body) as Record<string, unknown>;
    expect(json).toMatchObject({
      annee: 2025,
      collecteCents: '100100',
      fraisCents: '100',
      creditsCents: '100000',
      alloueCents: '70000',
      partAlloueeBp: 7000,
      valideCents: '70000',
      verseCents: '50000',
      nonVersableCents: '20000',
      reliquat: null,
    });
  });

  it('has a CSV for every table, with the page’s figures', async () => {
    const campagne = await gc.get(`/operateur/statistiques/campagne.csv?annee=${ANNEE}`);
    expect(campagne.headers['content-type']).toContain('text/csv');
    expect(campagne.headers['content-disposition']).toContain('soltea-statistiques-2025-campagne.csv');
    expect(cells(campagne.body)).toEqual([
      ['Campagne', 'Rubrique', 'Montant (€)'],
      ['2025', 'Collecté (fonds reçus des collecteurs Urssaf et MSA)', '1001,00'],
      ['2025', 'Frais de gestion de l’opérateur', '1,00'],
      ['2025', 'Crédits à répartir', '1000,00'],
      ['2025', 'Attribué par les employeurs', '700,00'],
      ['2025', 'Part des crédits à répartir attribuée', '70 %'],
      ['2025', 'Validé par les employeurs', '700,00'],
      ['2025', 'Versé aux établissements', '500,00'],
      ['2025', 'Non versable (parts en attente de re-désignation ou versées au reliquat)', '200,00'],
      ['2025', 'Reliquat à répartir', 'Non calculé'],
    ]);
    const head = ['Campagne', 'Code', 'Libellé', 'Lignes d’attribution', 'Attribué (€)', 'Validé (€)', 'Versé (€)', 'Non versable (€)'];
    expect(cells((await gc.get(`/operateur/statistiques/region.csv?annee=${ANNEE}`)).body)).toEqual([
      head,
      ['2025', '11', 'Île-de-France', '1', '200,00', '200,00', '0,00', '200,00'],
      ['2025', '84', 'Auvergne-Rhône-Alpes', '1', '500,00', '500,00', '500,00', '0,00'],
    ]);
    expect(cells((await gc.get(`/operateur/statistiques/categorie.csv?annee=${ANNEE}`)).body).slice(1)).toEqual([
      ['2025', '1°', '1° Établissements publics d’enseignement du second degré', '1', '500,00', '500,00', '500,00', '0,00'],
      ['2025', '13°', expect.stringMatching(/^13° /), '1', '200,00', '200,00', '0,00', '200,00'],
    ]);
    expect(
      cells((await gc.get(`/operateur/statistiques/departement.csv?annee=${ANNEE}`)).body)
        .slice(1)
        .map((r) => r[1]),
    ).toEqual(['69', '75']);
    expect(
      cells((await gc.get(`/operateur/statistiques/liste.csv?annee=${ANNEE}`)).body)
        .slice(1)
        .map((r) => [r[1], r[4]]),
    ).toEqual([
      ['nationale', '200,00'],
      ['regionale', '500,00'],
    ]);
    expect(
      cells((await gc.get(`/operateur/statistiques/niveau.csv?annee=${ANNEE}`)).body)
        .slice(1)
        .map((r) => [r[1], r[4]]),
    ).toEqual([
      ['5', '500,00'],
      ['etablissement', '200,00'],
    ]);
    const jours = cells((await gc.get(`/operateur/statistiques/jours.csv?annee=${ANNEE}`)).body);
    // every day from the employers' opening (26 May) to the clock's day (11 July): 47 days
    expect(jours.length).toBe(1 + 47);
    expect(jours[1]).toEqual(['2025', '2025-05-26', '0,00', '0,00', '0,00', '0,00']);
    expect(jours[47]).toEqual(['2025', '2025-07-11', '700,00', '700,00', '700,00', '700,00']);
    expect(cells((await gc.get(`/operateur/statistiques/reliquat.csv?annee=${ANNEE}`)).body)).toEqual([
      ['Campagne', 'Région', 'Libellé', 'Établissements', 'Parts du reliquat (€)'],
    ]);
  });

  it('follows a change: a line saved again at another percentage', async () => {
    await h.ctx.db.execute(
      sql`update attributions set points_base = 3000, statut = 'enregistree', validee_le = null where id = ${w.ligneIds[1]}`,
    );
    const t = text((await gc.get(`/operateur/statistiques?annee=${ANNEE}`)).body);
    expect(t).toContain('Attribué par les employeurs 800,00 €');
    expect(t).toContain('Validé par les employeurs 500,00 €');
    expect(t).toContain('Île-de-France 1 300,00 € 0,00 € 0,00 € 200,00 €');
    await h.ctx.db.execute(
      sql`update attributions set points_base = 2000, statut = 'validee', validee_le = ${WAVE_1_DAY} where id = ${w.ligneIds[1]}`,
    );
  });

  it('an unknown table: 404 with a French message; a user’s session opens nothing', async () => {
    const missing = await gc.get(`/operateur/statistiques/salaires.csv?annee=${ANNEE}`);
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('Ce tableau n’existe pas.');
    const co = await createCompany(h.ctx, { siren: LYCEE.siren, siret: LYCEE.siret, people: [{ nom: 'GARNIER', role: 'administrateur' }] });
    const user = await signIn(h, co.people[0]!);
    for (const path of ['/operateur/statistiques', '/operateur/statistiques/region.csv']) {
      expect((await user.get(path)).headers.location).toMatch(/^\/operateur\/connexion/);
      expect((await user.get(path, 'application/json')).statusCode).toBe(401);
    }
  });
});

describe('« Chiffres des campagnes » (public)', () => {
  it('publishes nothing of a campaign still open', async () => {
    const anonymous = new Client(h);
    const page = await anonymous.get('/soltea/chiffres');
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).not.toContain('Chiffres de la campagne 2025');
    const open = await anonymous.get(`/soltea/chiffres?annee=${ANNEE}`);
    expect(open.statusCode).toBe(404);
    expect(text(open.body)).toContain('Les chiffres de cette campagne ne sont pas publiés : elle n’est pas terminée ou n’existe pas.');
    expect((await anonymous.get(`/soltea/chiffres/${ANNEE}/region.csv`)).statusCode).toBe(404);
  });

  it('once the campaign is over, shows without login its totals, the map of regions, the categories and the reliquat’s split', async () => {
    await closeCampaign(h.ctx, h.clock, w);
    const anonymous = new Client(h);
    const page = await anonymous.get('/soltea/chiffres');
    expect(page.statusCode).toBe(200);
    const t = text(page.body);
    expect(t).toContain('Chiffres de la campagne 2025');
    expect(t).toContain('Crédits à répartir 1 000,00 €');
    expect(t).toContain('Attribué aux établissements 700,00 €');
    expect(t).toContain('Versé aux établissements 500,00 €');
    expect(t).toContain('Reliquat à répartir 500,00 €');
    expect(t).toContain('Auvergne-Rhône-Alpes ARA 500,00 € 500,00 €');
    expect(t).toContain('Île-de-France IDF 200,00 € 0,00 €');
    expect(page.body).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="region-carte-titre region-carte-desc"/);
    expect(t).toContain('Part régionale 200,00 €');
    expect(t).toContain('Part nationale (formations menant aux métiers en tension) 300,00 €');
    // the public page leaves out what only the operator reads
    expect(t).not.toContain('Non versable');
    const csv = await anonymous.get(`/soltea/chiffres/${ANNEE}/region.csv`);
    expect(csv.statusCode).toBe(200);
    expect(
      cells(csv.body)
        .slice(1)
        .map((c) => [c[1], c[4], c[6]]),
    ).toEqual([
      ['11', '200,00', '0,00'],
      ['84', '500,00', '500,00'],
    ]);
    const reliquat = cells((await anonymous.get(`/soltea/chiffres/${ANNEE}/reliquat.csv`)).body);
    expect(reliquat).toContainEqual(['2025', '84', 'Auvergne-Rhône-Alpes', '1', '500,00']);
    // only the published tables
    expect((await anonymous.get(`/soltea/chiffres/${ANNEE}/jours.csv`)).statusCode).toBe(404);
    expect((await anonymous.get('/soltea/chiffres?annee=2031')).statusCode).toBe(404);
  });
});
