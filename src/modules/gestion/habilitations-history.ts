/**
 * « Historique des habilitations »: each grant and withdrawal of a right in the espace, newest first,
 * with who did it; paged on screen, whole in the CSV export.
 */
import { desc, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Tx } from '../../infra/db/index.js';
import { habilitationHistory, users } from '../../infra/db/schema.js';
import { writeCsv } from '../../shared/csv.js';
import { countedPage } from './counted-page.js';
import { adminOnly } from './habilitations-problems.js';
import type { User } from './scope.js';

export const HISTORY_PAGE_SIZE = 50;

export interface HistoryEntry {
  id: number;
  at: Date;
  actor: string;
  person: string;
  siret: string;
  code: string;
  declarer: boolean;
  payer: boolean;
}

const actorUsers = alias(users, 'actor_users');

/** One page of the history (`all`: every entry, for the CSV). A déclarant gets a 403. */
export async function listHistory(
  tx: Tx,
  admin: User,
  opts: { page: number; all?: boolean },
): Promise<{ entries: HistoryEntry[]; page: number; pages: number; total: number }> {
  if (admin.role !== 'administrateur' || admin.status !== 'active') throw adminOnly();
  const { total, page, pages, offset } = await countedPage(
    tx,
    habilitationHistory,
    eq(habilitationHistory.espaceId, admin.espaceId),
    HISTORY_PAGE_SIZE,
    opts.page,
  );
  const q = tx
    .select({
      id: habilitationHistory.id,
      at: habilitationHistory.at,
      siret: habilitationHistory.siret,
      code: habilitationHistory.declarationCode,
      declarer: habilitationHistory.declarer,
      payer: habilitationHistory.payer,
      pNom: users.nom,
      pPrenom: users.prenom,
      aNom: actorUsers.nom,
      aPrenom: actorUsers.prenom,
    })
    .from(habilitationHistory)
    .innerJoin(users, eq(users.id, habilitationHistory.userId))
    .leftJoin(actorUsers, eq(actorUsers.id, habilitationHistory.actorUserId))
    .where(eq(habilitationHistory.espaceId, admin.espaceId))
    .orderBy(desc(habilitationHistory.at), desc(habilitationHistory.id));
  const rows = opts.all ? await q.limit(100_000) : await q.limit(HISTORY_PAGE_SIZE).offset(offset);
  return {
    entries: rows.map((r) => ({
      id: Number(r.id),
      at: r.at,
      actor: r.aNom ? `${r.aNom} ${r.aPrenom}` : 'Inscription',
      person: `${r.pNom} ${r.pPrenom}`,
      siret: r.siret,
      code: r.code,
      declarer: r.declarer,
      payer: r.payer,
    })),
    page,
    pages,
    total,
  };
}

export function historyCsv(entries: readonly HistoryEntry[]): string {
  return writeCsv(
    ['date', 'administrateur', 'declarant', 'siret', 'declaration', 'declarer', 'payer'],
    entries.map((e) => [e.at.toISOString(), e.actor, e.person, e.siret, e.code, e.declarer ? '1' : '0', e.payer ? '1' : '0']),
  );
}
