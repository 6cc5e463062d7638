import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMMON_PASSWORDS,
  PASSWORD_MESSAGES,
  PASSWORD_RULES,
  SECRET_ANSWER_MIN,
  SECRET_QUESTION_MIN,
  evaluatePassword,
  evaluateSecretAnswer,
  evaluateSecretQuestion,
  isCommonPassword,
  normalizePassword,
} from './password-policy.js';

const ok = (pw: string, ctx?: { nom?: string; prenom?: string }) => evaluatePassword(pw, ctx);
const checkOf = (pw: string, id: string) => ok(pw).checks.find((c) => c.id === id)?.ok;

describe('PASSWORD_RULES', () => {
  it('lists the guide rules with their French labels', () => {
    expect(PASSWORD_RULES.map((r) => [r.id, r.label, r.required])).toEqual([
      ['minLetters', 'Au moins 6 lettres', true],
      ['minDigits', 'Au moins 2 chiffres', true],
      ['maxLength', 'Au plus 20 caractères', true],
      ['mixedCase', 'Mélange majuscule / minuscule', false],
      ['specialChars', 'Caractères accentués / spéciaux', false],
    ]);
  });
  it('evaluatePassword returns one check per rule, in order', () => {
    const r = ok('Xk9vQm2pLt');
    expect(r.checks.map((c) => c.id)).toEqual(PASSWORD_RULES.map((x) => x.id));
  });
});

describe('evaluatePassword — required rules', () => {
  it('accepts a password with 6 letters and 2 digits', () => {
    const r = ok('kzpwqv47');
    expect(r.valid).toBe(true);
    expect(r.errors).toEqual([]);
  });
  it('empty password', () => {
    const r = ok('');
    expect(r.valid).toBe(false);
    expect(r.errors).toEqual([PASSWORD_MESSAGES.required]);
    expect(r.score).toBe(0);
    expect(r.scoreLabel).toBe('Très faible');
  });
  it('too few letters', () => {
    const r = ok('kzpwq478');
    expect(r.valid).toBe(false);
    expect(r.errors).toEqual(['Le mot de passe doit comporter au moins 6 lettres.']);
  });
  it('too few digits', () => {
    const r = ok('kzpwqvbn4');
    expect(r.errors).toEqual(['Le mot de passe doit comporter au moins 2 chiffres.']);
  });
  it('too long: 20 characters is the maximum', () => {
    expect(ok('kzpwqvbnmr1234567890').valid).toBe(true); // 20
    expect(ok('kzpwqvbnmr12345678901').errors).toEqual(['Le mot de passe doit comporter 20 caractères maximum.']);
  });
  it('one error per failed required rule', () => {
    expect(ok('ab1').errors).toEqual([
      'Le mot de passe doit comporter au moins 6 lettres.',
      'Le mot de passe doit comporter au moins 2 chiffres.',
    ]);
  });
  it('accented letters count as letters (Unicode \\p{L})', () => {
    expect(checkOf('éèàçùô12', 'minLetters')).toBe(true);
    expect(ok('éèàçùô12').valid).toBe(true);
    expect(checkOf('ΑβγδεζΗ12', 'minLetters')).toBe(true);
  });
  it('only ASCII digits count as digits', () => {
    expect(checkOf('kzpwqv٤٧', 'minDigits')).toBe(false);
  });
  it('length counts characters (code points, NFC), not UTF-16 units', () => {
    const decomposed = 'e\u0301'.repeat(10) + '1234567890'; // 10 × « é » decomposed + 10 digits
    expect(decomposed.length).toBe(30);
    expect(checkOf(decomposed, 'maxLength')).toBe(true);
    expect(normalizePassword(decomposed).length).toBe(20);
    expect(checkOf('😀😀😀😀😀😀😀😀😀😀kzpwqv1234', 'maxLength')).toBe(true);
  });
  it('is case-sensitive: no case folding of the password itself', () => {
    expect(normalizePassword('AbCdEf12')).toBe('AbCdEf12');
  });
  it('refuses control and invisible format characters', () => {
    for (const pw of ['kzpw\tqv47', 'kzpwqv47\n', 'kzpw\u0000qv47', 'kzpw\u200bqv47', 'kzpw\u202eqv47']) {
      const r = ok(pw);
      expect(r.valid, JSON.stringify(pw)).toBe(false);
      expect(r.errors).toContain(PASSWORD_MESSAGES.controlChars);
    }
    expect(ok('kzpw qv47').valid).toBe(true); // a plain space is a special character
  });
});

describe('evaluatePassword — recommendations and score', () => {
  it('mixed case and special/accented characters are recommended, not required', () => {
    const r = ok('kzpwqv47');
    expect(r.checks.find((c) => c.id === 'mixedCase')).toMatchObject({ ok: false, required: false });
    expect(r.checks.find((c) => c.id === 'specialChars')).toMatchObject({ ok: false, required: false });
    expect(r.valid).toBe(true);
  });
  it('detects accented and special characters', () => {
    expect(checkOf('kzpwqé47', 'specialChars')).toBe(true);
    expect(checkOf('kzpwqv47!', 'specialChars')).toBe(true);
    expect(checkOf('kzpw qv47', 'specialChars')).toBe(true);
    expect(checkOf('KzpwqV47', 'mixedCase')).toBe(true);
  });
  it('scores from Faible to Très bon', () => {
    expect([ok('kzpwqv47').score, ok('kzpwqv47').scoreLabel]).toEqual([1, 'Faible']);
    expect([ok('Kzpwqv47').score, ok('Kzpwqv47').scoreLabel]).toEqual([2, 'Moyen']);
    expect([ok('Kzpwqv47!').score, ok('Kzpwqv47!').scoreLabel]).toEqual([3, 'Bon']);
    expect([ok('Kzpwqv47!éRt').score, ok('Kzpwqv47!éRt').scoreLabel]).toEqual([4, 'Très bon']);
  });
  it('few distinct characters cap the score at 1', () => {
    expect(ok('aaaaAA!!11').score).toBe(1);
  });
  it('score is 0 whenever the password is refused', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (pw) => {
        const r = evaluatePassword(pw);
        return r.valid ? r.score >= 1 && r.errors.length === 0 : r.score === 0 && r.errors.length > 0;
      }),
    );
  });
  it('property: valid ⇔ every required check passes and no extra error', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 25 }), (pw) => {
        const r = evaluatePassword(pw);
        const requiredOk = r.checks.every((c) => !c.required || c.ok);
        if (r.valid) return requiredOk;
        return !requiredOk || r.errors.length > 0;
      }),
    );
  });
});

describe('evaluatePassword — common passwords', () => {
  it('the embedded list has about 200 unique entries', () => {
    expect(COMMON_PASSWORDS.length).toBeGreaterThanOrEqual(190);
    expect(new Set(COMMON_PASSWORDS).size).toBe(COMMON_PASSWORDS.length);
  });
  it('every listed password would satisfy the required rules (otherwise listing it is useless)', () => {
    for (const pw of COMMON_PASSWORDS) {
      const r = evaluatePassword(pw);
      expect(
        r.checks.filter((c) => c.required).every((c) => c.ok),
        pw,
      ).toBe(true);
      expect(r.errors, pw).toEqual([PASSWORD_MESSAGES.common]);
    }
  });
  it('compares case- and accent-insensitively and ignores surrounding symbols', () => {
    for (const pw of [
      'azerty12',
      'AZERTY12',
      'Azerty12',
      'Soleil123',
      'MotDePasse12',
      'password12',
      'Azerty12!',
      '**soleil123**',
      'Sébastien12',
    ]) {
      expect(isCommonPassword(pw), pw).toBe(true);
      expect(ok(pw).errors, pw).toContain('Ce mot de passe est trop courant.');
    }
    expect(isCommonPassword('Az!erty12')).toBe(false);
    expect(isCommonPassword('kzpwqv47')).toBe(false);
  });
});

describe('evaluatePassword — personal data', () => {
  it('refuses a password containing the nom or prénom (case/accent-insensitive)', () => {
    const ctx = { nom: 'Dupont', prenom: 'Hélène' };
    expect(ok('dupont1984', ctx).errors).toEqual(['Le mot de passe ne doit pas contenir votre nom ou prénom.']);
    expect(ok('XxHELENE42', ctx).errors).toEqual(['Le mot de passe ne doit pas contenir votre nom ou prénom.']);
    expect(ok('kzpwqv47', ctx).valid).toBe(true);
  });
  it('checks each part of compound names, ignoring parts shorter than 3 letters', () => {
    const ctx = { nom: "Le Goff-D'Arc", prenom: 'Jean-Pierre' };
    expect(ok('pierre4567', ctx).valid).toBe(false);
    expect(ok('goffeur4567', ctx).valid).toBe(false);
    expect(ok('Lexique4567', ctx).valid).toBe(true); // « Le » and « D » are too short to be checked
    expect(ok('zzzzlizz12', { nom: 'Li' }).valid).toBe(true);
  });
  it('works without context', () => {
    expect(ok('dupont1984').valid).toBe(true);
    expect(ok('dupont1984', {}).valid).toBe(true);
  });
});

describe('secret question', () => {
  it('exports the minimum lengths', () => {
    expect(SECRET_QUESTION_MIN).toBe(10);
    expect(SECRET_ANSWER_MIN).toBe(5);
  });
  it('validates lengths (10 to 100 characters, trimmed)', () => {
    expect(evaluateSecretQuestion('')).toEqual({ valid: false, errors: ['La question secrète est obligatoire.'] });
    expect(evaluateSecretQuestion('   ')).toEqual({ valid: false, errors: ['La question secrète est obligatoire.'] });
    expect(evaluateSecretQuestion('Ville ?')).toEqual({
      valid: false,
      errors: ['La question secrète doit comporter au moins 10 caractères.'],
    });
    expect(evaluateSecretQuestion('  Ma ville ?  ').valid).toBe(true); // 10 after trimming
    expect(evaluateSecretQuestion('q'.repeat(100)).valid).toBe(true);
    expect(evaluateSecretQuestion('q'.repeat(101))).toEqual({
      valid: false,
      errors: ['La question secrète doit comporter 100 caractères maximum.'],
    });
    expect(evaluateSecretQuestion('Nom de mon\u0000 chien ?').valid).toBe(false);
  });
});

describe('secret answer', () => {
  const question = 'Quel est le nom de mon premier chien ?';
  it('validates lengths (5 to 50 characters, trimmed)', () => {
    expect(evaluateSecretAnswer(' ', { question })).toEqual({ valid: false, errors: ['La réponse secrète est obligatoire.'] });
    expect(evaluateSecretAnswer('Rex', { question })).toEqual({
      valid: false,
      errors: ['La réponse secrète doit comporter au moins 5 caractères.'],
    });
    expect(evaluateSecretAnswer('Médor', { question }).valid).toBe(true);
    expect(evaluateSecretAnswer('x'.repeat(50), { question }).valid).toBe(true);
    expect(evaluateSecretAnswer('x'.repeat(51), { question })).toEqual({
      valid: false,
      errors: ['La réponse secrète doit comporter 50 caractères maximum.'],
    });
  });
  it('must not be contained in the question (case/accent/space-insensitive)', () => {
    const expected = { valid: false, errors: ['La réponse secrète ne doit pas figurer dans la question.'] };
    expect(evaluateSecretAnswer('premier chien', { question })).toEqual(expected);
    expect(evaluateSecretAnswer('  PREMIER   Chien ', { question })).toEqual(expected);
    expect(evaluateSecretAnswer('Chien', { question: 'Mon animal préféré : chién ?' })).toEqual(expected);
    expect(evaluateSecretAnswer('Pluto', { question })).toEqual({ valid: true, errors: [] });
  });
  it('refuses control characters', () => {
    expect(evaluateSecretAnswer('Pl\u0007uto', { question }).valid).toBe(false);
  });
});

describe('browser compatibility', () => {
  it('the module imports nothing from Node', async () => {
    const { readFileSync } = await import('node:fs');
    const src = readFileSync(new URL('./password-policy.ts', import.meta.url), 'utf8');
    expect(src).not.toMatch(/^\s*import\s/m);
  });
});
