/**
 * The moments of a campaign a demo wants to show, each with the instant it starts (00:00, Paris time):
 * establishments' opening, employers' opening (when it is not period 1's first day), each period,
 * between periods (when there is a gap), closing (the day after the last period) and the reliquat.
 * Used by the demo clock (/dev/horloge) to move to the start of any phase. Pure.
 */
import { type Campaign } from '../../domain/campagne.js';
import { addDays, parisStartOfDay, type Jour } from '../../domain/jours.js';

export interface PhaseTarget {
  /** stable key posted by the form: 'etablissements', 'employeurs', 'periode-1', 'entre-1', 'cloture', 'reliquat' */
  cible: string;
  /** the button's label, e.g. « Période 1 » */
  label: string;
  jour: Jour;
  instant: Date;
}

export function phaseTargets(c: Campaign): PhaseTarget[] {
  const out: PhaseTarget[] = [];
  const at = (cible: string, label: string, jour: Jour) => out.push({ cible, label, jour, instant: parisStartOfDay(jour) });
  at('etablissements', 'Ouverture établissements', c.etablissementsOuverture);
  const first = c.periodes[0];
  if (first && c.employeursOuverture !== first.debut) at('employeurs', 'Ouverture employeurs', c.employeursOuverture);
  const gaps = c.periodes.filter((p, i) => i < c.periodes.length - 1 && addDays(p.fin, 1) < c.periodes[i + 1]!.debut).length;
  c.periodes.forEach((p, i) => {
    at(`periode-${p.numero}`, `Période ${p.numero}`, p.debut);
    const next = c.periodes[i + 1];
    if (next && addDays(p.fin, 1) < next.debut)
      at(`entre-${p.numero}`, gaps > 1 ? `Entre les périodes ${p.numero} et ${next.numero}` : 'Entre les périodes', addDays(p.fin, 1));
  });
  const last = c.periodes[c.periodes.length - 1];
  if (last) at('cloture', 'Clôture', addDays(last.fin, 1));
  at('reliquat', 'Reliquat', c.reliquat);
  return out;
}

/** The target whose phase contains `now` (the last one started), or null before the opening. */
export function currentTarget(targets: readonly PhaseTarget[], now: Date): PhaseTarget | null {
  let cur: PhaseTarget | null = null;
  for (const t of targets) if (t.instant.getTime() <= now.getTime()) cur = t;
  return cur;
}
