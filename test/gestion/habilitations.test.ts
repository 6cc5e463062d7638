/**
 * « Gérer les habilitations » over HTTP: the criteria and the grid, one page
 * applied in one transaction with its history, audit and notifications; the history; the CSV export
 * → import round trip, every bad file refused with a line-by-line report and nothing applied; one
 * bulk request per 48 hours; tenancy (another company's administrator, a déclarant).
 */
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/infra/crypto.js';
import {
  auditEvents,
  bulkRequests,
  etablissementDeclarations,
  habilitationHistory,
  habilitations,
  notifications,
  portefeuilleEtablissements,
  portefeuilles,
  users,
} from '../../src/infra/db/schema.js';
import { loginKey } from '../../src/modules/accounts/login-key.js';
import { DEMO_COMPANIES } from '../../src/demo/registry.js';
import { loadGrid, loadGridPage, loadPageScope, loadScope } from '../../src/modules/gestion/habilitations.js';
import { Client, createHarness, type Harness } from '../harness.js';
import {
  cookieHeader,
  FRENCH,
  lastMail,
  login,
  mailsTo,
  newPerson,
  signedInAdministrator,
  stopHarness,
  type Person,
} from '../accounts/helpers.js';

const gip = DEMO_COMPANIES.gipMds;
const [S0, S1, S2] = gip.sirets as unknown as [string, string, string];
const SUBJECT = 'Vos habilitations ont changé';

let h: Harness;
let a: Awaited<ReturnType<typeof signedInAdministrator>>;
let b: Awaited<ReturnType<typeof signedInAdministrator>>;
let d: Person;
let dId: string;
let dClient: Client;

async function addPerson(espaceId: string, siret: string, role: 'declarant' | 'administrateur') {
  const p = newPerson(siret);
  const now = h.clock.now();
  const [row] = await h.ctx.db
    .insert(users)
    .values({
      espaceId,
      siret,
      nom: p.nom,
      prenom: p.prenom,
      loginKey: loginKey(p.nom, p.prenom),
      email: p.email,
      role,
      status: 'active',
      passwordHash: await hashSecret(p.password),
      secretQuestion: p.question,
      secretAnswerHash: await hashSecret(p.answer),
      emailValidatedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return { person: p, id: row!.id };
}

beforeAll(async () => {
  h = await createHarness();
  a = await signedInAdministrator(h, {
    siret: gip.siret,
    profile: { domains: ['dsn', 'formation'], declarations: ['DSN', 'SOLTEA_EMPLOYEURS'] },
  });
  // « Gérer les déclarations » is another feature: DSN is also declared on the second établissement
  const now = h.clock.now();
  await h.ctx.db
    .insert(etablissementDeclarations)
    .values({ espaceId: a.espaceId, siret: S1, declarationCode: 'DSN', addedAt: now, accessibleAt: now, addedBy: a.userId });
  ({ person: d, id: dId } = await addPerson(a.espaceId, gip.siret, 'declarant'));
  dClient = new Client(h);
  await login(dClient, d);
  b = await signedInAdministrator(h);
}, 120_000);
afterAll(async () => stopHarness(h));

// ── helpers ─────────────────────────────────────────────────────────────────────────────────────

interface GridView {
  rows: string[];
  declarer: Set<string>;
  payer: Set<string>;
  payerBoxes: Set<string>;
}

function gridOf(body: string): GridView {
  const rows = [...body.matchAll(/name="rows" value="([^"]+)"/g)].map((m) => m[1]!);
  const declarer = new Set<string>();
  const payer = new Set<string>();
  const payerBoxes = new Set<string>();
  for (const m of body.matchAll(/<input type="checkbox"[^>]*>/g)) {
    const name = /name="(declarer|payer)"/.exec(m[0])?.[1];
    const value = /value="([^"]+)"/.exec(m[0])?.[1];
    if (!name || !value) continue;
    if (name === 'payer') payerBoxes.add(value);
    if (/ checked=""/.test(m[0])) (name === 'declarer' ? declarer : payer).add(value);
  }
  return { rows, declarer, payer, payerBoxes };
}

const key = (userId: string, siret: string, code: string) => `${userId}|${siret}|${code}`;

async function rightsOf(userId: string) {
  const rows = await h.ctx.db.select().from(habilitations).where(eq(habilitations.userId, userId));
  return Object.fromEntries(rows.map((r) => [`${r.siret}|${r.declarationCode}`, `${r.declarer ? 'D' : '-'}${r.payer ? 'P' : '-'}`]));
}

async function historyCount() {
  const [r] = await h.ctx.db.select({ n: count() }).from(habilitationHistory);
  return Number(r!.n);
}

async function snapshot() {
  const hab = await h.ctx.db.select().from(habilitations).orderBy(habilitations.userId, habilitations.siret, habilitations.declarationCode);
  return {
    hab: hab.map((x) => `${x.userId}|${x.siret}|${x.declarationCode}|${x.declarer}|${x.payer}`),
    history: await historyCount(),
    bulk: (await h.ctx.db.select().from(bulkRequests)).length,
  };
}

/** What the JSON answers of the import say (a refusal, or the counts). */
type Refusal = { message: string; modifications: number; rapport: { ligne: number; message: string }[] };

async function postCsv(c: Client, body: string, headers: Record<string, string> = {}) {
  return h.server.inject({
    method: 'POST',
    url: '/gestion/habilitations/import',
    payload: body,
    headers: {
      cookie: cookieHeader(c),
      'content-type': 'text/csv; charset=utf-8',
      accept: 'application/json',
      'x-csrf-token': c.csrf,
      ...headers,
    },
  });
}

/** The export as lines (BOM and CRLF removed). */
async function exportLines(c: Client) {
  const r = await c.get('/gestion/habilitations/export.csv', 'text/csv');
  expect(r.statusCode).toBe(200);
  expect(r.headers['content-type']).toContain('text/csv');
  expect(r.body.charCodeAt(0)).toBe(0xfeff);
  return r.body.slice(1).trimEnd().split('\r\n');
}

// ── tests ───────────────────────────────────────────────────────────────────────────────────────

describe('the criteria and the grid', () => {
  it('shows the criteria: Siret (the company’s établissements), Administrateur, Déclarants, Service', async () => {
    const r = await a.client.get('/gestion/habilitations');
    expect(r.statusCode).toBe(200);
    // Siret is an optional text field (not a list of every SIRET of the scope)
    const field = /<input[^>]*id="critere-siret"[^>]*>/.exec(r.body)?.[0] ?? '';
    expect(field).toContain('name="siret"');
    expect(field).toContain('type="text"');
    expect(r.body).toContain('Siret');
    for (const s of gip.sirets) expect(r.body).not.toContain(`value="${s}"`);
    expect(r.body).toContain('Tous les déclarants');
    expect(r.body).toContain('Tous les services');
    expect(r.body).toContain(`value="${dId}"`);
    expect(r.body).toMatch(/value="DSN"/);
    expect(r.body).toMatch(/value="SOLTEA_EMPLOYEURS"/);
    expect(r.body).toContain(`${a.person.nom} ${a.person.prenom}`);
    expect(r.body).toContain('Rechercher');
    expect(r.body).not.toContain('name="rows"'); // no grid before « Rechercher »
  });

  it('« Rechercher » lists service × SIRET × déclarant, only for declarations subscribed on the SIRET; Payer only for payable ones', async () => {
    const r = await a.client.get(`/gestion/habilitations?declarant=${dId}&recherche=1`);
    expect(r.statusCode).toBe(200);
    const g = gridOf(r.body);
    expect(g.rows.sort()).toEqual([key(dId, S0, 'DSN'), key(dId, S1, 'DSN'), key(dId, S0, 'SOLTEA_EMPLOYEURS')].sort());
    expect(g.rows).not.toContain(key(dId, S2, 'DSN'));
    expect([...g.payerBoxes].sort()).toEqual([key(dId, S0, 'DSN'), key(dId, S1, 'DSN')].sort());
    expect(g.declarer.size).toBe(0);
    expect(r.body).toContain('Tout (dé)cocher');
    expect(r.body).toMatch(/<caption>/);
    expect(r.body).toMatch(/<th scope="col">Déclarer/);
    // the administrator's own rights from the inscription are checked
    const all = gridOf((await a.client.get(`/gestion/habilitations?siret=${S0}&service=DSN`)).body);
    expect(all.declarer.has(key(a.userId, S0, 'DSN'))).toBe(true);
    expect(all.payer.has(key(a.userId, S0, 'DSN'))).toBe(true);
  });

  it('« Valider » applies the page in one go: history, audit, notification and mail; a double submission changes nothing more', async () => {
    const page = await a.client.get(`/gestion/habilitations?declarant=${dId}&recherche=1`);
    const g = gridOf(page.body);
    const before = await historyCount();
    const fields = {
      siret: '',
      declarant: dId,
      service: '',
      page: '1',
      rows: g.rows,
      declarer: [key(dId, S0, 'DSN'), key(dId, S0, 'SOLTEA_EMPLOYEURS')],
      payer: [key(dId, S0, 'DSN')],
    };
    const r = await a.client.form('/gestion/habilitations', fields);
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toBe(`/gestion/habilitations?declarant=${dId}&page=1&notice=enregistre`);
    expect(await rightsOf(dId)).toEqual({ [`${S0}|DSN`]: 'DP', [`${S0}|SOLTEA_EMPLOYEURS`]: 'D-' });
    expect(await historyCount()).toBe(before + 2);
    const hist = await h.ctx.db
      .select()
      .from(habilitationHistory)
      .where(and(eq(habilitationHistory.userId, dId), eq(habilitationHistory.declarationCode, 'DSN')));
    expect(hist).toMatchObject([{ actorUserId: a.userId, espaceId: a.espaceId, siret: S0, declarer: true, payer: true }]);
    const ev = await h.ctx.db.select().from(auditEvents).where(eq(auditEvents.action, 'habilitations.changed'));
    expect(ev).toHaveLength(1);
    expect(ev[0]!.details).toMatchObject({ changes: 2, users: 1 });
    expect((await h.ctx.db.select().from(notifications).where(eq(notifications.userId, dId))).length).toBe(1);
    await lastMail(h, d.email, SUBJECT);

    const shown = await a.client.get(String(r.headers.location));
    expect(shown.body).toContain('Les habilitations ont été enregistrées');
    const after = gridOf(shown.body);
    expect(after.declarer).toEqual(new Set(fields.declarer));
    expect(after.payer).toEqual(new Set(fields.payer));

    // the same page sent twice (double click, back button): nothing more
    const mailsBefore = (await mailsTo(h, d.email)).length;
    const again = await a.client.form('/gestion/habilitations', fields);
    expect(again.headers.location).toContain('notice=inchange');
    expect(await historyCount()).toBe(before + 2);
    expect((await mailsTo(h, d.email)).length).toBe(mailsBefore);

    // unchecking removes the right and keeps the trace
    await a.client.get('/gestion/habilitations');
    const off = await a.client.form('/gestion/habilitations', { ...fields, declarer: [key(dId, S0, 'DSN')], payer: [] });
    expect(off.statusCode).toBe(303);
    expect(await rightsOf(dId)).toEqual({ [`${S0}|DSN`]: 'D-' });
    const removal = await h.ctx.db
      .select()
      .from(habilitationHistory)
      .where(and(eq(habilitationHistory.userId, dId), eq(habilitationHistory.declarationCode, 'SOLTEA_EMPLOYEURS')));
    expect(removal.map((x) => x.declarer)).toEqual([true, false]);
  });

  it('« Tout (dé)cocher » without JavaScript toggles the column on the page and saves nothing', async () => {
    const page = await a.client.get(`/gestion/habilitations?declarant=${dId}&recherche=1`);
    const g = gridOf(page.body);
    const before = await snapshot();
    const r = await a.client.form('/gestion/habilitations', {
      declarant: dId,
      page: '1',
      rows: g.rows,
      declarer: [...g.declarer],
      payer: [...g.payer],
      bascule: 'declarer',
    });
    expect(r.statusCode).toBe(200);
    expect(gridOf(r.body).declarer).toEqual(new Set(g.rows));
    expect(r.body).toContain('Valider');
    const r2 = await a.client.form('/gestion/habilitations', {
      declarant: dId,
      page: '1',
      rows: g.rows,
      declarer: g.rows,
      payer: [],
      bascule: 'declarer',
    });
    expect(gridOf(r2.body).declarer.size).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it('pages large grids (50 rows) and keeps the criteria in the page links', async () => {
    // 20 more déclarants: 22 persons × 3 (service, SIRET) rows
    for (let i = 0; i < 20; i++) await addPerson(a.espaceId, gip.siret, 'declarant');
    const r = await a.client.get('/gestion/habilitations?service=DSN&recherche=1');
    const g = gridOf(r.body);
    expect(g.rows).toHaveLength(44); // 22 active persons × 2 SIRETs with DSN
    const p1 = await a.client.get(`/gestion/habilitations?siret=${S0}&recherche=1`);
    expect(gridOf(p1.body).rows).toHaveLength(44); // 22 × (DSN, SOLTEA) on S0
    const all = await a.client.get('/gestion/habilitations?recherche=1');
    expect(gridOf(all.body).rows).toHaveLength(50);
    expect(all.body).toContain('page 1 sur 2');
    expect(all.body).toContain('href="/gestion/habilitations?page=2"');
    const p2 = await a.client.get('/gestion/habilitations?page=2');
    expect(gridOf(p2.body).rows).toHaveLength(66 - 50);
    const p2s = await a.client.get(`/gestion/habilitations?service=DSN&page=1`);
    expect(p2s.body).not.toContain('page 1 sur 2');
  });

  it('refuses a grid that names someone or something outside the scope: 400, nothing applied', async () => {
    const page = await a.client.get(`/gestion/habilitations?declarant=${dId}&recherche=1`);
    const g = gridOf(page.body);
    const before = await snapshot();
    const cases: Record<string, string | string[]>[] = [
      { rows: [...g.rows, key(b.userId, S0, 'DSN')], declarer: g.rows }, // B's administrator
      { rows: [...g.rows, key(dId, b.person.siret, 'SOLTEA_EMPLOYEURS')], declarer: g.rows }, // B's SIRET
      { rows: [...g.rows, key(dId, S2, 'DSN')], declarer: [key(dId, S2, 'DSN')] }, // not subscribed on S2
      { rows: g.rows, payer: [key(dId, S0, 'SOLTEA_EMPLOYEURS')] }, // no Payer for SOLTéA
      { rows: [key(dId, S0, 'DSN')], declarer: [key(dId, S1, 'DSN')] }, // a box outside the rows
      { rows: ['<script>alert(1)</script>'] },
      { rows: [] },
      { rows: Array.from({ length: 201 }, () => g.rows[0]!) },
    ];
    for (const fields of cases) {
      const r = await a.client.form('/gestion/habilitations', fields);
      expect(r.statusCode, JSON.stringify(fields)).toBe(400);
      expect(r.body).toMatch(FRENCH);
      expect(r.body).not.toContain('<script>alert');
    }
    const unknown = await a.client.get(`/gestion/habilitations?declarant=${b.userId}`);
    expect(unknown.statusCode).toBe(404);
    expect((await a.client.get('/gestion/habilitations?siret=<b>')).statusCode).toBe(400);
    const badKey = await a.client.get(`/gestion/habilitations?siret=${S0.slice(0, 13)}${(Number(S0[13]) + 1) % 10}`);
    expect(badKey.statusCode).toBe(400);
    expect(badKey.body).toContain('clé de contrôle');
    // spaces are allowed in the field
    const spaced = await a.client.get(`/gestion/habilitations?siret=${S0.slice(0, 3)}%20${S0.slice(3)}&service=DSN`);
    expect(spaced.statusCode).toBe(200);
    expect(gridOf(spaced.body).rows.every((k) => k.includes(`|${S0}|`))).toBe(true);
    expect(await snapshot()).toEqual(before);
  });
});

describe('tenancy', () => {
  it('another company’s administrator cannot see nor change A’s grid, history or export', async () => {
    const before = await snapshot();
    const page = await b.client.get('/gestion/habilitations?recherche=1');
    expect(page.statusCode).toBe(200);
    for (const s of gip.sirets) expect(page.body).not.toContain(s);
    expect(page.body).not.toContain(d.nom);
    expect((await b.client.get(`/gestion/habilitations?siret=${S0}`)).statusCode).toBe(404);
    expect((await b.client.get(`/gestion/habilitations?declarant=${dId}`)).statusCode).toBe(404);
    await b.client.get('/gestion/habilitations');
    const r = await b.client.form('/gestion/habilitations', { rows: [key(dId, S0, 'DSN')], declarer: [] });
    expect(r.statusCode).toBe(400);
    const hist = await b.client.get('/gestion/habilitations/historique');
    expect(hist.body).not.toContain(d.nom);
    const csv = await b.client.get('/gestion/habilitations/historique.csv', 'text/csv');
    expect(csv.body).not.toContain(d.nom);
    const exp = await b.client.get('/gestion/habilitations/export.csv', 'text/csv');
    expect(exp.body).not.toContain(S0);
    expect(exp.body).not.toContain(d.email);
    expect(exp.body).toContain(b.person.siret);
    // an import of lines for A's SIRETs and people
    await b.client.get('/gestion/habilitations/import');
    const imp = await postCsv(b.client, `siret;nom;prenom;courriel;DSN;DSN_payer\n${S0};x;y;${d.email};0;0\n`);
    expect(imp.statusCode).toBe(400);
    expect(imp.json<Refusal>().rapport[0]!.message).toMatch(/n’est pas administré par vous.*aucun déclarant actif/i);
    expect(await snapshot()).toEqual(before);
  });

  it('a déclarant cannot administer: 403 everywhere', async () => {
    const before = await snapshot();
    for (const url of [
      '/gestion/habilitations',
      '/gestion/habilitations/historique',
      '/gestion/habilitations/historique.csv',
      '/gestion/habilitations/export.csv',
      '/gestion/habilitations/import',
    ]) {
      const r = await dClient.get(url);
      expect(r.statusCode, url).toBe(403);
    }
    await dClient.get('/menu');
    expect(
      (
        await dClient.form('/gestion/habilitations', {
          rows: [key(dId, S0, 'DSN')],
          declarer: [key(dId, S0, 'DSN')],
          payer: [key(dId, S0, 'DSN')],
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await dClient.form('/gestion/habilitations/import', { csv: `siret;nom;prenom;courriel;DSN\n${S0};a;b;${d.email};1` })).statusCode,
    ).toBe(403);
    expect((await postCsv(dClient, `siret;nom;prenom;courriel;DSN\n${S0};a;b;${d.email};1`)).statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
  });
});

describe('history', () => {
  it('lists who changed what and when, newest first, with a CSV export', async () => {
    const r = await a.client.get('/gestion/habilitations/historique');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Historique des habilitations');
    expect(r.body).toContain(`${d.nom} ${d.prenom}`);
    expect(r.body).toContain(`${a.person.nom} ${a.person.prenom}`);
    expect(r.body).toMatch(/<th scope="col">Date<\/th>/);
    const csv = await a.client.get('/gestion/habilitations/historique.csv', 'text/csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe('date;administrateur;declarant;siret;declaration;declarer;payer');
    const dates = lines.slice(1).map((l) => l.split(';')[0]!);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(lines.some((l) => l.includes(`${d.nom} ${d.prenom};${S0};SOLTEA_EMPLOYEURS;0;0`))).toBe(true);
  });
});

describe('bulk: export and import', () => {
  it('exports one line per active person × SIRET with 1/0, and imports a changed file with history, audit and a bulk request', async () => {
    const lines = await exportLines(a.client);
    expect(lines[0]).toBe('siret;nom;prenom;courriel;DSN;DSN_payer;SOLTEA_EMPLOYEURS');
    const dS0 = lines.find((l) => l.startsWith(`${S0};`) && l.includes(d.email))!;
    expect(dS0).toBe(`${S0};${d.nom};${d.prenom};${d.email};1;0;0`);
    const dS1 = lines.find((l) => l.startsWith(`${S1};`) && l.includes(d.email))!;
    expect(dS1).toBe(`${S1};${d.nom};${d.prenom};${d.email};0;0;`);
    expect(lines.filter((l) => l.includes(d.email))).toHaveLength(2); // S2 has no declaration

    const changed = `\uFEFF${[lines[0], `${S1};${d.nom};${d.prenom};${d.email};1;1;`, dS0].join('\r\n')}\r\n`;
    const mailsBefore = (await mailsTo(h, d.email)).length;
    await a.client.get('/gestion/habilitations/import');
    const r = await a.client.form('/gestion/habilitations/import', { csv: changed });
    expect(r.statusCode, r.body).toBe(303);
    const done = await a.client.get(String(r.headers.location));
    expect(done.body).toContain('Import terminé : 2 ligne(s) lue(s), 1 habilitation(s) modifiée(s)');
    expect(await rightsOf(dId)).toEqual({ [`${S0}|DSN`]: 'D-', [`${S1}|DSN`]: 'DP' });
    const bulk = await h.ctx.db.select().from(bulkRequests).where(eq(bulkRequests.espaceId, a.espaceId));
    expect(bulk).toMatchObject([{ portefeuilleId: null, actorUserId: a.userId, lines: 1, changes: 1 }]);
    const ev = await h.ctx.db.select().from(auditEvents).where(eq(auditEvents.action, 'habilitations.bulk_import'));
    expect(ev).toHaveLength(1);
    expect((await mailsTo(h, d.email)).length).toBe(mailsBefore + 1);
    expect((await exportLines(a.client)).find((l) => l.startsWith(`${S1};`) && l.includes(d.email))).toBe(
      `${S1};${d.nom};${d.prenom};${d.email};1;1;`,
    );
  });

  it('refuses a second bulk request within 48 hours, with the next allowed time; accepts it after', async () => {
    const lines = await exportLines(a.client);
    const file = [lines[0], `${S1};x;y;${d.email};0;0;`].join('\n');
    const before = await snapshot();
    h.clock.advance(47 * 3_600_000);
    await login(a.client, a.person); // the session ended meanwhile
    const r = await postCsv(a.client, file);
    expect(r.statusCode).toBe(429);
    expect(r.json<Refusal>().message).toMatch(
      /une seule est possible par période de 48 heures\. Prochaine demande possible le \d\d\/\d\d\/\d{4} à \d\d:\d\d/,
    );
    await a.client.get('/gestion/habilitations/import');
    const page = await a.client.form('/gestion/habilitations/import', { csv: file });
    expect(page.statusCode).toBe(429);
    expect(page.body).toContain('Prochaine demande possible le');
    expect(await snapshot()).toEqual(before);

    h.clock.advance(1 * 3_600_000 + 60_000);
    await login(a.client, a.person);
    const ok = await postCsv(a.client, file);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ lignes: 1, modifications: 1 });
    expect((await rightsOf(dId))[`${S1}|DSN`]).toBeUndefined();
    // a file that changes nothing is not a bulk request
    h.clock.advance(60_000);
    const same = await postCsv(a.client, file);
    expect(same.statusCode).toBe(200);
    expect(same.json<Refusal>().modifications).toBe(0);
  });

  it('refuses every malformed or hostile file with a line-by-line French report, and applies nothing', async () => {
    h.clock.advance(49 * 3_600_000);
    await login(a.client, a.person);
    const head = 'siret;nom;prenom;courriel;DSN;DSN_payer;SOLTEA_EMPLOYEURS';
    const ok = `${S0};${d.nom};${d.prenom};${d.email};0;0;1`; // a real change, refused with the rest
    const cases: [string, string, RegExp][] = [
      ['empty', '', /vide/],
      ['wrong separator', head.replaceAll(';', ',') + '\n' + ok.replaceAll(';', ','), /point-virgule/],
      ['unknown column', 'siret;nom;prenom;courriel;XYZ\n', /pas une déclaration connue/],
      ['unknown SIRET', `${head}\n${ok}\n12345678901234;a;b;${d.email};1;0;0`, /12345678901234 est inconnu/],
      ['B’s SIRET', `${head}\n${ok}\n${b.person.siret};a;b;${d.email};1;0;0`, /n’est pas administré par vous/],
      ['unknown déclarant', `${head}\n${ok}\n${S0};a;b;personne@exemple.fr;1;0;0`, /aucun déclarant actif/i],
      ['B’s administrator', `${head}\n${ok}\n${S0};a;b;${b.person.email};1;0;0`, /aucun déclarant actif/i],
      ['duplicated line', `${head}\n${ok}\n${ok}`, /en double avec la ligne 2/],
      ['formula', `${head}\n${ok}\n${S1};=HYPERLINK("http://x");b;${d.email};1;0;`, /formules/],
      ['value', `${head}\n${ok}\n${S1};a;b;${d.email};2;0;`, /valeur « 2 » incorrecte/],
      ['too many columns', `${head}\n${ok}\n${S1};a;b;${d.email};1;0;;;`, /colonne\(s\) au lieu de 7/],
    ];
    const before = await snapshot();
    for (const [name, body, msg] of cases) {
      const r = await postCsv(a.client, body);
      expect(r.statusCode, name).toBe(400);
      const j = r.json<Refusal>();
      expect(j.message, name).toMatch(/aucune habilitation n’a été modifiée/);
      expect(j.rapport.map((x: { message: string }) => x.message).join(' | '), name).toMatch(msg);
      expect(
        j.rapport.every((x: { ligne: number }) => Number.isInteger(x.ligne)),
        name,
      ).toBe(true);
    }
    // the form shows the report as a table, the pasted text kept
    await a.client.get('/gestion/habilitations/import');
    const page = await a.client.form('/gestion/habilitations/import', { csv: `${head}\n${ok}\n${ok}` });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('Compte rendu ligne par ligne');
    expect(page.body).toMatch(/<td>3<\/td><td>Ligne en double avec la ligne 2\.<\/td>/);
    const empty = await a.client.form('/gestion/habilitations/import', {});
    expect(empty.statusCode).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a 10 MB body with 413 and a French message', async () => {
    const big = 'siret;nom;prenom;courriel;DSN\n' + `${S0};a;b;${d.email};1\n`.repeat((10 * 1024 * 1024) / 60);
    const r = await postCsv(a.client, big);
    expect(r.statusCode).toBe(413);
    expect(r.json<Refusal>().message).toMatch(/2 Mo/);
    await a.client.get('/gestion/habilitations/import');
    const form = await h.server.inject({
      method: 'POST',
      url: '/gestion/habilitations/import',
      payload: new URLSearchParams({ csv: big, _csrf: a.client.csrf }).toString(),
      headers: { cookie: cookieHeader(a.client), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    });
    expect(form.statusCode).toBe(413);
    expect(form.body).toContain('dépasse la taille maximale de 2 Mo');
    // other routes keep the application's own error pages
    expect((await a.client.get('/gestion/habilitations?page=abc')).statusCode).toBe(400);
  });

  it('neutralises formulas in exports', async () => {
    await h.ctx.db.update(users).set({ nom: '=HYPERLINK("http://x")' }).where(eq(users.id, dId));
    const lines = await exportLines(a.client);
    expect(lines.some((l) => l.includes(`"'=HYPERLINK(""http://x"")"`))).toBe(true);
    expect(lines.every((l) => !/(^|;)[=+\-@]/.test(l))).toBe(true);
    await h.ctx.db.update(users).set({ nom: d.nom }).where(eq(users.id, dId));
  });
});

describe('tiers-déclarant', () => {
  let t: Awaited<ReturnType<typeof signedInAdministrator>>;

  it('administers its clients’ établissements of its portefeuilles; the 48-hour rule counts per portefeuille', async () => {
    h.clock.advance(60 * 60_000);
    t = await signedInAdministrator(h, { profile: { kind: 'tiers_declarant', organisationType: 'expert_comptable' } });
    const client = DEMO_COMPANIES.boulangerieMoutin;
    const now = h.clock.now();
    // « Gérer les portefeuilles » is another feature: a portefeuille with the client's établissement
    const [pf] = await h.ctx.db
      .insert(portefeuilles)
      .values({ espaceId: t.espaceId, name: 'Boulangeries', isDefault: true, createdAt: now })
      .returning();
    await h.ctx.db.insert(portefeuilleEtablissements).values({ portefeuilleId: pf!.id, siret: client.siret, siren: client.siren });
    await h.ctx.db
      .insert(etablissementDeclarations)
      .values({ espaceId: t.espaceId, siret: client.siret, declarationCode: 'DSN', addedAt: now, accessibleAt: now, addedBy: t.userId });

    const criteria = await t.client.get('/gestion/habilitations?recherche=1');
    expect(gridOf(criteria.body).rows).toContain(key(t.userId, client.siret, 'DSN'));
    const g = gridOf((await t.client.get(`/gestion/habilitations?siret=${client.siret}`)).body);
    expect(g.rows).toEqual([key(t.userId, client.siret, 'DSN')]);
    // A does not administer the client's établissement
    await login(a.client, a.person);
    expect((await a.client.get(`/gestion/habilitations?siret=${client.siret}`)).statusCode).toBe(404);

    const lines = await exportLines(t.client);
    expect(lines[0]).toBe('siret;nom;prenom;courriel;DSN;DSN_payer;SOLTEA_EMPLOYEURS');
    const own = lines.find((l) => l.startsWith(`${t.person.siret};`))!;
    const cli = lines.find((l) => l.startsWith(`${client.siret};`))!;
    expect(cli).toBe(`${client.siret};${t.person.nom};${t.person.prenom};${t.person.email};0;0;`);
    const r1 = await postCsv(t.client, [lines[0], `${client.siret};a;b;${t.person.email};1;1;`].join('\n'));
    expect(r1.statusCode, r1.body).toBe(200);
    const bulk = await h.ctx.db.select().from(bulkRequests).where(eq(bulkRequests.espaceId, t.espaceId));
    expect(bulk.map((x) => x.portefeuilleId)).toEqual([pf!.id]);
    // the company's own établissements are another scope: allowed the same day
    const r2 = await postCsv(t.client, [lines[0], own.replace(/;1$/, ';0')].join('\n'));
    expect(r2.statusCode, r2.body).toBe(200);
    expect(r2.json<Refusal>().modifications).toBe(1);
    // the portefeuille again: refused
    const r3 = await postCsv(t.client, [lines[0], `${client.siret};a;b;${t.person.email};0;0;`].join('\n'));
    expect(r3.statusCode).toBe(429);
    expect(r3.json<Refusal>().message).toContain('ce portefeuille');
  });

  it('ignores what another espace declares on a client’s SIRET: not in the grid, not grantable, not exported', async () => {
    const client = DEMO_COMPANIES.boulangerieMoutin;
    // the client company registered itself and declared SOLTéA Employeurs on its own SIRET
    const c = await signedInAdministrator(h, { siret: client.siret });
    const now = h.clock.now();
    await h.ctx.db
      .insert(etablissementDeclarations)
      .values({
        espaceId: c.espaceId,
        siret: client.siret,
        declarationCode: 'SOLTEA_EMPLOYEURS',
        addedAt: now,
        accessibleAt: now,
        addedBy: c.userId,
      })
      .onConflictDoNothing();
    await login(t.client, t.person);
    const before = await snapshot();

    const grid = gridOf((await t.client.get(`/gestion/habilitations?siret=${client.siret}`)).body);
    expect(grid.rows).toEqual([key(t.userId, client.siret, 'DSN')]);
    const soltea = gridOf((await t.client.get('/gestion/habilitations?service=SOLTEA_EMPLOYEURS&recherche=1')).body);
    expect(soltea.rows.length).toBeGreaterThan(0);
    expect(soltea.rows.some((k) => k.includes(`|${client.siret}|`))).toBe(false);
    const json = (await t.client.get('/gestion/habilitations?recherche=1', 'application/json')).json<{
      lignes: { siret: string; service: string }[];
    }>();
    expect(json.lignes.filter((l) => l.siret === client.siret).map((l) => l.service)).toEqual(['DSN']);

    // cannot be granted: from the grid, nor by import
    const bad = key(t.userId, client.siret, 'SOLTEA_EMPLOYEURS');
    const r = await t.client.form('/gestion/habilitations', { siret: client.siret, page: '1', rows: [...grid.rows, bad], declarer: [bad] });
    expect(r.statusCode).toBe(400);
    const lines = await exportLines(t.client);
    expect(lines.find((l) => l.startsWith(`${client.siret};`))).toMatch(/;$/); // SOLTéA column empty: not declared by this espace
    const imp = await postCsv(t.client, [lines[0], `${client.siret};a;b;${t.person.email};0;0;1`].join('\n'));
    expect(imp.statusCode).toBe(400);
    expect(await snapshot()).toEqual(before);
    expect(await rightsOf(t.userId)).not.toHaveProperty(`${client.siret}|SOLTEA_EMPLOYEURS`);
  });

  it('a page loaded by SQL (count, limit/offset) equals the page built from the whole scope, same order', async () => {
    // a second client établissement (SIRET before the tiers' own) so that own-then-clients order matters
    const other = DEMO_COMPANIES.gipMds;
    const now = h.clock.now();
    const [pf] = await h.ctx.db.select().from(portefeuilles).where(eq(portefeuilles.espaceId, t.espaceId));
    await h.ctx.db.insert(portefeuilleEtablissements).values({ portefeuilleId: pf!.id, siret: S2, siren: other.siren });
    await h.ctx.db.insert(etablissementDeclarations).values(
      ['DSN', 'SOLTEA_EMPLOYEURS'].map((code) => ({
        espaceId: t.espaceId,
        siret: S2,
        declarationCode: code,
        addedAt: now,
        accessibleAt: now,
        addedBy: t.userId,
      })),
    );
    for (let i = 0; i < 12; i++) await addPerson(t.espaceId, t.person.siret, 'declarant');
    const [admin] = await h.ctx.db.select().from(users).where(eq(users.id, t.userId));
    const persons = (await h.ctx.db.select().from(users).where(eq(users.espaceId, t.espaceId))).map((u) => u.id);
    for (const c of [
      { siret: '', declarant: '', service: '' },
      { siret: '', declarant: '', service: 'DSN' },
      { siret: '', declarant: '', service: 'SOLTEA_EMPLOYEURS' },
      { siret: S2, declarant: '', service: '' },
      { siret: '', declarant: persons[3]!, service: '' },
    ]) {
      for (let page = 1; page <= 3; page++) {
        const [whole, paged] = await h.ctx.db.transaction(async (tx) => {
          const scope = await loadScope(tx, admin!);
          const ps = await loadPageScope(tx, admin!);
          expect(ps.codes).toEqual(scope.codes);
          return [await loadGrid(tx, scope, { ...c, page }), await loadGridPage(tx, ps, { ...c, page })];
        });
        expect(paged, JSON.stringify({ ...c, page })).toEqual(whole);
      }
    }
    const first = await h.ctx.db.transaction(async (tx) =>
      loadGridPage(tx, await loadPageScope(tx, admin!), { siret: '', declarant: '', service: 'SOLTEA_EMPLOYEURS', page: 1 }),
    );
    expect(first.rows[0]!.siret).toBe(t.person.siret); // the company's own établissement first
  });
});
