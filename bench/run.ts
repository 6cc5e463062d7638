/**
 * Entry point of `npm run bench [-- login|menu|memory …]` (see bench/README.md).
 *
 * Libraries choose their build from process.env.NODE_ENV when first loaded (React: development
 * build unless it is 'production'), so it is set here, before anything imports them. Default
 * 'production', what a production server runs; BENCH_NODE_ENV=development measures what `npm start`
 * without NODE_ENV runs. The application's own configuration is NODE_ENV=test either way.
 */
const mode = process.env.BENCH_NODE_ENV || 'production';
if (mode !== 'production' && mode !== 'development') {
  console.error('BENCH_NODE_ENV must be production or development');
  process.exit(2);
}
process.env.NODE_ENV = mode;
await import('./main.js');
export {};
