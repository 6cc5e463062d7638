/**
 * « Consultation » (the guide's « Votre espace entreprise »): the company's history of changes, read
 * from its own audit trail only — another company's changes never appear, on the page, in JSON or in
 * the CSV —, filtered by kind, dates and person, 50 a page; closed to déclarants; a wrong filter is
 * refused in French. Also the menu's links to it.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, users } from '../../src/infra/db/schema.js';
import { CONSULTATION_PAGE_SIZE, describeDetails } from '../../src/modules/gestion/consultation.js';
import { readCsv } from '../../src/shared/csv.js';
import { Client, createHarness, type Harness } from '../harness.js';
import { activeDeclarant, FRENCH, newPerson, pageErrors, signedInAdministrator, stopHarness, type Person } from '../accounts/helpers.js';

let h: Harness;
type Admin = Awaited<ReturnType<typeof signedInAdministrator>>;
let A: Admin;
let B: Admin;
let aDeclarant: Person;
let bDeclarant: Person;

interface Entry {
  kind: string;
  label: string;
  actor: string;
  target: string;
  detail: string;
  at: string;
}
interface Answer {
  entries: Entry[];
  total: number;
  page: number;
  pages: number;
}

const consult = async (c: Client, query = '') => {
  const r = await c.get(`/gestion/consultation${query ? `?${query}` : ''}`, 'application/json');
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as Answer;
};

/** « Nouveau déclarant » through the JSON API. */
async function addDeclarant(admin: Admin, p: Person) {
  const r = await admin.client.json('/gestion/declarants/nouveau', {
    nom: p.nom,
    prenom: p.prenom,
    email: p.email,
    emailConfirm: p.email,
    telephone: p.telephone,
  });
  expect(r.statusCode, r.body).toBe(201);
  return (r.json() as { id: string }).id;
}

beforeAll(async () => {
  h = await createHarness({ registryCount: 30 });
  A = await signedInAdministrator(h);
  B = await signedInAdministrator(h);
  aDeclarant = newPerson(A.person.siret);
  bDeclarant = newPerson(B.person.siret);
  await addDeclarant(A, aDeclarant);
  await addDeclarant(B, bDeclarant);
  // each company changes the declarations of its siège
  for (const admin of [A, B]) {
    const r = await admin.client.json(`/gestion/declarations/${admin.person.siret}`, { declarations: ['SOLTEA_ETABLISSEMENTS'] });
    expect(r.statusCode, r.body).toBe(200);
  }
}, 120_000);
afterAll(async () => stopHarness(h));

describe('the history of the company, and of it only', () => {
  it('lists the company’s own changes, newest first, with who did them; another company’s never appear', async () => {
    const a = await consult(A.client);
    const labels = a.entries.map((e) => e.label);
    expect(labels).toContain('Déclarant ajouté');
    expect(labels).toContain('Déclarations modifiées');
    const added = a.entries.find((e) => e.label === 'Déclarant ajouté')!;
    expect(added.actor).toBe(`${A.person.prenom} ${A.person.nom}`);
    expect(added.target).toBe(`${aDeclarant.prenom} ${aDeclarant.nom}`);
    expect(added.kind).toBe('declarants');
    const decl = a.entries.find((e) => e.label === 'Déclarations modifiées')!;
    expect(decl.detail).toContain(`Siret ${A.person.siret}`);
    expect(decl.detail).toContain('SOLTéA - Etablissements');
    // newest first
    const times = a.entries.map((e) => Date.parse(e.at));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    // B's changes are in the audit trail but not in A's history, nor B's people
    const body = JSON.stringify(a);
    for (const x of [B.person.nom, bDeclarant.nom, B.person.siret]) expect(body).not.toContain(x);
    const own = await h.ctx.db.select().from(auditEvents).where(eq(auditEvents.espaceId, B.espaceId));
    expect(own.some((e) => e.action === 'declarant.added')).toBe(true);
    // and the same the other way round
    const b = await consult(B.client);
    expect(JSON.stringify(b)).not.toContain(aDeclarant.nom);
    expect(b.entries.find((e) => e.label === 'Déclarant ajouté')?.target).toBe(`${bDeclarant.prenom} ${bDeclarant.nom}`);
  });

  it('the page: the guide’s title, the filters with their labels, a table with its caption, the CSV link', async () => {
    const r = await A.client.get('/gestion/consultation');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<h1>Consultation</h1>');
    for (const label of ['Type', 'Du', 'Au', 'Personne'])
      expect(r.body).toMatch(new RegExp(`<label class="fr-label" for="[a-z]+">${label}</label>`));
    expect(r.body).toMatch(/<caption>Historique : \d+ modifications?<\/caption>/);
    expect(r.body).toContain('href="/gestion/consultation.csv"');
    expect(r.body).not.toContain(bDeclarant.nom);
  });

  it('a déclarant gets 403 on the page and the CSV; a visitor is sent to the login page', async () => {
    const { client: c } = await activeDeclarant(h, A.espaceId, A.person.siret);
    for (const url of ['/gestion/consultation', '/gestion/consultation.csv', '/gestion/consultation?type=declarants']) {
      const r = await c.get(url);
      expect(r.statusCode, url).toBe(403);
      expect(r.body).not.toContain(aDeclarant.nom);
    }
    const json = await c.get('/gestion/consultation', 'application/json');
    expect(json.statusCode).toBe(403);
    const menu = await c.get('/menu');
    expect(menu.body).not.toContain('href="/gestion/consultation"');
    const visitor = await new Client(h).get('/gestion/consultation');
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toMatch(/^\/connexion/);
    expect((await new Client(h).get('/gestion/consultation', 'application/json')).statusCode).toBe(401);
  });
});

describe('filters and pages', () => {
  it('by kind, by person and by dates (Paris days, both included)', async () => {
    const onlyDeclarations = await consult(A.client, 'type=declarations');
    expect(onlyDeclarations.entries.length).toBeGreaterThan(0);
    expect(onlyDeclarations.entries.every((e) => e.kind === 'declarations')).toBe(true);
    const byA = await consult(A.client, `personne=${A.userId}`);
    expect(byA.total).toBe((await consult(A.client)).total);
    const [d] = await h.ctx.db.select({ id: users.id }).from(users).where(eq(users.email, aDeclarant.email));
    expect((await consult(A.client, `personne=${d!.id}`)).total).toBe(0);
    // another company's person: nothing (the person is not of this espace)
    expect((await consult(A.client, `personne=${B.userId}`)).total).toBe(0);
    // dates: today (2026-05-04 in Paris) has them all, the day before none
    const all = (await consult(A.client)).total;
    expect((await consult(A.client, 'du=2026-05-04&au=2026-05-04')).total).toBe(all);
    expect((await consult(A.client, 'au=2026-05-03')).total).toBe(0);
    expect((await consult(A.client, 'du=2026-05-05')).total).toBe(0);
  });

  it('a wrong filter: 400 with one French message per field, on the page and in JSON', async () => {
    const bad = 'type=tout&du=2026-02-30&personne=moi';
    const page = await A.client.get(`/gestion/consultation?${bad}`);
    expect(page.statusCode).toBe(400);
    expect(pageErrors(page.body)).toEqual(
      expect.arrayContaining([
        'Type : choisissez un type de la liste.',
        'Du : une date au format JJ/MM/AAAA est attendue.',
        'Personne : choisissez une personne de la liste.',
      ]),
    );
    const json = await A.client.get('/gestion/consultation?du=2026-05-04&au=2026-05-01', 'application/json');
    expect(json.statusCode).toBe(400);
    expect(json.json()).toMatchObject({ errors: { au: 'Au : la date de fin ne peut précéder la date de début.' } });
    expect(JSON.stringify(json.json())).toMatch(FRENCH);
    expect((await A.client.get(`/gestion/consultation.csv?${bad}`)).statusCode).toBe(400);
  });

  it('50 a page, newest first, the CSV whole', async () => {
    const before = (await consult(A.client)).total;
    const at = h.clock.now();
    await h.ctx.db.insert(auditEvents).values(
      Array.from({ length: 60 }, (_, i) => ({
        at: new Date(at.getTime() + (i + 1) * 1000),
        action: 'habilitations.changed',
        actorUserId: A.userId,
        espaceId: A.espaceId,
        details: { changes: i + 1 },
      })),
    );
    const first = await consult(A.client);
    expect(first.total).toBe(before + 60);
    expect(first.pages).toBe(Math.ceil((before + 60) / CONSULTATION_PAGE_SIZE));
    expect(first.entries).toHaveLength(CONSULTATION_PAGE_SIZE);
    expect(first.entries[0]!.detail).toBe('60 modifications');
    const second = await consult(A.client, 'page=2');
    expect(second.page).toBe(2);
    expect(second.entries).toHaveLength(before + 60 - CONSULTATION_PAGE_SIZE);
    const html = await A.client.get('/gestion/consultation?type=habilitations');
    expect(html.body).toContain('href="/gestion/consultation?type=habilitations&amp;page=2"');
    expect(html.body).toContain('href="/gestion/consultation.csv?type=habilitations"');

    const csv = await A.client.get('/gestion/consultation.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toContain('consultation.csv');
    const { records } = readCsv(csv.body);
    expect(records[0]!.cells).toEqual(['date', 'type', 'modification', 'par', 'personne concernee', 'detail']);
    expect(records).toHaveLength(before + 60 + 1);
    expect(records[1]!.cells.slice(1, 5)).toEqual(['Habilitations', 'Habilitations modifiées', `${A.person.prenom} ${A.person.nom}`, '']);
    expect(csv.body).not.toContain(bDeclarant.nom);
    const filtered = readCsv((await A.client.get('/gestion/consultation.csv?type=declarants')).body).records.slice(1);
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((r) => r.cells[1] === 'Déclarants')).toBe(true);
  });

  it('the details name what changed, never an id', () => {
    expect(describeDetails({ portefeuilleId: 'x', name: 'CLIENTS', added: ['8f0c3a8e-8d8b-4c3b-9e8e-3c1b6e0f9a11'] })).toBe(
      'portefeuille « CLIENTS » ; ajout : 1 personne',
    );
    expect(describeDetails({ siret: '99900100100017', added: ['SOLTEA_EMPLOYEURS'], removed: [] })).toBe(
      'Siret 99900100100017 ; ajout : SOLTéA - Employeurs',
    );
  });
});

describe('the menu personnalisé', () => {
  it('« Votre espace entreprise »: « Gestion », « Consultation » and « Demande en attente »; « Vos services complémentaires »', async () => {
    const r = await A.client.get('/menu');
    const body = r.body;
    const order = ['Votre espace entreprise', '>Gestion<', '>Gérer les déclarations<', '>Consultation<', '>Demande en attente<'];
    const at = order.map((s) => body.indexOf(s));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((x, y) => x - y)).toEqual(at);
    expect(body).toContain('<a class="fr-sidemenu__link" href="/gestion/consultation">Consultation</a>');
    expect(body).toContain('Vos services complémentaires');
    expect(body).toContain('href="/soltea/calendrier"');
  });
});
