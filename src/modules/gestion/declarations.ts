/**
 * « Gérer les déclarations » (guide « Mono établissement », « Multi établissements »; docs/regles.md#calendrier):
 * the declarations an administrator chooses for each établissement it administers. Adding one opens
 * it after the access delay (ACCESS_DELAY_HOURS) and habilitates the administrator who added it;
 * removing one drops the habilitations of the espace's people on it for that SIRET.
 * Every query carries the administrator's espace; the SIRET is checked with `administersSiret`.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { accessibleAt, DECLARATIONS, findDeclaration, type Declaration } from '../../domain/declarations.js';
import { auditBy } from '../../infra/audit.js';
import type { Tx } from '../../infra/db/index.js';
import { entreprises, espaces, etablissementDeclarations, habilitationHistory, habilitations, users } from '../../infra/db/schema.js';
import {
  findEtablissement,
  listEtablissementsOfSiren,
  type EtablissementView,
  type EtablissementWithEntreprise,
} from '../entreprises/registry-repository.js';
import { notify } from '../notifications/notify.js';
import { formatDateTime } from '../../shared/format.js';
import { failure, problem, ProblemError, type Outcome } from '../../shared/problem.js';
import { withdrawRights } from './habilitations-rights.js';
import { inTransaction } from './outcome.js';
import { administersSiret, type User } from './scope.js';

export interface SelectedDeclaration {
  code: string;
  addedAt: Date;
  accessibleAt: Date;
}

export interface EtablissementDeclarations {
  etablissement: EtablissementWithEntreprise;
  selected: SelectedDeclaration[];
  /** true when the administrator's company has one active établissement (guide « Mono établissement ») */
  mono: boolean;
}

export interface CompanyEtablissements {
  siren: string;
  raisonSociale: string;
  etablissements: (EtablissementView & { declarations: number })[];
  /** the single active SIRET of a mono-établissement company, else null */
  monoSiret: string | null;
}

const SIRET_RE = /^\d{14}$/;

/** The établissements of the administrator's own company (active and closed), with their declarations count. */
export async function companyEtablissements(ctx: AppContext, admin: User): Promise<CompanyEtablissements> {
  const [row] = await ctx.db
    .select({ siren: espaces.siren, raisonSociale: entreprises.raisonSociale })
    .from(espaces)
    .innerJoin(entreprises, eq(entreprises.siren, espaces.siren))
    .where(eq(espaces.id, admin.espaceId));
  if (!row) throw new Error(`espace ${admin.espaceId} introuvable`);
  const list = await listEtablissementsOfSiren(ctx.db, row.siren, { includeClosed: true });
  const counts = await ctx.db
    .select({ siret: etablissementDeclarations.siret, n: sql<number>`count(*)`.mapWith(Number) })
    .from(etablissementDeclarations)
    .where(eq(etablissementDeclarations.espaceId, admin.espaceId))
    .groupBy(etablissementDeclarations.siret);
  const bySiret = new Map(counts.map((c) => [c.siret, c.n]));
  const active = list.filter((e) => e.etatAdministratif === 'A');
  return {
    siren: row.siren,
    raisonSociale: row.raisonSociale,
    etablissements: list.map((e) => ({ ...e, declarations: bySiret.get(e.siret) ?? 0 })),
    monoSiret: active.length === 1 ? active[0]!.siret : null,
  };
}

/** The declarations chosen for `siret` in the administrator's espace; null when it does not administer it. */
export async function declarationsOfSiret(ctx: AppContext, admin: User, siret: string): Promise<EtablissementDeclarations | null> {
  if (!SIRET_RE.test(siret)) return null;
  if (!(await administersSiret(ctx.db, admin, siret))) return null;
  const etablissement = await findEtablissement(ctx.db, siret);
  if (!etablissement) return null;
  const selected = await ctx.db
    .select({
      code: etablissementDeclarations.declarationCode,
      addedAt: etablissementDeclarations.addedAt,
      accessibleAt: etablissementDeclarations.accessibleAt,
    })
    .from(etablissementDeclarations)
    .where(and(eq(etablissementDeclarations.espaceId, admin.espaceId), eq(etablissementDeclarations.siret, siret)));
  const [own] = await ctx.db.select({ siren: espaces.siren }).from(espaces).where(eq(espaces.id, admin.espaceId));
  const mono =
    own?.siren === etablissement.siren &&
    (await listEtablissementsOfSiren(ctx.db, etablissement.siren, { includeClosed: false })).length === 1;
  return { etablissement, selected: sortByCatalogue(selected), mono };
}

/** Checks a list of codes against the catalogue: the known declarations (deduplicated), or the French message. */
export function checkCodes(codes: readonly string[]): Outcome<{ declarations: Declaration[] }> {
  const out: Declaration[] = [];
  for (const code of new Set(codes)) {
    const d = findDeclaration(code);
    if (!d) {
      const shown = code.length > 40 ? `${code.slice(0, 40)}…` : code;
      return shown.trim()
        ? failure('invalid', 'declaration_inconnue', `La déclaration « ${shown} » n’existe pas. Aucune modification n’a été enregistrée.`)
        : failure('invalid', 'declaration_vide', 'Une déclaration vide a été envoyée. Aucune modification n’a été enregistrée.');
    }
    out.push(d);
  }
  return { ok: true, declarations: sortByCatalogue(out) };
}

const catalogueOrder = new Map(DECLARATIONS.map((d, i) => [d.code, i]));
export function sortByCatalogue<T extends { code: string }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => (catalogueOrder.get(a.code) ?? 999) - (catalogueOrder.get(b.code) ?? 999));
}

/** « le 05/05/2026 à 10:00 » (Paris time) */
export const openingText = (d: Date) => `le ${formatDateTime(d)}`;

export interface ChangeResult {
  added: string[];
  removed: string[];
  accessibleAt: Date | null;
}

export const ETABLISSEMENT_NOT_FOUND = problem('not_found', 'etablissement_introuvable', 'Établissement introuvable.');
const CLOSED = problem(
  'invalid',
  'etablissement_ferme',
  'Cet établissement est fermé dans le répertoire SIRENE : aucune déclaration ne peut lui être ajoutée. Aucune modification n’a été enregistrée.',
);

/**
 * Sets the declarations of `siret` to exactly `codes` (the full selected list): adds the missing
 * ones, removes the others with their habilitations, in one transaction. Replaying the same list
 * changes nothing (idempotent). A refusal applies nothing.
 */
export async function changeDeclarations(
  ctx: AppContext,
  admin: User,
  siret: string,
  codes: readonly string[],
  meta: { ip?: string } = {},
): Promise<Outcome<ChangeResult>> {
  const checked = checkCodes(codes);
  if (!checked.ok) return checked;
  if (!SIRET_RE.test(siret)) return { ok: false, problem: ETABLISSEMENT_NOT_FOUND };
  const wanted = new Set(checked.declarations.map((d) => d.code));
  return inTransaction(ctx, async (tx) => {
    const etab = (await administersSiret(tx, admin, siret)) ? await findEtablissement(tx, siret) : null;
    if (!etab) throw new ProblemError(ETABLISSEMENT_NOT_FOUND);
    // One change of an espace's declarations at a time: a double submission waits, then finds nothing to do.
    await tx.select({ id: espaces.id }).from(espaces).where(eq(espaces.id, admin.espaceId)).for('update');
    const { added, removed } = await difference(tx, admin, siret, wanted);
    if (added.length === 0 && removed.length === 0) return { ok: true, added, removed, accessibleAt: null };
    if (added.length > 0 && etab.etatAdministratif !== 'A') throw new ProblemError(CLOSED);
    const now = ctx.clock.now();
    const opensAt = accessibleAt(now, ctx.config.ACCESS_DELAY_HOURS);
    if (added.length > 0) await addDeclarations(tx, admin, siret, added, now, opensAt);
    if (removed.length > 0) await removeDeclarations(tx, admin, siret, removed, now);
    await auditBy(tx, ctx.clock, admin, meta.ip, 'declarations.changed', {
      details: { siret, added, removed, accessibleAt: added.length ? opensAt.toISOString() : null },
    });
    await notifyAdministrators(tx, ctx, admin.espaceId, siret, added, removed, opensAt);
    return { ok: true, added, removed, accessibleAt: added.length ? opensAt : null };
  });
}

/** The codes to add (wanted, not there) and to remove (there, not wanted, in catalogue order). */
async function difference(tx: Tx, admin: User, siret: string, wanted: ReadonlySet<string>) {
  const current = await tx
    .select({ code: etablissementDeclarations.declarationCode })
    .from(etablissementDeclarations)
    .where(and(eq(etablissementDeclarations.espaceId, admin.espaceId), eq(etablissementDeclarations.siret, siret)));
  const have = new Set(current.map((r) => r.code));
  const added = [...wanted].filter((c) => !have.has(c));
  const removed = sortByCatalogue([...have].map((code) => ({ code })))
    .map((r) => r.code)
    .filter((c) => !wanted.has(c));
  return { added, removed };
}

/** The added declarations open at `opensAt`; the administrator who added them is habilitated on them. */
async function addDeclarations(tx: Tx, admin: User, siret: string, added: readonly string[], now: Date, opensAt: Date) {
  await tx
    .insert(etablissementDeclarations)
    .values(
      added.map((code) => ({
        espaceId: admin.espaceId,
        siret,
        declarationCode: code,
        addedAt: now,
        accessibleAt: opensAt,
        addedBy: admin.id,
      })),
    )
    .onConflictDoNothing();
  for (const code of added) {
    const payer = findDeclaration(code)!.payable;
    await tx
      .insert(habilitations)
      .values({ userId: admin.id, siret, declarationCode: code, declarer: true, payer, grantedAt: now, grantedBy: admin.id })
      .onConflictDoUpdate({
        target: [habilitations.userId, habilitations.siret, habilitations.declarationCode],
        set: { declarer: true, payer, grantedAt: now, grantedBy: admin.id },
      });
    await tx.insert(habilitationHistory).values({
      at: now,
      espaceId: admin.espaceId,
      actorUserId: admin.id,
      userId: admin.id,
      siret,
      declarationCode: code,
      declarer: true,
      payer,
    });
  }
}

/** The removed declarations go, with the habilitations of the espace's people on them (recorded as withdrawn). */
async function removeDeclarations(tx: Tx, admin: User, siret: string, removed: string[], now: Date) {
  await withdrawRights(
    tx,
    admin,
    now,
    and(
      eq(habilitations.siret, siret),
      inArray(habilitations.declarationCode, removed),
      inArray(habilitations.userId, tx.select({ id: users.id }).from(users).where(eq(users.espaceId, admin.espaceId))),
    ),
  );
  await tx
    .delete(etablissementDeclarations)
    .where(
      and(
        eq(etablissementDeclarations.espaceId, admin.espaceId),
        eq(etablissementDeclarations.siret, siret),
        inArray(etablissementDeclarations.declarationCode, removed),
      ),
    );
}

async function notifyAdministrators(
  tx: Tx,
  ctx: AppContext,
  espaceId: string,
  siret: string,
  added: string[],
  removed: string[],
  opensAt: Date,
) {
  const admins = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.espaceId, espaceId), eq(users.role, 'administrateur'), eq(users.status, 'active')));
  const ids = admins.map((a) => a.id);
  for (const code of added)
    await notify(
      tx,
      ctx,
      ids,
      `La déclaration ${findDeclaration(code)!.name} sera accessible ${openingText(opensAt)} pour l’établissement ${siret}.`,
    );
  for (const code of removed)
    await notify(tx, ctx, ids, `La déclaration ${findDeclaration(code)?.name ?? code} a été retirée de l’établissement ${siret}.`);
}
