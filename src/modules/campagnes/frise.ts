/**
 * A campaign's calendar as a timeline (the operator's `/operateur/campagnes/<année>`): its periods as
 * spans, its openings, payment waves, re-designation deadline and reliquat as milestones, each placed
 * on a 0…1 scale from the first opening to a few days after the last date, with today's mark and phase
 * (`phaseAt`, docs/regles.md#calendrier). The events in date order are the text equivalent of the
 * drawing. Pure.
 */
import { describePhase, phaseAt, redesignationDeadline, type Campaign } from '../../domain/campagne.js';
import { addDays, daysBetween, formatJour, parisDayOf, type Jour } from '../../domain/jours.js';

export type MilestoneKind = 'ouverture' | 'vague' | 'redesignation' | 'reliquat';

export interface TimelineEvent {
  jour: Jour;
  /** « Ouverture aux employeurs », « Virement 1 (période 1) »… */
  libelle: string;
  kind: MilestoneKind;
  /** position of the day on the scale, 0…1 */
  x: number;
}

export interface TimelinePeriod {
  numero: number;
  debut: Jour;
  fin: Jour;
  x0: number;
  x1: number;
  /** today falls in it */
  courante: boolean;
}

export interface Timeline {
  annee: number;
  debut: Jour;
  fin: Jour;
  periodes: TimelinePeriod[];
  jalons: TimelineEvent[];
  /** every period and milestone in date order, in French (the text equivalent) */
  evenements: { jour: Jour; texte: string }[];
  /** today on the scale, null when outside it */
  aujourdhui: { jour: Jour; x: number } | null;
  /** where the campaign stands today, in French */
  phase: string;
  /** the first day of each month inside the scale, for the axis, with its short name (« juin ») */
  mois: { jour: Jour; x: number; libelle: string }[];
}

const MONTHS = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];

/** « juin » for the axis. */
const monthLabel = (j: Jour): string => MONTHS[Number(j.slice(5, 7)) - 1] ?? '';

export function campaignTimeline(c: Campaign, now: Date): Timeline {
  const lastWave = c.vagues[c.vagues.length - 1]?.date ?? c.reliquat;
  const redesignation = redesignationDeadline(c);
  const debut = c.etablissementsOuverture;
  const fin = addDays([c.reliquat, lastWave, redesignation].sort().at(-1)!, 7);
  const span = Math.max(1, daysBetween(debut, fin));
  const at = (j: Jour) => Math.min(1, Math.max(0, daysBetween(debut, j) / span));
  const today = parisDayOf(now);
  const jalons: TimelineEvent[] = (
    [
      { jour: c.etablissementsOuverture, libelle: 'Ouverture aux établissements', kind: 'ouverture', x: 0 },
      { jour: c.employeursOuverture, libelle: 'Ouverture aux employeurs', kind: 'ouverture', x: 0 },
      ...c.vagues.map((v) => ({
        jour: v.date,
        libelle: `Virement ${v.numero} (période ${v.periodeNumero})`,
        kind: 'vague' as const,
        x: 0,
      })),
      { jour: redesignation, libelle: 'Fin des re-désignations', kind: 'redesignation', x: 0 },
      { jour: c.reliquat, libelle: 'Répartition des fonds non affectés', kind: 'reliquat', x: 0 },
    ] satisfies TimelineEvent[]
  ).map((e) => ({ ...e, x: at(e.jour) }));
  const periodes = c.periodes.map((p) => ({
    numero: p.numero,
    debut: p.debut,
    fin: p.fin,
    x0: at(p.debut),
    x1: at(addDays(p.fin, 1)),
    courante: today >= p.debut && today <= p.fin,
  }));
  const evenements = [
    ...jalons.map((e) => ({
      jour: e.jour,
      texte: `${formatJour(e.jour)} : ${e.libelle.toLowerCase().replace(/^./, (s) => s.toUpperCase())}`,
    })),
    ...c.periodes.map((p) => ({
      jour: p.debut,
      texte: `Du ${formatJour(p.debut)} au ${formatJour(p.fin)} inclus : période de répartition ${p.numero}`,
    })),
  ].sort((a, b) => (a.jour < b.jour ? -1 : a.jour > b.jour ? 1 : 0));
  const mois: Timeline['mois'] = [];
  for (let m = `${debut.slice(0, 7)}-01`; m <= fin; m = addDays(m, 32).slice(0, 8) + '01')
    if (m >= debut) mois.push({ jour: m, x: at(m), libelle: monthLabel(m) });
  return {
    annee: c.annee,
    debut,
    fin,
    periodes,
    jalons,
    evenements,
    aujourdhui: today >= debut && today <= fin ? { jour: today, x: at(today) } : null,
    phase: describePhase(c, phaseAt(c, now)),
    mois,
  };
}
