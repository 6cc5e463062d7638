/** Shared by the envelope tests: fixtures, a fresh database, rows read back. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../src/infra/db/index.js';
import { migrateDatabase } from '../../src/infra/db/index.js';
import { enveloppes } from '../../src/infra/db/schema.js';
import { importEnveloppes, type EnvelopeImportReport } from '../../src/modules/enveloppes/import.js';
import { freshDatabase } from '../harness.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const ALL_2025 = ['urssaf-2025.csv', 'msa-2025-cp1252.csv', 'dsn-avril-2025.dsn', 'dsn-corrective-juin-2025.dsn'];

export const fixture = (name: string) => ({ fichier: name, content: readFileSync(join(FIXTURES, name)) });

export async function testDatabase() {
  const fresh = await freshDatabase();
  await migrateDatabase(fresh.database);
  return fresh;
}

export type EnvelopeRow = typeof enveloppes.$inferSelect;

export async function rowsOf(db: Db, annee: number): Promise<EnvelopeRow[]> {
  return db.select().from(enveloppes).where(eq(enveloppes.annee, annee)).orderBy(asc(enveloppes.siret));
}

export async function rowOf(db: Db, annee: number, siret: string): Promise<EnvelopeRow> {
  const [r] = await db
    .select()
    .from(enveloppes)
    .where(sql`${enveloppes.annee} = ${annee} and ${enveloppes.siret} = ${siret}`);
  if (!r) throw new Error(`no envelope ${annee} ${siret}`);
  return r;
}

export async function runImport(
  db: Db,
  annee: number,
  files: ({ fichier: string; content: string | Uint8Array } | string)[],
  now: string,
  operatorFeeCents?: bigint,
): Promise<EnvelopeImportReport> {
  return importEnveloppes(db, annee, files, { now: new Date(now), ...(operatorFeeCents === undefined ? {} : { operatorFeeCents }) });
}

/** net + carried in = fees + credits + carried out, per row (carried in: the row of the year before). */
export async function checkRowEquations(db: Db, annee: number): Promise<string[]> {
  const previous = new Map((await rowsOf(db, annee - 1)).map((r) => [r.siret, r.reportCents]));
  const bad: string[] = [];
  for (const r of await rowsOf(db, annee)) {
    const net = r.soldeCents > r.deductionsCents ? r.soldeCents - r.deductionsCents : 0n;
    const cin = previous.get(r.siret) ?? 0n;
    if (net + cin !== r.fraisCents + r.creditsCents + r.reportCents)
      bad.push(`${r.siret}: ${net} + ${cin} ≠ ${r.fraisCents} + ${r.creditsCents} + ${r.reportCents}`);
    if (r.creditsCents < 0n) bad.push(`${r.siret}: negative credits`);
  }
  return bad;
}

/**
 * Environment for a command-line run (`CliCommand.run` opens its own database from the environment):
 * a new PostgreSQL database when TEST_DATABASE_URL is set, else a PGlite folder in a temporary dir.
 */
export async function cliEnvironment(): Promise<{ env: Record<string, string | undefined>; cleanup: () => Promise<void> }> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    const dir = mkdtempSync(join(tmpdir(), 'cli-pglite-'));
    return { env: { DATABASE_URL: undefined, PGLITE_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const pg = (await import('pg')).default;
  const { randomBytes } = await import('node:crypto');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    cleanup: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** Runs `fn` with these environment variables (undefined: removed), then restores them. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = new Map(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Runs a command and captures what it prints (stdout lines, stderr text). */
export async function capture(run: () => Promise<number>): Promise<{ code: number; out: string[]; err: string }> {
  const { vi } = await import('vitest');
  const out: string[] = [];
  let err = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.map(String).join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void (err += a.map(String).join(' ') + '\n'));
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  try {
    const code = await run();
    return { code, out: out.map((l) => l.replace(/[\u202f\u00a0]/g, ' ')), err: err.replace(/[\u202f\u00a0]/g, ' ') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}
