/**
 * What the SEPA tests share: a wave's header, transfers with valid IBANs, reading a streamed file whole,
 * and the check of a file against both XSDs (the ISO schema and the EPC guidelines), which fails the
 * test with libxml2's messages.
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { makeValidFrenchIban } from '../../src/domain/iban.js';
import { writePain001, type EnTetePain001, type VirementSepa } from '../../src/modules/versements/sepa-pain001.js';
import { validatePain001 } from '../../src/modules/versements/sepa-validation.js';

export const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** The operator's account (fictitious numbers of the Caisse des Dépôts' bank code). */
export const DONNEUR_ORDRE = {
  nom: 'Caisse des Dépôts et Consignations',
  iban: makeValidFrenchIban('40031', '00001', '0000123456X'),
  bic: 'CDCGFRPPXXX',
};

/** A valid French IBAN per index. */
export const ibanNo = (i: number): string =>
  makeValidFrenchIban('30004', String(i % 100_000).padStart(5, '0'), String(i).padStart(11, '0'));

/** A transfer, with defaults. */
export function virement(i: number, more: Partial<VirementSepa> = {}): VirementSepa {
  const id = `V2026-1-${String(i).padStart(6, '0')}`;
  return {
    id,
    montantCentimes: 1000n + BigInt(i),
    nom: `Etablissement ${i}`,
    iban: ibanNo(i),
    bic: 'BNPAFRPPXXX',
    libelle: `TAXE- APPRENTISSAGE - 73282932000074 - 2026 - ${id}`,
    ...more,
  };
}

/** The header of a wave paying `virements` (count and sum computed from them unless given). */
export function enTete(virements: readonly VirementSepa[], more: Partial<EnTetePain001> = {}): EnTetePain001 {
  return {
    messageId: 'SOLTEA-2026-V1',
    lotId: 'SOLTEA-2026-V1-L1',
    creeLe: new Date('2026-06-15T08:00:00Z'),
    dateExecution: '2026-06-30',
    donneurOrdre: DONNEUR_ORDRE,
    nombreVirements: virements.length,
    totalCentimes: virements.reduce((s, v) => s + v.montantCentimes, 0n),
    ...more,
  };
}

/** The whole streamed file. */
export async function pain001(h: EnTetePain001, virements: Iterable<VirementSepa> | AsyncIterable<VirementSepa>): Promise<string> {
  let xml = '';
  for await (const chunk of writePain001(h, virements)) xml += chunk;
  return xml;
}

/** Fails with libxml2's messages unless both schemas accept the file. */
export async function expectValidPain001(xml: string): Promise<void> {
  const r = await validatePain001(xml);
  expect(
    r.checks.map((c) => ({ schema: c.schema, errors: c.errors })),
    'valid against both XSDs',
  ).toEqual([
    { schema: 'pain.001.001.09.xsd', errors: [] },
    { schema: 'EPC132-08_2025_V1.0_pain.001.001.09.xsd', errors: [] },
  ]);
  expect(r.valid).toBe(true);
}

/** A Writable that keeps what it receives. */
export function collector(): { out: Writable; bytes: () => Buffer } {
  const parts: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      parts.push(chunk);
      done();
    },
  });
  return { out, bytes: () => Buffer.concat(parts) };
}

/** The text of every `<tag>` of the file, in order. */
export const values = (xml: string, tag: string): string[] =>
  [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1] ?? '');
