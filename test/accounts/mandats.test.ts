/**
 * The mandate a tiers-déclarant asks of a client company (docs/regles.md#tiers-declarants): adding the
 * company to a portefeuille asks it; the company's administrators (not its déclarants) are mailed and
 * decide under « Demande en attente » (« Accepter » / « Refuser »), may revoke an accepted one later;
 * every decision is audited and mailed to the tiers-déclarant's administrators. A company without an
 * espace has no one to ask: the mandate stays pending. Tenancy: the tiers itself, another tiers,
 * another company's administrator and the company's déclarant decide nothing (404 / 403, nothing
 * changes). Removing the company from the portefeuille ends its mandate.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/infra/db/index.js';
import { auditEvents, mandats, portefeuilleClients } from '../../src/infra/db/schema.js';
import { DEMO_COMPANIES } from '../../src/demo/registry.js';
import { type Client, createHarness, type Harness, type ReceivedMail } from '../harness.js';
import { stopHarness } from './helpers.js';
import { createCompany, registryCompanies, signIn, tiersWithClients, type TestPerson } from '../espace-etablissement/fixtures.js';

const { boulangerieMoutin: BM, gipMds: GIP, cabinetDurand: CD } = DEMO_COMPANIES;
const REQUEST_SUBJECT = 'Demande en attente : mandat d’un tiers déclarant';

let h: Harness;
let claire: TestPerson; // administrator of the boulangerie
let lucas: TestPerson; // déclarant of the boulangerie
let sophie: TestPerson; // administrator of GIP MDS (another company)
let paul: TestPerson; // administrator of the cabinet (tiers)
let ines: TestPerson; // déclarant of the cabinet
let remi: TestPerson; // administrator of another tiers
let cabinet: { espaceId: string; portefeuilleId: string };
let rival: { espaceId: string; portefeuilleId: string };
let noEspace: { siren: string; siret: string; raisonSociale: string };

async function mailsTo(email: string, subject?: string | RegExp): Promise<ReceivedMail[]> {
  await h.ctx.mail.flush();
  return h.mails.filter(
    (m) => m.to === email && (!subject || (typeof subject === 'string' ? m.subject === subject : subject.test(m.subject))),
  );
}

async function mandatRows(espaceId: string, siren: string) {
  return h.ctx.db
    .select()
    .from(mandats)
    .where(and(eq(mandats.tiersEspaceId, espaceId), eq(mandats.siren, siren)))
    .orderBy(mandats.requestedAt);
}

async function auditOf(action: string) {
  return h.ctx.db.select().from(auditEvents).where(eq(auditEvents.action, action));
}

async function decide(c: Client, id: string, decision: string, json = false) {
  await c.get('/menu/demandes');
  return json ? c.json(`/menu/demandes/mandats/${id}/${decision}`, {}) : c.form(`/menu/demandes/mandats/${id}/${decision}`, {});
}

beforeAll(async () => {
  h = await createHarness();
  const [rivalCo, free] = await registryCompanies(h.ctx.db, 2);
  noEspace = free!;
  const bm = await createCompany(h.ctx, {
    siren: BM.siren,
    siret: BM.siret,
    code: 'SOLTEA_EMPLOYEURS',
    people: [
      { nom: 'MOUTIN', prenom: 'Claire', role: 'administrateur' },
      { nom: 'BERNARD', prenom: 'Lucas', role: 'declarant' },
    ],
  });
  [claire, lucas] = bm.people as [TestPerson, TestPerson];
  sophie = (
    await createCompany(h.ctx, {
      siren: GIP.siren,
      siret: GIP.siret,
      people: [{ nom: 'MARTIN', prenom: 'Sophie', role: 'administrateur' }],
    })
  ).people[0]!;
  const cab = await tiersWithClients(h, {
    siren: CD.siren,
    siret: CD.siret,
    people: [
      { nom: 'DURAND', prenom: 'Paul', role: 'administrateur' },
      { nom: 'PETIT', prenom: 'Inès', role: 'declarant' },
    ],
    clients: [BM.siren, noEspace.siren],
  });
  cabinet = cab;
  [paul, ines] = cab.people as [TestPerson, TestPerson];
  const riv = await tiersWithClients(h, {
    siren: rivalCo!.siren,
    siret: rivalCo!.siret,
    people: [{ nom: 'RIVAL', prenom: 'Rémi', role: 'administrateur' }],
    clients: [BM.siren],
  });
  rival = riv;
  remi = riv.people[0]!;
}, 120_000);
afterAll(async () => stopHarness(h));

describe('asking the mandate', () => {
  it('adding the company asks its mandate: its administrators (not its déclarants) are mailed and told; audited', async () => {
    const [m] = await mandatRows(cabinet.espaceId, BM.siren);
    expect(m).toMatchObject({ statut: 'en_attente', requestedBy: paul.id, decidedAt: null });
    const [mail] = await mailsTo(claire.email, REQUEST_SUBJECT);
    expect(mail!.text).toContain('Un tiers déclarant');
    expect(mail!.text).toContain(CD.raisonSociale);
    expect(mail!.text).toContain('a ajouté votre entreprise à son portefeuille');
    expect(mail!.text).toContain('/menu/demandes');
    expect(await mailsTo(lucas.email, REQUEST_SUBJECT)).toHaveLength(0);
    expect(await mailsTo(paul.email, REQUEST_SUBJECT)).toHaveLength(0);
    expect((await auditOf('mandat.requested')).map((a) => a.details)).toEqual(
      expect.arrayContaining([expect.objectContaining({ siren: BM.siren, mandatId: m!.id })]),
    );
  });

  it('a company without an espace: no one to mail, the mandate stays pending; the tiers’ list says so', async () => {
    const [m] = await mandatRows(cabinet.espaceId, noEspace.siren);
    expect(m!.statut).toBe('en_attente');
    const c = await signIn(h, paul);
    const page = await c.get(`/gestion/portefeuilles/${cabinet.portefeuilleId}`);
    expect(page.body).toContain('Mandat en attente');
    const j = JSON.parse((await c.get(`/gestion/portefeuilles/${cabinet.portefeuilleId}`, 'application/json')).body) as {
      entreprises: { siren: string; mandat: string | null }[];
    };
    expect(j.entreprises.find((e) => e.siren === noEspace.siren)!.mandat).toBe('en_attente');
  });

  it('« Demande en attente » lists the two requests for the boulangerie’s administrator, with « Accepter » and « Refuser »', async () => {
    const c = await signIn(h, claire);
    const page = await c.get('/menu/demandes');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(CD.raisonSociale);
    const [m] = await mandatRows(cabinet.espaceId, BM.siren);
    expect(page.body).toContain(`/menu/demandes/mandats/${m!.id}/accepter`);
    expect(page.body).toContain(`/menu/demandes/mandats/${m!.id}/refuser`);
    expect(page.body).toContain('Accepter');
    const j = JSON.parse((await c.get('/menu/demandes', 'application/json')).body) as { mandats: { id: string; statut: string }[] };
    expect(j.mandats.map((x) => x.statut).sort()).toEqual(['en_attente', 'en_attente']);
    // GIP MDS sees none of them
    const gip = await (await signIn(h, sophie)).get('/menu/demandes', 'application/json');
    expect(JSON.parse(gip.body).mandats).toEqual([]);
  });
});

describe('who decides', () => {
  it('the tiers itself, another tiers, another company’s administrator: 404; the company’s déclarant: 403; nothing changes', async () => {
    const [m] = await mandatRows(cabinet.espaceId, BM.siren);
    const decisions = sql`select count(*)::int as n from audit_events where action like 'mandat.%'`;
    const before = await selectRows(h.ctx.db, decisions);
    for (const [who, p, status] of [
      ['the cabinet', paul, 404],
      ['the rival', remi, 404],
      ['GIP MDS', sophie, 404],
      ['the boulangerie’s déclarant', lucas, 403],
      ['the cabinet’s déclarant', ines, 403],
    ] as const) {
      const c = await signIn(h, p);
      for (const d of ['accepter', 'refuser', 'revoquer']) {
        expect((await decide(c, m!.id, d)).statusCode, `${who} ${d}`).toBe(status);
        expect((await decide(c, m!.id, d, true)).statusCode, `${who} ${d} (JSON)`).toBe(status);
      }
    }
    expect((await mandatRows(cabinet.espaceId, BM.siren))[0]!.statut).toBe('en_attente');
    expect(await selectRows(h.ctx.db, decisions)).toEqual(before);
  });

  it('accepting: audited, the cabinet’s administrators are mailed (not its déclarants); a second decision answers 404', async () => {
    const [m] = await mandatRows(cabinet.espaceId, BM.siren);
    const c = await signIn(h, claire);
    const r = await decide(c, m!.id, 'accepter');
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toBe('/menu/demandes?notice=mandat-accepte');
    expect((await c.get(String(r.headers.location))).body).toContain('Le mandat est accepté');
    const [row] = await mandatRows(cabinet.espaceId, BM.siren);
    expect(row).toMatchObject({ statut: 'accepte', decidedBy: claire.id });
    const [mail] = await mailsTo(paul.email, /^Mandat accepté/);
    expect(mail!.text).toContain(BM.raisonSociale);
    expect(await mailsTo(ines.email, /^Mandat/)).toHaveLength(0);
    expect((await auditOf('mandat.accepted')).at(-1)).toMatchObject({
      actorUserId: claire.id,
      details: expect.objectContaining({ mandatId: m!.id }),
    });
    expect((await decide(c, m!.id, 'accepter')).statusCode).toBe(404);
    expect((await decide(c, m!.id, 'refuser')).statusCode).toBe(404);
    // the accepted mandate stays on the page, with « Révoquer »
    expect((await c.get('/menu/demandes')).body).toContain(`/menu/demandes/mandats/${m!.id}/revoquer`);
  });

  it('refusing the rival: audited and mailed to the rival’s administrator; the rival may ask again by removing and adding the company', async () => {
    const [m] = await mandatRows(rival.espaceId, BM.siren);
    const c = await signIn(h, claire);
    const r = await decide(c, m!.id, 'refuser', true);
    expect(r.statusCode, r.body).toBe(200);
    expect(JSON.parse(r.body).message).toContain('refusé');
    expect((await mandatRows(rival.espaceId, BM.siren))[0]!.statut).toBe('refuse');
    expect(await mailsTo(remi.email, /^Mandat refusé/)).toHaveLength(1);
    expect(await auditOf('mandat.refused')).toHaveLength(1);
    expect((await decide(c, m!.id, 'revoquer')).statusCode).toBe(404); // only an accepted one is revoked
    const rc = await signIn(h, remi);
    const base = `/gestion/portefeuilles/${rival.portefeuilleId}`;
    await rc.get(base);
    expect((await rc.form(`${base}/entreprises/${BM.siren}/retirer`, {})).statusCode).toBe(303);
    await rc.get(base);
    expect((await rc.form(`${base}/entreprises`, { siren: BM.siren })).statusCode).toBe(303);
    expect((await mandatRows(rival.espaceId, BM.siren)).map((x) => x.statut)).toEqual(['refuse', 'en_attente']);
    expect(await mailsTo(claire.email, REQUEST_SUBJECT)).toHaveLength(3);
  });

  it('revoking the accepted mandate: audited, mailed to the cabinet; then removing the company ends nothing more', async () => {
    const [m] = await mandatRows(cabinet.espaceId, BM.siren);
    const c = await signIn(h, claire);
    const r = await decide(c, m!.id, 'revoquer');
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toBe('/menu/demandes?notice=mandat-revoque');
    expect((await mandatRows(cabinet.espaceId, BM.siren))[0]).toMatchObject({ statut: 'revoque', endedBy: claire.id });
    expect(await mailsTo(paul.email, /^Mandat révoqué/)).toHaveLength(1);
    expect(await auditOf('mandat.revoked')).toHaveLength(1);
    expect((await decide(c, m!.id, 'revoquer')).statusCode).toBe(404);
  });

  it('the tiers removes a company whose mandate is pending: the mandate ends (« retiré »), the company is told', async () => {
    const [m] = await mandatRows(rival.espaceId, BM.siren).then((rows) => rows.filter((x) => x.statut === 'en_attente'));
    const rc = await signIn(h, remi);
    const base = `/gestion/portefeuilles/${rival.portefeuilleId}`;
    await rc.get(base);
    expect((await rc.form(`${base}/entreprises/${BM.siren}/retirer`, {})).statusCode).toBe(303);
    const [row] = (await mandatRows(rival.espaceId, BM.siren)).filter((x) => x.id === m!.id);
    expect(row).toMatchObject({ statut: 'retire', endedBy: remi.id });
    expect(await auditOf('mandat.withdrawn')).toHaveLength(1);
    expect(
      await h.ctx.db
        .select()
        .from(portefeuilleClients)
        .where(and(eq(portefeuilleClients.espaceId, rival.espaceId), eq(portefeuilleClients.siren, BM.siren))),
    ).toEqual([]);
    expect((await decide(await signIn(h, claire), m!.id, 'accepter')).statusCode).toBe(404);
  });
});
