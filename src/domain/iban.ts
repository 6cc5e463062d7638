/**
 * Pure validation rules for bank identifiers: the French RIB key, IBAN (ISO 13616), BIC (ISO 9362) and
 * the SEPA area (docs/regles.md#identifiants, #coordonnees-bancaires). Same conventions as
 * identifiers.ts: `isValidXxx` on the canonical form, `parseXxx` on what a person typed.
 */
import { compactInput, fail, ok, type ParseResult } from './identifiers.js';

export type Iban = string & { readonly __brand: 'Iban' };
export type Bic = string & { readonly __brand: 'Bic' };

// ---------------------------------------------------------------------------
// RIB key (clé RIB)
// Reference: Comité français d'organisation et de normalisation bancaires (CFONB),
// relevé d'identité bancaire: key = 97 − ((89 × banque + 15 × guichet + 3 × compte) mod 97),
// letters of the account number converted A,J=1 B,K,S=2 C,L,T=3 D,M,U=4 E,N,V=5
// F,O,W=6 G,P,X=7 H,Q,Y=8 I,R,Z=9. Also used by Monaco (same BBAN).
// ---------------------------------------------------------------------------

function ribDigits(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (c >= 48 && c <= 57) out += ch;
    else if (c >= 65 && c <= 73)
      out += String(c - 64); // A..I → 1..9
    else if (c >= 74 && c <= 82)
      out += String(c - 73); // J..R → 1..9
    else if (c >= 83 && c <= 90)
      out += String(c - 81); // S..Z → 2..9
    else throw new Error('ribDigits: invalid character');
  }
  return out;
}

/** The 2-digit RIB key of banque (5 digits), guichet (5 digits), compte (11 alphanumerics). */
export function ribKey(banque: string, guichet: string, compte: string): string {
  const b = banque.toUpperCase();
  const g = guichet.toUpperCase();
  const c = compte.toUpperCase();
  if (!/^\d{5}$/.test(b) || !/^\d{5}$/.test(g) || !/^[0-9A-Z]{11}$/.test(c)) {
    throw new Error('ribKey: banque 5 digits, guichet 5 digits, compte 11 alphanumerics expected');
  }
  // 89·b + 15·g + 3·c < 2^53 (c < 10^11), exact in double precision.
  const r = (89 * Number(b) + 15 * Number(g) + 3 * Number(ribDigits(c))) % 97;
  return String(97 - r).padStart(2, '0');
}

export interface RibParts {
  banque: string;
  guichet: string;
  compte: string;
  cle: string;
}

/** Splits a 23-character RIB (banque + guichet + compte + clé); null when malformed. */
export function splitRib(rib: string): RibParts | null {
  const v = compactInput(rib).toUpperCase();
  const m = /^(\d{5})(\d{5})([0-9A-Z]{11})(\d{2})$/.exec(v);
  if (!m) return null;
  return { banque: m[1] ?? '', guichet: m[2] ?? '', compte: m[3] ?? '', cle: m[4] ?? '' };
}

/** True when the 23-character RIB has a correct key. */
export function isValidRib(rib: string): boolean {
  const p = splitRib(rib);
  return p !== null && ribKey(p.banque, p.guichet, p.compte) === p.cle;
}

// ---------------------------------------------------------------------------
// IBAN
// Reference: ISO 13616-1:2020 (structure; check digits by ISO/IEC 7064 MOD 97-10:
// move the first 4 characters to the end, A=10 … Z=35, the number mod 97 must be 1),
// and the SWIFT IBAN Registry (release 101) for each country's BBAN structure
// (as distributed in python-stdnum's iban.dat). Notation: n = digits, a = upper-case
// letters, c = alphanumerics, "4!n" = exactly 4 digits.
// National checks: for FR and MC the BBAN is a RIB, whose key is also verified; for ES
// the two « dígitos de control » of the CCC (Código Cuenta Cliente, Real Decreto /
// norma AEB) are verified, as python-stdnum and ibantools do.
// ---------------------------------------------------------------------------

const IBAN_BBAN_FORMATS: Readonly<Record<string, string>> = {
  AD: '4!n4!n12!c',
  AE: '3!n16!n',
  AL: '8!n16!c',
  AT: '5!n11!n',
  AZ: '4!a20!c',
  BA: '3!n3!n8!n2!n',
  BE: '3!n7!n2!n',
  BG: '4!a4!n2!n8!c',
  BH: '4!a14!c',
  BI: '5!n5!n11!n2!n',
  BR: '8!n5!n10!n1!a1!c',
  BY: '4!c4!n16!c',
  CH: '5!n12!c',
  CR: '4!n14!n',
  CY: '3!n5!n16!c',
  CZ: '4!n16!n',
  DE: '8!n10!n',
  DJ: '5!n5!n11!n2!n',
  DK: '4!n9!n1!n',
  DO: '4!c20!n',
  EE: '2!n14!n',
  EG: '4!n4!n17!n',
  ES: '4!n4!n1!n1!n10!n',
  FI: '3!n11!n',
  FK: '2!a12!n',
  FO: '4!n9!n1!n',
  FR: '5!n5!n11!c2!n',
  GB: '4!a6!n8!n',
  GE: '2!a16!n',
  GI: '4!a15!c',
  GL: '4!n9!n1!n',
  GR: '3!n4!n16!c',
  GT: '4!c20!c',
  HN: '4!a20!n',
  HR: '7!n10!n',
  HU: '3!n4!n1!n15!n1!n',
  IE: '4!a6!n8!n',
  IL: '3!n3!n13!n',
  IQ: '4!a3!n12!n',
  IS: '4!n2!n6!n10!n',
  IT: '1!a5!n5!n12!c',
  JO: '4!a4!n18!c',
  KW: '4!a22!c',
  KZ: '3!n13!c',
  LB: '4!n20!c',
  LC: '4!a24!c',
  LI: '5!n12!c',
  LT: '5!n11!n',
  LU: '3!n13!c',
  LV: '4!a13!c',
  LY: '3!n3!n15!n',
  MC: '5!n5!n11!c2!n',
  MD: '2!c18!c',
  ME: '3!n13!n2!n',
  MK: '3!n10!c2!n',
  MN: '4!n12!n',
  MR: '5!n5!n11!n2!n',
  MT: '4!a5!n18!c',
  MU: '4!a2!n2!n12!n3!n3!a',
  NI: '4!a20!n',
  NL: '4!a10!n',
  NO: '4!n6!n1!n',
  OM: '3!n16!c',
  PK: '4!a16!c',
  PL: '8!n16!n',
  PS: '4!a21!c',
  PT: '4!n4!n11!n2!n',
  QA: '4!a21!c',
  RO: '4!a16!c',
  RS: '3!n13!n2!n',
  RU: '9!n5!n15!c',
  SA: '2!n18!c',
  SC: '4!a2!n2!n16!n3!a',
  SD: '2!n12!n',
  SE: '3!n16!n1!n',
  SI: '5!n8!n2!n',
  SK: '4!n6!n10!n',
  SM: '1!a5!n5!n12!c',
  SO: '4!n3!n12!n',
  ST: '4!n4!n11!n2!n',
  SV: '4!a20!n',
  TL: '3!n14!n2!n',
  TN: '2!n3!n13!n2!n',
  TR: '5!n1!n16!c',
  UA: '6!n19!c',
  VA: '3!n15!n',
  VG: '4!a16!n',
  XK: '4!n10!n2!n',
  YE: '4!a4!n18!c',
};

interface IbanCountrySpec {
  length: number;
  bban: RegExp;
}

function compileBban(spec: string): IbanCountrySpec {
  let length = 4;
  let source = '';
  for (const m of spec.matchAll(/(\d+)!([nac])/g)) {
    const n = Number(m[1]);
    length += n;
    const cls = m[2] === 'n' ? '[0-9]' : m[2] === 'a' ? '[A-Z]' : '[0-9A-Z]';
    source += `${cls}{${n}}`;
  }
  return { length, bban: new RegExp(`^${source}$`) };
}

const IBAN_SPECS: ReadonlyMap<string, IbanCountrySpec> = new Map(
  Object.entries(IBAN_BBAN_FORMATS).map(([cc, spec]) => [cc, compileBban(spec)]),
);

/** Total IBAN length for a country of the IBAN registry, or undefined. */
export function ibanLength(countryCode: string): number | undefined {
  return IBAN_SPECS.get(countryCode.toUpperCase())?.length;
}

/** ISO/IEC 7064 MOD 97-10 remainder of an IBAN (first 4 chars moved to the end). */
function ibanMod97(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else rem = (rem * 100 + (c - 55)) % 97; // A=10 … Z=35
  }
  return rem;
}

/** Spanish CCC control digit (mod 11, weights 1,2,4,8,5,10,9,7,3,6 from the left of a 10-digit block). */
function spanishControlDigit(tenDigits: string): number {
  const weights = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (tenDigits.charCodeAt(i) - 48) * (weights[i] ?? 0);
  const r = 11 - (sum % 11);
  return r === 11 ? 0 : r === 10 ? 1 : r;
}

/** ES BBAN = entidad (4) + oficina (4) + 2 control digits + cuenta (10). */
function isValidSpanishBban(bban: string): boolean {
  const dc1 = spanishControlDigit(`00${bban.slice(0, 8)}`);
  const dc2 = spanishControlDigit(bban.slice(10, 20));
  return bban.slice(8, 10) === `${dc1}${dc2}`;
}

type IbanIssue = 'format' | 'country' | 'length' | 'bban' | 'checksum' | 'ribKey' | 'national';

function ibanIssue(v: string): IbanIssue | null {
  if (!/^[A-Z]{2}[0-9]{2}[0-9A-Z]+$/.test(v)) return 'format';
  const cc = v.slice(0, 2);
  const spec = IBAN_SPECS.get(cc);
  if (!spec) return 'country';
  if (v.length !== spec.length) return 'length';
  if (!spec.bban.test(v.slice(4))) return 'bban';
  // Check digits are 02..98 by construction (98 − mod); 00, 01 and 99 are never issued.
  const check = Number(v.slice(2, 4));
  if (check < 2 || check > 98 || ibanMod97(v) !== 1) return 'checksum';
  if (cc === 'FR' || cc === 'MC') {
    const rib = splitRib(v.slice(4));
    if (!rib || ribKey(rib.banque, rib.guichet, rib.compte) !== rib.cle) return 'ribKey';
  }
  if (cc === 'ES' && !isValidSpanishBban(v.slice(4))) return 'national';
  return null;
}

/** IBAN in electronic (canonical) form: upper case, no spaces. */
export function isValidIban(value: string): value is Iban {
  return ibanIssue(value) === null;
}

/** FR/MC IBAN → RIB parts; null for other countries or malformed input. */
export function ribOfIban(iban: string): RibParts | null {
  const v = compactInput(iban).toUpperCase();
  if (!/^(FR|MC)\d{2}/.test(v) || v.length !== 27) return null;
  return splitRib(v.slice(4));
}

/** Builds a valid French IBAN from banque/guichet/compte (demo data generation). */
export function makeValidFrenchIban(banque: string, guichet: string, compte: string): Iban {
  const bban = banque + guichet + compte.toUpperCase() + ribKey(banque, guichet, compte);
  const check = 98 - ibanMod97(`FR00${bban}`);
  return `FR${String(check).padStart(2, '0')}${bban}` as Iban;
}

/** "FR7630006000011234567890189" → "FR76 3000 6000 0112 3456 7890 189". */
export function formatIban(iban: string): string {
  return compactInput(iban)
    .toUpperCase()
    .replace(/(.{4})(?=.)/g, '$1 ');
}

export interface ParseIbanOptions {
  /** Refuse IBANs whose country is outside the SEPA scheme (see SEPA_COUNTRIES). */
  sepaOnly?: boolean;
}

export function parseIban(input: string, options: ParseIbanOptions = {}): ParseResult<Iban> {
  const v = compactInput(input).toUpperCase();
  if (v === '') return fail("L'IBAN est obligatoire.");
  const issue = ibanIssue(v);
  const cc = v.slice(0, 2);
  switch (issue) {
    case 'format':
      return fail(
        "L'IBAN doit commencer par le code pays (2 lettres) et la clé (2 chiffres), suivis de lettres et de chiffres uniquement.",
      );
    case 'country':
      return fail(`Le code pays « ${cc} » de l'IBAN n'est pas reconnu.`);
    case 'length':
      return fail(`Un IBAN ${cc} doit comporter ${ibanLength(cc) ?? '?'} caractères.`);
    case 'bban':
      return fail(`Le format de l'IBAN ne correspond pas à celui du pays ${cc}.`);
    case 'checksum':
      return fail("L'IBAN n'est pas valide (clé de contrôle incorrecte).");
    case 'ribKey':
      return fail("L'IBAN n'est pas valide (clé RIB incorrecte).");
    case 'national':
      return fail("L'IBAN n'est pas valide (clé de contrôle nationale incorrecte).");
    case null:
      break;
  }
  if (options.sepaOnly && !isSepaCountry(cc)) return fail("Cet IBAN n'appartient pas à la zone SEPA.");
  return ok(v as Iban);
}

// ---------------------------------------------------------------------------
// SEPA zone
// Reference: European Payments Council, EPC409-09 « EPC List of SEPA Scheme Countries »
// (geographical scope of the SCT, SCT Inst and SDD schemes; 41 countries as of the EPC
// Board decision of 22 May 2025 admitting Serbia — Serbian PSPs operational from 2026).
// Codes listed here are ISO 3166-1 alpha-2 codes of countries AND of the territories the
// EPC list attaches to them (useful e.g. for BIC country codes: a Guadeloupe bank has a
// BIC "....GP.."; the IBAN of that bank still starts with FR).
// Not in SEPA although they use French RIB/IBAN "FR…": New Caledonia (NC), French
// Polynesia (PF), Wallis-and-Futuna (WF), TAAF (TF) — XPF zone, outside the EPC list.
// ---------------------------------------------------------------------------

export const SEPA_COUNTRIES: ReadonlySet<string> = new Set([
  // EU member states (27)
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
  // French outermost regions (part of the EU, listed with France by the EPC)
  'GF',
  'GP',
  'MQ',
  'RE',
  'YT',
  'MF',
  // French territories outside the EU but in SEPA (euro, listed with France)
  'PM',
  'BL',
  // Åland (listed with Finland)
  'AX',
  // EEA non-EU
  'IS',
  'LI',
  'NO',
  // Other SEPA countries
  'CH',
  'GB',
  'MC',
  'SM',
  'VA',
  'AD',
  // Gibraltar and the Crown dependencies (listed with the United Kingdom)
  'GI',
  'GG',
  'JE',
  'IM',
  // Admitted 2024-2025 (Western Balkans / Moldova)
  'AL',
  'ME',
  'MD',
  'MK',
  'RS',
]);

/** True when the ISO 3166-1 alpha-2 code belongs to the SEPA scheme's geographical scope. */
export function isSepaCountry(countryCode: string): boolean {
  return SEPA_COUNTRIES.has(countryCode.toUpperCase());
}

/** True when the IBAN is valid and its country is in the SEPA zone. */
export function isSepaIban(iban: string): boolean {
  const v = compactInput(iban).toUpperCase();
  return isValidIban(v) && isSepaCountry(v.slice(0, 2));
}

// ---------------------------------------------------------------------------
// BIC
// Reference: ISO 9362 (Business Identifier Code): 4 letters (institution) + 2 letters
// (ISO 3166-1 alpha-2 country) + 2 alphanumerics (location) + optional 3 alphanumerics
// (branch). Pattern used by the EPC SEPA schemas (EPC132-08, BICIdentifier):
// [A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})? — a location starting with 0 or 1 is reserved
// and a location ending with "O" is not allowed. The country must exist.
// ---------------------------------------------------------------------------

/** ISO 3166-1 alpha-2 codes (ISO/TC 46 list, 249 codes) + XK (Kosovo, user-assigned, used by SWIFT). */
const ISO_COUNTRIES: ReadonlySet<string> = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ ' +
    'BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM ' +
    'DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS ' +
    'GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN ' +
    'KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ ' +
    'MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM ' +
    'PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV ' +
    'SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI ' +
    'VN VU WF WS YE YT ZA ZM ZW XK'
  ).split(' '),
);

/** True for an ISO 3166-1 alpha-2 country code (plus XK). */
export function isIsoCountryCode(code: string): boolean {
  return ISO_COUNTRIES.has(code);
}

const BIC_PATTERN = /^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$/;

/** BIC in canonical form (upper case, 8 or 11 characters). */
export function isValidBic(value: string): value is Bic {
  return BIC_PATTERN.test(value) && ISO_COUNTRIES.has(value.slice(4, 6));
}

export function parseBic(input: string): ParseResult<Bic> {
  const v = compactInput(input).toUpperCase();
  if (v === '') return fail('Le code BIC est obligatoire.');
  if (v.length !== 8 && v.length !== 11) return fail('Le code BIC doit comporter 8 ou 11 caractères.');
  if (!BIC_PATTERN.test(v)) {
    return fail(
      "Le format du code BIC n'est pas valide (4 lettres pour la banque, 2 lettres pour le pays, puis 2 ou 5 lettres ou chiffres).",
    );
  }
  if (!ISO_COUNTRIES.has(v.slice(4, 6))) return fail(`Le code pays « ${v.slice(4, 6)} » du BIC n'est pas reconnu.`);
  return ok(v as Bic);
}
