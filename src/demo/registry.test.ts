import { count } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { isValidSiren, isValidSiret } from '../domain/identifiers.js';
import { migrateDatabase, openDatabase } from '../infra/db/index.js';
import { entreprises, etablissements } from '../infra/db/schema.js';
import { createRng, DEMO_COMPANIES, DEMO_DEFAULT_COUNT, generateDemoRegistry, libelleCommuneSirene, loadSeedCommunes } from './registry.js';
import { findEtablissement, listEtablissementsOfSiren } from '../modules/entreprises/registry-repository.js';
import { seedRegistry, seedRegistryFiles } from './seed-registry.js';

const demo = generateDemoRegistry({ count: DEMO_DEFAULT_COUNT, seed: 20260504 });

describe('generateDemoRegistry', () => {
  it('is deterministic for a seed, and differs for another seed', () => {
    const again = generateDemoRegistry({ count: DEMO_DEFAULT_COUNT, seed: 20260504 });
    expect(again).toEqual(demo);
    const other = generateDemoRegistry({ count: DEMO_DEFAULT_COUNT, seed: 7 });
    expect(other.entreprises.map((e) => e.raisonSociale)).not.toEqual(demo.entreprises.map((e) => e.raisonSociale));
    // the fixed companies do not depend on the seed
    const fixedSirens = new Set<string>(Object.values(DEMO_COMPANIES).map((c) => c.siren));
    expect(other.entreprises.filter((e) => fixedSirens.has(e.siren))).toEqual(demo.entreprises.filter((e) => fixedSirens.has(e.siren)));
  });

  it('generates 10,000+ establishments with valid, unique SIRETs of fictitious 999 SIRENs', () => {
    expect(demo.etablissements.length).toBeGreaterThanOrEqual(10_000);
    const sirens = new Set(demo.entreprises.map((e) => e.siren));
    expect(sirens.size).toBe(demo.entreprises.length);
    expect(new Set(demo.etablissements.map((e) => e.siret)).size).toBe(demo.etablissements.length);
    for (const e of demo.entreprises) {
      expect(isValidSiren(e.siren), e.siren).toBe(true);
      // the one real company of the demo registry: the habilitated lycée of the establishment space
      if (e.siren !== DEMO_COMPANIES.lyceeRaspail.siren) expect(e.siren.startsWith('999')).toBe(true);
    }
    for (const e of demo.etablissements) {
      if (!isValidSiret(e.siret)) expect.fail(`invalid SIRET ${e.siret}`);
      if (!e.siret.startsWith(e.siren) || !sirens.has(e.siren)) expect.fail(`orphan SIRET ${e.siret}`);
      if (e.checksumWarning) expect.fail(`checksumWarning on ${e.siret}`);
    }
  });

  it('places every establishment in a real commune of seed/communes.csv', () => {
    const communes = loadSeedCommunes();
    const known = new Map(communes.map((c) => [`${c.inseeCom}|${c.codePostal}`, c]));
    for (const e of demo.etablissements) {
      const c = known.get(`${e.codeCommune}|${e.codePostal}`);
      if (!c) expect.fail(`${e.siret}: ${e.codeCommune} ${e.codePostal} is not a commune of seed/communes.csv`);
      expect(e.libelleCommune).toBe(libelleCommuneSirene(c.commune));
      expect(e.adresse.endsWith(` ${e.codePostal} ${e.libelleCommune}`)).toBe(true);
      expect(e.adresse).toMatch(/^\d+( BIS| TER)? (RUE|AVENUE|BOULEVARD|PLACE|CHEMIN|IMPASSE|ALLEE|ROUTE|QUAI|COURS) /);
    }
  });

  it('has the expected shape: a few large networks, mostly 1–3 establishments, ~3 % closed, ~1 % ceased', () => {
    const perSiren = new Map<string, number>();
    for (const e of demo.etablissements) perSiren.set(e.siren, (perSiren.get(e.siren) ?? 0) + 1);
    const sizes = [...perSiren.values()];
    const large = sizes.filter((n) => n >= 50);
    expect(large.length).toBeGreaterThanOrEqual(3);
    expect(large.length).toBeLessThanOrEqual(20);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(300);
    expect(sizes.filter((n) => n <= 3).length / sizes.length).toBeGreaterThan(0.9);

    const closed = demo.etablissements.filter((e) => e.etatAdministratif === 'F').length / demo.etablissements.length;
    expect(closed).toBeGreaterThan(0.02);
    expect(closed).toBeLessThan(0.045);
    const ceased = demo.entreprises.filter((e) => e.etatAdministratif === 'C').length / demo.entreprises.length;
    expect(ceased).toBeGreaterThan(0.005);
    expect(ceased).toBeLessThan(0.02);

    // exactly one active siège per active company; a ceased company has no active establishment
    const sieges = new Map<string, number>();
    for (const e of demo.etablissements) if (e.estSiege && e.etatAdministratif === 'A') sieges.set(e.siren, (sieges.get(e.siren) ?? 0) + 1);
    for (const ent of demo.entreprises) {
      if (ent.etatAdministratif === 'A') expect(sieges.get(ent.siren), ent.siren).toBe(1);
      else expect(demo.etablissements.filter((e) => e.siren === ent.siren && e.etatAdministratif === 'A')).toEqual([]);
    }
  });

  it('uses real catégories juridiques and French names', () => {
    const cats = new Set(demo.entreprises.map((e) => e.categorieJuridique));
    for (const c of ['5710', '5499', '1000', '9220', '7210', '6540']) expect(cats.has(c), c).toBe(true);
    for (const c of cats) expect(c).toMatch(/^\d{4}$/);
    const names = demo.entreprises.map((e) => e.raisonSociale);
    expect(names.some((n) => n.startsWith('BOULANGERIE '))).toBe(true);
    expect(names.some((n) => n.startsWith('COMMUNE D'))).toBe(true);
    expect(names.filter((n) => n === 'BOULANGERIE MOUTIN')).toHaveLength(1);
    for (const n of names) expect(n).toMatch(/^[A-Z0-9 '-]+$/);
  });

  it('contains the fixed demo companies', () => {
    const { boulangerieMoutin: bm, gipMds: gip, cabinetDurand: cd, menuiserieCessee: mc, transportsGiraudier: tg } = DEMO_COMPANIES;
    const etabsOf = (siren: string) => demo.etablissements.filter((e) => e.siren === siren);
    const allSirets = [...bm.sirets, ...gip.sirets, ...cd.sirets, ...mc.sirets, tg.siret, tg.closedSiret];
    for (const s of allSirets) expect(isValidSiret(s), s).toBe(true);
    expect(isValidSiren('999005703')).toBe(false); // hence 999005705

    expect(etabsOf(bm.siren).map((e) => [e.siret, e.etatAdministratif, e.estSiege])).toEqual([[bm.siret, 'A', true]]);
    expect(etabsOf(gip.siren).map((e) => [e.siret, e.adresse, e.etatAdministratif])).toEqual(
      gip.sirets.map((s) => [s, '86 RUE DE LA FEDERATION 75015 PARIS', 'A']),
    );
    expect(etabsOf(gip.siren)[0]).toMatchObject({ codeCommune: '75115', libelleCommune: 'PARIS', estSiege: true });
    expect(etabsOf(cd.siren).map((e) => e.siret)).toEqual([...cd.sirets]);
    expect(demo.entreprises.find((e) => e.siren === cd.siren)?.raisonSociale).toBe('CABINET COMPTABLE DURAND ET ASSOCIES');
    expect(demo.entreprises.find((e) => e.siren === mc.siren)?.etatAdministratif).toBe('C');
    expect(etabsOf(mc.siren).map((e) => e.etatAdministratif)).toEqual(['F']);
    const tgEtabs = etabsOf(tg.siren);
    expect(tgEtabs).toHaveLength(tg.etablissementCount);
    expect(tgEtabs.filter((e) => e.etatAdministratif === 'F').map((e) => e.siret)).toEqual([tg.closedSiret]);
  });

  it('rejects an impossible count', () => {
    expect(() => generateDemoRegistry({ count: -1, seed: 1 })).toThrow();
    expect(() => generateDemoRegistry({ count: 1.5, seed: 1 })).toThrow();
    expect(generateDemoRegistry({ count: 0, seed: 1 }).entreprises).toHaveLength(Object.keys(DEMO_COMPANIES).length);
  });

  it('has a seeded PRNG that does not use Math.random', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe('seedRegistry', () => {
  it('seeds the real snapshots and the demo on PGlite, idempotently', async () => {
    const database = await openDatabase({});
    try {
      await migrateDatabase(database);
      let last: [number, number] = [0, 0];
      const first = await seedRegistry(database.db, { now: new Date('2026-05-04T08:00:00Z'), onProgress: (d, t) => (last = [d, t]) });
      console.log(
        `seedRegistry (PGlite, in memory): ${first.entreprises.inserted} entreprises + ${first.etablissements.inserted} établissements in ${first.durationMs} ms`,
      );
      expect(seedRegistryFiles()).toHaveLength(23);
      expect(first.registry.files).toBe(23);
      expect(first.registry.entreprises.inserted).toBe(19);
      expect(first.demo.entreprises.inserted).toBe(demo.entreprises.length);
      expect(first.demo.etablissements.inserted).toBe(demo.etablissements.length);
      expect(last[0]).toBe(last[1]);
      expect(last[1]).toBe(19 + 19 + demo.entreprises.length + demo.etablissements.length);
      expect(first.durationMs).toBeLessThan(30_000);

      const second = await seedRegistry(database.db, { now: new Date('2026-05-05T08:00:00Z') });
      console.log(`seedRegistry re-run: ${second.durationMs} ms, all unchanged`);
      expect(second.entreprises).toEqual({ inserted: 0, updated: 0, unchanged: first.entreprises.inserted });
      expect(second.etablissements).toEqual({ inserted: 0, updated: 0, unchanged: first.etablissements.inserted });
      const [e] = await database.db.select({ n: count() }).from(entreprises);
      const [s] = await database.db.select({ n: count() }).from(etablissements);
      expect(Number(e!.n)).toBe(first.entreprises.inserted);
      expect(Number(s!.n)).toBe(first.etablissements.inserted);

      const gip = await findEtablissement(database.db, DEMO_COMPANIES.gipMds.sirets[1]);
      expect(gip).toMatchObject({ estSiege: false, entreprise: { raisonSociale: 'GIP MDS TEST PROJET', etatAdministratif: 'A' } });
      const tg = DEMO_COMPANIES.transportsGiraudier;
      const open = await listEtablissementsOfSiren(database.db, tg.siren, { includeClosed: false });
      expect(open).toHaveLength(tg.etablissementCount - 1);
      expect(open[0]!.siret).toBe(tg.siret);
      expect(await listEtablissementsOfSiren(database.db, tg.siren, { includeClosed: true })).toHaveLength(tg.etablissementCount);
      expect((await findEtablissement(database.db, '13002526500013'))?.entreprise.sigle).toBe('DINUM');
    } finally {
      await database.close();
    }
  }, 120_000);
});
