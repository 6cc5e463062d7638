/**
 * The values of an envelope line, read from the text a collector's file holds (docs/enveloppes-format.md
 * §1–§2): euros into integer cents, days, deposit dates, payroll periods, collectors, codes de
 * cotisation, SIRETs and names. Pure; each refusal is a French message quoting the value read.
 * Exported: unit-tested, and the command line reads `--frais-operateur` with `parseEuroAmount`.
 */
import { compactInput, isValidSiret } from '../../domain/identifiers.js';
import { searchKey } from '../../domain/text.js';
import { isJour, type Jour } from '../../domain/jours.js';
import type { Collecteur } from '../../domain/enveloppe.js';
import type { Cents } from '../../domain/money.js';
import { CODE_LIBELLES, ENVELOPE_CODES, type EnvelopeCode, type Periode } from './lines.js';

/** Largest amount accepted on one line: 1 milliard d'euros (the whole solde is about 0.5 Md€ a year). */
export const MAX_AMOUNT_CENTS: Cents = 100_000_000_000n;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** A value quoted back in a message: no control characters, at most 40 characters. */
export function quoteValue(v: string): string {
  const clean = v.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e]/g, '').trim();
  return `« ${clean.length > 40 ? clean.slice(0, 40) + '…' : clean} »`;
}

/**
 * Euros typed by a person or a spreadsheet → integer cents, exactly (the decimal string is read
 * digit by digit, never through a float). Accepts « 1234,56 », « 1234.56 », « 1 234,56 », « 1.234,56 »,
 * « 1,234.56 », « 1234 », « 12,5 € »; refuses negative amounts, more than two decimals, exponents,
 * anything not a number, more than 1 milliard d'euros.
 */
const PLAIN_AMOUNT = /^(\d{1,12})(?:[.,](\d{1,2}))?$/;
const GROUPED_SPACES = /^(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,](\d+))?$/;

export function parseEuroAmount(raw: string): Parsed<Cents> {
  const plain = PLAIN_AMOUNT.exec(raw);
  if (plain) {
    // fast path (a national file has millions of lines): digits, optionally a separator and 1-2 decimals;
    // at most 12 digits of euros, so the number of cents (< 10^14 < 2^53) is exact as a double
    const frac = plain[2];
    const cents = BigInt(Number(plain[1]!) * 100 + (frac === undefined ? 0 : frac.length === 1 ? Number(frac) * 10 : Number(frac)));
    return cents > MAX_AMOUNT_CENTS
      ? { ok: false, message: `Le montant ${quoteValue(raw)} dépasse 1 milliard d’euros.` }
      : { ok: true, value: cents };
  }
  const s0 = raw
    .trim()
    .replace(/\s*(?:€|eur|euros?)$/i, '')
    .trim();
  if (s0 === '') return { ok: false, message: 'Le montant est vide.' };
  if (/^[-\u2212]/.test(s0))
    return { ok: false, message: `Le montant ${quoteValue(raw)} est négatif : seuls des montants positifs ou nuls sont acceptés.` };
  let intPart: string;
  let frac = '';
  let m: RegExpExecArray | null;
  if ((m = GROUPED_SPACES.exec(s0))) {
    intPart = m[1]!.replace(/[ \u00a0\u202f]/g, '');
    frac = m[2] ?? '';
  } else if ((m = /^(\d{1,3}(?:\.\d{3})+),(\d+)$/.exec(s0)) || (m = /^(\d{1,3}(?:,\d{3})+)\.(\d+)$/.exec(s0))) {
    intPart = m[1]!.replace(/[.,]/g, '');
    frac = m[2]!;
  } else {
    return { ok: false, message: `Le montant ${quoteValue(raw)} n’est pas un nombre d’euros (par exemple 1234,56).` };
  }
  if (frac.length > 2)
    return {
      ok: false,
      message: `Le montant ${quoteValue(raw)} a plus de deux décimales : indiquez des euros et des centimes (par exemple 1234,56).`,
    };
  if (intPart.length > 12) return { ok: false, message: `Le montant ${quoteValue(raw)} dépasse 1 milliard d’euros.` };
  const cents = BigInt(intPart) * 100n + BigInt(frac.padEnd(2, '0'));
  if (cents > MAX_AMOUNT_CENTS) return { ok: false, message: `Le montant ${quoteValue(raw)} dépasse 1 milliard d’euros.` };
  return { ok: true, value: cents };
}

/** A DSN amount (type Montant_ZNS_4_18_3_N_Z, regexp `-?[0-9]*\.[0-9]{2}`): point, exactly two decimals. */
export function parseDsnAmount(raw: string): Parsed<Cents> {
  const s = raw.trim();
  if (/^-/.test(s))
    return { ok: false, message: `Le montant ${quoteValue(raw)} est négatif : seuls des montants positifs ou nuls sont acceptés.` };
  if (/^\d*,\d+$/.test(s))
    return { ok: false, message: `Le montant ${quoteValue(raw)} : en DSN le séparateur décimal est le point (par exemple 1234.56).` };
  if (/^\d*\.\d{3,}$/.test(s))
    return {
      ok: false,
      message: `Le montant ${quoteValue(raw)} a plus de deux décimales : une valeur DSN s’écrit avec exactement deux décimales (1234.56).`,
    };
  const m = /^(\d*)\.(\d{2})$/.exec(s);
  if (!m)
    return {
      ok: false,
      message: `Le montant ${quoteValue(raw)} n’est pas une valeur DSN (chiffres, un point et deux décimales, par exemple 1234.56).`,
    };
  const intPart = m[1] === '' ? '0' : m[1]!;
  if (intPart.replace(/^0+/, '').length > 12) return { ok: false, message: `Le montant ${quoteValue(raw)} dépasse 1 milliard d’euros.` };
  const cents = BigInt(intPart) * 100n + BigInt(m[2]!);
  if (cents > MAX_AMOUNT_CENTS) return { ok: false, message: `Le montant ${quoteValue(raw)} dépasse 1 milliard d’euros.` };
  return { ok: true, value: cents };
}

const DATE_TOKEN = /(\d{2})\/(\d{2})\/(\d{4})|(\d{4})-(\d{2})-(\d{2})|(?<![\d])(\d{2})(\d{2})(\d{4})(?![\d])/g;

/** « 31/12/2024 », « 2024-12-31 » or the DSN « 31122024 » → `2024-12-31`. */
export function parseDay(raw: string): Parsed<Jour> {
  const s = raw.trim();
  let m: RegExpExecArray | null;
  let j: string | null = null;
  if ((m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s))) j = `${m[3]}-${m[2]}-${m[1]}`;
  else if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s))) j = s;
  else if ((m = /^(\d{2})(\d{2})(\d{4})$/.exec(s))) j = `${m[3]}-${m[2]}-${m[1]}`;
  if (!j) return { ok: false, message: `La date ${quoteValue(raw)} n’est pas au format JJ/MM/AAAA.` };
  if (!isJour(j)) return { ok: false, message: `La date ${quoteValue(raw)} n’existe pas.` };
  return { ok: true, value: j };
}

/** A deposit date, optionally with a time: « 05/05/2025 », « 2025-05-05 10:32 », « 2025-05-05T10:32:07 ». */
export function parseDepositDate(raw: string): Parsed<string> {
  const s = raw.trim();
  const m = /^(\S+?)(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (!m) return { ok: false, message: `La date de dépôt ${quoteValue(raw)} n’est pas au format JJ/MM/AAAA (heure HH:MM facultative).` };
  const d = parseDay(m[1]!);
  if (!d.ok) return { ok: false, message: `Date de dépôt : ${d.message}` };
  if (m[2] === undefined) return { ok: true, value: d.value };
  const h = Number(m[2]);
  const mi = Number(m[3]);
  const se = m[4] === undefined ? null : Number(m[4]);
  if (h > 23 || mi > 59 || (se !== null && se > 59)) return { ok: false, message: `L’heure de dépôt ${quoteValue(raw)} n’existe pas.` };
  return { ok: true, value: `${d.value}T${m[2]}:${m[3]}${se === null ? '' : `:${m[4]}`}` };
}

/**
 * The period of the payroll: « 2024 » (the whole year), or two dates « 01/01/2024 - 31/12/2024 »,
 * « du 01/01/2024 au 30/06/2024 », « 2024-01-01/2024-12-31 », « 01012024-31122024 ». Within one
 * calendar year, first day ≤ last day.
 */
export function parsePeriode(raw: string): Parsed<Periode> {
  const s = raw.trim();
  if (/^\d{4}$/.test(s)) {
    const y = Number(s);
    if (y < 2000 || y > 2999) return { ok: false, message: `La période ${quoteValue(raw)} n’est pas une année valide.` };
    return { ok: true, value: { debut: `${s}-01-01`, fin: `${s}-12-31` } };
  }
  const tokens = [...s.matchAll(DATE_TOKEN)];
  const rest = s.replace(DATE_TOKEN, ' ');
  if (tokens.length !== 2 || !/^[\s\-–—/.>:]*(?:du)?[\s\-–—/.>:]*(?:au|à|a)?[\s\-–—/.>:]*$/i.test(rest.replace(/\s+/g, ' ')))
    return { ok: false, message: `La période ${quoteValue(raw)} doit être une année (AAAA) ou deux dates (JJ/MM/AAAA - JJ/MM/AAAA).` };
  const days: Jour[] = [];
  for (const t of tokens) {
    const d = parseDay(t[0]);
    if (!d.ok) return { ok: false, message: `Période : ${d.message}` };
    days.push(d.value);
  }
  return periodeOf(days[0]!, days[1]!, raw);
}

/** Two days of one calendar year, the first not after the last (`raw` is quoted back in the messages). */
export function periodeOf(debut: Jour, fin: Jour, raw: string): Parsed<Periode> {
  if (fin < debut) return { ok: false, message: `La période ${quoteValue(raw)} se termine avant de commencer.` };
  if (debut.slice(0, 4) !== fin.slice(0, 4))
    return { ok: false, message: `La période ${quoteValue(raw)} doit tenir dans une seule année civile (celle de la masse salariale).` };
  return { ok: true, value: { debut, fin } };
}

/** « Urssaf », « URSSAF », « MSA » (and « CGSS », the Urssaf of the overseas départements). */
export function parseCollecteur(raw: string): Parsed<Collecteur> {
  if (raw === 'URSSAF' || raw === 'MSA') return { ok: true, value: raw };
  const k = searchKey(raw).replace(/ /g, '');
  if (k === 'urssaf' || k === 'cgss') return { ok: true, value: 'URSSAF' };
  if (k === 'msa') return { ok: true, value: 'MSA' };
  return { ok: false, message: `L’organisme collecteur doit être URSSAF ou MSA (valeur reçue : ${quoteValue(raw)}).` };
}

/** « 76 », « 076 » → « 076 »; only 076, 077 and 078 make the envelope. */
const CODE_OK: Readonly<Record<string, Parsed<EnvelopeCode>>> = {
  '076': { ok: true, value: '076' },
  '077': { ok: true, value: '077' },
  '078': { ok: true, value: '078' },
};

export function parseCode(raw: string): Parsed<EnvelopeCode> {
  const fast = CODE_OK[raw];
  if (fast) return fast;
  const s = raw.trim();
  if (!/^\d{1,3}$/.test(s))
    return { ok: false, message: `Le code ${quoteValue(raw)} n’est pas un code de cotisation DSN (076, 077 ou 078).` };
  const c = s.padStart(3, '0');
  if ((ENVELOPE_CODES as readonly string[]).includes(c)) return { ok: true, value: c as EnvelopeCode };
  const lib = CODE_LIBELLES[c];
  return {
    ok: false,
    message: lib
      ? `Le code ${c} (${lib}) n’entre pas dans l’enveloppe : seuls 076, 077 et 078 sont acceptés.`
      : `Code inconnu ${quoteValue(raw)} : seuls 076 (solde), 077 et 078 (déductions) sont acceptés.`,
  };
}

/** SIRET of a line: 14 digits required; a failing check digit is a warning only. */
export function parseLineSiret(
  raw: string,
  label = 'Le numéro SIRET',
): { ok: true; value: string; warning: string | null } | { ok: false; message: string } {
  const v = compactInput(raw);
  if (v === '') return { ok: false, message: `${label} est vide.` };
  if (!/^[0-9]{14}$/.test(v)) return { ok: false, message: `${label} ${quoteValue(raw)} doit comporter 14 chiffres.` };
  return {
    ok: true,
    value: v,
    warning: isValidSiret(v) ? null : `${label} ${v} ne passe pas la clé de contrôle : ligne importée avec un avertissement.`,
  };
}

/** Refused at the start of a name: a spreadsheet would run it as a formula (a name is never a number). */
const FORMULA = /^[=+@\-\t\r]/;

/** A person's or company's name: trimmed, spaces collapsed, ≤ 80 characters, no control characters nor formula. */
export function parseNom(raw: string, label: string): Parsed<string | null> {
  const s = raw
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (s === '') return { ok: true, value: null };
  if (FORMULA.test(s)) return { ok: false, message: `${label} ${quoteValue(raw)} commence par =, +, - ou @ : les formules sont refusées.` };
  if (s.length > 80) return { ok: false, message: `${label} dépasse 80 caractères.` };
  return { ok: true, value: s };
}

/**
 * The solde of campaign N is due on the payroll of N − 1: a later period cannot belong to it; an
 * earlier one is a correction after its own campaign (kept, see `aggregateEnvelopeLines`).
 */
export function checkExercice(p: Periode, annee: number, bad: (m: string) => void): void {
  const y = Number(p.debut.slice(0, 4));
  if (y >= annee)
    bad(
      `La période ${y} ne peut pas alimenter la campagne ${annee} : le solde de la campagne ${annee} porte sur la masse salariale ${annee - 1}` +
        (y === annee ? ' (indiquez l’année de la masse salariale, pas celle de la campagne).' : '.'),
    );
}
