/** The demo's envelope files: generated deterministically, committed as generated, imported by the demo seed. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { isValidSiret } from '../../src/domain/identifiers.js';
import { ManualClock } from '../../src/infra/clock.js';
import { loadConfig } from '../../src/infra/config.js';
import { selectRows, type Db } from '../../src/infra/db/index.js';
import { enveloppes } from '../../src/infra/db/schema.js';
import { DEMO_COMPANIES, generateDemoRegistry } from '../../src/demo/registry.js';
import { DEMO_ACCOUNTS, seedDemo } from '../../src/demo/seed.js';
import { DEMO_ENVELOPE_YEARS, allocationDemoSirets, generateDemoEnvelopes } from '../../src/demo/enveloppes-generator.js';
import { parseEnvelopeFile } from '../../src/modules/enveloppes/format.js';
import { NATIONAL_COLLECTED_2023_CENTS, SEED_ENVELOPES_DIR, scaledOperatorFee, seedDemoEnveloppes } from '../../src/demo/enveloppes.js';
import { freshDatabase } from '../harness.js';
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
        expect(parsed.lines.find((l) => l.siret === c.siret)?.declarant).toEqual({
          siret: DEMO_COMPANIES.cabinetDurand.siret,
          nom: DEMO_COMPANIES.cabinetDurand.raisonSociale,
        });
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
    drop = () => fresh.drop();
  });
  afterAll(async () => drop());

  it('imports 2024 and 2025 after another seed’s rows, reconciles, and changes nothing the second time', async () => {
    // what the establishment space's demo seed inserts (no période: not an import)
    await db.insert(enveloppes).values({
      annee: 2025,
      siret: DEMO_COMPANIES.boulangerieMoutin.siret,
      collecteur: 'URSSAF',
      soldeCents: 128_456n,
      creditsCents: 128_456n,
      partageCoordonnees: true,
      updatedAt: clock.now(),
    });
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

describe('the whole demo seed (npm start on an empty database)', () => {
  // the demo's default clock (src/main.ts DEMO_DEFAULT_NOW): 16 June 2025, 09:00 Paris, campaign 2025
  const now = new Date('2025-06-16T07:00:00Z');
  const clock = new ManualClock(now);
  let app: Awaited<ReturnType<typeof createApp>>;
  let drop: () => Promise<void>;
  const rows = (q: ReturnType<typeof sql>) => selectRows<Record<string, unknown>>(app.ctx.db, q);
  beforeAll(async () => {
    const fresh = await freshDatabase();
    drop = () => fresh.drop();
    app = await createApp(loadConfig({ NODE_ENV: 'test', SESSION_SECRET: 'test-secret-test-secret-test-secret-0123' }), {
      clock,
      database: fresh.database,
    });
    await seedDemo(app.ctx);
  }, 240_000);
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  it('replaces every placeholder envelope of the establishment space, keeping « partage de coordonnées », and each allocation rests on an imported envelope', async () => {
    expect(await rows(sql`select siret from enveloppes where periode is null`)).toEqual([]);
    const employers =
      await rows(sql`select a.annee, a.siret_employeur as siret, sum(a.points_base)::int as bp, bool_and(e.periode is not null) as imported,
        bool_and(e.credits_cents > 0) as credits, bool_and(e.partage_coordonnees) as partage
      from attributions a left join enveloppes e on e.annee = a.annee and e.siret = a.siret_employeur group by 1, 2 order by 2`);
    expect(employers.length).toBeGreaterThanOrEqual(6);
    for (const e of employers) {
      expect(e, String(e.siret)).toMatchObject({ imported: true, credits: true });
      expect(Number(e.bp)).toBeLessThanOrEqual(10_000);
    }
    // last campaign's choices of BOULANGERIE MOUTIN (to replicate), the rest is 2025
    expect(employers.filter((e) => Number(e.annee) === 2024).map((e) => e.siret)).toEqual([DEMO_COMPANIES.boulangerieMoutin.siret]);
    employers.splice(0, employers.length, ...employers.filter((e) => Number(e.annee) === 2025));
    // the establishment space's employers who share their details still do
    expect(employers.find((e) => e.siret === DEMO_COMPANIES.boulangerieMoutin.siret)?.partage).toBe(true);
    expect(employers.filter((e) => e.partage).length).toBe(4);
    // its generated employers are the ones the generator always declares
    for (const siret of allocationDemoSirets(generateDemoRegistry())) expect(employers.some((e) => e.siret === siret)).toBe(true);
    for (const y of DEMO_ENVELOPE_YEARS) expect(await checkRowEquations(app.ctx.db, y)).toEqual([]);
  });

  it('the demo companies with « SOLTéA - Employeurs » have envelopes for 2024 and 2025; the tiers-déclarant filed its clients’ DSN in the last six months', async () => {
    const durand = DEMO_COMPANIES.cabinetDurand;
    const sirets = DEMO_ACCOUNTS.flatMap((a) => a.declarations.filter((d) => d.code === 'SOLTEA_EMPLOYEURS').map((d) => d.siret));
    expect(sirets).toContain(DEMO_COMPANIES.boulangerieMoutin.siret);
    const clients = (
      await rows(sql`select pe.siret from portefeuille_etablissements pe join portefeuilles p on p.id = pe.portefeuille_id
        join espaces s on s.id = p.espace_id where s.siren = ${durand.siren} and pe.siren like '999%' order by 1`)
    ).map((r) => String(r.siret));
    for (const c of [DEMO_COMPANIES.boulangerieMoutin.siret, ...DEMO_COMPANIES.gipMds.sirets, DEMO_COMPANIES.transportsGiraudier.siret])
      expect(clients).toContain(c);
    for (const y of DEMO_ENVELOPE_YEARS)
      for (const siret of [...sirets, ...clients]) {
        const e = await rowOf(app.ctx.db, y, siret);
        expect(e.periode, siret).toBe(String(y - 1));
        if (y === 2025 && siret.slice(0, 9) !== durand.siren) {
          expect(e.declarantSiret, siret).toBe(durand.siret);
          const sixMonthsBefore = new Date(now);
          sixMonthsBefore.setUTCMonth(sixMonthsBefore.getUTCMonth() - 6);
          expect(e.deposeLe!.getTime(), siret).toBeGreaterThanOrEqual(sixMonthsBefore.getTime());
          expect(e.deposeLe!.getTime(), siret).toBeLessThanOrEqual(now.getTime());
        }
      }
  });

  it('the demo people can allocate at once: the tiers-déclarant for its clients, GIP MDS for its three SIRETs (groups)', async () => {
    const { users, espaces } = await import('../../src/infra/db/schema.js');
    const { eq, and } = await import('drizzle-orm');
    const { employerSirets } = await import('../../src/modules/attributions/scope.js');
    const person = async (siren: string, nom: string) =>
      (
        await app.ctx.db
          .select({ u: users })
          .from(users)
          .innerJoin(espaces, eq(espaces.id, users.espaceId))
          .where(and(eq(espaces.siren, siren), eq(users.nom, nom)))
      )[0]!.u;
    const durand = await employerSirets(app.ctx, await person(DEMO_COMPANIES.cabinetDurand.siren, 'DURAND'), 2025);
    expect(durand.find((s) => s.siret === DEMO_COMPANIES.boulangerieMoutin.siret)).toMatchObject({ via: 'client', indisponible: null });
    expect(durand.filter((s) => s.via === 'client' && s.indisponible === null).length).toBeGreaterThan(100);
    const petit = await employerSirets(app.ctx, await person(DEMO_COMPANIES.cabinetDurand.siren, 'PETIT'), 2025);
    expect(petit.map((s) => s.siret).sort()).toEqual([DEMO_COMPANIES.cabinetDurand.siret, ...DEMO_COMPANIES.gipMds.sirets].sort());
    const gip = await employerSirets(app.ctx, await person(DEMO_COMPANIES.gipMds.siren, 'MARTIN'), 2025);
    expect(gip.map((s) => s.siret).sort()).toEqual([...DEMO_COMPANIES.gipMds.sirets].sort());
  });
});
