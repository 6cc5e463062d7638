/**
 * Any sequence of imports — first imports, complementary files, corrections during and after the
 * campaign, late corrections of an earlier payroll year — keeps every envelope exact to the cent:
 * net due + carried in = fees + credits + carried out, credits never negative, the operator's shares of
 * a year's first import adding up to its fee; a rejected import changes nothing; the same files again
 * change nothing.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeValidSiren, makeValidSiret } from '../../src/domain/identifiers.js';
import type { Db } from '../../src/infra/db/index.js';
import { enveloppes } from '../../src/infra/db/schema.js';
import { checkRowEquations, rowsOf, runImport, testDatabase } from './helpers.js';

const SIRETS = ['41234567', '52345678', '63456789', '38765432'].map((p) => makeValidSiret(makeValidSiren(p), '0001'));
/** instants across the 2024 and 2025 campaigns (2026 has no calendar) */
const INSTANTS = [
  '2024-05-10T08:00:00Z',
  '2024-07-01T08:00:00Z',
  '2024-12-01T08:00:00Z',
  '2025-06-01T08:00:00Z',
  '2025-12-01T08:00:00Z',
  '2026-06-01T08:00:00Z',
];

const euros = (c: number) => `${Math.floor(c / 100)},${String(c % 100).padStart(2, '0')}`;

const declaration = fc.record({
  siret: fc.constantFrom(...SIRETS),
  msa: fc.boolean(),
  solde: fc.integer({ min: 0, max: 5_000_000 }),
  deduction: fc.integer({ min: 0, max: 1_000_000 }),
  /** payroll year = campaign − 1, sometimes − 2 (a late correction of the previous campaign) */
  late: fc.boolean(),
});

const step = fc.record({
  instant: fc.integer({ min: 0, max: INSTANTS.length - 1 }),
  offset: fc.integer({ min: 0, max: 1 }),
  fee: fc.integer({ min: 0, max: 3_000 }),
  lines: fc.array(declaration, { minLength: 1, maxLength: 4 }),
});

describe('imports in any order', () => {
  let db: Db;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const fresh = await testDatabase();
    db = fresh.database.db;
    drop = () => fresh.drop();
  });
  afterAll(async () => drop());

  it('keep every envelope exact to the cent', async () => {
    const stats = { ok: 0, refused: 0, corrections: 0, apres: 0, carriedIn: 0, firstCarriedIn: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 5 }), async (steps) => {
        await db.delete(enveloppes);
        // time only moves forward
        const sorted = [...steps].sort((a, b) => a.instant - b.instant);
        for (const s of sorted) {
          const now = INSTANTS[s.instant]!;
          const year = Math.min(2026, Number(now.slice(0, 4)) - s.offset);
          const keys = new Set<string>();
          const lines = s.lines
            .filter((l) => {
              const k = `${l.siret}|${l.late}`;
              if (keys.has(k)) return false;
              keys.add(k);
              return !(l.late && year - 2 < 2023);
            })
            .map(
              (l) =>
                `${l.siret};${l.msa ? 'MSA' : 'URSSAF'};076;${euros(l.solde)};${year - (l.late ? 2 : 1)}\n${l.siret};${l.msa ? 'MSA' : 'URSSAF'};078;${euros(l.deduction)};${year - (l.late ? 2 : 1)}`,
            );
          if (lines.length === 0) continue;
          const content = `siret;collecteur;code;montant;periode\n${lines.join('\n')}\n`;
          const before = await Promise.all([2023, 2024, 2025, 2026].map((y) => rowsOf(db, y)));
          const r = await runImport(db, year, [{ fichier: 'f.csv', content }], now, BigInt(s.fee));
          if (r.ok) {
            stats.ok++;
            stats.corrections += r.corrections.length;
            stats.apres += r.corrections.filter((c) => c.moment === 'apres_campagne').length;
            if (r.totals.reportRecuCents !== 0n) stats.carriedIn++;
          } else stats.refused++;
          if (!r.ok) {
            // refused (a fee above what was reversed, a correction of a campaign never imported): nothing changed
            expect(await Promise.all([2023, 2024, 2025, 2026].map((y) => rowsOf(db, y)))).toEqual(before);
            continue;
          }
          expect(r.rapprochement).toBe(true);
          for (const y of [2023, 2024, 2025, 2026]) expect(await checkRowEquations(db, y)).toEqual([]);
          if (r.mode === 'repartition') {
            expect(r.totals.fraisOperateurCents).toBe(BigInt(s.fee));
            // a first import wrote every row of its year: the report's totals (the batch's, carry-ins
            // added) are the database's
            expect(r.totals).toEqual(r.totalsAnnee);
            if (r.totals.reportRecuCents !== 0n) stats.firstCarriedIn++;
          }
          const after = await Promise.all([2023, 2024, 2025, 2026].map((y) => rowsOf(db, y)));
          const again = await runImport(db, year, [{ fichier: 'f.csv', content }], now, BigInt(s.fee));
          expect(again.ok).toBe(true);
          expect(again.envelopes.inserted + again.envelopes.updated + again.autresAnnees.inserted + again.autresAnnees.updated).toBe(0);
          expect(await Promise.all([2023, 2024, 2025, 2026].map((y) => rowsOf(db, y)))).toEqual(after);
        }
      }),
      { numRuns: 30, seed: 20250526 },
    );
    // the runs went through every path: imports, refusals, corrections after a campaign, carries
    expect(stats.ok).toBeGreaterThan(20);
    expect(stats.refused).toBeGreaterThan(0);
    expect(stats.apres).toBeGreaterThan(0);
    expect(stats.carriedIn).toBeGreaterThan(0);
    expect(stats.firstCarriedIn).toBeGreaterThan(0);
  }, 240_000);
});
