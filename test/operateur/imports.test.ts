/**
 * « Imports » of the operator's space: each kind of file uploaded from the browser runs as a job whose
 * report is the command line's; a file of the wrong kind, a file over the limit (refused before it is
 * read), an agent without the role (403) and a file with a wrong line change nothing; the history lists
 * every job; a job left « en cours » by a dead process is marked failed at the next start.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/infra/db/index.js';
import { importsOperateur } from '../../src/infra/db/schema-operateur.js';
import { formatEnvelopeReport } from '../../src/modules/enveloppes/cli-commands.js';
import { importEnveloppes } from '../../src/modules/enveloppes/import.js';
import { failAbandonedImports, importsSettled } from '../../src/modules/operateur/imports.js';
import { createHarness, type Client, type Harness } from '../harness.js';
import { FIXTURES } from '../enveloppes/helpers.js';
import { newAgent, signInAgent } from './helpers.js';

let h: Harness;
let gestionnaire: Client;
let valideur: Client;
let agentId: string;

beforeAll(async () => {
  h = await createHarness();
  const g = await newAgent(h, 'gestionnaire');
  agentId = g.id;
  gestionnaire = await signInAgent(h, g);
  valideur = await signInAgent(h, await newAgent(h, 'valideur'));
}, 120_000);
afterAll(() => h?.stop());

/** A browser's multipart form: the CSRF token and the fields first, the file last. */
async function upload(c: Client, type: string, fields: Record<string, string>, file: { name: string; content: Buffer | string } | null) {
  const boundary = '----formulaire' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries({ _csrf: c.csrf, ...fields }))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="fichier"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n`,
      ),
    );
    parts.push(Buffer.from(file.content));
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return h.server.inject({
    method: 'POST',
    url: `/operateur/imports/${type}`,
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      accept: 'text/html',
    },
    payload: Buffer.concat(parts),
  });
}

interface JobJson {
  id: number;
  type: string;
  etat: string;
  fichier: string;
  sha256: string;
  taille: number;
  agent: string;
  comptes: Record<string, number> | null;
  rapport: string[] | null;
}

/** Uploads, follows to the job's page, waits for the job, reads its JSON. */
async function importFile(type: string, fields: Record<string, string>, name: string, content: Buffer | string): Promise<JobJson> {
  const r = await upload(gestionnaire, type, fields, { name, content });
  expect(r.statusCode, r.body.slice(0, 500)).toBe(303);
  const suivi = String(r.headers.location);
  expect(suivi).toMatch(/^\/operateur\/imports\/suivi\/\d+$/);
  await importsSettled();
  const page = await gestionnaire.get(suivi);
  expect(page.statusCode).toBe(200);
  return JSON.parse((await gestionnaire.get(suivi, 'application/json')).body) as JobJson;
}

const count = async (table: string) =>
  (await selectRows<{ n: number }>(h.ctx.db, sql`select count(*)::int as n from ${sql.raw(table)}`))[0]!.n;
const jobs = () => h.ctx.db.select().from(importsOperateur);
const sha256 = async (b: Buffer | string) => (await import('node:crypto')).createHash('sha256').update(b).digest('hex');

describe('imports from the browser', () => {
  it('imports an envelope file: the job ends « réussi » with the command line’s report, audited with the agent', async () => {
    const content = readFileSync(join(FIXTURES, 'urssaf-2025.csv'));
    const job = await importFile('enveloppes', { annee: '2025', frais: '100,00' }, 'urssaf-2025.csv', content);
    expect(job).toMatchObject({ type: 'enveloppes', etat: 'reussi', fichier: 'urssaf-2025.csv', taille: content.length });
    expect(job.sha256).toBe(await sha256(content));
    expect(job.comptes).toMatchObject({ rejets: 0 });
    expect(job.comptes!.ajoutes).toBeGreaterThan(0);
    expect(job.rapport!.join('\n')).toMatch(/Enveloppes de la campagne 2025 : 1 fichier\(s\)/);
    expect(job.rapport!.at(-1)).toMatch(/^0 rejet, \d+ avertissement\(s\)\.$/);
    const audits = await selectRows<{ action: string; actor_agent_id: string }>(
      h.ctx.db,
      sql`select action, actor_agent_id from audit_events where action in ('operateur.import_lance', 'enveloppes.imported') order by id`,
    );
    expect(audits).toEqual([
      { action: 'operateur.import_lance', actor_agent_id: agentId },
      { action: 'enveloppes.imported', actor_agent_id: agentId },
    ]);
  });

  it('a file with a wrong line: « refusé », the same report as the command, nothing changed', async () => {
    const before = await selectRows(h.ctx.db, sql`select * from enveloppes order by annee, siret`);
    const content = readFileSync(join(FIXTURES, 'rejet-2025.csv'));
    const job = await importFile('enveloppes', { annee: '2025' }, 'rejet-2025.csv', content);
    expect(job.etat).toBe('refuse');
    // the command's report on the same file (but for the duration)
    const cli = formatEnvelopeReport(
      await importEnveloppes(h.ctx.db, 2025, [{ fichier: 'rejet-2025.csv', content }], { now: h.clock.now() }),
    );
    const noTime = (l: string[]) => l.map((x) => x.replace(/ en \d+,\d s\./, ''));
    expect(noTime(job.rapport!)).toEqual(noTime(cli));
    expect(job.rapport!.at(-1)).toMatch(/rien n’a été importé/);
    expect(await selectRows(h.ctx.db, sql`select * from enveloppes order by annee, siret`)).toEqual(before);
  });

  it('imports funds received, métiers en tension, a referential and the registry', async () => {
    const e = await importFile(
      'encaissements',
      { annee: '2025' },
      'urssaf-fonds.csv',
      'siret;collecteur;montant;date_versement\n73282932000074;URSSAF;1 001,00;30/06/2025\n',
    );
    expect(e).toMatchObject({ etat: 'reussi', comptes: { lignes: 1, ajoutes: 1 } });
    expect(e.rapport![0]).toMatch(/^Encaissements de la campagne 2025 : 1 versement\(s\) lu\(s\)/);
    expect(await count('encaissements')).toBe(1);

    const m = await importFile('metiers', { annee: '2025' }, 'metiers.csv', 'region;metier;rncp\n84;Aide-soignant;RNCP35830\n');
    expect(m).toMatchObject({ etat: 'reussi' });
    expect(m.rapport![0]).toMatch(/^Métiers en tension 2025 : 1 métier\(s\) dans 1 région\(s\)/);

    const ref = await importFile(
      'referentiel',
      { annee: '2025' },
      'etablissements.csv',
      'siret;nom;code_commune;categorie\n19750001700011;LYCEE DU FICHIER;75056;1°\n',
    );
    expect(ref.rapport![0]).toMatch(/^Référentiel 2025 : 1 fichier\(s\), 1 ligne\(s\) lue\(s\)/);
    expect(ref.etat).toBe('reussi');

    const registry = readFileSync(join('seed', 'registry', 'search-130025265.json'));
    const reg = await importFile('registre', {}, 'search-130025265.json', registry);
    expect(reg.rapport![0]).toBe('Fichiers lus : 1');
    expect(['reussi', 'refuse']).toContain(reg.etat);
  });

  it('refuses a file of the wrong kind, clearly, and records no job', async () => {
    const n = (await jobs()).length;
    const json = await upload(gestionnaire, 'enveloppes', { annee: '2025' }, { name: 'entreprises.csv', content: '{"results": []}' });
    expect(json.statusCode).toBe(415);
    expect(json.body).toContain('Ce fichier est au format JSON');
    const ext = await upload(gestionnaire, 'registre', {}, { name: 'urssaf-2025.csv', content: 'siret;collecteur\n' });
    expect(ext.statusCode).toBe(415);
    expect(ext.body).toContain('extension attendue « .json »');
    const xlsx = await upload(
      gestionnaire,
      'metiers',
      { annee: '2025' },
      { name: 'metiers.xlsx', content: Buffer.from('PK\u0003\u0004xxxx') },
    );
    expect(xlsx.body).toContain('Ce fichier est un classeur (Excel, LibreOffice) ou une archive ZIP');
    const none = await upload(gestionnaire, 'metiers', { annee: '2025' }, null);
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Choisissez le fichier à importer');
    const noYear = await upload(gestionnaire, 'metiers', {}, { name: 'm.csv', content: 'region;metier;rncp\n' });
    expect(noYear.body).toContain('Indiquez l’année de campagne.');
    expect((await jobs()).length).toBe(n);
  });

  it('refuses a file over the limit before reading it (from its declared length), and one sent without length', async () => {
    const n = (await jobs()).length;
    const big = Buffer.alloc(3 * 1024 * 1024, 'a');
    const r = await upload(gestionnaire, 'metiers', { annee: '2025' }, { name: 'metiers.csv', content: big });
    expect(r.statusCode).toBe(413);
    expect(r.body).toContain('Le fichier dépasse la taille maximale d’un import « Métiers en tension » (2 Mo) : il n’a pas été lu.');
    // a program's raw body (application/octet-stream), without Content-Length: counted while written
    const { Readable } = await import('node:stream');
    const raw = await h.server.inject({
      method: 'POST',
      url: '/operateur/imports/metiers?fichier=metiers.csv&annee=2025',
      headers: {
        'content-type': 'application/octet-stream',
        cookie: [...gestionnaire.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'x-csrf-token': gestionnaire.csrf,
        accept: 'application/json',
      },
      payload: Readable.from([big]),
    });
    expect(raw.statusCode).toBe(413);
    expect(JSON.parse(raw.body)).toMatchObject({ code: 'fichier_trop_gros' });
    expect((await jobs()).length).toBe(n);
  });

  it('a program posts the file itself (application/octet-stream) and reads the job', async () => {
    const r = await h.server.inject({
      method: 'POST',
      url: '/operateur/imports/metiers?fichier=metiers-2.csv&annee=2025',
      headers: {
        'content-type': 'application/octet-stream',
        cookie: [...gestionnaire.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'x-csrf-token': gestionnaire.csrf,
        accept: 'application/json',
      },
      payload: 'region;metier;rncp\n11;Technicien informatique;RNCP37391\n',
    });
    expect(r.statusCode).toBe(202);
    const { id, suivi } = JSON.parse(r.body) as { id: number; suivi: string };
    await importsSettled();
    const job = JSON.parse((await gestionnaire.get(suivi, 'application/json')).body) as JobJson;
    expect(job).toMatchObject({ id, etat: 'reussi', fichier: 'metiers-2.csv' });
  });

  it('an agent without the role gets 403 before the file is read; the history is open to every agent', async () => {
    const n = (await jobs()).length;
    const r = await upload(valideur, 'enveloppes', { annee: '2025' }, { name: 'urssaf-2025.csv', content: 'siret;collecteur\n' });
    expect(r.statusCode).toBe(403);
    expect(r.body).toContain('Cette action est réservée aux agents gestionnaires de l’opérateur.');
    expect((await valideur.get('/operateur/imports/enveloppes')).statusCode).toBe(403);
    expect((await jobs()).length).toBe(n);
    const history = await valideur.get('/operateur/imports');
    expect(history.statusCode).toBe(200);
    expect(history.body).toContain('Historique des imports');
    expect(history.body).not.toContain('href="/operateur/imports/enveloppes"');
    const list = JSON.parse((await valideur.get('/operateur/imports', 'application/json')).body) as { total: number; imports: JobJson[] };
    expect(list.total).toBe(n);
    expect(list.imports.map((j) => [j.type, j.etat])).toEqual(
      expect.arrayContaining([
        ['enveloppes', 'reussi'],
        ['enveloppes', 'refuse'],
        ['encaissements', 'reussi'],
        ['referentiel', 'reussi'],
      ]),
    );
    // every import of the gestionnaire, named
    expect(new Set(list.imports.map((j) => j.agent)).size).toBe(1);
    expect(list.imports[0]!.agent).toMatch(/Martin/);
    expect(history.body).toContain(list.imports[0]!.sha256);
  });

  it('a job left « en cours » by a dead process is marked failed at the next start', async () => {
    const now = h.clock.now();
    const [row] = await h.ctx.db
      .insert(importsOperateur)
      .values({
        type: 'enveloppes',
        annee: 2025,
        agentId,
        fichier: 'coupe.csv',
        sha256: 'x'.repeat(64),
        taille: 10,
        etat: 'en_cours',
        instance: 'un-processus-mort',
        battement: new Date(now.getTime() - 10 * 60_000),
        createdAt: now,
      })
      .returning({ id: importsOperateur.id });
    expect(await failAbandonedImports(h.ctx)).toBe(1);
    const job = JSON.parse((await gestionnaire.get(`/operateur/imports/suivi/${row!.id}`, 'application/json')).body) as JobJson;
    expect(job.etat).toBe('echoue');
    expect(job.rapport).toEqual(['L’import a été interrompu (arrêt du serveur) : rien n’a été importé. Déposez le fichier à nouveau.']);
  });
});
