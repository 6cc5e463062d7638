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
 * Dates are **calendar days of Europe/Paris** written `AAAA-MM-JJ` (ISO 8601). A period runs from its
 * first day at 00:00 to its last day at 23:59:59.999, Paris time; a payment wave or the reliquat starts
 * on its day at 00:00 Paris time. Conversions to instants use `Intl` with the IANA zone, so summer
 * time (UTC+2) and winter time (UTC+1) are both right without any dependency.
 */

export const PARIS_TIME_ZONE = 'Europe/Paris';

/** A calendar day `AAAA-MM-JJ` (Europe/Paris). */
export type Jour = string;

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
  /** the arrêté (or public source) that fixed this calendar */
  source?: string;
}

// ── presets (docs/regles.md#calendrier) ───────────────────────────────────────────────

/**
 * 2023, first campaign, final calendar of the arrêté du 6 octobre 2023 (JO 7 Oct 2023): three periods,
 * transfers from 28 Aug, 15 Oct and 2 Dec, unallocated funds from 15 Dec 2023. No earlier opening
 * for establishments was found for 2023 (it was introduced in 2024 at the users' request), so both
 * open with the employer space on 25 May 2023.
 */
export const CAMPAIGN_2023: Campaign = {
  annee: 2023,
  etablissementsOuverture: '2023-05-25',
  employeursOuverture: '2023-05-25',
  periodes: [
    { numero: 1, debut: '2023-05-25', fin: '2023-07-06' },
    { numero: 2, debut: '2023-08-28', fin: '2023-10-05' },
    { numero: 3, debut: '2023-10-16', fin: '2023-11-09' },
  ],
  vagues: [
    { numero: 1, date: '2023-08-28', periodeNumero: 1 },
    { numero: 2, date: '2023-10-15', periodeNumero: 2 },
    { numero: 3, date: '2023-12-02', periodeNumero: 3 },
  ],
  reliquat: '2023-12-15',
  source:
    'Arrêté du 6 octobre 2023 fixant le calendrier de répartition et de versement du solde de la taxe d’apprentissage (JO du 7 octobre 2023)',
};

/**
 * 2024 as modified: arrêté of the 2024 calendar (Légifrance JORFTEXT000049467907) then its changes —
 * period 1 closed on 23 Aug, first transfers from 6 Sep, period 2 from 7 Sep extended to 25 Oct,
 * second transfer from 19 Nov, unallocated funds from 27 Nov 2024.
 */
export const CAMPAIGN_2024: Campaign = {
  annee: 2024,
  etablissementsOuverture: '2024-05-06',
  employeursOuverture: '2024-05-27',
  periodes: [
    { numero: 1, debut: '2024-05-27', fin: '2024-08-23' },
    { numero: 2, debut: '2024-09-07', fin: '2024-10-25' },
  ],
  vagues: [
    { numero: 1, date: '2024-09-06', periodeNumero: 1 },
    { numero: 2, date: '2024-11-19', periodeNumero: 2 },
  ],
  reliquat: '2024-11-27',
  source:
    'Arrêté fixant le calendrier 2024 (JORFTEXT000049467907), modifié (clôture de la période 1 au 23 août, période 2 prolongée au 25 octobre 2024)',
};

/** 2025: the calendar published on the platform, arrêté du 8 novembre 2024. The demo default. */
export const CAMPAIGN_2025: Campaign = {
  annee: 2025,
  etablissementsOuverture: '2025-05-19',
  employeursOuverture: '2025-05-26',
  periodes: [
    { numero: 1, debut: '2025-05-26', fin: '2025-06-27' },
    { numero: 2, debut: '2025-07-14', fin: '2025-10-24' },
  ],
  vagues: [
    { numero: 1, date: '2025-07-11', periodeNumero: 1 },
    { numero: 2, date: '2025-11-07', periodeNumero: 2 },
  ],
  reliquat: '2025-11-27',
  source:
    'Arrêté du 8 novembre 2024 fixant le calendrier de répartition et de versement du solde de la taxe d’apprentissage (campagne 2025)',
};

export const CAMPAIGN_PRESETS: Readonly<Record<number, Campaign>> = { 2023: CAMPAIGN_2023, 2024: CAMPAIGN_2024, 2025: CAMPAIGN_2025 };
export const DEFAULT_CAMPAIGN_YEAR = 2025;

/** A deep copy of a preset (callers may edit it), or null when no preset exists for that year. */
export function campaignPreset(annee: number): Campaign | null {
  const c = CAMPAIGN_PRESETS[annee];
  return c ? structuredCloneCampaign(c) : null;
}

function structuredCloneCampaign(c: Campaign): Campaign {
  return { ...c, periodes: c.periodes.map((p) => ({ ...p })), vagues: c.vagues.map((v) => ({ ...v })) };
}

// ── calendar days and Paris instants ───────────────────────────────────────────────────────────────

const JOUR_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for an existing calendar day written AAAA-MM-JJ (years 1900–2999). */
export function isJour(value: unknown): value is Jour {
  if (typeof value !== 'string') return false;
  const m = JOUR_RE.exec(value);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (y < 1900 || y > 2999 || mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function jourParts(j: Jour): [number, number, number] {
  const m = JOUR_RE.exec(j);
  if (!m || !isJour(j)) throw new RangeError(`Jour invalide : ${j}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** The day `n` days after `j` (n may be negative). */
export function addDays(j: Jour, n: number): Jour {
  const [y, m, d] = jourParts(j);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** The same day `n` months later, clamped to the month's end (31 May + 1 month → 30 June). */
export function addMonths(j: Jour, n: number): Jour {
  const [y, m, d] = jourParts(j);
  const first = new Date(Date.UTC(y, m - 1 + n, 1));
  const ty = first.getUTCFullYear();
  const tm = first.getUTCMonth() + 1;
  return `${ty}-${String(tm).padStart(2, '0')}-${String(Math.min(d, daysInMonth(ty, tm))).padStart(2, '0')}`;
}

/** Number of calendar days from `a` to `b` (b − a). */
export function daysBetween(a: Jour, b: Jour): number {
  const [ya, ma, da] = jourParts(a);
  const [yb, mb, db] = jourParts(b);
  return Math.round((Date.UTC(yb, mb - 1, db) - Date.UTC(ya, ma - 1, da)) / 86_400_000);
}

const parisFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: PARIS_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function parisWallClock(t: number): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const parts: Record<string, number> = {};
  for (const p of parisFormatter.formatToParts(new Date(t))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year!, m: parts.month!, d: parts.day!, h: parts.hour!, mi: parts.minute!, s: parts.second! };
}

/** Offset of Paris from UTC at instant `t`, in milliseconds (3,600,000 in winter, 7,200,000 in summer). */
export function parisOffsetMs(t: number): number {
  const base = Math.floor(t / 1000) * 1000;
  const w = parisWallClock(base);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - base;
}

/** The Paris calendar day of an instant. */
export function parisDayOf(instant: Date): Jour {
  const w = parisWallClock(instant.getTime());
  return `${w.y}-${String(w.m).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}

/**
 * Days already converted (a campaign has a dozen days and every phase check converts them: Intl is the
 * costliest part of a Synthèse, bench/allocations.ts). Bounded, so arbitrary input cannot grow it.
 */
const startOfDayCache = new Map<Jour, number>();

/** The instant of 00:00:00.000 Paris time on day `j`. */
export function parisStartOfDay(j: Jour): Date {
  const known = startOfDayCache.get(j);
  if (known !== undefined) return new Date(known);
  const t = computeParisStartOfDay(j);
  if (startOfDayCache.size >= 4096) startOfDayCache.clear();
  startOfDayCache.set(j, t.getTime());
  return t;
}

function computeParisStartOfDay(j: Jour): Date {
  const [y, m, d] = jourParts(j);
  const wall = Date.UTC(y, m - 1, d);
  // Two passes: the offset at the guess may differ from the offset at the answer around a change of
  // time (Paris changes at 02:00/03:00, never at midnight, but the method does not rely on it).
  let t = wall - parisOffsetMs(wall);
  t = wall - parisOffsetMs(t);
  return new Date(t);
}

/** The last millisecond of day `j`, Paris time (23:59:59.999). */
export function parisEndOfDay(j: Jour): Date {
  return new Date(parisStartOfDay(addDays(j, 1)).getTime() - 1);
}

const frenchDay = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** « 26 mai 2025 » (« 1er » for the first day of a month). */
export function formatJour(j: Jour): string {
  const [y, m, d] = jourParts(j);
  const s = frenchDay.format(new Date(Date.UTC(y, m - 1, d)));
  return d === 1 ? s.replace(/^1 /, '1er ') : s;
}

// ── validation (operator's form) ───────────────────────────────────────────────────────────────────

export interface CampaignError {
  /** path of the field: 'annee', 'periodes.1.fin', 'vagues.0.date' … */
  field: string;
  message: string;
}

/** Minimum total length of the allocation window: two months (D. 6241-27 code du travail). */
export const MIN_WINDOW_MONTHS = 2;

/**
 * The total number of days of the periods (both ends included), and the number of days the law's
 * « deux mois » stands for: the days of two calendar months counted from the first period's first day
 * (26 May → 25 July included = 61 days). The periods together must reach it (D. 6241-27).
 */
export function allocationWindow(c: Pick<Campaign, 'periodes'>): { jours: number; minimum: number } {
  const jours = c.periodes.reduce((s, p) => s + daysBetween(p.debut, p.fin) + 1, 0);
  const first = c.periodes[0];
  const minimum = first ? daysBetween(first.debut, addMonths(first.debut, MIN_WINDOW_MONTHS)) : 0;
  return { jours, minimum };
}

/**
 * Checks a campaign as the operator enters it. Returns every problem found (empty = valid), in French:
 * days that exist; establishments open no later than employers, employers no later than period 1;
 * periods numbered 1…n, each ending on or after its start, in order and without overlap, at least two
 * months in total (D. 6241-27); waves numbered 1…m, in date order, each on a period that exists and
 * strictly after that period's last day, every period paid by at least one wave; the reliquat after the
 * last period and no earlier than the last wave (R. 6241-28); dates in the campaign year (the waves and
 * the reliquat may spill into the next year).
 */
export function validateCampaign(c: Campaign): CampaignError[] {
  const errors: CampaignError[] = [];
  const err = (field: string, message: string) => errors.push({ field, message });

  if (!Number.isInteger(c.annee) || c.annee < 2023 || c.annee > 2100) {
    err('annee', 'L’année de campagne doit être un nombre entier entre 2023 et 2100.');
    return errors;
  }
  const inYear = (j: Jour, spill = false) => {
    const y = Number(j.slice(0, 4));
    return y === c.annee || (spill && y === c.annee + 1);
  };
  const dayField = (field: string, label: string, j: unknown, spill = false): j is Jour => {
    if (!isJour(j)) {
      err(field, `${label} : saisissez une date valide au format JJ/MM/AAAA.`);
      return false;
    }
    if (!inYear(j, spill)) {
      err(
        field,
        spill ? `${label} doit tomber en ${c.annee} ou en ${c.annee + 1}.` : `${label} doit tomber en ${c.annee}, l’année de la campagne.`,
      );
      return false;
    }
    return true;
  };

  const etabOk = dayField('etablissementsOuverture', 'L’ouverture aux établissements', c.etablissementsOuverture);
  const emplOk = dayField('employeursOuverture', 'L’ouverture aux employeurs', c.employeursOuverture);
  if (etabOk && emplOk && c.etablissementsOuverture > c.employeursOuverture)
    err('etablissementsOuverture', 'Les établissements doivent pouvoir se connecter au plus tard le jour de l’ouverture aux employeurs.');

  if (!Array.isArray(c.periodes) || c.periodes.length === 0) {
    err('periodes', 'Ajoutez au moins une période de répartition.');
    return errors;
  }
  if (c.periodes.length > 12) err('periodes', 'Une campagne compte au plus 12 périodes de répartition.');

  let periodsOk = true;
  c.periodes.forEach((p, i) => {
    const label = `Période ${i + 1}`;
    if (p.numero !== i + 1) {
      err(`periodes.${i}.numero`, `${label} : les périodes sont numérotées 1, 2, 3… dans l’ordre (numéro ${i + 1} attendu).`);
      periodsOk = false;
    }
    const d = dayField(`periodes.${i}.debut`, `${label} : le premier jour`, p.debut);
    const f = dayField(`periodes.${i}.fin`, `${label} : le dernier jour`, p.fin);
    if (!d || !f) {
      periodsOk = false;
      return;
    }
    if (p.fin < p.debut) {
      err(`periodes.${i}.fin`, `${label} : le dernier jour (${formatJour(p.fin)}) précède le premier (${formatJour(p.debut)}).`);
      periodsOk = false;
    }
    const prev = c.periodes[i - 1];
    if (i > 0 && prev && isJour(prev.fin) && p.debut <= prev.fin) {
      err(
        `periodes.${i}.debut`,
        `${label} : elle doit commencer après la fin de la période ${i} (${formatJour(prev.fin)}) ; les périodes ne se chevauchent pas.`,
      );
      periodsOk = false;
    }
  });
  const first = c.periodes[0]!;
  const last = c.periodes[c.periodes.length - 1]!;
  if (periodsOk) {
    if (emplOk && c.employeursOuverture > first.debut)
      err(
        'employeursOuverture',
        `Les employeurs doivent pouvoir se connecter au plus tard le premier jour de la période 1 (${formatJour(first.debut)}).`,
      );
    const w = allocationWindow(c);
    if (w.jours < w.minimum)
      err(
        'periodes',
        `Les périodes de répartition totalisent ${w.jours} jours : la loi impose au moins deux mois (${w.minimum} jours à partir du ${formatJour(first.debut)}, article D. 6241-27 du code du travail).`,
      );
  }

  if (!Array.isArray(c.vagues) || c.vagues.length === 0) {
    err('vagues', 'Ajoutez au moins une vague de versement.');
  } else {
    const paid = new Set<number>();
    c.vagues.forEach((v, i) => {
      const label = `Virement ${i + 1}`;
      if (v.numero !== i + 1)
        err(`vagues.${i}.numero`, `${label} : les virements sont numérotés 1, 2, 3… dans l’ordre (numéro ${i + 1} attendu).`);
      const p = c.periodes.find((x) => x.numero === v.periodeNumero);
      if (!p) {
        err(`vagues.${i}.periodeNumero`, `${label} : la période ${String(v.periodeNumero)} n’existe pas.`);
        return;
      }
      paid.add(p.numero);
      if (!dayField(`vagues.${i}.date`, `${label} : la date`, v.date, true)) return;
      if (periodsOk && v.date <= p.fin)
        err(
          `vagues.${i}.date`,
          `${label} : il doit suivre la fin de la période ${p.numero} (${formatJour(p.fin)}), dont il verse les attributions.`,
        );
      const prev = c.vagues[i - 1];
      if (prev && isJour(prev.date)) {
        if (v.date <= prev.date)
          err(`vagues.${i}.date`, `${label} : il doit avoir lieu après le virement ${i} (${formatJour(prev.date)}).`);
        if (v.periodeNumero < prev.periodeNumero)
          err(`vagues.${i}.periodeNumero`, `${label} : les virements suivent l’ordre des périodes.`);
      }
    });
    if (periodsOk)
      for (const p of c.periodes)
        if (!paid.has(p.numero))
          err('vagues', `La période ${p.numero} n’a aucun virement : ajoutez la vague qui versera ses attributions.`);
  }

  if (dayField('reliquat', 'La répartition des fonds non affectés', c.reliquat, true)) {
    if (periodsOk && isJour(last.fin) && c.reliquat <= last.fin)
      err('reliquat', `La répartition des fonds non affectés doit suivre la fin de la dernière période (${formatJour(last.fin)}).`);
    const lastWave = Array.isArray(c.vagues) ? c.vagues[c.vagues.length - 1] : undefined;
    if (lastWave && isJour(lastWave.date) && c.reliquat < lastWave.date)
      err('reliquat', `La répartition des fonds non affectés ne peut précéder le dernier virement (${formatJour(lastWave.date)}).`);
  }
  return errors;
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
