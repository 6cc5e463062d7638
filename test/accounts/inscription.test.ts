/**
 * Inscription: the server keeps the step of each inscription, so the JSON API can
 * neither skip nor replay a step; drafts expire; refusing the CGU ends it; the SIRET must exist and be
 * active; the validation mail can be re-sent, at most 3 times an hour.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeValidSiren, makeValidSiret } from '../../src/domain/identifiers.js';
import { auditEvents, espaces, habilitations, users } from '../../src/infra/db/schema.js';
import { DEMO_COMPANIES } from '../../src/demo/registry.js';
import { Client, createHarness, linkIn, type Harness } from '../harness.js';
import {
  counts,
  draftRow,
  finishInscription,
  FRENCH,
  freshSiret,
  lastMail,
  mailsTo,
  newPerson,
  pageErrors,
  startFields,
  stopHarness,
  tokenOf,
  tryLogin,
  userIdOf,
  userRow,
  VALIDATION_SUBJECT,
  walkToRecap,
  type Person,
} from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => stopHarness(h));

const MINUTE = 60_000;

/** POST /inscription as JSON; returns the draft's « jeton ». */
async function jsonStart(c: Client, p: Person): Promise<string> {
  const r = await c.json('/inscription', startFields(p));
  expect(r.statusCode, r.body).toBe(201);
  const body = r.json() as { jeton: string; etapeSuivante: string };
  expect(body.etapeSuivante).toBe('cgu');
  expect(body.jeton.length).toBeGreaterThanOrEqual(40);
  return body.jeton;
}

const passwordBody = (p: Person) => ({
  password: p.password,
  passwordConfirm: p.password,
  secretQuestion: p.question,
  secretAnswer: p.answer,
});
/** The profile with its dialog « Validation de vos déclarations » answered (the modal's « Valider »). */
const profileBody = {
  kind: 'entreprise',
  organisationType: 'entreprise_privee',
  domains: ['formation'],
  declarations: ['SOLTEA_EMPLOYEURS'],
  confirme: 'oui',
};
/** « Tous » ticked in both columns of the rights table. */
const rightsBody = { tous: ['declarer', 'payer'] };

describe('inscription over the JSON API: the server enforces the order of the steps', () => {
  it('refuses a skipped step (409, nothing changes), then takes the steps in order and refuses every replay', async () => {
    const p = newPerson(await freshSiret(h));
    const jeton = await jsonStart(new Client(h), p);
    // a second client without the draft cookie: the x-inscription header alone carries the draft
    const api = new Client(h);
    const step = (path: string, body: unknown) => api.json(path, body, { 'x-inscription': jeton });

    const start = await draftRow(h, jeton);
    expect(start?.step).toBe('cgu');
    const before = await counts(h);

    const ahead: [string, unknown][] = [
      ['/inscription/identification', {}],
      ['/inscription/mot-de-passe', passwordBody(p)],
      ['/inscription/recapitulatif', {}],
      ['/inscription/profil', profileBody],
      ['/inscription/habilitations', rightsBody],
      ['/inscription/confirmation', {}],
    ];
    for (const [path, body] of ahead) {
      const r = await step(path, body);
      expect(r.statusCode, `${path}: ${r.body}`).toBe(409);
      const json = r.json() as { message: string; etapeEnCours: string };
      expect(json.etapeEnCours).toBe('cgu');
      expect(json.message).toMatch(FRENCH);
    }
    expect(await draftRow(h, jeton)).toEqual(start);
    expect(await counts(h)).toEqual(before);

    const inOrder: [string, unknown, string][] = [
      ['/inscription/conditions', { decision: 'accepte' }, 'identification'],
      ['/inscription/identification', {}, 'password'],
      ['/inscription/mot-de-passe', passwordBody(p), 'recap'],
      ['/inscription/recapitulatif', {}, 'profil'],
      ['/inscription/profil', profileBody, 'habilitations'],
      ['/inscription/habilitations', rightsBody, 'confirmation'],
      ['/inscription/confirmation', {}, 'done'],
    ];
    for (const [path, body, next] of inOrder) {
      const r = await step(path, body);
      expect(r.statusCode, `${path}: ${r.body}`).toBe(200);
      const after = await draftRow(h, jeton);
      expect(after?.step).toBe(next);
      const countsAfter = await counts(h);
      // replaying the step just taken: 409, the draft and the tables are as they were
      const again = await step(path, body);
      expect(again.statusCode, `${path} replayed: ${again.body}`).toBe(409);
      expect((again.json() as { etapeEnCours: string }).etapeEnCours).toBe(next);
      expect(await draftRow(h, jeton)).toEqual(after);
      expect(await counts(h)).toEqual(countsAfter);
    }
    // exactly one espace and one user were created, once
    const espaceRows = await h.ctx.db.select().from(espaces).where(eq(espaces.siret, p.siret));
    expect(espaceRows).toHaveLength(1);
    const userRows = await h.ctx.db.select().from(users).where(eq(users.siret, p.siret));
    expect(userRows).toHaveLength(1);
    expect(userRows[0]!.status).toBe('email_pending');
    // the draft never holds a clear password or answer
    const draft = JSON.stringify(await draftRow(h, jeton));
    expect(draft).not.toContain(p.password);
    expect(draft).not.toContain(p.answer);
  });

  it('the same step posted twice at once is taken once: one 200, one 409, one espace', async () => {
    const p = newPerson(await freshSiret(h));
    const c = new Client(h);
    const jeton = await jsonStart(c, p);
    const H = { 'x-inscription': jeton };
    expect((await c.json('/inscription/conditions', { decision: 'accepte' }, H)).statusCode).toBe(200);
    expect((await c.json('/inscription/identification', {}, H)).statusCode).toBe(200);
    const twice = async (path: string, body: unknown) =>
      (await Promise.all([c.json(path, body, H), c.json(path, body, H)])).map((r) => r.statusCode).sort();
    expect(await twice('/inscription/mot-de-passe', passwordBody(p))).toEqual([200, 409]);
    expect((await c.json('/inscription/recapitulatif', {}, H)).statusCode).toBe(200);
    expect(await twice('/inscription/profil', profileBody)).toEqual([200, 409]);
    expect(await twice('/inscription/habilitations', rightsBody)).toEqual([200, 409]);
    expect(await twice('/inscription/confirmation', {})).toEqual([200, 409]);
    expect(await h.ctx.db.select().from(espaces).where(eq(espaces.siret, p.siret))).toHaveLength(1);
    expect(await h.ctx.db.select().from(users).where(eq(users.siret, p.siret))).toHaveLength(1);
    expect((await mailsTo(h, p.email)).filter((m) => m.subject === VALIDATION_SUBJECT)).toHaveLength(1);
  });

  it('in the browser, a skipped step sends back to the current step and changes nothing', async () => {
    const p = newPerson(await freshSiret(h));
    const c = new Client(h);
    let r = await c.form('/inscription', startFields(p));
    expect(r.headers.location).toBe('/inscription/conditions');
    const before = await counts(h);
    r = await c.form('/inscription/mot-de-passe', passwordBody(p));
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/inscription/conditions');
    r = await c.form('/inscription/profil', profileBody);
    expect(r.headers.location).toBe('/inscription/conditions');
    r = await c.get('/inscription/recapitulatif');
    expect(r.headers.location).toBe('/inscription/conditions');
    expect(await counts(h)).toEqual(before);
  });

  it('an inscription left more than one hour expires: 410', async () => {
    const p = newPerson(await freshSiret(h));
    const c = new Client(h);
    const jeton = await jsonStart(c, p);
    let r = await c.json('/inscription/conditions', { decision: 'accepte' }, { 'x-inscription': jeton });
    expect(r.statusCode).toBe(200);
    h.clock.advance(61 * MINUTE);
    const before = await counts(h);
    r = await c.json('/inscription/identification', {}, { 'x-inscription': jeton });
    expect(r.statusCode, r.body).toBe(410);
    expect((r.json() as { message: string }).message).toMatch(/expiré/);
    // the browser (draft cookie) gets the « Inscription expirée » page
    r = await c.get('/inscription/identification');
    expect(r.statusCode).toBe(410);
    expect(r.body).toContain('Inscription expirée');
    r = await c.form('/inscription/identification', {});
    expect(r.statusCode).toBe(410);
    expect(await counts(h)).toEqual(before);
  });

  it('« Je refuse » the CGU ends the inscription: the draft is deleted', async () => {
    const p = newPerson(await freshSiret(h));
    const c = new Client(h);
    const jeton = await jsonStart(c, p);
    expect(await draftRow(h, jeton)).not.toBeNull();
    let r = await c.json('/inscription/conditions', { decision: 'refuse' }, { 'x-inscription': jeton });
    expect(r.statusCode, r.body).toBe(200);
    expect((r.json() as { message: string }).message).toContain('refusées');
    expect(await draftRow(h, jeton)).toBeNull();
    r = await c.json('/inscription/conditions', { decision: 'accepte' }, { 'x-inscription': jeton });
    expect(r.statusCode).toBe(410);

    // the same in the browser: the page says so, the cookie is cleared
    const p2 = newPerson(p.siret, {});
    const b = new Client(h);
    r = await b.form('/inscription', startFields(p2));
    expect(b.cookies.has('__Host-inscription')).toBe(true);
    const drafts = (await counts(h)).drafts;
    r = await b.form('/inscription/conditions', { decision: 'refuse' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Inscription abandonnée');
    expect(b.cookies.has('__Host-inscription')).toBe(false);
    expect((await counts(h)).drafts).toBe(drafts - 1);
    const refused = await h.ctx.db.select().from(auditEvents).where(eq(auditEvents.action, 'inscription.cgu_refused'));
    expect(refused.length).toBe(2);
  });

  it('a tiers-déclarant (« Votre entreprise et vos clients ») registers over JSON', async () => {
    const p = newPerson(DEMO_COMPANIES.cabinetDurand.siret);
    const c = new Client(h);
    const jeton = await jsonStart(c, p);
    const H = { 'x-inscription': jeton };
    for (const [path, body] of [
      ['/inscription/conditions', { decision: 'accepte' }],
      ['/inscription/identification', {}],
      ['/inscription/mot-de-passe', passwordBody(p)],
      ['/inscription/recapitulatif', {}],
    ] as const) {
      const r = await c.json(path, body, H);
      expect(r.statusCode, `${path}: ${r.body}`).toBe(200);
    }
    for (const [path, body] of [
      [
        '/inscription/profil',
        {
          kind: 'tiers_declarant',
          organisationType: 'expert_comptable',
          domains: ['dsn', 'formation'],
          declarations: ['DSN', 'SOLTEA_EMPLOYEURS'],
          confirme: 'oui',
        },
      ],
      ['/inscription/habilitations', { declarer: ['DSN', 'SOLTEA_EMPLOYEURS'], payer: ['DSN'] }],
      ['/inscription/declarants', {}],
      ['/inscription/confirmation', {}],
    ] as const) {
      const r = await c.json(path, body, H);
      expect(r.statusCode, `${path}: ${r.body}`).toBe(200);
    }
    const [espace] = await h.ctx.db.select().from(espaces).where(eq(espaces.siren, DEMO_COMPANIES.cabinetDurand.siren));
    expect(espace).toMatchObject({
      kind: 'tiers_declarant',
      organisationType: 'expert_comptable',
      siret: DEMO_COMPANIES.cabinetDurand.siret,
      domains: ['dsn', 'formation'],
    });
    const userId = await userIdOf(h, p);
    const rights = await h.ctx.db.select().from(habilitations).where(eq(habilitations.userId, userId));
    expect(rights.map((x) => [x.declarationCode, x.declarer, x.payer]).sort()).toEqual([
      ['DSN', true, true],
      ['SOLTEA_EMPLOYEURS', true, false],
    ]);
    // validation by the JSON API, then connexion
    const mail = await lastMail(h, p.email, VALIDATION_SUBJECT);
    const v = await c.json('/validation-courriel', { jeton: tokenOf(linkIn(mail.text, '/validation-courriel?jeton=')) });
    expect(v.statusCode, v.body).toBe(200);
    const l = await c.json('/connexion', { siret: p.siret, nom: p.nom, prenom: p.prenom, password: p.password });
    expect(l.statusCode, l.body).toBe(200);
    const menu = await c.get('/menu', 'application/json');
    expect(menu.statusCode).toBe(200);
    const tiles = (menu.json() as { declarations: { code: string; open: boolean; hoursLeft: number }[] }).declarations;
    expect(tiles.map((t) => t.code).sort()).toEqual(['DSN', 'SOLTEA_EMPLOYEURS']);
    expect(tiles.every((t) => !t.open && t.hoursLeft === 24)).toBe(true);
  });

  it('a declaration outside the chosen domains is refused (400) and nothing is created', async () => {
    const p = newPerson(await freshSiret(h));
    const c = new Client(h);
    const jeton = await jsonStart(c, p);
    const H = { 'x-inscription': jeton };
    for (const [path, body] of [
      ['/inscription/conditions', { decision: 'accepte' }],
      ['/inscription/identification', {}],
      ['/inscription/mot-de-passe', passwordBody(p)],
      ['/inscription/recapitulatif', {}],
    ] as const)
      expect((await c.json(path, body, H)).statusCode).toBe(200);
    const before = await counts(h);
    for (const declarations of [['DSN'], ['SOLTEA_EMPLOYEURS', 'DPAE'], ['INCONNUE']]) {
      const r = await c.json(
        '/inscription/profil',
        { kind: 'entreprise', organisationType: 'entreprise_privee', domains: ['formation'], declarations, confirme: 'oui' },
        H,
      );
      expect(r.statusCode, r.body).toBe(400);
      const json = r.json() as { errors: Record<string, string> };
      expect(json.errors.declarations).toMatch(FRENCH);
    }
    // in the browser the profile page comes back with the message
    const page = await c.form('/inscription/profil', {
      kind: 'entreprise',
      organisationType: 'entreprise_privee',
      domains: ['formation'],
      declarations: ['DSN'],
      confirme: 'oui',
    });
    expect(page.statusCode).toBe(400);
    expect(pageErrors(page.body).join(' ')).toContain('ne correspond à aucun des services');
    expect(await counts(h)).toEqual(before);
    expect((await draftRow(h, jeton))?.step).toBe('profil');
    const ok = await c.json(
      '/inscription/profil',
      {
        kind: 'entreprise',
        organisationType: 'entreprise_privee',
        domains: ['formation', 'dsn'],
        declarations: ['DSN', 'MCF_ELU'],
        confirme: 'oui',
      },
      H,
    );
    expect(ok.statusCode, ok.body).toBe(200);
    // the dialog as its own page refuses the same: the list must come from the domains chosen
    expect((await c.json('/inscription/etape-precedente', { etape: 'habilitations' }, H)).statusCode).toBe(200);
    expect((await draftRow(h, jeton))?.step).toBe('declarations');
    const outside = await c.json('/inscription/declarations', { declarations: ['DPAE'] }, H);
    expect(outside.statusCode, outside.body).toBe(400);
    expect((outside.json() as { errors: Record<string, string> }).errors.declarations).toMatch(FRENCH);
    expect((await draftRow(h, jeton))?.step).toBe('declarations');
  });

  it('an unknown SIRET, a closed établissement and a ceased company get a clear French message, 400, and no draft', async () => {
    const unknown = makeValidSiret(makeValidSiren('12345678'), '0001');
    const cases: [string, RegExp][] = [
      [unknown, /inconnu du répertoire/],
      [DEMO_COMPANIES.transportsGiraudier.closedSiret, /fermé/],
      [DEMO_COMPANIES.menuiserieCessee.siret, /fermé/],
    ];
    const before = await counts(h);
    for (const [siret, message] of cases) {
      const p = newPerson(siret);
      const r = await new Client(h).json('/inscription', startFields(p));
      expect(r.statusCode, r.body).toBe(400);
      const json = r.json() as { message: string; errors: Record<string, string> };
      expect(json.errors.siret).toMatch(message);
      expect(json.errors.siret).toMatch(FRENCH);
      const c = new Client(h);
      const page = await c.form('/inscription', startFields(p));
      expect(page.statusCode).toBe(400);
      expect(pageErrors(page.body).join(' ')).toMatch(message);
      expect(c.cookies.has('__Host-inscription')).toBe(false);
      const started = await h.ctx.db.select().from(auditEvents).where(eq(auditEvents.action, 'inscription.started'));
      expect(started.filter((e) => (e.details as { siret?: string }).siret === siret)).toEqual([]);
    }
    expect(await counts(h)).toEqual(before);
  });

  it('the validation mail can be re-sent, 3 times an hour at most (429), and only the last link works', async () => {
    const p = newPerson(await freshSiret(h));
    const c = new Client(h);
    await walkToRecap(c, p);
    let r = await finishInscription(c);
    expect(r.headers.location).toBe('/inscription/validation');
    expect(await mailsTo(h, p.email)).toHaveLength(1);

    for (let i = 1; i <= 3; i++) {
      r = await c.json('/inscription/renvoyer', {});
      expect(r.statusCode, r.body).toBe(200);
      expect(await mailsTo(h, p.email)).toHaveLength(1 + i);
    }
    r = await c.json('/inscription/renvoyer', {});
    expect(r.statusCode).toBe(429);
    expect((r.json() as { message: string }).message).toMatch(/Trois courriels/);
    r = await c.form('/inscription/renvoyer', {});
    expect(r.statusCode).toBe(429);
    expect(r.body).toContain('Trop de demandes');

    // the login page offers the same re-sending, under the same limit
    r = await tryLogin(c, p, p.password);
    expect(r.statusCode).toBe(403);
    const demande = /name="demande" value="([^"]+)"/.exec(r.body)?.[1];
    expect(demande).toBeTruthy();
    r = await c.form('/validation-courriel/renvoyer', { demande: demande! });
    expect(r.statusCode).toBe(429);
    expect(await mailsTo(h, p.email)).toHaveLength(4);

    // one hour later it works again
    h.clock.advance(61 * MINUTE);
    await c.get('/connexion');
    r = await c.form('/validation-courriel/renvoyer', { demande: demande! });
    expect(r.statusCode, r.body).toBe(200);
    const all = await mailsTo(h, p.email);
    expect(all).toHaveLength(5);
    expect(all.every((m) => m.subject === VALIDATION_SUBJECT)).toBe(true);

    // every new mail retires the previous links
    const links = all.map((m) => linkIn(m.text, '/validation-courriel?jeton='));
    expect(new Set(links).size).toBe(5);
    for (const old of links.slice(0, -1)) expect((await c.get(old)).statusCode).toBe(410);
    const last = links[links.length - 1]!;
    expect((await c.get(last)).statusCode).toBe(200);
    r = await c.form('/validation-courriel', { jeton: tokenOf(last) });
    expect(r.statusCode).toBe(303);
    const u = await userRow(h, await userIdOf(h, p));
    expect(u.status).toBe('active');
    expect(u.emailValidatedAt).not.toBeNull();
    // a validated address needs no more mail
    r = await c.form('/validation-courriel/renvoyer', { demande: demande! });
    expect(r.statusCode).toBe(200);
    expect(await mailsTo(h, p.email)).toHaveLength(5);
    const rows = await h.ctx.db
      .select()
      .from(users)
      .where(and(eq(users.siret, p.siret)));
    expect(rows).toHaveLength(1);
  });
});
