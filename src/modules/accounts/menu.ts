/**
 * « Menu personnalisé »: one tile per declaration the user may use, open or
 * « Accessible sous N heure(s) » while the access delay runs; notifications; the administrator's name.
 * One query for the tiles, scoped to the user's own habilitations and espace.
 */
import { and, desc, eq, isNull, or, sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { findDeclaration, hoursUntilAccessible } from '../../domain/declarations.js';
import { etablissementDeclarations, habilitations, notifications, users } from '../../infra/db/schema.js';

type User = typeof users.$inferSelect;

/** A habilitation counts only where its declaration is declared for that SIRET in the user's espace. */
const declaredInEspace = (user: User) =>
  and(
    eq(etablissementDeclarations.espaceId, user.espaceId),
    eq(etablissementDeclarations.siret, habilitations.siret),
    eq(etablissementDeclarations.declarationCode, habilitations.declarationCode),
  );

export interface Tile {
  code: string;
  name: string;
  description: string;
  open: boolean;
  hoursLeft: number;
  sirets: number;
}

export async function menuTiles(ctx: AppContext, user: User): Promise<Tile[]> {
  const now = ctx.clock.now();
  const rows = await ctx.db
    .select({
      code: habilitations.declarationCode,
      opensAt: sql<Date>`min(${etablissementDeclarations.accessibleAt})`.mapWith((v: string | Date) => new Date(v)),
      sirets: sql<number>`count(*)`.mapWith(Number),
    })
    .from(habilitations)
    .innerJoin(etablissementDeclarations, declaredInEspace(user))
    .where(and(eq(habilitations.userId, user.id), or(eq(habilitations.declarer, true), eq(habilitations.payer, true))))
    .groupBy(habilitations.declarationCode);
  return rows
    .map((r) => {
      const d = findDeclaration(r.code);
      const hoursLeft = hoursUntilAccessible(r.opensAt, now);
      return {
        code: r.code,
        name: d?.name ?? r.code,
        description: d?.description ?? '',
        open: hoursLeft === 0,
        hoursLeft,
        sirets: r.sirets,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

export async function recentNotifications(ctx: AppContext, userId: string, limit = 5) {
  return ctx.db
    .select({ id: notifications.id, at: notifications.at, text: notifications.text, readAt: notifications.readAt })
    .from(notifications)
    .where(eq(notifications.userId, userId))
    .orderBy(desc(notifications.at))
    .limit(limit);
}

export async function unreadCount(ctx: AppContext, userId: string): Promise<number> {
  const [r] = await ctx.db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return r?.n ?? 0;
}

/** The administrators of the user's company (a pure déclarant is shown whom to ask). */
export async function administratorsOf(ctx: AppContext, espaceId: string) {
  return ctx.db
    .select({ nom: users.nom, prenom: users.prenom, email: users.email })
    .from(users)
    .where(and(eq(users.espaceId, espaceId), eq(users.role, 'administrateur'), eq(users.status, 'active')))
    .orderBy(users.nom, users.prenom);
}

/**
 * The établissements for which the user may use a declaration now: habilitated (déclarer or payer)
 * AND the access delay over. The server checks this on every service entry, not only the tile.
 */
export async function openSiretsFor(ctx: AppContext, user: User, code: string) {
  const now = ctx.clock.now();
  return ctx.db
    .select({
      siret: habilitations.siret,
      declarer: habilitations.declarer,
      payer: habilitations.payer,
      accessibleAt: etablissementDeclarations.accessibleAt,
    })
    .from(habilitations)
    .innerJoin(etablissementDeclarations, declaredInEspace(user))
    .where(
      and(
        eq(habilitations.userId, user.id),
        eq(habilitations.declarationCode, code),
        or(eq(habilitations.declarer, true), eq(habilitations.payer, true)),
      ),
    )
    .then((rows) => rows.filter((r) => r.accessibleAt <= now).sort((a, b) => a.siret.localeCompare(b.siret)));
}
