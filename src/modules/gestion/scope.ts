/**
 * Who may administer what (docs/regles.md#habilitations, docs/regles.md#tiers-declarants), answered by
 * the database in one query each, so every use case can put the scope inside its own query or check it
 * first:
 * - an administrator administers the établissements of its own company (same SIREN as its espace);
 * - the administrator of a tiers-déclarant also administers the établissements chosen for the client
 *   companies of its portefeuilles;
 * - a déclarant administers nothing; it uses what it is habilitated for.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import {
  espaces,
  etablissements,
  portefeuilleDeclarants,
  portefeuilleEtablissements,
  portefeuilles,
  users,
} from '../../infra/db/schema.js';
import { arrayParam } from '../../infra/db/sql.js';

export type User = typeof users.$inferSelect;
export type Espace = typeof espaces.$inferSelect;

export async function espaceOf(tx: Tx, user: User): Promise<Espace> {
  const [e] = await tx.select().from(espaces).where(eq(espaces.id, user.espaceId));
  if (!e) throw new Error(`espace ${user.espaceId} introuvable`);
  return e;
}

/** True when `admin` may administer `siret` (own company, or a client établissement of its portefeuilles). */
export async function administersSiret(tx: Tx, admin: User, siret: string): Promise<boolean> {
  if (admin.role !== 'administrateur' || admin.status !== 'active') return false;
  const rows = await selectRows(
    tx,
    sql`
    select 1 from ${etablissements} e join ${espaces} s on s.siren = e.siren
      where s.id = ${admin.espaceId} and e.siret = ${siret}
    union all
    select 1 from ${portefeuilleEtablissements} pe join ${portefeuilles} p on p.id = pe.portefeuille_id
      where p.espace_id = ${admin.espaceId} and pe.siret = ${siret}
    limit 1`,
  );
  return rows.length > 0;
}

/** The SIRETs among `sirets` that `admin` may administer (for bulk checks, one query, one array parameter). */
export async function administeredAmong(tx: Tx, admin: User, sirets: readonly string[]): Promise<Set<string>> {
  if (admin.role !== 'administrateur' || admin.status !== 'active' || sirets.length === 0) return new Set();
  const list = arrayParam([...new Set(sirets)]);
  const rows = await selectRows<{ siret: string }>(
    tx,
    sql`
    select e.siret from ${etablissements} e join ${espaces} s on s.siren = e.siren
      where s.id = ${admin.espaceId} and e.siret = any(${list}::text[])
    union
    select pe.siret from ${portefeuilleEtablissements} pe join ${portefeuilles} p on p.id = pe.portefeuille_id
      where p.espace_id = ${admin.espaceId} and pe.siret = any(${list}::text[])`,
  );
  return new Set(rows.map((r) => r.siret));
}

/** A person of the same espace (any live status), or null: the scope of every « Gérer les déclarants » action. */
export async function personOfEspace(tx: Tx, espaceId: string, userId: string): Promise<User | null> {
  if (!/^[0-9a-f-]{36}$/i.test(userId)) return null;
  const [u] = await tx
    .select()
    .from(users)
    .where(and(eq(users.id, userId), eq(users.espaceId, espaceId), inArray(users.status, ['active', 'email_pending', 'suspended'])));
  return u ?? null;
}

/** Portefeuilles a déclarant of a tiers-déclarant works on (an administrator works on all of them). */
export async function portefeuillesOfUser(ctx: AppContext, user: User): Promise<string[]> {
  if (user.role === 'administrateur') {
    const rows = await ctx.db.select({ id: portefeuilles.id }).from(portefeuilles).where(eq(portefeuilles.espaceId, user.espaceId));
    return rows.map((r) => r.id);
  }
  const rows = await ctx.db
    .select({ id: portefeuilleDeclarants.portefeuilleId })
    .from(portefeuilleDeclarants)
    .innerJoin(portefeuilles, eq(portefeuilles.id, portefeuilleDeclarants.portefeuilleId))
    .where(and(eq(portefeuilleDeclarants.userId, user.id), eq(portefeuilles.espaceId, user.espaceId)));
  return rows.map((r) => r.id);
}

/** The company's own établissements (same SIREN as the espace), as a subquery. */
export const ownSirets = (espaceId: string) =>
  sql`select x.siret from ${etablissements} x join ${espaces} s on s.siren = x.siren where s.id = ${espaceId}`;

/** Every SIRET the espace administers, as a subquery: its own établissements and its portefeuilles' ones. */
export const scopeSirets = (espaceId: string) =>
  sql`${ownSirets(espaceId)} union all select pe.siret from ${portefeuilleEtablissements} pe join ${portefeuilles} p on p.id = pe.portefeuille_id where p.espace_id = ${espaceId}`;
