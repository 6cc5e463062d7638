/**
 * `npx tsx bench/search.ts`: « Recherche établissement » at national scale. Not a timed test.
 *
 *   npx tsx bench/search.ts                                                             # PGlite in memory
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/search.ts   # PostgreSQL (fresh database, dropped at the end)
 *
 * Environment: BENCH_SEARCH_ETABLISSEMENTS (12,000), BENCH_SEARCH_FORMATIONS (300,000),
 * BENCH_SEARCH_REPEAT (3 runs of the whole mix per measure), BENCH_SEARCH_BUSY (0 processes spinning on the
 * CPU beside it, for a load like the issue's), BENCH_SEARCH_EXPLAIN=1 (EXPLAIN ANALYZE of
 * the slowest query of each kind), BENCH_NODE_ENV (production: React's production build).
 * See bench/search-main.ts for what is measured.
 *
 * Libraries choose their build from process.env.NODE_ENV when first loaded, so it is set here, before
 * anything imports them (same convention as bench/run.ts and bench/access.ts).
 */
const mode = process.env.BENCH_NODE_ENV || 'production';
if (mode !== 'production' && mode !== 'development') {
  console.error('BENCH_NODE_ENV must be production or development');
  process.exit(2);
}
process.env.NODE_ENV = mode;
await import('./search-main.js');
export {};
