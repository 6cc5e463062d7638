/** The demo's envelope files: generated deterministically, committed as generated, imported by the demo seed. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidSiret } from '../../src/domain/identifiers.js';
import { ManualClock } from '../../src/infra/clock.js';
import type { Db } from '../../src/infra/db/index.js';
import { enveloppes } from '../../src/infra/db/schema.js';
import { DEMO_COMPANIES } from '../../src/modules/companies/demo-registry.js';
import { DEMO_ENVELOPE_YEARS, generateDemoEnvelopes } from '../../src/modules/enveloppes/demo-generator.js';
import { parseEnvelopeFile } from '../../src/modules/enveloppes/format.js';
import { NATIONAL_COLLECTED_2023_CENTS, SEED_ENVELOPES_DIR, scaledOperatorFee, seedDemoEnveloppes } from '../../src/modules/enveloppes/seed-demo.js';
import { checkRowEquations, rowOf, rowsOf, testDatabase } from './helpers.js';

describe('the demo envelope files', () => {
  for (const annee of DEMO_ENVELOPE_YEARS) {
    it(`seed/enveloppes/enveloppes-${annee}.csv is what the generator writes, and reads without rejection`, () => {
      const generated = generateDemoEnvelopes(annee);
      const committed = readFileSync(join(SEED_ENVELOPES_DIR, generated.name), 'utf8');
      expect(committed).toBe(generated.content); // regenerate with: npm run cli -- generate-demo-envelopes
      const parsed = parseEnvelopeFile(committed, { annee, fichier: generated.name });
      expect(parsed.rejections).toEqual([]);
      expect(parsed.warnings).toEqual([]);
      const sirets = new Set(parsed.lines.map((l) => l.siret));
      expect(sirets.size).toBe(generated.stats.sirets);
      expect([...sirets].every((s) => s.startsWith('999') && isValidSiret(s))).toBe(true);
      // realistic: from a few euros to tens of thousands, about 5 % MSA, deductions present
      expect(generated.stats.minSoldeCents).toBeLessThan(10_00n);
      expect(generated.stats.maxSoldeCents).toBeGreaterThan(20_000_00n);
      expect(generated.stats.msa / generated.stats.sirets).toBeGreaterThan(0.03);
      expect(generated.stats.msa / generated.stats.sirets).toBeLessThan(0.08);
      expect(parsed.lines.some((l) => l.code === '077')).toBe(true);
      expect(parsed.lines.some((l) => l.code === '078')).toBe(true);
      // the tiers-déclarant of the demo filed the DSN of its portefeuille's clients
      for (const c of [DEMO_COMPANIES.boulangerieMoutin, DEMO_COMPANIES.gipMds])
        expect(parsed.lines.find((l) => l.siret === c.siret)?.declarant).toEqual({ siret: DEMO_COMPANIES.cabinetDurand.siret, nom: DEMO_COMPANIES.cabinetDurand.raisonSociale });
    });
  }

  it('the operator’s fee is the 2023 arrêté’s, scaled to the demo', () => {
    expect(scaledOperatorFee(NATIONAL_COLLECTED_2023_CENTS)).toBe(1_122_542_400n);
    expect(scaledOperatorFee(1_000_000_00n)).toBe(2_406_307n); // 11,225,424 × 1 M€ / 466.5 M€ = 24,063.07 €
  });
});

describe('seedDemoEnveloppes', () => {
  let db: Db;
  let drop: () => Promise<void>;
  const clock = new ManualClock(new Date('2025-06-02T08:00:00Z'));
  beforeAll(async () => {
    const fresh = await testDatabase();
    db = fresh.database.db;
    drop = fresh.drop;
  });
  afterAll(async () => drop());

  it('imports 2024 and 2025 after another seed’s rows, reconciles, and changes nothing the second time', async () => {
    // what the establishment space's demo seed inserts (no période: not an import)
    await db.insert(enveloppes).values({ annee: 2025, siret: DEMO_COMPANIES.boulangerieMoutin.siret, collecteur: 'URSSAF', soldeCents: 128_456n, creditsCents: 128_456n, partageCoordonnees: true, updatedAt: clock.now() });
    const log: string[] = [];
    await seedDemoEnveloppes({ db, clock }, (l) => log.push(l));
    expect(log).toHaveLength(2);
    const sirets = generateDemoEnvelopes(2025).stats.sirets;
    expect(log[1]).toMatch(new RegExp(`^ {2}enveloppes 2025 : ${sirets} SIRET \\(${sirets - 1} ajoutées, 1 mises à jour\\), `));
    const rows = await rowsOf(db, 2025);
    expect(rows).toHaveLength(sirets);
    const moutin = await rowOf(db, 2025, DEMO_COMPANIES.boulangerieMoutin.siret);
    expect(moutin).toMatchObject({ partageCoordonnees: true, periode: '2024', declarantSiret: DEMO_COMPANIES.cabinetDurand.siret });
    expect(moutin.creditsCents).toBeLessThan(moutin.soldeCents);
    const net = rows.reduce((s, r) => s + (r.soldeCents > r.deductionsCents ? r.soldeCents - r.deductionsCents : 0n), 0n);
    expect(rows.reduce((s, r) => s + r.fraisOperateurCents, 0n)).toBe(scaledOperatorFee(net));
    expect(await checkRowEquations(db, 2024)).toEqual([]);
    expect(await checkRowEquations(db, 2025)).toEqual([]);

    const again: string[] = [];
    await seedDemoEnveloppes({ db, clock }, (l) => again.push(l));
    expect(again[1]).toMatch(/\(0 ajoutées, 0 mises à jour\)/);
    expect(await rowsOf(db, 2025)).toEqual(rows);
  });
});
