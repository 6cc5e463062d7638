/**
 * The unpayable shares the Synthèse shows (D. 6241-27-1, docs/regles.md#fonds-non-versables): read by
 * the Synthèse's one statement (ADR 0004) as one more column — the shares `en_attente` of issued waves
 * of the SIRET — and attached to their lines with the reason in French; and the re-designation deadline.
 */
import { redesignationDeadline, type Campaign } from '../../domain/campagne.js';
import type { Cents } from '../../domain/money.js';
import { motifNonVersableLibelle, redesignationOpen } from '../../domain/non-versables.js';

/** A share of a line that could not be paid (the Synthèse's lines carry it). */
export interface NonVersableShare {
  /** the `non_versables` row « Redésigner » names */
  id: number;
  montantCents: Cents;
  /** the reason in French (« rejet bancaire (AC04 — Compte clos) ») */
  motif: string;
}

export interface NonVersableRow {
  id: number | string;
  ligne: number | string;
  cents: string;
  motif: string;
  detail: string | null;
}

/** The column of SYNTHESE_SQL ($1 the year, $2 the SIRET); the index non_versables_employeur_idx serves it. */
export const NON_VERSABLES_COLUMN = `
    (select json_agg(json_build_object('id', nv.id, 'ligne', nv.attribution_id, 'cents', nv.montant_cents::text, 'motif', nv.motif,
            'detail', nv.motif_detail) order by nv.id)
       from non_versables nv join vagues_versement v on v.id = nv.vague_id and v.statut = 'emise'
      where nv.annee = $1 and nv.siret_employeur = $2 and nv.statut = 'en_attente')`;

/**
 * The share of each line (a line has one share `en_attente` among issued waves, vagues.ts; should a
 * bank's return add a second, their amounts add up and the first names them).
 */
export function nonVersablesByLine(rows: readonly NonVersableRow[] | null): Map<number, NonVersableShare> {
  const out = new Map<number, NonVersableShare>();
  for (const r of rows ?? []) {
    const ligne = Number(r.ligne);
    const cents: Cents = BigInt(r.cents);
    const seen = out.get(ligne);
    if (seen) seen.montantCents += cents;
    else out.set(ligne, { id: Number(r.id), montantCents: cents, motif: motifNonVersableLibelle(r.motif, r.detail) });
  }
  return out;
}

/** The re-designation deadline of the campaign and whether it is still open at `now`. */
export function redesignationOf(campaign: Campaign, now: Date): { fin: string; ouverte: boolean } {
  return { fin: redesignationDeadline(campaign), ouverte: redesignationOpen(campaign, now) };
}
