/**
 * What the operator's agents verify (docs/regles.md#coordonnees-bancaires): the current bank details
 * still « à vérifier », oldest first, the IBAN masked (its country and last four characters only), with
 * the establishment's name from the latest referential (else the registry), and the history of the
 * establishment's bank details (each version entered, each verdict with its agent and reason, each
 * replacement), IBANs masked too. The verdict itself is `setBankDetailsStatus` (coordonnees-bancaires.ts).
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { BANK_STATUS_LABELS, isBankStatus, maskIban } from '../../domain/coordonnees-bancaires.js';
import { selectRows } from '../../infra/db/index.js';

export interface BankDetailsToVerify {
  id: number;
  siret: string;
  nom: string;
  ibanMasque: string;
  bic: string;
  titulaire: string;
  createdAt: Date;
  /** the history of the establishment's bank details, oldest first */
  historique: BankHistoryEvent[];
}

export interface BankHistoryEvent {
  at: Date;
  /** « Coordonnées saisies : IBAN FR•• … 1234, BIC …, titulaire … », « Vérifiées par … », « Rejetées par … : motif » */
  evenement: string;
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
  const history = await bankHistory(ctx, [...new Set(rows.map((r) => r.siret))]);
  return {
    total: Number(rows[0]?.total ?? 0),
    rows: rows.map((r) => ({
      historique: history.get(r.siret) ?? [],
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

const statusLabel = (s: string) => (isBankStatus(s) ? BANK_STATUS_LABELS[s] : s);

/** Each SIRET's versions, verdicts and replacements in time order (the IBAN masked). */
async function bankHistory(ctx: AppContext, sirets: readonly string[]): Promise<Map<string, BankHistoryEvent[]>> {
  const out = new Map<string, BankHistoryEvent[]>();
  if (sirets.length === 0) return out;
  const list = sql.join(
    sirets.map((s) => sql`${s}`),
    sql`, `,
  );
  const rows = await selectRows<{
    siret: string;
    at: string | Date;
    kind: string;
    iban: string;
    bic: string;
    titulaire: string;
    statut: string | null;
    motif: string | null;
    agent: string | null;
  }>(
    ctx.db,
    sql`select siret, created_at as at, 'saisie' as kind, iban, bic, titulaire, null as statut, null as motif, null as agent
          from coordonnees_bancaires where siret in (${list})
        union all
        select siret, remplacee_le, 'remplacee', iban, bic, titulaire, null, null, null
          from coordonnees_bancaires where siret in (${list}) and remplacee_le is not null
        union all
        select s.siret, s.at, 'verdict', c.iban, c.bic, c.titulaire, s.statut, s.motif, s.agent
          from coordonnees_bancaires_statuts s join coordonnees_bancaires c on c.id = s.coordonnees_id where s.siret in (${list})
        order by 1, 2, 3`,
  );
  for (const r of rows) {
    const iban = maskIban(r.iban);
    const evenement =
      r.kind === 'saisie'
        ? `Coordonnées saisies : IBAN ${iban}, BIC ${r.bic}, titulaire « ${r.titulaire} »`
        : r.kind === 'remplacee'
          ? `Coordonnées (IBAN ${iban}) remplacées par de nouvelles`
          : `${statusLabel(r.statut ?? '')} par ${r.agent ?? 'un agent'} (IBAN ${iban})${r.motif ? ` : ${r.motif}` : ''}`;
    const list = out.get(r.siret) ?? [];
    list.push({ at: new Date(r.at), evenement });
    out.set(r.siret, list);
  }
  return out;
}
