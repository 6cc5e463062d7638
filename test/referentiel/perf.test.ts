/**
 * Import of a national-scale referential (12,000 establishments, their composantes, 300,000 formations)
 * in under 60 s. Opt-in, as it takes a minute and a core: REFERENTIEL_PERF=1 npx vitest run
 * test/referentiel/perf.test.ts (add TEST_DATABASE_URL for PostgreSQL). Prints wall and CPU time.
 */
import { describe, expect, it } from 'vitest';
import { generateReferentiel, referentielCsv } from '../../src/demo/referentiel-generator.js';
import { importReferentielContents } from '../../src/modules/referentiel/import.js';
import { counts, refDatabase } from './helpers.js';

describe.runIf(process.env.REFERENTIEL_PERF === '1')('national-scale import', () => {
  it('imports 300,000 formations in under 60 s, and a second time changes nothing', async () => {
    const ref = await refDatabase();
    try {
      const data = generateReferentiel();
      const csv = referentielCsv(data);
      const files = [
        { name: 'etablissements.csv', content: Buffer.from(csv.etablissements) },
        { name: 'formations.csv', content: Buffer.from(csv.formations) },
      ];
      for (const pass of ['premier import', 'second import']) {
        const cpu = process.cpuUsage();
        const r = await importReferentielContents(ref.database.db, 2030, files, {
          now: new Date('2026-05-04T08:00:00Z'),
          communes: ref.communes,
        });
        const used = process.cpuUsage(cpu);
        console.log(
          `${ref.database.kind}, ${pass} : ${(r.durationMs / 1000).toFixed(1)} s (CPU du processus ${((used.user + used.system) / 1e6).toFixed(1)} s) — ` +
            `formations ${JSON.stringify(r.formations)}, établissements ${JSON.stringify(r.etablissements)}`,
        );
        expect(r.rejected).toEqual([]);
        expect(r.durationMs).toBeLessThan(60_000);
      }
      expect((await counts(ref.database, 2030)).formations).toBe(data.formations.length);
      expect(data.formations.length).toBeGreaterThanOrEqual(299_000);
    } finally {
      await ref.drop();
    }
  }, 300_000);
});
