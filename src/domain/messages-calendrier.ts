/**
 * The campaign's messages that the calendar decides (docs/messages.md): when each is due and until when
 * it still makes sense. Pure: the caller passes the campaign and the instant.
 *
 * - the opening: employers with an envelope are told on the employers' opening day, habilitated
 *   establishments on theirs (D. 6241-27: the calendar of the arrêté); due until the last period ends;
 * - a period's end drawing near: 7 days before its last day, then 1 day before (« J-7 », « J-1 »), to the
 *   employers that have not validated 100 % and to the establishments without verified bank details; the
 *   J-7 message is no longer sent once the J-1 one is due (a server down for a week sends one, not two);
 * - the digest of the allocations an establishment received on a day, the next morning, for the days of
 *   the campaign's periods; a digest more than three days late is not sent any more.
 *
 * Every message goes out from 08:00, Paris time, never at night.
 */
import { lastPeriod, type Campaign, type Periode } from './campagne.js';
import { addDays, parisDayOf, parisEndOfDay, parisStartOfDay, type Jour } from './jours.js';

/** The hour of the day (Paris) from which the campaign's messages are sent. */
export const HEURE_ENVOI = 8;
/** The reminders before a period's end: days before its last day. */
export const RAPPELS_FIN_PERIODE = [7, 1] as const;
/** The digests still sent late (days after the day they tell of). */
export const RESUME_RETARD_MAX_JOURS = 3;

export type Public = 'employeurs' | 'etablissements';

export type EvenementCampagne =
  | { kind: 'ouverture'; cle: string; annee: number; public: Public; jour: Jour }
  | { kind: 'fin-periode'; cle: string; annee: number; public: Public; periode: Periode; jours: number }
  | { kind: 'resume'; cle: string; annee: number; jour: Jour };

/** 08:00 Paris time on day `j`. */
export function heureEnvoi(j: Jour): Date {
  return new Date(parisStartOfDay(j).getTime() + HEURE_ENVOI * 3_600_000);
}

const within = (t: number, from: Date, to: Date) => t >= from.getTime() && t <= to.getTime();

function openings(c: Campaign, t: number): EvenementCampagne[] {
  const end = parisEndOfDay(lastPeriod(c).fin);
  const out: EvenementCampagne[] = [];
  for (const [pub, jour] of [
    ['etablissements', c.etablissementsOuverture],
    ['employeurs', c.employeursOuverture],
  ] as const)
    if (within(t, heureEnvoi(jour), end))
      out.push({ kind: 'ouverture', cle: `ouverture-${pub}:${c.annee}`, annee: c.annee, public: pub, jour });
  return out;
}

function periodEnds(c: Campaign, t: number): EvenementCampagne[] {
  const out: EvenementCampagne[] = [];
  for (const p of c.periodes) {
    const ends = parisEndOfDay(p.fin);
    RAPPELS_FIN_PERIODE.forEach((jours, i) => {
      const from = heureEnvoi(addDays(p.fin, -jours));
      const next = RAPPELS_FIN_PERIODE[i + 1];
      const until = next === undefined ? ends : new Date(heureEnvoi(addDays(p.fin, -next)).getTime() - 1);
      // a period shorter than the reminder: nothing before it starts
      if (from.getTime() < parisStartOfDay(p.debut).getTime() || !within(t, from, until)) return;
      for (const pub of ['employeurs', 'etablissements'] as const)
        out.push({
          kind: 'fin-periode',
          cle: `fin-periode:${c.annee}:${p.numero}:j${jours}:${pub}`,
          annee: c.annee,
          public: pub,
          periode: p,
          jours,
        });
    });
  }
  return out;
}

/**
 * The bank-details reminder that a send at `now` for period `p` counts as (docs/messages.md: the
 * scheduler's J-7 and J-1 and the operator's bulk reminder share one key per establishment, period and
 * échéance): the last échéance already begun, or the first one before any has.
 */
export function echeanceRappel(p: Periode, now: Date): number {
  const t = now.getTime();
  return RAPPELS_FIN_PERIODE.filter((jours) => t >= heureEnvoi(addDays(p.fin, -jours)).getTime()).at(-1) ?? RAPPELS_FIN_PERIODE[0];
}

/** The digests due at `t`: each day of a period whose next morning has come, at most RESUME_RETARD_MAX_JOURS late. */
function digests(c: Campaign, now: Date): EvenementCampagne[] {
  const out: EvenementCampagne[] = [];
  const today = parisDayOf(now);
  for (let back = RESUME_RETARD_MAX_JOURS; back >= 1; back--) {
    const jour = addDays(today, -back);
    if (now.getTime() < heureEnvoi(addDays(jour, 1)).getTime()) continue;
    if (!c.periodes.some((p) => jour >= p.debut && jour <= p.fin)) continue;
    out.push({ kind: 'resume', cle: `resume:${jour}`, annee: c.annee, jour });
  }
  return out;
}

/** Every message event of campaign `c` due at `now` (each is processed once: its key). */
export function evenementsDus(c: Campaign, now: Date): EvenementCampagne[] {
  const t = now.getTime();
  return [...openings(c, t), ...periodEnds(c, t), ...digests(c, now)];
}
