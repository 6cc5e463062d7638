/**
 * The demo's métiers en tension: `seed/metiers-en-tension/metiers-en-tension-2025.csv` (illustrative, not
 * the arrêté's list: see seed/SOURCES.md) imported like the operator would with
 * `import-metiers-en-tension`, so that the reliquat's simulation has formations to share among. Only when
 * the year has no list yet: an operator's own import is never replaced by the demo's.
 */
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../app-context.js';
import { selectRows } from '../infra/db/index.js';
import { SEED_DIR } from '../infra/files.js';
import { importMetiersEnTension } from '../modules/versements/metiers-en-tension.js';

export const DEMO_METIERS_YEAR = 2025;
export const SEED_METIERS_FILE = join(SEED_DIR, 'metiers-en-tension', `metiers-en-tension-${DEMO_METIERS_YEAR}.csv`);

export async function seedDemoMetiersEnTension(ctx: Pick<AppContext, 'db' | 'clock'>, log: (line: string) => void = () => undefined) {
  const [r] = await selectRows<{ n: number }>(
    ctx.db,
    sql`select count(*)::int as n from metiers_en_tension where annee = ${DEMO_METIERS_YEAR}`,
  );
  if ((r?.n ?? 0) > 0) return;
  const report = await importMetiersEnTension(ctx.db, DEMO_METIERS_YEAR, SEED_METIERS_FILE, { now: ctx.clock.now() });
  if (report.rejected.length)
    throw new Error(`seed/metiers-en-tension: ${report.rejected.map((x) => `ligne ${x.line} : ${x.message}`).join(' ; ')}`);
  log(`  métiers en tension ${DEMO_METIERS_YEAR} : ${report.metiers} métiers dans ${report.regions} régions`);
}
