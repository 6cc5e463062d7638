/**
 * Preloaded into each portal instance of the closing-day rush (`node --import tsx --import
 * ./bench/charge-preload.ts src/main.ts`): React and its server renderer are loaded here with the
 * libraries' NODE_ENV of the run (CHARGE_LIBRARIES_NODE_ENV, `production` by default, the build a
 * production server runs), then NODE_ENV is put back to what the instance was given. The instance runs
 * with NODE_ENV=development because only then does it follow the demo clock (DEMO_NOW, period 1 of the
 * 2025 campaign, which the demo data set is made for); without this preload, React's development
 * build would be measured instead of the production one.
 */
const own = process.env.NODE_ENV;
process.env.NODE_ENV = process.env.CHARGE_LIBRARIES_NODE_ENV || 'production';
await import('react');
await import('react/jsx-runtime');
await import('react-dom/server');
process.env.NODE_ENV = own;
export {};
