/**
 * The application under test: the real composition root (createApp) on a fresh database, the demo
 * data set (seedDemo), N extra active users, listening on 127.0.0.1 on a free port.
 */
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { createApp, type RunningApp } from '../src/app.js';
import { loadConfig } from '../src/infra/config.js';
import { hashSecret } from '../src/infra/crypto.js';
import { openDatabase, type Database } from '../src/infra/db/index.js';
import { habilitations, users } from '../src/infra/db/schema.js';
import { loginKey } from '../src/modules/accounts/login-key.js';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo } from '../src/demo/seed.js';
import { espaces } from '../src/infra/db/schema.js';
import type { Triplet } from './protocol.js';

export interface BenchDatabase {
  database: Database;
  kind: 'pglite' | 'postgres';
  /** where it runs, without credentials */
  label: string;
  drop(): Promise<void>;
}

const redact = (u: URL) => `${u.protocol}//${u.hostname}:${u.port || 5432}${u.pathname}`;

/**
 * In-memory PGlite, or a new PostgreSQL database on BENCH_DATABASE_URL (dropped at the end). Same
 * approach as test/harness.ts freshDatabase(), but with the application's own pool size (openDatabase
 * default, 10 connections) rather than the test suites' 5, so the figures are those `npm start` has.
 */
export async function freshBenchDatabase(baseUrl: string | undefined): Promise<BenchDatabase> {
  if (!baseUrl) {
    const database = await openDatabase({});
    return { database, kind: 'pglite', label: 'PGlite (in memory)', drop: () => database.close() };
  }
  const { url, drop } = await createPostgresDatabase(baseUrl);
  const database = await openDatabase({ url });
  return {
    database,
    kind: 'postgres',
    label: `PostgreSQL ${redact(new URL(url))}`,
    async drop() {
      await database.close();
      await drop();
    },
  };
}

export async function createPostgresDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const pg = (await import('pg')).default;
  const name = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface BenchApp {
  app: RunningApp;
  baseUrl: string;
  users: Triplet[];
  password: string;
  /** one stored hash of `password`, identical in cost to every user's */
  passwordHash: string;
  timings: { createAppMs: number; seedMs: number; usersMs: number };
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

export async function startBenchApp(db: BenchDatabase, userCount: number): Promise<BenchApp> {
  let t = performance.now();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0' });
  const app = await createApp(config, { database: db.database });
  const createAppMs = performance.now() - t;

  t = performance.now();
  await seedDemo(app.ctx);
  const seedMs = performance.now() - t;

  t = performance.now();
  const { users: created, passwordHash } = await createBenchUsers(app, userCount);
  const usersMs = performance.now() - t;

  const address = await app.server.listen({ host: '127.0.0.1', port: 0 });
  return { app, baseUrl: address, users: created, password: DEMO_PASSWORD, passwordHash, timings: { createAppMs, seedMs, usersMs } };
}

/**
 * N active déclarants spread over the three demo espaces. Each gets the same habilitations as the
 * demo déclarant of its espace, so the menu shows the tiles a real déclarant sees. They share one
 * precomputed argon2id hash with the application's parameters, so each verify costs the same as for
 * any account. Triplets (SIRET + nom + prénom) are distinct and every login succeeds, so the
 * lockout never triggers.
 */
async function createBenchUsers(app: RunningApp, n: number): Promise<{ users: Triplet[]; passwordHash: string }> {
  const { db, clock } = app.ctx;
  const passwordHash = await hashSecret(DEMO_PASSWORD);
  const now = clock.now();
  const targets: { espaceId: string; siret: string; grants: (typeof habilitations.$inferSelect)[] }[] = [];
  for (const e of DEMO_ACCOUNTS) {
    const [espace] = await db.select({ id: espaces.id }).from(espaces).where(eq(espaces.siren, e.siren));
    if (!espace) throw new Error(`demo espace ${e.siren} missing`);
    const model = e.people.find((p) => p.role === 'declarant' && p.status !== 'candidat');
    if (!model) throw new Error(`demo espace ${e.siren} has no déclarant to copy`);
    const [modelUser] = await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.siret, e.siret), eq(users.loginKey, loginKey(model.nom, model.prenom))));
    const grants = modelUser ? await db.select().from(habilitations).where(eq(habilitations.userId, modelUser.id)) : [];
    targets.push({ espaceId: espace.id, siret: e.siret, grants });
  }
  const triplets: Triplet[] = [];
  const rows: (typeof users.$inferInsert)[] = [];
  for (let i = 0; i < n; i++) {
    const target = targets[i % targets.length]!;
    const nom = `CHARGE ${letters(i)}`;
    const prenom = 'Camille';
    triplets.push({ siret: target.siret, nom, prenom });
    rows.push({
      espaceId: target.espaceId,
      siret: target.siret,
      nom,
      prenom,
      loginKey: loginKey(nom, prenom),
      email: `charge.${i}@bench.example`,
      role: 'declarant',
      status: 'active',
      passwordHash,
      secretQuestion: 'Quel est le nom de votre premier animal ?',
      secretAnswerHash: passwordHash,
      emailValidatedAt: now,
      createdAt: now,
      updatedAt: now,
    });
  }
  for (let i = 0; i < rows.length; i += 200) {
    const inserted = await db
      .insert(users)
      .values(rows.slice(i, i + 200))
      .returning({ id: users.id, espaceId: users.espaceId });
    const grants = inserted.flatMap((u) => targets.find((t) => t.espaceId === u.espaceId)!.grants.map((g) => ({ ...g, userId: u.id })));
    // bounded statements (PostgreSQL accepts at most 65,535 parameters in one)
    for (let j = 0; j < grants.length; j += 2000) await db.insert(habilitations).values(grants.slice(j, j + 2000));
  }
  return { users: triplets, passwordHash };
}
