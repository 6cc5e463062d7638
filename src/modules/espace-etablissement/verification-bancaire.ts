/**
 * What the operator's agents verify (docs/regles.md#coordonnees-bancaires): the current bank details
 * still « à vérifier », oldest first, the IBAN masked (its country and last four characters only), with
 * the establishment's name from the latest referential (else the registry). The verdict itself is
 * `setBankDetailsStatus` (coordonnees-bancaires.ts).
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { maskIban } from '../../domain/coordonnees-bancaires.js';
import { selectRows } from '../../infra/db/index.js';

export interface BankDetailsToVerify {
  id: number;
  siret: string;
  nom: string;
  ibanMasque: string;
  bic: string;
  titulaire: string;
  createdAt: Date;
}

export const TO_VERIFY_PAGE_SIZE = 50;

export async function bankDetailsToVerify(ctx: AppContext, page: number): Promise<{ rows: BankDetailsToVerify[]; total: number }> {
  const offset = (Math.max(1, page) - 1) * TO_VERIFY_PAGE_SIZE;
  const rows = await selectRows<{
    id: number | string;
    siret: string;
    nom: string | null;
    iban: string;
    bic: string;
    titulaire: string;
    created_at: string | Date;
    total: number | string;
  }>(
    ctx.db,
    sql`select c.id, c.siret, c.iban, c.bic, c.titulaire, c.created_at,
          coalesce((select r.nom from ref_etablissements r where r.siret = c.siret order by r.annee desc limit 1),
                   (select e.denomination from etablissements e where e.siret = c.siret)) as nom,
          count(*) over () as total
        from coordonnees_bancaires c
        where c.remplacee_le is null and c.statut = 'a_verifier'
        order by c.created_at, c.id
        limit ${TO_VERIFY_PAGE_SIZE} offset ${offset}`,
  );
  return {
    total: Number(rows[0]?.total ?? 0),
    rows: rows.map((r) => ({
      id: Number(r.id),
      siret: r.siret,
      nom: r.nom ?? '(établissement inconnu)',
      ibanMasque: maskIban(r.iban),
      bic: r.bic,
      titulaire: r.titulaire,
      createdAt: new Date(r.created_at),
    })),
  };
}
