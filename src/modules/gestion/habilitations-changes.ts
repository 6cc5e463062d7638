/**
 * « Valider » a page of the grid of « Gérer les habilitations »: every row shown gets exactly the boxes
 * checked, after checking that each row is a person of the espace × an administered SIRET × a
 * declaration subscribed there. Each change is written to the history in the same transaction, with
 * an audit event and a notification to the persons whose rights changed.
 */
import type { AppContext } from '../../app-context.js';
import { findDeclaration } from '../../domain/declarations.js';
import { auditBy } from '../../infra/audit.js';
import type { Outcome } from '../../shared/problem.js';
import { parseRowKey, tellPeople, writeRights, type Wanted } from './habilitations-rights.js';
import { loadScope, type Scope } from './habilitations.js';
import { refusal } from './habilitations-problems.js';
import { inTransaction } from './outcome.js';
import type { User } from './scope.js';

export interface GridSubmission {
  rows: string[];
  declarer: string[];
  payer: string[];
}

/** Applies one submitted page of the grid. */
export async function applyGrid(ctx: AppContext, admin: User, sub: GridSubmission, ip?: string): Promise<Outcome<{ changes: number }>> {
  return inTransaction(ctx, async (tx) => {
    const scope = await loadScope(tx, admin);
    const wanted = checkSubmission(scope, sub);
    const r = await writeRights(tx, ctx, admin, wanted);
    if (r.changes > 0) {
      await auditBy(tx, ctx.clock, admin, ip, 'habilitations.changed', {
        details: { changes: r.changes, users: r.changedUsers.length, sirets: [...r.changedSirets] },
      });
      await tellPeople(tx, ctx, r.changedUsers);
    }
    return { ok: true, changes: r.changes };
  });
}

const invalid = (code: string, message: string) => refusal('invalid', code, message);

/** Every row must be a person of the espace × an administered SIRET × a declaration subscribed there. */
export function checkSubmission(scope: Scope, sub: GridSubmission): Wanted[] {
  const persons = new Set(scope.persons.map((p) => p.id));
  const rows = new Set<string>();
  const wanted: Wanted[] = [];
  const declarer = new Set(sub.declarer);
  const payer = new Set(sub.payer);
  if (sub.rows.length === 0) throw invalid('grille_vide', 'Aucune ligne à enregistrer : lancez d’abord une recherche.');
  for (const key of sub.rows) {
    const k = parseRowKey(key);
    if (!k || !persons.has(k.userId) || !scope.declared.get(k.siret)?.has(k.code))
      throw invalid(
        'ligne_non_modifiable',
        'La grille envoyée contient une ligne que vous ne pouvez pas modifier (déclarant, SIRET ou service inconnu). Rien n’a été enregistré.',
      );
    if (rows.has(key)) continue;
    rows.add(key);
    const payable = findDeclaration(k.code)!.payable;
    if (payer.has(key) && !payable)
      throw invalid('payer_sans_objet', `Le droit « Payer » n’existe pas pour ${findDeclaration(k.code)!.name}. Rien n’a été enregistré.`);
    wanted.push({ ...k, declarer: declarer.has(key), payer: payable ? payer.has(key) : false });
  }
  for (const key of [...declarer, ...payer])
    if (!rows.has(key))
      throw invalid('case_hors_grille', 'Une case cochée ne correspond à aucune ligne de la grille. Rien n’a été enregistré.');
  return wanted;
}

/**
 * « Tout (dé)cocher » without JavaScript: the boxes of the page once the column is toggled (all
 * checked, or none when all were), after the same checks as « Valider ». Nothing is saved.
 */
export async function toggleColumn(
  ctx: AppContext,
  admin: User,
  sub: GridSubmission,
  column: 'declarer' | 'payer',
): Promise<{ declarer: Set<string>; payer: Set<string> }> {
  checkSubmission(await loadScope(ctx.db, admin), sub);
  const checked = new Set(column === 'declarer' ? sub.declarer : sub.payer);
  const toggled = new Set(sub.rows.every((k) => checked.has(k)) ? [] : sub.rows);
  return column === 'declarer' ? { declarer: toggled, payer: new Set(sub.payer) } : { declarer: new Set(sub.declarer), payer: toggled };
}
