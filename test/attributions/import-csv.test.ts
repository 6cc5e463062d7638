/**
 * « Importer des attributions »: a tiers-déclarant allocates for many clients at once from
 * a CSV file, all or nothing, with a line-by-line report; the export in the same format round-trips.
 * Over HTTP (multipart upload without JavaScript, text/csv and JSON for software), on the campaign 2025
 * (clock inside period 1), with a real tiers-déclarant espace, its portefeuille and habilitations.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeValidSiren, makeValidSiret } from '../../src/domain/identifiers.js';
import { searchKey } from '../../src/domain/text.js';
import {
  attributions,
  auditEvents,
  choixEmployeurs,
  enveloppes,
  entreprises,
  etablissements,
  habilitations,
  portefeuilles,
  refEtablissements,
  users,
} from '../../src/infra/db/schema.js';
import { ensureDefaultPortefeuille } from '../../src/modules/gestion/portefeuilles.js';
import { addClient } from '../../src/modules/gestion/portefeuilles-clients.js';
import { setPortefeuilleDeclarations } from '../../src/modules/gestion/portefeuilles-declarations.js';
import { describeLines, importAttributions } from '../../src/modules/attributions/import-csv.js';
import { readAttributionsCsv } from '../../src/modules/attributions/import-csv-read.js';
import { parseFormationRef } from '../../src/modules/attributions/import-csv-resolve.js';
import { parseMultipart } from '../../src/modules/attributions/routes/multipart.js';
import { formatPercentNumber as percentCell } from '../../src/shared/format.js';
import { DEMO_COMPANIES } from '../../src/demo/registry.js';
import { Client, createHarness, type Harness } from '../harness.js';
import { login, signedInAdministrator, stopHarness, type Person } from '../accounts/helpers.js';
import { registryCompanies, seedReferentiel, LYCEE, type Referentiel } from '../espace-etablissement/fixtures.js';

const ANNEE = 2025;
const CD = DEMO_COMPANIES.cabinetDurand;
const TIERS = { kind: 'tiers_declarant' as const, organisationType: 'expert_comptable' };
const HEADER = 'siret_employeur;siret_beneficiaire;formation;pourcentage';
/** CFD of the lycée's formations (fixtures.ts): the first three at the lycée, the last at its composante */
const CFD_ELEC = '32025520';
const CFD_FROID = '32022710';
const CFD_CS = '46122703';
const UAI_COMPOSANTE_PREFIX = '0754999';

let h: Harness;
let ref: Referentiel;
let tiers: { client: Client; person: Person; userId: string; espaceId: string };
let company: { client: Client; person: Person; userId: string; espaceId: string };
/** C1, C2: DSN filed by the tiers in April; C3: filed by it 8 months ago; C4: filed by someone else; C6: no allocation yet */
let C1: string, C2: string, C3: string, C4: string, C6: string;
/** the client of another tiers (not in this tiers's portefeuilles) */
let OTHER_CLIENT: string;
let nationalSiret: string;
let hostileSiret: string;
let notHabilitated: string;
let uaiComposante: string;

const norm = (s: string) =>
  s
    .replace(/[\u00a0\u202f]/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const cookieOf = (c: Client) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

/** A browser's upload: multipart form with the CSRF field, « envoye » and the file. */
async function upload(c: Client, file: string | Buffer, fields: Record<string, string> = { valider: '1' }, accept = 'text/html') {
  const boundary = `----vitest${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries({ _csrf: c.csrf, envoye: '1', ...fields }))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="fichier"; filename="C:\\Users\\compta\\attributions.csv"\r\nContent-Type: text/csv\r\n\r\n`,
    ),
  );
  parts.push(Buffer.isBuffer(file) ? file : Buffer.from(file, 'utf8'));
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  return h.server.inject({
    method: 'POST',
    url: '/soltea/employeur/import',
    payload: Buffer.concat(parts),
    headers: { cookie: cookieOf(c), 'content-type': `multipart/form-data; boundary=${boundary}`, accept },
  });
}

/** Software posting the file itself. */
async function postCsv(c: Client, file: string | Buffer, query = '') {
  return h.server.inject({
    method: 'POST',
    url: `/soltea/employeur/import${query}`,
    payload: file,
    headers: { cookie: cookieOf(c), 'content-type': 'text/csv', accept: 'application/json', 'x-csrf-token': c.csrf },
  });
}

const csv = (...lines: string[]) => [HEADER, ...lines].join('\r\n') + '\r\n';

async function linesOf(siret: string) {
  return h.ctx.db
    .select({
      etablissementId: attributions.etablissementId,
      formationId: attributions.formationId,
      bp: attributions.pointsBase,
      statut: attributions.statut,
    })
    .from(attributions)
    .where(and(eq(attributions.annee, ANNEE), eq(attributions.siretEmployeur, siret)))
    .orderBy(asc(attributions.id));
}

/** Every allocation and choice row: proof that a refused file changed nothing. */
async function snapshot() {
  const a = await h.ctx.db.select().from(attributions).orderBy(asc(attributions.id));
  const c = await h.ctx.db.select().from(choixEmployeurs).orderBy(asc(choixEmployeurs.siret));
  return JSON.stringify({ a, c });
}

async function auditOf(action: string) {
  return h.ctx.db.select().from(auditEvents).where(eq(auditEvents.action, action)).orderBy(asc(auditEvents.id));
}

async function tiersUser() {
  const [u] = await h.ctx.db.select().from(users).where(eq(users.id, tiers.userId));
  return u!;
}

beforeAll(async () => {
  h = await createHarness({ registryCount: 30 });
  h.clock.set(new Date('2025-06-02T08:00:00Z')); // period 1 of the campaign 2025 (26 May – 27 June)
  const now = h.clock.now();
  const companies = (await registryCompanies(h.ctx.db, 12)).filter((c) => c.siren !== CD.siren);
  const [c1, c2, c3, c4, c5, c6, other, nat, notHab] = companies as [(typeof companies)[0], ...(typeof companies)[0][]];
  [C1, C2, C3, C4, C6, OTHER_CLIENT] = [c1.siret, c2!.siret, c3!.siret, c4!.siret, c6!.siret, c5!.siret];
  ref = await seedReferentiel(h.ctx.db, now, other!.siret, ANNEE);
  uaiComposante = (
    (await h.ctx.db.execute(sql`select uai from ref_etablissement_uais where etablissement_id = ${ref.composanteId}`)) as unknown as {
      rows: { uai: string }[];
    }
  ).rows[0]!.uai;
  expect(uaiComposante.startsWith(UAI_COMPOSANTE_PREFIX)).toBe(true);
  const base = {
    annee: ANNEE,
    adresse: '',
    codePostal: '75014',
    codeCommune: '75114',
    commune: 'Paris 14e Arrondissement',
    departement: '75',
    region: '11',
    categorie: '13°',
    updatedAt: now,
  };
  nationalSiret = nat!.siret;
  await h.ctx.db.insert(refEtablissements).values({
    ...base,
    cle: nationalSiret,
    siret: nationalSiret,
    nom: 'ORGANISME NATIONAL',
    nomRecherche: 'organisme national',
    liste: 'nationale',
  });
  // an establishment whose name is a spreadsheet formula (CSV injection)
  const hostileSiren = makeValidSiren('99977701');
  hostileSiret = makeValidSiret(hostileSiren, '0001');
  const hostileName = '=HYPERLINK("http://x.example";"clic")';
  await h.ctx.db.insert(refEtablissements).values({
    ...base,
    cle: hostileSiret,
    siret: hostileSiret,
    nom: hostileName,
    nomRecherche: searchKey(hostileName),
    categorie: '2°',
    liste: 'regionale',
  });
  notHabilitated = notHab!.siret;

  // the tiers-déclarant (CABINET DURAND), its default portefeuille with SOLTéA - Employeurs and its clients
  tiers = await signedInAdministrator(h, { siret: CD.siret, profile: TIERS });
  company = await signedInAdministrator(h, { siret: other!.siret, profile: { declarations: ['SOLTEA_ETABLISSEMENTS'] } });
  const [admin] = await h.ctx.db.select().from(users).where(eq(users.id, tiers.userId));
  await ensureDefaultPortefeuille(h.ctx, admin!);
  const [def] = await h.ctx.db
    .select()
    .from(portefeuilles)
    .where(and(eq(portefeuilles.espaceId, tiers.espaceId), eq(portefeuilles.isDefault, true)));
  await setPortefeuilleDeclarations(h.ctx, admin!, def!.id, ['SOLTEA_EMPLOYEURS']);
  for (const s of [C1, C2, C3, C4, C6]) await addClient(h.ctx, admin!, def!.id, s.slice(0, 9));
  // the administrator habilitates itself on its clients' établissements (the grid would do the same)
  const declared = (await h.ctx.db.execute(
    sql`select siret from etablissement_declarations where espace_id = ${tiers.espaceId} and declaration_code = 'SOLTEA_EMPLOYEURS'`,
  )) as unknown as { rows: { siret: string }[] };
  await h.ctx.db
    .insert(habilitations)
    .values(
      declared.rows.map((r) => ({
        userId: tiers.userId,
        siret: r.siret,
        declarationCode: 'SOLTEA_EMPLOYEURS',
        declarer: true,
        payer: false,
        grantedAt: now,
      })),
    )
    .onConflictDoNothing();

  // envelopes: who filed the DSN and when
  const env = (siret: string, credits: bigint, declarantSiret: string | null, deposeLe: Date | null) => ({
    annee: ANNEE,
    siret,
    collecteur: 'URSSAF',
    soldeCents: credits,
    creditsCents: credits,
    declarantSiret,
    declarantNom: declarantSiret ? 'CABINET' : null,
    deposeLe,
    updatedAt: now,
  });
  const april = new Date('2025-04-15T10:00:00Z');
  await h.ctx.db
    .insert(enveloppes)
    .values([
      env(C1, 1_000_00n, CD.siret, april),
      env(C2, 2_345_67n, CD.siret, april),
      env(C3, 500_00n, CD.siret, new Date('2024-10-01T10:00:00Z')),
      env(C4, 800_00n, makeValidSiret(makeValidSiren('99955501'), '0001'), april),
      env(C6, 300_00n, CD.siret, april),
      env(OTHER_CLIENT, 900_00n, makeValidSiret(makeValidSiren('99955501'), '0001'), april),
    ]);
  // the 24-hour access delay of the declarations added to the portefeuille, then sign in again
  h.clock.advance(25 * 3_600_000);
  await login(tiers.client, tiers.person);
  await login(company.client, company.person);
}, 180_000);
afterAll(async () => stopHarness(h));

describe('pure parts', () => {
  it('reads the structure: header required, « ; » separator, columns per line, BOM and Windows-1252', () => {
    expect(readAttributionsCsv('')).toMatchObject({ ok: false, report: [{ line: 1 }] });
    expect(readAttributionsCsv('siret_employeur,siret_beneficiaire,formation,pourcentage\n1,2,,3\n')).toMatchObject({
      ok: false,
      report: [{ line: 1, message: expect.stringContaining('point-virgule') }],
    });
    expect(readAttributionsCsv(`${C1};${LYCEE.siret};;50\n`)).toMatchObject({
      ok: false,
      report: [{ line: 1, message: expect.stringContaining('ligne d’en-tête') }],
    });
    expect(readAttributionsCsv(`${HEADER};couleur\n`)).toMatchObject({
      ok: false,
      report: [{ line: 1, message: expect.stringContaining('« couleur » n’est pas une colonne connue') }],
    });
    expect(readAttributionsCsv(`${HEADER}\n`)).toMatchObject({ ok: false, report: [{ line: 2 }] });
    expect(readAttributionsCsv(`${HEADER}\n${C1};${LYCEE.siret};50\n`)).toMatchObject({
      ok: false,
      report: [{ line: 2, message: expect.stringContaining('3 colonne(s) au lieu de 4') }],
    });
    const bytes = iconv.encode(`${HEADER}\r\n\r\n${C1};${LYCEE.siret};BTS Électrotechnique;12,5 %\r\n`, 'windows-1252');
    const r = readAttributionsCsv(bytes);
    expect(r).toMatchObject({
      ok: true,
      encoding: 'windows-1252',
      lines: [{ line: 3, formation: 'BTS Électrotechnique', pourcentage: '12,5 %' }],
    });
    expect(readAttributionsCsv(`\ufeffPOURCENTAGE;Formation;siret_beneficiaire;siret_employeur\n50;;${LYCEE.siret};${C1}\n`)).toMatchObject(
      { ok: true, lines: [{ siretEmployeur: C1, pourcentage: '50' }] },
    );
  });

  it('refuses more than 20,000 lines and more than 5 MB', () => {
    const big = HEADER + '\n' + `${C1};${LYCEE.siret};;1\n`.repeat(20_001);
    expect(readAttributionsCsv(big)).toMatchObject({ ok: false, report: [{ message: expect.stringContaining('20000 lignes') }] });
    expect(readAttributionsCsv(Buffer.alloc(5 * 1024 * 1024 + 1, 0x41))).toMatchObject({
      ok: false,
      report: [{ line: 1, message: expect.stringContaining('5 Mo') }],
    });
  });

  it('formation cells, percentages, line lists', () => {
    expect(parseFormationRef('')).toEqual({ kind: 'aucune' });
    expect(parseFormationRef(' 32025520 ')).toEqual({ kind: 'cfd', code: '32025520' });
    expect(parseFormationRef('rncp 35346')).toEqual({ kind: 'rncp', code: 'RNCP35346' });
    expect(parseFormationRef('BTS Électrotechnique')).toEqual({ kind: 'intitule', key: 'bts electrotechnique' });
    expect([1250, 1000, 1234, 1, 10_000].map(percentCell)).toEqual(['12,5', '10', '12,34', '0,01', '100']);
    expect(describeLines([4])).toBe('ligne 4');
    expect(describeLines([5, 3, 4])).toBe('lignes 3 à 5');
    expect(describeLines([2, 5, 9])).toBe('lignes 2, 5 et 9');
  });

  it('multipart bodies: fields and one file; malformed ones refused', () => {
    const body = Buffer.from(
      '--b\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\ntok\r\n--b\r\nContent-Disposition: form-data; name="fichier"; filename="a\\b.csv"\r\nContent-Type: text/csv\r\n\r\nx;y\r\nz\r\n--b--\r\n',
    );
    const r = parseMultipart(body, 'multipart/form-data; boundary=b');
    expect(r?._csrf).toBe('tok');
    expect(r?.fichier).toMatchObject({ filename: 'b.csv' });
    expect((r?.fichier as { data: Buffer }).data.toString()).toBe('x;y\r\nz');
    expect(parseMultipart(body, 'multipart/form-data')).toBeNull();
    expect(parseMultipart(Buffer.from('--b\r\nno headers'), 'multipart/form-data; boundary=b')).toBeNull();
    expect(
      parseMultipart(
        Buffer.from('--b\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\nx\r\n--b--'),
        'multipart/form-data; boundary=b',
      ),
    ).toBeNull();
  });
});

describe('access', () => {
  it('a person with no « SOLTéA - Employeurs » SIRET gets 403 on every route; a visitor is sent to the login page', async () => {
    for (const url of ['/soltea/employeur/import', '/soltea/employeur/import/modele.csv', '/soltea/employeur/export.csv']) {
      const r = await company.client.get(url);
      expect(r.statusCode, url).toBe(403);
      expect(norm(r.body)).toContain('Ce service ne vous est pas ouvert');
    }
    const before = await snapshot();
    const r = await upload(company.client, csv(`${C1};${LYCEE.siret};;100`));
    expect(r.statusCode).toBe(403);
    expect(await snapshot()).toBe(before);
    const anon = new Client(h);
    const a = await anon.get('/soltea/employeur/import');
    expect(a.statusCode).toBe(303);
    expect(a.headers.location).toContain('/connexion');
  });

  it('the page: DSFR upload without JavaScript, the format, the model, the export, the unavailable clients with their reason', async () => {
    const r = await tiers.client.get('/soltea/employeur/import');
    expect(r.statusCode).toBe(200);
    const body = norm(r.body);
    expect(body).toMatch(/enctype="multipart\/form-data"/i);
    expect(body).toMatch(/<input class="fr-upload" type="file" id="fichier" accept="\.csv,text\/csv" required=""[^>]* name="fichier"\/>/);
    expect(body).toContain('href="/soltea/employeur/import/modele.csv"');
    expect(body).toContain('href="/soltea/employeur/export.csv"');
    expect(body).toMatch(/<input type="checkbox" id="valider" [^>]*name="valider" checked="" value="1"\/>/);
    expect(body).toContain('siret_beneficiaire');
    expect(body).toContain('date de plus de six mois'); // C3
    expect(body).toContain('Vous n’avez pas déposé la DSN de ce client'); // C4
    const model = await tiers.client.get('/soltea/employeur/import/modele.csv');
    expect(model.statusCode).toBe(200);
    expect(model.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(model.body.startsWith(`\ufeff${HEADER}\r\n`)).toBe(true);
    const j = JSON.parse((await tiers.client.get('/soltea/employeur/import', 'application/json')).body);
    expect(j).toMatchObject({ campagne: 2025, disponibles: 4 }); // C1, C2, C6 and the cabinet's own SIRET
    expect(j.indisponibles.map((x: { siret: string }) => x.siret)).toEqual(expect.arrayContaining([C3, C4]));
    const doc = JSON.parse((await h.server.inject({ method: 'GET', url: '/api/openapi.json' })).body) as {
      paths: Record<string, Record<string, { summary?: string }>>;
    };
    expect(doc.paths['/soltea/employeur/import']?.post?.summary).toContain('Tout ou rien');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/soltea/employeur/export.csv', '/soltea/employeur/import/modele.csv']));
  });
});

describe('import', () => {
  it('happy path for two clients: each one’s allocations replaced, validated, audited; summary per client', async () => {
    // the composante shares the lycée's SIRET: designated by its UAI (optional column)
    const withUai = [
      `${HEADER};uai`,
      `${C1};${LYCEE.siret};;60;`,
      `${C1};${LYCEE.siret};${CFD_ELEC};40 %;`,
      `${C2};${LYCEE.siret};${CFD_CS};20;`, // the composante's formation: found through the shared SIRET
      `${C2};${ref.otherSiret};;10,5;`,
      `${C2};${LYCEE.siret};;25;`,
      `${C2};${LYCEE.siret};;5;${uaiComposante}`,
    ].join('\r\n');
    const r = await upload(tiers.client, withUai);
    expect(r.statusCode, norm(r.body).slice(0, 3000)).toBe(200);
    const body = norm(r.body);
    expect(body).toContain('Import terminé : 2 SIRET mis à jour, 6 lignes lues.');
    expect(body).toContain('100 %');
    expect(body).toContain('60,5 %');
    expect(await linesOf(C1)).toEqual([
      { etablissementId: ref.lyceeId, formationId: null, bp: 6000, statut: 'validee' },
      { etablissementId: ref.lyceeId, formationId: ref.formationIds[0]!, bp: 4000, statut: 'validee' },
    ]);
    expect(await linesOf(C2)).toEqual([
      { etablissementId: ref.composanteId, formationId: ref.formationIds[3]!, bp: 2000, statut: 'validee' },
      { etablissementId: ref.otherId, formationId: null, bp: 1050, statut: 'validee' },
      { etablissementId: ref.lyceeId, formationId: null, bp: 2500, statut: 'validee' },
      { etablissementId: ref.composanteId, formationId: null, bp: 500, statut: 'validee' },
    ]);
    const [c1] = await h.ctx.db
      .select()
      .from(choixEmployeurs)
      .where(and(eq(choixEmployeurs.annee, ANNEE), eq(choixEmployeurs.siret, C1)));
    expect(c1).toMatchObject({ version: 1, validationTotalePeriode: 1 });
    const imported = await auditOf('attributions.imported');
    expect(imported).toHaveLength(1);
    expect(imported[0]).toMatchObject({
      actorUserId: tiers.userId,
      espaceId: tiers.espaceId,
      details: { annee: 2025, lignes: 6, clients: 2, modifies: 2, valider: true },
    });
    const changed = await auditOf('attributions.changed');
    expect(changed.map((e) => (e.details as { source: string; siret: string }).source)).toEqual(['import_csv', 'import_csv']);
  });

  it('one bad line → nothing saved for any client, and the report names it', async () => {
    const before = await snapshot();
    const r = await upload(tiers.client, csv(`${C1};${LYCEE.siret};;50`, `${C1};${ref.otherSiret};;50`, `${C2};${LYCEE.siret};;dix`));
    expect(r.statusCode).toBe(400);
    const body = norm(r.body);
    expect(body).toContain('aucune attribution n’a été enregistrée');
    expect(body).toMatch(/<td>4<\/td><td>Pourcentage « dix » : le pourcentage doit être un nombre, par exemple 12,5\.<\/td>/);
    expect(body).toContain('Fichier : attributions.csv');
    expect(await snapshot()).toBe(before);
  });

  it('every kind of wrong line is reported with its line number; nothing saved', async () => {
    const before = await snapshot();
    const badKey = `${C1.slice(0, 13)}${(Number(C1[13]) + 1) % 10}`;
    const r = await postCsv(
      tiers.client,
      csv(
        `${C3};${LYCEE.siret};;10`, // 2: DSN filed more than 6 months ago
        `${C4};${LYCEE.siret};;10`, // 3: DSN filed by someone else
        `${OTHER_CLIENT};${LYCEE.siret};;10`, // 4: another tiers's client
        `${badKey};${LYCEE.siret};;10`, // 5: bad check digit
        `${C1};${notHabilitated};;10`, // 6: not habilitated
        `${C1};${ref.otherSiret};${CFD_ELEC};10`, // 7: formation not taught there
        `${C1};${LYCEE.siret};;10`, // 8
        `${C1};${LYCEE.siret};;20`, // 9: duplicate of 8
        `${C1};${LYCEE.siret};;100,001`, // 10: three decimals (and a duplicate)
        `${C1};123;;10`, // 11
        `${makeValidSiret(makeValidSiren('99966601'), '0001')};${LYCEE.siret};;`, // 12: not one of the person's SIRETs (whatever exists), empty percentage
      ),
    );
    expect(r.statusCode).toBe(400);
    const j = JSON.parse(r.body);
    expect(j.message).toContain('aucune attribution n’a été enregistrée');
    const byLine = new Map<number, string>(j.rapport.map((x: { ligne: number; message: string }) => [x.ligne, x.message]));
    expect([...byLine.keys()]).toEqual([2, 3, 4, 5, 6, 7, 9, 10, 11, 12]);
    expect(byLine.get(2)).toContain('date de plus de six mois');
    expect(byLine.get(3)).toContain('vous n’avez pas déposé la DSN de ce client');
    expect(byLine.get(4)).toBe(
      `Le SIRET employeur ${OTHER_CLIENT} ne fait pas partie des établissements pour lesquels vous pouvez répartir le solde (habilitation « SOLTéA - Employeurs » de votre espace).`,
    );
    expect(byLine.get(5)).toContain('clé de contrôle incorrecte');
    expect(byLine.get(6)).toContain(`Le bénéficiaire ${notHabilitated} n’est pas habilité`);
    expect(byLine.get(6)).toContain('campagne 2025');
    expect(byLine.get(7)).toContain(`Aucune formation « ${CFD_ELEC} »`);
    expect(byLine.get(9)).toContain('Ligne en double : le même bénéficiaire figure déjà à la ligne 8');
    expect(byLine.get(10)).toContain('au plus deux décimales');
    expect(byLine.get(11)).toContain('doit comporter 14 chiffres');
    expect(byLine.get(12)).toContain('ne fait pas partie des établissements');
    expect(byLine.get(12)).toContain('le pourcentage est obligatoire');
    expect(await snapshot()).toBe(before);
  });

  it('rule errors of changeChoices are mapped to the file’s lines: 100 % exceeded, 30 % liste nationale; nothing saved', async () => {
    const before = await snapshot();
    const r = await postCsv(
      tiers.client,
      csv(
        `${C2};${LYCEE.siret};;10`, // 2: a valid change for C2, rolled back with the rest
        `${C1};${LYCEE.siret};;60`, // 3
        `${C1};${ref.otherSiret};;50`, // 4
        `${C6};${nationalSiret};;40`, // 5
      ),
    );
    expect(r.statusCode).toBe(400);
    const j = JSON.parse(norm(r.body));
    expect(j.rapport).toEqual([
      {
        ligne: 3,
        message: `SIRET employeur ${C1} (lignes 3 à 4) : Le total de vos attributions atteint 110 % : il ne peut pas dépasser 100 % de vos crédits à répartir.`,
      },
      {
        ligne: 5,
        message: expect.stringContaining(
          `SIRET employeur ${C6} (ligne 5) : Les organismes de la liste nationale recevraient ensemble 40 %`,
        ),
      },
    ]);
    expect(await snapshot()).toBe(before);
  });

  it('round-trip: export → import unchanged changes nothing; edited export → only that client changes', async () => {
    const exp = await tiers.client.get('/soltea/employeur/export.csv');
    expect(exp.statusCode).toBe(200);
    expect(exp.headers['content-disposition']).toBe('attachment; filename="attributions-2025.csv"');
    const lines = exp.body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'siret_employeur;siret_beneficiaire;formation;pourcentage;uai;lieu;nom_employeur;nom_beneficiaire;intitule_formation;statut',
    );
    // C1 (2 lines), C2 (4 lines), C6 (no allocation: its SIRET alone); never C3 / C4 (unavailable)
    expect(lines.slice(1).map((l) => l.split(';')[0])).toEqual([C1, C1, C2, C2, C2, C2, C6].sort((a, b) => a.localeCompare(b)));
    expect(lines.join('\n')).not.toContain(C3);
    expect(lines.join('\n')).not.toContain(C4);
    expect(lines.find((l) => l.startsWith(`${C6};`))).toMatch(new RegExp(`^${C6};;;;;;[^;]*;;;$`));
    expect(lines).toContain(
      `${C2};${LYCEE.siret};;5;${uaiComposante};;${lines.find((l) => l.startsWith(C2))!.split(';')[6]};UNITE DE FORMATION PAR APPRENTISSAGE RASPAIL;;validée`,
    );
    expect(lines.some((l) => l.startsWith(`${C1};${LYCEE.siret};${CFD_ELEC};40;;75114;`))).toBe(true);

    const before = await snapshot();
    const same = await upload(tiers.client, Buffer.from(exp.rawPayload));
    expect(same.statusCode, norm(same.body).slice(0, 2000)).toBe(200);
    expect(norm(same.body)).toContain('Le fichier est correct : il ne modifie aucune attribution.');
    expect(await snapshot()).toBe(before);

    const edited = exp.body.replace(`${C1};${LYCEE.siret};${CFD_ELEC};40;`, `${C1};${LYCEE.siret};${CFD_FROID};30;`);
    const r = await postCsv(tiers.client, edited);
    expect(r.statusCode, r.body).toBe(200);
    const j = JSON.parse(r.body);
    expect(j).toMatchObject({ campagne: 2025, lignes: 7, modifies: 1, valider: true });
    expect(j.clients.find((c: { siret: string }) => c.siret === C1)).toMatchObject({
      statut: 'modifie',
      total: '90 %',
      ajoutees: 1,
      supprimees: 1,
    });
    expect(j.clients.find((c: { siret: string }) => c.siret === C2)).toMatchObject({ statut: 'inchange', total: '60,5 %' });
    expect((await linesOf(C1)).map((l) => [l.formationId, l.bp])).toEqual([
      [null, 6000],
      [ref.formationIds[1]!, 3000],
    ]);
  });

  it('a name that is a spreadsheet formula does not matter: neutralised on export, ignored on import', async () => {
    let r = await postCsv(tiers.client, csv(`${C6};${hostileSiret};;10`));
    expect(r.statusCode, r.body).toBe(200);
    const exp = await tiers.client.get('/soltea/employeur/export.csv');
    const line = exp.body.split('\r\n').find((l) => l.startsWith(`${C6};`))!;
    expect(line).toContain(`;"'=HYPERLINK(""http://x.example"";""clic"")";`);
    expect(exp.body).not.toMatch(/;=HYPERLINK/);
    const before = await snapshot();
    r = await postCsv(tiers.client, exp.body);
    expect(r.statusCode, r.body).toBe(200);
    expect(JSON.parse(r.body).modifies).toBe(0);
    expect(await snapshot()).toBe(before);
  });

  it('a client with only its SIRET is cleared; « Valider les attributions » unticked only saves; JSON body { csv, valider }', async () => {
    let r = await upload(tiers.client, csv(`${C6};;;`));
    expect(r.statusCode).toBe(200);
    expect(await linesOf(C6)).toEqual([]);
    r = await upload(tiers.client, csv(`${C6};${LYCEE.siret};;15`), {}); // box unticked
    expect(r.statusCode).toBe(200);
    expect(norm(r.body)).toContain('enregistrées sans être validées');
    expect(await linesOf(C6)).toEqual([{ etablissementId: ref.lyceeId, formationId: null, bp: 1500, statut: 'enregistree' }]);
    const j = await tiers.client.json('/soltea/employeur/import', { csv: csv(`${C6};${LYCEE.siret};;15`), valider: true });
    expect(j.statusCode, j.body).toBe(200);
    expect(JSON.parse(j.body)).toMatchObject({ modifies: 1, clients: [{ siret: C6, statut: 'modifie' }] });
    expect(await linesOf(C6)).toEqual([{ etablissementId: ref.lyceeId, formationId: null, bp: 1500, statut: 'validee' }]);
    const bad = await tiers.client.json('/soltea/employeur/import', { valider: true });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).message).toContain('champ csv');
  });

  it('a Windows-1252 file designating a formation by its exact title', async () => {
    const bytes = iconv.encode(`${HEADER}\r\n${C6};${LYCEE.siret};BTS Électrotechnique;15\r\n`, 'windows-1252');
    const r = await postCsv(tiers.client, bytes, '?valider=0');
    expect(r.statusCode, r.body).toBe(200);
    expect(await linesOf(C6)).toEqual([
      { etablissementId: ref.lyceeId, formationId: ref.formationIds[0]!, bp: 1500, statut: 'enregistree' },
    ]);
    expect((await auditOf('attributions.imported')).filter((e) => e.details.encodage === 'windows-1252').map((e) => e.details)).toEqual([
      expect.objectContaining({ valider: false, lignes: 1, modifies: 1 }),
    ]);
  });

  it('no file, a body over 5 MB, a forged CSRF token: refused, nothing saved', async () => {
    const before = await snapshot();
    let r = await upload(tiers.client, '');
    expect(r.statusCode).toBe(400);
    expect(norm(r.body)).toContain('Choisissez le fichier CSV');
    r = await h.server.inject({
      method: 'POST',
      url: '/soltea/employeur/import',
      payload: Buffer.alloc(5 * 1024 * 1024 + 100 * 1024, 0x41),
      headers: { cookie: cookieOf(tiers.client), 'content-type': 'text/csv', accept: 'text/html', 'x-csrf-token': tiers.client.csrf },
    });
    expect(r.statusCode).toBe(413);
    expect(norm(r.body)).toContain('5 Mo');
    r = await h.server.inject({
      method: 'POST',
      url: '/soltea/employeur/import',
      payload: csv(`${C1};${LYCEE.siret};;1`),
      headers: { cookie: cookieOf(tiers.client), 'content-type': 'text/csv', accept: 'application/json', 'x-csrf-token': 'forged' },
    });
    expect(r.statusCode).toBe(403);
    expect(await snapshot()).toBe(before);
  });
});

describe('calendar', () => {
  it('between two periods nothing can be imported; in period 2 a client that validated 100 % in period 1 is locked', async () => {
    const user = await tiersUser();
    const before = await snapshot();
    h.clock.set(new Date('2025-07-01T08:00:00Z'));
    let r = await importAttributions(h.ctx, user, { content: csv(`${C6};${LYCEE.siret};;10`), valider: true });
    expect(r).toMatchObject({ ok: false, problem: { kind: 'invalid', message: expect.stringContaining('entre deux périodes') } });
    h.clock.set(new Date('2025-07-15T08:00:00Z'));
    // C1 validated 100 % in period 1 (the round-trip brought it to 90 % since, the lock is set by hand here)
    await h.ctx.db
      .update(choixEmployeurs)
      .set({ validationTotalePeriode: 1 })
      .where(and(eq(choixEmployeurs.annee, ANNEE), eq(choixEmployeurs.siret, C1)));
    const locked = await snapshot();
    r = await importAttributions(h.ctx, user, {
      content: csv(`${C6};${LYCEE.siret};;10`, `${C1};${LYCEE.siret};;50`, `${C1};${ref.otherSiret};;50`),
      valider: true,
    });
    expect(r).toMatchObject({
      ok: false,
      problem: { kind: 'invalid' },
      report: [
        {
          line: 3,
          message: expect.stringContaining(
            `SIRET employeur ${C1} (lignes 3 à 4) : Vous avez validé la répartition de la totalité de vos fonds pendant la période 1`,
          ),
        },
      ],
    });
    if (!r.ok) expect(r.report).toHaveLength(1);
    expect(await snapshot()).toBe(locked); // C6's valid change rolled back with the rest
    expect(before).not.toBe(locked);
  });
});

/**
 * Scale (opt-in: IMPORT_PERF_CLIENTS=2000 npx vitest run test/attributions/import-csv.test.ts -t scale):
 * a tiers with N clients imports 5 lines each in one file, then re-imports it unchanged.
 */
describe.skipIf(!process.env.IMPORT_PERF_CLIENTS)('scale', () => {
  it('N clients × 5 lines in one transaction', async () => {
    const n = Number(process.env.IMPORT_PERF_CLIENTS);
    h.clock.set(new Date('2025-09-01T08:00:00Z')); // period 2
    const now = h.clock.now();
    const sirets = Array.from({ length: n }, (_, i) => makeValidSiret(makeValidSiren(`9988${String(i).padStart(4, '0')}`), '0001'));
    for (let i = 0; i < n; i += 1000) {
      const part = sirets.slice(i, i + 1000);
      await h.ctx.db
        .insert(entreprises)
        .values(part.map((siret, k) => ({ siren: siret.slice(0, 9), raisonSociale: `CLIENT ${i + k}`, etatAdministratif: 'A' })));
      await h.ctx.db.insert(etablissements).values(
        part.map((siret, k) => ({
          siret,
          siren: siret.slice(0, 9),
          denomination: `CLIENT ${i + k}`,
          estSiege: true,
          etatAdministratif: 'A',
        })),
      );
      await h.ctx.db.execute(
        sql`insert into etablissement_declarations (espace_id, siret, declaration_code, added_at, accessible_at) select ${tiers.espaceId}::uuid, s, 'SOLTEA_EMPLOYEURS', ${now}::timestamptz, ${now}::timestamptz from unnest(${`{${part.join(',')}}`}::text[]) s`,
      );
      await h.ctx.db.insert(habilitations).values(
        part.map((siret) => ({
          userId: tiers.userId,
          siret,
          declarationCode: 'SOLTEA_EMPLOYEURS',
          declarer: true,
          payer: false,
          grantedAt: now,
        })),
      );
      await h.ctx.db.insert(enveloppes).values(
        part.map((siret) => ({
          annee: ANNEE,
          siret,
          collecteur: 'URSSAF',
          soldeCents: 1_000_00n,
          creditsCents: 1_000_00n,
          declarantSiret: CD.siret,
          deposeLe: new Date('2025-08-01T00:00:00Z'),
          updatedAt: now,
        })),
      );
    }
    const lines = sirets.flatMap((s) => [
      `${s};${LYCEE.siret};;30`,
      `${s};${LYCEE.siret};${CFD_ELEC};20`,
      `${s};${LYCEE.siret};${CFD_CS};10`,
      `${s};${ref.otherSiret};;25,5`,
      `${s};${LYCEE.siret};;5;${uaiComposante}`,
    ]);
    const file = [`${HEADER};uai`, ...lines.map((l) => (l.split(';').length === 5 ? l : `${l};`))].join('\r\n');
    const user = await tiersUser();
    let t = performance.now();
    const r = await importAttributions(h.ctx, user, { content: file, valider: true });
    const first = performance.now() - t;
    expect(r).toMatchObject({ ok: true, lignes: 5 * n });
    t = performance.now();
    const again = await importAttributions(h.ctx, user, { content: file, valider: true });
    const second = performance.now() - t;
    expect(again).toMatchObject({ ok: true, modifies: 0 });
    console.log(
      `import of ${n} clients × 5 lines (${h.database.kind}): ${first.toFixed(0)} ms; unchanged re-import: ${second.toFixed(0)} ms`,
    );
  }, 600_000);
});
