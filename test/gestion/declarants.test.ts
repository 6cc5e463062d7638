/**
 * « Gérer les déclarants »: add (invitation mail → password and secret question →
 * login), edit (login key recomputed, uniqueness kept), suspend (sessions out at once), reactivate,
 * remove (habilitations deleted with history rows), change e-mail (validated by a link); every route
 * scoped to the administrator's company, closed to déclarants, and bad input refused in French.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, espaces, habilitationHistory, habilitations, sessions, tokens, users } from '../../src/infra/db/schema.js';
import { loginKey } from '../../src/modules/accounts/login-key.js';
import { TRIPLET_TAKEN } from '../../src/modules/gestion/declarants.js';
import { INVITATION_SUBJECT } from '../../src/modules/gestion/invitation.js';
import { Client, createHarness, linkIn, type Harness } from '../harness.js';
import {
  FRENCH,
  lastMail,
  login,
  mailsTo,
  newPerson,
  pageErrors,
  rawPost,
  signedInAdministrator,
  stopHarness,
  tokenOf,
  tryLogin,
  userRow,
  VALIDATION_SUBJECT,
  type Person,
} from '../accounts/helpers.js';

let h: Harness;
type Admin = Awaited<ReturnType<typeof signedInAdministrator>>;
let A: Admin;
let B: Admin;

beforeAll(async () => {
  h = await createHarness({ registryCount: 30 });
  A = await signedInAdministrator(h);
  B = await signedInAdministrator(h);
});
afterAll(async () => stopHarness(h));

const fields = (p: Person) => ({ nom: p.nom, prenom: p.prenom, email: p.email, emailConfirm: p.email, telephone: p.telephone });

/** « Nouveau déclarant » through the form; returns the new person's id. */
async function addDeclarant(admin: Admin, p: Person): Promise<string> {
  const page = await admin.client.get('/gestion/declarants/nouveau');
  expect(page.statusCode).toBe(200);
  const r = await admin.client.form('/gestion/declarants/nouveau', fields(p));
  expect(r.statusCode, r.body).toBe(303);
  expect(r.headers.location).toBe('/gestion/declarants?notice=ajoute');
  const [u] = await h.ctx.db
    .select()
    .from(users)
    .where(
      and(
        eq(users.espaceId, admin.espaceId),
        eq(users.loginKey, loginKey(p.nom, p.prenom)),
        inArray(users.status, ['email_pending', 'active', 'suspended']),
      ),
    );
  return u!.id;
}

async function invitationLink(email: string): Promise<string> {
  const mail = await lastMail(h, email, INVITATION_SUBJECT);
  return linkIn(mail.text, '/invitation?jeton=');
}

/** Opens the invitation link and chooses the password and secret question. */
async function acceptInvitation(p: Person) {
  const c = new Client(h);
  const link = await invitationLink(p.email);
  const page = await c.get(link);
  expect(page.statusCode, page.body).toBe(200);
  expect(page.body).toContain('Choisissez votre mot de passe');
  const r = await c.form('/invitation', {
    jeton: tokenOf(link),
    password: p.password,
    passwordConfirm: p.password,
    secretQuestion: p.question,
    secretAnswer: p.answer,
  });
  expect(r.statusCode, r.body).toBe(303);
  expect(r.headers.location).toBe('/connexion?notice=invitation-acceptee');
  return link;
}

/** An active déclarant of `admin`'s company, signed in. */
async function signedInDeclarant(admin: Admin) {
  const p = newPerson(admin.person.siret);
  const id = await addDeclarant(admin, p);
  await acceptInvitation(p);
  const client = new Client(h);
  await login(client, p);
  return { client, person: p, id };
}

async function personState(id: string) {
  const u = await userRow(h, id);
  const live = await h.ctx.db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, id), isNull(sessions.revokedAt)));
  const habs = await h.ctx.db.select().from(habilitations).where(eq(habilitations.userId, id));
  return { user: u, liveSessions: live.length, habilitations: habs.length };
}

describe('Nouveau déclarant', () => {
  it('adds a déclarant, mails the invitation; the link sets the password and secret question; then the login works', async () => {
    const p = newPerson(A.person.siret);
    const id = await addDeclarant(A, p);
    const [espace] = await h.ctx.db.select().from(espaces).where(eq(espaces.id, A.espaceId));
    const u = await userRow(h, id);
    expect(u).toMatchObject({
      role: 'declarant',
      status: 'email_pending',
      siret: espace!.siret,
      passwordHash: null,
      email: p.email,
      telephone: p.telephone,
      emailValidatedAt: null,
    });

    const list = await A.client.get('/gestion/declarants?notice=ajoute');
    expect(list.body).toContain(p.email);
    expect(list.body).toContain('Invitation envoyée');
    expect(list.body).toContain('Le déclarant a été ajouté');
    const mail = await lastMail(h, p.email, INVITATION_SUBJECT);
    expect(mail.text).toContain('Vous avez été ajouté comme déclarant');
    expect(mail.text).toContain('choisissez votre mot de passe');
    expect(mail.text).toContain(A.person.nom);

    // no password yet: the login fails like any other
    expect((await tryLogin(new Client(h), p, p.password)).statusCode).toBe(401);

    const link = await acceptInvitation(p);
    const after = await userRow(h, id);
    expect(after.status).toBe('active');
    expect(after.emailValidatedAt).not.toBeNull();
    expect(after.secretQuestion).toBe(p.question);
    expect(after.secretAnswerHash).not.toContain(p.answer);

    // the link served once
    const again = await new Client(h).get(link);
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('n’est plus valable');

    const c = new Client(h);
    await login(c, p);
    const menu = await c.get('/menu');
    expect(menu.body).toContain(`${A.person.prenom} ${A.person.nom}`); // the administrator's name
    expect(menu.body).not.toContain('/gestion/declarants');
    expect(menu.body).not.toContain('>Gestion<');
    const json = await c.get('/menu', 'application/json');
    expect(json.json<{ administrateurs: { nom: string }[] }>().administrateurs.map((a) => a.nom)).toContain(A.person.nom);

    const actions = (await h.ctx.db.select().from(auditEvents).where(eq(auditEvents.targetUserId, id))).map((e) => e.action);
    expect(actions).toContain('declarant.added');
    const accepted = await h.ctx.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'invitation.accepted'), eq(auditEvents.actorUserId, id)));
    expect(accepted).toHaveLength(1);
    expect(JSON.stringify(await h.ctx.db.select().from(auditEvents))).not.toContain(p.password);
  });

  it('a double submission creates one person; the same names in other case or accents are taken too', async () => {
    const p = newPerson(A.person.siret);
    await A.client.get('/gestion/declarants/nouveau');
    const first = await A.client.form('/gestion/declarants/nouveau', fields(p));
    expect(first.statusCode).toBe(303);
    const second = await A.client.form('/gestion/declarants/nouveau', fields(p));
    expect(second.statusCode).toBe(400);
    expect(pageErrors(second.body)).toContain(TRIPLET_TAKEN);
    const upper = await A.client.form('/gestion/declarants/nouveau', {
      ...fields(p),
      nom: p.nom.toUpperCase(),
      prenom: p.prenom.toLowerCase(),
    });
    expect(upper.statusCode).toBe(400);
    // two at the same time (JSON): exactly one is created
    const q = newPerson(A.person.siret);
    const both = await Promise.all([
      A.client.json('/gestion/declarants/nouveau', fields(q)),
      A.client.json('/gestion/declarants/nouveau', fields(q)),
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([201, 400]);
    expect(both.find((r) => r.statusCode === 400)!.json<{ errors: Record<string, string> }>().errors.nom).toBe(TRIPLET_TAKEN);
    for (const x of [p, q]) {
      const rows = await h.ctx.db
        .select()
        .from(users)
        .where(and(eq(users.espaceId, A.espaceId), eq(users.loginKey, loginKey(x.nom, x.prenom))));
      expect(rows).toHaveLength(1);
    }
    // the administrator's own names are taken as well
    const mine = await A.client.form('/gestion/declarants/nouveau', {
      ...fields(newPerson(A.person.siret)),
      nom: A.person.nom,
      prenom: A.person.prenom,
    });
    expect(mine.statusCode).toBe(400);
  });

  it('refuses bad input on every field with a French message, and creates nothing', async () => {
    const base = fields(newPerson(A.person.siret));
    const cases: [string, Record<string, string>][] = [
      ['nom', { nom: '' }],
      ['nom', { nom: 'N'.repeat(51) }],
      ['nom', { nom: '<script>alert(1)</script>' }],
      ['nom', { nom: 'Robert1' }],
      ['prenom', { prenom: '' }],
      ['prenom', { prenom: 'P'.repeat(300) }],
      ['prenom', { prenom: "'; drop table users; --" }],
      ['email', { email: '', emailConfirm: '' }],
      ['email', { email: 'pas-une-adresse', emailConfirm: 'pas-une-adresse' }],
      ['email', { email: `${'a'.repeat(250)}@exemple.fr`, emailConfirm: `${'a'.repeat(250)}@exemple.fr` }],
      ['emailConfirm', { emailConfirm: 'autre@exemple.fr' }],
      ['emailConfirm', { emailConfirm: '' }],
      ['telephone', { telephone: '' }],
      ['telephone', { telephone: '12345' }],
      ['telephone', { telephone: '01 23 45 67 89 <b>' }],
      ['nom', { nom: 'Ab\u0000cd' }],
    ];
    const before = (await h.ctx.db.select().from(users)).length;
    await A.client.get('/gestion/declarants/nouveau');
    for (const [field, over] of cases) {
      const r = await A.client.form('/gestion/declarants/nouveau', { ...base, ...over });
      expect(r.statusCode, `${field} ${JSON.stringify(over)}`).toBe(400);
      const errs = pageErrors(r.body);
      expect(errs.length, field).toBeGreaterThan(0);
      for (const e of errs) expect(e).toMatch(FRENCH);
      expect(r.body).toContain(`id="${field}-messages"`);
      expect(r.body).not.toContain('<script>alert');
      const j = await A.client.json('/gestion/declarants/nouveau', { ...base, ...over });
      expect(j.statusCode).toBe(400);
      expect(j.json<{ errors: Record<string, string> }>().errors[field], field).toMatch(FRENCH);
    }
    // a body that is not an object at all
    const weird = await A.client.json('/gestion/declarants/nouveau', ['x']);
    expect(weird.statusCode).toBe(400);
    expect((await h.ctx.db.select().from(users)).length).toBe(before);
  });

  it('the invitation page refuses a weak password, a mismatch, a short question or answer, and a bad link', async () => {
    const p = newPerson(A.person.siret);
    const id = await addDeclarant(A, p);
    const link = await invitationLink(p.email);
    const jeton = tokenOf(link);
    const c = new Client(h);
    await c.get(link);
    const good = { jeton, password: p.password, passwordConfirm: p.password, secretQuestion: p.question, secretAnswer: p.answer };
    const cases: [string, Record<string, string>][] = [
      ['password', { password: '', passwordConfirm: '' }],
      ['password', { password: 'court', passwordConfirm: 'court' }],
      ['password', { password: 'x'.repeat(101), passwordConfirm: 'x'.repeat(101) }],
      ['password', { password: `${p.nom}-12`, passwordConfirm: `${p.nom}-12` }],
      ['passwordConfirm', { passwordConfirm: 'Autre-chose-99' }],
      ['secretQuestion', { secretQuestion: '' }],
      ['secretQuestion', { secretQuestion: 'Q ?' }],
      ['secretAnswer', { secretAnswer: '' }],
    ];
    for (const [field, over] of cases) {
      const r = await c.form('/invitation', { ...good, ...over });
      expect(r.statusCode, field).toBe(400);
      expect(r.body).toContain(`id="${field}-messages"`);
      for (const e of pageErrors(r.body)) expect(e).toMatch(FRENCH);
    }
    for (const bad of ['', 'x', 'a'.repeat(200), `${jeton}x`]) {
      expect((await c.form('/invitation', { ...good, jeton: bad })).statusCode).toBe(410);
      expect((await c.get(`/invitation?jeton=${encodeURIComponent(bad)}`)).statusCode).toBe(410);
    }
    expect((await userRow(h, id)).status).toBe('email_pending');
    // after 48 hours the link is gone; « Renvoyer l'invitation » sends a new one
    h.clock.advance(49 * 3_600_000);
    expect((await c.get(link)).statusCode).toBe(410);
    await A.client.get('/connexion'); // the admin session is idle: sign in again
    await login(A.client, A.person);
    const resend = await A.client.form(`/gestion/declarants/${id}/invitation`, {});
    expect(resend.headers.location).toBe('/gestion/declarants?notice=invitation-renvoyee');
    await acceptInvitation(p);
    expect((await userRow(h, id)).status).toBe('active');
    // nothing to resend once accepted
    expect((await A.client.form(`/gestion/declarants/${id}/invitation`, {})).statusCode).toBe(409);
  });
});

describe('Modifier, Suspendre, Réactiver, Supprimer, Changer le courriel', () => {
  it('edits nom, prénom, téléphone: the login key follows, the person is told, uniqueness is kept', async () => {
    const d = await signedInDeclarant(A);
    const other = await signedInDeclarant(A);
    const form = await A.client.get(`/gestion/declarants/${d.id}/modifier`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(`value="${d.person.nom}"`);

    const taken = await A.client.form(`/gestion/declarants/${d.id}/modifier`, {
      nom: other.person.nom.toUpperCase(),
      prenom: other.person.prenom,
      telephone: '01 99 99 99 99',
    });
    expect(taken.statusCode).toBe(400);
    expect(pageErrors(taken.body)).toContain(TRIPLET_TAKEN);
    for (const [field, over] of [
      ['nom', { nom: '' }],
      ['prenom', { prenom: '<img src=x>' }],
      ['telephone', { telephone: 'abc' }],
      ['telephone', { telephone: '0'.repeat(40) }],
    ] as [string, Record<string, string>][]) {
      const r = await A.client.form(`/gestion/declarants/${d.id}/modifier`, {
        nom: 'Nouveau',
        prenom: 'Nom',
        telephone: '01 99 99 99 99',
        ...over,
      });
      expect(r.statusCode, field).toBe(400);
      expect(r.body).toContain(`id="${field}-messages"`);
    }
    expect((await userRow(h, d.id)).nom).toBe(d.person.nom);

    const r = await A.client.form(`/gestion/declarants/${d.id}/modifier`, {
      nom: 'Dupré-Lenoir',
      prenom: 'Éloïse',
      telephone: '01 99 99 99 99',
    });
    expect(r.headers.location).toBe('/gestion/declarants?notice=modifie');
    const u = await userRow(h, d.id);
    expect(u).toMatchObject({
      nom: 'Dupré-Lenoir',
      prenom: 'Éloïse',
      telephone: '01 99 99 99 99',
      loginKey: loginKey('Dupré-Lenoir', 'Éloïse'),
    });
    const mail = await lastMail(h, d.person.email, 'Vos informations ont été modifiées');
    expect(mail.text).toContain('Dupré-Lenoir');
    expect((await tryLogin(new Client(h), d.person, d.person.password)).statusCode).toBe(401);
    expect(
      (await tryLogin(new Client(h), { siret: d.person.siret, nom: 'DUPRE-LENOIR', prenom: 'eloise' }, d.person.password)).statusCode,
    ).toBe(303);
    expect(
      (
        await h.ctx.db
          .select()
          .from(auditEvents)
          .where(and(eq(auditEvents.action, 'declarant.updated'), eq(auditEvents.targetUserId, d.id)))
      ).length,
    ).toBe(1);
  });

  it('suspending ends the déclarant’s open session at its next request; reactivation lets them in again', async () => {
    const d = await signedInDeclarant(A);
    expect((await d.client.get('/menu')).statusCode).toBe(200);
    await A.client.get('/gestion/declarants');
    const r = await A.client.form(`/gestion/declarants/${d.id}/suspendre`, {});
    expect(r.headers.location).toBe('/gestion/declarants?notice=suspendu');
    const s = await personState(d.id);
    expect(s.user.status).toBe('suspended');
    expect(s.liveSessions).toBe(0);
    const next = await d.client.get('/menu');
    expect(next.statusCode).toBe(303);
    expect(next.headers.location).toMatch(/^\/connexion/);
    expect((await tryLogin(new Client(h), d.person, d.person.password)).statusCode).toBe(401);
    expect((await lastMail(h, d.person.email, 'Votre compte net-entreprises est suspendu')).text).toContain(A.person.nom);
    const list = await A.client.get('/gestion/declarants');
    expect(list.body).toContain('Suspendu');
    expect(list.body).toContain(`Réactiver ${d.person.prenom} ${d.person.nom}`);
    // twice: refused, nothing changes
    expect((await A.client.form(`/gestion/declarants/${d.id}/suspendre`, {})).statusCode).toBe(409);

    const back = await A.client.form(`/gestion/declarants/${d.id}/reactiver`, {});
    expect(back.headers.location).toBe('/gestion/declarants?notice=reactive');
    expect((await userRow(h, d.id)).status).toBe('active');
    expect((await A.client.form(`/gestion/declarants/${d.id}/reactiver`, {})).statusCode).toBe(409);
    await login(new Client(h), d.person);
    const actions = (await h.ctx.db.select().from(auditEvents).where(eq(auditEvents.targetUserId, d.id))).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['declarant.suspended', 'declarant.reactivated']));
  });

  it('an administrator cannot suspend or remove themselves (nor so the last active administrator)', async () => {
    await A.client.get('/gestion/declarants');
    for (const action of ['suspendre', 'supprimer']) {
      const r = await A.client.form(`/gestion/declarants/${A.userId}/${action}`, {});
      expect(r.statusCode, action).toBe(409);
      expect(r.body).toMatch(/votre propre compte/);
      const j = await A.client.json(`/gestion/declarants/${A.userId}/${action}`, {});
      expect(j.statusCode).toBe(409);
    }
    expect((await userRow(h, A.userId)).status).toBe('active');
    expect((await A.client.get('/gestion/declarants')).statusCode).toBe(200);
  });

  it('removal asks for confirmation, then ends sessions, deletes habilitations with history rows and frees the names', async () => {
    const d = await signedInDeclarant(A);
    const now = h.clock.now();
    await h.ctx.db.insert(habilitations).values({
      userId: d.id,
      siret: A.person.siret,
      declarationCode: 'SOLTEA_EMPLOYEURS',
      declarer: true,
      payer: true,
      grantedAt: now,
      grantedBy: A.userId,
    });
    const confirm = await A.client.get(`/gestion/declarants/${d.id}/supprimer`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(`Supprimer ${d.person.prenom} ${d.person.nom} ?`);
    expect((await userRow(h, d.id)).status).toBe('active'); // a GET changes nothing
    const r = await A.client.form(`/gestion/declarants/${d.id}/supprimer`, {});
    expect(r.headers.location).toBe('/gestion/declarants?notice=supprime');
    const s = await personState(d.id);
    expect(s).toMatchObject({ liveSessions: 0, habilitations: 0 });
    expect(s.user.status).toBe('removed');
    const hist = await h.ctx.db.select().from(habilitationHistory).where(eq(habilitationHistory.userId, d.id));
    expect(hist).toEqual([
      expect.objectContaining({
        espaceId: A.espaceId,
        actorUserId: A.userId,
        declarationCode: 'SOLTEA_EMPLOYEURS',
        declarer: false,
        payer: false,
      }),
    ]);
    expect((await d.client.get('/menu')).statusCode).toBe(303);
    expect((await tryLogin(new Client(h), d.person, d.person.password)).statusCode).toBe(401);
    expect((await A.client.get('/gestion/declarants')).body).not.toContain(d.person.email);
    // gone: every action is now « introuvable »
    expect((await A.client.form(`/gestion/declarants/${d.id}/supprimer`, {})).statusCode).toBe(404);
    expect((await A.client.get(`/gestion/declarants/${d.id}/modifier`)).statusCode).toBe(404);
    // the same names can be added again
    await addDeclarant(A, { ...newPerson(A.person.siret), nom: d.person.nom, prenom: d.person.prenom });
  });

  it('changes the e-mail of an active déclarant through a validated link; of an invited one, by a new invitation', async () => {
    const d = await signedInDeclarant(A);
    const page = await A.client.get(`/gestion/declarants/${d.id}/courriel`);
    expect(page.statusCode).toBe(200);
    for (const [field, over] of [
      ['email', { email: '', emailConfirm: '' }],
      ['email', { email: 'x@', emailConfirm: 'x@' }],
      ['emailConfirm', { email: 'nouvelle@exemple.fr', emailConfirm: 'autre@exemple.fr' }],
      ['email', { email: d.person.email.toUpperCase(), emailConfirm: d.person.email }],
    ] as const) {
      const r = await A.client.form(`/gestion/declarants/${d.id}/courriel`, over);
      expect(r.statusCode, `${field} ${over.email}`).toBe(400);
      expect(r.body).toContain(`id="${field}-messages"`);
      for (const e of pageErrors(r.body)) expect(e).toMatch(FRENCH);
    }
    const fresh = `nouvelle.${d.id.slice(0, 8)}@exemple.fr`;
    const r = await A.client.form(`/gestion/declarants/${d.id}/courriel`, { email: fresh, emailConfirm: fresh });
    expect(r.headers.location).toBe('/gestion/declarants?notice=courriel-envoye');
    expect((await userRow(h, d.id)).email).toBe(d.person.email); // not before validation
    await lastMail(h, d.person.email, 'Changement d’adresse électronique demandé');
    const link = linkIn((await lastMail(h, fresh, VALIDATION_SUBJECT)).text, '/validation-courriel?jeton=');
    const c = new Client(h);
    expect((await c.get(link)).statusCode).toBe(200);
    expect((await c.form('/validation-courriel', { jeton: tokenOf(link) })).statusCode).toBe(200);
    expect((await userRow(h, d.id)).email).toBe(fresh);

    // an invited person: the invitation goes to the new address, the old link stops working
    const p = newPerson(A.person.siret);
    const id = await addDeclarant(A, p);
    const oldLink = await invitationLink(p.email);
    const other = `autre.${id.slice(0, 8)}@exemple.fr`;
    expect((await A.client.form(`/gestion/declarants/${id}/courriel`, { email: other, emailConfirm: other })).statusCode).toBe(303);
    expect((await userRow(h, id)).email).toBe(other);
    expect((await new Client(h).get(oldLink)).statusCode).toBe(410);
    await acceptInvitation({ ...p, email: other });
    expect(
      (
        await h.ctx.db
          .select()
          .from(auditEvents)
          .where(and(eq(auditEvents.action, 'declarant.email_change'), eq(auditEvents.targetUserId, id)))
      ).length,
    ).toBe(1);
  });
});

describe('another administrator’s e-mail', () => {
  it('cannot be changed by a co-administrator (403, French message, nothing changed); a déclarant’s and one’s own can', async () => {
    const co = await signedInDeclarant(A);
    await h.ctx.db.update(users).set({ role: 'administrateur' }).where(eq(users.id, co.id));
    const before = await userRow(h, co.id);
    const message = 'Vous ne pouvez pas changer l’adresse électronique d’un autre administrateur';
    const list = await A.client.get('/gestion/declarants');
    expect(list.body).not.toContain(`/gestion/declarants/${co.id}/courriel`);
    expect(list.body).toContain(`/gestion/declarants/${A.userId}/courriel`);
    const page = await A.client.get(`/gestion/declarants/${co.id}/courriel`);
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain(message);
    const pirate = `pirate.${co.id.slice(0, 8)}@exemple.fr`;
    const r = await A.client.form(`/gestion/declarants/${co.id}/courriel`, { email: pirate, emailConfirm: pirate });
    expect(r.statusCode).toBe(403);
    expect(r.body).toContain(message);
    const j = await A.client.json(`/gestion/declarants/${co.id}/courriel`, { email: pirate, emailConfirm: pirate });
    expect(j.statusCode).toBe(403);
    expect(j.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(JSON.parse(j.body)).toMatchObject({ status: 403, code: 'administrateur_protege' });
    expect(JSON.parse(j.body).message).toContain(message);
    expect(await userRow(h, co.id)).toEqual(before);
    expect(await mailsTo(h, pirate)).toHaveLength(0);
    expect(
      await h.ctx.db
        .select()
        .from(tokens)
        .where(and(eq(tokens.userId, co.id), eq(tokens.kind, 'email_change'))),
    ).toEqual([]);
    expect(
      await h.ctx.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.action, 'declarant.email_change'), eq(auditEvents.targetUserId, co.id))),
    ).toEqual([]);
    // one’s own address, through the same screen, is still possible
    const own = `moi.${A.userId.slice(0, 8)}@exemple.fr`;
    expect((await A.client.form(`/gestion/declarants/${A.userId}/courriel`, { email: own, emailConfirm: own })).statusCode).toBe(303);
  });
});

describe('scope', () => {
  it('another company’s administrator can neither see nor change a person: 404 on every route, nothing changes', async () => {
    const d = await signedInDeclarant(A);
    const invited = newPerson(A.person.siret);
    const invitedId = await addDeclarant(A, invited);
    const snapshot = async () => ({
      people: await h.ctx.db.select().from(users).where(eq(users.espaceId, A.espaceId)),
      sessions: (
        await h.ctx.db
          .select()
          .from(sessions)
          .where(and(eq(sessions.userId, d.id), isNull(sessions.revokedAt)))
      ).length,
      tokens: (
        await h.ctx.db
          .select()
          .from(tokens)
          .where(inArray(tokens.userId, [d.id, invitedId]))
      ).length,
      mails: (await mailsTo(h, d.person.email)).length + (await mailsTo(h, invited.email)).length,
    });
    const before = await snapshot();
    if ((await B.client.get('/gestion/declarants')).statusCode !== 200) await login(B.client, B.person); // idle after the clock moved
    for (const id of [d.id, invitedId, A.userId, '00000000-0000-0000-0000-000000000000', 'pas-un-identifiant', `${d.id}' or '1'='1`]) {
      const enc = encodeURIComponent(id);
      for (const page of ['modifier', 'supprimer', 'courriel']) {
        const r = await B.client.get(`/gestion/declarants/${enc}/${page}`);
        expect(r.statusCode, `${page} ${id}`).toBe(404);
        expect(r.body).toContain('introuvable');
      }
      const posts: [string, Record<string, string>][] = [
        ['modifier', { nom: 'Pirate', prenom: 'Jean', telephone: '01 23 45 67 89' }],
        ['suspendre', {}],
        ['reactiver', {}],
        ['supprimer', {}],
        ['courriel', { email: 'pirate@exemple.fr', emailConfirm: 'pirate@exemple.fr' }],
        ['invitation', {}],
        ['reinitialiser', {}],
      ];
      for (const [action, body] of posts) {
        const r = await B.client.form(`/gestion/declarants/${enc}/${action}`, body);
        expect(r.statusCode, `${action} ${id}`).toBe(404);
        const j = await B.client.json(`/gestion/declarants/${enc}/${action}`, body);
        expect(j.statusCode, `${action} ${id} json`).toBe(404);
      }
    }
    const list = await B.client.get('/gestion/declarants', 'application/json');
    const emails = list.json<{ declarants: { email: string }[] }>().declarants.map((x) => x.email);
    expect(emails).not.toContain(d.person.email);
    expect(emails).not.toContain(invited.email);
    expect(await snapshot()).toEqual(before);
    expect((await d.client.get('/menu')).statusCode).toBe(200);
  });

  it('a déclarant cannot reach any /gestion route (403) and changes nothing', async () => {
    const d = await signedInDeclarant(A);
    const victim = await signedInDeclarant(A);
    const before = await personState(victim.id);
    for (const url of [
      '/gestion/declarants',
      '/gestion/declarants/nouveau',
      `/gestion/declarants/${victim.id}/modifier`,
      `/gestion/declarants/${victim.id}/supprimer`,
      `/gestion/declarants/${victim.id}/courriel`,
    ]) {
      const r = await d.client.get(url);
      expect(r.statusCode, url).toBe(403);
      expect(r.body).toContain('réservée aux administrateurs');
    }
    await d.client.get('/menu');
    const posts: [string, Record<string, string>][] = [
      ['/gestion/declarants/nouveau', fields(newPerson(A.person.siret))],
      [`/gestion/declarants/${victim.id}/modifier`, { nom: 'Pirate', prenom: 'Jean', telephone: '01 23 45 67 89' }],
      [`/gestion/declarants/${victim.id}/suspendre`, {}],
      [`/gestion/declarants/${victim.id}/reactiver`, {}],
      [`/gestion/declarants/${victim.id}/supprimer`, {}],
      [`/gestion/declarants/${victim.id}/courriel`, { email: 'pirate@exemple.fr', emailConfirm: 'pirate@exemple.fr' }],
      [`/gestion/declarants/${victim.id}/invitation`, {}],
      [`/gestion/declarants/${victim.id}/reinitialiser`, {}],
      [`/gestion/declarants/${A.userId}/suspendre`, {}],
    ];
    const count = (await h.ctx.db.select().from(users)).length;
    for (const [url, body] of posts) {
      expect((await d.client.form(url, body)).statusCode, url).toBe(403);
      expect((await d.client.json(url, body)).statusCode, url).toBe(403);
    }
    expect((await h.ctx.db.select().from(users)).length).toBe(count);
    expect(await personState(victim.id)).toEqual(before);
    expect((await userRow(h, A.userId)).status).toBe('active');
  });

  it('a form posted without its CSRF token changes nothing', async () => {
    const d = await signedInDeclarant(A);
    const r = await rawPost(h, A.client, `/gestion/declarants/${d.id}/suspendre`, '', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(r.statusCode).toBe(403);
    expect((await userRow(h, d.id)).status).toBe('active');
    const p = newPerson(A.person.siret);
    const n = await rawPost(h, A.client, '/gestion/declarants/nouveau', new URLSearchParams(fields(p)).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(n.statusCode).toBe(403);
    expect(await h.ctx.db.select().from(users).where(eq(users.email, p.email))).toHaveLength(0);
  });
});
