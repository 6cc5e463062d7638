/**
 * « Gérer les déclarations » and « Gérer les établissements »: mono and multi
 * établissement flows, the access delay and the menu tiles, removal dropping habilitations, tenancy
 * (another company's SIRET → 404), déclarants (403), hostile input, double submission, closed
 * établissements and the live registry.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibleAt } from '../../src/domain/declarations.js';
import { hashSecret } from '../../src/infra/crypto.js';
import { selectRows } from '../../src/infra/db/index.js';
import {
  auditEvents,
  etablissementDeclarations,
  habilitationHistory,
  habilitations,
  notifications,
  users,
} from '../../src/infra/db/schema.js';
import { loginKey } from '../../src/modules/accounts/login-key.js';
import { openingText } from '../../src/modules/gestion/declarations.js';
import { DEMO_COMPANIES, generateDemoRegistry } from '../../src/demo/registry.js';
import { importRegistryRows } from '../../src/modules/entreprises/import-registry.js';
import { Client, createHarness, type Harness } from '../harness.js';
import { FRENCH, login, newPerson, pageErrors, signedInAdministrator, stopHarness, type Person } from '../accounts/helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => stopHarness(h));

const bm = DEMO_COMPANIES.boulangerieMoutin;
const gip = DEMO_COMPANIES.gipMds;
const tg = DEMO_COMPANIES.transportsGiraudier;
const HOUR = 3_600_000;

type Admin = Awaited<ReturnType<typeof signedInAdministrator>>;
let moutin: Admin;
let gipAdmin: Admin;

async function declarationsOf(espaceId: string, siret: string) {
  return h.ctx.db
    .select()
    .from(etablissementDeclarations)
    .where(and(eq(etablissementDeclarations.espaceId, espaceId), eq(etablissementDeclarations.siret, siret)))
    .orderBy(etablissementDeclarations.declarationCode);
}
const codesOf = async (espaceId: string, siret: string) => (await declarationsOf(espaceId, siret)).map((r) => r.declarationCode);

async function habilitationsOf(userId: string, siret: string) {
  return h.ctx.db
    .select()
    .from(habilitations)
    .where(and(eq(habilitations.userId, userId), eq(habilitations.siret, siret)))
    .orderBy(habilitations.declarationCode);
}

/** Rows of every table this feature writes, to prove that a refused request changed nothing. */
async function snapshot() {
  const rows = await selectRows<Record<string, number>>(
    h.ctx.db,
    sql`select (select count(*) from etablissement_declarations)::int as decl, (select count(*) from habilitations)::int as hab,
        (select count(*) from habilitation_history)::int as hist, (select count(*) from notifications)::int as notif,
        (select count(*) from audit_events where action = 'declarations.changed')::int as audit`,
  );
  return rows[0]!;
}

/** A déclarant inserted directly in the espace (adding one over HTTP is another screen). */
async function insertDeclarant(espaceId: string, siret: string): Promise<{ person: Person; id: string }> {
  const d = newPerson(siret);
  const now = h.clock.now();
  const [row] = await h.ctx.db
    .insert(users)
    .values({
      espaceId,
      siret,
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
    .returning({ id: users.id });
  return { person: d, id: row!.id };
}

/** The hidden `declarations` fields of the « sélectionnées » list, and the checkboxes of « disponibles ». */
const selectedIn = (body: string) =>
  [...body.matchAll(/<input type="hidden" name="declarations" value="([^"]+)"\/>/g)].map((m) => m[1]!).sort();
const availableIn = (body: string) => [...body.matchAll(/name="ajouter" value="([^"]+)"/g)].map((m) => m[1]!).sort();

beforeAll(async () => {
  moutin = await signedInAdministrator(h, { siret: bm.siret, profile: { declarations: ['SOLTEA_EMPLOYEURS'] } });
  gipAdmin = await signedInAdministrator(h, {
    siret: gip.siret,
    profile: { organisationType: 'fonction_publique', declarations: ['SOLTEA_EMPLOYEURS'] },
  });
});

describe('mono-établissement', () => {
  it('shows the two lists for the only SIRET, with the arrows, « Annuler » and « Valider »', async () => {
    const r = await moutin.client.get('/gestion/declarations');
    expect(r.statusCode, r.body).toBe(200);
    for (const s of [
      'Liste des déclarations disponibles',
      'Liste des déclarations sélectionnées',
      '>Valider<',
      '>Annuler<',
      'value="ajouter"',
      'value="retirer"',
      'data-dual-list',
      'draggable="true"',
      '999 001 001 00018',
    ])
      expect(r.body, s).toContain(s);
    expect(selectedIn(r.body)).toEqual(['SOLTEA_EMPLOYEURS']);
    expect(availableIn(r.body)).toContain('SOLTEA_ETABLISSEMENTS');
    expect(availableIn(r.body)).not.toContain('SOLTEA_EMPLOYEURS');
    // every checkbox is labelled
    for (const m of r.body.matchAll(/<input type="checkbox" id="([^"]+)"/g)) expect(r.body).toContain(`for="${m[1]}"`);
    const j = await moutin.client.get('/gestion/declarations', 'application/json');
    expect(j.json()).toMatchObject({ mono: true, siret: bm.siret, declarations: [{ code: 'SOLTEA_EMPLOYEURS' }] });
  });

  it('without JavaScript the arrows move the checked declarations on the server, nothing is saved before « Valider »', async () => {
    const before = await snapshot();
    let r = await moutin.client.form(`/gestion/declarations/${bm.siret}`, {
      declarations: ['SOLTEA_EMPLOYEURS'],
      ajouter: ['SOLTEA_ETABLISSEMENTS', 'DSN'],
      action: 'ajouter',
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(selectedIn(r.body)).toEqual(['DSN', 'SOLTEA_EMPLOYEURS', 'SOLTEA_ETABLISSEMENTS']);
    expect(r.body).toContain('pas encore enregistrés');
    r = await moutin.client.form(`/gestion/declarations/${bm.siret}`, {
      declarations: ['DSN', 'SOLTEA_EMPLOYEURS', 'SOLTEA_ETABLISSEMENTS'],
      retirer: ['SOLTEA_EMPLOYEURS'],
      action: 'retirer',
    });
    expect(selectedIn(r.body)).toEqual(['DSN', 'SOLTEA_ETABLISSEMENTS']);
    r = await moutin.client.form(`/gestion/declarations/${bm.siret}`, { declarations: ['DSN'], action: 'ajouter-tout' });
    expect(availableIn(r.body)).toEqual([]);
    r = await moutin.client.form(`/gestion/declarations/${bm.siret}`, { declarations: ['DSN', 'TESE'], action: 'retirer-tout' });
    expect(selectedIn(r.body)).toEqual([]);
    // an arrow with nothing checked: a French message, still nothing saved
    r = await moutin.client.form(`/gestion/declarations/${bm.siret}`, { declarations: ['SOLTEA_EMPLOYEURS'], action: 'ajouter' });
    expect(r.statusCode).toBe(400);
    expect(pageErrors(r.body).join(' ')).toContain('Cochez d’abord une déclaration');
    expect(await snapshot()).toEqual(before);
    expect(await codesOf(moutin.espaceId, bm.siret)).toEqual(['SOLTEA_EMPLOYEURS']);
  });

  it('« Valider » applies the difference: added ones open after the delay, the administrator is habilitated, audit and notification', async () => {
    const now = h.clock.now();
    const r = await moutin.client.form(`/gestion/declarations/${bm.siret}`, {
      declarations: ['SOLTEA_EMPLOYEURS', 'SOLTEA_ETABLISSEMENTS', 'DSN'],
      action: 'valider',
    });
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toBe(`/gestion/declarations/${bm.siret}?notice=enregistre`);
    const rows = await declarationsOf(moutin.espaceId, bm.siret);
    expect(rows.map((x) => x.declarationCode)).toEqual(['DSN', 'SOLTEA_EMPLOYEURS', 'SOLTEA_ETABLISSEMENTS']);
    const added = rows.find((x) => x.declarationCode === 'SOLTEA_ETABLISSEMENTS')!;
    expect(added.addedAt.getTime()).toBe(now.getTime());
    expect(added.accessibleAt.getTime()).toBe(accessibleAt(now, h.ctx.config.ACCESS_DELAY_HOURS).getTime());
    expect(added.accessibleAt.getTime() - now.getTime()).toBe(24 * HOUR);
    expect(added.addedBy).toBe(moutin.userId);
    const habs = await habilitationsOf(moutin.userId, bm.siret);
    expect(habs.map((x) => [x.declarationCode, x.declarer, x.payer])).toEqual([
      ['DSN', true, true], // payable
      ['SOLTEA_EMPLOYEURS', true, false],
      ['SOLTEA_ETABLISSEMENTS', true, false],
    ]);
    const [ev] = await h.ctx.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'declarations.changed'), eq(auditEvents.espaceId, moutin.espaceId)));
    expect(ev).toMatchObject({
      actorUserId: moutin.userId,
      details: { siret: bm.siret, added: ['DSN', 'SOLTEA_ETABLISSEMENTS'], removed: [] },
    });
    const notes = (await h.ctx.db.select().from(notifications).where(eq(notifications.userId, moutin.userId))).map((n) => n.text);
    const opening = openingText(added.accessibleAt);
    expect(notes).toContain(`La déclaration SOLTéA - Etablissements sera accessible ${opening} pour l’établissement ${bm.siret}.`);
    expect(opening).toMatch(/^le \d\d\/\d\d\/\d{4} à \d\d:\d\d$/);
    const page = await moutin.client.get(String(r.headers.location));
    expect(page.body).toContain('Les déclarations de l’établissement sont enregistrées.');
    expect(page.body).toContain('Délai d’accès');
  });

  it('the new declaration is a tile « Accessible sous 24 heures », opened after the delay', async () => {
    let menu = await moutin.client.get('/menu');
    expect(menu.body).toContain('SOLTéA - Etablissements');
    expect(menu.body).toContain('Accessible sous 24 heures');
    expect((await moutin.client.get('/services/soltea_etablissements')).statusCode).toBe(403);
    h.clock.advance(23 * HOUR);
    await login(moutin.client, moutin.person); // the session has timed out meanwhile
    menu = await moutin.client.get('/menu');
    expect(menu.body).toContain('Accessible sous 1 heure<');
    h.clock.advance(HOUR);
    await login(moutin.client, moutin.person);
    await login(gipAdmin.client, gipAdmin.person); // the other sessions of this file too
    menu = await moutin.client.get('/menu');
    expect(menu.body).toContain('href="/services/soltea_etablissements"');
    const opened = await moutin.client.get('/services/soltea_etablissements');
    expect(opened.statusCode).toBe(303); // SOLTéA has its own space
    expect(opened.headers.location).toBe('/soltea/etablissement');
  });

  it('the same « Valider » twice gives the same result: no duplicate rows, no second audit', async () => {
    const list = { declarations: ['SOLTEA_EMPLOYEURS', 'SOLTEA_ETABLISSEMENTS', 'DSN', 'DSN'], action: 'valider' };
    const before = await snapshot();
    const r1 = await moutin.client.form(`/gestion/declarations/${bm.siret}`, list);
    const r2 = await moutin.client.form(`/gestion/declarations/${bm.siret}`, list);
    expect(r1.headers.location).toContain('notice=aucun-changement');
    expect(r2.headers.location).toContain('notice=aucun-changement');
    expect(await snapshot()).toEqual(before);
    // two JSON clients at once, adding the same declaration: one adds, the other finds it done
    await moutin.client.get('/menu');
    const [a, b] = await Promise.all([
      moutin.client.json(`/gestion/declarations/${bm.siret}`, {
        declarations: ['SOLTEA_EMPLOYEURS', 'SOLTEA_ETABLISSEMENTS', 'DSN', 'AED'],
      }),
      moutin.client.json(`/gestion/declarations/${bm.siret}`, {
        declarations: ['SOLTEA_EMPLOYEURS', 'SOLTEA_ETABLISSEMENTS', 'DSN', 'AED'],
      }),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect([a.json<{ ajoutees: string[] }>().ajoutees, b.json<{ ajoutees: string[] }>().ajoutees].sort()).toEqual([[], ['AED']]);
    expect(await codesOf(moutin.espaceId, bm.siret)).toEqual(['AED', 'DSN', 'SOLTEA_EMPLOYEURS', 'SOLTEA_ETABLISSEMENTS']);
    const after = await snapshot();
    expect(after.decl).toBe(before.decl! + 1);
    expect(after.audit).toBe(before.audit! + 1);
  });

  it('removing a declaration drops the habilitations of the company’s people on it, recorded in the history', async () => {
    const dec = await insertDeclarant(moutin.espaceId, bm.siret);
    const now = h.clock.now();
    await h.ctx.db.insert(habilitations).values({
      userId: dec.id,
      siret: bm.siret,
      declarationCode: 'DSN',
      declarer: true,
      payer: false,
      grantedAt: now,
      grantedBy: moutin.userId,
    });
    await moutin.client.get('/menu');
    const r = await moutin.client.json(`/gestion/declarations/${bm.siret}`, {
      declarations: ['SOLTEA_EMPLOYEURS', 'SOLTEA_ETABLISSEMENTS', 'AED'],
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ ajoutees: [], retirees: ['DSN'] });
    expect(await codesOf(moutin.espaceId, bm.siret)).toEqual(['AED', 'SOLTEA_EMPLOYEURS', 'SOLTEA_ETABLISSEMENTS']);
    expect(await habilitationsOf(dec.id, bm.siret)).toEqual([]);
    expect((await habilitationsOf(moutin.userId, bm.siret)).map((x) => x.declarationCode)).not.toContain('DSN');
    const hist = await h.ctx.db
      .select()
      .from(habilitationHistory)
      .where(
        and(
          eq(habilitationHistory.siret, bm.siret),
          eq(habilitationHistory.declarationCode, 'DSN'),
          eq(habilitationHistory.declarer, false),
        ),
      );
    expect(hist.map((x) => x.userId).sort()).toEqual([dec.id, moutin.userId].sort());
    expect(hist.every((x) => x.actorUserId === moutin.userId && x.espaceId === moutin.espaceId && !x.payer)).toBe(true);
    const notes = (await h.ctx.db.select().from(notifications).where(eq(notifications.userId, moutin.userId))).map((n) => n.text);
    expect(notes).toContain(`La déclaration DSN a été retirée de l’établissement ${bm.siret}.`);
  });
});

describe('multi-établissement', () => {
  it('« Gestion des déclarations »: the company, its établissements (SIRET, name, address) and « Choix des déclarations »', async () => {
    const r = await gipAdmin.client.get('/gestion/declarations');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.body).toContain('<h1>Gestion des déclarations</h1>');
    expect(r.body).toContain('Nom de l’entreprise : <strong>GIP MDS TEST PROJET - 999 005 705</strong>');
    expect(r.body).toContain('L’entreprise');
    expect(r.body).toContain('Les établissements');
    expect(r.body).toContain('<caption>');
    expect(r.body).toContain('86 RUE DE LA FEDERATION');
    for (const s of gip.sirets) expect(r.body).toContain(`href="/gestion/declarations/${s}"`);
    expect(r.body).toContain('999 005 705 00028 GIP MDS TEST PROJET');
    expect(r.body).not.toContain('Liste des déclarations disponibles');
    expect((await gipAdmin.client.get('/gestion/declarations', 'application/json')).json()).toMatchObject({
      mono: false,
      siren: gip.siren,
    });
  });

  it('« Choix des déclarations » of one établissement changes only that SIRET', async () => {
    const siret = gip.sirets[1];
    const page = await gipAdmin.client.get(`/gestion/declarations/${siret}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Liste des déclarations sélectionnées');
    expect(selectedIn(page.body)).toEqual([]);
    expect(page.body).toContain('href="/gestion/declarations">Annuler');
    const r = await gipAdmin.client.form(`/gestion/declarations/${siret}`, { declarations: ['SOLTEA_ETABLISSEMENTS'], action: 'valider' });
    expect(r.statusCode, r.body).toBe(303);
    expect(await codesOf(gipAdmin.espaceId, siret)).toEqual(['SOLTEA_ETABLISSEMENTS']);
    expect(await codesOf(gipAdmin.espaceId, gip.sirets[0])).toEqual(['SOLTEA_EMPLOYEURS']);
    expect(await codesOf(gipAdmin.espaceId, gip.sirets[2])).toEqual([]);
    const list = await gipAdmin.client.get('/gestion/declarations');
    expect(list.body).toMatch(/999 005 705 00028 GIP MDS TEST PROJET.*?<td>86 RUE DE LA FEDERATION[^<]*<\/td><td>1<\/td>/s);
  });
});

describe('tenancy and roles', () => {
  it('an administrator of BOULANGERIE MOUTIN can neither read nor change GIP MDS’s SIRETs: 404, nothing changed', async () => {
    const before = await snapshot();
    const gipBefore = await codesOf(gipAdmin.espaceId, gip.sirets[1]);
    await moutin.client.get('/menu');
    for (const siret of [...gip.sirets, '12345678901234', 'abc', '99900100100018%27']) {
      const g = await moutin.client.get(`/gestion/declarations/${siret}`);
      expect(g.statusCode, siret).toBe(404);
      expect(g.body).not.toContain('GIP MDS');
      const p = await moutin.client.form(`/gestion/declarations/${siret}`, { declarations: ['DSN'], action: 'valider' });
      expect(p.statusCode, siret).toBe(404);
      const j = await moutin.client.json(`/gestion/declarations/${siret}`, { declarations: [] });
      expect(j.statusCode, siret).toBe(404);
      expect(j.json<{ message: string }>().message).toMatch(FRENCH);
    }
    expect(await snapshot()).toEqual(before);
    expect(await codesOf(gipAdmin.espaceId, gip.sirets[1])).toEqual(gipBefore);
    // nor the other way round
    const g = await gipAdmin.client.get(`/gestion/declarations/${bm.siret}`);
    expect(g.statusCode).toBe(404);
  });

  it('a déclarant cannot administer: 403 on every route, nothing changed', async () => {
    const dec = await insertDeclarant(gipAdmin.espaceId, gip.siret);
    const c = new Client(h);
    await login(c, dec.person);
    for (const url of ['/gestion/declarations', `/gestion/declarations/${gip.siret}`, '/gestion/etablissements']) {
      const r = await c.get(url);
      expect(r.statusCode, url).toBe(403);
      expect(r.body).toContain('réservée aux administrateurs');
    }
    await c.get('/menu');
    const before = await snapshot();
    expect((await c.form(`/gestion/declarations/${gip.siret}`, { declarations: ['DSN'], action: 'valider' })).statusCode).toBe(403);
    expect((await c.json(`/gestion/declarations/${gip.siret}`, { declarations: [] })).statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  it('signed out: sent to the login page', async () => {
    const r = await new Client(h).get('/gestion/declarations');
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toContain('/connexion?retour=');
  });
});

describe('bad input', () => {
  it('unknown, empty, too long or hostile codes: 400 with a French message, nothing applied', async () => {
    await moutin.client.get('/menu');
    const before = await snapshot();
    const saved = await codesOf(moutin.espaceId, bm.siret);
    const hostile = ['<script>alert(1)</script>', "DSN' OR '1'='1", '', '   ', 'x'.repeat(65), 'dsn', 'DSN\u0000', '../DSN'];
    for (const bad of hostile) {
      const r = await moutin.client.form(`/gestion/declarations/${bm.siret}`, {
        declarations: ['SOLTEA_EMPLOYEURS', 'TESE', bad],
        action: 'valider',
      });
      expect(r.statusCode, JSON.stringify(bad)).toBe(400);
      const msgs = pageErrors(r.body).join(' ');
      expect(msgs, JSON.stringify(bad)).toMatch(FRENCH);
      expect(r.body).not.toContain('<script>alert(1)</script>');
      const j = await moutin.client.json(`/gestion/declarations/${bm.siret}`, { declarations: ['TESE', bad] });
      expect(j.statusCode, JSON.stringify(bad)).toBe(400);
      expect(j.json<{ message: string }>().message).toMatch(FRENCH);
      // also through the arrows
      const a = await moutin.client.form(`/gestion/declarations/${bm.siret}`, {
        declarations: ['SOLTEA_EMPLOYEURS'],
        ajouter: [bad],
        action: 'ajouter',
      });
      expect(a.statusCode, JSON.stringify(bad)).toBe(400);
    }
    const shapes: unknown[] = [
      {},
      { declarations: 'DSN' },
      { declarations: [1, 2] },
      { declarations: [{ code: 'DSN' }] },
      { declarations: Array.from({ length: 101 }, () => 'DSN') },
      { declarations: ['DSN'], action: 'supprimer' },
    ];
    for (const body of shapes) {
      const j = await moutin.client.json(`/gestion/declarations/${bm.siret}`, body);
      expect(j.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(j.json<{ message: string }>().message).toMatch(FRENCH);
    }
    // a form without any action (not sent by the page): refused rather than read as « remove all »
    const empty = await moutin.client.form(`/gestion/declarations/${bm.siret}`, {});
    expect(empty.statusCode).toBe(400);
    expect(pageErrors(empty.body).join(' ')).toContain('Choisissez une action');
    const unknownAction = await moutin.client.form(`/gestion/declarations/${bm.siret}`, {
      declarations: ['DSN'],
      action: 'tout-supprimer',
    });
    expect(unknownAction.statusCode).toBe(400);
    expect(await snapshot()).toEqual(before);
    expect(await codesOf(moutin.espaceId, bm.siret)).toEqual(saved);
  });

  it('without the CSRF token: 403, nothing applied', async () => {
    const before = await snapshot();
    const r = await h.server.inject({
      method: 'POST',
      url: `/gestion/declarations/${bm.siret}`,
      payload: 'declarations=DSN&action=valider',
      headers: {
        cookie: [...moutin.client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'content-type': 'application/x-www-form-urlencoded',
      },
    });
    expect(r.statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
  });
});

describe('closed établissements and « Gérer les établissements »', () => {
  let giraudier: Admin;
  beforeAll(async () => {
    giraudier = await signedInAdministrator(h, { siret: tg.siret, profile: { declarations: ['SOLTEA_EMPLOYEURS'] } });
  });

  it('a closed établissement is listed but cannot get new declarations', async () => {
    const list = await giraudier.client.get('/gestion/declarations');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`href="/gestion/declarations/${tg.closedSiret}"`);
    expect(list.body).toContain('Fermé');
    const page = await giraudier.client.get(`/gestion/declarations/${tg.closedSiret}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Établissement fermé');
    const before = await snapshot();
    const r = await giraudier.client.form(`/gestion/declarations/${tg.closedSiret}`, {
      declarations: ['SOLTEA_EMPLOYEURS'],
      action: 'valider',
    });
    expect(r.statusCode).toBe(400);
    expect(pageErrors(r.body).join(' ')).toContain('fermé');
    const a = await giraudier.client.form(`/gestion/declarations/${tg.closedSiret}`, {
      declarations: [],
      ajouter: ['DSN'],
      action: 'ajouter',
    });
    expect(a.statusCode).toBe(400);
    expect(await snapshot()).toEqual(before);
    expect(await codesOf(giraudier.espaceId, tg.closedSiret)).toEqual([]);
  });

  it('lists the company’s établissements from the registry, siège first, active and closed, with their declarations count', async () => {
    const r = await giraudier.client.get('/gestion/etablissements');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.body).toContain('<h1>Gérer les établissements</h1>');
    expect(r.body).toContain('<caption>');
    const rows = [...r.body.matchAll(/<tr><th scope="row">(\d{3} \d{3} \d{3} \d{5})/g)].map((m) => m[1]!.replace(/ /g, ''));
    expect(rows.length).toBe(tg.etablissementCount);
    expect(rows[0]).toBe(tg.siret);
    expect(r.body).toContain('119 établissements actifs, 1 fermé');
    const j = (await giraudier.client.get('/gestion/etablissements', 'application/json')).json<{
      etablissements: { siret: string; ferme: boolean; declarations: number; siege: boolean }[];
    }>();
    expect(j.etablissements.find((e) => e.siret === tg.closedSiret)?.ferme).toBe(true);
    expect(j.etablissements.find((e) => e.siret === tg.siret)).toMatchObject({ siege: true, declarations: 1 });
  });

  it('follows the registry: a re-import that closes an établissement shows at once', async () => {
    let j = (await gipAdmin.client.get('/gestion/etablissements', 'application/json')).json<{
      etablissements: { siret: string; ferme: boolean; denomination: string }[];
    }>();
    expect(j.etablissements.map((e) => e.siret)).toEqual([...gip.sirets]);
    expect(j.etablissements.every((e) => !e.ferme)).toBe(true);
    const registry = generateDemoRegistry({ count: 20, seed: 1 });
    const third = registry.etablissements.find((e) => e.siret === gip.sirets[2])!;
    Object.assign(third, { etatAdministratif: 'F', denomination: 'GIP MDS TEST PROJET ANNEXE' });
    await importRegistryRows(h.ctx.db, registry, { now: h.clock.now() });
    j = (await gipAdmin.client.get('/gestion/etablissements', 'application/json')).json<typeof j>();
    expect(j.etablissements.find((e) => e.siret === gip.sirets[2])).toMatchObject({
      ferme: true,
      denomination: 'GIP MDS TEST PROJET ANNEXE',
    });
    const page = await gipAdmin.client.get('/gestion/etablissements');
    expect(page.body).toContain('GIP MDS TEST PROJET ANNEXE');
    expect(page.body).toContain('2 établissements actifs, 1 fermé');
    // and the closed one can no longer get declarations
    const r = await gipAdmin.client.json(`/gestion/declarations/${gip.sirets[2]}`, { declarations: ['DSN'] });
    expect(r.statusCode).toBe(400);
  });

  it('a tiers-déclarant sees its own company', async () => {
    const cd = DEMO_COMPANIES.cabinetDurand;
    const tiers = await signedInAdministrator(h, {
      siret: cd.siret,
      profile: { kind: 'tiers_declarant', organisationType: 'expert_comptable' },
    });
    const j = (await tiers.client.get('/gestion/etablissements', 'application/json')).json<{
      siren: string;
      etablissements: { siret: string }[];
    }>();
    expect(j.siren).toBe(cd.siren);
    expect(j.etablissements.map((e) => e.siret)).toEqual([...cd.sirets]);
    const page = await tiers.client.get('/gestion/etablissements');
    expect(page.body).toContain('CABINET COMPTABLE DURAND ET ASSOCIES');
    expect(page.body).not.toContain('GIP MDS');
  });
});
