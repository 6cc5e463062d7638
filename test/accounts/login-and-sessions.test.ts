/**
 * Connexion and sessions (docs/regles.md#comptes): one generic message,
 * lockout counted atomically, a new session id at each login, idle and absolute time-outs, logout
 * here and everywhere, the session cookie's attributes, a password change ends the other sessions,
 * and no GET changes anything.
 */
import { and, eq, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/infra/crypto.js';
import * as schema from '../../src/infra/db/schema.js';
import { auditEvents, sessions, tokens, users } from '../../src/infra/db/schema.js';
import { GENERIC_LOGIN_ERROR } from '../../src/modules/accounts/login.js';
import { Client, createHarness, linkIn, type Harness } from '../harness.js';
import {
  finishInscription,
  freshSiret,
  lastMail,
  login,
  loginThrottleKey,
  newPerson,
  pageErrors,
  registerAdministrator,
  signedInAdministrator,
  startFields,
  stopHarness,
  throttleRow,
  tryLogin,
  userIdOf,
  VALIDATION_SUBJECT,
  walkToRecap,
  type Person,
} from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ registryCount: 40 }); // room for one fresh company per test
});
afterAll(async () => stopHarness(h));

const MINUTE = 60_000;
const SID = '__Host-sid';

/** A registered, validated administrator of a fresh company (not signed in). */
async function registered(): Promise<Person & { id: string }> {
  const p = newPerson(await freshSiret(h));
  const { userId } = await registerAdministrator(h, p);
  return { ...p, id: userId };
}

const menuStatus = async (c: Client) => (await c.get('/menu')).statusCode;

describe('connexion', () => {
  it('gives the same message, byte for byte, for an unknown account, a wrong password, a locked and a suspended account', async () => {
    const a = await registered();
    const locked = await registered();
    const suspended = await registered();
    const c = new Client(h);
    for (let i = 0; i < 5; i++) expect((await tryLogin(c, locked, 'Mauvais-essai-99')).statusCode).toBe(401);
    expect((await throttleRow(h, loginThrottleKey(locked)))?.failures).toBe(5);
    // suspension has no HTTP route yet (« Gérer les déclarants »): the status is set directly
    await h.ctx.db.update(users).set({ status: 'suspended' }).where(eq(users.id, suspended.id));

    const cases: [string, { siret: string; nom: string; prenom: string; password: string }][] = [
      ['unknown', { siret: a.siret, nom: 'Inconnu', prenom: a.prenom, password: a.password }],
      ['wrong password', { siret: a.siret, nom: a.nom, prenom: a.prenom, password: 'Mauvais-essai-98' }],
      ['locked', { siret: locked.siret, nom: locked.nom, prenom: locked.prenom, password: locked.password }],
      ['suspended', { siret: suspended.siret, nom: suspended.nom, prenom: suspended.prenom, password: suspended.password }],
    ];
    const pages: string[] = [];
    const jsonBodies: string[] = [];
    for (const [label, t] of cases) {
      const j = await c.json('/connexion', t);
      expect(j.statusCode, label).toBe(401);
      expect(JSON.parse(j.body), label).toMatchObject({ message: GENERIC_LOGIN_ERROR, errors: {}, status: 401 });
      jsonBodies.push(j.body);
      expect(j.headers['set-cookie'] ?? '', label).not.toContain(SID);
      const r = await tryLogin(c, t, t.password);
      expect(r.statusCode, label).toBe(401);
      expect(pageErrors(r.body), label).toEqual([GENERIC_LOGIN_ERROR]);
      // the whole page is the same once the echoed siret / nom / prénom are blanked
      pages.push(
        r.body
          .replaceAll(`value="${t.siret}"`, 'value="S"')
          .replaceAll(`value="${t.nom}"`, 'value="N"')
          .replaceAll(`value="${t.prenom}"`, 'value="P"'),
      );
    }
    expect(new Set(pages).size).toBe(1);
    expect(new Set(jsonBodies).size).toBe(1);
    // and the suspended or locked person, with the right password, got no session
    const live = await h.ctx.db.select().from(sessions).where(eq(sessions.userId, suspended.id));
    expect(live).toEqual([]);
  });

  it('blocks an account from one address for 15 minutes after 5 failures, even with the right password', async () => {
    const p = await registered();
    const key = loginThrottleKey(p);
    const c = new Client(h);
    for (let i = 1; i <= 4; i++) {
      expect((await tryLogin(c, p, `Mauvais-essai-${10 + i}`)).statusCode).toBe(401);
      expect(await throttleRow(h, key)).toMatchObject({ failures: i });
    }
    // names are matched without case or accents: « VAILLANT… » counts on the same account
    expect((await tryLogin(c, { ...p, nom: p.nom.toUpperCase(), prenom: p.prenom.toLowerCase() }, 'Mauvais-essai-15')).statusCode).toBe(
      401,
    );
    const row = await throttleRow(h, key);
    expect(row?.failures).toBe(5);
    const blockedUntil = row!.windowStartedAt.getTime() + 15 * MINUTE;
    expect(blockedUntil).toBe(h.clock.now().getTime() + 15 * MINUTE);
    const locked = await tryLogin(c, p, p.password);
    expect(locked.statusCode).toBe(401);
    expect(pageErrors(locked.body)).toEqual([GENERIC_LOGIN_ERROR]); // the same answer as a wrong password
    h.clock.advance(15 * MINUTE - 1000);
    expect((await tryLogin(c, p, p.password)).statusCode).toBe(401);
    expect((await throttleRow(h, key))?.windowStartedAt).toEqual(row?.windowStartedAt); // trying while blocked does not extend it
    h.clock.advance(1000);
    const ok = await tryLogin(c, p, p.password);
    expect(ok.statusCode, ok.body).toBe(303);
    expect((await throttleRow(h, key))?.failures).toBe(0); // a success starts the count afresh
    const actions = (await h.ctx.db.select().from(auditEvents).where(eq(auditEvents.actorUserId, p.id))).map((e) => e.action);
    expect(actions.filter((a) => a === 'login.failure')).toHaveLength(5);
    expect(actions.filter((a) => a === 'login.locked')).toHaveLength(2);
    expect(actions).toContain('login.success');
  });

  it('counts attempts atomically before checking the password: 19 wrong and 1 right at once verify at most 5, and the block holds', async () => {
    const p = await registered();
    const clients = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const c = new Client(h, '198.51.100.77');
        await c.get('/connexion');
        return c;
      }),
    );
    const since = h.clock.now();
    const right = 13;
    const answers = await Promise.all(
      clients.map((c, i) =>
        c.json('/connexion', {
          siret: p.siret,
          nom: i % 2 ? p.nom.toUpperCase() : p.nom,
          prenom: p.prenom,
          password: i === right ? p.password : `Mauvais-essai-${20 + i}`,
        }),
      ),
    );
    // refused: the generic 401, or 429 once the account is also slowed down; the right one passes only among the first five
    const statuses = answers.map((r) => r.statusCode);
    expect(statuses.filter((s) => s !== 401 && s !== 429 && !(s === 200 && statuses.indexOf(200) === right))).toEqual([]);
    const events = await h.ctx.db.select().from(auditEvents).where(eq(auditEvents.actorUserId, p.id));
    const verified = events.filter((e) => (e.action === 'login.failure' || e.action === 'login.success') && e.at >= since).length;
    const refused = events.filter((e) => e.action === 'login.locked' && e.at >= since).length;
    expect(verified).toBeLessThanOrEqual(5); // never more guesses than the limit, however many arrive at once
    expect(verified + refused).toBe(20);
    // whether or not the right password came among the first five, the block is in force afterwards
    expect([401, 429]).toContain((await tryLogin(clients[0]!, p, p.password)).statusCode);
    const row = await throttleRow(h, loginThrottleKey(p, '198.51.100.77'));
    expect(row?.failures).toBe(5);
  });

  it('an attacker elsewhere cannot keep the real person out: the block is per address, other addresses are only slowed down', async () => {
    const p = await registered();
    const attacker = new Client(h, '203.0.113.7');
    for (let i = 0; i < 8; i++) await tryLogin(attacker, p, `Mauvais-essai-${30 + i}`);
    expect((await tryLogin(attacker, p, p.password)).statusCode).toBe(401); // blocked from the attacker's address
    const person = new Client(h, '198.51.100.20');
    const ok = await tryLogin(person, p, p.password);
    expect(ok.statusCode, ok.body).toBe(303);
  });

  it('an attack from many addresses is slowed down (429 with Retry-After, at most a minute), not turned into a lock', async () => {
    const p = await registered();
    for (let i = 0; i < 10; i++)
      expect((await tryLogin(new Client(h, `192.0.2.${i + 1}`), p, `Mauvais-essai-${40 + i}`)).statusCode).toBe(401);
    const c = new Client(h, '192.0.2.200');
    await c.get('/connexion');
    const slowed = await c.json('/connexion', { siret: p.siret, nom: p.nom, prenom: p.prenom, password: 'Mauvais-essai-99' });
    expect(slowed.statusCode).toBe(429);
    expect(Number(slowed.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(slowed.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(slowed.json()).toMatchObject({ code: 'trop_de_tentatives', status: 429 });
    expect(slowed.json<{ message: string }>().message).toMatch(/^Trop de tentatives de connexion : réessayez dans \d+ secondes?\.$/);
    h.clock.advance(61_000);
    expect((await tryLogin(new Client(h, '198.51.100.21'), p, p.password)).statusCode).toBe(303);
  });

  it('password spraying from one address: after 30 attempts on any accounts, 429 with Retry-After', async () => {
    const c = new Client(h, '203.0.113.99');
    await c.get('/connexion');
    for (let i = 0; i < 30; i++) {
      const r = await c.json('/connexion', {
        siret: '99900100100018',
        nom: `Inconnu`,
        prenom: `Personne${'abcdefghijklmnopqrstuvwxyzab'[i]}`,
        password: 'Essai-12',
      });
      expect(r.statusCode).toBe(401);
    }
    const r = await c.json('/connexion', { siret: '99900100100018', nom: 'Autre', prenom: 'Personne', password: 'Essai-12' });
    expect(r.statusCode).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(60);
  });
});

describe('sessions', () => {
  it('gives a new session id at each login, stored hashed, and ignores an id planted before login', async () => {
    const p = await registered();
    const c = new Client(h);
    await login(c, p);
    const first = c.cookies.get(SID)!;
    expect(first.length).toBeGreaterThanOrEqual(40);
    const [row] = await h.ctx.db
      .select()
      .from(sessions)
      .where(eq(sessions.idHash, sha256(first)));
    expect(row?.userId).toBe(p.id);
    expect(await h.ctx.db.select().from(sessions).where(eq(sessions.idHash, first))).toEqual([]);
    await login(c, p);
    const second = c.cookies.get(SID)!;
    expect(second).not.toBe(first);

    const planted = new Client(h);
    planted.cookies.set(SID, 'identifiant-choisi-par-un-attaquant-0123456789abcdef');
    await login(planted, p);
    expect(planted.cookies.get(SID)).not.toBe('identifiant-choisi-par-un-attaquant-0123456789abcdef');
    expect([first, second]).not.toContain(planted.cookies.get(SID));

    // after login, only a local path is followed
    for (const [retour, to] of [
      ['/menu/informations', '/menu/informations'],
      ['//evil.example/menu', '/menu'],
      ['https://evil.example', '/menu'],
      ['/\\evil.example', '/menu'],
    ]) {
      const c2 = new Client(h);
      await c2.get('/connexion');
      const r = await c2.form('/connexion', { siret: p.siret, nom: p.nom, prenom: p.prenom, password: p.password, retour: retour! });
      expect(r.headers.location, retour).toBe(to);
    }
  });

  it('sets the session cookie as __Host-sid; HttpOnly; Secure; SameSite=Lax; Path=/ (and the other cookies alike)', async () => {
    const p = await registered();
    const c = new Client(h);
    const r = await tryLogin(c, p, p.password);
    expect(r.statusCode).toBe(303);
    const all = ([] as string[]).concat(r.headers['set-cookie'] ?? []);
    const sid = all.find((x) => x.startsWith(`${SID}=`));
    expect(sid).toBeDefined();
    const attrs = sid!.split(';').map((s) => s.trim().toLowerCase());
    expect(attrs).toEqual(expect.arrayContaining(['path=/', 'httponly', 'secure', 'samesite=lax']));
    expect(attrs.some((a) => a.startsWith('domain='))).toBe(false);
    // the anonymous CSRF cookie and the inscription cookie follow the same rules
    const anon = new Client(h);
    const page = await anon.get('/inscription');
    const csrf = ([] as string[]).concat(page.headers['set-cookie'] ?? []).find((x) => x.startsWith('__Host-csrf='));
    const start = await anon.form('/inscription', startFields(newPerson(await freshSiret(h))));
    const draft = ([] as string[]).concat(start.headers['set-cookie'] ?? []).find((x) => x.startsWith('__Host-inscription='));
    for (const cookie of [csrf, draft]) {
      expect(cookie).toBeDefined();
      const a = cookie!.split(';').map((s) => s.trim().toLowerCase());
      expect(a).toEqual(expect.arrayContaining(['path=/', 'httponly', 'secure', 'samesite=lax']));
      expect(a.some((x) => x.startsWith('domain='))).toBe(false);
    }
  });

  it('ends a session idle for 30 minutes', async () => {
    const p = await registered();
    const c = new Client(h);
    await login(c, p);
    h.clock.advance(29 * MINUTE);
    expect(await menuStatus(c)).toBe(200);
    h.clock.advance(29 * MINUTE);
    expect(await menuStatus(c)).toBe(200);
    h.clock.advance(30 * MINUTE);
    const r = await c.get('/menu');
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/connexion?retour=%2Fmenu');
    expect(c.cookies.has(SID)).toBe(false);
    const json = await h.server.inject({ method: 'GET', url: '/menu', headers: { accept: 'application/json' } });
    expect(json.statusCode).toBe(401);
  });

  it('ends a session 12 hours after login even when it is used every 20 minutes', async () => {
    const p = await registered();
    const c = new Client(h);
    await login(c, p);
    const sid = c.cookies.get(SID)!;
    for (let k = 1; k < 36; k++) {
      h.clock.advance(20 * MINUTE);
      expect(await menuStatus(c), `after ${k * 20} minutes`).toBe(200);
    }
    h.clock.advance(20 * MINUTE); // 12 hours
    expect(await menuStatus(c)).toBe(303);
    // the cookie value alone is useless now
    const replay = await h.server.inject({ method: 'GET', url: '/menu', headers: { cookie: `${SID}=${sid}`, accept: 'text/html' } });
    expect(replay.statusCode).toBe(303);
  });

  it('« se déconnecter » ends this session; « se déconnecter partout » ends all of them', async () => {
    const p = await registered();
    const [c1, c2, c3] = [new Client(h), new Client(h), new Client(h)];
    for (const c of [c1, c2, c3]) await login(c, p);
    let list = await c2.get('/menu/sessions', 'application/json');
    expect((list.json() as { sessions: { current: boolean }[] }).sessions.map((s) => s.current).sort()).toEqual([false, false, true]);

    let r = await c1.form('/deconnexion', {});
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/connexion?notice=deconnecte');
    expect(await menuStatus(c1)).toBe(303);
    expect(await menuStatus(c2)).toBe(200);
    expect(await menuStatus(c3)).toBe(200);
    list = await c2.get('/menu/sessions', 'application/json');
    expect((list.json() as { sessions: unknown[] }).sessions).toHaveLength(2);

    await c2.get('/menu/sessions');
    r = await c2.form('/deconnexion-partout', {});
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/connexion?notice=deconnecte-partout');
    expect(await menuStatus(c2)).toBe(303);
    expect(await menuStatus(c3)).toBe(303);
    const open = await h.ctx.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.userId, p.id)));
    expect(open.every((s) => s.revokedAt !== null)).toBe(true);
    const actions = (await h.ctx.db.select().from(auditEvents).where(eq(auditEvents.actorUserId, p.id))).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['logout', 'logout.all']));
    await login(c3, p);
  });

  it('changing the password ends the other sessions, keeps this one; the old password stops working', async () => {
    const p = await registered();
    const [c1, c2] = [new Client(h), new Client(h)];
    await login(c1, p);
    await login(c2, p);
    await c1.get('/menu/informations');
    const r = await c1.form('/menu/informations/mot-de-passe', {
      current: p.password,
      password: 'Levain-du-soir-31',
      passwordConfirm: 'Levain-du-soir-31',
    });
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toBe('/menu/informations?notice=mot-de-passe-change');
    expect(await menuStatus(c1)).toBe(200);
    expect(await menuStatus(c2)).toBe(303);
    const c = new Client(h);
    expect((await tryLogin(c, p, p.password)).statusCode).toBe(401);
    expect((await tryLogin(c, p, 'Levain-du-soir-31')).statusCode).toBe(303);
  });
});

describe('GET never changes state', () => {
  /** Every row of every table, in a stable order. */
  async function dump() {
    const out: Record<string, string[]> = {};
    for (const [name, table] of Object.entries(schema)) {
      if (!is(table, PgTable)) continue;
      const rows = await h.ctx.db.select().from(table);
      out[name] = rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  }

  it('no GET — even one naming a state-changing action or carrying a live token — changes a row', async () => {
    const { client: a, person: admin } = await signedInAdministrator(h);
    // a person whose address is not validated yet, and their validation link
    const pending = newPerson(await freshSiret(h));
    const pc = new Client(h);
    await walkToRecap(pc, pending);
    await finishInscription(pc);
    const validation = linkIn((await lastMail(h, pending.email, VALIDATION_SUBJECT)).text, '/validation-courriel?jeton=');
    // a password reset link for the administrator
    const anon = new Client(h);
    await anon.get('/mot-de-passe-oublie');
    await anon.form('/mot-de-passe-oublie', { siret: admin.siret, nom: admin.nom, prenom: admin.prenom, methode: 'courriel' });
    const reset = linkIn((await lastMail(h, admin.email, 'Réinitialisation de votre mot de passe')).text, '/reinitialisation?jeton=');
    const resetToken = new URL(`http://x${reset}`).searchParams.get('jeton')!;
    // an inscription at its first step
    const d = new Client(h);
    await d.form('/inscription', startFields(newPerson(await freshSiret(h))));

    const before = await dump();
    const q = (o: Record<string, string>) => new URLSearchParams(o).toString();
    const signedIn = [
      '/menu',
      '/menu/informations',
      '/menu/sessions',
      '/menu/demandes',
      '/gestion/declarants',
      '/deconnexion',
      '/deconnexion-partout',
      `/menu/informations/mot-de-passe?${q({ current: admin.password, password: 'Get-ne-change-rien-12', passwordConfirm: 'Get-ne-change-rien-12' })}`,
      `/menu/informations/courriel?${q({ current: admin.password, email: 'get@exemple.fr' })}`,
      '/menu/changement-obligatoire',
      `/menu/demandes/00000000-0000-0000-0000-000000000000/accorder`,
      `/gestion/declarants/${admin.siret}/reinitialiser`,
    ];
    for (const url of signedIn) {
      const r = await a.get(url);
      expect(r.statusCode, url).toBeLessThan(500);
    }
    const anonymous = [
      validation,
      `${validation}&valider=1`,
      reset,
      `/reinitialisation?${q({ jeton: resetToken, password: 'Get-ne-change-rien-12', passwordConfirm: 'Get-ne-change-rien-12' })}`,
      `/connexion?${q({ siret: admin.siret, nom: admin.nom, prenom: admin.prenom, password: 'Mauvais-essai-77' })}`,
      `/mot-de-passe-oublie?${q({ siret: admin.siret, nom: admin.nom, prenom: admin.prenom, methode: 'administrateur' })}`,
      `/inscription?${q(startFields(newPerson(await freshSiret(h))))}`,
      '/validation-courriel/renvoyer',
    ];
    for (const url of anonymous) {
      const r = await anon.get(url);
      expect(r.statusCode, url).toBeLessThan(500);
    }
    for (const url of [
      '/inscription/conditions?decision=accepte',
      '/inscription/conditions?decision=refuse',
      '/inscription/identification',
      '/inscription/renvoyer',
    ]) {
      const r = await d.get(url);
      expect(r.statusCode, url).toBeLessThan(500);
    }
    expect(await dump()).toEqual(before);
    // and so: still signed in, still pending, the links still live
    expect(await menuStatus(a)).toBe(200);
    const [u] = await h.ctx.db
      .select()
      .from(users)
      .where(eq(users.id, await userIdOf(h, pending)));
    expect(u?.status).toBe('email_pending');
    const live = await h.ctx.db
      .select()
      .from(tokens)
      .where(eq(tokens.tokenHash, sha256(resetToken)));
    expect(live[0]?.usedAt).toBeNull();
  });
});

describe('« Vos informations personnelles »: the open sessions, each closable', () => {
  it('lists the sessions (the current one marked) and closes another one at once; the current one is closed by « Se déconnecter »', async () => {
    const p = await registered();
    const laptop = new Client(h, '198.51.100.31');
    const phone = new Client(h, '198.51.100.32');
    await login(laptop, p);
    await login(phone, p);
    const page = await laptop.get('/menu/informations');
    expect(page.body).toContain('Vos sessions ouvertes');
    expect(page.body).toContain('(cette session)');
    expect(page.body).toContain('198.51.100.32');
    const listed = await laptop.get('/menu/sessions', 'application/json');
    const sessionsOf = listed.json<{ sessions: { ref: string; current: boolean; ip: string }[] }>().sessions;
    expect(sessionsOf).toHaveLength(2);
    const other = sessionsOf.find((s) => !s.current)!;
    const mine = sessionsOf.find((s) => s.current)!;
    expect(other.ip).toBe('198.51.100.32');

    expect((await laptop.form(`/menu/sessions/${mine.ref}/fermer`, {})).statusCode).toBe(409);
    const closed = await laptop.form(`/menu/sessions/${other.ref}/fermer`, {});
    expect(closed.statusCode).toBe(303);
    expect(String(closed.headers.location)).toBe('/menu/informations?notice=session-fermee');
    expect(await menuStatus(phone)).toBe(303); // the phone is signed out
    expect(await menuStatus(laptop)).toBe(200);
    const events = await h.ctx.db.select().from(auditEvents).where(eq(auditEvents.actorUserId, p.id));
    expect(events.filter((e) => e.action === 'session.revoked')).toHaveLength(1);
    expect((await laptop.form(`/menu/sessions/${other.ref}/fermer`, {})).statusCode).toBe(404);
  });

  it('another person cannot close someone else’s session (404, nothing changes)', async () => {
    const a = await registered();
    const b = await registered();
    const ca = new Client(h, '198.51.100.41');
    const cb = new Client(h, '198.51.100.42');
    await login(ca, a);
    await login(cb, b);
    const ref = (await ca.get('/menu/sessions', 'application/json')).json<{ sessions: { ref: string }[] }>().sessions[0]!.ref;
    expect((await cb.form(`/menu/sessions/${ref}/fermer`, {})).statusCode).toBe(404);
    expect(await menuStatus(ca)).toBe(200);
  });
});
