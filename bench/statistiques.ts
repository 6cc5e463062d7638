/**
 * Issue 13's statistics at national scale (not a timed test): the operator's « Statistiques » page — the
 * summaries refreshed (src/modules/statistiques/donnees.ts), read, and the page rendered as the route does —
 * p95 under 1 s, beside a plain `GROUP BY` baseline of the same run. PostgreSQL only, on the allocations
 * benchmark's data set (bench/allocations-setup.ts: 750,000 envelopes, 6,000,122 allocation lines).
 *
 *   npx tsx bench/statistiques.ts              # database bench_allocations, built or reused
 *   BENCH_STATS_READS=30 BENCH_STATS_CHANGES=100 npx tsx bench/statistiques.ts
 *
 * Phases:
 * 1. catch-up: the summaries brought up to date once (after the migration, every employer is queued; later
 *    runs find the queue empty). Timed once and reported, not part of the target.
 * 2. `page, idle`: BENCH_STATS_READS reads with nothing changed in between.
 * 3. `page, under writes`: before each read, BENCH_STATS_CHANGES random employers' lines are saved again
 *    (an `update` of their lines that changes no value: the triggers queue them as a save does), so each
 *    read recomputes that many employers — about what a second of the closing-day rush writes.
 * 4. baseline: the allocated amount per region by one plain `GROUP BY` over the 6,000,000 lines joined to
 *    their envelopes and establishments (⌊crédits × bp / 10,000⌋ per line, no largest remainder), run
 *    BENCH_STATS_BASELINE times.
 */
import { cpus, loadavg } from 'node:os';
import { renderToStaticMarkup } from 'react-dom/server';
import { createElement } from 'react';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../src/app-context.js';
import { ManualClock } from '../src/infra/clock.js';
import { loadConfig } from '../src/infra/config.js';
import { openDatabase, selectRows } from '../src/infra/db/index.js';
import { createMailDeliverer } from '../src/infra/mail.js';
import { figuresOf } from '../src/modules/statistiques/csv.js';
import { refreshSummaries } from '../src/modules/statistiques/donnees.js';
import { campaignStatistics, VENTILATION_TITRES, VENTILATIONS } from '../src/modules/statistiques/statistiques.js';
import { StatistiquesPage } from '../src/web/pages/operateur-statistiques.js';
import { ANNEE, ensureBenchDatabase } from './allocations-setup.js';
import { intEnv, round, summarize } from './stats.js';

const BASE_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const READS = intEnv('BENCH_STATS_READS', 20, 1, 1000);
const CHANGES = intEnv('BENCH_STATS_CHANGES', 50, 0, 100_000);
const BASELINE_RUNS = intEnv('BENCH_STATS_BASELINE', 3, 1, 20);
const TARGET_MS = 1000;
const log = (s = '') => process.stdout.write(`${s}\n`);
const la = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');

log(`statistics benchmark: PostgreSQL database bench_allocations on ${new URL(BASE_URL).host}`);
log(`machine: ${cpus().length} cores, load average at start ${la()}`);
const { url, info } = await ensureBenchDatabase(BASE_URL, 'bench_allocations', 750_000, false);
log(`  ${info.employeurs.toLocaleString('en')} envelopes, ${info.attributions.toLocaleString('en')} allocations`);
const database = await openDatabase({ url });
const clock = new ManualClock(new Date('2025-10-24T10:00:00Z'));
const ctx: AppContext = {
  db: database.db,
  dbKind: database.kind,
  config: loadConfig({ NODE_ENV: 'test' }),
  clock,
  mail: createMailDeliverer(database.db, clock, undefined, ''),
};

/** What the route does: the statistics, then the page rendered. */
async function page(): Promise<number> {
  const t = performance.now();
  const view = await campaignStatistics(ctx, ANNEE);
  const html = renderToStaticMarkup(
    createElement(StatistiquesPage, {
      ctx: { csrfToken: 'x', viewer: null, devTools: false, agent: null },
      view,
      figures: figuresOf(view),
      ventilations: VENTILATIONS.map((v) => ({ cle: v, titre: VENTILATION_TITRES[v], lignes: view.ventilations[v] })),
      annees: [2024, 2025],
    }),
  );
  if (!html.includes('Statistiques de la campagne')) throw new Error('page not rendered');
  return performance.now() - t;
}

const sirets = (await selectRows<{ siret: string }>(database.db, sql`select siret from enveloppes where annee = ${ANNEE}`)).map(
  (r) => r.siret,
);
const [queued] = await selectRows<{ n: number }>(
  database.db,
  sql`select count(*)::int as n from statistiques_a_recalculer where annee = ${ANNEE}`,
);
let t0 = performance.now();
const caughtUp = await refreshSummaries(database.db, ANNEE);
const catchUpMs = performance.now() - t0;
await database.db.execute(
  sql`vacuum analyze statistiques_lignes, statistiques_etablissements, statistiques_niveaux, statistiques_jours, statistiques_employeurs, statistiques_totaux, statistiques_a_recalculer`,
);
log(
  `catch-up: ${caughtUp.toLocaleString('en')} employer(s) recomputed (${queued!.n.toLocaleString('en')} queued) in ${(catchUpMs / 1000).toFixed(1)} s`,
);

await page(); // warm-up
const idle: number[] = [];
for (let i = 0; i < READS; i++) idle.push(await page());

let seed = 20250526;
const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
const busy: number[] = [];
for (let i = 0; i < READS; i++) {
  const some = Array.from({ length: CHANGES }, () => sirets[next() % sirets.length]!);
  await database.db.execute(
    sql`update attributions set updated_at = updated_at where annee = ${ANNEE} and siret_employeur = any(${`{${some.join(',')}}`}::text[])`,
  );
  busy.push(await page());
}

const baseline: number[] = [];
for (let i = 0; i < BASELINE_RUNS; i++) {
  t0 = performance.now();
  await database.db.execute(sql`
    select r.region, sum((e.credits_cents * a.points_base) / 10000)
      from attributions a
      join enveloppes e on e.annee = a.annee and e.siret = a.siret_employeur
      join ref_etablissements r on r.id = a.etablissement_id
     where a.annee = ${ANNEE}
     group by r.region`);
  baseline.push(performance.now() - t0);
}

const rows = [
  ['page, idle', summarize(idle)],
  [`page, ${CHANGES} employers changed before each read`, summarize(busy)],
  ['baseline: plain GROUP BY per region', summarize(baseline)],
] as const;
log('');
log(`| measure | runs | p50 (ms) | p95 (ms) | max (ms) |`);
log(`|---|--:|--:|--:|--:|`);
for (const [name, s] of rows) log(`| ${name} | ${s.count} | ${round(s.p50, 1)} | ${round(s.p95, 1)} | ${round(s.max, 1)} |`);
const p95 = Math.max(summarize(idle).p95, summarize(busy).p95);
log('');
log(
  `target: statistics page p95 < ${TARGET_MS} ms: ${p95 < TARGET_MS ? 'met' : 'missed'} (${round(p95, 1)} ms); load average at end ${la()}`,
);
await database.close();
