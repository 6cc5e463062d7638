/**
 * The data of the closing-day rush (bench/charge.ts): a fresh PostgreSQL database on the server of
 * BENCH_DATABASE_URL, migrated and seeded with the demo data set as `npm start` seeds it (the company
 * registry, the 2025 referential, the collectors' envelopes of 2024 and 2025), then N employer
 * companies of that data set, each with its own espace and one person habilitated to « SOLTéA -
 * Employeurs » on its SIRET (declared 48 hours before the demo instant, so the 24-hour access delay is
 * over). Each employer SIRET has a 2025 envelope and no allocation yet, and belongs to its own SIREN.
 * The database is dropped at the end of the run.
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../src/app-context.js';
import { DEMO_PASSWORD, seedDemo } from '../src/demo/seed.js';
import { ManualClock } from '../src/infra/clock.js';
import { loadConfig } from '../src/infra/config.js';
import { hashSecret } from '../src/infra/crypto.js';
import { migrateDatabase, openDatabase, selectRows } from '../src/infra/db/index.js';
import { createMailDeliverer } from '../src/infra/mail.js';
import { loginKey } from '../src/modules/accounts/login-key.js';
import { EMPLOYER_DECLARATION } from '../src/modules/attributions/scope.js';
import { ensureCommunes } from '../src/modules/referentiel/communes.js';
import { createPostgresDatabase } from './setup.js';

/** The demo's instant (src/main.ts DEMO_DEFAULT_NOW): period 1 of the 2025 campaign. */
export const CHARGE_NOW = '2025-06-16T09:00:00+02:00';
export const CHARGE_ANNEE = 2025;

export interface ChargeEmployer {
  siret: string;
  nom: string;
  prenom: string;
}

export interface ChargeDatabase {
  url: string;
  /** where it runs, without credentials */
  label: string;
  employers: ChargeEmployer[];
  password: string;
  timings: { seedMs: number; employersMs: number };
  drop(): Promise<void>;
}

/** letters only: names must match the person-name rule (no digits) */
function letters(i: number, width = 3): string {
  let s = '';
  for (let k = 0; k < width; k++) {
    s = String.fromCharCode(65 + (i % 26)) + s;
    i = Math.floor(i / 26);
  }
  return s;
}

export async function prepareChargeDatabase(baseUrl: string, employerCount: number): Promise<ChargeDatabase> {
  const { url, drop } = await createPostgresDatabase(baseUrl);
  const database = await openDatabase({ url, poolSize: 4 });
  try {
    await migrateDatabase(database);
    const clock = new ManualClock(new Date(CHARGE_NOW));
    const config = loadConfig({ NODE_ENV: 'test' });
    const ctx: AppContext = {
      db: database.db,
      dbKind: database.kind,
      config,
      clock,
      mail: createMailDeliverer(database.db, clock, undefined, ''),
    };
    let t = performance.now();
    await ensureCommunes(ctx.db);
    await seedDemo(ctx);
    const seedMs = performance.now() - t;
    t = performance.now();
    const employers = await createEmployers(ctx, employerCount);
    const employersMs = performance.now() - t;
    await ctx.db.execute(sql`analyze`);
    const u = new URL(url);
    return {
      url,
      label: `PostgreSQL ${u.hostname}:${u.port || 5432}${u.pathname}`,
      employers,
      password: DEMO_PASSWORD,
      timings: { seedMs, employersMs },
      drop,
    };
  } catch (e) {
    await database.close();
    await drop();
    throw e;
  } finally {
    await database.close().catch(() => undefined);
  }
}

/**
 * N employer SIRETs of the demo data set (a 2025 envelope of at least 500 €, a registered establishment,
 * no espace for its SIREN yet, no allocation, one SIRET per SIREN), each given an espace, one
 * administrator habilitated to « SOLTéA - Employeurs » on it, and the declaration of the SIRET.
 */
async function createEmployers(ctx: AppContext, n: number): Promise<ChargeEmployer[]> {
  const rows = await selectRows<{ siret: string }>(
    ctx.db,
    sql`select siret from (
          select distinct on (left(e.siret, 9)) e.siret
          from enveloppes e join etablissements t on t.siret = e.siret
          where e.annee = ${CHARGE_ANNEE} and e.credits_cents >= 50000
            and not exists (select 1 from espaces s where s.siren = left(e.siret, 9))
            and not exists (select 1 from attributions a where a.annee = ${CHARGE_ANNEE} and a.siret_employeur = e.siret)
          order by left(e.siret, 9), e.siret) x
        order by siret limit ${n}`,
  );
  if (rows.length < n) throw new Error(`the demo data set has ${rows.length} employer SIRETs fit for the rush, ${n} asked`);
  const hash = await hashSecret(DEMO_PASSWORD);
  const now = ctx.clock.now();
  const addedAt = new Date(now.getTime() - 48 * 3_600_000);
  const accessible = new Date(now.getTime() - 24 * 3_600_000);
  const employers = rows.map((r, i) => ({ siret: r.siret, nom: `RUEE ${letters(i)}`, prenom: 'Dominique' }));
  await ctx.db.transaction(async (tx) => {
    for (const e of employers) {
      const [espace] = await selectRows<{ id: string }>(
        tx,
        sql`insert into espaces (siren, siret, kind, organisation_type, domains)
            values (${e.siret.slice(0, 9)}, ${e.siret}, 'entreprise', 'entreprise_privee', '["formation"]'::jsonb) returning id`,
      );
      const [user] = await selectRows<{ id: string }>(
        tx,
        sql`insert into users (espace_id, siret, nom, prenom, login_key, email, role, status, password_hash, email_validated_at, created_at, updated_at)
            values (${espace!.id}, ${e.siret}, ${e.nom}, ${e.prenom}, ${loginKey(e.nom, e.prenom)}, ${`ruee.${e.siret}@bench.example`},
                    'administrateur', 'active', ${hash}, ${now}, ${now}, ${now}) returning id`,
      );
      await tx.execute(
        sql`insert into etablissement_declarations (espace_id, siret, declaration_code, added_at, accessible_at, added_by)
            values (${espace!.id}, ${e.siret}, ${EMPLOYER_DECLARATION}, ${addedAt}, ${accessible}, ${user!.id})`,
      );
      await tx.execute(
        sql`insert into habilitations (user_id, siret, declaration_code, declarer, payer, granted_at)
            values (${user!.id}, ${e.siret}, ${EMPLOYER_DECLARATION}, true, false, ${addedAt})`,
      );
    }
  });
  return employers;
}

export interface FinalState {
  version: number;
  /** the allocations as `etablissementId:formationId:pointsBase:statut`, sorted */
  lines: string[];
}

/** What the database holds at the end for each employer SIRET: the version of its choices and its allocations. */
export async function finalStates(url: string, sirets: readonly string[]): Promise<Map<string, FinalState>> {
  const database = await openDatabase({ url, poolSize: 1 });
  try {
    const versions = await selectRows<{ siret: string; version: number }>(
      database.db,
      sql`select siret, version from choix_employeurs where annee = ${CHARGE_ANNEE}`,
    );
    const lines = await selectRows<{ siret: string; line: string }>(
      database.db,
      sql`select siret_employeur as siret, etablissement_id || ':' || coalesce(formation_id::text, '') || ':' || points_base || ':' || statut as line
          from attributions where annee = ${CHARGE_ANNEE}`,
    );
    const out = new Map<string, FinalState>(sirets.map((s) => [s, { version: 0, lines: [] }]));
    // the demo data set's own employers are not the rush's: only the rush's SIRETs are kept
    for (const v of versions) if (out.has(v.siret)) out.get(v.siret)!.version = Number(v.version);
    for (const l of lines) out.get(l.siret)?.lines.push(l.line);
    for (const s of out.values()) s.lines.sort();
    return out;
  } finally {
    await database.close();
  }
}
