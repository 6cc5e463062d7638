/**
 * The wave screens of the operator's space over HTTP (docs/regles.md#versements): a gestionnaire
 * prepares, the preview's totals by region and category and its unpayable shares (computed by hand
 * below), the transfers by page and as a CSV, the roles (403 with the reason), a refusal of the use case
 * shown with its French message, a valideur approves and issues, the file downloaded identical with its
 * SHA-256; every step audited with its agent.
 */
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsv } from '../../src/shared/csv.js';
import { auditEvents } from '../../src/infra/db/schema.js';
import { createHarness, type Client, type Harness } from '../harness.js';
import { ANNEE, seedWorld, WAVE_1_DAY, type World, type WorldSpec } from '../versements/world.js';
import { newAgent, signInAgent, type TestAgent } from './helpers.js';

/** 1 000,00 € of one funded employer: 50 % to 0 (84), 30 % to 1 (11), 20 % to 2 (no bank details). */
const SPEC: WorldSpec = {
  etablissements: [
    { bank: 'verifiee', region: '84' },
    { bank: 'verifiee', region: '11' },
    { bank: null, region: '84' },
  ],
  employeurs: [{ creditsCents: 100_000n, funds: 'recus' }],
  lignes: [
    { employeur: 0, etablissement: 0, bp: 5000, periode: 1 },
    { employeur: 0, etablissement: 1, bp: 3000, periode: 1 },
    { employeur: 0, etablissement: 2, bp: 2000, periode: 1 },
  ],
};

let h: Harness;
let world: World;
let g: TestAgent;
let v: TestAgent;
let gc: Client;
let vc: Client;
let vagueId = 0;

beforeAll(async () => {
  h = await createHarness();
  h.clock.set(WAVE_1_DAY);
  world = await seedWorld(h.ctx.db, SPEC);
  g = await newAgent(h, 'gestionnaire');
  v = await newAgent(h, 'valideur');
  gc = await signInAgent(h, g);
  vc = await signInAgent(h, v);
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

const actorOf = async (action: string) =>
  (
    await h.ctx.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, action as 'vague.preparee'))
  ).map((a) => a.actorAgentId);

describe('the wave screens', () => {
  it('lists the campaign’s waves; only a gestionnaire prepares (403 with the reason for a valideur)', async () => {
    const list = await gc.get(`/operateur/vagues?annee=${ANNEE}`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Vague n° 1');
    expect(list.body).toContain('À préparer');
    expect(list.body).toContain('Préparer la vague n° 1');
    const asValideur = await vc.get(`/operateur/vagues?annee=${ANNEE}`);
    expect(asValideur.body).not.toContain('Préparer la vague n° 1');
    const refused = await vc.form('/operateur/vagues/preparer', { annee: String(ANNEE), numero: '1' });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Cette action est réservée aux agents gestionnaires de l’opérateur.');
    const json = await vc.json('/operateur/vagues/preparer', { annee: ANNEE, numero: 1 });
    expect(JSON.parse(json.body)).toMatchObject({ status: 403, code: 'role_gestionnaire' });
    // wave 2 before its date: the use case's French message on the list
    await gc.get(`/operateur/vagues?annee=${ANNEE}`);
    const early = await gc.form('/operateur/vagues/preparer', { annee: String(ANNEE), numero: '2' });
    expect(early.statusCode).toBe(409);
    expect(early.body).toContain('ne peut être préparée qu’à partir du');
  });

  it('a gestionnaire prepares; the preview totals by region and category, counts what is paid and what cannot be', async () => {
    await gc.get(`/operateur/vagues?annee=${ANNEE}`);
    const r = await gc.form('/operateur/vagues/preparer', { annee: String(ANNEE), numero: '1' });
    expect(r.statusCode).toBe(303);
    const m = /^\/operateur\/vagues\/(\d+)\?notice=preparee$/.exec(String(r.headers.location));
    vagueId = Number(m![1]);
    const page = await gc.get(`/operateur/vagues/${vagueId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Préparée');
    expect(page.body).toContain('2 virements pour 800,00');
    expect(page.body).not.toContain('>Approuver<');
    const preview = JSON.parse((await gc.get(`/operateur/vagues/${vagueId}`, 'application/json')).body);
    expect(preview.parRegion).toEqual([
      { code: '84', libelle: 'Auvergne-Rhône-Alpes', virements: 1, cents: '50000' },
      { code: '11', libelle: 'Île-de-France', virements: 1, cents: '30000' },
    ]);
    expect(preview.parCategorie).toEqual([expect.objectContaining({ code: '1°', virements: 2, cents: '80000' })]);
    expect(preview.lignesPayees).toBe(2);
    expect(preview.nonVersables).toEqual([{ motif: 'sans_coordonnees', lignes: 1, cents: '20000' }]);
    expect(preview.virements.map((t: { siret: string; cents: string }) => [t.siret, t.cents])).toEqual([
      [world.etablissementSirets[0], '50000'],
      [world.etablissementSirets[1], '30000'],
    ]);
    const csv = await gc.get(`/operateur/vagues/${vagueId}/virements.csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    const read = readCsv(csv.body);
    expect(read.records.map((x) => x.cells.slice(1, 4))).toEqual([
      ['beneficiaire', 'siret', 'montant_euros'],
      ['ETABLISSEMENT 0', world.etablissementSirets[0], '500,00'],
      ['ETABLISSEMENT 1', world.etablissementSirets[1], '300,00'],
    ]);
    expect(await actorOf('vague.preparee')).toEqual([g.id]);
  });

  it('a gestionnaire cannot approve; a valideur approves once (the second time: the use case’s message), issues, and downloads the same file', async () => {
    await gc.get(`/operateur/vagues/${vagueId}`);
    expect((await gc.form(`/operateur/vagues/${vagueId}/approuver`, {})).statusCode).toBe(403);
    const page = await vc.get(`/operateur/vagues/${vagueId}`);
    expect(page.body).toContain('>Approuver<');
    expect((await vc.form(`/operateur/vagues/${vagueId}/approuver`, {})).headers.location).toBe(
      `/operateur/vagues/${vagueId}?notice=approuvee`,
    );
    await vc.get(`/operateur/vagues/${vagueId}`);
    const twice = await vc.form(`/operateur/vagues/${vagueId}/approuver`, {});
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain('La vague n° 1 est déjà approuvée.');
    expect((await vc.form(`/operateur/vagues/${vagueId}/emettre`, {})).headers.location).toBe(`/operateur/vagues/${vagueId}?notice=emise`);
    const issued = await vc.get(`/operateur/vagues/${vagueId}`);
    const sha = /<code class="sha256">([0-9a-f]{64})<\/code>/.exec(issued.body)![1]!;
    const first = await vc.get(`/operateur/vagues/${vagueId}/fichier`);
    const second = await gc.get(`/operateur/vagues/${vagueId}/fichier`);
    expect(first.headers['content-disposition']).toMatch(/^attachment; filename="soltea-2025-vague-1-SOLTEA-2025-V1-\d+\.xml"$/);
    expect(createHash('sha256').update(first.rawPayload).digest('hex')).toBe(sha);
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(first.headers['x-sha256']).toBe(sha);
    expect(first.body).toContain('<NbOfTxs>2</NbOfTxs>');
    expect(await actorOf('vague.approuvee')).toEqual([v.id]);
    const [emise] = await h.ctx.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'vague.emise'), eq(auditEvents.actorAgentId, v.id)));
    expect(emise!.details).toMatchObject({ sha256: sha });
  });

  it('an unknown wave answers 404, a wave not issued has no file', async () => {
    expect((await gc.get('/operateur/vagues/999999')).statusCode).toBe(404);
    expect((await gc.get('/operateur/vagues/999999/fichier', 'application/json')).statusCode).toBe(404);
  });
});
