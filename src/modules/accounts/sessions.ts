import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { auditBy } from '../../infra/audit.js';
import type { Tx } from '../../infra/db/index.js';
import { liveSessionOf, newSessionRow, revokeSessionRow, sessionLive, touchSessionRow } from '../../infra/session-rows.js';
import { entreprises, espaces, sessions, users } from '../../infra/db/schema.js';

/** Sessions end after 30 minutes idle, 12 hours in all (docs/regles.md#comptes). */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 3_600_000;

export type SessionRow = typeof sessions.$inferSelect;
export type UserRow = typeof users.$inferSelect;

/** Who is signed in, as the pages' header shows it. */
export interface Viewer {
  nom: string;
  prenom: string;
  role: 'administrateur' | 'declarant';
  raisonSociale: string;
}

export interface AuthState {
  session: SessionRow;
  user: UserRow;
  viewer: Viewer;
}

export async function createSession(tx: Tx, ctx: AppContext, userId: string, meta: { ip?: string; userAgent?: string }): Promise<string> {
  const { id, row } = newSessionRow(ctx.clock.now(), SESSION_ABSOLUTE_MS, meta);
  await tx.insert(sessions).values({ ...row, userId });
  return id;
}

export async function loadSession(ctx: AppContext, cookieValue: string): Promise<AuthState | null> {
  const row = await liveSessionOf(sessions, cookieValue, SESSION_IDLE_MS, ctx.clock.now(), (where) =>
    ctx.db
      .select({ session: sessions, user: users, raisonSociale: entreprises.raisonSociale })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .innerJoin(espaces, eq(espaces.id, users.espaceId))
      .innerJoin(entreprises, eq(entreprises.siren, espaces.siren))
      .where(where),
  );
  if (!row) return null;
  const { session, user } = row;
  if (user.status !== 'active') return null;
  return {
    session,
    user,
    viewer: { nom: user.nom, prenom: user.prenom, role: user.role as Viewer['role'], raisonSociale: row.raisonSociale },
  };
}

export function touchSession(ctx: AppContext, state: AuthState): Promise<void> {
  return touchSessionRow(ctx.db, sessions, state.session, ctx.clock.now());
}

export function revokeSession(tx: Tx, ctx: AppContext, idHash: string): Promise<void> {
  return revokeSessionRow(tx, sessions, idHash, ctx.clock.now());
}

/** Ends every session of a user (suspension, password reset, « se déconnecter partout »). */
export async function revokeAllSessions(tx: Tx, ctx: AppContext, userId: string, exceptIdHash?: string): Promise<void> {
  const cond = exceptIdHash
    ? and(eq(sessions.userId, userId), isNull(sessions.revokedAt), ne(sessions.idHash, exceptIdHash))
    : and(eq(sessions.userId, userId), isNull(sessions.revokedAt));
  await tx.update(sessions).set({ revokedAt: ctx.clock.now() }).where(cond);
}

export async function listActiveSessions(ctx: AppContext, userId: string) {
  const now = ctx.clock.now();
  const rows = await ctx.db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)));
  return rows.filter((s) => sessionLive(s, SESSION_IDLE_MS, now)).sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
}

/** What « Vos informations personnelles » shows of a session: a public reference, never its id. */
export interface SessionView {
  /** the first 16 characters of the session's hash (base64url): enough to name one of the person's sessions, useless to open it */
  ref: string;
  current: boolean;
  createdAt: Date;
  lastSeenAt: Date;
  ip: string | null;
  userAgent: string | null;
}

export async function sessionViews(ctx: AppContext, userId: string, currentIdHash: string): Promise<SessionView[]> {
  return (await listActiveSessions(ctx, userId)).map((s) => ({
    ref: s.idHash.slice(0, 16),
    current: s.idHash === currentIdHash,
    createdAt: s.createdAt,
    lastSeenAt: s.lastSeenAt,
    ip: s.ip,
    userAgent: s.userAgent,
  }));
}

/** Ends one of the person's own sessions, named by its reference; false when there is no such active session. */
export async function revokeOwnSession(ctx: AppContext, user: UserRow, ref: string, meta: { ip?: string }): Promise<boolean> {
  if (!/^[A-Za-z0-9_-]{16}$/.test(ref)) return false;
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(sessions)
      .set({ revokedAt: ctx.clock.now() })
      .where(and(eq(sessions.userId, user.id), isNull(sessions.revokedAt), sql`left(${sessions.idHash}, 16) = ${ref}`))
      .returning({ idHash: sessions.idHash });
    if (!row) return false;
    await auditBy(tx, ctx.clock, user, meta.ip, 'session.revoked', { details: { session: ref } });
    return true;
  });
}
