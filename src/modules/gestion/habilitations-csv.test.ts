import { describe, expect, it } from 'vitest';
import { BOM, csvCell, neutraliseFormula as neutralise } from '../../shared/csv.js';
import { checkHeader, codeColumns, exportHabilitations, readImport, readRecords, type ImportScope } from './habilitations-csv.js';

const S1 = '99900100100011';
const S2 = '99900200200022';
const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';

const scope: ImportScope = {
  sirets: new Set([S1, S2]),
  persons: new Map([
    ['claire@ex.fr', U1],
    ['lucas@ex.fr', U2],
  ]),
  declared: new Map([
    [S1, new Set(['DSN', 'SOLTEA_EMPLOYEURS'])],
    [S2, new Set(['DSN'])],
  ]),
};
const HEADER = 'siret;nom;prenom;courriel;DSN;DSN_payer;SOLTEA_EMPLOYEURS';

describe('export', () => {
  it('writes a BOM, the header with payer columns only for payable declarations, 1/0 and empty cells', () => {
    const csv = exportHabilitations({
      sirets: [S1, S2],
      persons: [{ userId: U1, nom: 'MOUTIN', prenom: 'Claire', email: 'claire@ex.fr' }],
      declared: scope.declared,
      rights: new Map([[`${U1}|${S1}|DSN`, { declarer: true, payer: false }]]),
      codes: ['DSN', 'SOLTEA_EMPLOYEURS'],
    });
    expect(csv.startsWith(BOM)).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines).toEqual([HEADER, `${S1};MOUTIN;Claire;claire@ex.fr;1;0;0`, `${S2};MOUTIN;Claire;claire@ex.fr;0;0;`]);
    expect(codeColumns(['DPAE', 'TESE'])).toEqual(['DPAE', 'TESE', 'TESE_payer']);
  });

  it('neutralises formulas and quotes separators', () => {
    for (const v of ['=1+1', '+33', '-2+1', '@SUM(A1)']) expect(neutralise(v)).toBe(`'${v}`);
    expect(neutralise('Dupont')).toBe('Dupont');
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  });

  it('round-trips through the parser', () => {
    const csv = exportHabilitations({
      sirets: [S1],
      persons: [{ userId: U1, nom: 'A;B', prenom: '=X', email: 'claire@ex.fr' }],
      declared: scope.declared,
      rights: new Map(),
      codes: ['DSN'],
    });
    const p = readRecords(csv);
    expect(p.ok && p.csv.rows[0]!.cells).toEqual([S1, 'A;B', "'=X", 'claire@ex.fr', '0', '0']);
  });
});

describe('import', () => {
  it('accepts a correct file and gives the wanted rights', () => {
    const r = readImport(
      `${BOM}${HEADER}\r\n${S1};MOUTIN;Claire;Claire@ex.fr;1;1;0\r\n${S2};BERNARD;Lucas;lucas@ex.fr;0;0;\r\n\r\n`,
      scope,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.lines).toBe(2);
    expect(r.rights).toEqual([
      { line: 2, userId: U1, siret: S1, code: 'DSN', declarer: true, payer: true },
      { line: 2, userId: U1, siret: S1, code: 'SOLTEA_EMPLOYEURS', declarer: false, payer: undefined },
      { line: 3, userId: U2, siret: S2, code: 'DSN', declarer: false, payer: false },
    ]);
  });

  const bad = (body: string) => {
    const r = readImport(body, scope);
    if (r.ok) throw new Error('expected a refusal');
    return r.report;
  };

  it('refuses an empty file or a wrong separator', () => {
    expect(bad('')[0]!.message).toMatch(/vide/);
    expect(bad('   \n\n')[0]!.message).toMatch(/vide/);
    expect(bad(`siret,nom,prenom,courriel,DSN\n${S1},A,B,claire@ex.fr,1`)[0]!.message).toMatch(/point-virgule/);
    expect(bad(`siret\tnom\tprenom\tcourriel\tDSN`)[0]!.message).toMatch(/point-virgule/);
  });

  it('refuses an unknown header', () => {
    expect(bad(`siret;nom;prenom;email;DSN\n`)[0]!.message).toMatch(/doit commencer par/);
    expect(bad(`siret;nom;prenom;courriel;INCONNU\n${S1};a;b;claire@ex.fr;1`)[0]!.message).toMatch(/pas une déclaration connue/);
    expect(bad(`siret;nom;prenom;courriel;DPAE_payer\n`)[0]!.message).toMatch(/Payer/);
    expect(bad(`siret;nom;prenom;courriel;DSN;DSN\n`)[0]!.message).toMatch(/deux fois/);
    expect(bad(`siret;nom;prenom;courriel\n${S1};a;b;claire@ex.fr`)[0]!.message).toMatch(/aucune colonne/);
    expect(bad(`siret;nom;prenom;courriel;=DSN\n`)[0]!.message).toMatch(/formules/);
    expect(checkHeader(HEADER.split(';')).ok).toBe(true);
  });

  it('reports every wrong line with its number', () => {
    const report = bad(
      [
        HEADER,
        `${S1};a;b;claire@ex.fr;1;0;1`, // 2 fine
        `12345678901234;a;b;claire@ex.fr;1;0;0`, // 3 not administered
        `${S1};a;b;inconnu@ex.fr;1;0;0`, // 4 unknown person
        `${S1};a;b;CLAIRE@ex.fr;0;0;0`, // 5 duplicate of 2
        `${S1};a;b;lucas@ex.fr;oui;0;0`, // 6 not 0/1
        `${S2};a;b;lucas@ex.fr;1;0;1`, // 7 SOLTEA not declared on S2
        `${S1};=cmd|' /C calc'!A0;b;lucas@ex.fr;1;0;0`, // 8 formula
        `${S1};a;b;lucas@ex.fr;1;0`, // 9 short line
        `123;a;b;;1;0;0`, // 10 bad SIRET and no courriel
        `${S2};+a;b;claire@ex.fr;1;0;`, // 11 formula +
        `${S2};a;@b;claire@ex.fr;1;0;`, // 12 formula @
        `${S2};a;-b;claire@ex.fr;1;0;`, // 13 formula -
      ].join('\n'),
    );
    const byLine = Object.fromEntries(report.map((r) => [r.line, r.message]));
    expect(Object.keys(byLine).map(Number)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(byLine[3]).toMatch(/n’est pas administré par vous/);
    expect(byLine[4]).toMatch(/aucun déclarant actif/i);
    expect(byLine[5]).toMatch(/en double avec la ligne 2/);
    expect(byLine[6]).toMatch(/valeur « oui » incorrecte/);
    expect(byLine[7]).toMatch(/n’est pas souscrite/);
    expect(byLine[8]).toMatch(/formules/);
    expect(byLine[9]).toMatch(/colonne\(s\) au lieu de 7/);
    expect(byLine[10]).toMatch(/14 chiffres.*courriel du déclarant est obligatoire/);
    for (const l of [11, 12, 13]) expect(byLine[l]).toMatch(/formules/);
  });

  it('handles quotes, and refuses an unclosed one', () => {
    const ok = readImport(`${HEADER}\n"${S1}";"MOUTIN; Claire";"x""y";claire@ex.fr;1;0;1\n`, scope);
    expect(ok.ok).toBe(true);
    expect(bad(`${HEADER}\n${S1};"MOUTIN;b;claire@ex.fr;1;0;1\n`)[0]!.message).toMatch(/Guillemets/);
  });

  it('refuses a file without lines, or binary content', () => {
    expect(bad(`${HEADER}\n`)[0]!.message).toMatch(/aucune ligne/);
    expect(bad(`${HEADER}\n\u0000\u0001`)[0]!.message).toMatch(/texte CSV/);
  });
});
