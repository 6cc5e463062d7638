/**
 * Shares that could not be paid (D. 6241-27-1, docs/regles.md#fonds-non-versables): their reasons in
 * French, the re-designation deadline, and when establishments without verified bank details are
 * reminded before a period closes. Pure: no clock (the caller passes `now`), no I/O.
 */
import { redesignationDeadline, type Campaign, type Periode } from './campagne.js';
import { parisEndOfDay } from './jours.js';

export type MotifNonVersable = 'sans_coordonnees' | 'coordonnees_non_verifiees' | 'etablissement_ferme' | 'rejet_bancaire';

const MOTIFS: Readonly<Record<MotifNonVersable, string>> = {
  sans_coordonnees: 'l’établissement n’a pas déclaré de coordonnées bancaires',
  coordonnees_non_verifiees: 'les coordonnées bancaires de l’établissement ne sont pas encore vérifiées',
  etablissement_ferme: 'l’établissement est fermé',
  rejet_bancaire: 'rejet bancaire',
};

/**
 * The reason shown to the employer: « rejet bancaire (AC04 — Compte clos) » when the bank returned the
 * transfer and gave its reason (`detail`), otherwise the reason's label.
 */
export function motifNonVersableLibelle(motif: string, detail: string | null): string {
  const label = MOTIFS[motif as MotifNonVersable] ?? motif;
  return detail ? `${label} (${detail})` : label;
}

/** The detail kept for a bank's rejection: « AC04 — Compte clos », or null when the bank gave no code. */
export function rejetDetail(code: string | null, libelle: string | null): string | null {
  if (!code) return null;
  return libelle ? `${code} — ${libelle}` : code;
}

/** May the employer still re-designate at `now`? Until the deadline's last second, Paris time. */
export function redesignationOpen(c: Campaign, now: Date): boolean {
  return now.getTime() <= parisEndOfDay(redesignationDeadline(c)).getTime();
}

/**
 * The period whose end comes next at `now` (the operator's list of establishments without verified bank
 * details and its bulk reminder): the period open at `now`, else the next one to open; null once the
 * last period is over.
 */
export function periodeProchaineFin(c: Campaign, now: Date): Periode | null {
  const t = now.getTime();
  return c.periodes.find((p) => t <= parisEndOfDay(p.fin).getTime()) ?? null;
}
