/**
 * `npx tsx bench/access.ts`: tiers-déclarant access benchmark (habilitation grid, portefeuille pages,
 * 10,000-line habilitations CSV import), with a baseline measured in the same run. Not a timed test.
 *
 *   npx tsx bench/access.ts                                                        # PGlite in memory
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/access.ts   # PostgreSQL
 *
 * Environment: BENCH_ACCESS_REQUESTS (200 per endpoint), BENCH_ACCESS_MAX_SECONDS (time cap per
 * endpoint, 60 s: an endpoint slower than 300 ms stops early and says so), BENCH_NODE_ENV
 * (production: React's production build, what a production server runs).
 *
 * Libraries choose their build from process.env.NODE_ENV when first loaded, so it is set here, before
 * anything imports them (same convention as bench/run.ts). The application's configuration is
 * NODE_ENV=test either way (no request logging, no mail worker).
 */
const mode = process.env.BENCH_NODE_ENV || 'production';
if (mode !== 'production' && mode !== 'development') {
  console.error('BENCH_NODE_ENV must be production or development');
  process.exit(2);
}
process.env.NODE_ENV = mode;
await import('./access-main.js');
export {};
