import iconv from 'iconv-lite';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeEnvelopes } from '../../domain/enveloppe.js';
import {
  aggregateEnvelopeLines,
  parseCode,
  parseCollecteur,
  parseDay,
  parseDepositDate,
  parseDsnAmount,
  parseEnvelopeFile,
  parseEuroAmount,
  parsePeriode,
  prepareEnvelopeImport,
  type ParsedEnvelopeFile,
} from './format.js';
import { decodeText } from '../../shared/text-decoding.js';
import { block, CABINET, declaration, dsnEnvoi, URSSAF_IDF } from '../../../test/enveloppes/dsn-envoi.js';

// valid SIRETs (Luhn): two établissements of one company, another company (the DSN envois' tiers-déclarant and
// Urssaf: test/enveloppes/dsn-envoi.ts)
const A1 = '73282932000074';
const A2 = '73282932000090';
const B = '55208131766522';
const C = '40123456200015';
const BAD_KEY = '73282932000075';

/** `expect.stringContaining`, typed as the string it stands for */
const containing = (part: string) => expect.stringContaining(part) as string;
const msgs = (r: ParsedEnvelopeFile) => r.rejections.map((x) => `${x.line}: ${x.message}`);
const warns = (r: ParsedEnvelopeFile) => r.warnings.map((x) => `${x.line}: ${x.message}`);

describe('amounts, dates, codes', () => {
  it('reads euros exactly, never through a float', () => {
    const ok: [string, bigint][] = [
      ['1234,56', 123_456n],
      ['1234.56', 123_456n],
      ['1 234,56', 123_456n],
      ['1\u202f234\u202f567,8', 123_456_780n],
      ['1.234,56', 123_456n],
      ['1,234.56', 123_456n],
      ['12', 1_200n],
      ['0,1', 10n],
      ['0', 0n],
      [' 12,50 € ', 1_250n],
      ['0.29', 29n], // 0.29 * 100 = 28.999999999999996 in floating point
      ['999999999999.99'.slice(0, 0) + '1000000000', 100_000_000_000n],
    ];
    for (const [raw, cents] of ok) expect(parseEuroAmount(raw), raw).toEqual({ ok: true, value: cents });
  });

  it('refuses negative amounts, three decimals, exponents, other digits and nonsense in French', () => {
    const cases: [string, string][] = [
      ['-10,00', 'est négatif'],
      ['−10', 'est négatif'],
      ['12,345', 'plus de deux décimales'],
      ['1.234', 'plus de deux décimales'],
      ['1e5', 'n’est pas un nombre d’euros'],
      ['NaN', 'n’est pas un nombre d’euros'],
      ['0x10', 'n’est pas un nombre d’euros'],
      ['١٢٣', 'n’est pas un nombre d’euros'],
      ['１２３', 'n’est pas un nombre d’euros'],
      ['=1+1', 'n’est pas un nombre d’euros'],
      ['12 34', 'n’est pas un nombre d’euros'],
      ['', 'Le montant est vide.'],
      ['1000000000,01', 'dépasse 1 milliard'],
      ['99999999999999999999', 'dépasse 1 milliard'],
    ];
    for (const [raw, part] of cases) {
      const r = parseEuroAmount(raw);
      expect(r.ok, raw).toBe(false);
      if (!r.ok) expect(r.message, raw).toContain(part);
    }
  });

  it('reads any cents amount written either way back to the same cents (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 100_000_000_000n }), (cents) => {
        const s = `${cents / 100n},${String(cents % 100n).padStart(2, '0')}`;
        expect(parseEuroAmount(s)).toEqual({ ok: true, value: cents });
        expect(parseDsnAmount(s.replace(',', '.'))).toEqual({ ok: true, value: cents });
      }),
    );
  });

  it('reads DSN values strictly: a point and exactly two decimals', () => {
    expect(parseDsnAmount('1234.56')).toEqual({ ok: true, value: 123_456n });
    expect(parseDsnAmount('.50')).toEqual({ ok: true, value: 50n });
    expect(parseDsnAmount('000012.00')).toEqual({ ok: true, value: 1_200n });
    expect(parseDsnAmount('1234,56')).toMatchObject({ ok: false, message: containing('le séparateur décimal est le point') });
    expect(parseDsnAmount('1234.567')).toMatchObject({ ok: false, message: containing('plus de deux décimales') });
    expect(parseDsnAmount('-5.00')).toMatchObject({ ok: false, message: containing('négatif') });
    expect(parseDsnAmount('1234')).toMatchObject({ ok: false, message: containing('n’est pas une valeur DSN') });
  });

  it('reads days, deposit dates, periods, collectors and codes', () => {
    expect(parseDay('31/12/2024')).toEqual({ ok: true, value: '2024-12-31' });
    expect(parseDay('31122024')).toEqual({ ok: true, value: '2024-12-31' });
    expect(parseDay('2024-02-30')).toMatchObject({ ok: false, message: 'La date « 2024-02-30 » n’existe pas.' });
    expect(parseDepositDate('05/05/2025 10:32')).toEqual({ ok: true, value: '2025-05-05T10:32' });
    expect(parseDepositDate('2025-05-05T10:32:07')).toEqual({ ok: true, value: '2025-05-05T10:32:07' });
    expect(parseDepositDate('2025-05-05 25:00')).toMatchObject({ ok: false });
    expect(parsePeriode('2024')).toEqual({ ok: true, value: { debut: '2024-01-01', fin: '2024-12-31' } });
    expect(parsePeriode('du 01/01/2024 au 30/06/2024')).toEqual({ ok: true, value: { debut: '2024-01-01', fin: '2024-06-30' } });
    expect(parsePeriode('2024-01-01/2024-12-31')).toEqual({ ok: true, value: { debut: '2024-01-01', fin: '2024-12-31' } });
    expect(parsePeriode('01012024-31122024')).toEqual({ ok: true, value: { debut: '2024-01-01', fin: '2024-12-31' } });
    expect(parsePeriode('01/07/2024 - 30/06/2025')).toMatchObject({
      ok: false,
      message: containing('une seule année civile'),
    });
    expect(parsePeriode('31/12/2024 - 01/01/2024')).toMatchObject({
      ok: false,
      message: containing('se termine avant de commencer'),
    });
    expect(parsePeriode('l’an dernier')).toMatchObject({ ok: false });
    expect(parseCollecteur(' Urssaf ')).toEqual({ ok: true, value: 'URSSAF' });
    expect(parseCollecteur('M.S.A.')).toEqual({ ok: true, value: 'MSA' });
    expect(parseCollecteur('CGSS')).toEqual({ ok: true, value: 'URSSAF' });
    expect(parseCollecteur('OPCO')).toMatchObject({
      ok: false,
      message: 'L’organisme collecteur doit être URSSAF ou MSA (valeur reçue : « OPCO »).',
    });
    expect(parseCode('76')).toEqual({ ok: true, value: '076' });
    expect(parseCode('079')).toMatchObject({
      ok: false,
      message:
        'Le code 079 (contribution supplémentaire à l’apprentissage (CSA)) n’entre pas dans l’enveloppe : seuls 076, 077 et 078 sont acceptés.',
    });
    expect(parseCode('999')).toMatchObject({ ok: false, message: containing('Code inconnu') });
  });
});

describe('CSV, one line per amount', () => {
  const csv = [
    'siret;collecteur;code;montant;periode;siret_declarant;declarant;date_depot',
    `${A1};URSSAF;076;1 234,56;2024;${CABINET};Cabinet Dupré & Associés;05/05/2025`,
    `${A1};URSSAF;078;200,00;2024;${CABINET};Cabinet Dupré & Associés;05/05/2025`,
    `${A2};Urssaf;076;310.40;01/01/2024-30/06/2024;${CABINET};Cabinet Dupré & Associés;05/05/2025`,
    `${B};MSA;076;98 765,43;2024;;Exploitation agricole Martin;15/05/2025 09:12`,
    `${B};MSA;077;1500;2024;;Exploitation agricole Martin;15/05/2025 09:12`,
    '',
    `${A1};URSSAF;076;1 334,56;2024;${CABINET};Cabinet Dupré & Associés;05/06/2025`,
  ].join('\r\n');

  it('reads a UTF-8 file with a BOM into amounts with their deposit', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv, 'utf8')]);
    const r = parseEnvelopeFile(bytes, { annee: 2025, fichier: 'urssaf-2025.csv' });
    expect(msgs(r)).toEqual([]);
    expect(r).toMatchObject({ ok: true, format: 'csv', encoding: 'utf-8' });
    expect(r.lines).toHaveLength(6);
    expect(r.lines[0]).toEqual({
      fichier: 'urssaf-2025.csv',
      line: 2,
      siret: A1,
      collecteur: 'URSSAF',
      annee: 2025,
      code: '076',
      cents: 123_456n,
      periode: { debut: '2024-01-01', fin: '2024-12-31' },
      declarant: { siret: CABINET, nom: 'Cabinet Dupré & Associés' },
      deposeLe: '2025-05-05',
      depot: `urssaf-2025.csv|2025-05-05|${CABINET}`,
    });
    expect(r.lines[3]).toMatchObject({
      siret: B,
      collecteur: 'MSA',
      deposeLe: '2025-05-15T09:12',
      declarant: { siret: null, nom: 'Exploitation agricole Martin' },
    });
    expect(r.lines[5]).toMatchObject({ line: 8, cents: 133_456n, deposeLe: '2025-06-05' });
  });

  it('aggregates per SIRET: a later deposit of the same period replaces the code it carries (a correction)', () => {
    const r = parseEnvelopeFile(csv, { annee: 2025, fichier: 'urssaf-2025.csv' });
    const agg = aggregateEnvelopeLines(r.lines);
    expect(agg.errors).toEqual([]);
    expect(
      agg.envelopes.map((e) => [e.siret, e.collecteur, e.soldeCents, e.subventionsCfaCents, e.creanceAlternantsCents, e.deposeLe]),
    ).toEqual([
      [B, 'MSA', 9_876_543n, 150_000n, 0n, '2025-05-15T09:12'],
      [A1, 'URSSAF', 133_456n, 0n, 20_000n, '2025-06-05'],
      [A2, 'URSSAF', 31_040n, 0n, 0n, '2025-05-05'],
    ]);
    expect(agg.envelopes[2]!.periode).toEqual({ debut: '2024-01-01', fin: '2024-06-30' });
    expect(agg.remplacements).toEqual([
      { siret: A1, exercice: 2024, code: '076', remplace: '2025-05-05', par: '2025-06-05', fichier: 'urssaf-2025.csv', line: 8 },
    ]);
    // ready for the envelope computation
    const env = computeEnvelopes(agg.envelopes, 10_000n);
    expect(env.ok).toBe(true);
  });

  it('reads a Windows-1252 file with a comma separator, quoted decimal commas and one line per SIRET', () => {
    const text = [
      'SIRET,Organisme collecteur,Solde 076,Déduction 077,Déduction 078,Période,Déclarant,Date de dépôt',
      `${C},MSA,"4 500,00 €",,"120,50",2024,Coopérative Céréalière de l’Eure,2025-05-15`,
      `${A2},URSSAF,"0,00",,,2024,Société Générale d’Équipement,2025-05-05`,
    ].join('\n');
    const bytes = iconv.encode(text, 'windows-1252');
    expect(bytes.includes(0xe9)).toBe(true); // « é » as one byte: really cp1252
    const r = parseEnvelopeFile(bytes, { annee: 2025, fichier: 'msa.csv' });
    expect(msgs(r)).toEqual([]);
    expect(r.encoding).toBe('windows-1252');
    expect(r.lines.map((l) => [l.siret, l.code, l.cents, l.declarant?.nom])).toEqual([
      [C, '076', 450_000n, 'Coopérative Céréalière de l’Eure'],
      [C, '078', 12_050n, 'Coopérative Céréalière de l’Eure'],
      [A2, '076', 0n, 'Société Générale d’Équipement'],
    ]);
  });

  it('takes the payroll year N − 1 when there is no period column, and warns about unknown columns', () => {
    const r = parseEnvelopeFile(`siret;collecteur;code;montant;commentaire\n${A1};URSSAF;076;10;vu avec le client`, { annee: 2025 });
    expect(r.ok).toBe(true);
    expect(r.lines[0]!.periode).toEqual({ debut: '2024-01-01', fin: '2024-12-31' });
    expect(warns(r)).toEqual(['1: Colonne « commentaire » inconnue : elle est ignorée.']);
  });

  it('rejects each wrong line with its number and a French reason; a bad check digit is only a warning', () => {
    const text = [
      'siret;collecteur;code;montant;periode',
      `${BAD_KEY};URSSAF;076;100,00;2024`,
      `7328293200007;URSSAF;076;100,00;2024`,
      `７３２８２９３２００００７４;URSSAF;076;100,00;2024`,
      `${A1};OPCO;076;100,00;2024`,
      `${A1};URSSAF;079;100,00;2024`,
      `${A1};URSSAF;076;-100,00;2024`,
      `${A1};URSSAF;076;100,005;2024`,
      `${A1};URSSAF;076;cent euros;2024`,
      `${A1};URSSAF;076;100,00;2025`,
      `${A1};URSSAF;076;100,00`,
      `${A1};URSSAF;076;100,00;2023`,
    ].join('\n');
    const r = parseEnvelopeFile(text, { annee: 2025, fichier: 'f.csv' });
    expect(msgs(r)).toEqual([
      '3: Le numéro SIRET « 7328293200007 » doit comporter 14 chiffres.',
      '4: Le numéro SIRET « ７３２８２９３２００００７４ » doit comporter 14 chiffres.',
      '5: L’organisme collecteur doit être URSSAF ou MSA (valeur reçue : « OPCO »).',
      '6: Le code 079 (contribution supplémentaire à l’apprentissage (CSA)) n’entre pas dans l’enveloppe : seuls 076, 077 et 078 sont acceptés.',
      '7: Le montant « -100,00 » est négatif : seuls des montants positifs ou nuls sont acceptés.',
      '8: Le montant « 100,005 » a plus de deux décimales : indiquez des euros et des centimes (par exemple 1234,56).',
      '9: Le montant « cent euros » n’est pas un nombre d’euros (par exemple 1234,56).',
      '10: La période 2025 ne peut pas alimenter la campagne 2025 : le solde de la campagne 2025 porte sur la masse salariale 2024 (indiquez l’année de la masse salariale, pas celle de la campagne).',
      '11: La ligne compte 4 colonnes au lieu de 5.',
    ]);
    expect(r.ok).toBe(false);
    expect(warns(r)).toEqual([`2: Le numéro SIRET ${BAD_KEY} ne passe pas la clé de contrôle : ligne importée avec un avertissement.`]);
    expect(r.lines.map((l) => l.line)).toEqual([2, 12]);
    // the 2023 line is a correction of the 2024 campaign, kept apart
    const agg = aggregateEnvelopeLines(r.lines);
    expect(agg.envelopes.map((e) => e.siret)).toEqual([BAD_KEY]);
    expect(agg.anterieures).toMatchObject([{ siret: A1, exercice: 2023, soldeCents: 10_000n }]);
  });

  it('explains the comma separator when a decimal comma is not quoted', () => {
    const r = parseEnvelopeFile(`siret,collecteur,code,montant\n${A1},URSSAF,076,100,50`, { annee: 2025 });
    expect(msgs(r)).toEqual([
      '2: La ligne compte 5 colonnes au lieu de 4. Avec la virgule comme séparateur, un montant à virgule décimale doit être entre guillemets ("1234,56").',
    ]);
  });

  it('refuses wrong headers', () => {
    expect(msgs(parseEnvelopeFile('siret\tcollecteur\tcode\tmontant\n', { annee: 2025 }))).toEqual([
      '1: L’en-tête doit séparer ses colonnes par des points-virgules (;) ou des virgules (,), par exemple « siret;collecteur;code;montant ».',
    ]);
    expect(msgs(parseEnvelopeFile('siret;montant\n', { annee: 2025 }))).toEqual([
      '1: Colonne(s) obligatoire(s) absente(s) : collecteur, code.',
    ]);
    expect(msgs(parseEnvelopeFile('siret;collecteur;code;montant;solde_076\n', { annee: 2025 }))[0]).toContain('Choisissez un seul format');
    expect(msgs(parseEnvelopeFile('siret;siret;collecteur;code;montant\n', { annee: 2025 }))).toEqual([
      '1: La colonne « siret » apparaît deux fois.',
    ]);
  });

  it('survives hostile input: formulas, control characters, endless lines, open quotes, binary files', () => {
    const formula = parseEnvelopeFile(
      `siret;collecteur;code;montant;declarant\n${A1};URSSAF;076;1;=HYPERLINK("http://x")\n${A1};URSSAF;076;1;@SUM(A1)`,
      { annee: 2025 },
    );
    expect(msgs(formula)).toEqual([
      '2: Le nom du déclarant « =HYPERLINK("http://x") » commence par =, +, - ou @ : les formules sont refusées.',
      '3: Le nom du déclarant « @SUM(A1) » commence par =, +, - ou @ : les formules sont refusées.',
    ]);
    const script = parseEnvelopeFile(
      `siret;collecteur;code;montant;declarant\n${A1};URSSAF;076;1;"<script>alert(1)</script>\u0007 Cabinet"`,
      { annee: 2025 },
    );
    expect(script.lines[0]!.declarant?.nom).toBe('<script>alert(1)</script> Cabinet'); // kept as text: pages escape it
    const long = parseEnvelopeFile(`siret;collecteur;code;montant\n${A1};URSSAF;076;${'9'.repeat(20_000)}\n${A2};URSSAF;076;1`, {
      annee: 2025,
    });
    expect(msgs(long)).toEqual(['2: La ligne dépasse 10000 caractères : elle est ignorée.']);
    expect(long.lines.map((l) => l.siret)).toEqual([A2]);
    const quote = parseEnvelopeFile(`siret;collecteur;code;montant;declarant\n${A1};URSSAF;076;1;"Cabinet\n${A2};URSSAF;076;1;x`, {
      annee: 2025,
    });
    expect(msgs(quote)).toEqual(['2: Guillemets non fermés à partir de cette ligne : la fin du fichier ne peut pas être lue.']);
    const png = parseEnvelopeFile(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]), { annee: 2025 });
    expect(msgs(png)).toEqual(['0: Le fichier n’est pas un fichier texte (CSV ou DSN).']);
    expect(msgs(parseEnvelopeFile('\r\n \n', { annee: 2025 }))).toEqual(['0: Le fichier est vide.']);
    expect(msgs(parseEnvelopeFile('x', { annee: 1999 }))).toEqual([
      '0: L’année de campagne doit être un nombre entier entre 2023 et 2100.',
    ]);
  });

  it('never throws, whatever the bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const r = parseEnvelopeFile(bytes, { annee: 2025 });
        expect(r.ok).toBe(r.rejections.length === 0);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 30 }), { maxLength: 8 }), (cells) => {
        const r = parseEnvelopeFile(`siret;collecteur;code;montant;periode\n${cells.join(';')}\n`, { annee: 2025 });
        for (const l of r.lines) expect(l.cents).toBeGreaterThanOrEqual(0n);
      }),
      { numRuns: 300 },
    );
  });
});

// ── DSN ──────────────────────────────────────────────────────────────────────────────────────────

describe('DSN lines (S21.G00.82)', () => {
  const april = dsnEnvoi({
    declarations: [
      declaration({
        siret: A1,
        dateFichier: '05052025',
        blocks: [block('1234.56', '076'), block('200.00', '078'), block('150.00', '079'), block('0.00', '074')],
      }),
      declaration({ siret: A2, dateFichier: '05052025', blocks: [block('310.40', '076'), block('10.00', '077'), block('5.00', '077')] }),
    ],
  });

  it('reads the SIRET from SIREN (06.001) + NIC (11.001), the amounts of codes 076-078, the émetteur and the file date', () => {
    const r = parseEnvelopeFile(Buffer.from(april, 'utf8'), { annee: 2025, fichier: 'dsn-avril.txt' });
    expect(msgs(r)).toEqual([]);
    expect(warns(r)).toEqual([]);
    expect(r.format).toBe('dsn');
    expect(r.lines.map((l) => [l.siret, l.code, l.cents, l.collecteur, l.depot])).toEqual([
      [A1, '076', 123_456n, 'URSSAF', 'dsn-avril.txt#1'],
      [A1, '078', 20_000n, 'URSSAF', 'dsn-avril.txt#1'],
      [A2, '076', 31_040n, 'URSSAF', 'dsn-avril.txt#2'],
      [A2, '077', 1_000n, 'URSSAF', 'dsn-avril.txt#2'],
      [A2, '077', 500n, 'URSSAF', 'dsn-avril.txt#2'],
    ]);
    expect(r.lines[0]).toMatchObject({
      line: 33,
      periode: { debut: '2024-01-01', fin: '2024-12-31' },
      declarant: { siret: CABINET, nom: 'CABINET DUPRÉ & ASSOCIÉS' },
      deposeLe: '2025-05-05',
    });
    const agg = aggregateEnvelopeLines(r.lines);
    expect(agg.envelopes.map((e) => [e.siret, e.soldeCents, e.subventionsCfaCents, e.creanceAlternantsCents])).toEqual([
      [A1, 123_456n, 0n, 20_000n],
      [A2, 31_040n, 1_500n, 0n],
    ]);
  });

  it('reads a cp1252 DSN of the MSA (code caisse in 82.005) and lets a later « annule et remplace » correct it', () => {
    const may = dsnEnvoi({
      pointDepot: '02',
      declarations: [
        declaration({
          siret: C,
          dateFichier: '12052025',
          champ: '02',
          blocks: [block('4500.00', '076', '24'), block('120.50', '078', '24')],
        }),
      ],
    });
    const june = dsnEnvoi({
      pointDepot: '02',
      declarations: [declaration({ siret: C, type: '03', dateFichier: '04062025', champ: '02', blocks: [block('4800.00', '076', '24')] })],
    });
    const r1 = parseEnvelopeFile(iconv.encode(may, 'windows-1252'), { annee: 2025, fichier: 'msa-mai.dsn' });
    const r2 = parseEnvelopeFile(iconv.encode(june, 'windows-1252'), { annee: 2025, fichier: 'msa-juin.dsn' });
    expect([...msgs(r1), ...msgs(r2)]).toEqual([]);
    expect(r1.encoding).toBe('windows-1252');
    expect(r1.lines[0]!.declarant?.nom).toBe('CABINET DUPRÉ & ASSOCIÉS');
    expect(r1.lines.every((l) => l.collecteur === 'MSA')).toBe(true);
    // files given out of order: the deposit dates decide
    const agg = aggregateEnvelopeLines([...r2.lines, ...r1.lines]);
    expect(agg.envelopes).toMatchObject([
      { siret: C, collecteur: 'MSA', soldeCents: 480_000n, creanceAlternantsCents: 12_050n, deposeLe: '2025-06-04' },
    ]);
    expect(agg.remplacements).toMatchObject([{ siret: C, code: '076', remplace: '2025-05-12', par: '2025-06-04' }]);
  });

  it('supposes the Urssaf, with a warning, when 82.005 is empty on net-entreprises', () => {
    const r = parseEnvelopeFile(
      dsnEnvoi({ declarations: [declaration({ siret: A1, dateFichier: '05052025', blocks: [block('10.00', '076', '')] })] }),
      { annee: 2025 },
    );
    expect(r.lines[0]!.collecteur).toBe('URSSAF');
    expect(warns(r)).toEqual([
      '33: Référence de l’organisme (S21.G00.82.005) absente : organisme collecteur supposé URSSAF (point de dépôt net-entreprises).',
    ]);
  });

  it('rejects broken rubrics and amounts, test envois, « annule » declarations and other natures', () => {
    const bad = dsnEnvoi({
      declarations: [
        declaration({
          siret: A1,
          dateFichier: '05052025',
          blocks: [
            block('1234,56', '076'),
            block('12.345', '077'),
            block('-5.00', '078'),
            block('10.00', '076', URSSAF_IDF, '01012025', '31122025'),
            [`S21.G00.82.001,'1.00'`, `S21.G00.82.002,'076'`],
          ],
        }),
      ],
    }).replace(`S10.G00.02.001,'02'`, `S10.G00.02.001 '02'`);
    const r = parseEnvelopeFile(bad, { annee: 2025 });
    expect(msgs(r)).toEqual([
      "14: Ligne DSN mal formée : attendu « S21.G00.82.001,'valeur' » (code de rubrique, virgule, valeur entre apostrophes), reçu « S10.G00.02.001 '02' ».",
      '33: Le montant « 1234,56 » : en DSN le séparateur décimal est le point (par exemple 1234.56).',
      '38: Le montant « 12.345 » a plus de deux décimales : une valeur DSN s’écrit avec exactement deux décimales (1234.56).',
      '43: Le montant « -5.00 » est négatif : seuls des montants positifs ou nuls sont acceptés.',
      '48: La période 2025 ne peut pas alimenter la campagne 2025 : le solde de la campagne 2025 porte sur la masse salariale 2024 (indiquez l’année de la masse salariale, pas celle de la campagne).',
      '53: Bloc S21.G00.82 sans période de rattachement (S21.G00.82.003 et .004, JJMMAAAA).',
    ]);
    const essai = parseEnvelopeFile(april.replace(`S10.G00.00.005,'02'`, `S10.G00.00.005,'01'`), { annee: 2025 });
    expect(msgs(essai)).toEqual(['4: Envoi d’essai (S10.G00.00.005 = 01) : ses montants ne sont pas importés. Déposez l’envoi réel (02).']);
    expect(essai.lines).toEqual([]);
    const annule = parseEnvelopeFile(
      dsnEnvoi({
        declarations: [
          declaration({ siret: A1, type: '04', dateFichier: '05052025', blocks: [block('1.00', '076'), block('1.00', '078')] }),
        ],
      }),
      { annee: 2025 },
    );
    expect(msgs(annule)).toEqual([
      '17: Déclaration « annule » (S20.G00.05.002 = 04) : non prise en charge ; déposez une déclaration « annule et remplace » (03) avec les montants corrigés, à zéro si besoin.',
    ]);
    const signalement = parseEnvelopeFile(
      dsnEnvoi({ declarations: [declaration({ siret: A1, nature: '07', dateFichier: '05052025', blocks: [block('1.00', '076')] })] }),
      { annee: 2025 },
    );
    expect(msgs(signalement)[0]).toContain('se déclare dans une DSN mensuelle (S20.G00.05.001 = 01), pas dans la nature « 07 »');
  });

  it('rejects an établissement without its entreprise and warns when the rubric count says the file is truncated', () => {
    const orphan = [`S10.G00.00.005,'02'`, `S20.G00.05.001,'01'`, `S21.G00.11.001,'00074'`, ...block('1.00', '076')].join('\n');
    expect(msgs(parseEnvelopeFile(orphan, { annee: 2025 }))).toEqual([
      '3: Établissement (S21.G00.11) sans entreprise (S21.G00.06) avant lui : son SIRET ne peut pas être formé.',
    ]);
    const lines = april.trimEnd().split('\n');
    const missingOne = [...lines.slice(0, 40), ...lines.slice(41)].join('\n');
    expect(warns(parseEnvelopeFile(missingOne, { annee: 2025 }))).toEqual([
      `${lines.length - 2}: Le nombre total de rubriques annoncé (S90.G00.90.001 = ${lines.length}) ne correspond pas au fichier (${lines.length - 1}) : le fichier est peut-être tronqué.`,
    ]);
    const cut = parseEnvelopeFile(lines.slice(0, 45).join('\n'), { annee: 2025 });
    expect(warns(cut)).toEqual(['45: L’envoi n’a pas de bloc de fin (S90.G00.90) : le fichier est peut-être tronqué.']);
    const badSiren = dsnEnvoi({
      declarations: [declaration({ siret: '7328293X000074', dateFichier: '05052025', blocks: [block('1.00', '076')] })],
    });
    expect(msgs(parseEnvelopeFile(badSiren, { annee: 2025 }))[0]).toContain('SIRET incomplet');
  });
});

describe('aggregation', () => {
  it('refuses a SIRET declared to both the Urssaf and the MSA for the same year', () => {
    const r = parseEnvelopeFile(`siret;collecteur;code;montant\n${A1};URSSAF;076;10\n${A1};MSA;077;1`, { annee: 2025, fichier: 'x.csv' });
    const agg = aggregateEnvelopeLines(r.lines);
    expect(agg.envelopes).toEqual([]);
    expect(agg.errors.map((e) => e.message)).toEqual([
      `SIRET ${A1} : déclaré à la fois auprès de l’URSSAF et de la MSA pour la masse salariale 2024 (lignes x.csv:2, x.csv:3) ; une enveloppe n’a qu’un organisme collecteur.`,
    ]);
  });

  it('adds up the lines of one deposit and keeps only the latest deposit per code (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            depot: fc.integer({ min: 0, max: 3 }),
            code: fc.constantFrom('076', '077', '078'),
            cents: fc.bigInt({ min: 0n, max: 10n ** 9n }),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        (rows) => {
          const day = (d: number) => `2025-0${5 + d}-05`;
          const text = [
            'siret;collecteur;code;montant;date_depot',
            ...rows.map((r) => `${A1};URSSAF;${r.code};${r.cents / 100n},${String(r.cents % 100n).padStart(2, '0')};${day(r.depot)}`),
          ].join('\n');
          const parsed = parseEnvelopeFile(text, { annee: 2025 });
          expect(parsed.ok).toBe(true);
          const agg = aggregateEnvelopeLines(parsed.lines);
          const expected = (code: string) => {
            const of = rows.filter((r) => r.code === code);
            if (!of.length) return 0n;
            const last = Math.max(...of.map((r) => r.depot));
            return of.filter((r) => r.depot === last).reduce((s, r) => s + r.cents, 0n);
          };
          expect(agg.envelopes).toHaveLength(1);
          expect(agg.envelopes[0]).toMatchObject({
            soldeCents: expected('076'),
            subventionsCfaCents: expected('077'),
            creanceAlternantsCents: expected('078'),
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('decodes text given as a string, UTF-8 or UTF-16 bytes', () => {
    expect(decodeText('\uFEFFabc')).toEqual({ text: 'abc', encoding: 'texte' });
    expect(decodeText(Buffer.from('Dupré', 'utf8'))).toEqual({ text: 'Dupré', encoding: 'utf-8' });
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Dupré', 'utf16le')]))).toEqual({
      text: 'Dupré',
      encoding: 'utf-16le',
    });
    expect(decodeText(Buffer.from([0x44, 0x75, 0x70, 0x72, 0xe9, 0x80]))).toEqual({ text: 'Dupré€', encoding: 'windows-1252' });
  });
});

describe('prepareEnvelopeImport (what import-envelopes will call)', () => {
  const urssaf = `siret;collecteur;solde_076;deduction_077;deduction_078;periode;date_depot\n${A1};URSSAF;1234,56;;200;2024;05/05/2025\n${A2};URSSAF;310,40;;;2024;05/05/2025\n${B};URSSAF;80;50;40;2024;05/05/2025\n`;
  const msa = dsnEnvoi({
    pointDepot: '02',
    declarations: [declaration({ siret: C, dateFichier: '12052025', champ: '02', blocks: [block('4500.00', '076', '24')] })],
  });

  it('parses every file, aggregates and computes the envelopes, exact to the cent', () => {
    const r = prepareEnvelopeImport({
      annee: 2025,
      files: [
        { fichier: 'urssaf.csv', content: urssaf },
        { fichier: 'msa.dsn', content: iconv.encode(msa, 'windows-1252') },
      ],
      operatorFeeCents: 5_000n,
    });
    expect(r.ok).toBe(true);
    expect(r.files).toEqual([
      { fichier: 'urssaf.csv', format: 'csv', encoding: 'texte', lines: 6 },
      { fichier: 'msa.dsn', format: 'dsn', encoding: 'windows-1252', lines: 1 },
    ]);
    const b = r.batch!;
    expect(b.envelopes.map((e) => e.siret)).toEqual([C, B, A1, A2]);
    expect(b.totals.fraisOperateurCents).toBe(5_000n);
    expect(b.totals.creditsCents + b.totals.fraisCents).toBe(b.totals.netCents);
    expect(b.envelopes[1]).toMatchObject({ siret: B, netCents: 0n, creditsCents: 0n });
    expect(r.warnings.map((w) => w.message)).toEqual([
      `SIRET ${B} : les déductions (077 + 078 = 90,00\u00a0€) dépassent le solde déclaré (076 = 80,00\u00a0€) ; les crédits à répartir sont nuls.`,
    ]);
  });

  it('is all or nothing: one rejected line and no envelope is computed', () => {
    const r = prepareEnvelopeImport({
      annee: 2025,
      files: [{ fichier: 'urssaf.csv', content: urssaf + `${A1};URSSAF;12,345;;;2024;05/05/2025\n` }],
      operatorFeeCents: 0n,
    });
    expect(r).toMatchObject({ ok: false, batch: null });
    expect(r.rejections).toEqual([
      {
        fichier: 'urssaf.csv',
        line: 5,
        message: '076 : Le montant « 12,345 » a plus de deux décimales : indiquez des euros et des centimes (par exemple 1234,56).',
      },
    ]);
    expect(
      prepareEnvelopeImport({ annee: 2025, files: [{ fichier: 'urssaf.csv', content: urssaf }], operatorFeeCents: 10n ** 9n }),
    ).toMatchObject({ ok: false, errors: [{ message: containing('dépassent les sommes reversées') }] });
    expect(prepareEnvelopeImport({ annee: 2025, files: [], operatorFeeCents: 0n }).rejections[0]!.message).toBe(
      'Indiquez au moins un fichier de montants.',
    );
  });
});
