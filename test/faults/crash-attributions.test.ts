/**
 * Crashes of allocation writes: a tiers-déclarant's CSV import (`importAttributions`, many clients in
 * one transaction) and an allocation save (`changeChoices`, the single write path), each run through
 * its use case in a child process (children/attributions.ts) on the demo data set, killed with SIGKILL
 * at random moments, then run again (crash-runner.ts). After a kill the database holds the state
 * before or the state after — allocations, versions, audit, notifications and mails together — and
 * the re-run ends exactly where an uninterrupted run does.
 *
 * Runs on PostgreSQL (TEST_DATABASE_URL) and on PGlite (one kill per write: each PGlite process takes
 * seconds to open).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import { DEMO_COMPANIES } from '../../src/demo/registry.js';
import { seedDemo } from '../../src/demo/seed.js';
import { ManualClock } from '../../src/infra/clock.js';
import { loadConfig } from '../../src/infra/config.js';
import { migrateDatabase, selectRows, type Database } from '../../src/infra/db/index.js';
import { users } from '../../src/infra/db/schema.js';
import { createMailDeliverer } from '../../src/infra/mail.js';
import { employerSirets } from '../../src/modules/attributions/scope.js';
import { ensureCommunes } from '../../src/modules/referentiel/communes.js';
import { crashRuns, type CrashScenario } from './crash-runner.js';
import { faultSeed, killAllChildren } from './processes.js';
import { pgliteStore, postgresStore, type Store } from './stores.js';

const PG = process.env.TEST_DATABASE_URL;
const RUNS = PG ? 4 : 1;
const SEED = faultSeed();
const ANNEE = 2025;
/** the demo's instant: 16 June 2025, 09:00 Paris, in the first allocation period of the 2025 campaign */
const NOW = new Date('2025-06-16T07:00:00Z');
/** clients in the file, lines per client */
const CLIENTS = 40;
const LINES = 10;
/** lines of the saved set (1 % each) */
const ITEMS = 100;

const dir = mkdtempSync(join(tmpdir(), 'faults-attributions-'));
const csvFile = join(dir, 'attributions.csv');
const itemsFile = join(dir, 'items.json');
let userId = '';
let store: Store;

/** The demo data set (as `npm start` seeds it), then the file and the set the children write. */
async function prepare(database: Database) {
  await migrateDatabase(database);
  const config = loadConfig({ NODE_ENV: 'test' });
  const clock = new ManualClock(NOW);
  const ctx: AppContext = {
    db: database.db,
    dbKind: database.kind,
    config,
    clock,
    mail: createMailDeliverer(database.db, clock, undefined, ''),
  };
  await ensureCommunes(ctx.db);
  await seedDemo(ctx);
  // DURAND Paul, administrator of the tiers-déclarant CABINET COMPTABLE DURAND, and the clients he may allocate for
  const [tiers] = await ctx.db
    .select()
    .from(users)
    .where(and(eq(users.nom, 'DURAND'), eq(users.prenom, 'Paul')));
  userId = tiers!.id;
  const clients = (await employerSirets(ctx, tiers!, ANNEE))
    .filter((s) => s.indisponible === null && s.siret !== DEMO_COMPANIES.boulangerieMoutin.siret)
    .map((s) => s.siret)
    .sort()
    .slice(0, CLIENTS);
  expect(clients).toHaveLength(CLIENTS);
  // establishments of the liste régionale that their SIRET alone designates
  const targets = await selectRows<{ id: string | number; siret: string }>(
    ctx.db,
    sql`select min(id) as id, siret from ref_etablissements where annee = ${ANNEE} and liste = 'regionale'
        group by siret having count(*) = 1 order by siret limit ${ITEMS}`,
  );
  expect(targets).toHaveLength(ITEMS);
  const lines = clients.flatMap((c, i) => Array.from({ length: LINES }, (_, j) => `${c};${targets[(i + j) % ITEMS]!.siret};;10`));
  writeFileSync(csvFile, ['siret_employeur;siret_beneficiaire;formation;pourcentage', ...lines].join('\n') + '\n');
  writeFileSync(itemsFile, JSON.stringify(targets.map((t) => ({ target: { etablissementId: Number(t.id), formationId: null }, bp: 100 }))));
}

beforeAll(async () => {
  store = PG ? await postgresStore(PG, prepare) : await pgliteStore(prepare);
}, 180_000);

afterAll(async () => {
  killAllChildren();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What an allocation write changes (without sequence ids: a rolled-back run consumes them). */
const STATE = [
  'select annee, siret_employeur, etablissement_id, formation_id, points_base, statut, validee_le, valide_periode, updated_at, updated_by from attributions',
  'select * from choix_employeurs',
  `select at, action, actor_user_id, espace_id, ip, details from audit_events where action = 'attributions.changed'`,
  'select user_id, at, text, read_at from notifications',
  'select "to", subject, text, created_at, sent_at, attempts, next_attempt_at, dedupe_key from mail_outbox',
];

const child = (args: string[]): Pick<CrashScenario, 'entry' | 'args' | 'env' | 'inside' | 'done'> => ({
  entry: 'test/faults/children/attributions.ts',
  args,
  env: { NODE_ENV: 'test', FAULTS_NOW: NOW.toISOString(), FAULTS_USER_ID: userId, FAULTS_ANNEE: String(ANNEE) },
  inside: /^TRANSACTION$/m,
  done: /^FAIT /m,
});

describe(`SIGKILL during an allocation write (${PG ? 'PostgreSQL' : 'PGlite'})`, () => {
  it(`a tiers-déclarant's CSV import (${CLIENTS} clients): before or after, never half`, { timeout: 180_000 }, async () => {
    const s = await crashRuns(
      store,
      {
        name: `importAttributions (${CLIENTS} clients × ${LINES} lignes)`,
        ...child(['import-csv', csvFile]),
        state: STATE,
        record: `select at, action, details from audit_events where action = 'attributions.imported'`,
      },
      { runs: RUNS, seed: SEED },
    );
    expect(s.inside, 'some kills must land inside the transaction').toBeGreaterThan(0);
  });

  it(
    `an allocation save (changeChoices, ${ITEMS} lines replacing a saved set): before or after, never half`,
    { timeout: 180_000 },
    async () => {
      const s = await crashRuns(
        store,
        { name: `changeChoices (${ITEMS} lignes)`, ...child(['changer', DEMO_COMPANIES.boulangerieMoutin.siret, itemsFile]), state: STATE },
        { runs: RUNS, seed: SEED },
      );
      expect(s.inside, 'some kills must land inside the transaction').toBeGreaterThan(0);
    },
  );
});
