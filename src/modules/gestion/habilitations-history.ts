/**
 * « Historique des habilitations »: each grant and withdrawal of a right in the espace, newest first,
 * with who did it; paged on screen, whole in the CSV export.
 */
import { eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Tx } from '../../infra/db/index.js';
import { habilitationHistory, users } from '../../infra/db/schema.js';
import { writeCsv } from '../../shared/csv.js';
import { historyPage } from './history-page.js';
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
  const where = eq(habilitationHistory.espaceId, admin.espaceId);
  const query = tx
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
    .where(where)
    .$dynamic();
  return historyPage(
    tx,
    { table: habilitationHistory, where, size: HISTORY_PAGE_SIZE },
    opts,
    query,
    ({ aNom, aPrenom, pNom, pPrenom, ...columns }) => ({
      actor: aNom ? `${aNom} ${aPrenom}` : 'Inscription',
      person: `${pNom} ${pPrenom}`,
      ...columns,
    }),
  );
}

export function historyCsv(entries: readonly HistoryEntry[]): string {
  return writeCsv(
    ['date', 'administrateur', 'declarant', 'siret', 'declaration', 'declarer', 'payer'],
    entries.map((e) => [e.at.toISOString(), e.actor, e.person, e.siret, e.code, e.declarer ? '1' : '0', e.payer ? '1' : '0']),
  );
}
