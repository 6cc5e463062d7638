/**
 * Candidat AD and tenancy (every query scoped to the caller's company,
 * tested across tenants), and the audit trail: every authentication attempt and change is recorded,
 * never a credential.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/infra/crypto.js';
import { auditEvents, demandes, habilitations, users } from '../../src/infra/db/schema.js';
import { loginKey } from '../../src/modules/accounts/login-key.js';
import { DEMO_COMPANIES } from '../../src/demo/registry.js';
import { Client, createHarness, type Harness } from '../harness.js';
import {
  lastMail,
  login,
  mailsTo,
  newPerson,
  pageErrors,
  registerCandidat,
  signedInAdministrator,
  startFields,
  stopHarness,
  tryLogin,
  userRow,
  validateLastLink,
  type Person,
} from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => stopHarness(h));

const gip = DEMO_COMPANIES.gipMds;
const NEW_ADMIN_SUBJECT = 'Demande en attente : nouvel administrateur';

/** Every clear secret used in this file, looked for in the audit trail at the end. */
const secrets = new Set<string>();
const person = (siret: string, over: Partial<Person> = {}) => {
  const p = newPerson(siret, over);
  secrets.add(p.password);
  secrets.add(p.answer);
  return p;
};

async function pendingDemandeOf(userId: string) {
  const [d] = await h.ctx.db.select().from(demandes).where(eq(demandes.userId, userId));
  return d;
}

/** State of the GIP company, shared by the tests below (they run in order). */
let a1: { client: Client; person: Person; userId: string; espaceId: string };
let a2: { client: Client; person: Person; userId: string };

describe('candidat AD', () => {
  beforeAll(async () => {
    const p1 = person(gip.siret);
    a1 = await signedInAdministrator(h, { siret: gip.siret, person: p1 });
    // a second administrator (an earlier candidat, granted) so that « every administrator » means two
    const p2 = person(gip.siret);
    const { userId } = await registerCandidat(h, p2);
    await a1.client.get('/menu/demandes');
    const r = await a1.client.form(`/menu/demandes/${(await pendingDemandeOf(userId))!.id}/accorder`, {});
    expect(r.headers.location).toBe('/menu/demandes?notice=accordee');
    const c = new Client(h);
    await login(c, p2);
    a2 = { client: c, person: p2, userId };
  });

  it('a second person on another SIRET of the company becomes candidat; once their address is validated every administrator is mailed; one grants', async () => {
    const cand = person(gip.sirets[1]!);
    const c = new Client(h);
    const start = await c.json('/inscription', startFields(cand));
    expect(start.statusCode).toBe(201);
    // nothing tells that the company already has an espace: the same steps and answers as anyone's
    expect(start.json()).not.toHaveProperty('candidat');
    let r = await c.json('/inscription/conditions', { decision: 'accepte' });
    expect(r.statusCode).toBe(200);
    const identification = await c.get('/inscription/identification');
    expect(identification.statusCode).toBe(200);
    expect(identification.body).not.toContain('déjà inscrite');
    r = await c.json('/inscription/identification', {});
    r = await c.json('/inscription/mot-de-passe', {
      password: cand.password,
      passwordConfirm: cand.password,
      secretQuestion: cand.question,
      secretAnswer: cand.answer,
    });
    expect(r.statusCode, r.body).toBe(200);
    r = await c.json('/inscription/recapitulatif', {});
    expect(r.statusCode).toBe(200);
    expect((r.json() as { etapeSuivante: string }).etapeSuivante).toBe('profil');
    // the profile and declarations chosen are what the candidat asks for; the administrators decide
    r = await c.json('/inscription/profil', {
      kind: 'entreprise',
      organisationType: 'entreprise_privee',
      domains: ['dsn'],
      declarations: ['DSN'],
      confirme: 'oui',
    });
    expect(r.statusCode, r.body).toBe(200);
    expect((r.json() as { etapeSuivante: string }).etapeSuivante).toBe('habilitations');
    r = await c.json('/inscription/habilitations', { declarer: ['DSN'], payer: ['DSN'] });
    expect((r.json() as { etapeSuivante: string }).etapeSuivante).toBe('confirmation');
    r = await c.json('/inscription/confirmation', {});
    expect(r.statusCode, r.body).toBe(200);
    expect((r.json() as { etapeSuivante: string }).etapeSuivante).toBe('done');

    const [u] = await h.ctx.db
      .select()
      .from(users)
      .where(and(eq(users.siret, cand.siret), eq(users.loginKey, loginKey(cand.nom, cand.prenom))));
    expect(u).toMatchObject({ status: 'candidat', role: 'administrateur', espaceId: a1.espaceId });
    // what was asked is recorded; no right is given before an administrator decides
    expect(await h.ctx.db.select().from(habilitations).where(eq(habilitations.userId, u!.id))).toEqual([]);
    const [asked] = await h.ctx.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'inscription.candidat'), eq(auditEvents.actorUserId, u!.id)));
    expect(asked?.details).toMatchObject({ siret: cand.siret, declarations: ['DSN'], domains: ['dsn'] });
    // nothing reaches the administrators before the address is validated
    expect(await pendingDemandeOf(u!.id)).toBeUndefined();
    const adminMails = async () =>
      [...(await mailsTo(h, a1.person.email)), ...(await mailsTo(h, a2.person.email))].filter(
        (m) => m.subject === NEW_ADMIN_SUBJECT && m.text.includes(cand.email),
      ).length;
    expect(await adminMails()).toBe(0);

    const v = await validateLastLink(h, c, cand.email);
    // the same answer as a first administrator's; the candidat is told by mail
    expect(v.response.statusCode).toBe(303);
    expect(v.response.headers.location).toBe('/connexion?notice=courriel-valide');
    expect((await lastMail(h, cand.email, 'Votre demande est transmise aux administrateurs de votre entreprise')).text).toContain(
      'Demande en attente',
    );
    for (const admin of [a1.person, a2.person]) {
      const m = await lastMail(h, admin.email, NEW_ADMIN_SUBJECT);
      expect(m.text).toContain(`${cand.prenom} ${cand.nom} (${cand.email})`);
      expect(m.text).toContain('/menu/demandes');
    }
    expect(await adminMails()).toBe(2);
    expect((await mailsTo(h, cand.email)).filter((m) => m.subject === NEW_ADMIN_SUBJECT)).toEqual([]);

    r = await tryLogin(c, cand, cand.password);
    expect(r.statusCode).toBe(403);
    expect(pageErrors(r.body).join(' ')).toContain('en attente de l’accord d’un administrateur');

    const demande = (await pendingDemandeOf(u!.id))!;
    for (const admin of [a1.client, a2.client]) {
      const list = await admin.get('/menu/demandes');
      expect(list.body).toContain(`${cand.prenom} ${cand.nom} demande à devenir administrateur`);
      expect(list.body).toContain(`/menu/demandes/${demande.id}/accorder`);
    }
    r = await a2.client.form(`/menu/demandes/${demande.id}/accorder`, {});
    expect(r.headers.location).toBe('/menu/demandes?notice=accordee');
    expect((await lastMail(h, cand.email, 'Votre demande d’administration est acceptée')).text).toContain(
      `${a2.person.prenom} ${a2.person.nom}`,
    );
    // already decided: the other administrator cannot decide again
    await a1.client.get('/menu/demandes');
    r = await a1.client.form(`/menu/demandes/${demande.id}/refuser`, {});
    expect(r.statusCode).toBe(404);
    expect((await userRow(h, u!.id)).status).toBe('active');

    r = await tryLogin(c, cand, cand.password);
    expect(r.statusCode).toBe(303);
    expect((await c.get('/menu/demandes')).statusCode).toBe(200);
  });

  it('a refused candidat cannot log in', async () => {
    const cand = person(gip.sirets[2]!);
    const { client: c, userId } = await registerCandidat(h, cand);
    const demande = (await pendingDemandeOf(userId))!;
    await a1.client.get('/menu/demandes');
    const r = await a1.client.form(`/menu/demandes/${demande.id}/refuser`, {});
    expect(r.headers.location).toBe('/menu/demandes?notice=refusee');
    expect((await lastMail(h, cand.email, 'Votre demande d’administration est refusée')).text).toContain('a refusé votre demande');
    expect((await userRow(h, userId)).status).toBe('refused');
    const l = await tryLogin(c, cand, cand.password);
    expect(l.statusCode).toBe(401);
    expect((await a1.client.get('/menu/demandes')).body).not.toContain(cand.email);
  });
});

describe('tenancy', () => {
  it('a déclarant cannot reach « Demande en attente » nor decide anything (403)', async () => {
    // « Gérer les déclarants » cannot add a person over HTTP yet: the déclarant is inserted directly
    const d = person(gip.siret);
    const now = h.clock.now();
    const [row] = await h.ctx.db
      .insert(users)
      .values({
        espaceId: a1.espaceId,
        siret: d.siret,
        nom: d.nom,
        prenom: d.prenom,
        loginKey: loginKey(d.nom, d.prenom),
        email: d.email,
        role: 'declarant',
        status: 'active',
        passwordHash: await hashSecret(d.password),
        secretQuestion: d.question,
        secretAnswerHash: await hashSecret(d.answer),
        emailValidatedAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    // a pending demande of the company
    const cand = person(gip.siret);
    const { userId: candId } = await registerCandidat(h, cand);
    const demande = (await pendingDemandeOf(candId))!;

    const c = new Client(h);
    await login(c, d);
    const menu = await c.get('/menu');
    expect(menu.body).not.toContain('/menu/demandes');
    expect(menu.body).toContain(a1.person.nom); // told whom to ask
    for (const url of ['/menu/demandes', '/gestion/declarants']) {
      const r = await c.get(url);
      expect(r.statusCode, url).toBe(403);
      expect(r.body).toContain('réservée aux administrateurs');
    }
    await c.get('/menu');
    for (const url of [
      `/menu/demandes/${demande.id}/accorder`,
      `/menu/demandes/${demande.id}/refuser`,
      `/gestion/declarants/${a1.userId}/reinitialiser`,
    ]) {
      const r = await c.form(url, {});
      expect(r.statusCode, url).toBe(403);
    }
    expect((await pendingDemandeOf(candId))?.decidedAt).toBeNull();
    expect((await userRow(h, candId)).status).toBe('candidat');
    expect((await userRow(h, a1.userId)).mustChangeCredentials).toBe(false);
    expect(row!.role).toBe('declarant');
  });

  it('an administrator of company A cannot decide a demande of company B nor reset one of its people: 404, nothing changes', async () => {
    const b1 = await signedInAdministrator(h);
    secrets.add(b1.person.password);
    secrets.add(b1.person.answer);
    const cand = person(b1.person.siret);
    const { userId: candId } = await registerCandidat(h, cand);
    const candidatDemande = (await pendingDemandeOf(candId))!;
    // B's administrator asks for a reset: a « réinitialisation » demande in company B
    const anon = new Client(h);
    await anon.get('/mot-de-passe-oublie');
    await anon.form('/mot-de-passe-oublie', {
      siret: b1.person.siret,
      nom: b1.person.nom,
      prenom: b1.person.prenom,
      methode: 'administrateur',
    });
    const [resetDemande] = await h.ctx.db
      .select()
      .from(demandes)
      .where(and(eq(demandes.userId, b1.userId), eq(demandes.kind, 'reinitialisation')));
    expect(resetDemande?.espaceId).toBe(b1.espaceId);

    const snapshot = async () => ({
      demandes: await h.ctx.db.select().from(demandes).where(eq(demandes.espaceId, b1.espaceId)),
      people: await h.ctx.db.select().from(users).where(eq(users.espaceId, b1.espaceId)),
      mails: [...(await mailsTo(h, b1.person.email)), ...(await mailsTo(h, cand.email))].length,
    });
    const before = await snapshot();

    const a = a1.client;
    await a.get('/menu/demandes');
    const attempts = [
      `/menu/demandes/${candidatDemande.id}/accorder`,
      `/menu/demandes/${candidatDemande.id}/refuser`,
      `/menu/demandes/${resetDemande!.id}/reinitialiser`,
      `/menu/demandes/${resetDemande!.id}/accorder`,
      `/gestion/declarants/${b1.userId}/reinitialiser`,
      `/gestion/declarants/${candId}/reinitialiser`,
      '/menu/demandes/00000000-0000-0000-0000-000000000000/accorder',
      '/menu/demandes/pas-un-identifiant/accorder',
      '/gestion/declarants/pas-un-identifiant/reinitialiser',
    ];
    for (const url of attempts) {
      const r = await a.form(url, {});
      expect(r.statusCode, url).toBe(404);
      expect(r.body).toMatch(/introuvable/);
      const j = await a.json(url, {});
      expect(j.statusCode, url).toBe(404);
    }
    const list = await a.get('/menu/demandes', 'application/json');
    const ids = (list.json() as { demandes: { id: string }[] }).demandes.map((x) => x.id);
    expect(ids).not.toContain(candidatDemande.id);
    expect(ids).not.toContain(resetDemande!.id);
    const people = await a.get('/gestion/declarants');
    expect(people.body).not.toContain(b1.person.email);
    expect(people.body).not.toContain(cand.email);

    expect(await snapshot()).toEqual(before);
    expect((await tryLogin(new Client(h), b1.person, b1.person.password)).statusCode).toBe(303);
    // B's own administrator can decide B's demande
    await b1.client.get('/menu/demandes');
    const ok = await b1.client.form(`/menu/demandes/${candidatDemande.id}/accorder`, {});
    expect(ok.headers.location).toBe('/menu/demandes?notice=accordee');
  });
});

describe('audit trail', () => {
  it('records logins, inscriptions, e-mail validations, password changes and decisions — never a credential', async () => {
    const x = await signedInAdministrator(h);
    secrets.add(x.person.password);
    secrets.add(x.person.answer);
    const wrong = 'Mauvais-secret-91';
    secrets.add(wrong);
    expect((await tryLogin(new Client(h), x.person, wrong)).statusCode).toBe(401);
    expect((await tryLogin(new Client(h), { ...x.person, nom: 'Inconnu' }, wrong)).statusCode).toBe(401);
    await x.client.get('/menu/informations');
    const newPassword = 'Farine-de-seigle-73';
    secrets.add(newPassword);
    let r = await x.client.form('/menu/informations/mot-de-passe', {
      current: x.person.password,
      password: newPassword,
      passwordConfirm: newPassword,
    });
    expect(r.statusCode).toBe(303);
    const newAnswer = 'Une tarte aux pommes';
    secrets.add(newAnswer);
    await x.client.get('/menu/informations');
    r = await x.client.form('/menu/informations/question-secrete', {
      current: newPassword,
      secretQuestion: 'Quel est mon dessert préféré ?',
      secretAnswer: newAnswer,
    });
    expect(r.statusCode).toBe(303);

    const rows = await h.ctx.db.select().from(auditEvents).orderBy(auditEvents.id);
    const mine = rows.filter((e) => e.actorUserId === x.userId || e.targetUserId === x.userId);
    const actions = new Set(mine.map((e) => e.action));
    for (const a of [
      'inscription.completed',
      'email.validation_sent',
      'email.validated',
      'login.success',
      'login.failure',
      'password.changed',
      'secret_question.changed',
    ])
      expect(actions, a).toContain(a);
    const failure = mine.find((e) => e.action === 'login.failure')!;
    expect(failure.details).toMatchObject({ siret: x.person.siret });
    expect(failure.espaceId).toBe(x.espaceId);
    const unknown = rows.filter(
      (e) => e.action === 'login.failure' && e.actorUserId === null && (e.details as { siret?: string }).siret === x.person.siret,
    );
    expect(unknown.length).toBeGreaterThanOrEqual(1);
    const success = mine.find((e) => e.action === 'login.success')!;
    expect(success.ip).toBeTruthy();
    // across the file: inscriptions (first administrator and candidats) and decisions
    const all = new Set(rows.map((e) => e.action));
    for (const a of ['inscription.started', 'inscription.candidat', 'candidat.granted', 'candidat.refused', 'password.reset_requested'])
      expect(all, a).toContain(a);
    const granted = rows.filter((e) => e.action === 'candidat.granted');
    expect(granted.every((e) => e.actorUserId && e.targetUserId && e.espaceId)).toBe(true);

    // never a credential: passwords, secret answers, and every token or temporary password sent by mail
    await h.ctx.mail.flush();
    for (const m of h.mails) {
      for (const t of m.text.matchAll(/jeton=([A-Za-z0-9_-]+)/g)) secrets.add(t[1]!);
      for (const t of m.text.matchAll(/Mot de passe temporaire \(valable 12 heures\) : (\S+)/g)) secrets.add(t[1]!);
    }
    expect(secrets.size).toBeGreaterThan(20);
    const leaks: string[] = [];
    for (const row of rows) {
      const text = JSON.stringify(row);
      for (const s of secrets) if (text.includes(s)) leaks.push(`${row.action}: ${s}`);
    }
    expect(leaks).toEqual([]);
    // and the accounts hold hashes only
    const people = await h.ctx.db.select().from(users);
    for (const u of people) {
      expect(u.passwordHash ?? '$argon2id$').toMatch(/^\$argon2id\$/);
      expect(u.secretAnswerHash ?? '$argon2id$').toMatch(/^\$argon2id\$/);
      const text = JSON.stringify(u);
      for (const s of secrets) expect(text.includes(s), `users row contains a secret`).toBe(false);
    }
  });
});
