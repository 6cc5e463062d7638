/**
 * The campaign calendar of SOLTéA (docs/regles.md#calendrier): when establishments and employers
 * may connect, the allocation periods, the payment waves and the date the unallocated funds
 * (reliquat) are shared. Pure: no clock (the caller passes `now`), no I/O, no dependency.
 *
 * Legal frame: article D. 6241-27 of the code du travail — the calendar is fixed each year by an
 * arrêté of the ministers of Éducation nationale, Formation professionnelle and Enseignement
 * supérieur; the period during which employers designate or change the establishments « ne peut être
 * inférieure à deux mois »; the arrêté also fixes the payment dates. The number of periods and waves
 * changed from year to year (three periods in 2023, two since), so they are data, not code.
 *
 * Dates are **calendar days of Europe/Paris** (`Jour`, jours.ts). A period runs from its first day at
 * 00:00 to its last day at 23:59:59.999, Paris time; a payment wave or the reliquat starts on its day at
 * 00:00 Paris time. The operator's calendar is checked by campagne-validation.ts.
 */

import { addDays, formatJour, parisEndOfDay, parisStartOfDay, type Jour } from './jours.js';

export interface Periode {
  /** 1, 2, 3 … in order */
  numero: number;
  /** first day (included) */
  debut: Jour;
  /** last day (included, until 23:59:59.999 Paris time) */
  fin: Jour;
}

export interface Vague {
  /** n° of the virement (1, 2 …): also the last part of the SEPA label « … - <n° virement> » */
  numero: number;
  /** the payments are made « à partir du » this day */
  date: Jour;
  /** the period whose validated allocations this wave pays */
  periodeNumero: number;
}

export interface Campaign {
  /** campaign year (solde on the payroll of year − 1, declared in the April DSN of this year) */
  annee: number;
  /** establishments may check and complete their page, contacts and bank details */
  etablissementsOuverture: Jour;
  /** employers (and tiers-déclarants) may connect */
  employeursOuverture: Jour;
  periodes: Periode[];
  vagues: Vague[];
  /** the unallocated funds are shared by the legal algorithm (R. 6241-28) from this day */
  reliquat: Jour;
  /**
   * the last day on which an employer may designate another establishment for a share that could not be
   * paid (D. 6241-27-1); by default the day before the reliquat
   */
  redesignationFin?: Jour;
  /** the regional part of the reliquat in basis points (R. 6241-28: each part at least 20 %); by default 40 % */
  reliquatRegionaleBp?: number;
  /** the arrêté (or public source) that fixed this calendar */
  source?: string;
}

/** The regional part of the reliquat fixed by the arrêtés du 12 novembre 2024 and du 26 novembre 2025: 40 %. */
export const DEFAULT_RELIQUAT_REGIONALE_BP = 4000;
/** Each part of the reliquat is at least 20 % (R. 6241-28). */
export const MIN_RELIQUAT_PART_BP = 2000;

/** The last day of re-designation of the campaign (D. 6241-27-1). */
export function redesignationDeadline(c: Campaign): Jour {
  return c.redesignationFin ?? addDays(c.reliquat, -1);
}

/** The regional part of the campaign's reliquat, in basis points. */
export function reliquatRegionaleBp(c: Campaign): number {
  return c.reliquatRegionaleBp ?? DEFAULT_RELIQUAT_REGIONALE_BP;
}

// ── presets (docs/regles.md#calendrier) ───────────────────────────────────────────────

/**
 * A calendar as the arrêté writes it: the periods as [first day, last day], the waves' dates in order,
 * wave n paying the allocations of period n.
 */
function arrete(
  annee: number,
  ouvertures: { etablissements: Jour; employeurs: Jour },
  periodes: readonly (readonly [Jour, Jour])[],
  vagues: readonly Jour[],
  reliquat: Jour,
  source: string,
): Campaign {
  return {
    annee,
    etablissementsOuverture: ouvertures.etablissements,
    employeursOuverture: ouvertures.employeurs,
    periodes: periodes.map(([debut, fin], i) => ({ numero: i + 1, debut, fin })),
    vagues: vagues.map((date, i) => ({ numero: i + 1, date, periodeNumero: i + 1 })),
    reliquat,
    source,
  };
}

/**
 * 2023, first campaign, final calendar of the arrêté du 6 octobre 2023 (JO 7 Oct 2023): three periods,
 * transfers from 28 Aug, 15 Oct and 2 Dec, unallocated funds from 15 Dec 2023. No earlier opening
 * for establishments was found for 2023 (it was introduced in 2024 at the users' request), so both
 * open with the employer space on 25 May 2023.
 */
export const CAMPAIGN_2023: Campaign = arrete(
  2023,
  { etablissements: '2023-05-25', employeurs: '2023-05-25' },
  [
    ['2023-05-25', '2023-07-06'],
    ['2023-08-28', '2023-10-05'],
    ['2023-10-16', '2023-11-09'],
  ],
  ['2023-08-28', '2023-10-15', '2023-12-02'],
  '2023-12-15',
  'Arrêté du 6 octobre 2023 fixant le calendrier de répartition et de versement du solde de la taxe d’apprentissage (JO du 7 octobre 2023)',
);

/**
 * 2024 as modified: arrêté of the 2024 calendar (Légifrance JORFTEXT000049467907) then its changes —
 * period 1 closed on 23 Aug, first transfers from 6 Sep, period 2 from 7 Sep extended to 25 Oct,
 * second transfer from 19 Nov, unallocated funds from 27 Nov 2024.
 */
export const CAMPAIGN_2024: Campaign = arrete(
  2024,
  { etablissements: '2024-05-06', employeurs: '2024-05-27' },
  [
    ['2024-05-27', '2024-08-23'],
    ['2024-09-07', '2024-10-25'],
  ],
  ['2024-09-06', '2024-11-19'],
  '2024-11-27',
  'Arrêté fixant le calendrier 2024 (JORFTEXT000049467907), modifié (clôture de la période 1 au 23 août, période 2 prolongée au 25 octobre 2024)',
);

/** 2025: the calendar published on the platform, arrêté du 8 novembre 2024. The demo default. */
export const CAMPAIGN_2025: Campaign = arrete(
  2025,
  { etablissements: '2025-05-19', employeurs: '2025-05-26' },
  [
    ['2025-05-26', '2025-06-27'],
    ['2025-07-14', '2025-10-24'],
  ],
  ['2025-07-11', '2025-11-07'],
  '2025-11-27',
  'Arrêté du 8 novembre 2024 fixant le calendrier de répartition et de versement du solde de la taxe d’apprentissage (campagne 2025)',
);

export const CAMPAIGN_PRESETS: Readonly<Record<number, Campaign>> = { 2023: CAMPAIGN_2023, 2024: CAMPAIGN_2024, 2025: CAMPAIGN_2025 };
export const DEFAULT_CAMPAIGN_YEAR = 2025;

/** The start of a calendar, in its order: the year, both openings and the periods copied without any other field. */
export function openingsAndPeriods(c: Pick<Campaign, 'annee' | 'etablissementsOuverture' | 'employeursOuverture' | 'periodes'>) {
  return {
    annee: c.annee,
    etablissementsOuverture: c.etablissementsOuverture,
    employeursOuverture: c.employeursOuverture,
    periodes: c.periodes.map((p): Periode => ({ numero: p.numero, debut: p.debut, fin: p.fin })),
  };
}

/** A deep copy of a preset (callers may edit it), or null when no preset exists for that year. */
export function campaignPreset(annee: number): Campaign | null {
  const c = CAMPAIGN_PRESETS[annee];
  return c ? structuredCloneCampaign(c) : null;
}

function structuredCloneCampaign(c: Campaign): Campaign {
  return { ...c, periodes: c.periodes.map((p) => ({ ...p })), vagues: c.vagues.map((v) => ({ ...v })) };
}

// ── where a campaign stands at an instant ──────────────────────────────────────────────────────────

export type CampaignPhase =
  | { phase: 'avant_ouverture' }
  /** establishments only: they check their page and bank details */
  | { phase: 'etablissements' }
  /** employers may connect but the first period has not started */
  | { phase: 'avant_periode'; suivante: Periode }
  | { phase: 'periode'; periode: Periode }
  | { phase: 'entre_periodes'; precedente: Periode; suivante: Periode }
  /** the last period is over: nothing changes any more; payments go on */
  | { phase: 'cloturee'; derniere: Periode }
  /** from the reliquat day: the unallocated funds are being shared */
  | { phase: 'reliquat' };

export function periodStart(p: Periode): Date {
  return parisStartOfDay(p.debut);
}

export function periodEnd(p: Periode): Date {
  return parisEndOfDay(p.fin);
}

/** True when `now` is inside period `p` (first day 00:00 to last day 23:59:59.999, Paris time). */
export function isInPeriod(p: Periode, now: Date): boolean {
  const t = now.getTime();
  return t >= periodStart(p).getTime() && t <= periodEnd(p).getTime();
}

/** The phase of campaign `c` at instant `now` (the clock is the caller's). */
export function phaseAt(c: Campaign, now: Date): CampaignPhase {
  const t = now.getTime();
  if (t >= parisStartOfDay(c.reliquat).getTime()) return { phase: 'reliquat' };
  if (t < parisStartOfDay(c.etablissementsOuverture).getTime()) return { phase: 'avant_ouverture' };
  if (t < parisStartOfDay(c.employeursOuverture).getTime()) return { phase: 'etablissements' };
  for (let i = 0; i < c.periodes.length; i++) {
    const p = c.periodes[i]!;
    if (t < periodStart(p).getTime()) {
      const prev = c.periodes[i - 1];
      return prev ? { phase: 'entre_periodes', precedente: prev, suivante: p } : { phase: 'avant_periode', suivante: p };
    }
    if (t <= periodEnd(p).getTime()) return { phase: 'periode', periode: p };
  }
  return { phase: 'cloturee', derniere: c.periodes[c.periodes.length - 1]! };
}

/** The period open at `now`, or null. */
export function openPeriodAt(c: Campaign, now: Date): Periode | null {
  const ph = phaseAt(c, now);
  return ph.phase === 'periode' ? ph.periode : null;
}

/** The last period of the campaign (the one after which nothing changes). */
export function lastPeriod(c: Campaign): Periode {
  const p = c.periodes[c.periodes.length - 1];
  if (!p) throw new RangeError('Campagne sans période');
  return p;
}

/** Waves whose day has come at `now` (payments « à partir du » their day, Paris time). */
export function wavesStartedAt(c: Campaign, now: Date): Vague[] {
  return c.vagues.filter((v) => now.getTime() >= parisStartOfDay(v.date).getTime());
}

/**
 * When a DSN correction arrives, is it « pendant » or « après » the campaign (CGU art. 6.1.3)? During
 * the campaign as long as a payment wave is still to come, because the corrected credits can still be
 * paid (increase) or the allocations recomputed before payment (decrease); afterwards, from the last
 * wave's day, the difference is carried to the next year's envelope.
 */
export function correctionMomentAt(c: Campaign, now: Date): 'pendant_campagne' | 'apres_campagne' {
  const lastWave = c.vagues[c.vagues.length - 1];
  const end = lastWave ? parisStartOfDay(lastWave.date) : parisStartOfDay(c.reliquat);
  return now.getTime() < end.getTime() ? 'pendant_campagne' : 'apres_campagne';
}

/** A French sentence for the employer space: where the campaign stands. */
export function describePhase(c: Campaign, ph: CampaignPhase): string {
  switch (ph.phase) {
    case 'avant_ouverture':
      return `La campagne ${c.annee} n’est pas encore ouverte : les employeurs pourront répartir leur solde à partir du ${formatJour(c.employeursOuverture)}.`;
    case 'etablissements':
      return `La plateforme est ouverte aux établissements ; les employeurs pourront répartir leur solde à partir du ${formatJour(c.employeursOuverture)}.`;
    case 'avant_periode':
      return `La période de répartition ${ph.suivante.numero} ouvre le ${formatJour(ph.suivante.debut)}.`;
    case 'periode':
      return `La période de répartition ${ph.periode.numero} est ouverte jusqu’au ${formatJour(ph.periode.fin)} inclus.`;
    case 'entre_periodes':
      return `La période de répartition ${ph.precedente.numero} est close ; la période ${ph.suivante.numero} ouvre le ${formatJour(ph.suivante.debut)}.`;
    case 'cloturee':
      return `La campagne de répartition ${c.annee} est close depuis le ${formatJour(addDays(ph.derniere.fin, 1))} : les choix ne peuvent plus être modifiés.`;
    case 'reliquat':
      return `La campagne ${c.annee} est close ; les fonds non affectés sont répartis à partir du ${formatJour(c.reliquat)}.`;
  }
}
