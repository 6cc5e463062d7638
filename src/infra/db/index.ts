/**
 * Database access: PostgreSQL through node-postgres when DATABASE_URL is set, otherwise embedded
 * PGlite (PostgreSQL compiled to WebAssembly) kept in PGLITE_DIR. The same drizzle code runs on both.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Pool as PgPool } from 'pg';
import * as schema from './schema.js';
import { emptyFolder, isNewFolder, SMALL_SETTINGS, unpackShippedCluster } from './pglite-folder.js';
import { lockPgliteFolder, PGLITE_LOCK_FILE } from './pglite-lock.js';

export type Schema = typeof schema;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = PgDatabase<PgQueryResultHKT, Schema, any>;
/** A transaction or the database itself: use cases accept either. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0] | Db;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** the connection pool's figures (PostgreSQL; PGlite has one connection and no pool) */
  poolStats: (() => { total: number; idle: number; waiting: number }) | null;
  close(): Promise<void>;
}

export { PgliteFolderBusy } from './pglite-lock.js';

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export async function openDatabase(opts: { url?: string; pgliteDir?: string; poolSize?: number }): Promise<Database> {
  if (opts.url) {
    const pg = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    // A request waits at most 5 s for a connection: when PostgreSQL is down it gets a clear 503 quickly.
    // JIT off for the session (a startup parameter, no round trip): the portal's statements are short,
    // and JIT compiled some plans whose row estimates were high for 30 ms to 1.5 s (docs/deploiement.md).
    const pool = new pg.default.Pool({
      connectionString: opts.url,
      max: opts.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
      options: '-c jit=off',
    });
    // An idle connection that dies (server restart, dropped test database) must not crash the
    // process: the pool replaces it, and the next query reports any real problem.
    pool.on('error', (e) => process.stderr.write(`PostgreSQL : connexion perdue (${e.message})\n`));
    // The pool listens only to its idle connections: one lent to a transaction that dies between two
    // statements (a restart, a session ended by the server) would emit an 'error' nobody hears, which
    // ends the process. Heard here, its next statement fails instead (503) and the pool drops it.
    pool.on('connect', (client) => client.on('error', () => undefined));
    // bigint (int8) columns come back as strings by default; money columns are parsed where read.
    const db = drizzle(pool, { schema }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      close: () => pool.end(),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const dir = opts.pgliteDir && opts.pgliteDir !== 'memory://' ? opts.pgliteDir : null;
  // pg_trgm: trigram indexes for the SOLTéA search (loaded into the WebAssembly build; on a
  // PostgreSQL server it ships with the standard contrib package and the migration creates it).
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  if (!dir) {
    const client = new PGlite({ extensions: { pg_trgm } });
    await client.waitReady;
    return { db: drizzle(client, { schema }) as unknown as Db, kind: 'pglite', poolStats: null, close: () => client.close() };
  }
  mkdirSync(dir, { recursive: true });
  const release = lockPgliteFolder(dir);
  try {
    // a folder: small settings, and a new one starts from the shipped empty cluster (pglite-folder.ts)
    const options = { extensions: { pg_trgm }, startParams: [...PGlite.defaultStartParams, ...SMALL_SETTINGS] };
    const unpacked = isNewFolder(dir) && unpackShippedCluster(dir);
    let client = new PGlite(dir, options);
    try {
      await client.waitReady;
    } catch (e) {
      if (!unpacked) throw e;
      emptyFolder(dir, PGLITE_LOCK_FILE);
      client = new PGlite(dir, options);
      await client.waitReady;
    }
    const db = drizzle(client, { schema }) as unknown as Db;
    const close = async () => {
      await client.close();
      release();
    };
    return { db, kind: 'pglite', poolStats: null, close };
  } catch (e) {
    release();
    throw e;
  }
}

/** The advisory lock key of migrations: one instance migrates, the others wait, then find nothing to do. */
const MIGRATION_LOCK = 7_461_102_025;

/**
 * Applies the pending migrations. On PostgreSQL, under a session advisory lock held on a connection of
 * its own: several instances started together on an empty database migrate one after the other (the
 * others then find every migration applied) instead of racing on `CREATE TYPE` and failing.
 */
export async function migrateDatabase(database: Database): Promise<void> {
  if (database.kind === 'postgres') {
    const { migrate } = await import('drizzle-orm/node-postgres/migrator');
    const pool = (database.db as unknown as { $client: PgPool }).$client;
    const lock = await pool.connect();
    try {
      await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await migrate(database.db as unknown as Parameters<typeof migrate>[0], { migrationsFolder });
    } finally {
      await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      lock.release();
    }
  } else {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(database.db as unknown as Parameters<typeof migrate>[0], { migrationsFolder });
  }
}

/** True when the database answers a trivial query within `timeoutMs` (the readiness probe). */
export async function databaseAnswers(db: Db, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([db.execute(sql`select 1`).then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export { schema };

/** `text` with `$1…$n` as a drizzle query (the same statement, parameters bound). */
export function sqlOfText(text: string, values: readonly unknown[]): SQL {
  const parts = text.split(/\$(\d+)/);
  return sql.join(
    parts.map((p, i) => (i % 2 === 0 ? sql.raw(p) : sql`${values[Number(p) - 1]}`)),
    sql``,
  );
}

/**
 * Runs `text` (parameters `$1…$n`) as a NAMED prepared statement on a node-postgres pool: each
 * connection plans it once instead of at every call, which matters for the hottest reads (measured in
 * bench/allocations.ts). On PGlite, or inside a transaction, the same statement runs as usual.
 * `name` must be unique to `text` across the application.
 */
export async function queryPrepared(db: Tx, name: string, text: string, values: readonly unknown[]): Promise<Record<string, unknown>[]> {
  const client = (db as unknown as { $client?: { query?: unknown } }).$client;
  if (client && onPool(db)) {
    const r = await (
      client as unknown as { query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }> }
    ).query({ name, text, values: [...values] });
    return r.rows;
  }
  return selectRows<Record<string, unknown>>(db, sqlOfText(text, values));
}

/** True when `db` is a node-postgres pool (PostgreSQL, outside a transaction); false on PGlite or in a transaction. */
export function onPool(db: Tx): boolean {
  const client = (db as unknown as { $client?: { query?: unknown; totalCount?: unknown } }).$client;
  return Boolean(client && typeof client.query === 'function' && typeof client.totalCount === 'number');
}

/** The rows of a raw statement (node-postgres and PGlite both answer `{ rows }`): the one place that knows it. */
export async function selectRows<T>(db: Tx, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: T[] }).rows;
}

/** PostgreSQL error classes and network errors that mean « the database cannot answer now », not a bug. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/** True when `e` says the database is down or restarting (the request can be retried later: 503). */
export function isDatabaseUnavailable(e: unknown): boolean {
  for (let x: unknown = e, depth = 0; x && typeof x === 'object' && depth < 4; x = (x as { cause?: unknown }).cause, depth++) {
    const { code, message } = x as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_CODES.has(code))) return true;
    if (
      typeof message === 'string' &&
      /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)
    )
      return true;
  }
  return false;
}
