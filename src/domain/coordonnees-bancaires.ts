/**
 * Pure rules of an establishment's bank details (docs/regles.md#coordonnees-bancaires): what an IBAN /
 * BIC / titulaire must be for a SEPA credit transfer, the code that protects their entry, and how an
 * IBAN is shown. Used by the establishment space (module espace-etablissement) and its pages.
 *
 * - IBAN: ISO 13616 (mod 97) and, for FR/MC, the French RIB key (`parseIban`, identifiers.ts); the
 *   account must be in the SEPA zone (EPC409-09, our own list: GP, RE… are SEPA, ibantools says
 *   otherwise) because SOLTéA pays by SEPA credit transfer (docs/regles.md#versements).
 * - BIC: ISO 9362 (`parseBic`); its country must be the IBAN's, or a territory that uses that IBAN
 *   country code (a Guadeloupe bank: BIC «….GP..», IBAN «FR…»; Jersey: BIC «JE», IBAN «GB»).
 * - Titulaire: 2 to 70 characters (pain.001 `Nm` of the creditor is Max70Text), written with the
 *   SEPA « Latin character set » (EPC217-08: a-z A-Z 0-9 / - ? : ( ) . , ' + space) once accents are
 *   transliterated, as the payment file will carry it.
 * - Code: 8 characters drawn by the CSPRNG from 32 unambiguous symbols (no 0/O, 1/I): 40 bits. The
 *   random source is a parameter (the CSPRNG by default), so the rule is tested with given bytes.
 */
import { randomBytes } from 'node:crypto';
import { compactInput } from './identifiers.js';
import { isSepaCountry, parseBic, parseIban, type Bic, type Iban } from './iban.js';

export const BANK_CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const BANK_CODE_LENGTH = 8;
/** 32^8 = 2^40 codes. */
export const BANK_CODE_BITS = BANK_CODE_LENGTH * Math.log2(BANK_CODE_ALPHABET.length);
/** A code is valid 30 days after it was sent (the 2023 codes were mailed weeks before the campaign). */
export const BANK_CODE_VALIDITY_DAYS = 30;
/** Wrong codes before the code is burnt (a new one must be requested). */
export const BANK_CODE_MAX_ATTEMPTS = 5;
/** One code request per establishment per 10 minutes. */
export const BANK_CODE_RATE_WINDOW_SECONDS = 600;

/** A new code from the CSPRNG: 256 is a multiple of 32, so `byte & 31` is uniform. */
export function newBankCode(random: (n: number) => Uint8Array = randomBytes): string {
  const bytes = random(BANK_CODE_LENGTH);
  let s = '';
  for (let i = 0; i < BANK_CODE_LENGTH; i++) s += BANK_CODE_ALPHABET[(bytes[i] ?? 0) & 31];
  return s;
}

/** « ABCD-EFGH » as shown in the mail (the dash is ignored on entry). */
export function formatBankCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** Normalises a typed code (spaces, dashes, lower case); null when it cannot be a code. */
export function normaliseBankCode(input: string): string | null {
  const v = compactInput(input).toUpperCase();
  if (v.length !== BANK_CODE_LENGTH) return null;
  for (const ch of v) if (!BANK_CODE_ALPHABET.includes(ch)) return null;
  return v;
}

/**
 * IBAN countries → the BIC countries that may hold such an account. Territories that use another
 * country's IBAN (ISO 3166 codes of the EPC list attached to a country): French outermost regions and
 * overseas collectivities in SEPA use FR; Åland uses FI; the Crown dependencies use GB.
 */
const BIC_TERRITORIES: Readonly<Record<string, readonly string[]>> = {
  FR: ['FR', 'GP', 'MQ', 'GF', 'RE', 'YT', 'MF', 'PM', 'BL'],
  FI: ['FI', 'AX'],
  GB: ['GB', 'GG', 'JE', 'IM'],
};

/** French overseas territories in SEPA whose accounts have a French IBAN (FR…). */
const FRENCH_SEPA_TERRITORIES = new Set(['GP', 'MQ', 'GF', 'RE', 'YT', 'MF', 'PM', 'BL']);
/** French territories of the XPF zone: French-style RIB but outside SEPA. */
const XPF_TERRITORIES = new Set(['NC', 'PF', 'WF', 'TF']);

const countryNames = (() => {
  try {
    return new Intl.DisplayNames(['fr'], { type: 'region' });
  } catch {
    return null;
  }
})();

/** « Pakistan, PK »; the code alone when the runtime has no French country names. */
function countryLabel(cc: string): string {
  let name: string | undefined;
  try {
    name = countryNames?.of(cc);
  } catch {
    name = undefined;
  }
  return name && name !== cc ? `${name}, ${cc}` : cc;
}

export function sepaMessage(cc: string): string {
  return `Les virements SOLTéA sont des virements SEPA : un compte tenu dans ce pays (${countryLabel(cc)}) ne peut pas les recevoir. Indiquez un compte de l’établissement dans la zone SEPA (France métropolitaine et d’outre-mer, Union européenne, Espace économique européen, Suisse, Royaume-Uni, Monaco…).`;
}

/** The IBAN of a SEPA account, with a French message for every way it can be wrong. */
export function parseSepaIban(input: string): { ok: true; value: Iban } | { ok: false; message: string } {
  const v = compactInput(input).toUpperCase();
  const cc = v.slice(0, 2);
  if (/^[A-Z]{2}/.test(v)) {
    if (FRENCH_SEPA_TERRITORIES.has(cc))
      return {
        ok: false,
        message: `Les comptes tenus outre-mer (${cc}) ont un IBAN français, qui commence par FR : recopiez l’IBAN tel qu’il figure sur le RIB.`,
      };
    if (XPF_TERRITORIES.has(cc)) return { ok: false, message: sepaMessage(cc) };
  }
  const r = parseIban(input);
  if (!r.ok) return r;
  if (!isSepaCountry(cc)) return { ok: false, message: sepaMessage(cc) };
  return r;
}

/** The BIC, consistent with the IBAN's country (or its territory) when the IBAN is known. */
export function parseBicFor(input: string, ibanCountry: string | null): { ok: true; value: Bic } | { ok: false; message: string } {
  const r = parseBic(input);
  if (!r.ok) return r;
  const bicCountry = r.value.slice(4, 6);
  if (XPF_TERRITORIES.has(bicCountry) || !isSepaCountry(bicCountry)) return { ok: false, message: sepaMessage(bicCountry) };
  if (ibanCountry) {
    const allowed = BIC_TERRITORIES[ibanCountry] ?? [ibanCountry];
    if (!allowed.includes(bicCountry))
      return {
        ok: false,
        message: `Le BIC (pays ${bicCountry}) ne correspond pas au pays de l’IBAN (${ibanCountry}) : recopiez les deux depuis le même RIB de l’établissement.`,
      };
  }
  return r;
}

/** Letters with diacritics → SEPA Latin letters (é → e, œ → oe…); typographic apostrophe → '. */
export function transliterateSepa(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[’‘`´]/g, "'")
    .replace(/Œ/g, 'OE')
    .replace(/œ/g, 'oe')
    .replace(/Æ/g, 'AE')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss');
}

const SEPA_CHARSET = /^[A-Za-z0-9/\-?:().,'+ ]+$/;
export const TITULAIRE_MIN = 2;
export const TITULAIRE_MAX = 70;

/** The account holder as the establishment writes it (spaces collapsed), checked for a SEPA file. */
export function parseTitulaire(input: string): { ok: true; value: string } | { ok: false; message: string } {
  const v = input.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (v === '') return { ok: false, message: 'Le titulaire du compte est obligatoire.' };
  if (v.length < TITULAIRE_MIN) return { ok: false, message: `Le titulaire du compte : ${TITULAIRE_MIN} caractères au minimum.` };
  if (v.length > TITULAIRE_MAX)
    return { ok: false, message: `Le titulaire du compte : ${TITULAIRE_MAX} caractères au maximum (limite des virements SEPA).` };
  if (!SEPA_CHARSET.test(transliterateSepa(v)))
    return {
      ok: false,
      message:
        "Le titulaire du compte ne peut contenir que des lettres, des chiffres, des espaces et les signes / - ? : ( ) . , ' + (caractères acceptés par les virements SEPA ; écrivez « et » au lieu de « & »).",
    };
  return { ok: true, value: v };
}

export interface BankDetailsInput {
  iban: string;
  bic: string;
  titulaire: string;
  code: string;
}

export interface BankDetails {
  iban: Iban;
  bic: Bic;
  titulaire: string;
  code: string;
}

export type BankDetailsCheck = { ok: true; value: BankDetails } | { ok: false; errors: Record<string, string> };

/** Every field checked at once, so the form shows every message. */
export function checkBankDetails(input: BankDetailsInput): BankDetailsCheck {
  const errors: Record<string, string> = {};
  const iban = parseSepaIban(input.iban);
  if (!iban.ok) errors.iban = iban.message;
  const bic = parseBicFor(input.bic, iban.ok ? iban.value.slice(0, 2) : null);
  if (!bic.ok) errors.bic = bic.message;
  const titulaire = parseTitulaire(input.titulaire);
  if (!titulaire.ok) errors.titulaire = titulaire.message;
  const code = normaliseBankCode(input.code);
  if (compactInput(input.code) === '') errors.code = 'Le code reçu par courriel est obligatoire.';
  else if (!code)
    errors.code = `Le code comporte ${BANK_CODE_LENGTH} lettres et chiffres, tel qu’il figure dans le courriel (par exemple ABCD-EFGH).`;
  if (!iban.ok || !bic.ok || !titulaire.ok || !code) return { ok: false, errors };
  return { ok: true, value: { iban: iban.value, bic: bic.value, titulaire: titulaire.value, code } };
}

/** « FR•• •••• •••• •••• •••• •••0 189 »: the country and the last 4 characters only. */
export function maskIban(iban: string): string {
  const v = compactInput(iban).toUpperCase();
  if (v.length <= 6) return v;
  const masked = v.slice(0, 2) + '•'.repeat(v.length - 6) + v.slice(-4);
  return masked.replace(/(.{4})(?=.)/g, '$1 ');
}

export function ibanLast4(iban: string): string {
  return compactInput(iban).slice(-4);
}

export type BankStatus = 'a_verifier' | 'verifiee' | 'rejetee';

export const BANK_STATUS_LABELS: Record<BankStatus, string> = {
  a_verifier: 'À vérifier',
  verifiee: 'Vérifiée',
  rejetee: 'Rejetée',
};

export function isBankStatus(s: string): s is BankStatus {
  return s === 'a_verifier' || s === 'verifiee' || s === 'rejetee';
}
