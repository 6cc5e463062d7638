/**
 * « Mot de passe oublié », the three ways of the guide: the secret question (5 wrong answers →
 * 60 minutes), a single-use link valid one hour, and the administrator's reset with a temporary
 * password valid 12 hours that must be replaced (with a new secret question) before anything else.
 * No answer reveals whether an account exists.
 */
import { and, count, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demandes, sessions, tokens } from '../../src/infra/db/schema.js';
import { sha256 } from '../../src/infra/crypto.js';
import { QUESTION_PROMPT, QUESTION_RULE, WAYS } from '../../src/web/pages/forgotten-password.js';
import { Client, createHarness, linkIn, type Harness } from '../harness.js';
import {
  finishInscription,
  follow,
  freshSiret,
  lastMail,
  login,
  mailsTo,
  newPerson,
  pageErrors,
  registerAdministrator,
  registerCandidat,
  signedInAdministrator,
  stopHarness,
  tokenOf,
  tryLogin,
  userRow,
  walkToRecap,
  type Person,
} from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ registryCount: 40 }); // room for one fresh company per test
});
afterAll(async () => stopHarness(h));

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const RESET_SUBJECT = 'Réinitialisation de votre mot de passe';
const ADMIN_RESET_SUBJECT = 'Votre mot de passe a été réinitialisé par votre administrateur';

async function registered(): Promise<Person & { id: string }> {
  const p = newPerson(await freshSiret(h));
  const { userId } = await registerAdministrator(h, p);
  return { ...p, id: userId };
}

const triplet = (p: Pick<Person, 'siret' | 'nom' | 'prenom'>) => ({ siret: p.siret, nom: p.nom, prenom: p.prenom });

/** « Mot de passe oublié » page, then the triplet and the chosen way. */
async function forgot(c: Client, p: Pick<Person, 'siret' | 'nom' | 'prenom'>, methode: 'question' | 'courriel' | 'administrateur') {
  await c.get('/mot-de-passe-oublie');
  return c.form('/mot-de-passe-oublie', { ...triplet(p), methode });
}

/** An administrator A (signed in) and a second, active person B of the same company (a granted candidat). */
async function companyOfTwo() {
  const { client: ac, person: a, userId: aId } = await signedInAdministrator(h);
  const b = newPerson(a.siret);
  const { userId: bId } = await registerCandidat(h, b);
  const [d] = await h.ctx.db.select().from(demandes).where(eq(demandes.userId, bId));
  await ac.get('/menu/demandes');
  const r = await ac.form(`/menu/demandes/${d!.id}/accorder`, {});
  expect(r.headers.location).toBe('/menu/demandes?notice=accordee');
  return { ac, a, aId, b, bId };
}

describe('the page « Mot de passe oublié »', () => {
  it('offers the guide’s three ways in its words, states the 5 answers / 60 minutes rule before the first try, with « Annuler » and « Valider »', async () => {
    const r = await new Client(h).get('/mot-de-passe-oublie');
    expect(r.statusCode).toBe(200);
    expect(WAYS).toEqual({
      question: 'Utilisez la question secrète pour obtenir un nouveau mot de passe',
      courriel: 'Envoyez-vous « un mot de passe provisoire » pour vous connecter',
      administrateur: 'Envoyez une demande de génération de mot de passe à votre administrateur',
    });
    for (const label of Object.values(WAYS)) expect(r.body).toContain(label);
    expect(r.body).toContain('Au-delà de 5 réponses erronées, un délai d’attente de 60 minutes vous sera demandé.');
    expect(r.body).toMatch(/<a class="[^"]*" href="\/connexion">Annuler<\/a>/);
    expect(r.body).toMatch(/<button class="[^"]*" type="submit">Valider<\/button>/);
    expect(r.body).not.toContain('Étape suivante');
  });
});

describe('way 1: the secret question', () => {
  it('the right answer (case-sensitive) leads to a new password; the sessions end', async () => {
    const p = await registered();
    const s0 = new Client(h);
    await login(s0, p);
    const c = new Client(h);
    let r = await forgot(c, p, 'question');
    expect(r.statusCode).toBe(200);
    // the stored question is not shown before the person is identified; the rule is, before the first try
    expect(r.body).not.toContain(p.question);
    expect(r.body).toContain(QUESTION_PROMPT);
    expect(r.body).toContain(QUESTION_RULE);
    r = await c.form('/mot-de-passe-oublie/question', { answer: p.answer.toLowerCase() });
    expect(r.statusCode).toBe(400);
    expect(pageErrors(r.body)).toContain('La réponse ne permet pas de vous identifier.');
    r = await c.form('/mot-de-passe-oublie/question', { answer: p.answer });
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toBe('/mot-de-passe-oublie/nouveau');
    r = await c.get('/mot-de-passe-oublie/nouveau');
    expect(r.statusCode).toBe(200);
    // the new password follows the policy (here: it may not contain the person's name)
    r = await c.form('/mot-de-passe-oublie/nouveau', { password: `${p.nom}-12`, passwordConfirm: `${p.nom}-12` });
    expect(r.statusCode).toBe(400);
    r = await c.form('/mot-de-passe-oublie/nouveau', { password: 'Seigle-sarrasin-56', passwordConfirm: 'Seigle-sarrasin-56' });
    expect(r.statusCode, r.body).toBe(303);
    // the guide: « Vous accédez à votre menu personnalisé »
    expect(r.headers.location).toBe('/menu?notice=mot-de-passe-reinitialise');
    expect(c.cookies.has('__Host-reset-jeton')).toBe(false);
    const menu = await c.get('/menu?notice=mot-de-passe-reinitialise');
    expect(menu.statusCode).toBe(200);
    expect(menu.body).toContain('<h1>Menu personnalisé</h1>');
    expect(menu.body).toContain('Votre mot de passe a été réinitialisé. Vous êtes connecté');
    // single use
    r = await c.form('/mot-de-passe-oublie/nouveau', { password: 'Seigle-sarrasin-57', passwordConfirm: 'Seigle-sarrasin-57' });
    expect(r.statusCode).toBe(410);

    expect((await s0.get('/menu')).statusCode).toBe(303);
    expect((await tryLogin(new Client(h), p, p.password)).statusCode).toBe(401);
    expect((await tryLogin(new Client(h), p, 'Seigle-sarrasin-56')).statusCode).toBe(303);
    expect((await lastMail(h, p.email, 'Votre mot de passe a été modifié')).text).toContain('vient d’être modifié');
  });

  it('the question step lasts 30 minutes: a late answer starts the procedure again', async () => {
    const p = await registered();
    const c = new Client(h);
    await forgot(c, p, 'question');
    h.clock.advance(31 * MINUTE);
    const r = await c.form('/mot-de-passe-oublie/question', { answer: p.answer });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/mot-de-passe-oublie');
    const [row] = await h.ctx.db
      .select({ n: count() })
      .from(tokens)
      .where(and(eq(tokens.userId, p.id), eq(tokens.kind, 'password_reset')));
    expect(row!.n).toBe(0);
  });

  it('5 wrong answers lock the question for 60 minutes, even for the right answer, which is refused like a wrong one (JSON API)', async () => {
    const p = await registered();
    const c = new Client(h);
    const ask = async () => {
      const q = await c.json('/mot-de-passe-oublie', { ...triplet(p), methode: 'question' });
      expect(q.statusCode).toBe(200);
      expect(q.json()).toEqual({ message: `${QUESTION_PROMPT} ${QUESTION_RULE}` });
    };
    const refused = { code: 'reponse_incorrecte', message: 'La réponse ne permet pas de vous identifier.' };
    await ask();
    for (let i = 1; i <= 5; i++) {
      const r = await c.json('/mot-de-passe-oublie/question', { answer: `Mauvaise réponse ${i}` });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject(refused);
    }
    // locked: the right answer gets the same refusal (the page stated the rule before the first try)
    let r = await c.json('/mot-de-passe-oublie/question', { answer: p.answer });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject(refused);
    h.clock.advance(59 * MINUTE);
    await ask();
    r = await c.json('/mot-de-passe-oublie/question', { answer: p.answer });
    expect(r.statusCode).toBe(400);
    h.clock.advance(2 * MINUTE);
    await ask();
    r = await c.json('/mot-de-passe-oublie/question', { answer: p.answer });
    expect(r.statusCode, r.body).toBe(200);
    const jeton = (r.json() as { jeton: string }).jeton;
    expect(jeton.length).toBeGreaterThanOrEqual(40);
    r = await c.json('/mot-de-passe-oublie/nouveau', { jeton, password: 'Seigle-sarrasin-58', passwordConfirm: 'Seigle-sarrasin-58' });
    expect(r.statusCode, r.body).toBe(200);
    expect((await tryLogin(c, p, 'Seigle-sarrasin-58')).statusCode).toBe(303);
  });
});

describe('way 2: a link by e-mail', () => {
  it('single use; the old password stops working; every session ends', async () => {
    const p = await registered();
    const [s1, s2] = [new Client(h), new Client(h)];
    await login(s1, p);
    await login(s2, p);
    const c = new Client(h);
    let r = await forgot(c, p, 'courriel');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Si ces informations correspondent à un compte');
    const link = linkIn((await lastMail(h, p.email, RESET_SUBJECT)).text, '/reinitialisation?jeton=');
    r = await c.get(link);
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain(`name="jeton" value="${tokenOf(link)}"`);
    r = await c.form('/reinitialisation', { jeton: tokenOf(link), password: 'Pain-aux-noix-81', passwordConfirm: 'Pain-aux-noix-81' });
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toBe('/menu?notice=mot-de-passe-reinitialise');
    expect((await s1.get('/menu')).statusCode).toBe(303);
    expect((await s2.get('/menu')).statusCode).toBe(303);
    // the sessions before the reset are closed; only the one it opened remains, that of this browser
    const open = await h.ctx.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.userId, p.id), isNull(sessions.revokedAt)));
    expect(open.map((s) => s.idHash)).toEqual([sha256(c.cookies.get('__Host-sid')!)]);
    expect((await c.get('/menu')).statusCode).toBe(200);
    expect((await tryLogin(new Client(h), p, p.password)).statusCode).toBe(401);
    expect((await tryLogin(new Client(h), p, 'Pain-aux-noix-81')).statusCode).toBe(303);
    // used once: the link is dead
    const d = new Client(h);
    expect((await d.get(link)).statusCode).toBe(410);
    r = await d.form('/reinitialisation', { jeton: tokenOf(link), password: 'Pain-aux-noix-82', passwordConfirm: 'Pain-aux-noix-82' });
    expect(r.statusCode).toBe(410);
    expect((await tryLogin(d, p, 'Pain-aux-noix-81')).statusCode).toBe(303);
  });

  it('a link posted twice at once changes the password once', async () => {
    const p = await registered();
    const c = new Client(h);
    await forgot(c, p, 'courriel');
    const link = linkIn((await lastMail(h, p.email, RESET_SUBJECT)).text, '/reinitialisation?jeton=');
    const [x, y] = [new Client(h), new Client(h)];
    await x.get(link);
    await y.get(link);
    const answers = await Promise.all([
      x.form('/reinitialisation', { jeton: tokenOf(link), password: 'Pain-de-seigle-11', passwordConfirm: 'Pain-de-seigle-11' }),
      y.form('/reinitialisation', { jeton: tokenOf(link), password: 'Pain-de-seigle-22', passwordConfirm: 'Pain-de-seigle-22' }),
    ]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([303, 410]);
    const winner = answers[0]!.statusCode === 303 ? 'Pain-de-seigle-11' : 'Pain-de-seigle-22';
    const loser = winner === 'Pain-de-seigle-11' ? 'Pain-de-seigle-22' : 'Pain-de-seigle-11';
    expect((await tryLogin(c, p, loser)).statusCode).toBe(401);
    expect((await tryLogin(c, p, winner)).statusCode).toBe(303);
  });

  it('expires after one hour; a newer link retires the older one', async () => {
    const p = await registered();
    const c = new Client(h);
    await forgot(c, p, 'courriel');
    const first = linkIn((await lastMail(h, p.email, RESET_SUBJECT)).text, '/reinitialisation?jeton=');
    await forgot(c, p, 'courriel');
    const second = linkIn((await lastMail(h, p.email, RESET_SUBJECT)).text, '/reinitialisation?jeton=');
    expect(second).not.toBe(first);
    expect((await c.get(first)).statusCode).toBe(410);
    h.clock.advance(59 * MINUTE);
    expect((await c.get(second)).statusCode).toBe(200);
    h.clock.advance(2 * MINUTE);
    expect((await c.get(second)).statusCode).toBe(410);
    const r = await c.form('/reinitialisation', {
      jeton: tokenOf(second),
      password: 'Pain-aux-noix-83',
      passwordConfirm: 'Pain-aux-noix-83',
    });
    expect(r.statusCode).toBe(410);
    expect((await tryLogin(c, p, p.password)).statusCode).toBe(303);
  });
});

describe('way 3: ask the administrator', () => {
  it('the request waits in « Demande en attente »; the temporary password forces a new password and secret question first', async () => {
    const { ac, a, b, bId } = await companyOfTwo();
    const bc = new Client(h);
    await login(bc, b);

    const anon = new Client(h);
    let r = await forgot(anon, b, 'administrateur');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('votre demande a été transmise aux administrateurs');
    r = await forgot(anon, b, 'administrateur'); // asking twice makes one request
    const open = await h.ctx.db
      .select()
      .from(demandes)
      .where(and(eq(demandes.userId, bId), eq(demandes.kind, 'reinitialisation'), isNull(demandes.decidedAt)));
    expect(open).toHaveLength(1);
    expect((await lastMail(h, a.email, 'Demande en attente : réinitialisation de mot de passe')).text).toContain(`${b.prenom} ${b.nom}`);

    const list = await ac.get('/menu/demandes');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`${b.prenom} ${b.nom} demande la réinitialisation de son mot de passe`);
    const id = /\/menu\/demandes\/([0-9a-f-]{36})\/reinitialiser/.exec(list.body)?.[1];
    expect(id).toBe(open[0]!.id);
    r = await ac.form(`/menu/demandes/${id}/reinitialiser`, {});
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toBe('/menu/demandes?notice=reinitialise');
    expect((await ac.get('/menu/demandes')).body).toContain('Aucune demande en attente.');

    const mail = await lastMail(h, b.email, ADMIN_RESET_SUBJECT);
    const temp = /Mot de passe temporaire \(valable 12 heures\) : (\S+)/.exec(mail.text)?.[1];
    expect(temp).toBeTruthy();
    expect((await bc.get('/menu')).statusCode).toBe(303); // B's sessions ended
    expect((await tryLogin(bc, b, b.password)).statusCode).toBe(401);

    r = await tryLogin(bc, b, temp!);
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toBe('/menu/changement-obligatoire');
    for (const url of ['/menu', '/menu/informations', '/menu/sessions', '/menu/demandes', '/gestion/declarants', '/menu?x=1']) {
      const g = await bc.get(url);
      expect(g.statusCode, url).toBe(303);
      expect(g.headers.location, url).toBe('/menu/changement-obligatoire');
    }
    const api = await bc.get('/menu', 'application/json');
    expect(api.statusCode).toBe(403);
    const page = await bc.get('/menu/changement-obligatoire');
    expect(page.statusCode).toBe(200);
    const before = await userRow(h, bId);
    // another form is refused too
    r = await bc.form('/menu/informations/mot-de-passe', {
      current: temp!,
      password: 'Brioche-tressee-64',
      passwordConfirm: 'Brioche-tressee-64',
    });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/menu/changement-obligatoire');
    await bc.get('/menu/changement-obligatoire');
    // a new password alone is not enough: the secret question must change too
    r = await bc.form('/menu/changement-obligatoire', { password: 'Brioche-tressee-64', passwordConfirm: 'Brioche-tressee-64' });
    expect(r.statusCode).toBe(400);
    expect(pageErrors(r.body).join(' ')).toContain('question secrète est obligatoire');
    expect(await userRow(h, bId)).toEqual(before);
    expect((await bc.get('/menu')).headers.location).toBe('/menu/changement-obligatoire');

    r = await bc.form('/menu/changement-obligatoire', {
      password: 'Brioche-tressee-64',
      passwordConfirm: 'Brioche-tressee-64',
      secretQuestion: 'Quelle était ma première voiture ?',
      secretAnswer: 'Une quatre chevaux',
    });
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toBe('/menu?notice=identifiants-changes');
    expect((await bc.get('/menu')).statusCode).toBe(200);
    const after = await userRow(h, bId);
    expect(after.mustChangeCredentials).toBe(false);
    expect(after.secretQuestion).toBe('Quelle était ma première voiture ?');
    expect(after.secretAnswerHash).not.toBe(before.secretAnswerHash);

    const c = new Client(h);
    expect((await tryLogin(c, b, temp!)).statusCode).toBe(401);
    r = await tryLogin(c, b, 'Brioche-tressee-64');
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/menu');
    // the new secret answer is the one asked now
    const q = new Client(h);
    await forgot(q, b, 'question');
    const answered = await q.form('/mot-de-passe-oublie/question', { answer: 'Une quatre chevaux' });
    expect(answered.headers.location).toBe('/mot-de-passe-oublie/nouveau');
  });

  it('the temporary password expires after 12 hours', async () => {
    const { ac, b, bId } = await companyOfTwo();
    await ac.get('/menu');
    const r = await ac.form(`/gestion/declarants/${bId}/reinitialiser`, {});
    expect(r.statusCode, r.body).toBe(303);
    const temp = /Mot de passe temporaire \(valable 12 heures\) : (\S+)/.exec((await lastMail(h, b.email, ADMIN_RESET_SUBJECT)).text)?.[1];
    expect(temp).toBeTruthy();
    // the JSON API says so too
    const j = await new Client(h).json('/connexion', { siret: b.siret, nom: b.nom, prenom: b.prenom, password: temp });
    expect(j.statusCode).toBe(200);
    expect(j.json()).toMatchObject({ mustChangeCredentials: true });
    h.clock.advance(12 * HOUR - MINUTE);
    const early = await tryLogin(new Client(h), b, temp!);
    expect(early.statusCode).toBe(303);
    expect(early.headers.location).toBe('/menu/changement-obligatoire');
    h.clock.advance(2 * MINUTE);
    const late = await tryLogin(new Client(h), b, temp!);
    expect(late.statusCode).toBe(401);
    expect(pageErrors(late.body)).toHaveLength(1);
  });
});

describe('no answer reveals whether an account exists', () => {
  /** Both bodies from the same client (same CSRF token), so they can be compared byte for byte. */
  it('the same status and page for an existing and a non-existing triplet, for each way', async () => {
    const e = await registered();
    const ghost = { siret: e.siret, nom: 'Fantome', prenom: 'Personne' };
    const c = new Client(h);
    await c.get('/mot-de-passe-oublie');
    const mailsBefore = (await mailsTo(h, e.email)).length;

    for (const methode of ['courriel', 'administrateur'] as const) {
      const real = await c.form('/mot-de-passe-oublie', { ...triplet(e), methode });
      const fake = await c.form('/mot-de-passe-oublie', { ...ghost, methode });
      expect(fake.statusCode, methode).toBe(real.statusCode);
      expect(fake.body, methode).toBe(real.body);
      const realJson = await c.json('/mot-de-passe-oublie', { ...triplet(e), methode });
      const fakeJson = await c.json('/mot-de-passe-oublie', { ...ghost, methode });
      expect([fakeJson.statusCode, fakeJson.body]).toEqual([realJson.statusCode, realJson.body]);
    }
    // (the real person did get their link; the administrator of their company — themselves — the request)
    expect((await mailsTo(h, e.email)).length).toBeGreaterThan(mailsBefore);

    // way 1: no question shown, the same page and JSON for both (an hour later: « mot de passe
    // oublié » takes 5 requests an hour for one person)
    h.clock.advance(61 * MINUTE);
    const real = await c.form('/mot-de-passe-oublie', { ...triplet(e), methode: 'question' });
    const fake = await c.form('/mot-de-passe-oublie', { ...ghost, methode: 'question' });
    expect([fake.statusCode, fake.body]).toEqual([real.statusCode, real.body]);
    expect(real.body).not.toContain(e.question);
    const jr = await c.json('/mot-de-passe-oublie', { ...triplet(e), methode: 'question' });
    const jf = await c.json('/mot-de-passe-oublie', { ...ghost, methode: 'question' });
    expect([jf.statusCode, jf.body]).toEqual([jr.statusCode, jr.body]);
    expect(jr.json()).not.toHaveProperty('question');

    // a wrong answer looks the same for both
    await c.form('/mot-de-passe-oublie', { ...triplet(e), methode: 'question' });
    const wrongReal = await c.form('/mot-de-passe-oublie/question', { answer: 'Pas la bonne' });
    await c.form('/mot-de-passe-oublie', { ...ghost, methode: 'question' });
    const wrongFake = await c.form('/mot-de-passe-oublie/question', { answer: 'Pas la bonne' });
    expect([wrongFake.statusCode, wrongFake.body]).toEqual([wrongReal.statusCode, wrongReal.body]);
  });

  it('a person whose address is not validated yet gets the same answers as nobody', async () => {
    const siret = await freshSiret(h);
    const pending = newPerson(siret);
    const pc = new Client(h);
    await walkToRecap(pc, pending);
    await finishInscription(pc);
    const ghost = { siret, nom: 'Fantome', prenom: 'Personne' };
    const c = new Client(h);
    await c.get('/mot-de-passe-oublie');
    const mails = (await mailsTo(h, pending.email)).length;
    for (const methode of ['courriel', 'administrateur'] as const) {
      const real = await c.form('/mot-de-passe-oublie', { ...triplet(pending), methode });
      const fake = await c.form('/mot-de-passe-oublie', { ...ghost, methode });
      expect([fake.statusCode, fake.body]).toEqual([real.statusCode, real.body]);
    }
    expect((await mailsTo(h, pending.email)).length).toBe(mails);
    const q = await follow(c, '/mot-de-passe-oublie');
    expect(q.statusCode).toBe(200);
    const real = await c.form('/mot-de-passe-oublie', { ...triplet(pending), methode: 'question' });
    expect(real.body).not.toContain(pending.question);
  });
});
