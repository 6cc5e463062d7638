import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type Database } from '../../infra/db/index.js';
import { entreprises, etablissements } from '../../infra/db/schema.js';
import { makeValidSiren, makeValidSiret } from '../../domain/identifiers.js';
import { SEED_DIR } from '../../infra/files.js';
import { importRegistry, importRegistryRows } from './import-registry.js';
import type { EntrepriseRow, EtablissementRow } from './registry-format.js';
import { findEtablissement, listEtablissementsOfSiren } from './registry-repository.js';

/** Real recherche-entreprises snapshots, kept in the repository (seed/SOURCES.md). */
const REAL_DIR = join(SEED_DIR, 'registry');
const realFiles = readdirSync(REAL_DIR)
  .filter((f) => f.startsWith('search-') && f.endsWith('.json'))
  .sort()
  .map((f) => join(REAL_DIR, f));

const T0 = new Date('2026-05-04T08:00:00Z');
const T1 = new Date('2026-05-05T08:00:00Z');

let database: Database;
let tmp: string;

beforeAll(async () => {
  database = await openDatabase({});
  await migrateDatabase(database);
});
afterAll(async () => {
  await database.close();
});
// every test starts from an empty registry (CASCADE also empties the tables that reference it)
beforeEach(async () => {
  await database.db.execute(sql`TRUNCATE TABLE etablissements, entreprises CASCADE`);
  tmp = mkdtempSync(join(tmpdir(), 'registry-import-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

async function rowCounts() {
  const [e] = await database.db.select({ n: count() }).from(entreprises);
  const [s] = await database.db.select({ n: count() }).from(etablissements);
  return { entreprises: Number(e!.n), etablissements: Number(s!.n) };
}

describe('importRegistry', () => {
  it('imports the real snapshots, then a re-run changes nothing and makes no duplicates', async () => {
    const progress: [number, number][] = [];
    const first = await importRegistry(database.db, realFiles, { now: T0, onProgress: (d, t) => progress.push([d, t]) });
    expect(first.files).toBe(23);
    expect(first.entreprises).toEqual({ inserted: 19, updated: 0, unchanged: 0 });
    expect(first.etablissements).toEqual({ inserted: 19, updated: 0, unchanged: 0 });
    expect(first.rejected.map((r) => r.ref)).toEqual(['search-123456789.json (SIREN 123456789)']);
    expect(first.warnings).toHaveLength(2);
    expect(progress.at(-1)).toEqual([38, 38]);
    expect(await rowCounts()).toEqual({ entreprises: 19, etablissements: 19 });

    const second = await importRegistry(database.db, realFiles, { now: T1 });
    expect(second.entreprises).toEqual({ inserted: 0, updated: 0, unchanged: 19 });
    expect(second.etablissements).toEqual({ inserted: 0, updated: 0, unchanged: 19 });
    expect(await rowCounts()).toEqual({ entreprises: 19, etablissements: 19 });
    // unchanged rows keep their first import date
    const dinum = await findEtablissement(database.db, '13002526500013');
    expect(dinum?.updatedAt.toISOString()).toBe(T0.toISOString());
  });

  it('updates a row changed in the source: a closed establishment becomes F, a ceased company C', async () => {
    const original = join(REAL_DIR, 'search-487444697.json');
    await importRegistry(database.db, [original], { now: T0 });
    expect((await findEtablissement(database.db, '48744469700428'))?.etatAdministratif).toBe('A');

    const doc = JSON.parse(readFileSync(original, 'utf8'));
    const r = doc.result.results[0];
    r.etat_administratif = 'C';
    r.nom_raison_sociale = 'ESSOR ENERGIES RENOUVELABLES';
    r.siege.etat_administratif = 'F';
    r.siege.date_fermeture = '2026-04-30';
    const modified = join(tmp, 'search-487444697.json');
    writeFileSync(modified, JSON.stringify(doc));

    const report = await importRegistry(database.db, [modified], { now: T1 });
    expect(report.entreprises).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    expect(report.etablissements).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    expect(await rowCounts()).toEqual({ entreprises: 1, etablissements: 1 });

    const found = await findEtablissement(database.db, '48744469700428');
    expect(found).toMatchObject({
      etatAdministratif: 'F',
      denomination: 'SOLARSUD',
      entreprise: { raisonSociale: 'ESSOR ENERGIES RENOUVELABLES', etatAdministratif: 'C' },
    });
    expect(found!.updatedAt.toISOString()).toBe(T1.toISOString());
  });

  it('reports unreadable, truncated and wrong-shape files without throwing, and imports the others', async () => {
    const truncated = join(tmp, 'tronque.json');
    writeFileSync(truncated, readFileSync(join(REAL_DIR, 'search-302474648.json'), 'utf8').slice(0, 300));
    const wrongShape = join(tmp, 'mauvaise-forme.json');
    writeFileSync(wrongShape, JSON.stringify({ data: [{ id: 1 }] }));
    const missing = join(tmp, 'absent.json');
    const folder = join(tmp, 'dossier.json');
    mkdirSync(folder);
    const good = join(REAL_DIR, 'search-908595879.json');

    const report = await importRegistry(database.db, [truncated, wrongShape, missing, folder, good], { now: T0 });
    expect(report.files).toBe(5);
    expect(report.rejected.map((r) => r.ref)).toEqual(['tronque.json', 'mauvaise-forme.json', 'absent.json', 'dossier.json']);
    const [tronque, forme, absent, dossier] = report.rejected.map((r) => r.reason);
    expect(tronque).toMatch(/^Fichier illisible : JSON invalide ou tronqué/);
    expect(forme).toMatch(/^Document non reconnu/);
    expect(absent).toMatch(/^Fichier illisible : fichier introuvable/);
    expect(dossier).toMatch(/^Fichier illisible/);
    expect(report.entreprises.inserted).toBe(1);
    expect((await findEtablissement(database.db, '90859587900010'))?.entreprise.raisonSociale).toBe('SEVERNAYA');
  });

  /** Imports the real SEVERNAYA document with its head office's SIRET replaced, as the file `name`. */
  async function importWithSiegeSiret(siret: string, name: string) {
    const doc = JSON.parse(readFileSync(join(REAL_DIR, 'search-908595879.json'), 'utf8'));
    doc.result.results[0].siege.siret = siret;
    const file = join(tmp, name);
    writeFileSync(file, JSON.stringify(doc));
    return importRegistry(database.db, [file], { now: T0 });
  }

  it('rejects a 13-digit SIRET (company kept, establishment not imported)', async () => {
    const report = await importWithSiegeSiret('9085958790001', 'siret-13.json');
    expect(report.rejected).toEqual([
      {
        ref: 'siret-13.json (SIRET 9085958790001)',
        reason: 'SIRET « 9085958790001 » invalide : il doit comporter exactement 14 chiffres (13 caractères reçus). Établissement ignoré.',
      },
    ]);
    expect(await rowCounts()).toEqual({ entreprises: 1, etablissements: 0 });
  });

  it('stores checksumWarning for a SIRET failing its check digit', async () => {
    const report = await importWithSiegeSiret('90859587900011', 'cle.json');
    expect(report.warnings.map((w) => w.reason)).toEqual([
      'Clé de contrôle du SIRET incorrecte : établissement importé tel que fourni par le registre et signalé.',
    ]);
    expect((await findEtablissement(database.db, '90859587900011'))?.checksumWarning).toBe(true);
  });
});

describe('importRegistryRows', () => {
  it('loads 10,000+ rows in one transaction quickly, and counts a re-run as unchanged', async () => {
    const ents: EntrepriseRow[] = [];
    const etabs: EtablissementRow[] = [];
    for (let i = 0; i < 4000; i++) {
      const siren = makeValidSiren(String(99_800_000 + i));
      ents.push({ siren, raisonSociale: `SOCIETE ${i}`, sigle: null, categorieJuridique: '5710', etatAdministratif: 'A' });
      for (let k = 1; k <= 2; k++) {
        etabs.push({
          siret: makeValidSiret(siren, String(k).padStart(4, '0')),
          siren,
          denomination: `SOCIETE ${i}`,
          estSiege: k === 1,
          adresse: `${k} RUE DE LA PAIX 37000 TOURS`,
          codePostal: '37000',
          codeCommune: '37261',
          libelleCommune: 'TOURS',
          etatAdministratif: 'A',
          checksumWarning: false,
        });
      }
    }
    const started = performance.now();
    const calls: number[] = [];
    const report = await importRegistryRows(
      database.db,
      { entreprises: ents, etablissements: etabs },
      { now: T0, onProgress: (d) => calls.push(d) },
    );
    const ms = performance.now() - started;
    console.log(`importRegistryRows: ${ents.length + etabs.length} rows in ${Math.round(ms)} ms on PGlite`);
    expect(report.entreprises.inserted).toBe(4000);
    expect(report.etablissements.inserted).toBe(8000);
    expect(calls).toHaveLength(1 + 8 + 16); // initial call + one per 500-row batch
    expect(ms).toBeLessThan(15_000);

    // change 3 rows, feed everything again (with a duplicated key in the input: last one wins)
    etabs[1] = { ...etabs[1]!, etatAdministratif: 'F' };
    ents[0] = { ...ents[0]!, raisonSociale: 'SOCIETE ZERO' };
    const again = await importRegistryRows(
      database.db,
      { entreprises: ents, etablissements: [...etabs, { ...etabs[3]!, denomination: 'AGENCE DE TOURS' }] },
      { now: T1 },
    );
    expect(again.entreprises).toEqual({ inserted: 0, updated: 1, unchanged: 3999 });
    expect(again.etablissements).toEqual({ inserted: 0, updated: 2, unchanged: 7998 });
    expect(await rowCounts()).toEqual({ entreprises: 4000, etablissements: 8000 });
  }, 60_000);

  it('rolls back the whole load when a row breaks a constraint', async () => {
    const siren = makeValidSiren('99800000');
    const orphan = makeValidSiren('99800001');
    await expect(
      importRegistryRows(
        database.db,
        {
          entreprises: [{ siren, raisonSociale: 'A', sigle: null, categorieJuridique: null, etatAdministratif: 'A' }],
          etablissements: [
            {
              siret: makeValidSiret(orphan, '0001'),
              siren: orphan, // no such entreprise: foreign key violation
              denomination: 'X',
              estSiege: true,
              adresse: '',
              codePostal: null,
              codeCommune: null,
              libelleCommune: null,
              etatAdministratif: 'A',
              checksumWarning: false,
            },
          ],
        },
        { now: T0 },
      ),
    ).rejects.toThrow();
    expect(await rowCounts()).toEqual({ entreprises: 0, etablissements: 0 });
  });
});

describe('registry repository', () => {
  it('finds an establishment with its company, or null', async () => {
    await importRegistry(database.db, realFiles, { now: T0 });
    expect(await findEtablissement(database.db, '83951732300011')).toEqual({
      siret: '83951732300011',
      siren: '839517323',
      denomination: 'RED NEEDLES',
      estSiege: true,
      adresse: '17 RUE DE FRANCEVILLE 93220 GAGNY',
      codePostal: '93220',
      codeCommune: '93032',
      libelleCommune: 'GAGNY',
      etatAdministratif: 'F',
      checksumWarning: false,
      updatedAt: T0,
      entreprise: { siren: '839517323', raisonSociale: 'RED NEEDLES', sigle: null, categorieJuridique: '5499', etatAdministratif: 'C' },
    });
    expect(await findEtablissement(database.db, '12345678900003')).toBeNull();
  });

  it('lists the establishments of a SIREN, siège first then by SIRET, closed ones on request', async () => {
    const siren = makeValidSiren('99800000');
    const siret = (nic: string) => makeValidSiret(siren, nic);
    const base = {
      siren,
      denomination: 'X',
      adresse: '',
      codePostal: null,
      codeCommune: null,
      libelleCommune: null,
      checksumWarning: false,
    };
    await importRegistryRows(
      database.db,
      {
        entreprises: [{ siren, raisonSociale: 'X', sigle: null, categorieJuridique: null, etatAdministratif: 'A' }],
        etablissements: [
          { ...base, siret: siret('0003'), estSiege: false, etatAdministratif: 'A' },
          { ...base, siret: siret('0001'), estSiege: false, etatAdministratif: 'F' },
          { ...base, siret: siret('0004'), estSiege: true, etatAdministratif: 'A' },
          { ...base, siret: siret('0002'), estSiege: false, etatAdministratif: 'A' },
        ],
      },
      { now: T0 },
    );
    const open = await listEtablissementsOfSiren(database.db, siren, { includeClosed: false });
    expect(open.map((e) => e.siret)).toEqual([siret('0004'), siret('0002'), siret('0003')]);
    const all = await listEtablissementsOfSiren(database.db, siren, { includeClosed: true });
    expect(all.map((e) => e.siret)).toEqual([siret('0004'), siret('0001'), siret('0002'), siret('0003')]);
    expect(await listEtablissementsOfSiren(database.db, '999999999', { includeClosed: true })).toEqual([]);
  });
});
