/**
 * « Gérer les habilitations » (PRODUCT.md §3.4): which person of the espace may declare / pay which
 * declaration on which SIRET. Every query carries the administrator's espace and the SIRETs it
 * administers (scope.ts); every grant and removal is written to `habilitation_history` in the same
 * transaction, with an audit event and a notification to the persons whose rights changed.
 */
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { AppContext } from '../../app-context.js';
import { DECLARATIONS, findDeclaration } from '../../domain/declarations.js';
import { audit } from '../../infra/audit.js';
import type { Tx } from '../../infra/db/index.js';
import {
  bulkRequests,
  espaces,
  etablissementDeclarations,
  etablissements,
  habilitationHistory,
  habilitations,
  portefeuilleEtablissements,
  portefeuilles,
  users,
} from '../../infra/db/schema.js';
import { notify } from '../notifications/notify.js';
import { exportHabilitations, formatCsv, readImport, type DesiredRight, type ReportLine } from './habilitations-csv.js';
import { administeredAmong, administersSiret, type User } from './scope.js';

export const PAGE_SIZE = 50;
export const HISTORY_PAGE_SIZE = 50;
export const BULK_INTERVAL_HOURS = 48;
export const CHANGED_SUBJECT = 'Vos habilitations ont changé';

export class HabilitationError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 429,
    message: string,
    readonly report: ReportLine[] = [],
  ) {
    super(message);
  }
}

export interface AdministeredSiret {
  siret: string;
  denomination: string;
  /** null: the company's own établissement; else the portefeuille of the client établissement */
  portefeuilleId: string | null;
}

export interface Person {
  id: string;
  nom: string;
  prenom: string;
  email: string;
  role: string;
}

export interface Scope {
  admin: User;
  sirets: AdministeredSiret[];
  /** declaration codes subscribed per administered SIRET (etablissement_declarations) */
  declared: Map<string, Set<string>>;
  /** active persons of the espace */
  persons: Person[];
  /** the codes declared on at least one administered SIRET, in catalogue order */
  codes: string[];
}

/** What an administrator may manage. A déclarant (or an inactive administrator) gets a 403. */
export async function loadScope(tx: Tx, admin: User): Promise<Scope> {
  if (admin.role !== 'administrateur' || admin.status !== 'active')
    throw new HabilitationError(403, 'Cette page est réservée aux administrateurs de l’entreprise.');
  const own = await tx
    .select({ siret: etablissements.siret, denomination: etablissements.denomination })
    .from(etablissements)
    .innerJoin(espaces, eq(espaces.siren, etablissements.siren))
    .where(eq(espaces.id, admin.espaceId))
    .orderBy(etablissements.siret);
  const clients = await tx
    .select({
      siret: portefeuilleEtablissements.siret,
      denomination: etablissements.denomination,
      portefeuilleId: portefeuilleEtablissements.portefeuilleId,
    })
    .from(portefeuilleEtablissements)
    .innerJoin(portefeuilles, eq(portefeuilles.id, portefeuilleEtablissements.portefeuilleId))
    .innerJoin(etablissements, eq(etablissements.siret, portefeuilleEtablissements.siret))
    .where(eq(portefeuilles.espaceId, admin.espaceId))
    .orderBy(portefeuilleEtablissements.siret);
  const sirets: AdministeredSiret[] = own.map((o) => ({ ...o, portefeuilleId: null }));
  const seen = new Set(sirets.map((s) => s.siret));
  for (const c of clients) if (!seen.has(c.siret)) (seen.add(c.siret), sirets.push(c));

  const declared = new Map<string, Set<string>>();
  if (sirets.length) {
    // only this espace's subscriptions (another espace may declare on the same SIRET), on the SIRETs
    // of the scope given as a subquery (not one parameter per SIRET)
    const rows = await tx
      .select({ siret: etablissementDeclarations.siret, code: etablissementDeclarations.declarationCode })
      .from(etablissementDeclarations)
      .where(
        and(
          eq(etablissementDeclarations.espaceId, admin.espaceId),
          sql`${etablissementDeclarations.siret} in (${scopeSirets(admin.espaceId)})`,
        ),
      );
    for (const r of rows) {
      if (!findDeclaration(r.code)) continue;
      const set = declared.get(r.siret) ?? new Set<string>();
      set.add(r.code);
      declared.set(r.siret, set);
    }
  }
  const persons = await personsOf(tx, admin);
  const used = new Set([...declared.values()].flatMap((s) => [...s]));
  return { admin, sirets, declared, persons, codes: DECLARATIONS.map((d) => d.code).filter((c) => used.has(c)) };
}

// ── the grid ────────────────────────────────────────────────────────────────────────────────────

export interface Criteria {
  siret: string;
  declarant: string;
  service: string;
  page: number;
}

export interface GridRow {
  key: string;
  userId: string;
  siret: string;
  code: string;
  serviceName: string;
  personLabel: string;
  payable: boolean;
  declarer: boolean;
  payer: boolean;
}

export interface Grid {
  rows: GridRow[];
  total: number;
  page: number;
  pages: number;
}

export const rowKey = (userId: string, siret: string, code: string) => `${userId}|${siret}|${code}`;

export function parseRowKey(key: string): { userId: string; siret: string; code: string } | null {
  const m = /^([0-9a-f-]{36})\|(\d{14})\|([A-Z_]{1,40})$/i.exec(key);
  return m ? { userId: m[1]!.toLowerCase(), siret: m[2]!, code: m[3]! } : null;
}

/** Checks the criteria against the scope: a value outside it is a 404 (never someone else's data). */
export function checkCriteria(scope: Scope, c: Criteria): void {
  if (c.siret && !scope.sirets.some((s) => s.siret === c.siret)) throw new HabilitationError(404, SIRET_UNKNOWN);
  checkPersonAndService(scope, c);
}

const SIRET_UNKNOWN = 'Ce SIRET est inconnu ou vous ne l’administrez pas.';

function checkPersonAndService(scope: Pick<Scope, 'persons' | 'codes'>, c: Criteria): void {
  if (c.declarant && !scope.persons.some((p) => p.id === c.declarant))
    throw new HabilitationError(404, 'Ce déclarant est inconnu dans votre espace.');
  if (c.service && !scope.codes.includes(c.service))
    throw new HabilitationError(404, 'Ce service n’est souscrit sur aucun de vos établissements.');
}

type Pair = { code: string; siret: string };

/** The rows of one page: row i is pair ⌊i / P⌋ × person i mod P (P persons), rows `first`…`first + n`. */
function pageRows(
  pairs: readonly Pair[],
  firstPair: number,
  persons: readonly Person[],
  first: number,
  end: number,
): Omit<GridRow, 'declarer' | 'payer'>[] {
  const P = persons.length;
  const out: Omit<GridRow, 'declarer' | 'payer'>[] = [];
  for (let i = first; i < end; i++) {
    const { code, siret } = pairs[Math.floor(i / P) - firstPair]!;
    const p = persons[i % P]!;
    const d = findDeclaration(code)!;
    out.push({
      key: rowKey(p.id, siret, code),
      userId: p.id,
      siret,
      code,
      serviceName: d.name,
      personLabel: `${p.nom} ${p.prenom}`,
      payable: d.payable,
    });
  }
  return out;
}

async function withRights(tx: Tx, slice: Omit<GridRow, 'declarer' | 'payer'>[]): Promise<GridRow[]> {
  const current = await rightsOf(tx, slice);
  return slice.map((r) => ({ ...r, declarer: current.get(r.key)?.declarer ?? false, payer: current.get(r.key)?.payer ?? false }));
}

const pagesOf = (total: number, wanted: number) => {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return { pages, page: Math.min(Math.max(1, wanted), pages) };
};

/**
 * The grid from a loaded scope (service × SIRET × déclarant, in catalogue × scope × name order): only
 * the (service, SIRET) pairs are listed, and only the rows of the page are built.
 */
export async function loadGrid(tx: Tx, scope: Scope, c: Criteria): Promise<Grid> {
  checkCriteria(scope, c);
  const sirets = scope.sirets.filter((s) => !c.siret || s.siret === c.siret).map((s) => s.siret);
  const persons = scope.persons.filter((p) => !c.declarant || p.id === c.declarant);
  const pairs: Pair[] = [];
  for (const code of scope.codes) {
    if (c.service && code !== c.service) continue;
    for (const siret of sirets) if (scope.declared.get(siret)?.has(code)) pairs.push({ code, siret });
  }
  const total = pairs.length * persons.length;
  const { page, pages } = pagesOf(total, c.page);
  const first = (page - 1) * PAGE_SIZE;
  return { rows: await withRights(tx, pageRows(pairs, 0, persons, first, Math.min(total, first + PAGE_SIZE))), total, page, pages };
}

/** What the criteria form and one page of the grid need: the persons and the services, not every SIRET. */
export interface PageScope {
  admin: User;
  persons: Person[];
  codes: string[];
  /** (service, administered SIRET) pairs per service code */
  pairsPerCode: Map<string, number>;
}

export async function loadPageScope(tx: Tx, admin: User): Promise<PageScope> {
  if (admin.role !== 'administrateur' || admin.status !== 'active')
    throw new HabilitationError(403, 'Cette page est réservée aux administrateurs de l’entreprise.');
  const known = DECLARATIONS.map((d) => d.code);
  const used = rowsOf<{ code: string; n: number | string }>(
    await tx.execute(sql`select ed.declaration_code as code, count(*)::int as n from ${etablissementDeclarations} ed
      where ed.espace_id = ${admin.espaceId} and ed.declaration_code = any(${pgArray(known)}::text[]) and ed.siret in (${scopeSirets(admin.espaceId)})
      group by ed.declaration_code`),
  );
  const pairsPerCode = new Map(used.map((r) => [r.code, Number(r.n)]));
  return { admin, persons: await personsOf(tx, admin), codes: known.filter((c) => pairsPerCode.has(c)), pairsPerCode };
}

/** Checks the criteria (the SIRET against the scope, in the database) and loads one page of the grid. */
export async function loadGridPage(tx: Tx, ps: PageScope, c: Criteria): Promise<Grid> {
  if (c.siret && !(await administersSiret(tx, ps.admin, c.siret))) throw new HabilitationError(404, SIRET_UNKNOWN);
  checkPersonAndService(ps, c);
  const E = ps.admin.espaceId;
  const persons = ps.persons.filter((p) => !c.declarant || p.id === c.declarant);
  const codes = ps.codes.filter((code) => !c.service || code === c.service);
  const P = persons.length;
  let pairs: Pair[];
  let pairCount: number;
  let firstPair = 0;
  let first = 0;
  let end = 0;
  let page = 1;
  let pages = 1;
  const place = (n: number) => {
    pairCount = n;
    ({ page, pages } = pagesOf(n * P, c.page));
    first = (page - 1) * PAGE_SIZE;
    end = Math.min(n * P, first + PAGE_SIZE);
  };
  if (!P || !codes.length) return { rows: [], total: 0, page: 1, pages: 1 };
  if (c.siret) {
    // one SIRET (already checked): its services, in catalogue order
    const rows = rowsOf<{ code: string }>(
      await tx.execute(
        sql`select ed.declaration_code as code from ${etablissementDeclarations} ed where ed.espace_id = ${E} and ed.siret = ${c.siret} and ed.declaration_code = any(${pgArray(codes)}::text[])`,
      ),
    );
    const have = new Set(rows.map((r) => r.code));
    pairs = codes.filter((code) => have.has(code)).map((code) => ({ code, siret: c.siret }));
    place(pairs.length);
  } else {
    // the pairs of the page, service by service (counts known): the company's own établissements, then the clients', by SIRET
    place(codes.reduce((n, code) => n + (ps.pairsPerCode.get(code) ?? 0), 0));
    pairs = [];
    if (end > first) {
      firstPair = Math.floor(first / P);
      const lastPair = Math.floor((end - 1) / P);
      let start = 0;
      for (const code of codes) {
        const n = ps.pairsPerCode.get(code) ?? 0;
        const from = Math.max(firstPair, start);
        const to = Math.min(lastPair, start + n - 1);
        if (from <= to)
          pairs.push(
            ...rowsOf<Pair>(
              await tx.execute(sql`select ed.declaration_code as code, ed.siret from ${etablissementDeclarations} ed
                where ed.espace_id = ${E} and ed.declaration_code = ${code} and ed.siret in (${scopeSirets(E)})
                order by (ed.siret in (${ownSirets(E)})) desc, ed.siret limit ${to - from + 1} offset ${from - start}`),
            ),
          );
        start += n;
        if (start > lastPair) break;
      }
    }
  }
  const total = pairCount! * P;
  if (end <= first) return { rows: [], total, page, pages };
  return { rows: await withRights(tx, pageRows(pairs, firstPair, persons, first, end)), total, page, pages };
}

/** Current rights of the given (user, siret, code) triples; users are already in the caller's scope. */
async function rightsOf(tx: Tx, triples: readonly { userId: string; siret: string; code: string }[]) {
  const out = new Map<string, { declarer: boolean; payer: boolean }>();
  if (!triples.length) return out;
  const rows = await tx
    .select()
    .from(habilitations)
    .where(
      and(
        sql`${habilitations.userId} = any(${pgArray([...new Set(triples.map((t) => t.userId))])}::uuid[])`,
        sql`${habilitations.siret} = any(${pgArray([...new Set(triples.map((t) => t.siret))])}::text[])`,
      ),
    );
  for (const r of rows) out.set(rowKey(r.userId, r.siret, r.declarationCode), { declarer: r.declarer, payer: r.payer });
  return out;
}

// ── SQL helpers ─────────────────────────────────────────────────────────────────────────────────

/** The company's own établissements (same SIREN as the espace). */
const ownSirets = (espaceId: string) =>
  sql`select x.siret from ${etablissements} x join ${espaces} s on s.siren = x.siren where s.id = ${espaceId}`;

/** Every SIRET the espace administers, as a subquery: its own établissements and its portefeuilles' ones. */
export const scopeSirets = (espaceId: string) =>
  sql`${ownSirets(espaceId)} union all select pe.siret from ${portefeuilleEtablissements} pe join ${portefeuilles} p on p.id = pe.portefeuille_id where p.espace_id = ${espaceId}`;

/** One array parameter (`{"a","b"}`) for `= any($1::text[])` / `unnest($1::uuid[])`: the same on PGlite and PostgreSQL. */
export const pgArray = (xs: readonly (string | boolean)[]) =>
  `{${xs.map((x) => (typeof x === 'boolean' ? (x ? 't' : 'f') : `"${x.replace(/["\\]/g, '\\$&')}"`)).join(',')}}`;

const rowsOf = <T>(r: unknown): T[] => (r as { rows?: T[] }).rows ?? [];

async function personsOf(tx: Tx, admin: User): Promise<Person[]> {
  return tx
    .select({ id: users.id, nom: users.nom, prenom: users.prenom, email: users.email, role: users.role })
    .from(users)
    .where(and(eq(users.espaceId, admin.espaceId), eq(users.status, 'active')))
    .orderBy(users.nom, users.prenom, users.id);
}

// ── applying rights (grid and import) ───────────────────────────────────────────────────────────

interface Wanted {
  userId: string;
  siret: string;
  code: string;
  /** undefined: keep the current value */
  declarer: boolean | undefined;
  payer: boolean | undefined;
}

interface Applied {
  changes: number;
  changedUsers: string[];
  changedSirets: Set<string>;
}

type Change = { userId: string; siret: string; code: string; declarer: boolean; payer: boolean };

/**
 * Writes the wanted rights (already checked against the scope) and one history row per change, in
 * three set-based statements (upsert, delete, history). Serialised per espace (advisory lock), so a
 * double submission finds nothing left to change. `known`: the current rights, when the caller has
 * already read them under the lock.
 */
async function writeRights(
  tx: Tx,
  ctx: AppContext,
  admin: User,
  wanted: readonly Wanted[],
  known?: Map<string, { declarer: boolean; payer: boolean }>,
): Promise<Applied> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`habilitations:${admin.espaceId}`}))`);
  const current = known ? new Map(known) : await rightsOf(tx, wanted);
  const now = ctx.clock.now();
  const changedUsers = new Set<string>();
  const changedSirets = new Set<string>();
  const history: Change[] = [];
  const final = new Map<string, Change>();
  for (const w of wanted) {
    const key = rowKey(w.userId, w.siret, w.code);
    const before = current.get(key) ?? { declarer: false, payer: false };
    const payable = findDeclaration(w.code)?.payable ?? false;
    const declarer = w.declarer ?? before.declarer;
    const payer = payable ? (w.payer ?? before.payer) : false;
    if (declarer === before.declarer && payer === before.payer) continue;
    const row = { userId: w.userId, siret: w.siret, code: w.code, declarer, payer };
    history.push(row);
    final.set(key, row);
    current.set(key, { declarer, payer });
    changedUsers.add(w.userId);
    changedSirets.add(w.siret);
  }
  if (history.length) {
    const cols = (rows: readonly Change[]) =>
      sql`unnest(${pgArray(rows.map((r) => r.userId))}::uuid[], ${pgArray(rows.map((r) => r.siret))}::text[], ${pgArray(rows.map((r) => r.code))}::text[], ${pgArray(rows.map((r) => r.declarer))}::bool[], ${pgArray(rows.map((r) => r.payer))}::bool[])`;
    const last = [...final.values()];
    const granted = last.filter((r) => r.declarer || r.payer);
    const removed = last.filter((r) => !(r.declarer || r.payer));
    if (granted.length)
      await tx.execute(sql`insert into ${habilitations} (user_id, siret, declaration_code, declarer, payer, granted_at, granted_by)
        select t.u, t.s, t.c, t.d, t.p, ${now}, ${admin.id}::uuid from ${cols(granted)} as t(u, s, c, d, p)
        on conflict (user_id, siret, declaration_code) do update set declarer = excluded.declarer, payer = excluded.payer, granted_at = excluded.granted_at, granted_by = excluded.granted_by`);
    if (removed.length)
      await tx.execute(sql`delete from ${habilitations} h using ${cols(removed)} as t(u, s, c, d, p)
        where h.user_id = t.u and h.siret = t.s and h.declaration_code = t.c`);
    await tx.execute(sql`insert into ${habilitationHistory} (at, espace_id, actor_user_id, user_id, siret, declaration_code, declarer, payer)
      select ${now}, ${admin.espaceId}::uuid, ${admin.id}::uuid, t.u, t.s, t.c, t.d, t.p from ${cols(history)} with ordinality as t(u, s, c, d, p, n) order by t.n`);
  }
  return { changes: history.length, changedUsers: [...changedUsers], changedSirets };
}

async function tellPeople(tx: Tx, ctx: AppContext, userIds: readonly string[]) {
  await notify(
    tx,
    ctx,
    userIds,
    'Vos habilitations ont été modifiées par un administrateur de votre entreprise. Consultez votre menu personnalisé pour voir les services auxquels vous avez accès.',
    { subject: CHANGED_SUBJECT },
  );
}

export interface GridSubmission {
  rows: string[];
  declarer: string[];
  payer: string[];
}

/** Applies one submitted page of the grid: every row shown gets exactly the boxes checked. */
export async function applyGrid(ctx: AppContext, admin: User, sub: GridSubmission, ip?: string): Promise<{ changes: number }> {
  return ctx.db.transaction(async (tx) => {
    const scope = await loadScope(tx, admin);
    const wanted = checkSubmission(scope, sub);
    const r = await writeRights(tx, ctx, admin, wanted);
    if (r.changes > 0) {
      await audit(tx, ctx.clock, {
        action: 'habilitations.changed',
        actorUserId: admin.id,
        espaceId: admin.espaceId,
        ip,
        details: { changes: r.changes, users: r.changedUsers.length, sirets: [...r.changedSirets] },
      });
      await tellPeople(tx, ctx, r.changedUsers);
    }
    return { changes: r.changes };
  });
}

/** Every row must be a person of the espace × an administered SIRET × a declaration subscribed there. */
export function checkSubmission(scope: Scope, sub: GridSubmission): Wanted[] {
  const persons = new Set(scope.persons.map((p) => p.id));
  const rows = new Set<string>();
  const wanted: Wanted[] = [];
  const declarer = new Set(sub.declarer);
  const payer = new Set(sub.payer);
  if (sub.rows.length === 0) throw new HabilitationError(400, 'Aucune ligne à enregistrer : lancez d’abord une recherche.');
  for (const key of sub.rows) {
    const k = parseRowKey(key);
    if (!k || !persons.has(k.userId) || !scope.declared.get(k.siret)?.has(k.code))
      throw new HabilitationError(
        400,
        'La grille envoyée contient une ligne que vous ne pouvez pas modifier (déclarant, SIRET ou service inconnu). Rien n’a été enregistré.',
      );
    if (rows.has(key)) continue;
    rows.add(key);
    const payable = findDeclaration(k.code)!.payable;
    if (payer.has(key) && !payable)
      throw new HabilitationError(400, `Le droit « Payer » n’existe pas pour ${findDeclaration(k.code)!.name}. Rien n’a été enregistré.`);
    wanted.push({ ...k, declarer: declarer.has(key), payer: payable ? payer.has(key) : false });
  }
  for (const key of [...declarer, ...payer])
    if (!rows.has(key))
      throw new HabilitationError(400, 'Une case cochée ne correspond à aucune ligne de la grille. Rien n’a été enregistré.');
  return wanted;
}

// ── history ─────────────────────────────────────────────────────────────────────────────────────

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

export async function listHistory(
  tx: Tx,
  admin: User,
  opts: { page: number; all?: boolean },
): Promise<{ entries: HistoryEntry[]; page: number; pages: number; total: number }> {
  if (admin.role !== 'administrateur' || admin.status !== 'active')
    throw new HabilitationError(403, 'Cette page est réservée aux administrateurs de l’entreprise.');
  const [cnt] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(habilitationHistory)
    .where(eq(habilitationHistory.espaceId, admin.espaceId));
  const total = Number(cnt?.n ?? 0);
  const pages = Math.max(1, Math.ceil(total / HISTORY_PAGE_SIZE));
  const page = Math.min(Math.max(1, opts.page), pages);
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
  const rows = opts.all ? await q.limit(100_000) : await q.limit(HISTORY_PAGE_SIZE).offset((page - 1) * HISTORY_PAGE_SIZE);
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

export const formatParis = (d: Date) =>
  new Intl.DateTimeFormat('fr-FR', {
    timeZone: 'Europe/Paris',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  })
    .format(d)
    .replace(' ', ' à ');

export function historyCsv(entries: readonly HistoryEntry[]): string {
  return formatCsv(
    ['date', 'administrateur', 'declarant', 'siret', 'declaration', 'declarer', 'payer'],
    entries.map((e) => [e.at.toISOString(), e.actor, e.person, e.siret, e.code, e.declarer ? '1' : '0', e.payer ? '1' : '0']),
  );
}

// ── bulk: export and import ─────────────────────────────────────────────────────────────────────

export async function exportCsv(tx: Tx, admin: User): Promise<string> {
  const scope = await loadScope(tx, admin);
  const sirets = scope.sirets.filter((s) => scope.declared.has(s.siret)).map((s) => s.siret);
  const triples = scope.persons.flatMap((p) =>
    sirets.flatMap((siret) => [...(scope.declared.get(siret) ?? [])].map((code) => ({ userId: p.id, siret, code }))),
  );
  const rights = await rightsOf(tx, triples);
  return exportHabilitations({
    sirets,
    persons: scope.persons.map((p) => ({ userId: p.id, nom: p.nom, prenom: p.prenom, email: p.email })),
    declared: scope.declared,
    rights,
    codes: scope.codes,
  });
}

export interface ImportResult {
  lines: number;
  changes: number;
}

/**
 * Imports a changed export: every line is checked first; one wrong line and nothing is applied.
 * One bulk request per scope (the company's own établissements, or one portefeuille) per 48 hours.
 */
export async function importCsv(ctx: AppContext, admin: User, text: string, ip?: string): Promise<ImportResult> {
  return ctx.db.transaction(async (tx) => {
    const scope = await loadScope(tx, admin);
    const persons = new Map<string, string>();
    for (const p of scope.persons) if (!persons.has(p.email.toLowerCase())) persons.set(p.email.toLowerCase(), p.id);
    const v = readImport(text, { sirets: new Set(scope.sirets.map((s) => s.siret)), persons, declared: scope.declared });
    if (!v.ok) throw new HabilitationError(400, 'Le fichier contient des erreurs : aucune habilitation n’a été modifiée.', v.report);
    // belt and braces: the scope query again, in one statement, for every SIRET of the file
    const allowed = await administeredAmong(tx, admin, [...new Set(v.rights.map((r) => r.siret))]);
    const outside = v.rights.find((r) => !allowed.has(r.siret));
    if (outside)
      throw new HabilitationError(400, 'Le fichier contient des erreurs : aucune habilitation n’a été modifiée.', [
        { line: outside.line, message: `Le SIRET ${outside.siret} n’est pas administré par vous.` },
      ]);

    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`habilitations:${admin.espaceId}`}))`);
    const now = ctx.clock.now();
    const current = await rightsOf(tx, v.rights);
    const touched = v.rights.filter((r) => {
      const before = current.get(rowKey(r.userId, r.siret, r.code)) ?? { declarer: false, payer: false };
      return (
        (r.declarer !== undefined && r.declarer !== before.declarer) ||
        (r.payer !== undefined && (findDeclaration(r.code)?.payable ?? false) && r.payer !== before.payer)
      );
    });
    if (touched.length === 0) return { lines: v.lines, changes: 0 };

    const portefeuilleOf = new Map(scope.sirets.map((s) => [s.siret, s.portefeuilleId]));
    const scopes = [...new Set(touched.map((r) => portefeuilleOf.get(r.siret) ?? null))];
    const since = new Date(now.getTime() - BULK_INTERVAL_HOURS * 3_600_000);
    for (const p of scopes) {
      const [last] = await tx
        .select({ at: bulkRequests.at })
        .from(bulkRequests)
        .where(
          and(
            eq(bulkRequests.espaceId, admin.espaceId),
            p === null ? isNull(bulkRequests.portefeuilleId) : eq(bulkRequests.portefeuilleId, p),
            gt(bulkRequests.at, since),
          ),
        )
        .orderBy(desc(bulkRequests.at))
        .limit(1);
      if (last) {
        const next = new Date(last.at.getTime() + BULK_INTERVAL_HOURS * 3_600_000);
        throw new HabilitationError(
          429,
          `Une demande de modification en masse a déjà été faite le ${formatParis(last.at)} pour ${p === null ? 'les établissements de votre entreprise' : 'ce portefeuille'} : une seule est possible par période de 48 heures. Prochaine demande possible le ${formatParis(next)}. Aucune habilitation n’a été modifiée.`,
        );
      }
    }
    const r = await writeRights(tx, ctx, admin, touched satisfies DesiredRight[], current);
    for (const p of scopes) {
      const lines = new Set(touched.filter((t) => (portefeuilleOf.get(t.siret) ?? null) === p).map((t) => t.line)).size;
      const changes = touched.filter((t) => (portefeuilleOf.get(t.siret) ?? null) === p).length;
      await tx.insert(bulkRequests).values({ espaceId: admin.espaceId, portefeuilleId: p, actorUserId: admin.id, at: now, lines, changes });
    }
    await audit(tx, ctx.clock, {
      action: 'habilitations.bulk_import',
      actorUserId: admin.id,
      espaceId: admin.espaceId,
      ip,
      details: { lines: v.lines, changes: r.changes, users: r.changedUsers.length },
    });
    await tellPeople(tx, ctx, r.changedUsers);
    return { lines: v.lines, changes: r.changes };
  });
}
