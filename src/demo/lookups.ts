/** Small reads the demo seeds share: whether a seed already ran, and the demo lycée in the referential. */
import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../infra/db/index.js';
import { refEtablissements } from '../infra/db/schema.js';
import { DEMO_COMPANIES } from './registry.js';

const LYCEE = DEMO_COMPANIES.lyceeRaspail;

/** Whether a row of `table` matches `where`: each seed looks for its own mark, so that it runs once per database. */
export async function alreadySeeded(db: Db, table: PgTable, where: SQL | undefined): Promise<boolean> {
  const rows = await db
    .select({ one: sql`1` })
    .from(table)
    .where(where)
    .limit(1);
  return rows.length > 0;
}

/** The demo lycée's id (LYCÉE RASPAIL, the establishment itself, no composante) in the referential of `annee`, or null. */
export async function referentielLycee(db: Db, annee: number): Promise<number | null> {
  const [lycee] = await db
    .select({ id: refEtablissements.id })
    .from(refEtablissements)
    .where(and(eq(refEtablissements.annee, annee), eq(refEtablissements.siret, LYCEE.siret), isNull(refEtablissements.parentId)))
    .limit(1);
  return lycee?.id ?? null;
}
