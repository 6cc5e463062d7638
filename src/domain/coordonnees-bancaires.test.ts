import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSepaCountry, makeValidFrenchIban } from './iban.js';
import {
  BANK_CODE_ALPHABET,
  BANK_CODE_BITS,
  checkBankDetails,
  formatBankCode,
  maskIban,
  newBankCode,
  normaliseBankCode,
  parseBicFor,
  parseSepaIban,
  parseTitulaire,
  transliterateSepa,
} from './coordonnees-bancaires.js';

const vectors = JSON.parse(readFileSync(path.resolve(process.cwd(), '../shared/data/validation/validation_vectors.json'), 'utf8')) as {
  iban: { vectors: { value: string; iban_mod97_ok: boolean; rib_key_ok?: boolean }[]; valid_from_python_stdnum_test_iban: string[] };
  bic: { valid_from_python_stdnum: string[] };
};

describe('IBAN of a SEPA account', () => {
  it('accepts the valid French and Monaco vectors, refuses the bad ones with a French message', () => {
    for (const v of vectors.iban.vectors) {
      const r = parseSepaIban(v.value);
      const expected = v.iban_mod97_ok && v.rib_key_ok !== false;
      expect(r.ok, v.value).toBe(expected);
      if (!r.ok) expect(r.message).toMatch(/IBAN/);
    }
  });

  it('accepts every valid SEPA IBAN of python-stdnum and refuses the others with the SEPA message', () => {
    for (const iban of vectors.iban.valid_from_python_stdnum_test_iban) {
      const r = parseSepaIban(iban);
      const cc = iban.slice(0, 2);
      // the SEPA countries among python-stdnum's vectors, written independently of SEPA_COUNTRIES
      const sepa =
        'AD AL AT BE BG CH CY CZ DE DK EE ES FI FR GB GI GR HR HU IE IS IT LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS SE SI SK SM VA'
          .split(' ')
          .includes(cc);
      if (sepa) expect(r.ok, iban).toBe(true);
      else {
        expect(r.ok, iban).toBe(false);
        if (!r.ok) expect(r.message).toMatch(/^Les virements SOLTéA sont des virements SEPA : /);
      }
    }
  });

  it('explains the RIB key, the length, and that overseas accounts have a FR IBAN', () => {
    const good = makeValidFrenchIban('30002', '00550', '0000157841Z');
    const badKey = `${good.slice(0, 25)}${good.slice(25) === '00' ? '01' : '00'}`;
    const r1 = parseSepaIban(badKey);
    expect(r1.ok).toBe(false);
    expect(!r1.ok && r1.message).toMatch(/clé/);
    expect(parseSepaIban('FR76 3000 6000 0112 3456 7890 18')).toMatchObject({
      ok: false,
      message: 'Un IBAN FR doit comporter 27 caractères.',
    });
    expect(parseSepaIban('GP7630006000011234567890189')).toMatchObject({ ok: false });
    expect((parseSepaIban('GP7630006000011234567890189') as { message: string }).message).toMatch(/commence par FR/);
    expect((parseSepaIban('NC1234') as { message: string }).message).toMatch(/SEPA/);
    expect(parseSepaIban('')).toMatchObject({ ok: false, message: "L'IBAN est obligatoire." });
    // spaces, lower case and dashes are accepted
    expect(parseSepaIban(` ${good.toLowerCase().replace(/(.{4})/g, '$1 ')} `)).toEqual({ ok: true, value: good });
  });

  it('a non-SEPA IBAN (Pakistan, Brazil) gets the SEPA message', () => {
    for (const iban of ['PK36SCBL0000001123456702', 'BR1800000000141455123924100C2']) {
      const r = parseSepaIban(iban);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.message).toMatch(
        /^Les virements SOLTéA sont des virements SEPA : un compte tenu dans ce pays \((Pakistan, PK|Brésil, BR)\)/,
      );
    }
  });
});

describe('BIC consistent with the IBAN', () => {
  it('accepts the python-stdnum BICs of SEPA countries, refuses the others with the SEPA message', () => {
    let accepted = 0;
    for (const b of vectors.bic.valid_from_python_stdnum) {
      const r = parseBicFor(b, null);
      const cc = b.slice(4, 6);
      const expected = isSepaCountry(cc) && !['NC', 'PF', 'WF', 'TF'].includes(cc);
      expect(r.ok, b).toBe(expected);
      if (r.ok) accepted++;
      else expect(r.message).toMatch(/^Les virements SOLTéA sont des virements SEPA/);
    }
    expect(accepted).toBeGreaterThan(10);
  });

  it('checks the country against the IBAN, territories included', () => {
    expect(parseBicFor('BNPAFRPP', 'FR').ok).toBe(true);
    expect(parseBicFor('BNPAFRPPXXX', 'FR').ok).toBe(true);
    expect(parseBicFor('AGRIGPGX', 'FR').ok).toBe(true); // Guadeloupe bank, French IBAN
    expect(parseBicFor('BNPARERXPOR', 'FR').ok).toBe(true); // La Réunion
    expect(parseBicFor('DEUTDEFF', 'FR')).toMatchObject({ ok: false });
    expect((parseBicFor('DEUTDEFF', 'FR') as { message: string }).message).toBe(
      'Le BIC (pays DE) ne correspond pas au pays de l’IBAN (FR) : recopiez les deux depuis le même RIB de l’établissement.',
    );
    expect((parseBicFor('BNPANCNXKOU', 'FR') as { message: string }).message).toMatch(/SEPA/); // New Caledonia: XPF
    expect(parseBicFor('BNPAFRP', 'FR')).toMatchObject({ ok: false, message: 'Le code BIC doit comporter 8 ou 11 caractères.' });
    expect(parseBicFor('', 'FR')).toMatchObject({ ok: false, message: 'Le code BIC est obligatoire.' });
  });
});

describe('titulaire', () => {
  it('accepts French names with accents, refuses other characters and bad lengths', () => {
    expect(parseTitulaire('  Lycée des métiers   Raspail ')).toEqual({ ok: true, value: 'Lycée des métiers Raspail' });
    expect(parseTitulaire('Agent comptable de l’EPLE (Raspail)').ok).toBe(true);
    expect(parseTitulaire('Cœur & Co')).toMatchObject({ ok: false });
    expect(parseTitulaire('<script>')).toMatchObject({ ok: false });
    expect(parseTitulaire('A')).toMatchObject({ ok: false });
    expect(parseTitulaire('x'.repeat(71))).toMatchObject({ ok: false });
    expect(parseTitulaire('')).toMatchObject({ ok: false, message: 'Le titulaire du compte est obligatoire.' });
    expect(transliterateSepa('Œuvre Éléonore’s')).toBe("OEuvre Eleonore's");
  });
});

describe('code', () => {
  it('has at least 40 bits, uses only unambiguous symbols, round-trips through its display form', () => {
    expect(BANK_CODE_BITS).toBeGreaterThanOrEqual(40);
    expect(BANK_CODE_ALPHABET).not.toMatch(/[01IO]/);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const c = newBankCode();
      expect(c).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
      expect(normaliseBankCode(formatBankCode(c).toLowerCase())).toBe(c);
      seen.add(c);
    }
    expect(seen.size).toBe(200);
  });

  it('property: every byte string gives a code of the alphabet', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (bytes) => {
        const c = newBankCode(() => bytes);
        return c.length === 8 && [...c].every((ch) => BANK_CODE_ALPHABET.includes(ch));
      }),
    );
  });

  it('refuses what cannot be a code', () => {
    expect(normaliseBankCode('ABCD-EFG')).toBeNull();
    expect(normaliseBankCode('ABCD-EFG0')).toBeNull();
    expect(normaliseBankCode('ABCD EFGH')).toBe('ABCDEFGH');
  });
});

describe('checkBankDetails and maskIban', () => {
  const iban = makeValidFrenchIban('10071', '75000', '00001003975');
  it('returns every message at once', () => {
    const r = checkBankDetails({ iban: 'PK36SCBL0000001123456702', bic: 'X', titulaire: '', code: '' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.errors).sort()).toEqual(['bic', 'code', 'iban', 'titulaire']);
  });
  it('accepts good details', () => {
    const r = checkBankDetails({ iban, bic: 'trpufrp1', titulaire: 'Lycée des métiers Raspail', code: 'abcd-efgh' });
    expect(r).toEqual({ ok: true, value: { iban, bic: 'TRPUFRP1', titulaire: 'Lycée des métiers Raspail', code: 'ABCDEFGH' } });
  });
  it('masks all but the country and the last 4 characters', () => {
    const m = maskIban(iban);
    expect(m.replace(/ /g, '')).toHaveLength(27);
    expect(m.startsWith('FR••')).toBe(true);
    expect(m.replace(/ /g, '').endsWith(iban.slice(-4))).toBe(true);
    expect(m.replace(/[ •]/g, '')).toBe(`FR${iban.slice(-4)}`);
  });
});
