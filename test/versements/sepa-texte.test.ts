import fc from 'fast-check';
import { virementLabel } from '../../src/domain/versements.js';
import { describe, expect, it } from 'vitest';
import {
  escapeXml,
  isSepaIdentifier,
  isSepaText,
  SEPA_NAME_MAX,
  SEPA_REMITTANCE_MAX,
  toSepaText,
} from '../../src/modules/versements/sepa-texte.js';

describe('toSepaText: the EPC character set', () => {
  it.each([
    ['Lycée Saint-Exupéry', 'Lycee Saint-Exupery'],
    ['École française de Ça et Là', 'Ecole francaise de Ca et La'],
    ['Œuvre des apprentis cœur', 'Oeuvre des apprentis coeur'],
    ['ŒUVRE', 'OEUVRE'],
    ['Ex æquo Æsop', 'Ex aequo Aesop'],
    ['Großmann Straße', 'Grossmann Strasse'],
    ['CFA « Les Compagnons »', "CFA 'Les Compagnons'"],
    ['Le “Campus” et l’École', "Le 'Campus' et l'Ecole"],
    ['Dupont & Fils', 'Dupont + Fils'],
    ['Institut — Formation – Pro', 'Institut - Formation - Pro'],
    ['N° 12 ; bât. B_2', 'N 12 , bat. B-2'],
    ['Søren Łódź Ðuro', 'Soren Lodz Duro'],
    ['ﬁnance\u00a0et\u202fgestion', 'finance et gestion'],
    ['  trop   d’espaces\t\net de lignes  ', "trop d'espaces et de lignes"],
    ['a@b#c$d%e*f', 'a b c d e f'],
    ['Coût : 5 €', 'Cout : 5 EUR'],
    ['<script>&amp;</script>', 'script +amp, /script'],
    ['北京大学', ''],
  ])('%s → %s', (input, expected) => {
    expect(toSepaText(input, 140)).toBe(expected);
  });

  it('cuts to the length without ending on a space', () => {
    expect(toSepaText('Centre de formation des apprentis', 10)).toBe('Centre de');
    expect(toSepaText('é'.repeat(200), SEPA_NAME_MAX)).toBe('e'.repeat(70));
  });

  it('always gives SEPA characters, within the length, without double or edge spaces, and is stable', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer({ min: 1, max: 140 }), (input, max) => {
        const out = toSepaText(input, max);
        expect(isSepaText(out)).toBe(true);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(out).not.toMatch(/ {2}|^ | $/);
        expect(toSepaText(out, max)).toBe(out);
        expect(escapeXml(out)).toBe(out);
      }),
      { numRuns: 500 },
    );
  });
});

describe('identifiers and labels', () => {
  it.each([
    ['V2026-1-000001', true],
    ['SOLTEA-2026-V1', true],
    ['a'.repeat(35), true],
    ['a'.repeat(36), false],
    ['', false],
    ['avec espace', false],
    ['/V1', false],
    ['V1/', false],
    ['V//1', false],
    ['V1/2', true],
    ['Vé1', false],
    ['V_1', false],
  ])('%s → %s', (id, ok) => {
    expect(isSepaIdentifier(id)).toBe(ok);
  });

  it('writes the label of docs/regles.md#versements, within the 140 characters of Ustrd', () => {
    const label = virementLabel('73282932000074', 2026, 'V2026-1-000001');
    expect(label).toBe('TAXE- APPRENTISSAGE - 73282932000074 - 2026 - V2026-1-000001');
    expect(toSepaText(label, SEPA_REMITTANCE_MAX)).toBe(label);
  });

  it('escapes what XML reserves', () => {
    expect(escapeXml(`a & b < c > d ' e`)).toBe(`a &amp; b &lt; c &gt; d ' e`);
  });
});
