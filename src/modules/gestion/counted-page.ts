import { sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Tx } from '../../infra/db/index.js';
import { pageWindow } from '../../shared/paging.js';

/** Counts the rows of `table` matching `where`, then the asked page's window over them. */
export async function countedPage(
  tx: Tx,
  table: PgTable,
  where: SQL | undefined,
  size: number,
  asked: number,
): Promise<{ total: number; page: number; pages: number; offset: number }> {
  const [cnt] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(table)
    .where(where);
  const total = Number(cnt?.n ?? 0);
  return { total, ...pageWindow(total, size, asked) };
}
