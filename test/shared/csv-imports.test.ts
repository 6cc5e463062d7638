/**
 * Every import reads CSV one way (src/shared/csv.ts, src/shared/text-decoding.ts): the same tricky file —
 * a separator and doubled quotes inside a quoted cell, accents, LF / CRLF / CR-only line endings, a BOM,
 * Windows-1252 bytes, a formula in a cell — gives the same rows to each of the four imports
 * (habilitations, tiers-déclarants' allocations, referential, envelopes). A formula is never run: it is
 * refused with a French message naming its line where the column cannot hold one (habilitations,
 * amounts), or kept as plain text and neutralised by the shared writer when exported (names).
 */
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { makeValidSiren, makeValidSiret } from '../../src/domain/identifiers.js';
import { readAttributionsCsv } from '../../src/modules/attributions/import-csv-read.js';
import { parseEnvelopeFile } from '../../src/modules/enveloppes/format.js';
import { readImport, readRecords } from '../../src/modules/gestion/habilitations-csv.js';
import { buildCommuneIndex } from '../../src/modules/referentiel/commune-index.js';
import { parseReferentielFile } from '../../src/modules/referentiel/format.js';
import { csvCell } from '../../src/shared/csv.js';
import { decodeText } from '../../src/shared/text-decoding.js';

/** The variants of one file: its line endings, a BOM, and its bytes in UTF-8 or Windows-1252. */
function variants(lines: readonly string[]): [string, string | Uint8Array][] {
  const lf = lines.join('\n') + '\n';
  return [
    ['LF', lf],
    ['CRLF', lines.join('\r\n') + '\r\n'],
    ['CR seul', lines.join('\r') + '\r'],
    ['BOM UTF-8', Buffer.from('\uFEFF' + lf, 'utf8')],
    ['UTF-8 sans BOM', Buffer.from(lf, 'utf8')],
    ['Windows-1252', iconv.encode(lf, 'windows-1252')],
  ];
}

/** Same content in every variant: `label` of each variant → what the import read. */
function sameEverywhere<T>(lines: readonly string[], read: (input: string | Uint8Array) => T): T {
  const results = variants(lines).map(([label, input]) => [label, read(input)] as const);
  const [, first] = results[0]!;
  for (const [label, r] of results) expect(r, label).toEqual(first);
  return first;
}

const SIREN = makeValidSiren('99812345');
const SIRET = makeValidSiret(SIREN, '0001');
const OTHER = makeValidSiret(SIREN, '0002');

describe('the same tricky file in every import', () => {
  it('habilitations (« Gérer les habilitations », CSV import)', () => {
    const lines = [
      'siret;nom;prenom;courriel;DSN',
      `${SIRET};"Dupré; dit ""Jojo""";Gérard;gerard@example.fr;1`,
      `${OTHER};Lefèvre;Zoé;zoe@example.fr;0`,
    ];
    const read = sameEverywhere(lines, (input) => {
      // the route decodes the bytes of a text/csv body with the shared decoder, like every import
      const r = readRecords(decodeText(input).text);
      return r.ok ? r.csv.rows.map((x) => ({ line: x.line, cells: x.cells })) : r.report;
    });
    expect(read).toEqual([
      { line: 2, cells: [SIRET, 'Dupré; dit "Jojo"', 'Gérard', 'gerard@example.fr', '1'] },
      { line: 3, cells: [OTHER, 'Lefèvre', 'Zoé', 'zoe@example.fr', '0'] },
    ]);
    const scope = {
      sirets: new Set([SIRET]),
      persons: new Map([['gerard@example.fr', 'u1']]),
      declared: new Map([[SIRET, new Set(['DSN'])]]),
    };
    const formula = readImport(
      ['siret;nom;prenom;courriel;DSN', `${SIRET};=HYPERLINK("http://x");Gérard;gerard@example.fr;1`].join('\n'),
      scope,
    );
    expect(formula.ok).toBe(false);
    expect(!formula.ok && formula.report.map((r) => r.line)).toContain(2);
  });

  it('allocations of tiers-déclarants (« Importer des attributions »)', () => {
    const lines = [
      'siret_employeur;siret_beneficiaire;formation;pourcentage;nom_beneficiaire',
      `${SIRET};${OTHER};;"12,5 %";"Lycée ""Raspail""; Paris"`,
      `${SIRET};${OTHER};RNCP35346;40;École`,
    ];
    const read = sameEverywhere(lines, (input) => {
      const r = readAttributionsCsv(input);
      return r.ok ? r.lines.map((l) => ({ ...l })) : r.report;
    });
    expect(Array.isArray(read) && read.length).toBe(2);
    expect(JSON.stringify(read)).toContain('12,5 %');
    expect(JSON.stringify(read)).toContain('RNCP35346');
    const formula = readAttributionsCsv(
      ['siret_employeur;siret_beneficiaire;formation;pourcentage', `${SIRET};${OTHER};=1+1;10`].join('\n'),
    );
    const refused = formula.ok ? [] : formula.report;
    // a formula is never taken as a value: the structure is read, and the line is refused when resolved
    expect(formula.ok ? formula.lines[0]!.line : refused[0]!.line).toBe(2);
  });

  it('the referential (import-referential)', () => {
    const communes = buildCommuneIndex([
      { code: '75056', nom: 'Paris', codesPostaux: ['75014'], departement: '75', region: '11', lat: 48.85, lng: 2.35, population: 1 },
    ]);
    const lines = [
      'type;siret;siret_parent;uai;nom;adresse;code_postal;code_commune;commune;categorie;liste',
      `etablissement;19750691800048;;0750691U;"LYCÉE ""RASPAIL""; MÉTIERS";5 B AV MAURICE D OCAGNE;75014;;Paris;1°;regionale`,
    ];
    const read = sameEverywhere(lines, (input) => {
      const p = parseReferentielFile(input, 'f.csv', { communes });
      return { etablissements: p.etablissements.map((e) => ({ siret: e.siret, nom: e.nom })), rejected: p.rejected };
    });
    expect(read).toEqual({ etablissements: [{ siret: '19750691800048', nom: 'LYCÉE "RASPAIL"; MÉTIERS' }], rejected: [] });
    const formula = parseReferentielFile(
      [lines[0]!, lines[1]!.replace('"LYCÉE ""RASPAIL""; MÉTIERS"', '=HYPERLINK("x")')].join('\n'),
      'f.csv',
      { communes },
    );
    // a name is kept as text (the official lists are imported as published) and neutralised when written
    expect(formula.etablissements.map((e) => e.nom)).toEqual(['=HYPERLINK("x")']);
    expect(csvCell(formula.etablissements[0]!.nom)).toBe(`"'=HYPERLINK(""x"")"`);
  });

  it('the envelopes (import-envelopes)', () => {
    const lines = [
      'siret;collecteur;code;montant;periode;siret_declarant;declarant;date_depot',
      `${SIRET};URSSAF;076;"1 234,56";2024;;"Boulangerie ""Lefèvre""; Fils";15/05/2025`,
      `${SIRET};URSSAF;078;200,00;2024;;"Boulangerie ""Lefèvre""; Fils";15/05/2025`,
    ];
    const read = sameEverywhere(lines, (input) => {
      const p = parseEnvelopeFile(input, { annee: 2025, fichier: 'f.csv' });
      return { lines: p.lines, rejections: p.rejections };
    });
    expect(read.rejections).toEqual([]);
    expect(read.lines.map((l) => [l.siret, l.code, l.cents])).toEqual([
      [SIRET, '076', 123456n],
      [SIRET, '078', 20000n],
    ]);
    expect(JSON.stringify(read.lines, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).toContain(
      'Boulangerie \\"Lefèvre\\"; Fils',
    );
    const formula = parseEnvelopeFile([lines[0]!, `${SIRET};URSSAF;076;=1+1;2024;;X;15/05/2025`].join('\n'), {
      annee: 2025,
      fichier: 'f.csv',
    });
    expect(formula.lines).toEqual([]);
    expect(formula.rejections.map((r) => r.line)).toEqual([2]);
  });
});
