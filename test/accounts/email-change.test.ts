/**
 * Change of e-mail address (« Vos informations personnelles »): the current password
 * is required, a validation link goes to the new address, and the old address stays until the link
 * is used.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, tokens } from '../../src/infra/db/schema.js';
import { Client, createHarness, linkIn, type Harness } from '../harness.js';
import {
  lastMail,
  mailsTo,
  pageErrors,
  signedInAdministrator,
  stopHarness,
  tokenOf,
  tryLogin,
  userRow,
  VALIDATION_SUBJECT,
} from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => stopHarness(h));

const HOUR = 3_600_000;
const NOTICE_SUBJECT = 'Changement d’adresse électronique demandé';

describe('change of e-mail address', () => {
  it('requires the current password: without it or with a wrong one nothing is sent', async () => {
    const { client: c, person: p, userId } = await signedInAdministrator(h);
    const target = `nouvelle.${userId.slice(0, 8)}@exemple.fr`;
    await c.get('/menu/informations');
    const tokensBefore = await h.ctx.db.select().from(tokens).where(eq(tokens.userId, userId));

    let r = await c.form('/menu/informations/courriel', { email: target });
    expect(r.statusCode).toBe(400);
    expect(pageErrors(r.body)).toContain('Le mot de passe actuel est obligatoire.');
    r = await c.form('/menu/informations/courriel', { current: 'Mauvais-essai-42', email: target });
    expect(r.statusCode).toBe(400);
    expect(pageErrors(r.body)).toContain('Le mot de passe actuel est incorrect.');
    const j = await c.json('/menu/informations/courriel', { current: 'Mauvais-essai-42', email: target });
    expect(j.statusCode).toBe(400);
    expect((j.json() as { errors: Record<string, string> }).errors.current).toBe('Le mot de passe actuel est incorrect.');
    // the same address is not a change
    r = await c.form('/menu/informations/courriel', { current: p.password, email: p.email.toUpperCase() });
    expect(r.statusCode).toBe(400);
    expect(pageErrors(r.body)).toContain('C’est déjà votre adresse électronique.');

    expect(await mailsTo(h, target)).toEqual([]);
    expect((await mailsTo(h, p.email)).filter((m) => m.subject === NOTICE_SUBJECT)).toEqual([]);
    expect(await h.ctx.db.select().from(tokens).where(eq(tokens.userId, userId))).toEqual(tokensBefore);
    expect((await userRow(h, userId)).email).toBe(p.email);
  });

  it('sends a link to the new address; the old one stays until the link is used, then the new one replaces it', async () => {
    const { client: c, person: p, userId } = await signedInAdministrator(h);
    const target = `nouvelle.${userId.slice(0, 8)}@exemple.fr`;
    await c.get('/menu/informations');
    let r = await c.form('/menu/informations/courriel', { current: p.password, email: target });
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toBe('/menu/informations?notice=courriel-envoye');

    const mail = await lastMail(h, target, VALIDATION_SUBJECT);
    expect(mail.text).toContain('Tant qu’elle n’est pas validée, votre ancienne adresse reste utilisée.');
    const link = linkIn(mail.text, '/validation-courriel?jeton=');
    expect((await lastMail(h, p.email, NOTICE_SUBJECT)).text).toContain('prendra effet quand la nouvelle adresse aura été validée');

    // until then: the old address everywhere, and the mails still go there
    expect((await userRow(h, userId)).email).toBe(p.email);
    let page = await c.get('/menu/informations');
    expect(page.body).toContain(`<dd>${p.email}</dd>`);
    const anon = new Client(h);
    await anon.get('/mot-de-passe-oublie');
    await anon.form('/mot-de-passe-oublie', { siret: p.siret, nom: p.nom, prenom: p.prenom, methode: 'courriel' });
    expect((await mailsTo(h, p.email)).some((m) => m.subject === 'Réinitialisation de votre mot de passe')).toBe(true);
    expect((await mailsTo(h, target)).some((m) => m.subject === 'Réinitialisation de votre mot de passe')).toBe(false);

    // opening the link shows a page; only its button (a POST) changes the address
    expect((await anon.get(link)).statusCode).toBe(200);
    expect((await userRow(h, userId)).email).toBe(p.email);
    r = await anon.form('/validation-courriel', { jeton: tokenOf(link) });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Votre nouvelle adresse électronique est validée.');
    expect((await userRow(h, userId)).email).toBe(target);
    page = await c.get('/menu/informations');
    expect(page.body).toContain(`<dd>${target}</dd>`);
    // single use
    expect((await anon.get(link)).statusCode).toBe(410);
    r = await anon.form('/validation-courriel', { jeton: tokenOf(link) });
    expect(r.statusCode).toBe(410);
    // from now on the mails go to the new address
    await anon.form('/mot-de-passe-oublie', { siret: p.siret, nom: p.nom, prenom: p.prenom, methode: 'courriel' });
    expect((await mailsTo(h, target)).some((m) => m.subject === 'Réinitialisation de votre mot de passe')).toBe(true);
    const events = (await h.ctx.db.select().from(auditEvents).where(eq(auditEvents.actorUserId, userId))).map((e) => e.action);
    expect(events).toEqual(expect.arrayContaining(['email.change_requested', 'email.validated']));
  });

  it('a newer request retires the earlier link; an unused link expires after 48 hours', async () => {
    const { client: c, person: p, userId } = await signedInAdministrator(h);
    const first = `premiere.${userId.slice(0, 8)}@exemple.fr`;
    const second = `seconde.${userId.slice(0, 8)}@exemple.fr`;
    await c.get('/menu/informations');
    expect((await c.form('/menu/informations/courriel', { current: p.password, email: first })).statusCode).toBe(303);
    await c.get('/menu/informations');
    expect((await c.form('/menu/informations/courriel', { current: p.password, email: second })).statusCode).toBe(303);
    const firstLink = linkIn((await lastMail(h, first, VALIDATION_SUBJECT)).text, '/validation-courriel?jeton=');
    const secondLink = linkIn((await lastMail(h, second, VALIDATION_SUBJECT)).text, '/validation-courriel?jeton=');
    const anon = new Client(h);
    expect((await anon.get(firstLink)).statusCode).toBe(410);
    expect((await anon.form('/validation-courriel', { jeton: tokenOf(firstLink) })).statusCode).toBe(410);
    expect((await userRow(h, userId)).email).toBe(p.email);

    h.clock.advance(48 * HOUR + 60_000);
    expect((await anon.get(secondLink)).statusCode).toBe(410);
    expect((await anon.form('/validation-courriel', { jeton: tokenOf(secondLink) })).statusCode).toBe(410);
    expect((await userRow(h, userId)).email).toBe(p.email);
    // the account itself is untouched: same password
    expect((await tryLogin(new Client(h), p, p.password)).statusCode).toBe(303);
  });
});
