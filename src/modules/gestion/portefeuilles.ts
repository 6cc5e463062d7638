/**
 * « Gérer vos portefeuilles » (PRODUCT.md §3.5; guide « Tiers-déclarants »): the portefeuilles of a
 * tiers-déclarant, their déclarants and declarations, and their client companies with the établissements
 * chosen for each. Every query carries the tiers' espace (the portefeuille is read with
 * `espace_id = caller's espace` first, locked, then changed by its id); every change is audited in the
 * same transaction. Page queries are one query per table shown (no N+1), paged where the table can be long.
 */
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { accessibleAt, DECLARATIONS, findDeclaration } from '../../domain/declarations.js';
import { parseSiren } from '../../domain/identifiers.js';
import { audit } from '../../infra/audit.js';
import type { Tx } from '../../infra/db/index.js';
import {
  entreprises,
  espaces,
  etablissements,
  portefeuilleClients,
  portefeuilleDeclarants,
  portefeuilleDeclarations,
  portefeuilleEtablissements,
  portefeuilles,
  users,
} from '../../infra/db/schema.js';
import { notify } from '../notifications/notify.js';
import type { User } from './scope.js';

export const DEFAULT_PORTEFEUILLE_NAME = 'Portefeuille par défaut';
export const PAGE_SIZE = 20;
export const CLIENTS_PAGE_SIZE = 50;
export const NAME_MAX = 100;
export const COMMENT_MAX = 500;

export type Portefeuille = typeof portefeuilles.$inferSelect;

export class PortefeuilleError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid' | 'conflict',
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
const notFound = () => new PortefeuilleError('not_found', 'Ce portefeuille est introuvable.');
const clientNotFound = () => new PortefeuilleError('not_found', 'Cette entreprise n’est pas dans ce portefeuille.');

export interface Meta {
  ip?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID.test(s);

function rowsOf<T>(r: unknown): T[] {
  return ((r as { rows?: T[] }).rows ?? []) as T[];
}
const list = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );
/** A set of SIRETs usable both as `in (…)` and as a `from (…)` row source. */
const valuesOf = (values: readonly string[]) =>
  sql`values ${sql.join(
    values.map((v) => sql`(${v}::text)`),
    sql`, `,
  )}`;

// ── reading ─────────────────────────────────────────────────────────────────────────────────────

/** The portefeuille `id` of the espace, or null (any other espace's id, or a malformed one, is « not found »). */
export async function findPortefeuille(tx: Tx, espaceId: string, id: string, opts: { lock?: boolean } = {}): Promise<Portefeuille | null> {
  if (!isUuid(id)) return null;
  const q = tx
    .select()
    .from(portefeuilles)
    .where(and(eq(portefeuilles.id, id), eq(portefeuilles.espaceId, espaceId)));
  const [p] = opts.lock ? await q.for('update') : await q;
  return p ?? null;
}

/** Creates the « Portefeuille par défaut » when the espace has none (the partial unique index settles races). */
export async function ensureDefaultPortefeuille(ctx: AppContext, admin: User, meta: Meta = {}): Promise<void> {
  const [exists] = await ctx.db
    .select({ id: portefeuilles.id })
    .from(portefeuilles)
    .where(and(eq(portefeuilles.espaceId, admin.espaceId), eq(portefeuilles.isDefault, true)));
  if (exists) return;
  await ctx.db.transaction(async (tx) => {
    const r = await tx.execute(sql`
      insert into portefeuilles (espace_id, name, comment, is_default, created_at)
      values (${admin.espaceId}, ${DEFAULT_PORTEFEUILLE_NAME}, '', true, ${ctx.clock.now()})
      on conflict (espace_id) where is_default do nothing
      returning id`);
    const id = rowsOf<{ id: string }>(r)[0]?.id;
    if (id)
      await audit(tx, ctx.clock, {
        action: 'portefeuille.created',
        actorUserId: admin.id,
        espaceId: admin.espaceId,
        ip: meta.ip,
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
  const r = await ctx.db.execute(sql`
    select p.id, p.name, p.comment, p.is_default as "isDefault",
      (select count(*) from portefeuille_clients c where c.portefeuille_id = p.id)::int as "clientCount",
      (count(*) over ())::int as total
    from portefeuilles p
    where p.espace_id = ${espaceId} and ${filter}
    order by p.is_default desc, lower(p.name), p.id
    limit ${PAGE_SIZE} offset ${(page - 1) * PAGE_SIZE}`);
  const rows = rowsOf<PortefeuilleRow & { total: number }>(r);
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
  const r = await ctx.db.execute(sql`
    select u.id, u.nom, u.prenom,
      ${portefeuilleId ? sql`exists (select 1 from portefeuille_declarants d where d.portefeuille_id = ${portefeuilleId} and d.user_id = u.id)` : sql`false`} as selected
    from users u
    where u.espace_id = ${espaceId} and u.role = 'declarant' and u.status = 'active'
    order by u.nom, u.prenom, u.id`);
  return rowsOf<{ id: string; nom: string; prenom: string; selected: boolean }>(r);
}

export async function declarationsOfPortefeuille(tx: Tx, portefeuilleId: string): Promise<string[]> {
  const rows = await tx
    .select({ code: portefeuilleDeclarations.declarationCode })
    .from(portefeuilleDeclarations)
    .where(eq(portefeuilleDeclarations.portefeuilleId, portefeuilleId));
  const order = new Map(DECLARATIONS.map((d, i) => [d.code, i]));
  return rows.map((r) => r.code).sort((a, b) => (order.get(a) ?? 999) - (order.get(b) ?? 999));
}

export interface ClientRow {
  siren: string;
  raisonSociale: string;
  /** active établissements of the company in the registry */
  activeCount: number;
  /** établissements chosen in the portefeuille */
  chosenCount: number;
  /** one chosen SIRET (for the habilitations link), or null */
  firstSiret: string | null;
}

export const typeLabel = (activeCount: number) => (activeCount > 1 ? 'Multi-établissements' : 'Mono-établissement');

/** « Entreprises du portefeuille »: one query, paged. */
export async function listClients(ctx: AppContext, portefeuilleId: string, page = 1) {
  page = Math.max(1, Math.floor(page));
  // The page's 50 rows first (sorted, with the total), then their counts: the sub-selects run for 50 rows, not 2,000.
  const r = await ctx.db.execute(sql`
    with page as (
      select c.siren, c.portefeuille_id, e.raison_sociale, (count(*) over ())::int as total
      from portefeuille_clients c join entreprises e on e.siren = c.siren
      where c.portefeuille_id = ${portefeuilleId}
      order by e.raison_sociale, c.siren
      limit ${CLIENTS_PAGE_SIZE} offset ${(page - 1) * CLIENTS_PAGE_SIZE}
    )
    select page.siren, page.raison_sociale as "raisonSociale", page.total,
      (select count(*) from etablissements x where x.siren = page.siren and x.etat_administratif = 'A')::int as "activeCount",
      (select count(*) from portefeuille_etablissements pe where pe.portefeuille_id = page.portefeuille_id and pe.siren = page.siren)::int as "chosenCount",
      (select min(pe.siret) from portefeuille_etablissements pe where pe.portefeuille_id = page.portefeuille_id and pe.siren = page.siren) as "firstSiret"
    from page
    order by page.raison_sociale, page.siren`);
  const rows = rowsOf<ClientRow & { total: number }>(r);
  const total = rows[0]?.total ?? 0;
  return { rows: rows.map(({ total: _t, ...x }) => x), total, page, pages: Math.max(1, Math.ceil(total / CLIENTS_PAGE_SIZE)) };
}

/** One client of the portefeuille with its company's name, or null. */
export async function findClient(tx: Tx, portefeuilleId: string, siren: string) {
  if (!/^\d{9}$/.test(siren)) return null;
  const [c] = await tx
    .select({ siren: portefeuilleClients.siren, raisonSociale: entreprises.raisonSociale })
    .from(portefeuilleClients)
    .innerJoin(entreprises, eq(entreprises.siren, portefeuilleClients.siren))
    .where(and(eq(portefeuilleClients.portefeuilleId, portefeuilleId), eq(portefeuilleClients.siren, siren)));
  return c ?? null;
}

/** « Choisir les établissements »: the company's active établissements, with those chosen. */
export async function etablissementsOfClient(ctx: AppContext, portefeuilleId: string, siren: string) {
  const r = await ctx.db.execute(sql`
    select x.siret, x.denomination, x.adresse, x.code_postal as "codePostal", x.libelle_commune as "libelleCommune", x.est_siege as "estSiege",
      (pe.siret is not null) as chosen
    from etablissements x
    left join portefeuille_etablissements pe on pe.portefeuille_id = ${portefeuilleId} and pe.siret = x.siret
    where x.siren = ${siren} and x.etat_administratif = 'A'
    order by x.est_siege desc, x.siret`);
  return rowsOf<{
    siret: string;
    denomination: string;
    adresse: string;
    codePostal: string | null;
    libelleCommune: string | null;
    estSiege: boolean;
    chosen: boolean;
  }>(r);
}

/** Declarations present on the client's chosen établissements (for the tiers' espace), by code: how many établissements. */
export async function declarationsOfClient(db: Tx, espaceId: string, portefeuilleId: string, siren: string) {
  const r = await db.execute(sql`
    select ed.declaration_code as code, count(*)::int as n
    from portefeuille_etablissements pe
    join etablissement_declarations ed on ed.espace_id = ${espaceId} and ed.siret = pe.siret
    where pe.portefeuille_id = ${portefeuilleId} and pe.siren = ${siren}
    group by ed.declaration_code`);
  return new Map(rowsOf<{ code: string; n: number }>(r).map((x) => [x.code, x.n]));
}

export interface RecapRow {
  portefeuille: string;
  siren: string | null;
  raisonSociale: string | null;
  activeCount: number | null;
  siret: string | null;
  declarations: string | null;
}

/** « Récapitulatif »: every portefeuille, client and chosen établissement with its declarations, one query. */
export async function recapitulatif(ctx: AppContext, espaceId: string, portefeuilleIds?: readonly string[]): Promise<RecapRow[]> {
  if (portefeuilleIds && portefeuilleIds.length === 0) return [];
  const r = await ctx.db.execute(sql`
    with counts as (
      select x.siren, count(*)::int as n from etablissements x
      where x.etat_administratif = 'A' and x.siren in (select c.siren from portefeuille_clients c where c.espace_id = ${espaceId})
      group by x.siren
    ), decl as (
      select ed.siret, string_agg(ed.declaration_code, ',' order by ed.declaration_code) as codes
      from etablissement_declarations ed where ed.espace_id = ${espaceId} group by ed.siret
    )
    select p.name as portefeuille, c.siren, e.raison_sociale as "raisonSociale", coalesce(counts.n, 0) as "activeCount", pe.siret, decl.codes as declarations
    from portefeuilles p
    left join portefeuille_clients c on c.portefeuille_id = p.id
    left join entreprises e on e.siren = c.siren
    left join counts on counts.siren = c.siren
    left join portefeuille_etablissements pe on pe.portefeuille_id = p.id and pe.siren = c.siren
    left join decl on decl.siret = pe.siret
    where p.espace_id = ${espaceId} ${portefeuilleIds ? sql`and p.id in (${list(portefeuilleIds)})` : sql``}
    order by p.is_default desc, lower(p.name), p.id, e.raison_sociale, c.siren, pe.siret`);
  return rowsOf<RecapRow>(r);
}

export const RECAP_PAGE_SIZE = 50;

export interface RecapPage {
  rows: RecapRow[];
  /** clients (and empty portefeuilles) in the whole récapitulatif */
  total: number;
  page: number;
  pages: number;
}

/**
 * One page of the récapitulatif for the HTML page: 50 clients (an empty portefeuille counts as one
 * line), of one portefeuille or of all; the same rows and order as `recapitulatif`, which the CSV and
 * print versions keep using for the full list.
 */
export async function recapitulatifPage(
  ctx: AppContext,
  espaceId: string,
  opts: { portefeuilleId?: string; page: number },
): Promise<RecapPage> {
  const units = sql`
    select p.id as pid, p.name, p.is_default, c.siren, e.raison_sociale
    from portefeuilles p
    left join portefeuille_clients c on c.portefeuille_id = p.id
    left join entreprises e on e.siren = c.siren
    where p.espace_id = ${espaceId} ${opts.portefeuilleId ? sql`and p.id = ${opts.portefeuilleId}` : sql``}`;
  const [cnt] = rowsOf<{ n: number | string }>(await ctx.db.execute(sql`select count(*)::int as n from (${units}) u`));
  const total = Number(cnt?.n ?? 0);
  const pages = Math.max(1, Math.ceil(total / RECAP_PAGE_SIZE));
  const page = Math.min(Math.max(1, Math.trunc(opts.page) || 1), pages);
  if (total === 0) return { rows: [], total, page, pages };
  const r = await ctx.db.execute(sql`
    with page as (
      select * from (${units}) u order by u.is_default desc, lower(u.name), u.pid, u.raison_sociale, u.siren
      limit ${RECAP_PAGE_SIZE} offset ${(page - 1) * RECAP_PAGE_SIZE}
    )
    select page.name as portefeuille, page.siren, page.raison_sociale as "raisonSociale",
      (case when page.siren is null then 0 else (select count(*) from etablissements x where x.siren = page.siren and x.etat_administratif = 'A') end)::int as "activeCount",
      pe.siret,
      (select string_agg(ed.declaration_code, ',' order by ed.declaration_code) from etablissement_declarations ed where ed.espace_id = ${espaceId} and ed.siret = pe.siret) as declarations
    from page
    left join portefeuille_etablissements pe on pe.portefeuille_id = page.pid and pe.siren = page.siren
    order by page.is_default desc, lower(page.name), page.pid, page.raison_sociale, page.siren, pe.siret`);
  return { rows: rowsOf<RecapRow>(r), total, page, pages };
}

const csvCell = (v: string) => {
  // Spreadsheet formula injection: a cell starting with = + - @ is prefixed with an apostrophe.
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[;"\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function recapCsv(rows: readonly RecapRow[]): string {
  const lines = ['portefeuille;siren;raison sociale;type;siret;déclarations'];
  for (const r of rows)
    lines.push(
      [
        r.portefeuille,
        r.siren ?? '',
        r.raisonSociale ?? '',
        r.siren ? typeLabel(r.activeCount ?? 0) : '',
        r.siret ?? '',
        (r.declarations ?? '').split(',').filter(Boolean).join(','),
      ]
        .map(csvCell)
        .join(';'),
    );
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

// ── déclarants of a tiers: what they work on ────────────────────────────────────────────────────

/** The portefeuilles a user works on (administrator: all of its espace; déclarant: its own), with their client counts. */
export async function portefeuillesOfViewer(ctx: AppContext, user: User) {
  const mine =
    user.role === 'administrateur'
      ? sql`true`
      : sql`exists (select 1 from portefeuille_declarants d where d.portefeuille_id = p.id and d.user_id = ${user.id})`;
  const r = await ctx.db.execute(sql`
    select p.id, p.name, p.comment, p.is_default as "isDefault",
      (select count(*) from portefeuille_clients c where c.portefeuille_id = p.id)::int as "clientCount"
    from portefeuilles p where p.espace_id = ${user.espaceId} and ${mine}
    order by p.is_default desc, lower(p.name), p.id`);
  return rowsOf<PortefeuilleRow>(r);
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
  if (dup) throw new PortefeuilleError('conflict', 'Un portefeuille porte déjà ce nom : choisissez-en un autre.', 'name');
}

/** The ids among `ids` that are active déclarants of the espace; any other id is refused. */
async function checkDeclarants(tx: Tx, espaceId: string, ids: readonly string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  if (!unique.every(isUuid)) throw new PortefeuilleError('invalid', 'Un des déclarants choisis est inconnu.', 'declarants');
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.espaceId, espaceId), eq(users.role, 'declarant'), eq(users.status, 'active'), inArray(users.id, unique)));
  if (rows.length !== unique.length) throw new PortefeuilleError('invalid', 'Un des déclarants choisis est inconnu.', 'declarants');
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
    await audit(tx, ctx.clock, {
      action: 'portefeuille.created',
      actorUserId: admin.id,
      espaceId: admin.espaceId,
      ip: meta.ip,
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
    const p = await findPortefeuille(tx, admin.espaceId, id, { lock: true });
    if (!p) throw notFound();
    await checkNameFree(tx, admin.espaceId, input.name, p.id);
    await tx
      .update(portefeuilles)
      .set({ name: input.name, comment: input.comment })
      .where(and(eq(portefeuilles.id, p.id), eq(portefeuilles.espaceId, admin.espaceId)));
    await audit(tx, ctx.clock, {
      action: 'portefeuille.updated',
      actorUserId: admin.id,
      espaceId: admin.espaceId,
      ip: meta.ip,
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
    const p = await findPortefeuille(tx, admin.espaceId, id, { lock: true });
    if (!p) throw notFound();
    if (p.isDefault)
      throw new PortefeuilleError(
        'invalid',
        'Le portefeuille par défaut ne peut pas être supprimé : choisissez d’abord un autre portefeuille par défaut.',
      );
    const [{ n } = { n: 0 }] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(portefeuilleClients)
      .where(eq(portefeuilleClients.portefeuilleId, p.id));
    if (n > 0)
      throw new PortefeuilleError(
        'conflict',
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
    await audit(tx, ctx.clock, {
      action: 'portefeuille.deleted',
      actorUserId: admin.id,
      espaceId: admin.espaceId,
      ip: meta.ip,
      details: { portefeuilleId: p.id, name: p.name, declarants },
    });
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
    const p = await findPortefeuille(tx, admin.espaceId, id, { lock: true });
    if (!p) throw notFound();
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
      await audit(tx, ctx.clock, {
        action: 'portefeuille.declarants_changed',
        actorUserId: admin.id,
        espaceId: admin.espaceId,
        ip: meta.ip,
        details: { portefeuilleId: p.id, added, removed },
      });
      await notify(tx, ctx, added, `Vous avez été ajouté au portefeuille « ${p.name} ».`);
    }
    return { added, removed };
  });
}

/**
 * Removes declarations `codes` from établissements `sirets` of the tiers' espace, with the habilitations
 * its people held on them (recorded in habilitation_history as withdrawn).
 */
async function withdrawDeclarations(tx: Tx, ctx: AppContext, admin: User, sirets: SQL, codes: readonly string[] | null) {
  const codeFilter = codes ? (codes.length ? sql`and declaration_code in (${list(codes)})` : null) : sql``;
  if (codeFilter === null) return;
  await tx.execute(sql`
    insert into habilitation_history (at, espace_id, actor_user_id, user_id, siret, declaration_code, declarer, payer)
    select ${ctx.clock.now()}::timestamptz, ${admin.espaceId}::uuid, ${admin.id}::uuid, h.user_id, h.siret, h.declaration_code, false, false
    from habilitations h join users u on u.id = h.user_id and u.espace_id = ${admin.espaceId}
    where h.siret in (${sirets}) ${codes ? sql`and h.declaration_code in (${list(codes)})` : sql``}`);
  await tx.execute(sql`
    delete from habilitations h using users u
    where u.id = h.user_id and u.espace_id = ${admin.espaceId} and h.siret in (${sirets}) ${codes ? sql`and h.declaration_code in (${list(codes)})` : sql``}`);
  await tx.execute(sql`delete from etablissement_declarations where espace_id = ${admin.espaceId} and siret in (${sirets}) ${codeFilter}`);
}

/** Adds declarations `codes` to établissements `sirets` for the tiers' espace (open after the access delay). */
async function grantDeclarations(tx: Tx, ctx: AppContext, admin: User, sirets: SQL, codes: readonly string[]) {
  if (codes.length === 0) return;
  const now = ctx.clock.now();
  const open = accessibleAt(now, ctx.config.ACCESS_DELAY_HOURS);
  await tx.execute(sql`
    insert into etablissement_declarations (espace_id, siret, declaration_code, added_at, accessible_at, added_by)
    select ${admin.espaceId}::uuid, s.siret, d.code, ${now}::timestamptz, ${open}::timestamptz, ${admin.id}::uuid
    from (${sirets}) s(siret) cross join (values ${sql.join(
      codes.map((c) => sql`(${c}::text)`),
      sql`, `,
    )}) d(code)
    on conflict do nothing`);
}

const siretsOfPortefeuille = (portefeuilleId: string) =>
  sql`select pe.siret from portefeuille_etablissements pe where pe.portefeuille_id = ${portefeuilleId}`;
const siretsOfClient = (portefeuilleId: string, siren: string) =>
  sql`select pe.siret from portefeuille_etablissements pe where pe.portefeuille_id = ${portefeuilleId} and pe.siren = ${siren}`;

/** « Gérer les déclarations du portefeuille »: added ones go to every chosen client établissement, removed ones leave them. */
export async function setPortefeuilleDeclarations(ctx: AppContext, admin: User, id: string, codes: string[], meta: Meta = {}) {
  const wanted = new Set(codes);
  for (const c of wanted)
    if (!findDeclaration(c)) throw new PortefeuilleError('invalid', 'Une des déclarations choisies est inconnue.', 'declarations');
  return ctx.db.transaction(async (tx) => {
    const p = await findPortefeuille(tx, admin.espaceId, id, { lock: true });
    if (!p) throw notFound();
    const current = new Set(await declarationsOfPortefeuille(tx, p.id));
    const added = [...wanted].filter((x) => !current.has(x));
    const removed = [...current].filter((x) => !wanted.has(x));
    if (added.length) {
      await tx
        .insert(portefeuilleDeclarations)
        .values(added.map((declarationCode) => ({ portefeuilleId: p.id, declarationCode, addedAt: ctx.clock.now() })));
      await grantDeclarations(tx, ctx, admin, siretsOfPortefeuille(p.id), added);
    }
    if (removed.length) {
      await tx
        .delete(portefeuilleDeclarations)
        .where(and(eq(portefeuilleDeclarations.portefeuilleId, p.id), inArray(portefeuilleDeclarations.declarationCode, removed)));
      await withdrawDeclarations(tx, ctx, admin, siretsOfPortefeuille(p.id), removed);
    }
    if (added.length || removed.length)
      await audit(tx, ctx.clock, {
        action: 'portefeuille.declarations_changed',
        actorUserId: admin.id,
        espaceId: admin.espaceId,
        ip: meta.ip,
        details: { portefeuilleId: p.id, added, removed },
      });
    return { added, removed };
  });
}

/**
 * « Ajouter une entreprise »: the company (by SIREN) and all its active établissements, with the
 * portefeuille's declarations. One portefeuille per client and tiers (unique index, so a double
 * submission adds it once).
 */
export async function addClient(
  ctx: AppContext,
  admin: User,
  id: string,
  sirenInput: string,
  meta: Meta = {},
): Promise<{ siren: string; etablissements: number }> {
  const parsed = parseSiren(sirenInput);
  if (!parsed.ok) throw new PortefeuilleError('invalid', parsed.message, 'siren');
  const siren: string = parsed.value;
  return ctx.db.transaction(async (tx) => {
    const p = await findPortefeuille(tx, admin.espaceId, id, { lock: true });
    if (!p) throw notFound();
    const [company] = await tx.select().from(entreprises).where(eq(entreprises.siren, siren));
    if (!company) throw new PortefeuilleError('invalid', 'Ce SIREN est inconnu du répertoire.', 'siren');
    if (company.etatAdministratif !== 'A')
      throw new PortefeuilleError('invalid', 'Cette entreprise est cessée : elle ne peut pas être ajoutée à un portefeuille.', 'siren');
    const [own] = await tx.select({ siren: espaces.siren }).from(espaces).where(eq(espaces.id, admin.espaceId));
    if (own?.siren === siren)
      throw new PortefeuilleError('invalid', 'Votre propre entreprise ne peut pas être cliente d’un de vos portefeuilles.', 'siren');
    const inserted = await tx
      .insert(portefeuilleClients)
      .values({ portefeuilleId: p.id, espaceId: admin.espaceId, siren, addedAt: ctx.clock.now() })
      .onConflictDoNothing()
      .returning({ siren: portefeuilleClients.siren });
    if (inserted.length === 0) {
      const [where] = await tx
        .select({ id: portefeuilles.id, name: portefeuilles.name })
        .from(portefeuilleClients)
        .innerJoin(portefeuilles, eq(portefeuilles.id, portefeuilleClients.portefeuilleId))
        .where(and(eq(portefeuilleClients.espaceId, admin.espaceId), eq(portefeuilleClients.siren, siren)));
      if (where?.id === p.id) throw new PortefeuilleError('conflict', 'Cette entreprise est déjà dans ce portefeuille.', 'siren');
      throw new PortefeuilleError(
        'conflict',
        `Cette entreprise est déjà cliente dans votre portefeuille « ${where?.name ?? ''} » : utilisez « Transférer » depuis ce portefeuille.`,
        'siren',
      );
    }
    const r = await tx.execute(sql`
      insert into portefeuille_etablissements (portefeuille_id, siret, siren)
      select ${p.id}::uuid, x.siret, x.siren from etablissements x where x.siren = ${siren} and x.etat_administratif = 'A'
      on conflict do nothing returning siret`);
    const count = rowsOf<{ siret: string }>(r).length;
    await grantDeclarations(tx, ctx, admin, siretsOfClient(p.id, siren), await declarationsOfPortefeuille(tx, p.id));
    await audit(tx, ctx.clock, {
      action: 'portefeuille.client_added',
      actorUserId: admin.id,
      espaceId: admin.espaceId,
      ip: meta.ip,
      details: { portefeuilleId: p.id, siren, etablissements: count },
    });
    return { siren, etablissements: count };
  });
}

async function lockedClient(tx: Tx, admin: User, id: string, siren: string) {
  const p = await findPortefeuille(tx, admin.espaceId, id, { lock: true });
  if (!p) throw notFound();
  const c = await findClient(tx, p.id, siren);
  if (!c) throw clientNotFound();
  return { p, c };
}

/** « Choisir les établissements de l’entreprise »: new ones get the client's declarations, dropped ones lose theirs. */
export async function chooseEtablissements(ctx: AppContext, admin: User, id: string, siren: string, sirets: string[], meta: Meta = {}) {
  return ctx.db.transaction(async (tx) => {
    const { p } = await lockedClient(tx, admin, id, siren);
    const wanted = new Set(sirets);
    if (wanted.size === 0)
      throw new PortefeuilleError('invalid', 'Choisissez au moins un établissement, ou retirez l’entreprise du portefeuille.', 'sirets');
    if (![...wanted].every((s) => /^\d{14}$/.test(s)))
      throw new PortefeuilleError('invalid', 'Un des établissements choisis n’appartient pas à cette entreprise ou est fermé.', 'sirets');
    const active = await tx
      .select({ siret: etablissements.siret })
      .from(etablissements)
      .where(and(eq(etablissements.siren, siren), eq(etablissements.etatAdministratif, 'A'), inArray(etablissements.siret, [...wanted])));
    if (active.length !== wanted.size)
      throw new PortefeuilleError('invalid', 'Un des établissements choisis n’appartient pas à cette entreprise ou est fermé.', 'sirets');
    const current = new Set(
      (
        await tx
          .select({ siret: portefeuilleEtablissements.siret })
          .from(portefeuilleEtablissements)
          .where(and(eq(portefeuilleEtablissements.portefeuilleId, p.id), eq(portefeuilleEtablissements.siren, siren)))
      ).map((r) => r.siret),
    );
    const added = [...wanted].filter((x) => !current.has(x));
    const removed = [...current].filter((x) => !wanted.has(x));
    if (removed.length) {
      await withdrawDeclarations(tx, ctx, admin, valuesOf(removed), null);
      await tx
        .delete(portefeuilleEtablissements)
        .where(and(eq(portefeuilleEtablissements.portefeuilleId, p.id), inArray(portefeuilleEtablissements.siret, removed)));
    }
    if (added.length) {
      // The client's declarations: those on its remaining établissements, or the portefeuille's when none remain.
      const kept = wanted.size - added.length;
      const codes =
        kept > 0 ? [...(await declarationsOfClient(tx, admin.espaceId, p.id, siren)).keys()] : await declarationsOfPortefeuille(tx, p.id);
      await tx.insert(portefeuilleEtablissements).values(added.map((siret) => ({ portefeuilleId: p.id, siret, siren })));
      await grantDeclarations(
        tx,
        ctx,
        admin,
        valuesOf(added),
        codes.filter((c) => findDeclaration(c)),
      );
    }
    if (added.length || removed.length)
      await audit(tx, ctx.clock, {
        action: 'portefeuille.etablissements_changed',
        actorUserId: admin.id,
        espaceId: admin.espaceId,
        ip: meta.ip,
        details: { portefeuilleId: p.id, siren, added, removed },
      });
    return { added, removed };
  });
}

/** « Gérer les déclarations de l’entreprise »: which of the portefeuille's declarations apply to its établissements. */
export async function setClientDeclarations(ctx: AppContext, admin: User, id: string, siren: string, codes: string[], meta: Meta = {}) {
  return ctx.db.transaction(async (tx) => {
    const { p } = await lockedClient(tx, admin, id, siren);
    const allowed = new Set(await declarationsOfPortefeuille(tx, p.id));
    const wanted = [...new Set(codes)];
    if (!wanted.every((c) => allowed.has(c)))
      throw new PortefeuilleError('invalid', 'Seules les déclarations du portefeuille peuvent être choisies.', 'declarations');
    const notWanted = [...allowed].filter((c) => !wanted.includes(c));
    // Declarations outside the portefeuille's list (left over from an earlier list) also go.
    const present = await tx.execute(sql`select distinct ed.declaration_code as code from etablissement_declarations ed
      where ed.espace_id = ${admin.espaceId} and ed.siret in (${siretsOfClient(p.id, siren)})`);
    const stale = rowsOf<{ code: string }>(present)
      .map((r) => r.code)
      .filter((c) => !allowed.has(c));
    const removing = [...notWanted, ...stale];
    await withdrawDeclarations(tx, ctx, admin, siretsOfClient(p.id, siren), removing);
    await grantDeclarations(tx, ctx, admin, siretsOfClient(p.id, siren), wanted);
    await audit(tx, ctx.clock, {
      action: 'portefeuille.declarations_changed',
      actorUserId: admin.id,
      espaceId: admin.espaceId,
      ip: meta.ip,
      details: { portefeuilleId: p.id, siren, declarations: wanted, removed: removing },
    });
    return { declarations: wanted };
  });
}

/** « Transférer l’entreprise » to another portefeuille of the same espace: the rows move in one transaction. */
export async function transferClient(ctx: AppContext, admin: User, id: string, siren: string, targetId: string, meta: Meta = {}) {
  return ctx.db.transaction(async (tx) => {
    const { p } = await lockedClient(tx, admin, id, siren);
    const target = await findPortefeuille(tx, admin.espaceId, targetId, { lock: true });
    if (!target) throw new PortefeuilleError('invalid', 'Choisissez un portefeuille de destination parmi les vôtres.', 'cible');
    if (target.id === p.id)
      throw new PortefeuilleError('invalid', 'L’entreprise est déjà dans ce portefeuille : choisissez-en un autre.', 'cible');
    await tx
      .update(portefeuilleClients)
      .set({ portefeuilleId: target.id })
      .where(
        and(
          eq(portefeuilleClients.portefeuilleId, p.id),
          eq(portefeuilleClients.espaceId, admin.espaceId),
          eq(portefeuilleClients.siren, siren),
        ),
      );
    await tx
      .update(portefeuilleEtablissements)
      .set({ portefeuilleId: target.id })
      .where(and(eq(portefeuilleEtablissements.portefeuilleId, p.id), eq(portefeuilleEtablissements.siren, siren)));
    await audit(tx, ctx.clock, {
      action: 'portefeuille.client_transferred',
      actorUserId: admin.id,
      espaceId: admin.espaceId,
      ip: meta.ip,
      details: { from: p.id, to: target.id, siren },
    });
    return { target };
  });
}

/** « Retirer »: the client leaves the portefeuille with its établissements, their declarations and habilitations. */
export async function removeClient(ctx: AppContext, admin: User, id: string, siren: string, meta: Meta = {}) {
  await ctx.db.transaction(async (tx) => {
    const { p } = await lockedClient(tx, admin, id, siren);
    await withdrawDeclarations(tx, ctx, admin, siretsOfClient(p.id, siren), null);
    await tx
      .delete(portefeuilleEtablissements)
      .where(and(eq(portefeuilleEtablissements.portefeuilleId, p.id), eq(portefeuilleEtablissements.siren, siren)));
    await tx
      .delete(portefeuilleClients)
      .where(
        and(
          eq(portefeuilleClients.portefeuilleId, p.id),
          eq(portefeuilleClients.espaceId, admin.espaceId),
          eq(portefeuilleClients.siren, siren),
        ),
      );
    await audit(tx, ctx.clock, {
      action: 'portefeuille.client_removed',
      actorUserId: admin.id,
      espaceId: admin.espaceId,
      ip: meta.ip,
      details: { portefeuilleId: p.id, siren },
    });
  });
}
