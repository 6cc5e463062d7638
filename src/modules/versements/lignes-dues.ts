// long: one set-based SQL statement (what a wave owes per line), read whole rather than cut into fragments
/**
 * What a wave owes, computed by the database in one statement at national scale (ADR 0007): for every
 * allocation line of the campaign, its expected amount — the largest remainder of the employer SIRET's
 * crédits over all its lines in id order, exactly as `expectedAmounts` (domain/money.ts) computes it for
 * the Synthèse — minus what issued, unreturned transfers already paid on it; kept when the line is
 * validated in a period the wave pays, and its employer's funds are received (R. 6241-28-2); with its
 * beneficiary (a composante with its own SIRET and verified bank details, else the parent) and whether it
 * can be paid (verified bank details the bank has not rejected a transfer to, establishment open: a
 * rejected transfer's details stay unpayable until the establishment changes them). The statement fills a temporary table that
 * the preparation turns into transfers; `linesDueAtWave` (domain/versements.ts) is the same rule in
 * TypeScript, and a property test holds the two equal.
 */
import { sql, type SQL } from 'drizzle-orm';

/**
 * `exact`: each line of `lignes` (id, siret_employeur, bp, credits) with its floor, its employer's target
 * and sum of floors, and its rank by remainder (the largest-remainder rule, docs/regles.md); the remainder
 * units go to the first `cible - somme_planchers` ranks. Shared by the payments, the reconciliation
 * (rapprochement.ts) and the remainder (reliquat-donnees.ts), so that they all owe the same cents.
 */
export const exactCte = sql`
    exact as (
      select l.*, (l.credits * l.bp) / 10000 as plancher,
             (l.credits * sum(l.bp) over w) / 10000 as cible,
             sum((l.credits * l.bp) / 10000) over w as somme_planchers,
             row_number() over (partition by l.siret_employeur order by (l.credits * l.bp) % 10000 desc, l.id) as rang
        from lignes l
      window w as (partition by l.siret_employeur)
    )`;

/** `verse`: the cents paid per allocation of the campaign (lines of issued waves whose transfer was not rejected). */
export function verseCte(annee: number): SQL {
  return sql`
    verse as (
      select lv.attribution_id, sum(lv.montant_cents) as cents
        from lignes_versees lv
        join vagues_versement v on v.id = lv.vague_id
        join virements vi on vi.id = lv.virement_id
       where lv.annee = ${annee} and v.statut = 'emise' and vi.statut <> 'rejete'
       group by lv.attribution_id
    )`;
}

/** Creates the temporary table `lignes_dues` (dropped at the end of the transaction) for campaign `annee` and wave period `periode`. */
export function lignesDuesStatement(annee: number, periode: number): SQL {
  return sql`
    create temporary table lignes_dues on commit drop as
    with lignes as (
      select a.id, a.siret_employeur, a.points_base::bigint as bp, a.statut, a.valide_periode, a.etablissement_id,
             e.credits_cents::bigint as credits
        from attributions a
        join enveloppes e on e.annee = a.annee and e.siret = a.siret_employeur
       where a.annee = ${annee}
         -- only the employers with a line this wave may pay: the others' lines owe nothing now, and each
         -- employer's expected amounts are computed over all its lines, so leaving whole employers out
         -- changes no figure (at national scale, most employers validated nothing yet)
         and a.siret_employeur in (select v.siret_employeur from attributions v
                                    where v.annee = ${annee} and v.statut = 'validee' and v.valide_periode <= ${periode})
    ),
    ${exactCte},
    attendu as (
      select x.id, x.siret_employeur, x.statut, x.valide_periode, x.etablissement_id,
             x.plancher + case when x.rang <= x.cible - x.somme_planchers then 1 else 0 end as attendu_cents
        from exact x
    ),
    ${verseCte(annee)},
    finance as (
      select e.siret
        from enveloppes e
        join (select siret, sum(montant_cents) as recu from encaissements where annee = ${annee} group by siret) r on r.siret = e.siret
       where e.annee = ${annee} and r.recu > 0 and r.recu >= e.reverse_cents
    ),
    dues as (
      select t.id, t.siret_employeur, t.etablissement_id, t.attendu_cents - coalesce(v.cents, 0) as cents
        from attendu t
        left join verse v on v.attribution_id = t.id
       where t.statut = 'validee' and t.valide_periode <= ${periode}
         and t.siret_employeur in (select siret from finance)
         and t.attendu_cents - coalesce(v.cents, 0) > 0
    ),
    cibles as (
      select d.*, r.siret as cible_siret, r.nom as cible_nom, p.siret as parent_siret, p.nom as parent_nom,
             cr.id as cible_coordonnees
        from dues d
        join ref_etablissements r on r.id = d.etablissement_id
        left join ref_etablissements p on p.id = r.parent_id
        left join coordonnees_bancaires cr on cr.siret = r.siret and cr.remplacee_le is null and cr.statut = 'verifiee'
    ),
    rejetees as (
      select distinct coordonnees_id from virements where annee = ${annee} and statut = 'rejete'
    ),
    beneficiaires as (
      select c.id, c.siret_employeur, c.cents,
             case when c.parent_siret is null or c.parent_siret = c.cible_siret or c.cible_coordonnees is not null then c.cible_siret else c.parent_siret end as siret,
             case when c.parent_siret is null or c.parent_siret = c.cible_siret or c.cible_coordonnees is not null then c.cible_nom else c.parent_nom end as nom
        from cibles c
    )
    select b.id as attribution_id, b.siret_employeur, b.cents, b.siret as beneficiaire_siret, b.nom as beneficiaire_nom,
           cb.id as coordonnees_id, cb.iban, cb.bic, cb.titulaire, cb.statut as coordonnees_statut,
           coalesce(et.etat_administratif, 'A') as etat,
           case
             when coalesce(et.etat_administratif, 'A') = 'F' then 'etablissement_ferme'
             when cb.id is null then 'sans_coordonnees'
             when cb.statut <> 'verifiee' then 'coordonnees_non_verifiees'
             when rj.coordonnees_id is not null then 'rejet_bancaire'
             else null
           end as motif
      from beneficiaires b
      left join coordonnees_bancaires cb on cb.siret = b.siret and cb.remplacee_le is null
      left join etablissements et on et.siret = b.siret
      left join rejetees rj on rj.coordonnees_id = cb.id`;
}
