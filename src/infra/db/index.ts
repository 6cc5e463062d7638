/**
 * Database access: PostgreSQL through node-postgres when DATABASE_URL is set, otherwise embedded
 * PGlite (PostgreSQL compiled to WebAssembly) kept in PGLITE_DIR. The same drizzle code runs on both.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema.js';

export type Schema = typeof schema;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = PgDatabase<PgQueryResultHKT, Schema, any>;
/** A transaction or the database itself: use cases accept either. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0] | Db;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export async function openDatabase(opts: { url?: string; pgliteDir?: string; poolSize?: number }): Promise<Database> {
  if (opts.url) {
    const pg = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const pool = new pg.default.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    // An idle connection that dies (server restart, dropped test database) must not crash the
    // process: the pool replaces it, and the next query reports any real problem.
    pool.on('error', (e) => process.stderr.write(`PostgreSQL : connexion perdue (${e.message})\n`));
    // bigint (int8) columns come back as strings by default; money columns are parsed where read.
    const db = drizzle(pool, { schema }) as unknown as Db;
    return { db, kind: 'postgres', close: () => pool.end() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const dir = opts.pgliteDir;
  if (dir && dir !== 'memory://') mkdirSync(dir, { recursive: true });
  // pg_trgm: trigram indexes for the SOLTéA search (loaded into the WebAssembly build; on a
  // PostgreSQL server it ships with the standard contrib package and the migration creates it).
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const options = { extensions: { pg_trgm } };
  const client = dir && dir !== 'memory://' ? new PGlite(dir, options) : new PGlite(options);
  await client.waitReady;
  const db = drizzle(client, { schema }) as unknown as Db;
  return { db, kind: 'pglite', close: () => client.close() };
}

export async function migrateDatabase(database: Database): Promise<void> {
  if (database.kind === 'postgres') {
    const { migrate } = await import('drizzle-orm/node-postgres/migrator');
    await migrate(database.db as unknown as Parameters<typeof migrate>[0], { migrationsFolder });
  } else {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(database.db as unknown as Parameters<typeof migrate>[0], { migrationsFolder });
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
  const client = (db as unknown as { $client?: { query?: unknown; totalCount?: unknown } }).$client;
  if (client && typeof client.query === 'function' && typeof client.totalCount === 'number') {
    const r = await (
      client as unknown as { query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }> }
    ).query({ name, text, values: [...values] });
    return r.rows;
  }
  return selectRows<Record<string, unknown>>(db, sqlOfText(text, values));
}

/** The rows of a raw statement (node-postgres and PGlite both answer `{ rows }`): the one place that knows it. */
export async function selectRows<T>(db: Tx, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: T[] }).rows;
}
