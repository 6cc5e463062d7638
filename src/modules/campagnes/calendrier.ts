/**
 * The public calendar of a campaign (docs/regles.md#calendrier): each phase with its first and last
 * day, the phase of today (the application's clock) marked, and the payment waves. Read from the
 * stored calendar, else the arrêté's preset (repository.ts); the phases are those of `phaseTargets`.
 */
import type { AppContext } from '../../app-context.js';
import { describePhase, phaseAt, type Campaign } from '../../domain/campagne.js';
import { addDays, type Jour } from '../../domain/jours.js';
import { currentTarget, phaseTargets } from './phases.js';
import { campaignAt, listCampaigns } from './repository.js';

export interface CalendarPhase {
  cible: string;
  label: string;
  /** what happens during the phase */
  description: string;
  debut: Jour;
  /** the last day (included); null for the reliquat, which has no end */
  fin: Jour | null;
  current: boolean;
}

export interface PublicCalendar {
  annee: number;
  /** where the campaign stands today, in a sentence */
  situation: string;
  phases: CalendarPhase[];
  vagues: { numero: number; date: Jour; periodeNumero: number }[];
  source: string | null;
  /** every year with a calendar, for the links to the others */
  annees: number[];
}

/** The public name and meaning of each phase (by the key of `phaseTargets`, without its number). */
function describe(cible: string, label: string): { label: string; description: string } {
  const [kind, n] = cible.split('-');
  switch (kind) {
    case 'etablissements':
      return {
        label: 'Ouverture aux établissements',
        description: 'Les établissements habilités vérifient et complètent leur fiche, leurs contacts et leurs coordonnées bancaires.',
      };
    case 'employeurs':
      return { label: 'Ouverture aux employeurs', description: 'Les employeurs se connectent et consultent le solde à répartir.' };
    case 'periode':
      return {
        label: `Période de répartition ${n}`,
        description: 'Les employeurs choisissent les établissements et les formations qui recevront leur solde.',
      };
    case 'entre':
      return { label, description: 'Les choix de la période close sont versés ; la répartition reprend à la période suivante.' };
    case 'cloture':
      return { label: 'Clôture des choix', description: 'Les choix ne peuvent plus être modifiés ; les versements se poursuivent.' };
    default:
      return {
        label: 'Répartition du reliquat',
        description:
          'Les fonds non affectés par les employeurs sont répartis entre les établissements (article R. 6241-28 du code du travail).',
      };
  }
}

/**
 * The calendar of `c` seen at `now`. Pure. `running`: `c` is the campaign of `now`; an earlier one has
 * no phase of today (its reliquat has begun, but another campaign runs).
 */
export function calendarOf(c: Campaign, now: Date, annees: number[], running = true): PublicCalendar {
  const targets = phaseTargets(c);
  const current = running ? currentTarget(targets, now) : null;
  return {
    annee: c.annee,
    situation: describePhase(c, phaseAt(c, now)),
    phases: targets.map((t, i) => {
      const next = targets[i + 1];
      return {
        cible: t.cible,
        ...describe(t.cible, t.label),
        debut: t.jour,
        fin: next ? addDays(next.jour, -1) : null,
        current: t === current,
      };
    }),
    vagues: c.vagues.map((v) => ({ numero: v.numero, date: v.date, periodeNumero: v.periodeNumero })),
    source: c.source ?? null,
    annees,
  };
}

/**
 * The public calendar of `annee`, or of the campaign of today when none is asked; null when that year
 * has no calendar.
 */
export async function publicCalendar(ctx: Pick<AppContext, 'db' | 'clock'>, annee?: number): Promise<PublicCalendar | null> {
  const all = (await listCampaigns(ctx.db)).map((s) => s.campaign);
  const now = ctx.clock.now();
  const running = campaignAt(all, now);
  const c = annee === undefined ? running : all.find((x) => x.annee === annee);
  if (!c) return null;
  const annees = all.map((x) => x.annee).sort((a, b) => b - a);
  return calendarOf(c, now, annees, c.annee === running?.annee);
}
