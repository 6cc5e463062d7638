/**
 * « Gérer vos portefeuilles » (guide « Tiers-déclarants », docs/regles.md#tiers-declarants): the
 * portefeuilles of a tiers-déclarant — « Vos portefeuilles » (search, pages), the default one,
 * « Ajout de portefeuille », its name and comment, its déclarants, its deletion — and the portefeuilles
 * a déclarant works on. Their client companies are in portefeuilles-clients.ts, their declarations in
 * portefeuilles-declarations.ts, the récapitulatif in portefeuilles-recapitulatif.ts.
 *
 * Every query carries the tiers' espace (the portefeuille is read with `espace_id = caller's espace`
 * first, locked, then changed by its id); every change is audited in the same transaction. Page queries
 * are one query per table shown (no N+1), paged where the table can be long.
 */
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { auditBy } from '../../infra/audit.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import {
  espaces,
  portefeuilleClients,
  portefeuilleDeclarants,
  portefeuilleDeclarations,
  portefeuilles,
  users,
} from '../../infra/db/schema.js';
import { notify } from '../notifications/notify.js';
import { findPortefeuille, isUuid, lockedPortefeuille, refusal, type Meta, type Portefeuille } from './portefeuilles-repository.js';
import type { User } from './scope.js';

// Callers outside the module (the demo data set, other modules' tests, the benchmarks) find these here.

export const DEFAULT_PORTEFEUILLE_NAME = 'Portefeuille par défaut';
export const PAGE_SIZE = 20;

/** Creates the « Portefeuille par défaut » when the espace has none (the partial unique index settles races). */
export async function ensureDefaultPortefeuille(ctx: AppContext, admin: User, meta: Meta = {}): Promise<void> {
  const [exists] = await ctx.db
    .select({ id: portefeuilles.id })
    .from(portefeuilles)
    .where(and(eq(portefeuilles.espaceId, admin.espaceId), eq(portefeuilles.isDefault, true)));
  if (exists) return;
  await ctx.db.transaction(async (tx) => {
    const [row] = await selectRows<{ id: string }>(
      tx,
      sql`
      insert into portefeuilles (espace_id, name, comment, is_default, created_at)
      values (${admin.espaceId}, ${DEFAULT_PORTEFEUILLE_NAME}, '', true, ${ctx.clock.now()})
      on conflict (espace_id) where is_default do nothing
      returning id`,
    );
    const id = row?.id;
    if (id)
      await auditBy(tx, ctx.clock, admin, meta.ip, 'portefeuille.created', {
        details: { portefeuilleId: id, name: DEFAULT_PORTEFEUILLE_NAME, isDefault: true },
      });
  });
}

export const SEARCH_CRITERIA = [
  { value: 'nom', label: 'Nom du portefeuille' },
  { value: 'siren', label: 'SIREN d’un client' },
  { value: 'declarant', label: 'Déclarant' },
] as const;
export type SearchCriterion = (typeof SEARCH_CRITERIA)[number]['value'];

export interface PortefeuilleRow {
  id: string;
  name: string;
  comment: string;
  isDefault: boolean;
  clientCount: number;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** « Vos portefeuilles »: one query (counts by sub-select, total by window), paged. */
export async function listPortefeuilles(
  ctx: AppContext,
  espaceId: string,
  opts: { critere?: SearchCriterion; valeur?: string; page?: number } = {},
) {
  const page = Math.max(1, Math.floor(opts.page ?? 1));
  const v = (opts.valeur ?? '').trim();
  let filter: SQL = sql`true`;
  if (v && opts.critere === 'nom') filter = sql`p.name ilike ${`%${escapeLike(v)}%`}`;
  if (v && opts.critere === 'siren')
    filter = sql`exists (select 1 from portefeuille_clients c where c.portefeuille_id = p.id and c.siren = ${v.replace(/\s/g, '')})`;
  if (v && opts.critere === 'declarant')
    filter = sql`exists (select 1 from portefeuille_declarants d join users u on u.id = d.user_id
      where d.portefeuille_id = p.id and u.espace_id = ${espaceId} and (u.nom || ' ' || u.prenom || ' ' || u.prenom || ' ' || u.nom) ilike ${`%${escapeLike(v)}%`})`;
  const rows = await selectRows<PortefeuilleRow & { total: number }>(
    ctx.db,
    sql`
    select p.id, p.name, p.comment, p.is_default as "isDefault",
      (select count(*) from portefeuille_clients c where c.portefeuille_id = p.id)::int as "clientCount",
      (count(*) over ())::int as total
    from portefeuilles p
    where p.espace_id = ${espaceId} and ${filter}
    order by p.is_default desc, lower(p.name), p.id
    limit ${PAGE_SIZE} offset ${(page - 1) * PAGE_SIZE}`,
  );
  const total = rows[0]?.total ?? 0;
  return { rows: rows.map(({ total: _t, ...x }) => x), total, page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}

/** All portefeuilles of the espace (id, name): the « Transférer » target list. */
export async function portefeuilleNames(ctx: AppContext, espaceId: string) {
  return ctx.db
    .select({ id: portefeuilles.id, name: portefeuilles.name })
    .from(portefeuilles)
    .where(eq(portefeuilles.espaceId, espaceId))
    .orderBy(sql`${portefeuilles.isDefault} desc`, sql`lower(${portefeuilles.name})`);
}

/** The espace's active déclarants (candidates for « Déclarants »), and those of the portefeuille. */
export async function declarantsOf(ctx: AppContext, espaceId: string, portefeuilleId?: string) {
  return selectRows<{ id: string; nom: string; prenom: string; selected: boolean }>(
    ctx.db,
    sql`
    select u.id, u.nom, u.prenom,
      ${portefeuilleId ? sql`exists (select 1 from portefeuille_declarants d where d.portefeuille_id = ${portefeuilleId} and d.user_id = u.id)` : sql`false`} as selected
    from users u
    where u.espace_id = ${espaceId} and u.role = 'declarant' and u.status = 'active'
    order by u.nom, u.prenom, u.id`,
  );
}

/** The portefeuilles a user works on (administrator: all of its espace; déclarant: its own), with their client counts. */
export async function portefeuillesOfViewer(ctx: AppContext, user: User) {
  const mine =
    user.role === 'administrateur'
      ? sql`true`
      : sql`exists (select 1 from portefeuille_declarants d where d.portefeuille_id = p.id and d.user_id = ${user.id})`;
  return selectRows<PortefeuilleRow>(
    ctx.db,
    sql`
    select p.id, p.name, p.comment, p.is_default as "isDefault",
      (select count(*) from portefeuille_clients c where c.portefeuille_id = p.id)::int as "clientCount"
    from portefeuilles p where p.espace_id = ${user.espaceId} and ${mine}
    order by p.is_default desc, lower(p.name), p.id`,
  );
}

/** The portefeuille `id` if `user` works on it (same espace, and a déclarant of it unless administrator). */
export async function viewerPortefeuille(ctx: AppContext, user: User, id: string): Promise<Portefeuille | null> {
  const p = await findPortefeuille(ctx.db, user.espaceId, id);
  if (!p || user.role === 'administrateur') return p;
  const [d] = await ctx.db
    .select({ u: portefeuilleDeclarants.userId })
    .from(portefeuilleDeclarants)
    .where(and(eq(portefeuilleDeclarants.portefeuilleId, p.id), eq(portefeuilleDeclarants.userId, user.id)));
  return d ? p : null;
}

// ── changes ─────────────────────────────────────────────────────────────────────────────────────

export interface PortefeuilleInput {
  name: string;
  comment: string;
}

async function lockEspace(tx: Tx, espaceId: string) {
  // Serialises name checks of one espace (no unique index on names: it is per espace and case-insensitive).
  await tx.select({ id: espaces.id }).from(espaces).where(eq(espaces.id, espaceId)).for('update');
}

async function checkNameFree(tx: Tx, espaceId: string, name: string, exceptId?: string) {
  const [dup] = await tx
    .select({ id: portefeuilles.id })
    .from(portefeuilles)
    .where(
      and(
        eq(portefeuilles.espaceId, espaceId),
        sql`lower(${portefeuilles.name}) = lower(${name})`,
        exceptId ? sql`${portefeuilles.id} <> ${exceptId}` : undefined,
      ),
    );
  if (dup) throw refusal('conflict', 'nom_deja_pris', 'Un portefeuille porte déjà ce nom : choisissez-en un autre.', 'name');
}

/** The ids among `ids` that are active déclarants of the espace; any other id is refused. */
async function checkDeclarants(tx: Tx, espaceId: string, ids: readonly string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const unknown = () => refusal('invalid', 'declarant_inconnu', 'Un des déclarants choisis est inconnu.', 'declarants');
  if (!unique.every(isUuid)) throw unknown();
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.espaceId, espaceId), eq(users.role, 'declarant'), eq(users.status, 'active'), inArray(users.id, unique)));
  if (rows.length !== unique.length) throw unknown();
  return unique;
}

export async function createPortefeuille(
  ctx: AppContext,
  admin: User,
  input: PortefeuilleInput & { declarants: string[] },
  meta: Meta = {},
): Promise<string> {
  return ctx.db.transaction(async (tx) => {
    await lockEspace(tx, admin.espaceId);
    await checkNameFree(tx, admin.espaceId, input.name);
    const declarants = await checkDeclarants(tx, admin.espaceId, input.declarants);
    const [p] = await tx
      .insert(portefeuilles)
      .values({ espaceId: admin.espaceId, name: input.name, comment: input.comment, isDefault: false, createdAt: ctx.clock.now() })
      .returning({ id: portefeuilles.id });
    if (declarants.length) await tx.insert(portefeuilleDeclarants).values(declarants.map((userId) => ({ portefeuilleId: p!.id, userId })));
    await auditBy(tx, ctx.clock, admin, meta.ip, 'portefeuille.created', {
      details: { portefeuilleId: p!.id, name: input.name, declarants },
    });
    if (declarants.length) await notify(tx, ctx, declarants, `Vous avez été ajouté au portefeuille « ${input.name} ».`);
    return p!.id;
  });
}

export async function updatePortefeuille(
  ctx: AppContext,
  admin: User,
  id: string,
  input: PortefeuilleInput,
  meta: Meta = {},
): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await lockEspace(tx, admin.espaceId);
    const p = await lockedPortefeuille(tx, admin.espaceId, id);
    await checkNameFree(tx, admin.espaceId, input.name, p.id);
    await tx
      .update(portefeuilles)
      .set({ name: input.name, comment: input.comment })
      .where(and(eq(portefeuilles.id, p.id), eq(portefeuilles.espaceId, admin.espaceId)));
    await auditBy(tx, ctx.clock, admin, meta.ip, 'portefeuille.updated', {
      details: { portefeuilleId: p.id, before: { name: p.name, comment: p.comment }, after: input },
    });
  });
}

/**
 * « Supprimer le portefeuille »: only an empty one (its companies are transferred or removed first,
 * so no client loses its declarations by surprise), never the default portefeuille. Its déclarants
 * are told they no longer work on it.
 */
export async function deletePortefeuille(ctx: AppContext, admin: User, id: string, meta: Meta = {}): Promise<{ name: string }> {
  return ctx.db.transaction(async (tx) => {
    await lockEspace(tx, admin.espaceId);
    const p = await lockedPortefeuille(tx, admin.espaceId, id);
    if (p.isDefault)
      throw refusal(
        'invalid',
        'portefeuille_par_defaut',
        'Le portefeuille par défaut ne peut pas être supprimé : choisissez d’abord un autre portefeuille par défaut.',
      );
    const [{ n } = { n: 0 }] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(portefeuilleClients)
      .where(eq(portefeuilleClients.portefeuilleId, p.id));
    if (n > 0)
      throw refusal(
        'conflict',
        'portefeuille_non_vide',
        `Ce portefeuille contient ${n} entreprise${n > 1 ? 's' : ''} : transférez-${n > 1 ? 'les' : 'la'} vers un autre portefeuille ou retirez-${n > 1 ? 'les' : 'la'} avant de le supprimer.`,
      );
    const declarants = (
      await tx
        .delete(portefeuilleDeclarants)
        .where(eq(portefeuilleDeclarants.portefeuilleId, p.id))
        .returning({ id: portefeuilleDeclarants.userId })
    ).map((r) => r.id);
    await tx.delete(portefeuilleDeclarations).where(eq(portefeuilleDeclarations.portefeuilleId, p.id));
    await tx.delete(portefeuilles).where(and(eq(portefeuilles.id, p.id), eq(portefeuilles.espaceId, admin.espaceId)));
    await auditBy(tx, ctx.clock, admin, meta.ip, 'portefeuille.deleted', { details: { portefeuilleId: p.id, name: p.name, declarants } });
    if (declarants.length) await notify(tx, ctx, declarants, `Le portefeuille « ${p.name} » a été supprimé : vous n’y travaillez plus.`);
    return { name: p.name };
  });
}

export async function setPortefeuilleDeclarants(
  ctx: AppContext,
  admin: User,
  id: string,
  userIds: string[],
  meta: Meta = {},
): Promise<{ added: string[]; removed: string[] }> {
  return ctx.db.transaction(async (tx) => {
    const p = await lockedPortefeuille(tx, admin.espaceId, id);
    const wanted = new Set(await checkDeclarants(tx, admin.espaceId, userIds));
    const current = new Set(
      (
        await tx
          .select({ id: portefeuilleDeclarants.userId })
          .from(portefeuilleDeclarants)
          .where(eq(portefeuilleDeclarants.portefeuilleId, p.id))
      ).map((r) => r.id),
    );
    const added = [...wanted].filter((x) => !current.has(x));
    const removed = [...current].filter((x) => !wanted.has(x));
    if (added.length) await tx.insert(portefeuilleDeclarants).values(added.map((userId) => ({ portefeuilleId: p.id, userId })));
    if (removed.length)
      await tx
        .delete(portefeuilleDeclarants)
        .where(and(eq(portefeuilleDeclarants.portefeuilleId, p.id), inArray(portefeuilleDeclarants.userId, removed)));
    if (added.length || removed.length) {
      await auditBy(tx, ctx.clock, admin, meta.ip, 'portefeuille.declarants_changed', {
        details: { portefeuilleId: p.id, added, removed },
      });
      await notify(tx, ctx, added, `Vous avez été ajouté au portefeuille « ${p.name} ».`);
    }
    return { added, removed };
  });
}
