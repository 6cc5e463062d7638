/**
 * « Gérer les habilitations » (docs/regles.md#habilitations): what an administrator may manage (its
 * scope: the SIRETs it administers, the declarations subscribed there, the active persons of its
 * espace) and the grid service × SIRET × déclarant, one page at a time. Every query carries the
 * administrator's espace and the SIRETs it administers (scope.ts). Changes are in
 * habilitations-changes.ts (the grid) and habilitations-bulk.ts (CSV).
 */
import { and, eq, sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { DECLARATIONS, findDeclaration } from '../../domain/declarations.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import {
  espaces,
  etablissementDeclarations,
  etablissements,
  portefeuilleEtablissements,
  portefeuilles,
  users,
} from '../../infra/db/schema.js';
import { rightsOf, rowKey } from './habilitations-rights.js';
import { adminOnly, refusal, siretUnknown } from './habilitations-problems.js';
import { administersSiret, ownSirets, scopeSirets, type User } from './scope.js';
import { arrayParam } from '../../infra/db/sql.js';

export const PAGE_SIZE = 50;

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

/** A déclarant (or an inactive administrator) gets a 403. */
function checkAdministrator(admin: User): void {
  if (admin.role !== 'administrateur' || admin.status !== 'active') throw adminOnly();
}

async function personsOf(tx: Tx, admin: User): Promise<Person[]> {
  return tx
    .select({ id: users.id, nom: users.nom, prenom: users.prenom, email: users.email, role: users.role })
    .from(users)
    .where(and(eq(users.espaceId, admin.espaceId), eq(users.status, 'active')))
    .orderBy(users.nom, users.prenom, users.id);
}

/** The administered SIRETs: the company's own, then its portefeuilles' clients' (each once). */
async function administeredSirets(tx: Tx, admin: User): Promise<AdministeredSiret[]> {
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
  for (const c of clients)
    if (!seen.has(c.siret)) {
      seen.add(c.siret);
      sirets.push(c);
    }
  return sirets;
}

/**
 * The declarations subscribed per SIRET: only this espace's subscriptions (another espace may declare
 * on the same SIRET), on the SIRETs of the scope given as a subquery (not one parameter per SIRET).
 */
async function declaredOn(tx: Tx, admin: User): Promise<Map<string, Set<string>>> {
  const rows = await tx
    .select({ siret: etablissementDeclarations.siret, code: etablissementDeclarations.declarationCode })
    .from(etablissementDeclarations)
    .where(
      and(
        eq(etablissementDeclarations.espaceId, admin.espaceId),
        sql`${etablissementDeclarations.siret} in (${scopeSirets(admin.espaceId)})`,
      ),
    );
  const declared = new Map<string, Set<string>>();
  for (const r of rows) {
    if (!findDeclaration(r.code)) continue;
    const set = declared.get(r.siret) ?? new Set<string>();
    set.add(r.code);
    declared.set(r.siret, set);
  }
  return declared;
}

/** What an administrator may manage. */
export async function loadScope(tx: Tx, admin: User): Promise<Scope> {
  checkAdministrator(admin);
  const sirets = await administeredSirets(tx, admin);
  const declared = sirets.length ? await declaredOn(tx, admin) : new Map<string, Set<string>>();
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

/** Checks the criteria against the scope: a value outside it is a 404 (never someone else's data). */
export function checkCriteria(scope: Scope, c: Criteria): void {
  if (c.siret && !scope.sirets.some((s) => s.siret === c.siret)) throw siretUnknown();
  checkPersonAndService(scope, c);
}

function checkPersonAndService(scope: Pick<Scope, 'persons' | 'codes'>, c: Criteria): void {
  if (c.declarant && !scope.persons.some((p) => p.id === c.declarant))
    throw refusal('not_found', 'declarant_inconnu', 'Ce déclarant est inconnu dans votre espace.');
  if (c.service && !scope.codes.includes(c.service))
    throw refusal('not_found', 'service_non_souscrit', 'Ce service n’est souscrit sur aucun de vos établissements.');
}

type Pair = { code: string; siret: string };

/** The rows of one page: row i is pair ⌊i / P⌋ × person i mod P (P persons), rows `first`…`end`. */
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

/** Where page `wanted` of `total` rows lies: its number (within bounds) and its rows `first`…`end`. */
function placeOf(total: number, wanted: number) {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(Math.max(1, wanted), pages);
  const first = (page - 1) * PAGE_SIZE;
  return { page, pages, first, end: Math.min(total, first + PAGE_SIZE) };
}

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
  const { page, pages, first, end } = placeOf(total, c.page);
  return { rows: await withRights(tx, pageRows(pairs, 0, persons, first, end)), total, page, pages };
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
  checkAdministrator(admin);
  const known = DECLARATIONS.map((d) => d.code);
  const used = await selectRows<{ code: string; n: number | string }>(
    tx,
    sql`select ed.declaration_code as code, count(*)::int as n from ${etablissementDeclarations} ed
      where ed.espace_id = ${admin.espaceId} and ed.declaration_code = any(${arrayParam(known)}::text[]) and ed.siret in (${scopeSirets(admin.espaceId)})
      group by ed.declaration_code`,
  );
  const pairsPerCode = new Map(used.map((r) => [r.code, Number(r.n)]));
  return { admin, persons: await personsOf(tx, admin), codes: known.filter((c) => pairsPerCode.has(c)), pairsPerCode };
}

/** Checks the criteria (the SIRET against the scope, in the database) and loads one page of the grid. */
export async function loadGridPage(tx: Tx, ps: PageScope, c: Criteria): Promise<Grid> {
  if (c.siret && !(await administersSiret(tx, ps.admin, c.siret))) throw siretUnknown();
  checkPersonAndService(ps, c);
  const persons = ps.persons.filter((p) => !c.declarant || p.id === c.declarant);
  const codes = ps.codes.filter((code) => !c.service || code === c.service);
  const P = persons.length;
  if (!P || !codes.length) return { rows: [], total: 0, page: 1, pages: 1 };
  if (c.siret) {
    // one SIRET (already checked): its services, in catalogue order
    const pairs = await pairsOfSiret(tx, ps.admin.espaceId, c.siret, codes);
    const { page, pages, first, end } = placeOf(pairs.length * P, c.page);
    const rows = end > first ? await withRights(tx, pageRows(pairs, 0, persons, first, end)) : [];
    return { rows, total: pairs.length * P, page, pages };
  }
  const total = codes.reduce((n, code) => n + (ps.pairsPerCode.get(code) ?? 0), 0) * P;
  const { page, pages, first, end } = placeOf(total, c.page);
  if (end <= first) return { rows: [], total, page, pages };
  const firstPair = Math.floor(first / P);
  const pairs = await pairsOfPage(tx, ps, codes, firstPair, Math.floor((end - 1) / P));
  return { rows: await withRights(tx, pageRows(pairs, firstPair, persons, first, end)), total, page, pages };
}

/** The services of one SIRET among `codes`, in catalogue order. */
async function pairsOfSiret(tx: Tx, espaceId: string, siret: string, codes: readonly string[]): Promise<Pair[]> {
  const rows = await selectRows<{ code: string }>(
    tx,
    sql`select ed.declaration_code as code from ${etablissementDeclarations} ed where ed.espace_id = ${espaceId} and ed.siret = ${siret} and ed.declaration_code = any(${arrayParam(codes)}::text[])`,
  );
  const have = new Set(rows.map((r) => r.code));
  return codes.filter((code) => have.has(code)).map((code) => ({ code, siret }));
}

/**
 * The (service, SIRET) pairs `firstPair`…`lastPair`, service by service (counts known): the company's
 * own établissements, then the clients', by SIRET.
 */
async function pairsOfPage(tx: Tx, ps: PageScope, codes: readonly string[], firstPair: number, lastPair: number): Promise<Pair[]> {
  const E = ps.admin.espaceId;
  const pairs: Pair[] = [];
  let start = 0;
  for (const code of codes) {
    const n = ps.pairsPerCode.get(code) ?? 0;
    const from = Math.max(firstPair, start);
    const to = Math.min(lastPair, start + n - 1);
    if (from <= to)
      pairs.push(
        ...(await selectRows<Pair>(
          tx,
          sql`select ed.declaration_code as code, ed.siret from ${etablissementDeclarations} ed
                where ed.espace_id = ${E} and ed.declaration_code = ${code} and ed.siret in (${scopeSirets(E)})
                order by (ed.siret in (${ownSirets(E)})) desc, ed.siret limit ${to - from + 1} offset ${from - start}`,
        )),
      );
    start += n;
    if (start > lastPair) break;
  }
  return pairs;
}

/** What the page needs, in one transaction: the persons and services of the criteria form, and the page of the grid when searched. */
export async function gridView(ctx: AppContext, admin: User, c: Criteria, searched: boolean): Promise<{ scope: PageScope; grid?: Grid }> {
  return ctx.db.transaction(async (tx) => {
    const scope = await loadPageScope(tx, admin);
    return { scope, grid: searched ? await loadGridPage(tx, scope, c) : undefined };
  });
}
