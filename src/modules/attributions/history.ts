/**
 * Across campaigns: the years an employer SIRET has something to show (« Historique »), and last
 * campaign's choices mapped onto this campaign's referential (« Répliquer les fléchages »).
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { selectRows, type Db, type Tx } from '../../infra/db/index.js';
import { attributions } from '../../infra/db/schema.js';
import type { TargetShare } from './apply-change.js';
import { mapTargetsToYear, targetMapKey } from './targets.js';

type Q = Db | Tx;

/** The campaigns (≤ `upTo`, newest first) in which `siret` had an envelope or allocations. */
export async function historyYears(db: Q, siret: string, upTo: number): Promise<number[]> {
  const r = await selectRows<{ annee: number | string }>(
    db,
    sql`
    select annee from enveloppes where siret = ${siret} and annee <= ${upTo}
    union select annee from attributions where siret_employeur = ${siret} and annee <= ${upTo}
    order by annee desc`,
  );
  return r.map((x) => Number(x.annee));
}

/**
 * Last campaign's allocations of `siret` as items for `annee` (same percentages), and how many could
 * not be carried over because the establishment or formation is no longer habilitated.
 */
export async function replicationItems(
  db: Q,
  annee: number,
  siret: string,
): Promise<{ previous: number; items: TargetShare[]; skipped: number }> {
  const prev = await db
    .select({ etablissementId: attributions.etablissementId, formationId: attributions.formationId, bp: attributions.pointsBase })
    .from(attributions)
    .where(and(eq(attributions.annee, annee - 1), eq(attributions.siretEmployeur, siret)))
    .orderBy(asc(attributions.id));
  if (prev.length === 0) return { previous: 0, items: [], skipped: 0 };
  const mapped = await mapTargetsToYear(db, annee - 1, annee, prev);
  const items: TargetShare[] = [];
  for (const p of prev) {
    const m = mapped.get(targetMapKey(p.etablissementId, p.formationId));
    if (m) items.push({ target: m, bp: p.bp });
  }
  return { previous: prev.length, items, skipped: prev.length - items.length };
}
