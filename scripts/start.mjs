/**
 * `npm start`. In production (NODE_ENV=production, which is also the default as soon as DATABASE_URL is
 * set, as src/infra/config.ts decides) it runs the built release, `dist/main.js` (made by
 * `npm run build`), in this same process: no tsx, no esbuild, and signals reach the portal directly.
 * Otherwise (development, the demo) it runs the TypeScript sources through tsx's loader, registered in
 * this process rather than in a child, so that `npm install && npm start` works without a build.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');

const production = (process.env.NODE_ENV || (process.env.DATABASE_URL ? 'production' : 'development')) === 'production';

if (production) {
  const release = join(root, 'dist', 'main.js');
  if (!existsSync(release)) {
    console.error('Aucune version construite : lancez « npm run build » avant « npm start » en production.');
    process.exit(1);
  }
  await import(pathToFileURL(release).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'main.ts')).href);
}
