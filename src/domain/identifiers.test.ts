import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LA_POSTE_SIREN,
  compactInput,
  formatSiren,
  formatSiret,
  isValidSiren,
  isValidSiret,
  isValidUai,
  luhnCheckDigit,
  luhnIsValid,
  makeValidSiren,
  makeValidSiret,
  makeValidUai,
  nicOfSiret,
  parseSiren,
  parseSiret,
  parseUai,
  sirenOfSiret,
  type Siret,
} from './identifiers.js';
import {
  SEPA_COUNTRIES,
  formatIban,
  ibanLength,
  isSepaCountry,
  isSepaIban,
  isValidBic,
  isValidIban,
  isValidRib,
  makeValidFrenchIban,
  parseBic,
  parseIban,
  ribKey,
  ribOfIban,
} from './iban.js';

// ---------------------------------------------------------------------------
// Shared vectors (read at test time only; the runtime module never reads shared/)
// ---------------------------------------------------------------------------

const VALIDATION_DIR = path.resolve(process.cwd(), '../shared/data/validation');

interface Flagged {
  value: string;
  valid: boolean;
  note?: string;
}
interface Vectors {
  siren: { valid_from_python_stdnum: string[]; extra: Flagged[] };
  siret: {
    valid_from_python_stdnum: string[];
    la_poste_from_python_stdnum: Flagged[];
    fake_from_mission_apprentissage_tests: Flagged[];
    la_poste_real_from_annuaire_entreprises: { value: string; etat: string; luhn: boolean; digit_sum_mod5_ok: boolean }[];
    real_dataset_check: { invalid_examples: { value: string }[] };
  };
  uai: {
    from_mission_apprentissage_tests: Flagged[];
    real_valid_sample: string[];
    real_dataset_check: { invalid_examples: { value: string }[] };
  };
  iban: {
    vectors: {
      value: string;
      iban_mod97_ok: boolean;
      bban?: { banque: string; guichet: string; compte: string; cle: string };
      rib_key_expected?: string;
      rib_key_ok?: boolean;
    }[];
    valid_from_python_stdnum_test_iban: string[];
    invalid_format_examples: { value: string }[];
  };
  rib: Flagged[];
  bic: { valid_from_python_stdnum: string[]; from_ibantools_tests: Flagged[] };
}

const vectors = JSON.parse(readFileSync(path.join(VALIDATION_DIR, 'validation_vectors.json'), 'utf8')) as Vectors;

/** Extracts the `numbers = '''...'''` blocks of a python-stdnum doctest. */
function doctestBlocks(file: string): string[][] {
  const text = readFileSync(path.join(VALIDATION_DIR, 'python-stdnum', file), 'utf8');
  const blocks: string[][] = [];
  const re = />>> numbers = '''\n([\s\S]*?)\.\.\. '''/g;
  for (const m of text.matchAll(re)) {
    blocks.push(
      (m[1] ?? '')
        .split('\n')
        .map((l) => l.replace(/^\.\.\. ?/, '').trim())
        .filter((l) => l !== ''),
    );
  }
  return blocks;
}

const digitString = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });

// ---------------------------------------------------------------------------
// Luhn
// ---------------------------------------------------------------------------

describe('Luhn', () => {
  it('matches the python-stdnum luhn doctest', () => {
    expect(luhnCheckDigit('4992739871')).toBe('6');
    expect(luhnIsValid('4992739871')).toBe(false);
    expect(luhnIsValid('49927398716')).toBe(true);
    expect(luhnIsValid('490154203237518')).toBe(true);
    expect(luhnCheckDigit('142857')).toBe('2');
    expect(luhnCheckDigit('398438246238642378648236487236482734')).toBe('7');
  });
  it('refuses empty or non-digit input', () => {
    expect(luhnIsValid('')).toBe(false);
    expect(luhnIsValid('12a4')).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// SIREN
// ---------------------------------------------------------------------------

describe('SIREN', () => {
  it.each(vectors.siren.valid_from_python_stdnum)('python-stdnum %s is valid', (v) => {
    expect(isValidSiren(v)).toBe(true);
  });
  it.each(vectors.siren.extra)('extra vector $value → $valid', ({ value, valid }) => {
    expect(isValidSiren(value)).toBe(valid);
  });
  it('python-stdnum siren doctest numbers are all valid', () => {
    const [numbers] = doctestBlocks('test_fr_siren.doctest');
    expect(numbers?.length).toBeGreaterThan(5);
    for (const n of numbers ?? []) expect(parseSiren(n).ok, n).toBe(true);
  });
  it('formatSiren', () => {
    expect(formatSiren('999005703')).toBe('999 005 703');
  });
  it('makeValidSiren always yields a valid SIREN with the given prefix', () => {
    fc.assert(
      fc.property(digitString(8), (p) => {
        const s = makeValidSiren(p);
        return s.startsWith(p) && s.length === 9 && isValidSiren(s);
      }),
    );
    expect(makeValidSiren('35600000')).toBe(LA_POSTE_SIREN);
    expect(() => makeValidSiren('1234567')).toThrow();
  });
});

// ---------------------------------------------------------------------------
// SIRET
// ---------------------------------------------------------------------------

describe('SIRET', () => {
  it.each(vectors.siret.valid_from_python_stdnum)('python-stdnum %s is valid', (v) => {
    expect(isValidSiret(v)).toBe(true);
  });
  it.each(vectors.siret.la_poste_from_python_stdnum)('La Poste (python-stdnum) $value → $valid', ({ value, valid }) => {
    expect(isValidSiret(value)).toBe(valid);
  });
  it.each(vectors.siret.fake_from_mission_apprentissage_tests)('mission apprentissage vector $value → $valid', ({ value, valid }) => {
    expect(isValidSiret(value)).toBe(valid);
  });
  it('accepts all 200 real La Poste SIRETs from annuaire-entreprises (Luhn OR digit sum mod 5)', () => {
    const real = vectors.siret.la_poste_real_from_annuaire_entreprises;
    expect(real.length).toBe(200);
    for (const { value, luhn, digit_sum_mod5_ok } of real) {
      expect(luhn || digit_sum_mod5_ok, value).toBe(true);
      expect(isValidSiret(value), value).toBe(true);
    }
    // 35600000000725 passes Luhn only (like the head office): accepted thanks to the "either" rule.
    expect(isValidSiret('35600000000725')).toBe(true);
  });
  it('rejects the SIRETs of the real dataset that fail the checksum', () => {
    for (const { value } of vectors.siret.real_dataset_check.invalid_examples) {
      expect(isValidSiret(value), value).toBe(false);
    }
  });
  it('python-stdnum siret doctest numbers are all valid (with spaces)', () => {
    const [numbers] = doctestBlocks('test_fr_siret.doctest');
    expect(numbers?.length).toBeGreaterThan(40);
    for (const n of numbers ?? []) expect(parseSiret(n).ok, n).toBe(true);
    expect(parseSiret('356 000 000 09075').ok).toBe(true);
  });
  it('the mod-5 exception applies only to La Poste', () => {
    // 35600000049837 is valid for La Poste (digit sum 45) — same NIC on another SIREN is not.
    const other = makeValidSiren('73282932'); // 732829320
    const sirenPlusNic = `${other}49837`;
    expect(isValidSiret(sirenPlusNic)).toBe(luhnIsValid(sirenPlusNic));
  });
  it('siren/nic/format helpers', () => {
    const s = '99900570300007' as Siret;
    expect(sirenOfSiret(s)).toBe('999005703');
    expect(nicOfSiret(s)).toBe('00007');
    expect(formatSiret(s)).toBe('999 005 703 00007');
    expect(formatSiret('abc')).toBe('abc');
  });
  it('makeValidSiret: rejects bad inputs', () => {
    expect(() => makeValidSiret('123456789', '0000')).toThrow();
    expect(() => makeValidSiret('732829320', '000')).toThrow();
  });
  it('makeValidSiret: La Poste', () => {
    // Two digits satisfy "sum multiple of 5" (d and d + 5): the smallest is chosen.
    expect(makeValidSiret(LA_POSTE_SIREN, '4983')).toBe('35600000049832');
    expect(isValidSiret('35600000049837')).toBe(true);
    expect(makeValidSiret(LA_POSTE_SIREN, '0907')).toBe('35600000009070');
    expect(isValidSiret('35600000009075')).toBe(true);
    expect(makeValidSiret(LA_POSTE_SIREN, '0000')).toBe('35600000000001');
  });

  const validSiren = digitString(8).map((p) => makeValidSiren(p));
  const anySiren = fc.oneof({ weight: 9, arbitrary: validSiren }, { weight: 1, arbitrary: fc.constant(LA_POSTE_SIREN) });

  it('property: makeValidSiret always yields a valid SIRET keeping SIREN and NIC prefix', () => {
    fc.assert(
      fc.property(anySiren, digitString(4), (siren, nic4) => {
        const siret = makeValidSiret(siren, nic4);
        return isValidSiret(siret) && sirenOfSiret(siret) === siren && nicOfSiret(siret).startsWith(nic4);
      }),
      { numRuns: 2000 },
    );
  });
  it('property: changing one digit of a valid non-La-Poste SIRET makes it invalid', () => {
    fc.assert(
      fc.property(
        validSiren.filter((s) => s !== LA_POSTE_SIREN),
        digitString(4),
        fc.nat({ max: 13 }),
        fc.integer({ min: 1, max: 9 }),
        (siren, nic4, pos, delta) => {
          const siret = makeValidSiret(siren, nic4);
          const d = (Number(siret[pos]) + delta) % 10;
          const mutated = siret.slice(0, pos) + String(d) + siret.slice(pos + 1);
          fc.pre(!mutated.startsWith(LA_POSTE_SIREN)); // La Poste follows another rule
          return !isValidSiret(mutated);
        },
      ),
      { numRuns: 3000 },
    );
  });
  it('property: parseSiret accepts exactly what isValidSiret accepts, whatever the separators', () => {
    fc.assert(
      fc.property(digitString(14), fc.constantFrom('', ' ', '.', '-'), (digits, sep) => {
        const spaced = `${digits.slice(0, 3)}${sep}${digits.slice(3, 9)}${sep}${digits.slice(9)}`;
        return parseSiret(` ${spaced} `).ok === isValidSiret(digits);
      }),
    );
  });
});

// ---------------------------------------------------------------------------
// UAI
// ---------------------------------------------------------------------------

describe('UAI', () => {
  it.each(vectors.uai.from_mission_apprentissage_tests)('mission apprentissage $value → $valid', ({ value, valid }) => {
    expect(isValidUai(value)).toBe(valid);
  });
  it.each(vectors.uai.real_valid_sample)('real UAI %s is valid', (v) => {
    expect(isValidUai(v)).toBe(true);
  });
  it('real dataset "0694442d": strict form refuses lower case, parseUai normalises and accepts it', () => {
    const [ex] = vectors.uai.real_dataset_check.invalid_examples;
    expect(ex?.value).toBe('0694442d');
    expect(isValidUai('0694442d')).toBe(false);
    expect(parseUai('0694442d')).toEqual({ ok: true, value: '0694442D' });
  });
  it('Corsica (620 = 2A, 720 = 2B) and overseas codes use the same rule', () => {
    expect(makeValidUai('6200001')).toBe(`6200001${'ABCDEFGHJKLMNPRSTUVWXYZ'[6200001 % 23]}`);
    expect(isValidUai(makeValidUai('7200650'))).toBe(true);
    expect(isValidUai(makeValidUai('9741234'))).toBe(true);
  });
  it('makeValidUai reproduces createUAI("0751234") == "0751234J"', () => {
    expect(makeValidUai('0751234')).toBe('0751234J');
  });
  it('property: exactly one check letter is valid for any 7 digits', () => {
    fc.assert(
      fc.property(digitString(7), (d) => {
        const good = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].filter((l) => isValidUai(d + l));
        return good.length === 1 && !/[IOQ]/.test(good[0] ?? 'I');
      }),
    );
  });
});

// ---------------------------------------------------------------------------
// RIB key
// ---------------------------------------------------------------------------

describe('RIB key', () => {
  it.each(vectors.rib)('business-fr-rib $value → $valid', ({ value, valid }) => {
    expect(isValidRib(value)).toBe(valid);
  });
  it.each(vectors.iban.vectors.filter((v) => v.bban))('RIB key of $value', (v) => {
    const b = v.bban!;
    expect(ribKey(b.banque, b.guichet, b.compte)).toBe(v.rib_key_expected);
    expect(isValidRib(b.banque + b.guichet + b.compte + b.cle)).toBe(v.rib_key_ok);
    expect(ribOfIban(v.value)).toEqual(b);
  });
  it('rejects malformed RIBs', () => {
    expect(isValidRib('1234567890DWFACEOFBOE0')).toBe(false);
    expect(isValidRib('A234567890DWFACEOFBOE08')).toBe(false);
    expect(() => ribKey('1234', '67890', '00000000000')).toThrow();
  });
});

// ---------------------------------------------------------------------------
// IBAN
// ---------------------------------------------------------------------------

describe('IBAN', () => {
  it.each(vectors.iban.vectors)('vector $value → mod97 $iban_mod97_ok', (v) => {
    const expected = v.iban_mod97_ok && (v.rib_key_ok ?? true);
    expect(isValidIban(v.value)).toBe(expected);
  });
  it('all python-stdnum IBAN registry examples are valid (after normalisation)', () => {
    const list = vectors.iban.valid_from_python_stdnum_test_iban;
    expect(list.length).toBeGreaterThan(150);
    for (const v of list) expect(parseIban(v).ok, v).toBe(true);
  });
  it('python-stdnum doctest blocks: valid, broken checksums, wrong length, bad characters, national check', () => {
    const blocks = doctestBlocks('test_iban.doctest');
    expect(blocks.length).toBe(5);
    const [valid, broken, wrongLength, badChars, countrySpecific] = blocks;
    for (const v of valid ?? []) expect(parseIban(v).ok, v).toBe(true);
    for (const v of broken ?? []) expect(parseIban(v).ok, v).toBe(false);
    for (const v of wrongLength ?? []) {
      const r = parseIban(v);
      expect(r.ok, v).toBe(false);
      expect(r.ok ? '' : r.message).toMatch(/doit comporter \d+ caractères/);
    }
    for (const v of badChars ?? []) expect(parseIban(v).ok, v).toBe(false);
    // These pass ISO mod 97 but fail the Spanish CCC control digits.
    expect(countrySpecific?.length).toBe(2);
    for (const v of countrySpecific ?? []) {
      expect(parseIban(v), v).toEqual({
        ok: false,
        message: "L'IBAN n'est pas valide (clé de contrôle nationale incorrecte).",
      });
    }
    expect(isValidIban('0001')).toBe(false);
    expect(isValidIban('XX431234')).toBe(false);
  });
  it('ibantools vectors: registry countries', () => {
    for (const v of [
      'NL50PSTB0000054322',
      'BY13NBRB3600900000002Z00AB00',
      'CR25010200009074883572',
      'ES4901825500610201630983',
      'IQ98NBIQ850123456789012',
      'SV62CENR00000000000000700025',
      'UA213996220000026007233566001',
      'VA59001123000012345678',
      'EG380019000500000000263180002',
      'BI4210000100010000332045181',
      'LY83002048000020100120361',
      'SD8811123456789012',
      'SO061000001123123456789',
      'PL10105000997603123456789123',
      'BE68539007547034',
      'BA391990440001200279',
      'MK07500120050057453',
      'ME25907000000005800138',
      'PT50002600000524218600185',
      'PT50000405010020500101441',
      'SI56051008000032875',
      'DJ2110002010010409943020008',
      'SC52BAHL01031234567890123456USD',
      'HN54PISA00000000000000123124',
      'NI79BAMC00000000000003123123',
    ]) {
      expect(isValidIban(v), v).toBe(true);
    }
    for (const v of [
      'NL91ABNA0517164300',
      'ES8350210036679521296135',
      'RS36260005601001611379',
      'TL380080012345688910157',
      'GL89647100010002067',
      'GB2LABBY09012857201707',
      'GB00HLFX11016111455365',
    ]) {
      expect(isValidIban(v), v).toBe(false);
    }
  });
  it('ibantools vectors for countries outside the SWIFT IBAN registry are refused (deliberate)', () => {
    // ibantools accepts these "experimental" IBANs (CM, SN, MA…); we follow the SWIFT registry.
    for (const v of ['CM1512341234123412341234123', 'SN08SN0100152000048500003035', 'MA64011519000001205000534921']) {
      expect(isValidIban(v)).toBe(false);
      expect(parseIban(v)).toEqual({ ok: false, message: `Le code pays « ${v.slice(0, 2)} » de l'IBAN n'est pas reconnu.` });
    }
  });
  it('invalid format examples: strict form refuses them, parseIban normalises separators', () => {
    for (const { value } of vectors.iban.invalid_format_examples) expect(isValidIban(value), value).toBe(false);
    expect(parseIban('NL91 ABNA 0417 1643 00')).toEqual({ ok: true, value: 'NL91ABNA0417164300' });
    // With dashes removed the FR76-4097-… IBAN still has a wrong checksum.
    expect(parseIban('FR76-4097-8265-8510-1221-2598-123')).toEqual({
      ok: false,
      message: "L'IBAN n'est pas valide (clé de contrôle incorrecte).",
    });
    expect(parseIban('XX91ABNA0517164300')).toEqual({
      ok: false,
      message: "Le code pays « XX » de l'IBAN n'est pas reconnu.",
    });
  });
  it('FR IBAN with a valid mod 97 but a wrong RIB key is refused', () => {
    // Build an FR IBAN whose RIB key is wrong but whose ISO check digits are right.
    const bban = '2004101005' + '0500013M026' + '07';
    let rem = 0;
    for (const c of `${bban}FR00`) rem = /\d/.test(c) ? (rem * 10 + Number(c)) % 97 : (rem * 100 + c.charCodeAt(0) - 55) % 97;
    const iban = `FR${String(98 - rem).padStart(2, '0')}${bban}`;
    expect(parseIban(iban)).toEqual({ ok: false, message: "L'IBAN n'est pas valide (clé RIB incorrecte)." });
  });
  it('sepaOnly option', () => {
    expect(parseIban('FR1420041010050500013M02606', { sepaOnly: true }).ok).toBe(true);
    expect(parseIban('CH9300762011623852957', { sepaOnly: true }).ok).toBe(true);
    expect(parseIban('TR330006100519786457841326', { sepaOnly: true })).toEqual({
      ok: false,
      message: "Cet IBAN n'appartient pas à la zone SEPA.",
    });
    expect(parseIban('TR330006100519786457841326').ok).toBe(true);
  });
  it('lengths and formatting', () => {
    expect(ibanLength('FR')).toBe(27);
    expect(ibanLength('de')).toBe(22);
    expect(ibanLength('XX')).toBeUndefined();
    expect(formatIban('FR1420041010050500013M02606')).toBe('FR14 2004 1010 0505 0001 3M02 606');
    expect(compactInput(formatIban('FR1420041010050500013M02606'))).toBe('FR1420041010050500013M02606');
  });
  it('property: makeValidFrenchIban is always a valid SEPA IBAN with the same RIB', () => {
    const alnum = fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'), minLength: 11, maxLength: 11 });
    fc.assert(
      fc.property(digitString(5), digitString(5), alnum, (b, g, c) => {
        const iban = makeValidFrenchIban(b, g, c);
        const rib = ribOfIban(iban);
        return isValidIban(iban) && isSepaIban(iban) && rib?.banque === b && rib.guichet === g && rib.compte === c;
      }),
      { numRuns: 1000 },
    );
  });
  it('property: a single-character substitution in a valid IBAN is detected', () => {
    const alnum = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 11, maxLength: 11 });
    fc.assert(
      fc.property(digitString(5), digitString(5), alnum, fc.nat({ max: 26 }), fc.integer({ min: 1, max: 9 }), (b, g, c, pos, delta) => {
        const iban = makeValidFrenchIban(b, g, c);
        const ch = iban.charAt(pos);
        fc.pre(/\d/.test(ch));
        const mutated = iban.slice(0, pos) + String((Number(ch) + delta) % 10) + iban.slice(pos + 1);
        return !isValidIban(mutated);
      }),
    );
  });
});

// ---------------------------------------------------------------------------
// SEPA
// ---------------------------------------------------------------------------

describe('SEPA countries', () => {
  it('contains the EPC scheme countries and the French territories in SEPA', () => {
    for (const cc of ['FR', 'DE', 'NL', 'CH', 'GB', 'MC', 'SM', 'VA', 'AD', 'IS', 'LI', 'NO', 'AL', 'MD', 'ME', 'MK', 'RS']) {
      expect(isSepaCountry(cc), cc).toBe(true);
    }
    for (const cc of ['GF', 'GP', 'MQ', 'RE', 'YT', 'PM', 'BL', 'MF']) expect(isSepaCountry(cc), cc).toBe(true);
  });
  it('excludes the XPF territories and non-SEPA countries (ibantools: PK, XX)', () => {
    for (const cc of ['NC', 'PF', 'WF', 'TF', 'PK', 'XX', 'TR', 'US', 'FO', 'GL']) expect(isSepaCountry(cc), cc).toBe(false);
    expect(isSepaCountry('nl')).toBe(true);
  });
  it('has 41 EPC scheme countries plus attached territories', () => {
    const territories = ['GF', 'GP', 'MQ', 'RE', 'YT', 'MF', 'PM', 'BL', 'AX', 'GI', 'GG', 'JE', 'IM'];
    expect(SEPA_COUNTRIES.size - territories.length).toBe(41);
  });
  it('every SEPA country with its own IBAN format is in the IBAN registry table', () => {
    const ownIban = [...SEPA_COUNTRIES].filter(
      (cc) => !['GF', 'GP', 'MQ', 'RE', 'YT', 'MF', 'PM', 'BL', 'AX', 'GG', 'JE', 'IM'].includes(cc),
    );
    for (const cc of ownIban) expect(ibanLength(cc), cc).toBeDefined();
  });
});

// ---------------------------------------------------------------------------
// BIC
// ---------------------------------------------------------------------------

describe('BIC', () => {
  it('all python-stdnum BICs are valid', () => {
    const list = vectors.bic.valid_from_python_stdnum;
    expect(list.length).toBeGreaterThan(300);
    for (const v of list) expect(isValidBic(v), v).toBe(true);
  });
  it.each(vectors.bic.from_ibantools_tests)('ibantools $value → $valid', ({ value, valid }) => {
    expect(isValidBic(value)).toBe(valid);
  });
  it('python-stdnum: MULTIPLE has an unknown country (IP)', () => {
    expect(parseBic('MULTIPLE')).toEqual({ ok: false, message: "Le code pays « IP » du BIC n'est pas reconnu." });
  });
  it('ibantools extractBIC vectors', () => {
    expect(parseBic('dnbanokk')).toEqual({ ok: true, value: 'DNBANOKK' });
    expect(parseBic('NEDSZAJ0XXX').ok).toBe(true);
    expect(parseBic('ABN7NL2A').ok).toBe(false);
  });
});

const refused = (message: string) => ({ ok: false, message });
const IBAN_SHAPE =
  "L'IBAN doit commencer par le code pays (2 lettres) et la clé (2 chiffres), suivis de lettres et de chiffres uniquement.";
const BIC_SHAPE =
  "Le format du code BIC n'est pas valide (4 lettres pour la banque, 2 lettres pour le pays, puis 2 ou 5 lettres ou chiffres).";
const accepted = (value: string) => ({ ok: true, value });

describe('parsers: messages and normalisation', () => {
  it.each<[string, string, (input: string) => unknown, unknown]>([
    ['parseSiren', '  ', parseSiren, refused('Le numéro SIREN est obligatoire.')],
    ['parseSiren', '12345678', parseSiren, refused('Le numéro SIREN doit comporter 9 chiffres.')],
    ['parseSiren', '12345678A', parseSiren, refused('Le numéro SIREN doit comporter 9 chiffres.')],
    ['parseSiren', '123456789', parseSiren, refused("Le numéro SIREN n'est pas valide (clé de contrôle incorrecte).")],
    ['parseSiren', ' 732.829-320 ', parseSiren, accepted('732829320')],
    ['parseSiren', '356\u00a0000\u00a0000', parseSiren, accepted('356000000')],
    ['parseSiret', '', parseSiret, refused('Le numéro SIRET est obligatoire.')],
    ['parseSiret', '111111111000', parseSiret, refused('Le numéro SIRET doit comporter 14 chiffres.')],
    ['parseSiret', '111111111000XX', parseSiret, refused('Le numéro SIRET doit comporter 14 chiffres.')],
    ['parseSiret', '11111111100008', parseSiret, refused("Le numéro SIRET n'est pas valide (clé de contrôle incorrecte).")],
    ['parseSiret', '999 005 703 00007', parseSiret, accepted('99900570300007')],
    ['parseUai', ' ', parseUai, refused('Le numéro UAI est obligatoire.')],
    ['parseUai', '00108', parseUai, refused("Le numéro UAI doit comporter 7 chiffres suivis d'une lettre (ex. : 0751234J).")],
    ['parseUai', '2A12345B', parseUai, refused("Le numéro UAI doit comporter 7 chiffres suivis d'une lettre (ex. : 0751234J).")],
    ['parseUai', '0010856B', parseUai, refused("Le numéro UAI n'est pas valide (lettre de contrôle incorrecte).")],
    ['parseUai', ' 0010856a ', parseUai, accepted('0010856A')],
    ['parseIban', '', parseIban, refused("L'IBAN est obligatoire.")],
    ['parseIban', 'FR14 2004 1010 0505 0001 3M02 60', parseIban, refused('Un IBAN FR doit comporter 27 caractères.')],
    ['parseIban', 'FR1420041010050500013M0260€', parseIban, refused(IBAN_SHAPE)],
    ['parseIban', '1234', parseIban, refused(IBAN_SHAPE)],
    ['parseIban', 'NL56 3003 0A17 1643 00', parseIban, refused("Le format de l'IBAN ne correspond pas à celui du pays NL.")],
    ['parseIban', 'fr14 2004 1010 0505 0001 3m02 606', parseIban, accepted('FR1420041010050500013M02606')],
    ['parseBic', '', parseBic, refused('Le code BIC est obligatoire.')],
    ['parseBic', 'BNPAFRP', parseBic, refused('Le code BIC doit comporter 8 ou 11 caractères.')],
    ['parseBic', 'BNPAFR1P', parseBic, refused(BIC_SHAPE)], // location starting with 1 is reserved
    ['parseBic', 'BNPAFRPO', parseBic, refused(BIC_SHAPE)], // location ending with O is not allowed
    ['parseBic', ' bnpa frpp xxx ', parseBic, accepted('BNPAFRPPXXX')],
    ['parseBic', 'AGRIGPGX', parseBic, accepted('AGRIGPGX')],
  ])('%s(%j)', (_name, input, parse, expected) => {
    expect(parse(input)).toEqual(expected);
  });
});
