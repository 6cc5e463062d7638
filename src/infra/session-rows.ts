/**
 * What the users' sessions and the agents' sessions do alike (docs/regles.md#comptes): the new row, the
 * liveness rule, the live session a cookie carries, the last-seen write (throttled) and the revocation of
 * one session. Each module keeps its own table and rules.
 */
import { and, eq, isNull, type SQL } from 'drizzle-orm';
import { newToken, sha256 } from './crypto.js';
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

/** A new session: its id (for the cookie, never stored) and the columns both tables share. */
export function newSessionRow(now: Date, lifetimeMs: number, meta: { ip?: string; userAgent?: string }) {
  const id = newToken();
  return {
    id,
    row: {
      idHash: sha256(id),
      csrfToken: newToken(),
      createdAt: now,
      lastSeenAt: now,
      absoluteExpiresAt: new Date(now.getTime() + lifetimeMs),
      ip: meta.ip ?? null,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
    },
  };
}

/** Whether a session is neither past its absolute end nor idle for `idleMs` or more. */
export const sessionLive = (s: { absoluteExpiresAt: Date; lastSeenAt: Date }, idleMs: number, now: Date): boolean =>
  s.absoluteExpiresAt > now && s.lastSeenAt.getTime() + idleMs > now.getTime();

/** A cookie longer than this is no session id of ours: refused before any hashing or query. */
const MAX_COOKIE_LENGTH = 100;

/**
 * The session a cookie carries, with what `read` joins to it: `read` selects the rows matching `where` (the
 * cookie's hashed id, not revoked); the row found counts only while the session is live (`sessionLive`).
 */
export async function liveSessionOf<R extends { session: { absoluteExpiresAt: Date; lastSeenAt: Date } }>(
  table: SessionTable,
  cookieValue: string,
  idleMs: number,
  now: Date,
  read: (where: SQL) => Promise<R[]>,
): Promise<R | null> {
  if (cookieValue.length > MAX_COOKIE_LENGTH) return null;
  const [row] = await read(and(eq(table.idHash, sha256(cookieValue)), isNull(table.revokedAt))!);
  return row && sessionLive(row.session, idleMs, now) ? row : null;
}
