/**
 * The establishment space of a client company opens to a tiers-déclarant only through an accepted
 * mandate (docs/regles.md#tiers-declarants): without one, every route of the space answers 404 and
 * nothing is written; once the lycée's administrator accepts, the cabinet enters; after she revokes it,
 * 404 again. Another tiers-déclarant whose mandate is pending stays out all along. Bank codes
 * (docs/regles.md#coordonnees-bancaires) go only to the administrators of the SIRET's own company, never
 * to the requester's; when that company has no administrator to mail, the code goes by post through the
 * operator (`courriers-codes` prints the letter and erases the code); a pending code is never cancelled
 * by a new request.
 */
import { and, count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeValidFrenchIban } from '../../src/domain/iban.js';
import {
  auditEvents,
  codesBancaires,
  coordonneesBancaires,
  courriersCodes,
  mailOutbox,
  mandats,
  notifications,
  users,
} from '../../src/infra/db/schema.js';
import { runCourriersCodes } from '../../src/modules/espace-etablissement/cli-commands.js';
import { createHarness, type Client, type Harness, type ReceivedMail } from '../harness.js';
import { pageErrors, stopHarness } from '../accounts/helpers.js';
import {
  CODE_SUBJECT,
  codeIn,
  codeRows,
  createCompany,
  currentBank,
  LYCEE,
  registryCompanies,
  seedReferentiel,
  signIn,
  tiersWithClients,
  type TestPerson,
} from './fixtures.js';
import { DEMO_COMPANIES } from '../../src/demo/registry.js';

const CD = DEMO_COMPANIES.cabinetDurand;
const BASE = `/soltea/etablissement/${LYCEE.siret}`;
const BANK = `${BASE}/coordonnees-bancaires`;
const GETS = [
  '',
  '/presentation',
  '/contacts/nouveau',
  '/contacts/1',
  '/contacts/1/supprimer',
  '/sites/nouveau',
  '/lien?generer=1',
  '/coordonnees-bancaires',
  '/attributions',
  '/attributions.csv',
];
const POSTS: [string, Record<string, string>][] = [
  ['/presentation', { presentation: 'Piratée' }],
  ['/contacts', { fonction: 'Intrus', nom: 'Mallory', courriel: 'mallory@exemple.fr', telephone: '' }],
  ['/contacts/1', { fonction: 'Intrus', nom: 'Mallory', courriel: 'mallory@exemple.fr', telephone: '', version: '' }],
  ['/contacts/1/supprimer', { version: '' }],
  ['/sites', { libelle: 'Faux site', url: 'https://faux.example' }],
  ['/coordonnees-bancaires/code', {}],
  ['/coordonnees-bancaires', { iban: 'FR1420041010050500013M02606', bic: 'PSSTFRPP', titulaire: 'Mallory', code: 'ABCD-EFGH' }],
];
const IBAN = makeValidFrenchIban('10071', '75000', '00001003975');
const GOOD = { iban: IBAN, bic: 'TRPUFRP1', titulaire: 'Lycée des métiers Raspail' };

let h: Harness;
let nadia: TestPerson;
let julien: TestPerson;
let paul: TestPerson;
let remi: TestPerson;
let cabinetEspace: string;
let rivalEspace: string;

async function snapshot() {
  const n = async (
    t: typeof auditEvents | typeof codesBancaires | typeof coordonneesBancaires | typeof mailOutbox | typeof notifications,
  ) => Number((await h.ctx.db.select({ n: count() }).from(t))[0]!.n);
  const profil = await h.ctx.db.execute(sql`select presentation, contacts, sites from etablissement_profils order by siret`);
  return {
    audit: await n(auditEvents),
    codes: await n(codesBancaires),
    bank: await n(coordonneesBancaires),
    mails: await n(mailOutbox),
    notifications: await n(notifications),
    profils: JSON.stringify((profil as { rows: unknown[] }).rows),
  };
}

async function mailsTo(email: string, subject?: string): Promise<ReceivedMail[]> {
  await h.ctx.mail.flush();
  return h.mails.filter((m) => m.to === email && (!subject || m.subject === subject));
}

async function mandatOf(espaceId: string) {
  const [m] = await h.ctx.db
    .select()
    .from(mandats)
    .where(and(eq(mandats.tiersEspaceId, espaceId), eq(mandats.siren, LYCEE.siren)))
    .orderBy(sql`${mandats.requestedAt} desc`)
    .limit(1);
  return m!;
}

/** Every route of the lycée's space answers 404 to `c`, in HTML and JSON, and nothing is written. */
async function shutOut(c: Client, who: string) {
  const before = await snapshot();
  for (const path of GETS) {
    expect((await c.get(`${BASE}${path}`)).statusCode, `${who} GET ${path}`).toBe(404);
    expect((await c.get(`${BASE}${path}`, 'application/json')).statusCode, `${who} GET ${path} (JSON)`).toBe(404);
  }
  for (const [path, body] of POSTS) {
    expect((await c.form(`${BASE}${path}`, body)).statusCode, `${who} POST ${path}`).toBe(404);
    const j = await c.json(`${BASE}${path}`, body);
    expect(j.statusCode, `${who} POST ${path} (JSON)`).toBe(404);
    expect(JSON.parse(j.body)).toMatchObject({ message: 'Établissement introuvable.', status: 404 });
  }
  expect(await snapshot(), who).toEqual(before);
}

async function decide(c: Client, id: string, decision: 'accepter' | 'refuser' | 'revoquer') {
  await c.get('/menu/demandes');
  return c.form(`/menu/demandes/mandats/${id}/${decision}`, {});
}

beforeAll(async () => {
  h = await createHarness();
  const [other, rival] = await registryCompanies(h.ctx.db, 2);
  await seedReferentiel(h.ctx.db, h.clock.now(), other!.siret);
  const lycee = await createCompany(h.ctx, {
    siren: LYCEE.siren,
    siret: LYCEE.siret,
    people: [
      { nom: 'GARNIER', prenom: 'Nadia', role: 'administrateur' },
      { nom: 'FONTAINE', prenom: 'Julien', role: 'declarant' },
    ],
  });
  [nadia, julien] = lycee.people as [TestPerson, TestPerson];
  const nadiaC = await signIn(h, nadia);
  expect(
    (
      await nadiaC.form(`${BASE}/contacts`, {
        fonction: 'Proviseure',
        nom: 'Mme Nadia Garnier',
        courriel: 'ng@lycee.example',
        telephone: '',
      })
    ).statusCode,
  ).toBe(303);
  const cabinet = await tiersWithClients(h, {
    siren: CD.siren,
    siret: CD.siret,
    people: [{ nom: 'DURAND', prenom: 'Paul', role: 'administrateur' }],
    clients: [LYCEE.siren],
  });
  paul = cabinet.people[0]!;
  cabinetEspace = cabinet.espaceId;
  const rivalTiers = await tiersWithClients(h, {
    siren: rival!.siren,
    siret: rival!.siret,
    people: [{ nom: 'RIVAL', prenom: 'Rémi', role: 'administrateur' }],
    clients: [LYCEE.siren],
  });
  remi = rivalTiers.people[0]!;
  rivalEspace = rivalTiers.espaceId;
  h.clock.advance(25 * 3_600_000); // the access delay of « SOLTéA - Etablissements » is over
}, 120_000);
afterAll(async () => stopHarness(h));

describe('a tiers-déclarant in its client’s establishment space', () => {
  it('without an accepted mandate: 404 on every route (GET and POST), nothing written; the space says why', async () => {
    expect((await mandatOf(cabinetEspace)).statut).toBe('en_attente');
    for (const [who, p] of [
      ['the cabinet (mandate pending)', paul],
      ['the rival (mandate pending)', remi],
    ] as const) {
      const c = await signIn(h, p);
      await shutOut(c, who);
      const list = await c.get('/soltea/etablissement');
      expect(list.statusCode).toBe(403);
      expect(list.body).toContain('Ce service ne vous est pas ouvert');
      expect(list.body).toContain('mandat');
    }
  });

  it('the lycée’s administrator accepts the cabinet’s mandate: Paul enters every page; the rival stays out', async () => {
    const r = await decide(await signIn(h, nadia), (await mandatOf(cabinetEspace)).id, 'accepter');
    expect(r.statusCode, r.body).toBe(303);
    expect((await mandatOf(cabinetEspace)).statut).toBe('accepte');
    const c = await signIn(h, paul);
    for (const path of GETS) expect((await c.get(`${BASE}${path}`)).statusCode, path).toBe(200);
    const list = await c.get('/soltea/etablissement');
    expect(list.statusCode).toBe(303);
    expect(list.headers.location).toBe(BASE);
    await shutOut(await signIn(h, remi), 'the rival (mandate pending)');
  });

  it('a code asked by the cabinet goes to the lycée’s administrator only; while it is pending a new request is refused, even after 10 minutes', async () => {
    const c = await signIn(h, paul);
    const r = await c.form(`${BANK}/code`, {});
    expect(r.statusCode, r.body).toBe(303);
    const [mail] = await mailsTo(nadia.email, CODE_SUBJECT);
    const code = codeIn(mail!.text);
    expect(await mailsTo(paul.email, CODE_SUBJECT)).toHaveLength(0);
    expect(await mailsTo(julien.email, CODE_SUBJECT)).toHaveLength(0);
    expect(await codeRows(h.ctx.db)).toHaveLength(1);

    h.clock.advance(11 * 60_000);
    for (const p of [paul, nadia]) {
      const again = await (await signIn(h, p)).form(`${BANK}/code`, {});
      expect(again.statusCode, p.nom).toBe(409);
      expect(pageErrors(again.body).join(' ') + again.body).toContain('Un code a déjà été envoyé pour cet établissement');
      const j = await (await signIn(h, p)).json(`${BANK}/code`, {});
      expect(j.statusCode).toBe(409);
      expect(JSON.parse(j.body).code).toBe('code_en_attente');
    }
    expect(await codeRows(h.ctx.db)).toHaveLength(1);
    expect(await mailsTo(nadia.email, CODE_SUBJECT)).toHaveLength(1);
    // the pending code still works
    const ok = await (await signIn(h, nadia)).form(BANK, { ...GOOD, code });
    expect(ok.statusCode, ok.body).toBe(303);
    expect((await currentBank(h.ctx.db))!.iban).toBe(IBAN);
  });

  it('the lycée has no administrator left to mail: the cabinet’s request goes by post, never to the cabinet', async () => {
    await h.ctx.db.update(users).set({ status: 'suspended' }).where(eq(users.id, nadia.id));
    h.clock.advance(11 * 60_000);
    const c = await signIn(h, paul);
    const r = await c.form(`${BANK}/code`, {});
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toBe(`${BANK}?notice=code-courrier`);
    const page = await c.get(String(r.headers.location));
    expect(page.body).toContain('Le code sera envoyé par courrier à l’adresse de l’établissement');
    await h.ctx.mail.flush();
    expect(h.mails.filter((m) => m.subject === CODE_SUBJECT)).toHaveLength(1); // Nadia's first one only
    const [letter] = await h.ctx.db.select().from(courriersCodes);
    expect(letter).toMatchObject({ siret: LYCEE.siret, sentAt: null, requestedBy: paul.id });
    expect(letter!.code).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
    await h.ctx.db.update(users).set({ status: 'active' }).where(eq(users.id, nadia.id));
    expect((await (await signIn(h, paul)).json(`${BANK}/code`, {})).statusCode).toBe(429); // one request per 10 minutes
    h.clock.advance(11 * 60_000);
    const j = await (await signIn(h, paul)).json(`${BANK}/code`, {});
    expect(j.statusCode).toBe(409); // the code sent by post is pending: no new one, not even by mail
    expect(JSON.parse(j.body).message).toContain('par courrier à l’adresse de l’établissement');
    expect(await h.ctx.db.select().from(courriersCodes)).toHaveLength(1);
  });

  it('`courriers-codes` prints the pending letter (name, registry address, code, date), marks it sent and erases the code', async () => {
    const out: string[] = [];
    expect(await runCourriersCodes(h.ctx, ['--agent', 'Alice Opératrice'], (l) => out.push(l))).toBe(0);
    const text = out.join('\n');
    const [letter] = await h.ctx.db.select().from(courriersCodes);
    expect(letter!.sentAt).not.toBeNull();
    expect(letter!.sentBy).toBe('Alice Opératrice');
    expect(letter!.code).toBeNull();
    expect(text).toContain(LYCEE.raisonSociale);
    expect(text).toMatch(/\d{5} /); // the postal code of the registry address
    const code = codeIn(text);
    expect(text).toContain('1 courrier');
    const again: string[] = [];
    expect(await runCourriersCodes(h.ctx, [], (l) => again.push(l))).toBe(0);
    expect(again.join('\n')).toContain('Aucun courrier');
    // the letter's code works
    const ok = await (await signIn(h, julien)).form(BANK, { ...GOOD, iban: makeValidFrenchIban('30004', '00819', '00012345678'), code });
    expect(ok.statusCode, ok.body).toBe(303);
  });

  it('the lycée’s administrator revokes the mandate: audited, the cabinet’s administrator is told; Paul is shut out again', async () => {
    const r = await decide(await signIn(h, nadia), (await mandatOf(cabinetEspace)).id, 'revoquer');
    expect(r.statusCode, r.body).toBe(303);
    expect((await mandatOf(cabinetEspace)).statut).toBe('revoque');
    expect(await mailsTo(paul.email)).toEqual(
      expect.arrayContaining([expect.objectContaining({ subject: expect.stringMatching(/révoqué/) })]),
    );
    await shutOut(await signIn(h, paul), 'the cabinet (mandate revoked)');
    expect((await mandatOf(rivalEspace)).statut).toBe('en_attente');
  });
});
