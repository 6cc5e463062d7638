/**
 * The small campaign of the statistics' tests and journey, computed by hand: one Lyon employer with
 * 1 000,00 € of crédits (1,00 € of operator's fee, its funds received) gives 50 % to a Lyon establishment
 * (département 69, category 1°, liste régionale) with verified bank details and one formation of niveau 5,
 * and 20 % to a Paris organisation (75, 13°, liste nationale) without bank details, both validated in
 * period 1 (test/versements/world.ts writes it).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../src/app-context.js';
import type { ManualClock } from '../../src/infra/clock.js';
import type { Db } from '../../src/infra/db/index.js';
import { importMetiersEnTension } from '../../src/modules/versements/metiers-en-tension.js';
import { computeReliquat } from '../../src/modules/versements/reliquat.js';
import { issuedWave } from '../versements/suivi-world.js';
import { ANNEE, RELIQUAT_DAY, seedWorld, WAVE_1_DAY, WAVE_2_DAY, type World, type WorldSpec } from '../versements/world.js';

export const STATS_SPEC: WorldSpec = {
  etablissements: [
    { bank: 'verifiee', region: '84', formations: ['RNCP35830'] },
    { bank: null, region: '11' },
  ],
  employeurs: [{ creditsCents: 100_000n, funds: 'recus', commune: '69123' }],
  lignes: [
    { employeur: 0, etablissement: 0, bp: 5000, periode: 1 },
    { employeur: 0, etablissement: 1, bp: 2000, periode: 1 },
  ],
};

/** Writes the campaign with its départements, categories, lists, niveau and the formation of the first line. */
export async function seedStatsWorld(db: Db): Promise<World> {
  const w = await seedWorld(db, STATS_SPEC);
  const [e0, e1] = w.etablissementIds;
  await db.execute(
    sql`update ref_etablissements set departement = '69', categorie = '1°', liste = 'regionale', nom = 'LYCEE DU PARC' where id = ${e0}`,
  );
  await db.execute(
    sql`update ref_etablissements set departement = '75', categorie = '13°', liste = 'nationale', nom = 'ORGANISME NATIONAL' where id = ${e1}`,
  );
  await db.execute(sql`update ref_diplomes set niveau = 5 where rncp = 'RNCP35830'`);
  await db.execute(
    sql`update attributions set formation_id = (select id from ref_formations where etablissement_id = ${e0}) where etablissement_id = ${e0}`,
  );
  return w;
}

/**
 * The campaign over: the region's métier en tension imported, wave 2 issued (nothing left to pay: it may
 * be refused as empty), the clock on the reliquat's day and the reliquat computed (500,00 €: 300,00
 * unallocated and 200,00 unpayable; all of it to the Lyon establishment).
 */
export async function closeCampaign(ctx: AppContext, clock: ManualClock, w: World): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'metiers-'));
  writeFileSync(join(dir, 'metiers.csv'), 'region;metier;rncp\n84;Aide-soignant;RNCP35830\n');
  await importMetiersEnTension(ctx.db, ANNEE, join(dir, 'metiers.csv'), { now: WAVE_1_DAY });
  clock.set(WAVE_2_DAY);
  await issuedWave(ctx, w, 2).catch(() => undefined);
  clock.set(RELIQUAT_DAY);
  const r = await computeReliquat(ctx, w.gestionnaire, ANNEE);
  if (!r.ok) throw new Error(r.problem.message);
}
