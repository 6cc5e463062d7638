/**
 * Pure validation rules for the identifiers of companies and schools: SIREN / SIRET (INSEE), UAI
 * (Éducation nationale) (docs/regles.md#identifiants). Bank identifiers are in iban.ts.
 *
 * No I/O, no clock, no randomness: every function is deterministic and can run in the
 * browser as well as in Node.
 *
 * Conventions:
 * - `isValidXxx(value)` works on the canonical form (no spaces, upper case) and never throws.
 * - `parseXxx(input)` takes raw user input (trims, removes spaces, dots and dashes,
 *   upper-cases where relevant) and returns a branded value or a French message.
 */

// ---------------------------------------------------------------------------
// Branded types and result type
// ---------------------------------------------------------------------------

export type Siren = string & { readonly __brand: 'Siren' };
export type Siret = string & { readonly __brand: 'Siret' };
export type Uai = string & { readonly __brand: 'Uai' };

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

export const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
export const fail = <T>(message: string): ParseResult<T> => ({ ok: false, message });

/**
 * Normalises user input: trims and removes every whitespace (incl. non-breaking spaces),
 * dots and dashes (hyphen, non-breaking hyphen, en/em dash, minus sign).
 */
export function compactInput(input: string): string {
  return input.trim().replace(/[\s.\-\u2010-\u2015\u2212]/g, '');
}

const DIGITS = /^[0-9]+$/;

// ---------------------------------------------------------------------------
// Luhn (ISO/IEC 7812-1 annex B)
// ---------------------------------------------------------------------------

/** Luhn sum of a digit string (rightmost digit not doubled). Caller guarantees digits only. */
function luhnSum(digits: string): number {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum;
}

/** True when `digits` (digits only) passes the Luhn check. */
export function luhnIsValid(digits: string): boolean {
  return digits.length > 0 && DIGITS.test(digits) && luhnSum(digits) % 10 === 0;
}

/** The Luhn check digit to append to `payload` (digits only). */
export function luhnCheckDigit(payload: string): string {
  if (!DIGITS.test(payload)) throw new Error('luhnCheckDigit: digits only');
  return String((10 - (luhnSum(payload + '0') % 10)) % 10);
}

function digitSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += digits.charCodeAt(i) - 48;
  return sum;
}

// ---------------------------------------------------------------------------
// SIREN / SIRET
// Reference: INSEE, « Répertoire SIRENE — le numéro SIREN / SIRET » : the SIREN is
// 8 digits + 1 Luhn check digit; the SIRET is SIREN + NIC (5 digits) and the whole
// 14-digit number satisfies the Luhn algorithm. Exception documented by INSEE for
// La Poste (SIREN 356 000 000): its establishments were numbered in a continuous
// sequence, so the SIRET does not satisfy Luhn; instead the sum of the 14 digits is a
// multiple of 5. The head office 356 000 000 00048 satisfies Luhn but not the
// mod-5 rule, so for La Poste we accept either rule.
// ---------------------------------------------------------------------------

export const LA_POSTE_SIREN = '356000000';

/** SIREN: 9 digits, Luhn (INSEE). */
export function isValidSiren(value: string): value is Siren {
  return value.length === 9 && luhnIsValid(value);
}

/** SIRET: 14 digits, Luhn over the 14 digits; La Poste: Luhn OR digit sum multiple of 5 (INSEE). */
export function isValidSiret(value: string): value is Siret {
  if (value.length !== 14 || !DIGITS.test(value)) return false;
  if (luhnIsValid(value)) return true;
  return value.startsWith(LA_POSTE_SIREN) && digitSum(value) % 5 === 0;
}

/** A number of `length` digits checked by `isValid`, with the French messages that name it (SIREN, SIRET). */
function parseDigitsNumber<T extends string>(input: string, name: string, length: number, isValid: (v: string) => v is T): ParseResult<T> {
  const v = compactInput(input);
  if (v === '') return fail(`Le numéro ${name} est obligatoire.`);
  if (v.length !== length || !DIGITS.test(v)) return fail(`Le numéro ${name} doit comporter ${length} chiffres.`);
  if (!isValid(v)) return fail(`Le numéro ${name} n'est pas valide (clé de contrôle incorrecte).`);
  return ok(v);
}

export function parseSiren(input: string): ParseResult<Siren> {
  return parseDigitsNumber(input, 'SIREN', 9, isValidSiren);
}

export function parseSiret(input: string): ParseResult<Siret> {
  return parseDigitsNumber(input, 'SIRET', 14, isValidSiret);
}

/** The 9-digit SIREN of a SIRET. */
export function sirenOfSiret(siret: Siret): Siren {
  return siret.slice(0, 9) as Siren;
}

/** The 5-digit NIC (numéro interne de classement) of a SIRET. */
export function nicOfSiret(siret: Siret): string {
  return siret.slice(9, 14);
}

/** "999005703" → "999 005 703". Non-canonical input is returned compacted but ungrouped. */
export function formatSiren(siren: string): string {
  const v = compactInput(siren);
  return /^\d{9}$/.test(v) ? `${v.slice(0, 3)} ${v.slice(3, 6)} ${v.slice(6, 9)}` : v;
}

/** "99900570300007" → "999 005 703 00007". */
export function formatSiret(siret: string): string {
  const v = compactInput(siret);
  return /^\d{14}$/.test(v) ? `${formatSiren(v.slice(0, 9))} ${v.slice(9)}` : v;
}

/** Completes an 8-digit prefix with its Luhn key (demo data generation). */
export function makeValidSiren(prefix8: string): Siren {
  if (!/^\d{8}$/.test(prefix8)) throw new Error('makeValidSiren: 8 digits expected');
  return (prefix8 + luhnCheckDigit(prefix8)) as Siren;
}

/**
 * Builds a valid SIRET from a valid SIREN and the first 4 digits of the NIC by choosing
 * the 5th NIC digit (demo data generation). For La Poste the smallest digit making the
 * digit sum a multiple of 5 is chosen; otherwise the Luhn key.
 */
export function makeValidSiret(siren: string, nicPrefix4: string): Siret {
  if (!isValidSiren(siren)) throw new Error('makeValidSiret: valid 9-digit SIREN expected');
  if (!/^\d{4}$/.test(nicPrefix4)) throw new Error('makeValidSiret: 4 NIC digits expected');
  const payload = siren + nicPrefix4;
  const last = siren === LA_POSTE_SIREN ? String((5 - (digitSum(payload) % 5)) % 5) : luhnCheckDigit(payload);
  return (payload + last) as Siret;
}

// ---------------------------------------------------------------------------
// UAI (Unité administrative immatriculée, ex-RNE)
// Reference: ministère de l'Éducation nationale, Répertoire national des établissements
// (RNE/RAMSESE): 7 characters (3-digit department code + 4-digit sequence) + a check
// letter = "ABCDEFGHJKLMNPRSTUVWXYZ"[int(first 7) mod 23] (23 letters, no I, O, Q).
// Corsican UAIs use numeric department codes 620 (2A) and 720 (2B), so the first 7
// characters are always digits; DOM use 97x, COM 98x.
// ---------------------------------------------------------------------------

const UAI_LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';

function uaiLetter(first7: string): string {
  return UAI_LETTERS.charAt(Number(first7) % 23);
}

/** UAI in canonical form: 7 digits + upper-case check letter. */
export function isValidUai(value: string): value is Uai {
  return /^\d{7}[A-Z]$/.test(value) && uaiLetter(value.slice(0, 7)) === value.charAt(7);
}

export function parseUai(input: string): ParseResult<Uai> {
  const v = compactInput(input).toUpperCase();
  if (v === '') return fail('Le numéro UAI est obligatoire.');
  if (!/^\d{7}[A-Z]$/.test(v)) {
    return fail("Le numéro UAI doit comporter 7 chiffres suivis d'une lettre (ex. : 0751234J).");
  }
  if (!isValidUai(v)) return fail("Le numéro UAI n'est pas valide (lettre de contrôle incorrecte).");
  return ok(v);
}

/** Completes 7 digits with the UAI check letter (demo data generation). */
export function makeValidUai(first7: string): Uai {
  if (!/^\d{7}$/.test(first7)) throw new Error('makeValidUai: 7 digits expected');
  return (first7 + uaiLetter(first7)) as Uai;
}
