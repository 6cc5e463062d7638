/** generate-referential: deterministic national-scale data that import-referential loads without a rejection. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidSiret, isValidUai } from '../../src/domain/identifiers.js';
import { generateReferentiel, referentielCsv, writeReferentielFiles } from '../../src/demo/referentiel-generator.js';
import { importReferentiel, importReferentielContents } from '../../src/modules/referentiel/import.js';
import { counts, refDatabase, rows, type RefDb } from './helpers.js';

let ref: RefDb;
beforeAll(async () => {
  ref = await refDatabase();
}, 60_000);
afterAll(() => ref?.drop());

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe('generated referential', () => {
  const data = generateReferentiel({ etablissements: 200, formations: 5000, seed: 7 });

  it('is deterministic and depends on the seed', () => {
    const again = referentielCsv(generateReferentiel({ etablissements: 200, formations: 5000, seed: 7 }));
    const csv = referentielCsv(data);
    expect(md5(again.etablissements)).toBe(md5(csv.etablissements));
    expect(md5(again.formations)).toBe(md5(csv.formations));
    expect(md5(referentielCsv(generateReferentiel({ etablissements: 200, formations: 5000, seed: 8 })).formations)).not.toBe(
      md5(csv.formations),
    );
  });

  it('uses valid identifiers in the reserved 998 range, real diplomas and the national list', () => {
    const principals = data.etablissements.filter((e) => e.type === 'etablissement');
    expect(principals).toHaveLength(200);
    expect(data.stats.composantes).toBe(data.etablissements.length - 200);
    expect(data.stats.composantes).toBeGreaterThan(0);
    for (const e of data.etablissements) {
      const siret = e.siret || e.siret_parent;
      expect(siret.startsWith('998')).toBe(true);
      expect(isValidSiret(siret)).toBe(true);
      for (const u of e.uai.split('|')) expect(isValidUai(u)).toBe(true);
    }
    expect(new Set(principals.map((e) => e.siret)).size).toBe(200);
    expect(principals.filter((e) => e.liste === 'nationale').map((e) => e.categorie)).toEqual(['13°']);
    expect(data.formations.length).toBeGreaterThan(4900);
    expect(data.formations.every((f) => /^[0-9A-Z]{8}$/.test(f.cfd) && f.intitule !== '')).toBe(true);
  });

  it('is imported without any rejection or warning, twice', async () => {
    const csv = referentielCsv(data);
    const files = [
      { name: 'etablissements.csv', content: csv.etablissements },
      { name: 'formations.csv', content: csv.formations },
    ];
    const r = await importReferentielContents(ref.database.db, 2040, files, {
      now: new Date('2026-05-04T08:00:00Z'),
      communes: ref.communes,
    });
    expect(r.rejected).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.etablissements.inserted).toBe(200);
    expect(r.composantes.inserted).toBe(data.stats.composantes);
    expect(r.formations.inserted).toBe(data.formations.length);
    expect(await counts(ref.database, 2040)).toMatchObject({
      etablissements: 200,
      composantes: data.stats.composantes,
      formations: data.formations.length,
    });
    const [coords] = await rows(
      ref.database,
      sql`select count(*) filter (where lat is null or lng is null) as n from ref_etablissements where annee = 2040`,
    );
    expect(Number(coords!.n)).toBe(0);

    const again = await importReferentielContents(ref.database.db, 2040, files, {
      now: new Date('2026-05-05T08:00:00Z'),
      communes: ref.communes,
    });
    expect(again.formations).toEqual({ inserted: 0, updated: 0, unchanged: data.formations.length });
    expect(again.etablissements.unchanged + again.composantes.unchanged).toBe(data.etablissements.length);
  }, 120_000);

  it('writes files that import-referential reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'refgen-'));
    const small = generateReferentiel({ etablissements: 20, formations: 300, seed: 3 });
    const files = writeReferentielFiles(dir, small);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['etablissements.csv', 'formations.csv']);
    expect(readFileSync(files[0]!, 'utf8').split('\n')[0]).toBe(
      'type;siret;siret_parent;uai;nom;adresse;code_postal;code_commune;commune;departement;region;latitude;longitude;categorie;liste',
    );
    const r = await importReferentiel(ref.database.db, 2041, files, { now: new Date('2026-05-04T08:00:00Z'), communes: ref.communes });
    expect(r.rejected).toEqual([]);
    expect(r.formations.inserted).toBe(small.formations.length);
    rmSync(dir, { recursive: true, force: true });
  });
});
