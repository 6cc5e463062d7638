/**
 * The declarations of a tiers-déclarant's portefeuille (« Gérer les déclarations du portefeuille »,
 * docs/regles.md#tiers-declarants): an added one goes to every chosen établissement of its client
 * companies (open after the access delay, docs/regles.md#calendrier), a removed one leaves them with
 * the habilitations of the tiers' people on them (recorded as withdrawn). The client companies' files
 * use the same two steps.
 */
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { accessibleAt, findDeclaration } from '../../domain/declarations.js';
import { auditBy } from '../../infra/audit.js';
import type { Tx } from '../../infra/db/index.js';
import { habilitations, portefeuilleDeclarations, users } from '../../infra/db/schema.js';
import { withdrawRights } from './habilitations-rights.js';
import { declarationsOfPortefeuille, lockedPortefeuille, refusal, type Meta } from './portefeuilles-repository.js';
import type { User } from './scope.js';
import { sqlList, sqlValues } from '../../infra/db/sql.js';

/**
 * Removes declarations `codes` from établissements `sirets` of the tiers' espace, with the habilitations
 * its people held on them (recorded in habilitation_history as withdrawn).
 */
export async function withdrawDeclarations(tx: Tx, ctx: AppContext, admin: User, sirets: SQL, codes: readonly string[] | null) {
  if (codes && codes.length === 0) return;
  const peopleOfEspace = tx.select({ id: users.id }).from(users).where(eq(users.espaceId, admin.espaceId));
  await withdrawRights(
    tx,
    admin,
    ctx.clock.now(),
    and(
      inArray(habilitations.userId, peopleOfEspace),
      sql`${habilitations.siret} in (${sirets})`,
      codes ? inArray(habilitations.declarationCode, [...codes]) : undefined,
    ),
  );
  await tx.execute(
    sql`delete from etablissement_declarations where espace_id = ${admin.espaceId} and siret in (${sirets}) ${codes ? sql`and declaration_code in (${sqlList(codes)})` : sql``}`,
  );
}

/** Adds declarations `codes` to établissements `sirets` for the tiers' espace (open after the access delay). */
export async function grantDeclarations(tx: Tx, ctx: AppContext, admin: User, sirets: SQL, codes: readonly string[]) {
  if (codes.length === 0) return;
  const now = ctx.clock.now();
  const open = accessibleAt(now, ctx.config.ACCESS_DELAY_HOURS);
  await tx.execute(sql`
    insert into etablissement_declarations (espace_id, siret, declaration_code, added_at, accessible_at, added_by)
    select ${admin.espaceId}::uuid, s.siret, d.code, ${now}::timestamptz, ${open}::timestamptz, ${admin.id}::uuid
    from (${sirets}) s(siret) cross join (${sqlValues(codes)}) d(code)
    on conflict do nothing`);
}

export const siretsOfPortefeuille = (portefeuilleId: string) =>
  sql`select pe.siret from portefeuille_etablissements pe where pe.portefeuille_id = ${portefeuilleId}`;
export const siretsOfClient = (portefeuilleId: string, siren: string) =>
  sql`select pe.siret from portefeuille_etablissements pe where pe.portefeuille_id = ${portefeuilleId} and pe.siren = ${siren}`;

/** « Gérer les déclarations du portefeuille »: added ones go to every chosen client établissement, removed ones leave them. */
export async function setPortefeuilleDeclarations(ctx: AppContext, admin: User, id: string, codes: string[], meta: Meta = {}) {
  const wanted = new Set(codes);
  for (const c of wanted)
    if (!findDeclaration(c))
      throw refusal('invalid', 'declaration_inconnue', 'Une des déclarations choisies est inconnue.', 'declarations');
  return ctx.db.transaction(async (tx) => {
    const p = await lockedPortefeuille(tx, admin.espaceId, id);
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
      await auditBy(tx, ctx.clock, admin, meta.ip, 'portefeuille.declarations_changed', {
        details: { portefeuilleId: p.id, added, removed },
      });
    return { added, removed };
  });
}
