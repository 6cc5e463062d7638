/**
 * Crashes of the operators' imports: `import-envelopes` and `import-referential` run as an operator
 * runs them (src/cli.ts, the program behind `npm run cli`) in a child process, killed with SIGKILL at
 * random moments, then run again (crash-runner.ts). Each import is one transaction: after a kill the
 * database holds the state before or the state after, and the re-run ends exactly where an
 * uninterrupted run does.
 *
 * PostgreSQL (TEST_DATABASE_URL): the server rolls back what the killed client left open. PGlite: the
 * database engine dies with the process and recovers from its log at the next open (the demo's data
 * folder), with one kill per import since each PGlite process takes seconds to open.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoEnvelopes } from '../../src/demo/enveloppes-generator.js';
import { generateReferentiel, writeReferentielFiles } from '../../src/demo/referentiel-generator.js';
import { migrateDatabase, type Database } from '../../src/infra/db/index.js';
import { importEnveloppes } from '../../src/modules/enveloppes/import.js';
import { ensureCommunes } from '../../src/modules/referentiel/communes.js';
import { crashRuns, type CrashScenario } from './crash-runner.js';
import { faultSeed, killAllChildren } from './processes.js';
import { pgliteStore, postgresStore, type Store } from './stores.js';

const PG = process.env.TEST_DATABASE_URL;
const RUNS = PG ? 4 : 1;
const SEED = faultSeed();
const NOW = '2025-06-02T10:00:00+02:00';
const dir = mkdtempSync(join(tmpdir(), 'faults-imports-'));
const envelopes2024 = generateDemoEnvelopes(2024);
const envelopes2025 = join(dir, 'enveloppes-2025.csv');
let referentialFiles: string[] = [];
let store: Store;

/** The base: the schema, the communes, and last campaign's envelopes (the 2025 import carries their reports over). */
async function prepare(database: Database) {
  await migrateDatabase(database);
  await ensureCommunes(database.db);
  const r = await importEnveloppes(database.db, 2024, [{ fichier: envelopes2024.name, content: envelopes2024.content }], {
    now: new Date('2024-06-03T10:00:00+02:00'),
    operatorFeeCents: 5_000_000n,
  });
  if (!r.ok) throw new Error(r.rejected.map((x) => x.message).join('\n'));
}

beforeAll(async () => {
  writeFileSync(envelopes2025, generateDemoEnvelopes(2025).content);
  referentialFiles = writeReferentielFiles(
    join(dir, 'referentiel'),
    generateReferentiel({ etablissements: 800, formations: 8000, seed: 4 }),
  );
  store = PG ? await postgresStore(PG, prepare) : await pgliteStore(prepare);
}, 120_000);

afterAll(async () => {
  killAllChildren();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = { NODE_ENV: 'development', DEMO_NOW: NOW, LOG_LEVEL: 'silent' };

describe(`SIGKILL during an import (${PG ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('import-envelopes: before or after, never half; the re-run ends as an uninterrupted run', { timeout: 180_000 }, async () => {
    const scenario: CrashScenario = {
      name: 'import-envelopes 2025',
      entry: 'src/cli.ts',
      args: ['import-envelopes', '2025', envelopes2025, '--frais-operateur', '150000'],
      env: cli,
      inside: /Calcul des enveloppes/,
      done: /^Enveloppes 2025 : /m,
      state: ['select * from enveloppes'],
      record: `select action, details from audit_events where action = 'enveloppes.imported' and details->>'annee' = '2025'`,
    };
    const s = await crashRuns(store, scenario, { runs: RUNS, seed: SEED });
    expect(s.kills).toBeGreaterThanOrEqual(RUNS);
    expect(s.inside, 'some kills must land inside the transaction').toBeGreaterThan(0);
  });

  it('import-referential: before or after, never half; the re-run ends as an uninterrupted run', { timeout: 180_000 }, async () => {
    const scenario: CrashScenario = {
      name: 'import-referential 2025',
      entry: 'src/cli.ts',
      args: ['import-referential', '2025', ...referentialFiles],
      env: cli,
      inside: /Établissements et composantes : 0\//,
      done: /^Référentiel 2025 : /m,
      // natural keys instead of ids (a rolled-back run consumes sequence values); updated_at is the run's own clock
      state: [
        `select e.annee, e.cle, e.siret, p.cle as parent, e.nom, e.nom_recherche, e.adresse, e.code_postal, e.code_commune, e.commune,
           e.departement, e.region, e.lat, e.lng, e.categorie, e.liste, e.checksum_warning
         from ref_etablissements e left join ref_etablissements p on p.id = e.parent_id`,
        `select e.annee, e.cle, u.uai, u.checksum_warning from ref_etablissement_uais u join ref_etablissements e on e.id = u.etablissement_id`,
        `select f.annee, e.cle, d.cle as diplome, f.code_commune, f.commune
         from ref_formations f join ref_etablissements e on e.id = f.etablissement_id join ref_diplomes d on d.id = f.diplome_id`,
        'select cle, intitule, intitule_recherche, cfd, rncp, niveau, type from ref_diplomes',
      ],
    };
    const s = await crashRuns(store, scenario, { runs: RUNS, seed: SEED });
    expect(s.kills).toBeGreaterThanOrEqual(RUNS);
    expect(s.inside, 'some kills must land inside the transaction').toBeGreaterThan(0);
  });
});
