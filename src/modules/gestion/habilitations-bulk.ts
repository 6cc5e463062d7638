/**
 * « Modification en masse » of « Gérer les habilitations » (docs/regles.md#habilitations): export the
 * current rights as CSV, change the 1 and 0 in a spreadsheet, import the file back. Every line is
 * checked first; one wrong line and nothing is applied. One bulk request per scope (the company's own
 * établissements, or one portefeuille) per 48 hours.
 */
import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { findDeclaration } from '../../domain/declarations.js';
import { auditBy } from '../../infra/audit.js';
import type { Tx } from '../../infra/db/index.js';
import { bulkRequests } from '../../infra/db/schema.js';
import { formatDateTime } from '../../shared/format.js';
import type { Outcome } from '../../shared/problem.js';
import { lockHabilitations, rightsOf, rowKey, tellPeople, writeRights, type Rights } from './habilitations-rights.js';
import { loadScope, type Scope } from './habilitations.js';
import { exportHabilitations, readImport, type DesiredRight } from './habilitations-csv.js';
import { refusal } from './habilitations-problems.js';
import { inTransaction } from './outcome.js';
import { administeredAmong, type User } from './scope.js';

export const BULK_INTERVAL_HOURS = 48;

/** The current rights of every active person × administered SIRET, as the CSV to change. */
export async function exportCsv(ctx: AppContext, admin: User): Promise<string> {
  return ctx.db.transaction((tx) => exportIn(tx, admin));
}

async function exportIn(tx: Tx, admin: User): Promise<string> {
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

const FILE_REFUSED = 'Le fichier contient des erreurs : aucune habilitation n’a été modifiée.';

/** Imports a changed export: every line is checked first; one wrong line and nothing is applied. */
export async function importCsv(ctx: AppContext, admin: User, text: string, ip?: string): Promise<Outcome<ImportResult>> {
  return inTransaction(ctx, async (tx) => {
    const scope = await loadScope(tx, admin);
    const v = await checkFile(tx, admin, scope, text);
    await lockHabilitations(tx, admin.espaceId);
    const now = ctx.clock.now();
    const current = await rightsOf(tx, v.rights);
    const touched = v.rights.filter((r) => changes(r, current));
    if (touched.length === 0) return { ok: true, lines: v.lines, changes: 0 };
    const portefeuilleOf = new Map(scope.sirets.map((s) => [s.siret, s.portefeuilleId]));
    const scopeOf = (r: DesiredRight) => portefeuilleOf.get(r.siret) ?? null;
    const scopes = [...new Set(touched.map(scopeOf))];
    for (const p of scopes) await checkInterval(tx, now, admin, p);
    const r = await writeRights(tx, ctx, admin, touched, current);
    for (const p of scopes)
      await recordBulkRequest(
        tx,
        now,
        admin,
        p,
        touched.filter((t) => scopeOf(t) === p),
      );
    await auditBy(tx, ctx.clock, admin, ip, 'habilitations.bulk_import', {
      details: { lines: v.lines, changes: r.changes, users: r.changedUsers.length },
    });
    await tellPeople(tx, ctx, r.changedUsers);
    return { ok: true, lines: v.lines, changes: r.changes };
  });
}

/** The file read and checked against the scope (the report of every wrong line is thrown). */
async function checkFile(tx: Tx, admin: User, scope: Scope, text: string) {
  const persons = new Map<string, string>();
  for (const p of scope.persons) if (!persons.has(p.email.toLowerCase())) persons.set(p.email.toLowerCase(), p.id);
  const v = readImport(text, { sirets: new Set(scope.sirets.map((s) => s.siret)), persons, declared: scope.declared });
  if (!v.ok) throw refusal('invalid', 'fichier_incorrect', FILE_REFUSED, v.report);
  // belt and braces: the scope query again, in one statement, for every SIRET of the file
  const allowed = await administeredAmong(tx, admin, [...new Set(v.rights.map((r) => r.siret))]);
  const outside = v.rights.find((r) => !allowed.has(r.siret));
  if (outside)
    throw refusal('invalid', 'fichier_incorrect', FILE_REFUSED, [
      { line: outside.line, message: `Le SIRET ${outside.siret} n’est pas administré par vous.` },
    ]);
  return v;
}

/** Does the line change a right (a column left out keeps the right as it is; « Payer » only where it exists)? */
function changes(r: DesiredRight, current: ReadonlyMap<string, Rights>): boolean {
  const before = current.get(rowKey(r.userId, r.siret, r.code)) ?? { declarer: false, payer: false };
  return (
    (r.declarer !== undefined && r.declarer !== before.declarer) ||
    (r.payer !== undefined && (findDeclaration(r.code)?.payable ?? false) && r.payer !== before.payer)
  );
}

/** One bulk request per scope (null: the company's own établissements) per 48 hours; else a 429 with the next allowed time. */
async function checkInterval(tx: Tx, now: Date, admin: User, portefeuilleId: string | null) {
  const since = new Date(now.getTime() - BULK_INTERVAL_HOURS * 3_600_000);
  const [last] = await tx
    .select({ at: bulkRequests.at })
    .from(bulkRequests)
    .where(
      and(
        eq(bulkRequests.espaceId, admin.espaceId),
        portefeuilleId === null ? isNull(bulkRequests.portefeuilleId) : eq(bulkRequests.portefeuilleId, portefeuilleId),
        gt(bulkRequests.at, since),
      ),
    )
    .orderBy(desc(bulkRequests.at))
    .limit(1);
  if (!last) return;
  const next = new Date(last.at.getTime() + BULK_INTERVAL_HOURS * 3_600_000);
  const what = portefeuilleId === null ? 'les établissements de votre entreprise' : 'ce portefeuille';
  throw refusal(
    'too_many_requests',
    'demande_en_masse_trop_rapprochee',
    `Une demande de modification en masse a déjà été faite le ${formatDateTime(last.at)} pour ${what} : une seule est possible par période de 48 heures. Prochaine demande possible le ${formatDateTime(next)}. Aucune habilitation n’a été modifiée.`,
  );
}

async function recordBulkRequest(tx: Tx, now: Date, admin: User, portefeuilleId: string | null, touched: readonly DesiredRight[]) {
  await tx.insert(bulkRequests).values({
    espaceId: admin.espaceId,
    portefeuilleId,
    actorUserId: admin.id,
    at: now,
    lines: new Set(touched.map((t) => t.line)).size,
    changes: touched.length,
  });
}
