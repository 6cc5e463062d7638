import { desc, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgSelect, PgTable } from 'drizzle-orm/pg-core';
import type { Tx } from '../../infra/db/index.js';
import { pageWindow } from '../../shared/paging.js';

/** The most entries a whole history gives at once (its CSV export). */
const ALL_ENTRIES = 100_000;

/** A table of a company's history: each entry's time and id, newest first. */
type HistoryTable = PgTable & { at: AnyPgColumn; id: AnyPgColumn };

/**
 * One page of a company's history (« Consultation », « Historique des habilitations »), newest first:
 * counts the entries of `history.table` matching `history.where`, keeps the asked page between 1 and the
 * last, reads that page of `query` (every entry with `all`, for the CSV export), and gives each entry its
 * id and time, then what `entry` says of it.
 */
export async function historyPage<T extends PgSelect & PromiseLike<{ id: number; at: Date }[]>, E>(
  tx: Tx,
  history: { table: HistoryTable; where: SQL | undefined; size: number },
  opts: { page: number; all?: boolean },
  query: T,
  entry: (row: Awaited<T>[number]) => E,
): Promise<{ entries: ({ id: number; at: Date } & E)[]; page: number; pages: number; total: number }> {
  const [cnt] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(history.table)
    .where(history.where);
  const total = Number(cnt?.n ?? 0);
  const { page, pages, offset } = pageWindow(total, history.size, opts.page);
  const newestFirst = query.orderBy(desc(history.table.at), desc(history.table.id));
  const rows = await (opts.all ? newestFirst.limit(ALL_ENTRIES) : newestFirst.limit(history.size).offset(offset));
  return { entries: rows.map((r) => ({ id: Number(r.id), at: r.at, ...entry(r) })), page, pages, total };
}
