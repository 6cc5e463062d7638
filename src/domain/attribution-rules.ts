/**
 * The rules an employer's allocations (attributions) obey on the server (the employer space,
 * docs/regles.md#limites-attribution and #calendrier). Pure: the caller passes the campaign, the instant
 * (`ctx.clock.now()`), and what the database knows (the period in which the SIRET validated 100 %, the
 * allocations already paid). Every rule carries its legal reference, in a comment and in the error.
 *
 * An allocation is a share of the employer SIRET's crédits à répartir, in **basis points** (1 % = 100,
 * 100 % = 10,000: two decimals of a percentage, never a float), to a target: an établissement, a
 * composante / établissement secondaire (itself a row of the referential, attached to its parent), or
 * one formation of an établissement (CGU SOLTéA art. 1: « à répartir en pourcentage »).
 */
import { FULL_BP, expectedAmounts, parsePercent, type Cents } from './money.js';
import { formatPercent, capitalise } from '../shared/format.js';
import { NATIONAL_LIST_CAP_BP } from './referentiel.js';
import { isInPeriod, phaseAt, type Campaign } from './campagne.js';
import { formatJour } from './jours.js';

export interface AllocationTarget {
  /** the referential row (établissement or composante) */
  etablissementId: number;
  /** a formation of that row, or null/absent for the row itself */
  formationId?: number | null;
  /** how the employer chose it (for messages only) */
  kind?: 'etablissement' | 'composante' | 'formation';
  /** name shown in messages (for example « Lycée Jean Moulin — BTS SIO ») */
  libelle?: string;
}

export interface ProposedAllocation {
  target: AllocationTarget;
  bp: number;
  /** the target is an organisation of the liste nationale (L. 6241-5 13°) */
  national: boolean;
}

/** An allocation already paid by a payment wave: frozen. */
export interface PaidAllocation {
  target: AllocationTarget;
  bp: number;
}

export type AllocationErrorCode =
  | 'pourcentage_invalide'
  | 'cible_invalide'
  | 'cible_en_double'
  | 'total_depasse'
  | 'plafond_liste_nationale'
  | 'campagne_non_ouverte'
  | 'hors_periode'
  | 'campagne_close'
  | 'verrou_validation_totale'
  | 'attribution_versee';

export interface AllocationRuleError {
  code: AllocationErrorCode;
  message: string;
  /** the legal (or contractual) source of the rule */
  reference: string;
  /** index of the allocation in the proposed list, when the error is about one line */
  index?: number;
}

/**
 * The rules and their sources. Where the texts are silent (decimals, duplicates) the choice is the
 * product's and says so.
 */
export const ALLOCATION_RULES: Readonly<Record<AllocationErrorCode, string>> = {
  // Allocation « en pourcentage » (CGU SOLTéA portails connectés, art. 1 « Crédits à répartir »). The texts
  // fix no minimum and no precision (docs/regles.md#limites-attribution): we take 0.01 % (1 bp) to 100 %, two decimals.
  pourcentage_invalide: 'CGU SOLTéA, article 1 (crédits à répartir en pourcentage) ; précision de 0,01 % : choix de la plateforme',
  cible_invalide:
    'Article R. 6241-25 1° du code du travail (établissements habilités et leurs formations mis à disposition par la Caisse des dépôts)',
  // One line per target (the attributions table has a unique index on SIRET × target).
  cible_en_double: 'Choix de la plateforme : une seule ligne par établissement, composante ou formation',
  // An employer shares its own solde: never more than all of it (L. 6241-2 II, crédits à répartir).
  total_depasse: 'Article L. 6241-2 II du code du travail et CGU SOLTéA, article 1 : au plus 100 % des crédits à répartir',
  // Organisations of the national list receive at most 30 % of the amount due by an employer.
  plafond_liste_nationale:
    'Article L. 6241-5, 13° du code du travail : les organismes de la liste nationale reçoivent au plus 30 % du solde dû par l’employeur',
  // Designation only through the platform during the periods fixed by arrêté (D. 6241-27).
  campagne_non_ouverte: 'Article D. 6241-27 du code du travail et arrêté fixant le calendrier de la campagne',
  hors_periode: 'Article D. 6241-27 du code du travail et arrêté fixant le calendrier de la campagne (périodes de répartition)',
  campagne_close:
    'Article D. 6241-27 du code du travail et arrêté fixant le calendrier de la campagne (fin de la dernière période) ; fonds non affectés : article R. 6241-28',
  // « Les employeurs qui ont validé leurs choix … pendant la période mentionnée au 1° … pour la totalité des fonds
  // à leur disposition ne peuvent plus modifier ces choix après la fin de cette période » (arrêté calendrier 2024,
  // art. 2; arrêté du 6 octobre 2023 for each of its periods).
  verrou_validation_totale:
    'Arrêté fixant le calendrier de la campagne (2024 : article 2 de l’arrêté publié sous JORFTEXT000049467907 ; 2023 : arrêté du 6 octobre 2023)',
  // Payments are made from the validated choices at the wave dates; what is paid is not taken back.
  attribution_versee:
    'Article R. 6241-28-2 du code du travail et arrêté fixant le calendrier (versements) ; FAQ SOLTéA « Jusqu’à quand puis-je désigner… » : après clôture et versement, aucune modification',
};

const err = (code: AllocationErrorCode, message: string, index?: number): AllocationRuleError =>
  index === undefined ? { code, message, reference: ALLOCATION_RULES[code] } : { code, message, reference: ALLOCATION_RULES[code], index };

/** A stable key of a target: same établissement/composante and same formation (or none). */
export function targetKey(t: AllocationTarget): string {
  return `${t.etablissementId}:${t.formationId ?? 0}`;
}

function targetName(t: AllocationTarget, index?: number): string {
  if (t.libelle) return `« ${t.libelle} »`;
  const what = t.formationId ? 'la formation' : t.kind === 'composante' ? 'la composante' : 'l’établissement';
  return index === undefined ? what : `${what} de la ligne ${index + 1}`;
}

// ── typed input → basis points ─────────────────────────────────────────────────────────────────────

export interface TypedAllocation {
  target: AllocationTarget;
  /** what the person typed: « 12 », « 12,5 », « 12.25 % » */
  percent: string;
  national: boolean;
}

/**
 * Parses what the employer typed, line by line, with `parsePercent` (negative, zero, over 100, more
 * than two decimals, not a number → a French message naming the line).
 */
export function parseAllocations(
  typed: readonly TypedAllocation[],
): { ok: true; allocations: ProposedAllocation[] } | { ok: false; errors: AllocationRuleError[] } {
  const errors: AllocationRuleError[] = [];
  const allocations: ProposedAllocation[] = [];
  typed.forEach((t, i) => {
    const p = parsePercent(typeof t.percent === 'string' ? t.percent : '');
    if (!p.ok) errors.push(err('pourcentage_invalide', `${capitalise(targetName(t.target, i))} : ${p.message}`, i));
    else allocations.push({ target: t.target, bp: p.bp, national: t.national });
  });
  return errors.length ? { ok: false, errors } : { ok: true, allocations };
}

// ── the rules on a set of shares ───────────────────────────────────────────────────────────────────

export interface SharesSummary {
  totalBp: number;
  nationalBp: number;
  /** what is left to allocate (10,000 − total) */
  resteBp: number;
}

/**
 * The rules on one SIRET's whole set of allocations, whatever the date: each share an integer of
 * 1…10,000 bp; each target valid and present once; total ≤ 100 %; liste nationale ≤ 30 %.
 */
export function checkShares(
  allocations: readonly ProposedAllocation[],
): { ok: true; summary: SharesSummary } | { ok: false; errors: AllocationRuleError[] } {
  const errors: AllocationRuleError[] = [];
  const seen = new Map<string, number>();
  let totalBp = 0;
  let nationalBp = 0;
  allocations.forEach((a, i) => {
    const name = targetName(a.target, i);
    if (
      !Number.isSafeInteger(a.target?.etablissementId) ||
      a.target.etablissementId <= 0 ||
      (a.target.formationId != null && (!Number.isSafeInteger(a.target.formationId) || a.target.formationId <= 0))
    ) {
      errors.push(
        err('cible_invalide', `La ligne ${i + 1} ne désigne pas un établissement, une composante ou une formation habilités.`, i),
      );
      return;
    }
    if (!Number.isInteger(a.bp) || a.bp < 1 || a.bp > FULL_BP) {
      errors.push(
        err(
          'pourcentage_invalide',
          `${capitalise(name)} : le pourcentage doit être compris entre 0,01 % et 100 %, avec au plus deux décimales.`,
          i,
        ),
      );
      return;
    }
    const key = targetKey(a.target);
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push(
        err(
          'cible_en_double',
          `${capitalise(name)} figure déjà à la ligne ${first + 1} : modifiez son pourcentage plutôt que de l’ajouter deux fois.`,
          i,
        ),
      );
      return;
    }
    seen.set(key, i);
    totalBp += a.bp;
    if (a.national) nationalBp += a.bp;
  });
  if (totalBp > FULL_BP)
    errors.push(
      err(
        'total_depasse',
        `Le total de vos attributions atteint ${formatPercent(totalBp)} : il ne peut pas dépasser 100 % de vos crédits à répartir.`,
      ),
    );
  if (nationalBp > NATIONAL_LIST_CAP_BP)
    errors.push(
      err(
        'plafond_liste_nationale',
        `Les organismes de la liste nationale recevraient ensemble ${formatPercent(nationalBp)} de votre solde : la loi limite leur part à ${formatPercent(NATIONAL_LIST_CAP_BP)} (article L. 6241-5, 13° du code du travail).`,
      ),
    );
  return errors.length ? { ok: false, errors } : { ok: true, summary: { totalBp, nationalBp, resteBp: FULL_BP - totalBp } };
}

// ── the calendar rules ─────────────────────────────────────────────────────────────────────────────

export interface CalendarContext {
  campaign: Campaign;
  now: Date;
  /**
   * The number of the period during which this SIRET validated its choices for 100 % of its funds, or
   * null. Once that period has ended nothing can change (arrêté calendrier: « pour la totalité des
   * fonds … ne peuvent plus modifier ces choix après la fin de cette période »).
   */
  validatedFullInPeriod: number | null;
}

/**
 * May this SIRET change its allocations at `now`? Only inside an open period (D. 6241-27 and the
 * calendar arrêté), never after the last period, and not after the end of the period in which it
 * validated 100 % of its funds.
 */
export function checkCalendar(ctx: CalendarContext): { ok: true; periode: number } | { ok: false; errors: AllocationRuleError[] } {
  const { campaign: c, now } = ctx;
  const ph = phaseAt(c, now);
  switch (ph.phase) {
    case 'avant_ouverture':
    case 'etablissements':
      return {
        ok: false,
        errors: [
          err(
            'campagne_non_ouverte',
            `La campagne ${c.annee} n’est pas encore ouverte aux employeurs : vous pourrez répartir votre solde à partir du ${formatJour(c.periodes[0]?.debut ?? c.employeursOuverture)}.`,
          ),
        ],
      };
    case 'avant_periode':
      return {
        ok: false,
        errors: [
          err(
            'campagne_non_ouverte',
            `La période de répartition ${ph.suivante.numero} ouvre le ${formatJour(ph.suivante.debut)} : vos choix ne peuvent pas encore être enregistrés.`,
          ),
        ],
      };
    case 'entre_periodes':
      return {
        ok: false,
        errors: [
          err(
            'hors_periode',
            `La période de répartition ${ph.precedente.numero} est close depuis le ${formatJour(ph.precedente.fin)} au soir ; la période ${ph.suivante.numero} ouvre le ${formatJour(ph.suivante.debut)}. Vos choix ne peuvent pas être modifiés entre deux périodes.`,
          ),
        ],
      };
    case 'cloturee':
    case 'reliquat':
      return {
        ok: false,
        errors: [
          err(
            'campagne_close',
            `La campagne de répartition ${c.annee} est close : vos choix ne peuvent plus être modifiés. Les fonds non attribués sont répartis selon l’article R. 6241-28 du code du travail.`,
          ),
        ],
      };
    case 'periode': {
      const v = ctx.validatedFullInPeriod;
      if (v !== null && v < ph.periode.numero) {
        const p = c.periodes.find((x) => x.numero === v);
        return {
          ok: false,
          errors: [
            err(
              'verrou_validation_totale',
              `Vous avez validé la répartition de la totalité de vos fonds pendant la période ${v}${p ? ` (close le ${formatJour(p.fin)})` : ''} : ces choix ne peuvent plus être modifiés.`,
            ),
          ],
        };
      }
      return { ok: true, periode: ph.periode.numero };
    }
  }
}

/** Allocations already paid cannot change: each must stay, with the same share. */
export function checkPaid(allocations: readonly ProposedAllocation[], paid: readonly PaidAllocation[]): AllocationRuleError[] {
  const proposed = new Map(allocations.map((a) => [targetKey(a.target), a] as const));
  const errors: AllocationRuleError[] = [];
  for (const p of paid) {
    const a = proposed.get(targetKey(p.target));
    const name = capitalise(targetName(p.target));
    if (!a)
      errors.push(
        err(
          'attribution_versee',
          `${name} a déjà reçu le versement de ${formatPercent(p.bp)} de vos crédits : cette attribution ne peut plus être supprimée.`,
        ),
      );
    else if (a.bp !== p.bp)
      errors.push(
        err(
          'attribution_versee',
          `${name} a déjà reçu le versement de ${formatPercent(p.bp)} de vos crédits : ce pourcentage ne peut plus être modifié.`,
          allocations.indexOf(a),
        ),
      );
  }
  return errors;
}

export interface AllocationChange extends CalendarContext {
  /** the whole set the SIRET will have after the change */
  allocations: readonly ProposedAllocation[];
  /** allocations already paid by a wave (frozen) */
  paid: readonly PaidAllocation[];
}

/**
 * Every rule at once, as the server runs it before saving: the calendar first (when the calendar says
 * no, nothing else matters), then the shares and the paid allocations. Returns all messages.
 */
export function validateAllocationChange(
  change: AllocationChange,
): { ok: true; summary: SharesSummary; periode: number } | { ok: false; errors: AllocationRuleError[] } {
  const cal = checkCalendar(change);
  if (!cal.ok) return cal;
  const shares = checkShares(change.allocations);
  const errors = [...(shares.ok ? [] : shares.errors), ...checkPaid(change.allocations, change.paid)];
  if (errors.length || !shares.ok) return { ok: false, errors };
  return { ok: true, summary: shares.summary, periode: cal.periode };
}

/** True when `now` lies in period `numero` of the campaign (for « validated in period N » records). */
export function isDuringPeriod(c: Campaign, numero: number, now: Date): boolean {
  const p = c.periodes.find((x) => x.numero === numero);
  return p ? isInPeriod(p, now) : false;
}

// ── expected amounts ───────────────────────────────────────────────────────────────────────────────

/**
 * The euros each allocation should bring, shown beside its percentage: the crédits à répartir split
 * by largest remainder over 10,000 bp (money.ts). Σ parts = floor(credits × Σbp / 10,000) ≤ credits;
 * each part is the floor of its exact share or one cent more; `nonAttribueCents` is what remains for
 * the reliquat (R. 6241-28).
 */
export function expectedAmountsFor(
  creditsCents: Cents,
  allocations: readonly { bp: number }[],
): { montantsCents: Cents[]; attribueCents: Cents; nonAttribueCents: Cents } {
  const montantsCents = expectedAmounts(
    creditsCents,
    allocations.map((a) => a.bp),
  );
  const attribueCents = montantsCents.reduce((s, x) => s + x, 0n);
  return { montantsCents, attribueCents, nonAttribueCents: creditsCents - attribueCents };
}
