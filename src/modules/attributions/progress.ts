/**
 * Where each of a person's employer SIRETs stands in the campaign, for the list of « SOLTéA -
 * Employeurs » (one query for all of them: a tiers-déclarant may act for hundreds of clients).
 */
import { sql } from 'drizzle-orm';
import { selectRows, type Db, type Tx } from '../../infra/db/index.js';
import type { Cents } from '../../domain/money.js';

export interface EmployerProgress {
  creditsCents: Cents | null;
  totalBp: number;
  aValider: number;
}

export async function employerProgress(db: Db | Tx, annee: number, sirets: readonly string[]): Promise<Map<string, EmployerProgress>> {
  const out = new Map<string, EmployerProgress>();
  if (sirets.length === 0) return out;
  const arr = `{${sirets.join(',')}}`;
  const r = await selectRows<{ siret: string; credits: string | null; total: number; a_valider: number }>(
    db,
    sql`
    select s.siret, e.credits_cents::text as credits,
           coalesce(sum(a.points_base), 0)::int as total, count(a.id) filter (where a.statut <> 'validee')::int as a_valider
    from unnest(${arr}::text[]) as s(siret)
    left join enveloppes e on e.annee = ${annee} and e.siret = s.siret
    left join attributions a on a.annee = ${annee} and a.siret_employeur = s.siret
    group by s.siret, e.credits_cents`,
  );
  for (const x of r)
    out.set(x.siret, {
      creditsCents: x.credits === null ? null : BigInt(x.credits),
      totalBp: Number(x.total),
      aValider: Number(x.a_valider),
    });
  return out;
}
