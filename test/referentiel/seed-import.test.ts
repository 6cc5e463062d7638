/**
 * The demo referential: the real seed files of seed/referentiel imported for 2025 and 2024, their real
 * defects reported with line numbers, and a second run that changes nothing.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedReferentiel, type SeedReferentielReport } from '../../src/demo/referentiel.js';
import { counts, refDatabase, rows, type RefDb } from './helpers.js';

let ref: RefDb;
let first: SeedReferentielReport;
const now = new Date('2026-05-04T08:00:00Z');

beforeAll(async () => {
  ref = await refDatabase();
  first = await seedReferentiel(ref.database.db, { now });
}, 180_000);
afterAll(() => ref?.drop());

describe('demo referential from the real files', () => {
  it('holds at least 5,000 establishments and 10,000 formations for 2025 and for 2024', async () => {
    expect(first.years.map((y) => y.annee)).toEqual([2025, 2024]);
    for (const annee of [2025, 2024]) {
      const c = await counts(ref.database, annee);
      expect(c.etablissements + c.composantes).toBeGreaterThanOrEqual(5000);
      expect(c.composantes).toBeGreaterThan(1000);
      expect(c.formations).toBeGreaterThanOrEqual(10_000);
    }
    const [y2025] = first.years;
    expect(y2025!.etablissements.inserted + y2025!.composantes.inserted).toBe(
      (await counts(ref.database, 2025)).etablissements + (await counts(ref.database, 2025)).composantes,
    );
    expect(first.communes).toBeGreaterThan(34_000);
  });

  it('contains the lycée of the demo establishment space with its real BTS offers', async () => {
    const [lycee] = await rows(
      ref.database,
      sql`select e.id, e.nom, e.categorie, e.liste, e.code_postal, e.code_commune, e.commune, e.departement, e.region, e.lat, e.lng,
            (select string_agg(uai, '|') from ref_etablissement_uais u where u.etablissement_id = e.id) as uais
          from ref_etablissements e where e.annee = 2025 and e.cle = '19750691800048'`,
    );
    expect(lycee).toMatchObject({
      nom: 'LYCEE DES METIERS RASPAIL',
      categorie: '1°',
      liste: 'regionale',
      code_postal: '75014',
      code_commune: '75056',
      commune: 'Paris',
      departement: '75',
      region: '11',
      uais: '0750691U',
    });
    expect(Number(lycee!.lat)).toBeCloseTo(48.85, 1);
    const formations = await rows<{ intitule: string; cfd: string; niveau: number }>(
      ref.database,
      sql`select d.intitule, d.cfd, d.niveau from ref_formations f join ref_diplomes d on d.id = f.diplome_id
          where f.etablissement_id = ${lycee!.id} order by d.cfd`,
    );
    expect(formations.length).toBeGreaterThanOrEqual(5);
    expect(formations.map((f) => f.intitule)).toContain('BTS - Production - Electrotechnique');
    expect(formations.every((f) => /^\d{8}$/.test(f.cfd))).toBe(true);
  });

  it('has composantes linked to their établissement principal, and a liste nationale', async () => {
    const [link] = await rows(
      ref.database,
      sql`select count(*) as n,
            count(*) filter (where p.id is null or p.parent_id is not null) as orphans,
            count(*) filter (where c.categorie <> p.categorie or c.liste <> p.liste) as different
          from ref_etablissements c left join ref_etablissements p on p.id = c.parent_id
          where c.annee = 2025 and c.parent_id is not null`,
    );
    expect(Number(link!.n)).toBeGreaterThan(1000);
    expect(Number(link!.orphans)).toBe(0);
    expect(Number(link!.different)).toBe(0);
    const [nat] = await rows(
      ref.database,
      sql`select count(*) as n from ref_etablissements where annee = 2025 and parent_id is null and liste = 'nationale'`,
    );
    expect(Number(nat!.n)).toBe(81);
    const [bad] = await rows(
      ref.database,
      sql`select count(*) as n from ref_etablissements where annee = 2025 and ((categorie = '13°') <> (liste = 'nationale'))`,
    );
    expect(Number(bad!.n)).toBe(0);
  });

  it('reports the real defects with their file and line, and flags identifiers failing their check', async () => {
    const report = first.years[0]!;
    expect(report.rejected.length).toBeGreaterThan(0);
    for (const r of report.rejected) {
      expect(r.line).toBeGreaterThan(1);
      expect(r.file).toMatch(/\.csv$/);
      expect(r.reason).toMatch(/\.$/);
    }
    // rows of the CFA list without a SIRET
    expect(report.rejected.filter((r) => r.file === 'etablissements.csv' && r.reason === 'SIRET manquant.').length).toBeGreaterThanOrEqual(
      80,
    );
    // the two SIRETs of the CFA list that fail Luhn are imported, with a warning and the flag
    const warned = report.warnings.filter((w) => /clé de contrôle incorrecte/.test(w.reason));
    expect(warned.map((w) => w.reason.slice(6, 20)).sort()).toEqual(['77560813500859', '77568013500708']);
    const flagged = await rows<{ siret: string }>(
      ref.database,
      sql`select siret from ref_etablissements where annee = 2025 and checksum_warning order by siret`,
    );
    expect(flagged.map((f) => f.siret)).toEqual(['77560813500859', '77568013500708']);
  });

  it('changes nothing when run again', async () => {
    const before = await counts(ref.database, 2025);
    const [{ max: maxBefore }] = (await rows(ref.database, sql`select max(updated_at)::text as max from ref_etablissements`)) as [
      { max: string },
    ];
    const again = await seedReferentiel(ref.database.db, { now: new Date('2026-06-01T08:00:00Z') });
    for (const y of again.years) {
      expect(y.etablissements.inserted + y.etablissements.updated).toBe(0);
      expect(y.composantes.inserted + y.composantes.updated).toBe(0);
      expect(y.formations.inserted + y.formations.updated).toBe(0);
      expect(y.diplomes.inserted + y.diplomes.updated).toBe(0);
      expect(y.uais).toEqual({ inserted: 0, removed: 0 });
      expect(y.etablissements.unchanged).toBe(first.years[0]!.etablissements.inserted);
      expect(y.formations.unchanged).toBe(first.years[0]!.formations.inserted);
      expect(y.rejected).toEqual(first.years[0]!.rejected.map((r) => ({ ...r, reason: r.reason.replace('2025', String(y.annee)) })));
    }
    expect(await counts(ref.database, 2025)).toEqual(before);
    const [{ max: maxAfter }] = (await rows(ref.database, sql`select max(updated_at)::text as max from ref_etablissements`)) as [
      { max: string },
    ];
    expect(maxAfter).toBe(maxBefore);
  }, 120_000);
});
