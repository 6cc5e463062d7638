/**
 * The national-scale data set of bench/allocations.ts, on its own PostgreSQL database (kept between runs
 * as a cache: building 6,000,000 allocations takes minutes).
 *
 * - the migrations (the project's openDatabase + migrateDatabase), the communes;
 * - the referential of 2025 and 2024: the national-scale generator (12,000 establishments with their
 *   composantes, 300,000 formations, 81 on the liste nationale) imported through the real import
 *   (`importReferentielContents`), the same files for both years;
 * - `BENCH_ALLOC_EMPLOYERS` (750,000) envelopes for 2025: valid 14-digit SIRETs (SIRENs 97…, one to three
 *   SIRETs per SIREN), crédits à répartir in cents (a long tail: most a few hundred euros, a few
 *   hundred thousand), about 5 % MSA;
 * - about 8 allocations per employer (4 to 12, 6,000,000 in all): half établissements or composantes,
 *   half formations; 10 % of the employers give their first line to an organisation of the liste
 *   nationale; every line between 1 % and 90 % ÷ lines, so an employer's total stays ≤ 90 % (room for
 *   the benchmark's « ajouter ») and its national share ≤ 30 %; 30 % of the employers validated every
 *   line in period 1, 10 % some of them. The lines are written line number by line number, so one
 *   employer's lines lie on distant pages, as they would after weeks of entries;
 * - one `choix_employeurs` row per employer;
 * - the bench's own tables (`bench_employeurs`: index, SIRET, number of lines; `bench_cibles_*`: the
 *   targets drawn from; `bench_meta`: what was built and how long it took), then VACUUM ANALYZE.
 *
 * The attributions' secondary indexes are dropped during the load and recreated from their own
 * definitions (pg_indexes), so whatever the migrations define is what is measured. The meta row is
 * written last: an interrupted build is detected and started again.
 */
import type { Client as PgClient } from 'pg';
import { sql } from 'drizzle-orm';
import { makeValidSiren, makeValidSiret } from '../src/domain/identifiers.js';
import { migrateDatabase, openDatabase, type Database } from '../src/infra/db/index.js';
import { ensureCommunes, loadCommuneIndex } from '../src/modules/referentiel/communes.js';
import { generateReferentiel, referentielCsv } from '../src/demo/referentiel-generator.js';
import { applyReferentiel, parseReferentielContents } from '../src/modules/referentiel/import.js';

export const ANNEE = 2025;
export const PREVIOUS = 2024;
/** what the allocations of one employer may add up to at most, in basis points */
export const SETUP_MAX_TOTAL_BP = 9_000;
/** bump when the data set changes: a cached database of another version is rebuilt */
const DATA_VERSION = 1;

export interface SetupInfo {
  employeurs: number;
  attributions: number;
  /** the highest allocation id of the data set: a run deletes the rows it added above it */
  maxAttributionId: number;
  etablissements: number;
  formations: number;
  setupMs: number;
  builtAt: string;
  steps: Record<string, number>;
}

const log = (s = '') => process.stdout.write(`${s}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
type Row = Record<string, unknown>;
export async function q<T = Row>(database: Database, text: string): Promise<T[]> {
  return ((await database.db.execute(sql.raw(text))) as unknown as { rows: T[] }).rows;
}

/** Employer i's SIRET: SIREN 97 + 7 digits (+ key), NIC 0000x + key; one to three SIRETs per SIREN. */
export function employerSiret(i: number): string {
  const group = Math.floor(i / 3) * 2 + (i % 3 === 2 ? 1 : 0); // pairs and singles: i = 0,1 → one SIREN; 2 → the next
  const siren = makeValidSiren(`97${String(group).padStart(6, '0')}`);
  return makeValidSiret(siren, `000${(i % 3) + 1}`);
}

/** Number of lines of employer i: 4 … 12, 8 on average (deterministic). */
export function linesOfEmployer(i: number): number {
  return 4 + ((Math.imul(i + 1, 2654435761) >>> 0) % 9);
}

/** The highest basis points one line of an employer with `n` lines may hold (total ≤ 90 %). */
export const lineCapBp = (n: number) => Math.floor(SETUP_MAX_TOTAL_BP / n);

function dbUrl(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(baseUrl: string, f: (c: PgClient) => Promise<T>): Promise<T> {
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

/** Reads what a cached database holds, or null when it is missing, incomplete or of another shape. */
async function cachedInfo(url: string, employeurs: number): Promise<SetupInfo | null> {
  const database = await openDatabase({ url, poolSize: 2 });
  try {
    const [meta] = await q<{ value: SetupInfo & { version: number } }>(database, `select value from bench_meta where key = 'setup'`).catch(
      () => [],
    );
    if (!meta || meta.value.version !== DATA_VERSION || meta.value.employeurs !== employeurs) return null;
    // pending migrations (the schema moved on since the build) are applied to the cached data
    await migrateDatabase(database);
    const removed = await cleanupRun(database);
    if (removed) log(`  removed ${removed} allocations left by an interrupted run`);
    const [c] = await q<{ env: string; att: string }>(
      database,
      `select (select count(*) from enveloppes where annee = ${ANNEE}) as env, (select count(*) from attributions where annee = ${ANNEE}) as att`,
    );
    if (Number(c!.env) !== employeurs || Number(c!.att) !== meta.value.attributions) {
      log(
        `  cached database has ${c!.env} envelopes and ${c!.att} allocations, expected ${employeurs} and ${meta.value.attributions}: rebuilding`,
      );
      return null;
    }
    return meta.value;
  } finally {
    await database.close();
  }
}

/** Deletes what a benchmark run added (allocations above the data set's ids, audit events); returns the allocations deleted. */
export async function cleanupRun(database: Database): Promise<number> {
  const [m] = await q<{ max_id: string }>(database, `select value->>'maxAttributionId' as max_id from bench_meta where key = 'setup'`);
  const r = (await database.db.execute(sql`delete from attributions where id > ${m!.max_id}::int8`)) as unknown as { rowCount: number };
  await q(database, `delete from audit_events`);
  return r.rowCount;
}

/**
 * The database `name` on the server of `baseUrl`: reused when it holds the expected data (unless
 * `fresh`), else dropped and built. Returns its URL and what it holds.
 */
export async function ensureBenchDatabase(
  baseUrl: string,
  name: string,
  employeurs: number,
  fresh: boolean,
): Promise<{ url: string; info: SetupInfo; reused: boolean }> {
  const url = dbUrl(baseUrl, name);
  const exists = await admin(baseUrl, async (c) => (await c.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1);
  if (exists && !fresh) {
    const info = await cachedInfo(url, employeurs);
    if (info) return { url, info, reused: true };
  }
  await admin(baseUrl, async (c) => {
    await c.query(`drop database if exists ${name} with (force)`);
    await c.query(`create database ${name}`);
  });
  const database = await openDatabase({ url, poolSize: 2 });
  try {
    const info = await build(database, employeurs);
    return { url, info, reused: false };
  } finally {
    await database.close();
  }
}

async function build(database: Database, employeurs: number): Promise<SetupInfo> {
  const steps: Record<string, number> = {};
  const t0 = performance.now();
  let t = t0;
  const step = (name: string, detail = '') => {
    const now = performance.now();
    steps[name] = Math.round(now - t);
    log(`  ${name.padEnd(34)} ${secs(now - t).padStart(8)}${detail ? `  ${detail}` : ''}`);
    t = now;
  };
  const { db } = database;
  await migrateDatabase(database);
  await ensureCommunes(db);
  step('migrations, communes');

  // ── referential, 2025 and 2024 ──
  const generated = generateReferentiel({});
  const csv = referentielCsv(generated);
  const parsed = parseReferentielContents(
    [
      { name: 'etablissements.csv', content: csv.etablissements },
      { name: 'formations.csv', content: csv.formations },
    ],
    await loadCommuneIndex(db),
  );
  step(
    'referential generated and parsed',
    `${generated.stats.etablissements} establishments, ${generated.stats.composantes} composantes, ${generated.stats.formations} formations, ${generated.stats.nationale} nationale`,
  );
  const now = new Date('2025-05-19T06:00:00Z');
  for (const annee of [ANNEE, PREVIOUS]) {
    await db.transaction(async (tx) => {
      await applyReferentiel(tx, annee, parsed, { now });
    });
    step(`referential ${annee} imported`);
  }

  // ── employers and their envelopes ──
  await q(database, `create table bench_employeurs (i int primary key, siret text not null, n int not null)`);
  await q(database, `create table bench_meta (key text primary key, value jsonb not null)`);
  const CHUNK = 50_000;
  for (let start = 0; start < employeurs; start += CHUNK) {
    const end = Math.min(employeurs, start + CHUNK);
    const sirets: string[] = [];
    const ns: number[] = [];
    for (let i = start; i < end; i++) {
      sirets.push(employerSiret(i));
      ns.push(linesOfEmployer(i));
    }
    await db.execute(
      sql`insert into bench_employeurs (i, siret, n) select ${start} + o - 1, s, n from unnest(${`{${sirets.join(',')}}`}::text[], ${`{${ns.join(',')}}`}::int[]) with ordinality as u(s, n, o)`,
    );
  }
  step('employers (bench_employeurs)', `${employeurs}`);
  // crédits: a long tail, from ~50 € to ~500,000 € (hash → exponent); frais 2 % of the solde, 0.5 % deductions for 9 %
  await q(
    database,
    `insert into enveloppes (annee, siret, collecteur, solde_cents, deductions_cents, frais_cents, credits_cents, reverse_cents, frais_operateur_cents, periode, updated_at)
     select ${ANNEE}, siret, case when h % 20 = 0 then 'MSA' else 'URSSAF' end, solde, ded, frais, solde - ded - frais, solde - frais, frais / 4, '2024', timestamptz '2025-05-12 08:00:00+02'
     from (select siret, h, solde, case when h % 11 = 0 then solde / 200 else 0 end as ded, (solde * 2 + 50) / 100 as frais
           from (select siret, h, (5000 * power(10000, (h % 100000) / 100000.0 * (h % 100000) / 100000.0))::bigint as solde
                 from (select siret, ((i::int8 * 2654435761) % 4294967291) as h from bench_employeurs) a) b) c`,
  );
  step('envelopes 2025', `${employeurs}`);

  // ── the targets drawn from ──
  await q(
    database,
    `create table bench_cibles_etab as
       select row_number() over (order by e.id) - 1 as k, e.id from ref_etablissements e left join ref_etablissements p on p.id = e.parent_id
       where e.annee = ${ANNEE} and e.liste <> 'nationale' and coalesce(p.liste, '') <> 'nationale';
     create table bench_cibles_nat as
       select row_number() over (order by e.id) - 1 as k, e.id from ref_etablissements e left join ref_etablissements p on p.id = e.parent_id
       where e.annee = ${ANNEE} and (e.liste = 'nationale' or p.liste = 'nationale');
     create table bench_cibles_form as
       select row_number() over (order by f.id) - 1 as k, f.id, f.etablissement_id from ref_formations f join bench_cibles_etab c on c.id = f.etablissement_id
       where f.annee = ${ANNEE};
     alter table bench_cibles_etab add primary key (k); alter table bench_cibles_nat add primary key (k); alter table bench_cibles_form add primary key (k);`,
  );
  const [cnt] = await q<{ e: string; n: string; f: string }>(
    database,
    `select (select count(*) from bench_cibles_etab) e, (select count(*) from bench_cibles_nat) n, (select count(*) from bench_cibles_form) f`,
  );
  const ne = Number(cnt!.e);
  const nn = Number(cnt!.n);
  const nf = Number(cnt!.f);
  step('targets', `${ne} places, ${nn} national places, ${nf} formations (non-national)`);

  // ── allocations: secondary indexes dropped during the load, recreated from their own definitions ──
  const indexes = await q<{ indexname: string; indexdef: string }>(
    database,
    `select indexname, indexdef from pg_indexes where schemaname = 'public' and tablename = 'attributions'
       and indexname not in (select conname from pg_constraint where conrelid = 'attributions'::regclass)`,
  );
  for (const i of indexes) await q(database, `drop index ${i.indexname}`);
  // j < 1 + n/2 (line 0 included): a place; the rest: a formation. Line 0 of every 10th employer: national.
  // Places: step 7919 (prime) between lines; formations: step 104729 (prime); distinct within an employer.
  // bp: 100 … cap(n) where cap = 9000 / n. Statut: h % 10 < 3 → all validated, = 3 → even lines validated.
  await db.transaction(async (tx) => {
    // the rows are valid by construction: no per-row foreign-key triggers during the load
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(
      sql.raw(`insert into attributions (annee, siret_employeur, etablissement_id, formation_id, points_base, statut, validee_le, valide_periode, updated_at)
     select ${ANNEE}, x.siret, coalesce(fm.etablissement_id, nat.id, et.id), fm.id,
            100 + ((x.h * 31 + j * 977) % (${SETUP_MAX_TOTAL_BP} / x.n - 99)),
            case when v then 'validee' else 'enregistree' end,
            case when v then timestamptz '2025-06-02 10:00:00+02' end, case when v then 1 end,
            timestamptz '2025-05-28 10:00:00+02'
     from generate_series(0, 11) j
     cross join lateral (select e.siret, e.n, ((e.i::int8 * 2654435761) % 4294967291) as h, e.i from bench_employeurs e where j < e.n) x
     cross join lateral (select (x.h % 10 < 3) or (x.h % 10 = 3 and j % 2 = 0) as v,
                                (j = 0 and x.i % 10 = 0) as is_nat, j >= 1 + x.n / 2 as is_form) w
     left join bench_cibles_nat nat on w.is_nat and nat.k = (x.h % ${nn})
     left join bench_cibles_etab et on not w.is_nat and not w.is_form and et.k = ((x.h + j * 7919) % ${ne})
     left join bench_cibles_form fm on w.is_form and fm.k = ((x.h + j * 104729) % ${nf})`),
    );
  });
  step('allocations inserted');
  for (const i of indexes) await q(database, i.indexdef);
  step('allocation indexes recreated', indexes.map((i) => i.indexname).join(', '));
  await q(
    database,
    `insert into choix_employeurs (annee, siret, version, validation_totale_periode, valide_le, updated_at)
     select ${ANNEE}, siret, 1, null, case when ((i::int8 * 2654435761) % 4294967291) % 10 <= 3 then timestamptz '2025-06-02 10:00:00+02' end, timestamptz '2025-06-02 10:00:00+02'
     from bench_employeurs`,
  );
  step('choix_employeurs', `${employeurs}`);
  await q(database, `vacuum analyze`);
  step('VACUUM ANALYZE');

  const [c] = await q<{ att: string; max_id: string; etab: string; form: string; over_cap: string; nat: string }>(
    database,
    `select (select count(*) from attributions where annee = ${ANNEE}) att, (select max(id) from attributions) max_id,
            (select count(*) from ref_etablissements) etab, (select count(*) from ref_formations) form,
            (select count(*) from (select siret_employeur from attributions where annee = ${ANNEE} group by 1 having sum(points_base) > ${SETUP_MAX_TOTAL_BP}) o) over_cap,
            (select count(*) from attributions a join bench_cibles_nat n on n.id = a.etablissement_id) nat`,
  );
  if (Number(c!.over_cap) > 0) throw new Error(`${c!.over_cap} employers above ${SETUP_MAX_TOTAL_BP} bp: the generator is wrong`);
  const info: SetupInfo = {
    employeurs,
    attributions: Number(c!.att),
    maxAttributionId: Number(c!.max_id),
    etablissements: Number(c!.etab),
    formations: Number(c!.form),
    setupMs: Math.round(performance.now() - t0),
    builtAt: new Date().toISOString(),
    steps,
  };
  log(
    `  ${info.attributions} allocations (${c!.nat} to the liste nationale), ${info.etablissements} referential rows and ${info.formations} formations over 2 years`,
  );
  await db.execute(sql`insert into bench_meta (key, value) values ('setup', ${JSON.stringify({ ...info, version: DATA_VERSION })}::jsonb)`);
  return info;
}
