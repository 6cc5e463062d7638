/**
 * The checks of a campaign calendar as the operator enters it (docs/regles.md#calendrier). Pure: every
 * problem found comes back as a French message on its field; nothing is thrown.
 */
import { MIN_RELIQUAT_PART_BP, type Campaign, type Periode } from './campagne.js';
import { addMonths, daysBetween, formatJour, isJour, type Jour } from './jours.js';

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

/** The errors found so far, and the day checks every step uses. */
class Checker {
  readonly errors: CampaignError[] = [];
  constructor(readonly c: Campaign) {}

  err(field: string, message: string) {
    this.errors.push({ field, message });
  }

  /** A day that exists, in the campaign year (or the next one when it may `spill`, for payments). */
  day(field: string, label: string, j: unknown, spill = false): j is Jour {
    if (!isJour(j)) {
      this.err(field, `${label} : saisissez une date valide au format JJ/MM/AAAA.`);
      return false;
    }
    const y = Number(j.slice(0, 4));
    if (y === this.c.annee || (spill && y === this.c.annee + 1)) return true;
    this.err(
      field,
      spill
        ? `${label} doit tomber en ${this.c.annee} ou en ${this.c.annee + 1}.`
        : `${label} doit tomber en ${this.c.annee}, l’année de la campagne.`,
    );
    return false;
  }
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
  const k = new Checker(c);
  if (!Number.isInteger(c.annee) || c.annee < 2023 || c.annee > 2100) {
    k.err('annee', 'L’année de campagne doit être un nombre entier entre 2023 et 2100.');
    return k.errors;
  }
  const employersOk = checkOpenings(k);
  if (!Array.isArray(c.periodes) || c.periodes.length === 0) {
    k.err('periodes', 'Ajoutez au moins une période de répartition.');
    return k.errors;
  }
  const periodsOk = checkPeriods(k);
  if (periodsOk) checkWindow(k, employersOk);
  checkWaves(k, periodsOk);
  checkReliquat(k, periodsOk);
  checkUnpaidShares(k);
  return k.errors;
}

/** The re-designation deadline after the last wave and before the reliquat; each part of the reliquat at least 20 %. */
function checkUnpaidShares(k: Checker) {
  const { c } = k;
  if (c.redesignationFin !== undefined && k.day('redesignationFin', 'La fin des re-désignations', c.redesignationFin, true)) {
    const lastWave = Array.isArray(c.vagues) ? c.vagues[c.vagues.length - 1] : undefined;
    if (lastWave && isJour(lastWave.date) && c.redesignationFin < lastWave.date)
      k.err(
        'redesignationFin',
        `La fin des re-désignations ne peut précéder le dernier virement (${formatJour(lastWave.date)}) : les employeurs doivent savoir quelles parts n’ont pu être versées.`,
      );
    if (isJour(c.reliquat) && c.redesignationFin >= c.reliquat)
      k.err(
        'redesignationFin',
        `La fin des re-désignations doit précéder la répartition des fonds non affectés (${formatJour(c.reliquat)}).`,
      );
  }
  const bp = c.reliquatRegionaleBp;
  if (bp !== undefined && (!Number.isInteger(bp) || bp < MIN_RELIQUAT_PART_BP || bp > 10_000 - MIN_RELIQUAT_PART_BP))
    k.err(
      'reliquatRegionaleBp',
      'La part régionale des fonds non affectés est comprise entre 20 % et 80 % : chaque part vaut au moins 20 % (article R. 6241-28 du code du travail).',
    );
}

/** Establishments open no later than employers. Returns whether the employers' opening is a valid day. */
function checkOpenings(k: Checker): boolean {
  const { c } = k;
  const etabOk = k.day('etablissementsOuverture', 'L’ouverture aux établissements', c.etablissementsOuverture);
  const emplOk = k.day('employeursOuverture', 'L’ouverture aux employeurs', c.employeursOuverture);
  if (etabOk && emplOk && c.etablissementsOuverture > c.employeursOuverture)
    k.err('etablissementsOuverture', 'Les établissements doivent pouvoir se connecter au plus tard le jour de l’ouverture aux employeurs.');
  return emplOk;
}

/** Periods numbered 1…n, each a valid range, in order, without overlap. Returns whether all are sound. */
function checkPeriods(k: Checker): boolean {
  const { c } = k;
  if (c.periodes.length > 12) k.err('periodes', 'Une campagne compte au plus 12 périodes de répartition.');
  let ok = true;
  c.periodes.forEach((p, i) => {
    if (!checkPeriod(k, p, i, c.periodes[i - 1])) ok = false;
  });
  return ok;
}

function checkPeriod(k: Checker, p: Periode, i: number, prev: Periode | undefined): boolean {
  const label = `Période ${i + 1}`;
  let ok = true;
  if (p.numero !== i + 1) {
    k.err(`periodes.${i}.numero`, `${label} : les périodes sont numérotées 1, 2, 3… dans l’ordre (numéro ${i + 1} attendu).`);
    ok = false;
  }
  const d = k.day(`periodes.${i}.debut`, `${label} : le premier jour`, p.debut);
  const f = k.day(`periodes.${i}.fin`, `${label} : le dernier jour`, p.fin);
  if (!d || !f) return false;
  if (p.fin < p.debut) {
    k.err(`periodes.${i}.fin`, `${label} : le dernier jour (${formatJour(p.fin)}) précède le premier (${formatJour(p.debut)}).`);
    ok = false;
  }
  if (i > 0 && prev && isJour(prev.fin) && p.debut <= prev.fin) {
    k.err(
      `periodes.${i}.debut`,
      `${label} : elle doit commencer après la fin de la période ${i} (${formatJour(prev.fin)}) ; les périodes ne se chevauchent pas.`,
    );
    ok = false;
  }
  return ok;
}

/** Employers open by period 1, and the periods together last at least two months (D. 6241-27). */
function checkWindow(k: Checker, employersOk: boolean) {
  const { c } = k;
  const first = c.periodes[0]!;
  if (employersOk && c.employeursOuverture > first.debut)
    k.err(
      'employeursOuverture',
      `Les employeurs doivent pouvoir se connecter au plus tard le premier jour de la période 1 (${formatJour(first.debut)}).`,
    );
  const w = allocationWindow(c);
  if (w.jours < w.minimum)
    k.err(
      'periodes',
      `Les périodes de répartition totalisent ${w.jours} jours : la loi impose au moins deux mois (${w.minimum} jours à partir du ${formatJour(first.debut)}, article D. 6241-27 du code du travail).`,
    );
}

/** Waves numbered 1…m, in date order, each after the period it pays; every period paid. */
function checkWaves(k: Checker, periodsOk: boolean) {
  const { c } = k;
  if (!Array.isArray(c.vagues) || c.vagues.length === 0) {
    k.err('vagues', 'Ajoutez au moins une vague de versement.');
    return;
  }
  const paid = new Set<number>();
  c.vagues.forEach((v, i) => {
    const label = `Virement ${i + 1}`;
    if (v.numero !== i + 1)
      k.err(`vagues.${i}.numero`, `${label} : les virements sont numérotés 1, 2, 3… dans l’ordre (numéro ${i + 1} attendu).`);
    const p = c.periodes.find((x) => x.numero === v.periodeNumero);
    if (!p) {
      k.err(`vagues.${i}.periodeNumero`, `${label} : la période ${String(v.periodeNumero)} n’existe pas.`);
      return;
    }
    paid.add(p.numero);
    if (!k.day(`vagues.${i}.date`, `${label} : la date`, v.date, true)) return;
    if (periodsOk && v.date <= p.fin)
      k.err(
        `vagues.${i}.date`,
        `${label} : il doit suivre la fin de la période ${p.numero} (${formatJour(p.fin)}), dont il verse les attributions.`,
      );
    const prev = c.vagues[i - 1];
    if (prev && isJour(prev.date)) {
      if (v.date <= prev.date)
        k.err(`vagues.${i}.date`, `${label} : il doit avoir lieu après le virement ${i} (${formatJour(prev.date)}).`);
      if (v.periodeNumero < prev.periodeNumero)
        k.err(`vagues.${i}.periodeNumero`, `${label} : les virements suivent l’ordre des périodes.`);
    }
  });
  if (periodsOk)
    for (const p of c.periodes)
      if (!paid.has(p.numero))
        k.err('vagues', `La période ${p.numero} n’a aucun virement : ajoutez la vague qui versera ses attributions.`);
}

/** The reliquat after the last period and no earlier than the last wave (R. 6241-28). */
function checkReliquat(k: Checker, periodsOk: boolean) {
  const { c } = k;
  if (!k.day('reliquat', 'La répartition des fonds non affectés', c.reliquat, true)) return;
  const last = c.periodes[c.periodes.length - 1]!;
  if (periodsOk && isJour(last.fin) && c.reliquat <= last.fin)
    k.err('reliquat', `La répartition des fonds non affectés doit suivre la fin de la dernière période (${formatJour(last.fin)}).`);
  const lastWave = Array.isArray(c.vagues) ? c.vagues[c.vagues.length - 1] : undefined;
  if (lastWave && isJour(lastWave.date) && c.reliquat < lastWave.date)
    k.err('reliquat', `La répartition des fonds non affectés ne peut précéder le dernier virement (${formatJour(lastWave.date)}).`);
}
