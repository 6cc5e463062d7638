/**
 * The wave's pain.001.001.09: every file written here is validated against both XSDs (ISO 20022 and
 * the EPC guidelines) inside the test; the amounts, the control sums, the transliteration, the
 * byte-stability and the streaming are checked on the bytes.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../src/shared/problem.js';
import { formatSepaAmount, writePain001, writePain001To, type VirementSepa } from '../../src/modules/versements/sepa-pain001.js';
import { validatePain001, validatePain001Files } from '../../src/modules/versements/sepa-validation.js';
import { collector, enTete, expectValidPain001, fixture, ibanNo, pain001, values, virement } from './helpers.js';

/** The `ProblemError` a promise rejects with. */
async function problemOf(p: Promise<unknown>): Promise<{ kind: string; code: string; message: string }> {
  const e: unknown = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ProblemError);
  return (e as ProblemError).problem;
}

describe('the validator (sanity)', () => {
  it('accepts the sample of another library against both schemas', async () => {
    await expectValidPain001(fixture('sample_pain.001.001.09_python-sepaxml.xml'));
  });

  it('refuses what the EPC forbids, and what the ISO schema forbids', async () => {
    const sample = fixture('sample_pain.001.001.09_python-sepaxml.xml');
    const shar = await validatePain001(sample.replace('<ChrgBr>SLEV</ChrgBr>', '<ChrgBr>SHAR</ChrgBr>'));
    expect(shar.checks.map((c) => c.valid)).toEqual([true, false]);
    expect(shar.checks[1]?.errors.join('\n')).toMatch(/ChrgBr/);
    const noDebtor = await validatePain001(sample.replace(/<Dbtr>[\s\S]*?<\/Dbtr>/, ''));
    expect(noDebtor.checks.map((c) => c.valid)).toEqual([false, false]);
  });

  it('tells which of several files validated together is wrong', async () => {
    const sample = fixture('sample_pain.001.001.09_python-sepaxml.xml');
    const checks = await validatePain001Files([
      { name: 'a.xml', xml: sample },
      { name: 'b.xml', xml: sample.replace('<ChrgBr>SLEV</ChrgBr>', '<ChrgBr>SHAR</ChrgBr>') },
      { name: 'c.xml', xml: sample.slice(0, 500) },
      { name: 'd.xml', xml: Buffer.from(sample) },
    ]);
    expect(checks.map((c) => [c.name, c.checks.map((k) => k.valid)])).toEqual([
      ['a.xml', [true, true]],
      ['b.xml', [true, false]],
      ['c.xml', [false, false]],
      ['d.xml', [true, true]],
    ]);
  });
});

describe('writePain001', () => {
  it('writes one PmtInf for the wave and one CdtTrfTxInf per transfer, valid against both schemas', async () => {
    const vs = [1, 2, 3, 4, 5].map((i) => virement(i));
    const xml = await pain001(enTete(vs), vs);
    await expectValidPain001(xml);
    expect(values(xml, 'NbOfTxs')).toEqual(['5', '5']);
    expect(values(xml, 'CtrlSum')).toEqual(['50.15', '50.15']);
    expect(values(xml, 'EndToEndId')).toEqual(vs.map((v) => v.id));
    expect(values(xml, 'InstrId')).toEqual(vs.map((v) => v.id));
    expect(values(xml, 'PmtMtd')).toEqual(['TRF']);
    expect(values(xml, 'BtchBookg')).toEqual(['true']);
    expect(values(xml, 'ChrgBr')).toEqual(['SLEV']);
    expect(values(xml, 'Cd')).toEqual(['SEPA']);
    expect(values(xml, 'Dt')).toEqual(['2026-06-30']);
    expect(values(xml, 'CreDtTm')).toEqual(['2026-06-15T08:00:00Z']);
    expect(values(xml, 'MsgId')).toEqual(['SOLTEA-2026-V1']);
    expect(values(xml, 'PmtInfId')).toEqual(['SOLTEA-2026-V1-L1']);
    expect(values(xml, 'Ustrd')[0]).toBe('TAXE- APPRENTISSAGE - 73282932000074 - 2026 - V2026-1-000001');
    expect(xml.match(/<PmtInf>/g)).toHaveLength(1);
    expect(
      xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09">'),
    ).toBe(true);
  });

  it('transliterates accents and special characters in names and labels', async () => {
    const vs = [
      virement(1, { nom: 'Lycée « Saint-Exupéry » & Cie', libelle: 'TAXE- APPRENTISSAGE - 73282932000074 - 2026 - V2026-1-000001 – reçu' }),
      virement(2, { nom: 'Œuvre d’Enseignement Technique <Sud>' }),
      virement(3, { nom: 'Großschule Ærø “Nord”' }),
    ];
    const h = enTete(vs, { donneurOrdre: { ...enTete(vs).donneurOrdre, nom: 'Caisse des Dépôts — Opérateur SOLTéA' } });
    const xml = await pain001(h, vs);
    await expectValidPain001(xml);
    expect(values(xml, 'Nm')).toEqual([
      'Caisse des Depots - Operateur SOLTeA',
      'Caisse des Depots - Operateur SOLTeA',
      "Lycee 'Saint-Exupery' + Cie",
      "Oeuvre d'Enseignement Technique Sud",
      "Grossschule Aero 'Nord'",
    ]);
    expect(values(xml, 'Ustrd')[0]).toBe('TAXE- APPRENTISSAGE - 73282932000074 - 2026 - V2026-1-000001 - recu');
    expect(/[^\x20-\x7e\n]/.test(xml)).toBe(false);
  });

  it('cuts long names to 70 characters and long labels to 140', async () => {
    const vs = [virement(1, { nom: 'Établissement '.repeat(20), libelle: 'Libellé très long '.repeat(20) })];
    const xml = await pain001(enTete(vs, { donneurOrdre: { ...enTete(vs).donneurOrdre, nom: 'D'.repeat(100) } }), vs);
    await expectValidPain001(xml);
    const [, , name] = values(xml, 'Nm');
    expect(name).toBe('Etablissement '.repeat(5).trimEnd()); // cut at 70, on a space, trimmed: 69
    expect(values(xml, 'Ustrd')[0]).toHaveLength(140);
    expect(values(xml, 'Nm')[0]).toBe('D'.repeat(70));
  });

  it('writes a wave of one transfer, and a transfer without BIC (IBAN only)', async () => {
    const one = [virement(7)];
    await expectValidPain001(await pain001(enTete(one), one));
    const noBic = [virement(8, { bic: null })];
    const xml = await pain001(enTete(noBic), noBic);
    await expectValidPain001(xml);
    expect(xml).not.toContain('<CdtrAgt>');
  });

  it('writes amounts from integer cents exactly, from 0.01 € to the EPC maximum', async () => {
    expect([0n, 1n, 10n, 100n, 1234n, 999_999_999n, 99_999_999_999n].map(formatSepaAmount)).toEqual([
      '0.00',
      '0.01',
      '0.10',
      '1.00',
      '12.34',
      '9999999.99',
      '999999999.99',
    ]);
    const amounts = [1n, 99n, 100_000n, 999_999_999n, 123_456_789n, 99_999_999_999n];
    const vs = amounts.map((montantCentimes, i) => virement(i + 1, { montantCentimes }));
    const xml = await pain001(enTete(vs), vs);
    await expectValidPain001(xml);
    expect(values(xml, 'CtrlSum')).toEqual(['1011235568.87', '1011235568.87']);
    expect([...xml.matchAll(/<InstdAmt Ccy="EUR">([^<]*)</g)].map((m) => m[1])).toEqual([
      '0.01',
      '0.99',
      '1000.00',
      '9999999.99',
      '1234567.89',
      '999999999.99',
    ]);
  });

  it('is byte-stable: the same wave gives the same bytes and the same SHA-256', async () => {
    const vs = Array.from({ length: 300 }, (_, i) => virement(i + 1, { nom: `Lycée n° ${i} « Été »` }));
    const a = collector();
    const b = collector();
    const first = await writePain001To(a.out, enTete(vs), vs);
    const second = await writePain001To(b.out, enTete(vs), vs);
    expect(a.bytes().equals(b.bytes())).toBe(true);
    expect(first.sha256).toBe(createHash('sha256').update(a.bytes()).digest('hex'));
    expect(second).toEqual(first);
    expect(first.octets).toBe(a.bytes().length);
    expect(first).toMatchObject({ nombreVirements: 300, totalCentimes: enTete(vs).totalCentimes });
    await expectValidPain001(a.bytes().toString('utf8'));
  });

  it('stays valid for any names, labels and amounts (property, 12 random waves validated together)', async () => {
    const wave = fc.array(
      fc.record({
        nom: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 120 }).map((s) => `E${s}`),
        libelle: fc.string({ unit: 'grapheme', maxLength: 200 }).map((s) => `L${s}`),
        montantCentimes: fc.bigInt({ min: 1n, max: 99_999_999_999n }),
      }),
      { minLength: 1, maxLength: 6 },
    );
    const files = await Promise.all(
      fc.sample(wave, { numRuns: 12, seed: 2026 }).map(async (rows, k) => {
        const vs = rows.map((r, i) => virement(i + 1, r));
        return { name: `vague-${k}.xml`, xml: await pain001(enTete(vs), vs) };
      }),
    );
    const checks = await validatePain001Files(files);
    expect(checks.filter((c) => !c.valid)).toEqual([]);
    expect(checks).toHaveLength(12);
  });
});

describe('control sums', () => {
  const vs = [1, 2, 3].map((i) => virement(i));

  it.each([
    [
      'fewer transfers than announced',
      enTete(vs, { nombreVirements: 4 }),
      /annonçait 4 virement\(s\) pour 30,06 €, mais 3 virement\(s\) pour 30,06 €/,
    ],
    [
      'more transfers than announced',
      enTete(vs, { nombreVirements: 2, totalCentimes: 2003n }),
      /annonçait 2 virement\(s\) pour 20,03 €, mais 3 virement/,
    ],
    ['another sum than announced', enTete(vs, { totalCentimes: 3007n }), /pour 30,07 €, mais 3 virement\(s\) pour 30,06 €/],
  ])('throws on %s, before the closing tag', async (_what, h, message) => {
    const chunks: string[] = [];
    const p = (async () => {
      for await (const c of writePain001(h, vs)) chunks.push(c);
    })();
    const pb = await problemOf(p);
    expect(pb).toMatchObject({ kind: 'conflict', code: 'sepa_controle_different' });
    expect(pb.message).toMatch(message);
    expect(pb.message).toContain('ne doit pas être transmis');
    expect(chunks.join('')).not.toContain('</Document>');
  });

  it('destroys the destination and rejects when the sums differ (writePain001To)', async () => {
    const { out, bytes } = collector();
    const pb = await problemOf(writePain001To(out, enTete(vs, { totalCentimes: 1n + enTete(vs).totalCentimes }), vs));
    expect(pb.code).toBe('sepa_controle_different');
    expect(out.destroyed).toBe(true);
    expect(bytes().toString()).not.toContain('</Document>');
  });
});

describe('refused values', () => {
  const ok = [virement(1)];
  it.each<[string, Partial<VirementSepa>, RegExp]>([
    ['an amount of zero', { montantCentimes: 0n }, /hors des bornes SEPA/],
    ['a negative amount', { montantCentimes: -5n }, /hors des bornes SEPA/],
    ['an amount over the EPC maximum', { montantCentimes: 100_000_000_000n }, /hors des bornes SEPA/],
    ['a wrong IBAN', { iban: 'FR7630004000010001234567800' }, /IBAN du virement .* n'est pas un IBAN SEPA valide/],
    ['a non-SEPA IBAN', { iban: 'BR1800360305000010009795493C1' }, /IBAN SEPA/],
    ['a wrong BIC', { bic: 'BNPA' }, /BIC du virement/],
    ['an id over 35 characters', { id: 'V'.repeat(36) }, /identifiant de virement/],
    ['an id with a space', { id: 'V 1' }, /identifiant de virement/],
    ['a name with no SEPA character', { nom: '北京大学' }, /nom du bénéficiaire .* aucun caractère/],
    ['an empty label', { libelle: '   ' }, /libellé du virement .* aucun caractère/],
  ])('refuses %s', async (_what, more, message) => {
    const vs = [virement(1, more)];
    const pb = await problemOf(pain001(enTete(ok), vs));
    expect(pb).toMatchObject({ kind: 'invalid', code: 'sepa_donnee_invalide' });
    expect(pb.message).toMatch(message);
  });

  it.each([
    ['a message id with «//»', { messageId: 'SOLTEA//1' }, /identifiant du message/],
    ['a batch id over 35', { lotId: 'L'.repeat(36) }, /identifiant du lot/],
    ['an impossible date', { dateExecution: '2026-02-30' }, /date d'exécution/],
    ['no transfer', { nombreVirements: 0, totalCentimes: 0n }, /au moins un virement/],
    ['a total below one cent per transfer', { totalCentimes: 0n }, /ne peut pas être celui de 1 virement/],
    ['a wrong debtor IBAN', { donneurOrdre: { nom: 'CDC', iban: ibanNo(1).replace(/.$/, '0'), bic: 'CDCGFRPPXXX' } }, /donneur d'ordre/],
  ])('refuses a header with %s', async (_what, more, message) => {
    const pb = await problemOf(pain001(enTete(ok, more), ok));
    expect(pb.code).toBe('sepa_donnee_invalide');
    expect(pb.message).toMatch(message);
  });
});

describe('streaming', () => {
  it('reads the transfers lazily and yields chunks before the end', async () => {
    let read = 0;
    async function* source() {
      for (let i = 1; i <= 2000; i++) {
        read = i;
        yield virement(i);
      }
    }
    const total = Array.from({ length: 2000 }, (_, i) => 1000n + BigInt(i + 1)).reduce((a, b) => a + b, 0n);
    const gen = writePain001(enTete([], { nombreVirements: 2000, totalCentimes: total }), source());
    const first = await gen.next();
    expect(first.done).toBe(false);
    expect(read).toBeLessThan(2000);
    let chunks = 1;
    let xml = first.value as string;
    for await (const c of gen) {
      chunks += 1;
      xml += c;
    }
    expect(read).toBe(2000);
    expect(chunks).toBeGreaterThan(10);
    expect(values(xml, 'EndToEndId')).toHaveLength(2000);
    await expectValidPain001(xml);
  });
});
