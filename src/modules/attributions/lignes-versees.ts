/**
 * What payments fix in an employer's choices (ADR 0007, docs/regles.md#fonds-non-versables): a line
 * something was paid on (a transfer of an issued wave the bank did not return) can no longer be changed
 * nor removed — « nothing changes once a period's allocations have been paid »; a line a wave names
 * otherwise (a wave in progress, a share that could not be paid) can no longer be removed, its payment
 * history hangs on it — an unpayable share is given to another establishment with « Redésigner »
 * (redesignation.ts). Checked by `changeChoices` (choix.ts) inside its transaction, only when the change
 * touches existing lines: adding or validating lines costs no statement.
 */
import { sql } from 'drizzle-orm';
import { checkPaid } from '../../domain/attribution-rules.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import { refusal, type ChangeError, type ChangeFailure, type DesiredLine, type LineRow } from './apply-change.js';
import { targetMapKey } from './targets.js';

/** Pure: the current lines `lines` removes or whose share it changes. */
export function touchedLines(current: readonly LineRow[], lines: readonly DesiredLine[]): { removed: number[]; changed: number[] } {
  const want = new Map(lines.map((l) => [targetMapKey(l.etablissementId, l.formationId), l]));
  const removed: number[] = [];
  const changed: number[] = [];
  for (const c of current) {
    const d = want.get(targetMapKey(c.etablissementId, c.formationId));
    if (!d) removed.push(c.id);
    else if (d.bp !== c.pointsBase) changed.push(c.id);
  }
  return { removed, changed };
}

/** The refusal when the change removes or changes a line payments hold (domain/attribution-rules.ts `checkPaid`), else null. */
export async function paidLinesRefusal(tx: Tx, current: readonly LineRow[], lines: readonly DesiredLine[]): Promise<ChangeFailure | null> {
  const { removed, changed } = touchedLines(current, lines);
  if (removed.length + changed.length === 0) return null;
  const rows = await selectRows<{ id: string; nom: string | null; verse: boolean; vague: number | null }>(
    tx,
    sql`select a.id::text, e.nom,
               exists (select 1 from lignes_versees lv join vagues_versement w on w.id = lv.vague_id and w.statut = 'emise'
                         join virements v on v.id = lv.virement_id and v.statut <> 'rejete' where lv.attribution_id = a.id) as verse,
               (select min(w.numero) from vagues_versement w
                 where w.statut <> 'annulee'
                   and (exists (select 1 from lignes_versees lv where lv.vague_id = w.id and lv.attribution_id = a.id)
                        or exists (select 1 from non_versables nv where nv.vague_id = w.id and nv.attribution_id = a.id))) as vague
          from attributions a left join ref_etablissements e on e.id = a.etablissement_id
         where a.id in (select jsonb_array_elements_text(${JSON.stringify([...removed, ...changed].map(String))}::jsonb)::bigint)
         order by a.id`,
  );
  const byId = new Map(current.map((c) => [c.id, c]));
  const target = (id: number, nom: string | null) => {
    const c = byId.get(id)!;
    return { etablissementId: c.etablissementId, formationId: c.formationId, ...(nom ? { libelle: nom } : {}) };
  };
  const paid = rows.filter((r) => r.verse).map((r) => ({ target: target(Number(r.id), r.nom), bp: byId.get(Number(r.id))!.pointsBase }));
  const proposed = lines.map((l) => ({
    target: { etablissementId: l.etablissementId, formationId: l.formationId },
    bp: l.bp,
    national: false,
  }));
  const errors: ChangeError[] = checkPaid(proposed, paid).map((e) => ({ code: e.code, message: e.message, reference: e.reference }));
  const gone = new Set(removed);
  for (const r of rows.filter((x) => !x.verse && x.vague !== null && gone.has(Number(x.id))))
    errors.push({
      code: 'ligne_en_versement',
      message: `L’attribution à « ${r.nom ?? 'cet établissement'} » figure dans la vague de versement n° ${r.vague} : elle ne peut plus être supprimée. Si elle n’a pas pu être versée, attribuez-la à un autre établissement avec « Redésigner ».`,
    });
  return errors.length ? refusal('conflict', errors) : null;
}
