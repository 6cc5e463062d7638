/**
 * « Reliquat » and « Rapprochement » of the operator's space over HTTP (docs/regles.md#reliquat,
 * #rapprochement), on a small world computed by hand below: the simulation's figures on the page and in
 * its CSV, « Calculer le reliquat » refused before its date with the use case's French message, reserved
 * to gestionnaires (403), then its wave (numero 0) listed with the calendar's and issued; the
 * reconciliation balanced, then with a difference listed, on the page and in its CSV; a user's session
 * opens neither.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsv } from '../../src/shared/csv.js';
import { importMetiersEnTension } from '../../src/modules/versements/metiers-en-tension.js';
import { prepareWave } from '../../src/modules/versements/preparation.js';
import { approveWave, issueWave } from '../../src/modules/versements/vagues.js';
import { createCompany, LYCEE, signIn } from '../espace-etablissement/fixtures.js';
import { createHarness, type Client, type Harness } from '../harness.js';
import { ANNEE, RELIQUAT_DAY, seedWorld, WAVE_1_DAY, WAVE_2_DAY, type World, type WorldSpec } from '../versements/world.js';
import { newAgent, signInAgent, type TestAgent } from './helpers.js';

/**
 * One Lyon employer (region 84), 1 000,00 € of crédits (and 1,00 € of operator's fees): 50 % to 0
 * (verified bank details), 20 % to 1 (no bank details); 30 % left unallocated. Both have one formation
 * leading to a métier en tension of 84.
 */
const SPEC: WorldSpec = {
  etablissements: [
    { bank: 'verifiee', region: '84', formations: ['RNCP35830'] },
    { bank: null, region: '84', formations: ['RNCP35830'] },
  ],
  employeurs: [{ creditsCents: 100_000n, funds: 'recus', commune: '69123' }],
  lignes: [
    { employeur: 0, etablissement: 0, bp: 5000, periode: 1 },
    { employeur: 0, etablissement: 1, bp: 2000, periode: 1 },
  ],
};

let h: Harness;
let w: World;
let g: TestAgent;
let v: TestAgent;
let gc: Client;
let vc: Client;

async function issue(numero: number) {
  const r = await prepareWave(h.ctx, w.gestionnaire, ANNEE, numero);
  if (!r.ok) throw new Error(r.problem.message);
  expect((await approveWave(h.ctx, w.valideur, r.vagueId)).ok).toBe(true);
  expect((await issueWave(h.ctx, w.valideur, r.vagueId)).ok).toBe(true);
}

beforeAll(async () => {
  h = await createHarness();
  h.clock.set(WAVE_1_DAY);
  w = await seedWorld(h.ctx.db, SPEC);
  await issue(1);
  const dir = mkdtempSync(join(tmpdir(), 'metiers-'));
  writeFileSync(join(dir, 'metiers.csv'), 'region;metier;rncp\n84;Aide-soignant;RNCP35830\n');
  expect((await importMetiersEnTension(h.ctx.db, ANNEE, join(dir, 'metiers.csv'), { now: WAVE_1_DAY })).rejected).toEqual([]);
  g = await newAgent(h, 'gestionnaire');
  v = await newAgent(h, 'valideur');
  gc = await signInAgent(h, g);
  vc = await signInAgent(h, v);
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

/** The page's text without tags, spaces made plain. */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/[\u202f\u00a0]/g, ' ')
    .replace(/\s+/g, ' ');

describe('« Reliquat »', () => {
  it('shows the simulation computed by hand, to both roles; its CSV', async () => {
    // pool: 1 000,00 − (500,00 + 200,00) validated = 300,00 unallocated, and 200,00 unpaid (no bank details)
    // 40 % regional = 200,00 for 84's 2 establishments (100,00 each); 60 % national = 300,00 for 2 formations (150,00 each)
    for (const c of [gc, vc]) {
      const page = await c.get(`/operateur/reliquat?annee=${ANNEE}`);
      expect(page.statusCode).toBe(200);
      const t = text(page.body);
      expect(t).toContain('Reliquat 2025');
      expect(t).toContain('Fonds à répartir : 500,00 € (crédits non attribués 300,00 €, parts non versables non re-désignées 200,00 €)');
      expect(t).toContain('Part régionale (40 %) : 200,00 €');
      expect(t).toContain('Part nationale (60 %) : 300,00 € pour 2 formations menant à un métier en tension');
      expect(t).toContain('Versé aux établissements : 250,00 € ; reste au fonds pour l’année suivante : 250,00 €');
      expect(t).toContain('84 Auvergne-Rhône-Alpes 300,00 € 200,00 € 200,00 € 2');
      expect(t).toContain('ETABLISSEMENT 0');
      expect(t).toContain('100,00 € 150,00 € 1 250,00 € Oui');
      expect(t).toContain('Non : établissement sans coordonnées bancaires');
      expect(t).toContain('établissement sans coordonnées bancaires 250,00 €');
      expect(page.body).toContain('Répartition à partir du 27 novembre 2025');
      // before its date, no one is offered « Calculer le reliquat »
      expect(page.body).not.toContain('Calculer le reliquat');
    }
    const csv = await vc.get(`/operateur/reliquat/parts.csv?annee=${ANNEE}`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toContain('soltea-reliquat-2025-simulation.csv');
    const rows = readCsv(csv.body).records.map((r) => r.cells);
    expect(rows.slice(1)).toEqual([
      [w.etablissementSirets[0], 'ETABLISSEMENT 0', '84', '100,00', '150,00', '1', '250,00', 'oui', ''],
      [
        w.etablissementSirets[1],
        'ETABLISSEMENT 1',
        '84',
        '100,00',
        '150,00',
        '1',
        '250,00',
        'non',
        'établissement sans coordonnées bancaires',
      ],
    ]);
    const json = JSON.parse((await gc.get(`/operateur/reliquat?annee=${ANNEE}`, 'application/json')).body) as Record<string, unknown>;
    expect(json).toMatchObject({ annee: ANNEE, poolCents: '50000', verseCents: '25000', reporteCents: '25000' });
  });

  it('a campaign without métiers en tension: the use case’s French message', async () => {
    const page = await gc.get(`/operateur/reliquat?annee=${ANNEE + 1}`);
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('Aucun métier en tension n’est importé pour 2026');
  });

  it('« Calculer le reliquat »: refused before its date, to a valideur (403); its wave then goes through the waves’ screens', async () => {
    await gc.get(`/operateur/reliquat?annee=${ANNEE}`);
    const early = await gc.form('/operateur/reliquat/calculer', { annee: String(ANNEE) });
    expect(early.statusCode).toBe(409);
    expect(text(early.body)).toContain('Le reliquat 2025 ne peut être calculé qu’à partir du 27 novembre 2025');
    h.clock.set(WAVE_2_DAY);
    await issue(2);
    h.clock.set(RELIQUAT_DAY);
    gc = await signInAgent(h, g);
    vc = await signInAgent(h, v);
    expect((await vc.get(`/operateur/reliquat?annee=${ANNEE}`)).body).not.toContain('Calculer le reliquat');
    const refused = await vc.form('/operateur/reliquat/calculer', { annee: String(ANNEE) });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Cette action est réservée aux agents gestionnaires de l’opérateur.');
    expect((await gc.get(`/operateur/reliquat?annee=${ANNEE}`)).body).toContain('Calculer le reliquat');
    const done = await gc.form('/operateur/reliquat/calculer', { annee: String(ANNEE) });
    expect(done.statusCode).toBe(303);
    const preview = await gc.get(String(done.headers.location));
    expect(text(preview.body)).toContain('Vague du reliquat de 2025');
    expect(text(preview.body)).toContain('Le reliquat est calculé et sa vague préparée');
    expect(text(preview.body)).toContain('1 virement pour 250,00 €');
    const list = text((await vc.get(`/operateur/vagues?annee=${ANNEE}`)).body);
    expect(list).toContain('Vague du reliquat 27 novembre 2025 Préparée 1 250,00 €');
    const again = await gc.form('/operateur/reliquat/calculer', { annee: String(ANNEE) });
    expect(again.statusCode).toBe(409);
    expect(text(again.body)).toContain('Le reliquat 2025 est déjà calculé (sa vague est préparée)');
    const id = /\/operateur\/vagues\/(\d+)/.exec(String(done.headers.location))![1]!;
    await vc.get(`/operateur/vagues/${id}`);
    expect((await vc.form(`/operateur/vagues/${id}/approuver`, {})).statusCode).toBe(303);
    expect((await vc.form(`/operateur/vagues/${id}/emettre`, {})).statusCode).toBe(303);
  });
});

describe('« Rapprochement »', () => {
  it('balanced to the cent: collected 1 001,00 = fees 1,00 + paid 500,00 + reliquat paid 250,00 + carried over 250,00', async () => {
    for (const c of [gc, vc]) {
      const page = await c.get(`/operateur/rapprochement?annee=${ANNEE}`);
      expect(page.statusCode).toBe(200);
      const t = text(page.body);
      expect(t).toContain('Égalité vérifiée');
      expect(t).toContain('Collecté (encaissements Urssaf et MSA) 1 001,00 €');
      expect(t).toContain('Frais de l’opérateur 1,00 €');
      expect(t).toContain('Versé aux établissements 500,00 €');
      expect(t).toContain('Reliquat versé 250,00 €');
      expect(t).toContain('Reste au fonds (reporté) 250,00 €');
      expect(t).toContain('Aucun écart.');
    }
  });

  it('a difference listed with its amount, on the page and in the CSV', async () => {
    await h.ctx.db.execute(sql`
      insert into encaissements (annee, siret, collecteur, montant_cents, recu_le, fichier, reference, importe_le)
      values (${ANNEE}, '73282932000074', 'URSSAF', 4200, '2025-06-30', 'test.csv', 'sans-enveloppe', ${RELIQUAT_DAY})`);
    const t = text((await gc.get(`/operateur/rapprochement?annee=${ANNEE}`)).body);
    expect(t).toContain('Écart constaté');
    expect(t).toContain('Collecté (encaissements Urssaf et MSA) 1 043,00 €');
    expect(t).toContain('Fonds reçus sans enveloppe pour la campagne 732 829 320 00074 - 42,00 €');
    const csv = await vc.get(`/operateur/rapprochement.csv?annee=${ANNEE}`);
    expect(csv.headers['content-disposition']).toContain('soltea-rapprochement-2025.csv');
    const rows = readCsv(csv.body).records.map((r) => r.cells);
    expect(rows[0]).toEqual(['Campagne', 'Rubrique', 'Détail', 'SIRET', 'Ligne d’attribution', 'Montant (€)']);
    expect(rows).toContainEqual(['2025', 'Collecté', 'Encaissements Urssaf et MSA', '', '', '1043,00']);
    expect(rows).toContainEqual(['2025', 'Écart listé', 'Fonds reçus sans enveloppe pour la campagne', '73282932000074', '', '42,00']);
  });
});

describe('access', () => {
  it('a user’s session opens neither screen', async () => {
    const co = await createCompany(h.ctx, { siren: LYCEE.siren, siret: LYCEE.siret, people: [{ nom: 'GARNIER', role: 'administrateur' }] });
    const user = await signIn(h, co.people[0]!);
    for (const path of [
      '/operateur/reliquat',
      '/operateur/reliquat/parts.csv',
      '/operateur/rapprochement',
      '/operateur/rapprochement.csv',
    ]) {
      expect((await user.get(path)).headers.location).toMatch(/^\/operateur\/connexion/);
      expect((await user.get(path, 'application/json')).statusCode).toBe(401);
    }
  });
});

describe('the shares by page of 50', () => {
  /** 60 establishments of 84, one Lyon employer leaving 300,00 € unallocated; no formation en tension. */
  const MANY: WorldSpec = {
    etablissements: Array.from({ length: 60 }, () => ({ bank: 'verifiee' as const, region: '84' })),
    employeurs: [{ creditsCents: 60_000n, funds: 'recus', commune: '69123' }],
    lignes: [{ employeur: 0, etablissement: 0, bp: 5000, periode: 1 }],
  };
  let h2: Harness;
  let many: World;
  let c: Client;
  beforeAll(async () => {
    h2 = await createHarness();
    h2.clock.set(WAVE_1_DAY);
    many = await seedWorld(h2.ctx.db, MANY);
    const dir = mkdtempSync(join(tmpdir(), 'metiers-'));
    writeFileSync(join(dir, 'metiers.csv'), 'region;metier;rncp\n84;Aide-soignant;RNCP35830\n');
    await importMetiersEnTension(h2.ctx.db, ANNEE, join(dir, 'metiers.csv'), { now: WAVE_1_DAY });
    c = await signInAgent(h2, await newAgent(h2, 'valideur'));
  }, 120_000);
  afterAll(async () => {
    await h2?.stop();
  });

  it('50 on the first page, 10 on the second, all 60 in the CSV: 40 % of 300,00 € = 2,00 € each', async () => {
    const rowsOf = (html: string) => (html.match(/<td>ETABLISSEMENT \d+<\/td>/g) ?? []).length;
    const first = await c.get(`/operateur/reliquat?annee=${ANNEE}`);
    expect(rowsOf(first.body)).toBe(50);
    expect(first.body).toContain('1 sur 2');
    expect(first.body).toContain(`href="/operateur/reliquat?annee=${ANNEE}&amp;page=2"`);
    const second = await c.get(`/operateur/reliquat?annee=${ANNEE}&page=2`);
    expect(rowsOf(second.body)).toBe(10);
    expect(second.body).toContain('2 sur 2');
    expect(second.body).toContain(`<td>ETABLISSEMENT 59</td>`);
    // the national part (60 %) stays in the fund: no formation en tension
    expect(text(second.body)).toContain('aucune formation menant à un métier en tension 180,00 €');
    const csv = readCsv((await c.get(`/operateur/reliquat/parts.csv?annee=${ANNEE}`)).body).records.map((r) => r.cells);
    expect(csv.length).toBe(61);
    expect(new Set(csv.slice(1).map((r) => r[6]))).toEqual(new Set(['2,00']));
    expect(csv[60]![0]).toBe(many.etablissementSirets[59]);
  });
});
