/**
 * What the users' sessions and the agents' sessions do alike (docs/regles.md#comptes): the last-seen
 * write, throttled, and the revocation of one session. Each module keeps its own table and rules.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Tx } from './db/index.js';
import type { sessions } from './db/schema.js';
import type { agentSessions } from './db/schema-operateur.js';

type SessionTable = typeof sessions | typeof agentSessions;

/** lastSeenAt is written at most once a minute per session (keeps reads cheap under load). */
const TOUCH_EVERY_MS = 60_000;

export async function touchSessionRow(tx: Tx, table: SessionTable, row: { idHash: string; lastSeenAt: Date }, now: Date): Promise<void> {
  if (now.getTime() - row.lastSeenAt.getTime() < TOUCH_EVERY_MS) return;
  await tx.update(table).set({ lastSeenAt: now }).where(eq(table.idHash, row.idHash));
}

export async function revokeSessionRow(tx: Tx, table: SessionTable, idHash: string, now: Date): Promise<void> {
  await tx
    .update(table)
    .set({ revokedAt: now })
    .where(and(eq(table.idHash, idHash), isNull(table.revokedAt)));
}
