/**
 * Databases of the fault tests: a base state prepared once, then a fresh copy of it for every run of a
 * child process — a PostgreSQL database created from the base as its template (TEST_DATABASE_URL), or
 * a copy of a PGlite folder. Digests of rows let a test say « this is exactly the state before, or
 * exactly the state after ».
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { openDatabase, selectRows, type Database } from '../../src/infra/db/index.js';
import { sleep } from './processes.js';

/** One copy of the base state. */
export interface Copy {
  /** what a child process needs to open it */
  env: Record<string, string | undefined>;
  /** md5 of each query's rows, sorted (the queries leave out what differs from run to run) */
  digest(queries: readonly string[]): Promise<string[]>;
  /** waits until no session of a (killed) child is left on the server */
  settle(): Promise<void>;
  drop(): Promise<void>;
}

export interface Store {
  label: 'PostgreSQL' | 'PGlite';
  copy(): Promise<Copy>;
  close(): Promise<void>;
}

/** The digest query of `query`: the md5 of its rows as text, in a stable order. */
const digestOf = (query: string) =>
  `select md5(coalesce(string_agg(r::text, E'\\n' order by r::text), '')) as d, count(*)::int as n from (${query}) r`;

export function databaseUrl(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function adminQuery(base: string, text: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as Record<string, unknown>[];
  } finally {
    await c.end();
  }
}

/** Waits until the server has no session on `name` but the caller's (a killed client's backend ends when it notices). */
async function settlePostgres(base: string, name: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [r] = await adminQuery(base, 'select count(*)::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [
      name,
    ]);
    if (r?.n === 0) return;
    await sleep(50);
  }
  throw new Error(`sessions still open on ${name} after 10 s`);
}

/**
 * A PostgreSQL store: `prepare` fills the base database (then every connection to it is closed), and
 * each copy is `CREATE DATABASE … TEMPLATE base`.
 */
export async function postgresStore(base: string, prepare: (database: Database, url: string) => Promise<void>): Promise<Store> {
  const prefix = `f_${randomBytes(4).toString('hex')}`;
  const template = `${prefix}_base`;
  await adminQuery(base, `create database ${template}`);
  const url = databaseUrl(base, template);
  const database = await openDatabase({ url, poolSize: 4 });
  try {
    await prepare(database, url);
  } finally {
    await database.close();
  }
  await settlePostgres(base, template);
  let n = 0;
  return {
    label: 'PostgreSQL',
    async copy() {
      const name = `${prefix}_${++n}`;
      await adminQuery(base, `create database ${name} template ${template}`);
      const copyUrl = databaseUrl(base, name);
      return {
        env: { DATABASE_URL: copyUrl },
        async digest(queries) {
          const c = new pg.Client({ connectionString: copyUrl });
          await c.connect();
          try {
            const out: string[] = [];
            for (const q of queries) {
              const r = (await c.query(digestOf(q))).rows[0] as { d: string; n: number };
              out.push(`${r.n}:${r.d}`);
            }
            return out;
          } finally {
            await c.end();
          }
        },
        settle: () => settlePostgres(base, name),
        drop: async () => void (await adminQuery(base, `drop database if exists ${name} with (force)`)),
      };
    },
    close: async () => void (await adminQuery(base, `drop database if exists ${template} with (force)`)),
  };
}

/** A PGlite store: `prepare` fills a folder, and each copy is a copy of that folder. */
export async function pgliteStore(prepare: (database: Database) => Promise<void>): Promise<Store> {
  const root = mkdtempSync(join(tmpdir(), 'faults-pglite-'));
  const template = join(root, 'base');
  const database = await openDatabase({ pgliteDir: template });
  try {
    await prepare(database);
  } finally {
    await database.close();
  }
  let n = 0;
  return {
    label: 'PGlite',
    async copy() {
      const dir = join(root, `copy-${++n}`);
      cpSync(template, dir, { recursive: true });
      return {
        env: { DATABASE_URL: undefined, PGLITE_DIR: dir },
        async digest(queries) {
          const db = await openDatabase({ pgliteDir: dir });
          try {
            const out: string[] = [];
            for (const q of queries) {
              const [r] = await selectRows<{ d: string; n: number }>(db.db, sql.raw(digestOf(q)));
              out.push(`${r!.n}:${r!.d}`);
            }
            return out;
          } finally {
            await db.close();
          }
        },
        settle: async () => undefined,
        drop: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
    close: async () => rmSync(root, { recursive: true, force: true }),
  };
}
